import type { Tx } from '../../platform/db/database.ts';
import { billingTx } from './db.ts';
import * as repo from './repo.ts';
import { type Payment, settleInvoice, type Settlement } from './rules.ts';

/**
 * What an invoice's payments and credit notes add up to (R-PAYMENT): recomputed from every
 * allocation with its payment's date, so partial payments, the 1 % discount within 8 days and
 * credit notes always give the same answer, whatever order they arrived in.
 */
export async function invoiceSettlement(tx: Tx, invoice: repo.InvoiceRow, extra: Payment[] = []): Promise<Settlement | null> {
  if (invoice.kind !== 'invoice' || invoice.status !== 'issued' || !invoice.issue_date) return null;
  const payments = await paymentsOf(tx, invoice.id);
  const owedTtc = invoice.total_ttc_cents - invoice.amount_credited_cents;
  if (owedTtc <= 0) return null;
  // A credit note lowers what is owed, discounted or not, by the same amount.
  const discounted = Math.max(1, invoice.total_ttc_cents - invoice.discount_ttc_cents - invoice.amount_credited_cents);
  return settleInvoice({ issueDate: invoice.issue_date, totalTtcCents: owedTtc, discountedAmountCents: Math.min(discounted, owedTtc) }, [...payments, ...extra]);
}

async function paymentsOf(tx: Tx, invoiceId: string): Promise<Payment[]> {
  const rows = await billingTx(tx)
    .selectFrom('billing_payment_allocations as a')
    .innerJoin('billing_payments as p', 'p.id', 'a.payment_id')
    .select(['a.amount_cents', 'p.received_on'])
    .where('a.invoice_id', '=', invoiceId)
    .execute();
  return rows.map((row) => ({ date: row.received_on, amountCents: row.amount_cents }));
}

/** Writes the payment state of an issued invoice from its allocations and credit notes. */
export async function refreshPaymentState(tx: Tx, invoiceId: string, today: string, now: Date): Promise<repo.InvoiceRow> {
  const invoice = await repo.findInvoice(tx, invoiceId, true);
  if (!invoice) throw new Error(`invoice ${invoiceId} vanished`);
  if (invoice.kind !== 'invoice' || invoice.status !== 'issued') return invoice;
  const owedTtc = invoice.total_ttc_cents - invoice.amount_credited_cents;
  const settlement = await invoiceSettlement(tx, invoice);
  if (!settlement) {
    // Fully credited: nothing left to pay.
    return repo.setPaymentState(tx, invoiceId, {
      paymentStatus: 'paid',
      amountPaidCents: invoice.amount_paid_cents,
      amountCreditedCents: invoice.amount_credited_cents,
      discountTakenCents: 0,
      paidOn: invoice.paid_on ?? (owedTtc <= 0 ? today : null),
      now,
    });
  }
  return repo.setPaymentState(tx, invoiceId, {
    paymentStatus: settlement.status === 'overpaid' ? 'paid' : settlement.status,
    amountPaidCents: settlement.paidCents,
    amountCreditedCents: invoice.amount_credited_cents,
    discountTakenCents: settlement.discountApplied ? owedTtc - settlement.amountOwedCents : 0,
    paidOn: settlement.settledOn,
    now,
  });
}

/** Still to pay on an issued invoice (0 when settled). */
export function amountDue(invoice: repo.InvoiceRow): number {
  if (invoice.kind !== 'invoice' || invoice.status !== 'issued' || invoice.payment_status === 'paid') return 0;
  return Math.max(0, invoice.total_ttc_cents - invoice.amount_credited_cents - invoice.amount_paid_cents);
}
