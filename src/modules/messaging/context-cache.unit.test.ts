import { describe, expect, it } from 'vitest';
import { SendContextCache, type VersionedContext } from './context-cache.ts';

/** A cache over a loader that counts its reads and answers what the test says. */
function harness(options?: { maxAgeMs: number; maxTenants: number }) {
  let now = 1_000_000;
  const loads: string[] = [];
  let next: (tenantId: string) => Promise<VersionedContext<string>> = async (tenantId) => ({ version: loads.length, context: `${tenantId}@${loads.length}`, validUntil: null });
  const cache = new SendContextCache<string>(
    (tenantId) => {
      loads.push(tenantId);
      return next(tenantId);
    },
    () => now,
    options,
  );
  return {
    cache,
    loads,
    advance: (ms: number) => {
      now += ms;
    },
    at: () => now,
    answer: (loader: typeof next) => {
      next = loader;
    },
  };
}

describe('SendContextCache', () => {
  it('reads a tenant once for everyone who asks, and keeps tenants apart', async () => {
    const h = harness();
    const [a, b, c] = await Promise.all([h.cache.get('t1'), h.cache.get('t1'), h.cache.get('t2')]);
    expect(a).toBe(b);
    expect(c?.context).toBe('t2@2');
    expect(await h.cache.get('t1')).toBe(a);
    expect(h.loads).toEqual(['t1', 't2']);
  });

  it('reads again after a stale version is reported, but not for a report about an older entry', async () => {
    const h = harness();
    const first = await h.cache.get('t');
    h.cache.forget('t', first);
    const second = await h.cache.get('t');
    expect(second).not.toBe(first);
    // A flush that prepared with `first` finds it stale after `second` was read: `second` stays.
    h.cache.forget('t', first);
    expect(await h.cache.get('t')).toBe(second);
    expect(h.loads).toEqual(['t', 't']);
  });

  it('reads again once the next price change takes effect', async () => {
    const h = harness();
    h.answer(async () => ({ version: 1, context: 'before', validUntil: h.at() + 5_000 }));
    expect((await h.cache.get('t')).context).toBe('before');
    h.advance(4_999);
    expect((await h.cache.get('t')).context).toBe('before');
    h.answer(async () => ({ version: 1, context: 'after', validUntil: null }));
    h.advance(1);
    expect((await h.cache.get('t')).context).toBe('after');
  });

  it('reads again after maxAgeMs whatever happens, and forgets everything beyond maxTenants', async () => {
    const h = harness({ maxAgeMs: 1_000, maxTenants: 2 });
    await h.cache.get('a');
    h.advance(999);
    await h.cache.get('a');
    h.advance(1);
    await h.cache.get('a');
    expect(h.loads).toEqual(['a', 'a']);
    await h.cache.get('b');
    await h.cache.get('c');
    await h.cache.get('a');
    expect(h.loads).toEqual(['a', 'a', 'b', 'c', 'a']);
  });

  it('does not keep a failed read', async () => {
    const h = harness();
    h.answer(async () => {
      throw new Error('connection refused');
    });
    await expect(h.cache.get('t')).rejects.toThrow('connection refused');
    h.answer(async () => ({ version: 3, context: 'ok', validUntil: null }));
    expect((await h.cache.get('t')).context).toBe('ok');
  });
});
