/**
 * R-PAYMENT (§10.1): SOFY is paid by SEPA direct debit or bank transfer only. Everything a SEPA
 * Core direct debit needs to be right before a file leaves for the bank lives here, as pure
 * functions: account and bank identifiers (IBAN, BIC), SOFY's creditor identifier (ICS), the
 * mandate reference (RUM), which sequence type a collection carries, and the 14-day
 * pre-notification of the debtor (R-PAYMENT, "pre-notification 14 days ahead").
 *
 * Sources of the rules: ISO 13616 (IBAN, MOD 97-10 of ISO 7064), the SWIFT IBAN registry
 * (lengths per country), ISO 9362 (BIC, in the pattern the pain.008 XSD enforces), the EPC SDD
 * Core rulebook (creditor identifier, mandate reference, sequence types, 36-month mandate
 * expiry, 14-day pre-notification unless agreed otherwise) and EPC217-08 (the Latin character
 * set every SEPA text must use).
 */
import { type IsoDate, addDays, addMonths, compareDates, daysBetween, isIsoDate, weekday } from './dates.ts';

// ---------------------------------------------------------------------------------------------
// ISO 7064 MOD 97-10, shared by the IBAN and the creditor identifier.
// ---------------------------------------------------------------------------------------------

/**
 * The remainder modulo 97 of an alphanumeric string read as digits, letters counting A = 10 …
 * Z = 35. Processed character by character so a 34-character IBAN never needs a big integer.
 * Throws on any other character: callers check the alphabet first.
 */
export function mod97(alphanumeric: string): number {
  let remainder = 0;
  for (const char of alphanumeric.toUpperCase()) {
    const code = char.charCodeAt(0);
    if (code >= 48 && code <= 57) {
      remainder = (remainder * 10 + (code - 48)) % 97;
    } else if (code >= 65 && code <= 90) {
      remainder = (remainder * 100 + (code - 55)) % 97;
    } else {
      throw new RangeError(`mod97: not alphanumeric: ${JSON.stringify(char)}`);
    }
  }
  return remainder;
}

/** The two check digits that make `country + checks + body` pass MOD 97-10 (IBAN, ICS). */
function mod97CheckDigits(countryCode: string, body: string): string {
  const check = 98 - mod97(`${body}${countryCode}00`);
  return String(check).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// IBAN (ISO 13616)
// ---------------------------------------------------------------------------------------------

/**
 * IBAN length of every country of the SEPA schemes' geographical scope, from the SWIFT IBAN
 * registry. French overseas departments and collectivities (GF, GP, MQ, RE, YT, PM, BL, MF)
 * use FR IBANs, Åland uses FI, Jersey, Guernsey and the Isle of Man use GB, the Azores and
 * Madeira PT, the Canaries ES: their accounts validate under those codes.
 */
export const SEPA_IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, // Andorra
  AL: 28, // Albania (SEPA since 2025)
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23, // Gibraltar
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24, // Moldova (SEPA since 2025)
  ME: 22, // Montenegro (SEPA since 2025)
  MK: 19, // North Macedonia (SEPA since 2025)
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  RS: 22, // Serbia (SEPA scope)
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22, // Vatican City
});

/**
 * Shape of each country's BBAN (the IBAN after its 4 first characters), from the registry's
 * format strings (`n` digits, `a` upper-case letters, `c` alphanumerics). MOD 97 catches any
 * single wrong digit but not every letter typed for a digit; the shape does.
 */
const BBAN_SHAPES: Readonly<Record<string, RegExp>> = Object.freeze({
  AD: /^\d{8}[A-Z0-9]{12}$/,
  AL: /^\d{8}[A-Z0-9]{16}$/,
  AT: /^\d{16}$/,
  BE: /^\d{12}$/,
  BG: /^[A-Z]{4}\d{6}[A-Z0-9]{8}$/,
  CH: /^\d{5}[A-Z0-9]{12}$/,
  CY: /^\d{8}[A-Z0-9]{16}$/,
  CZ: /^\d{20}$/,
  DE: /^\d{18}$/,
  DK: /^\d{14}$/,
  EE: /^\d{16}$/,
  ES: /^\d{20}$/,
  FI: /^\d{14}$/,
  FR: /^\d{10}[A-Z0-9]{11}\d{2}$/,
  GB: /^[A-Z]{4}\d{14}$/,
  GI: /^[A-Z]{4}[A-Z0-9]{15}$/,
  GR: /^\d{7}[A-Z0-9]{16}$/,
  HR: /^\d{17}$/,
  HU: /^\d{24}$/,
  IE: /^[A-Z]{4}\d{14}$/,
  IS: /^\d{22}$/,
  IT: /^[A-Z]\d{10}[A-Z0-9]{12}$/,
  LI: /^\d{5}[A-Z0-9]{12}$/,
  LT: /^\d{16}$/,
  LU: /^\d{3}[A-Z0-9]{13}$/,
  LV: /^[A-Z]{4}[A-Z0-9]{13}$/,
  MC: /^\d{10}[A-Z0-9]{11}\d{2}$/,
  MD: /^[A-Z0-9]{20}$/,
  ME: /^\d{18}$/,
  MK: /^\d{3}[A-Z0-9]{10}\d{2}$/,
  MT: /^[A-Z]{4}\d{5}[A-Z0-9]{18}$/,
  NL: /^[A-Z]{4}\d{10}$/,
  NO: /^\d{11}$/,
  PL: /^\d{24}$/,
  PT: /^\d{21}$/,
  RO: /^[A-Z]{4}[A-Z0-9]{16}$/,
  RS: /^\d{18}$/,
  SE: /^\d{20}$/,
  SI: /^\d{15}$/,
  SK: /^\d{20}$/,
  SM: /^[A-Z]\d{10}[A-Z0-9]{12}$/,
  VA: /^\d{18}$/,
});

/**
 * SEPA countries outside the EEA. A debit on an account there needs the debtor's BIC and postal
 * address in the collection (EPC SDD Core rulebook, non-EEA SEPA transactions).
 */
export const NON_EEA_SEPA_COUNTRIES: ReadonlySet<string> = new Set([
  'AD',
  'AL',
  'CH',
  'GB',
  'GI',
  'MC',
  'MD',
  'ME',
  'MK',
  'RS',
  'SM',
  'VA',
]);

export type IbanError =
  | 'empty'
  | 'bad_characters'
  | 'bad_format'
  | 'country_not_sepa'
  | 'bad_length'
  | 'bad_checksum'
  | 'bad_national_check';

export type IbanResult =
  | {
      ok: true;
      /** Electronic form: upper case, no spaces (what the XML and the database carry). */
      iban: string;
      /** Printed form: groups of four separated by one space (what invoices and mandates show). */
      printed: string;
      country: string;
    }
  | { ok: false; error: IbanError; message: string };

/**
 * The electronic form of an IBAN typed in either form: drops every kind of space (including
 * the no-break spaces that spreadsheets insert), an optional leading `IBAN` label of the
 * printed form, and upper-cases. Nothing else is dropped: a dash or a dot stays and fails.
 */
export function normaliseIban(input: string): string {
  const compact = input.replace(/[\s\u00a0\u202f]+/g, '').toUpperCase();
  return compact.startsWith('IBAN') && /^IBAN[A-Z]{2}\d{2}/.test(compact) ? compact.slice(4) : compact;
}

/** The printed form of an IBAN (ISO 13616: groups of four characters, one space apart). */
export function printIban(iban: string): string {
  return normaliseIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * R-PAYMENT: is this a valid IBAN of a SEPA country? Accepts the electronic form
 * (`FR1420041010050500013M02606`) and the printed form (`IBAN FR14 2004 1010 0505 0001 3M02 606`,
 * any spacing, either case); answers the normalised forms or the first reason it fails.
 * French and Monegasque IBANs also get their RIB key checked (the national check digits that
 * the IBAN's MOD 97 alone would let a double transposition slip through).
 */
export function validateIban(input: string): IbanResult {
  const iban = normaliseIban(input);
  if (iban === '') return fail('empty', 'the IBAN is empty');
  if (!/^[A-Z0-9]+$/.test(iban)) return fail('bad_characters', `the IBAN contains characters other than A-Z and 0-9: ${input}`);
  if (!/^[A-Z]{2}\d{2}/.test(iban)) {
    return fail('bad_format', 'an IBAN starts with a two-letter country code and two check digits');
  }
  const country = iban.slice(0, 2);
  const length = SEPA_IBAN_LENGTHS[country];
  if (length === undefined) return fail('country_not_sepa', `${country} is not a SEPA country`);
  if (iban.length !== length) {
    return fail('bad_length', `a ${country} IBAN has ${length} characters, this one has ${iban.length}`);
  }
  if (!BBAN_SHAPES[country]!.test(iban.slice(4))) {
    return fail('bad_format', `the account part does not have the shape of a ${country} account number`);
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) {
    return fail('bad_checksum', 'the IBAN check digits do not match (mistyped?)');
  }
  if ((country === 'FR' || country === 'MC') && !isValidRib(iban.slice(4))) {
    return fail('bad_national_check', 'the RIB key of this French IBAN does not match');
  }
  return { ok: true, iban, printed: printIban(iban), country };

  function fail(error: IbanError, message: string): IbanResult {
    return { ok: false, error, message };
  }
}

export function isValidIban(input: string): boolean {
  return validateIban(input).ok;
}

/** Builds an IBAN from a country and a BBAN by computing its check digits (fixtures, RIB → IBAN). */
export function ibanFromBban(country: string, bban: string): string {
  const body = bban.replace(/\s+/g, '').toUpperCase();
  return `${country}${mod97CheckDigits(country, body)}${body}`;
}

/**
 * The French RIB (bank 5 digits, branch 5 digits, account 11 alphanumerics, key 2 digits):
 * key = 97 − ((89 × bank + 15 × branch + 3 × account) mod 97), letters of the account
 * read through the Banque de France table (A, J → 1; B, K, S → 2; …; I, R, Z → 9).
 */
export function isValidRib(bban: string): boolean {
  const match = /^(\d{5})(\d{5})([A-Z0-9]{11})(\d{2})$/.exec(bban);
  if (!match) return false;
  const account = [...match[3]!].map(ribDigit).join('');
  const sum = (89 * Number(match[1]) + 15 * Number(match[2]) + 3 * Number(account)) % 97;
  return 97 - sum === Number(match[4]);
}

function ribDigit(char: string): string {
  if (/\d/.test(char)) return char;
  // A..I → 1..9, J..R → 1..9, S..Z → 2..9 (the S column starts at 2).
  const index = char.charCodeAt(0) - 65;
  if (index < 9) return String(index + 1);
  if (index < 18) return String(index - 8);
  return String(index - 16);
}

// ---------------------------------------------------------------------------------------------
// BIC (ISO 9362)
// ---------------------------------------------------------------------------------------------

/**
 * The pattern of the pain.008 XSD's BICIdentifier: 4 letters of institution, 2 of country,
 * 2 of location (the second never the letter O: `0` there marks a test BIC, and O is
 * excluded so it cannot be confused), then an optional 3-character branch.
 */
const BIC_PATTERN = /^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$/;

/**
 * Countries whose BICs hold accounts with another country's IBAN prefix (a bank in Guadeloupe
 * has a GP BIC and FR IBANs; a Jersey bank a JE BIC and GB IBANs).
 */
const IBAN_COUNTRY_OF_BIC_COUNTRY: Readonly<Record<string, string>> = Object.freeze({
  GF: 'FR',
  GP: 'FR',
  MQ: 'FR',
  RE: 'FR',
  YT: 'FR',
  PM: 'FR',
  BL: 'FR',
  MF: 'FR',
  NC: 'FR',
  PF: 'FR',
  WF: 'FR',
  AX: 'FI',
  JE: 'GB',
  GG: 'GB',
  IM: 'GB',
});

export type BicError = 'empty' | 'bad_format' | 'country_mismatch';

export type BicResult =
  | { ok: true; bic: string; country: string; /** the 8-character institution + location part */ bic8: string }
  | { ok: false; error: BicError; message: string };

export function normaliseBic(input: string): string {
  return input.replace(/[\s\u00a0]+/g, '').toUpperCase();
}

/**
 * R-PAYMENT: is this a well-formed BIC (8 or 11 characters)? With `ibanCountry`, also that the
 * bank is in the IBAN's country (or a territory that uses its IBANs): a BIC of another country
 * is the classic copy-paste mistake of a mandate form.
 */
export function validateBic(input: string, options: { ibanCountry?: string } = {}): BicResult {
  const bic = normaliseBic(input);
  if (bic === '') return { ok: false, error: 'empty', message: 'the BIC is empty' };
  if (!BIC_PATTERN.test(bic)) {
    return { ok: false, error: 'bad_format', message: `not a BIC (8 or 11 characters, ISO 9362): ${input}` };
  }
  const country = bic.slice(4, 6);
  if (options.ibanCountry !== undefined) {
    const expected = options.ibanCountry.toUpperCase();
    const ibanCountryOfBic = IBAN_COUNTRY_OF_BIC_COUNTRY[country] ?? country;
    if (ibanCountryOfBic !== expected) {
      return {
        ok: false,
        error: 'country_mismatch',
        message: `the BIC ${bic} is of a bank in ${country}, the IBAN is a ${expected} account`,
      };
    }
  }
  return { ok: true, bic, country, bic8: bic.slice(0, 8) };
}

export function isValidBic(input: string): boolean {
  return validateBic(input).ok;
}

// ---------------------------------------------------------------------------------------------
// SEPA creditor identifier (ICS, "identifiant créancier SEPA")
// ---------------------------------------------------------------------------------------------

/**
 * Total lengths of national creditor identifiers where we know them for sure (the French ICS
 * issued by the Banque de France carries a 6-character national identifier; the German one
 * of the Bundesbank 11). Other countries: 8 to 35 characters, the generic EPC format.
 */
const ICS_LENGTHS: Readonly<Record<string, number>> = Object.freeze({ FR: 13, DE: 18 });

export type IcsError = 'empty' | 'bad_format' | 'country_not_sepa' | 'bad_length' | 'bad_checksum';

export type IcsResult =
  | {
      ok: true;
      ics: string;
      country: string;
      /** The 3-character creditor business code (`ZZZ` unless the creditor set one). */
      businessCode: string;
      nationalId: string;
    }
  | { ok: false; error: IcsError; message: string };

/**
 * R-PAYMENT: the SEPA creditor identifier, `CC kk BBB national-id` (e.g. `FR72ZZZ123456`).
 * The check digits `kk` are MOD 97-10 over the national identifier followed by the country
 * code and `00`; the business code `BBB` is left out of the check (the creditor may change
 * it per business line without a new identifier), so `FR72ZZZ…` and `FR72ABC…` are the same
 * creditor.
 */
export function validateIcs(input: string): IcsResult {
  const ics = input.replace(/[\s\u00a0]+/g, '').toUpperCase();
  if (ics === '') return { ok: false, error: 'empty', message: 'the creditor identifier is empty' };
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/.test(ics)) {
    return { ok: false, error: 'bad_format', message: `not a SEPA creditor identifier: ${input}` };
  }
  const country = ics.slice(0, 2);
  if (SEPA_IBAN_LENGTHS[country] === undefined) {
    return { ok: false, error: 'country_not_sepa', message: `${country} is not a SEPA country` };
  }
  const expectedLength = ICS_LENGTHS[country];
  if (expectedLength !== undefined && ics.length !== expectedLength) {
    return {
      ok: false,
      error: 'bad_length',
      message: `a ${country} creditor identifier has ${expectedLength} characters, this one has ${ics.length}`,
    };
  }
  if (expectedLength === undefined && ics.length < 8) {
    return { ok: false, error: 'bad_length', message: 'a creditor identifier has at least 8 characters' };
  }
  const nationalId = ics.slice(7);
  if (mod97(`${nationalId}${country}${ics.slice(2, 4)}`) !== 1) {
    return { ok: false, error: 'bad_checksum', message: 'the creditor identifier check digits do not match' };
  }
  return { ok: true, ics, country, businessCode: ics.slice(4, 7), nationalId };
}

export function isValidIcs(input: string): boolean {
  return validateIcs(input).ok;
}

/** Builds a creditor identifier from its parts (fixtures, and to display the expected digits). */
export function icsFromParts(country: string, nationalId: string, businessCode = 'ZZZ'): string {
  const cc = country.toUpperCase();
  const id = nationalId.toUpperCase();
  return `${cc}${mod97CheckDigits(cc, id)}${businessCode.toUpperCase()}${id}`;
}

/** The same creditor whatever its business code: compare identifiers with this. */
export function sameCreditor(icsA: string, icsB: string): boolean {
  const a = validateIcs(icsA);
  const b = validateIcs(icsB);
  return a.ok && b.ok && a.country === b.country && a.nationalId === b.nationalId;
}

// ---------------------------------------------------------------------------------------------
// The SEPA character set (EPC217-08 basic Latin) and identifiers
// ---------------------------------------------------------------------------------------------

/** Characters every SEPA text field may hold: a-z A-Z 0-9 / - ? : ( ) . , ' + and space. */
const SEPA_TEXT = /^[A-Za-z0-9/\-?:().,'+ ]*$/;

export function isSepaText(text: string): boolean {
  return SEPA_TEXT.test(text);
}

/** Letters that Unicode decomposition does not reduce to a basic Latin letter plus accents. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = Object.freeze({
  ß: 'ss',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  Ø: 'O',
  ø: 'o',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
  ĸ: 'k',
  Ŋ: 'N',
  ŋ: 'n',
  ſ: 's',
});

/** Punctuation outside the set, replaced by its nearest allowed sign rather than dropped. */
const PUNCTUATION: Readonly<Record<string, string>> = Object.freeze({
  '&': '+',
  _: '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '`': "'",
  '´': "'",
  '"': "'",
  '\u201c': "'",
  '\u201d': "'",
  '\u201e': "'",
  '«': "'",
  '»': "'",
  ';': ',',
  '!': '.',
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  '\\': '/',
  '|': '/',
  '€': 'EUR',
});

/**
 * Text as the SEPA Latin character set allows it: accents dropped (é → e, Ø → O, ß → ss,
 * œ → oe), `&` → `+`, quotes → apostrophe, other signs and scripts → space, spaces collapsed,
 * then cut to `maxLength` characters. Names become 70 at most in pain.008; French banks
 * reject or mangle anything else.
 */
export function toSepaText(text: string, maxLength = 140): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const special = SPECIAL_LETTERS[char] ?? PUNCTUATION[char];
    if (special !== undefined) {
      out += special;
      continue;
    }
    const base = char.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    out += SEPA_TEXT.test(base) ? base : ' ';
  }
  return out.replace(/ {2,}/g, ' ').trim().slice(0, maxLength).trimEnd();
}

export type SepaIdentifierError = 'empty' | 'too_long' | 'bad_characters' | 'bad_slashes';

/**
 * EPC rules for the identifiers of a SEPA message (MsgId, PmtInfId, EndToEndId, MndtId):
 * 1 to 35 characters of the SEPA set, not starting or ending with `/` and without `//`.
 * Answers null when valid.
 */
export function checkSepaIdentifier(value: string, maxLength = 35): SepaIdentifierError | null {
  if (value.length === 0) return 'empty';
  if (value.length > maxLength) return 'too_long';
  if (!isSepaText(value)) return 'bad_characters';
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) return 'bad_slashes';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Mandate reference (RUM, "référence unique de mandat")
// ---------------------------------------------------------------------------------------------

export type RumError = SepaIdentifierError | 'leading_or_trailing_space' | 'not_unique';

export type RumResult = { ok: true; rum: string } | { ok: false; error: RumError; message: string };

/**
 * R-PAYMENT: a mandate reference is at most 35 characters of the SEPA set (no leading or
 * trailing `/`, no `//`, no leading or trailing space) and unique for the creditor: two
 * mandates of one ICS with the same RUM would let one debtor's authorisation cover another's
 * collections. Uniqueness compares case-insensitively, since banks do not agree on whether
 * `sofy-1` and `SOFY-1` are the same mandate; pass the creditor's other RUMs as `existing`.
 */
export function validateRum(rum: string, existing: Iterable<string> = []): RumResult {
  const problem = checkSepaIdentifier(rum);
  if (problem !== null) {
    const messages: Record<SepaIdentifierError, string> = {
      empty: 'the mandate reference is empty',
      too_long: `a mandate reference has at most 35 characters, this one has ${rum.length}`,
      bad_characters: `the mandate reference holds characters outside the SEPA set: ${rum}`,
      bad_slashes: 'a mandate reference may not start or end with "/" nor contain "//"',
    };
    return { ok: false, error: problem, message: messages[problem] };
  }
  if (rum.trim() !== rum) {
    return { ok: false, error: 'leading_or_trailing_space', message: 'the mandate reference starts or ends with a space' };
  }
  const key = rum.toUpperCase();
  for (const other of existing) {
    if (other.toUpperCase() === key) {
      return { ok: false, error: 'not_unique', message: `the mandate reference ${rum} is already used by this creditor` };
    }
  }
  return { ok: true, rum };
}

// ---------------------------------------------------------------------------------------------
// Sequence type and mandate expiry
// ---------------------------------------------------------------------------------------------

export type SequenceType = 'FRST' | 'RCUR' | 'FNAL' | 'OOFF';

export interface MandateUsage {
  /** A recurrent mandate (the SOFY subscription case) or a one-off (OOFF) authorisation. */
  kind: 'recurrent' | 'one_off';
  signedOn: IsoDate;
  /**
   * Collection date of the last collection presented on this mandate and not rejected before
   * settlement; null when none was. A rejected first collection leaves this null, so the next
   * attempt is FRST again.
   */
  lastCollectionOn: IsoDate | null;
  /** The mandate was cancelled by the debtor or closed by the creditor (FNAL sent, contract over). */
  revokedOn?: IsoDate | null;
}

export const MANDATE_EXPIRY_MONTHS = 36;

/**
 * The first day a mandate may no longer be used: 36 months after its last collection, or after
 * its signature when it never served (EPC SDD rulebook: a mandate not used for 36 months
 * lapses and a new one must be signed).
 */
export function mandateExpiresOn(mandate: MandateUsage): IsoDate {
  return addMonths(mandate.lastCollectionOn ?? mandate.signedOn, MANDATE_EXPIRY_MONTHS);
}

export type SequenceTypeResult =
  | { ok: true; sequenceType: SequenceType }
  | {
      ok: false;
      error: 'before_signature' | 'mandate_expired' | 'mandate_revoked' | 'one_off_already_used' | 'not_after_last';
      message: string;
    };

/**
 * R-PAYMENT: the sequence type of a collection on `collectionDate`. A one-off mandate carries
 * OOFF once; a recurrent one FRST for its first collection, then RCUR, or FNAL when the
 * creditor says it is the last (`final`). Refused: a date before the signature, on or after
 * the expiry, on or after a revocation, a second use of a one-off mandate, and a date not
 * after the last collection (two collections of one mandate are never backdated).
 */
export function sequenceTypeFor(
  mandate: MandateUsage,
  collectionDate: IsoDate,
  options: { final?: boolean } = {},
): SequenceTypeResult {
  if (!isIsoDate(collectionDate)) throw new RangeError(`not a calendar date: ${collectionDate}`);
  if (compareDates(collectionDate, mandate.signedOn) < 0) {
    return { ok: false, error: 'before_signature', message: `the mandate was signed on ${mandate.signedOn}` };
  }
  if (mandate.revokedOn != null && compareDates(collectionDate, mandate.revokedOn) >= 0) {
    return { ok: false, error: 'mandate_revoked', message: `the mandate was revoked on ${mandate.revokedOn}` };
  }
  if (mandate.kind === 'one_off') {
    if (mandate.lastCollectionOn !== null) {
      return { ok: false, error: 'one_off_already_used', message: 'a one-off mandate serves a single collection' };
    }
    if (compareDates(collectionDate, mandateExpiresOn(mandate)) >= 0) {
      return expired();
    }
    return { ok: true, sequenceType: 'OOFF' };
  }
  const expiresOn = mandateExpiresOn(mandate);
  if (compareDates(collectionDate, expiresOn) >= 0) return expired();
  if (mandate.lastCollectionOn === null) return { ok: true, sequenceType: 'FRST' };
  if (compareDates(collectionDate, mandate.lastCollectionOn) <= 0) {
    return {
      ok: false,
      error: 'not_after_last',
      message: `the last collection on this mandate was on ${mandate.lastCollectionOn}`,
    };
  }
  return { ok: true, sequenceType: options.final ? 'FNAL' : 'RCUR' };

  function expired(): SequenceTypeResult {
    return {
      ok: false,
      error: 'mandate_expired',
      message: `the mandate lapsed on ${expiresOn} (36 months without a collection): a new mandate must be signed`,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Pre-notification (R-PAYMENT: 14 calendar days ahead)
// ---------------------------------------------------------------------------------------------

/** R-PAYMENT: calendar days between the debtor's pre-notification and the collection date. */
export const PRE_NOTIFICATION_DAYS = 14;

/** R-PAYMENT: the earliest collection date for a debtor notified on `notifiedOn`. */
export function earliestCollectionDate(notifiedOn: IsoDate): IsoDate {
  return addDays(notifiedOn, PRE_NOTIFICATION_DAYS);
}

/** R-PAYMENT: the last day the debtor can be notified of a collection on `collectionDate`. */
export function latestNotificationDate(collectionDate: IsoDate): IsoDate {
  return addDays(collectionDate, -PRE_NOTIFICATION_DAYS);
}

/** R-PAYMENT: was the debtor notified at least 14 calendar days before the collection? */
export function isPreNotificationInTime(notifiedOn: IsoDate, collectionDate: IsoDate): boolean {
  return daysBetween(notifiedOn, collectionDate) >= PRE_NOTIFICATION_DAYS;
}

// ---------------------------------------------------------------------------------------------
// TARGET2 business days: SEPA settles only on them, so a collection date is one of them.
// ---------------------------------------------------------------------------------------------

/** Easter Sunday (Gregorian computus, anonymous algorithm). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * TARGET2 is closed on weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and
 * 26 December. French public holidays (8 May, Ascension, 14 July…) are TARGET days.
 */
export function isTargetBusinessDay(date: IsoDate): boolean {
  const day = weekday(date);
  if (day === 0 || day === 6) return false;
  const monthDay = date.slice(5);
  if (monthDay === '01-01' || monthDay === '05-01' || monthDay === '12-25' || monthDay === '12-26') return false;
  const easter = easterSunday(Number(date.slice(0, 4)));
  return date !== addDays(easter, -2) && date !== addDays(easter, 1);
}

/** `date` itself when it is a TARGET2 business day, else the next one. */
export function nextTargetBusinessDay(date: IsoDate): IsoDate {
  let current = date;
  while (!isTargetBusinessDay(current)) current = addDays(current, 1);
  return current;
}

/**
 * R-PAYMENT: the first collection date a debit may carry when the debtor is notified on
 * `notifiedOn`: 14 calendar days later, moved to a TARGET2 business day.
 */
export function firstCollectableDate(notifiedOn: IsoDate): IsoDate {
  return nextTargetBusinessDay(earliestCollectionDate(notifiedOn));
}
