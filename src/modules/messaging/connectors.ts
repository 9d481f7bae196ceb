import type { SendResult } from '../../channels/types.ts';
import { TokenBucket } from './dispatch-rules.ts';

export type Channel = 'sms' | 'rcs' | 'whatsapp' | 'email';

/** A message as the dispatcher claimed it: everything a connector needs to send it. */
export interface ClaimedMessage {
  id: string;
  createdAt: Date;
  tenantId: string;
  channel: Channel;
  route: 'marketing' | 'alert' | null;
  sender: string | null;
  recipient: string;
  country: string | null;
  content: MessageContent;
  encoding: 'GSM-7' | 'UCS-2' | null;
  segments: number | null;
  sendAt: Date;
  expiresAt: Date | null;
  fallback: string | null;
  fellBack: boolean;
  attempts: number;
  recovered: boolean;
  priceMillicents: number | null;
  /** The tenant's setting: marketing also avoids Sundays and public holidays (R-QUIET). */
  avoidClosedDays: boolean;
  /** Set when the send-time check stops a marketing message (R-OPTOUT, R-CONSENT): it is not sent. */
  blockedBy?: 'opted_out' | 'no_consent' | null;
}

export interface MessageContent {
  text?: string;
  subject?: string;
  html?: string;
  template?: { name: string; language: string; components?: unknown[] };
  suggestions?: Array<{ type: 'reply' | 'url' | 'dial'; text: string; postbackData?: string; url?: string; phoneNumber?: string }>;
  unsubscribeUrl?: string;
  /** RCS: the SMS to send instead when the handset is not RCS-capable. */
  fallbackSms?: { text: string; encoding: 'GSM-7' | 'UCS-2'; segments: number; sender: string | null };
}

export interface ConnectorStatus {
  id: string;
  channel: Channel;
  state: string;
  counters: Record<string, number>;
}

/** One provider link the dispatcher can send through (an SMPP bind, an SMTP pool, an API account). */
export interface Connector {
  readonly id: string;
  readonly channel: Channel;
  send(message: ClaimedMessage): Promise<SendResult>;
  status(): ConnectorStatus;
  stop(): Promise<void>;
}

export interface RouteEntry {
  connector: Connector;
  /** Which traffic: a route (`marketing`, `alert`) or every route. */
  route: 'marketing' | 'alert' | '*';
  /** ISO countries served, or every country. */
  countries: string[] | '*';
  /** Lower first; the next ones are the failover. */
  priority: number;
  /** Messages per second through this entry (token bucket), or unlimited. */
  throughput?: number;
}

/**
 * Routing: per channel, route and destination country, an ordered list of connectors (primary,
 * then failover), each paced by its own token bucket.
 */
export class Router {
  readonly #entries: Array<RouteEntry & { bucket?: TokenBucket }>;

  constructor(entries: RouteEntry[], private readonly now: () => number = () => performance.now()) {
    this.#entries = entries
      .map((entry) => ({ ...entry, ...(entry.throughput ? { bucket: new TokenBucket(entry.throughput, Math.max(1, entry.throughput / 10), now()) } : {}) }))
      .sort((a, b) => a.priority - b.priority);
  }

  candidates(channel: Channel, route: string | null, country: string | null): Connector[] {
    return this.#entries
      .filter((entry) => entry.connector.channel === channel)
      .filter((entry) => entry.route === '*' || entry.route === route)
      .filter((entry) => entry.countries === '*' || (country !== null && entry.countries.includes(country)))
      .map((entry) => entry.connector);
  }

  /** Waits until the connector's route may send one more message. */
  async pace(connector: Connector): Promise<void> {
    const entry = this.#entries.find((e) => e.connector === connector);
    if (!entry?.bucket) return;
    for (;;) {
      const wait = entry.bucket.take(this.now());
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  connectors(): Connector[] {
    return [...new Set(this.#entries.map((e) => e.connector))];
  }

  async stop(): Promise<void> {
    await Promise.all(this.connectors().map((connector) => connector.stop()));
  }
}
