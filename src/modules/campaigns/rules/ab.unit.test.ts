import { describe, expect, it } from 'vitest';
import { abBucket, abProblems, pickWinner, variantOfBucket } from './ab.ts';

describe('A/B buckets', () => {
  it('gives a contact the same bucket every time, and spreads contacts evenly', () => {
    const campaign = '0190f1e2-0000-7000-8000-000000000001';
    expect(abBucket(campaign, 'c1')).toBe(abBucket(campaign, 'c1'));
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 100_000; i++) counts[abBucket(campaign, `0190f1e2-0000-7000-8000-${String(i).padStart(12, '0')}`)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(850);
    expect(Math.max(...counts)).toBeLessThan(1150);
  });

  it('maps buckets to variants by their split, the rest waiting for the winner', () => {
    const variants = [
      { key: 'A', split: 10 },
      { key: 'B', split: 15 },
    ];
    expect(variantOfBucket(0, variants)).toBe(0);
    expect(variantOfBucket(9, variants)).toBe(0);
    expect(variantOfBucket(10, variants)).toBe(1);
    expect(variantOfBucket(24, variants)).toBe(1);
    expect(variantOfBucket(25, variants)).toBeNull();
    expect(variantOfBucket(99, [{ key: 'A', split: 100 }])).toBe(0);
  });
});

describe('A/B set-up', () => {
  it('accepts 2 to 4 variants that leave room for the winner, or add up to 100 without one', () => {
    expect(abProblems([{ key: 'A', split: 10 }, { key: 'B', split: 10 }], { metric: 'click_rate', afterHours: 4 })).toEqual([]);
    expect(abProblems([{ key: 'A', split: 50 }, { key: 'B', split: 50 }], null)).toEqual([]);
    expect(abProblems([{ key: 'A', split: 100 }], null)).toEqual([]);
  });

  it('refuses bad splits, keys, counts and winner rules', () => {
    expect(abProblems([{ key: 'A', split: 50 }, { key: 'B', split: 50 }], { metric: 'click_rate', afterHours: 4 })[0]?.[1]).toContain('leave some for the winner');
    expect(abProblems([{ key: 'A', split: 40 }, { key: 'B', split: 50 }], null)[0]?.[1]).toContain('add up to 100%');
    expect(abProblems([{ key: 'A', split: 50 }, { key: 'A', split: 50 }], null)).toEqual([['/variants/1/key', 'is used twice']]);
    expect(abProblems([{ key: 'E', split: 50 }, { key: 'A', split: 50 }], null)).toEqual([['/variants/0/key', 'must be A, B, C or D']]);
    expect(abProblems([1, 2, 3, 4, 5].map((i) => ({ key: 'ABCDE'[i - 1] as string, split: 20 })), null)[0]?.[0]).toBe('/variants');
    expect(abProblems([{ key: 'A', split: 100 }], { metric: 'click_rate', afterHours: 4 })).toEqual([['/ab/winner', 'a winner rule needs 2 to 4 variants']]);
    expect(abProblems([{ key: 'A', split: 10 }, { key: 'B', split: 10 }], { metric: 'click_rate', afterHours: 0 })).toEqual([['/ab/winner/afterHours', 'must be a whole number of hours from 1 to 168']]);
  });
});

describe('the winner', () => {
  it('takes the best click or delivery rate, not the biggest count', () => {
    const results = [
      { key: 'A', sent: 1000, delivered: 990, uniqueClicks: 50 },
      { key: 'B', sent: 500, delivered: 480, uniqueClicks: 30 },
    ];
    expect(pickWinner(results, 'click_rate')).toEqual({ index: 1, key: 'B' });
    expect(pickWinner(results, 'delivery_rate')).toEqual({ index: 0, key: 'A' });
  });

  it('keeps the first variant on a tie, and never picks one that sent nothing', () => {
    expect(pickWinner([{ key: 'A', sent: 100, delivered: 90, uniqueClicks: 10 }, { key: 'B', sent: 200, delivered: 180, uniqueClicks: 20 }], 'click_rate').key).toBe('A');
    expect(pickWinner([{ key: 'A', sent: 0, delivered: 0, uniqueClicks: 0 }, { key: 'B', sent: 10, delivered: 1, uniqueClicks: 1 }], 'click_rate').key).toBe('B');
    expect(pickWinner([{ key: 'A', sent: 10, delivered: 1, uniqueClicks: 0 }, { key: 'B', sent: 0, delivered: 0, uniqueClicks: 0 }], 'delivery_rate').key).toBe('A');
  });
});
