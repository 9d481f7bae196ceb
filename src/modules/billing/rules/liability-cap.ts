/**
 * R-CAP (§21.1): "L'indemnisation totale cumulée est plafonnée au montant HT payé par le Client au
 * cours des douze (12) derniers mois précédant le fait générateur."
 *
 * How it is counted here:
 * - Money actually RECEIVED counts, on the day it was received; invoiced-but-unpaid amounts do
 *   not ("payé"). The window is the 12 months before the event: from the same day 12 months
 *   earlier (inclusive; 29 February falls back to 28 February) to the day before the event
 *   (inclusive). Money received on the day of the event itself is not "before" it.
 * - Payments are TTC; the cap is HT. Each payment is converted with the HT/TTC ratio of the
 *   invoice it settled: HT share = amount × invoice HT / invoice TTC, rounded half-up to the cent
 *   per payment (each payment is its own cash event). A partial payment therefore counts for its
 *   proportional HT share; for a reverse-charge or export invoice HT = TTC and the payment counts
 *   in full. A payment that settled an invoice at its early-payment discount counts what was
 *   received, with the invoice's ratio: the discount reduced HT and VAT in the same proportion
 *   only approximately, so the ratio of the invoice as issued is used (difference ≤ 1 cent).
 * - Credit notes count only when they moved money: a refund to the client is a NEGATIVE payment
 *   with the credit note's own HT/TTC ratio and lowers the total. A credit note merely set off
 *   against a later invoice has already lowered what the client paid for it, so it must not be
 *   passed again.
 * - Late penalties and the 40 € indemnity are not the price of the services (not "HT" of any
 *   invoice): callers pass only payments allocated to invoices.
 * - The cap is never negative.
 */
import { addDays, addMonths, compareDates, type IsoDate, isIsoDate } from './dates.ts';
import { roundHalfUp, toSafeCents } from './money.ts';

export interface CapPayment {
  /** The day the money was received (or, negative, refunded). */
  date: IsoDate;
  /** TTC received; negative for a refund of a credit note. */
  amountTtcCents: number;
  /** The settled invoice's (or refunded credit note's) totals, for the HT/TTC ratio. */
  invoiceHtCents: number;
  invoiceTtcCents: number;
}

export interface CountedPayment extends CapPayment {
  htShareCents: number;
}

export interface LiabilityCap {
  eventDate: IsoDate;
  windowStart: IsoDate;
  windowEnd: IsoDate;
  /** Payments inside the window with their HT share, by date. */
  counted: CountedPayment[];
  capHtCents: number;
}

/** The HT part of a TTC payment, in the proportion of its invoice, rounded half-up once. */
export function htShareOfPayment(payment: Pick<CapPayment, 'amountTtcCents' | 'invoiceHtCents' | 'invoiceTtcCents'>): number {
  const { amountTtcCents, invoiceHtCents, invoiceTtcCents } = payment;
  for (const value of [amountTtcCents, invoiceHtCents, invoiceTtcCents]) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`amounts are integer cents: ${value}`);
  }
  if (invoiceTtcCents === 0) {
    if (invoiceHtCents !== 0) throw new RangeError('an invoice with a zero TTC has a zero HT');
    return 0;
  }
  // HT and TTC have the same sign, and |HT| ≤ |TTC| (VAT rates are not negative).
  if (Math.sign(invoiceHtCents) !== Math.sign(invoiceTtcCents) && invoiceHtCents !== 0) throw new RangeError('HT and TTC of an invoice have the same sign');
  if (Math.abs(invoiceHtCents) > Math.abs(invoiceTtcCents)) throw new RangeError('HT cannot exceed TTC');
  return toSafeCents(roundHalfUp(BigInt(amountTtcCents) * BigInt(invoiceHtCents), BigInt(invoiceTtcCents)));
}

/** R-CAP: the HT amount paid over the 12 months before `eventDate`. */
export function liabilityCap(eventDate: IsoDate, payments: readonly CapPayment[]): LiabilityCap {
  if (!isIsoDate(eventDate)) throw new RangeError(`not a calendar date: ${eventDate}`);
  const windowStart = addMonths(eventDate, -12);
  const windowEnd = addDays(eventDate, -1);
  const counted = payments
    .filter((payment) => {
      if (!isIsoDate(payment.date)) throw new RangeError(`not a calendar date: ${payment.date}`);
      return compareDates(payment.date, windowStart) >= 0 && compareDates(payment.date, windowEnd) <= 0;
    })
    .map((payment): CountedPayment => ({ ...payment, htShareCents: htShareOfPayment(payment) }))
    .sort((a, b) => compareDates(a.date, b.date));
  const total = counted.reduce((acc, payment) => acc + payment.htShareCents, 0);
  return { eventDate, windowStart, windowEnd, counted, capHtCents: Math.max(0, total) };
}
