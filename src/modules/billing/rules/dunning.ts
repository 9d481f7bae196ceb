/**
 * Dunning of an unpaid invoice (R-DUNNING, CGVU §7.2 and §11 (i)) as a pure state machine, and
 * the billing effect of suspensions.
 *
 *   current ─(day after the due date)→ overdue ─(formal notice emailed)→ notice_sent
 *     ─(5 French business days after the notice without payment)→ suspension_eligible
 *     ─(SOFY suspends)→ suspended_nonpayment ─(paid)→ paid ─(same day)→ reactivated
 * and `payment_received` from any unpaid state closes the case as `paid` (nothing to reactivate
 * unless the tenant was suspended).
 *
 * Readings of §7.2, and why:
 * - "mise en demeure par email avec accusé de réception": the 5 days run from the day the notice
 *   is sent; the acknowledgement is evidence, recorded separately when it comes, and does not hold
 *   the clock (a client who never acknowledges must not be able to block the procedure).
 * - "dans un délai de cinq (5) jours ouvrés suivant cette mise en demeure": French business days
 *   (calendar.ts: weekends and public holidays out), counted from the day after the notice (CPC
 *   art. 641). The client may pay until the end of the 5th business day (`regularisationDeadline`);
 *   suspension becomes possible the next calendar day (`suspensionEligibleOn`). A notice sent on
 *   Thursday 7 May 2026: Fri 8 (Victory Day), weekend, Mon 11, Tue 12, Wed 13, Thu 14 (Ascension),
 *   Fri 15, Mon 18 → may pay until Monday 18 May, suspension possible from Tuesday 19 May.
 * - "SOFY pourra suspendre": eligibility does not suspend by itself. `nextActions` proposes
 *   `suspend`; the service decides (automatically or from the operators' dunning board).
 * - Reactivation the day of the payment (SPEC R-DUNNING): a late reactivation is still accepted
 *   (refusing it would leave the tenant cut off) but flagged.
 * The service maps `DunningTransitionError` to the platform's `invalid_state` problem.
 */
import { addBusinessDays } from './calendar.ts';
import { addDays, compareDates, type IsoDate, isIsoDate } from './dates.ts';
import type { DateRange } from './proration.ts';

export const REGULARISATION_BUSINESS_DAYS = 5;

export type DunningStatus = 'current' | 'overdue' | 'notice_sent' | 'suspension_eligible' | 'suspended_nonpayment' | 'paid' | 'reactivated';

export interface DunningState {
  status: DunningStatus;
  dueDate: IsoDate;
  /** Day of the last event: events cannot go back in time. */
  lastEventOn: IsoDate;
  noticeSentOn: IsoDate | null;
  noticeAcknowledgedOn: IsoDate | null;
  /** Last day the client may pay after the notice (5th business day after it). */
  regularisationDeadline: IsoDate | null;
  suspensionEligibleOn: IsoDate | null;
  suspendedOn: IsoDate | null;
  paidOn: IsoDate | null;
  reactivatedOn: IsoDate | null;
}

export type DunningEvent =
  | { type: 'due_date_passed' }
  | { type: 'notice_sent' }
  /** `on` when the acknowledgement arrived before it was recorded; today otherwise. */
  | { type: 'notice_acknowledged'; on?: IsoDate }
  | { type: 'regularisation_period_elapsed' }
  | { type: 'suspended' }
  /** The invoice is settled in full (partial payments do not regularise). */
  | { type: 'payment_received' }
  | { type: 'reactivated' };

export type DunningAction =
  | { type: 'mark_overdue' }
  | { type: 'send_formal_notice' }
  | { type: 'mark_suspension_eligible' }
  /** The contract allows it; the service or an operator decides. */
  | { type: 'suspend' }
  | { type: 'reactivate'; late: boolean };

export class DunningTransitionError extends Error {
  readonly code = 'invalid_dunning_transition';
  constructor(
    readonly status: DunningStatus,
    readonly event: DunningEvent['type'],
    reason: string,
  ) {
    super(`dunning: cannot apply ${event} to a case that is ${status}: ${reason}`);
    this.name = 'DunningTransitionError';
  }
}

/** Last day to pay after a formal notice sent on `noticeSentOn`. */
export function regularisationDeadline(noticeSentOn: IsoDate): IsoDate {
  return addBusinessDays(noticeSentOn, REGULARISATION_BUSINESS_DAYS);
}

/** First day SOFY may suspend after a formal notice sent on `noticeSentOn`. */
export function suspensionEligibleOn(noticeSentOn: IsoDate): IsoDate {
  return addDays(regularisationDeadline(noticeSentOn), 1);
}

/** A new case for an invoice due on `dueDate`, opened on `today` (its issue date, typically). */
export function openDunningCase(dueDate: IsoDate, today: IsoDate): DunningState {
  assertDate(dueDate);
  assertDate(today);
  return {
    status: 'current',
    dueDate,
    lastEventOn: today,
    noticeSentOn: null,
    noticeAcknowledgedOn: null,
    regularisationDeadline: null,
    suspensionEligibleOn: null,
    suspendedOn: null,
    paidOn: null,
    reactivatedOn: null,
  };
}

const UNPAID: readonly DunningStatus[] = ['current', 'overdue', 'notice_sent', 'suspension_eligible', 'suspended_nonpayment'];
const NOTICE_GIVEN: readonly DunningStatus[] = ['notice_sent', 'suspension_eligible', 'suspended_nonpayment', 'paid', 'reactivated'];

export function transition(state: DunningState, event: DunningEvent, today: IsoDate): DunningState {
  assertDate(today);
  const refuse = (reason: string): never => {
    throw new DunningTransitionError(state.status, event.type, reason);
  };
  if (compareDates(today, state.lastEventOn) < 0) refuse(`${today} is before the last event (${state.lastEventOn})`);
  const next = { ...state, lastEventOn: today };
  switch (event.type) {
    case 'due_date_passed':
      if (state.status !== 'current') refuse('only a current invoice becomes overdue');
      if (compareDates(today, state.dueDate) <= 0) refuse(`the due date ${state.dueDate} has not passed`);
      return { ...next, status: 'overdue' };
    case 'notice_sent': {
      if (state.status !== 'overdue') refuse('a formal notice follows an overdue invoice');
      return {
        ...next,
        status: 'notice_sent',
        noticeSentOn: today,
        regularisationDeadline: regularisationDeadline(today),
        suspensionEligibleOn: suspensionEligibleOn(today),
      };
    }
    case 'notice_acknowledged': {
      if (!NOTICE_GIVEN.includes(state.status) || state.noticeSentOn === null) refuse('no formal notice was sent');
      if (state.noticeAcknowledgedOn !== null) refuse(`already acknowledged on ${state.noticeAcknowledgedOn}`);
      const on = event.on ?? today;
      assertDate(on);
      if (compareDates(on, state.noticeSentOn!) < 0 || compareDates(on, today) > 0) {
        refuse(`an acknowledgement is dated between the notice (${state.noticeSentOn}) and today`);
      }
      // Recording evidence does not move the case's clock.
      return { ...state, noticeAcknowledgedOn: on };
    }
    case 'regularisation_period_elapsed':
      if (state.status !== 'notice_sent') refuse('only a case under formal notice becomes eligible for suspension');
      if (compareDates(today, state.suspensionEligibleOn!) < 0) {
        refuse(`the client may pay until ${state.regularisationDeadline} (5 business days after the notice)`);
      }
      return { ...next, status: 'suspension_eligible' };
    case 'suspended':
      if (state.status !== 'suspension_eligible') refuse('suspension requires the notice procedure of §7.2 to have run');
      return { ...next, status: 'suspended_nonpayment', suspendedOn: today };
    case 'payment_received':
      if (!UNPAID.includes(state.status)) refuse('the invoice is already paid');
      return { ...next, status: 'paid', paidOn: today };
    case 'reactivated':
      if (state.status !== 'paid') refuse('reactivation follows the payment');
      if (state.suspendedOn === null) refuse('the tenant was never suspended');
      return { ...next, status: 'reactivated', reactivatedOn: today };
  }
}

/** What the daily job should do with the case today. */
export function nextActions(state: DunningState, today: IsoDate): DunningAction[] {
  assertDate(today);
  switch (state.status) {
    case 'current':
      return compareDates(today, state.dueDate) > 0 ? [{ type: 'mark_overdue' }] : [];
    case 'overdue':
      return [{ type: 'send_formal_notice' }];
    case 'notice_sent':
      return compareDates(today, state.suspensionEligibleOn!) >= 0 ? [{ type: 'mark_suspension_eligible' }] : [];
    case 'suspension_eligible':
      return [{ type: 'suspend' }];
    case 'paid':
      return state.suspendedOn !== null ? [{ type: 'reactivate', late: compareDates(today, state.paidOn!) > 0 }] : [];
    case 'suspended_nonpayment':
    case 'reactivated':
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Billing effect of suspensions (§7.2, §11).

/**
 * `client`: a suspension for non-payment (§7.2, §11 (i)) or for security/fraud (§7.2 "Urgence /
 * Fraude", §11 (ii)): subscriptions keep running as a penalty clause, they are billed.
 * `sofy`: a suspension due solely to SOFY's fault (§11 (i) "par exception"): not billed.
 */
export type SuspensionCause = 'client' | 'sofy';

export interface SuspensionInterval {
  /** First day affected. */
  from: IsoDate;
  /** Last day affected, inclusive (the reactivation day counts); null while it lasts. */
  to: IsoDate | null;
  cause: SuspensionCause;
  /** For `client` causes; non-payment when omitted. */
  reason?: 'nonpayment' | 'security';
}

export interface SuspensionBilling {
  periodDays: number;
  billableDays: number;
  billableRanges: DateRange[];
  nonBillableRanges: DateRange[];
  /** Lines of text the invoice carries, in date order. */
  mentions: string[];
}

/**
 * Days of `period` billable given the suspensions. A day touched only by a SOFY-caused suspension
 * is not billed; a day also under a client-caused suspension is (SOFY's fault is then not
 * "exclusive", §11 (i)). Each suspension overlapping the period yields a mention, clipped to it.
 */
export function suspensionBilling(period: DateRange, suspensions: readonly SuspensionInterval[]): SuspensionBilling {
  assertDate(period.from);
  assertDate(period.to);
  if (compareDates(period.from, period.to) > 0) throw new RangeError(`empty period: ${period.from} after ${period.to}`);
  const clipped: { interval: SuspensionInterval; range: DateRange }[] = [];
  for (const interval of suspensions) {
    assertDate(interval.from);
    if (interval.to !== null) {
      assertDate(interval.to);
      if (compareDates(interval.from, interval.to) > 0) throw new RangeError(`suspension ends before it starts: ${interval.from} > ${interval.to}`);
    }
    if (interval.cause === 'sofy' && interval.reason !== undefined) throw new RangeError('a reason applies to client-caused suspensions only');
    const from = compareDates(interval.from, period.from) > 0 ? interval.from : period.from;
    const to = interval.to === null || compareDates(interval.to, period.to) > 0 ? period.to : interval.to;
    if (compareDates(from, to) <= 0) clipped.push({ interval, range: { from, to } });
  }
  const covers = (cause: SuspensionCause, day: IsoDate) =>
    clipped.some(({ interval, range }) => interval.cause === cause && compareDates(range.from, day) <= 0 && compareDates(day, range.to) <= 0);

  const billableRanges: DateRange[] = [];
  const nonBillableRanges: DateRange[] = [];
  let periodDays = 0;
  let billableDays = 0;
  for (let day = period.from; compareDates(day, period.to) <= 0; day = addDays(day, 1)) {
    periodDays++;
    const billable = !covers('sofy', day) || covers('client', day);
    if (billable) billableDays++;
    extend(billable ? billableRanges : nonBillableRanges, day);
  }

  const mentions = [
    ...clipped
      .filter(({ interval }) => interval.cause === 'client')
      .map(({ interval, range }) => ({ from: range.from, text: clientMention(interval.reason ?? 'nonpayment', range) })),
    ...nonBillableRanges.map((range) => ({
      from: range.from,
      text: `Service indisponible du fait de SOFY ${span(range)} : abonnement non facturé (art. 11 (i))`,
    })),
  ]
    .sort((a, b) => compareDates(a.from, b.from))
    .map((mention) => mention.text);

  return { periodDays, billableDays, billableRanges, nonBillableRanges, mentions };
}

function clientMention(reason: 'nonpayment' | 'security', range: DateRange): string {
  return reason === 'nonpayment'
    ? `Service suspendu pour impayé ${span(range)} : abonnement dû (art. 7.2)`
    : `Service suspendu pour motif de sécurité ${span(range)} : abonnement dû (art. 11 (ii))`;
}

/** "du 19/05/2026 au 22/05/2026", or "le 19/05/2026" for a single day. */
function span(range: DateRange): string {
  return range.from === range.to ? `le ${frenchDate(range.from)}` : `du ${frenchDate(range.from)} au ${frenchDate(range.to)}`;
}

function frenchDate(date: IsoDate): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Appends `day` to the last range when contiguous, else opens a new one. */
function extend(ranges: DateRange[], day: IsoDate): void {
  const last = ranges[ranges.length - 1];
  if (last && addDays(last.to, 1) === day) last.to = day;
  else ranges.push({ from: day, to: day });
}

function assertDate(date: IsoDate): void {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
}
