import type { Platform } from '../app.ts';
import type { RequestContext } from '../platform/audit/audit.ts';
import { withOperator } from '../platform/db/tenant-context.ts';
import { createUserInTx } from '../modules/identity/index.ts';
import type { CreatedTenant } from '../modules/tenants/index.ts';
import type { ServiceContext } from '../platform/http/principal.ts';

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
  await seedDemoBilling(platform, context, created.tenant.id);
  return { ...created, operator: { email: operator.user.email, oneTimePassword: operator.oneTimePassword } };
}

/** The demo tenant's contract (12 POI, SoView) signed today, with its onboarding invoice issued (R-ONBOARD). */
async function seedDemoBilling(platform: Platform, context: RequestContext, tenantId: string): Promise<void> {
  const operatorId = 'system:demo';
  const ctx: ServiceContext = {
    ...context,
    principal: { kind: 'operator', userId: operatorId, email: 'system@sofy.test', name: 'Démo', role: 'sofy_admin', tenant: null, sessionId: operatorId, stage: 'active', csrfToken: '', mfaEnabled: true, locale: 'fr' },
  };
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(platform.clock.now());
  const { contracts } = platform.services.billing;
  const form = await contracts.createOrderForm(ctx, {
    tenantId,
    legalName: 'Boulangeries Dupont SAS',
    legalForm: 'SAS',
    siren: '552100554',
    addressLine: '12 rue de la Paix',
    postalCode: '69002',
    city: 'Lyon',
    country: 'FR',
    billingEmail: DEMO_ADMIN_EMAIL,
    poiCount: 12,
    termMonths: 12,
    startDate: today,
    items: [{ product: 'soview', unitCents: 2900 }],
    paymentMethod: 'transfer',
  });
  await contracts.signOrderForm(ctx, form.id, { signedOn: today, signatoryName: 'Camille Dupont' });
}
