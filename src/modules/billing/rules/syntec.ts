/**
 * Yearly SYNTEC price revision (R-PRICE, CGVU §9.1): P1 = P0 × S1 / S0.
 *
 * Exactness: SYNTEC values are published with one decimal (322.2), so they are held as integer
 * tenths (3 222) and the revision is computed with BigInt, rounded half up to the cent once:
 * 1 000.00 € × 322.2 / 315.0 = 100 000 × 3 222 / 3 150 = 102 285.71… → 102 286 c = 1 022.86 €.
 * The formula is applied as written, downwards too when the index falls: §9.1 says "révision",
 * not "hausse".
 *
 * Which index (the convention, because the contract does not fix it): §9.1 only says prices are
 * "établis sur la base des tarifs en vigueur au moment de la signature" and revised yearly "basée
 * sur l'indice SYNTEC conformément à l'article 6.1" — and the CGVU have no article 6.1 (§6 is
 * "Développement continu", without sub-articles). So nothing in the contract picks the month;
 * we use the usual market reading, "the last index known at the date":
 * - S(date) = the index of the latest month whose value was published strictly before `date`.
 *   Strictly: the invoice run of the anniversary day must be able to price it, and an index
 *   published that very day may not be in the table yet.
 * - Publication: the Fédération Syntec publishes month M's value at the end of month M+1 (e.g.
 *   January 2019 on 28 February 2019, August 2021 on 30 September 2021). An entry without a
 *   recorded `publishedOn` is deemed published on the last day of M+1, so by default S(date) is
 *   the index of the month two months before the date's month. Operators record `publishedOn`
 *   when a value came out late (or early): it then decides.
 * - S0 is S(signature date) for the first revision — the tariff is the one of the signature
 *   (§9.1) — then the S1 of the last revision (so revisions chain, each rounded to the cent, as the
 *   price in force is an amount in cents shown as a line of history).
 * - S1 is S(anniversary). Revisions happen at each yearly anniversary of the start, inside the
 *   firm term and after renewals (the caller passes the anniversaries, contract-term.ts).
 * - If the table lacks the month two months before the date, the answer is `index_missing`
 *   rather than an older value: an older index silently used would change the day the
 *   operators complete the table. A value recorded as published late is not "missing".
 */
import { addMonths, compareDates, firstDayOfMonth, type IsoDate, isIsoDate, lastDayOfMonth } from './dates.ts';
import { roundHalfUp, toSafeCents } from './money.ts';

export interface SyntecIndexEntry {
  /** The month the index measures, as its first day (`2026-01-01` = January 2026). */
  month: IsoDate;
  /** One decimal at most: 322.2, or the string '322.2' as a PostgreSQL numeric arrives. */
  value: number | string;
  /** When the value came out, if known; otherwise the last day of the following month is assumed. */
  publishedOn?: IsoDate;
}

export interface SyntecIndex {
  month: IsoDate;
  /** The value in tenths: 322.2 → 3 222. */
  tenths: number;
  /** The value as published, one decimal: '322.2'. */
  value: string;
}

export type IndexLookup =
  | { ok: true; index: SyntecIndex }
  | { ok: false; error: 'index_missing'; expectedMonth: IsoDate; message: string };

export interface RevisionLine {
  revisionDate: IsoDate;
  s0: SyntecIndex;
  s1: SyntecIndex;
  previousPriceCents: number;
  revisedPriceCents: number;
}

export type RevisionResult = ({ ok: true } & RevisionLine) | { ok: false; error: 'index_missing'; expectedMonth: IsoDate; message: string };

/** One-decimal index value → integer tenths, refusing anything with more precision. */
export function syntecTenths(value: number | string): number {
  const text = typeof value === 'number' ? String(value) : value.trim().replace(',', '.');
  const match = /^(\d+)(?:\.(\d))?$/.exec(text);
  if (!match) throw new RangeError(`a SYNTEC index has at most one decimal: ${value}`);
  const tenths = Number(match[1]) * 10 + Number(match[2] ?? '0');
  if (!Number.isSafeInteger(tenths) || tenths <= 0) throw new RangeError(`a SYNTEC index is positive: ${value}`);
  return tenths;
}

export function formatSyntecTenths(tenths: number): string {
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** P1 = P0 × S1 / S0, exact, half up to the cent. */
export function revisePrice(priceCents: number, s0: number | string, s1: number | string): number {
  if (!Number.isSafeInteger(priceCents) || priceCents < 0) throw new RangeError(`priceCents must be a whole number ≥ 0 (got ${priceCents})`);
  return toSafeCents(roundHalfUp(BigInt(priceCents) * BigInt(syntecTenths(s1)), BigInt(syntecTenths(s0))));
}

/** The day the value is taken to be known: recorded, or the last day of the month after. */
export function deemedPublicationDate(entry: SyntecIndexEntry): IsoDate {
  return entry.publishedOn ?? lastDayOfMonth(addMonths(entry.month, 1));
}

/** S(date): the latest index published strictly before `date` (see the convention above). */
export function applicableIndex(table: readonly SyntecIndexEntry[], date: IsoDate): IndexLookup {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  const entries = validateTable(table);
  const expectedMonth = firstDayOfMonth(addMonths(date, -2));
  const missing = (): IndexLookup => ({
    ok: false,
    error: 'index_missing',
    expectedMonth,
    message: `the SYNTEC index of ${expectedMonth.slice(0, 7)} is not in the table (needed for ${date})`,
  });
  if (!entries.some((entry) => entry.month === expectedMonth)) return missing();
  let best: SyntecIndexEntry | null = null;
  for (const entry of entries) {
    if (compareDates(deemedPublicationDate(entry), date) >= 0) continue;
    if (!best || compareDates(entry.month, best.month) > 0) best = entry;
  }
  if (!best) return missing();
  const tenths = syntecTenths(best.value);
  return { ok: true, index: { month: best.month, tenths, value: formatSyntecTenths(tenths) } };
}

/** One revision: the price in force since `referenceDate` (signature or last revision), revised at `revisionDate`. */
export function syntecRevision(input: {
  priceCents: number;
  referenceDate: IsoDate;
  revisionDate: IsoDate;
  table: readonly SyntecIndexEntry[];
}): RevisionResult {
  if (compareDates(input.referenceDate, input.revisionDate) >= 0) {
    throw new RangeError(`a revision (${input.revisionDate}) comes after its reference date (${input.referenceDate})`);
  }
  const s0 = applicableIndex(input.table, input.referenceDate);
  if (!s0.ok) return s0;
  return reviseFrom(input.priceCents, s0.index, input.revisionDate, input.table);
}

/**
 * The chain of yearly revisions from the signature: each uses the previous S1 as its S0 and the
 * previous revised price as its P0. Stops at the first revision whose index is missing and says so.
 */
export function syntecRevisionHistory(input: {
  priceCents: number;
  signedOn: IsoDate;
  revisionDates: readonly IsoDate[];
  table: readonly SyntecIndexEntry[];
}): { lines: RevisionLine[]; priceCents: number; pending: { revisionDate: IsoDate; expectedMonth: IsoDate; message: string } | null } {
  const lines: RevisionLine[] = [];
  let priceCents = input.priceCents;
  let previousDate = input.signedOn;
  const start = applicableIndex(input.table, input.signedOn);
  if (!start.ok) return { lines, priceCents, pending: { revisionDate: input.signedOn, expectedMonth: start.expectedMonth, message: start.message } };
  let s0 = start.index;
  for (const revisionDate of input.revisionDates) {
    if (compareDates(previousDate, revisionDate) >= 0) throw new RangeError(`revision dates must increase after the signature: ${revisionDate}`);
    const result = reviseFrom(priceCents, s0, revisionDate, input.table);
    if (!result.ok) return { lines, priceCents, pending: { revisionDate, expectedMonth: result.expectedMonth, message: result.message } };
    const { ok: _ok, ...line } = result;
    lines.push(line);
    priceCents = line.revisedPriceCents;
    s0 = line.s1;
    previousDate = revisionDate;
  }
  return { lines, priceCents, pending: null };
}

function reviseFrom(priceCents: number, s0: SyntecIndex, revisionDate: IsoDate, table: readonly SyntecIndexEntry[]): RevisionResult {
  const s1 = applicableIndex(table, revisionDate);
  if (!s1.ok) return s1;
  return {
    ok: true,
    revisionDate,
    s0,
    s1: s1.index,
    previousPriceCents: priceCents,
    revisedPriceCents: revisePrice(priceCents, s0.value, s1.index.value),
  };
}

function validateTable(table: readonly SyntecIndexEntry[]): readonly SyntecIndexEntry[] {
  const months = new Set<IsoDate>();
  for (const entry of table) {
    if (!isIsoDate(entry.month) || !entry.month.endsWith('-01')) throw new RangeError(`an index month is the first day of a month: ${entry.month}`);
    if (entry.publishedOn !== undefined && !isIsoDate(entry.publishedOn)) throw new RangeError(`not a calendar date: ${entry.publishedOn}`);
    if (months.has(entry.month)) throw new RangeError(`two SYNTEC values for ${entry.month.slice(0, 7)}`);
    months.add(entry.month);
    syntecTenths(entry.value);
  }
  return table;
}
