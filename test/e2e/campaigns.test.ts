import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSignIn, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import { apiKeyIn, type SofyProcess } from '../support/sofy-process.ts';

/**
 * The campaign console in a real browser against a real `sofy start` (issue 4): an admin writes
 * an SMS with a merge field and sees the live counter with the STOP mention, the preview on the
 * phone and the estimate (consenting contacts only); adds an A/B variant; submits; the campaign is
 * fanned out by the server's jobs and sent to the sandbox; the report shows it, and the calendar
 * lists it.
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots();
let admin: { email: string; password: string };

/** 10:00–18:00 in Paris: R-QUIET lets marketing SMS leave now (otherwise they wait for 08:00). */
const daytimeInParis = (() => {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
  return hour >= 8 && hour < 19;
})();

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('campaigns'));
  const output = server.output();
  const password = [...output.matchAll(/one-time password:\s+(\S{16})/g)].map((m) => m[1] as string)[0] as string;
  admin = { email: 'admin@demo.sofy.test', password };
  const apiKey = apiKeyIn(output) as string;
  // Eight contacts, of whom five accepted SMS (one of them also opted out by STOP).
  const proof = { text: 'Case cochée sur le bulletin d’adhésion' };
  const contacts = Array.from({ length: 8 }, (_, i) => ({
    phone: `+3361234${String(7700 + i)}`,
    ...(i % 2 === 0 ? { firstName: `Léa ${i}` } : {}),
    ...(i < 5 ? { consents: { sms: { status: 'granted', source: 'in_store', proof } } } : {}),
  }));
  const response = await fetch(`${server.url}/v1/contacts/bulk`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ contacts }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const optOut = await fetch(`${server.url}/v1/opt-outs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ address: '+33612347704' }),
  });
  expect(optOut.status).toBe(201);
});

afterAll(() => stopAll?.());

describe('campaign console', () => {
  it('writes, previews, estimates and submits an SMS campaign, then shows its report and calendar', async () => {
    const { page } = await newPage(browser);
    await firstSignIn(page, { url: server.url, email: admin.email, oneTimePassword: admin.password });

    await page.getByTestId('nav-soreach').click();
    await page.getByTestId('nav-soreach-campaigns').click();
    await page.getByTestId('campaigns-empty').waitFor();
    await page.getByTestId('campaign-create').click();
    await page.getByTestId('campaign-name').fill('Soldes de printemps');
    await page.getByTestId('campaign-sender').fill('OPTIQUE');
    await page.getByTestId('campaign-text').fill('Bonjour ');
    await page.getByTestId('campaign-insert-firstname').click();
    await page.getByTestId('campaign-text').press('End');
    await page.getByTestId('campaign-text').pressSequentially(', -20% ce week-end !');

    // The live counter counts the STOP mention the send path will append (R-STOP).
    const counter = page.getByTestId('campaign-counter');
    await expect.poll(() => counter.getAttribute('data-segments')).toBe('1');
    await expect(counter.textContent()).resolves.toContain('STOP SMS au 36111');
    // The preview is the send path's: fallback for the merge field, and the mention.
    const bubble = page.getByTestId('campaign-preview-bubble');
    await expect.poll(() => bubble.textContent(), { timeout: 15_000 }).toBe('Bonjour Client, -20% ce week-end !\nSTOP SMS au 36111');
    // The estimate: consent granted and not opted out (5 accepted SMS, 1 of them STOPped).
    await expect.poll(() => page.getByTestId('campaign-estimate').getAttribute('data-recipients'), { timeout: 15_000 }).toBe('4');

    // An A/B variant: the shares are shown.
    await page.getByTestId('campaign-add-variant').click();
    await page.getByTestId('campaign-text').fill('Offre spéciale {{firstName|Client}} : -30% !');
    await expect(page.getByTestId('campaign-ab-summary').textContent()).resolves.toContain('100');
    await shot(page, 'campaign-editor');

    await page.getByTestId('campaign-submit').click();
    // An admin's submission is approved at once; the server's jobs start it.
    await expect.poll(() => page.locator('[data-testid^="campaign-status-"]').first().getAttribute('data-testid'), { timeout: 15_000 }).toMatch(/campaign-status-(scheduled|running|completed)/);

    await page.getByTestId('nav-soreach-campaigns').click();
    const row = page.getByTestId('campaign-row').first();
    await row.waitFor();
    if (daytimeInParis) {
      // Fanned out and sent to the sandbox SMSC (the list is re-read until the counters show it).
      await expect
        .poll(
          async () => {
            await page.reload();
            return page.getByTestId('campaign-row').first().locator('td').nth(5).textContent();
          },
          { timeout: 60_000, interval: 1000 },
        )
        .toBe('4');
    }
    await row.getByTestId('campaign-link').click();
    // The report link appears once the campaign has started (the page is read again until then).
    await expect
      .poll(
        async () => {
          if ((await page.getByTestId('campaign-report-link').count()) === 0) await page.reload();
          return page.getByTestId('campaign-report-link').count();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(1);
    await page.getByTestId('campaign-report-link').click();
    await expect.poll(() => page.getByTestId('kpi-targeted').getAttribute('data-value'), { timeout: 15_000 }).toBe('4');
    await page.getByTestId('campaign-variants').waitFor();
    await expect(page.getByTestId('campaign-variant-row').count()).resolves.toBe(2);
    // Replies attributed to the campaign: none here (nobody answers from the sandbox), in the totals and per variant.
    expect(await page.getByTestId('kpi-replies').getAttribute('data-value')).toBe('0');
    expect(await page.locator('[data-testid="campaign-variant-replies"][data-value="0"]').count()).toBe(2);
    await page.getByTestId('campaign-series').waitFor();
    await shot(page, 'campaign-report');

    await page.getByTestId('nav-soreach-campaigns').click();
    await page.getByTestId('campaigns-view-calendar').click();
    await expect.poll(() => page.getByTestId('calendar-campaign').count(), { timeout: 15_000 }).toBe(1);
    await expect(page.getByTestId('calendar-campaign').textContent()).resolves.toBe('Soldes de printemps');
  });
});
