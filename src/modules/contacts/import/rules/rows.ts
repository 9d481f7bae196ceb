import { type AttributeDefinition, type NormalisedContact, normaliseContactInput } from '../../rules.ts';
import { type CompiledMapping, rowToContactInput } from './mapping.ts';

/**
 * One row of the file → a contact to upsert, or the reasons it is refused. Nothing is dropped
 * silently: a row is imported (maybe with remarks: `warning`) or reported (`error`) with its line,
 * a stable reason code, the column concerned and the raw text.
 */

export type IssueSeverity = 'error' | 'warning';

export interface ImportIssue {
  line: number;
  reason: string;
  severity: IssueSeverity;
  /** The file's column concerned (as the user named it), when one is. */
  field: string | null;
  message: string | null;
  raw: string | null;
}

export type RowOutcome = { ok: true; contact: NormalisedContact; remarks: ImportIssue[] } | { ok: false; issues: ImportIssue[] };

export interface RowContext {
  mapping: CompiledMapping;
  /** Column names, by position. */
  columns: readonly string[];
  definitions: ReadonlyMap<string, AttributeDefinition>;
  defaultRegion?: string;
}

export interface SourceRecord {
  line: number;
  cells: string[];
  raw: string;
  repaired?: ReadonlyArray<'encoding' | 'delimiter'>;
}

/** Problem path of normaliseContactInput (`/phone`, `/attributes/tier`) → the column that fed it. */
function columnOf(path: string, context: RowContext): string | null {
  const [, first, second] = path.split('/');
  if (!first) return null;
  if (first === 'attributes' && second) {
    const entry = context.mapping.attributes.find((a) => a.key === second);
    return entry ? (context.columns[entry.index] ?? null) : null;
  }
  if (first === 'tags') {
    const index = context.mapping.tags[0];
    return index === undefined ? null : (context.columns[index] ?? null);
  }
  const field = context.mapping.fields.find((f) => f.target === first);
  return field ? (context.columns[field.index] ?? null) : null;
}

export function evaluateRow(record: SourceRecord, context: RowContext): RowOutcome {
  const { line, raw } = record;
  let cells = record.cells;
  const expected = context.columns.length;
  if (cells.length !== expected) {
    const extra = cells.slice(expected);
    // A row shorter than the header is padded (trailing empty cells are often left out); a row
    // of one cell in a file of several columns, or with more non-empty cells, is not this file's shape.
    const tooMany = extra.some((cell) => cell.trim() !== '');
    if (tooMany || (cells.length === 1 && expected > 1)) {
      return {
        ok: false,
        issues: [{ line, reason: 'column_count', severity: 'error', field: null, message: `${cells.length} column(s) where the header has ${expected} (wrong separator or a separator inside unquoted text?)`, raw }],
      };
    }
    cells = cells.length > expected ? cells.slice(0, expected) : [...cells, ...new Array<string>(expected - cells.length).fill('')];
  }
  const input = rowToContactInput(cells, context.mapping);
  const result = normaliseContactInput(input, { mode: 'create', definitions: context.definitions, ...(context.defaultRegion ? { defaultRegion: context.defaultRegion } : {}) });
  if (!result.ok) {
    return {
      ok: false,
      issues: result.problems.map((problem) => ({ line, reason: problem.code, severity: 'error', field: columnOf(problem.path, context), message: problem.message, raw })),
    };
  }
  const remarks: ImportIssue[] = [];
  for (const repair of record.repaired ?? []) {
    remarks.push(
      repair === 'encoding'
        ? { line, reason: 'encoding_repaired', severity: 'warning', field: null, message: 'this line is not valid UTF-8: read as Windows-1252', raw }
        : { line, reason: 'delimiter_repaired', severity: 'warning', field: null, message: 'this line uses another separator than the file: split with it', raw },
    );
  }
  if (result.warnings.length > 0) remarks.push({ line, reason: 'contact_warning', severity: 'warning', field: null, message: result.warnings.join('; '), raw });
  return { ok: true, contact: result.contact, remarks };
}

/**
 * Splits a batch for the fast path: `fresh` rows share no phone, email or external id with any
 * earlier row of the batch (each may be inserted on its own, in any order); `repeated` rows do,
 * and must be merged after the rows they repeat, in file order (upsertContacts). Inserting the
 * fresh rows first and then the repeated ones in order gives the same contacts as taking every
 * row one after another.
 */
export function partitionByKeys(contacts: ReadonlyArray<Pick<NormalisedContact, 'phone' | 'email' | 'externalId'>>): { fresh: number[]; repeated: number[] } {
  const seen = new Set<string>();
  const fresh: number[] = [];
  const repeated: number[] = [];
  contacts.forEach((contact, index) => {
    const keys: string[] = [];
    if (contact.phone) keys.push(`p:${contact.phone}`);
    if (contact.email) keys.push(`e:${contact.email}`);
    if (contact.externalId) keys.push(`x:${contact.externalId}`);
    if (keys.some((key) => seen.has(key))) repeated.push(index);
    else fresh.push(index);
    for (const key of keys) seen.add(key);
  });
  return { fresh, repeated };
}
