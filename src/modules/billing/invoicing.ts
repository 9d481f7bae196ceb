/**
 * Invoices (issue 5 "Invoices"): the monthly run (preview as drafts, then issue), charges waiting
 * for the next invoice (R-PASSTHRU, R-AF2M, manual lines, POI prorations), credit notes, and the
 * documents (PDF with Factur-X, the CII XML) of issued invoices. Numbers are assigned at issue,
 * in the issuing transaction (invoice-builder.ts).
 */
import { sql } from 'kysely';
import { recordAudit, type RequestContext } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { withOperator, withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, fieldError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { type BillingDeps, billingOperator, billingReader, SYSTEM_OPERATOR, systemContext, todayIn } from './common.ts';
import { amendmentOf, type ContractsService, frenchDate, legalRateTable, productLabel, termOf } from './contracts.ts';
import type { LineKind } from './db.ts';
import { buildFacturXXml } from './documents/facturx.ts';
import { renderInvoicePdf } from './documents/invoice-pdf.ts';
import type { InvoiceDocument } from './documents/types.ts';
import { type DraftLine, draftLineOf, insertDraft, issueDraft, priceLines, vatContextFor } from './invoice-builder.ts';
import * as repo from './repo.ts';
import {
  addDays,
  af2mFineLines,
  compareDates,
  computeLatePenaltyOnBalance,
  daysInclusive,
  daysInMonth,
  isIsoDate,
  lastDayOfMonth,
  type LatePenalty,
  licensedCountAt,
  passThroughLine,
  type SuspensionInterval,
  suspensionBilling,
} from './rules.ts';
import { amountDue, refreshPaymentState } from './settlement.ts';

export interface InvoiceLineView {
  position: number;
  kind: LineKind;
  product: string | null;
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  quantity: string;
  unitPriceMillicents: number;
  prorata: { numerator: number; denominator: number } | null;
  amountHtCents: number;
  vatRateBp: number;
}

export interface InvoiceView {
  id: string;
  tenantId: string;
  tenantName: string | null;
  contractId: string | null;
  kind: 'invoice' | 'credit_note';
  origin: string;
  status: 'draft' | 'issued';
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  runId: string | null;
  creditedInvoiceId: string | null;
  vat: { regime: string; rateBp: number; mention: string | null; explanation: string; viesCheckId: string | null };
  totalHtCents: number;
  totalVatCents: number;
  totalTtcCents: number;
  /** R-PAYMENT: 1 % of HT if paid by the deadline (TTC effect: HT discount and its VAT). */
  discount: { deadline: string | null; htCents: number; ttcCents: number };
  paymentMethod: 'sepa' | 'transfer';
  paymentStatus: 'unpaid' | 'partially_paid' | 'paid';
  amountPaidCents: number;
  amountCreditedCents: number;
  discountTakenCents: number;
  amountDueCents: number;
  paidOn: string | null;
  overdue: boolean;
  /** R-LATE, computed to today for an overdue invoice (or to its payment for one paid late). */
  latePenalty: { daysLate: number; interestCents: number; indemnityCents: number; totalCents: number } | null;
  notes: string[];
  issuedAt: string | null;
  createdAt: string;
  lines?: InvoiceLineView[];
}

export interface RunView {
  id: string;
  periodStart: string;
  periodEnd: string;
  status: 'preview' | 'issued';
  invoices: number;
  drafts: number;
  totalHtCents: number;
  createdAt: string;
  refreshedAt: string;
  issuedAt: string | null;
  warnings: string[];
}

export type ChargeInput =
  | { kind: 'manual'; tenantId: string; description: string; onDate: string; quantity: string; unitPriceMillicents: number }
  | { kind: 'passthrough'; tenantId: string; description: string; onDate: string; costCents: number; billedCents?: number | undefined }
  | { kind: 'af2m_fine'; tenantId: string; reference: string; onDate: string; fineCents: number };

export interface ChargeView {
  id: string;
  tenantId: string;
  tenantName: string | null;
  kind: string;
  description: string;
  onDate: string;
  quantity: string;
  unitPriceMillicents: number;
  amountHtCents: number;
  createdBy: string | null;
  createdAt: string;
}

export class InvoicingService {
  constructor(
    private readonly deps: BillingDeps,
    private readonly contracts: ContractsService,
    /** Called after a change that may settle a tenant's overdue invoices (dunning reconciles). */
    private readonly onSettlement: (tenantIds: string[]) => Promise<void>,
  ) {}

  // Monthly run ------------------------------------------------------------------------------

  /**
   * Prepares the run of the month starting `periodStart` (a preview): one draft per tenant with a
   * contract running in the period. Idempotent per period and tenant: an issued invoice is never
   * touched again, a draft is rebuilt from the current data.
   */
  async prepareRun(context: RequestContext, operatorId: string, periodStart: string): Promise<RunView> {
    if (!isIsoDate(periodStart) || !periodStart.endsWith('-01')) throw fieldError('validation_failed', '/period', 'is not the first day of a month');
    const periodEnd = lastDayOfMonth(periodStart);
    const now = this.deps.clock.now();
    const run = await withOperator(this.deps.db, operatorId, (tx) => repo.upsertRun(tx, periodStart, context.actor.label, now));
    const { contracts, syntec } = await withOperator(this.deps.db, operatorId, async (tx) => ({
      contracts: await repo.contractsRunningIn(tx, periodStart, periodEnd),
      syntec: (await repo.listSyntec(tx)).map((row) => ({ month: row.month, value: row.value })),
    }));
    const warnings: string[] = [];
    for (const contract of contracts) {
      await withOperator(
        this.deps.db,
        operatorId,
        async (tx) => {
          // Two runs of one period for one tenant take turns (the scheduler and an operator).
          await sql`select pg_advisory_xact_lock(hashtextextended(${`billing.run:${contract.tenant_id}:${periodStart}`}, 0))`.execute(tx);
          const existing = await repo.monthlyInvoice(tx, contract.tenant_id, periodStart, true);
          if (existing?.status === 'issued') return;
          if (existing) await repo.deleteDraft(tx, existing.id);
          const locked = await repo.findContract(tx, contract.id, true);
          if (!locked) return;
          const year = await this.contracts.applyYear(tx, locked, periodEnd, syntec);
          if (year.pending) warnings.push(`${locked.legal_name}: ${year.pending}`);
          const { lines, notes, chargeIds } = await this.monthlyLines(tx, locked, periodStart, periodEnd);
          if (!lines.length) return;
          const vat = await vatContextFor(tx, locked);
          if (vat.decision.regime === 'eu_without_valid_vat_number') warnings.push(`${locked.legal_name}: ${vat.decision.explanation}`);
          const { invoice } = await insertDraft(tx, {
            tenantId: locked.tenant_id,
            contractId: locked.id,
            kind: 'invoice',
            origin: 'monthly',
            periodStart,
            periodEnd,
            lines,
            vat,
            paymentMethod: locked.payment_method,
            notes,
            runId: run.id,
            creditedInvoiceId: null,
            createdBy: context.actor.label,
          });
          await repo.attachCharges(tx, chargeIds, invoice.id);
        },
        contract.tenant_id,
      );
    }
    await withOperator(this.deps.db, operatorId, (tx) =>
      recordAudit(tx, context, { tenantId: null, action: 'billing.invoice_run.prepared', target: { type: 'invoice_run', id: run.id }, summary: { periodStart, contracts: contracts.length }, at: now }),
    );
    return { ...(await this.runView(operatorId, run.id)), warnings };
  }

  /** Issues every draft of a run, each in its own transaction (its number and its document). */
  async issueRun(context: RequestContext, operatorId: string, runId: string): Promise<RunView> {
    const run = await withOperator(this.deps.db, operatorId, (tx) => repo.findRun(tx, runId));
    if (!run) throw notFound('Invoice run');
    const drafts = await withOperator(this.deps.db, operatorId, (tx) => repo.runDrafts(tx, runId));
    const legalRates = await this.contracts.legalRates(operatorId);
    for (const draft of drafts) {
      try {
        await this.issueOne(context, operatorId, draft.id, draft.tenant_id, legalRates);
      } catch (error) {
        // Another issuer (a concurrent run) got there first, or refreshed the preview: skip.
        if (error instanceof AppError && (error.code === 'not_found' || error.code === 'invoice_immutable')) continue;
        throw error;
      }
    }
    const now = this.deps.clock.now();
    await withOperator(this.deps.db, operatorId, async (tx) => {
      if ((await repo.runDrafts(tx, runId)).length === 0) await repo.markRunIssued(tx, runId, context.actor.label, now);
      await recordAudit(tx, context, { tenantId: null, action: 'billing.invoice_run.issued', target: { type: 'invoice_run', id: runId }, summary: { periodStart: run.period_start, issued: drafts.length }, at: now });
    });
    return this.runView(operatorId, runId);
  }

  /** The scheduled job: the month before `today`, prepared and, when asked, issued. */
  async runPeriod(periodStart: string, options: { issue: boolean; context?: RequestContext; operatorId?: string } = { issue: false }): Promise<RunView> {
    const context = options.context ?? systemContext;
    const operatorId = options.operatorId ?? SYSTEM_OPERATOR;
    const prepared = await this.prepareRun(context, operatorId, periodStart);
    if (!options.issue) return prepared;
    return { ...(await this.issueRun(context, operatorId, prepared.id)), warnings: prepared.warnings };
  }

  async operatorPrepareRun(ctx: ServiceContext, periodStart: string): Promise<RunView> {
    return this.prepareRun(ctx, billingOperator(ctx), periodStart);
  }

  async operatorIssueRun(ctx: ServiceContext, runId: string): Promise<RunView> {
    return this.issueRun(ctx, billingOperator(ctx), runId);
  }

  async listRuns(ctx: ServiceContext): Promise<RunView[]> {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listRuns(tx));
    return rows.map((row) => runViewOf(row, []));
  }

  /** A run and its invoices (the preview: drafts with their lines, or what was issued). */
  async getRun(ctx: ServiceContext, runId: string): Promise<{ run: RunView; invoices: InvoiceView[] }> {
    const operatorId = billingOperator(ctx);
    const run = await this.runView(operatorId, runId);
    const invoices = await withOperator(this.deps.db, operatorId, async (tx) => {
      const rows = await repo.listInvoices(tx, { runId, limit: 1000 });
      return Promise.all(rows.map((row) => this.invoiceView(tx, row, row.tenant_name, true)));
    });
    return { run, invoices };
  }

  // Invoices ----------------------------------------------------------------------------------

  async clientInvoices(ctx: ServiceContext, query: { limit: number; cursor?: string | undefined }): Promise<{ data: InvoiceView[]; nextCursor: string | null }> {
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, async (tx) => this.page(tx, { tenantId, status: 'issued' }, query));
  }

  async clientInvoice(ctx: ServiceContext, id: string): Promise<InvoiceView> {
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, async (tx) => {
      const row = await repo.findInvoice(tx, id);
      if (!row || row.tenant_id !== tenantId || row.status !== 'issued') throw notFound('Invoice');
      return this.invoiceView(tx, row, await repo.tenantName(tx, tenantId), true);
    });
  }

  async operatorInvoices(
    ctx: ServiceContext,
    query: { limit: number; cursor?: string | undefined; tenantId?: string | undefined; status?: 'draft' | 'issued' | undefined; paymentStatus?: 'unpaid' | 'partially_paid' | 'paid' | undefined; kind?: 'invoice' | 'credit_note' | undefined; overdue?: boolean | undefined },
  ): Promise<{ data: InvoiceView[]; nextCursor: string | null }> {
    const operatorId = billingOperator(ctx);
    const today = todayIn(this.deps.clock);
    return withOperator(this.deps.db, operatorId, (tx) =>
      this.page(tx, { tenantId: query.tenantId, status: query.status, paymentStatus: query.paymentStatus, kind: query.kind, overdueOn: query.overdue ? today : undefined }, query),
    );
  }

  async operatorInvoice(ctx: ServiceContext, id: string): Promise<InvoiceView> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.findInvoice(tx, id);
      if (!row) throw notFound('Invoice');
      return this.invoiceView(tx, row, await repo.tenantName(tx, row.tenant_id), true);
    });
  }

  /** Issues one draft now (an operator's preview approved invoice by invoice). */
  async operatorIssue(ctx: ServiceContext, id: string): Promise<InvoiceView> {
    const operatorId = billingOperator(ctx);
    const tenantId = await withOperator(this.deps.db, operatorId, async (tx) => (await repo.findInvoice(tx, id))?.tenant_id);
    if (!tenantId) throw notFound('Invoice');
    await this.issueOne(ctx, operatorId, id, tenantId, await this.contracts.legalRates(operatorId));
    return this.operatorInvoice(ctx, id);
  }

  /** The PDF (French layout, Factur-X XML embedded) of an issued invoice or credit note. */
  async pdf(ctx: ServiceContext, id: string): Promise<{ filename: string; bytes: Uint8Array }> {
    const row = await this.issuedFor(ctx, id);
    const bytes = await renderInvoicePdf(row.document as unknown as InvoiceDocument, { facturX: true, createdAt: row.issued_at ?? this.deps.clock.now() });
    return { filename: `${row.number}.pdf`, bytes };
  }

  /** The Factur-X (EN 16931 CII) XML of an issued invoice or credit note. */
  async facturX(ctx: ServiceContext, id: string): Promise<{ filename: string; xml: string }> {
    const row = await this.issuedFor(ctx, id);
    return { filename: `${row.number}.xml`, xml: buildFacturXXml(row.document as unknown as InvoiceDocument) };
  }

  // Charges -----------------------------------------------------------------------------------

  /** A line for the tenant's next invoice: manual (sofy_billing), third-party tax at cost (R-PASSTHRU), AF2M fine + 15 % (R-AF2M). */
  async addCharge(ctx: ServiceContext, input: ChargeInput): Promise<ChargeView[]> {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(input.onDate)) throw fieldError('validation_failed', '/onDate', 'is not a calendar date');
    const rows: Array<{ kind: 'manual' | 'passthrough' | 'af2m_fine' | 'af2m_fee'; description: string; quantity: string; unitPriceMillicents: number; detail: Record<string, unknown> }> = [];
    if (input.kind === 'manual') {
      rows.push({ kind: 'manual', description: input.description, quantity: input.quantity, unitPriceMillicents: input.unitPriceMillicents, detail: {} });
    } else if (input.kind === 'passthrough') {
      const result = passThroughLine({ label: input.description, costCents: input.costCents, ...(input.billedCents !== undefined ? { billedCents: input.billedCents } : {}), vatRateBp: 0 });
      if (!result.ok) throw fieldError('validation_failed', result.error === 'margin_not_allowed' ? '/billedCents' : '/costCents', result.message);
      for (const line of result.lines) rows.push({ kind: 'passthrough', description: line.label, quantity: '1', unitPriceMillicents: unitMillicents(line.unitPrice), detail: { costCents: input.costCents } });
    } else {
      const result = af2mFineLines({ fineCents: input.fineCents, reference: input.reference, vatRateBp: 0 });
      if (!result.ok) throw fieldError('validation_failed', result.error === 'missing_reference' ? '/reference' : '/fineCents', result.message);
      const [fine, fee] = result.lines;
      rows.push({ kind: 'af2m_fine', description: fine!.label, quantity: '1', unitPriceMillicents: unitMillicents(fine!.unitPrice), detail: { reference: input.reference } });
      rows.push({ kind: 'af2m_fee', description: fee!.label, quantity: '1', unitPriceMillicents: unitMillicents(fee!.unitPrice), detail: { reference: input.reference, rateBp: 1500 } });
    }
    const now = this.deps.clock.now();
    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        if (!(await repo.tenantStatus(tx, input.tenantId))) throw fieldError('not_found', '/tenantId', 'no such tenant');
        const created: ChargeView[] = [];
        for (const row of rows) {
          // Priced by the same rule as the invoice will be (quantity × unit, half-up once).
          const amount = priceLines([{ kind: row.kind === 'af2m_fee' ? 'af2m_fee' : row.kind, product: null, description: row.description, periodStart: null, periodEnd: null, quantity: row.quantity, unitPriceMillicents: row.unitPriceMillicents, prorata: null, detail: {} }], 0).totalHtCents;
          const charge = await repo.insertPendingCharge(tx, {
            tenantId: input.tenantId,
            kind: row.kind,
            description: row.description,
            onDate: input.onDate,
            quantity: row.quantity,
            unitPriceMillicents: row.unitPriceMillicents,
            amountHtCents: amount,
            detail: row.detail,
            createdBy: ctx.actor.label,
          });
          created.push(chargeView(charge, null));
        }
        await recordAudit(tx, ctx, {
          tenantId: input.tenantId,
          action: 'billing.charge.added',
          target: { type: 'charge', id: created[0]!.id },
          summary: { kind: input.kind, lines: created.map((c) => ({ description: c.description, amountHtCents: c.amountHtCents })) },
          at: now,
        });
        return created;
      },
      input.tenantId,
    );
  }

  async listCharges(ctx: ServiceContext, tenantId: string | undefined): Promise<ChargeView[]> {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listPendingCharges(tx, tenantId));
    return rows.map((row) => chargeView(row, row.tenant_name));
  }

  async removeCharge(ctx: ServiceContext, id: string): Promise<void> {
    const operatorId = billingOperator(ctx);
    await withOperator(this.deps.db, operatorId, async (tx) => {
      const rows = await repo.listPendingCharges(tx, undefined);
      const charge = rows.find((r) => r.id === id);
      if (!charge) throw notFound('Pending charge');
      await repo.deletePendingCharge(tx, id);
      await recordAudit(tx, ctx, { tenantId: charge.tenant_id, action: 'billing.charge.removed', target: { type: 'charge', id }, summary: { description: charge.description, amountHtCents: charge.amount_ht_cents }, at: this.deps.clock.now() });
    });
  }

  /** Invoices the tenant's pending charges now, outside the monthly run (origin `manual`). */
  async invoiceChargesNow(ctx: ServiceContext, tenantId: string): Promise<InvoiceView> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    const today = todayIn(this.deps.clock);
    const legalRates = await this.contracts.legalRates(operatorId);
    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const contract = await repo.liveContract(tx, tenantId);
        if (!contract) throw new AppError('invalid_state', 'The tenant has no contract to invoice against');
        const charges = await repo.pendingCharges(tx, tenantId, today);
        if (!charges.length) throw new AppError('invalid_state', 'Nothing to invoice: no pending charge');
        const lines = charges.map(chargeLine);
        const from = charges[0]!.on_date;
        const { invoice } = await insertDraft(tx, {
          tenantId,
          contractId: contract.id,
          kind: 'invoice',
          origin: 'manual',
          periodStart: from,
          periodEnd: today,
          lines,
          vat: await vatContextFor(tx, contract),
          paymentMethod: contract.payment_method,
          notes: [],
          runId: null,
          creditedInvoiceId: null,
          createdBy: ctx.actor.label,
        });
        await repo.attachCharges(
          tx,
          charges.map((c) => c.id),
          invoice.id,
        );
        const issued = await issueDraft(tx, { invoiceId: invoice.id, issueDate: today, now, seller: this.deps.seller, buyer: contract, legalRates });
        await recordAudit(tx, ctx, { tenantId, action: 'billing.invoice.issued', target: { type: 'invoice', id: issued.id }, summary: { number: issued.number, origin: 'manual', totalTtcCents: issued.total_ttc_cents }, at: now });
        return this.invoiceView(tx, issued, await repo.tenantName(tx, tenantId), true);
      },
      tenantId,
    );
  }

  // Credit notes ------------------------------------------------------------------------------

  /**
   * An avoir (the only correction of an issued invoice): in full (every line again) or for given
   * amounts HT, at the invoice's VAT treatment; never more than what is left to credit.
   */
  async createCreditNote(ctx: ServiceContext, invoiceId: string, input: { reason: string; lines?: Array<{ description: string; amountHtCents: number }> | undefined }): Promise<InvoiceView> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    const today = todayIn(this.deps.clock);
    const legalRates = await this.contracts.legalRates(operatorId);
    const tenantId = await withOperator(this.deps.db, operatorId, async (tx) => (await repo.findInvoice(tx, invoiceId))?.tenant_id);
    if (!tenantId) throw notFound('Invoice');
    const view = await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const invoice = await repo.findInvoice(tx, invoiceId, true);
        if (!invoice) throw notFound('Invoice');
        if (invoice.kind !== 'invoice' || invoice.status !== 'issued') throw new AppError('invalid_state', 'Only an issued invoice can be credited');
        const contract = invoice.contract_id ? await repo.findContract(tx, invoice.contract_id) : undefined;
        if (!contract) throw new AppError('invalid_state', 'The invoice has no contract');
        const lines: DraftLine[] = input.lines?.length
          ? input.lines.map((line) => ({
              kind: 'credit' as const,
              product: null,
              description: line.description,
              periodStart: null,
              periodEnd: null,
              quantity: '1',
              unitPriceMillicents: line.amountHtCents * 1000,
              prorata: null,
              detail: {},
            }))
          : (await repo.invoiceLines(tx, invoice.id)).map(draftLineOf);
        const vat = {
          decision: { regime: invoice.vat_regime as never, rateBp: invoice.vat_rate_bp, mention: invoice.vat_mention, explanation: invoice.vat_explanation },
          viesCheckId: invoice.vies_check_id,
        };
        const totals = priceLines(lines, invoice.vat_rate_bp);
        const left = invoice.total_ttc_cents - invoice.amount_credited_cents;
        if (totals.totalTtcCents <= 0 || totals.totalTtcCents > left) {
          throw new AppError('credit_exceeds_invoice', `The credit note (${totals.totalTtcCents} cents TTC) must be positive and at most what is left to credit (${left} cents)`, {
            errors: [{ path: '/lines', message: 'exceeds the invoice' }],
          });
        }
        const { invoice: draft } = await insertDraft(tx, {
          tenantId: invoice.tenant_id,
          contractId: invoice.contract_id,
          kind: 'credit_note',
          origin: 'credit',
          periodStart: invoice.period_start ?? today,
          periodEnd: invoice.period_end ?? today,
          lines,
          vat,
          paymentMethod: invoice.payment_method,
          notes: [`Avoir sur la facture ${invoice.number} : ${input.reason}`],
          runId: null,
          creditedInvoiceId: invoice.id,
          createdBy: ctx.actor.label,
        });
        const issued = await issueDraft(tx, { invoiceId: draft.id, issueDate: today, now, seller: this.deps.seller, buyer: contract, legalRates });
        await repo.setPaymentState(tx, invoice.id, {
          paymentStatus: invoice.payment_status,
          amountPaidCents: invoice.amount_paid_cents,
          amountCreditedCents: invoice.amount_credited_cents + issued.total_ttc_cents,
          discountTakenCents: invoice.discount_taken_cents,
          paidOn: invoice.paid_on,
          now,
        });
        await refreshPaymentState(tx, invoice.id, today, now);
        await recordAudit(tx, ctx, {
          tenantId: invoice.tenant_id,
          action: 'billing.credit_note.issued',
          target: { type: 'invoice', id: issued.id },
          summary: { number: issued.number, credits: invoice.number, totalTtcCents: issued.total_ttc_cents, reason: input.reason },
          at: now,
        });
        return this.invoiceView(tx, issued, await repo.tenantName(tx, invoice.tenant_id), true);
      },
      tenantId,
    );
    await this.onSettlement([tenantId]);
    return view;
  }

  // Internals -----------------------------------------------------------------------------------

  private async issueOne(context: RequestContext, operatorId: string, invoiceId: string, tenantId: string, legalRates: Awaited<ReturnType<ContractsService['legalRates']>>): Promise<void> {
    const now = this.deps.clock.now();
    await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const draft = await repo.findInvoice(tx, invoiceId, true);
        if (!draft) throw notFound('Invoice');
        const contract = draft.contract_id ? await repo.findContract(tx, draft.contract_id) : undefined;
        if (!contract) throw new AppError('invalid_state', 'The invoice has no contract');
        const issued = await issueDraft(tx, { invoiceId, issueDate: todayIn(this.deps.clock), now, seller: this.deps.seller, buyer: contract, legalRates });
        await recordAudit(tx, context, {
          tenantId,
          action: 'billing.invoice.issued',
          target: { type: 'invoice', id: issued.id },
          summary: { number: issued.number, origin: issued.origin, periodStart: issued.period_start, totalTtcCents: issued.total_ttc_cents },
          at: now,
        });
      },
      tenantId,
    );
  }

  private async issuedFor(ctx: ServiceContext, id: string): Promise<repo.InvoiceRow> {
    const load = async (tx: Tx, tenantId: string | null) => {
      const row = await repo.findInvoice(tx, id);
      if (!row || (tenantId && row.tenant_id !== tenantId) || row.status !== 'issued' || !row.document) throw notFound('Invoice');
      return row;
    };
    if (ctx.principal.kind === 'operator') {
      const operatorId = billingOperator(ctx);
      return withOperator(this.deps.db, operatorId, (tx) => load(tx, null));
    }
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, (tx) => load(tx, tenantId));
  }

  private async runView(operatorId: string, runId: string): Promise<RunView> {
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listRuns(tx));
    const row = rows.find((r) => r.id === runId);
    if (!row) throw notFound('Invoice run');
    return runViewOf(row, []);
  }

  private async page(
    tx: Tx,
    filter: Omit<repo.InvoiceFilter, 'limit' | 'before'>,
    query: { limit: number; cursor?: string | undefined },
  ): Promise<{ data: InvoiceView[]; nextCursor: string | null }> {
    const before = query.cursor ? decodeCursor<{ createdAt: string; id: string }>(query.cursor) : undefined;
    const rows = await repo.listInvoices(tx, { ...filter, limit: query.limit + 1, ...(before ? { before } : {}) });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: await Promise.all(page.map((row) => this.invoiceView(tx, row, row.tenant_name, false))),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  async invoiceView(tx: Tx, row: repo.InvoiceRow, tenantName: string | null, withLines: boolean): Promise<InvoiceView> {
    const today = todayIn(this.deps.clock);
    const overdue = row.kind === 'invoice' && row.status === 'issued' && row.payment_status !== 'paid' && !!row.due_date && compareDates(row.due_date, today) < 0;
    let latePenalty: LatePenalty | null = null;
    if (row.kind === 'invoice' && row.status === 'issued' && row.due_date) {
      const until = row.payment_status === 'paid' ? (row.paid_on ?? today) : today;
      if (compareDates(until, row.due_date) > 0) {
        const payments = await billingPayments(tx, row.id);
        const rates = legalRateTable(await repo.listLegalRates(tx).catch(() => []));
        latePenalty = computeLatePenaltyOnBalance({
          amountTtcCents: row.total_ttc_cents - row.amount_credited_cents,
          dueDate: row.due_date,
          until,
          payments,
          ...(rates.length ? { table: rates } : {}),
        });
      }
    }
    const lines = withLines ? await repo.invoiceLines(tx, row.id) : [];
    return {
      id: row.id,
      tenantId: row.tenant_id,
      tenantName,
      contractId: row.contract_id,
      kind: row.kind,
      origin: row.origin,
      status: row.status,
      number: row.number,
      issueDate: row.issue_date,
      dueDate: row.due_date,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      runId: row.invoice_run_id,
      creditedInvoiceId: row.credited_invoice_id,
      vat: { regime: row.vat_regime, rateBp: row.vat_rate_bp, mention: row.vat_mention, explanation: row.vat_explanation, viesCheckId: row.vies_check_id },
      totalHtCents: row.total_ht_cents,
      totalVatCents: row.total_vat_cents,
      totalTtcCents: row.total_ttc_cents,
      discount: { deadline: row.discount_deadline, htCents: row.discount_ht_cents, ttcCents: row.discount_ttc_cents },
      paymentMethod: row.payment_method,
      paymentStatus: row.payment_status,
      amountPaidCents: row.amount_paid_cents,
      amountCreditedCents: row.amount_credited_cents,
      discountTakenCents: row.discount_taken_cents,
      amountDueCents: amountDue(row),
      paidOn: row.paid_on,
      overdue,
      latePenalty: latePenalty && latePenalty.daysLate > 0 ? { daysLate: latePenalty.daysLate, interestCents: latePenalty.interestCents, indemnityCents: latePenalty.indemnityCents, totalCents: latePenalty.totalCents } : null,
      notes: row.notes,
      issuedAt: row.issued_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      ...(withLines
        ? {
            lines: lines.map((line) => ({
              position: line.position,
              kind: line.kind,
              product: line.product_code,
              description: line.description,
              periodStart: line.period_start,
              periodEnd: line.period_end,
              quantity: draftLineOf(line).quantity,
              unitPriceMillicents: line.unit_price_millicents,
              prorata: draftLineOf(line).prorata,
              amountHtCents: line.amount_ht_cents,
              vatRateBp: line.vat_rate_bp,
            })),
          }
        : {}),
    };
  }

  /**
   * The lines of one month for one contract: subscriptions (per POI or flat, prorated to the days
   * the contract ran, split where a SYNTEC revision changed the price), SOFY-caused downtime not
   * billed (R-DUNNING), messaging usage, and the pending charges dated in the month or before.
   */
  private async monthlyLines(tx: Tx, contract: repo.ContractRow, periodStart: string, periodEnd: string): Promise<{ lines: DraftLine[]; notes: string[]; chargeIds: string[] }> {
    const lines: DraftLine[] = [];
    const from = compareDates(contract.start_date, periodStart) > 0 ? contract.start_date : periodStart;
    const lastDay = contract.end_date ? addDays(contract.end_date, -1) : periodEnd;
    const to = compareDates(lastDay, periodEnd) < 0 ? lastDay : periodEnd;
    const monthDays = daysInMonth(Number(periodStart.slice(0, 4)), Number(periodStart.slice(5, 7)));
    let notes: string[] = [];
    if (compareDates(from, to) <= 0) {
      const form = await repo.findOrderForm(tx, contract.order_form_id);
      const amendments = (await repo.poiAmendments(tx, contract.id)).filter((a) => a.status !== 'cancelled').map(amendmentOf);
      // Reductions take effect on the first day of a billing period (R-POI): the count at the
      // period's first day is the month's; raises inside the month are prorated charges.
      const count = licensedCountAt({ initialCount: form?.poi_count ?? contract.licensed_poi, term: termOf(contract) }, amendments, from);
      const revisions = (await repo.contractEvents(tx, contract.id)).filter((e) => e.kind === 'price_revised');
      const original = new Map((form?.items ?? []).map((item) => [item.product, item.unitCents]));
      const suspensions = await repo.suspensionsOverlapping(tx, contract.tenant_id, from, to);
      const billing = suspensionBilling(
        { from, to },
        suspensions.map((s): SuspensionInterval => (s.cause === 'sofy' ? { from: s.from_date, to: s.to_date, cause: 'sofy' } : { from: s.from_date, to: s.to_date, cause: 'client', reason: s.cause === 'fraud' ? 'security' : 'nonpayment' })),
      );
      notes = billing.mentions;
      for (const sub of await repo.subscriptionRows(tx, contract.id)) {
        const quantity = sub.per_poi ? count : 1;
        if (quantity === 0) continue;
        const priceOn = (date: string) => priceAt(original.get(sub.product_code) ?? sub.unit_cents, sub.product_code, revisions, date);
        for (const segment of priceSegments(from, to, sub.product_code, revisions)) {
          const days = daysInclusive(segment);
          const price = priceOn(segment.from);
          const whole = days === monthDays;
          lines.push({
            kind: 'subscription',
            product: sub.product_code,
            description: `${productLabel(sub.product_code)} — ${sub.per_poi ? `${quantity} point(s) de vente` : 'forfait'} — ${monthLabel(periodStart)}${whole ? '' : ` (du ${frenchDate(segment.from)} au ${frenchDate(segment.to)})`}`,
            periodStart: segment.from,
            periodEnd: segment.to,
            quantity: String(quantity),
            unitPriceMillicents: price * 1000,
            prorata: whole ? null : { numerator: days, denominator: monthDays },
            detail: { perPoi: sub.per_poi },
          });
        }
        // R-DUNNING: a suspension caused by SOFY alone bills nothing for the downtime.
        for (const range of billing.nonBillableRanges) {
          lines.push({
            kind: 'subscription',
            product: sub.product_code,
            description: `${productLabel(sub.product_code)} — interruption imputable à SOFY du ${frenchDate(range.from)} au ${frenchDate(range.to)}, non facturée`,
            periodStart: range.from,
            periodEnd: range.to,
            quantity: String(-quantity),
            unitPriceMillicents: priceOn(range.from) * 1000,
            prorata: { numerator: daysInclusive(range), denominator: monthDays },
            detail: { downtime: true },
          });
        }
      }
    }
    for (const usage of await repo.usageGroups(tx, contract.tenant_id, periodStart, periodEnd)) {
      lines.push({
        kind: 'usage',
        product: 'messaging',
        description: usageLabel(usage),
        periodStart,
        periodEnd,
        quantity: String(usage.units),
        unitPriceMillicents: usage.unit_millicents,
        prorata: null,
        detail: { channel: usage.channel, route: usage.route, country: usage.country, messages: usage.messages },
      });
    }
    const charges = await repo.pendingCharges(tx, contract.tenant_id, periodEnd);
    lines.push(...charges.map(chargeLine));
    return { lines, notes, chargeIds: charges.map((c) => c.id) };
  }
}

async function billingPayments(tx: Tx, invoiceId: string) {
  const rows = await sql<{ received_on: string; amount_cents: number }>`
    select p.received_on::text as received_on, a.amount_cents from billing_payment_allocations a
      join billing_payments p on p.id = a.payment_id where a.invoice_id = ${invoiceId}`.execute(tx);
  return rows.rows.map((r) => ({ date: r.received_on, amountCents: Number(r.amount_cents) }));
}

/** The unit price of a product on `date`: the order form's, then each SYNTEC revision on or before it. */
function priceAt(original: number, product: string, revisions: Array<{ on_date: string; detail: Record<string, unknown> }>, date: string): number {
  let price = original;
  for (const event of revisions) {
    if (compareDates(event.on_date, date) > 0) break;
    const entry = ((event.detail.revisions ?? []) as Array<{ product: string; revisedPriceCents: number }>).find((r) => r.product === product);
    if (entry) price = entry.revisedPriceCents;
  }
  return price;
}

/** [from, to] cut at the revision dates of `product` inside it. */
function priceSegments(from: string, to: string, product: string, revisions: Array<{ on_date: string; detail: Record<string, unknown> }>): Array<{ from: string; to: string }> {
  const cuts = revisions
    .filter((e) => compareDates(e.on_date, from) > 0 && compareDates(e.on_date, to) <= 0)
    .filter((e) => ((e.detail.revisions ?? []) as Array<{ product: string }>).some((r) => r.product === product))
    .map((e) => e.on_date);
  const segments: Array<{ from: string; to: string }> = [];
  let start = from;
  for (const cut of cuts) {
    segments.push({ from: start, to: addDays(cut, -1) });
    start = cut;
  }
  segments.push({ from: start, to });
  return segments;
}

function chargeLine(charge: repo.PendingChargeRow): DraftLine {
  const detail = charge.detail as { prorata?: { numerator: number; denominator: number }; periodStart?: string; periodEnd?: string; product?: string };
  return {
    kind: charge.kind,
    product: detail.product ?? null,
    description: charge.description,
    periodStart: detail.periodStart ?? null,
    periodEnd: detail.periodEnd ?? null,
    quantity: charge.quantity.includes('.') ? charge.quantity.replace(/\.?0+$/, '') || '0' : charge.quantity,
    unitPriceMillicents: charge.unit_price_millicents,
    prorata: detail.prorata ?? null,
    detail: { chargeId: charge.id, ...charge.detail },
  };
}

function chargeView(row: repo.PendingChargeRow, tenantName: string | null): ChargeView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName,
    kind: row.kind,
    description: row.description,
    onDate: row.on_date,
    quantity: row.quantity,
    unitPriceMillicents: row.unit_price_millicents,
    amountHtCents: row.amount_ht_cents,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

function runViewOf(row: Awaited<ReturnType<typeof repo.listRuns>>[number], warnings: string[]): RunView {
  return {
    id: row.id,
    periodStart: row.period_start,
    periodEnd: lastDayOfMonth(row.period_start),
    status: row.status,
    invoices: Number(row.invoices ?? 0),
    drafts: Number(row.drafts ?? 0),
    totalHtCents: Number(row.total_ht_cents ?? 0),
    createdAt: row.created_at.toISOString(),
    refreshedAt: row.refreshed_at.toISOString(),
    issuedAt: row.issued_at?.toISOString() ?? null,
    warnings,
  };
}

const unitMillicents = (price: { cents: number } | { millicents: number }): number => ('cents' in price ? price.cents * 1000 : price.millicents);

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const monthLabel = (periodStart: string): string => `${MONTHS[Number(periodStart.slice(5, 7)) - 1]} ${periodStart.slice(0, 4)}`;

const CHANNELS: Record<string, string> = { sms: 'SMS', rcs: 'RCS', whatsapp: 'WhatsApp', email: 'E-mail' };
function usageLabel(usage: repo.UsageGroup): string {
  const route = usage.route === 'alert' ? 'Alerte' : usage.route === 'marketing' ? 'Marketing' : null;
  const unit = usage.channel === 'sms' ? 'segments' : 'messages';
  return [`${CHANNELS[usage.channel] ?? usage.channel}${route ? ` ${route}` : ''}`, usage.country && usage.country !== '*' ? usage.country : null, `${usage.messages} message(s), prix par ${unit === 'segments' ? 'segment' : 'message'}`]
    .filter(Boolean)
    .join(' — ');
}
