import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, firstSignIn, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import { apiKeyIn, type SofyProcess } from '../support/sofy-process.ts';

/**
 * SoReach › Contacts in a real browser against a real `sofy start` (issue 4): the empty state,
 * creating a contact with its consent, the list with search and filters, the detail page, a
 * consent change with its proof and history (R-CONSENT), and the CSV export.
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots();
let admin: { email: string; password: string; apiKey: string };

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('contacts'));
  const output = server.output();
  const password = /one-time password:\s+(\S{16})/.exec(output)?.[1] as string;
  admin = { email: 'admin@demo.sofy.test', password, apiKey: apiKeyIn(output) as string };
});

afterAll(() => stopAll?.());

const apiPost = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${admin.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('contacts console', () => {
  it('goes from the empty list to a new contact, its detail, a consent change with proof, search and export', async () => {
    const { context, page } = await newPage(browser, { acceptDownloads: true });
    await firstSignIn(page, { url: server.url, email: admin.email, oneTimePassword: admin.password, newPassword: 'Lunettes de soleil 2026' });

    await page.getByTestId('nav-soreach').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/soreach/contacts');
    await page.getByTestId('contacts-empty').waitFor();
    await shot(page, 'contacts-empty');

    // Create from the empty state, with the SMS consent collected in store.
    await page.getByTestId('contacts-empty-create').click();
    await page.getByTestId('contact-form-submit').click();
    await expect.poll(() => page.getByTestId('contact-form').getByText('Indiquez un téléphone ou un e-mail.').count()).toBe(1);
    await page.getByTestId('contact-phone').fill('06 12 34 56 78');
    await page.getByTestId('contact-email').fill('Marie.Curie@Example.fr');
    await page.getByTestId('contact-first-name').fill('Marie');
    await page.getByTestId('contact-last-name').fill('Curie');
    await page.getByTestId('contact-tags').fill('VIP, Lyon');
    await page.getByTestId('contact-consent-sms').check();
    await page.getByTestId('contact-consent-proof').fill('Bulletin d’adhésion signé au magasin de Lyon');
    await page.getByTestId('contact-form-submit').click();

    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/soreach\/contacts\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId('contact-detail-phone').textContent()).toBe('+33612345678');
    expect(await page.getByTestId('contact-detail-email').textContent()).toBe('marie.curie@example.fr');
    expect(await page.getByTestId('consent-status-sms').getAttribute('data-status')).toBe('granted');
    expect(await page.getByTestId('consent-status-email').getAttribute('data-status')).toBe('unknown');
    await expect.poll(() => page.getByTestId('consent-event').count()).toBe(1);

    // Two more contacts from the API, then back to the list: counts, search, filters.
    expect((await apiPost('/v1/contacts', { phone: '07 81 23 45 67', firstName: 'Pierre', lastName: 'Curie', tags: ['lyon'] })).status).toBe(201);
    expect((await apiPost('/v1/contacts', { email: 'paul@example.fr', firstName: 'Paul', lastName: 'Langevin' })).status).toBe(201);
    await page.getByTestId('contact-back').click();
    await expect.poll(() => page.getByTestId('contacts-counts').getAttribute('data-total')).toBe('3');
    await expect.poll(() => page.getByTestId('contact-row').count()).toBe(3);
    await shot(page, 'contacts-list');
    await page.getByTestId('contact-search').fill('curie');
    await expect.poll(() => page.getByTestId('contact-row').count()).toBe(2);
    await page.getByTestId('contact-search').fill('06 12 34');
    await expect.poll(() => page.getByTestId('contact-row').count()).toBe(1);
    await page.getByTestId('contact-filters-clear').click();
    await page.getByTestId('contact-filter-consent').selectOption('sms:granted');
    await expect.poll(() => page.getByTestId('contact-row').count()).toBe(1);
    await page.getByTestId('contact-link').first().click();

    // Withdraw the SMS consent; then grant email, which needs proof.
    await page.getByTestId('consent-change-sms').click();
    await page.getByTestId('consent-status').selectOption('withdrawn');
    await page.getByTestId('consent-source').selectOption('in_store');
    await page.getByTestId('consent-proof-text').fill('A demandé en caisse à ne plus recevoir de SMS');
    await page.getByTestId('consent-submit').click();
    await expect.poll(() => page.getByTestId('consent-status-sms').getAttribute('data-status')).toBe('withdrawn');
    await page.getByTestId('consent-change-email').click();
    await page.getByTestId('consent-status').selectOption('granted');
    await page.getByTestId('consent-submit').click();
    await page.getByTestId('consent-dialog').getByText('Un accord doit être accompagné de sa preuve.').waitFor();
    await page.getByTestId('consent-proof-reference').fill('Formulaire web n° 1842');
    await page.getByTestId('consent-submit').click();
    await expect.poll(() => page.getByTestId('consent-status-email').getAttribute('data-status')).toBe('granted');
    const emailRow = page.locator('[data-testid="consent-row"][data-channel="email"]');
    expect(await emailRow.textContent()).toContain('Formulaire web n° 1842');

    await expect.poll(() => page.getByTestId('consent-event').count()).toBe(3);
    expect(await page.getByTestId('consent-event').first().getAttribute('data-channel')).toBe('email');
    await expect.poll(() => page.locator('[data-testid="timeline-item"][data-type="consent"]').count()).toBe(3);
    await shot(page, 'contact-detail');

    // The list shows the new state; the export has the whole history.
    await page.getByTestId('contact-back').click();
    await page.getByTestId('contact-filter-consent').selectOption('sms:withdrawn');
    await expect.poll(() => page.getByTestId('contact-row').count()).toBe(1);
    const exported = await download(page, () => page.getByTestId('contacts-export-csv').click());
    expect(exported.filename).toMatch(/^contacts-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = exported.body.toString('utf8');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);
    expect(csv).toContain('marie.curie@example.fr');
    expect(csv).toContain('A demandé en caisse');
    await context.close();
  });
});
