/**
 * Number and date formatting shared by the XML and the PDF. Integer cents and decimal strings
 * only: no amount ever goes through a float (DESIGN: money is integer cents).
 */
import type { IsoDate } from './types.ts';

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NBSP = '\u00a0';

/** A decimal string as an exact scaled integer: value = mantissa / 10^scale. */
export interface Scaled {
  mantissa: bigint;
  scale: number;
}

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

export function parseDecimal(value: string): Scaled {
  const match = DECIMAL.exec(value);
  if (!match) throw new RangeError(`not a decimal number: ${value}`);
  const fraction = match[3] ?? '';
  const mantissa = BigInt(`${match[2]}${fraction}`);
  return { mantissa: match[1] === '-' ? -mantissa : mantissa, scale: fraction.length };
}

/** Rounds value × factor to an integer, half away from zero (money: half-up on magnitudes). */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

/** quantity × unit price, half-up to the cent (BR-LIN-04 as the billing rules compute it). */
export function lineAmountCents(quantity: string, unitPrice: string): number {
  const q = parseDecimal(quantity);
  const p = parseDecimal(unitPrice);
  // euros × 100 = cents; the product has scale q.scale + p.scale.
  return Number(roundHalfUp(q.mantissa * p.mantissa * 100n, 10n ** BigInt(q.scale + p.scale)));
}

/** VAT on a base at a rate in basis points, half-up to the cent (R-VAT, BR-CO-17). */
export function vatOf(baseCents: number, rateBp: number): number {
  return Number(roundHalfUp(BigInt(baseCents) * BigInt(rateBp), 10_000n));
}

/** 123456 → "1234.56"; -5 → "-0.05" (XML amounts, BT-106…BT-115). */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`amount is not integer cents: ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 2000 → "20.00", 550 → "5.50" (XML percentages). */
export function bpToPercent(bp: number): string {
  return centsToDecimal(bp);
}

/** Normalises a decimal string for XML: no leading zeros, no trailing fraction zeros beyond `minScale`. */
export function normalizeDecimal(value: string, minScale = 0): string {
  const match = DECIMAL.exec(value);
  if (!match) throw new RangeError(`not a decimal number: ${value}`);
  const integer = match[2]!.replace(/^0+(?=\d)/, '');
  let fraction = (match[3] ?? '').replace(/0+$/, '');
  while (fraction.length < minScale) fraction += '0';
  const sign = match[1] === '-' && /[1-9]/.test(integer + fraction) ? '-' : '';
  return `${sign}${integer}${fraction ? `.${fraction}` : ''}`;
}

export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** `2026-04-12` → `20260412` (UNTDID 2379 format 102). */
export function compactDate(date: IsoDate): string {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return date.replaceAll('-', '');
}

// ---- French display (PDF) -------------------------------------------------------------------

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** 123456 → "1 234,56 €" (non-breaking spaces). */
export function eurosFr(cents: number): string {
  const [integer, fraction] = centsToDecimal(Math.abs(cents)).split('.');
  return `${cents < 0 ? '-' : ''}${groupThousands(integer!)},${fraction}${NBSP}€`;
}

/** "1250" → "1 250", "2.50" → "2,5". */
export function decimalFr(value: string): string {
  const [integer, fraction] = normalizeDecimal(value).split('.');
  const sign = integer!.startsWith('-') ? '-' : '';
  const digits = groupThousands(integer!.replace('-', ''));
  return `${sign}${digits}${fraction ? `,${fraction}` : ''}`;
}

/** Unit price: at least 2 decimals, up to the 5 of a millicent price: "29,00 €", "0,045 €". */
export function unitPriceFr(value: string): string {
  const [integer, fraction] = normalizeDecimal(value, 2).split('.');
  const sign = integer!.startsWith('-') ? '-' : '';
  return `${sign}${groupThousands(integer!.replace('-', ''))},${fraction}${NBSP}€`;
}

/** 2000 → "20 %", 550 → "5,5 %". */
export function rateFr(bp: number): string {
  return `${decimalFr(bpToPercent(bp))}${NBSP}%`;
}

/** `2026-04-12` → `12/04/2026`. */
export function dateFr(date: IsoDate): string {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** "919288548" → "919 288 548". */
export function sirenFr(siren: string): string {
  return siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3');
}

/** IBAN in groups of four, as printed on paper. */
export function ibanGroups(iban: string): string {
  return iban.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ');
}
