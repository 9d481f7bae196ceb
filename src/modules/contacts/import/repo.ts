import { type Selectable, sql } from 'kysely';
import type { Database, Tx } from '../../../platform/db/database.ts';
import { type ContactImportsTable, type ImportStatus, importsTx } from './db.ts';
import type { ConsentChannel, ContactFields } from '../rules.ts';
import type { ImportIssue } from './rules.ts';

/**
 * SQL of contact imports (migration 0011). Each function runs in the caller's transaction
 * (withTenant: RLS confines it to the tenant), except `importsToResume`, the one cross-tenant
 * question of the recovery job (a SECURITY DEFINER function).
 */

export type ImportRow = Selectable<ContactImportsTable>;

/** Size of a stored chunk: every chunk but the last has exactly this many bytes, so a byte offset gives its chunk. */
export const CHUNK_SIZE = 1024 * 1024;

export async function insertImport(
  tx: Tx,
  row: { tenantId: string; id: string; filename: string; format: 'csv' | 'xlsx'; createdBy: string; createdAt: Date },
): Promise<void> {
  await importsTx(tx)
    .insertInto('contact_imports')
    .values({ tenant_id: row.tenantId, id: row.id, status: 'uploading', filename: row.filename, format: row.format, size_bytes: 0, created_by: row.createdBy, created_at: row.createdAt })
    .execute();
}

export async function insertChunk(tx: Tx, tenantId: string, importId: string, seq: number, data: Buffer): Promise<void> {
  await importsTx(tx).insertInto('contact_import_chunks').values({ tenant_id: tenantId, import_id: importId, seq, data }).execute();
}

export async function readChunk(tx: Tx, tenantId: string, importId: string, seq: number): Promise<Buffer | undefined> {
  const row = await importsTx(tx)
    .selectFrom('contact_import_chunks')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('import_id', '=', importId)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row?.data;
}

export async function deleteChunks(tx: Tx, tenantId: string, importId: string): Promise<void> {
  await importsTx(tx).deleteFrom('contact_import_chunks').where('tenant_id', '=', tenantId).where('import_id', '=', importId).execute();
}

export async function deleteImport(tx: Tx, tenantId: string, id: string): Promise<void> {
  await importsTx(tx).deleteFrom('contact_imports').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

export async function findImport(tx: Tx, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ImportRow | undefined> {
  let query = importsTx(tx).selectFrom('contact_imports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listImports(tx: Tx, tenantId: string, options: { limit: number; before?: { createdAt: string; id: string } }): Promise<ImportRow[]> {
  let query = importsTx(tx).selectFrom('contact_imports').selectAll().where('tenant_id', '=', tenantId);
  if (options.before) {
    const { createdAt, id } = options.before;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export type ImportPatch = Partial<{
  status: ImportStatus;
  sizeBytes: number;
  encoding: string | null;
  delimiter: string | null;
  hasHeader: boolean;
  columns: string[] | null;
  preview: string[][] | null;
  mapping: Record<string, string> | null;
  mergePolicy: string | null;
  consent: Record<string, unknown> | null;
  totalRows: number | null;
  checkpoint: object | null;
  runId: string | null;
  heartbeat: Date | 'now' | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}>;

const json = (value: unknown) => (value === null ? null : JSON.stringify(value));

export async function updateImport(tx: Tx, tenantId: string, id: string, patch: ImportPatch): Promise<void> {
  const set: Record<string, unknown> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.sizeBytes !== undefined) set.size_bytes = patch.sizeBytes;
  if (patch.encoding !== undefined) set.encoding = patch.encoding;
  if (patch.delimiter !== undefined) set.delimiter = patch.delimiter;
  if (patch.hasHeader !== undefined) set.has_header = patch.hasHeader;
  if (patch.columns !== undefined) set.columns = json(patch.columns);
  if (patch.preview !== undefined) set.preview = json(patch.preview);
  if (patch.mapping !== undefined) set.mapping = json(patch.mapping);
  if (patch.mergePolicy !== undefined) set.merge_policy = patch.mergePolicy;
  if (patch.consent !== undefined) set.consent = json(patch.consent);
  if (patch.totalRows !== undefined) set.total_rows = patch.totalRows;
  if (patch.checkpoint !== undefined) set.checkpoint = json(patch.checkpoint);
  if (patch.runId !== undefined) set.run_id = patch.runId;
  if (patch.heartbeat !== undefined) set.heartbeat_at = patch.heartbeat === 'now' ? sql`now()` : patch.heartbeat;
  if (patch.error !== undefined) set.error = patch.error;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (Object.keys(set).length === 0) return;
  await importsTx(tx).updateTable('contact_imports').set(set).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/**
 * Takes the import for this run when it is queued, or running without a live worker (no lease,
 * or a heartbeat older than `staleSeconds`). Returns the row as taken, or why not.
 */
export async function claimImport(
  tx: Tx,
  tenantId: string,
  id: string,
  runId: string,
  staleSeconds: number,
  at: Date,
): Promise<{ row: ImportRow } | { refused: 'not_found' | 'finished' | 'busy' | 'not_started' }> {
  const { rows } = await sql<{ status: string; run_id: string | null; stale: boolean }>`
    select status, run_id, (heartbeat_at is null or heartbeat_at < now() - make_interval(secs => ${staleSeconds})) as stale
      from contact_imports where tenant_id = ${tenantId}::uuid and id = ${id}::uuid for update`.execute(tx);
  const current = rows[0];
  if (!current) return { refused: 'not_found' };
  if (['completed', 'failed', 'cancelled'].includes(current.status)) return { refused: 'finished' };
  if (current.status === 'uploading' || current.status === 'uploaded') return { refused: 'not_started' };
  if (current.status === 'running' && current.run_id !== null && !current.stale) return { refused: 'busy' };
  await sql`
    update contact_imports
       set status = 'running', run_id = ${runId}, heartbeat_at = now(), attempts = attempts + 1, started_at = coalesce(started_at, ${at}::timestamptz)
     where tenant_id = ${tenantId}::uuid and id = ${id}::uuid`.execute(tx);
  const row = await findImport(tx, tenantId, id);
  return row ? { row } : { refused: 'not_found' };
}

/** Locks the import for a batch commit; the status and lease holder as they are now. */
export async function lockImport(tx: Tx, tenantId: string, id: string): Promise<{ status: ImportStatus; runId: string | null; checkpoint: Record<string, unknown> | null } | undefined> {
  // FOR NO KEY UPDATE: the batch's error rows hold a KEY SHARE lock on this row (their foreign
  // key); FOR UPDATE would deadlock two batches committing at once.
  const row = await importsTx(tx).selectFrom('contact_imports').select(['status', 'run_id', 'checkpoint']).where('tenant_id', '=', tenantId).where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
  return row ? { status: row.status, runId: row.run_id, checkpoint: row.checkpoint } : undefined;
}

/** Marks the import completed (its row count final) and ends the lease; returns it. */
export async function completeImport(tx: Tx, tenantId: string, id: string, at: Date): Promise<ImportRow> {
  return importsTx(tx)
    .updateTable('contact_imports')
    .set((eb) => ({ status: 'completed', total_rows: eb.ref('processed_rows'), finished_at: at, run_id: null, heartbeat_at: null, error: null }))
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface BatchCounters {
  processed: number;
  inserted: number;
  updated: number;
  skipped: number;
  failed: number;
  warnings: number;
}

/** Adds a batch's counters and moves the checkpoint past it, in the batch's transaction. */
export async function recordBatch(tx: Tx, tenantId: string, id: string, counters: BatchCounters, checkpoint: object): Promise<void> {
  await sql`
    update contact_imports
       set processed_rows = processed_rows + ${counters.processed}, inserted = inserted + ${counters.inserted},
           updated = updated + ${counters.updated}, skipped = skipped + ${counters.skipped}, failed = failed + ${counters.failed},
           warnings = warnings + ${counters.warnings}, checkpoint = ${JSON.stringify(checkpoint)}::jsonb, heartbeat_at = now()
     where tenant_id = ${tenantId}::uuid and id = ${id}::uuid`.execute(tx);
}

/** Longest raw line kept in an error report. */
export const RAW_MAX = 2000;

export async function insertIssues(tx: Tx, tenantId: string, importId: string, issues: readonly ImportIssue[]): Promise<void> {
  if (issues.length === 0) return;
  const tuples = issues.map((i) => [i.line, i.reason, i.severity, i.field, i.message, i.raw === null ? null : i.raw.slice(0, RAW_MAX)]);
  // One statement for the batch; the same (line, reason) twice keeps the first.
  await sql`
    insert into contact_import_errors (tenant_id, import_id, line, reason, severity, field, message, raw)
    select ${tenantId}::uuid, ${importId}::uuid, (r->>0)::int, r->>1, r->>2, r->>3, r->>4, r->>5
      from jsonb_array_elements(${JSON.stringify(tuples)}::jsonb) as r
    on conflict (tenant_id, import_id, line, reason) do nothing`.execute(tx);
}

export async function issuesPage(tx: Tx, tenantId: string, importId: string, after: { line: number; reason: string } | null, limit: number): Promise<ImportIssue[]> {
  let query = importsTx(tx)
    .selectFrom('contact_import_errors')
    .select(['line', 'reason', 'severity', 'field', 'message', 'raw'])
    .where('tenant_id', '=', tenantId)
    .where('import_id', '=', importId);
  if (after) query = query.where(sql<boolean>`(line, reason) > (${after.line}, ${after.reason})`);
  return query.orderBy('line').orderBy('reason').limit(limit).execute();
}

/** Queued or running imports whose worker is gone (every tenant). */
export async function importsToResume(db: Database, staleSeconds: number): Promise<Array<{ tenantId: string; importId: string }>> {
  const { rows } = await sql<{ tenant_id: string; import_id: string }>`select tenant_id, import_id from contact_imports_to_resume(make_interval(secs => ${staleSeconds}))`.execute(db);
  return rows.map((r) => ({ tenantId: r.tenant_id, importId: r.import_id }));
}

export interface NewContact {
  id: string;
  fields: ContactFields;
}

/**
 * The import's fast path for contacts that do not exist yet: one set-based statement per batch
 * inserts them (`ON CONFLICT DO NOTHING` on every unique key), with their consent as it stands
 * after the import's change (`statuses`, decided by the contacts rules) in contact_consents and
 * its history in contact_consent_events. Returns the ids inserted; a row whose phone, email or
 * external id already belongs to a contact is not inserted, and the caller hands it to
 * upsertContacts (contacts repo), where the merge policy applies.
 *
 * Rows travel as one array per column (unnest): PostgreSQL reads them faster than one JSON
 * document of tuples, and this is the statement a 1,000,000-row import runs 200 times.
 */
export async function insertNewContacts(
  tx: Tx,
  tenantId: string,
  rows: readonly NewContact[],
  consent: { changes: ReadonlyArray<{ channel: ConsentChannel; status: string }>; source: string; proof: Record<string, unknown>; actor: string },
  at: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const { rows: inserted } = await newContactsStatement(tenantId, rows, consent, at).execute(tx);
  return new Set(inserted.map((row) => row.id));
}

/** The statement of insertNewContacts (apart for EXPLAIN in benchmarks). */
export function newContactsStatement(
  tenantId: string,
  rows: readonly NewContact[],
  consent: { changes: ReadonlyArray<{ channel: ConsentChannel; status: string }>; source: string; proof: Record<string, unknown>; actor: string },
  at: Date,
) {
  const column = <T>(pick: (f: ContactFields) => T) => rows.map((row) => pick(row.fields));
  const status = (channel: ConsentChannel) => consent.changes.find((c) => c.channel === channel)?.status ?? 'unknown';
  const channels = consent.changes.map((c) => c.channel);
  const statuses = consent.changes.map((c) => c.status);
  return sql<{ id: string }>`
    with input as (
      select * from unnest(
        ${rows.map((row) => row.id)}::uuid[], ${column((f) => f.phone)}::text[], ${column((f) => f.email)}::text[],
        ${column((f) => f.firstName)}::text[], ${column((f) => f.lastName)}::text[], ${column((f) => f.language)}::text[],
        ${column((f) => (Object.keys(f.attributes).length ? JSON.stringify(f.attributes) : null))}::jsonb[],
        ${column((f) => (f.tags.length ? JSON.stringify(f.tags) : null))}::jsonb[],
        ${column((f) => f.pointOfSale)}::text[], ${column((f) => f.externalId)}::text[]
      ) as t(id, phone, email, first_name, last_name, language, attributes, tags, point_of_sale, external_id)
    ), ins as (
      insert into contacts (tenant_id, id, phone, email, first_name, last_name, language, attributes, tags, point_of_sale, external_id,
                            consent_sms, consent_email, consent_whatsapp, consent_rcs, created_at, updated_at)
      select ${tenantId}::uuid, id, phone, email, first_name, last_name, language, coalesce(attributes, '{}'::jsonb),
             case when tags is null then '{}'::text[] else array(select jsonb_array_elements_text(tags)) end,
             point_of_sale, external_id, ${status('sms')}, ${status('email')}, ${status('whatsapp')}, ${status('rcs')},
             ${at}::timestamptz, ${at}::timestamptz
        from input
      on conflict do nothing
      returning id
    ), changes as (
      select * from unnest(${channels}::text[], ${statuses}::text[]) as c(channel, status)
    ), current as (
      insert into contact_consents (tenant_id, contact_id, channel, status, source, at, proof)
      select ${tenantId}::uuid, ins.id, changes.channel, changes.status, ${consent.source}, ${at}::timestamptz, ${JSON.stringify(consent.proof)}::jsonb
        from ins cross join changes
    ), history as (
      insert into contact_consent_events (tenant_id, contact_id, channel, status, source, at, proof, actor)
      select ${tenantId}::uuid, ins.id, changes.channel, changes.status, ${consent.source}, ${at}::timestamptz, ${JSON.stringify(consent.proof)}::jsonb, ${consent.actor}
        from ins cross join changes
    )
    select id from ins`;
}
