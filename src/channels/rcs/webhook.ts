import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DeliveryReport, InboundMessage } from '../types.ts';

/**
 * RCS Business Messaging webhooks: what Google posts (user messages, user events, server
 * events), in either of its two deliveries — a Pub/Sub push envelope
 * `{ message: { data: <base64 JSON>, messageId, publishTime }, subscription }` or the JSON
 * itself — and the `X-Goog-Signature` check (base64 HMAC-SHA512 keyed with the webhook's
 * client token).
 */
export interface RbmUserMessage {
  senderPhoneNumber: string;
  messageId: string;
  sendTime: string;
  agentId: string;
  text?: string;
  suggestionResponse?: { postbackData?: string; text?: string; type?: 'REPLY' | 'ACTION' | string };
  location?: { latitude: number; longitude: number };
  userFile?: { payload?: { mimeType?: string; fileUri?: string; fileName?: string } };
}

export interface RbmUserEvent {
  senderPhoneNumber: string;
  eventType: 'DELIVERED' | 'READ' | 'IS_TYPING' | 'SUBSCRIBE' | 'UNSUBSCRIBE' | string;
  eventId: string;
  messageId?: string;
  sendTime: string;
  agentId: string;
}

export interface RbmServerEvent {
  phoneNumber: string;
  messageId: string;
  agentId: string;
  eventType: 'TTL_EXPIRATION_REVOKED' | 'TTL_EXPIRATION_REVOKE_FAILED' | string;
  eventId: string;
  sendTime: string;
}

export interface RbmPushEnvelope {
  message: { data: string; messageId?: string; publishTime?: string; attributes?: Record<string, string> };
  subscription?: string;
}

export interface RbmSubscriptionChange {
  msisdn: string;
  agentId: string;
  /** false: the user asked for no more non-essential messages (UNSUBSCRIBE). */
  subscribed: boolean;
  at: Date;
  eventId: string;
}

/** base64 HMAC-SHA512 of `data` keyed with the client token: the `X-Goog-Signature` value. */
export function signRbm(data: Buffer | string, clientToken: string): string {
  return createHmac('sha512', clientToken).update(data).digest('base64');
}

function isEnvelope(json: unknown): json is RbmPushEnvelope {
  if (!json || typeof json !== 'object') return false;
  const message = (json as { message?: unknown }).message;
  return !!message && typeof message === 'object' && typeof (message as { data?: unknown }).data === 'string';
}

function matches(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Checks `X-Goog-Signature` in constant time. Google signs the event JSON: for a Pub/Sub push
 * envelope that is the decoded `message.data` (as its own sample verifies), for a direct post
 * the body itself. Both are accepted, each only with the right client token.
 */
export function verifySignature(rawBody: Buffer | string, header: string | string[] | null | undefined, clientToken: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !clientToken || !/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())) return false;
  const given = Buffer.from(value.trim(), 'base64');
  if (given.length !== 64) return false;
  if (matches(createHmac('sha512', clientToken).update(rawBody).digest(), given)) return true;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.isBuffer(rawBody) ? rawBody.toString('utf8') : rawBody);
  } catch {
    return false;
  }
  if (!isEnvelope(json)) return false;
  const data = Buffer.from(json.message.data, 'base64');
  return matches(createHmac('sha512', clientToken).update(data).digest(), given);
}

/**
 * The registration handshake: Google posts `{ clientToken, secret }` when the webhook is
 * configured; answer 200 with the secret as plain text when the client token is ours.
 */
export function verifyRegistration(json: unknown, clientToken: string): string | null {
  if (!json || typeof json !== 'object' || !clientToken) return null;
  const { clientToken: token, secret } = json as { clientToken?: unknown; secret?: unknown };
  if (typeof token !== 'string' || typeof secret !== 'string') return null;
  const a = Buffer.from(token);
  const b = Buffer.from(clientToken);
  return a.length === b.length && timingSafeEqual(a, b) ? secret : null;
}

/** The event inside a webhook post: decoded from a Pub/Sub envelope, or the JSON as is. */
export function decodeRbmEvent(json: unknown): unknown {
  if (!isEnvelope(json)) return json;
  try {
    return JSON.parse(Buffer.from(json.message.data, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function dateOf(value: unknown): Date {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? new Date() : new Date(at);
}

function str(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * Normalises one webhook post: DELIVERED/READ user events and TTL_EXPIRATION_REVOKED server
 * events become delivery reports (`delivered`, `read`, `expired`); user text, suggestion
 * responses (with their postbackData) and shared locations become inbound messages;
 * SUBSCRIBE/UNSUBSCRIBE become subscription changes. IS_TYPING and
 * TTL_EXPIRATION_REVOKE_FAILED (the message may still arrive) are left out.
 */
export function parseWebhook(json: unknown): { reports: DeliveryReport[]; inbound: InboundMessage[]; subscriptions: RbmSubscriptionChange[] } {
  const reports: DeliveryReport[] = [];
  const inbound: InboundMessage[] = [];
  const subscriptions: RbmSubscriptionChange[] = [];
  const event = decodeRbmEvent(json);
  if (!event || typeof event !== 'object') return { reports, inbound, subscriptions };
  const e = event as Record<string, unknown>;

  if (str(e.eventType) && str(e.phoneNumber)) {
    // Server event
    const s = e as unknown as RbmServerEvent;
    if (s.eventType === 'TTL_EXPIRATION_REVOKED' && str(s.messageId)) {
      reports.push({
        channel: 'rcs',
        providerId: s.messageId,
        status: 'expired',
        at: dateOf(s.sendTime),
        providerCode: s.eventType,
        attribution: 'recipient',
        raw: event,
      });
    }
    return { reports, inbound, subscriptions };
  }

  if (!str(e.senderPhoneNumber)) return { reports, inbound, subscriptions };

  if (str(e.eventType)) {
    const u = e as unknown as RbmUserEvent;
    if ((u.eventType === 'DELIVERED' || u.eventType === 'READ') && str(u.messageId)) {
      reports.push({ channel: 'rcs', providerId: u.messageId, status: u.eventType === 'DELIVERED' ? 'delivered' : 'read', at: dateOf(u.sendTime), raw: event });
    } else if (u.eventType === 'SUBSCRIBE' || u.eventType === 'UNSUBSCRIBE') {
      subscriptions.push({
        msisdn: u.senderPhoneNumber,
        agentId: u.agentId ?? '',
        subscribed: u.eventType === 'SUBSCRIBE',
        at: dateOf(u.sendTime),
        eventId: u.eventId ?? '',
      });
    }
    return { reports, inbound, subscriptions };
  }

  const m = e as unknown as RbmUserMessage;
  if (!str(m.messageId)) return { reports, inbound, subscriptions };
  let text = '';
  let postbackData: string | undefined;
  if (typeof m.text === 'string') text = m.text;
  else if (m.suggestionResponse) {
    text = m.suggestionResponse.text ?? '';
    if (typeof m.suggestionResponse.postbackData === 'string') postbackData = m.suggestionResponse.postbackData;
  } else if (m.location) text = `geo:${m.location.latitude},${m.location.longitude}`;
  inbound.push({
    channel: 'rcs',
    from: m.senderPhoneNumber,
    to: m.agentId ?? '',
    text,
    providerId: m.messageId,
    receivedAt: dateOf(m.sendTime),
    ...(postbackData !== undefined ? { postbackData } : {}),
    raw: event,
  });
  return { reports, inbound, subscriptions };
}
