/**
 * R-LATE (§7.1, Code de commerce L441-10): a late payment owes penalties at 3 × the French legal
 * interest rate, pro rata temporis, plus a fixed recovery indemnity of 40 € per invoice (D441-5).
 *
 * - The legal rate is the one "for creditors other than individuals not acting for professional
 *   purposes" (the "professional" rate), set each semester by order (arrêté); the table of rates
 *   is data that operators maintain, passed in, with a default below.
 * - Simple interest per day on the amount TTC still unpaid, from the day AFTER the due date up to
 *   and including the day of payment (due 1 March, paid 31 March: 30 days), each day at the rate
 *   of the semester it falls in, counting days / 365 (leap years too, as the rate is annual).
 *   The interest of all the days is summed exactly and rounded half-up to the cent once.
 * - Penalties and the indemnity are compensation, outside the scope of VAT: no VAT on them.
 */
import { addDays, compareDates, type IsoDate, isIsoDate } from './dates.ts';
import { BASIS_POINTS, roundHalfUp, toSafeCents } from './money.ts';

export const PENALTY_MULTIPLIER = 3;
export const RECOVERY_INDEMNITY_CENTS = 4000;
const DAYS_PER_YEAR = 365;

export interface LegalRateEntry {
  /** First day the rate applies (1 January or 1 July). */
  effectiveFrom: IsoDate;
  /** The legal interest rate for professional creditors, in basis points (2.62 % = 262). */
  rateBp: number;
}

/**
 * Legal interest rates for professional creditors ("pour tous les autres cas"), by semester.
 * Each value was checked against at least one published source when written (French official
 * orders as reported by: legifiscal.fr and adecia.fr for 2026 H1 = 2.62 %, 2025 H2 = 2.76 %,
 * 2025 H1 = 3.71 %, 2024 H2 = 4.92 %; bpifrance-creation.fr for 2024 H2; infonet.fr for 2024 H1 =
 * 5.07 % and 2019–2023; notaires2normandie.com for 2023 H1 = 2.06 %, 2023 H2 = 4.22 %, 2022 H2 =
 * 0.77 %; dandrel-avocats.fr for 2021; cabinet-cec.fr for 2020). Later semesters are added by
 * operators (the legal-rate table of the billing workspace); a date after the last entry uses
 * the last known rate, a date before the first is refused.
 */
export const DEFAULT_LEGAL_RATES: readonly LegalRateEntry[] = [
  { effectiveFrom: '2019-01-01', rateBp: 86 },
  { effectiveFrom: '2019-07-01', rateBp: 87 },
  { effectiveFrom: '2020-01-01', rateBp: 87 },
  { effectiveFrom: '2020-07-01', rateBp: 84 },
  { effectiveFrom: '2021-01-01', rateBp: 79 },
  { effectiveFrom: '2021-07-01', rateBp: 76 },
  { effectiveFrom: '2022-01-01', rateBp: 76 },
  { effectiveFrom: '2022-07-01', rateBp: 77 },
  { effectiveFrom: '2023-01-01', rateBp: 206 },
  { effectiveFrom: '2023-07-01', rateBp: 422 },
  { effectiveFrom: '2024-01-01', rateBp: 507 },
  { effectiveFrom: '2024-07-01', rateBp: 492 },
  { effectiveFrom: '2025-01-01', rateBp: 371 },
  { effectiveFrom: '2025-07-01', rateBp: 276 },
  { effectiveFrom: '2026-01-01', rateBp: 262 },
];

/** Throws unless the table is non-empty, strictly ordered by date, with sane integer rates. */
export function assertLegalRateTable(table: readonly LegalRateEntry[]): void {
  if (table.length === 0) throw new RangeError('the legal rate table is empty');
  table.forEach((entry, i) => {
    if (!isIsoDate(entry.effectiveFrom)) throw new RangeError(`not a calendar date: ${entry.effectiveFrom}`);
    if (!Number.isSafeInteger(entry.rateBp) || entry.rateBp < 0 || entry.rateBp > BASIS_POINTS) throw new RangeError(`a legal rate is 0 to 10 000 bp: ${entry.rateBp}`);
    const previous = table[i - 1];
    if (previous && compareDates(previous.effectiveFrom, entry.effectiveFrom) >= 0) {
      throw new RangeError(`the legal rate table must be in strictly increasing date order (${previous.effectiveFrom}, ${entry.effectiveFrom})`);
    }
  });
}

/** The table entry in force on `date`. */
export function legalRateOn(date: IsoDate, table: readonly LegalRateEntry[] = DEFAULT_LEGAL_RATES): LegalRateEntry {
  assertLegalRateTable(table);
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return findRate(date, table);
}

function findRate(date: IsoDate, table: readonly LegalRateEntry[]): LegalRateEntry {
  let found: LegalRateEntry | undefined;
  for (const entry of table) if (compareDates(entry.effectiveFrom, date) <= 0) found = entry;
  if (!found) throw new RangeError(`no legal interest rate known on ${date} (table starts ${table[0]!.effectiveFrom})`);
  return found;
}

/** The penalty rate in force on `date`: 3 × the legal rate (2026 H1: 3 × 262 = 786 bp, 7.86 %). */
export function penaltyRateBpOn(date: IsoDate, table: readonly LegalRateEntry[] = DEFAULT_LEGAL_RATES): number {
  return PENALTY_MULTIPLIER * legalRateOn(date, table).rateBp;
}

export interface PenaltyPeriod {
  /** First and last day (inclusive) of a run of days with the same rate and the same balance. */
  from: IsoDate;
  to: IsoDate;
  days: number;
  balanceCents: number;
  legalRateBp: number;
  penaltyRateBp: number;
}

export interface LatePenalty {
  /** Days that bore interest (a balance was still unpaid after the due date). */
  daysLate: number;
  periods: PenaltyPeriod[];
  /** Σ balance × penalty rate × days / 365, rounded half-up once. */
  interestCents: number;
  /** 40 € once the invoice is paid late (or still unpaid after its due date), else 0. */
  indemnityCents: number;
  totalCents: number;
}

export interface LatePaymentInput {
  amountTtcCents: number;
  dueDate: IsoDate;
  /** The payment date, or, for an invoice still unpaid, the day the penalty is computed to. */
  paidOn: IsoDate;
  table?: readonly LegalRateEntry[];
}

/** R-LATE for an invoice paid in one go (or computed up to a date while unpaid). */
export function computeLatePenalty(input: LatePaymentInput): LatePenalty {
  return computeLatePenaltyOnBalance({
    amountTtcCents: input.amountTtcCents,
    dueDate: input.dueDate,
    until: input.paidOn,
    payments: [],
    table: input.table,
  });
}

export interface BalancePenaltyInput {
  amountTtcCents: number;
  dueDate: IsoDate;
  /** Last day counted: the final payment's date, or the day of computation. */
  until: IsoDate;
  /** Payments received; a payment stops the interest on its amount after its own day. */
  payments: readonly { date: IsoDate; amountCents: number }[];
  table?: readonly LegalRateEntry[] | undefined;
}

/**
 * R-LATE with partial payments: each late day bears interest on what is still unpaid that day.
 * A payment made on day X still counts X (as the single-payment rule counts the day of payment)
 * and lowers the balance from X + 1. Payments made on or before the due date just lower the
 * balance from the start.
 */
export function computeLatePenaltyOnBalance(input: BalancePenaltyInput): LatePenalty {
  const { amountTtcCents, dueDate, until, payments } = input;
  const table = input.table ?? DEFAULT_LEGAL_RATES;
  if (!Number.isSafeInteger(amountTtcCents) || amountTtcCents < 0) throw new RangeError(`an amount TTC is a non-negative number of cents: ${amountTtcCents}`);
  for (const date of [dueDate, until, ...payments.map((payment) => payment.date)]) if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  for (const payment of payments) {
    if (!Number.isSafeInteger(payment.amountCents) || payment.amountCents <= 0) throw new RangeError(`a payment is a positive number of cents: ${payment.amountCents}`);
  }
  assertLegalRateTable(table);

  const periods: PenaltyPeriod[] = [];
  let numerator = 0n;
  let balance = amountTtcCents - payments.filter((payment) => compareDates(payment.date, dueDate) <= 0).reduce((total, payment) => total + payment.amountCents, 0);
  for (let day = addDays(dueDate, 1); compareDates(day, until) <= 0 && balance > 0; day = addDays(day, 1)) {
    const legal = findRate(day, table);
    const penaltyRateBp = PENALTY_MULTIPLIER * legal.rateBp;
    const last = periods[periods.length - 1];
    if (last && last.penaltyRateBp === penaltyRateBp && last.balanceCents === balance) {
      last.to = day;
      last.days += 1;
    } else {
      periods.push({ from: day, to: day, days: 1, balanceCents: balance, legalRateBp: legal.rateBp, penaltyRateBp });
    }
    numerator += BigInt(balance) * BigInt(penaltyRateBp);
    balance -= payments.filter((payment) => payment.date === day).reduce((total, payment) => total + payment.amountCents, 0);
  }
  const interestCents = toSafeCents(roundHalfUp(numerator, BigInt(BASIS_POINTS * DAYS_PER_YEAR)));
  const daysLate = periods.reduce((total, period) => total + period.days, 0);
  const indemnityCents = daysLate > 0 ? RECOVERY_INDEMNITY_CENTS : 0;
  return { daysLate, periods, interestCents, indemnityCents, totalCents: interestCents + indemnityCents };
}
