import { recordAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';

/**
 * R-IAM: every use of an API key's `admin` scope is in the trail, reads included (changes are
 * audited by the service that makes them).
 */
export async function auditAdminKeyRead(tx: Tx, ctx: ServiceContext, tenantId: string, resource: string, at: Date): Promise<void> {
  if (ctx.principal.kind !== 'api_key') return;
  await recordAudit(tx, ctx, { tenantId, action: 'api_key.admin_read', target: { type: 'api_key', id: ctx.principal.keyId }, summary: { resource }, at });
}
