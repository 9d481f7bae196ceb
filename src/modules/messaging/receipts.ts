import { sql } from 'kysely';
import type { DeliveryReport } from '../../channels/types.ts';
import type { Database } from '../../platform/db/database.ts';

/**
 * Delivery receipts arrive one by one (SMPP deliver_sm, WhatsApp and RCS webhooks); they are
 * applied in batches (one round trip for up to `maxBatch` receipts, at least every `flushMs`).
 * A receipt for a submit not yet recorded waits in pending_receipts (see migration 0004).
 */
export class ReceiptSink {
  #buffer: Array<{ providerId: string; connector: string; status: string; at: string; providerCode?: string; attribution?: string }> = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  applied = 0;

  constructor(
    private readonly db: Database,
    private readonly options: { maxBatch?: number; flushMs?: number; log?: (line: string, fields?: Record<string, unknown>) => void } = {},
  ) {}

  /** Records a report from a connector (`connector` is its id: provider ids are unique per connector). */
  add(connector: string, report: DeliveryReport): void {
    if (report.status === 'sent') return; // not a delivery outcome
    this.#buffer.push({
      providerId: report.providerId,
      connector,
      status: report.status,
      at: report.at.toISOString(),
      ...(report.providerCode ? { providerCode: report.providerCode } : {}),
      ...(report.attribution ? { attribution: report.attribution } : {}),
    });
    if (this.#buffer.length >= (this.options.maxBatch ?? 1000)) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 50);
  }

  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    if (!batch.length) return this.#flushing;
    this.#flushing = this.#flushing.then(async () => {
      try {
        const { rows } = await sql<{ matched: number }>`select apply_receipts(${JSON.stringify(batch)}::jsonb) as matched`.execute(this.db);
        this.applied += rows[0]?.matched ?? 0;
      } catch (error) {
        this.options.log?.('applying receipts failed; will retry', { count: batch.length, error: (error as Error).message });
        this.#buffer.unshift(...batch);
        this.#timer ??= setTimeout(() => void this.flush(), 1000);
      }
    });
    return this.#flushing;
  }
}
