import { decodeRecord, type ImportEncoding, UTF8_BOM } from './detect.ts';

/**
 * A streaming CSV reader (RFC 4180 quoting, any one-character delimiter) that is fed the file's
 * bytes chunk by chunk and never holds more than the current chunk and one unfinished record.
 *
 * Why our own and not a general CSV library: an import must report each bad row with its line
 * and go on, and a general parser cannot do the three things that needs —
 * - a broken quote (`"Dupont;Jean` never closed) must not swallow the rest of the file: a quoted
 *   field may span lines only when the joined record is plausible (it closes within a few lines,
 *   gives the header's number of columns and its continuation lines do not look like rows of
 *   their own); otherwise the first line is reported `unclosed_quote` and reading resumes at the
 *   next line;
 * - each record is decoded on its own, so one line saved in Windows-1252 inside a UTF-8 file is
 *   repaired instead of turning into U+FFFD (detect.ts decodeRecord);
 * - every record carries the byte offset where the next one starts, which is the import's
 *   checkpoint: a resumed import starts reading exactly there (no duplicate, no gap).
 * Delimiter, quote, CR and LF are ASCII, and no byte of a UTF-8 multi-byte sequence is ASCII,
 * so records can be framed on bytes before they are decoded.
 */

export interface CsvRecord {
  kind: 'record';
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
  /** The record as decoded text (for error reports). */
  raw: string;
  /** Absolute byte offset just after the record and its line end: where the next one starts. */
  end: number;
  /** Line number of what follows. */
  nextLine: number;
  /** Read as Windows-1252 in a UTF-8 file, or split with another delimiter than the file's. */
  repaired: Array<'encoding' | 'delimiter'>;
}

export interface CsvBroken {
  kind: 'broken';
  line: number;
  raw: string;
  end: number;
  nextLine: number;
  reason: 'unclosed_quote';
}

export type CsvItem = CsvRecord | CsvBroken;

export interface CsvReaderOptions {
  delimiter: string;
  encoding: ImportEncoding;
  /** Absolute byte offset of the first byte pushed (0, or a checkpoint when resuming). */
  offset?: number;
  /** Line number at that offset (1 at the start of the file). */
  line?: number;
  /** The header's column count, once known: the check on multi-line records and the delimiter repair. */
  columns?: number;
  /** Other delimiters to try on a record whose column count is wrong (`,` lines in a `;` file). */
  alternatives?: readonly string[];
  /** A quoted field may span at most this many lines… */
  maxRecordLines?: number;
  /** …and this many bytes. */
  maxRecordBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const EMPTY = Buffer.alloc(0);

export class CsvReader {
  readonly #delimiter: string;
  readonly #encoding: ImportEncoding;
  readonly #alternatives: readonly string[];
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #columns: number | undefined;
  #pending: Buffer = EMPTY;
  /** Absolute offset of #pending[0] (of the read buffer's start while #read runs). */
  #base: number;
  #line: number;
  #atFileStart: boolean;

  constructor(options: CsvReaderOptions) {
    if (options.delimiter.length !== 1 || options.delimiter === '"' || options.delimiter === '\n' || options.delimiter === '\r') {
      throw new Error(`unusable CSV delimiter ${JSON.stringify(options.delimiter)}`);
    }
    this.#delimiter = options.delimiter;
    this.#encoding = options.encoding;
    this.#alternatives = (options.alternatives ?? []).filter((d) => d !== options.delimiter);
    this.#maxLines = options.maxRecordLines ?? 20;
    this.#maxBytes = options.maxRecordBytes ?? 64 * 1024;
    this.#columns = options.columns;
    this.#base = options.offset ?? 0;
    this.#line = options.line ?? 1;
    this.#atFileStart = this.#base === 0;
  }

  /** Sets the expected column count (after the header is read). */
  set columns(count: number) {
    this.#columns = count;
  }

  /** Absolute offset and line of the first byte not yet returned as part of an item. */
  get position(): { offset: number; line: number } {
    return { offset: this.#base, line: this.#line };
  }

  /** Feeds the next bytes of the file; returns the records completed by them. */
  push(chunk: Uint8Array): CsvItem[] {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes]);
    return this.#read(false);
  }

  /** The end of the file: returns the last records. */
  end(): CsvItem[] {
    return this.#read(true);
  }

  #read(final: boolean): CsvItem[] {
    const items: CsvItem[] = [];
    let buf = this.#pending;
    if (this.#atFileStart) {
      if (buf.length < 3 && !final && UTF8_BOM.slice(0, buf.length).every((b, i) => buf[i] === b)) return items;
      this.#atFileStart = false;
      if (buf[0] === UTF8_BOM[0] && buf[1] === UTF8_BOM[1] && buf[2] === UTF8_BOM[2]) {
        buf = buf.subarray(3);
        this.#base += 3;
      }
    }
    let pos = 0;
    // Position of the next quote at or after `pos`, or buf.length when there is none: found once
    // per buffer, so files without quotes are scanned in native code only.
    let nextQuote = -1;
    while (pos < buf.length) {
      let lineEnd = buf.indexOf(LF, pos);
      if (lineEnd < 0) {
        if (!final) break;
        lineEnd = buf.length;
      }
      if (nextQuote < pos) {
        nextQuote = buf.indexOf(QUOTE, pos);
        if (nextQuote < 0) nextQuote = buf.length;
      }
      const next = Math.min(lineEnd + 1, buf.length);
      if (nextQuote >= lineEnd) {
        // The common case: one line, no quote.
        const { text, repaired } = decodeRecord(buf.subarray(pos, contentEnd(buf, pos, lineEnd)), this.#encoding);
        const record = this.#record(text, text.split(this.#delimiter), repaired, next, 1);
        if (record) items.push(record);
        this.#line += 1;
        pos = next;
        continue;
      }
      const outcome = this.#quoted(buf, pos, lineEnd, final);
      if (outcome === 'more') break;
      if (outcome.kind === 'broken') {
        items.push(outcome);
        this.#line += 1;
        pos = next;
        continue;
      }
      const record = this.#record(outcome.text, outcome.fields, outcome.repaired, outcome.next, outcome.lines);
      if (record) items.push(record);
      this.#line += outcome.lines;
      pos = outcome.next;
    }
    this.#base += pos;
    this.#pending = pos >= buf.length ? EMPTY : buf.subarray(pos);
    return items;
  }

  #record(text: string, fields: string[], repairedEncoding: boolean, nextIndex: number, lines: number): CsvRecord | undefined {
    const line = this.#line;
    const end = this.#base + nextIndex;
    // Blank lines (or lines of delimiters only) carry nothing: skipped, not rows.
    if (fields.every((field) => field.trim() === '')) return undefined;
    const repaired: CsvRecord['repaired'] = repairedEncoding ? ['encoding'] : [];
    if (this.#columns !== undefined && fields.length !== this.#columns) {
      for (const alternative of this.#alternatives) {
        const split = parseFields(text, alternative);
        if (split.open || split.fields.length !== this.#columns) continue;
        fields = split.fields;
        repaired.push('delimiter');
        break;
      }
    }
    return { kind: 'record', line, fields, raw: text, end, nextLine: line + lines, repaired };
  }

  /**
   * A line with a quote: parsed as one record, joined with the following lines while a quoted
   * field stays open, within the limits. 'more' when the limits are not reached but the bytes
   * that would decide are not there yet.
   */
  #quoted(buf: Buffer, pos: number, firstLineEnd: number, final: boolean): 'more' | CsvBroken | { kind: 'ok'; text: string; fields: string[]; repaired: boolean; next: number; lines: number } {
    let lineEnd = firstLineEnd;
    let lines = 1;
    for (;;) {
      const { text, repaired } = decodeRecord(buf.subarray(pos, contentEnd(buf, pos, lineEnd)), this.#encoding);
      const parsed = parseFields(text, this.#delimiter);
      const next = Math.min(lineEnd + 1, buf.length);
      if (!parsed.open) {
        if (lines === 1) return { kind: 'ok', text, fields: parsed.fields, repaired, next, lines };
        if (!parsed.loose && this.#plausibleJoin(text, parsed.fields)) return { kind: 'ok', text, fields: parsed.fields, repaired, next, lines };
        return this.#broken(buf, pos, firstLineEnd);
      }
      if (lines >= this.#maxLines || lineEnd - pos >= this.#maxBytes || lineEnd >= buf.length) {
        if (lineEnd >= buf.length && !final && lines < this.#maxLines && lineEnd - pos < this.#maxBytes) return 'more';
        return this.#broken(buf, pos, firstLineEnd);
      }
      const following = buf.indexOf(LF, lineEnd + 1);
      if (following < 0 && !final) return 'more';
      lineEnd = following < 0 ? buf.length : following;
      lines++;
    }
  }

  /** A record joined over several lines is kept only if it has the header's columns and no continuation line looks like a row. */
  #plausibleJoin(text: string, fields: string[]): boolean {
    const columns = this.#columns;
    if (columns === undefined) return true;
    if (fields.length !== columns) return false;
    const rowLike = Math.max(1, columns - 1);
    const continuation = text.split('\n').slice(1);
    return continuation.every((line) => line.split(this.#delimiter).length - 1 < rowLike);
  }

  #broken(buf: Buffer, pos: number, firstLineEnd: number): CsvBroken {
    const { text } = decodeRecord(buf.subarray(pos, contentEnd(buf, pos, firstLineEnd)), this.#encoding);
    const next = Math.min(firstLineEnd + 1, buf.length);
    const line = this.#line;
    return { kind: 'broken', line, raw: text, end: this.#base + next, nextLine: line + 1, reason: 'unclosed_quote' };
  }
}

/** End of a line's content: before its LF and a CR before it. */
function contentEnd(buf: Buffer, start: number, lineEnd: number): number {
  return lineEnd > start && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
}

/**
 * Splits one record's text on `delimiter` with RFC 4180 quotes (`""` is a quote inside a quoted
 * field). `open`: a quoted field is not closed by the end of the text. `loose`: text after a
 * closing quote (`"Dupont"x`), kept as it is.
 */
export function parseFields(text: string, delimiter: string): { fields: string[]; open: boolean; loose: boolean } {
  const fields: string[] = [];
  let loose = false;
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) return { fields, open: true, loose };
        value += text.slice(i, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      if (i < n && text[i] !== delimiter) {
        let stop = text.indexOf(delimiter, i);
        if (stop < 0) stop = n;
        value += text.slice(i, stop);
        loose = true;
        i = stop;
      }
      fields.push(value);
    } else {
      let stop = text.indexOf(delimiter, i);
      if (stop < 0) stop = n;
      fields.push(text.slice(i, stop));
      i = stop;
    }
    if (i >= n) return { fields, open: false, loose };
    i++; // the delimiter
    if (i === n) {
      fields.push('');
      return { fields, open: false, loose };
    }
  }
}
