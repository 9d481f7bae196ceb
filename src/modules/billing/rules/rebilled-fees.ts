/**
 * Amounts SOFY re-invoices on behalf of others, as invoice lines (invoice-totals.ts).
 *
 * R-AF2M (§13): "Toute amende infligée à SOFY du fait d'un manquement du Client sera intégralement
 * refacturée à ce dernier, majorée de 15% pour frais de gestion administrative." Two lines: the
 * fine in full, and the 15 % fee, rounded half-up to the cent once.
 *
 * R-PASSTHRU (§9.3): third-party taxes and fees "refacturés au Client à l'euro-l'euro, sans marge
 * additionnelle": one line whose amount must equal the documented cost, to the cent.
 *
 * The VAT rate of these lines is the invoice's (vat.ts decides it for the client): the functions
 * take it as a parameter and do not decide whether a given third-party tax is a disbursement
 * (débours) outside the VAT base, which is for accounting to settle per tax.
 */
import type { InvoiceLineInput } from './invoice-totals.ts';
import { percentOf } from './money.ts';

/** 15 % administrative fee on re-invoiced AF2M fines. */
export const AF2M_ADMIN_FEE_BP = 1500;

export type RebillResult = { ok: true; lines: InvoiceLineInput[] } | { ok: false; error: 'invalid_amount' | 'margin_not_allowed' | 'missing_reference'; message: string };

export interface Af2mFine {
  /** The fine imposed on SOFY, HT, in cents. */
  fineCents: number;
  /** The sanction's reference (decision number, date), printed on both lines. */
  reference: string;
  vatRateBp: number;
}

/** R-AF2M: the fine re-invoiced in full + 15 % administrative fee, as two invoice lines. */
export function af2mFineLines(fine: Af2mFine): RebillResult {
  if (!Number.isSafeInteger(fine.fineCents) || fine.fineCents <= 0) {
    return { ok: false, error: 'invalid_amount', message: `a fine is a positive number of cents, got ${fine.fineCents}` };
  }
  const reference = fine.reference.trim();
  if (reference === '') return { ok: false, error: 'missing_reference', message: 'a re-invoiced fine names the sanction it comes from' };
  const feeCents = percentOf(fine.fineCents, AF2M_ADMIN_FEE_BP);
  return {
    ok: true,
    lines: [
      { label: `Refacturation amende AF2M — ${reference}`, quantity: 1, unitPrice: { cents: fine.fineCents }, vatRateBp: fine.vatRateBp },
      { label: `Frais de gestion administrative 15 % — ${reference}`, quantity: 1, unitPrice: { cents: feeCents }, vatRateBp: fine.vatRateBp },
    ],
  };
}

export interface PassThroughCharge {
  /** What the tax or fee is, e.g. "Redevance opérateur — mars 2026". */
  label: string;
  /** The cost documented by the third party's invoice or notice, in cents. */
  costCents: number;
  /** What the operator wants to bill; defaults to the cost. Anything else is a margin and refused. */
  billedCents?: number;
  vatRateBp: number;
}

/** R-PASSTHRU: a third-party tax or fee at cost, as one invoice line, refused if it adds a margin. */
export function passThroughLine(charge: PassThroughCharge): RebillResult {
  if (!Number.isSafeInteger(charge.costCents) || charge.costCents <= 0) {
    return { ok: false, error: 'invalid_amount', message: `a pass-through cost is a positive number of cents, got ${charge.costCents}` };
  }
  const billed = charge.billedCents ?? charge.costCents;
  if (billed !== charge.costCents) {
    return {
      ok: false,
      error: 'margin_not_allowed',
      message: `third-party taxes are re-invoiced at cost (R-PASSTHRU): billed ${billed} cents for a cost of ${charge.costCents} cents`,
    };
  }
  if (charge.label.trim() === '') return { ok: false, error: 'missing_reference', message: 'a pass-through line says what tax or fee it is' };
  return { ok: true, lines: [{ label: charge.label.trim(), quantity: 1, unitPrice: { cents: charge.costCents }, vatRateBp: charge.vatRateBp }] };
}
