/**
 * Contract term, anniversaries, notice deadlines and renewal (R-TERM, CGVU §8), plus the onboarding
 * fee's billing date (R-ONBOARD, §5.1).
 *
 * What the contract says and how it is read here:
 * - §8.1 the contract is firm for the term of the order form: 12, 24 or 36 months from its start.
 *   The firm term ends at the anniversary `start + term` (that day is the first day without it).
 * - §8.2 notice: "Préavis de quarante-cinq (45) jours avant la date anniversaire par LRAR ou email
 *   à resiliation@sofy.fr". The CGVU do not state a renewal period. The notice is tied to "la date
 *   anniversaire", which recurs every year, and SPEC R-TERM says the contract "renews at each
 *   anniversary": so, once the firm term is over, the contract renews tacitly for 12 months at a
 *   time, whatever the initial term (a 36-month contract does not renew for 36 months).
 *   Notice can only end the contract at an "exit date": the end of the firm term or the end of a
 *   renewal year. Anniversaries inside a firm 24/36-month term are not exit dates (§8.1), they are
 *   still SYNTEC revision dates (R-PRICE).
 * - 45 days, calendar days, inclusive semantics: a notice received on D is in time for the exit
 *   date A when D ≤ A − 45 days, i.e. at least 45 whole days separate them (counting from the day
 *   after receipt, CPC art. 641, the 45th day is A itself). The deadline shown is A − 45: the last
 *   day a notice may be received. It is never moved off a weekend or holiday: the contract counts
 *   calendar days and an email can be sent any day.
 * - What counts is the day SOFY receives the notice (`receivedOn`, Paris civil date), by registered
 *   letter or email: both are valid channels. A late notice is not void: it takes effect at the
 *   next exit date whose deadline it meets. With several notices, the earliest end wins.
 * - Anniversaries are counted from the start date, not chained: a contract started on 29 February
 *   2028 has anniversaries on 28 February 2029…2031 and on 29 February 2032.
 */
import { addDays, addMonths, compareDates, daysBetween, type IsoDate, isIsoDate } from './dates.ts';

export type TermMonths = 12 | 24 | 36;
export const TERM_MONTHS: readonly TermMonths[] = [12, 24, 36];
/** §8.2. */
export const NOTICE_DAYS = 45;
/** Tacit renewal period after the firm term (see above: §8.2 reads in yearly anniversaries). */
export const RENEWAL_MONTHS = 12;

export type NoticeChannel = 'registered_letter' | 'email';
export const NOTICE_CHANNELS: readonly NoticeChannel[] = ['registered_letter', 'email'];

export interface TerminationNotice {
  receivedOn: IsoDate;
  channel: NoticeChannel;
}

export interface ContractTerm {
  startDate: IsoDate;
  termMonths: TermMonths;
}

/** A contractual period: the firm term (index 0) or a renewal year (index ≥ 1). */
export interface ContractPeriod {
  kind: 'initial' | 'renewal';
  index: number;
  from: IsoDate;
  /** Last day of the period, inclusive. */
  to: IsoDate;
  /** The exit date that closes it: `to` + 1 day, an anniversary. */
  endsOn: IsoDate;
  /** Last day a notice may be received to end the contract at `endsOn`. */
  noticeDeadline: IsoDate;
}

export interface Termination {
  /** The exit date: the first day without contract. */
  effectiveOn: IsoDate;
  /** Last day of service and of billing. */
  lastDay: IsoDate;
  notice: TerminationNotice;
}

export type ContractStatus = 'not_started' | 'firm' | 'renewed' | 'terminating' | 'ended';

export interface ContractState {
  status: ContractStatus;
  /** The period containing today (the first one before the start, the last one once ended). */
  period: ContractPeriod;
  termination: Termination | null;
  /** What the console shows: the next deadline still ahead (today included), or null once a notice ends the contract. */
  nextDeadline: NoticeDeadline | null;
}

export interface NoticeDeadline {
  exitOn: IsoDate;
  deadline: IsoDate;
  /** Whole days from today to the deadline; 0 on the deadline day. */
  daysLeft: number;
}

/** The `years`-th yearly anniversary of the start date, clamped to 28 February when needed. */
export function anniversary(startDate: IsoDate, years: number): IsoDate {
  assertDate(startDate);
  if (!Number.isInteger(years) || years < 0) throw new RangeError(`years must be a whole number ≥ 0 (got ${years})`);
  return addMonths(startDate, 12 * years);
}

/** Yearly anniversaries in the half-open interval (after, until]. */
export function anniversariesBetween(startDate: IsoDate, after: IsoDate, until: IsoDate): IsoDate[] {
  assertDate(after);
  assertDate(until);
  const dates: IsoDate[] = [];
  for (let years = 1; ; years++) {
    const date = anniversary(startDate, years);
    if (compareDates(date, until) > 0) return dates;
    if (compareDates(date, after) > 0) dates.push(date);
  }
}

/** The last anniversary on or before `date` (the start date itself before the first one), or null before the start. */
export function lastAnniversaryOnOrBefore(startDate: IsoDate, date: IsoDate): IsoDate | null {
  assertDate(date);
  if (compareDates(date, startDate) < 0) return null;
  let years = 0;
  while (compareDates(anniversary(startDate, years + 1), date) <= 0) years++;
  return anniversary(startDate, years);
}

/** Exit dates in order: index 0 = end of the firm term, then every renewal year. */
export function exitDate(term: ContractTerm, index: number): IsoDate {
  assertTerm(term);
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a whole number ≥ 0 (got ${index})`);
  return addMonths(term.startDate, term.termMonths + RENEWAL_MONTHS * index);
}

export function noticeDeadlineFor(exitOn: IsoDate): IsoDate {
  return addDays(assertDate(exitOn), -NOTICE_DAYS);
}

/** §8.2: received at least 45 days before the exit date (on the deadline day included). */
export function isNoticeInTime(receivedOn: IsoDate, exitOn: IsoDate): boolean {
  return compareDates(assertDate(receivedOn), noticeDeadlineFor(exitOn)) <= 0;
}

export function contractPeriod(term: ContractTerm, index: number): ContractPeriod {
  const endsOn = exitDate(term, index);
  return {
    kind: index === 0 ? 'initial' : 'renewal',
    index,
    from: index === 0 ? term.startDate : exitDate(term, index - 1),
    to: addDays(endsOn, -1),
    endsOn,
    noticeDeadline: noticeDeadlineFor(endsOn),
  };
}

/** The contractual period containing `date` (the firm term for any date before the start). */
export function contractPeriodAt(term: ContractTerm, date: IsoDate): ContractPeriod {
  assertDate(date);
  let index = 0;
  while (compareDates(exitDate(term, index), date) <= 0) index++;
  return contractPeriod(term, index);
}

/** The first exit date a notice received on `receivedOn` is in time for. */
export function exitDateForNotice(term: ContractTerm, receivedOn: IsoDate): IsoDate {
  assertDate(receivedOn);
  let index = 0;
  while (!isNoticeInTime(receivedOn, exitDate(term, index))) index++;
  return exitDate(term, index);
}

/** The end the recorded notices bring about (earliest wins), or null: the contract renews. */
export function terminationFromNotices(term: ContractTerm, notices: readonly TerminationNotice[]): Termination | null {
  assertTerm(term);
  let best: Termination | null = null;
  for (const notice of notices) {
    if (!NOTICE_CHANNELS.includes(notice.channel)) throw new RangeError(`not a valid notice channel (§8.2): ${notice.channel}`);
    const effectiveOn = exitDateForNotice(term, notice.receivedOn);
    if (!best || compareDates(effectiveOn, best.effectiveOn) < 0 || (effectiveOn === best.effectiveOn && compareDates(notice.receivedOn, best.notice.receivedOn) < 0)) {
      best = { effectiveOn, lastDay: addDays(effectiveOn, -1), notice };
    }
  }
  return best;
}

/** The next notice deadline on or after today, for the console; null when a notice already ends the contract. */
export function nextNoticeDeadline(term: ContractTerm, notices: readonly TerminationNotice[], today: IsoDate): NoticeDeadline | null {
  if (terminationFromNotices(term, notices)) return null;
  const exitOn = exitDateForNotice(term, today);
  const deadline = noticeDeadlineFor(exitOn);
  return { exitOn, deadline, daysLeft: daysBetween(today, deadline) };
}

export function contractState(term: ContractTerm, notices: readonly TerminationNotice[], today: IsoDate): ContractState {
  assertTerm(term);
  assertDate(today);
  const termination = terminationFromNotices(term, notices);
  const nextDeadline = termination ? null : nextNoticeDeadline(term, notices, today);
  if (termination && compareDates(today, termination.effectiveOn) >= 0) {
    return { status: 'ended', period: contractPeriodAt(term, termination.lastDay), termination, nextDeadline };
  }
  const period = contractPeriodAt(term, today);
  let status: ContractStatus;
  if (compareDates(today, term.startDate) < 0) status = 'not_started';
  else if (termination) status = 'terminating';
  else status = period.kind === 'initial' ? 'firm' : 'renewed';
  return { status, period, termination, nextDeadline };
}

/**
 * R-ONBOARD (§5.1): the onboarding fee is due in full at the signature of the order form, never
 * prorated nor spread over the term; it is invoiced on the signature day.
 */
export function onboardingCharge(order: { signedOn: IsoDate; onboardingFeeCents: number }): { invoiceOn: IsoDate; amountCents: number } | null {
  assertDate(order.signedOn);
  if (!Number.isSafeInteger(order.onboardingFeeCents) || order.onboardingFeeCents < 0) {
    throw new RangeError(`onboardingFeeCents must be a whole number ≥ 0 (got ${order.onboardingFeeCents})`);
  }
  // An order without onboarding (§5.1 "obligatoire ou optionnelle") invoices nothing.
  return order.onboardingFeeCents === 0 ? null : { invoiceOn: order.signedOn, amountCents: order.onboardingFeeCents };
}

function assertTerm(term: ContractTerm): void {
  assertDate(term.startDate);
  if (!TERM_MONTHS.includes(term.termMonths)) throw new RangeError(`term must be 12, 24 or 36 months (got ${term.termMonths})`);
}

function assertDate(date: IsoDate): IsoDate {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return date;
}
