import type { Platform } from '../app.ts';
import type { RequestContext } from '../platform/audit/audit.ts';
import { withOperator } from '../platform/db/tenant-context.ts';
import { createUserInTx } from '../modules/identity/index.ts';
import type { CreatedTenant } from '../modules/tenants/index.ts';

export const DEMO_TENANT_NAME = 'Boulangeries Dupont (démo)';
export const DEMO_ADMIN_EMAIL = 'admin@demo.sofy.test';
export const DEMO_OPERATOR_EMAIL = 'operateur@sofy.test';

export interface DemoAccounts extends CreatedTenant {
  operator: { email: string; oneTimePassword: string };
}

/**
 * First start of an empty database: a demo tenant (owner + API key) and a SOFY operator, so the
 * quick start shows the whole product. Later starts find tenants and do nothing.
 */
export async function ensureDemo(platform: Platform, context: RequestContext): Promise<DemoAccounts | undefined> {
  const operatorId = 'system:demo';
  if (await platform.services.tenantAdmin.hasAnyTenant(operatorId)) return undefined;
  const created = await platform.services.tenantAdmin.create(context, operatorId, {
    name: DEMO_TENANT_NAME,
    adminEmail: DEMO_ADMIN_EMAIL,
    adminName: 'Camille Dupont',
    isDemo: true,
  });
  const operator = await withOperator(platform.database.db, operatorId, (tx) =>
    createUserInTx(tx, context, null, { email: DEMO_OPERATOR_EMAIL, name: 'Opérateur SOFY', role: 'sofy_admin' }, platform.clock.now()),
  );
  return { ...created, operator: { email: operator.user.email, oneTimePassword: operator.oneTimePassword } };
}
