import { randomUUID } from 'node:crypto';
import type { Platform } from '../../src/app.ts';
import { withOperator } from '../../src/platform/db/tenant-context.ts';
import type { ServiceContext } from '../../src/platform/http/principal.ts';
import { isValidSiren, luhnValid, validateVatNumber } from '../../src/modules/billing/rules.ts';

/** A SOFY operator acting through the services (the HTTP layer is tested separately). */
export function operatorContext(role: 'sofy_billing' | 'sofy_admin' | 'sofy_support' = 'sofy_billing'): ServiceContext {
  const id = randomUUID();
  return {
    actor: { type: 'operator', id, label: `${role}@sofy.test` },
    ip: '192.0.2.1',
    requestId: randomUUID(),
    principal: { kind: 'operator', userId: id, email: `${role}@sofy.test`, name: role, role, tenant: null, sessionId: randomUUID(), stage: 'active', csrfToken: 'x', mfaEnabled: true, locale: 'fr' },
  };
}

/** A tenant user (owner by default) acting through the services. */
export function userContext(tenantId: string, role = 'owner'): ServiceContext {
  const id = randomUUID();
  return {
    actor: { type: 'user', id, label: `${role}@client.test` },
    ip: '192.0.2.2',
    requestId: randomUUID(),
    principal: { kind: 'user', userId: id, email: `${role}@client.test`, name: role, role, tenant: { id: tenantId, name: 'Client', status: 'active', statusReason: null }, sessionId: randomUUID(), stage: 'active', csrfToken: 'x', mfaEnabled: true, locale: 'fr' },
  };
}

/** A SIREN passing its Luhn key, from 8 digits. */
export function siren(first8: string): string {
  for (let digit = 0; digit <= 9; digit++) if (luhnValid(`${first8}${digit}`)) return `${first8}${digit}`;
  throw new Error('unreachable');
}

/** A well-formed German VAT number (check digit computed), from 8 digits. */
export function germanVatNumber(first8: string): string {
  for (let digit = 0; digit <= 9; digit++) if (validateVatNumber(`DE${first8}${digit}`).valid) return `DE${first8}${digit}`;
  throw new Error(`no check digit makes DE${first8}? valid`);
}

export interface OrderFormOverrides {
  country?: string;
  postalCode?: string;
  siren?: string | undefined;
  vatNumber?: string | undefined;
  poiCount?: number;
  startDate?: string;
  onboardingFeeCents?: number;
  items?: Array<{ product: string; unitCents?: number }>;
  paymentMethod?: 'sepa' | 'transfer';
  sepa?: { rum: string; iban: string; bic: string; signedOn: string };
  termMonths?: 12 | 24 | 36;
  legalName?: string;
}

let counter = 1000;

/** Creates and signs an order form for `tenantId`; returns the contract and the onboarding invoice id. */
export async function signContract(platform: Platform, tenantId: string, signedOn: string, overrides: OrderFormOverrides = {}) {
  const ctx = operatorContext();
  const country = overrides.country ?? 'FR';
  const form = await platform.services.billing.contracts.createOrderForm(ctx, {
    tenantId,
    legalName: overrides.legalName ?? `Client ${++counter} SAS`,
    siren: 'siren' in overrides ? overrides.siren : country === 'FR' ? siren(String(55210000 + counter).slice(0, 8)) : undefined,
    addressLine: '12 rue de la Paix',
    postalCode: overrides.postalCode ?? '75002',
    city: 'Paris',
    country,
    vatNumber: overrides.vatNumber,
    billingEmail: `compta-${counter}@client.test`,
    poiCount: overrides.poiCount ?? 10,
    termMonths: overrides.termMonths ?? 12,
    startDate: overrides.startDate ?? signedOn,
    onboardingFeeCents: overrides.onboardingFeeCents ?? 49000,
    items: overrides.items ?? [{ product: 'soview', unitCents: 2900 }],
    paymentMethod: overrides.paymentMethod ?? 'transfer',
    ...(overrides.sepa ? { sepa: overrides.sepa } : {}),
  });
  const signed = await platform.services.billing.contracts.signOrderForm(ctx, form.id, { signedOn, signatoryName: 'Camille Dupont' });
  return { form, contract: signed.contract, onboardingInvoiceId: signed.onboardingInvoiceId, ctx };
}

/** Every issued invoice number, for the numbering checks. */
export async function issuedNumbers(platform: Platform): Promise<string[]> {
  return withOperator(platform.database.db, 'system:test', async (tx) => {
    const { rows } = await (await import('kysely')).sql<{ number: string }>`select number from billing_invoices where number is not null order by sequence`.execute(tx);
    return rows.map((r) => r.number);
  });
}

export { isValidSiren };
