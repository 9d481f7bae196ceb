import type { Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { AuditLogTable } from '../../platform/db/schema.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { auditAdminKeyRead, authorize, tenantOf } from '../identity/index.ts';

export interface AuditEntryView {
  id: number;
  seq: number;
  at: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  ip: string | null;
  summary: Record<string, unknown>;
  hash: string;
}

export interface AuditQuery {
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
}

export function auditEntryView(row: Selectable<AuditLogTable>): AuditEntryView {
  return {
    id: row.id,
    seq: row.seq,
    at: row.at.toISOString(),
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    action: row.action,
    target: row.target_type ? { type: row.target_type, id: row.target_id } : null,
    ip: row.ip,
    summary: row.summary,
    hash: row.hash.toString('hex'),
  };
}

/** Newest first; `action` matches a prefix (`auth.` finds every sign-in event). */
export async function queryAuditLog(tx: Tx, tenantId: string, query: AuditQuery): Promise<{ data: AuditEntryView[]; nextCursor: string | null }> {
  let select = tx.selectFrom('audit_log').selectAll().where('tenant_id', '=', tenantId);
  if (query.action) select = select.where('action', 'like', `${query.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (query.actorId) select = select.where('actor_id', '=', query.actorId);
  if (query.cursor) select = select.where('id', '<', Number(decodeCursor<{ id: number }>(query.cursor).id));
  const rows = await select.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return { data: page.map(auditEntryView), nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null };
}

/** R-IAM: the tenant's own trail, including every SOFY operator access to its data. */
export class AuditService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(ctx: ServiceContext, query: AuditQuery): Promise<{ data: AuditEntryView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'audit:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      await auditAdminKeyRead(tx, ctx, tenantId, 'audit_log', this.clock.now());
      return queryAuditLog(tx, tenantId, query);
    });
  }
}
