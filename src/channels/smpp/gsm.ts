/**
 * GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table, as SMPP carries it with
 * data_coding 0: one septet per byte, unpacked; extension characters are the escape 0x1B
 * followed by their code. This is only the byte encoding: which encoding a message uses and how
 * many segments it costs are decided elsewhere (the product's segment counting).
 */

/** The default alphabet, indexed by septet value (0x1B is the escape, kept as '\x1B'). */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1BÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: character → the septet that follows the escape. */
const EXTENSION: ReadonlyArray<readonly [string, number]> = [
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
];

export const GSM_ESCAPE = 0x1b;

const encodeMap = new Map<string, number[]>();
for (let i = 0; i < BASIC.length; i++) if (i !== GSM_ESCAPE) encodeMap.set(BASIC[i]!, [i]); // the escape is no character
for (const [ch, code] of EXTENSION) encodeMap.set(ch, [GSM_ESCAPE, code]);
// Strict table: 'ç' (U+00E7) is NOT mapped to septet 0x09, which TS 23.038 defines as 'Ç' and
// current handsets show as 'Ç'. A French text with 'ç' must go as UCS-2 (or fail loudly here)
// rather than reach the phone altered.

const decodeExtension = new Map<number, string>(EXTENSION.map(([ch, code]) => [code, ch]));

/** The septets of one character (1 or 2 bytes), or undefined when it is not in GSM 03.38. */
export function gsmSeptets(char: string): readonly number[] | undefined {
  return encodeMap.get(char);
}

/** True when every character of `text` can be sent with data_coding 0. */
export function isGsmEncodable(text: string): boolean {
  for (const ch of text) if (!encodeMap.has(ch)) return false;
  return true;
}

/** Characters of `text` outside GSM 03.38 (deduplicated, in order of appearance). */
export function unencodableChars(text: string): string[] {
  const out = new Set<string>();
  for (const ch of text) if (!encodeMap.has(ch)) out.add(ch);
  return [...out];
}

/**
 * Encodes `text` as unpacked septets, extension characters escaped.
 * @throws RangeError when a character is not in GSM 03.38 (check with `isGsmEncodable`).
 */
export function encodeGsm7(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    const septets = encodeMap.get(ch);
    if (!septets) throw new RangeError(`character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not in GSM 03.38`);
    for (const s of septets) bytes.push(s);
  }
  return Buffer.from(bytes);
}

/**
 * Decodes unpacked septets. An escape followed by a code outside the extension table shows the
 * default-table character (TS 23.038 §6.2.1.1); a trailing escape is dropped; bytes above 0x7F
 * (not septets) are read as their low 7 bits.
 */
export function decodeGsm7(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]! & 0x7f;
    if (b === GSM_ESCAPE) {
      if (i + 1 >= bytes.length) break;
      const next = bytes[++i]! & 0x7f;
      const ext = decodeExtension.get(next);
      out += ext ?? (next === GSM_ESCAPE ? ' ' : BASIC[next]!);
      continue;
    }
    out += BASIC[b]!;
  }
  return out;
}

/**
 * Bytes back from a string the `smpp` package decoded with its own GSM table (it decodes
 * short_message for data_coding 0 and 1 before we see it). Its table is the same as ours, so this
 * is exact for every byte below 0x80; an unknown escape comes back as '\x1B' + character, which
 * maps back to the same two bytes. Bytes above 0x7F (invalid septets) were turned into spaces by
 * the package and cannot be recovered.
 */
export function gsmBytesFromPackageText(text: string): Buffer {
  const bytes: number[] = [];
  for (const ch of text) {
    if (ch === '\x1B') {
      bytes.push(GSM_ESCAPE);
      continue;
    }
    const septets = encodeMap.get(ch);
    if (septets) for (const s of septets) bytes.push(s);
    else bytes.push(0x20);
  }
  return Buffer.from(bytes);
}
