import { CsvReader } from './csv.ts';
import { columnNames, detectDelimiter, detectEncoding, detectHeader, type ImportDelimiter, type ImportEncoding } from './detect.ts';

/**
 * What the wizard shows after the upload: the columns and the first rows, read with the
 * detected (or chosen) encoding, delimiter and header setting.
 */

export const PREVIEW_ROWS = 20;

export interface FileShape {
  hasHeader: boolean;
  columns: string[];
  preview: string[][];
}

export interface CsvShape extends FileShape {
  encoding: ImportEncoding;
  delimiter: ImportDelimiter;
}

/** The shape of rows already split (XLSX, or CSV records). */
export function shapeOfRows(rows: readonly (readonly string[])[], hasHeader?: boolean): FileShape {
  const [first, ...rest] = rows;
  if (!first) return { hasHeader: hasHeader ?? true, columns: [], preview: [] };
  const header = hasHeader ?? detectHeader(first, rest.slice(0, PREVIEW_ROWS));
  const data = (header ? rest : rows).slice(0, PREVIEW_ROWS);
  const width = header ? lastNonEmpty(first) : Math.max(0, ...data.map(lastNonEmpty));
  const columns = columnNames(header ? first : null, width);
  return { hasHeader: header, columns, preview: data.map((row) => columns.map((_, i) => row[i] ?? '')) };
}

/** Cells up to the last non-empty one (trailing empty cells of a spreadsheet row are no columns). */
function lastNonEmpty(row: readonly string[]): number {
  let n = row.length;
  while (n > 0 && (row[n - 1] ?? '').trim() === '') n--;
  return n;
}

/**
 * The shape of a CSV file from its first bytes (`complete`: the sample is the whole file).
 * Encoding and delimiter are detected unless given.
 */
export function shapeOfCsv(sample: Uint8Array, complete: boolean, chosen: { encoding?: ImportEncoding; delimiter?: ImportDelimiter; hasHeader?: boolean } = {}): CsvShape {
  const encoding = chosen.encoding ?? detectEncoding(sample).encoding;
  const firstLines: string[] = [];
  if (!chosen.delimiter) {
    // Lines for the delimiter count: the first 64 KiB, quotes and all (detectDelimiter skips quoted text).
    const head = new CsvReader({ delimiter: '\u0001', encoding });
    for (const item of [...head.push(sample.subarray(0, 64 * 1024)), ...(complete && sample.length <= 64 * 1024 ? head.end() : [])]) {
      firstLines.push(item.raw);
      if (firstLines.length >= 50) break;
    }
  }
  const delimiter = chosen.delimiter ?? detectDelimiter(firstLines);
  const reader = new CsvReader({ delimiter, encoding });
  const rows: string[][] = [];
  // 256 KiB hold the first 21 rows of any sane file (records are at most 64 KiB).
  const head = sample.subarray(0, 256 * 1024);
  for (const item of [...reader.push(head), ...(complete && head.length === sample.length ? reader.end() : [])]) {
    if (item.kind === 'record') rows.push(item.fields);
    if (rows.length > PREVIEW_ROWS) break;
  }
  return { encoding, delimiter, ...shapeOfRows(rows, chosen.hasHeader) };
}
