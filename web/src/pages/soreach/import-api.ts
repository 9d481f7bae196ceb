// The /v1/contacts/imports client of the console (SoReach imports, issue 4).
import { download, request, upload } from '../../api';

export type ImportStatus = 'uploading' | 'uploaded' | 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type MergePolicy = 'skip' | 'update' | 'overwrite';
export const IMPORT_TARGETS = ['ignore', 'phone', 'email', 'firstName', 'lastName', 'language', 'tag', 'pointOfSale', 'externalId'] as const;
export const IMPORT_SOURCES = ['form', 'in_store', 'console', 'api', 'import'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface ContactImport {
  id: string;
  status: ImportStatus;
  filename: string;
  format: 'csv' | 'xlsx';
  sizeBytes: number;
  encoding: string | null;
  delimiter: string | null;
  hasHeader: boolean;
  columns: string[];
  preview: string[][];
  suggestedMapping: Record<string, string>;
  mapping: Record<string, string> | null;
  mergePolicy: MergePolicy | null;
  consent: { channels?: string[]; status?: string; source?: string; proof?: { text?: string; reference?: string } } | null;
  counters: { estimatedRows: number | null; processed: number; inserted: number; updated: number; skipped: number; failed: number; warnings: number };
  progress: { percent: number; rowsPerSecond: number | null; etaSeconds: number | null };
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ImportConfiguration {
  mapping?: Record<string, string>;
  mergePolicy?: MergePolicy;
  consent?: { channels: string[]; status: string; source?: string; proof?: { text?: string; reference?: string } };
  encoding?: 'utf-8' | 'windows-1252';
  delimiter?: ';' | ',' | '\t' | '|';
  hasHeader?: boolean;
}

const id = encodeURIComponent;

/** The MIME type sent with the raw file (the server detects the format from the bytes anyway). */
function contentTypeOf(file: File): string {
  return /\.xlsx$/i.test(file.name) ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
}

export const importsApi = {
  list: (cursor: string | null) => request<{ data: ContactImport[]; nextCursor: string | null }>('GET', '/v1/contacts/imports', { query: { limit: 20, cursor: cursor ?? undefined } }),
  get: (importId: string) => request<ContactImport>('GET', `/v1/contacts/imports/${id(importId)}`),
  /** The file goes as the raw body, streamed by the browser: nothing is read into memory here. */
  upload: (file: File) => upload<ContactImport>('/v1/contacts/imports', file, contentTypeOf(file), { filename: file.name }),
  configure: (importId: string, body: ImportConfiguration) => request<ContactImport>('PUT', `/v1/contacts/imports/${id(importId)}`, { body }),
  start: (importId: string) => request<ContactImport>('POST', `/v1/contacts/imports/${id(importId)}/start`),
  cancel: (importId: string) => request<ContactImport>('POST', `/v1/contacts/imports/${id(importId)}/cancel`),
  errors: (importId: string) => download(`/v1/contacts/imports/${id(importId)}/errors.csv`, 'import-errors.csv'),
};
