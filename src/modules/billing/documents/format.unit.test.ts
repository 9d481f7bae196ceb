import { describe, expect, it } from 'vitest';
import {
  bpToPercent,
  centsToDecimal,
  compactDate,
  dateFr,
  decimalFr,
  eurosFr,
  ibanGroups,
  isIsoDate,
  lineAmountCents,
  normalizeDecimal,
  rateFr,
  unitPriceFr,
  vatOf,
} from './format.ts';

const NBSP = '\u00a0';

describe('amounts for the XML', () => {
  it('writes integer cents as euros with two decimals, signs included', () => {
    expect(centsToDecimal(123_456)).toBe('1234.56');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(-5)).toBe('-0.05');
    expect(centsToDecimal(0)).toBe('0.00');
    expect(() => centsToDecimal(1.5)).toThrow(RangeError);
  });

  it('writes rates in percent and dates in format 102', () => {
    expect(bpToPercent(2000)).toBe('20.00');
    expect(bpToPercent(550)).toBe('5.50');
    expect(compactDate('2026-04-12')).toBe('20260412');
    expect(() => compactDate('2026-02-30')).toThrow(RangeError);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
  });

  it('normalises decimal strings without going through a float', () => {
    expect(normalizeDecimal('0029.50000', 2)).toBe('29.50');
    expect(normalizeDecimal('0.04500', 2)).toBe('0.045');
    expect(normalizeDecimal('1250')).toBe('1250');
    expect(normalizeDecimal('-0.000')).toBe('0');
    expect(normalizeDecimal('12345678901234567890.12345')).toBe('12345678901234567890.12345');
  });
});

describe('line and VAT rounding (R-VAT, BR-LIN-04, BR-CO-17)', () => {
  it('rounds quantity × unit price half-up to the cent', () => {
    expect(lineAmountCents('3', '20.58065')).toBe(6174); // the 3-POI addition of 10 March: €61.74
    expect(lineAmountCents('1250', '0.045')).toBe(5625);
    expect(lineAmountCents('1', '0.005')).toBe(1); // exactly half a cent goes up
    expect(lineAmountCents('1', '0.00499')).toBe(0);
    expect(lineAmountCents('-1', '0.005')).toBe(-1); // half away from zero for deductions
    expect(lineAmountCents('0.1', '0.1')).toBe(1); // 0.01 €, no binary float error
  });

  it('computes VAT on a base half-up', () => {
    expect(vatOf(47_829, 2000)).toBe(9566);
    expect(vatOf(2, 2000)).toBe(0);
    expect(vatOf(3, 2000)).toBe(1); // 0.6 c
    expect(vatOf(25, 2000)).toBe(5);
    expect(vatOf(1, 5000)).toBe(1); // 0.5 c → 1
    expect(vatOf(10_000, 0)).toBe(0);
  });
});

describe('French display', () => {
  it('formats euros, quantities, unit prices, rates and dates the French way', () => {
    expect(eurosFr(123_456)).toBe(`1${NBSP}234,56${NBSP}€`);
    expect(eurosFr(-10_000)).toBe(`-100,00${NBSP}€`);
    expect(eurosFr(100_000_000)).toBe(`1${NBSP}000${NBSP}000,00${NBSP}€`);
    expect(decimalFr('1250')).toBe(`1${NBSP}250`);
    expect(decimalFr('2.50')).toBe('2,5');
    expect(decimalFr('-3')).toBe('-3');
    expect(unitPriceFr('29')).toBe(`29,00${NBSP}€`);
    expect(unitPriceFr('0.04500')).toBe(`0,045${NBSP}€`);
    expect(rateFr(2000)).toBe(`20${NBSP}%`);
    expect(rateFr(550)).toBe(`5,5${NBSP}%`);
    expect(dateFr('2026-04-01')).toBe('01/04/2026');
    expect(ibanGroups('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });
});
