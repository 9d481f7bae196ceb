/**
 * Invoice and credit-note numbers (CGI annexe II art. 242 nonies A 7°: "un numéro unique basé sur
 * une séquence chronologique et continue"; Code de commerce L441-9).
 *
 * Format: `<prefix>-<year>-<sequence>`, e.g. `FA-2026-000001` (facture) and `AV-2026-000001`
 * (avoir). The sequence has at least six digits, zero-padded; past 999 999 it simply grows
 * (`FA-2026-1000000`), so a number never wraps and never collides.
 *
 * What the format guarantees, and what it does not:
 * - Uniqueness: a number is (series, year, sequence); two series never share a number because
 *   their prefixes differ, two years never do because the year is in the number. So each series
 *   restarts at 000001 on 1 January — accepted practice when the year prefixes the number.
 * - Distinct series: invoices and credit notes are separate documents with separate series, as
 *   the rules allow where the conditions of the business justify it.
 * - Chronology: the year is the Paris civil year of the issue date (dates.ts `parisDate`), and
 *   `nextInvoiceNumber` refuses to number an issue date of an earlier year than the last number of
 *   its series. Within a year, numbers follow issue order because the database assigns them in
 *   the same transaction as the issue, one series row locked at a time.
 * - Continuity (no gap, no duplicate) is NOT something a format can guarantee: the database must
 *   enforce it — a counter row per series and year (`seriesKey`), incremented in the issuing
 *   transaction, so a rolled-back issue gives its number back (a PostgreSQL SEQUENCE would not),
 *   plus a unique constraint. `findSequenceGaps` is the audit check over what was issued.
 * Numbers are assigned at issue only: drafts and previews carry none, and an issued document is
 * never renumbered or deleted — errors are corrected by a credit note in the AV series.
 */
import type { IsoDate } from './dates.ts';
import { isIsoDate } from './dates.ts';

export type InvoiceSeries = 'invoice' | 'credit_note';

export const SERIES_PREFIX: Readonly<Record<InvoiceSeries, string>> = { invoice: 'FA', credit_note: 'AV' };
export const SEQUENCE_DIGITS = 6;

export interface InvoiceNumber {
  series: InvoiceSeries;
  year: number;
  sequence: number;
}

const NUMBER = /^(FA|AV)-(\d{4})-(\d{6,})$/;

export function formatInvoiceNumber(number: InvoiceNumber): string {
  assertNumber(number);
  return `${SERIES_PREFIX[number.series]}-${number.year}-${String(number.sequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** The number in `text`, or null unless it is exactly in canonical form (no extra leading zeros, sequence ≥ 1). */
export function parseInvoiceNumber(text: string): InvoiceNumber | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  const series: InvoiceSeries = match[1] === 'FA' ? 'invoice' : 'credit_note';
  const number = { series, year: Number(match[2]), sequence: Number(match[3]) };
  if (!Number.isSafeInteger(number.sequence) || number.sequence < 1 || number.year < 1000) return null;
  return formatInvoiceNumber(number) === text ? number : null;
}

/** The counter the database keeps: one per series and year, e.g. `FA-2026`. */
export function seriesKey(series: InvoiceSeries, issueDate: IsoDate): string {
  return `${SERIES_PREFIX[series]}-${issueYear(issueDate)}`;
}

/**
 * The number following `last` (the last issued in the series, whatever its year) for a document
 * issued on `issueDate`: the next sequence in the same year, 1 in a new year.
 */
export function nextInvoiceNumber(series: InvoiceSeries, issueDate: IsoDate, last: InvoiceNumber | null): InvoiceNumber {
  const year = issueYear(issueDate);
  if (last === null) return { series, year, sequence: 1 };
  assertNumber(last);
  if (last.series !== series) throw new RangeError(`the last number ${formatInvoiceNumber(last)} is not in the ${series} series`);
  if (last.year > year) {
    throw new RangeError(`cannot number a document issued on ${issueDate} after ${formatInvoiceNumber(last)}: numbering is chronological`);
  }
  return { series, year, sequence: last.year === year ? last.sequence + 1 : 1 };
}

/** Order within a series (by year, then sequence). */
export function compareInvoiceNumbers(a: InvoiceNumber, b: InvoiceNumber): number {
  if (a.series !== b.series) throw new RangeError('numbers of different series are not ordered');
  return a.year !== b.year ? a.year - b.year : a.sequence - b.sequence;
}

export interface SequenceAudit {
  /** Numbers absent from a (series, year) between 1 and the highest issued. */
  missing: string[];
  duplicates: string[];
  /** Strings that are not invoice numbers at all. */
  malformed: string[];
}

/** Audit of issued numbers: every (series, year) must run 1, 2, 3… without gap or duplicate. */
export function findSequenceGaps(numbers: readonly string[]): SequenceAudit {
  const audit: SequenceAudit = { missing: [], duplicates: [], malformed: [] };
  const seen = new Map<string, { series: InvoiceSeries; year: number; sequences: Set<number> }>();
  for (const text of numbers) {
    const number = parseInvoiceNumber(text);
    if (!number) {
      audit.malformed.push(text);
      continue;
    }
    const key = `${number.series}:${number.year}`;
    let group = seen.get(key);
    if (!group) {
      group = { series: number.series, year: number.year, sequences: new Set() };
      seen.set(key, group);
    }
    if (group.sequences.has(number.sequence)) audit.duplicates.push(text);
    group.sequences.add(number.sequence);
  }
  for (const group of seen.values()) {
    const highest = Math.max(...group.sequences);
    for (let sequence = 1; sequence < highest; sequence++) {
      if (!group.sequences.has(sequence)) audit.missing.push(formatInvoiceNumber({ series: group.series, year: group.year, sequence }));
    }
  }
  audit.missing.sort();
  return audit;
}

function issueYear(issueDate: IsoDate): number {
  if (!isIsoDate(issueDate)) throw new RangeError(`not a calendar date: ${issueDate}`);
  return Number(issueDate.slice(0, 4));
}

function assertNumber(number: InvoiceNumber): void {
  if (!(number.series in SERIES_PREFIX)) throw new RangeError(`unknown series: ${number.series}`);
  if (!Number.isInteger(number.year) || number.year < 1000 || number.year > 9999) throw new RangeError(`not a four-digit year: ${number.year}`);
  if (!Number.isSafeInteger(number.sequence) || number.sequence < 1) throw new RangeError(`a sequence starts at 1: ${number.sequence}`);
}
