import { describe, expect, it } from 'vitest';
import {
  compareInvoiceNumbers,
  findSequenceGaps,
  formatInvoiceNumber,
  type InvoiceNumber,
  nextInvoiceNumber,
  parseInvoiceNumber,
  seriesKey,
} from './invoice-numbering.ts';

const fa = (year: number, sequence: number): InvoiceNumber => ({ series: 'invoice', year, sequence });
const av = (year: number, sequence: number): InvoiceNumber => ({ series: 'credit_note', year, sequence });

describe('format and parse', () => {
  it('writes invoices as FA-yyyy-nnnnnn and credit notes as AV-yyyy-nnnnnn', () => {
    expect(formatInvoiceNumber(fa(2026, 1))).toBe('FA-2026-000001');
    expect(formatInvoiceNumber(av(2026, 1))).toBe('AV-2026-000001');
    expect(formatInvoiceNumber(fa(2026, 123_456))).toBe('FA-2026-123456');
  });

  it('grows past six digits instead of wrapping', () => {
    expect(formatInvoiceNumber(fa(2026, 1_000_000))).toBe('FA-2026-1000000');
    expect(parseInvoiceNumber('FA-2026-1000000')).toEqual(fa(2026, 1_000_000));
  });

  it('round-trips', () => {
    for (const number of [fa(2026, 1), av(2027, 42), fa(2030, 999_999), av(2026, 1_234_567)]) {
      expect(parseInvoiceNumber(formatInvoiceNumber(number))).toEqual(number);
    }
  });

  it('parses only the canonical form', () => {
    for (const text of [
      'FA-2026-00001', // five digits
      'FA-2026-0000001', // padded beyond six
      'FA-2026-000000', // sequence 0
      'fa-2026-000001',
      'FX-2026-000001',
      'FA-26-000001',
      ' FA-2026-000001',
      'FA-2026-000001 ',
      'FA2026000001',
    ]) {
      expect(parseInvoiceNumber(text)).toBeNull();
    }
  });

  it('refuses to format an impossible number', () => {
    expect(() => formatInvoiceNumber(fa(2026, 0))).toThrow(RangeError);
    expect(() => formatInvoiceNumber(fa(26, 1))).toThrow(RangeError);
    expect(() => formatInvoiceNumber({ series: 'quote' as 'invoice', year: 2026, sequence: 1 })).toThrow(RangeError);
  });
});

describe('nextInvoiceNumber', () => {
  it('starts a series at 1 and continues it', () => {
    expect(nextInvoiceNumber('invoice', '2026-03-31', null)).toEqual(fa(2026, 1));
    expect(nextInvoiceNumber('invoice', '2026-03-31', fa(2026, 41))).toEqual(fa(2026, 42));
    expect(nextInvoiceNumber('credit_note', '2026-03-31', av(2026, 7))).toEqual(av(2026, 8));
  });

  it('restarts at 1 on the first issue of a new year', () => {
    expect(nextInvoiceNumber('invoice', '2027-01-01', fa(2026, 9876))).toEqual(fa(2027, 1));
    expect(nextInvoiceNumber('invoice', '2029-06-01', fa(2026, 3))).toEqual(fa(2029, 1));
  });

  it('refuses to go back a year, or to mix series', () => {
    expect(() => nextInvoiceNumber('invoice', '2026-12-31', fa(2027, 1))).toThrow(/chronological/);
    expect(() => nextInvoiceNumber('invoice', '2026-12-31', av(2026, 1))).toThrow(RangeError);
    expect(() => nextInvoiceNumber('invoice', '2026-13-01', null)).toThrow(RangeError);
  });

  it('gives the database counter key per series and year', () => {
    expect(seriesKey('invoice', '2026-03-31')).toBe('FA-2026');
    expect(seriesKey('credit_note', '2027-01-01')).toBe('AV-2027');
  });
});

describe('compareInvoiceNumbers', () => {
  it('orders by year then sequence, within one series only', () => {
    const sorted = [fa(2027, 1), fa(2026, 10), fa(2026, 2)].sort(compareInvoiceNumbers);
    expect(sorted.map(formatInvoiceNumber)).toEqual(['FA-2026-000002', 'FA-2026-000010', 'FA-2027-000001']);
    expect(() => compareInvoiceNumbers(fa(2026, 1), av(2026, 1))).toThrow(RangeError);
  });
});

describe('findSequenceGaps — the audit of issued numbers', () => {
  it('finds nothing in continuous series, each year and series on its own', () => {
    expect(findSequenceGaps(['FA-2026-000001', 'FA-2026-000002', 'AV-2026-000001', 'FA-2027-000001'])).toEqual({
      missing: [],
      duplicates: [],
      malformed: [],
    });
  });

  it('reports a gap, a duplicate and a malformed entry', () => {
    expect(findSequenceGaps(['FA-2026-000001', 'FA-2026-000004', 'FA-2026-000004', 'AV-2026-000002', 'BROUILLON'])).toEqual({
      missing: ['AV-2026-000001', 'FA-2026-000002', 'FA-2026-000003'],
      duplicates: ['FA-2026-000004'],
      malformed: ['BROUILLON'],
    });
  });

  it('a series that does not start at 1 has a gap', () => {
    expect(findSequenceGaps(['FA-2027-000002']).missing).toEqual(['FA-2027-000001']);
  });
});
