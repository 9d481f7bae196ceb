import { describe, expect, it } from 'vitest';
import { applyRatio, formatBasisPoints, formatEuros, millicentsToCents, parseEuros, percentOf, roundHalfUp, toSafeCents } from './money.ts';

const NNBSP = '\u202f';
const NBSP = '\u00a0';

describe('roundHalfUp', () => {
  it('rounds an exact ratio to the nearest integer, halves away from zero', () => {
    expect(roundHalfUp(5n, 2n)).toBe(3n);
    expect(roundHalfUp(-5n, 2n)).toBe(-3n);
    expect(roundHalfUp(7n, 3n)).toBe(2n);
    expect(roundHalfUp(8n, 3n)).toBe(3n);
    expect(roundHalfUp(-7n, 3n)).toBe(-2n);
    expect(roundHalfUp(-8n, 3n)).toBe(-3n);
    expect(roundHalfUp(5n, -2n)).toBe(-3n);
    expect(roundHalfUp(0n, 7n)).toBe(0n);
    expect(roundHalfUp(10n, 5n)).toBe(2n);
  });

  it('decides a half exactly where floating point would not', () => {
    // 1.005 € × 1 is 100.5 c: a float reads 1.005 as 1.00499999… and would round down.
    expect(roundHalfUp(1005n, 10n)).toBe(101n);
    expect(Math.round(1.005 * 100)).toBe(100); // the trap this module exists to avoid
    // Huge products stay exact.
    expect(roundHalfUp(10n ** 30n + 5n, 10n)).toBe(10n ** 29n + 1n);
  });

  it('refuses a zero denominator', () => {
    expect(() => roundHalfUp(1n, 0n)).toThrow(RangeError);
  });

  it('is symmetric: the rounding of −x is −(rounding of x)', () => {
    for (let n = -500n; n <= 500n; n++) {
      for (const d of [2n, 3n, 7n, 10n, 97n]) expect(roundHalfUp(-n, d)).toBe(-roundHalfUp(n, d));
    }
  });

  it('never strays more than half a unit from the exact value', () => {
    for (let n = -300n; n <= 300n; n++) {
      for (const d of [1n, 2n, 3n, 4n, 6n, 9n, 100n]) {
        const r = roundHalfUp(n, d);
        const twiceError = 2n * (r * d - n);
        expect(twiceError <= d && twiceError >= -d).toBe(true);
      }
    }
  });
});

describe('applyRatio and percentOf', () => {
  it('revises a price by the SYNTEC ratio, rounding once (issue 5: 1,000.00 × 322.2 / 315.0 → 1,022.86)', () => {
    expect(applyRatio(100_000, 3222, 3150)).toBe(102_286);
  });

  it('prorates by actual days (3 POI at 29 € from 10 March: 22 of 31 days → 61.74 €)', () => {
    expect(applyRatio(3 * 2900, 22, 31)).toBe(6174);
  });

  it('takes a percentage in basis points, half-up', () => {
    expect(percentOf(100_050, 100)).toBe(1001); // 1 % of 1 000.50 € = 10.005 € → 10.01 €
    expect(percentOf(100_049, 100)).toBe(1000);
    expect(percentOf(-100_050, 100)).toBe(-1001);
    expect(percentOf(12_345, 2000)).toBe(2469);
    expect(percentOf(0, 2000)).toBe(0);
  });

  it('refuses amounts that are not integer cents, and results out of range', () => {
    expect(() => applyRatio(10.5, 1, 2)).toThrow(RangeError);
    expect(() => percentOf(100, 1.5)).toThrow(RangeError);
    expect(() => toSafeCents(2n ** 60n)).toThrow(RangeError);
    expect(() => applyRatio(Number.MAX_SAFE_INTEGER, 2, 1)).toThrow(RangeError);
  });

  it('converts millicents to cents once, half-up', () => {
    expect(millicentsToCents(4500)).toBe(5);
    expect(millicentsToCents(4499)).toBe(4);
    expect(millicentsToCents(45_000_000)).toBe(45_000); // 10 000 SMS at 4.5 c€ = 450.00 €
    expect(millicentsToCents(-4500)).toBe(-5);
  });
});

describe('formatEuros', () => {
  it('writes French amounts as Intl does, with the narrow no-break space between thousands', () => {
    expect(formatEuros(102_286, 'fr')).toBe(`1${NNBSP}022,86${NBSP}€`);
    expect(formatEuros(102_286)).toBe(`1${NNBSP}022,86${NBSP}€`);
    expect(formatEuros(5, 'fr')).toBe(`0,05${NBSP}€`);
    expect(formatEuros(123_456_789, 'fr')).toBe(`1${NNBSP}234${NNBSP}567,89${NBSP}€`);
    expect(formatEuros(-4000, 'fr')).toBe(`-40,00${NBSP}€`);
  });

  it('writes English amounts with the sign first', () => {
    expect(formatEuros(102_286, 'en')).toBe('€1,022.86');
    expect(formatEuros(-775, 'en')).toBe('-€7.75');
    expect(formatEuros(0, 'en')).toBe('€0.00');
  });

  it('gives every cent back exactly, even for large amounts', () => {
    expect(formatEuros(900_719_925_474_099, 'en')).toBe('€9,007,199,254,740.99');
    expect(formatEuros(101, 'en')).toBe('€1.01');
    expect(() => formatEuros(1.5)).toThrow(RangeError);
  });

  it('writes rates in basis points for the legal mentions', () => {
    expect(formatBasisPoints(786, 'fr')).toBe(`7,86${NBSP}%`);
    expect(formatBasisPoints(2000, 'en')).toBe('20.00%');
    expect(formatBasisPoints(5, 'fr')).toBe(`0,05${NBSP}%`);
  });
});

describe('parseEuros', () => {
  it('reads French and English writings of the same amount', () => {
    for (const text of ['1 022,86', `1${NNBSP}022,86`, `1${NBSP}022,86`, '1022,86', '1022.86', '1,022.86', '1.022,86', `1${NNBSP}022,86${NBSP}€`, '€1,022.86']) {
      expect(parseEuros(text), text).toEqual({ ok: true, cents: 102_286 });
    }
  });

  it('reads whole euros, one decimal and signs', () => {
    expect(parseEuros('12')).toEqual({ ok: true, cents: 1200 });
    expect(parseEuros('12 €')).toEqual({ ok: true, cents: 1200 });
    expect(parseEuros('12,5')).toEqual({ ok: true, cents: 1250 });
    expect(parseEuros('-12,50')).toEqual({ ok: true, cents: -1250 });
    expect(parseEuros('\u221212.50')).toEqual({ ok: true, cents: -1250 });
    expect(parseEuros('+0.07')).toEqual({ ok: true, cents: 7 });
    expect(parseEuros('-0')).toEqual({ ok: true, cents: 0 });
    expect(parseEuros('1 234 567')).toEqual({ ok: true, cents: 123_456_700 });
    expect(parseEuros('1.234.567')).toEqual({ ok: true, cents: 123_456_700 });
  });

  it('refuses what it would have to guess', () => {
    expect(parseEuros('1,022')).toEqual({ ok: false, error: 'ambiguous_separator' });
    expect(parseEuros('1.022')).toEqual({ ok: false, error: 'ambiguous_separator' });
    expect(parseEuros('1.0225')).toEqual({ ok: false, error: 'too_many_decimals' });
    expect(parseEuros('10 22,86')).toEqual({ ok: false, error: 'bad_grouping' });
    expect(parseEuros('1,022,86')).toEqual({ ok: false, error: 'bad_grouping' });
    expect(parseEuros('1 022.000,5')).toEqual({ ok: false, error: 'bad_grouping' });
    expect(parseEuros('')).toEqual({ ok: false, error: 'empty' });
    expect(parseEuros(' € ')).toEqual({ ok: false, error: 'empty' });
    expect(parseEuros('12a')).toEqual({ ok: false, error: 'invalid_characters' });
    expect(parseEuros('--12')).toEqual({ ok: false, error: 'invalid_characters' });
    expect(parseEuros(',50')).toEqual({ ok: false, error: 'invalid_characters' });
    expect(parseEuros('12,')).toEqual({ ok: false, error: 'invalid_characters' });
    expect(parseEuros('1e3')).toEqual({ ok: false, error: 'invalid_characters' });
    expect(parseEuros('99999999999999999')).toEqual({ ok: false, error: 'out_of_range' });
  });

  it('reads back what formatEuros writes', () => {
    for (const cents of [0, 1, 99, 100, 102_286, 123_456_789, -4000]) {
      expect(parseEuros(formatEuros(cents, 'fr'))).toEqual({ ok: true, cents });
      expect(parseEuros(formatEuros(cents, 'en').replace('-€', '-'))).toEqual({ ok: true, cents });
    }
  });
});
