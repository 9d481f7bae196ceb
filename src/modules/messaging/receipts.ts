import { sql } from 'kysely';
import type { DeliveryReport } from '../../channels/types.ts';
import type { Database } from '../../platform/db/database.ts';

interface BufferedReceipt {
  providerId: string;
  connector: string;
  status: string;
  at: string;
  providerCode?: string;
  attribution?: string;
}

/**
 * Delivery receipts arrive one by one (SMPP deliver_sm, WhatsApp and RCS webhooks); they are
 * applied in batches (one round trip for up to `maxBatch` receipts, at least every `flushMs`).
 * `add` resolves once its receipt is committed, so the provider is acknowledged only then: if
 * this process dies first, the provider delivers the receipt again and nothing is lost.
 * A receipt for a submit not yet recorded waits in pending_receipts (see migration 0004).
 */
export class ReceiptSink {
  #buffer: BufferedReceipt[] = [];
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  applied = 0;

  constructor(
    private readonly db: Database,
    private readonly options: { maxBatch?: number; flushMs?: number; log?: (line: string, fields?: Record<string, unknown>) => void } = {},
  ) {}

  /** Records a report from a connector (`connector` is its id: provider ids are unique per connector). */
  add(connector: string, report: DeliveryReport): Promise<void> {
    if (report.status === 'sent') return Promise.resolve(); // not a delivery outcome
    const committed = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#buffer.push({
      providerId: report.providerId,
      connector,
      status: report.status,
      at: report.at.toISOString(),
      ...(report.providerCode ? { providerCode: report.providerCode } : {}),
      ...(report.attribution ? { attribution: report.attribution } : {}),
    });
    if (this.#buffer.length >= (this.options.maxBatch ?? 500)) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 10);
    return committed;
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    const waiters = this.#waiters;
    this.#buffer = [];
    this.#waiters = [];
    if (!batch.length) return this.#flushing;
    this.#flushing = this.#flushing.then(async () => {
      try {
        const { rows } = await sql<{ matched: number }>`select apply_receipts(${JSON.stringify(batch)}::jsonb) as matched`.execute(this.db);
        this.applied += rows[0]?.matched ?? 0;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        // Not acknowledged: the provider will deliver these receipts again.
        this.options.log?.('applying receipts failed', { count: batch.length, error: (error as Error).message });
        for (const waiter of waiters) waiter.reject(error as Error);
      }
    });
    return this.#flushing;
  }
}
