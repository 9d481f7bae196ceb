import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, firstSignIn, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import type { SofyProcess } from '../support/sofy-process.ts';

/**
 * The contact import wizard in a real browser against a real `sofy start` (its job runner runs
 * the import): a small CSV dropped on the zone, the preview and the suggested mapping, the
 * consent source required, the start, the progress page following the import to the end, and
 * the report of the refused rows downloaded.
 */
let server: SofyProcess;
let browser: Browser;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots();
let admin: { email: string; password: string };

const CSV = [
  'Téléphone;E-mail;Prénom;Nom',
  '06 12 34 56 78;elodie@example.com;Élodie;Durand',
  '06 98 76 54 32;jean@example.com;Jean;Martin',
  '12;faux@example.com;Faux;Numéro',
  '07 11 22 33 44;zoe@example.com;Zoé;Petit',
].join('\r\n');

beforeAll(async () => {
  ({ server, browser, stop: stopAll } = await startConsoleUnderTest('import'));
  const passwords = [...server.output().matchAll(/one-time password:\s+(\S{16})/g)].map((m) => m[1] as string);
  admin = { email: 'admin@demo.sofy.test', password: passwords[0] as string };
});

afterAll(() => stopAll?.());

describe('contact import wizard', () => {
  it('imports a small CSV dropped on the wizard and shows its progress and refused rows', async () => {
    const { context, page } = await newPage(browser, { acceptDownloads: true });
    // First sign-in of the demo admin: new password, MFA enrolment.
    await firstSignIn(page, { url: server.url, email: admin.email, oneTimePassword: admin.password });

    await page.getByTestId('nav-soreach-imports').click();
    await page.getByTestId('imports-empty').waitFor();
    await page.getByTestId('import-new').click();

    // Drag and drop: a File in a DataTransfer, dropped on the zone.
    const transfer = await page.evaluateHandle((text) => {
      // Runs in the page (the test's TypeScript has no DOM types).
      const { DataTransfer } = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } };
      const data = new DataTransfer();
      data.items.add(new File([text], 'clients-magasin.csv', { type: 'text/csv' }));
      return data;
    }, CSV);
    await page.getByTestId('import-dropzone').dispatchEvent('drop', { dataTransfer: transfer });

    // Step 2: what was detected, the preview, the suggested mapping.
    await page.getByTestId('import-preview').waitFor();
    expect(await page.getByTestId('import-detected').textContent()).toContain('CSV');
    expect(await page.getByTestId('import-preview-row').count()).toBe(4);
    expect(await page.getByTestId('import-map-0').inputValue()).toBe('phone');
    expect(await page.getByTestId('import-map-1').inputValue()).toBe('email');
    expect(await page.getByTestId('import-map-2').inputValue()).toBe('firstName');
    expect(await page.getByTestId('import-map-3').inputValue()).toBe('lastName');
    await shot(page, 'import-wizard');

    // Step 3: no start without saying how consent was collected (R-CONSENT).
    await page.getByTestId('import-start').click();
    await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('import-status').getAttribute('data-status')).toBe('uploaded');
    await page.getByTestId('import-consent-email').check();
    await page.getByTestId('import-consent-source').selectOption('in_store');
    await page.getByTestId('import-consent-text').fill('J’accepte de recevoir les offres de Optique Martin par SMS et e-mail.');
    await page.getByTestId('import-start').click();

    // The progress page follows the import to its end by itself.
    await expect.poll(() => page.getByTestId('import-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('completed');
    await page.getByTestId('import-completed').waitFor();
    expect(await page.getByTestId('import-count-processed').getAttribute('data-value')).toBe('4');
    expect(await page.getByTestId('import-count-inserted').getAttribute('data-value')).toBe('3');
    expect(await page.getByTestId('import-count-failed').getAttribute('data-value')).toBe('1');
    expect(await page.getByTestId('import-progress').getAttribute('value')).toBe('100');
    await shot(page, 'import-progress');

    const errors = await download(page, () => page.getByTestId('import-errors-download').click());
    const report = errors.body.toString('utf8');
    expect(errors.filename).toBe('clients-magasin-errors.csv');
    expect(report).toContain('4;error;invalid_phone_number;Téléphone;');

    // The list shows it too.
    await page.getByTestId('nav-soreach-imports').click();
    await expect.poll(() => page.locator('[data-testid="import-row"] [data-testid="import-status"]').getAttribute('data-status')).toBe('completed');
    await context.close();
  });
});
