import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import {
  type BillingContractsTable,
  type BillingDunningCasesTable,
  type BillingEmailsTable,
  type BillingInvoiceLinesTable,
  type BillingInvoicesTable,
  type BillingOrderFormsTable,
  type BillingPaymentsTable,
  type BillingPendingChargesTable,
  type BillingViesChecksTable,
  type BTx,
  billingTx,
  type ContractEventKind,
  type DunningEventKind,
  type LineKind,
  type PendingChargeKind,
} from './db.ts';

/** SQL of the billing module (migration 0008). Services own the transactions and the rules. */

export type OrderFormRow = Selectable<BillingOrderFormsTable>;
export type ContractRow = Selectable<BillingContractsTable>;
export type InvoiceRow = Selectable<BillingInvoicesTable>;
export type LineRow = Selectable<BillingInvoiceLinesTable>;
export type ViesCheckRow = Selectable<BillingViesChecksTable>;
export type PaymentRow = Selectable<BillingPaymentsTable>;
export type PendingChargeRow = Selectable<BillingPendingChargesTable>;
export type DunningCaseRow = Selectable<BillingDunningCasesTable>;
export type EmailRow = Selectable<BillingEmailsTable>;

const b = (tx: Tx | BTx): BTx => billingTx(tx as Tx);

// Catalogue ----------------------------------------------------------------------------------------

export async function listProducts(tx: Tx) {
  return b(tx).selectFrom('billing_products').selectAll().orderBy('code').execute();
}

export async function listPriceLists(tx: Tx) {
  return b(tx).selectFrom('billing_price_lists').selectAll().orderBy('code').orderBy('version', 'desc').execute();
}

export async function priceListItems(tx: Tx, priceListIds: string[]) {
  if (!priceListIds.length) return [];
  return b(tx).selectFrom('billing_price_list_items').selectAll().where('price_list_id', 'in', priceListIds).execute();
}

/** The version of `code` in force on `date`: the newest whose effective date is on or before it. */
export async function priceListInForce(tx: Tx, code: string, date: string) {
  return b(tx)
    .selectFrom('billing_price_lists')
    .selectAll()
    .where('code', '=', code)
    .where('effective_from', '<=', date)
    .orderBy('effective_from', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findPriceList(tx: Tx, id: string) {
  return b(tx).selectFrom('billing_price_lists').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertPriceList(
  tx: Tx,
  list: { code: string; name: string; effectiveFrom: string; createdBy: string },
  items: Array<{ product: string; channel?: string; route?: string; country?: string; unitCents?: number | null; unitMillicents?: number | null }>,
) {
  const { next } = await b(tx)
    .selectFrom('billing_price_lists')
    .select(sql<number>`coalesce(max(version), 0) + 1`.as('next'))
    .where('code', '=', list.code)
    .executeTakeFirstOrThrow();
  const row = await b(tx)
    .insertInto('billing_price_lists')
    .values({ code: list.code, version: next, name: list.name, effective_from: list.effectiveFrom, created_by: list.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (items.length) {
    await b(tx)
      .insertInto('billing_price_list_items')
      .values(
        items.map((item) => ({
          price_list_id: row.id,
          product_code: item.product,
          channel: item.channel ?? '*',
          route: item.route ?? '*',
          country: item.country ?? '*',
          unit_cents: item.unitCents ?? null,
          unit_millicents: item.unitMillicents ?? null,
        })),
      )
      .execute();
  }
  return row;
}

export async function listSyntec(tx: Tx) {
  return b(tx).selectFrom('billing_syntec_indices').selectAll().orderBy('month', 'desc').execute();
}

export async function upsertSyntec(tx: Tx, month: string, value: string, by: string) {
  return b(tx)
    .insertInto('billing_syntec_indices')
    .values({ month, value, created_by: by })
    .onConflict((oc) => oc.column('month').doUpdateSet({ value, created_by: by }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listLegalRates(tx: Tx) {
  return b(tx).selectFrom('billing_legal_rates').selectAll().orderBy('effective_from', 'desc').execute();
}

export async function upsertLegalRate(tx: Tx, effectiveFrom: string, ratePercent: string, by: string) {
  return b(tx)
    .insertInto('billing_legal_rates')
    .values({ effective_from: effectiveFrom, rate_percent: ratePercent, created_by: by })
    .onConflict((oc) => oc.column('effective_from').doUpdateSet({ rate_percent: ratePercent, created_by: by }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

// VIES proofs ------------------------------------------------------------------------------------

export async function insertViesCheck(
  tx: Tx,
  check: { tenantId: string; countryCode: string; vatNumber: string; checkedAt: Date; outcome: 'valid' | 'invalid' | 'unavailable'; requestIdentifier: string | null; traderName: string | null; traderAddress: string | null; response: Record<string, unknown>; createdBy: string },
) {
  return b(tx)
    .insertInto('billing_vies_checks')
    .values({
      tenant_id: check.tenantId,
      country_code: check.countryCode,
      vat_number: check.vatNumber,
      checked_at: check.checkedAt,
      outcome: check.outcome,
      request_identifier: check.requestIdentifier,
      trader_name: check.traderName,
      trader_address: check.traderAddress,
      response: JSON.stringify(check.response),
      created_by: check.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findViesCheck(tx: Tx, id: string) {
  return b(tx).selectFrom('billing_vies_checks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The latest answer about one number for a tenant (the proof an invoice relies on). */
export async function latestViesCheck(tx: Tx, tenantId: string, vatNumber: string) {
  return b(tx)
    .selectFrom('billing_vies_checks')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(sql<string>`country_code || vat_number`, '=', vatNumber)
    .orderBy('checked_at', 'desc')
    .orderBy('recorded_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

// Order forms and contracts ---------------------------------------------------------------------------

export async function insertOrderForm(tx: Tx, values: Insertable<BillingOrderFormsTable>) {
  return b(tx).insertInto('billing_order_forms').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findOrderForm(tx: Tx, id: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_order_forms').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listOrderForms(tx: Tx, filter: { tenantId?: string | undefined; status?: string | undefined }) {
  let query = b(tx)
    .selectFrom('billing_order_forms as o')
    .innerJoin('tenants as t', 't.id', 'o.tenant_id')
    .selectAll('o')
    .select('t.name as tenant_name')
    .orderBy('o.created_at', 'desc')
    .limit(500);
  if (filter.tenantId) query = query.where('o.tenant_id', '=', filter.tenantId);
  if (filter.status) query = query.where('o.status', '=', filter.status as 'draft');
  return query.execute();
}

export async function setOrderFormStatus(tx: Tx, id: string, status: 'signed' | 'cancelled', signed: { signedOn: string; signatoryName: string } | null, now: Date) {
  return b(tx)
    .updateTable('billing_order_forms')
    .set({ status, signed_on: signed?.signedOn ?? null, signatory_name: signed?.signatoryName ?? null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertContract(tx: Tx, values: Insertable<BillingContractsTable>) {
  return b(tx).insertInto('billing_contracts').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findContract(tx: Tx, id: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_contracts').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The live (not ended) contract of a tenant. */
export async function liveContract(tx: Tx, tenantId: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_contracts').selectAll().where('tenant_id', '=', tenantId).where('status', '<>', 'ended');
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function listContracts(tx: Tx, filter: { tenantId?: string | undefined }) {
  let query = b(tx)
    .selectFrom('billing_contracts as c')
    .innerJoin('tenants as t', 't.id', 'c.tenant_id')
    .selectAll('c')
    .select(['t.name as tenant_name', 't.status as tenant_status'])
    .orderBy('c.created_at', 'desc')
    .limit(500);
  if (filter.tenantId) query = query.where('c.tenant_id', '=', filter.tenantId);
  return query.execute();
}

export async function updateContract(tx: Tx, id: string, patch: Updateable<BillingContractsTable>) {
  return b(tx).updateTable('billing_contracts').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function insertSubscriptions(tx: Tx, rows: Array<{ tenantId: string; contractId: string; product: string; perPoi: boolean; unitCents: number }>) {
  if (!rows.length) return;
  await b(tx)
    .insertInto('billing_subscriptions')
    .values(rows.map((r) => ({ tenant_id: r.tenantId, contract_id: r.contractId, product_code: r.product, per_poi: r.perPoi, unit_cents: r.unitCents })))
    .execute();
}

export async function subscriptions(tx: Tx, contractId: string) {
  return b(tx)
    .selectFrom('billing_subscriptions as s')
    .innerJoin('billing_products as p', 'p.code', 's.product_code')
    .selectAll('s')
    .select('p.name as product_name')
    .where('s.contract_id', '=', contractId)
    .orderBy('s.product_code')
    .execute();
}

/** Subscriptions without the product names (the tenant side cannot read the operator-only catalogue). */
export async function subscriptionRows(tx: Tx, contractId: string) {
  return b(tx).selectFrom('billing_subscriptions').selectAll().where('contract_id', '=', contractId).orderBy('product_code').execute();
}

export async function setSubscriptionPrice(tx: Tx, id: string, unitCents: number) {
  await b(tx).updateTable('billing_subscriptions').set({ unit_cents: unitCents }).where('id', '=', id).execute();
}

export async function insertContractEvent(tx: Tx, event: { tenantId: string; contractId: string; onDate: string; kind: ContractEventKind; detail: Record<string, unknown> }) {
  return b(tx)
    .insertInto('billing_contract_events')
    .values({ tenant_id: event.tenantId, contract_id: event.contractId, on_date: event.onDate, kind: event.kind, detail: JSON.stringify(event.detail) })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function contractEvents(tx: Tx, contractId: string) {
  return b(tx).selectFrom('billing_contract_events').selectAll().where('contract_id', '=', contractId).orderBy('on_date').orderBy('id').execute();
}

export async function insertPoiAmendment(
  tx: Tx,
  row: { tenantId: string; contractId: string; kind: 'raise' | 'reduce'; fromCount: number; toCount: number; requestedOn: string; effectiveOn: string; status: 'scheduled' | 'applied'; createdBy: string },
) {
  return b(tx)
    .insertInto('billing_poi_amendments')
    .values({
      tenant_id: row.tenantId,
      contract_id: row.contractId,
      kind: row.kind,
      from_count: row.fromCount,
      to_count: row.toCount,
      requested_on: row.requestedOn,
      effective_on: row.effectiveOn,
      status: row.status,
      created_by: row.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function poiAmendments(tx: Tx, contractId: string) {
  return b(tx).selectFrom('billing_poi_amendments').selectAll().where('contract_id', '=', contractId).orderBy('requested_on').orderBy('created_at').execute();
}

export async function setAmendmentStatus(tx: Tx, ids: string[], status: 'applied' | 'cancelled') {
  if (!ids.length) return;
  await b(tx).updateTable('billing_poi_amendments').set({ status }).where('id', 'in', ids).execute();
}

export async function insertNotice(
  tx: Tx,
  row: { tenantId: string; contractId: string; receivedOn: string; channel: 'registered_letter' | 'email'; reference: string | null; anniversary: string; deadline: string; createdBy: string },
) {
  return b(tx)
    .insertInto('billing_termination_notices')
    .values({
      tenant_id: row.tenantId,
      contract_id: row.contractId,
      received_on: row.receivedOn,
      channel: row.channel,
      reference: row.reference,
      anniversary: row.anniversary,
      deadline: row.deadline,
      created_by: row.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function notices(tx: Tx, contractId: string) {
  return b(tx).selectFrom('billing_termination_notices').selectAll().where('contract_id', '=', contractId).orderBy('received_on').execute();
}

/** Contracts of every tenant still running at `date` (operator context). */
export async function contractsRunningIn(tx: Tx, from: string, to: string) {
  return b(tx)
    .selectFrom('billing_contracts')
    .selectAll()
    .where('start_date', '<=', to)
    .where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>', from)]))
    .orderBy('tenant_id')
    .execute();
}

export async function insertTenantPrices(tx: Tx, tenantId: string, prices: Array<{ channel: string; route: string; country: string; unitMillicents: number }>, effectiveFrom: Date) {
  if (!prices.length) return;
  await tx
    .insertInto('tenant_prices')
    .values(prices.map((p) => ({ tenant_id: tenantId, channel: p.channel, route: p.route, country: p.country, unit_millicents: p.unitMillicents, effective_from: effectiveFrom })))
    .onConflict((oc) => oc.columns(['tenant_id', 'channel', 'route', 'country', 'effective_from']).doUpdateSet((eb) => ({ unit_millicents: eb.ref('excluded.unit_millicents') })))
    .execute();
}

// Invoices ---------------------------------------------------------------------------------------

export async function insertInvoice(tx: Tx, values: Insertable<BillingInvoicesTable>) {
  return b(tx).insertInto('billing_invoices').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertLines(
  tx: Tx,
  tenantId: string,
  invoiceId: string,
  lines: Array<{ kind: LineKind; product: string | null; description: string; periodStart: string | null; periodEnd: string | null; quantity: string; unitPriceMillicents: number; amountHtCents: number; vatRateBp: number; detail: Record<string, unknown> }>,
) {
  if (!lines.length) return [];
  return b(tx)
    .insertInto('billing_invoice_lines')
    .values(
      lines.map((line, index) => ({
        tenant_id: tenantId,
        invoice_id: invoiceId,
        position: index + 1,
        kind: line.kind,
        product_code: line.product,
        description: line.description,
        period_start: line.periodStart,
        period_end: line.periodEnd,
        quantity: line.quantity,
        unit_price_millicents: line.unitPriceMillicents,
        amount_ht_cents: line.amountHtCents,
        vat_rate_bp: line.vatRateBp,
        detail: JSON.stringify(line.detail),
      })),
    )
    .returningAll()
    .execute();
}

export async function findInvoice(tx: Tx, id: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_invoices').selectAll().where('id', '=', id);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function invoiceLines(tx: Tx, invoiceId: string) {
  return b(tx).selectFrom('billing_invoice_lines').selectAll().where('invoice_id', '=', invoiceId).orderBy('position').execute();
}

export async function monthlyInvoice(tx: Tx, tenantId: string, periodStart: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_invoices').selectAll().where('tenant_id', '=', tenantId).where('origin', '=', 'monthly').where('period_start', '=', periodStart);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function deleteDraft(tx: Tx, id: string) {
  await b(tx).deleteFrom('billing_invoices').where('id', '=', id).where('status', '=', 'draft').execute();
}

export interface InvoiceFilter {
  tenantId?: string | undefined;
  status?: 'draft' | 'issued' | undefined;
  paymentStatus?: 'unpaid' | 'partially_paid' | 'paid' | undefined;
  kind?: 'invoice' | 'credit_note' | undefined;
  runId?: string | undefined;
  overdueOn?: string | undefined;
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

export async function listInvoices(tx: Tx, filter: InvoiceFilter) {
  let query = b(tx)
    .selectFrom('billing_invoices as i')
    .innerJoin('tenants as t', 't.id', 'i.tenant_id')
    .selectAll('i')
    .select('t.name as tenant_name')
    .orderBy('i.created_at', 'desc')
    .orderBy('i.id', 'desc')
    .limit(filter.limit);
  if (filter.tenantId) query = query.where('i.tenant_id', '=', filter.tenantId);
  if (filter.status) query = query.where('i.status', '=', filter.status);
  if (filter.paymentStatus) query = query.where('i.payment_status', '=', filter.paymentStatus);
  if (filter.kind) query = query.where('i.kind', '=', filter.kind);
  if (filter.runId) query = query.where('i.invoice_run_id', '=', filter.runId);
  if (filter.overdueOn) query = query.where('i.status', '=', 'issued').where('i.kind', '=', 'invoice').where('i.payment_status', '<>', 'paid').where('i.due_date', '<', filter.overdueOn);
  if (filter.before) {
    const { createdAt, id } = filter.before;
    query = query.where((eb) => eb.or([eb('i.created_at', '<', new Date(createdAt)), eb.and([eb('i.created_at', '=', new Date(createdAt)), eb('i.id', '<', id)])]));
  }
  return query.execute();
}

/**
 * The next number of a series, in the caller's (issuing) transaction: the counter row is created
 * or incremented by one statement, and stays locked until commit, so concurrent issuers queue and
 * a rolled-back issue releases its number to the next (no gap, no duplicate).
 */
export async function nextInvoiceSequence(tx: Tx, series: string, year: number): Promise<number> {
  const row = await b(tx)
    .insertInto('billing_invoice_series')
    .values({ series, year, last_number: 1 })
    .onConflict((oc) => oc.columns(['series', 'year']).doUpdateSet({ last_number: sql<number>`billing_invoice_series.last_number + 1` }))
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return row.last_number;
}

export async function markIssued(
  tx: Tx,
  id: string,
  issued: { number: string; sequence: number; issueDate: string; dueDate: string | null; discountDeadline: string | null; document: Record<string, unknown>; issuedAt: Date; totals: { ht: number; vat: number; ttc: number; discountHt: number; discountTtc: number } },
) {
  return b(tx)
    .updateTable('billing_invoices')
    .set({
      status: 'issued',
      number: issued.number,
      sequence: issued.sequence,
      issue_date: issued.issueDate,
      due_date: issued.dueDate,
      discount_deadline: issued.discountDeadline,
      document: JSON.stringify(issued.document),
      issued_at: issued.issuedAt,
      total_ht_cents: issued.totals.ht,
      total_vat_cents: issued.totals.vat,
      total_ttc_cents: issued.totals.ttc,
      discount_ht_cents: issued.totals.discountHt,
      discount_ttc_cents: issued.totals.discountTtc,
      updated_at: issued.issuedAt,
    })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .returningAll()
    .executeTakeFirst();
}

export async function setDraftTotals(tx: Tx, id: string, totals: { ht: number; vat: number; ttc: number; discountHt: number; discountTtc: number }, notes: string[]) {
  await b(tx)
    .updateTable('billing_invoices')
    .set({ total_ht_cents: totals.ht, total_vat_cents: totals.vat, total_ttc_cents: totals.ttc, discount_ht_cents: totals.discountHt, discount_ttc_cents: totals.discountTtc, notes })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .execute();
}

export async function setPaymentState(
  tx: Tx,
  id: string,
  state: { paymentStatus: 'unpaid' | 'partially_paid' | 'paid'; amountPaidCents: number; amountCreditedCents: number; discountTakenCents: number; paidOn: string | null; now: Date },
) {
  return b(tx)
    .updateTable('billing_invoices')
    .set({
      payment_status: state.paymentStatus,
      amount_paid_cents: state.amountPaidCents,
      amount_credited_cents: state.amountCreditedCents,
      discount_taken_cents: state.discountTakenCents,
      paid_on: state.paidOn,
      updated_at: state.now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Issued invoices of a tenant with something still due, oldest due first. */
export async function openInvoices(tx: Tx, tenantId: string, forUpdate = false) {
  let query = b(tx)
    .selectFrom('billing_invoices')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'invoice')
    .where('status', '=', 'issued')
    .where('payment_status', '<>', 'paid')
    .orderBy('due_date')
    .orderBy('sequence');
  if (forUpdate) query = query.forUpdate();
  return query.execute();
}

/** Tenants with an issued invoice unpaid after its due date (`due_date < today`). */
export async function tenantsOverdue(tx: Tx, today: string) {
  const rows = await b(tx)
    .selectFrom('billing_invoices')
    .select('tenant_id')
    .distinct()
    .where('kind', '=', 'invoice')
    .where('status', '=', 'issued')
    .where('payment_status', '<>', 'paid')
    .where('due_date', '<', today)
    .execute();
  return rows.map((r) => r.tenant_id);
}

// Invoice runs -----------------------------------------------------------------------------------

export async function upsertRun(tx: Tx, periodStart: string, by: string, now: Date) {
  return b(tx)
    .insertInto('billing_invoice_runs')
    .values({ period_start: periodStart, created_by: by, refreshed_at: now })
    .onConflict((oc) => oc.column('period_start').doUpdateSet({ refreshed_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findRun(tx: Tx, id: string) {
  return b(tx).selectFrom('billing_invoice_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listRuns(tx: Tx) {
  return b(tx)
    .selectFrom('billing_invoice_runs as r')
    .selectAll('r')
    .select((eb) => [
      eb.selectFrom('billing_invoices as i').whereRef('i.invoice_run_id', '=', 'r.id').select(sql<number>`count(*)::int`.as('n')).as('invoices'),
      eb.selectFrom('billing_invoices as i').whereRef('i.invoice_run_id', '=', 'r.id').where('i.status', '=', 'draft').select(sql<number>`count(*)::int`.as('n')).as('drafts'),
      eb.selectFrom('billing_invoices as i').whereRef('i.invoice_run_id', '=', 'r.id').select(sql<number>`coalesce(sum(i.total_ht_cents), 0)::bigint`.as('s')).as('total_ht_cents'),
    ])
    .orderBy('r.period_start', 'desc')
    .execute();
}

export async function markRunIssued(tx: Tx, id: string, by: string, now: Date) {
  await b(tx).updateTable('billing_invoice_runs').set({ status: 'issued', issued_at: now, issued_by: by }).where('id', '=', id).execute();
}

export async function runDrafts(tx: Tx, runId: string) {
  return b(tx).selectFrom('billing_invoices').select(['id', 'tenant_id']).where('invoice_run_id', '=', runId).where('status', '=', 'draft').orderBy('created_at').orderBy('id').execute();
}

// Usage and pending charges -----------------------------------------------------------------------

export interface UsageGroup {
  channel: string;
  route: string | null;
  country: string | null;
  unit_millicents: number;
  messages: number;
  units: number;
  total_millicents: number;
}

/**
 * Messaging usage of the tenant from `fromDate` to `toDate` (Paris civil days, inclusive), grouped by channel, route, country and
 * unit price: SMS are priced per segment, the other channels per message (R-ENCODING), so each
 * group is exactly units × unit price, and the line total is rounded once (rules/money.ts).
 */
export async function usageGroups(tx: Tx, tenantId: string, fromDate: string, toDate: string): Promise<UsageGroup[]> {
  const { rows } = await sql<UsageGroup>`
    select channel, route, country, unit_millicents, count(*)::int as messages, sum(units)::bigint as units, sum(price_millicents)::bigint as total_millicents
      from (select channel, route, country, price_millicents,
                   case when channel = 'sms' then greatest(segments, 1) else 1 end as units,
                   price_millicents / (case when channel = 'sms' then greatest(segments, 1) else 1 end) as unit_millicents
              from usage_records
             where tenant_id = ${tenantId}
               and at >= (${fromDate}::date::timestamp at time zone 'Europe/Paris')
               and at < ((${toDate}::date + 1)::timestamp at time zone 'Europe/Paris')) u
     group by channel, route, country, unit_millicents
     order by channel, route nulls first, country nulls first, unit_millicents`.execute(tx);
  return rows;
}

export async function insertPendingCharge(
  tx: Tx,
  row: { tenantId: string; kind: PendingChargeKind; description: string; onDate: string; quantity: string; unitPriceMillicents: number; amountHtCents: number; detail: Record<string, unknown>; createdBy: string },
) {
  return b(tx)
    .insertInto('billing_pending_charges')
    .values({
      tenant_id: row.tenantId,
      kind: row.kind,
      description: row.description,
      on_date: row.onDate,
      quantity: row.quantity,
      unit_price_millicents: row.unitPriceMillicents,
      amount_ht_cents: row.amountHtCents,
      detail: JSON.stringify(row.detail),
      created_by: row.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function pendingCharges(tx: Tx, tenantId: string, until: string | null) {
  let query = b(tx).selectFrom('billing_pending_charges').selectAll().where('tenant_id', '=', tenantId).where('invoice_id', 'is', null).orderBy('on_date').orderBy('created_at');
  if (until) query = query.where('on_date', '<=', until);
  return query.execute();
}

export async function listPendingCharges(tx: Tx, tenantId: string | undefined) {
  let query = b(tx)
    .selectFrom('billing_pending_charges as p')
    .innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .selectAll('p')
    .select('t.name as tenant_name')
    .where('p.invoice_id', 'is', null)
    .orderBy('p.on_date');
  if (tenantId) query = query.where('p.tenant_id', '=', tenantId);
  return query.execute();
}

export async function deletePendingCharge(tx: Tx, id: string) {
  const result = await b(tx).deleteFrom('billing_pending_charges').where('id', '=', id).where('invoice_id', 'is', null).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function attachCharges(tx: Tx, ids: string[], invoiceId: string) {
  if (!ids.length) return;
  await b(tx).updateTable('billing_pending_charges').set({ invoice_id: invoiceId }).where('id', 'in', ids).execute();
}

export async function suspensionsOverlapping(tx: Tx, tenantId: string, from: string, to: string) {
  return b(tx)
    .selectFrom('billing_suspensions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('from_date', '<=', to)
    .where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', from)]))
    .orderBy('from_date')
    .execute();
}

export async function insertSuspension(tx: Tx, row: { tenantId: string; cause: 'nonpayment' | 'fraud' | 'sofy'; fromDate: string; toDate: string | null; reason: string; caseId: string | null; createdBy: string }) {
  return b(tx)
    .insertInto('billing_suspensions')
    .values({ tenant_id: row.tenantId, cause: row.cause, from_date: row.fromDate, to_date: row.toDate, reason: row.reason, case_id: row.caseId, created_by: row.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function closeOpenSuspensions(tx: Tx, tenantId: string, cause: 'nonpayment' | 'fraud' | 'sofy', toDate: string) {
  await b(tx).updateTable('billing_suspensions').set({ to_date: toDate }).where('tenant_id', '=', tenantId).where('cause', '=', cause).where('to_date', 'is', null).execute();
}

export async function listSuspensions(tx: Tx, tenantId: string) {
  return b(tx).selectFrom('billing_suspensions').selectAll().where('tenant_id', '=', tenantId).orderBy('from_date', 'desc').execute();
}

// Payments ---------------------------------------------------------------------------------------

export async function insertPayment(
  tx: Tx,
  row: { tenantId: string; method: 'transfer' | 'sepa' | 'other'; amountCents: number; receivedOn: string; reference: string | null; bankLine: string | null; sepaBatchId: string | null; createdBy: string },
) {
  return b(tx)
    .insertInto('billing_payments')
    .values({
      tenant_id: row.tenantId,
      method: row.method,
      amount_cents: row.amountCents,
      received_on: row.receivedOn,
      reference: row.reference,
      bank_line: row.bankLine,
      sepa_batch_id: row.sepaBatchId,
      created_by: row.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertAllocation(tx: Tx, row: { paymentId: string; invoiceId: string; tenantId: string; amountCents: number; discountCents: number }) {
  await b(tx)
    .insertInto('billing_payment_allocations')
    .values({ payment_id: row.paymentId, invoice_id: row.invoiceId, tenant_id: row.tenantId, amount_cents: row.amountCents, discount_cents: row.discountCents })
    .execute();
}

export async function listPayments(tx: Tx, filter: { tenantId?: string | undefined; limit: number }) {
  let query = b(tx)
    .selectFrom('billing_payments as p')
    .innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .selectAll('p')
    .select('t.name as tenant_name')
    .select((eb) => [
      eb.selectFrom('billing_payment_allocations as a').whereRef('a.payment_id', '=', 'p.id').select(sql<number>`coalesce(sum(a.amount_cents), 0)::bigint`.as('s')).as('allocated_cents'),
    ])
    .orderBy('p.received_on', 'desc')
    .orderBy('p.created_at', 'desc')
    .limit(filter.limit);
  if (filter.tenantId) query = query.where('p.tenant_id', '=', filter.tenantId);
  return query.execute();
}

export async function allocationsOfPayments(tx: Tx, paymentIds: string[]) {
  if (!paymentIds.length) return [];
  return b(tx)
    .selectFrom('billing_payment_allocations as a')
    .innerJoin('billing_invoices as i', 'i.id', 'a.invoice_id')
    .select(['a.payment_id', 'a.invoice_id', 'a.amount_cents', 'a.discount_cents', 'i.number'])
    .where('a.payment_id', 'in', paymentIds)
    .execute();
}

/** Allocations to invoices, with the payment date and the invoice totals (R-CAP). */
export async function allocationsReceivedBetween(tx: Tx, tenantId: string, fromExclusive: string, toInclusive: string) {
  return b(tx)
    .selectFrom('billing_payment_allocations as a')
    .innerJoin('billing_payments as p', 'p.id', 'a.payment_id')
    .innerJoin('billing_invoices as i', 'i.id', 'a.invoice_id')
    .select(['a.invoice_id', 'a.amount_cents', 'a.discount_cents', 'p.received_on', 'i.total_ht_cents', 'i.total_ttc_cents', 'i.discount_ht_cents', 'i.discount_ttc_cents'])
    .where('a.tenant_id', '=', tenantId)
    .where('p.received_on', '>', fromExclusive)
    .where('p.received_on', '<=', toInclusive)
    .execute();
}

export async function invoiceByNumber(tx: Tx, number: string) {
  return b(tx).selectFrom('billing_invoices').selectAll().where('number', '=', number).where('kind', '=', 'invoice').executeTakeFirst();
}

export async function knownBankLines(tx: Tx, fingerprints: string[]): Promise<Set<string>> {
  if (!fingerprints.length) return new Set();
  const rows = await b(tx).selectFrom('billing_bank_lines').select('fingerprint').where('fingerprint', 'in', fingerprints).execute();
  return new Set(rows.map((r) => r.fingerprint));
}

export async function insertBankImport(tx: Tx, row: { filename: string | null; encoding: string | null; lines: number; fresh: number; matched: number; errors: unknown[]; createdBy: string }) {
  return b(tx)
    .insertInto('billing_bank_imports')
    .values({ filename: row.filename, encoding: row.encoding, lines: row.lines, fresh: row.fresh, matched: row.matched, errors: JSON.stringify(row.errors), created_by: row.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertBankLine(
  tx: Tx,
  row: { fingerprint: string; importId: string; line: number; onDate: string; amountCents: number; label: string; reference: string | null; counterparty: string | null; status: 'matched' | 'unmatched'; reason: string | null; candidates: string[]; matchedAt: Date | null },
) {
  await b(tx)
    .insertInto('billing_bank_lines')
    .values({
      fingerprint: row.fingerprint,
      import_id: row.importId,
      line: row.line,
      on_date: row.onDate,
      amount_cents: row.amountCents,
      label: row.label,
      reference: row.reference,
      counterparty: row.counterparty,
      status: row.status,
      reason: row.reason,
      candidates: row.candidates,
      matched_at: row.matchedAt,
    })
    .execute();
}

export async function findBankLine(tx: Tx, fingerprint: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_bank_lines').selectAll().where('fingerprint', '=', fingerprint);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function setBankLineStatus(tx: Tx, fingerprint: string, status: 'matched' | 'ignored', at: Date) {
  await b(tx).updateTable('billing_bank_lines').set({ status, matched_at: at }).where('fingerprint', '=', fingerprint).execute();
}

export async function unmatchedBankLines(tx: Tx) {
  return b(tx).selectFrom('billing_bank_lines').selectAll().where('status', '=', 'unmatched').orderBy('on_date').limit(500).execute();
}

export async function listBankImports(tx: Tx) {
  return b(tx).selectFrom('billing_bank_imports').selectAll().orderBy('created_at', 'desc').limit(100).execute();
}

/** Every issued invoice with something due, with its client's name (bank matching, operator context). */
export async function allOpenInvoices(tx: Tx) {
  return b(tx)
    .selectFrom('billing_invoices as i')
    .leftJoin('billing_contracts as c', 'c.id', 'i.contract_id')
    .selectAll('i')
    .select('c.legal_name')
    .where('i.kind', '=', 'invoice')
    .where('i.status', '=', 'issued')
    .where('i.payment_status', '<>', 'paid')
    .orderBy('i.due_date')
    .execute();
}

// SEPA -------------------------------------------------------------------------------------------

/** Issued, unpaid SEPA invoices due by `dueBy` that no batch has collected yet. */
export async function sepaCollectible(tx: Tx, dueBy: string) {
  return b(tx)
    .selectFrom('billing_invoices as i')
    .innerJoin('billing_contracts as c', 'c.id', 'i.contract_id')
    .selectAll('i')
    .select(['c.legal_name', 'c.sepa_rum', 'c.sepa_iban', 'c.sepa_bic', 'c.sepa_signed_on', 'c.sepa_last_collection_on', 'c.address_line', 'c.postal_code', 'c.city', 'c.country'])
    .where('i.kind', '=', 'invoice')
    .where('i.status', '=', 'issued')
    .where('i.payment_status', '<>', 'paid')
    .where('i.payment_method', '=', 'sepa')
    .where('i.due_date', '<=', dueBy)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('billing_sepa_batch_items as s').whereRef('s.invoice_id', '=', 'i.id').select('s.invoice_id'))))
    .orderBy('i.due_date')
    .orderBy('i.sequence')
    .execute();
}

export async function insertSepaBatch(tx: Tx, row: { messageId: string; collectionDate: string; totalCents: number; count: number; xml: string; createdBy: string }) {
  return b(tx)
    .insertInto('billing_sepa_batches')
    .values({ message_id: row.messageId, collection_date: row.collectionDate, total_cents: row.totalCents, count: row.count, xml: row.xml, created_by: row.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertSepaItems(tx: Tx, rows: Array<{ batchId: string; tenantId: string; invoiceId: string; amountCents: number; sequenceType: 'FRST' | 'RCUR'; endToEndId: string; rum: string }>) {
  if (!rows.length) return;
  await b(tx)
    .insertInto('billing_sepa_batch_items')
    .values(rows.map((r) => ({ batch_id: r.batchId, tenant_id: r.tenantId, invoice_id: r.invoiceId, amount_cents: r.amountCents, sequence_type: r.sequenceType, end_to_end_id: r.endToEndId, mandate_rum: r.rum })))
    .execute();
}

export async function listSepaBatches(tx: Tx) {
  return b(tx)
    .selectFrom('billing_sepa_batches')
    .select(['id', 'message_id', 'collection_date', 'total_cents', 'count', 'created_by', 'created_at'])
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
}

export async function findSepaBatch(tx: Tx, id: string) {
  return b(tx).selectFrom('billing_sepa_batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function sepaItems(tx: Tx, batchId: string) {
  return b(tx).selectFrom('billing_sepa_batch_items').selectAll().where('batch_id', '=', batchId).execute();
}

export async function markCollected(tx: Tx, contractIds: string[], on: string) {
  if (!contractIds.length) return;
  await b(tx).updateTable('billing_contracts').set({ sepa_last_collection_on: on }).where('id', 'in', contractIds).execute();
}

// Dunning ----------------------------------------------------------------------------------------

export async function openCase(tx: Tx, tenantId: string, forUpdate = false) {
  let query = b(tx).selectFrom('billing_dunning_cases').selectAll().where('tenant_id', '=', tenantId).where('closed_at', 'is', null);
  if (forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findCase(tx: Tx, id: string) {
  return b(tx).selectFrom('billing_dunning_cases').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCase(tx: Tx, values: Insertable<BillingDunningCasesTable>) {
  return b(tx).insertInto('billing_dunning_cases').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateCase(tx: Tx, id: string, patch: Updateable<BillingDunningCasesTable>) {
  return b(tx).updateTable('billing_dunning_cases').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function insertDunningEvent(tx: Tx, event: { tenantId: string; caseId: string; at: Date; kind: DunningEventKind; detail: Record<string, unknown> }) {
  await b(tx)
    .insertInto('billing_dunning_events')
    .values({ tenant_id: event.tenantId, case_id: event.caseId, at: event.at, kind: event.kind, detail: JSON.stringify(event.detail) })
    .execute();
}

export async function dunningEvents(tx: Tx, caseIds: string[]) {
  if (!caseIds.length) return [];
  return b(tx).selectFrom('billing_dunning_events').selectAll().where('case_id', 'in', caseIds).orderBy('id').execute();
}

export async function listCases(tx: Tx, filter: { tenantId?: string | undefined; includeResolved: boolean }) {
  let query = b(tx)
    .selectFrom('billing_dunning_cases as c')
    .innerJoin('tenants as t', 't.id', 'c.tenant_id')
    .selectAll('c')
    .select(['t.name as tenant_name', 't.status as tenant_status'])
    .orderBy('c.opened_on', 'desc')
    .limit(500);
  if (filter.tenantId) query = query.where('c.tenant_id', '=', filter.tenantId);
  if (!filter.includeResolved) query = query.where('c.closed_at', 'is', null);
  return query.execute();
}

/** Tenants with an open case (operator context). */
export async function tenantsWithOpenCase(tx: Tx) {
  const rows = await b(tx).selectFrom('billing_dunning_cases').select('tenant_id').where('closed_at', 'is', null).execute();
  return rows.map((r) => r.tenant_id);
}

// Emails -----------------------------------------------------------------------------------------

export async function insertEmail(
  tx: Tx,
  row: { tenantId: string; kind: 'formal_notice' | 'sepa_prenotification' | 'invoice_issued' | 'reactivated'; caseId: string | null; to: string[]; subject: string; body: string; ackTokenHash: Buffer | null },
) {
  return b(tx)
    .insertInto('billing_emails')
    .values({ tenant_id: row.tenantId, kind: row.kind, case_id: row.caseId, to_addresses: row.to, subject: row.subject, body_text: row.body, ack_token_hash: row.ackTokenHash })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Claims pending emails (operator context); concurrent senders skip each other's rows. */
export async function claimPendingEmails(tx: Tx, limit: number) {
  return b(tx).selectFrom('billing_emails').selectAll().where('status', '=', 'pending').orderBy('created_at').limit(limit).forUpdate().skipLocked().execute();
}

export async function markEmail(tx: Tx, id: string, patch: Updateable<BillingEmailsTable>) {
  return b(tx).updateTable('billing_emails').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function emailByAckToken(tx: Tx, hash: Buffer) {
  return b(tx).selectFrom('billing_emails').selectAll().where('ack_token_hash', '=', hash).executeTakeFirst();
}

export async function emailsOfTenant(tx: Tx, tenantId: string) {
  return b(tx)
    .selectFrom('billing_emails')
    .select(['id', 'kind', 'case_id', 'to_addresses', 'subject', 'status', 'sent_at', 'acknowledged_at', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();
}

/** Addresses of a tenant's owners and admins (the people who see billing, R-CONFID). */
export async function billingContacts(tx: Tx, tenantId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('users')
    .select('email')
    .where('tenant_id', '=', tenantId)
    .where('role', 'in', ['owner', 'admin'])
    .where('disabled_at', 'is', null)
    .execute();
  return rows.map((r) => r.email);
}

export async function tenantName(tx: Tx, tenantId: string): Promise<string | null> {
  const row = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirst();
  return row?.name ?? null;
}

export async function tenantStatus(tx: Tx, tenantId: string) {
  return tx.selectFrom('tenants').select(['id', 'name', 'status']).where('id', '=', tenantId).executeTakeFirst();
}
