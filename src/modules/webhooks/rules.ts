import { createHmac, randomBytes } from 'node:crypto';

/**
 * Outgoing webhooks follow the Standard Webhooks specification: headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256>` of
 * `${id}.${timestamp}.${body}` keyed with the endpoint secret (`whsec_` + base64 bytes).
 */
export const SECRET_PREFIX = 'whsec_';

export const generateWebhookSecret = (): string => `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

export function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'SOFY-Webhooks/1.0',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, id, timestampSeconds, body),
  };
}

/** Verifies a signature header (space-separated `v1,…` entries) within a tolerance window. */
export function verifyWebhook(secret: string, headers: { id: string; timestamp: string; signature: string }, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = signWebhook(secret, headers.id, timestamp, body);
  return headers.signature.split(' ').some((candidate) => candidate === expected);
}

/**
 * Retries with exponential back-off for 24 hours: after each failed attempt, wait the next delay;
 * the last attempt happens at most 24 h after the event. Returns null when it is time to give up.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000];
export const RETRY_WINDOW_SECONDS = 24 * 3600;

export function nextWebhookAttempt(attemptsMade: number, createdAt: Date, now: Date): Date | null {
  const deadline = createdAt.getTime() + RETRY_WINDOW_SECONDS * 1000;
  if (now.getTime() >= deadline) return null;
  const delay = RETRY_DELAYS_SECONDS[attemptsMade - 1];
  if (delay === undefined) return attemptsMade === RETRY_DELAYS_SECONDS.length + 1 ? new Date(deadline) : null;
  return new Date(Math.min(now.getTime() + delay * 1000, deadline));
}

/** 2xx is delivered; 410 Gone means the receiver asks us to stop; everything else is retried. */
export function deliveryOutcome(status: number | null): 'delivered' | 'retry' | 'gone' {
  if (status !== null && status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  return 'retry';
}

/** Event types a tenant can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'message.*',
  'message.queued',
  'message.submitted',
  'message.delivered',
  'message.undelivered',
  'message.expired',
  'message.failed',
  'message.read',
  'message.inbound',
  'optout.created',
  'whatsapp_template.status_changed',
  '*',
] as const;

const PRIVATE_HOSTS = [/^localhost$/i, /\.localhost$/i, /^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./, /^\[?::1\]?$/, /^\[?f[cd][0-9a-f]{2}:/i, /^\[?fe80:/i];

/**
 * An endpoint must be an absolute http(s) URL; in production (private networks not allowed) it
 * must be https and must not name a loopback, link-local or private address (SSRF).
 */
export function webhookUrlProblem(url: string, allowPrivateNetworks: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an http(s) URL';
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (allowPrivateNetworks) return null;
  if (parsed.protocol !== 'https:') return 'must use https';
  if (PRIVATE_HOSTS.some((pattern) => pattern.test(parsed.hostname))) return 'must not point to a private or loopback address';
  return null;
}
