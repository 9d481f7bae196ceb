import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { currentTotp } from '../../src/modules/identity/index.ts';
import { type SofyProcess, startSofy } from './sofy-process.ts';

/**
 * What every browser test of the console (test/e2e) needs: a real `sofy start` with Debian's
 * Chromium driven by Playwright, a French browser context, the first sign-in of a user created
 * with a one-time password, screenshots on demand and downloads.
 */

/** The Chromium the tests drive: Debian's by default, another one with SOFY_CHROMIUM. */
const CHROMIUM = process.env.SOFY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * No sandbox (containers run the tests as root), no GPU, and nothing that would reach the
 * network on its own: the only requests are the test's, to the local server.
 */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The password a first sign-in chooses unless a test names another. */
export const NEW_PASSWORD = 'Baguette croustillante 2026';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ConsoleUnderTest {
  server: SofyProcess;
  browser: Browser;
  /** The server's own data directory (removed by `stop`). */
  dataDir: string;
  /** Closes the browser, stops the server as Ctrl-C would (SIGINT) and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * A `sofy start` in a fresh data directory (`sofy-e2e-<name>-…` under the system's temporary
 * directory), ready and with its start banner out, and a Chromium to drive its console.
 */
export async function startConsoleUnderTest(name: string): Promise<ConsoleUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), `sofy-e2e-${name}-`));
  let server: SofyProcess | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await server?.stop('SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    server = await startSofy(dataDir);
    await server.waitReady();
    browser = await launchChromium();
    return { server, browser, dataDir, stop };
  } catch (error) {
    // The file's afterAll never learns of what was started: stop it here.
    await stop();
    throw error;
  }
}

/** The window most console tests use: a laptop screen, tall enough for the forms. */
export const LAPTOP = { width: 1280, height: 900 };

export interface PageOptions {
  /** The browser's language, which the console follows on a first visit (default fr-FR). */
  locale?: string;
  /** Playwright's default (1280×720) when not given. */
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
}

/** A page in a browser context of its own (its own cookies: its own session). */
export async function newPage(browser: Browser, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: options.locale ?? 'fr-FR',
    ...(options.viewport ? { viewport: options.viewport } : {}),
    ...(options.acceptDownloads !== undefined ? { acceptDownloads: options.acceptDownloads } : {}),
  });
  return { context, page: await context.newPage() };
}

export interface FirstSignIn {
  /** The server's base URL (its login page). */
  url: string;
  email: string;
  oneTimePassword: string;
  /** The password chosen in place of the one-time password (default NEW_PASSWORD). */
  newPassword?: string;
  /**
   * 'enrol' (default): the role must enrol a second factor, and the test fails if the console does
   * not ask; 'if-asked': enrol only when the console asks (roles that need no MFA go straight in).
   */
  mfa?: 'enrol' | 'if-asked';
  /** A test's own checks on the login page, before anything is typed. */
  onLoginPage?: (page: Page) => Promise<unknown>;
}

export interface SignedIn {
  /** The TOTP secret enrolled (null when the console asked for none). */
  totpSecret: string | null;
  /** The recovery codes shown once at enrolment (empty when there was none). */
  recoveryCodes: string[];
}

/** One-time password → new password → MFA enrolment with a TOTP (when the role requires it) → console. */
export async function firstSignIn(page: Page, user: FirstSignIn): Promise<SignedIn> {
  const newPassword = user.newPassword ?? NEW_PASSWORD;
  await page.goto(user.url);
  await user.onLoginPage?.(page);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.oneTimePassword);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('password-new').fill(newPassword);
  await page.getByTestId('password-confirm').fill(newPassword);
  await page.getByTestId('password-submit').click();
  let signedIn: SignedIn = { totpSecret: null, recoveryCodes: [] };
  if (user.mfa === 'if-asked') {
    await page.locator('[data-testid="enrol-qr"], [data-testid="user-menu"]').first().waitFor();
    if (await page.getByTestId('enrol-qr').isVisible()) signedIn = await enrolTotp(page);
  } else {
    await page.getByTestId('enrol-qr').waitFor();
    signedIn = await enrolTotp(page);
  }
  await page.getByTestId('user-menu').waitFor();
  return signedIn;
}

/** The enrolment page: the code of the secret shown, then the recovery codes, shown once. */
async function enrolTotp(page: Page): Promise<SignedIn> {
  const totpSecret = (await page.getByTestId('enrol-secret').getAttribute('data-secret')) as string;
  await page.getByTestId('enrol-code').fill(currentTotp(totpSecret, new Date()));
  await page.getByTestId('enrol-submit').click();
  // The list and the button that leaves the page come together.
  await page.getByTestId('recovery-codes').waitFor();
  const recoveryCodes = await page.getByTestId('recovery-codes').locator('li').allInnerTexts();
  await page.getByTestId('recovery-codes-confirm').click();
  return { totpSecret, recoveryCodes };
}

/** The CSRF token of the page's console session, which the API wants on a cookie-authenticated write. */
export async function csrfToken(page: Page, url: string): Promise<string> {
  const session = (await (await page.request.get(`${url}/v1/auth/session`)).json()) as { csrfToken: string };
  return session.csrfToken;
}

/**
 * The signed-in user of `page` invites a user through the API with its own session (the console's
 * cookie and CSRF token); returns the invitee's one-time password, for its first sign-in.
 */
export async function inviteUser(page: Page, url: string, invitee: { email: string; name: string; role: string }): Promise<string> {
  const invited = await page.request.post(`${url}/v1/users`, { data: invitee, headers: { 'x-csrf-token': await csrfToken(page, url) } });
  expect(invited.status()).toBe(201);
  return ((await invited.json()) as { oneTimePassword: string }).oneTimePassword;
}

/**
 * A screenshot function for one test file: when SOFY_E2E_SCREENSHOTS names a directory, it saves
 * the whole page there as `<prefix><name>.png`; otherwise it does nothing.
 */
export function screenshots(prefix = ''): (page: Page, name: string) => Promise<void> {
  return async (page, name) => {
    const dir = process.env.SOFY_E2E_SCREENSHOTS;
    if (dir) await page.screenshot({ path: join(dir, `${prefix}${name}.png`), fullPage: true });
  };
}

/** The file a click makes the browser download (the context must accept downloads): its suggested name and bytes. */
export async function download(page: Page, click: () => Promise<void>): Promise<{ filename: string; body: Buffer }> {
  const [started] = await Promise.all([page.waitForEvent('download'), click()]);
  return { filename: started.suggestedFilename(), body: readFileSync((await started.path()) as string) };
}
