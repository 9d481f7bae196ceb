import { AppError } from '../../platform/errors.ts';

/**
 * Group commit for the send API (issue 3, "single POST /v1/messages ≥ 1,500 req/s"): concurrent
 * work items of one lane (a tenant) share one flush (one transaction, one multi-row insert)
 * instead of paying a transaction each. A lone item leaves at once (on the next turn of the
 * event loop, so items that arrived together go together); items that arrive while the lane's
 * flushes are running wait for the next one. Each caller gets its own outcome, after the flush
 * that carried its item has finished (for sends: after the COMMIT, so a 202 still means stored).
 *
 * Failures stay per item: the flush returns an outcome per item (a refused message does not
 * refuse its neighbours). If a flush of several items fails as a whole and `splitOn` says the
 * failure may be one item's doing (e.g. a value PostgreSQL refuses), each item is flushed again
 * alone, so only the culprit fails.
 */
export interface CoalescerOptions {
  /** Most items in one flush. */
  maxGroup: number;
  /** Items waiting in one lane beyond which new ones are refused at once (503): a bounded queue. */
  maxQueued: number;
  /** Flushes of one lane running at once (each holds a database connection). */
  maxInFlight: number;
}

export const DEFAULT_COALESCER_OPTIONS: CoalescerOptions = { maxGroup: 500, maxQueued: 10_000, maxInFlight: 2 };

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<T, R> {
  item: T;
  token: string | undefined;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

interface Lane<T, R> {
  queue: Pending<T, R>[];
  inFlight: number;
  /** Tokens of the items in the running flushes. */
  busy: Set<string>;
  scheduled: boolean;
}

export interface CoalescerHooks<T, R> {
  /** Flushes one group of a lane; returns one outcome per item, in order. */
  flush: (lane: string, items: T[]) => Promise<Outcome<R>[]>;
  /**
   * Items with the same token never share a flush, nor run beside one another: the second waits
   * for the first to finish (the same Idempotency-Key: the second then finds the first's answer).
   */
  tokenOf?: (item: T) => string | undefined;
  /** Whether a whole-flush failure may come from one item (then each is flushed alone). */
  splitOn?: (error: unknown) => boolean;
}

export class Coalescer<T, R> {
  readonly #lanes = new Map<string, Lane<T, R>>();
  readonly #options: CoalescerOptions;

  constructor(
    private readonly hooks: CoalescerHooks<T, R>,
    options: Partial<CoalescerOptions> = {},
  ) {
    this.#options = { ...DEFAULT_COALESCER_OPTIONS, ...options };
    const { maxGroup, maxQueued, maxInFlight } = this.#options;
    if (!(maxGroup >= 1 && maxQueued >= 1 && maxInFlight >= 1)) throw new Error('Coalescer options must be at least 1');
  }

  /** Items waiting or being flushed, all lanes together (for tests and metrics). */
  get pending(): number {
    let count = 0;
    for (const lane of this.#lanes.values()) count += lane.queue.length + lane.busy.size;
    return count;
  }

  submit(laneKey: string, item: T): Promise<R> {
    let lane = this.#lanes.get(laneKey);
    if (!lane) {
      lane = { queue: [], inFlight: 0, busy: new Set(), scheduled: false };
      this.#lanes.set(laneKey, lane);
    }
    if (lane.queue.length >= this.#options.maxQueued) {
      return Promise.reject(new AppError('service_unavailable', 'Too many messages are waiting to be stored for this account; retry in a moment', { extensions: { retryAfterSeconds: 1 } }));
    }
    const current = lane;
    return new Promise<R>((resolve, reject) => {
      current.queue.push({ item, token: this.hooks.tokenOf?.(item), resolve, reject });
      this.#schedule(laneKey, current);
    });
  }

  /** The first flush waits for the end of this turn of the event loop: requests parsed together leave together. */
  #schedule(laneKey: string, lane: Lane<T, R>): void {
    if (lane.scheduled || lane.inFlight >= this.#options.maxInFlight) return;
    lane.scheduled = true;
    setImmediate(() => {
      lane.scheduled = false;
      this.#drain(laneKey, lane);
    });
  }

  #drain(laneKey: string, lane: Lane<T, R>): void {
    while (lane.inFlight < this.#options.maxInFlight && lane.queue.length) {
      const group = this.#takeGroup(lane);
      if (!group.length) break;
      lane.inFlight++;
      void this.#run(laneKey, group).finally(() => {
        lane.inFlight--;
        for (const pending of group) if (pending.token !== undefined) lane.busy.delete(pending.token);
        if (lane.queue.length) this.#drain(laneKey, lane);
        else if (lane.inFlight === 0 && this.#lanes.get(laneKey) === lane) this.#lanes.delete(laneKey);
      });
    }
  }

  /** Up to maxGroup items in arrival order, leaving in the queue those whose token is taken. */
  #takeGroup(lane: Lane<T, R>): Pending<T, R>[] {
    const group: Pending<T, R>[] = [];
    const kept: Pending<T, R>[] = [];
    for (const pending of lane.queue) {
      if (group.length < this.#options.maxGroup && (pending.token === undefined || !lane.busy.has(pending.token))) {
        if (pending.token !== undefined) lane.busy.add(pending.token);
        group.push(pending);
      } else {
        kept.push(pending);
      }
    }
    lane.queue = kept;
    return group;
  }

  async #run(laneKey: string, group: Pending<T, R>[]): Promise<void> {
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.hooks.flush(
        laneKey,
        group.map((p) => p.item),
      );
    } catch (error) {
      if (group.length > 1 && this.hooks.splitOn?.(error)) {
        // One transaction rolled back as a whole: nothing of it was stored, so each item may go again alone.
        await Promise.all(group.map((pending) => this.#run(laneKey, [pending])));
        return;
      }
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (!outcome) pending.reject(new Error('the flush returned no outcome for this item'));
      else if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}

/**
 * A PostgreSQL error that one item's data can cause (a value, a constraint, a limit), after
 * which the transaction is known to be rolled back: worth retrying each item alone. Not
 * connection loss, shutdown or resource errors (08, 57, 53, 58, XX): the outcome of a COMMIT can
 * be unknown there, and every item would fail again anyway.
 */
export function isItemLevelDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || code.length !== 5 || (error as { severity?: unknown }).severity === undefined) return false;
  return !['08', '57', '53', '58', 'XX'].includes(code.slice(0, 2));
}
