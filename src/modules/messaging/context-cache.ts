/**
 * What preparing a tenant's messages reads (settings, prices, owned numbers), kept in memory
 * with the version it was read at (migration 0007: triggers move a tenant's version on every
 * change of its settings, prices or senders). A stale entry cannot do harm: the statement that
 * stores the messages checks the version, and on a mismatch the service drops the entry, reads
 * the context again and prepares again. The entry is also dropped when a price it read the
 * absence of takes effect (`validUntil`), and after `maxAgeMs` whatever happens.
 */
export interface VersionedContext<C> {
  version: number;
  context: C;
  /** Epoch ms from which the entry may no longer be used (the next price change), or null. */
  validUntil: number | null;
}

interface Entry<C> {
  promise: Promise<VersionedContext<C>>;
  loadedAt: number;
  /** Known once loaded. */
  value?: VersionedContext<C>;
}

export class SendContextCache<C> {
  readonly #entries = new Map<string, Entry<C>>();

  constructor(
    private readonly load: (tenantId: string) => Promise<VersionedContext<C>>,
    private readonly now: () => number,
    private readonly options: { maxAgeMs: number; maxTenants: number } = { maxAgeMs: 60_000, maxTenants: 10_000 },
  ) {}

  /** The tenant's context: from memory when usable, else read once for all who ask meanwhile. */
  get(tenantId: string): Promise<VersionedContext<C>> {
    const now = this.now();
    const entry = this.#entries.get(tenantId);
    if (entry && now - entry.loadedAt < this.options.maxAgeMs && (entry.value?.validUntil ?? Number.POSITIVE_INFINITY) > now) return entry.promise;
    if (this.#entries.size >= this.options.maxTenants) this.#entries.clear();
    const fresh: Entry<C> = { loadedAt: now, promise: this.load(tenantId) };
    fresh.promise.then(
      (value) => {
        fresh.value = value;
      },
      () => {
        if (this.#entries.get(tenantId) === fresh) this.#entries.delete(tenantId);
      },
    );
    this.#entries.set(tenantId, fresh);
    return fresh.promise;
  }

  /** Drops the entry of `stale` (one being read again, or read since, stays). */
  forget(tenantId: string, stale: VersionedContext<C>): void {
    const value = this.#entries.get(tenantId)?.value;
    if (value && value.version <= stale.version) this.#entries.delete(tenantId);
  }
}
