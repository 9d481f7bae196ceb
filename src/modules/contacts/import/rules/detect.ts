import { isAscii, isUtf8 } from 'node:buffer';
import { decodeWindows1252 } from '../../../billing/sepa/bank-statement.ts';

/**
 * What an uploaded contact file is, guessed from its first bytes: format (CSV or XLSX), text
 * encoding, delimiter and whether the first row names the columns. Every guess can be corrected
 * by the user before the import starts (PUT /v1/contacts/imports/{id}).
 */

export type ImportFormat = 'csv' | 'xlsx';
export type ImportEncoding = 'utf-8' | 'windows-1252';
export const IMPORT_DELIMITERS = [';', ',', '\t', '|'] as const;
export type ImportDelimiter = (typeof IMPORT_DELIMITERS)[number];

export type FormatVerdict = { format: ImportFormat } | { problem: 'xls_not_supported' | 'utf16_not_supported' | 'not_a_text_file' | 'empty_file' };

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((byte, i) => bytes[i] === byte);

/** XLSX is a ZIP container; anything else that reads as text is taken as CSV. */
export function detectFormat(head: Uint8Array): FormatVerdict {
  if (head.length === 0) return { problem: 'empty_file' };
  if (startsWith(head, ZIP_MAGIC)) return { format: 'xlsx' };
  if (startsWith(head, OLE_MAGIC)) return { problem: 'xls_not_supported' };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return { problem: 'utf16_not_supported' };
  // NUL bytes never occur in a UTF-8 or Windows-1252 text file: an image, a PDF, an archive…
  if (head.subarray(0, 64 * 1024).includes(0)) return { problem: 'not_a_text_file' };
  return { format: 'csv' };
}

export const UTF8_BOM = [0xef, 0xbb, 0xbf];
export const hasUtf8Bom = (head: Uint8Array): boolean => startsWith(head, UTF8_BOM);

/**
 * UTF-8 (with or without BOM) or Windows-1252 (what Excel for Windows saves as "CSV"). A sample
 * with a few lines that are not valid UTF-8 among many that are stays UTF-8: those lines are
 * repaired one by one (decodeRecord); a sample whose non-ASCII lines are mostly invalid UTF-8 is
 * Windows-1252. ISO-8859-1 is read as Windows-1252, its superset for printable characters.
 */
export function detectEncoding(sample: Uint8Array): { encoding: ImportEncoding; bom: boolean } {
  if (hasUtf8Bom(sample)) return { encoding: 'utf-8', bom: true };
  const complete = sample.subarray(0, lastLineEnd(sample));
  if (isUtf8(complete)) return { encoding: 'utf-8', bom: false };
  let valid = 0;
  let invalid = 0;
  for (const line of splitLines(complete)) {
    if (isAscii(line)) continue;
    if (isUtf8(line)) valid++;
    else invalid++;
  }
  return { encoding: invalid > valid ? 'windows-1252' : 'utf-8', bom: false };
}

/** Up to the last line feed (a sample cut in the middle of a multi-byte character is not invalid). */
function lastLineEnd(bytes: Uint8Array): number {
  const end = bytes.lastIndexOf(0x0a);
  return end < 0 ? bytes.length : end + 1;
}

function* splitLines(bytes: Uint8Array): Generator<Uint8Array> {
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    yield bytes.subarray(start, end);
    start = end + 1;
  }
}

/**
 * The text of one record's bytes. In a UTF-8 file, a record that is not valid UTF-8 (a line
 * pasted from a Windows-1252 tool) is read as Windows-1252 and flagged as repaired, so its
 * accents survive and the row is still imported; never U+FFFD silently.
 */
export function decodeRecord(bytes: Uint8Array, encoding: ImportEncoding): { text: string; repaired: boolean } {
  if (isAscii(bytes)) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'), repaired: false };
  if (encoding === 'utf-8') {
    if (isUtf8(bytes)) return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), repaired: false };
    return { text: decodeWindows1252(bytes), repaired: true };
  }
  return { text: decodeWindows1252(bytes), repaired: false };
}

/**
 * The delimiter that splits the sample's lines into the same number of columns most often
 * (the header's count first). Quoted text is not counted: `"Dupont, Jean";0612…` is `;`.
 */
export function detectDelimiter(lines: readonly string[]): ImportDelimiter {
  const sample = lines.filter((line) => line.trim() !== '').slice(0, 50);
  let best: { delimiter: ImportDelimiter; score: number } = { delimiter: ';', score: -1 };
  for (const delimiter of IMPORT_DELIMITERS) {
    const counts = sample.map((line) => countOutsideQuotes(line, delimiter));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const agreeing = counts.filter((count) => count === first).length;
    // Agreement with the header matters most; more columns breaks ties (`,` inside a `;` file's names).
    const score = agreeing * 1000 + first;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) count++;
  }
  return count;
}

const EMAIL_LIKE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_LIKE = /^\+?[\d\s.()/-]{6,20}$/;

export const looksLikeEmail = (value: string): boolean => EMAIL_LIKE.test(value.trim());
export const looksLikePhone = (value: string): boolean => {
  const v = value.trim();
  return PHONE_LIKE.test(v) && (v.match(/\d/g)?.length ?? 0) >= 6;
};

/**
 * Whether the first row names the columns: it does unless one of its cells is an address (an
 * email or a phone number), or it looks like the rows below (numbers where they have numbers).
 */
export function detectHeader(first: readonly string[], following: readonly (readonly string[])[]): boolean {
  if (first.some((cell) => looksLikeEmail(cell) || looksLikePhone(cell))) return false;
  const numeric = (cell: string) => cell.trim() !== '' && /^[\d\s.,+-]+$/.test(cell.trim());
  if (first.some(numeric)) return false;
  return following.length === 0 || first.some((cell) => cell.trim() !== '');
}

/** Column names shown to the user and used as mapping keys: unique, never empty. */
export function columnNames(header: readonly string[] | null, count: number, unnamed: (n: number) => string = (n) => `Colonne ${n}`): string[] {
  const names: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    let name = (header?.[i] ?? '').trim().slice(0, 100) || unnamed(i + 1);
    const times = seen.get(name.toLowerCase()) ?? 0;
    seen.set(name.toLowerCase(), times + 1);
    if (times > 0) name = `${name} (${times + 1})`;
    names.push(name);
  }
  return names;
}
