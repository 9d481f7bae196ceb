import type { BadgeTone } from './components/Feedback';
import type { MessageKey, Translate } from './i18n';
import type {
  ActorType,
  ApiKey,
  ApiScope,
  Attribution,
  DeliveryStatus,
  MessageChannel,
  MessageRoute,
  MessageStatus,
  TenantStatus,
  UserStatus,
} from './types';

/** The translation of `value` through `keys`; `value` itself when it has no key. */
function labelOr(t: Translate, keys: Partial<Record<string, MessageKey>>, value: string): string {
  const key = keys[value];
  return key ? t(key) : value;
}

/** Label and badge tone of a status through `statuses`; the raw status, neutral, when unknown. */
function toneLabel(
  t: Translate,
  statuses: Partial<Record<string, { key: MessageKey; tone: BadgeTone }>>,
  status: string,
): { label: string; tone: BadgeTone } {
  const known = statuses[status];
  return known ? { label: t(known.key), tone: known.tone } : { label: status, tone: 'neutral' };
}

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
  return labelOr(t, roleKeys, role);
}

const userStatuses: Record<UserStatus, { key: MessageKey; tone: BadgeTone }> = {
  active: { key: 'userStatus.active', tone: 'success' },
  disabled: { key: 'userStatus.disabled', tone: 'neutral' },
  locked: { key: 'userStatus.locked', tone: 'danger' },
  invited: { key: 'userStatus.invited', tone: 'info' },
};

export function userStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  return toneLabel(t, userStatuses, status);
}

const tenantStatuses: Record<TenantStatus, { key: MessageKey; tone: BadgeTone }> = {
  active: { key: 'tenantStatus.active', tone: 'success' },
  suspended_nonpayment: { key: 'tenantStatus.suspended_nonpayment', tone: 'warning' },
  suspended_fraud: { key: 'tenantStatus.suspended_fraud', tone: 'danger' },
  terminated: { key: 'tenantStatus.terminated', tone: 'neutral' },
};

export const TENANT_STATUSES = Object.keys(tenantStatuses) as TenantStatus[];

export function tenantStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  return toneLabel(t, tenantStatuses, status);
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
  return labelOr(t, actorKeys, type);
}

/** Two letters for the avatar: "Alice Martin" → "AM". */
export function initials(name: string, email: string): string {
  const source = name.trim() || email;
  const parts = source.split(/[\s.@_-]+/).filter(Boolean);
  const letters = (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[1]?.[0] ?? '') : '');
  return letters.toUpperCase() || '?';
}

// ---------- Messaging ----------

const messageStatusKeys: Record<MessageStatus, MessageKey> = {
  queued: 'msgStatus.queued',
  scheduled: 'msgStatus.scheduled',
  sending: 'msgStatus.sending',
  submitted: 'msgStatus.submitted',
  delivered: 'msgStatus.delivered',
  read: 'msgStatus.read',
  undelivered: 'msgStatus.undelivered',
  expired: 'msgStatus.expired',
  failed: 'msgStatus.failed',
  suppressed: 'msgStatus.suppressed',
};

export function messageStatusLabel(t: Translate, status: string): string {
  return labelOr(t, messageStatusKeys, status);
}

/** Final statuses where something went wrong: the error and its attribution matter. */
export const FAILED_STATUSES: readonly string[] = ['undelivered', 'expired', 'failed'];

const channelKeys: Record<MessageChannel, MessageKey> = {
  sms: 'channel.sms',
  rcs: 'channel.rcs',
  whatsapp: 'channel.whatsapp',
  email: 'channel.email',
};

export function channelLabel(t: Translate, channel: string): string {
  return labelOr(t, channelKeys, channel);
}

const routeKeys: Record<MessageRoute, MessageKey> = {
  marketing: 'route.marketing',
  alert: 'route.alert',
};

export function routeLabel(t: Translate, route: string | null): string {
  if (!route) return '—';
  return labelOr(t, routeKeys, route);
}

const attributionKeys: Record<Attribution, MessageKey> = {
  platform: 'attribution.platform',
  operator: 'attribution.operator',
  meta: 'attribution.meta',
  google: 'attribution.google',
  recipient: 'attribution.recipient',
};

/** Who failed (R-3RD), in words. */
export function attributionLabel(t: Translate, attribution: string): string {
  return labelOr(t, attributionKeys, attribution);
}

const attributionShortKeys: Record<Attribution, MessageKey> = {
  platform: 'attributionShort.platform',
  operator: 'attributionShort.operator',
  meta: 'attributionShort.meta',
  google: 'attributionShort.google',
  recipient: 'attributionShort.recipient',
};

/** Who failed, in one word (tables); the full sentence is its title. */
export function attributionShort(t: Translate, attribution: string): string {
  return labelOr(t, attributionShortKeys, attribution);
}

const optOutSourceKeys: Record<string, MessageKey> = {
  sms_stop: 'optoutSource.sms_stop',
  email_unsubscribe: 'optoutSource.email_unsubscribe',
  whatsapp_optout: 'optoutSource.whatsapp',
  rcs_stop: 'optoutSource.rcs',
  console: 'optoutSource.console',
  api: 'optoutSource.api',
};

export function optOutSourceLabel(t: Translate, source: string): string {
  return labelOr(t, optOutSourceKeys, source);
}

const deliveryStatuses: Record<DeliveryStatus, { key: MessageKey; tone: BadgeTone }> = {
  pending: { key: 'deliveryStatus.pending', tone: 'warning' },
  delivered: { key: 'deliveryStatus.delivered', tone: 'success' },
  failed: { key: 'deliveryStatus.failed', tone: 'danger' },
};

export function deliveryStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  return toneLabel(t, deliveryStatuses, status);
}

const webhookEventKeys: Record<string, MessageKey> = {
  'message.*': 'webhookEvent.message.*',
  'message.queued': 'webhookEvent.message.queued',
  'message.submitted': 'webhookEvent.message.submitted',
  'message.delivered': 'webhookEvent.message.delivered',
  'message.undelivered': 'webhookEvent.message.undelivered',
  'message.expired': 'webhookEvent.message.expired',
  'message.failed': 'webhookEvent.message.failed',
  'message.read': 'webhookEvent.message.read',
  'message.inbound': 'webhookEvent.message.inbound',
  'optout.created': 'webhookEvent.optout.created',
  'whatsapp_template.status_changed': 'webhookEvent.whatsapp_template.status_changed',
  '*': 'webhookEvent.*',
};

export function webhookEventDescription(t: Translate, event: string): string | undefined {
  const key = webhookEventKeys[event];
  return key ? t(key) : undefined;
}

const sandboxOutcomeKeys: Record<string, MessageKey> = {
  UNDELIV: 'sandboxOutcome.UNDELIV',
  EXPIRED: 'sandboxOutcome.EXPIRED',
  pending: 'sandboxOutcome.pending',
  revoked: 'sandboxOutcome.revoked',
  expired: 'sandboxOutcome.expired',
};

/** A handset outcome worth showing (not delivered, not read), in words; null otherwise. */
export function sandboxOutcome(t: Translate, outcome: string | undefined): string | null {
  if (!outcome || ['DELIVRD', 'delivered', 'read'].includes(outcome)) return null;
  return labelOr(t, sandboxOutcomeKeys, outcome);
}
