/**
 * R-PAYMENT (§10.2): "Le règlement est fixé à trente (30) jours nets. SOFY accorde un escompte de
 * 1 % sur le montant HT pour tout paiement effectué sous huit (8) jours calendaires suivant
 * l'émission de la facture. Passé ce délai, le montant nominal est exigible."
 *
 * Dates are civil days in Paris (`IsoDate`). Day 0 is the issue date; "within 8 calendar days
 * following issue" ends at the end of day 8: an invoice issued on 2 March can be paid with the
 * discount up to and including 10 March, not on 11 March. Net 30 likewise: due on issue + 30.
 */
import { addDays, compareDates, type IsoDate, isIsoDate } from './dates.ts';

export const NET_PAYMENT_DAYS = 30;
export const DISCOUNT_PERIOD_DAYS = 8;

/** The due date printed on the invoice (L441-9: a date, not a delay): issue + 30 days. */
export function dueDate(issueDate: IsoDate): IsoDate {
  return addDays(issueDate, NET_PAYMENT_DAYS);
}

/** The last day a payment earns the early-payment discount: issue + 8 calendar days. */
export function discountDeadline(issueDate: IsoDate): IsoDate {
  return addDays(issueDate, DISCOUNT_PERIOD_DAYS);
}

/** Whether a payment made on `paymentDate` is within the discount period (day 8 yes, day 9 no). */
export function isWithinDiscountPeriod(issueDate: IsoDate, paymentDate: IsoDate): boolean {
  return compareDates(paymentDate, discountDeadline(issueDate)) <= 0;
}

export interface PayableInvoice {
  issueDate: IsoDate;
  totalTtcCents: number;
  /** `earlyPaymentDiscount.amountToPayCents` from invoice-totals.ts: TTC less the discount TTC. */
  discountedAmountCents: number;
}

export interface Payment {
  /** The day the money was received (value date of the transfer, due date of the direct debit). */
  date: IsoDate;
  amountCents: number;
}

export type SettlementStatus = 'unpaid' | 'partially_paid' | 'paid' | 'overpaid';

export interface Settlement {
  status: SettlementStatus;
  /** Whether the invoice is settled at its discounted amount. */
  discountApplied: boolean;
  /** What the client owes in total: the discounted amount, or the full TTC. */
  amountOwedCents: number;
  paidCents: number;
  /** Still to pay (0 when paid or overpaid). */
  remainingCents: number;
  /** Received beyond what was owed, to refund or carry over. */
  overpaidCents: number;
  /** The day the cumulative payments first covered what is owed, or null. */
  settledOn: IsoDate | null;
  dueDate: IsoDate;
  discountDeadline: IsoDate;
}

/**
 * Applies the payments received for an invoice (partial payments allowed, in any order).
 *
 * The discount is all or nothing: it applies only when the payments dated on or before the
 * discount deadline add up to at least the discounted amount. A client who pays part within 8 days
 * and the rest later owes the full TTC (the discount rewards paying the invoice early, not a part
 * of it), so its early part simply counts towards the TTC.
 *
 * Credit notes are settled by refund, not through this function: the invoice must be positive.
 */
export function settleInvoice(invoice: PayableInvoice, payments: readonly Payment[]): Settlement {
  const { issueDate, totalTtcCents, discountedAmountCents } = invoice;
  if (!isIsoDate(issueDate)) throw new RangeError(`not a calendar date: ${issueDate}`);
  if (!Number.isSafeInteger(totalTtcCents) || totalTtcCents <= 0) throw new RangeError(`an invoice to settle has a positive TTC in cents: ${totalTtcCents}`);
  if (!Number.isSafeInteger(discountedAmountCents) || discountedAmountCents <= 0 || discountedAmountCents > totalTtcCents) {
    throw new RangeError(`the discounted amount is positive and at most the TTC: ${discountedAmountCents}`);
  }
  for (const payment of payments) {
    if (!isIsoDate(payment.date)) throw new RangeError(`not a calendar date: ${payment.date}`);
    if (!Number.isSafeInteger(payment.amountCents) || payment.amountCents <= 0) throw new RangeError(`a payment is a positive number of cents: ${payment.amountCents}`);
  }
  const deadline = discountDeadline(issueDate);
  const ordered = [...payments].sort((a, b) => compareDates(a.date, b.date));
  const paidCents = ordered.reduce((total, payment) => total + payment.amountCents, 0);
  const paidByDeadline = ordered.filter((payment) => compareDates(payment.date, deadline) <= 0).reduce((total, payment) => total + payment.amountCents, 0);
  const discountApplied = paidByDeadline >= discountedAmountCents;
  const amountOwedCents = discountApplied ? discountedAmountCents : totalTtcCents;

  let settledOn: IsoDate | null = null;
  let running = 0;
  for (const payment of ordered) {
    running += payment.amountCents;
    if (running >= amountOwedCents) {
      settledOn = payment.date;
      break;
    }
  }
  const status: SettlementStatus = paidCents === 0 ? 'unpaid' : paidCents < amountOwedCents ? 'partially_paid' : paidCents === amountOwedCents ? 'paid' : 'overpaid';
  return {
    status,
    discountApplied,
    amountOwedCents,
    paidCents,
    remainingCents: Math.max(0, amountOwedCents - paidCents),
    overpaidCents: Math.max(0, paidCents - amountOwedCents),
    settledOn,
    dueDate: dueDate(issueDate),
    discountDeadline: deadline,
  };
}
