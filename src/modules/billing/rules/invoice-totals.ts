/**
 * Invoice arithmetic (issue 5, Code de commerce L441-9, CGI 242 nonies A; R-PAYMENT for the
 * discount). All exact, rounding at exactly three places:
 *
 * 1. each line's amount HT, once, half-up to the cent, from quantity × unit price × prorata
 *    (a unit price may be in millicents: 10 000 SMS at 4.5 c€ make 450.00 €, not 500.00 €);
 * 2. each VAT rate's VAT, once, on the total HT of that rate (not line by line);
 * 3. the early-payment discount of each rate, once, and the VAT of the reduced base, once.
 *
 * A credit note (avoir) is the same computation with negative quantities or prices: rounding is
 * symmetric (money.ts), so a credit note that negates every line of an invoice has exactly the
 * negated totals.
 */
import { BASIS_POINTS, MILLICENTS_PER_CENT, roundHalfUp, toSafeCents } from './money.ts';

/** R-PAYMENT (§10.2): 1 % of the HT amount when paid within 8 calendar days of issue. */
export const EARLY_PAYMENT_DISCOUNT_BP = 100;

export type UnitPrice = { cents: number } | { millicents: number };

export interface Prorata {
  /** Days billed (actual days). */
  numerator: number;
  /** Days in the period (actual days). */
  denominator: number;
}

export interface InvoiceLineInput {
  label: string;
  /** An integer, or a decimal written as a string with at most 3 decimals ("1.5", "0.125"). */
  quantity: number | string;
  /** HT, per unit. */
  unitPrice: UnitPrice;
  prorata?: Prorata | null;
  /** 2 000 for 20 %, 0 for reverse charge or export. */
  vatRateBp: number;
}

export interface InvoiceLine {
  label: string;
  /** Canonical decimal string: "3", "1.5", "-2". */
  quantity: string;
  unitPriceMillicents: number;
  prorata: Prorata | null;
  vatRateBp: number;
  /** quantity × unit price × prorata, rounded half-up to the cent once. */
  amountHtCents: number;
}

export interface VatBreakdownEntry {
  rateBp: number;
  /** Total HT of the lines at this rate. */
  baseHtCents: number;
  /** VAT on that total, rounded once. */
  vatCents: number;
}

export interface EarlyPaymentDiscountEntry {
  rateBp: number;
  /** 1 % of the rate's base, rounded once. */
  discountHtCents: number;
  /** The base after discount: the VAT base "reduced accordingly". */
  reducedBaseHtCents: number;
  /** VAT on the reduced base, rounded once. */
  reducedVatCents: number;
  /** VAT the discount takes off: the rate's VAT − the reduced VAT. */
  discountVatCents: number;
}

export interface EarlyPaymentDiscount {
  rateBp: number;
  perRate: EarlyPaymentDiscountEntry[];
  discountHtCents: number;
  discountVatCents: number;
  discountTtcCents: number;
  /** What settles the invoice when paid within the discount period: TTC − discount TTC. */
  amountToPayCents: number;
}

export interface InvoiceTotals {
  lines: InvoiceLine[];
  /** One entry per VAT rate present, highest rate first. */
  vatBreakdown: VatBreakdownEntry[];
  totalHtCents: number;
  totalVatCents: number;
  totalTtcCents: number;
  earlyPaymentDiscount: EarlyPaymentDiscount;
}

/** A quantity as an exact fraction: value = units / 1000. */
function parseQuantity(quantity: number | string): bigint {
  if (typeof quantity === 'number') {
    if (!Number.isSafeInteger(quantity)) throw new RangeError(`a numeric quantity must be an integer (write decimals as a string): ${quantity}`);
    return BigInt(quantity) * 1000n;
  }
  const match = /^(-?)([0-9]+)(?:\.([0-9]{1,3}))?$/.exec(quantity.trim());
  if (!match) throw new RangeError(`a quantity is an integer or a decimal with at most 3 decimals: "${quantity}"`);
  const units = BigInt(match[2]!) * 1000n + BigInt((match[3] ?? '').padEnd(3, '0'));
  return match[1] ? -units : units;
}

function formatQuantity(thousandths: bigint): string {
  const negative = thousandths < 0n;
  const abs = negative ? -thousandths : thousandths;
  const whole = abs / 1000n;
  const fraction = (abs % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${negative && abs !== 0n ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function unitPriceInMillicents(price: UnitPrice): number {
  const given = 'cents' in price ? price.cents : price.millicents;
  const value = 'cents' in price ? price.cents * MILLICENTS_PER_CENT : price.millicents;
  if (!Number.isSafeInteger(given) || !Number.isSafeInteger(value)) throw new RangeError(`a unit price is an integer number of cents or millicents: ${JSON.stringify(price)}`);
  return value;
}

function assertRate(rateBp: number): void {
  if (!Number.isSafeInteger(rateBp) || rateBp < 0 || rateBp > BASIS_POINTS) throw new RangeError(`a VAT rate is 0 to 10 000 basis points: ${rateBp}`);
}

/** One line's amount HT: quantity × unit price × prorata, half-up to the cent once. */
export function computeLine(input: InvoiceLineInput): InvoiceLine {
  assertRate(input.vatRateBp);
  const quantity = parseQuantity(input.quantity);
  const unitPriceMillicents = unitPriceInMillicents(input.unitPrice);
  const prorata = input.prorata ?? null;
  let num = 1n;
  let den = 1n;
  if (prorata) {
    const { numerator, denominator } = prorata;
    if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0 || numerator < 0 || numerator > denominator) {
      throw new RangeError(`a prorata is 0 ≤ days billed ≤ days in the period: ${numerator}/${denominator}`);
    }
    num = BigInt(numerator);
    den = BigInt(denominator);
  }
  // quantity is in thousandths and the price in millicents: divide by 1000 × 1000 to get cents.
  const amount = roundHalfUp(quantity * BigInt(unitPriceMillicents) * num, den * 1000n * BigInt(MILLICENTS_PER_CENT));
  return {
    label: input.label,
    quantity: formatQuantity(quantity),
    unitPriceMillicents,
    prorata: prorata ? { numerator: prorata.numerator, denominator: prorata.denominator } : null,
    vatRateBp: input.vatRateBp,
    amountHtCents: toSafeCents(amount),
  };
}

/** VAT of `baseHtCents` at `rateBp`, rounded half-up once. */
export function vatOn(baseHtCents: number, rateBp: number): number {
  assertRate(rateBp);
  return toSafeCents(roundHalfUp(BigInt(baseHtCents) * BigInt(rateBp), BigInt(BASIS_POINTS)));
}

/**
 * The totals of an invoice or credit note. An empty invoice is allowed (all zero): the caller
 * decides whether issuing one makes sense.
 */
export function computeInvoiceTotals(inputs: readonly InvoiceLineInput[], discountBp: number = EARLY_PAYMENT_DISCOUNT_BP): InvoiceTotals {
  if (!Number.isSafeInteger(discountBp) || discountBp < 0 || discountBp > BASIS_POINTS) throw new RangeError(`a discount is 0 to 10 000 basis points: ${discountBp}`);
  const lines = inputs.map(computeLine);
  const bases = new Map<number, number>();
  for (const line of lines) bases.set(line.vatRateBp, (bases.get(line.vatRateBp) ?? 0) + line.amountHtCents);
  const vatBreakdown = [...bases.entries()]
    .sort(([a], [b]) => b - a)
    .map(([rateBp, baseHtCents]): VatBreakdownEntry => ({ rateBp, baseHtCents, vatCents: vatOn(baseHtCents, rateBp) }));

  const totalHtCents = sum(vatBreakdown.map((entry) => entry.baseHtCents));
  const totalVatCents = sum(vatBreakdown.map((entry) => entry.vatCents));

  // R-PAYMENT: the discount is 1 % of HT, rate by rate, and the VAT is recomputed on the reduced
  // base (not the discount's VAT rounded on its own), so that base and VAT stay consistent on
  // the amount actually paid.
  const perRate = vatBreakdown.map((entry): EarlyPaymentDiscountEntry => {
    const discountHtCents = toSafeCents(roundHalfUp(BigInt(entry.baseHtCents) * BigInt(discountBp), BigInt(BASIS_POINTS)));
    const reducedBaseHtCents = entry.baseHtCents - discountHtCents;
    const reducedVatCents = vatOn(reducedBaseHtCents, entry.rateBp);
    return { rateBp: entry.rateBp, discountHtCents, reducedBaseHtCents, reducedVatCents, discountVatCents: entry.vatCents - reducedVatCents };
  });
  const discountHtCents = sum(perRate.map((entry) => entry.discountHtCents));
  const discountVatCents = sum(perRate.map((entry) => entry.discountVatCents));
  const totalTtcCents = totalHtCents + totalVatCents;
  return {
    lines,
    vatBreakdown,
    totalHtCents,
    totalVatCents,
    totalTtcCents,
    earlyPaymentDiscount: {
      rateBp: discountBp,
      perRate,
      discountHtCents,
      discountVatCents,
      discountTtcCents: discountHtCents + discountVatCents,
      amountToPayCents: totalTtcCents - discountHtCents - discountVatCents,
    },
  };
}

function sum(values: readonly number[]): number {
  const total = values.reduce((acc, value) => acc + BigInt(value), 0n);
  return toSafeCents(total);
}
