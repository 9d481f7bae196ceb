/**
 * Money arithmetic for invoices (DESIGN: "Money: integer cents"; issue 5: "half-up to the cent per
 * line"). Amounts are integer euro cents in a JS `number` (always a safe integer); unit prices may
 * be in millicents (1/1000 of a cent, see messaging/rules/pricing.ts). Every product or ratio is
 * computed exactly with BigInt and rounded ONCE, at the point the rule says, with `roundHalfUp`.
 *
 * "Half up" here is the commercial rule: a remainder of exactly one half goes away from zero
 * (2.5 → 3, −2.5 → −3). Rounding symmetrically is what makes a credit note (avoir) the exact
 * negation of the invoice it cancels, line by line and total by total.
 */

export const CENTS_PER_EURO = 100;
export const MILLICENTS_PER_CENT = 1000;
/** 100 % in basis points: 20 % = 2 000 bp, 2.62 % = 262 bp. */
export const BASIS_POINTS = 10_000;

/** `numerator / denominator` rounded to the nearest integer, halves away from zero. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  // Work on non-negative values and put the sign back, so halves go away from zero on both sides.
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const quotient = n / d;
  const rounded = (n % d) * 2n >= d ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/** A BigInt result back to cents, refusing anything a `number` cannot hold exactly. */
export function toSafeCents(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`amount out of range: ${value}`);
  }
  return Number(value);
}

/** Throws unless `value` is an integer amount (cents or millicents) that a `number` holds exactly. */
export function assertCents(value: number, what = 'amount'): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer number of cents, got ${value}`);
}

/** `cents × num / den`, rounded half-up to the cent once (SYNTEC revision, prorata, shares of a payment). */
export function applyRatio(cents: number, num: bigint | number, den: bigint | number): number {
  assertCents(cents);
  return toSafeCents(roundHalfUp(BigInt(cents) * BigInt(num), BigInt(den)));
}

/** `basisPoints` percent of `cents`, rounded half-up: 1 % (100 bp) of 100 050 c = 1 001 c. */
export function percentOf(cents: number, basisPoints: number): number {
  if (!Number.isSafeInteger(basisPoints)) throw new RangeError(`basis points must be an integer, got ${basisPoints}`);
  return applyRatio(cents, basisPoints, BASIS_POINTS);
}

/** Millicents to cents, half-up: the one rounding of a line priced in fractions of a cent. */
export function millicentsToCents(millicents: bigint | number): number {
  return toSafeCents(roundHalfUp(BigInt(millicents), BigInt(MILLICENTS_PER_CENT)));
}

export type MoneyLocale = 'fr' | 'en';

const FORMATTERS: Record<MoneyLocale, Intl.NumberFormat> = {
  // fr-FR groups with U+202F (narrow no-break space) and puts U+00A0 before the sign: "1 022,86 €".
  fr: new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
};

/**
 * "1 022,86 €" (fr) or "€1,022.86" (en), exactly as Intl writes them. `cents / 100` is the double
 * nearest to the exact decimal, and every safe integer of cents formats back to that decimal at
 * two places, so no float ever decides a digit.
 */
export function formatEuros(cents: number, locale: MoneyLocale = 'fr'): string {
  assertCents(cents);
  return FORMATTERS[locale].format(cents / CENTS_PER_EURO);
}

/** "7,86 %" / "7.86%": a rate in basis points for an invoice's legal mentions. */
export function formatBasisPoints(basisPoints: number, locale: MoneyLocale = 'fr'): string {
  if (!Number.isSafeInteger(basisPoints)) throw new RangeError(`basis points must be an integer, got ${basisPoints}`);
  const sign = basisPoints < 0 ? '-' : '';
  const abs = Math.abs(basisPoints);
  const whole = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  return locale === 'fr' ? `${sign}${whole},${fraction}\u00a0%` : `${sign}${whole}.${fraction}%`;
}

export type ParsedAmount =
  | { ok: true; cents: number }
  | { ok: false; error: 'empty' | 'invalid_characters' | 'bad_grouping' | 'too_many_decimals' | 'ambiguous_separator' | 'out_of_range' };

/** Spaces a French or typeset amount may use to group thousands: space, no-break, narrow no-break, thin. */
const GROUP_SPACES = /[ \u00a0\u202f\u2009]/;

/**
 * Reads an amount typed by an operator or found in a bank statement, strictly, to cents:
 * "1 022,86", "1022.86", "1,022.86", "1.022,86", "-12,5", "12 €". Refused rather than guessed:
 * three decimals ("1,022" could be 1 022 € or 1,022 €: `ambiguous_separator`; "1.0225":
 * `too_many_decimals`), thousands groups that are not 3 digits ("10 22,86"), letters, several
 * signs. When both "," and "." appear, the last one is the decimal separator.
 */
export function parseEuros(text: string): ParsedAmount {
  let s = text.trim();
  if (s.endsWith('€')) s = s.slice(0, -1).trim();
  else if (s.startsWith('€')) s = s.slice(1).trim();
  let negative = false;
  if (s.startsWith('-') || s.startsWith('\u2212')) {
    negative = true;
    s = s.slice(1);
  } else if (s.startsWith('+')) {
    s = s.slice(1);
  }
  if (s === '') return { ok: false, error: 'empty' };
  if (!/^[0-9.,  \u00a0\u202f\u2009]+$/.test(s) || !/^[0-9]/.test(s) || !/[0-9]$/.test(s)) return { ok: false, error: 'invalid_characters' };

  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  let decimalSeparator: ',' | '.' | null = null;
  if (lastComma >= 0 && lastDot >= 0) {
    decimalSeparator = lastComma > lastDot ? ',' : '.';
  } else if (lastComma >= 0 || lastDot >= 0) {
    const separator = lastComma >= 0 ? ',' : '.';
    const occurrences = s.split(separator).length - 1;
    const digitsAfter = s.length - 1 - s.lastIndexOf(separator);
    if (occurrences === 1) {
      if (digitsAfter === 3) return { ok: false, error: 'ambiguous_separator' };
      decimalSeparator = separator;
    }
    // Several occurrences: it can only be a thousands separator ("1.234.567"), checked below.
  }

  let integerPart = s;
  let fractionPart = '';
  if (decimalSeparator) {
    const at = s.lastIndexOf(decimalSeparator);
    integerPart = s.slice(0, at);
    fractionPart = s.slice(at + 1);
    if (!/^[0-9]+$/.test(fractionPart)) return { ok: false, error: 'invalid_characters' };
    if (fractionPart.length > 2) return { ok: false, error: 'too_many_decimals' };
  }

  // The integer part is plain digits or groups of three joined by ONE kind of separator.
  const groupSeparators = new Set([...integerPart].filter((c) => !/[0-9]/.test(c)).map((c) => (GROUP_SPACES.test(c) ? ' ' : c)));
  if (groupSeparators.size > 1 || groupSeparators.has(decimalSeparator ?? '')) return { ok: false, error: 'bad_grouping' };
  const groups = integerPart.split(/[.,  \u00a0\u202f\u2009]/);
  if (groups.length > 1 && (!/^[0-9]{1,3}$/.test(groups[0]!) || groups.slice(1).some((g) => !/^[0-9]{3}$/.test(g)))) {
    return { ok: false, error: 'bad_grouping' };
  }
  const digits = groups.join('') + fractionPart.padEnd(2, '0');
  const value = BigInt(digits);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'out_of_range' };
  const cents = Number(value);
  return { ok: true, cents: negative && cents !== 0 ? -cents : cents };
}
