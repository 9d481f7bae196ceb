import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { TenantStatus, TenantsTable } from '../../platform/db/schema.ts';

export type TenantRow = Selectable<TenantsTable>;

export async function insertTenant(tx: Tx, tenant: { name: string; settings: Record<string, unknown>; isDemo: boolean }): Promise<TenantRow> {
  return tx
    .insertInto('tenants')
    .values({ name: tenant.name, settings: JSON.stringify(tenant.settings), is_demo: tenant.isDemo })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findTenant(tx: Tx, id: string, forUpdate = false): Promise<TenantRow | undefined> {
  const query = tx.selectFrom('tenants').selectAll().where('id', '=', id);
  return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export async function listTenants(tx: Tx, filter: { status?: TenantStatus | undefined; q?: string | undefined }): Promise<TenantRow[]> {
  let query = tx.selectFrom('tenants').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.q) query = query.where(sql<boolean>`name ilike ${`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  return query.orderBy('created_at', 'desc').limit(500).execute();
}

export async function updateSettings(tx: Tx, id: string, settings: Record<string, unknown>): Promise<TenantRow> {
  return tx
    .updateTable('tenants')
    .set({ settings: JSON.stringify(settings), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setStatus(tx: Tx, id: string, status: TenantStatus, reason: string | null, at: Date): Promise<TenantRow> {
  return tx
    .updateTable('tenants')
    .set({ status, status_reason: reason, status_changed_at: at, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function hasAnyTenant(tx: Tx): Promise<boolean> {
  const row = await tx.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}
