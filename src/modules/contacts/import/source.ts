import { Readable } from 'node:stream';
import type { Database } from '../../../platform/db/database.ts';
import { withTenant } from '../../../platform/db/tenant-context.ts';
import { CHUNK_SIZE, readChunk } from './repo.ts';
import { type Checkpoint, CsvReader, IMPORT_DELIMITERS, type ImportEncoding, isCommitted } from './rules.ts';
import { readXlsxRows } from './xlsx.ts';

/**
 * The stored file (contact_import_chunks) read back as rows, from the start or from a
 * checkpoint. Chunks are read one short transaction each, the next one while the current one is
 * parsed; the file is never whole in memory.
 */

export async function* storedBytes(db: Database, tenantId: string, importId: string, offset = 0): AsyncGenerator<Buffer> {
  let seq = Math.floor(offset / CHUNK_SIZE);
  let skip = offset % CHUNK_SIZE;
  const read = (n: number) => withTenant(db, tenantId, (tx) => readChunk(tx, tenantId, importId, n));
  let next = read(seq);
  try {
    for (;;) {
      const chunk = await next;
      if (!chunk) return;
      seq++;
      next = read(seq);
      yield skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
    }
  } finally {
    // A read ahead that nobody awaits must not become an unhandled rejection.
    next.catch(() => {});
  }
}

/** One row of the file, or a line that could not be read as one; with where the next one starts. */
export interface SourceItem {
  line: number;
  cells: string[] | null;
  raw: string;
  repaired: ReadonlyArray<'encoding' | 'delimiter'>;
  /** Set when the line is not a row (`unclosed_quote`). */
  broken: string | null;
  /** Grows along the file: the byte offset where the row ends (CSV), its row number (XLSX). See rules/checkpoint.ts. */
  key: number;
  /** Line number of what follows. */
  nextLine: number;
  /** Bytes of the file read so far. */
  bytes: number;
}

export interface CsvSourceOptions {
  encoding: ImportEncoding;
  delimiter: string;
  columns: number;
  hasHeader: boolean;
  checkpoint: Checkpoint;
}

/** CSV rows in arrays (one per stored chunk: one await per chunk, not per row). */
export async function* csvItems(bytes: (offset: number) => AsyncIterable<Buffer>, options: CsvSourceOptions): AsyncGenerator<SourceItem[]> {
  const { checkpoint } = options;
  const start = { offset: checkpoint.pos, line: checkpoint.line };
  const reader = new CsvReader({
    delimiter: options.delimiter,
    encoding: options.encoding,
    offset: start.offset,
    line: start.line,
    columns: options.columns,
    alternatives: IMPORT_DELIMITERS,
  });
  let headerPending = options.hasHeader && checkpoint.pos === 0;
  const skipping = checkpoint.done.length > 0;
  const convert = (items: ReturnType<CsvReader['push']>): SourceItem[] => {
    const out: SourceItem[] = [];
    for (const item of items) {
      if (headerPending) {
        headerPending = false;
        continue;
      }
      if (skipping && isCommitted(checkpoint, item.end)) continue;
      const position = { key: item.end, nextLine: item.nextLine, bytes: item.end };
      if (item.kind === 'broken') out.push({ line: item.line, cells: null, raw: item.raw, repaired: [], broken: item.reason, ...position });
      else out.push({ line: item.line, cells: item.fields, raw: item.raw, repaired: item.repaired, broken: null, ...position });
    }
    return out;
  };
  for await (const chunk of bytes(start.offset)) yield convert(reader.push(chunk));
  yield convert(reader.end());
}

/** How many bytes of a stream have been handed on (the progress of an XLSX import). */
export class ByteCounter {
  count = 0;
  wrap(source: AsyncIterable<Buffer>): Readable {
    const counter = this;
    return Readable.from(
      (async function* () {
        for await (const chunk of source) {
          counter.count += chunk.length;
          yield chunk;
        }
      })(),
    );
  }
}

export interface XlsxSourceOptions {
  hasHeader: boolean;
  checkpoint: Checkpoint;
  /** Rows per yielded array. */
  group?: number;
}

/** XLSX rows; a resumed import re-reads the archive from its start and skips the rows done. */
export async function* xlsxItems(bytes: () => AsyncIterable<Buffer>, options: XlsxSourceOptions): AsyncGenerator<SourceItem[]> {
  const counter = new ByteCounter();
  const group = options.group ?? 1000;
  const { checkpoint } = options;
  let headerPending = options.hasHeader && checkpoint.pos === 0;
  let out: SourceItem[] = [];
  for await (const row of readXlsxRows(counter.wrap(bytes()))) {
    if (row.cells.every((cell) => cell.trim() === '')) continue;
    if (headerPending) {
      headerPending = false;
      continue;
    }
    if (isCommitted(checkpoint, row.row)) continue;
    out.push({ line: row.row, cells: row.cells, raw: row.cells.map(csvCell).join(';'), repaired: [], broken: null, key: row.row, nextLine: row.row + 1, bytes: counter.count });
    if (out.length >= group) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** A cell as it would be written in a `;` CSV line (the raw text of an XLSX row in error reports). */
export function csvCell(value: string): string {
  return /[";\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
