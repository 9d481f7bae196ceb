import type { ApiKeyRecord, UserRow } from './repo.ts';

/** API shapes of the identity module (what the routes send, what the console reads). */

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: string;
  mfaEnabled: boolean;
  status: 'active' | 'disabled' | 'locked' | 'invited';
  lastLoginAt: string | null;
  createdAt: string;
}

export function userView(row: UserRow, now: Date): UserView {
  let status: UserView['status'] = 'active';
  if (row.disabled_at) status = 'disabled';
  else if (row.locked_until && row.locked_until > now) status = 'locked';
  else if (row.must_change_password && !row.last_login_at) status = 'invited';
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    mfaEnabled: row.mfa_enabled_at !== null,
    status,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  allowedIps: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  createdAt: string;
  createdBy: string | null;
}

export function apiKeyView(row: ApiKeyRecord): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    allowedIps: row.allowed_ips,
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    lastUsedIp: row.last_used_ip,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}
