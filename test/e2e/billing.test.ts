import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, firstSignIn, inviteUser, LAPTOP, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import type { SofyProcess } from '../support/sofy-process.ts';

/**
 * Facturation in a real browser against a real `sofy start` (issue 5): a SOFY operator creates
 * a client, fills and signs its order form; the onboarding invoice is issued at once
 * (R-ONBOARD); the client's owner finds it under « Facturation » and downloads its PDF and
 * Factur-X XML; a marketer of that client sees neither the menu entry nor the page (R-CONFID).
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots('billing-');

const FRENCH_DAY = /^\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}$/;
/** Intl puts narrow no-break spaces in French amounts ("1 022,86 €"): compare on plain spaces. */
const plain = (text: string | null) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('billing'));
});

afterAll(() => stopAll?.());

describe('Facturation', () => {
  it('signs an order form in the operator workspace; the owner gets the onboarding invoice as PDF; a marketer sees no billing', async () => {
    const passwords = [...server.output().matchAll(/one-time password:\s+(\S{16})/g)].map((m) => m[1] as string);
    const tenantName = 'Optique Lumière';

    // --- The SOFY operator (sofy_admin: billing:manage) creates the client…
    const operator = await newPage(browser, { viewport: LAPTOP, acceptDownloads: true });
    const op = operator.page;
    await firstSignIn(op, { url: server.url, email: 'operateur@sofy.test', oneTimePassword: passwords[1] as string, mfa: 'if-asked' });
    await op.getByTestId('nav-operator').click();
    await op.getByTestId('tenant-create').click();
    await op.getByTestId('tenant-name-input').fill(tenantName);
    await op.getByTestId('tenant-admin-email').fill('direction@optique-lumiere.test');
    await op.getByTestId('tenant-create-submit').click();
    const ownerPassword = ((await op.getByTestId('tenant-admin-otp').textContent()) ?? '').trim();
    expect(ownerPassword).toHaveLength(16);
    await op.getByTestId('tenant-created-dialog-close').click();
    const tenantId = (await op.locator(`[data-testid="tenant-row"][data-name="${tenantName}"]`).getAttribute('data-tenant-id')) as string;
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);

    // …and its order form: legal identity, products and negotiated prices, licence, term, payment.
    await op.getByTestId('nav-operator-billing').click();
    await op.getByTestId('op-billing-kpis').waitFor();
    await op.getByTestId('op-billing-tab-order-forms').click();
    await op.getByTestId('order-form-create').first().click();
    await op.getByTestId('of-tenant').selectOption({ label: tenantName });
    expect(await op.getByTestId('of-legal-name').inputValue()).toBe(tenantName);
    await op.getByTestId('of-legal-name').fill('Optique Lumière SAS');
    await op.getByTestId('of-siren').fill('732 829 320');
    await op.getByTestId('of-vat-number').fill('FR44732829320');
    await op.getByTestId('of-address').fill('8 rue de la République');
    await op.getByTestId('of-postal-code').fill('69002');
    await op.getByTestId('of-city').fill('Lyon');
    await op.getByTestId('of-billing-email').fill('compta@optique-lumiere.test');
    // The list price is proposed (R-PRICE list in force): SoView 29,00 €; SoConnect negotiated.
    await expect.poll(() => op.getByTestId('of-price-soview').inputValue()).toBe('29,00');
    await op.getByTestId('of-product-soconnect').check();
    await op.getByTestId('of-price-soconnect').fill('15,50');
    await op.getByTestId('of-poi').fill('5');
    await op.getByTestId('of-term-24').check({ force: true });
    expect(await op.getByTestId('of-onboarding-fee').inputValue()).toBe('490,00');
    await op.getByTestId('of-method-transfer').check();
    await shot(op, 'order-form');
    await op.getByTestId('of-submit').click();

    // The saved form opens; signing it creates the contract and issues the onboarding invoice.
    await op.getByTestId('order-form-detail').waitFor();
    expect(await op.getByTestId('order-form-items').textContent()).toContain('15,50');
    await op.getByTestId('order-form-detail-sign').click();
    await op.getByTestId('sign-signatory').fill('Claire Lumière');
    await op.getByTestId('sign-submit').click();
    await op.getByTestId('order-form-signed').waitFor();
    // The list reloads after signing.
    await expect.poll(() => op.locator(`[data-testid="order-form-row"][data-tenant-id="${tenantId}"]`).getAttribute('data-status')).toBe('signed');

    await op.getByTestId('order-form-signed-invoices').click();
    await op.getByTestId('invoices-tenant-filter').selectOption(tenantId);
    const opRow = op.locator(`[data-testid="op-invoice-row"][data-tenant-id="${tenantId}"][data-origin="onboarding"]`);
    await opRow.waitFor();
    const number = (await opRow.getAttribute('data-number')) as string;
    expect(number).toMatch(/^FA-\d{4}-\d{6}$/);
    await shot(op, 'operator-invoices');

    // The contract: 5 POI licensed, 24 months, notice deadline shown (R-TERM).
    await op.getByTestId('op-billing-tab-contracts').click();
    await op.locator(`[data-testid="contract-row"][data-tenant-id="${tenantId}"]`).getByTestId('contract-open').click();
    expect(plain(await op.getByTestId('contract-poi').textContent())).toBe('5');
    expect(plain(await op.getByTestId('contract-notice-deadline').textContent())).toMatch(/^Préavis à donner au plus tard le \d{1,2}(er)? \S+ \d{4}/);
    await operator.context.close();

    // --- The client's owner finds it in « Facturation ».
    const owner = await newPage(browser, { viewport: LAPTOP, acceptDownloads: true });
    const page = owner.page;
    await firstSignIn(page, { url: server.url, email: 'direction@optique-lumiere.test', oneTimePassword: ownerPassword, mfa: 'if-asked' });
    await page.getByTestId('nav-billing').click();
    const row = page.locator(`[data-testid="billing-invoice-row"][data-number="${number}"]`);
    await row.waitFor();
    expect(plain(await row.getByTestId('invoice-ht').textContent())).toBe('490,00 €');
    expect(plain(await row.getByTestId('invoice-ttc').textContent())).toBe('588,00 €');
    expect(plain(await row.getByTestId('invoice-date').textContent())).toMatch(FRENCH_DAY);
    expect(plain(await row.getByTestId('invoice-due').textContent())).toMatch(FRENCH_DAY);
    expect(await row.getByTestId('invoice-status').getAttribute('data-status')).toBe('unpaid');
    expect(plain(await row.getByTestId('invoice-status').textContent())).toBe('À payer');
    // Tariffs are visible to the owner (R-CONFID): SoConnect at the negotiated 15,50 €.
    const contract = page.getByTestId('billing-contract');
    expect(plain(await contract.locator('[data-product="soconnect"]').textContent())).toContain('15,50 € / point de vente / mois');
    await shot(page, 'client');

    const pdf = (await download(page, () => row.getByTestId('invoice-pdf').click())).body;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const xml = (await download(page, () => row.getByTestId('invoice-facturx').click())).body.toString('utf8');
    expect(xml).toContain('CrossIndustryInvoice');
    expect(xml).toContain(number);

    // The detail: lines and totals.
    await row.getByTestId('invoice-open').click();
    expect(plain(await page.getByTestId('invoice-total-ttc').textContent())).toBe('588,00 €');
    expect(await page.getByTestId('invoice-line').count()).toBe(1);
    await page.keyboard.press('Escape');

    // English is one click away.
    await page.getByTestId('lang-en').click();
    await expect.poll(async () => plain(await row.getByTestId('invoice-status').textContent())).toBe('To pay');
    await page.getByTestId('lang-fr').click();

    // --- A marketer of the same client: no menu entry, no page, and the API refuses.
    const marketerPassword = await inviteUser(page, server.url, { email: 'marketing@optique-lumiere.test', name: 'Léo Marketing', role: 'marketer' });
    await owner.context.close();

    const marketer = await newPage(browser, { viewport: LAPTOP, acceptDownloads: true });
    const mp = marketer.page;
    await firstSignIn(mp, { url: server.url, email: 'marketing@optique-lumiere.test', oneTimePassword: marketerPassword, mfa: 'if-asked' });
    await mp.goto(`${server.url}/billing`);
    // The page renders once the role's permissions are known: a plain "no access" page.
    await mp.getByTestId('forbidden').waitFor();
    expect(await mp.getByTestId('billing-page').count()).toBe(0);
    expect(await mp.getByTestId('nav-messaging').count()).toBe(1);
    expect(await mp.getByTestId('nav-billing').count()).toBe(0);
    expect((await mp.request.get(`${server.url}/v1/billing/invoices`)).status()).toBe(403);
    await marketer.context.close();
  });
});
