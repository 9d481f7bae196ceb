import type { BadgeTone } from './components/Feedback';
import type { MessageKey, Translate } from './i18n';
import type { ActorType, ApiKey, ApiScope, TenantStatus, UserStatus } from './types';

const roleKeys: Record<string, MessageKey> = {
  owner: 'role.owner',
  admin: 'role.admin',
  marketer: 'role.marketer',
  agent: 'role.agent',
  viewer: 'role.viewer',
  sofy_admin: 'role.sofy_admin',
  sofy_billing: 'role.sofy_billing',
  sofy_support: 'role.sofy_support',
  sofy_security: 'role.sofy_security',
};

export function roleLabel(t: Translate, role: string): string {
  const key = roleKeys[role];
  return key ? t(key) : role;
}

const userStatuses: Record<UserStatus, { key: MessageKey; tone: BadgeTone }> = {
  active: { key: 'userStatus.active', tone: 'success' },
  disabled: { key: 'userStatus.disabled', tone: 'neutral' },
  locked: { key: 'userStatus.locked', tone: 'danger' },
  invited: { key: 'userStatus.invited', tone: 'info' },
};

export function userStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  const known = userStatuses[status as UserStatus];
  return known ? { label: t(known.key), tone: known.tone } : { label: status, tone: 'neutral' };
}

const tenantStatuses: Record<TenantStatus, { key: MessageKey; tone: BadgeTone }> = {
  active: { key: 'tenantStatus.active', tone: 'success' },
  suspended_nonpayment: { key: 'tenantStatus.suspended_nonpayment', tone: 'warning' },
  suspended_fraud: { key: 'tenantStatus.suspended_fraud', tone: 'danger' },
  terminated: { key: 'tenantStatus.terminated', tone: 'neutral' },
};

export const TENANT_STATUSES = Object.keys(tenantStatuses) as TenantStatus[];

export function tenantStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  const known = tenantStatuses[status as TenantStatus];
  return known ? { label: t(known.key), tone: known.tone } : { label: status, tone: 'neutral' };
}

export type ApiKeyState = 'active' | 'revoked' | 'expired';

export function apiKeyState(key: ApiKey, now = Date.now()): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

export function apiKeyStatus(t: Translate, key: ApiKey): { label: string; tone: BadgeTone } {
  const state = apiKeyState(key);
  if (state === 'revoked') return { label: t('apiKeyStatus.revoked'), tone: 'danger' };
  if (state === 'expired') return { label: t('apiKeyStatus.expired'), tone: 'neutral' };
  return { label: t('apiKeyStatus.active'), tone: 'success' };
}

export const scopeDescriptionKeys: Record<ApiScope, MessageKey> = {
  'messages:marketing': 'scope.messages:marketing',
  'messages:alert': 'scope.messages:alert',
  'messages:read': 'scope.messages:read',
  'contacts:read': 'scope.contacts:read',
  'contacts:write': 'scope.contacts:write',
  'campaigns:write': 'scope.campaigns:write',
  admin: 'scope.admin',
};

export function scopeDescription(t: Translate, scope: string): string | undefined {
  const key = scopeDescriptionKeys[scope as ApiScope];
  return key ? t(key) : undefined;
}

const actorKeys: Record<ActorType, MessageKey> = {
  user: 'actor.user',
  operator: 'actor.operator',
  api_key: 'actor.api_key',
  system: 'actor.system',
};

export function actorTypeLabel(t: Translate, type: string): string {
  const key = actorKeys[type as ActorType];
  return key ? t(key) : type;
}

/** Two letters for the avatar: "Alice Martin" → "AM". */
export function initials(name: string, email: string): string {
  const source = name.trim() || email;
  const parts = source.split(/[\s.@_-]+/).filter(Boolean);
  const letters = (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[1]?.[0] ?? '') : '');
  return letters.toUpperCase() || '?';
}
