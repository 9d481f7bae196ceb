import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSignIn, LAPTOP, newPage, startConsoleUnderTest } from '../support/browser.ts';
import type { SofyProcess } from '../support/sofy-process.ts';

/**
 * Messagerie → Modèles WhatsApp in a real browser against a real `sofy start` (sandbox): create a
 * template, watch Meta's (simulated) review approve it, see a rejection with its reason, delete
 * with confirmation, synchronise.
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('wa'));
});

afterAll(() => stopAll?.());

describe('Modèles WhatsApp', () => {
  it('creates, follows the review, shows a rejection reason, deletes and synchronises', async () => {
    const oneTimePassword = [...server.output().matchAll(/one-time password:\s+(\S{16})/g)][0]?.[1] as string;
    const { context, page } = await newPage(browser, { viewport: LAPTOP });
    await firstSignIn(page, { url: server.url, email: 'admin@demo.sofy.test', oneTimePassword });

    await page.getByTestId('nav-messaging').click();
    await page.getByTestId('messaging-tab-templates').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/messaging/whatsapp-templates');
    await page.getByTestId('wa-templates-empty').waitFor();
    expect((await page.getByTestId('wa-templates-empty').textContent()) ?? '').toContain('Aucun modèle WhatsApp');

    // Create: the name typed in French becomes a name Meta accepts; the variable asks for an example.
    await page.getByTestId('wa-templates-empty').getByTestId('wa-template-create').click();
    await page.getByTestId('wa-template-name').fill('Commande prête');
    await page.getByTestId('wa-template-body').click();
    expect(await page.getByTestId('wa-template-name').inputValue()).toBe('commande_prete');
    await page.getByTestId('wa-template-body').fill('Bonjour {{1}}, votre commande est prête au magasin.');
    await page.getByTestId('wa-template-submit').click();
    // No example yet: the form says so before anything reaches the server.
    await page.getByTestId('wa-template-example-1').waitFor();
    expect((await page.getByTestId('wa-template-dialog').textContent()) ?? '').toContain('Donnez un exemple.');
    await page.getByTestId('wa-template-example-1').fill('Léa');
    await page.getByTestId('wa-template-footer').fill('Boulangerie du centre');
    await page.getByTestId('wa-template-button-1').fill('Merci');
    await page.getByTestId('wa-template-submit').click();
    const row = page.locator('[data-testid="wa-template-row"][data-name="commande_prete"]');
    await row.waitFor();
    // Meta's (simulated) review approves it; the list follows by itself.
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000 }).toBe('APPROVED');
    expect((await row.getByTestId('wa-template-status').textContent()) ?? '').toBe('Approuvé');

    // A rejected one shows Meta's reason.
    await page.getByTestId('wa-template-create').first().click();
    await page.getByTestId('wa-template-name').fill('promo_rejected');
    await page.getByTestId('wa-template-category').selectOption('MARKETING');
    await page.getByTestId('wa-template-body').fill('Profitez de -20 % sur {{1}} ce week-end en magasin.');
    await page.getByTestId('wa-template-example-1').fill('les croissants');
    await page.getByTestId('wa-template-submit').click();
    const rejected = page.locator('[data-testid="wa-template-row"][data-name="promo_rejected"]');
    await expect.poll(() => rejected.getAttribute('data-status'), { timeout: 20_000 }).toBe('REJECTED');
    expect((await rejected.getByTestId('wa-template-reason').textContent()) ?? '').toBe('Motif : format invalide');
    await page.screenshot({ path: join(tmpdir(), 'sofy-wa-templates.png'), fullPage: true });

    // The same name again: refused, explained in the form.
    await page.getByTestId('wa-template-create').first().click();
    await page.getByTestId('wa-template-name').fill('commande_prete');
    await page.getByTestId('wa-template-body').fill('Un autre texte sans variable.');
    await page.getByTestId('wa-template-submit').click();
    await expect.poll(() => page.getByTestId('wa-template-error').getAttribute('data-code')).toBe('template_exists');
    await page.getByTestId('wa-template-cancel').click();

    // Delete with confirmation.
    await rejected.getByTestId('wa-template-delete').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => rejected.count()).toBe(0);

    // Synchronise: nothing changed at Meta.
    await page.getByTestId('wa-template-sync').click();
    await expect.poll(async () => (await page.locator('body').textContent()) ?? '').toContain('Synchronisé avec Meta : 0 mis à jour, 0 retirés, 1 inchangés.');

    // English.
    await page.getByTestId('lang-en').click();
    expect((await row.getByTestId('wa-template-status').textContent()) ?? '').toBe('Approved');
    await context.close();
  });
});
