import { BlockList, isIP } from 'node:net';

/**
 * Access rules (R-IAM, R-APIKEY, R-CONFID) as pure functions: roles and what they may do, API
 * key scopes, MFA obligations, password policy, lockout, key format, IP allowlists.
 */

export const TENANT_ROLES = ['owner', 'admin', 'marketer', 'agent', 'viewer'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export const OPERATOR_ROLES = ['sofy_admin', 'sofy_billing', 'sofy_support', 'sofy_security'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export const API_KEY_SCOPES = [
  'messages:marketing',
  'messages:alert',
  'messages:read',
  'contacts:read',
  'contacts:write',
  'campaigns:write',
  'admin',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a tenant user can do. Services check these; routes only say who may call at all. */
export const TENANT_PERMISSIONS = [
  'tenant:read',
  'settings:manage',
  'users:read',
  'users:manage',
  'owners:manage',
  'apikeys:read',
  'apikeys:manage',
  'audit:read',
  'billing:read',
  'tariffs:read', // R-CONFID: negotiated tariffs, owner/admin only
  'messages:send:marketing',
  'messages:send:alert',
  'messages:read',
  'contacts:read',
  'contacts:write',
  'campaigns:write',
  'campaigns:approve',
  'inbox:reply',
  'presence:write',
  'reviews:reply',
] as const;
export type TenantPermission = (typeof TENANT_PERMISSIONS)[number];

export const OPERATOR_PERMISSIONS = [
  'tenants:read',
  'tenants:create',
  'tenants:open',
  'tenants:suspend',
  'billing:manage',
  'fraud:manage',
  'operators:manage',
] as const;
export type OperatorPermission = (typeof OPERATOR_PERMISSIONS)[number];

export type Permission = TenantPermission | OperatorPermission;

const MARKETER: readonly TenantPermission[] = [
  'tenant:read', 'messages:send:marketing', 'messages:send:alert', 'messages:read', 'contacts:read', 'contacts:write',
  'campaigns:write', 'presence:write', 'reviews:reply', 'inbox:reply',
];
const ADMIN: readonly TenantPermission[] = TENANT_PERMISSIONS.filter((p) => p !== 'owners:manage');

export const ROLE_PERMISSIONS: Record<TenantRole, readonly TenantPermission[]> = {
  owner: TENANT_PERMISSIONS,
  admin: ADMIN,
  marketer: MARKETER,
  agent: ['tenant:read', 'messages:read', 'contacts:read', 'inbox:reply', 'reviews:reply'],
  viewer: ['tenant:read', 'messages:read', 'contacts:read'],
};

export const OPERATOR_ROLE_PERMISSIONS: Record<OperatorRole, readonly OperatorPermission[]> = {
  sofy_admin: OPERATOR_PERMISSIONS,
  sofy_billing: ['tenants:read', 'tenants:open', 'tenants:suspend', 'billing:manage'],
  sofy_support: ['tenants:read', 'tenants:open'],
  sofy_security: ['tenants:read', 'tenants:open', 'tenants:suspend', 'fraud:manage'],
};

/** An API key acts only within its scopes; `admin` grants tenant administration, not sending. */
export const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly TenantPermission[]> = {
  'messages:marketing': ['messages:send:marketing'],
  'messages:alert': ['messages:send:alert'],
  'messages:read': ['messages:read'],
  'contacts:read': ['contacts:read'],
  'contacts:write': ['contacts:read', 'contacts:write'],
  'campaigns:write': ['campaigns:write'],
  admin: ['tenant:read', 'settings:manage', 'users:read', 'users:manage', 'apikeys:read', 'apikeys:manage', 'audit:read'],
};

export const isTenantRole = (role: string): role is TenantRole => (TENANT_ROLES as readonly string[]).includes(role);
export const isOperatorRole = (role: string): role is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(role);

export function roleCan(role: string, permission: Permission): boolean {
  if (isTenantRole(role)) return (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
  if (isOperatorRole(role)) return (OPERATOR_ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
  return false;
}

export function scopesCan(scopes: readonly string[], permission: Permission): boolean {
  return scopes.some((scope) => (SCOPE_PERMISSIONS[scope as ApiKeyScope] as readonly string[] | undefined)?.includes(permission));
}

/** Which scope an API key needs for a permission (for the `insufficient_scope` message). */
export function scopesGranting(permission: Permission): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((scope) => (SCOPE_PERMISSIONS[scope] as readonly string[]).includes(permission));
}

/** R-IAM: MFA is mandatory for owners, admins and every SOFY operator; optional for others. */
export function mfaRequired(role: string, tenantRequiresMfaForAll: boolean): boolean {
  return role === 'owner' || role === 'admin' || isOperatorRole(role) || tenantRequiresMfaForAll;
}

/**
 * Who may give or take a role: owners manage everyone; admins manage everyone but owners, and
 * cannot make anyone an owner; nobody else manages users.
 */
export function canAssignRole(actorRole: string, targetCurrentRole: TenantRole | null, newRole: TenantRole): boolean {
  if (actorRole === 'owner') return true;
  if (actorRole !== 'admin') return false;
  return newRole !== 'owner' && targetCurrentRole !== 'owner';
}

// Passwords ----------------------------------------------------------------------------------

export const PASSWORD_MIN_LENGTH = 12;
const COMMON_PASSWORDS = new Set(['motdepasse123', 'password1234', 'azertyuiop12', '123456789012', 'qwertyuiop12', 'sofysofysofy']);

/** NIST 800-63B style: length over composition rules; refuse the obvious. Returns the reason, or null. */
export function passwordProblem(password: string, email: string): string | null {
  const characters = [...password].length; // Unicode characters, not UTF-16 units (NIST 800-63B)
  if (characters < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (characters > 256) return 'must be at most 256 characters';
  const lower = password.toLowerCase();
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (local.length >= 4 && lower.includes(local)) return 'must not contain your email address';
  if (new Set(lower).size < 4) return 'is too repetitive';
  if (COMMON_PASSWORDS.has(lower)) return 'is too common';
  return null;
}

// Login throttling ----------------------------------------------------------------------------

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;

/** After a failed password or MFA code: count it, and lock for 15 minutes at each 5th failure. */
export function afterFailedLogin(failedBefore: number, now: Date): { failedLogins: number; lockedUntil: Date | null } {
  const failedLogins = failedBefore + 1;
  const lockedUntil = failedLogins % LOCKOUT_THRESHOLD === 0 ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null;
  return { failedLogins, lockedUntil };
}

export const isLocked = (lockedUntil: Date | null, now: Date): boolean => lockedUntil !== null && lockedUntil > now;

// Sessions -------------------------------------------------------------------------------------

export const SESSION_IDLE_MINUTES = 120;
export const SESSION_MAX_HOURS = 12;
/** A session still in a login step (MFA, password change) must finish it quickly. */
export const PENDING_SESSION_MINUTES = 15;

export type LoginStage = 'mfa_verify' | 'password_change' | 'mfa_enrol' | 'active';

/** The next step of a login once the password (and, if enrolled, the MFA code) is accepted. */
export function stageAfterSecondFactor(user: { mustChangePassword: boolean; mfaEnabled: boolean; mfaRequired: boolean }): LoginStage {
  if (user.mustChangePassword) return 'password_change';
  if (user.mfaRequired && !user.mfaEnabled) return 'mfa_enrol';
  return 'active';
}

export function stageAfterPassword(user: { mustChangePassword: boolean; mfaEnabled: boolean; mfaRequired: boolean }): LoginStage {
  return user.mfaEnabled ? 'mfa_verify' : stageAfterSecondFactor(user);
}

/** Absolute expiry (`expiresAt`) and idle expiry, which is shorter while a login step is pending. */
export function sessionExpired(session: { expiresAt: Date; lastSeenAt: Date; stage: LoginStage }, now: Date): boolean {
  if (session.expiresAt <= now) return true;
  const idleMinutes = session.stage === 'active' ? SESSION_IDLE_MINUTES : PENDING_SESSION_MINUTES;
  return now.getTime() - session.lastSeenAt.getTime() > idleMinutes * 60_000;
}

export const sessionMaxExpiry = (createdAt: Date): Date => new Date(createdAt.getTime() + SESSION_MAX_HOURS * 3_600_000);

// API keys ------------------------------------------------------------------------------------

/**
 * `sofy_<8 lowercase base32>_<40 alphanumerics>`: the first part (the prefix) is stored and shown
 * in lists and logs; the whole key is stored only as a SHA-256 hash (R-APIKEY). 238 bits of
 * secret make a slow hash unnecessary, so checking a key costs one index look-up.
 */
const API_KEY_PATTERN = /^(sofy_[a-z2-7]{8})_([A-Za-z0-9]{40})$/;

export function parseApiKey(text: string): { prefix: string } | null {
  const match = API_KEY_PATTERN.exec(text.trim());
  return match?.[1] ? { prefix: match[1] } : null;
}

export const formatApiKey = (prefixId: string, secret: string): string => `sofy_${prefixId}_${secret}`;

export function invalidScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
}

/** Normalises an allowlist entry (IP or CIDR) to CIDR form, or returns null when invalid. */
export function normaliseCidr(entry: string): string | null {
  const [address, bits, ...rest] = entry.trim().split('/');
  if (!address || rest.length) return null;
  const family = isIP(address);
  if (!family) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (bits !== undefined && !/^\d+$/.test(bits))) return null;
  return `${address}/${prefix}`;
}

/** An empty allowlist allows every address; otherwise the caller's IP must be in one range. */
export function ipAllowed(allowedCidrs: readonly string[], ip: string): boolean {
  if (allowedCidrs.length === 0) return true;
  const family = isIP(ip);
  if (!family) return false;
  const list = new BlockList();
  for (const cidr of allowedCidrs) {
    const [address, bits] = cidr.split('/');
    if (!address) continue;
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(address, Number(bits ?? (type === 'ipv4' ? 32 : 128)), type);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && list.check(mapped, 'ipv4')) return true;
  return list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}
