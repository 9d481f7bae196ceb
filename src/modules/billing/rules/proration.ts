/**
 * Proration of a monthly price by actual days (R-POI: POI added mid-period are billed "from their
 * start", SPEC; CGVU §4 "facturation complémentaire au tarif en vigueur").
 *
 * For each calendar month the period crosses, the part is
 *   monthly price × quantity × days covered in that month / days in that month,
 * computed exactly with BigInt and rounded half up to the cent once per month. Each month is its
 * own invoice line: its daily rate differs (1/31 of the price in March, 1/30 in April), and an
 * invoice's total is the sum of its rounded lines, so the lines are what gets rounded.
 * A whole month gives exactly the monthly price; days are inclusive on both ends.
 *
 * Worked example (tested): 3 POI at €29.00/month added on 10 March, billed 10–31 March (22 of 31
 * days): 8 700 × 22 / 31 = 6 174.19… → 6 174 cents = €61.74.
 */
import { addDays, compareDates, daysBetween, daysInMonth, type IsoDate, isIsoDate, lastDayOfMonth } from './dates.ts';
import { roundHalfUp, toSafeCents } from './money.ts';

/** Both ends included. */
export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}

export interface ProrationLine extends DateRange {
  /** Days of the month covered, inclusive. */
  days: number;
  daysInMonth: number;
  amountCents: number;
}

export interface Proration {
  lines: ProrationLine[];
  /** Sum of the rounded lines. */
  totalCents: number;
}

export interface ProrationRequest extends DateRange {
  /** Price of one unit for a whole month, HT, integer cents. */
  monthlyPriceCents: number;
  /** Units (POI); 1 when omitted. The line is prorated then rounded once, not per unit. */
  quantity?: number;
}

/** Days from `from` to `to`, both included. */
export function daysInclusive(range: DateRange): number {
  return daysBetween(range.from, range.to) + 1;
}

/** The range cut at month boundaries, in order. */
export function splitByMonth(range: DateRange): DateRange[] {
  assertRange(range);
  const parts: DateRange[] = [];
  let from = range.from;
  while (compareDates(from, range.to) <= 0) {
    const monthEnd = lastDayOfMonth(from);
    const to = compareDates(monthEnd, range.to) < 0 ? monthEnd : range.to;
    parts.push({ from, to });
    from = addDays(to, 1);
  }
  return parts;
}

export function prorateMonthlyPrice(request: ProrationRequest): Proration {
  const quantity = request.quantity ?? 1;
  assertNonNegativeInteger(request.monthlyPriceCents, 'monthlyPriceCents');
  assertNonNegativeInteger(quantity, 'quantity');
  const lines = splitByMonth(request).map((part): ProrationLine => {
    const days = daysInclusive(part);
    const monthDays = daysInMonth(Number(part.from.slice(0, 4)), Number(part.from.slice(5, 7)));
    const amount = roundHalfUp(BigInt(request.monthlyPriceCents) * BigInt(quantity) * BigInt(days), BigInt(monthDays));
    return { ...part, days, daysInMonth: monthDays, amountCents: toSafeCents(amount) };
  });
  return { lines, totalCents: toSafeCents(lines.reduce((sum, line) => sum + BigInt(line.amountCents), 0n)) };
}

function assertNonNegativeInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0 (got ${value})`);
}

function assertRange(range: DateRange): void {
  if (!isIsoDate(range.from) || !isIsoDate(range.to)) throw new RangeError(`not a calendar date: ${range.from} / ${range.to}`);
  if (compareDates(range.from, range.to) > 0) throw new RangeError(`empty period: ${range.from} after ${range.to}`);
}
