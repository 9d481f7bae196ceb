import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { currentTotp } from '../../src/modules/identity/index.ts';
import { bearer, ConsoleSession, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/** R-IAM: console sign-in with one-time passwords, mandatory MFA, CSRF, throttling and lockout. */
const clock = new FixedClock('2026-03-10T09:00:00Z');
let platform: TestPlatform;
let tenant: TenantFixture;
const PASSWORD = 'Croissants au beurre 2026';

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  tenant = await createTenant(platform);
});

afterAll(async () => {
  await platform?.close();
});

type View = { authenticated: boolean; stage?: string; csrfToken?: string; user?: { email: string; mfaEnabled: boolean; tenantId: string | null; operator: boolean } };

describe('first login of an owner', () => {
  const session = () => new ConsoleSession(platform.app, clock);

  it('goes one-time password → new password → MFA enrolment → active, each step audited', async () => {
    const s = session();
    const login = await s.request('POST', '/v1/auth/login', { email: tenant.ownerEmail.toUpperCase(), password: tenant.ownerPassword });
    expect(login.statusCode).toBe(200);
    expect(json<View>(login).stage).toBe('password_change');
    const cookie = login.cookies.find((c) => c.name === 'sofy_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

    // Nothing but the login steps is reachable yet.
    expect(json(await s.request('GET', '/v1/me'))).toMatchObject({ code: 'mfa_required', stage: 'password_change' });

    const weak = await s.request('POST', '/v1/auth/password', { newPassword: 'short' });
    expect(weak.statusCode).toBe(422);
    expect(json(weak)).toMatchObject({ code: 'weak_password', errors: [{ path: '/newPassword' }] });

    const changed = json<View>(await s.request('POST', '/v1/auth/password', { newPassword: PASSWORD }));
    expect(changed.stage).toBe('mfa_enrol'); // owners must use MFA

    const enrolment = json<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }>(await s.request('POST', '/v1/auth/mfa/enrol'));
    expect(enrolment.otpauthUrl).toContain('otpauth://totp/SOFY:');
    expect(enrolment.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);

    const wrong = await s.request('POST', '/v1/auth/mfa/enrol/confirm', { code: '000000' === currentTotp(enrolment.secret, clock.now()) ? '111111' : '000000' });
    expect(json(wrong)).toMatchObject({ code: 'invalid_mfa_code' });

    const confirmed = json<{ recoveryCodes: string[]; session: View }>(
      await s.request('POST', '/v1/auth/mfa/enrol/confirm', { code: currentTotp(enrolment.secret, clock.now()) }),
    );
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(confirmed.session.stage).toBe('active');
    const me = json<{ principal: { type: string; role: string } }>(await s.request('GET', '/v1/me'));
    expect(me.principal).toMatchObject({ type: 'user', role: 'owner' });

    const audit = json<{ data: Array<{ action: string }> }>(await platform.app.inject({ url: '/v1/audit-log?action=auth.', headers: bearer(tenant.apiKey) }));
    expect(audit.data.map((e) => e.action).reverse()).toEqual(['auth.login', 'auth.password_changed', 'auth.mfa_enrolment_started', 'auth.mfa_enrolled']);
  });

  it('then asks for the TOTP code at each login, refuses a replayed code, accepts each recovery code once', async () => {
    const first = new ConsoleSession(platform.app, clock);
    // Enrol a fresh admin to get its secret and recovery codes.
    const created = json<{ oneTimePassword: string; user: { email: string } }>(
      await platform.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(tenant.apiKey), payload: { email: 'admin2@example.test', name: 'Admin Deux', role: 'admin' } }),
    );
    await first.firstLogin(created.user.email, created.oneTimePassword, PASSWORD);
    const secret = first.totpSecret as string;
    clock.advance(60_000);

    const s = new ConsoleSession(platform.app, clock);
    expect(json<View>(await s.request('POST', '/v1/auth/login', { email: 'admin2@example.test', password: PASSWORD })).stage).toBe('mfa_verify');
    const code = currentTotp(secret, clock.now());
    expect(json<View>(await s.request('POST', '/v1/auth/mfa/verify', { code })).stage).toBe('active');

    const replay = new ConsoleSession(platform.app, clock);
    await replay.request('POST', '/v1/auth/login', { email: 'admin2@example.test', password: PASSWORD });
    expect(json(await replay.request('POST', '/v1/auth/mfa/verify', { code }))).toMatchObject({ code: 'invalid_mfa_code' });

    const recovery = first.recoveryCodes[0] as string;
    expect(json<View>(await replay.request('POST', '/v1/auth/mfa/verify', { recoveryCode: recovery.toUpperCase() })).stage).toBe('active');
    const again = new ConsoleSession(platform.app, clock);
    await again.request('POST', '/v1/auth/login', { email: 'admin2@example.test', password: PASSWORD });
    expect(json(await again.request('POST', '/v1/auth/mfa/verify', { recoveryCode: recovery }))).toMatchObject({ code: 'invalid_mfa_code' });
  });
});

describe('sessions', () => {
  it('requires the CSRF token on changes made with the cookie', async () => {
    const s = new ConsoleSession(platform.app, clock);
    const created = json<{ oneTimePassword: string }>(
      await platform.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(tenant.apiKey), payload: { email: 'csrf@example.test', name: 'C', role: 'viewer' } }),
    );
    await s.firstLogin('csrf@example.test', created.oneTimePassword, PASSWORD);
    const withoutToken = await platform.app.inject({ method: 'PATCH', url: '/v1/tenant/settings', headers: { cookie: s.cookie as string }, payload: { locale: 'en' } });
    expect(json(withoutToken)).toMatchObject({ status: 403, code: 'csrf_token_invalid' });
    const wrongToken = await platform.app.inject({ method: 'PATCH', url: '/v1/tenant/settings', headers: { cookie: s.cookie as string, 'x-csrf-token': 'guess' }, payload: { locale: 'en' } });
    expect(json(wrongToken)).toMatchObject({ code: 'csrf_token_invalid' });
    // A viewer has a valid token but not the permission: the service says so.
    expect(json(await s.request('PATCH', '/v1/tenant/settings', { locale: 'en' }))).toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('ends after two idle hours, and at logout', async () => {
    const s = new ConsoleSession(platform.app, clock);
    const created = json<{ oneTimePassword: string }>(
      await platform.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(tenant.apiKey), payload: { email: 'idle@example.test', name: 'I', role: 'marketer' } }),
    );
    await s.firstLogin('idle@example.test', created.oneTimePassword, PASSWORD);
    expect((await s.request('GET', '/v1/me')).statusCode).toBe(200);
    clock.advance(2 * 3_600_000 + 60_000);
    expect(json<View>(await s.request('GET', '/v1/auth/session')).authenticated).toBe(false);

    const t = new ConsoleSession(platform.app, clock);
    await t.request('POST', '/v1/auth/login', { email: 'idle@example.test', password: PASSWORD });
    expect((await t.request('POST', '/v1/auth/logout')).statusCode).toBe(204);
    const cookieAfter = t.cookie;
    expect(cookieAfter).toBeUndefined();
  });

  it('ends a user’s sessions when an admin disables them, and refuses their login', async () => {
    const s = new ConsoleSession(platform.app, clock);
    const created = json<{ oneTimePassword: string; user: { id: string } }>(
      await platform.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(tenant.apiKey), payload: { email: 'leaver@example.test', name: 'L', role: 'agent' } }),
    );
    await s.firstLogin('leaver@example.test', created.oneTimePassword, PASSWORD);
    const disabled = await platform.app.inject({ method: 'PATCH', url: `/v1/users/${created.user.id}`, headers: bearer(tenant.apiKey), payload: { disabled: true } });
    expect(json(disabled)).toMatchObject({ status: 'disabled' });
    expect((await s.request('GET', '/v1/me')).statusCode).toBe(401);
    const again = new ConsoleSession(platform.app, clock);
    expect(json(await again.request('POST', '/v1/auth/login', { email: 'leaver@example.test', password: PASSWORD }))).toMatchObject({ code: 'invalid_credentials' });
  });
});

describe('throttling and lockout', () => {
  it('locks an account for 15 minutes at the 5th failure, even for the right password, then lets it in', async () => {
    const created = json<{ oneTimePassword: string }>(
      await platform.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(tenant.apiKey), payload: { email: 'victim@example.test', name: 'V', role: 'viewer' } }),
    );
    const s = new ConsoleSession(platform.app, clock);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(json<{ code: string }>(await s.request('POST', '/v1/auth/login', { email: 'victim@example.test', password: `wrong-${i}` })).code);
    expect(codes).toEqual(['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'account_locked']);
    const locked = await s.request('POST', '/v1/auth/login', { email: 'victim@example.test', password: created.oneTimePassword });
    expect(locked.statusCode).toBe(423);
    expect(json<{ lockedUntil: string }>(locked).lockedUntil).toBe(new Date(clock.now().getTime() + 15 * 60_000).toISOString());
    clock.advance(15 * 60_000 + 1000);
    expect(json<View>(await s.request('POST', '/v1/auth/login', { email: 'victim@example.test', password: created.oneTimePassword })).stage).toBe('password_change');
  });

  it('answers the same for an unknown email as for a wrong password, and audits both', async () => {
    const s = new ConsoleSession(platform.app, clock);
    const unknown = json(await s.request('POST', '/v1/auth/login', { email: 'nobody@example.test', password: 'whatever-1234' }));
    const wrong = json(await s.request('POST', '/v1/auth/login', { email: tenant.ownerEmail, password: 'whatever-1234' }));
    expect({ ...unknown, instance: undefined }).toEqual({ ...wrong, instance: undefined });
  });

  it('limits login attempts per IP (429)', async () => {
    const limited = await createTestPlatform({ clock, env: { SOFY_RATE_LIMIT_LOGIN: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await limited.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: `x${i}@example.test`, password: 'nope-nope-nope' } })).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
