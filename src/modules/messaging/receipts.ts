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
 * applied in batches (one round trip for up to `maxBatch` receipts, as soon as the event loop is free).
 * `add` resolves once its receipt is committed, so the provider is acknowledged only then: if
 * this process dies first, the provider delivers the receipt again and nothing is lost.
 * A receipt for a submit not yet recorded waits in pending_receipts (see migration 0004).
 */
export class ReceiptSink {
  #buffer: BufferedReceipt[] = [];
  #waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #scheduled = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  applied = 0;

  /**
   * A batch leaves as soon as the event loop is free (no fixed timer), with up to `concurrency`
   * batches committing at once: the provider's acknowledgement window is what paces receipts, so
   * the time a batch waits before it is written is time the provider cannot send more.
   */
  constructor(
    private readonly db: Database,
    private readonly options: { maxBatch?: number; concurrency?: number; log?: (line: string, fields?: Record<string, unknown>) => void } = {},
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
    this.#schedule();
    return committed;
  }

  /** Writes everything buffered and waits for every batch in flight. */
  async flush(): Promise<void> {
    while (this.#buffer.length) this.#startBatch();
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      while (this.#buffer.length && this.#inFlight < (this.options.concurrency ?? 2)) this.#startBatch();
    });
  }

  #startBatch(): void {
    const size = this.options.maxBatch ?? 500;
    const batch = this.#buffer.splice(0, size);
    const waiters = this.#waiters.splice(0, size);
    if (!batch.length) return;
    this.#inFlight++;
    void this.#apply(batch, waiters).finally(() => {
      this.#inFlight--;
      if (this.#buffer.length) this.#schedule();
      else if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  async #apply(batch: BufferedReceipt[], waiters: Array<{ resolve: () => void; reject: (error: Error) => void }>): Promise<void> {
    try {
      const { rows } = await sql<{ matched: number }>`select apply_receipts(${JSON.stringify(batch)}::jsonb) as matched`.execute(this.db);
      this.applied += rows[0]?.matched ?? 0;
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      // Not acknowledged: the provider will deliver these receipts again.
      this.options.log?.('applying receipts failed', { count: batch.length, error: (error as Error).message });
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  }
}
