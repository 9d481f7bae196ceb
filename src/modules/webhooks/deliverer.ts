import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { SecretKeyring } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import { deliveryOutcome, nextWebhookAttempt, webhookHeaders } from './rules.ts';
import { SECRET_PURPOSE } from './service.ts';

interface ClaimedDelivery {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  url: string;
  secret: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
}

export interface WebhookDelivererOptions {
  workerId: string;
  batchSize?: number;
  timeoutMs?: number;
  pollMs?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/**
 * Delivers pending webhook events: claims due deliveries (SKIP LOCKED, so several workers share
 * the load), POSTs them signed, and records each outcome; failures are retried with back-off for
 * 24 hours (Standard Webhooks). A receiver answering 410 Gone disables nothing but stops retries.
 */
export class WebhookDeliverer {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly keyring: SecretKeyring,
    private readonly clock: Clock,
    private readonly options: WebhookDelivererOptions,
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** One pass: claims and delivers what is due. Returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const { rows } = await sql<ClaimedDelivery>`select * from webhook_claim(${this.options.workerId}, ${this.options.batchSize ?? 50}, 60)`.execute(this.db);
    if (!rows.length) return 0;
    const results = await Promise.all(rows.map((row) => this.#deliver(row)));
    await sql`select webhook_record(${JSON.stringify(results)}::jsonb)`.execute(this.db);
    return rows.length;
  }

  async #deliver(row: ClaimedDelivery): Promise<{ id: string; outcome: string; statusCode: number | null; error: string | null; retryAt: string | null }> {
    const body = JSON.stringify(row.payload);
    const now = this.clock.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const secret = this.keyring.decrypt(SECRET_PURPOSE, row.secret);
      const response = await fetch(row.url, {
        method: 'POST',
        headers: webhookHeaders(secret, row.id, Math.floor(now.getTime() / 1000), body),
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => {});
      if (statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (caught) {
      error = (caught as Error).name === 'TimeoutError' ? 'timeout' : (caught as Error).message.slice(0, 300);
    }
    const outcome = deliveryOutcome(statusCode);
    if (outcome === 'delivered') return { id: row.id, outcome: 'delivered', statusCode, error: null, retryAt: null };
    const retryAt = outcome === 'gone' ? null : nextWebhookAttempt(row.attempts, row.created_at, now);
    this.options.log?.('webhook delivery failed', { deliveryId: row.id, url: row.url, statusCode, error, retryAt });
    return { id: row.id, outcome: retryAt ? 'retry' : 'failed', statusCode, error, retryAt: retryAt?.toISOString() ?? null };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let delivered = 0;
      try {
        delivered = await this.deliverDue();
      } catch (error) {
        this.options.log?.('webhook delivery pass failed', { error: (error as Error).message });
      }
      if (delivered === 0 && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 500);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}
