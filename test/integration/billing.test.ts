import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withOperator, withTenant } from '../../src/platform/db/tenant-context.ts';
import { SandboxVies } from '../../src/sandbox/vies.ts';
import { en16931Violations } from '../../src/modules/billing/documents/en16931-check.ts';
import { findSequenceGaps } from '../../src/modules/billing/rules.ts';
import { admin } from '../support/global-database.ts';
import { createTenant, createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { germanVatNumber, issuedNumbers, operatorContext, signContract, } from './billing-support.ts';

/**
 * Billing (issue 5) against PostgreSQL: signature and onboarding invoice (R-ONBOARD), VAT with
 * the VIES proof (R-VAT), immutability of issued invoices, the monthly run (idempotent, prorated
 * POI raise, SYNTEC revision, SOFY downtime), numbering without gaps when runs race, credit notes,
 * payments with the 8-day discount, bank statements and SEPA batches.
 */
const clock = new FixedClock('2026-03-10T09:00:00Z');
const vies = new SandboxVies({ clock });
let platform: TestPlatform;

beforeAll(async () => {
  const url = await vies.start();
  platform = await createTestPlatform({ clock, env: { SOFY_VIES_URL: url } });
});

afterAll(async () => {
  await platform?.close();
  await vies.stop();
});

const billing = () => platform.services.billing;

describe('signing an order form', () => {
  it('creates the contract and issues the onboarding fee in full the same day (R-ONBOARD), with a valid Factur-X', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const tenant = await createTenant(platform);
    const { contract, onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-03-10', { onboardingFeeCents: 49000, poiCount: 10 });
    expect(contract).toMatchObject({ status: 'active', licence: { licensedPoi: 10 }, term: { status: 'firm', nextNoticeDeadline: { exitOn: '2027-03-10', deadline: '2027-01-24' } } });
    expect(onboardingInvoiceId).not.toBeNull();
    const invoice = await billing().invoicing.operatorInvoice(ctx, onboardingInvoiceId as string);
    expect(invoice).toMatchObject({
      kind: 'invoice',
      origin: 'onboarding',
      status: 'issued',
      issueDate: '2026-03-10',
      dueDate: '2026-04-09',
      totalHtCents: 49000,
      totalVatCents: 9800,
      totalTtcCents: 58800,
      discount: { deadline: '2026-03-18', htCents: 490, ttcCents: 588 },
      vat: { regime: 'france', rateBp: 2000, mention: null },
      paymentStatus: 'unpaid',
    });
    expect(invoice.number).toMatch(/^FA-2026-\d{6}$/);
    expect(invoice.lines).toEqual([expect.objectContaining({ kind: 'onboarding', quantity: '1', unitPriceMillicents: 49_000_000, amountHtCents: 49000 })]);

    const pdf = await billing().invoicing.pdf(ctx, invoice.id);
    expect(Buffer.from(pdf.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    const { xml } = await billing().invoicing.facturX(ctx, invoice.id);
    expect(xml).toContain(invoice.number as string);
    expect(en16931Violations(xml)).toEqual([]);

    const audit = await withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('audit_log').select('action').where('tenant_id', '=', tenant.tenantId).execute());
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['billing.order_form.created', 'billing.order_form.signed', 'billing.invoice.issued']));
  });

  it('refuses a malformed SIREN, VAT number or IBAN with a problem pointing at the field', async () => {
    const tenant = await createTenant(platform);
    const ctx = operatorContext();
    const base = {
      tenantId: tenant.tenantId,
      legalName: 'Mauvais SAS',
      addressLine: '1 rue X',
      postalCode: '75001',
      city: 'Paris',
      country: 'FR',
      billingEmail: 'x@client.test',
      poiCount: 1,
      termMonths: 12 as const,
      startDate: '2026-03-10',
      paymentMethod: 'transfer' as const,
    };
    await expect(billing().contracts.createOrderForm(ctx, { ...base, siren: '123456789' })).rejects.toMatchObject({ code: 'invalid_siren', errors: [{ path: '/siren' }] });
    await expect(billing().contracts.createOrderForm(ctx, { ...base, siren: '552100554', vatNumber: 'FR00552100554' })).rejects.toMatchObject({ code: 'invalid_vat_number', errors: [{ path: '/vatNumber' }] });
    await expect(
      billing().contracts.createOrderForm(ctx, { ...base, siren: '552100554', paymentMethod: 'sepa', sepa: { rum: 'RUM-1', iban: 'FR7630006000011234567890188', bic: 'AGRIFRPP', signedOn: '2026-03-01' } }),
    ).rejects.toMatchObject({ code: 'invalid_iban', errors: [{ path: '/sepa/iban' }] });
    await expect(billing().contracts.createOrderForm(operatorContext('sofy_support'), { ...base, siren: '552100554' })).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('VAT (R-VAT) and the VIES proof', () => {
  it('German client with a valid number: reverse charge with the mention; the VIES answer is kept as proof', async () => {
    const tenant = await createTenant(platform);
    const number = germanVatNumber('12345678');
    const { contract, onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-03-10', { country: 'DE', postalCode: '10115', vatNumber: number });
    expect(contract.vies).toMatchObject({ vatNumber: number, outcome: 'valid' });
    expect(contract.vies?.requestIdentifier).toMatch(/^WAPI/);
    expect(contract.vies?.response).toMatchObject({ valid: true, countryCode: 'DE', vatNumber: number.slice(2) });
    const invoice = await billing().invoicing.operatorInvoice(ctx, onboardingInvoiceId as string);
    expect(invoice).toMatchObject({
      totalHtCents: 49000,
      totalVatCents: 0,
      totalTtcCents: 49000,
      vat: { regime: 'eu_reverse_charge', rateBp: 0, mention: 'Autoliquidation — article 196 de la directive 2006/112/CE', viesCheckId: contract.vies?.id },
    });
    const { xml } = await billing().invoicing.facturX(ctx, invoice.id);
    expect(xml).toContain('VATEX-EU-AE');
  });

  it('German client whose number VIES does not know: French VAT at 20 %, and the reason', async () => {
    const tenant = await createTenant(platform);
    const number = germanVatNumber('12666678'); // the simulator's "not registered" numbers contain 666
    const { contract, onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-03-10', { country: 'DE', postalCode: '10115', vatNumber: number });
    expect(contract.vies).toMatchObject({ outcome: 'invalid' });
    const invoice = await billing().invoicing.operatorInvoice(ctx, onboardingInvoiceId as string);
    expect(invoice).toMatchObject({ totalVatCents: 9800, totalTtcCents: 58800, vat: { regime: 'eu_without_valid_vat_number', rateBp: 2000, mention: null } });
    expect(invoice.vat.explanation).toMatch(/not registered according to VIES/);
  });

  it('German client while VIES is down: French VAT, and a re-check once it answers switches the next invoices', async () => {
    const tenant = await createTenant(platform);
    const number = germanVatNumber('22334455');
    vies.setAvailable('DE', false);
    const signed = await signContract(platform, tenant.tenantId, '2026-03-10', { country: 'DE', postalCode: '10115', vatNumber: number }).finally(() => vies.setAvailable('DE', true));
    expect(signed.contract.vies).toMatchObject({ outcome: 'unavailable' });
    expect(signed.contract.vat.regime).toBe('eu_without_valid_vat_number');
    const proof = await billing().catalogue.recheckVat(signed.ctx, signed.contract.id);
    expect(proof.outcome).toBe('valid');
    expect((await billing().contracts.getContract(signed.ctx, signed.contract.id)).vat).toMatchObject({ regime: 'eu_reverse_charge', rateBp: 0 });
  });

  it('Swiss client: no VAT, "TVA non applicable — article 259-1 du CGI"', async () => {
    const tenant = await createTenant(platform);
    const { onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-03-10', { country: 'CH', postalCode: '1201', siren: undefined });
    const invoice = await billing().invoicing.operatorInvoice(ctx, onboardingInvoiceId as string);
    expect(invoice).toMatchObject({ totalVatCents: 0, totalTtcCents: 49000, vat: { regime: 'outside_eu', mention: 'TVA non applicable — article 259-1 du CGI' } });
  });
});

describe('an issued invoice', () => {
  it('is immutable in the database: only its payment state moves; corrections are credit notes', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const tenant = await createTenant(platform);
    const { onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-03-10');
    const id = onboardingInvoiceId as string;
    const db = platform.database.db;
    const run = (statement: ReturnType<typeof sql>) => withOperator(db, 'system:test', (tx) => statement.execute(tx), tenant.tenantId);
    await expect(run(sql`update billing_invoices set total_ht_cents = 1 where id = ${id}`)).rejects.toThrow(/immutable/);
    await expect(run(sql`update billing_invoices set number = 'FA-2026-999999' where id = ${id}`)).rejects.toThrow(/immutable/);
    await expect(run(sql`delete from billing_invoices where id = ${id}`)).rejects.toThrow(/cannot be deleted/);
    await expect(run(sql`delete from billing_invoice_lines where invoice_id = ${id}`)).rejects.toThrow(/immutable/);
    await expect(run(sql`insert into billing_invoice_lines (tenant_id, invoice_id, position, kind, description, quantity, unit_price_millicents, amount_ht_cents, vat_rate_bp)
                         values (${tenant.tenantId}, ${id}, 9, 'manual', 'x', 1, 1000, 1, 2000)`)).rejects.toThrow(/immutable/);
    await run(sql`update billing_invoices set payment_status = 'partially_paid', amount_paid_cents = 100 where id = ${id}`);
    await run(sql`update billing_invoices set payment_status = 'unpaid', amount_paid_cents = 0 where id = ${id}`);

    // The correction: a credit note in its own series, linked to the invoice.
    const credit = await billing().invoicing.createCreditNote(ctx, id, { reason: 'Frais de mise en service offerts' });
    expect(credit).toMatchObject({ kind: 'credit_note', status: 'issued', creditedInvoiceId: id, totalHtCents: 49000, totalTtcCents: 58800 });
    expect(credit.number).toMatch(/^AV-2026-\d{6}$/);
    expect(await billing().invoicing.operatorInvoice(ctx, id)).toMatchObject({ amountCreditedCents: 58800, paymentStatus: 'paid', amountDueCents: 0 });
    await expect(billing().invoicing.createCreditNote(ctx, id, { reason: 'encore' })).rejects.toMatchObject({ code: 'credit_exceeds_invoice' });
    const { xml } = await billing().invoicing.facturX(ctx, credit.id);
    expect(xml).toContain('<ram:TypeCode>381</ram:TypeCode>');
  });
});

describe('the monthly invoice run', () => {
  it('bills subscriptions, a 3-POI raise on 10 March prorated (€61.74), usage, an AF2M fine + 15 % and a SOFY downtime; idempotent per period and tenant', async () => {
    clock.set('2026-03-01T09:00:00Z');
    const tenant = await createTenant(platform);
    const { contract, ctx } = await signContract(platform, tenant.tenantId, '2026-03-01', { poiCount: 10, onboardingFeeCents: 0, startDate: '2026-03-01' });
    clock.set('2026-03-10T09:00:00Z');
    const amended = await billing().contracts.amendPoiLicence(ctx, contract.id, { poiCount: 13, signedOn: '2026-03-10' });
    expect(amended.licence.licensedPoi).toBe(13);
    expect(await billing().canCreatePoi(tenant.tenantId, 12)).toEqual({ allowed: true });
    expect(await billing().canCreatePoi(tenant.tenantId, 13)).toMatchObject({ allowed: false, reason: 'licence_exhausted', licensed: 13 });
    const charges = await billing().invoicing.listCharges(ctx, tenant.tenantId);
    expect(charges).toEqual([expect.objectContaining({ kind: 'proration', amountHtCents: 6174 })]);
    await billing().invoicing.addCharge(ctx, { kind: 'af2m_fine', tenantId: tenant.tenantId, reference: 'AF2M décision 2026-17', onDate: '2026-03-12', fineCents: 100000 });
    await expect(billing().invoicing.addCharge(ctx, { kind: 'passthrough', tenantId: tenant.tenantId, description: 'Taxe opérateur', onDate: '2026-03-12', costCents: 1230, billedCents: 1300 })).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ path: '/billedCents' }],
    });
    await billing().invoicing.addCharge(ctx, { kind: 'passthrough', tenantId: tenant.tenantId, description: 'Taxe opérateur mars 2026', onDate: '2026-03-12', costCents: 1230 });
    await billing().dunning.recordSofyDowntime(ctx, { tenantId: tenant.tenantId, from: '2026-03-20', to: '2026-03-21', reason: 'Panne plateforme' });
    // Messaging usage: 1 000 SMS of 2 segments at 4.5 c€ per segment, 10 WhatsApp at 7 c€.
    // usage_records is written by the dispatch functions (owner rights): the test inserts as the owner.
    await admin(platform.database.adminUrl, (client) =>
      client.query(
        `insert into usage_records (tenant_id, message_id, at, channel, route, country, segments, price_millicents)
         select $1::uuid, gen_random_uuid(), '2026-03-15T10:00:00Z'::timestamptz, 'sms', 'marketing', 'FR', 2, 9000 from generate_series(1, 1000)
         union all
         select $1::uuid, gen_random_uuid(), '2026-03-31T21:30:00Z'::timestamptz, 'whatsapp', 'marketing', 'FR', 1, 7000 from generate_series(1, 10)
         union all
         select $1::uuid, gen_random_uuid(), '2026-03-31T22:30:00Z'::timestamptz, 'sms', 'alert', 'FR', 1, 4000`,
        [tenant.tenantId],
      ),
    );

    clock.set('2026-04-01T06:00:00Z');
    const first = await billing().invoicing.runPeriod('2026-03-01', { issue: false });
    const again = await billing().invoicing.runPeriod('2026-03-01', { issue: false });
    expect(again.id).toBe(first.id);
    const preview = await billing().invoicing.getRun(ctx, first.id);
    const drafts = preview.invoices.filter((i) => i.tenantId === tenant.tenantId);
    expect(drafts).toHaveLength(1);
    const draft = drafts[0]!;
    expect(draft.status).toBe('draft');
    const byKind = (kind: string) => draft.lines?.filter((l) => l.kind === kind) ?? [];
    expect(byKind('subscription')).toEqual([
      expect.objectContaining({ quantity: '10', unitPriceMillicents: 2_900_000, prorata: null, amountHtCents: 29000 }),
      expect.objectContaining({ quantity: '-10', prorata: { numerator: 2, denominator: 31 }, amountHtCents: -1871 }),
    ]);
    expect(byKind('proration')).toEqual([expect.objectContaining({ quantity: '3', prorata: { numerator: 22, denominator: 31 }, amountHtCents: 6174 })]);
    expect(byKind('usage')).toEqual([
      expect.objectContaining({ quantity: '2000', unitPriceMillicents: 4500, amountHtCents: 9000 }),
      expect.objectContaining({ quantity: '10', unitPriceMillicents: 7000, amountHtCents: 70 }),
    ]);
    expect(byKind('af2m_fine')).toEqual([expect.objectContaining({ amountHtCents: 100000 })]);
    expect(byKind('af2m_fee')).toEqual([expect.objectContaining({ amountHtCents: 15000 })]);
    expect(byKind('passthrough')).toEqual([expect.objectContaining({ amountHtCents: 1230 })]);
    const ht = 29000 - 1871 + 6174 + 9000 + 70 + 100000 + 15000 + 1230;
    expect(draft).toMatchObject({ totalHtCents: ht, totalVatCents: Math.round(ht * 0.2), number: null });
    expect(draft.notes).toEqual(['Service indisponible du fait de SOFY du 20/03/2026 au 21/03/2026 : abonnement non facturé (art. 11 (i))']);

    const issued = await billing().invoicing.operatorIssueRun(ctx, first.id);
    expect(issued.status).toBe('issued');
    const invoice = await billing().invoicing.operatorInvoice(ctx, draft.id);
    expect(invoice).toMatchObject({ status: 'issued', totalHtCents: ht, issueDate: '2026-04-01', dueDate: '2026-05-01' });
    const { xml } = await billing().invoicing.facturX(ctx, invoice.id);
    expect(en16931Violations(xml)).toEqual([]);

    // Idempotent: a third run of March changes nothing for this tenant; pending charges are spent.
    await billing().invoicing.runPeriod('2026-03-01', { issue: true });
    const march = await billing().invoicing.operatorInvoices(ctx, { limit: 50, tenantId: tenant.tenantId });
    expect(march.data.filter((i) => i.periodStart === '2026-03-01' && i.origin === 'monthly').map((i) => i.id)).toEqual([draft.id]);
    expect(await billing().invoicing.listCharges(ctx, tenant.tenantId)).toEqual([]);

    // April: 13 POI from the first day, no proration left.
    clock.set('2026-05-01T06:00:00Z');
    const april = await billing().invoicing.runPeriod('2026-04-01', { issue: false });
    const aprilDraft = (await billing().invoicing.getRun(ctx, april.id)).invoices.find((i) => i.tenantId === tenant.tenantId);
    // …and the alert SMS sent at 00:30 Paris time on 1 April is April's, not March's.
    expect(aprilDraft?.lines).toEqual([
      expect.objectContaining({ kind: 'subscription', quantity: '13', amountHtCents: 37700 }),
      expect.objectContaining({ kind: 'usage', quantity: '1', unitPriceMillicents: 4000, amountHtCents: 4 }),
    ]);
  });

  it('applies the SYNTEC revision at the anniversary (1 000.00 × 322.2 / 315.0 → 1 022.86) and keeps it as history', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const ctx = operatorContext();
    await billing().catalogue.setSyntec(ctx, '2024-11', '315.0');
    await billing().catalogue.setSyntec(ctx, '2025-11', '322.2');
    const tenant = await createTenant(platform);
    const { contract } = await signContract(platform, tenant.tenantId, '2025-01-15', {
      startDate: '2025-01-15',
      termMonths: 36,
      onboardingFeeCents: 0,
      items: [{ product: 'soreach', unitCents: 100000 }],
    });
    await billing().contracts.upkeep('2026-03-10');
    const revised = await billing().contracts.getContract(ctx, contract.id);
    expect(revised.subscriptions).toEqual([{ product: 'soreach', perPoi: false, unitCents: 102286 }]);
    expect(revised.history).toContainEqual({
      onDate: '2026-01-15',
      kind: 'price_revised',
      detail: expect.objectContaining({ revisions: [expect.objectContaining({ product: 'soreach', previousPriceCents: 100000, revisedPriceCents: 102286, s0: expect.objectContaining({ value: '315.0' }), s1: expect.objectContaining({ value: '322.2' }) })] }),
    });
    await billing().contracts.upkeep('2026-03-11');
    expect((await billing().contracts.getContract(ctx, contract.id)).history.filter((h) => h.kind === 'price_revised')).toHaveLength(1);
  });
});

describe('invoice numbering', () => {
  it('has no gap and no duplicate when two invoice runs race (two periods, each run twice at once)', async () => {
    clock.set('2026-01-05T09:00:00Z');
    const tenants = await Promise.all(Array.from({ length: 6 }, () => createTenant(platform)));
    for (const tenant of tenants) await signContract(platform, tenant.tenantId, '2026-01-05', { startDate: '2026-01-01', onboardingFeeCents: 0, poiCount: 2 });
    clock.set('2026-03-12T09:00:00Z');
    const runs = await Promise.all([
      billing().invoicing.runPeriod('2026-01-01', { issue: true }),
      billing().invoicing.runPeriod('2026-02-01', { issue: true }),
      billing().invoicing.runPeriod('2026-01-01', { issue: true }),
      billing().invoicing.runPeriod('2026-02-01', { issue: true }),
    ]);
    // Two calls of one period share its run; whichever finishes last sees every draft issued.
    expect(new Set(runs.map((r) => r.id)).size).toBe(2);
    const ctx = operatorContext();
    const all = await billing().invoicing.listRuns(ctx);
    expect(all.filter((r) => r.periodStart === '2026-01-01' || r.periodStart === '2026-02-01').map((r) => [r.status, r.drafts])).toEqual([
      ['issued', 0],
      ['issued', 0],
    ]);
    const numbers = await issuedNumbers(platform);
    expect(findSequenceGaps(numbers)).toEqual({ missing: [], duplicates: [], malformed: [] });
    for (const tenant of tenants) {
      const invoices = (await billing().invoicing.operatorInvoices(ctx, { limit: 50, tenantId: tenant.tenantId })).data.filter((i) => i.origin === 'monthly');
      expect(invoices.map((i) => i.periodStart).sort()).toEqual(['2026-01-01', '2026-02-01']);
      expect(invoices.every((i) => i.status === 'issued' && i.number)).toBe(true);
    }
  });
});

describe('payments', () => {
  it('the 1 % discount applies when paid on day 8, not on day 9; partial payments add up', async () => {
    clock.set('2026-03-02T09:00:00Z');
    const a = await createTenant(platform);
    const b = await createTenant(platform);
    const first = await signContract(platform, a.tenantId, '2026-03-02');
    const second = await signContract(platform, b.tenantId, '2026-03-02');
    // 490.00 HT, 588.00 TTC; discount 4.90 HT + 0.98 VAT → 582.12 settles within 8 days.
    clock.set('2026-03-10T16:00:00Z');
    await billing().payments.recordPayment(first.ctx, { tenantId: a.tenantId, amountCents: 58212, receivedOn: '2026-03-10', method: 'transfer' });
    expect(await billing().invoicing.operatorInvoice(first.ctx, first.onboardingInvoiceId as string)).toMatchObject({ paymentStatus: 'paid', discountTakenCents: 588, paidOn: '2026-03-10', amountDueCents: 0 });
    clock.set('2026-03-11T16:00:00Z');
    const late = await billing().payments.recordPayment(second.ctx, { tenantId: b.tenantId, amountCents: 58212, receivedOn: '2026-03-11', method: 'transfer' });
    expect(late.allocations).toEqual([expect.objectContaining({ amountCents: 58212, discountCents: 0 })]);
    expect(await billing().invoicing.operatorInvoice(second.ctx, second.onboardingInvoiceId as string)).toMatchObject({ paymentStatus: 'partially_paid', discountTakenCents: 0, amountDueCents: 588 });
    await billing().payments.recordPayment(second.ctx, { tenantId: b.tenantId, amountCents: 1000, receivedOn: '2026-03-11', method: 'transfer' });
    expect(await billing().invoicing.operatorInvoice(second.ctx, second.onboardingInvoiceId as string)).toMatchObject({ paymentStatus: 'paid', amountPaidCents: 58800 });
    const payments = await billing().payments.operatorPayments(second.ctx, { tenantId: b.tenantId, limit: 10 });
    expect(payments.map((p) => [p.amountCents, p.allocatedCents])).toEqual(expect.arrayContaining([[58212, 58212], [1000, 588]]));
    // R-CAP: the HT amount paid over the 12 months before an event.
    const cap = await billing().payments.liabilityCap(second.ctx, b.tenantId, '2026-06-01');
    expect(cap.capHtCents).toBe(49000);
  });

  it('imports a bank statement CSV: credits matched by reference; the same statement twice is refused', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const tenant = await createTenant(platform);
    const { onboardingInvoiceId, ctx } = await signContract(platform, tenant.tenantId, '2026-03-10');
    const invoice = await billing().invoicing.operatorInvoice(ctx, onboardingInvoiceId as string);
    clock.set('2026-03-25T09:00:00Z');
    const csv = [
      'Date;Libellé;Débit;Crédit',
      `24/03/2026;VIR SEPA CLIENT ${invoice.number?.replace(/-/g, ' ')};;588,00`,
      '24/03/2026;PRLV SEPA EDF;42,10;',
      '24/03/2026;VIR INCONNU SANS REFERENCE;;12,34',
    ].join('\r\n');
    const report = await billing().payments.importStatement(ctx, { bytes: Buffer.from(csv, 'utf8'), filename: 'releve.csv' });
    expect(report).toMatchObject({ lines: 2, fresh: 2, matched: [{ amountCents: 58800, allocations: [{ invoiceNumber: invoice.number, amountCents: 58800 }] }], unmatched: [{ amountCents: 1234 }] });
    expect(await billing().invoicing.operatorInvoice(ctx, invoice.id)).toMatchObject({ paymentStatus: 'paid', paidOn: '2026-03-24' });
    await expect(billing().payments.importStatement(ctx, { bytes: Buffer.from(csv, 'utf8'), filename: 'releve.csv' })).rejects.toMatchObject({ code: 'statement_already_imported' });
    const unmatched = await billing().payments.unmatchedLines(ctx);
    expect(unmatched.map((l) => l.amountCents)).toContain(1234);
  });

  it('exports a SEPA batch as pain.008 with the pre-notification 14 days ahead', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const tenant = await createTenant(platform);
    const { ctx } = await signContract(platform, tenant.tenantId, '2026-03-10', {
      paymentMethod: 'sepa',
      sepa: { rum: `SOFY-RUM-${tenant.tenantId.slice(0, 8)}`, iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX', signedOn: '2026-03-01' },
    });
    await expect(billing().payments.createSepaBatch(ctx, { collectionDate: '2026-03-20', dueBy: '2026-04-30' })).rejects.toMatchObject({ code: 'prenotification_too_late', errors: [{ path: '/collectionDate' }] });
    const batch = await billing().payments.createSepaBatch(ctx, { collectionDate: '2026-04-09', dueBy: '2026-04-30' });
    expect(batch.items).toEqual(expect.arrayContaining([expect.objectContaining({ tenantId: tenant.tenantId, amountCents: 58800, sequenceType: 'FRST' })]));
    const { xml } = await billing().payments.sepaBatchXml(ctx, batch.id);
    expect(xml).toContain('pain.008.001.02');
    expect(xml).toContain('<SeqTp>FRST</SeqTp>');
    expect(xml).toContain('<ReqdColltnDt>2026-04-09</ReqdColltnDt>');
    const emails = await withTenant(platform.database.db, tenant.tenantId, (tx) => sql<{ kind: string; subject: string }>`select kind, subject from billing_emails where tenant_id = ${tenant.tenantId}`.execute(tx));
    expect(emails.rows).toEqual([expect.objectContaining({ kind: 'sepa_prenotification', subject: expect.stringContaining('09/04/2026') })]);
    clock.set('2026-04-09T12:00:00Z');
    await billing().payments.settleSepaBatch(ctx, batch.id);
    const invoice = (await billing().invoicing.operatorInvoices(ctx, { limit: 10, tenantId: tenant.tenantId })).data[0];
    expect(invoice).toMatchObject({ paymentStatus: 'paid', paidOn: '2026-04-09' });
  });
});

describe('R-CONFID over HTTP', () => {
  it('shows contracts and invoices to owners and admins only; API keys and other roles are refused; no tenant sees another’s', async () => {
    clock.set(new Date());
    const tenant = await createTenant(platform);
    const other = await createTenant(platform);
    const { onboardingInvoiceId } = await signContract(platform, tenant.tenantId, new Date().toISOString().slice(0, 10));
    const { ConsoleSession } = await import('../support/platform.ts');
    const owner = new ConsoleSession(platform.app, clock);
    await owner.firstLogin(tenant.ownerEmail, tenant.ownerPassword);
    const list = await owner.request('GET', '/v1/billing/invoices');
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((i: { id: string }) => i.id)).toEqual([onboardingInvoiceId]);
    const contracts = await owner.request('GET', '/v1/billing/contracts');
    expect(contracts.json().data[0].subscriptions).toEqual([{ product: 'soview', perPoi: true, unitCents: 2900 }]);
    const pdf = await owner.request('GET', `/v1/billing/invoices/${onboardingInvoiceId}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const xml = await owner.request('GET', `/v1/billing/invoices/${onboardingInvoiceId}/factur-x.xml`);
    expect(xml.statusCode).toBe(200);
    expect(xml.body).toContain('CrossIndustryInvoice');

    const created = await owner.request('POST', '/v1/users', { email: `marketer-${tenant.tenantId.slice(0, 6)}@client.test`, name: 'Marketeur', role: 'marketer' });
    expect(created.statusCode).toBe(201);
    const marketer = new ConsoleSession(platform.app, clock);
    await marketer.firstLogin(created.json().user.email, created.json().oneTimePassword);
    for (const url of ['/v1/billing/invoices', '/v1/billing/contracts', '/v1/billing/payments', `/v1/billing/invoices/${onboardingInvoiceId}/pdf`]) {
      const refused = await marketer.request('GET', url);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'forbidden' });
    }
    const byKey = await platform.app.inject({ method: 'GET', url: '/v1/billing/invoices', headers: { authorization: `Bearer ${tenant.apiKey}` } });
    expect(byKey.statusCode).toBe(403);

    const stranger = new ConsoleSession(platform.app, clock);
    await stranger.firstLogin(other.ownerEmail, other.ownerPassword);
    expect((await stranger.request('GET', `/v1/billing/invoices/${onboardingInvoiceId}`)).statusCode).toBe(404);
    expect((await stranger.request('GET', `/v1/billing/invoices/${onboardingInvoiceId}/pdf`)).statusCode).toBe(404);
    expect((await stranger.request('GET', '/v1/billing/invoices')).json().data).toEqual([]);
    // Operator routes are for billing operators only.
    expect((await owner.request('GET', '/v1/operator/billing/invoices')).statusCode).toBe(403);
  });

  it('lets sofy_billing into the operator workspace and keeps sofy_support out', async () => {
    clock.set(new Date());
    const { createUserInTx } = await import('../../src/modules/identity/index.ts');
    const { ConsoleSession } = await import('../support/platform.ts');
    const make = async (role: string) => {
      const created = await withOperator(platform.database.db, 'system:test', (tx) =>
        createUserInTx(tx, { actor: { type: 'system', id: 'test', label: 'test' }, ip: null, requestId: null }, null, { email: `${role}-${Date.now()}@sofy.test`, name: role, role }, clock.now()),
      );
      const session = new ConsoleSession(platform.app, clock);
      await session.firstLogin(created.user.email, created.oneTimePassword);
      return session;
    };
    const billingOperator = await make('sofy_billing');
    const support = await make('sofy_support');
    expect((await billingOperator.request('GET', '/v1/operator/billing/invoices')).statusCode).toBe(200);
    expect((await billingOperator.request('GET', '/v1/operator/billing/dunning')).statusCode).toBe(200);
    const syntec = await billingOperator.request('POST', '/v1/operator/billing/syntec', { month: '2026-01', value: '325,4' });
    expect(syntec.json()).toMatchObject({ month: '2026-01', value: '325.4' });
    const bad = await billingOperator.request('POST', '/v1/operator/billing/invoice-runs', { period: '2026-13' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: '/period' }] });
    expect((await support.request('GET', '/v1/operator/billing/invoices')).statusCode).toBe(403);
    const openapi = (await platform.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/billing/invoices', '/v1/operator/billing/invoice-runs/{id}/issue']));
  });
});
