import { sql } from 'kysely';
import type { Database, Tx } from './database.ts';

/**
 * R-TENANT: every piece of tenant work runs here. The tenant id is set for the transaction only
 * (`set_config(..., true)`), so a pooled connection never carries it into the next request, and
 * the RLS policies of every tenant table see only that tenant's rows.
 */
export async function withTenant<T>(db: Database, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(tx);
    return work(tx);
  });
}

/**
 * The operator path: a SOFY staff member (or the CLI, as the `system` operator) acting on
 * platform data (the tenant list, operator accounts). With `tenantId`, it also enters one tenant's
 * data; callers must have written the audit entry for that access (see tenants service).
 * RLS stays on: this sets who is acting, it never bypasses the policies.
 */
export async function withOperator<T>(
  db: Database,
  operatorId: string,
  work: (tx: Tx) => Promise<T>,
  tenantId?: string,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('app.operator_id', ${operatorId}, true), set_config('app.tenant_id', ${tenantId ?? ''}, true)`.execute(tx);
    return work(tx);
  });
}

/** Inside an operator transaction, enters the tenant just created or opened (RLS follows). */
export async function enterTenant(tx: Tx, tenantId: string): Promise<void> {
  await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(tx);
}
