import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * The rows of an XLSX file's first worksheet, streamed (exceljs WorkbookReader: the ZIP entries
 * are inflated and the sheet XML parsed as they arrive; shared strings and styles are cached, the
 * styles because they tell a date from a number). Every cell is given as the text a user saw in Excel, so the same normalisation applies as
 * for a CSV file: numbers without exponent (a phone typed as a number lost its leading 0, which
 * the phone normalisation tolerates), dates as YYYY-MM-DD, formulas by their result.
 */

export interface XlsxRow {
  /** 1-based row number in the sheet (what Excel shows): the line of error reports. */
  row: number;
  cells: string[];
}

export async function* readXlsxRows(source: Readable): AsyncGenerator<XlsxRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    entries: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  });
  for await (const worksheet of workbook) {
    for await (const row of worksheet) {
      const values = row.values as unknown[];
      const cells: string[] = [];
      // row.values is 1-based (index 0 is empty).
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      yield { row: row.number, cells };
    }
    // Only the first worksheet is imported; the rest of the archive is not read.
    source.destroy();
    return;
  }
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const object = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: string; hyperlink?: string };
    if (Array.isArray(object.richText)) return object.richText.map((part) => part.text).join('');
    if ('result' in object) return cellText(object.result);
    if (object.text !== undefined) return cellText(object.text);
    if (typeof object.hyperlink === 'string') return object.hyperlink;
    if (typeof object.error === 'string') return '';
  }
  return String(value);
}
