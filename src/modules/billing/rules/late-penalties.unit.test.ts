import { describe, expect, it } from 'vitest';
import {
  assertLegalRateTable,
  computeLatePenalty,
  computeLatePenaltyOnBalance,
  DEFAULT_LEGAL_RATES,
  legalRateOn,
  penaltyRateBpOn,
  RECOVERY_INDEMNITY_CENTS,
} from './late-penalties.ts';

describe('legal interest rates', () => {
  it('ships the 2026 H1 professional rate, 2.62 %, and 3 × it as the penalty rate (7.86 %)', () => {
    expect(legalRateOn('2026-01-01')).toEqual({ effectiveFrom: '2026-01-01', rateBp: 262 });
    expect(legalRateOn('2026-06-30').rateBp).toBe(262);
    expect(penaltyRateBpOn('2026-03-15')).toBe(786);
  });

  it('finds the semester of any day, the last known rate applying until a newer one is entered', () => {
    expect(legalRateOn('2025-12-31').rateBp).toBe(276);
    expect(legalRateOn('2025-07-01').rateBp).toBe(276);
    expect(legalRateOn('2025-06-30').rateBp).toBe(371);
    expect(legalRateOn('2024-03-01').rateBp).toBe(507);
    expect(legalRateOn('2023-07-01').rateBp).toBe(422);
    expect(legalRateOn('2019-01-01').rateBp).toBe(86);
    expect(legalRateOn('2027-03-01').rateBp).toBe(262);
    expect(penaltyRateBpOn('2025-09-01')).toBe(828);
  });

  it('refuses a day before the table, and malformed tables', () => {
    expect(() => legalRateOn('2018-12-31')).toThrow(/no legal interest rate/);
    expect(() => legalRateOn('2026-02-30')).toThrow(RangeError);
    expect(() => assertLegalRateTable([])).toThrow(RangeError);
    expect(() =>
      assertLegalRateTable([
        { effectiveFrom: '2026-01-01', rateBp: 262 },
        { effectiveFrom: '2025-07-01', rateBp: 276 },
      ]),
    ).toThrow(/increasing/);
    expect(() =>
      assertLegalRateTable([
        { effectiveFrom: '2026-01-01', rateBp: 262 },
        { effectiveFrom: '2026-01-01', rateBp: 263 },
      ]),
    ).toThrow(/increasing/);
    expect(() => assertLegalRateTable([{ effectiveFrom: '2026-01-01', rateBp: 2.62 }])).toThrow(RangeError);
    expect(() => assertLegalRateTable([{ effectiveFrom: '2026-13-01', rateBp: 262 }])).toThrow(RangeError);
    expect(() => assertLegalRateTable(DEFAULT_LEGAL_RATES)).not.toThrow();
  });

  it('has one entry per semester, on 1 January and 1 July', () => {
    for (const [i, entry] of DEFAULT_LEGAL_RATES.entries()) {
      expect(entry.effectiveFrom.slice(4), entry.effectiveFrom).toBe(i % 2 === 0 ? '-01-01' : '-07-01');
    }
  });
});

describe('computeLatePenalty (R-LATE)', () => {
  it('charges 7.75 € + 40 € for 1 200 € TTC paid 30 days late at 7.86 % (issue 5)', () => {
    // 1 200 × 7.86 % × 30 / 365 = 7.7523… €
    const penalty = computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2026-02-01', paidOn: '2026-03-03' });
    expect(penalty).toEqual({
      daysLate: 30,
      periods: [{ from: '2026-02-02', to: '2026-03-03', days: 30, balanceCents: 120_000, legalRateBp: 262, penaltyRateBp: 786 }],
      interestCents: 775,
      indemnityCents: 4000,
      totalCents: 4775,
    });
  });

  it('gives the same result from a one-line table of the rate', () => {
    const table = [{ effectiveFrom: '2026-01-01', rateBp: 262 }];
    expect(computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2026-02-01', paidOn: '2026-03-03', table })).toMatchObject({ interestCents: 775, indemnityCents: 4000 });
  });

  it('counts from the day after the due date to the day of payment', () => {
    expect(computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2026-02-01', paidOn: '2026-02-01' })).toEqual({ daysLate: 0, periods: [], interestCents: 0, indemnityCents: 0, totalCents: 0 });
    expect(computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2026-02-01', paidOn: '2026-01-20' })).toMatchObject({ daysLate: 0, totalCents: 0 });
    // One day: 1 200 × 7.86 % / 365 = 0.2584 € → 0.26 €, and the whole indemnity.
    expect(computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2026-02-01', paidOn: '2026-02-02' })).toMatchObject({ daysLate: 1, interestCents: 26, indemnityCents: RECOVERY_INDEMNITY_CENTS, totalCents: 4026 });
  });

  it('takes each day at the rate of its own semester', () => {
    // 15 days of December 2025 at 8.28 %, 15 days of January 2026 at 7.86 %.
    const penalty = computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2025-12-16', paidOn: '2026-01-15' });
    expect(penalty.periods).toEqual([
      { from: '2025-12-17', to: '2025-12-31', days: 15, balanceCents: 120_000, legalRateBp: 276, penaltyRateBp: 828 },
      { from: '2026-01-01', to: '2026-01-15', days: 15, balanceCents: 120_000, legalRateBp: 262, penaltyRateBp: 786 },
    ]);
    // 120 000 × (15 × 828 + 15 × 786) / (10 000 × 365) = 795.95 c, rounded once.
    expect(penalty).toMatchObject({ daysLate: 30, interestCents: 796, totalCents: 4796 });
  });

  it('rounds the sum of the days once, not each period', () => {
    // One day at 30 % and one at 30.03 % on 15.88 €: 1.305 c + 1.307 c = 2.61 c → 3 c
    // (rounding each period first would give 1 + 1 = 2 c).
    const table = [
      { effectiveFrom: '2026-01-01', rateBp: 1000 },
      { effectiveFrom: '2026-01-03', rateBp: 1001 },
    ];
    const penalty = computeLatePenalty({ amountTtcCents: 1588, dueDate: '2026-01-01', paidOn: '2026-01-03', table });
    expect(penalty.periods.map((p) => [p.from, p.days, p.penaltyRateBp])).toEqual([
      ['2026-01-02', 1, 3000],
      ['2026-01-03', 1, 3003],
    ]);
    expect(penalty).toMatchObject({ interestCents: 3, indemnityCents: 4000, totalCents: 4003 });
  });

  it('counts 365 days a year in leap years too', () => {
    const table = [{ effectiveFrom: '2028-01-01', rateBp: 1000 }]; // 30 % penalty rate
    // 29 days of February 2028: 365 000 × 3 000 × 29 / 3 650 000 = 8 700 c.
    expect(computeLatePenalty({ amountTtcCents: 365_000, dueDate: '2028-01-31', paidOn: '2028-02-29', table })).toMatchObject({ daysLate: 29, interestCents: 8700 });
  });

  it('computes up to a date for an invoice still unpaid', () => {
    expect(computeLatePenalty({ amountTtcCents: 120_000, dueDate: '2026-02-01', paidOn: '2026-02-11' })).toMatchObject({ daysLate: 10, interestCents: 258 });
  });

  it('refuses malformed inputs and dates before the table', () => {
    expect(() => computeLatePenalty({ amountTtcCents: 12.5, dueDate: '2026-02-01', paidOn: '2026-03-03' })).toThrow(RangeError);
    expect(() => computeLatePenalty({ amountTtcCents: -1, dueDate: '2026-02-01', paidOn: '2026-03-03' })).toThrow(RangeError);
    expect(() => computeLatePenalty({ amountTtcCents: 100, dueDate: '2026-02-31', paidOn: '2026-03-03' })).toThrow(RangeError);
    expect(() => computeLatePenalty({ amountTtcCents: 100, dueDate: '2018-12-01', paidOn: '2019-01-10' })).toThrow(/no legal interest rate/);
  });
});

describe('computeLatePenaltyOnBalance', () => {
  it('charges each late day on what was still unpaid that day', () => {
    // 1 200 € due 1 Feb; 600 € paid 11 Feb (day 10, still counted on 1 200 €), 600 € on 3 March.
    const penalty = computeLatePenaltyOnBalance({
      amountTtcCents: 120_000,
      dueDate: '2026-02-01',
      until: '2026-03-03',
      payments: [
        { date: '2026-02-11', amountCents: 60_000 },
        { date: '2026-03-03', amountCents: 60_000 },
      ],
    });
    expect(penalty.periods).toEqual([
      { from: '2026-02-02', to: '2026-02-11', days: 10, balanceCents: 120_000, legalRateBp: 262, penaltyRateBp: 786 },
      { from: '2026-02-12', to: '2026-03-03', days: 20, balanceCents: 60_000, legalRateBp: 262, penaltyRateBp: 786 },
    ]);
    // (10 × 120 000 + 20 × 60 000) × 786 / 3 650 000 = 516.82 c
    expect(penalty).toMatchObject({ daysLate: 30, interestCents: 517, indemnityCents: 4000, totalCents: 4517 });
  });

  it('stops when the balance is paid, whatever the date given', () => {
    const penalty = computeLatePenaltyOnBalance({ amountTtcCents: 120_000, dueDate: '2026-02-01', until: '2026-06-30', payments: [{ date: '2026-03-03', amountCents: 120_000 }] });
    expect(penalty).toMatchObject({ daysLate: 30, interestCents: 775, totalCents: 4775 });
  });

  it('lowers the late balance by payments made on time', () => {
    const penalty = computeLatePenaltyOnBalance({ amountTtcCents: 120_000, dueDate: '2026-02-01', until: '2026-03-03', payments: [{ date: '2026-02-01', amountCents: 60_000 }] });
    expect(penalty.periods).toEqual([{ from: '2026-02-02', to: '2026-03-03', days: 30, balanceCents: 60_000, legalRateBp: 262, penaltyRateBp: 786 }]);
    expect(penalty.interestCents).toBe(388); // 387.6 c
    // Paid in full on time: nothing late, no indemnity.
    expect(computeLatePenaltyOnBalance({ amountTtcCents: 120_000, dueDate: '2026-02-01', until: '2026-03-03', payments: [{ date: '2026-01-25', amountCents: 120_000 }] })).toMatchObject({
      daysLate: 0,
      totalCents: 0,
    });
  });

  it('refuses non-positive payments', () => {
    expect(() => computeLatePenaltyOnBalance({ amountTtcCents: 100, dueDate: '2026-02-01', until: '2026-03-03', payments: [{ date: '2026-02-10', amountCents: 0 }] })).toThrow(RangeError);
    expect(() => computeLatePenaltyOnBalance({ amountTtcCents: 100, dueDate: '2026-02-01', until: '2026-03-03', payments: [{ date: '2026-02-30', amountCents: 10 }] })).toThrow(RangeError);
  });
});
