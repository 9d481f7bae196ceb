/**
 * R-ENCODING: SMS length, parts and price follow GSM 03.38 (3GPP TS 23.038).
 *
 * - A text made only of characters of the GSM 7-bit default alphabet is sent in GSM-7: each
 *   character of the basic table costs 1 septet, each character of the extension table costs 2
 *   (the escape 0x1B, then its code). 160 septets fit in one SMS; a longer text is concatenated
 *   and each part carries a 7-octet user data header, leaving 153 septets.
 * - Any other character switches the whole text to UCS-2, counted in UTF-16 code units (an emoji
 *   outside the BMP is a surrogate pair: 2 units): 70 in one SMS, 67 per part when concatenated.
 * - A part boundary never splits an escape sequence nor a surrogate pair: handsets decode each
 *   part on its own, and a dangling escape or half surrogate shows as garbage. The character
 *   moves whole to the next part, which can add a part that a plain division would not count.
 *
 * National language shift tables (Turkish, Spanish, Portuguese…) are not used: French handsets
 * and carriers work with the default alphabet only.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export const SINGLE_SMS_SEPTETS = 160;
export const CONCATENATED_SMS_SEPTETS = 153;
export const SINGLE_SMS_UCS2_UNITS = 70;
export const CONCATENATED_SMS_UCS2_UNITS = 67;

/** The escape septet that announces a character of the extension table. */
export const GSM_ESCAPE = 0x1b;

/**
 * GSM 03.38 basic table, in code order 0x00–0x7F. Position 0x1B is the escape and is no
 * character of its own: it is replaced by a NUL placeholder here and left out of the lookup.
 * 0x09 is the capital Ç (the standard's table; the lower-case ç is not in the alphabet).
 */
const GSM_BASIC_TABLE =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u0000ÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** GSM 03.38 extension table: each is sent as 0x1B then this code (2 septets). */
const GSM_EXTENSION_TABLE: ReadonlyMap<string, number> = new Map([
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);

const GSM_BASIC_CODES: ReadonlyMap<string, number> = new Map(
  [...GSM_BASIC_TABLE].map((character, code) => [character, code] as const).filter(([, code]) => code !== GSM_ESCAPE),
);

/** Septets a character costs in GSM-7: 1 (basic table), 2 (extension table), or null (not GSM). */
export function gsmSeptetCost(character: string): 1 | 2 | null {
  if (GSM_BASIC_CODES.has(character)) return 1;
  if (GSM_EXTENSION_TABLE.has(character)) return 2;
  return null;
}

export function isGsmCharacter(character: string): boolean {
  return gsmSeptetCost(character) !== null;
}

/** The characters of `text` (code points) that are not in the GSM alphabet, each once, in order of first appearance. */
export function nonGsmCharactersOf(text: string): string[] {
  return [...new Set([...text].filter((character) => !isGsmCharacter(character)))];
}

export function isGsmText(text: string): boolean {
  return nonGsmCharactersOf(text).length === 0;
}

export interface SmsAnalysis {
  encoding: SmsEncoding;
  /** User-perceived length: Unicode code points (an emoji counts 1, '€' counts 1). */
  characters: number;
  /** What the network counts: septets in GSM-7 (extension characters cost 2), UTF-16 code units in UCS-2. */
  units: number;
  /** SMS parts billed and sent. 0 for an empty text. */
  segments: number;
  /** Capacity of one part for this text: 160/70 when it fits in one SMS, 153/67 when concatenated. */
  perSegment: number;
  /** Units still free in the last part before another part is needed. */
  remainingInSegment: number;
  /** The text cut where the network cuts it (escape sequences and surrogate pairs kept whole). */
  parts: string[];
  /** Which characters forced UCS-2 (each once); empty in GSM-7. */
  nonGsmCharacters: string[];
}

/** R-ENCODING: encoding, length, parts and the characters that cost the most, for one SMS text. */
export function analyseSms(text: string): SmsAnalysis {
  const nonGsmCharacters = nonGsmCharactersOf(text);
  const encoding: SmsEncoding = nonGsmCharacters.length === 0 ? 'GSM-7' : 'UCS-2';
  const costOf = encoding === 'GSM-7' ? (character: string) => gsmSeptetCost(character) ?? 0 : utf16Units;
  const [singleLimit, partLimit] =
    encoding === 'GSM-7' ? [SINGLE_SMS_SEPTETS, CONCATENATED_SMS_SEPTETS] : [SINGLE_SMS_UCS2_UNITS, CONCATENATED_SMS_UCS2_UNITS];
  const characters = [...text];
  const units = characters.reduce((sum, character) => sum + costOf(character), 0);
  const perSegment = units <= singleLimit ? singleLimit : partLimit;
  const parts = units === 0 ? [] : splitIntoParts(characters, costOf, perSegment);
  const lastPart = parts.at(-1) ?? '';
  const unitsInLastPart = [...lastPart].reduce((sum, character) => sum + costOf(character), 0);
  return {
    encoding,
    characters: characters.length,
    units,
    segments: parts.length,
    perSegment,
    remainingInSegment: perSegment - unitsInLastPart,
    parts,
    nonGsmCharacters,
  };
}

/** UTF-16 code units of one code point: 2 for a surrogate pair (most emoji), else 1. */
function utf16Units(character: string): number {
  return character.length;
}

/**
 * Greedy cut into parts of at most `limit` units, moving a character whole to the next part
 * when it does not fit: this is what keeps escape sequences and surrogate pairs unsplit.
 */
function splitIntoParts(characters: readonly string[], costOf: (character: string) => number, limit: number): string[] {
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const character of characters) {
    const cost = costOf(character);
    if (used + cost > limit) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += character;
    used += cost;
  }
  parts.push(current);
  return parts;
}

/**
 * Unpacked GSM-7 septets (one value 0x00–0x7F per septet, 0x1B before each extension
 * character) for the SMPP short_message with data_coding 0 (SMSC default alphabet). Throws on a
 * character outside the alphabet: check `analyseSms(text).encoding` first and send UCS-2 instead.
 */
export function toGsmSeptets(text: string): Uint8Array {
  const septets: number[] = [];
  for (const character of text) {
    const basic = GSM_BASIC_CODES.get(character);
    const extension = GSM_EXTENSION_TABLE.get(character);
    if (basic !== undefined) septets.push(basic);
    else if (extension !== undefined) septets.push(GSM_ESCAPE, extension);
    else throw new RangeError(`"${character}" (U+${codePointHex(character)}) is not in the GSM 03.38 alphabet`);
  }
  return Uint8Array.from(septets);
}

function codePointHex(character: string): string {
  return (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}

/**
 * French and typographic characters that are not in GSM 03.38, with their GSM spelling.
 * Characters French uses that ARE in the alphabet stay as they are: é è à ù ì ò É Ç Ä Ö Ü ä ö ü
 * ñ Ñ ß Æ æ Ø ø Å å, and € (extension table, 2 septets).
 * ç becomes c, not Ç: the standard's 0x09 is the capital, and "garÇon" reads worse than "garcon".
 */
export const GSM_TRANSLITERATIONS: Readonly<Record<string, string>> = {
  // Accented letters absent from the alphabet: the bare letter, case kept.
  À: 'A',
  Â: 'A',
  â: 'a',
  È: 'E',
  Ê: 'E',
  Ë: 'E',
  ê: 'e',
  ë: 'e',
  Î: 'I',
  Ï: 'I',
  î: 'i',
  ï: 'i',
  Ô: 'O',
  ô: 'o',
  Ù: 'U',
  Û: 'U',
  û: 'u',
  Ÿ: 'Y',
  ÿ: 'y',
  ç: 'c',
  // Ligatures: spelt out.
  Œ: 'OE',
  œ: 'oe',
  // Typographic apostrophes and quotes (word processors and French typography).
  '\u2019': "'",
  '\u2018': "'",
  '\u02BC': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '«': '"',
  '»': '"',
  // Ellipsis, dashes and the minus sign.
  '\u2026': '...',
  '\u2013': '-',
  '\u2014': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2212': '-',
  // No-break, narrow no-break (French "20 %", "« Soldes »") and thin spaces.
  '\u00A0': ' ',
  '\u202F': ' ',
  '\u2009': ' ',
};

export interface Transliteration {
  text: string;
  /** Each substitution made, once per distinct character, in order of first appearance. */
  replaced: Array<{ from: string; to: string }>;
}

/**
 * R-ENCODING: rewrites French characters that force UCS-2 (ê, ô, œ, ’, «, …, no-break spaces…)
 * into GSM-7, which more than doubles the room per SMS (160 against 70). Applied only when the
 * result is entirely GSM-7: if something without an equivalent remains (an emoji, a Greek
 * lower-case letter…), the text goes in UCS-2 anyway, so it is returned untouched and keeps its
 * accents. A text already in GSM-7 is returned untouched too.
 */
export function transliterate(text: string): Transliteration {
  const unchanged: Transliteration = { text, replaced: [] };
  const missing = nonGsmCharactersOf(text);
  if (missing.length === 0 || !missing.every((character) => Object.hasOwn(GSM_TRANSLITERATIONS, character))) return unchanged;
  const rewritten = [...text].map((character) => GSM_TRANSLITERATIONS[character] ?? character).join('');
  return { text: rewritten, replaced: missing.map((from) => ({ from, to: GSM_TRANSLITERATIONS[from]! })) };
}
