import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { recordAudit, type RequestContext } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { randomToken, safeEqual, type SecretKeyring, sha256 } from '../../platform/crypto.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError } from '../../platform/errors.ts';
import type { ApiKeyPrincipal, SessionPrincipal } from '../../platform/http/principal.ts';
import { type Authenticator, SESSION_COOKIE } from '../../platform/http/server.ts';
import { withUserScope } from './context.ts';
import * as repo from './repo.ts';
import {
  afterFailedLogin,
  ipAllowed,
  isLocked,
  isOperatorRole,
  type LoginStage,
  mfaRequired,
  parseApiKey,
  passwordProblem,
  sessionExpired,
  sessionMaxExpiry,
  stageAfterPassword,
  stageAfterSecondFactor,
} from './rules.ts';
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashPassword,
  matchTotp,
  normaliseRecoveryCode,
  qrCodeDataUrl,
  totpUri,
  verifyPassword,
} from './secrets.ts';

/** What the console reads after each login step (`GET /v1/auth/session`). */
export interface SessionView {
  authenticated: boolean;
  stage?: LoginStage;
  csrfToken?: string;
  user?: {
    id: string;
    email: string;
    name: string;
    role: string;
    tenantId: string | null;
    tenantName: string | null;
    locale: 'fr' | 'en';
    mfaEnabled: boolean;
    operator: boolean;
  };
}

export interface LoginMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** Writes to `last_used_at` / `last_seen_at` at most this often per key or session. */
const TOUCH_INTERVAL_MS = 60_000;
const MFA_SECRET_PURPOSE = 'totp-secret';
const RECOVERY_PURPOSE = 'recovery-code';

/**
 * Authentication (R-IAM, R-APIKEY): API keys for systems, cookie sessions with MFA for people,
 * login throttling and lockout, every step in the audit trail.
 */
/** Verified API keys are cached this long at most; changes clear the cache at once (NOTIFY). */
const KEY_CACHE_MS = 30_000;
export const AUTH_CHANGES_CHANNEL = 'sofy_auth_changed';

export class AuthService implements Authenticator {
  readonly #recentTouches = new Map<string, number>();
  /** SHA-256 of a key → its look-up. Never the key itself. */
  readonly #keyCache = new Map<string, { row: repo.ApiKeyLookup; cachedAt: number }>();

  constructor(
    private readonly db: Database,
    private readonly keyring: SecretKeyring,
    private readonly clock: Clock,
    private readonly onBackgroundError: (error: unknown) => void = () => {},
  ) {}

  async authenticate(request: FastifyRequest): Promise<ApiKeyPrincipal | SessionPrincipal | null> {
    const header = request.headers.authorization;
    if (header) return this.authenticateApiKey(header, request.ip);
    const token = request.cookies[SESSION_COOKIE];
    return token ? this.authenticateSession(token) : null;
  }

  /**
   * Drops every cached key: called after a change in this process, and on a NOTIFY from any
   * process (key revoked, tenant suspended), so a revocation holds from the next request.
   */
  clearCache(): void {
    this.#keyCache.clear();
  }

  /** The same answer for an unknown, wrong, revoked or expired key: nothing tells them apart. */
  async authenticateApiKey(header: string, ip: string): Promise<ApiKeyPrincipal> {
    const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const parsed = key ? parseApiKey(key) : null;
    if (!key || !parsed) throw invalidApiKey();
    const now = this.clock.now();
    const row = await this.#lookupKey(key, parsed.prefix);
    if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) throw invalidApiKey();
    if (!ipAllowed(row.allowed_ips, ip)) {
      throw new AppError('ip_not_allowed', `This API key may not be used from ${ip}`);
    }
    this.#touch(`key:${row.key_id}`, row.last_used_at, now, () =>
      withTenant(this.db, row.tenant_id, (tx) => repo.touchApiKey(tx, row.key_id, now, ip)),
    );
    return {
      kind: 'api_key',
      keyId: row.key_id,
      name: row.name,
      prefix: parsed.prefix,
      scopes: row.scopes,
      tenant: { id: row.tenant_id, name: row.tenant_name, status: row.tenant_status, statusReason: row.tenant_status_reason },
    };
  }

  /** A verified key's look-up, from the cache when fresh; null when the key does not match. */
  async #lookupKey(key: string, prefix: string): Promise<repo.ApiKeyLookup | null> {
    const hash = sha256(key);
    const cacheKey = hash.toString('base64');
    const cached = this.#keyCache.get(cacheKey);
    if (cached && performance.now() - cached.cachedAt < KEY_CACHE_MS) return cached.row;
    const row = await repo.lookupApiKey(this.db, prefix);
    if (!row || !safeEqual(hash, row.secret_hash)) return null;
    if (this.#keyCache.size > 50_000) this.#keyCache.clear();
    this.#keyCache.set(cacheKey, { row, cachedAt: performance.now() });
    return row;
  }

  async authenticateSession(token: string): Promise<SessionPrincipal | null> {
    const row = await repo.lookupSession(this.db, sha256(token));
    const now = this.clock.now();
    if (!row || row.user_disabled) return null;
    if (sessionExpired({ expiresAt: row.expires_at, lastSeenAt: row.last_seen_at, stage: row.stage }, now)) return null;
    this.#touch(`session:${row.session_id}`, row.last_seen_at, now, () =>
      withUserScope(this.db, { tenantId: row.tenant_id, userId: row.user_id }, (tx) => repo.touchSession(tx, row.session_id, now)),
    );
    return {
      kind: isOperatorRole(row.role) ? 'operator' : 'user',
      userId: row.user_id,
      email: row.email,
      name: row.name,
      role: row.role,
      tenant: row.tenant_id
        ? { id: row.tenant_id, name: row.tenant_name ?? '', status: row.tenant_status ?? 'active', statusReason: row.tenant_status_reason }
        : null,
      sessionId: row.session_id,
      stage: row.stage,
      csrfToken: row.csrf_token,
      mfaEnabled: row.mfa_enabled,
      locale: row.tenant_locale === 'en' ? 'en' : 'fr',
    };
  }

  /** Password step. Returns the new session's cookie value and its view. */
  async login(emailInput: string, password: string, meta: LoginMeta): Promise<{ token: string; view: SessionView }> {
    const email = emailInput.trim().toLowerCase();
    const now = this.clock.now();
    const anonymous: RequestContext = { actor: { type: 'anonymous', id: null, label: email }, ip: meta.ip, requestId: meta.requestId };
    const found = await repo.lookupLogin(this.db, email);
    if (!found) {
      await verifyPassword(null, password); // same time as a known email: no user enumeration by timing
      await recordAudit(this.db, anonymous, { tenantId: null, action: 'auth.login_failed', summary: { email, reason: 'unknown_email' }, at: now });
      throw invalidCredentials();
    }
    const scope = { tenantId: found.tenant_id, userId: found.user_id };
    const outcome = await withUserScope(this.db, scope, async (tx) => {
      const user = await repo.findUserForUpdate(tx, found.user_id);
      if (!user) return { error: invalidCredentials() };
      const context: RequestContext = { ...anonymous, actor: actorFor(user) };
      if (isLocked(user.locked_until, now)) {
        await recordAudit(tx, context, { tenantId: user.tenant_id, action: 'auth.login_refused', target: userTarget(user), summary: { reason: 'locked' }, at: now });
        return { error: accountLocked(user.locked_until as Date) };
      }
      const passwordOk = await verifyPassword(user.password_hash, password);
      if (!passwordOk || user.disabled_at) {
        const failure = afterFailedLogin(user.failed_logins, now);
        await repo.updateUser(tx, user.id, { failed_logins: failure.failedLogins, locked_until: failure.lockedUntil ?? user.locked_until });
        await recordAudit(tx, context, {
          tenantId: user.tenant_id, action: 'auth.login_failed', target: userTarget(user),
          summary: { reason: user.disabled_at ? 'disabled' : 'wrong_password', failedLogins: failure.failedLogins, locked: failure.lockedUntil !== null },
          at: now,
        });
        return { error: failure.lockedUntil ? accountLocked(failure.lockedUntil) : invalidCredentials() };
      }
      const stage = stageAfterPassword({
        mustChangePassword: user.must_change_password,
        mfaEnabled: user.mfa_enabled_at !== null,
        mfaRequired: mfaRequired(user.role, await tenantRequiresMfaForAll(tx, user.tenant_id)),
      });
      await repo.updateUser(tx, user.id, { failed_logins: 0, locked_until: null, ...(stage === 'active' ? { last_login_at: now } : {}) });
      const token = randomToken();
      const sessionId = await repo.insertSession(tx, {
        tokenHash: sha256(token), userId: user.id, tenantId: user.tenant_id, stage, csrfToken: randomToken(24),
        ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null, now, expiresAt: sessionMaxExpiry(now),
      });
      await recordAudit(tx, context, { tenantId: user.tenant_id, action: 'auth.login', target: userTarget(user), summary: { sessionId, stage }, at: now });
      return { token };
    });
    if ('error' in outcome) throw outcome.error;
    const principal = await this.authenticateSession(outcome.token);
    if (!principal) throw new Error('session just created cannot be read back');
    return { token: outcome.token, view: this.sessionView(principal) };
  }

  /** Second factor: a TOTP code, or one of the recovery codes (each works once). */
  async verifyMfa(principal: SessionPrincipal, input: { code?: string; recoveryCode?: string }, context: RequestContext): Promise<SessionView> {
    requireStage(principal, ['mfa_verify']);
    const now = this.clock.now();
    const outcome = await withUserScope(this.db, scopeOf(principal), async (tx) => {
      const user = await repo.findUserForUpdate(tx, principal.userId);
      if (!user?.mfa_secret) return { error: new AppError('invalid_state', 'MFA is not set up for this account') };
      if (isLocked(user.locked_until, now)) return { error: accountLocked(user.locked_until as Date) };
      let method: 'totp' | 'recovery_code' | null = null;
      let changes: Partial<repo.UserRow> = {};
      if (input.code) {
        const step = matchTotp(this.keyring.decrypt(MFA_SECRET_PURPOSE, user.mfa_secret), input.code.trim(), now);
        if (step !== null && step > (user.mfa_last_step ?? -1)) {
          method = 'totp';
          changes = { mfa_last_step: step };
        }
      } else if (input.recoveryCode) {
        const hashed = this.#recoveryHash(input.recoveryCode);
        if (user.recovery_codes.includes(hashed)) {
          method = 'recovery_code';
          changes = { recovery_codes: user.recovery_codes.filter((code) => code !== hashed) };
        }
      }
      if (!method) {
        const failure = afterFailedLogin(user.failed_logins, now);
        await repo.updateUser(tx, user.id, { failed_logins: failure.failedLogins, locked_until: failure.lockedUntil ?? user.locked_until });
        await recordAudit(tx, context, { tenantId: user.tenant_id, action: 'auth.mfa_failed', target: userTarget(user), summary: { failedLogins: failure.failedLogins }, at: now });
        if (failure.lockedUntil) await repo.revokeSession(tx, principal.sessionId, now);
        return { error: failure.lockedUntil ? accountLocked(failure.lockedUntil) : new AppError('invalid_mfa_code', 'The code is wrong or was already used') };
      }
      const stage = stageAfterSecondFactor({
        mustChangePassword: user.must_change_password,
        mfaEnabled: true,
        mfaRequired: true,
      });
      await repo.updateUser(tx, user.id, { ...changes, failed_logins: 0, ...(stage === 'active' ? { last_login_at: now } : {}) });
      await repo.setSessionStage(tx, principal.sessionId, stage, now);
      await recordAudit(tx, context, {
        tenantId: user.tenant_id, action: 'auth.mfa_verified', target: userTarget(user),
        summary: { method, ...(method === 'recovery_code' ? { recoveryCodesLeft: user.recovery_codes.length - 1 } : {}) }, at: now,
      });
      return { stage };
    });
    if ('error' in outcome) throw outcome.error;
    return this.sessionView({ ...principal, stage: outcome.stage });
  }

  /** First login with a one-time password, or a voluntary change (then the current password is required). */
  async changePassword(principal: SessionPrincipal, input: { currentPassword?: string; newPassword: string }, context: RequestContext): Promise<SessionView> {
    requireStage(principal, ['password_change', 'active']);
    const problem = passwordProblem(input.newPassword, principal.email);
    if (problem) throw new AppError('weak_password', `The new password ${problem}`, { errors: [{ path: '/newPassword', message: problem }] });
    const now = this.clock.now();
    const newHash = await hashPassword(input.newPassword);
    const stage = await withUserScope(this.db, scopeOf(principal), async (tx) => {
      const user = await repo.findUserForUpdate(tx, principal.userId);
      if (!user) throw new AppError('unauthenticated', 'Session ended');
      if (principal.stage === 'active') {
        if (!input.currentPassword || !(await verifyPassword(user.password_hash, input.currentPassword))) {
          throw new AppError('invalid_credentials', 'The current password is wrong', { errors: [{ path: '/currentPassword', message: 'is wrong' }] });
        }
      }
      if (await verifyPassword(user.password_hash, input.newPassword)) {
        throw new AppError('weak_password', 'Choose a password different from the current one', { errors: [{ path: '/newPassword', message: 'is the current password' }] });
      }
      const next = principal.stage === 'active'
        ? 'active'
        : stageAfterSecondFactor({ mustChangePassword: false, mfaEnabled: user.mfa_enabled_at !== null, mfaRequired: mfaRequired(user.role, await tenantRequiresMfaForAll(tx, user.tenant_id)) });
      await repo.updateUser(tx, user.id, { password_hash: newHash, must_change_password: false, ...(next === 'active' && principal.stage !== 'active' ? { last_login_at: now } : {}) });
      await repo.revokeUserSessions(tx, user.id, now, principal.sessionId);
      await repo.setSessionStage(tx, principal.sessionId, next, now);
      await recordAudit(tx, context, { tenantId: user.tenant_id, action: 'auth.password_changed', target: userTarget(user), at: now });
      return next;
    });
    return this.sessionView({ ...principal, stage });
  }

  /** Starts TOTP enrolment: a fresh secret, kept sealed until a code proves the app has it. */
  async startMfaEnrolment(principal: SessionPrincipal, context: RequestContext): Promise<{ secret: string; otpauthUrl: string; qrCodeDataUrl: string }> {
    requireStage(principal, ['mfa_enrol', 'active']);
    const secret = generateTotpSecret();
    await withUserScope(this.db, scopeOf(principal), async (tx) => {
      const user = await repo.findUserForUpdate(tx, principal.userId);
      if (!user) throw new AppError('unauthenticated', 'Session ended');
      if (user.mfa_enabled_at) throw new AppError('invalid_state', 'MFA is already enabled; an administrator can reset it');
      await repo.updateUser(tx, user.id, { mfa_pending_secret: this.keyring.encrypt(MFA_SECRET_PURPOSE, secret) });
      await recordAudit(tx, context, { tenantId: user.tenant_id, action: 'auth.mfa_enrolment_started', target: userTarget(user), at: this.clock.now() });
    });
    const otpauthUrl = totpUri(principal.email, secret);
    return { secret, otpauthUrl, qrCodeDataUrl: await qrCodeDataUrl(otpauthUrl) };
  }

  async confirmMfaEnrolment(principal: SessionPrincipal, code: string, context: RequestContext): Promise<{ recoveryCodes: string[]; session: SessionView }> {
    requireStage(principal, ['mfa_enrol', 'active']);
    const now = this.clock.now();
    const recoveryCodes = generateRecoveryCodes();
    const outcome = await withUserScope(this.db, scopeOf(principal), async (tx) => {
      const user = await repo.findUserForUpdate(tx, principal.userId);
      if (!user?.mfa_pending_secret) return { error: new AppError('invalid_state', 'Start the enrolment first') };
      const step = matchTotp(this.keyring.decrypt(MFA_SECRET_PURPOSE, user.mfa_pending_secret), code.trim(), now);
      if (step === null) return { error: new AppError('invalid_mfa_code', 'The code does not match; check the time of your phone and try the next code') };
      await repo.updateUser(tx, user.id, {
        mfa_secret: user.mfa_pending_secret,
        mfa_pending_secret: null,
        mfa_enabled_at: now,
        mfa_last_step: step,
        recovery_codes: recoveryCodes.map((c) => this.#recoveryHash(c)),
        ...(principal.stage === 'mfa_enrol' ? { last_login_at: now } : {}),
      });
      await repo.setSessionStage(tx, principal.sessionId, 'active', now);
      await recordAudit(tx, context, { tenantId: user.tenant_id, action: 'auth.mfa_enrolled', target: userTarget(user), at: now });
      return { ok: true };
    });
    if ('error' in outcome) throw outcome.error;
    return { recoveryCodes, session: this.sessionView({ ...principal, stage: 'active', mfaEnabled: true }) };
  }

  async logout(principal: SessionPrincipal, context: RequestContext): Promise<void> {
    const now = this.clock.now();
    await withUserScope(this.db, scopeOf(principal), async (tx) => {
      await repo.revokeSession(tx, principal.sessionId, now);
      await recordAudit(tx, context, { tenantId: principal.tenant?.id ?? null, action: 'auth.logout', target: { type: 'user', id: principal.userId }, at: now });
    });
  }

  sessionView(principal: SessionPrincipal | undefined | null): SessionView {
    if (!principal) return { authenticated: false };
    return {
      authenticated: true,
      stage: principal.stage,
      csrfToken: principal.csrfToken,
      user: {
        id: principal.userId,
        email: principal.email,
        name: principal.name,
        role: principal.role,
        tenantId: principal.tenant?.id ?? null,
        tenantName: principal.tenant?.name ?? null,
        locale: principal.locale,
        mfaEnabled: principal.mfaEnabled,
        operator: principal.kind === 'operator',
      },
    };
  }

  #recoveryHash(code: string): string {
    return this.keyring.hmac(RECOVERY_PURPOSE, normaliseRecoveryCode(code)).toString('base64url');
  }

  /** Records use (last_used_at, last_seen_at) at most once a minute, off the request's path. */
  #touch(key: string, last: Date | null, now: Date, write: () => Promise<unknown>): void {
    const previous = Math.max(last?.getTime() ?? 0, this.#recentTouches.get(key) ?? 0);
    if (now.getTime() - previous < TOUCH_INTERVAL_MS) return;
    this.#recentTouches.set(key, now.getTime());
    if (this.#recentTouches.size > 100_000) this.#recentTouches.clear();
    write().catch(this.onBackgroundError);
  }
}

async function tenantRequiresMfaForAll(tx: Tx, tenantId: string | null): Promise<boolean> {
  if (!tenantId) return true;
  const row = await tx
    .selectFrom('tenants')
    .select(sql<boolean>`coalesce((settings ->> 'mfaRequiredForAll')::boolean, false)`.as('required'))
    .where('id', '=', tenantId)
    .executeTakeFirst();
  return row?.required ?? false;
}

function requireStage(principal: SessionPrincipal, stages: LoginStage[]): void {
  if (!stages.includes(principal.stage)) {
    throw new AppError('invalid_state', `This step is not expected now (current step: ${principal.stage})`, { extensions: { stage: principal.stage } });
  }
}

const scopeOf = (principal: SessionPrincipal) => ({ tenantId: principal.tenant?.id ?? null, userId: principal.userId });
const userTarget = (user: repo.UserRow) => ({ type: 'user', id: user.id });
const actorFor = (user: repo.UserRow) => ({ type: user.tenant_id ? ('user' as const) : ('operator' as const), id: user.id, label: user.email });
const invalidApiKey = () => new AppError('invalid_api_key', 'The API key is invalid, revoked or expired');
const invalidCredentials = () => new AppError('invalid_credentials', 'Wrong email or password');
const accountLocked = (until: Date) =>
  new AppError('account_locked', `Too many failed attempts; try again after ${until.toISOString()}`, { extensions: { lockedUntil: until.toISOString() } });
