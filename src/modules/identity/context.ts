import type { Database, Tx } from '../../platform/db/database.ts';
import { withOperator, withTenant } from '../../platform/db/tenant-context.ts';

/**
 * A user's own rows live in its tenant (tenant users) or on the platform side (operators, whose
 * tenant_id is NULL and who may only reach platform rows as themselves).
 */
export function withUserScope<T>(db: Database, user: { tenantId: string | null; userId: string }, work: (tx: Tx) => Promise<T>): Promise<T> {
  return user.tenantId ? withTenant(db, user.tenantId, work) : withOperator(db, user.userId, work);
}
