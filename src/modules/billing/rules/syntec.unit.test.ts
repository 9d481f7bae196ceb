import { describe, expect, it } from 'vitest';
import {
  applicableIndex,
  deemedPublicationDate,
  formatSyntecTenths,
  revisePrice,
  type SyntecIndexEntry,
  syntecRevision,
  syntecRevisionHistory,
  syntecTenths,
} from './syntec.ts';

// A made-up monthly series (SYNTEC révisé scale): January 2026 = 315.0, rising 0.5 a month.
const table: SyntecIndexEntry[] = Array.from({ length: 36 }, (_, i) => {
  const year = 2026 + Math.floor(i / 12);
  const month = (i % 12) + 1;
  return { month: `${year}-${String(month).padStart(2, '0')}-01`, value: (3150 + 5 * i) / 10 };
});

describe('revisePrice: P1 = P0 × S1 / S0 (R-PRICE)', () => {
  it('revises 1,000.00 × 322.2 / 315.0 to 1,022.86', () => {
    expect(revisePrice(100_000, 315.0, 322.2)).toBe(102_286);
    expect(revisePrice(100_000, '315.0', '322.2')).toBe(102_286);
    expect(revisePrice(100_000, '315,0', '322,2')).toBe(102_286);
  });

  it('rounds half up to the cent, exactly', () => {
    // 100 × 300.5 / 200.0 = 150.25 → 150; 101 × 300.0 / 200.0 = 151.5 → 152.
    expect(revisePrice(100, 200, 300.5)).toBe(150);
    expect(revisePrice(101, 200, 300)).toBe(152);
    // 2 900 × 280.6 / 286.4 = 2 841.27… → 2 841.
    expect(revisePrice(2900, 286.4, 280.6)).toBe(2841);
  });

  it('applies a falling index too, and leaves the price unchanged when S1 = S0', () => {
    expect(revisePrice(100_000, 322.2, 315)).toBe(97_765); // 97 765.36
    expect(revisePrice(123_457, 301.7, 301.7)).toBe(123_457);
  });

  it('is exact where floating point is not', () => {
    // 0.1 + 0.2 style drift: 1 cent × 300.3 / 100.1 = 3 exactly.
    expect(revisePrice(1, 100.1, 300.3)).toBe(3);
    expect(revisePrice(9_000_000_000_000, 100.1, 300.3)).toBe(27_000_000_000_000);
  });

  it('refuses more than one decimal, zero, negatives and bad prices', () => {
    expect(() => revisePrice(100_000, 315.05, 322.2)).toThrow(RangeError);
    expect(() => revisePrice(100_000, 0, 322.2)).toThrow(RangeError);
    expect(() => revisePrice(100_000, -315, 322.2)).toThrow(RangeError);
    expect(() => revisePrice(100_000, 'abc', 322.2)).toThrow(RangeError);
    expect(() => revisePrice(10.5, 315, 322.2)).toThrow(RangeError);
  });
});

describe('syntecTenths / formatSyntecTenths', () => {
  it('round-trips one-decimal values', () => {
    expect(syntecTenths(322.2)).toBe(3222);
    expect(syntecTenths(315)).toBe(3150);
    expect(syntecTenths(' 280.6 ')).toBe(2806);
    expect(formatSyntecTenths(3150)).toBe('315.0');
    expect(formatSyntecTenths(3222)).toBe('322.2');
    expect(() => syntecTenths(0.1 + 0.2)).toThrow(RangeError);
  });
});

describe('applicableIndex: the latest index published strictly before the date', () => {
  it('is by default the month two months before (published at the end of the next month)', () => {
    expect(deemedPublicationDate({ month: '2027-01-01', value: 300 })).toBe('2027-02-28');
    // Anniversary 24 March 2027: January 2027 (out 28 Feb) is known, February (out 31 March) is not.
    expect(applicableIndex(table, '2027-03-24')).toEqual({ ok: true, index: { month: '2027-01-01', tenths: 3210, value: '321.0' } });
  });

  it('does not use an index published on the date itself', () => {
    // February 2027 is deemed out on 31 March: not yet usable on 31 March, usable on 1 April.
    expect(applicableIndex(table, '2027-03-31')).toMatchObject({ ok: true, index: { month: '2027-01-01' } });
    expect(applicableIndex(table, '2027-04-01')).toMatchObject({ ok: true, index: { month: '2027-02-01' } });
  });

  it('follows a recorded publication date: late → the month before, early → the later month', () => {
    const late = table.map((entry) => (entry.month === '2027-01-01' ? { ...entry, publishedOn: '2027-03-25' } : entry));
    expect(applicableIndex(late, '2027-03-24')).toMatchObject({ ok: true, index: { month: '2026-12-01' } });
    expect(applicableIndex(late, '2027-03-26')).toMatchObject({ ok: true, index: { month: '2027-01-01' } });
    const early = table.map((entry) => (entry.month === '2027-02-01' ? { ...entry, publishedOn: '2027-03-20' } : entry));
    expect(applicableIndex(early, '2027-03-24')).toMatchObject({ ok: true, index: { month: '2027-02-01' } });
  });

  it('says which month is missing instead of falling back to an older value', () => {
    const withoutJanuary = table.filter((entry) => entry.month !== '2027-01-01');
    expect(applicableIndex(withoutJanuary, '2027-03-24')).toEqual({
      ok: false,
      error: 'index_missing',
      expectedMonth: '2027-01-01',
      message: 'the SYNTEC index of 2027-01 is not in the table (needed for 2027-03-24)',
    });
    expect(applicableIndex([], '2027-03-24')).toMatchObject({ ok: false, expectedMonth: '2027-01-01' });
  });

  it('refuses a malformed table', () => {
    expect(() => applicableIndex([{ month: '2027-01-15', value: 300 }], '2027-03-24')).toThrow(RangeError);
    expect(() => applicableIndex([...table, { month: '2027-01-01', value: 300 }], '2027-03-24')).toThrow(RangeError);
    expect(() => applicableIndex([{ month: '2027-01-01', value: 300.25 }], '2027-03-24')).toThrow(RangeError);
  });
});

describe('syntecRevision and the revision history', () => {
  it('revises at an anniversary from the index at signature', () => {
    // Signed 10 March 2026 → S0 = January 2026 (315.0); anniversary 24 March 2027 → S1 = January 2027 (321.0).
    expect(syntecRevision({ priceCents: 100_000, referenceDate: '2026-03-10', revisionDate: '2027-03-24', table })).toEqual({
      ok: true,
      revisionDate: '2027-03-24',
      s0: { month: '2026-01-01', tenths: 3150, value: '315.0' },
      s1: { month: '2027-01-01', tenths: 3210, value: '321.0' },
      previousPriceCents: 100_000,
      revisedPriceCents: 101_905, // 101 904.76
    });
  });

  it('chains revisions: S0 of one is S1 of the previous, and each price is rounded', () => {
    const history = syntecRevisionHistory({ priceCents: 2900, signedOn: '2026-03-10', revisionDates: ['2027-03-24', '2028-03-24'], table });
    expect(history.pending).toBeNull();
    expect(history.lines.map((line) => [line.revisionDate, line.s0.value, line.s1.value, line.previousPriceCents, line.revisedPriceCents])).toEqual([
      ['2027-03-24', '315.0', '321.0', 2900, 2955], // 2 955.24
      ['2028-03-24', '321.0', '327.0', 2955, 3010], // 3 010.23
    ]);
    expect(history.priceCents).toBe(3010);
  });

  it('stops at a revision whose index is not in the table yet and says so', () => {
    const history = syntecRevisionHistory({ priceCents: 2900, signedOn: '2026-03-10', revisionDates: ['2027-03-24', '2029-03-24'], table });
    expect(history.lines).toHaveLength(1);
    expect(history.priceCents).toBe(2955);
    expect(history.pending).toMatchObject({ revisionDate: '2029-03-24', expectedMonth: '2029-01-01' });
  });

  it('reports a missing index at signature', () => {
    const history = syntecRevisionHistory({ priceCents: 2900, signedOn: '2025-06-01', revisionDates: ['2026-06-01'], table });
    expect(history).toMatchObject({ lines: [], priceCents: 2900, pending: { revisionDate: '2025-06-01', expectedMonth: '2025-04-01' } });
  });

  it('refuses revision dates that do not follow the signature', () => {
    expect(() => syntecRevision({ priceCents: 100, referenceDate: '2027-03-24', revisionDate: '2027-03-24', table })).toThrow(RangeError);
    expect(() => syntecRevisionHistory({ priceCents: 100, signedOn: '2026-03-10', revisionDates: ['2028-03-24', '2027-03-24'], table })).toThrow(RangeError);
  });
});
