import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSignIn, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import { apiKeyIn, type SofyProcess } from '../support/sofy-process.ts';

/**
 * The segment editor in a real browser against a real `sofy start` (issue 4): a marketer builds
 * a two-condition segment with the visual rule builder and sees the live count follow each
 * change, then finds the saved segment with its count in the list.
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots();
let admin: { email: string; password: string };

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('segments'));
  const output = server.output();
  const password = [...output.matchAll(/one-time password:\s+(\S{16})/g)].map((m) => m[1] as string)[0] as string;
  admin = { email: 'admin@demo.sofy.test', password };
  const apiKey = apiKeyIn(output) as string;
  // Twelve contacts: six tagged vip, of whom three accepted SMS.
  const proof = { text: 'Case cochée sur le bulletin d’adhésion' };
  const contacts = Array.from({ length: 12 }, (_, i) => ({
    phone: `+3361234${String(5600 + i)}`,
    firstName: `Client ${i}`,
    tags: i < 6 ? ['vip'] : ['newsletter'],
    ...(i % 2 === 0 ? { consents: { sms: { status: 'granted', source: 'in_store', proof } } } : {}),
  }));
  const response = await fetch(`${server.url}/v1/contacts/bulk`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contacts }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
});

afterAll(() => stopAll?.());

/** The live count once it has settled (no request pending). */
async function settledCount(page: Page): Promise<string | null> {
  const count = page.getByTestId('segment-count');
  if ((await count.count()) === 0 || (await count.getAttribute('data-pending')) !== 'false') return null;
  if ((await page.getByTestId('segment-count-spinner').count()) > 0) return null;
  return count.getAttribute('data-count');
}

describe('segment editor', () => {
  it('builds a two-condition segment and the live count follows each change', async () => {
    const { context, page } = await newPage(browser);
    await firstSignIn(page, { url: server.url, email: admin.email, oneTimePassword: admin.password });

    await page.getByTestId('nav-soreach').click();
    await page.getByTestId('nav-soreach-segments').click();
    await page.getByTestId('segments-empty').waitFor();
    await page.getByTestId('segment-create').click();
    await page.getByTestId('segment-name').fill('VIP joignables par SMS');

    // No condition yet: every contact.
    await expect.poll(() => settledCount(page), { timeout: 15_000 }).toBe('12');

    // First condition: has the tag vip.
    await page.getByTestId('segment-add-condition').first().click();
    const first = page.getByTestId('segment-condition').nth(0);
    await first.getByTestId('segment-condition-subject').selectOption('tag');
    await expect(first.getByTestId('segment-condition-op').inputValue()).resolves.toBe('has');
    await first.getByTestId('segment-condition-values').fill('vip');
    await expect.poll(() => settledCount(page), { timeout: 15_000 }).toBe('6');

    // Second condition: SMS consent granted.
    await page.getByTestId('segment-add-condition').first().click();
    await expect.poll(() => page.getByTestId('segment-count-incomplete').count()).toBe(1);
    const second = page.getByTestId('segment-condition').nth(1);
    await second.getByTestId('segment-condition-subject').selectOption('consent:sms');
    await second.getByTestId('segment-consent-status').selectOption('granted');
    await expect.poll(() => settledCount(page), { timeout: 15_000 }).toBe('3');
    await expect(page.getByTestId('segment-preview').locator('li').count()).resolves.toBe(3);

    // OR instead of AND: vip or SMS granted = 6 + 3 (the even ones among the newsletter half).
    await page.getByTestId('segment-group-mode-any').first().check();
    await expect.poll(() => settledCount(page), { timeout: 15_000 }).toBe('9');
    await page.getByTestId('segment-group-mode-all').first().check();
    await expect.poll(() => settledCount(page), { timeout: 15_000 }).toBe('3');
    await shot(page, 'segment-editor');

    await page.getByTestId('segment-save').click();
    await page.getByTestId('segment-delete').waitFor(); // the saved segment's page
    await page.getByTestId('nav-soreach-segments').click();
    const row = page.locator('[data-testid="segment-row"][data-name="VIP joignables par SMS"]');
    await expect.poll(() => row.getByTestId('segment-row-count').locator('[data-count]').getAttribute('data-count'), { timeout: 15_000 }).toBe('3');

    // A static list filled from the segment, then one member taken out by hand.
    await page.getByTestId('segment-create-static').click();
    await page.getByTestId('segment-static-name').fill('Invités soirée VIP');
    await page.getByTestId('segment-static-submit').click();
    await page.getByTestId('segment-list-empty').waitFor();
    await page.getByTestId('segment-add-source').selectOption({ label: 'VIP joignables par SMS (Segment)' });
    await page.getByTestId('segment-add-submit').click();
    await expect.poll(() => page.getByTestId('segment-list-members').getAttribute('data-count')).toBe('3');
    await expect.poll(() => page.getByTestId('segment-member-row').count()).toBe(3);
    await page.getByTestId('segment-member-row').first().getByRole('button').click();
    await expect.poll(() => page.getByTestId('segment-list-members').getAttribute('data-count')).toBe('2');
    await expect.poll(() => page.getByTestId('segment-member-row').count()).toBe(2);
    await shot(page, 'segment-list');
    await context.close();
  });
});
