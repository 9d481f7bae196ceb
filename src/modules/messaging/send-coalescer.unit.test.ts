import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { Coalescer, type CoalescerOptions, isItemLevelDatabaseError, type Outcome } from './send-coalescer.ts';

interface Item {
  id: number;
  token?: string;
  fail?: 'refuse' | 'poison';
}

/** A flush that records its groups and can be held open, so tests decide when a "transaction" ends. */
function harness(options: Partial<CoalescerOptions> = {}, splitOn?: (error: unknown) => boolean) {
  const groups: number[][] = [];
  const running: Array<() => void> = [];
  let hold = false;
  let open = 0;
  let maxOpen = 0;
  const coalescer = new Coalescer<Item, string>(
    {
      flush: async (lane, items) => {
        groups.push(items.map((item) => item.id));
        open++;
        maxOpen = Math.max(maxOpen, open);
        if (hold) await new Promise<void>((resolve) => running.push(resolve));
        open--;
        // A poisoned item fails the whole group, as a value PostgreSQL refuses would.
        if (items.some((item) => item.fail === 'poison')) throw Object.assign(new Error('invalid input'), { code: '22P05', severity: 'ERROR' });
        return items.map((item): Outcome<string> => (item.fail === 'refuse' ? { ok: false, error: new AppError('invalid_phone_number', `item ${item.id}`) } : { ok: true, value: `${lane}:${item.id}` }));
      },
      tokenOf: (item) => item.token,
      ...(splitOn ? { splitOn } : {}),
    },
    options,
  );
  return {
    coalescer,
    groups,
    holdFlushes: () => {
      hold = true;
    },
    /** Lets every flush running now finish. */
    release: async () => {
      hold = false;
      for (const resolve of running.splice(0)) resolve();
      await new Promise((resolve) => setImmediate(resolve));
    },
    maxOpen: () => maxOpen,
  };
}

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);

describe('Coalescer (group commit of single sends)', () => {
  it('sends items submitted together in one flush, each caller getting its own answer', async () => {
    const h = harness();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, id) => h.coalescer.submit('tenant-a', { id })));
    expect(answers).toEqual(Array.from({ length: 50 }, (_, id) => `tenant-a:${id}`));
    expect(h.groups).toEqual([Array.from({ length: 50 }, (_, id) => id)]);
    expect(h.coalescer.pending).toBe(0);
  });

  it('flushes a lone item at once, and keeps tenants apart', async () => {
    const h = harness();
    expect(await h.coalescer.submit('tenant-a', { id: 1 })).toBe('tenant-a:1');
    const [a, b] = await Promise.all([h.coalescer.submit('tenant-a', { id: 2 }), h.coalescer.submit('tenant-b', { id: 3 })]);
    expect([a, b]).toEqual(['tenant-a:2', 'tenant-b:3']);
    expect(h.groups).toEqual([[1], [2], [3]]);
  });

  it('gathers the items that arrive while the flushes are busy into the next one', async () => {
    const h = harness({ maxInFlight: 1 });
    h.holdFlushes();
    const first = h.coalescer.submit('t', { id: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = [1, 2, 3].map((id) => h.coalescer.submit('t', { id }));
    expect(h.groups).toEqual([[0]]);
    await h.release();
    expect(await Promise.all([first, ...waiting])).toEqual(['t:0', 't:1', 't:2', 't:3']);
    expect(h.groups).toEqual([[0], [1, 2, 3]]);
  });

  it('never runs more flushes of a lane at once than maxInFlight, nor groups above maxGroup', async () => {
    const h = harness({ maxInFlight: 2, maxGroup: 3 });
    h.holdFlushes();
    const all = Array.from({ length: 10 }, (_, id) => h.coalescer.submit('t', { id }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.groups).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    await h.release();
    await Promise.all(all);
    expect(h.groups.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, id) => id));
    expect(Math.max(...h.groups.map((g) => g.length))).toBeLessThanOrEqual(3);
    expect(h.maxOpen()).toBe(2);
  });

  it('keeps items with the same token (Idempotency-Key) out of the same and of concurrent flushes', async () => {
    const h = harness({ maxInFlight: 4 });
    const answers = await Promise.all([
      h.coalescer.submit('t', { id: 1, token: 'k' }),
      h.coalescer.submit('t', { id: 2, token: 'k' }),
      h.coalescer.submit('t', { id: 3 }),
      h.coalescer.submit('t', { id: 4, token: 'other' }),
      h.coalescer.submit('t', { id: 5, token: 'k' }),
    ]);
    expect(answers).toEqual(['t:1', 't:2', 't:3', 't:4', 't:5']);
    // Arrival order is kept; each later 'k' waits for the previous flush to end.
    expect(h.groups).toEqual([[1, 3, 4], [2], [5]]);
  });

  it('fails a refused item alone', async () => {
    const h = harness();
    const results = await settle([1, 2, 3].map((id) => h.coalescer.submit('t', { id, ...(id === 2 ? { fail: 'refuse' as const } : {}) })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'invalid_phone_number', message: 'item 2' });
    expect(h.groups).toEqual([[1, 2, 3]]);
  });

  it('after a whole-flush failure that one item may cause, flushes each item alone so only the culprit fails', async () => {
    const h = harness({}, isItemLevelDatabaseError);
    const results = await settle([1, 2, 3].map((id) => h.coalescer.submit('t', { id, ...(id === 2 ? { fail: 'poison' as const } : {}) })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(h.groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('without splitOn (or for a connection failure), a failed flush fails every item in it', async () => {
    const h = harness();
    const results = await settle([1, 2].map((id) => h.coalescer.submit('t', { id, ...(id === 2 ? { fail: 'poison' as const } : {}) })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(h.groups).toEqual([[1, 2]]);
  });

  it('refuses new items with 503 once a lane has maxQueued waiting (a bounded queue)', async () => {
    const h = harness({ maxInFlight: 1, maxQueued: 2 });
    h.holdFlushes();
    const first = h.coalescer.submit('t', { id: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    const queued = [h.coalescer.submit('t', { id: 1 }), h.coalescer.submit('t', { id: 2 })];
    await expect(h.coalescer.submit('t', { id: 3 })).rejects.toMatchObject({ code: 'service_unavailable', status: 503 });
    // Another tenant has its own lane.
    const other = h.coalescer.submit('u', { id: 4 });
    await h.release();
    expect(await Promise.all([first, ...queued, other])).toEqual(['t:0', 't:1', 't:2', 'u:4']);
  });

  it('rejects options below 1', () => {
    expect(() => new Coalescer<Item, string>({ flush: async () => [] }, { maxInFlight: 0 })).toThrow(/at least 1/);
  });
});

describe('isItemLevelDatabaseError', () => {
  const pgError = (code: string) => Object.assign(new Error('x'), { code, severity: 'ERROR' });
  it('splits on data, constraint and conflict errors of PostgreSQL', () => {
    for (const code of ['22P05', '22001', '23505', '23514', '40001', '40P01', '54000']) expect(isItemLevelDatabaseError(pgError(code))).toBe(true);
  });
  it('does not split on lost connections, shutdown, resources or internal errors, nor on non-database errors', () => {
    for (const code of ['08006', '57P01', '53300', '58030', 'XX000']) expect(isItemLevelDatabaseError(pgError(code))).toBe(false);
    expect(isItemLevelDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isItemLevelDatabaseError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isItemLevelDatabaseError(new AppError('invalid_phone_number', 'x'))).toBe(false);
    expect(isItemLevelDatabaseError(null)).toBe(false);
  });
});
