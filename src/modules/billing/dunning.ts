/**
 * Dunning (R-DUNNING, CGVU §7.2 and §11): one case per tenant with overdue invoices, driven by
 * the state machine of rules/dunning.ts — overdue → formal notice by email (tracked, with an
 * acknowledgement link) → 5 French business days → eligible → suspended (`suspended_nonpayment`:
 * the tenant's sending stops, subscriptions keep accruing) → paid → reactivated the same day.
 * Its timeline is visible to operators and to the client. Billing emails leave through an outbox
 * delivered over SMTP (the sandbox's in `sofy start`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { recordAudit, type RequestContext } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { withOperator, withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, fieldError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import type { OutboundEmail, SendResult } from '../../channels/types.ts';
import { type BillingDeps, billingOperator, billingReader, SYSTEM_OPERATOR, systemContext, todayIn } from './common.ts';
import { legalRateTable } from './contracts.ts';
import type { DunningEventKind } from './db.ts';
import * as repo from './repo.ts';
import {
  compareDates,
  computeLatePenaltyOnBalance,
  type DunningEvent,
  type DunningState,
  DunningTransitionError,
  formatEuros,
  isIsoDate,
  nextActions,
  openDunningCase,
  transition,
} from './rules.ts';

export interface Mailer {
  send(email: OutboundEmail): Promise<SendResult>;
}

export interface DunningCaseView {
  id: string;
  tenantId: string;
  tenantName: string | null;
  tenantStatus: string | null;
  status: DunningState['status'];
  open: boolean;
  dueDate: string;
  openedOn: string;
  noticeSentOn: string | null;
  noticeAcknowledgedOn: string | null;
  /** Last day the client may pay after the notice (5 French business days). */
  regularisationDeadline: string | null;
  suspensionEligibleOn: string | null;
  suspendedOn: string | null;
  paidOn: string | null;
  reactivatedOn: string | null;
  amountDueCents: number;
  overdueInvoices: Array<{ id: string; number: string | null; dueDate: string | null; amountDueCents: number }>;
  /** What the procedure allows next (the board's buttons). */
  nextActions: string[];
  timeline: Array<{ at: string; kind: DunningEventKind; detail: Record<string, unknown> }>;
}

export interface DunningRunResult {
  opened: number;
  noticesSent: number;
  eligible: number;
  suspended: number;
  reactivated: number;
  skipped: string[];
}

/** Sha-256 of an acknowledgement token: the link carries the token, the database only its hash. */
const hashToken = (token: string): Buffer => createHash('sha256').update(token).digest();

export class DunningService {
  constructor(
    private readonly deps: BillingDeps,
    private readonly options: { autoSuspend: boolean } = { autoSuspend: true },
  ) {}

  /** The daily step of every case (idempotent: run it twice a day, nothing happens twice). */
  async run(today = todayIn(this.deps.clock)): Promise<DunningRunResult> {
    const result: DunningRunResult = { opened: 0, noticesSent: 0, eligible: 0, suspended: 0, reactivated: 0, skipped: [] };
    const tenants = await withOperator(this.deps.db, SYSTEM_OPERATOR, async (tx) => [...new Set([...(await repo.tenantsOverdue(tx, today)), ...(await repo.tenantsWithOpenCase(tx))])]);
    for (const tenantId of tenants) {
      const step = await this.step(tenantId, today, systemContext, SYSTEM_OPERATOR);
      result.opened += step.opened ? 1 : 0;
      result.noticesSent += step.noticeSent ? 1 : 0;
      result.eligible += step.eligible ? 1 : 0;
      if (step.suspend && this.options.autoSuspend) {
        const outcome = await this.suspend(tenantId, today, systemContext, SYSTEM_OPERATOR);
        if (outcome === 'suspended') result.suspended++;
        else result.skipped.push(`${tenantId}: ${outcome}`);
      }
      if (await this.reconcileTenant(tenantId, today, systemContext, SYSTEM_OPERATOR)) result.reactivated++;
    }
    return result;
  }

  /** After a payment or a credit note: a case whose overdue invoices are all settled is closed, and the tenant reactivated the same day. */
  async reconcile(tenantIds: string[]): Promise<void> {
    const today = todayIn(this.deps.clock);
    for (const tenantId of tenantIds) await this.reconcileTenant(tenantId, today, systemContext, SYSTEM_OPERATOR);
  }

  // Operators' board --------------------------------------------------------------------------

  async board(ctx: ServiceContext, filter: { includeClosed: boolean; tenantId?: string | undefined }): Promise<DunningCaseView[]> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const cases = await repo.listCases(tx, { tenantId: filter.tenantId, includeResolved: filter.includeClosed });
      return Promise.all(cases.map((row) => this.caseView(tx, row, row.tenant_name, row.tenant_status)));
    });
  }

  async caseDetail(ctx: ServiceContext, id: string): Promise<DunningCaseView> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.findCase(tx, id);
      if (!row) throw notFound('Dunning case');
      const tenant = await repo.tenantStatus(tx, row.tenant_id);
      return this.caseView(tx, row, tenant?.name ?? null, tenant?.status ?? null);
    });
  }

  /** An operator suspends an eligible tenant now (the procedure of §7.2 must have run). */
  async operatorSuspend(ctx: ServiceContext, id: string): Promise<DunningCaseView> {
    const operatorId = billingOperator(ctx);
    const today = todayIn(this.deps.clock);
    const row = await withOperator(this.deps.db, operatorId, (tx) => repo.findCase(tx, id));
    if (!row) throw notFound('Dunning case');
    // Bring the case to today first (an eligibility reached today is recorded).
    await this.step(row.tenant_id, today, ctx, operatorId);
    const outcome = await this.suspend(row.tenant_id, today, ctx, operatorId);
    if (outcome !== 'suspended') throw new AppError('invalid_state', `Cannot suspend: ${outcome}`);
    return this.caseDetail(ctx, id);
  }

  /** An acknowledgement that arrived by another way (a registered letter's receipt, a reply). */
  async operatorAcknowledge(ctx: ServiceContext, id: string, input: { on: string; note?: string | undefined }): Promise<DunningCaseView> {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(input.on)) throw fieldError('validation_failed', '/on', 'is not a calendar date');
    await this.acknowledgeCase(id, input.on, ctx, operatorId, { source: 'operator', note: input.note ?? null });
    return this.caseDetail(ctx, id);
  }

  async operatorNote(ctx: ServiceContext, id: string, text: string): Promise<DunningCaseView> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    await withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.findCase(tx, id);
      if (!row) throw notFound('Dunning case');
      await repo.insertDunningEvent(tx, { tenantId: row.tenant_id, caseId: id, at: now, kind: 'note', detail: { text, by: ctx.actor.label } });
      await recordAudit(tx, ctx, { tenantId: row.tenant_id, action: 'billing.dunning.note', target: { type: 'dunning_case', id }, summary: { text }, at: now });
    });
    return this.caseDetail(ctx, id);
  }

  /** A downtime caused by SOFY alone (R-DUNNING, §11 (i)): its days are not billed. */
  async recordSofyDowntime(ctx: ServiceContext, input: { tenantId: string; from: string; to: string; reason: string }): Promise<{ id: string }> {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(input.from) || !isIsoDate(input.to) || compareDates(input.from, input.to) > 0) throw fieldError('validation_failed', '/to', 'is not a date range (from ≤ to)');
    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const row = await repo.insertSuspension(tx, { tenantId: input.tenantId, cause: 'sofy', fromDate: input.from, toDate: input.to, reason: input.reason, caseId: null, createdBy: ctx.actor.label });
        await recordAudit(tx, ctx, { tenantId: input.tenantId, action: 'billing.downtime.recorded', target: { type: 'suspension', id: row.id }, summary: { from: input.from, to: input.to, reason: input.reason }, at: this.deps.clock.now() });
        return { id: row.id };
      },
      input.tenantId,
    );
  }

  /** The client's own procedure, if any (R-DUNNING: the timeline is the client's too). */
  async clientCases(ctx: ServiceContext): Promise<DunningCaseView[]> {
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, async (tx) => {
      const cases = await repo.listCases(tx, { tenantId, includeResolved: true });
      return Promise.all(cases.map((row) => this.caseView(tx, row, row.tenant_name, row.tenant_status)));
    });
  }

  // Acknowledgement link (public) ----------------------------------------------------------------

  /** What the acknowledgement page shows for a token, or null when it is not one of ours. */
  async describeAcknowledgement(token: string): Promise<{ subject: string; acknowledgedAt: string | null } | null> {
    const email = await withOperator(this.deps.db, SYSTEM_OPERATOR, (tx) => repo.emailByAckToken(tx, hashToken(token)));
    return email ? { subject: email.subject, acknowledgedAt: email.acknowledged_at?.toISOString() ?? null } : null;
  }

  /** The recipient confirms receipt of the formal notice: recorded as evidence, once. */
  async acknowledgeByToken(token: string, request: { ip: string | null; requestId: string | null }): Promise<boolean> {
    const now = this.deps.clock.now();
    const email = await withOperator(this.deps.db, SYSTEM_OPERATOR, (tx) => repo.emailByAckToken(tx, hashToken(token)));
    if (!email) return false;
    if (email.acknowledged_at || !email.case_id) return true;
    const context: RequestContext = { actor: { type: 'anonymous', id: null, label: `acknowledgement link (${email.to_addresses.join(', ')})` }, ip: request.ip, requestId: request.requestId };
    await withOperator(this.deps.db, SYSTEM_OPERATOR, (tx) => repo.markEmail(tx, email.id, { acknowledged_at: now }), email.tenant_id);
    await this.acknowledgeCase(email.case_id, todayIn(this.deps.clock), context, SYSTEM_OPERATOR, { source: 'link', emailId: email.id });
    return true;
  }

  // Email outbox ----------------------------------------------------------------------------------

  /** Sends pending billing emails (formal notices are tracked on their case's timeline). */
  async deliverEmails(mailer: Mailer, limit = 50): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    await withOperator(this.deps.db, SYSTEM_OPERATOR, async (tx) => {
      for (const email of await repo.claimPendingEmails(tx, limit)) {
        const now = this.deps.clock.now();
        const result = await mailer.send({ id: email.id, from: this.deps.emailFrom, to: email.to_addresses.join(', '), subject: email.subject, text: email.body_text });
        const attempts = email.attempts + 1;
        if (result.ok) {
          await repo.markEmail(tx, email.id, { status: 'sent', attempts, sent_at: now, provider_id: result.providerId, last_error: null });
          if (email.case_id) await repo.insertDunningEvent(tx, { tenantId: email.tenant_id, caseId: email.case_id, at: now, kind: 'notice_delivered', detail: { emailId: email.id, to: email.to_addresses, providerId: result.providerId } });
          sent++;
        } else {
          const final = !result.error.retryable || attempts >= 5;
          await repo.markEmail(tx, email.id, { status: final ? 'failed' : 'pending', attempts, last_error: `${result.error.code}: ${result.error.message}` });
          if (final && email.case_id) await repo.insertDunningEvent(tx, { tenantId: email.tenant_id, caseId: email.case_id, at: now, kind: 'notice_failed', detail: { emailId: email.id, error: result.error.code } });
          failed++;
        }
      }
    });
    return { sent, failed };
  }

  // Internals ---------------------------------------------------------------------------------------

  /** Applies what the rule says is due today, except suspension (returned: the service decides). */
  private async step(tenantId: string, today: string, context: RequestContext, operatorId: string): Promise<{ opened: boolean; noticeSent: boolean; eligible: boolean; suspend: boolean }> {
    const now = this.deps.clock.now();
    const outcome = { opened: false, noticeSent: false, eligible: false, suspend: false };
    await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        let row = await repo.openCase(tx, tenantId, true);
        const overdue = (await repo.openInvoices(tx, tenantId)).filter((i) => i.due_date && compareDates(i.due_date, today) < 0);
        if (!row) {
          if (!overdue.length) return;
          const oldest = overdue[0]!;
          const state = transition(openDunningCase(oldest.due_date as string, today), { type: 'due_date_passed' }, today);
          row = await repo.insertCase(tx, { tenant_id: tenantId, opened_on: today, updated_at: now, ...columnsOf(state) });
          await this.event(tx, row, now, 'opened', { invoices: overdue.map((i) => i.number) });
          await recordAudit(tx, context, { tenantId, action: 'billing.dunning.opened', target: { type: 'dunning_case', id: row.id }, summary: { invoices: overdue.map((i) => i.number) }, at: now });
          outcome.opened = true;
        } else {
          const known = new Set((await repo.dunningEvents(tx, [row.id])).flatMap((e) => ((e.detail.invoices ?? []) as string[])));
          const added = overdue.filter((i) => i.number && !known.has(i.number));
          if (added.length) await this.event(tx, row, now, 'invoice_added', { invoices: added.map((i) => i.number) });
        }
        if (!overdue.length) return; // settled: reconcileTenant closes it
        let state = stateOf(row);
        // A fresh state may call for the next step the same day (overdue → notice); suspension
        // and reactivation are decided outside this transaction.
        for (let guard = 0; guard < 5; guard++) {
          const action = nextActions(state, today).find((a) => a.type !== 'suspend' && a.type !== 'reactivate');
          if (!action) break;
          if (action.type === 'mark_overdue') {
            state = transition(state, { type: 'due_date_passed' }, today);
          } else if (action.type === 'send_formal_notice') {
            state = transition(state, { type: 'notice_sent' }, today);
            const email = await this.formalNotice(tx, row, overdue, state, today);
            await this.event(tx, row, now, 'notice_sent', { emailId: email.id, to: email.to_addresses, invoices: overdue.map((i) => i.number), regularisationDeadline: state.regularisationDeadline });
            await recordAudit(tx, context, { tenantId, action: 'billing.dunning.notice_sent', target: { type: 'dunning_case', id: row.id }, summary: { emailId: email.id, regularisationDeadline: state.regularisationDeadline }, at: now });
            outcome.noticeSent = true;
          } else if (action.type === 'mark_suspension_eligible') {
            state = transition(state, { type: 'regularisation_period_elapsed' }, today);
            await this.event(tx, row, now, 'suspension_eligible', { since: state.suspensionEligibleOn, regularisationDeadline: state.regularisationDeadline });
            outcome.eligible = true;
          }
        }
        outcome.suspend = state.status === 'suspension_eligible';
        await repo.updateCase(tx, row.id, { ...columnsOf(state), updated_at: now });
      },
      tenantId,
    );
    return outcome;
  }

  /** Suspends for nonpayment (tenants module), then records it on the case. */
  private async suspend(tenantId: string, today: string, context: RequestContext, operatorId: string): Promise<'suspended' | string> {
    const now = this.deps.clock.now();
    const check = await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => ({ row: await repo.openCase(tx, tenantId), tenant: await repo.tenantStatus(tx, tenantId) }),
      tenantId,
    );
    if (check.row?.status !== 'suspension_eligible') return 'the notice procedure has not run its course';
    if (check.tenant?.status === 'suspended_fraud' || check.tenant?.status === 'terminated') return `the tenant is ${check.tenant.status}`;
    if (check.tenant?.status !== 'suspended_nonpayment') {
      await this.deps.tenantAdmin.suspend(context, operatorId, tenantId, 'nonpayment', `Défaut de paiement : mise en demeure du ${check.row.notice_sent_on} restée sans effet (CGVU art. 7.2)`);
    }
    await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const row = await repo.openCase(tx, tenantId, true);
        if (row?.status !== 'suspension_eligible') return;
        const state = transition(stateOf(row), { type: 'suspended' }, today);
        await repo.updateCase(tx, row.id, { ...columnsOf(state), updated_at: now });
        await repo.insertSuspension(tx, { tenantId, cause: 'nonpayment', fromDate: today, toDate: null, reason: 'Défaut de paiement (CGVU art. 7.2)', caseId: row.id, createdBy: context.actor.label });
        await this.event(tx, row, now, 'suspended', { tenantStatus: 'suspended_nonpayment' });
      },
      tenantId,
    );
    return 'suspended';
  }

  /** Closes a case whose overdue invoices are all paid; reactivates the tenant the same day. Returns whether it reactivated. */
  private async reconcileTenant(tenantId: string, today: string, context: RequestContext, operatorId: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const paid = await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const row = await repo.openCase(tx, tenantId, true);
        if (!row) return null;
        const overdue = (await repo.openInvoices(tx, tenantId)).filter((i) => i.due_date && compareDates(i.due_date, today) < 0);
        if (overdue.length) return null;
        let state = stateOf(row);
        if (state.status !== 'paid') {
          state = transition(state, { type: 'payment_received' }, today);
          await this.event(tx, row, now, 'paid', { on: today });
        }
        const closes = state.suspendedOn === null;
        await repo.updateCase(tx, row.id, { ...columnsOf(state), updated_at: now, ...(closes ? { closed_at: now } : {}) });
        if (closes) await recordAudit(tx, context, { tenantId, action: 'billing.dunning.closed', target: { type: 'dunning_case', id: row.id }, summary: { paidOn: today }, at: now });
        return closes ? null : row.id;
      },
      tenantId,
    );
    if (!paid) return false;
    const tenant = await withOperator(this.deps.db, operatorId, (tx) => repo.tenantStatus(tx, tenantId), tenantId);
    if (tenant?.status === 'suspended_nonpayment') {
      await this.deps.tenantAdmin.changeStatus(context, operatorId, tenantId, 'active', 'Paiement reçu : réactivation le jour même (CGVU art. 7.2)');
    }
    await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const row = await repo.findCase(tx, paid);
        if (!row || row.closed_at) return;
        const state = transition(stateOf(row), { type: 'reactivated' }, today);
        await repo.updateCase(tx, row.id, { ...columnsOf(state), closed_at: now, updated_at: now });
        await repo.closeOpenSuspensions(tx, tenantId, 'nonpayment', today);
        await this.event(tx, row, now, 'reactivated', { on: today, late: compareDates(today, row.paid_on ?? today) > 0 });
        await recordAudit(tx, context, { tenantId, action: 'billing.dunning.closed', target: { type: 'dunning_case', id: row.id }, summary: { paidOn: row.paid_on, reactivatedOn: today }, at: now });
      },
      tenantId,
    );
    return true;
  }

  private async acknowledgeCase(caseId: string, on: string, context: RequestContext, operatorId: string, detail: Record<string, unknown>): Promise<void> {
    const now = this.deps.clock.now();
    const today = todayIn(this.deps.clock);
    const tenantId = await withOperator(this.deps.db, operatorId, async (tx) => (await repo.findCase(tx, caseId))?.tenant_id);
    if (!tenantId) throw notFound('Dunning case');
    await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const row = await repo.findCase(tx, caseId);
        if (!row) throw notFound('Dunning case');
        let state: DunningState;
        try {
          state = transition(stateOf(row), { type: 'notice_acknowledged', on } as DunningEvent, today);
        } catch (error) {
          if (error instanceof DunningTransitionError) throw new AppError('invalid_state', error.message);
          throw error;
        }
        await repo.updateCase(tx, row.id, { notice_acknowledged_on: state.noticeAcknowledgedOn, updated_at: now });
        await this.event(tx, row, now, 'notice_acknowledged', { on, ...detail });
        await recordAudit(tx, context, { tenantId, action: 'billing.dunning.notice_acknowledged', target: { type: 'dunning_case', id: row.id }, summary: { on, ...detail }, at: now });
      },
      tenantId,
    );
  }

  /** The formal notice (mise en demeure), in the outbox with its acknowledgement link. */
  private async formalNotice(tx: Tx, row: repo.DunningCaseRow, overdue: repo.InvoiceRow[], state: DunningState, today: string): Promise<repo.EmailRow> {
    const contract = await repo.liveContract(tx, row.tenant_id);
    const recipients = [...new Set([contract?.billing_email, ...(await repo.billingContacts(tx, row.tenant_id))].filter((a): a is string => !!a))];
    const token = randomBytes(24).toString('base64url');
    const rates = legalRateTable(await repo.listLegalRates(tx));
    const lines = overdue.map((invoice) => {
      const due = invoice.total_ttc_cents - invoice.amount_credited_cents - invoice.amount_paid_cents;
      const penalty = computeLatePenaltyOnBalance({ amountTtcCents: invoice.total_ttc_cents - invoice.amount_credited_cents, dueDate: invoice.due_date as string, until: today, payments: [], ...(rates.length ? { table: rates } : {}) });
      return `- Facture ${invoice.number} du ${fr(invoice.issue_date as string)}, échue le ${fr(invoice.due_date as string)} : ${formatEuros(due)} restant dus (pénalités de retard à ce jour : ${formatEuros(penalty.interestCents)}, indemnité forfaitaire de recouvrement : ${formatEuros(penalty.indemnityCents)})`;
    });
    const total = overdue.reduce((sum, i) => sum + (i.total_ttc_cents - i.amount_credited_cents - i.amount_paid_cents), 0);
    const body = [
      `${contract?.legal_name ?? 'Madame, Monsieur'},`,
      '',
      'MISE EN DEMEURE DE PAYER',
      '',
      `Sauf erreur de notre part, les factures suivantes restent impayées à leur échéance (total ${formatEuros(total)} TTC) :`,
      ...lines,
      '',
      `Conformément à l'article 7.2 de nos conditions générales, nous vous mettons en demeure de régler ces sommes au plus tard le ${fr(state.regularisationDeadline as string)} ` +
        '(cinq jours ouvrés suivant la présente). À défaut, nous pourrons suspendre l’accès à nos services à compter du ' +
        `${fr(state.suspensionEligibleOn as string)} ; les abonnements resteront dus pendant la suspension.`,
      'Des pénalités de retard au taux de trois fois le taux d’intérêt légal et une indemnité forfaitaire de 40 € par facture sont exigibles (article L441-10 du Code de commerce).',
      '',
      `Merci d'accuser réception de ce courrier en suivant ce lien : ${this.deps.publicUrl}/billing/acknowledge/${token}`,
      '',
      `${this.deps.seller.tradeName} — ${this.deps.seller.legalName}, service facturation`,
    ].join('\n');
    return repo.insertEmail(tx, {
      tenantId: row.tenant_id,
      kind: 'formal_notice',
      caseId: row.id,
      to: recipients.length ? recipients : ['facturation@sofy.localhost'],
      subject: `Mise en demeure de payer — ${overdue.map((i) => i.number).join(', ')}`,
      body,
      ackTokenHash: hashToken(token),
    });
  }

  private async event(tx: Tx, row: { id: string; tenant_id: string }, at: Date, kind: DunningEventKind, detail: Record<string, unknown>): Promise<void> {
    await repo.insertDunningEvent(tx, { tenantId: row.tenant_id, caseId: row.id, at, kind, detail });
  }

  private async caseView(tx: Tx, row: repo.DunningCaseRow, tenantName: string | null, tenantStatus: string | null): Promise<DunningCaseView> {
    const today = todayIn(this.deps.clock);
    const events = await repo.dunningEvents(tx, [row.id]);
    const overdue = row.closed_at ? [] : (await repo.openInvoices(tx, row.tenant_id)).filter((i) => i.due_date && compareDates(i.due_date, today) < 0);
    const due = (i: repo.InvoiceRow) => i.total_ttc_cents - i.amount_credited_cents - i.amount_paid_cents;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      tenantName,
      tenantStatus,
      status: row.status,
      open: row.closed_at === null,
      dueDate: row.due_date,
      openedOn: row.opened_on,
      noticeSentOn: row.notice_sent_on,
      noticeAcknowledgedOn: row.notice_acknowledged_on,
      regularisationDeadline: row.regularisation_deadline,
      suspensionEligibleOn: row.suspension_eligible_on,
      suspendedOn: row.suspended_on,
      paidOn: row.paid_on,
      reactivatedOn: row.reactivated_on,
      amountDueCents: overdue.reduce((sum, i) => sum + due(i), 0),
      overdueInvoices: overdue.map((i) => ({ id: i.id, number: i.number, dueDate: i.due_date, amountDueCents: due(i) })),
      nextActions: row.closed_at ? [] : nextActions(stateOf(row), compareDates(today, row.last_event_on) < 0 ? row.last_event_on : today).map((a) => a.type),
      timeline: events.map((e) => ({ at: e.at.toISOString(), kind: e.kind, detail: e.detail })),
    };
  }
}

function stateOf(row: repo.DunningCaseRow): DunningState {
  return {
    status: row.status,
    dueDate: row.due_date,
    lastEventOn: row.last_event_on,
    noticeSentOn: row.notice_sent_on,
    noticeAcknowledgedOn: row.notice_acknowledged_on,
    regularisationDeadline: row.regularisation_deadline,
    suspensionEligibleOn: row.suspension_eligible_on,
    suspendedOn: row.suspended_on,
    paidOn: row.paid_on,
    reactivatedOn: row.reactivated_on,
  };
}

function columnsOf(state: DunningState) {
  return {
    status: state.status,
    due_date: state.dueDate,
    last_event_on: state.lastEventOn,
    notice_sent_on: state.noticeSentOn,
    notice_acknowledged_on: state.noticeAcknowledgedOn,
    regularisation_deadline: state.regularisationDeadline,
    suspension_eligible_on: state.suspensionEligibleOn,
    suspended_on: state.suspendedOn,
    paid_on: state.paidOn,
    reactivated_on: state.reactivatedOn,
  };
}

const fr = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
