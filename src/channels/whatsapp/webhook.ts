import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryReport, DeliveryStatus, InboundMessage } from '../types.ts';
import { metaAttribution } from './errors.ts';

/**
 * The WhatsApp Business Account webhook (`object: whatsapp_business_account`, field `messages`):
 * the shapes Meta posts, the subscription handshake and the signature check.
 */
export interface WaWebhookPayload {
  object: 'whatsapp_business_account';
  entry: Array<{ id: string; changes: Array<{ field: string; value: WaChangeValue }> }>;
}

export interface WaChangeValue {
  messaging_product: 'whatsapp';
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: Array<{ profile?: { name?: string }; wa_id: string }>;
  messages?: WaInboundMessage[];
  statuses?: WaStatus[];
  errors?: WaError[];
}

export interface WaError {
  code: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
  href?: string;
}

export interface WaStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'deleted' | 'warning' | 'played';
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  conversation?: { id: string; expiration_timestamp?: string; origin?: { type: string } };
  pricing?: { billable?: boolean; pricing_model?: string; category?: string; type?: string };
  errors?: WaError[];
}

export interface WaInboundMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  text?: { body: string };
  button?: { payload?: string; text?: string };
  interactive?: {
    type: 'button_reply' | 'list_reply' | 'nfm_reply' | string;
    button_reply?: { id: string; title: string };
    list_reply?: { id: string; title: string; description?: string };
    nfm_reply?: { name?: string; body?: string; response_json?: string };
  };
  context?: { from?: string; id?: string };
  image?: { caption?: string };
  video?: { caption?: string };
  document?: { caption?: string; filename?: string };
  reaction?: { message_id: string; emoji?: string };
  errors?: WaError[];
}

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>`. */
export function signPayload(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Checks a webhook's `X-Hub-Signature-256` against the raw body, in constant time. */
export function verifySignature(rawBody: Buffer | string, header: string | string[] | null | undefined, appSecret: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !appSecret) return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(value.trim());
  if (!m) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  const given = Buffer.from(m[1]!, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function first(value: unknown): string | undefined {
  if (Array.isArray(value)) return first(value[0]);
  return typeof value === 'string' ? value : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The GET handshake Meta makes when the callback URL is configured:
 * `?hub.mode=subscribe&hub.verify_token=<ours>&hub.challenge=<nonce>` → answer the challenge
 * (200, text) when the token is ours, otherwise null (answer 403).
 */
export function verifySubscription(query: URLSearchParams | Record<string, unknown>, verifyToken: string): string | null {
  const get = (key: string) => (query instanceof URLSearchParams ? (query.get(key) ?? undefined) : first(query[key]));
  const mode = get('hub.mode');
  const token = get('hub.verify_token');
  const challenge = get('hub.challenge');
  if (mode !== 'subscribe' || token === undefined || challenge === undefined || !verifyToken) return null;
  return sameSecret(token, verifyToken) ? challenge : null;
}

const STATUS: Record<string, DeliveryStatus | undefined> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };

function dateOf(unixSeconds: string | number | undefined): Date {
  const n = Number(unixSeconds);
  return Number.isFinite(n) && n > 0 ? new Date(n * 1000) : new Date();
}

function e164(waId: string): string {
  return waId.startsWith('+') ? waId : `+${waId}`;
}

function inboundText(m: WaInboundMessage): { text: string; postbackData?: string } {
  switch (m.type) {
    case 'text':
      return { text: m.text?.body ?? '' };
    case 'button':
      return { text: m.button?.text ?? m.button?.payload ?? '', ...(m.button?.payload !== undefined ? { postbackData: m.button.payload } : {}) };
    case 'interactive': {
      const i = m.interactive;
      if (i?.button_reply) return { text: i.button_reply.title, postbackData: i.button_reply.id };
      if (i?.list_reply) return { text: i.list_reply.title, postbackData: i.list_reply.id };
      if (i?.nfm_reply) return { text: i.nfm_reply.body ?? '', ...(i.nfm_reply.response_json ? { postbackData: i.nfm_reply.response_json } : {}) };
      return { text: '' };
    }
    case 'reaction':
      return { text: m.reaction?.emoji ?? '' };
    default:
      return { text: m.image?.caption ?? m.video?.caption ?? m.document?.caption ?? '' };
  }
}

/**
 * Normalises a `messages` webhook into delivery reports (statuses sent/delivered/read/failed)
 * and inbound messages (text, template quick-reply buttons, interactive replies, media with
 * their caption). Other fields, `system`/`unsupported` messages and account-level `errors`
 * are left out. Verify the signature first: this trusts its input's shape no more than needed.
 */
export function parseWebhook(json: unknown): { reports: DeliveryReport[]; inbound: InboundMessage[] } {
  const reports: DeliveryReport[] = [];
  const inbound: InboundMessage[] = [];
  if (!json || typeof json !== 'object') return { reports, inbound };
  const payload = json as Partial<WaWebhookPayload>;
  if (payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) return { reports, inbound };
  for (const entry of payload.entry) {
    for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
      if (change?.field !== 'messages' || !change.value || typeof change.value !== 'object') continue;
      const value = change.value;
      const businessId = value.metadata?.phone_number_id ?? '';
      for (const s of Array.isArray(value.statuses) ? value.statuses : []) {
        const status = STATUS[s?.status];
        if (!status || typeof s.id !== 'string') continue;
        const error = Array.isArray(s.errors) ? s.errors[0] : undefined;
        reports.push({
          channel: 'whatsapp',
          providerId: s.id,
          status,
          at: dateOf(s.timestamp),
          ...(error ? { providerCode: String(error.code) } : {}),
          ...(status === 'failed' ? { attribution: metaAttribution(error?.code) } : {}),
          raw: s,
        });
      }
      for (const m of Array.isArray(value.messages) ? value.messages : []) {
        if (!m || typeof m.id !== 'string' || typeof m.from !== 'string') continue;
        if (m.type === 'system' || m.type === 'unsupported') continue;
        const { text, postbackData } = inboundText(m);
        inbound.push({
          channel: 'whatsapp',
          from: e164(m.from),
          to: businessId,
          text,
          providerId: m.id,
          receivedAt: dateOf(m.timestamp),
          ...(postbackData !== undefined ? { postbackData } : {}),
          raw: m,
        });
      }
    }
  }
  return { reports, inbound };
}
