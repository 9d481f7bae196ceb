import type { ColumnType, Transaction } from 'kysely';
import type { Tx } from '../../../platform/db/database.ts';
import type { DB } from '../../../platform/db/schema.ts';
import type { ContactTables } from '../db.ts';

/**
 * Row types of the import tables (migration 0011), kept by the import module like contacts/db.ts
 * keeps the contact tables; `importsTx` widens a transaction to see both.
 */

type Created = ColumnType<Date, Date | string | undefined, never>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
type Counter = ColumnType<number, number | undefined, number>;
type Stamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ImportStatus = 'uploading' | 'uploaded' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ContactImportsTable {
  tenant_id: string;
  id: string;
  status: ImportStatus;
  filename: string;
  format: 'csv' | 'xlsx';
  size_bytes: number;
  encoding: string | null;
  delimiter: string | null;
  has_header: ColumnType<boolean, boolean | undefined, boolean>;
  columns: NullableJson<string[]>;
  preview: NullableJson<string[][]>;
  mapping: NullableJson<Record<string, string>>;
  merge_policy: string | null;
  consent: NullableJson<Record<string, unknown>>;
  total_rows: number | null;
  processed_rows: Counter;
  inserted: Counter;
  updated: Counter;
  skipped: Counter;
  failed: Counter;
  warnings: Counter;
  checkpoint: NullableJson<Record<string, unknown>>;
  run_id: string | null;
  heartbeat_at: Stamp;
  attempts: Counter;
  error: string | null;
  created_by: string | null;
  created_at: Created;
  started_at: Stamp;
  finished_at: Stamp;
}

export interface ContactImportChunksTable {
  tenant_id: string;
  import_id: string;
  seq: number;
  data: Buffer;
}

export interface ContactImportErrorsTable {
  tenant_id: string;
  import_id: string;
  line: number;
  reason: string;
  severity: ColumnType<'error' | 'warning', 'error' | 'warning' | undefined, never>;
  field: string | null;
  message: string | null;
  raw: string | null;
}

export type ImportTables = ContactTables & {
  contact_imports: ContactImportsTable;
  contact_import_chunks: ContactImportChunksTable;
  contact_import_errors: ContactImportErrorsTable;
};

export type ITx = Transaction<DB & ImportTables>;

/** The same transaction, seeing the contact and import tables too. */
export const importsTx = (tx: Tx): ITx => tx.withTables<ImportTables>() as unknown as ITx;
