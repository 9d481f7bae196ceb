import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Queryable, Tx } from '../db/database.ts';
import { withOperator } from '../db/tenant-context.ts';

export type ActorType = 'user' | 'operator' | 'api_key' | 'system' | 'anonymous';

/** Who did something, as the audit trail records it. */
export interface Actor {
  type: ActorType;
  id: string | null;
  /** Human-readable: an email, a key's prefix and name, `cli:root`. */
  label: string;
}

/** Where a request came from; carried from the HTTP layer (or the CLI) into services. */
export interface RequestContext {
  actor: Actor;
  ip: string | null;
  requestId: string | null;
}

export interface AuditEntryInput {
  tenantId: string | null;
  action: string;
  target?: { type: string; id: string } | undefined;
  /** Before/after or parameters: never a secret, never a password. */
  summary?: Record<string, unknown>;
  at?: Date;
}

/**
 * Appends to the tenant's hash-chained trail (R-IAM), in the caller's transaction: the entry
 * exists if and only if the change it describes was committed.
 */
export async function recordAudit(tx: Tx | Queryable, context: RequestContext, entry: AuditEntryInput): Promise<{ id: number; seq: number }> {
  const result = await sql<{ id: number; seq: number }>`
    select id, seq from audit_append(
      ${entry.tenantId}::uuid, ${entry.at ?? null}::timestamptz, ${context.actor.type}, ${context.actor.id}, ${context.actor.label},
      ${entry.action}, ${entry.target?.type ?? null}, ${entry.target?.id ?? null}, ${context.ip}, ${context.requestId},
      ${JSON.stringify(entry.summary ?? {})}::jsonb)`.execute(tx);
  const row = result.rows[0];
  if (!row) throw new Error('audit_append returned nothing');
  return row;
}

export interface ChainReport {
  chain: string;
  entries: number;
  ok: boolean;
  /** First broken link, if any. */
  problem?: { seq: number; reason: string };
}

/** The canonical text an entry's hash covers; the same definition as audit_append (migration 0001). */
export function auditHashInput(row: {
  chain: string;
  seq: number;
  prevHashHex: string;
  atMs: number;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  requestId: string | null;
  summaryText: string;
}): string {
  return [
    'v1', row.chain, String(row.seq), row.prevHashHex, String(row.atMs), row.actorType, row.actorId ?? '', row.actorLabel ?? '',
    row.action, row.targetType ?? '', row.targetId ?? '', row.ip ?? '', row.requestId ?? '', row.summaryText,
  ].join('\u001f');
}

/**
 * Recomputes every chain from its first entry: sequence without gaps, each entry linked to the
 * previous hash, each hash matching its content. Runs in the operator context (reads all chains).
 */
export async function verifyAuditTrail(db: Database, operatorId = 'system:audit-verify'): Promise<ChainReport[]> {
  return withOperator(db, operatorId, async (tx) => {
    const reports = new Map<string, ChainReport & { lastSeq: number; lastHash: Buffer | null }>();
    const pageSize = 5000;
    let afterId = 0;
    for (;;) {
      const { rows } = await sql<{
        id: number; chain: string; seq: number; at: Date; actor_type: string; actor_id: string | null; actor_label: string | null;
        action: string; target_type: string | null; target_id: string | null; ip: string | null; request_id: string | null;
        summary_text: string; prev_hash: Buffer | null; hash: Buffer;
      }>`select id, chain, seq, at, actor_type, actor_id, actor_label, action, target_type, target_id, ip, request_id,
                summary::text as summary_text, prev_hash, hash
           from audit_log where id > ${afterId} order by id limit ${pageSize}`.execute(tx);
      for (const row of rows) {
        let report = reports.get(row.chain);
        if (!report) {
          report = { chain: row.chain, entries: 0, ok: true, lastSeq: 0, lastHash: null };
          reports.set(row.chain, report);
        }
        report.entries++;
        if (!report.ok) continue;
        const fail = (reason: string) => {
          report.ok = false;
          report.problem = { seq: row.seq, reason };
        };
        if (row.seq !== report.lastSeq + 1) fail(`expected seq ${report.lastSeq + 1}, found ${row.seq} (an entry is missing)`);
        else if (!sameBytes(row.prev_hash, report.lastHash)) fail('prev_hash does not match the previous entry');
        else {
          const expected = createHash('sha256')
            .update(auditHashInput({
              chain: row.chain, seq: row.seq, prevHashHex: row.prev_hash?.toString('hex') ?? '', atMs: row.at.getTime(),
              actorType: row.actor_type, actorId: row.actor_id, actorLabel: row.actor_label, action: row.action,
              targetType: row.target_type, targetId: row.target_id, ip: row.ip, requestId: row.request_id, summaryText: row.summary_text,
            }), 'utf8')
            .digest();
          if (!expected.equals(row.hash)) fail('content does not match its hash (the entry was altered)');
        }
        report.lastSeq = row.seq;
        report.lastHash = row.hash;
      }
      if (rows.length < pageSize) break;
      afterId = rows[rows.length - 1]?.id ?? afterId;
    }
    return [...reports.values()].map(({ lastSeq: _s, lastHash: _h, ...report }) => report);
  });
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}
