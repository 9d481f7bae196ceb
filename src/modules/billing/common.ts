import type { RequestContext } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import type { TenantAdministration } from '../tenants/index.ts';
import type { SellerIdentity } from './documents/types.ts';
import { parisDate } from './rules.ts';
import type { ViesClient } from './vies.ts';

/** What the billing services share. */
export interface BillingDeps {
  db: Database;
  clock: Clock;
  /** Suspends and reactivates tenants (R-DUNNING): the tenants module owns the status. */
  tenantAdmin: TenantAdministration;
  /** Replaced when the sandbox's simulator starts (sofy start). */
  vies: { current: ViesClient };
  seller: SellerIdentity;
  /** Base of the links in billing emails (acknowledgement of a formal notice). */
  publicUrl: string;
  emailFrom: string;
}

/** The operator identity of background billing work (jobs, runs started by the scheduler). */
export const SYSTEM_OPERATOR = 'system:billing';
export const systemContext: RequestContext = { actor: { type: 'system', id: 'billing', label: 'system:billing' }, ip: null, requestId: null };

/**
 * The operator path (R-CONFID): SOFY staff with `billing:manage` (sofy_billing, sofy_admin).
 * Returns the id that marks the operator context (RLS) of the transaction.
 */
export function billingOperator(ctx: ServiceContext): string {
  if (ctx.principal.kind !== 'operator') throw new AppError('forbidden', 'This is for SOFY billing operators');
  authorize(ctx.principal, 'billing:manage');
  return ctx.principal.userId;
}

/**
 * A client's own billing (R-CONFID): contracts, tariffs, invoices and payments are for the
 * tenant's owners and admins only (`billing:read` and `tariffs:read`).
 */
export function billingReader(ctx: ServiceContext): string {
  authorize(ctx.principal, 'billing:read');
  authorize(ctx.principal, 'tariffs:read');
  return tenantOf(ctx.principal);
}

/** Today in Paris, the civil day every billing date is counted in. */
export const todayIn = (clock: Clock): string => parisDate(clock.now());

/** Masks an IBAN for display: country, check digits and the last four characters. */
export const maskIban = (iban: string | null): string | null => (iban ? `${iban.slice(0, 4)} •••• ${iban.slice(-4)}` : null);

export const PRODUCT_LABELS: Record<string, string> = {
  soview: 'SoView — licence mensuelle par point de vente',
  soconnect: 'SoConnect — licence mensuelle par point de vente',
  soreach: 'SoReach — forfait plateforme mensuel',
  onboarding: 'Frais de mise en service (onboarding)',
};

export const PER_POI_PRODUCTS = new Set(['soview', 'soconnect']);
