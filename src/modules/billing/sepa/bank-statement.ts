/**
 * R-PAYMENT (§10.1): bank transfers are matched to invoices by their reference. Operators
 * export their account statement from the bank as CSV and import it here; the lines that
 * credit the account are matched to open invoices, the rest goes to a manual-matching list.
 *
 * French banks export CSV in as many shapes as there are banks (Crédit Agricole: Windows-1252,
 * `;`, a preamble, separate Débit/Crédit columns, multi-line quoted labels; BNP Paribas: UTF-8
 * with a BOM, one signed amount column; Qonto: `,`, ISO dates, decimal point). So nothing is
 * assumed: the encoding, the separator, the header row and the meaning of each column are
 * detected, and every line that cannot be read is reported with its line number and reason
 * instead of being dropped silently.
 *
 * Pure: bytes in, values out. The service stores the lines by `fingerprint` (unique), which
 * is what makes importing the same statement twice harmless and visible.
 */
import { createHash } from 'node:crypto';
import { type IsoDate, compareDates, isIsoDate } from '../rules/dates.ts';

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

export type StatementEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Text of a statement file. A BOM decides; without one, bytes that are valid UTF-8 are UTF-8
 * (ASCII included), anything else is Windows-1252 (what French banks' "Excel" exports use;
 * its 0x80 is €, which ISO-8859-1 would not give).
 */
export function decodeStatement(bytes: Uint8Array): { text: string; encoding: StatementEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8-bom' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
  }
}

/**
 * Windows-1252 = ISO-8859-1 except 0x80–0x9F, where it has €, œ, Œ, typographic quotes and
 * dashes. Decoded by hand: Node 20's TextDecoder('windows-1252') drops those bytes.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

export function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80]! : String.fromCharCode(byte);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// CSV records
// ---------------------------------------------------------------------------------------------

interface CsvRecord {
  /** 1-based line of the file where the record starts (a quoted label may span lines). */
  line: number;
  cells: string[];
  raw: string;
}

/** RFC 4180 reading with any separator: quotes, doubled quotes, separators and newlines inside quotes. */
function readCsv(text: string, separator: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let start = 0;
  const flush = (end: number) => {
    cells.push(cell);
    records.push({ line: startLine, cells, raw: text.slice(start, end) });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line += 1;
        cell += char;
      }
      continue;
    }
    if (char === '"' && cell.trim() === '') {
      cell = '';
      quoted = true;
    } else if (char === separator) {
      cells.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      flush(i);
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      line += 1;
      startLine = line;
      start = i + 1;
    } else {
      cell += char;
    }
  }
  if (cell !== '' || cells.length > 0) flush(text.length);
  return records;
}

// ---------------------------------------------------------------------------------------------
// Header and columns
// ---------------------------------------------------------------------------------------------

export interface ColumnMapping {
  date: number;
  /** Label columns, joined with a space in this order (short + long label, counterparty + text…). */
  label: number[];
  /** One signed amount column, or… */
  amount: number | null;
  /** …separate debit and credit columns. */
  debit: number | null;
  credit: number | null;
  reference: number | null;
  counterparty: number | null;
  currency: number | null;
  status: number | null;
}

/** Lower case, no accents, punctuation as spaces: "Crédit euros" → "credit euros". */
function foldHeader(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function detectColumns(cells: string[]): ColumnMapping | null {
  const names = cells.map(foldHeader);
  const find = (test: (name: string) => boolean) => names.findIndex(test);
  const dateColumns = names.flatMap((name, index) => (/\bdate\b/.test(name) ? [index] : []));
  // The booking or operation date, not the value date (the day interest starts to count).
  const date = dateColumns.find((index) => !/valeur|value/.test(names[index]!)) ?? dateColumns[0];
  if (date === undefined) return null;
  const debit = find((name) => /\bdebit\b/.test(name) && !/date/.test(name));
  const credit = find((name) => /\bcredit\b/.test(name) && !/date/.test(name));
  const amount = find(
    (name) => /\b(montant|amount|somme|valeur en euros?)\b/.test(name) && !/\b(debit|credit)\b/.test(name),
  );
  const hasPair = debit >= 0 && credit >= 0;
  if (!hasPair && amount < 0) return null;
  const counterparty = find((name) => /(counterparty|contrepartie|\btiers\b|beneficiaire|emetteur|donneur)/.test(name));
  const label = names.flatMap((name, index) =>
    /(libelle|label|description|wording|intitule|designation|detail|operation$|^operation\b)/.test(name) &&
    !/\b(date|type|montant|amount)\b/.test(name)
      ? [index]
      : [],
  );
  const reference = find((name) => /^(ref|reference|references|motif|communication|remittance information)\b/.test(name));
  return {
    date,
    label,
    amount: hasPair ? null : amount,
    debit: hasPair ? debit : null,
    credit: hasPair ? credit : null,
    reference: reference >= 0 ? reference : null,
    counterparty: counterparty >= 0 ? counterparty : null,
    currency: nonNegative(find((name) => /^(devise|currency|monnaie)$/.test(name))),
    status: nonNegative(find((name) => /^(status|statut|etat)$/.test(name))),
  };
}

function nonNegative(index: number): number | null {
  return index >= 0 ? index : null;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/**
 * `dd/mm/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`, `dd/mm/yy` (20yy), `yyyy-mm-dd`, optionally
 * followed by a time (`2026-03-02 09:14:11`, `2026-03-02T09:14:11Z`): the date part is kept
 * as the bank wrote it. Null when not a calendar date.
 */
export function parseStatementDate(text: string): IsoDate | null {
  const value = text.trim();
  let match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  let iso: string | null = null;
  if (match) iso = `${match[1]}-${match[2]}-${match[3]}`;
  match = iso === null ? /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?: \d{2}:\d{2}(?::\d{2})?)?$/.exec(value) : null;
  if (match) {
    const year = match[3]!.length === 2 ? `20${match[3]}` : match[3]!;
    iso = `${year}-${match[2]!.padStart(2, '0')}-${match[1]!.padStart(2, '0')}`;
  }
  return iso !== null && isIsoDate(iso) ? iso : null;
}

/**
 * An amount as banks write it, to integer cents, exactly: `1 200,00`, `1.200,00`, `1,200.00`,
 * `1200.5`, `-59,99`, `59,99-`, `(59,99)`, `+1 022,86 €`. The decimal separator is the last
 * `,` or `.` when 1 or 2 digits follow it; one followed by exactly 3 digits is a thousands
 * separator (statements always carry cents, so `1.200` is twelve hundred). Null when unreadable.
 */
export function parseStatementAmount(text: string): number | null {
  let value = text
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .replace(/€|EUR/gi, '')
    .trim();
  if (value === '') return null;
  let negative = false;
  if (/^\(.*\)$/.test(value)) {
    negative = true;
    value = value.slice(1, -1).trim();
  }
  if (/^[-\u2212]/.test(value)) {
    negative = !negative;
    value = value.slice(1).trim();
  } else if (/[-\u2212]$/.test(value)) {
    negative = !negative;
    value = value.slice(0, -1).trim();
  } else if (value.startsWith('+')) {
    value = value.slice(1).trim();
  }
  if (!/^[\d.,' ]+$/.test(value) || !/\d/.test(value)) return null;
  let integer = value;
  let fraction = '';
  const last = Math.max(value.lastIndexOf(','), value.lastIndexOf('.'));
  if (last >= 0) {
    const after = value.slice(last + 1);
    if (/^\d{1,2}$/.test(after)) {
      integer = value.slice(0, last);
      fraction = after;
    } else if (!/^\d{3}$/.test(after)) {
      return null;
    }
  }
  // What remains before the decimals may only be digit groups of 3 behind a separator.
  if (!/^\d{1,3}([.,' ]\d{3})*$/.test(integer) && !/^\d+$/.test(integer)) return null;
  const digits = integer.replace(/[.,' ]/g, '');
  const cents = Number(digits) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return null;
  return negative ? -cents : cents;
}

// ---------------------------------------------------------------------------------------------
// Parsing a statement
// ---------------------------------------------------------------------------------------------

export interface StatementLine {
  /** 1-based line in the file where the operation starts. */
  line: number;
  date: IsoDate;
  /** Credited amount, integer cents, > 0. */
  amountCents: number;
  /** The bank's label(s), whitespace collapsed. */
  label: string;
  reference: string | null;
  counterparty: string | null;
  /**
   * Stable identity of the operation: the same statement exported again (or re-encoded, or
   * overlapping the previous export) gives the same fingerprints. Identical operations on one
   * day (two transfers of the same amount from the same client) are told apart by their rank.
   */
  fingerprint: string;
}

export type StatementLineErrorReason =
  | 'bad_date'
  | 'bad_amount'
  | 'missing_amount'
  | 'debit_and_credit'
  | 'not_euro';

export interface StatementLineError {
  line: number;
  reason: StatementLineErrorReason;
  message: string;
  raw: string;
}

export interface SkippedLine {
  line: number;
  reason: 'debit' | 'zero' | 'not_settled' | 'summary';
}

export interface ParsedStatement {
  encoding: StatementEncoding;
  separator: string;
  /** 1-based line of the header row. */
  headerLine: number;
  header: string[];
  columns: ColumnMapping;
  lines: StatementLine[];
  errors: StatementLineError[];
  skipped: SkippedLine[];
}

export class StatementFormatError extends Error {
  override readonly name = 'StatementFormatError';
}

const SEPARATORS = [';', ',', '\t'] as const;

/**
 * R-PAYMENT: the credit lines of a bank statement export. Throws `StatementFormatError` only
 * when no header row can be found at all (not a statement, or an unknown layout: pass
 * `columns`); a bad line never aborts the import, it is listed in `errors`.
 */
export function parseBankStatement(
  input: Uint8Array | string,
  options: {
    /** Force the separator instead of detecting it. */
    separator?: string;
    /** For a layout without a header row: the columns, and the first line holding operations. */
    columns?: ColumnMapping;
    firstDataLine?: number;
  } = {},
): ParsedStatement {
  const decoded = typeof input === 'string' ? { text: input, encoding: 'utf-8' as const } : decodeStatement(input);
  const text = decoded.text.replace(/^\ufeff/, '');

  let best: { separator: string; records: CsvRecord[]; headerIndex: number; columns: ColumnMapping } | null = null;
  for (const separator of options.separator !== undefined ? [options.separator] : SEPARATORS) {
    const records = readCsv(text, separator);
    if (options.columns !== undefined) {
      // No header: everything from firstDataLine on is an operation.
      const firstData = records.findIndex((record) => record.line >= (options.firstDataLine ?? 1));
      best = { separator, records, headerIndex: (firstData < 0 ? records.length : firstData) - 1, columns: options.columns };
      break;
    }
    // The header is the first row naming a date column and amount column(s); the separator
    // that gives it the most cells wins (a `;` file read with `,` has one-cell rows).
    for (let index = 0; index < Math.min(records.length, 40); index += 1) {
      const cells = records[index]!.cells;
      if (cells.filter((cell) => cell.trim() !== '').length < 2) continue;
      const columns = detectColumns(cells);
      if (columns === null) continue;
      if (best === null || cells.length > best.records[best.headerIndex]!.cells.length) {
        best = { separator, records, headerIndex: index, columns };
      }
      break;
    }
  }
  if (best === null) {
    throw new StatementFormatError(
      'no header row found: expected a date column and either an amount column or debit and credit columns',
    );
  }

  const { records, headerIndex, columns, separator } = best;
  const lines: Omit<StatementLine, 'fingerprint'>[] = [];
  const errors: StatementLineError[] = [];
  const skipped: SkippedLine[] = [];
  for (const record of records.slice(headerIndex + 1)) {
    const cell = (index: number | null) => (index === null ? '' : (record.cells[index] ?? '').trim());
    if (record.cells.every((value) => value.trim() === '')) continue;
    // Without a label column (Qonto), the counterparty and the reference are the label.
    const labelColumns =
      columns.label.length > 0 ? columns.label : [columns.counterparty, columns.reference].flatMap((i) => (i === null ? [] : [i]));
    const label = labelColumns
      .map((index) => cell(index))
      .filter((value) => value !== '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const rawDate = cell(columns.date);
    const date = parseStatementDate(rawDate);
    if (date === null) {
      // Balance and total rows at the end of an export carry no date: not operations.
      if (/^(solde|total|sous-total|nouveau solde|ancien solde)/i.test(rawDate || label || record.cells.join(' ').trim())) {
        skipped.push({ line: record.line, reason: 'summary' });
      } else {
        errors.push(lineError(record, 'bad_date', `not a date: "${rawDate}"`));
      }
      continue;
    }
    const currency = cell(columns.currency);
    if (currency !== '' && currency.toUpperCase() !== 'EUR') {
      errors.push(lineError(record, 'not_euro', `amount in ${currency}, not EUR`));
      continue;
    }
    let amount: number;
    if (columns.amount !== null) {
      const rawAmount = cell(columns.amount);
      if (rawAmount === '') {
        errors.push(lineError(record, 'missing_amount', 'no amount'));
        continue;
      }
      const parsed = parseStatementAmount(rawAmount);
      if (parsed === null) {
        errors.push(lineError(record, 'bad_amount', `not an amount: "${rawAmount}"`));
        continue;
      }
      amount = parsed;
    } else {
      const rawDebit = cell(columns.debit);
      const rawCredit = cell(columns.credit);
      const debit = rawDebit === '' ? 0 : parseStatementAmount(rawDebit);
      const credit = rawCredit === '' ? 0 : parseStatementAmount(rawCredit);
      if (debit === null || credit === null) {
        const bad = debit === null ? rawDebit : rawCredit;
        errors.push(lineError(record, 'bad_amount', `not an amount: "${bad}"`));
        continue;
      }
      if (rawDebit === '' && rawCredit === '') {
        errors.push(lineError(record, 'missing_amount', 'neither a debit nor a credit'));
        continue;
      }
      if (debit !== 0 && credit !== 0) {
        errors.push(lineError(record, 'debit_and_credit', 'both a debit and a credit on one line'));
        continue;
      }
      // Some banks sign their debit column, some do not: a debit is a debit either way.
      amount = credit !== 0 ? Math.abs(credit) : -Math.abs(debit);
    }
    const status = cell(columns.status);
    if (status !== '' && /(declin|refus|reject|rejet|annul|cancel|pending|en cours|attente)/i.test(status)) {
      skipped.push({ line: record.line, reason: 'not_settled' });
      continue;
    }
    if (amount < 0) {
      skipped.push({ line: record.line, reason: 'debit' });
      continue;
    }
    if (amount === 0) {
      skipped.push({ line: record.line, reason: 'zero' });
      continue;
    }
    const reference = cell(columns.reference).replace(/\s+/g, ' ');
    const counterparty = cell(columns.counterparty).replace(/\s+/g, ' ');
    lines.push({
      line: record.line,
      date,
      amountCents: amount,
      label,
      reference: reference === '' ? null : reference,
      counterparty: counterparty === '' ? null : counterparty,
    });
  }

  return {
    encoding: decoded.encoding,
    separator,
    headerLine: headerIndex >= 0 ? records[headerIndex]!.line : 0,
    header: headerIndex >= 0 ? records[headerIndex]!.cells.map((value) => value.trim()) : [],
    columns,
    lines: withFingerprints(lines),
    errors,
    skipped,
  };
}

function lineError(record: CsvRecord, reason: StatementLineErrorReason, message: string): StatementLineError {
  return { line: record.line, reason, message, raw: record.raw };
}

/** Upper case, no accents, only letters and digits separated by single spaces. */
function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

function withFingerprints(lines: Omit<StatementLine, 'fingerprint'>[]): StatementLine[] {
  const seen = new Map<string, number>();
  return lines.map((line) => {
    const identity = [
      'v1',
      line.date,
      String(line.amountCents),
      foldText(line.label),
      foldText(line.reference ?? ''),
      foldText(line.counterparty ?? ''),
    ].join('|');
    const rank = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, rank);
    const fingerprint = createHash('sha256').update(`${identity}|${rank}`).digest('hex').slice(0, 32);
    return { ...line, fingerprint };
  });
}

/**
 * Splits freshly parsed lines into those never imported and those already known (by
 * fingerprint): importing a statement twice, or two overlapping exports, adds nothing twice.
 */
export function partitionNewLines(
  lines: readonly StatementLine[],
  knownFingerprints: ReadonlySet<string>,
): { fresh: StatementLine[]; alreadyImported: StatementLine[] } {
  const fresh: StatementLine[] = [];
  const alreadyImported: StatementLine[] = [];
  for (const line of lines) (knownFingerprints.has(line.fingerprint) ? alreadyImported : fresh).push(line);
  return { fresh, alreadyImported };
}

// ---------------------------------------------------------------------------------------------
// Matching payments to invoices
// ---------------------------------------------------------------------------------------------

export interface OpenInvoice {
  id: string;
  /** e.g. `FA-2026-000123`. */
  number: string;
  clientName: string;
  /** Amount still due, TTC, integer cents. */
  outstandingCents: number;
  /**
   * R-PAYMENT: what settles the invoice when paid within 8 days of issue (1% off the HT, VAT
   * base reduced accordingly), computed by the invoicing rules; null when no discount applies
   * (already partly paid, or a credit note).
   */
  discountedOutstandingCents?: number | null;
  /** Last day a payment earns the discount (issue date + 8 calendar days). */
  discountDeadline?: IsoDate | null;
}

export type AllocationOutcome = 'full' | 'partial' | 'over';

export interface Allocation {
  invoiceId: string;
  invoiceNumber: string;
  /** Cents applied to this invoice. */
  amountCents: number;
  outcome: AllocationOutcome;
  /** Still due on the invoice after this payment. */
  remainingCents: number;
  /** Early-payment discount granted by this payment (R-PAYMENT), 0 when none. */
  discountCents: number;
}

export interface MatchedPayment {
  line: StatementLine;
  method: 'invoice_number' | 'amount_and_name';
  allocations: Allocation[];
  /** Received beyond what the matched invoices owed: to refund or keep as credit (manual). */
  overpaymentCents: number;
}

export interface UnmatchedPayment {
  line: StatementLine;
  /**
   * `invoice_not_open`: the label names invoices, none of them still open (paid twice? a typo?);
   * `ambiguous`: several open invoices of that client for that amount;
   * `no_invoice_reference`: no number, and no single invoice of that amount and client.
   */
  reason: 'no_invoice_reference' | 'invoice_not_open' | 'ambiguous';
  /** Invoice numbers read in the label, canonical form. */
  mentionedNumbers: string[];
  /** Open invoices an operator would look at first (same amount, or same client). */
  candidateInvoiceIds: string[];
}

export interface InvoiceSettlement {
  invoiceId: string;
  paidCents: number;
  discountCents: number;
  remainingCents: number;
  status: 'paid' | 'partially_paid' | 'open';
}

export interface MatchReport {
  matched: MatchedPayment[];
  unmatched: UnmatchedPayment[];
  invoices: InvoiceSettlement[];
}

export interface InvoiceNumberPattern {
  /** Letters before the year, e.g. `FA` for `FA-2026-000123`. */
  prefixes: readonly string[];
  /** Digits of the sequence in the canonical form. */
  sequenceDigits: number;
}

export const DEFAULT_INVOICE_PATTERN: InvoiceNumberPattern = { prefixes: ['FA'], sequenceDigits: 6 };

/**
 * Invoice numbers written in a bank label however the payer typed them: `FA-2026-000123`,
 * `FA 2026 000123`, `FA2026000123`, `fa-2026-123`, `FA/2026/000123`, answered canonical
 * (`FA-2026-000123`). The number must stand alone: no letter or digit glued before the prefix,
 * no digit after the sequence.
 */
export function extractInvoiceNumbers(text: string, pattern: InvoiceNumberPattern = DEFAULT_INVOICE_PATTERN): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
  const prefixes = pattern.prefixes.map((prefix) => prefix.toUpperCase().replace(/[^A-Z0-9]/g, '')).join('|');
  const regex = new RegExp(
    `(?<![A-Z0-9])(${prefixes})[\\s\\-_/.:#]{0,3}(20\\d{2})[\\s\\-_/.]{0,3}(\\d{1,${pattern.sequenceDigits}})(?!\\d)`,
    'g',
  );
  const found: string[] = [];
  for (const match of folded.matchAll(regex)) {
    const canonical = `${match[1]}-${match[2]}-${match[3]!.padStart(pattern.sequenceDigits, '0')}`;
    if (!found.includes(canonical)) found.push(canonical);
  }
  return found;
}

/** Legal forms and small words that say nothing about who the client is. */
const NAME_NOISE = new Set([
  'SAS',
  'SASU',
  'SARL',
  'EURL',
  'SA',
  'SCI',
  'SNC',
  'SCOP',
  'SCM',
  'SELARL',
  'EI',
  'EIRL',
  'GMBH',
  'AG',
  'LTD',
  'LIMITED',
  'INC',
  'BV',
  'NV',
  'SRL',
  'SPA',
  'SL',
  'ET',
  'DE',
  'DU',
  'DES',
  'LA',
  'LE',
  'LES',
  'L',
  'D',
  'ETS',
  'STE',
  'SOC',
  'SOCIETE',
]);

/**
 * Does the bank label name this client? Every meaningful word of the client's name must appear
 * in the label (accents, case, punctuation and legal forms ignored), a word cut short by the
 * bank's label length (≥ 5 letters kept) counting; or the whole name glued together.
 */
export function labelNamesClient(label: string, clientName: string): boolean {
  const words = foldText(clientName)
    .split(' ')
    .filter((word) => word.length > 0 && !NAME_NOISE.has(word));
  if (words.length === 0) return false;
  const foldedLabel = foldText(label);
  const labelWords = foldedLabel.split(' ');
  const allPresent = words.every((word) =>
    labelWords.some((candidate) => candidate === word || (candidate.length >= 5 && word.startsWith(candidate))),
  );
  return allPresent || foldedLabel.replace(/ /g, '').includes(words.join(''));
}

/**
 * R-PAYMENT: matches statement credits to open invoices. First by the invoice numbers read in
 * the label or reference (one transfer may pay several invoices: allocated in the order they
 * are written); failing that, by exact amount and client name when exactly one open invoice
 * fits. Lines are taken in date order so successive partial payments reduce what remains.
 * A payment equal to the discounted amount within the discount deadline settles the invoice
 * (1% early-payment discount). Everything else is left for manual matching with the
 * candidates an operator should look at.
 */
export function matchPayments(
  lines: readonly StatementLine[],
  openInvoices: readonly OpenInvoice[],
  options: { pattern?: InvoiceNumberPattern } = {},
): MatchReport {
  const pattern = options.pattern ?? DEFAULT_INVOICE_PATTERN;
  const remaining = new Map<string, number>();
  const paid = new Map<string, number>();
  const discounts = new Map<string, number>();
  const byNumber = new Map<string, OpenInvoice>();
  const unparsed: OpenInvoice[] = [];
  for (const invoice of openInvoices) {
    remaining.set(invoice.id, invoice.outstandingCents);
    paid.set(invoice.id, 0);
    discounts.set(invoice.id, 0);
    const canonical = extractInvoiceNumbers(invoice.number, pattern)[0];
    if (canonical !== undefined) byNumber.set(canonical, invoice);
    else unparsed.push(invoice);
  }

  const matched: MatchedPayment[] = [];
  const unmatched: UnmatchedPayment[] = [];
  const ordered = [...lines].sort((a, b) => compareDates(a.date, b.date) || a.line - b.line);

  for (const line of ordered) {
    const text = [line.label, line.reference ?? '', line.counterparty ?? ''].join(' ');
    const mentioned = extractInvoiceNumbers(text, pattern);
    const referenced = mentioned.flatMap((number) => {
      const invoice = byNumber.get(number);
      return invoice ? [invoice] : [];
    });
    // Numbers in a format of their own (older series): the compact number inside the compact label.
    const compactText = text.toUpperCase().replace(/[^A-Z0-9]/g, '');
    for (const invoice of unparsed) {
      const compactNumber = invoice.number.toUpperCase().replace(/[^A-Z0-9]/g, '');
      if (compactNumber.length >= 4 && compactText.includes(compactNumber)) referenced.push(invoice);
    }
    const open = referenced.filter((invoice) => remaining.get(invoice.id)! > 0);
    if (open.length > 0) {
      matched.push(allocate(line, open, 'invoice_number'));
      continue;
    }

    const stillOpen = openInvoices.filter((invoice) => remaining.get(invoice.id)! > 0);
    const sameAmount = stillOpen.filter((invoice) => settlesExactly(invoice, line));
    const sameClient = stillOpen.filter((invoice) =>
      labelNamesClient(`${line.label} ${line.counterparty ?? ''}`, invoice.clientName),
    );
    const both = sameAmount.filter((invoice) => sameClient.includes(invoice));
    if (both.length === 1) {
      matched.push(allocate(line, both, 'amount_and_name'));
      continue;
    }
    const candidates = both.length > 1 ? both : [...new Set([...sameAmount, ...sameClient])];
    unmatched.push({
      line,
      reason: both.length > 1 ? 'ambiguous' : mentioned.length > 0 || referenced.length > 0 ? 'invoice_not_open' : 'no_invoice_reference',
      mentionedNumbers: mentioned,
      candidateInvoiceIds: candidates.map((invoice) => invoice.id),
    });
  }

  return {
    matched,
    unmatched,
    invoices: openInvoices.map((invoice) => {
      const left = remaining.get(invoice.id)!;
      const paidCents = paid.get(invoice.id)!;
      return {
        invoiceId: invoice.id,
        paidCents,
        discountCents: discounts.get(invoice.id)!,
        remainingCents: left,
        status: left === 0 ? 'paid' : paidCents > 0 ? 'partially_paid' : 'open',
      };
    }),
  };

  /** What settles the invoice now: the discounted amount within the deadline, else what remains. */
  function dueNow(invoice: OpenInvoice, on: IsoDate): { cents: number; discount: number } {
    const left = remaining.get(invoice.id)!;
    const discounted = invoice.discountedOutstandingCents;
    const eligible =
      discounted != null &&
      invoice.discountDeadline != null &&
      compareDates(on, invoice.discountDeadline) <= 0 &&
      paid.get(invoice.id) === 0 &&
      left === invoice.outstandingCents &&
      discounted < left;
    return eligible ? { cents: discounted, discount: left - discounted } : { cents: left, discount: 0 };
  }

  function settlesExactly(invoice: OpenInvoice, line: StatementLine): boolean {
    return line.amountCents === remaining.get(invoice.id) || line.amountCents === dueNow(invoice, line.date).cents;
  }

  function allocate(line: StatementLine, invoices: OpenInvoice[], method: MatchedPayment['method']): MatchedPayment {
    const withDiscount = invoices.map((invoice) => dueNow(invoice, line.date));
    const discountedTotal = withDiscount.reduce((sum, due) => sum + due.cents, 0);
    const useDiscount = withDiscount.some((due) => due.discount > 0) && line.amountCents === discountedTotal;
    let left = line.amountCents;
    const allocations: Allocation[] = invoices.map((invoice, index) => {
      const owed = remaining.get(invoice.id)!;
      const discount = useDiscount ? withDiscount[index]!.discount : 0;
      const settles = owed - discount;
      const last = index === invoices.length - 1;
      const applied = Math.min(left, settles);
      left -= applied;
      const outcome: AllocationOutcome =
        applied < settles ? 'partial' : last && left > 0 ? 'over' : 'full';
      const stillDue = applied === settles ? 0 : owed - applied;
      remaining.set(invoice.id, stillDue);
      paid.set(invoice.id, paid.get(invoice.id)! + applied);
      if (applied === settles) discounts.set(invoice.id, discounts.get(invoice.id)! + discount);
      return {
        invoiceId: invoice.id,
        invoiceNumber: invoice.number,
        amountCents: applied,
        outcome,
        remainingCents: stillDue,
        discountCents: applied === settles ? discount : 0,
      };
    });
    return { line, method, allocations, overpaymentCents: left };
  }
}
