import { describe, expect, it } from 'vitest';
import { daysInclusive, prorateMonthlyPrice, splitByMonth } from './proration.ts';

describe('prorateMonthlyPrice (R-POI, actual days)', () => {
  it('bills 3 POI at €29/month added on 10 March for 10–31 March: €61.74', () => {
    const proration = prorateMonthlyPrice({ monthlyPriceCents: 2900, quantity: 3, from: '2026-03-10', to: '2026-03-31' });
    expect(proration).toEqual({
      lines: [{ from: '2026-03-10', to: '2026-03-31', days: 22, daysInMonth: 31, amountCents: 6174 }],
      totalCents: 6174,
    });
  });

  it('rounds the line once, not each unit', () => {
    // One POI: 2900 × 22 / 31 = 2058.06 → 2058; eleven: 31900 × 22 / 31 = 22638.71 → 22639, not 11 × 2058 = 22638.
    expect(prorateMonthlyPrice({ monthlyPriceCents: 2900, from: '2026-03-10', to: '2026-03-31' }).totalCents).toBe(2058);
    expect(prorateMonthlyPrice({ monthlyPriceCents: 2900, quantity: 11, from: '2026-03-10', to: '2026-03-31' }).totalCents).toBe(22639);
    // 1 cent/month over 1 day of 31, 100 units: 100/31 = 3.23 → 3 (per unit it would be 0).
    expect(prorateMonthlyPrice({ monthlyPriceCents: 1, quantity: 100, from: '2026-03-10', to: '2026-03-10' }).totalCents).toBe(3);
  });

  it('gives exactly the monthly price for a whole month of any length', () => {
    for (const [from, to] of [
      ['2026-02-01', '2026-02-28'],
      ['2028-02-01', '2028-02-29'],
      ['2026-04-01', '2026-04-30'],
      ['2026-03-01', '2026-03-31'],
    ] as const) {
      expect(prorateMonthlyPrice({ monthlyPriceCents: 2999, quantity: 7, from, to }).totalCents).toBe(2999 * 7);
    }
  });

  it('splits a period spanning two months into one line per month, each at its own daily rate', () => {
    // 20 January – 10 February 2026: 12/31 of January, 10/28 of February.
    const proration = prorateMonthlyPrice({ monthlyPriceCents: 2900, quantity: 3, from: '2026-01-20', to: '2026-02-10' });
    expect(proration.lines).toEqual([
      { from: '2026-01-20', to: '2026-01-31', days: 12, daysInMonth: 31, amountCents: 3368 }, // 104400/31 = 3367.74
      { from: '2026-02-01', to: '2026-02-10', days: 10, daysInMonth: 28, amountCents: 3107 }, // 87000/28 = 3107.14
    ]);
    expect(proration.totalCents).toBe(3368 + 3107);
  });

  it('crosses a year end and a leap February', () => {
    const proration = prorateMonthlyPrice({ monthlyPriceCents: 2900, from: '2027-12-31', to: '2028-02-29' });
    expect(proration.lines.map((line) => [line.from, line.to, line.days, line.daysInMonth, line.amountCents])).toEqual([
      ['2027-12-31', '2027-12-31', 1, 31, 94], // 93.55
      ['2028-01-01', '2028-01-31', 31, 31, 2900],
      ['2028-02-01', '2028-02-29', 29, 29, 2900],
    ]);
  });

  it('rounds a half cent up', () => {
    // 31 cents × 15 days / 30 = 15.5 → 16; 29 × 15/30 = 14.5 → 15.
    expect(prorateMonthlyPrice({ monthlyPriceCents: 31, from: '2026-04-01', to: '2026-04-15' }).totalCents).toBe(16);
    expect(prorateMonthlyPrice({ monthlyPriceCents: 29, from: '2026-04-16', to: '2026-04-30' }).totalCents).toBe(15);
  });

  it('bills a single day and a zero quantity', () => {
    expect(prorateMonthlyPrice({ monthlyPriceCents: 3000, from: '2026-04-30', to: '2026-04-30' }).totalCents).toBe(100);
    expect(prorateMonthlyPrice({ monthlyPriceCents: 3000, quantity: 0, from: '2026-04-01', to: '2026-04-30' }).totalCents).toBe(0);
  });

  it('is exact for amounts whose product exceeds 2^53', () => {
    // 10^15 × 7 × 30 = 2.1 × 10^17 > 2^53; / 31 = 6 774 193 548 387 096.77 → …097.
    const big = prorateMonthlyPrice({ monthlyPriceCents: 1e15, quantity: 7, from: '2026-03-01', to: '2026-03-30' });
    expect(big.totalCents).toBe(6_774_193_548_387_097);
    expect(() => prorateMonthlyPrice({ monthlyPriceCents: Number.MAX_SAFE_INTEGER, quantity: 2, from: '2026-03-01', to: '2026-03-31' })).toThrow(RangeError);
  });

  it('refuses an empty period, a negative price or a fractional quantity', () => {
    expect(() => prorateMonthlyPrice({ monthlyPriceCents: 2900, from: '2026-03-11', to: '2026-03-10' })).toThrow(RangeError);
    expect(() => prorateMonthlyPrice({ monthlyPriceCents: -1, from: '2026-03-10', to: '2026-03-10' })).toThrow(RangeError);
    expect(() => prorateMonthlyPrice({ monthlyPriceCents: 29.5, from: '2026-03-10', to: '2026-03-10' })).toThrow(RangeError);
    expect(() => prorateMonthlyPrice({ monthlyPriceCents: 2900, quantity: 1.5, from: '2026-03-10', to: '2026-03-10' })).toThrow(RangeError);
    expect(() => prorateMonthlyPrice({ monthlyPriceCents: 2900, from: '2026-02-30', to: '2026-03-10' })).toThrow(RangeError);
  });
});

describe('splitByMonth and daysInclusive', () => {
  it('cuts at month ends and counts both ends', () => {
    expect(splitByMonth({ from: '2026-03-10', to: '2026-05-02' })).toEqual([
      { from: '2026-03-10', to: '2026-03-31' },
      { from: '2026-04-01', to: '2026-04-30' },
      { from: '2026-05-01', to: '2026-05-02' },
    ]);
    expect(splitByMonth({ from: '2026-03-10', to: '2026-03-10' })).toEqual([{ from: '2026-03-10', to: '2026-03-10' }]);
    expect(daysInclusive({ from: '2026-03-10', to: '2026-03-31' })).toBe(22);
  });
});
