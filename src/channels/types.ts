/**
 * The one contract every channel adapter (SMPP, SMTP, WhatsApp Cloud, RCS Business Messaging)
 * speaks to the dispatcher (DESIGN: "Channel adapters share one contract"). Adapters know the
 * wire protocol and nothing of tenants, billing or the database: the dispatcher gives them a
 * ready message and records what they answer.
 */

/** R-3RD: who a failure belongs to. */
export type Attribution = 'platform' | 'operator' | 'meta' | 'google' | 'recipient';

export interface ChannelError {
  /** Stable short code, e.g. `smpp_throttled`, `smpp_timeout`, `http_429`, `rcs_not_capable`. */
  code: string;
  message: string;
  /** Worth trying again later (throttling, queue full, timeouts, 429, 5xx). */
  retryable: boolean;
  attribution: Attribution;
  /**
   * The request may have reached the provider (a timeout after the bytes left, a connection lost
   * before the answer): retrying may send a duplicate. The dispatcher applies its duplicate policy.
   */
  outcomeUnknown?: boolean;
  /** Provider's own status or error code, kept for support (`0x00000058`, `131047`…). */
  providerCode?: string;
  /** For throttling: the provider asked to wait this long. */
  retryAfterMs?: number;
}

export type SendResult =
  | { ok: true; providerId: string; /** one id per part for concatenated SMS */ partIds?: string[] }
  | { ok: false; error: ChannelError };

export interface OutboundSms {
  /** Our message id (for logs and correlation). */
  id: string;
  /** Alphanumeric sender (≤ 11 chars) or a number/short code. */
  from: string;
  /** E.164, with the +. */
  to: string;
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  /** Ask for a delivery receipt. */
  receipt: boolean;
  /** Validity period for the SMSC, in seconds. */
  validitySeconds?: number;
}

export interface OutboundEmail {
  id: string;
  from: string;
  to: string;
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  /** RFC 8058 one-click unsubscribe URL (marketing only): adds List-Unsubscribe(+Post) headers. */
  unsubscribeUrl?: string;
}

export interface OutboundWhatsApp {
  id: string;
  /** The WhatsApp Business phone number id messages are sent from. */
  phoneNumberId: string;
  to: string;
  text?: string;
  template?: { name: string; language: string; components?: unknown[] };
}

export interface OutboundRcs {
  id: string;
  /** The RBM agent id. */
  agentId: string;
  to: string;
  text: string;
  suggestions?: Array<{ type: 'reply' | 'url' | 'dial'; text: string; postbackData?: string; url?: string; phoneNumber?: string }>;
  /** Time to live, after which the message is revoked (then falls back to SMS). */
  ttlSeconds?: number;
}

/** Normalised delivery status reported by a provider after the send. */
export type DeliveryStatus = 'delivered' | 'undelivered' | 'expired' | 'failed' | 'read' | 'sent';

export interface DeliveryReport {
  channel: 'sms' | 'email' | 'whatsapp' | 'rcs';
  providerId: string;
  status: DeliveryStatus;
  at: Date;
  /** Provider's error/status code (`UNDELIV`, `131026`…). */
  providerCode?: string;
  attribution?: Attribution;
  raw?: unknown;
}

export interface InboundMessage {
  channel: 'sms' | 'email' | 'whatsapp' | 'rcs';
  /** Sender: E.164 phone or email. */
  from: string;
  /** Our number / sender id / business phone id / agent id it was sent to. */
  to: string;
  text: string;
  providerId: string;
  receivedAt: Date;
  /** WhatsApp/RCS: a button or suggestion payload. */
  postbackData?: string;
  raw?: unknown;
}

export interface ChannelEventHandlers {
  onDeliveryReport(report: DeliveryReport): void | Promise<void>;
  onInbound(message: InboundMessage): void | Promise<void>;
}
