import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql } from 'kysely';
import { recordAudit, type RequestContext } from '../../../platform/audit/audit.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { withTenant } from '../../../platform/db/tenant-context.ts';
import { attributeDefinitionMap, type BatchConsent, listAttributeDefinitions, type UpsertRow, upsertContacts } from '../repo.ts';
import { uuidv7 } from '../../../platform/ids.ts';
import { type MergePolicy, newContactFields } from '../rules.ts';
import { type BatchCounters, claimImport, completeImport, deleteChunks, type ImportRow, insertIssues, insertNewContacts, lockImport, recordBatch, updateImport } from './repo.ts';
import { advanceCheckpoint, type BatchRange, batchConsentOf, checkpointOf, compileMapping, evaluateRow, newContactConsents, partitionByKeys, type ImportConsent, type ImportEncoding, type ImportIssue, type ImportMapping, type RowContext } from './rules.ts';
import { csvItems, type SourceItem, storedBytes, xlsxItems } from './source.ts';

/**
 * The import job: reads the stored file from its checkpoint, turns rows into contacts and
 * upserts them in batches. Each batch — its contacts, their consents, its error reports, the
 * counters and the checkpoint after it — is ONE transaction, so a crash (kill -9 of the worker)
 * loses at most the batches in flight (two), which the next run redoes from the checkpoint
 * (rules/checkpoint.ts: the committed prefix and the batches committed beyond it): no row is
 * imported twice and none is skipped.
 *
 * A run holds a lease on the import (run_id + heartbeat, renewed by every batch): a second
 * worker given the same import leaves it alone while the heartbeat is fresh, and takes it over
 * when it is stale (the first worker died). Every batch commit checks the lease and the status,
 * so a cancelled import stops at the next batch, and a run that lost its lease stops writing.
 */

export interface ProcessorOptions {
  /** Rows per transaction. */
  batchSize?: number;
  /** A heartbeat older than this means the worker died. */
  staleSeconds?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

export interface RunHooks {
  /** Called after each committed batch; throwing here simulates a crash between batches (tests). */
  afterBatch?: (batch: number) => void | Promise<void>;
}

export type RunOutcome =
  | { outcome: 'completed'; processed: number; inserted: number; updated: number; skipped: number; failed: number; warnings: number }
  | { outcome: 'cancelled' | 'lease_lost' | 'busy' | 'finished' | 'not_found' | 'not_started' | 'failed'; detail?: string };

class StopRun extends Error {
  constructor(readonly outcome: 'cancelled' | 'lease_lost') {
    super(outcome);
  }
}

/** Batches committed at once: two PostgreSQL backends insert while this process reads on. */
const COMMITS_IN_FLIGHT = 2;

const intersects = (a: Set<string>, b: Set<string>): boolean => {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const key of small) if (large.has(key)) return true;
  return false;
};

const WORKER_CONTEXT: RequestContext = { actor: { type: 'system', id: null, label: 'contacts.import' }, ip: null, requestId: null };
/** Attempts before an import that keeps failing is marked failed. */
const MAX_ATTEMPTS = 5;

export class ImportProcessor {
  readonly #batchSize: number;
  readonly #staleSeconds: number;
  readonly #log: NonNullable<ProcessorOptions['log']>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    options: ProcessorOptions = {},
  ) {
    this.#batchSize = options.batchSize ?? 5000;
    this.#staleSeconds = options.staleSeconds ?? 120;
    this.#log = options.log ?? (() => {});
  }

  get staleSeconds(): number {
    return this.#staleSeconds;
  }

  async run(tenantId: string, importId: string, hooks: RunHooks = {}): Promise<RunOutcome> {
    const runId = randomUUID();
    const claim = await withTenant(this.db, tenantId, (tx) => claimImport(tx, tenantId, importId, runId, this.#staleSeconds, this.clock.now()));
    if ('refused' in claim) return { outcome: claim.refused };
    const row = claim.row;
    if (row.attempts > MAX_ATTEMPTS) {
      await this.#fail(tenantId, importId, runId, `stopped after ${MAX_ATTEMPTS} attempts: ${row.error ?? 'the worker kept failing'}`);
      return { outcome: 'failed', detail: 'too many attempts' };
    }
    try {
      return await this.#process(row, runId, hooks);
    } catch (error) {
      if (error instanceof StopRun) return { outcome: error.outcome };
      // Release the lease so that the retry (pg-boss) or the recovery job resumes at once.
      const message = (error as Error).message;
      await withTenant(this.db, tenantId, async (tx) => {
        const current = await lockImport(tx, tenantId, importId);
        if (current?.runId === runId) await updateImport(tx, tenantId, importId, { runId: null, heartbeat: null, error: message.slice(0, 1000) });
      }).catch(() => {});
      throw error;
    }
  }

  async #process(row: ImportRow, runId: string, hooks: RunHooks): Promise<RunOutcome> {
    const { tenant_id: tenantId, id: importId } = row;
    const columns = row.columns ?? [];
    const mapping = (row.mapping ?? {}) as ImportMapping;
    const consent = row.consent as unknown as ImportConsent;
    const policy = (row.merge_policy ?? 'update') as MergePolicy;
    const definitions = await withTenant(this.db, tenantId, (tx) => listAttributeDefinitions(tx, tenantId));
    const context: RowContext = { mapping: compileMapping(mapping, columns), columns, definitions: attributeDefinitionMap(definitions) };
    const batchConsent: BatchConsent = batchConsentOf(consent, { importId, operator: row.created_by ?? 'unknown', filename: row.filename });
    const consentPlan = newContactConsents({ channels: batchConsent.channels, status: batchConsent.status, source: batchConsent.source, proof: batchConsent.proof ?? {} });
    const actor = `import:${importId}`;
    const bytes = (offset: number) => storedBytes(this.db, tenantId, importId, offset);
    const checkpoint = checkpointOf(row.checkpoint);
    const source =
      row.format === 'xlsx'
        ? xlsxItems(() => bytes(0), { hasHeader: row.has_header, checkpoint })
        : csvItems(bytes, { encoding: (row.encoding ?? 'utf-8') as ImportEncoding, delimiter: row.delimiter ?? ';', columns: columns.length, hasHeader: row.has_header, checkpoint });

    // Rows are evaluated (parsed, mapped, normalised) while earlier batches are committed, up to
    // COMMITS_IN_FLIGHT transactions at once: this process and PostgreSQL's backends work in
    // parallel. A batch that shares a phone, email or external id with a batch in flight waits
    // for it, so rows about one contact are applied in file order and never deadlock.
    const inflight = new Set<{ done: Promise<void>; keys: Set<string> }>();
    let failure: unknown;
    let batches = 0;
    let position = checkpoint.pos;
    const submit = async (prepared: PreparedBatch) => {
      const range = prepared.range(position);
      position = range.to;
      for (;;) {
        if (failure !== undefined) throw failure;
        const blocking = [...inflight].filter((other) => inflight.size >= COMMITS_IN_FLIGHT || intersects(other.keys, prepared.keys));
        if (blocking.length === 0) break;
        await Promise.race(blocking.map((other) => other.done));
      }
      const entry = { done: Promise.resolve(), keys: prepared.keys };
      entry.done = this.#commit(tenantId, importId, runId, prepared, range, policy, batchConsent, consentPlan, actor)
        .then(async () => {
          batches++;
          await hooks.afterBatch?.(batches);
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inflight.delete(entry));
      inflight.add(entry);
    };

    let batch = new PreparedBatch();
    let sinceYield = 0;
    try {
      for await (const items of source) {
        for (const item of items) {
          batch.add(item, context);
          if (batch.size >= this.#batchSize) {
            await submit(batch);
            batch = new PreparedBatch();
          }
          // Let the in-flight commits' round trips through every few hundred rows.
          if (++sinceYield >= 500) {
            sinceYield = 0;
            await yieldToEventLoop();
          }
        }
      }
      if (batch.size > 0) await submit(batch);
    } finally {
      // Whatever happened, nothing of this run is still writing when run() returns or throws.
      while (inflight.size > 0) await Promise.all([...inflight].map((entry) => entry.done));
    }
    if (failure !== undefined) throw failure;
    return this.#complete(tenantId, importId, runId);
  }

  /** One batch: contacts upserted, issues recorded, counters and checkpoint moved — one transaction. */
  async #commit(
    tenantId: string,
    importId: string,
    runId: string,
    batch: PreparedBatch,
    range: BatchRange,
    policy: MergePolicy,
    consent: BatchConsent,
    consentPlan: ReturnType<typeof newContactConsents>,
    actor: string,
  ): Promise<void> {
    await withTenant(this.db, tenantId, async (tx) => {
      // Asynchronous commit: the batch and its checkpoint are one transaction, so a crash that
      // loses the last commits loses their checkpoint with them, and the resumed run redoes
      // those batches. Atomicity is what the resume needs; the fsync wait is saved.
      await sql`set local synchronous_commit = off`.execute(tx);
      const { contacts, lines, raws } = batch;
      const issues = [...batch.issues];
      const counters: BatchCounters = { ...batch.counters };
      const at = this.clock.now();
      // New contacts go in set-based (the bulk of a first import); rows that repeat a key of the
      // batch or meet an existing contact go through upsertContacts, where the merge policy applies.
      const { fresh, repeated } = partitionByKeys(contacts);
      const planned = fresh.map((index) => ({ index, id: uuidv7(at), fields: newContactFields(contacts[index] as UpsertRow) }));
      const inserted = await insertNewContacts(tx, tenantId, planned, { changes: consentPlan.changes, source: consent.source, proof: consent.proof ?? {}, actor }, at);
      const rest: number[] = [...repeated];
      for (const row of planned) {
        if (inserted.has(row.id)) {
          counters.inserted++;
          if (consentPlan.refused.length > 0) issues.push({ line: lines[row.index] as number, reason: 'consent_not_changed', severity: 'warning', field: null, message: consentPlan.refused.join('; '), raw: raws[row.index] ?? null });
        } else rest.push(row.index);
      }
      rest.sort((a, b) => a - b);
      const results = rest.length > 0 ? await upsertContacts(tx, tenantId, rest.map((index) => contacts[index] as UpsertRow), policy, consent, { at, actor }) : [];
      for (const result of results) {
        const index = rest[result.index] as number;
        const line = lines[index] as number;
        if (result.status === 'failed') {
          counters.failed++;
          issues.push({ line, reason: result.error?.code ?? 'failed', severity: 'error', field: null, message: result.error?.message ?? null, raw: raws[index] ?? null });
          continue;
        }
        counters[result.status]++;
        if (result.warnings?.length) issues.push({ line, reason: 'consent_not_changed', severity: 'warning', field: null, message: result.warnings.join('; '), raw: raws[index] ?? null });
      }
      const failedLines = new Set(issues.filter((issue) => issue.severity === 'error').map((issue) => issue.line));
      // Remarks on a row that was refused in the end are not kept: its error says it all.
      const kept = issues.filter((issue) => issue.severity === 'error' || !failedLines.has(issue.line));
      counters.warnings = new Set(kept.filter((issue) => issue.severity === 'warning').map((issue) => issue.line)).size;
      await insertIssues(tx, tenantId, importId, kept);
      // The import row is locked last, so batches in flight wait for each other only here. A
      // cancel or a lost lease rolls the batch back.
      const current = await lockImport(tx, tenantId, importId);
      if (!current || current.status === 'cancelled') throw new StopRun('cancelled');
      if (current.runId !== runId) throw new StopRun('lease_lost');
      await recordBatch(tx, tenantId, importId, counters, advanceCheckpoint(checkpointOf(current.checkpoint), range));
    });
  }

  async #complete(tenantId: string, importId: string, runId: string): Promise<RunOutcome> {
    return withTenant(this.db, tenantId, async (tx) => {
      const current = await lockImport(tx, tenantId, importId);
      if (!current || current.status === 'cancelled') return { outcome: 'cancelled' as const };
      if (current.runId !== runId) return { outcome: 'lease_lost' as const };
      const row = await completeImport(tx, tenantId, importId, this.clock.now());
      // The file is no longer needed once every row is in (keep no more personal data than needed).
      await deleteChunks(tx, tenantId, importId);
      const counters = { processed: row.processed_rows, inserted: row.inserted, updated: row.updated, skipped: row.skipped, failed: row.failed, warnings: row.warnings };
      await recordAudit(tx, WORKER_CONTEXT, { tenantId, action: 'contact_import.completed', target: { type: 'contact_import', id: importId }, summary: counters, at: this.clock.now() });
      this.#log('contact import completed', { tenantId, importId, ...counters });
      return { outcome: 'completed' as const, ...counters };
    });
  }

  async #fail(tenantId: string, importId: string, runId: string, message: string): Promise<void> {
    await withTenant(this.db, tenantId, async (tx) => {
      const current = await lockImport(tx, tenantId, importId);
      if (current?.runId !== runId) return;
      await updateImport(tx, tenantId, importId, { status: 'failed', finishedAt: this.clock.now(), runId: null, heartbeat: null, error: message.slice(0, 1000) });
      await recordAudit(tx, WORKER_CONTEXT, { tenantId, action: 'contact_import.failed', target: { type: 'contact_import', id: importId }, summary: { error: message.slice(0, 300) }, at: this.clock.now() });
    });
  }
}

/** Rows of one batch, evaluated as they are read: what the commit writes. */
class PreparedBatch {
  size = 0;
  readonly contacts: UpsertRow[] = [];
  readonly lines: number[] = [];
  readonly raws: string[] = [];
  readonly issues: ImportIssue[] = [];
  readonly counters: BatchCounters = { processed: 0, inserted: 0, updated: 0, skipped: 0, failed: 0, warnings: 0 };
  /** Phone, email and external id of its contacts (a batch sharing one with a batch in flight waits). */
  readonly keys = new Set<string>();
  #last: SourceItem | undefined;

  /** The keys it covers, after the batch before it: (from, to]. */
  range(from: number): BatchRange {
    const last = this.#last as SourceItem;
    return { from, to: last.key, line: last.nextLine, bytes: last.bytes };
  }

  add(item: SourceItem, context: RowContext): void {
    this.size++;
    this.counters.processed++;
    this.#last = item;
    if (item.broken !== null || item.cells === null) {
      this.issues.push({ line: item.line, reason: item.broken ?? 'unreadable', severity: 'error', field: null, message: 'a quote opened here is never closed: this line was skipped and reading went on at the next line', raw: item.raw });
      this.counters.failed++;
      return;
    }
    const outcome = evaluateRow({ line: item.line, cells: item.cells, raw: item.raw, repaired: item.repaired }, context);
    if (!outcome.ok) {
      this.issues.push(...outcome.issues);
      this.counters.failed++;
      return;
    }
    this.contacts.push(outcome.contact);
    const { phone, email, externalId } = outcome.contact;
    if (phone) this.keys.add(`p:${phone}`);
    if (email) this.keys.add(`e:${email}`);
    if (externalId) this.keys.add(`x:${externalId}`);
    this.lines.push(item.line);
    this.raws.push(item.raw);
    if (outcome.remarks.length > 0) this.issues.push(...outcome.remarks);
  }
}
