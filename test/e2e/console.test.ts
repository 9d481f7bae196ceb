import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstSignIn, NEW_PASSWORD, newPage, screenshots, startConsoleUnderTest } from '../support/browser.ts';
import { apiKeyIn, type SofyProcess } from '../support/sofy-process.ts';

/**
 * The console in a real browser (Debian's Chromium driven by Playwright) against a real
 * `sofy start`: first sign-in with the one-time password, MFA enrolment, API key creation and
 * revocation, and the operator's audited access to a tenant.
 */
let server: SofyProcess;
let browser: Browser;
let dataDir: string;
let stopAll: (() => Promise<void>) | undefined;
const shot = screenshots();
let recoveryCodes: string[] = [];
let demo: { adminEmail: string; adminPassword: string; operatorEmail: string; operatorPassword: string; apiKey: string };

beforeAll(async () => {
  ({ server, browser, dataDir, stop: stopAll } = await startConsoleUnderTest('console'));
  const output = server.output();
  const passwords = [...output.matchAll(/one-time password:\s+(\S{16})/g)].map((m) => m[1] as string);
  demo = {
    adminEmail: 'admin@demo.sofy.test',
    adminPassword: passwords[0] as string,
    operatorEmail: 'operateur@sofy.test',
    operatorPassword: passwords[1] as string,
    apiKey: apiKeyIn(output) as string,
  };
});

afterAll(() => stopAll?.());

/** The shared first sign-in, with this file's checks: the login page is in French, the TOTP secret is base32. */
async function firstSignInChecked(page: Page, email: string, oneTimePassword: string): Promise<string[]> {
  const signedIn = await firstSignIn(page, {
    url: server.url,
    email,
    oneTimePassword,
    onLoginPage: () => expect.poll(() => page.getAttribute('html', 'lang')).toBe('fr'),
  });
  expect(signedIn.totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
  return signedIn.recoveryCodes;
}

describe('console', () => {
  it('takes the demo admin from the one-time password to MFA, then creates and revokes an API key', async () => {
    const { context, page } = await newPage(browser);
    const codes = await firstSignInChecked(page, demo.adminEmail, demo.adminPassword);
    expect(codes).toHaveLength(10);
    recoveryCodes = [...codes];
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('nav-settings-api-keys').click();
    await page.getByTestId('api-key-create').click();
    await page.getByTestId('api-key-name').fill('ERP magasin');
    await page.getByTestId('api-key-scope-messages:alert').check();
    await page.getByTestId('api-key-scope-messages:read').check();
    await page.getByTestId('api-key-ips').fill('127.0.0.1');
    await page.getByTestId('api-key-submit').click();
    const secret = ((await page.getByTestId('secret-value').textContent()) ?? '').trim();
    expect(secret).toMatch(/^sofy_[a-z2-7]{8}_[A-Za-z0-9]{40}$/);
    await page.screenshot({ path: join(process.env.SOFY_E2E_SCREENSHOTS ?? dataDir, 'api-key-secret.png') });

    const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(((await me.json()) as { principal: { scopes: string[] } }).principal.scopes.sort()).toEqual(['messages:alert', 'messages:read']);

    await page.getByTestId('secret-dialog-close').click();
    const row = page.locator('[data-testid="api-key-row"][data-name="ERP magasin"]');
    await row.getByTestId('api-key-revoke').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => row.getAttribute('data-state')).toBe('revoked');
    expect((await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

    // The audit trail shows what was done, in the console too.
    await page.getByTestId('nav-settings-audit').click();
    await expect.poll(() => page.locator('[data-testid="audit-row"][data-action="api_key.revoked"]').count()).toBeGreaterThan(0);
    await shot(page, 'audit');

    // English is one click away.
    await page.getByTestId('lang-en').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it('sends a test SMS from Messagerie, follows it to delivered, and takes a STOP reply from the sandbox phone', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(server.url);
    await page.getByTestId('login-email').fill(demo.adminEmail);
    await page.getByTestId('login-password').fill(NEW_PASSWORD);
    await page.getByTestId('login-submit').click();
    // MFA was enrolled by the first test: the secret is not known here, so use a recovery code.
    await page.getByTestId('mfa-use-recovery').click();
    await page.getByTestId('mfa-recovery-code').fill(recoveryCodes.shift() as string);
    await page.getByTestId('mfa-submit').click();

    await page.getByTestId('nav-messaging').click();
    await page.getByTestId('send-test-open').click();
    await page.getByTestId('send-channel').selectOption('sms');
    await page.getByTestId('send-route').selectOption('alert');
    await page.getByTestId('send-to').fill('06 98 76 54 32');
    await page.getByTestId('send-text').fill('Votre commande est disponible en magasin.');
    await expect.poll(() => page.getByTestId('send-counter').getAttribute('data-segments')).toBe('1');
    expect(await page.getByTestId('send-counter').getAttribute('data-encoding')).toBe('GSM-7');
    await page.getByTestId('send-submit').click();
    await page.getByTestId('send-result').waitFor();
    await page.keyboard.press('Escape');
    await expect
      .poll(
        async () => {
          await page.getByTestId('messages-refresh').click();
          return page.locator('[data-testid="message-row"][data-status="delivered"]').count();
        },
        { timeout: 20_000 },
      )
      .toBeGreaterThan(0);
    await page.locator('[data-testid="message-row"]').first().click();
    await expect.poll(() => page.getByTestId('timeline-step').count()).toBeGreaterThanOrEqual(3);
    await shot(page, 'message-detail');
    await page.keyboard.press('Escape');

    await page.getByTestId('messaging-tab-sandbox').click();
    await page.getByTestId('sandbox-number').fill('+33698765432');
    await page.getByTestId('sandbox-open').click();
    await expect.poll(() => page.locator('[data-testid="sandbox-bubble"][data-direction="received"]').count()).toBeGreaterThan(0);
    await page.getByTestId('sandbox-stop').click();
    await expect.poll(() => page.locator('[data-testid="sandbox-bubble"][data-direction="sent"]').count()).toBeGreaterThan(0);
    await shot(page, 'sandbox-phone');

    await page.getByTestId('messaging-tab-optouts').click();
    await expect.poll(() => page.locator('[data-testid="optout-row"]').count(), { timeout: 15_000 }).toBeGreaterThan(0);

    await page.getByTestId('messaging-tab-routes').click();
    await expect.poll(() => page.locator('[data-testid="connector-card"][data-id="smpp"]').getAttribute('data-state')).toBe('bound');
    await page.getByTestId('messaging-tab-senders').click();
    await page.getByTestId('sender-input').fill('38100');
    await page.getByTestId('sender-submit').click();
    await expect.poll(() => page.locator('[data-testid="sender-row"][data-sender="38100"]').count()).toBe(1);
    await context.close();
  });

  it('lets a SOFY operator open a tenant only with a reason, which the tenant then sees in its own trail', async () => {
    const { context, page } = await newPage(browser);
    await firstSignInChecked(page, demo.operatorEmail, demo.operatorPassword);
    await page.getByTestId('nav-operator').click();
    await page.getByTestId('tenant-open').first().click();
    await page.getByTestId('open-reason').fill('Ticket 4521 : vérification des clés API');
    await page.getByTestId('open-submit').click();
    await page.getByTestId('tenant-detail-status').waitFor();
    await context.close();

    const audit = await fetch(`${server.url}/v1/audit-log?action=operator.`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
    const entries = ((await audit.json()) as { data: Array<{ action: string; actor: { label: string }; summary: { reason: string } }> }).data;
    expect(entries[0]).toMatchObject({ action: 'operator.tenant_opened', actor: { label: demo.operatorEmail }, summary: { reason: 'Ticket 4521 : vérification des clés API' } });
  });
});
