import { Readable } from 'node:stream';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Database, Tx } from '../../../platform/db/database.ts';
import { withTenant } from '../../../platform/db/tenant-context.ts';
import { AppError, type FieldError, notFound } from '../../../platform/errors.ts';
import type { ServiceContext } from '../../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../../platform/http/pagination.ts';
import { uuidv7 } from '../../../platform/ids.ts';
import { authorize, tenantOf } from '../../identity/index.ts';
import { listAttributeDefinitions } from '../repo.ts';
import type { ImportQueue } from './queue.ts';
import { CHUNK_SIZE, deleteChunks, deleteImport, findImport, type ImportRow, insertChunk, insertImport, issuesPage, listImports, readChunk, updateImport } from './repo.ts';
import {
  checkpointOf,
  detectFormat,
  type FileShape,
  type ImportDelimiter,
  type ImportEncoding,
  type ImportMapping,
  importConsentConfig,
  importProgress,
  mappingProblems,
  PREVIEW_ROWS,
  shapeOfCsv,
  shapeOfRows,
  suggestMapping,
} from './rules.ts';
import type { ConfigureImportRequest } from './schemas.ts';
import { csvCell, storedBytes } from './source.ts';
import { readXlsxRows } from './xlsx.ts';

export interface ImportViewData {
  id: string;
  status: string;
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
  mergePolicy: string | null;
  consent: Record<string, unknown> | null;
  counters: { estimatedRows: number | null; processed: number; inserted: number; updated: number; skipped: number; failed: number; warnings: number };
  progress: { percent: number; rowsPerSecond: number | null; etaSeconds: number | null };
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ImportServiceOptions {
  /** Largest file accepted (default 512 MiB: a 1,000,000-row CSV is about 100 MB). */
  maxBytes?: number;
}

/** Who may do what: contacts:write to import, contacts:read to follow an import and read its errors. */
export class ContactImportsService {
  readonly #maxBytes: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly queue: ImportQueue,
    options: ImportServiceOptions = {},
  ) {
    this.#maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  /**
   * Stores the file in 1 MiB chunks as it arrives (never whole in memory), then reads its first
   * rows back for the preview. Returns the import with its detected shape and suggested mapping.
   */
  async upload(ctx: ServiceContext, file: { filename: string; stream: AsyncIterable<Buffer | Uint8Array> }): Promise<ImportViewData> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const id = uuidv7(this.clock.now());
    const filename = file.filename.replace(/[\r\n"\\/]/g, '_').slice(0, 255) || 'contacts.csv';
    let created = false;
    let seq = 0;
    let size = 0;
    let lineFeeds = 0;
    let lastByte = -1;
    let first: Buffer | undefined;
    let format: 'csv' | 'xlsx' = 'csv';
    const parts: Buffer[] = [];
    let partsLength = 0;

    const store = async (chunk: Buffer) => {
      if (!created) {
        first = chunk;
        const verdict = detectFormat(chunk);
        if ('problem' in verdict) throw unsupported(verdict.problem);
        format = verdict.format;
        await withTenant(this.db, tenantId, (tx) => insertImport(tx, { tenantId, id, filename, format, createdBy: ctx.actor.label, createdAt: this.clock.now() }));
        created = true;
      }
      await withTenant(this.db, tenantId, (tx) => insertChunk(tx, tenantId, id, seq, chunk));
      seq++;
    };

    try {
      for await (const piece of file.stream) {
        const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        if (bytes.length === 0) continue;
        size += bytes.length;
        if (size > this.#maxBytes) throw new AppError('payload_too_large', `The file is larger than ${Math.round(this.#maxBytes / 1024 / 1024)} MiB`);
        for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lineFeeds++;
        lastByte = bytes[bytes.length - 1] as number;
        parts.push(bytes);
        partsLength += bytes.length;
        // Exactly CHUNK_SIZE bytes per stored chunk (a byte offset then names its chunk).
        while (partsLength >= CHUNK_SIZE) {
          const joined = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
          await store(joined.subarray(0, CHUNK_SIZE));
          const rest = joined.subarray(CHUNK_SIZE);
          parts.length = 0;
          if (rest.length > 0) parts.push(rest);
          partsLength = rest.length;
        }
      }
      if (partsLength > 0) await store(Buffer.concat(parts));
      if (!created) throw unsupported('empty_file');

      const shape = await this.#shape(tenantId, id, format, first as Buffer, seq === 1, {});
      const lines = lineFeeds + (lastByte === 0x0a ? 0 : 1);
      return await withTenant(this.db, tenantId, async (tx) => {
        await updateImport(tx, tenantId, id, {
          status: 'uploaded',
          sizeBytes: size,
          encoding: shape.encoding ?? null,
          delimiter: shape.delimiter ?? null,
          hasHeader: shape.hasHeader,
          columns: shape.columns,
          preview: shape.preview,
          totalRows: format === 'csv' ? Math.max(0, lines - (shape.hasHeader ? 1 : 0)) : null,
        });
        await recordAudit(tx, ctx, { tenantId, action: 'contact_import.uploaded', target: { type: 'contact_import', id }, summary: { filename, format, sizeBytes: size } });
        return this.#view(tx, tenantId, await this.#find(tx, tenantId, id));
      });
    } catch (error) {
      // Nothing half-uploaded stays behind.
      if (created) await withTenant(this.db, tenantId, (tx) => deleteImport(tx, tenantId, id)).catch(() => {});
      throw error;
    }
  }

  /** Columns and first rows, with the encoding, delimiter and header setting detected or chosen. */
  async #shape(
    tenantId: string,
    id: string,
    format: 'csv' | 'xlsx',
    first: Buffer,
    complete: boolean,
    chosen: { encoding?: ImportEncoding; delimiter?: ImportDelimiter; hasHeader?: boolean },
  ): Promise<FileShape & { encoding?: ImportEncoding; delimiter?: ImportDelimiter }> {
    if (format === 'csv') return shapeOfCsv(first, complete, chosen);
    const rows: string[][] = [];
    try {
      for await (const row of readXlsxRows(Readable.from(storedBytes(this.db, tenantId, id)))) {
        if (row.cells.every((cell) => cell.trim() === '')) continue;
        rows.push(row.cells);
        if (rows.length > PREVIEW_ROWS) break;
      }
    } catch (error) {
      throw new AppError('unsupported_import_file', `This XLSX file cannot be read: ${(error as Error).message}`, { extensions: { problem: 'unreadable_xlsx' } });
    }
    return shapeOfRows(rows, chosen.hasHeader);
  }

  async get(ctx: ServiceContext, id: string): Promise<ImportViewData> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => this.#view(tx, tenantId, await this.#find(tx, tenantId, id)));
  }

  async list(ctx: ServiceContext, query: { limit: number; cursor?: string | undefined }): Promise<{ data: ImportViewData[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const before = query.cursor ? decodeCursor<{ createdAt: string; id: string }>(query.cursor) : undefined;
    return withTenant(this.db, tenantId, async (tx) => {
      const rows = await listImports(tx, tenantId, { limit: query.limit + 1, ...(before ? { before } : {}) });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      const data: ImportViewData[] = [];
      for (const row of page) data.push(await this.#view(tx, tenantId, row, { light: true }));
      return { data, nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null };
    });
  }

  /**
   * Mapping, merge policy, consent and reading options; each member given replaces the stored
   * one. Changing the encoding, delimiter or header setting reads the preview again.
   */
  async configure(ctx: ServiceContext, id: string, request: ConfigureImportRequest): Promise<ImportViewData> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    let row = await withTenant(this.db, tenantId, (tx) => this.#find(tx, tenantId, id));
    if (row.status !== 'uploaded') throw new AppError('invalid_state', `This import is ${row.status}: it can be configured only before it starts`);
    if (request.consent !== undefined) {
      const consent = importConsentConfig(request.consent);
      if (!consent.ok) throw new AppError(consent.code, consent.message, { errors: [{ path: consent.path, message: consent.message }] });
    }
    const reshape =
      (request.encoding !== undefined && request.encoding !== row.encoding) ||
      (request.delimiter !== undefined && request.delimiter !== row.delimiter) ||
      (request.hasHeader !== undefined && request.hasHeader !== row.has_header);
    let shape: (FileShape & { encoding?: ImportEncoding; delimiter?: ImportDelimiter }) | undefined;
    if (reshape) {
      const first = await withTenant(this.db, tenantId, (tx) => readChunk(tx, tenantId, id, 0));
      const chosen = {
        ...(row.format === 'csv' ? { encoding: (request.encoding ?? row.encoding ?? 'utf-8') as ImportEncoding, delimiter: (request.delimiter ?? row.delimiter ?? ';') as ImportDelimiter } : {}),
        hasHeader: request.hasHeader ?? row.has_header,
      };
      shape = await this.#shape(tenantId, id, row.format, first ?? Buffer.alloc(0), row.size_bytes <= CHUNK_SIZE, chosen);
    }
    return withTenant(this.db, tenantId, async (tx) => {
      row = await this.#find(tx, tenantId, id, true);
      if (row.status !== 'uploaded') throw new AppError('invalid_state', `This import is ${row.status}: it can be configured only before it starts`);
      const columns = shape?.columns ?? row.columns ?? [];
      if (request.mapping !== undefined) await this.#checkMapping(tx, tenantId, request.mapping, columns);
      const consent = request.consent !== undefined ? importConsentConfig(request.consent) : undefined;
      await updateImport(tx, tenantId, id, {
        ...(shape
          ? {
              encoding: shape.encoding ?? row.encoding,
              delimiter: shape.delimiter ?? row.delimiter,
              hasHeader: shape.hasHeader,
              columns: shape.columns,
              preview: shape.preview,
              ...(row.total_rows !== null && shape.hasHeader !== row.has_header ? { totalRows: row.total_rows + (shape.hasHeader ? -1 : 1) } : {}),
            }
          : {}),
        ...(request.mapping !== undefined ? { mapping: request.mapping } : shape ? { mapping: null } : {}),
        ...(request.mergePolicy !== undefined ? { mergePolicy: request.mergePolicy } : {}),
        ...(consent?.ok ? { consent: consent.consent as unknown as Record<string, unknown> } : {}),
      });
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'contact_import.configured',
        target: { type: 'contact_import', id },
        summary: { mapping: request.mapping, mergePolicy: request.mergePolicy, consent: consent?.ok ? consent.consent : undefined, encoding: request.encoding, delimiter: request.delimiter, hasHeader: request.hasHeader },
      });
      return this.#view(tx, tenantId, await this.#find(tx, tenantId, id));
    });
  }

  async #checkMapping(tx: Tx, tenantId: string, mapping: Record<string, string>, columns: readonly string[]): Promise<void> {
    const definitions = await listAttributeDefinitions(tx, tenantId);
    const problems = mappingProblems(mapping as ImportMapping, columns, new Set(definitions.map((d) => d.key)));
    if (problems.length === 0) return;
    const errors: FieldError[] = problems.map((p) => ({ path: p.column === null ? '/mapping' : `/mapping/${p.column.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: p.message }));
    throw new AppError('invalid_import_mapping', problems.map((p) => p.message).join('; '), { errors });
  }

  /** Queues the import (a pg-boss job); refused without a usable mapping or without a consent source (R-CONSENT). */
  async start(ctx: ServiceContext, id: string): Promise<ImportViewData> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const view = await withTenant(this.db, tenantId, async (tx) => {
      const row = await this.#find(tx, tenantId, id, true);
      if (row.status !== 'uploaded') throw new AppError('invalid_state', `This import is ${row.status}: only an uploaded import can start`);
      const consent = importConsentConfig(row.consent as never);
      if (!consent.ok) throw new AppError(consent.code, consent.message, { errors: [{ path: consent.path, message: consent.message }] });
      if (!row.mapping) throw new AppError('invalid_import_mapping', 'Map the columns first (PUT with `mapping`)', { errors: [{ path: '/mapping', message: 'missing' }] });
      await this.#checkMapping(tx, tenantId, row.mapping, row.columns ?? []);
      await updateImport(tx, tenantId, id, { status: 'queued', mergePolicy: row.merge_policy ?? 'update', heartbeat: 'now' });
      await recordAudit(tx, ctx, { tenantId, action: 'contact_import.started', target: { type: 'contact_import', id }, summary: { filename: row.filename, mergePolicy: row.merge_policy ?? 'update' } });
      return this.#view(tx, tenantId, await this.#find(tx, tenantId, id));
    });
    // After the commit: a job lost here is found by the recovery job (queued, heartbeat stale).
    await this.queue.enqueue({ tenantId, importId: id });
    return view;
  }

  /** Stops the import at its next batch; contacts already imported stay. The stored file is deleted. */
  async cancel(ctx: ServiceContext, id: string): Promise<ImportViewData> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await this.#find(tx, tenantId, id, true);
      if (!['uploading', 'uploaded', 'queued', 'running'].includes(row.status)) throw new AppError('invalid_state', `This import is ${row.status}: there is nothing to cancel`);
      await updateImport(tx, tenantId, id, { status: 'cancelled', finishedAt: this.clock.now(), runId: null, heartbeat: null });
      await deleteChunks(tx, tenantId, id);
      await recordAudit(tx, ctx, { tenantId, action: 'contact_import.cancelled', target: { type: 'contact_import', id }, summary: { processed: row.processed_rows } });
      return this.#view(tx, tenantId, await this.#find(tx, tenantId, id));
    });
  }

  /**
   * The rows refused (and the remarks on rows imported) as CSV: `;`-separated UTF-8 with a BOM,
   * which Excel opens as is in French locales. Streamed page by page.
   */
  async errorsCsv(ctx: ServiceContext, id: string): Promise<{ filename: string; body: Readable }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const row = await withTenant(this.db, tenantId, (tx) => this.#find(tx, tenantId, id));
    const db = this.db;
    async function* lines(): AsyncGenerator<string> {
      yield '\ufeffline;severity;reason;column;message;raw\r\n';
      let after: { line: number; reason: string } | null = null;
      for (;;) {
        const page = await withTenant(db, tenantId, (tx) => issuesPage(tx, tenantId, id, after, 2000));
        if (page.length === 0) return;
        yield page.map((i) => [String(i.line), i.severity, i.reason, i.field ?? '', i.message ?? '', i.raw ?? ''].map(reportCell).join(';')).join('\r\n') + '\r\n';
        const last = page[page.length - 1] as (typeof page)[number];
        after = { line: last.line, reason: last.reason };
      }
    }
    const base = row.filename.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_').slice(0, 80) || 'import';
    return { filename: `${base}-errors.csv`, body: Readable.from(lines()) };
  }

  async #find(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<ImportRow> {
    const row = await findImport(tx, tenantId, id, { forUpdate });
    if (!row) throw notFound('Contact import');
    return row;
  }

  async #view(tx: Tx, tenantId: string, row: ImportRow, options: { light?: boolean } = {}): Promise<ImportViewData> {
    const columns = row.columns ?? [];
    let suggestedMapping: Record<string, string> = {};
    if (!options.light && row.status === 'uploaded') {
      const attributes = await listAttributeDefinitions(tx, tenantId);
      suggestedMapping = suggestMapping(columns, { hasHeader: row.has_header, sample: row.preview ?? [], attributes });
    }
    const checkpoint = checkpointOf(row.checkpoint);
    // CSV: the committed prefix; XLSX: how far the archive was read for the latest batch.
    const bytesDone = row.format === 'csv' ? checkpoint.pos : checkpoint.bytes;
    return {
      id: row.id,
      status: row.status,
      filename: row.filename,
      format: row.format,
      sizeBytes: row.size_bytes,
      encoding: row.encoding,
      delimiter: row.delimiter,
      hasHeader: row.has_header,
      columns,
      preview: options.light ? [] : (row.preview ?? []),
      suggestedMapping,
      mapping: row.mapping,
      mergePolicy: row.merge_policy,
      consent: row.consent,
      counters: { estimatedRows: row.total_rows, processed: row.processed_rows, inserted: row.inserted, updated: row.updated, skipped: row.skipped, failed: row.failed, warnings: row.warnings },
      progress: importProgress({ status: row.status, sizeBytes: row.size_bytes, bytesDone, processedRows: row.processed_rows, startedAt: row.started_at, finishedAt: row.finished_at, now: this.clock.now() }),
      error: row.error,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      startedAt: row.started_at?.toISOString() ?? null,
      finishedAt: row.finished_at?.toISOString() ?? null,
    };
  }
}

/**
 * A cell of the errors report: the file's own text, so a cell a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe, as in the contacts export.
 */
export function reportCell(value: string): string {
  return csvCell(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

const UNSUPPORTED: Record<string, string> = {
  empty_file: 'The file is empty',
  xls_not_supported: 'This is an old Excel file (.xls): save it as .xlsx or CSV',
  utf16_not_supported: 'This text file is UTF-16 ("Unicode text"): save it as CSV UTF-8',
  not_a_text_file: 'This file is neither CSV nor XLSX',
};

function unsupported(problem: string): AppError {
  return new AppError('unsupported_import_file', UNSUPPORTED[problem] ?? 'Unsupported file', { extensions: { problem } });
}
