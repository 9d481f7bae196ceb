/**
 * From priced lines to an issued invoice: VAT treatment (R-VAT), totals (invoice-totals.ts),
 * numbering (invoice-numbering.ts, counter row in the issuing transaction), payment terms
 * (R-PAYMENT, R-LATE) and the frozen legal document the PDF and Factur-X are rendered from.
 * Every amount comes from the rules; this file assembles.
 */
import type { Tx } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { InvoiceOrigin, LineKind } from './db.ts';
import type { BuyerIdentity, InvoiceDocument, InvoiceLine as DocumentLine, PaymentMeans, SellerIdentity, VatCategory } from './documents/types.ts';
import { documentViolations } from './documents/validate.ts';
import * as repo from './repo.ts';
import {
  computeInvoiceTotals,
  DISCOUNT_PERIOD_DAYS,
  decideVat,
  discountDeadline,
  dueDate,
  formatBasisPoints,
  formatInvoiceNumber,
  type InvoiceLineInput,
  type InvoiceTotals,
  type LegalRateEntry,
  NET_PAYMENT_DAYS,
  penaltyRateBpOn,
  legalRateOn,
  RECOVERY_INDEMNITY_CENTS,
  SERIES_PREFIX,
  type VatDecision,
  validateVatNumber,
  type ViesAnswer,
} from './rules.ts';
import { isSepaText } from './rules/sepa-ids.ts';

export interface DraftLine {
  kind: LineKind;
  product: string | null;
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  /** Decimal string, at most 3 decimals; negative for a deduction. */
  quantity: string;
  unitPriceMillicents: number;
  /** Actual days billed / days of the month (R-POI prorations, partial months). */
  prorata: { numerator: number; denominator: number } | null;
  detail: Record<string, unknown>;
}

export interface VatContext {
  decision: VatDecision;
  viesCheckId: string | null;
}

/** R-VAT for a contract's client: the number's own check, then the last VIES answer on file (kept as proof). */
export async function vatContextFor(tx: Tx, contract: { tenant_id: string; country: string; postal_code: string; vat_number: string | null }): Promise<VatContext> {
  let evidence: { number: string; checksumValid: boolean; vies: ViesAnswer } | null = null;
  let viesCheckId: string | null = null;
  if (contract.vat_number) {
    const check = validateVatNumber(contract.vat_number, contract.country);
    const number = check.normalised ?? contract.vat_number;
    const proof = await repo.latestViesCheck(tx, contract.tenant_id, number);
    viesCheckId = proof?.id ?? null;
    evidence = { number, checksumValid: check.valid, vies: proof?.outcome ?? 'not_checked' };
  }
  return { decision: decideVat({ country: contract.country, postcode: contract.postal_code, vatNumber: evidence }), viesCheckId };
}

export function lineInputs(lines: readonly DraftLine[], rateBp: number): InvoiceLineInput[] {
  return lines.map((line) => ({ label: line.description, quantity: line.quantity, unitPrice: { millicents: line.unitPriceMillicents }, prorata: line.prorata, vatRateBp: rateBp }));
}

export function priceLines(lines: readonly DraftLine[], rateBp: number): InvoiceTotals {
  return computeInvoiceTotals(lineInputs(lines, rateBp));
}

/** Writes a draft (or the lines of a credit note) with its amounts computed by the rules. */
export async function insertDraft(
  tx: Tx,
  input: {
    tenantId: string;
    contractId: string | null;
    kind: 'invoice' | 'credit_note';
    origin: InvoiceOrigin;
    periodStart: string;
    periodEnd: string;
    lines: DraftLine[];
    vat: VatContext;
    paymentMethod: 'sepa' | 'transfer';
    notes: string[];
    runId: string | null;
    creditedInvoiceId: string | null;
    createdBy: string;
  },
) {
  const totals = priceLines(input.lines, input.vat.decision.rateBp);
  const invoice = await repo.insertInvoice(tx, {
    tenant_id: input.tenantId,
    contract_id: input.contractId,
    kind: input.kind,
    origin: input.origin,
    series: SERIES_PREFIX[input.kind],
    invoice_run_id: input.runId,
    credited_invoice_id: input.creditedInvoiceId,
    period_start: input.periodStart,
    period_end: input.periodEnd,
    vat_regime: input.vat.decision.regime,
    vat_rate_bp: input.vat.decision.rateBp,
    vat_mention: input.vat.decision.mention,
    vat_explanation: input.vat.decision.explanation,
    vies_check_id: input.vat.viesCheckId,
    payment_method: input.paymentMethod,
    notes: input.notes,
    created_by: input.createdBy,
    total_ht_cents: totals.totalHtCents,
    total_vat_cents: totals.totalVatCents,
    total_ttc_cents: totals.totalTtcCents,
    discount_ht_cents: input.kind === 'invoice' ? totals.earlyPaymentDiscount.discountHtCents : 0,
    discount_ttc_cents: input.kind === 'invoice' ? totals.earlyPaymentDiscount.discountTtcCents : 0,
  });
  await repo.insertLines(
    tx,
    input.tenantId,
    invoice.id,
    input.lines.map((line, index) => ({
      kind: line.kind,
      product: line.product,
      description: line.description,
      periodStart: line.periodStart,
      periodEnd: line.periodEnd,
      quantity: totals.lines[index]!.quantity,
      unitPriceMillicents: line.unitPriceMillicents,
      amountHtCents: totals.lines[index]!.amountHtCents,
      vatRateBp: input.vat.decision.rateBp,
      detail: { ...line.detail, ...(line.prorata ? { prorata: line.prorata } : {}) },
    })),
  );
  return { invoice, totals };
}

/** A stored line back as the rules' input (the prorata travels in `detail`). */
export function draftLineOf(row: repo.LineRow): DraftLine {
  const prorata = (row.detail as { prorata?: { numerator: number; denominator: number } }).prorata ?? null;
  return {
    kind: row.kind,
    product: row.product_code,
    description: row.description,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    quantity: normaliseQuantity(row.quantity),
    unitPriceMillicents: row.unit_price_millicents,
    prorata,
    detail: row.detail,
  };
}

/** numeric(14,3) arrives as "3.000": the rules want at most 3 decimals, trailing zeros are fine but tidy them. */
function normaliseQuantity(value: string): string {
  return value.includes('.') ? value.replace(/\.?0+$/, '') || '0' : value;
}

const VAT_CATEGORY: Record<VatDecision['regime'], VatCategory> = {
  france: 'S',
  france_overseas_taxed: 'S',
  france_overseas_exempt: 'E',
  eu_reverse_charge: 'AE',
  eu_without_valid_vat_number: 'S',
  outside_eu: 'G',
};

/** "29.00" / "0.04500": euros with 2 to 5 decimals, exact from millicents. */
export function millicentsToEuros(millicents: number): string {
  const negative = millicents < 0;
  const abs = Math.abs(millicents);
  const whole = Math.floor(abs / 100_000);
  let fraction = String(abs % 100_000).padStart(5, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

const centsToEuros = (cents: number): string => millicentsToEuros(cents * 1000);

/** The printed R-LATE rate for an invoice issued on `issueDate`. */
export function latePenaltyRateText(issueDate: string, table: readonly LegalRateEntry[]): string {
  const legal = legalRateOn(issueDate, table);
  const semester = Number(legal.effectiveFrom.slice(5, 7)) < 7 ? '1er' : '2nd';
  return `${formatBasisPoints(penaltyRateBpOn(issueDate, table))} l'an (3 fois le taux d'intérêt légal du ${semester} semestre ${legal.effectiveFrom.slice(0, 4)}, ${formatBasisPoints(legal.rateBp)})`;
}

export interface BuyerSource {
  legal_name: string;
  siren: string | null;
  address_line: string;
  postal_code: string;
  city: string;
  country: string;
  vat_number: string | null;
  billing_email: string;
  payment_method: 'sepa' | 'transfer';
  sepa_rum: string | null;
  sepa_iban: string | null;
}

export function buyerOf(contract: BuyerSource): BuyerIdentity {
  const vat = contract.vat_number ? validateVatNumber(contract.vat_number, contract.country) : null;
  return {
    legalName: contract.legal_name,
    ...(contract.siren ? { siren: contract.siren } : {}),
    address: { lines: contract.address_line.split('\n').filter(Boolean).slice(0, 3), postcode: contract.postal_code, city: contract.city, country: contract.country },
    ...(vat?.normalised ? { vatNumber: vat.normalised } : {}),
    email: contract.billing_email,
  };
}

const SEPA_AREA = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO', 'CH', 'GB', 'MC', 'SM', 'VA', 'AD']);

function paymentMeansOf(contract: BuyerSource, seller: SellerIdentity, reference: string): PaymentMeans {
  if (contract.payment_method === 'sepa' && contract.sepa_rum) {
    return { kind: 'sepa_direct_debit', mandateReference: contract.sepa_rum, creditorId: seller.sepaCreditorId, ...(contract.sepa_iban ? { debtorIban: contract.sepa_iban } : {}) };
  }
  return { kind: SEPA_AREA.has(contract.country) ? 'sepa_credit_transfer' : 'credit_transfer', iban: seller.iban, bic: seller.bic, reference: isSepaText(reference) ? reference : reference.replace(/[^A-Za-z0-9-]/g, '') };
}

/**
 * Issues a draft in the caller's transaction: the next number of its series (the counter row is
 * locked until commit: no gap, no duplicate when runs race), the issue and due dates, and the
 * complete legal content frozen as `document`. After this the row is immutable (trigger).
 */
export async function issueDraft(
  tx: Tx,
  input: { invoiceId: string; issueDate: string; now: Date; seller: SellerIdentity; buyer: BuyerSource; legalRates: readonly LegalRateEntry[] },
): Promise<repo.InvoiceRow> {
  const draft = await repo.findInvoice(tx, input.invoiceId, true);
  if (!draft) throw new AppError('not_found', 'Invoice not found');
  if (draft.status !== 'draft') throw new AppError('invoice_immutable', `Invoice ${draft.number} is already issued`);
  const rows = await repo.invoiceLines(tx, draft.id);
  const lines = rows.map(draftLineOf);
  const rateBp = draft.vat_rate_bp;
  const totals = priceLines(lines, rateBp);
  if (draft.kind === 'invoice' && totals.totalTtcCents <= 0) {
    throw new AppError('invalid_state', 'An invoice with nothing to pay is not issued (use a credit note for corrections)');
  }
  const series = draft.kind;
  const year = Number(input.issueDate.slice(0, 4));
  const sequence = await repo.nextInvoiceSequence(tx, SERIES_PREFIX[series], year);
  const number = formatInvoiceNumber({ series, year, sequence });
  const category = VAT_CATEGORY[draft.vat_regime as VatDecision['regime']] ?? 'S';
  const mention = draft.vat_mention;

  let preceding: InvoiceDocument['precedingInvoice'];
  if (draft.credited_invoice_id) {
    const credited = await repo.findInvoice(tx, draft.credited_invoice_id);
    if (!credited?.number || !credited.issue_date) throw new AppError('invalid_state', 'The credited invoice is not issued');
    preceding = { number: credited.number, issueDate: credited.issue_date };
  }
  const documentLines: DocumentLine[] = lines.map((line, index) => {
    const computed = totals.lines[index]!;
    const period = line.periodStart && line.periodEnd ? { period: { from: line.periodStart, to: line.periodEnd } } : {};
    if (line.prorata) {
      // A prorated line prints as one package whose unit price is its amount (BR-LIN-04 holds
      // exactly); the computation is spelled out in the description.
      const negative = computed.amountHtCents < 0;
      return {
        label: line.description,
        description: `${computed.quantity} × ${millicentsToEuros(line.unitPriceMillicents)} € × ${line.prorata.numerator}/${line.prorata.denominator} jours`,
        quantity: negative ? '-1' : '1',
        unitPriceHt: centsToEuros(Math.abs(computed.amountHtCents)),
        totalCents: computed.amountHtCents,
        vatCategory: category,
        vatRateBp: rateBp,
        ...period,
      };
    }
    const negativePrice = line.unitPriceMillicents < 0;
    return {
      label: line.description,
      quantity: negativePrice ? `-${computed.quantity}`.replace(/^--/, '') : computed.quantity,
      unitPriceHt: millicentsToEuros(Math.abs(line.unitPriceMillicents)),
      totalCents: computed.amountHtCents,
      vatCategory: category,
      vatRateBp: rateBp,
      ...period,
    };
  });
  const discount = totals.earlyPaymentDiscount;
  const document: InvoiceDocument = {
    kind: draft.kind,
    number,
    issueDate: input.issueDate,
    servicePeriod: { from: draft.period_start ?? input.issueDate, to: draft.period_end ?? input.issueDate },
    seller: input.seller,
    buyer: buyerOf(input.buyer),
    ...(preceding ? { precedingInvoice: preceding } : {}),
    lines: documentLines,
    vatBreakdown: totals.vatBreakdown.map((entry) => ({
      category,
      rateBp: entry.rateBp,
      baseCents: entry.baseHtCents,
      vatCents: entry.vatCents,
      ...(category === 'E' && mention ? { exemptionReason: mention, exemptionReasonCode: 'VATEX-FR-294' } : {}),
    })),
    totals: { htCents: totals.totalHtCents, vatCents: totals.totalVatCents, ttcCents: totals.totalTtcCents, paidCents: 0, dueCents: totals.totalTtcCents },
    ...(mention ? { vatMention: mention } : {}),
    ...(draft.kind === 'invoice'
      ? {
          paymentTerms: {
            dueDate: dueDate(input.issueDate),
            netDays: NET_PAYMENT_DAYS,
            earlyPaymentDiscount: {
              rateBp: discount.rateBp,
              days: DISCOUNT_PERIOD_DAYS,
              deadline: discountDeadline(input.issueDate),
              amountHtCents: discount.discountHtCents,
              vatCents: discount.discountVatCents,
            },
            latePenaltyRate: latePenaltyRateText(input.issueDate, input.legalRates),
            recoveryIndemnityCents: RECOVERY_INDEMNITY_CENTS,
          },
        }
      : {}),
    paymentMeans: paymentMeansOf(input.buyer, input.seller, number),
    ...(draft.notes.length ? { notes: draft.notes } : {}),
  };
  const problems = documentViolations(document);
  if (problems.length) throw new Error(`invoice ${number} is inconsistent: ${problems.join('; ')}`);
  const issued = await repo.markIssued(tx, draft.id, {
    number,
    sequence,
    issueDate: input.issueDate,
    dueDate: draft.kind === 'invoice' ? dueDate(input.issueDate) : null,
    discountDeadline: draft.kind === 'invoice' ? discountDeadline(input.issueDate) : null,
    document: document as unknown as Record<string, unknown>,
    issuedAt: input.now,
    totals: {
      ht: totals.totalHtCents,
      vat: totals.totalVatCents,
      ttc: totals.totalTtcCents,
      discountHt: draft.kind === 'invoice' ? discount.discountHtCents : 0,
      discountTtc: draft.kind === 'invoice' ? discount.discountTtcCents : 0,
    },
  });
  if (!issued) throw new AppError('invoice_immutable', 'The invoice was issued meanwhile');
  return issued;
}
