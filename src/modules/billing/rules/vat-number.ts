/**
 * Intra-community VAT numbers (R-VAT, §9.2): normalisation, display, and the format and check
 * digits of each of the 27 member states. A number that passes here is only WELL-FORMED: whether
 * it is registered is VIES's answer (the vies channel), which `decideVat` (vat.ts) also requires.
 *
 * Each country's rule is the one its tax administration publishes (or, where none is published,
 * the one every validator and VIES's own front end apply). Where a country issues numbers for
 * which NO check digit exists (9-digit Czech birth numbers from before 1954, Latvian personal codes
 * issued since 2017, Czech numbers given to individuals without a birth number), the number is
 * accepted on its format alone and the result says so (`reason: 'ok_format_only'`): refusing them
 * would charge French VAT to a business that is entitled to the reverse charge.
 */

/** ISO 3166-1 code → VAT prefix. Greece is the one member whose VAT prefix (EL) is not its ISO code (GR). */
export const EU_MEMBER_STATES = {
  AT: 'AT',
  BE: 'BE',
  BG: 'BG',
  CY: 'CY',
  CZ: 'CZ',
  DE: 'DE',
  DK: 'DK',
  EE: 'EE',
  ES: 'ES',
  FI: 'FI',
  FR: 'FR',
  GR: 'EL',
  HR: 'HR',
  HU: 'HU',
  IE: 'IE',
  IT: 'IT',
  LT: 'LT',
  LU: 'LU',
  LV: 'LV',
  MT: 'MT',
  NL: 'NL',
  PL: 'PL',
  PT: 'PT',
  RO: 'RO',
  SE: 'SE',
  SI: 'SI',
  SK: 'SK',
} as const;

export type EuCountry = keyof typeof EU_MEMBER_STATES;
export type VatPrefix = (typeof EU_MEMBER_STATES)[EuCountry];

export function isEuMemberState(country: string): country is EuCountry {
  return Object.hasOwn(EU_MEMBER_STATES, country.toUpperCase());
}

/** The VAT prefix of an EU country (GR → EL), or null outside the EU. */
export function vatPrefixOf(country: string): VatPrefix | null {
  const iso = country.toUpperCase();
  return isEuMemberState(iso) ? EU_MEMBER_STATES[iso] : null;
}

/** The ISO country of a VAT prefix (EL → GR; GR is accepted too, as people write it), or null. */
export function countryOfVatPrefix(prefix: string): EuCountry | null {
  const p = prefix.toUpperCase();
  if (p === 'EL' || p === 'GR') return 'GR';
  return isEuMemberState(p) ? p : null;
}

export type VatNumberReason =
  /** Format and check digits verified. */
  | 'ok'
  /** Format verified; this kind of number has no check digit to verify. */
  | 'ok_format_only'
  | 'empty'
  /** No country prefix, and no country given to supply one. */
  | 'no_country'
  /** The prefix is not an EU member state's (GB, CH, XI…). */
  | 'not_eu'
  /** Wrong characters or shape for that country. */
  | 'bad_format'
  | 'bad_length'
  /** An embedded date or a fixed component that cannot exist. */
  | 'bad_component'
  | 'bad_checksum';

export interface VatNumberCheck {
  valid: boolean;
  /** ISO country (GR for a Greek number), when the prefix names an EU member state. */
  country: EuCountry | null;
  /** Prefix + body, upper case, no separators: "FR12345678901", "EL094259216". Null when empty. */
  normalised: string | null;
  reason: VatNumberReason;
}

/** Characters people put inside VAT numbers: spaces of every kind, dashes, dots, slashes, colons. */
const SEPARATORS = /[\s\u00a0\u202f\u2009\-./:_]/g;

/**
 * "fr 12 345 678 901" → "FR12345678901"; "GR094259216" → "EL094259216"; "094259216" with
 * country GR → "EL094259216". Only separators are removed: anything else stays for the check to
 * refuse. Null for an empty input, or for a bare number without a `country` to prefix it with.
 */
export function normaliseVatNumber(input: string, country?: string | null): string | null {
  const compact = input.toUpperCase().replace(SEPARATORS, '');
  if (compact === '') return null;
  let prefix: string;
  let body: string;
  const firstTwo = compact.slice(0, 2);
  const bareFrenchWithLetterKey = country?.toUpperCase() === 'FR' && compact.length === 11 && countryOfVatPrefix(firstTwo) === null;
  if (/^[A-Z]{2}$/.test(firstTwo) && !bareFrenchWithLetterKey) {
    // Any two leading letters are a prefix, EU or not (GB, CH, XI…): the caller learns `not_eu`.
    prefix = firstTwo === 'GR' ? 'EL' : firstTwo;
    body = compact.slice(2);
  } else {
    const own = country ? vatPrefixOf(country) : null;
    if (!own) return null;
    prefix = own;
    body = compact;
  }
  // Old lengths still printed on letterheads: Belgium's 9 digits (now 0 + 9) and Greece's 8 (now 0 + 8).
  if ((prefix === 'BE' && /^[0-9]{9}$/.test(body)) || (prefix === 'EL' && /^[0-9]{8}$/.test(body))) body = `0${body}`;
  return prefix + body;
}

type BodyCheck = (body: string) => VatNumberReason;

/** Validates `input` (any spacing, with its prefix, or bare with `country`). */
export function validateVatNumber(input: string, country?: string | null): VatNumberCheck {
  if (input.trim() === '') return { valid: false, country: null, normalised: null, reason: 'empty' };
  const normalised = normaliseVatNumber(input, country);
  if (!normalised) return { valid: false, country: null, normalised: null, reason: 'no_country' };
  const iso = countryOfVatPrefix(normalised.slice(0, 2));
  if (!iso) return { valid: false, country: null, normalised, reason: 'not_eu' };
  const reason = CHECKS[iso](normalised.slice(2));
  return { valid: reason === 'ok' || reason === 'ok_format_only', country: iso, normalised, reason };
}

/**
 * The way each administration prints its numbers, for invoices and the console: "FR 12 345 678 901",
 * "BE 0123.456.789", "NL 123456789B01", "AT U12345678". Input is a normalised number; anything
 * unrecognisable is returned unchanged.
 */
export function formatVatNumber(normalised: string): string {
  const prefix = normalised.slice(0, 2);
  const body = normalised.slice(2);
  switch (prefix) {
    case 'FR':
      return body.length === 11 ? `FR ${body.slice(0, 2)} ${body.slice(2, 5)} ${body.slice(5, 8)} ${body.slice(8)}` : normalised;
    case 'BE':
      return body.length === 10 ? `BE ${body.slice(0, 4)}.${body.slice(4, 7)}.${body.slice(7)}` : normalised;
    case 'DK':
      return body.length === 8 ? `DK ${body.slice(0, 2)} ${body.slice(2, 4)} ${body.slice(4, 6)} ${body.slice(6)}` : normalised;
    case 'PT':
      return body.length === 9 ? `PT ${body.slice(0, 3)} ${body.slice(3, 6)} ${body.slice(6)}` : normalised;
    default:
      return countryOfVatPrefix(prefix) && body.length > 0 ? `${prefix} ${body}` : normalised;
  }
}

// ─── SIREN and the French key ─────────────────────────────────────────────────────────────────

/** The Luhn check used by SIREN (9 digits) and SIRET (14): doubling every second digit from the right. */
export function luhnValid(digits: string): boolean {
  if (!/^[0-9]+$/.test(digits)) return false;
  return luhnSum(digits) % 10 === 0;
}

function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[digits.length - 1 - i]);
    const value = i % 2 === 1 ? digit * 2 : digit;
    sum += value > 9 ? value - 9 : value;
  }
  return sum;
}

/** A SIREN is 9 digits passing Luhn (INSEE). */
export function isValidSiren(siren: string): boolean {
  const compact = siren.replace(SEPARATORS, '');
  return /^[0-9]{9}$/.test(compact) && luhnValid(compact);
}

/** The French numeric VAT key of a SIREN: (12 + 3 × (SIREN mod 97)) mod 97, two digits. */
export function frenchVatKey(siren: string): string {
  const compact = siren.replace(SEPARATORS, '');
  if (!/^[0-9]{9}$/.test(compact)) throw new RangeError(`a SIREN has 9 digits: ${siren}`);
  return String((12 + 3 * (Number(compact) % 97)) % 97).padStart(2, '0');
}

/** SIREN → "FR" + key + SIREN, as the DGFiP assigns it. Throws on a SIREN that fails its Luhn check. */
export function frenchVatNumberFromSiren(siren: string): string {
  const compact = siren.replace(SEPARATORS, '');
  if (!isValidSiren(compact)) throw new RangeError(`not a valid SIREN: ${siren}`);
  return `FR${frenchVatKey(compact)}${compact}`;
}

// ─── Per-country checks ───────────────────────────────────────────────────────────────────────

const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function weightedSum(digits: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * weights[i]!;
  return sum;
}

/** Shape check shared by the all-digit countries: the right characters, then the right length. */
function digitsOf(body: string, ...lengths: number[]): VatNumberReason | null {
  if (!isDigits(body)) return 'bad_format';
  return lengths.includes(body.length) ? null : 'bad_length';
}

const verdict = (ok: boolean): VatNumberReason => (ok ? 'ok' : 'bad_checksum');

/** ISO 7064 MOD 11,10 (DE, HR): true when the last digit is the check digit of the others. */
function iso7064Mod11_10(digits: string): boolean {
  let product = 10;
  for (const char of digits.slice(0, -1)) {
    let sum = (Number(char) + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  return (11 - product) % 10 === Number(digits[digits.length - 1]);
}

/** Mod 97 of a string of digits and letters (A = 10 … Z = 35), as IBAN and the 2020 Dutch number use. */
function mod97(alphanumeric: string): number {
  let remainder = 0;
  for (const char of alphanumeric) {
    const value = /[0-9]/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

function validCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** AT: "U" + 7 digits + check; Luhn-like sum S over the 7 digits, check = (10 − (S + 4) mod 10) mod 10. */
function checkAT(body: string): VatNumberReason {
  if (!/^U[0-9]+$/.test(body)) return 'bad_format';
  if (body.length !== 9) return 'bad_length';
  const digits = body.slice(1, 8);
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    const d = Number(digits[i]);
    sum += i % 2 === 1 ? Math.floor((2 * d) / 10) + ((2 * d) % 10) : d;
  }
  return verdict((10 - ((sum + 4) % 10)) % 10 === Number(body[8]));
}

/** BE: 10 digits starting 0 or 1 (normalisation puts the 0 before old 9-digit numbers); 97 − (first 8 mod 97) = last 2. */
function checkBE(body: string): VatNumberReason {
  const digits = body;
  const shape = digitsOf(digits, 10);
  if (shape) return shape;
  if (digits[0] !== '0' && digits[0] !== '1') return 'bad_component';
  return verdict(97 - (Number(digits.slice(0, 8)) % 97) === Number(digits.slice(8)));
}

/** BG: 9 digits (legal entities) or 10 (a person's EGN, a foreigner's PNF, or another taxpayer). */
function checkBG(body: string): VatNumberReason {
  const shape = digitsOf(body, 9, 10);
  if (shape) return shape;
  const last = Number(body[body.length - 1]);
  if (body.length === 9) {
    let check = weightedSum(body, [1, 2, 3, 4, 5, 6, 7, 8]) % 11;
    if (check === 10) check = weightedSum(body, [3, 4, 5, 6, 7, 8, 9, 10]) % 11;
    return verdict(check % 10 === last);
  }
  const egn = bulgarianEgnValid(body);
  const pnf = weightedSum(body, [21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10 === last;
  const other = (11 - (weightedSum(body, [4, 3, 2, 7, 6, 5, 4, 3, 2]) % 11)) % 11 === last;
  return verdict(egn || pnf || other);
}

/** Bulgarian EGN: YYMMDD (month +20 for the 1800s, +40 for the 2000s), 3-digit serial, check mod 11. */
function bulgarianEgnValid(body: string): boolean {
  let year = 1900 + Number(body.slice(0, 2));
  let month = Number(body.slice(2, 4));
  if (month > 40) {
    year += 100;
    month -= 40;
  } else if (month > 20) {
    year -= 100;
    month -= 20;
  }
  if (!validCalendarDate(year, month, Number(body.slice(4, 6)))) return false;
  return (weightedSum(body, [2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11) % 10 === Number(body[9]);
}

/** CY: 8 digits + check letter; odd positions go through a fixed table, even ones count as is, mod 26. */
function checkCY(body: string): VatNumberReason {
  if (!/^[0-9]+[A-Z]$/.test(body)) return 'bad_format';
  if (body.length !== 9) return 'bad_length';
  // Numbers starting 12 are not issued as VAT numbers (they are tax identity codes).
  if (body.startsWith('12')) return 'bad_component';
  const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21];
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += i % 2 === 0 ? odd[Number(body[i])]! : Number(body[i]);
  return verdict(String.fromCharCode(65 + (sum % 26)) === body[8]);
}

/**
 * CZ: 8 digits for legal persons (weights 8…2, mod 11; a remainder giving 10 is written 0 and one
 * giving 11 is written 1); 9 or 10 digits for individuals (the birth number, RČ: 10-digit ones
 * are divisible by 11 — or end in 0 when the 9 first leave 10 — and carry a real birth date).
 * 9-digit numbers starting with 6 (individuals without a RČ) and pre-1954 9-digit RČ have no
 * published check: format only.
 */
function checkCZ(body: string): VatNumberReason {
  const shape = digitsOf(body, 8, 9, 10);
  if (shape) return shape;
  if (body.length === 8) {
    if (body[0] === '9') return 'bad_component';
    const check = (11 - (weightedSum(body, [8, 7, 6, 5, 4, 3, 2]) % 11)) % 11;
    return verdict((check === 0 ? 1 : check) % 10 === Number(body[7]));
  }
  if (body.length === 9 && body[0] === '6') return 'ok_format_only';
  // Birth number: women add 50 to the month, and 20 is added when a day's serials run out (2004+).
  const rawMonth = Number(body.slice(2, 4));
  const month = [0, 20, 50, 70].map((offset) => rawMonth - offset).find((m) => m >= 1 && m <= 12) ?? 0;
  const yy = Number(body.slice(0, 2));
  const year = body.length === 9 ? 1900 + yy : yy < 54 ? 2000 + yy : 1900 + yy;
  if (body.length === 9 && year > 1953) return 'bad_length';
  if (!validCalendarDate(year, month, Number(body.slice(4, 6)))) return 'bad_component';
  if (body.length === 9) return 'ok_format_only';
  return verdict((Number(body.slice(0, 9)) % 11) % 10 === Number(body[9]));
}

/** DE: 9 digits, not starting with 0, ISO 7064 MOD 11,10. */
function checkDE(body: string): VatNumberReason {
  const shape = digitsOf(body, 9);
  if (shape) return shape;
  if (body[0] === '0') return 'bad_component';
  return verdict(iso7064Mod11_10(body));
}

/** DK: 8 digits (the CVR), not starting with 0; weights 2,7,6,5,4,3,2,1 sum to a multiple of 11. */
function checkDK(body: string): VatNumberReason {
  const shape = digitsOf(body, 8);
  if (shape) return shape;
  if (body[0] === '0') return 'bad_component';
  return verdict(weightedSum(body, [2, 7, 6, 5, 4, 3, 2, 1]) % 11 === 0);
}

/** EE: 9 digits; weights 3,7,1 repeated sum to a multiple of 10. */
function checkEE(body: string): VatNumberReason {
  const shape = digitsOf(body, 9);
  if (shape) return shape;
  return verdict(weightedSum(body, [3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 === 0);
}

/** EL: 9 digits (normalisation puts a 0 before old 8-digit numbers); check = (Σ dᵢ × 2^(9−i)) mod 11 mod 10. */
function checkEL(body: string): VatNumberReason {
  const digits = body;
  const shape = digitsOf(digits, 9);
  if (shape) return shape;
  return verdict((weightedSum(digits, [256, 128, 64, 32, 16, 8, 4, 2]) % 11) % 10 === Number(digits[8]));
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/**
 * ES (NIF), 9 characters:
 * - DNI (Spanish residents): 8 digits + letter DNI_LETTERS[n mod 23];
 * - NIE (foreigners): X/Y/Z (read as 0/1/2) + 7 digits + the same letter;
 * - K, L, M (Spaniards without DNI, non-residents) + 7 digits + the same letter over the 7 digits;
 * - CIF (legal persons): an entity-type letter + 7 digits + a check that is the Luhn check digit
 *   of the 7 digits, or the letter "JABCDEFGHI"[that digit]. Which of the two a given entity
 *   type must use is not consistently published, so both are accepted, as VIES does.
 */
function checkES(body: string): VatNumberReason {
  if (body.length !== 9) return /^[A-Z0-9]+$/.test(body) ? 'bad_length' : 'bad_format';
  const first = body[0]!;
  const middle = body.slice(1, 8);
  const last = body[8]!;
  if (!isDigits(middle)) return 'bad_format';
  if (/[0-9]/.test(first)) {
    if (!/[A-Z]/.test(last)) return 'bad_format';
    return verdict(DNI_LETTERS[Number(body.slice(0, 8)) % 23] === last);
  }
  if ('XYZ'.includes(first)) {
    if (!/[A-Z]/.test(last)) return 'bad_format';
    return verdict(DNI_LETTERS[Number(String('XYZ'.indexOf(first)) + middle) % 23] === last);
  }
  if ('KLM'.includes(first)) {
    if (!/[A-Z]/.test(last)) return 'bad_format';
    return verdict(DNI_LETTERS[Number(middle) % 23] === last);
  }
  if (!'ABCDEFGHJNPQRSUVW'.includes(first)) return 'bad_format';
  const luhnDigit = (10 - (luhnSum(`${middle}0`) % 10)) % 10;
  return verdict(last === String(luhnDigit) || last === 'JABCDEFGHI'[luhnDigit]);
}

/** FI: 8 digits (the Y-tunnus); weights 7,9,10,5,8,4,2,1 sum to a multiple of 11. */
function checkFI(body: string): VatNumberReason {
  const shape = digitsOf(body, 8);
  if (shape) return shape;
  return verdict(weightedSum(body, [7, 9, 10, 5, 8, 4, 2, 1]) % 11 === 0);
}

/** The alphabet of the French alphanumeric keys: digits and letters without I and O. */
const FR_KEY_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * FR: 2-character key + 9-digit SIREN (Luhn; Monaco's numbers have 000 there and no SIREN).
 * Numeric key = (12 + 3 × (SIREN mod 97)) mod 97. The DGFiP also issues keys with letters; their
 * check (as VIES applies it) maps the key through FR_KEY_ALPHABET to a value C, and requires
 * (SIREN + 1 + ⌊C / 11⌋) mod 11 = C mod 11.
 */
function checkFR(body: string): VatNumberReason {
  const key = body.slice(0, 2);
  const siren = body.slice(2);
  if (!/^[0-9A-HJ-NP-Z]{2}$/.test(key) || !isDigits(siren)) return 'bad_format';
  if (body.length !== 11) return 'bad_length';
  if (!siren.startsWith('000') && !luhnValid(siren)) return 'bad_checksum';
  if (isDigits(key)) return verdict(Number(key) === (12 + 3 * (Number(siren) % 97)) % 97);
  const c0 = FR_KEY_ALPHABET.indexOf(key[0]!);
  const c1 = FR_KEY_ALPHABET.indexOf(key[1]!);
  const c = isDigits(key[0]!) ? c0 * 24 + c1 - 10 : c0 * 34 + c1 - 100;
  return verdict((Number(siren) + 1 + Math.floor(c / 11)) % 11 === c % 11);
}

/** HR: 11 digits (the OIB), ISO 7064 MOD 11,10. */
function checkHR(body: string): VatNumberReason {
  const shape = digitsOf(body, 11);
  if (shape) return shape;
  return verdict(iso7064Mod11_10(body));
}

/** HU: 8 digits; weights 9,7,3,1 repeated sum to a multiple of 10. */
function checkHU(body: string): VatNumberReason {
  const shape = digitsOf(body, 8);
  if (shape) return shape;
  return verdict(weightedSum(body, [9, 7, 3, 1, 9, 7, 3, 1]) % 10 === 0);
}

const IE_LETTERS = 'WABCDEFGHIJKLMNOPQRSTUV';

/**
 * IE: current form 7 digits + check letter (+ a second letter A–I or W since 2013: it adds
 * 9 × its value, W = 0, A = 1 …); old form digit, letter (or + or *), 5 digits, check letter, read
 * as 0 + the 5 digits + the first digit. Check letter = IE_LETTERS[(Σ dᵢ × (8 − i) + extra) mod 23].
 */
function checkIE(body: string): VatNumberReason {
  let digits: string;
  let extra = 0;
  if (/^[0-9]{7}[A-W][A-IW]?$/.test(body)) {
    digits = body.slice(0, 7);
    if (body.length === 9) extra = 9 * IE_LETTERS.indexOf(body[8]!);
  } else if (/^[0-9][A-Z+*][0-9]{5}[A-W]$/.test(body)) {
    digits = `0${body.slice(2, 7)}${body[0]}`;
  } else {
    return /^[0-9A-Z+*]+$/.test(body) && (body.length < 8 || body.length > 9) ? 'bad_length' : 'bad_format';
  }
  return verdict(IE_LETTERS[(weightedSum(digits, [8, 7, 6, 5, 4, 3, 2]) + extra) % 23] === body[7]);
}

/** IT: 11 digits (partita IVA): 7-digit company number (not all zero), 3-digit office code, Luhn check. */
function checkIT(body: string): VatNumberReason {
  const shape = digitsOf(body, 11);
  if (shape) return shape;
  const office = Number(body.slice(7, 10));
  if (Number(body.slice(0, 7)) === 0 || !((office >= 1 && office <= 100) || [120, 121, 888, 999].includes(office))) return 'bad_component';
  return verdict(luhnValid(body));
}

/**
 * LT: 9 digits (legal persons, 8th digit 1) or 12 (temporarily registered, 11th digit 1); weights
 * 1…9 repeating, mod 11; a remainder of 10 is recomputed with weights 3…9,1,2…, and 10 again gives 0.
 */
function checkLT(body: string): VatNumberReason {
  const shape = digitsOf(body, 9, 12);
  if (shape) return shape;
  if (body[body.length - 2] !== '1') return 'bad_component';
  const payload = body.slice(0, -1);
  const weights1 = [...payload].map((_, i) => 1 + (i % 9));
  const weights2 = [...payload].map((_, i) => 1 + ((i + 2) % 9));
  let check = weightedSum(payload, weights1) % 11;
  if (check === 10) check = weightedSum(payload, weights2) % 11;
  return verdict(check % 10 === Number(body[body.length - 1]));
}

/** LU: 8 digits; the first 6 mod 89 equal the last 2. */
function checkLU(body: string): VatNumberReason {
  const shape = digitsOf(body, 8);
  if (shape) return shape;
  return verdict(Number(body.slice(0, 6)) % 89 === Number(body.slice(6)));
}

/**
 * LV: 11 digits. Legal persons (first digit > 3): weights 9,1,4,8,3,10,2,5,7,6,1 sum to 3 mod 11.
 * Natural persons: the personal code DDMMYY-CNNNN (C the century: 0 = 1800s, 1 = 1900s, 2 = 2000s)
 * with check (1101 − Σ wᵢdᵢ) mod 11, weights 1,6,3,7,9,10,5,8,4,2; codes issued since July 2017
 * start with 32 and carry neither date nor check: format only.
 */
function checkLV(body: string): VatNumberReason {
  const shape = digitsOf(body, 11);
  if (shape) return shape;
  if (Number(body[0]) > 3) return verdict(weightedSum(body, [9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1]) % 11 === 3);
  if (body.startsWith('32')) return 'ok_format_only';
  const century = Number(body[6]);
  if (century > 2) return 'bad_component';
  const year = 1800 + century * 100 + Number(body.slice(4, 6));
  if (!validCalendarDate(year, Number(body.slice(2, 4)), Number(body.slice(0, 2)))) return 'bad_component';
  return verdict((1101 - weightedSum(body, [1, 6, 3, 7, 9, 10, 5, 8, 4, 2])) % 11 === Number(body[10]));
}

/** MT: 8 digits, not starting with 0; weights 3,4,6,7,8,9,10,1 sum to a multiple of 37. */
function checkMT(body: string): VatNumberReason {
  const shape = digitsOf(body, 8);
  if (shape) return shape;
  if (body[0] === '0') return 'bad_component';
  return verdict(weightedSum(body, [3, 4, 6, 7, 8, 9, 10, 1]) % 37 === 0);
}

/**
 * NL: 9 digits + "B" + 2-digit branch (not 00). Legal persons: the 9 digits are the RSIN and pass
 * the eleven test (weights 9…2 and −1, multiple of 11). Sole traders' numbers since 2020 (btw-id)
 * instead make "NL" + the whole 12 characters ≡ 1 mod 97, letters counted A = 10 … Z = 35.
 */
function checkNL(body: string): VatNumberReason {
  if (!/^[0-9]{9}B[0-9]{2}$/.test(body)) return /^[0-9A-Z]+$/.test(body) && body.length !== 12 ? 'bad_length' : 'bad_format';
  if (body.slice(10) === '00' || Number(body.slice(0, 9)) === 0) return 'bad_component';
  const elevenTest = (weightedSum(body, [9, 8, 7, 6, 5, 4, 3, 2]) - Number(body[8])) % 11 === 0;
  return verdict(elevenTest || mod97(`NL${body}`) === 1);
}

/** PL: 10 digits (the NIP); weights 6,5,7,2,3,4,5,6,7 mod 11 give the last digit (10 is never issued). */
function checkPL(body: string): VatNumberReason {
  const shape = digitsOf(body, 10);
  if (shape) return shape;
  return verdict(weightedSum(body, [6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11 === Number(body[9]));
}

/** PT: 9 digits (the NIF/NIPC), not starting with 0; check = (11 − Σ dᵢ × (9 … 2) mod 11) mod 11 mod 10. */
function checkPT(body: string): VatNumberReason {
  const shape = digitsOf(body, 9);
  if (shape) return shape;
  if (body[0] === '0') return 'bad_component';
  return verdict(((11 - (weightedSum(body, [9, 8, 7, 6, 5, 4, 3, 2]) % 11)) % 11) % 10 === Number(body[8]));
}

/** RO: 2 to 10 digits (the CUI), no leading 0; padded left to 10, check = (10 × Σ wᵢdᵢ) mod 11 mod 10, weights 7,5,3,2,1,7,5,3,2. */
function checkRO(body: string): VatNumberReason {
  if (!isDigits(body)) return 'bad_format';
  if (body.length < 2 || body.length > 10) return 'bad_length';
  if (body[0] === '0') return 'bad_component';
  const padded = body.padStart(10, '0');
  return verdict(((10 * weightedSum(padded, [7, 5, 3, 2, 1, 7, 5, 3, 2])) % 11) % 10 === Number(padded[9]));
}

/** SE: 12 digits: the 10-digit organisation number (Luhn) followed by "01". */
function checkSE(body: string): VatNumberReason {
  const shape = digitsOf(body, 12);
  if (shape) return shape;
  if (!body.endsWith('01')) return 'bad_component';
  return verdict(luhnValid(body.slice(0, 10)));
}

/** SI: 8 digits, not starting with 0; check = 11 − (Σ dᵢ × (8 … 2) mod 11), 10 written 0, 11 never issued. */
function checkSI(body: string): VatNumberReason {
  const shape = digitsOf(body, 8);
  if (shape) return shape;
  if (body[0] === '0') return 'bad_component';
  const check = 11 - (weightedSum(body, [8, 7, 6, 5, 4, 3, 2]) % 11);
  return verdict(check !== 11 && check % 10 === Number(body[7]));
}

/** SK: 10 digits, not starting with 0, third digit 2, 3, 4, 7, 8 or 9, the whole number a multiple of 11. */
function checkSK(body: string): VatNumberReason {
  const shape = digitsOf(body, 10);
  if (shape) return shape;
  if (body[0] === '0' || !'234789'.includes(body[2]!)) return 'bad_component';
  return verdict(Number(body) % 11 === 0);
}

const CHECKS: Record<EuCountry, BodyCheck> = {
  AT: checkAT,
  BE: checkBE,
  BG: checkBG,
  CY: checkCY,
  CZ: checkCZ,
  DE: checkDE,
  DK: checkDK,
  EE: checkEE,
  ES: checkES,
  FI: checkFI,
  FR: checkFR,
  GR: checkEL,
  HR: checkHR,
  HU: checkHU,
  IE: checkIE,
  IT: checkIT,
  LT: checkLT,
  LU: checkLU,
  LV: checkLV,
  MT: checkMT,
  NL: checkNL,
  PL: checkPL,
  PT: checkPT,
  RO: checkRO,
  SE: checkSE,
  SI: checkSI,
  SK: checkSK,
};
