import { describe, expect, it } from 'vitest';
import {
  API_KEY_SCOPES,
  afterFailedLogin,
  canAssignRole,
  formatApiKey,
  invalidScopes,
  ipAllowed,
  isLocked,
  isOperatorRole,
  isTenantRole,
  LOCKOUT_MINUTES,
  LOCKOUT_THRESHOLD,
  mfaRequired,
  normaliseCidr,
  OPERATOR_PERMISSIONS,
  OPERATOR_ROLES,
  PASSWORD_MIN_LENGTH,
  PENDING_SESSION_MINUTES,
  parseApiKey,
  passwordProblem,
  ROLE_PERMISSIONS,
  roleCan,
  SESSION_IDLE_MINUTES,
  SESSION_MAX_HOURS,
  scopesCan,
  scopesGranting,
  sessionExpired,
  sessionMaxExpiry,
  stageAfterPassword,
  stageAfterSecondFactor,
  TENANT_PERMISSIONS,
  TENANT_ROLES,
  type TenantPermission,
  type TenantRole,
} from './rules.ts';

const NOW = new Date('2026-03-10T10:00:00Z');
const MINUTE = 60_000;
const at = (offsetMs: number): Date => new Date(NOW.getTime() + offsetMs);

describe('roles and permissions (R-IAM)', () => {
  it('lists the five tenant roles and four operator roles', () => {
    expect([...TENANT_ROLES]).toEqual(['owner', 'admin', 'marketer', 'agent', 'viewer']);
    expect([...OPERATOR_ROLES]).toEqual(['sofy_admin', 'sofy_billing', 'sofy_support', 'sofy_security']);
  });

  it('recognises tenant and operator roles and nothing else', () => {
    for (const role of TENANT_ROLES) {
      expect(isTenantRole(role)).toBe(true);
      expect(isOperatorRole(role)).toBe(false);
    }
    for (const role of OPERATOR_ROLES) {
      expect(isOperatorRole(role)).toBe(true);
      expect(isTenantRole(role)).toBe(false);
    }
    for (const role of ['', 'Owner', 'OWNER', 'root', 'sofy', 'sofy_admin ', 'superadmin']) {
      expect(isTenantRole(role)).toBe(false);
      expect(isOperatorRole(role)).toBe(false);
    }
  });

  it('gives the owner every tenant permission', () => {
    for (const permission of TENANT_PERMISSIONS) expect(roleCan('owner', permission)).toBe(true);
  });

  it('gives the admin every tenant permission except managing owners', () => {
    for (const permission of TENANT_PERMISSIONS) {
      expect(roleCan('admin', permission)).toBe(permission !== 'owners:manage');
    }
  });

  it('R-CONFID: only owner and admin may read negotiated tariffs', () => {
    const allowed = [...TENANT_ROLES, ...OPERATOR_ROLES].filter((role) => roleCan(role, 'tariffs:read'));
    expect(allowed).toEqual(['owner', 'admin']);
  });

  it('gives the marketer exactly the campaign and messaging permissions', () => {
    const expected: TenantPermission[] = [
      'tenant:read',
      'messages:send:marketing',
      'messages:send:alert',
      'messages:read',
      'contacts:read',
      'contacts:write',
      'campaigns:write',
      'presence:write',
      'reviews:reply',
      'inbox:reply',
    ];
    expect([...ROLE_PERMISSIONS.marketer].sort()).toEqual([...expected].sort());
    for (const permission of TENANT_PERMISSIONS) expect(roleCan('marketer', permission)).toBe(expected.includes(permission));
  });

  it('gives the agent only reading and replying', () => {
    const expected: TenantPermission[] = ['tenant:read', 'messages:read', 'contacts:read', 'inbox:reply', 'reviews:reply'];
    for (const permission of TENANT_PERMISSIONS) expect(roleCan('agent', permission)).toBe(expected.includes(permission));
  });

  it('gives the viewer only reading', () => {
    const expected: TenantPermission[] = ['tenant:read', 'messages:read', 'contacts:read'];
    for (const permission of TENANT_PERMISSIONS) expect(roleCan('viewer', permission)).toBe(expected.includes(permission));
  });

  it('never lets a non-owner manage users, settings, keys or audit unless owner/admin', () => {
    for (const role of ['marketer', 'agent', 'viewer'] as const) {
      for (const permission of ['settings:manage', 'users:read', 'users:manage', 'owners:manage', 'apikeys:read', 'apikeys:manage', 'audit:read', 'billing:read'] as const) {
        expect(roleCan(role, permission)).toBe(false);
      }
    }
  });

  it('nobody below admin approves campaigns', () => {
    expect(roleCan('owner', 'campaigns:approve')).toBe(true);
    expect(roleCan('admin', 'campaigns:approve')).toBe(true);
    expect(roleCan('marketer', 'campaigns:approve')).toBe(false);
  });

  it('keeps tenant and operator permissions apart', () => {
    for (const role of TENANT_ROLES) {
      for (const permission of OPERATOR_PERMISSIONS) expect(roleCan(role, permission)).toBe(false);
    }
    for (const role of OPERATOR_ROLES) {
      for (const permission of TENANT_PERMISSIONS) expect(roleCan(role, permission)).toBe(false);
    }
  });

  it('maps operator roles to their permissions', () => {
    for (const permission of OPERATOR_PERMISSIONS) expect(roleCan('sofy_admin', permission)).toBe(true);

    const table: Record<string, string[]> = {
      sofy_billing: ['tenants:read', 'tenants:open', 'tenants:suspend', 'billing:manage'],
      sofy_support: ['tenants:read', 'tenants:open'],
      sofy_security: ['tenants:read', 'tenants:open', 'tenants:suspend', 'fraud:manage'],
    };
    for (const [role, expected] of Object.entries(table)) {
      for (const permission of OPERATOR_PERMISSIONS) expect(roleCan(role, permission), `${role} ${permission}`).toBe(expected.includes(permission));
    }
  });

  it('only sofy_admin creates tenants and manages operators', () => {
    const creators = OPERATOR_ROLES.filter((role) => roleCan(role, 'tenants:create'));
    const managers = OPERATOR_ROLES.filter((role) => roleCan(role, 'operators:manage'));
    expect(creators).toEqual(['sofy_admin']);
    expect(managers).toEqual(['sofy_admin']);
  });

  it('denies everything to an unknown role', () => {
    for (const permission of [...TENANT_PERMISSIONS, ...OPERATOR_PERMISSIONS]) {
      expect(roleCan('ghost', permission)).toBe(false);
      expect(roleCan('', permission)).toBe(false);
    }
  });
});

describe('API key scopes (R-APIKEY)', () => {
  it('lists the seven scopes', () => {
    expect([...API_KEY_SCOPES]).toEqual(['messages:marketing', 'messages:alert', 'messages:read', 'contacts:read', 'contacts:write', 'campaigns:write', 'admin']);
  });

  it('maps each sending scope to its own route only', () => {
    expect(scopesCan(['messages:marketing'], 'messages:send:marketing')).toBe(true);
    expect(scopesCan(['messages:marketing'], 'messages:send:alert')).toBe(false);
    expect(scopesCan(['messages:alert'], 'messages:send:alert')).toBe(true);
    expect(scopesCan(['messages:alert'], 'messages:send:marketing')).toBe(false);
    expect(scopesCan(['messages:marketing', 'messages:alert'], 'messages:read')).toBe(false);
  });

  it('contacts:write implies contacts:read, not the other way round', () => {
    expect(scopesCan(['contacts:write'], 'contacts:read')).toBe(true);
    expect(scopesCan(['contacts:write'], 'contacts:write')).toBe(true);
    expect(scopesCan(['contacts:read'], 'contacts:read')).toBe(true);
    expect(scopesCan(['contacts:read'], 'contacts:write')).toBe(false);
  });

  it('the admin scope grants tenant administration but not sending nor reading messages', () => {
    const admin = ['admin'];
    for (const permission of ['tenant:read', 'settings:manage', 'users:read', 'users:manage', 'apikeys:read', 'apikeys:manage', 'audit:read'] as const) {
      expect(scopesCan(admin, permission)).toBe(true);
    }
    for (const permission of [
      'messages:send:marketing',
      'messages:send:alert',
      'messages:read',
      'contacts:read',
      'contacts:write',
      'campaigns:write',
      'owners:manage',
      'tariffs:read',
      'billing:read',
    ] as const) {
      expect(scopesCan(admin, permission), permission).toBe(false);
    }
  });

  it('no scope grants owner management, tariffs, billing or operator permissions', () => {
    const all = [...API_KEY_SCOPES];
    for (const permission of ['owners:manage', 'tariffs:read', 'billing:read', 'campaigns:approve', ...OPERATOR_PERMISSIONS] as const) {
      expect(scopesCan(all, permission), permission).toBe(false);
    }
  });

  it('an empty or unknown scope list grants nothing', () => {
    expect(scopesCan([], 'messages:read')).toBe(false);
    expect(scopesCan(['messages:all', 'ADMIN', '*'], 'messages:read')).toBe(false);
    expect(scopesCan(['bogus'], 'tenant:read')).toBe(false);
  });

  it('combines scopes', () => {
    expect(scopesCan(['bogus', 'messages:read'], 'messages:read')).toBe(true);
    expect(scopesCan(['campaigns:write', 'admin'], 'campaigns:write')).toBe(true);
  });

  it('names the scopes granting a permission', () => {
    expect(scopesGranting('contacts:read')).toEqual(['contacts:read', 'contacts:write']);
    expect(scopesGranting('messages:send:marketing')).toEqual(['messages:marketing']);
    expect(scopesGranting('messages:send:alert')).toEqual(['messages:alert']);
    expect(scopesGranting('users:manage')).toEqual(['admin']);
    expect(scopesGranting('tariffs:read')).toEqual([]);
    expect(scopesGranting('tenants:create')).toEqual([]);
  });

  it('reports unknown scopes in order, keeping duplicates', () => {
    expect(invalidScopes([...API_KEY_SCOPES])).toEqual([]);
    expect(invalidScopes(['messages:read', 'Messages:Read', 'admin ', 'x', 'x'])).toEqual(['Messages:Read', 'admin ', 'x', 'x']);
    expect(invalidScopes([])).toEqual([]);
  });
});

describe('mfaRequired (R-IAM)', () => {
  it('is mandatory for owners, admins and every operator whatever the tenant says', () => {
    for (const role of ['owner', 'admin', ...OPERATOR_ROLES]) {
      expect(mfaRequired(role, false), role).toBe(true);
      expect(mfaRequired(role, true), role).toBe(true);
    }
  });

  it('is optional for marketers, agents and viewers unless the tenant requires it for all', () => {
    for (const role of ['marketer', 'agent', 'viewer']) {
      expect(mfaRequired(role, false), role).toBe(false);
      expect(mfaRequired(role, true), role).toBe(true);
    }
  });
});

describe('canAssignRole', () => {
  const targets: Array<TenantRole | null> = [null, ...TENANT_ROLES];

  it('lets an owner give and take any role, owners included', () => {
    for (const target of targets) {
      for (const role of TENANT_ROLES) expect(canAssignRole('owner', target, role)).toBe(true);
    }
  });

  it('lets an admin manage everyone but owners, and never make an owner', () => {
    for (const target of targets) {
      for (const role of TENANT_ROLES) {
        const expected = target !== 'owner' && role !== 'owner';
        expect(canAssignRole('admin', target, role), `${target} -> ${role}`).toBe(expected);
      }
    }
  });

  it('spot checks of the admin matrix', () => {
    expect(canAssignRole('admin', null, 'admin')).toBe(true);
    expect(canAssignRole('admin', 'viewer', 'admin')).toBe(true);
    expect(canAssignRole('admin', 'admin', 'viewer')).toBe(true);
    expect(canAssignRole('admin', null, 'owner')).toBe(false);
    expect(canAssignRole('admin', 'admin', 'owner')).toBe(false);
    expect(canAssignRole('admin', 'owner', 'owner')).toBe(false);
    expect(canAssignRole('admin', 'owner', 'viewer')).toBe(false);
  });

  it('refuses every other actor, operators included', () => {
    for (const actor of ['marketer', 'agent', 'viewer', ...OPERATOR_ROLES, 'ghost', '']) {
      for (const target of targets) {
        for (const role of TENANT_ROLES) expect(canAssignRole(actor, target, role), `${actor} ${target} ${role}`).toBe(false);
      }
    }
  });
});

describe('passwordProblem', () => {
  const email = 'jean.dupont@example.fr';

  it('requires at least 12 characters', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(passwordProblem('Tr0ub4dor&3', email)).toBe('must be at least 12 characters');
    expect(passwordProblem('Tr0ub4dor&3x', email)).toBeNull();
    expect(passwordProblem('', email)).toBe('must be at least 12 characters');
  });

  it('accepts up to 256 characters and refuses 257', () => {
    const base = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const long256 = base.repeat(8).slice(0, 256);
    expect(long256).toHaveLength(256);
    expect(passwordProblem(long256, email)).toBeNull();
    expect(passwordProblem(`${long256}!`, email)).toBe('must be at most 256 characters');
  });

  it('refuses a password containing the email local part, whatever the case', () => {
    expect(passwordProblem('MyJean.Dupont2026!', email)).toBe('must not contain your email address');
    expect(passwordProblem('xxJEAN.DUPONTxx', email)).toBe('must not contain your email address');
    expect(passwordProblem('jean.dupont-rocks', 'Jean.Dupont@Example.FR')).toBe('must not contain your email address');
  });

  it('does not refuse a password containing only part of the local part', () => {
    expect(passwordProblem('jean.dupon-rocks', email)).toBeNull();
  });

  it('checks the local part only from 4 characters', () => {
    expect(passwordProblem('bob-is-the-best', 'bob@example.fr')).toBeNull();
    expect(passwordProblem('anna-is-the-best', 'anna@example.fr')).toBe('must not contain your email address');
  });

  it('ignores the domain of the email', () => {
    expect(passwordProblem('example.fr-is-great', 'zoe@example.fr')).toBeNull();
  });

  it('copes with an empty or @-less email', () => {
    expect(passwordProblem('Tr0ub4dor&3x', '')).toBeNull();
    expect(passwordProblem('prefix-nobody-suffix', 'nobody')).toBe('must not contain your email address');
  });

  it('refuses repetitive passwords (fewer than 4 distinct characters, case-insensitive)', () => {
    expect(passwordProblem('aaaaaaaaaaaa', email)).toBe('is too repetitive');
    expect(passwordProblem('abcabcabcabc', email)).toBe('is too repetitive');
    expect(passwordProblem('aAbBcCaAbBcC', email)).toBe('is too repetitive');
    expect(passwordProblem('abcdabcdabcd', email)).toBeNull();
  });

  it('refuses common passwords, whatever the case', () => {
    for (const common of ['motdepasse123', 'MotDePasse123', 'Password1234', 'AZERTYUIOP12', '123456789012', 'qwertyuiop12', 'SofySofySofy']) {
      expect(passwordProblem(common, email), common).toBe('is too common');
    }
  });

  it('checks length before anything else', () => {
    expect(passwordProblem('aaaa', email)).toBe('must be at least 12 characters');
    expect(passwordProblem('jean.dupont', email)).toBe('must be at least 12 characters');
  });

  it('checks the email before repetitiveness and commonness', () => {
    expect(passwordProblem('aaaaaaaaaaaa', 'aaaa@example.fr')).toBe('must not contain your email address');
    expect(passwordProblem('password1234', 'password@example.fr')).toBe('must not contain your email address');
  });

  // BUG (rules.ts, passwordProblem): lengths are counted in UTF-16 code units, not characters.
  // NIST 800-63B (which the function claims to follow) counts each Unicode code point as one
  // character, so six emoji (12 code units) pass the "at least 12 characters" rule.
  it('counts characters, not UTF-16 code units (NIST 800-63B)', () => {
    const sixEmoji = '😀😁😂🤣😃😄';
    expect([...sixEmoji]).toHaveLength(6);
    expect(passwordProblem(sixEmoji, email)).toBe('must be at least 12 characters');
  });

  it('accepts 12 accented letters as 12 characters', () => {
    expect(passwordProblem('éèêëàâäîïôöû', email)).toBeNull();
  });
});

describe('afterFailedLogin and isLocked', () => {
  it('uses a threshold of 5 failures and 15 minutes', () => {
    expect(LOCKOUT_THRESHOLD).toBe(5);
    expect(LOCKOUT_MINUTES).toBe(15);
  });

  it('counts failures without locking before the 5th', () => {
    for (const before of [0, 1, 2, 3]) {
      expect(afterFailedLogin(before, NOW)).toEqual({ failedLogins: before + 1, lockedUntil: null });
    }
  });

  it('locks for exactly 15 minutes at the 5th failure', () => {
    expect(afterFailedLogin(4, NOW)).toEqual({ failedLogins: 5, lockedUntil: new Date('2026-03-10T10:15:00Z') });
  });

  it('locks again at every 5th failure, and only then', () => {
    for (let before = 5; before < 30; before++) {
      const result = afterFailedLogin(before, NOW);
      expect(result.failedLogins).toBe(before + 1);
      if ((before + 1) % 5 === 0) expect(result.lockedUntil).toEqual(new Date('2026-03-10T10:15:00Z'));
      else expect(result.lockedUntil).toBeNull();
    }
  });

  it('does not mutate now', () => {
    const now = new Date(NOW);
    afterFailedLogin(4, now);
    expect(now).toEqual(NOW);
  });

  it('isLocked is true strictly before lockedUntil', () => {
    expect(isLocked(null, NOW)).toBe(false);
    expect(isLocked(at(1), NOW)).toBe(true);
    expect(isLocked(at(15 * MINUTE), NOW)).toBe(true);
    expect(isLocked(NOW, NOW)).toBe(false);
    expect(isLocked(new Date(NOW), NOW)).toBe(false);
    expect(isLocked(at(-1), NOW)).toBe(false);
  });

  it('a lock from the 5th failure ends 15 minutes later', () => {
    const { lockedUntil } = afterFailedLogin(4, NOW);
    expect(isLocked(lockedUntil, at(15 * MINUTE - 1))).toBe(true);
    expect(isLocked(lockedUntil, at(15 * MINUTE))).toBe(false);
  });
});

describe('login stages', () => {
  const combos = [false, true].flatMap((mustChangePassword) =>
    [false, true].flatMap((mfaEnabled) => [false, true].map((mfaRequired) => ({ mustChangePassword, mfaEnabled, mfaRequired }))),
  );

  it('covers the eight combinations', () => {
    expect(combos).toHaveLength(8);
  });

  it.each([
    [{ mustChangePassword: false, mfaEnabled: false, mfaRequired: false }, 'active'],
    [{ mustChangePassword: false, mfaEnabled: false, mfaRequired: true }, 'mfa_enrol'],
    [{ mustChangePassword: false, mfaEnabled: true, mfaRequired: false }, 'active'],
    [{ mustChangePassword: false, mfaEnabled: true, mfaRequired: true }, 'active'],
    [{ mustChangePassword: true, mfaEnabled: false, mfaRequired: false }, 'password_change'],
    [{ mustChangePassword: true, mfaEnabled: false, mfaRequired: true }, 'password_change'],
    [{ mustChangePassword: true, mfaEnabled: true, mfaRequired: false }, 'password_change'],
    [{ mustChangePassword: true, mfaEnabled: true, mfaRequired: true }, 'password_change'],
  ] as const)('stageAfterSecondFactor(%o) is %s', (user, expected) => {
    expect(stageAfterSecondFactor(user)).toBe(expected);
  });

  it.each([
    [{ mustChangePassword: false, mfaEnabled: false, mfaRequired: false }, 'active'],
    [{ mustChangePassword: false, mfaEnabled: false, mfaRequired: true }, 'mfa_enrol'],
    [{ mustChangePassword: false, mfaEnabled: true, mfaRequired: false }, 'mfa_verify'],
    [{ mustChangePassword: false, mfaEnabled: true, mfaRequired: true }, 'mfa_verify'],
    [{ mustChangePassword: true, mfaEnabled: false, mfaRequired: false }, 'password_change'],
    [{ mustChangePassword: true, mfaEnabled: false, mfaRequired: true }, 'password_change'],
    [{ mustChangePassword: true, mfaEnabled: true, mfaRequired: false }, 'mfa_verify'],
    [{ mustChangePassword: true, mfaEnabled: true, mfaRequired: true }, 'mfa_verify'],
  ] as const)('stageAfterPassword(%o) is %s', (user, expected) => {
    expect(stageAfterPassword(user)).toBe(expected);
  });

  it('an enrolled user always verifies the code first and is never sent to enrolment again', () => {
    for (const user of combos) {
      if (user.mfaEnabled) {
        expect(stageAfterPassword(user)).toBe('mfa_verify');
        expect(stageAfterSecondFactor(user)).not.toBe('mfa_enrol');
      } else {
        expect(stageAfterPassword(user)).toBe(stageAfterSecondFactor(user));
      }
      expect(stageAfterSecondFactor(user)).not.toBe('mfa_verify');
    }
  });

  it('a password change comes before MFA enrolment', () => {
    expect(stageAfterSecondFactor({ mustChangePassword: true, mfaEnabled: false, mfaRequired: true })).toBe('password_change');
    expect(stageAfterSecondFactor({ mustChangePassword: false, mfaEnabled: false, mfaRequired: true })).toBe('mfa_enrol');
  });
});

describe('sessionExpired and sessionMaxExpiry', () => {
  const farFuture = at(10 * 3_600_000);

  it('uses 120 idle minutes, 12 hours maximum and 15 pending minutes', () => {
    expect(SESSION_IDLE_MINUTES).toBe(120);
    expect(SESSION_MAX_HOURS).toBe(12);
    expect(PENDING_SESSION_MINUTES).toBe(15);
  });

  it('sessionMaxExpiry is 12 hours after creation', () => {
    expect(sessionMaxExpiry(NOW)).toEqual(new Date('2026-03-10T22:00:00Z'));
  });

  it('expires at the absolute expiry, inclusive, even when just seen', () => {
    for (const stage of ['active', 'mfa_verify', 'password_change', 'mfa_enrol'] as const) {
      expect(sessionExpired({ expiresAt: NOW, lastSeenAt: NOW, stage }, NOW), stage).toBe(true);
      expect(sessionExpired({ expiresAt: at(-1), lastSeenAt: NOW, stage }, NOW), stage).toBe(true);
      expect(sessionExpired({ expiresAt: at(1), lastSeenAt: NOW, stage }, NOW), stage).toBe(false);
    }
  });

  it('an active session survives exactly 120 idle minutes and expires one millisecond later', () => {
    expect(sessionExpired({ expiresAt: farFuture, lastSeenAt: at(-120 * MINUTE), stage: 'active' }, NOW)).toBe(false);
    expect(sessionExpired({ expiresAt: farFuture, lastSeenAt: at(-120 * MINUTE - 1), stage: 'active' }, NOW)).toBe(true);
    expect(sessionExpired({ expiresAt: farFuture, lastSeenAt: at(-16 * MINUTE), stage: 'active' }, NOW)).toBe(false);
  });

  it('a session in a pending login step expires after 15 idle minutes', () => {
    for (const stage of ['mfa_verify', 'password_change', 'mfa_enrol'] as const) {
      expect(sessionExpired({ expiresAt: farFuture, lastSeenAt: at(-15 * MINUTE), stage }, NOW), stage).toBe(false);
      expect(sessionExpired({ expiresAt: farFuture, lastSeenAt: at(-15 * MINUTE - 1), stage }, NOW), stage).toBe(true);
      expect(sessionExpired({ expiresAt: farFuture, lastSeenAt: at(-60 * MINUTE), stage }, NOW), stage).toBe(true);
    }
  });

  it('a session created now is alive until its 12-hour maximum if used regularly', () => {
    const expiresAt = sessionMaxExpiry(NOW);
    const later = at(12 * 3_600_000 - 1);
    expect(sessionExpired({ expiresAt, lastSeenAt: at(12 * 3_600_000 - 10 * MINUTE), stage: 'active' }, later)).toBe(false);
    expect(sessionExpired({ expiresAt, lastSeenAt: later, stage: 'active' }, at(12 * 3_600_000))).toBe(true);
  });
});

describe('parseApiKey and formatApiKey', () => {
  const secret = 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zAbCdEfGhI';
  const key = `sofy_abcdefgh_${secret}`;

  it('accepts the exact format and returns the prefix', () => {
    expect(secret).toHaveLength(40);
    expect(parseApiKey(key)).toEqual({ prefix: 'sofy_abcdefgh' });
    expect(parseApiKey(`sofy_a2b3c4d5_${'Z'.repeat(40)}`)).toEqual({ prefix: 'sofy_a2b3c4d5' });
    expect(parseApiKey(`sofy_77777777_${'0'.repeat(40)}`)).toEqual({ prefix: 'sofy_77777777' });
  });

  it('ignores surrounding whitespace', () => {
    expect(parseApiKey(`  ${key}\n`)).toEqual({ prefix: 'sofy_abcdefgh' });
    expect(parseApiKey(`\t${key}`)).toEqual({ prefix: 'sofy_abcdefgh' });
  });

  it('round-trips formatApiKey', () => {
    expect(formatApiKey('zyxwvuts', secret)).toBe(`sofy_zyxwvuts_${secret}`);
    expect(parseApiKey(formatApiKey('zyxwvuts', secret))).toEqual({ prefix: 'sofy_zyxwvuts' });
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '   '],
    ['prefix only', 'sofy_abcdefgh'],
    ['prefix and underscore', 'sofy_abcdefgh_'],
    ['uppercase marker', `SOFY_abcdefgh_${secret}`],
    ['other marker', `sofx_abcdefgh_${secret}`],
    ['no marker', `abcdefgh_${secret}`],
    ['uppercase in prefix', `sofy_ABCDEFGH_${secret}`],
    ['digit 0 in prefix (not base32)', `sofy_abcdefg0_${secret}`],
    ['digit 1 in prefix (not base32)', `sofy_abcdefg1_${secret}`],
    ['digit 8 in prefix (not base32)', `sofy_abcdefg8_${secret}`],
    ['digit 9 in prefix (not base32)', `sofy_abcdefg9_${secret}`],
    ['7-character prefix', `sofy_abcdefg_${secret}`],
    ['9-character prefix', `sofy_abcdefghi_${secret}`],
    ['39-character secret', `sofy_abcdefgh_${secret.slice(1)}`],
    ['41-character secret', `sofy_abcdefgh_${secret}x`],
    ['dash in secret', `sofy_abcdefgh_${secret.slice(1)}-`],
    ['underscore in secret', `sofy_abcdefgh_${secret.slice(1)}_`],
    ['accented letter in secret', `sofy_abcdefgh_${secret.slice(1)}é`],
    ['dash instead of underscore', `sofy-abcdefgh-${secret}`],
    ['double underscore', `sofy_abcdefgh__${secret.slice(1)}`],
    ['leading junk', `x${key}`],
    ['trailing junk', `${key} x`],
    ['inner space', `sofy_abcdefgh_ ${secret}`],
    ['line break inside', `sofy_abcdefgh_${secret.slice(0, 20)}\n${secret.slice(20)}`],
    ['two keys', `${key}\n${key}`],
    ['bearer prefix', `Bearer ${key}`],
  ])('rejects %s', (_label, text) => {
    expect(parseApiKey(text)).toBeNull();
  });
});

describe('normaliseCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.0.0.0/08', '10.0.0.0/8'],
    ['  192.168.1.0/24  ', '192.168.1.0/24'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['::1', '::1/128'],
    ['2001:db8::/128', '2001:db8::/128'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4/128'],
  ])('normalises %s to %s', (entry, expected) => {
    expect(normaliseCidr(entry)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['hostname', 'example.fr'],
    ['incomplete IPv4', '10.0.0'],
    ['IPv4 octet out of range', '256.0.0.1'],
    ['IPv4 prefix 33', '10.0.0.0/33'],
    ['IPv6 prefix 129', '2001:db8::/129'],
    ['negative prefix', '10.0.0.0/-1'],
    ['empty prefix', '10.0.0.0/'],
    ['signed prefix', '10.0.0.0/+8'],
    ['fractional prefix', '10.0.0.0/8.0'],
    ['exponent prefix', '10.0.0.0/1e1'],
    ['hex prefix', '10.0.0.0/0x8'],
    ['spaced prefix', '10.0.0.0/ 8'],
    ['non-numeric prefix', '10.0.0.0/abc'],
    ['two slashes', '10.0.0.0/8/8'],
    ['prefix only', '/24'],
    ['malformed IPv6', '2001:db8:::1'],
    ['IPv4 with port', '10.0.0.1:80'],
  ])('rejects %s', (_label, entry) => {
    expect(normaliseCidr(entry)).toBeNull();
  });
});

describe('ipAllowed', () => {
  it('allows every address when the list is empty', () => {
    expect(ipAllowed([], '203.0.113.7')).toBe(true);
    expect(ipAllowed([], '2001:db8::1')).toBe(true);
    expect(ipAllowed([], 'not-an-ip')).toBe(true);
  });

  it('refuses a caller whose address is not an IP when a list is set', () => {
    expect(ipAllowed(['0.0.0.0/0'], 'not-an-ip')).toBe(false);
    expect(ipAllowed(['0.0.0.0/0'], '')).toBe(false);
  });

  it('matches a single IPv4 address', () => {
    expect(ipAllowed(['203.0.113.7/32'], '203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.7/32'], '203.0.113.8')).toBe(false);
  });

  it('accepts an entry without prefix as a single address', () => {
    expect(ipAllowed(['203.0.113.7'], '203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.7'], '203.0.113.6')).toBe(false);
    expect(ipAllowed(['2001:db8::1'], '2001:db8::1')).toBe(true);
    expect(ipAllowed(['2001:db8::1'], '2001:db8::2')).toBe(false);
  });

  it('checks IPv4 ranges at their edges', () => {
    const list = ['192.168.10.0/24'];
    expect(ipAllowed(list, '192.168.10.0')).toBe(true);
    expect(ipAllowed(list, '192.168.10.255')).toBe(true);
    expect(ipAllowed(list, '192.168.9.255')).toBe(false);
    expect(ipAllowed(list, '192.168.11.0')).toBe(false);
  });

  it('checks every range in the list', () => {
    const list = ['10.0.0.0/8', '203.0.113.7/32', '2001:db8::/32'];
    expect(ipAllowed(list, '10.200.3.4')).toBe(true);
    expect(ipAllowed(list, '203.0.113.7')).toBe(true);
    expect(ipAllowed(list, '2001:db8:ffff::1')).toBe(true);
    expect(ipAllowed(list, '11.0.0.1')).toBe(false);
    expect(ipAllowed(list, '2001:db9::1')).toBe(false);
  });

  it('0.0.0.0/0 allows every IPv4 address', () => {
    expect(ipAllowed(['0.0.0.0/0'], '1.2.3.4')).toBe(true);
    expect(ipAllowed(['0.0.0.0/0'], '255.255.255.255')).toBe(true);
  });

  it('matches IPv4-mapped IPv6 callers against IPv4 ranges', () => {
    expect(ipAllowed(['1.2.3.0/24'], '::ffff:1.2.3.4')).toBe(true);
    expect(ipAllowed(['1.2.3.0/24'], '::FFFF:1.2.3.4')).toBe(true);
    expect(ipAllowed(['1.2.3.4/32'], '::ffff:1.2.3.4')).toBe(true);
    expect(ipAllowed(['1.2.3.0/24'], '::ffff:1.2.4.4')).toBe(false);
    expect(ipAllowed(['1.2.3.4/32'], '::ffff:1.2.3.5')).toBe(false);
  });

  it('checks IPv6 ranges', () => {
    expect(ipAllowed(['2001:db8::/32'], '2001:db8::1')).toBe(true);
    expect(ipAllowed(['2001:db8::/32'], '2001:0db8:abcd:0012::1')).toBe(true);
    expect(ipAllowed(['2001:db8::/32'], '2001:db9::1')).toBe(false);
    expect(ipAllowed(['2001:db8:abcd::/48'], '2001:db8:abcd:ffff::1')).toBe(true);
    expect(ipAllowed(['2001:db8:abcd::/48'], '2001:db8:abce::1')).toBe(false);
  });

  it('does not match an IPv4 caller against an IPv6-only list, nor the reverse', () => {
    expect(ipAllowed(['2001:db8::/32'], '1.2.3.4')).toBe(false);
    expect(ipAllowed(['1.2.3.0/24'], '2001:db8::1')).toBe(false);
    expect(ipAllowed(['0.0.0.0/0'], '2001:db8::1')).toBe(false);
  });

  it('accepts entries produced by normaliseCidr', () => {
    const entries = ['203.0.113.7', '2001:db8::/32', '10.0.0.0/08'].map((entry) => normaliseCidr(entry));
    const list = entries.filter((entry): entry is string => entry !== null);
    expect(list).toHaveLength(3);
    expect(ipAllowed(list, '203.0.113.7')).toBe(true);
    expect(ipAllowed(list, '10.1.1.1')).toBe(true);
    expect(ipAllowed(list, '2001:db8::42')).toBe(true);
    expect(ipAllowed(list, '203.0.113.8')).toBe(false);
  });
});
