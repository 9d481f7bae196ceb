/**
 * Payments (R-PAYMENT): transfers recorded by hand or matched from a bank statement CSV
 * (sepa/bank-statement.ts), SEPA direct-debit batches exported as pain.008 (sepa/pain008.ts)
 * after a pre-notification 14 days ahead, partial payments, the 1 % discount within 8 days
 * (settlement.ts), and the liability cap (R-CAP). Settling an overdue invoice reconciles dunning.
 */
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { withOperator, withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, fieldError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { type BillingDeps, billingOperator, billingReader, todayIn } from './common.ts';
import * as repo from './repo.ts';
import { compareDates, formatEuros, isIsoDate, isPreNotificationInTime, liabilityCap, type LiabilityCap, earliestCollectionDate } from './rules.ts';
import { matchPayments, type OpenInvoice, parseBankStatement, partitionNewLines, StatementFormatError } from './sepa/bank-statement.ts';
import { buildPain008 } from './sepa/pain008.ts';
import { invoiceSettlement, refreshPaymentState } from './settlement.ts';

export interface PaymentView {
  id: string;
  tenantId: string;
  tenantName: string | null;
  method: 'transfer' | 'sepa' | 'other';
  amountCents: number;
  allocatedCents: number;
  receivedOn: string;
  reference: string | null;
  allocations: Array<{ invoiceId: string; invoiceNumber: string | null; amountCents: number; discountCents: number }>;
  createdAt: string;
}

export interface StatementImportView {
  importId: string;
  lines: number;
  fresh: number;
  alreadyImported: number;
  matched: Array<{ line: number; date: string; amountCents: number; label: string; allocations: Array<{ invoiceNumber: string; amountCents: number; discountCents: number }> }>;
  unmatched: BankLineView[];
  errors: Array<{ line: number; reason: string; message: string }>;
}

export interface BankLineView {
  fingerprint: string;
  line: number;
  date: string;
  amountCents: number;
  label: string;
  reference: string | null;
  counterparty: string | null;
  reason: string | null;
  candidateInvoiceIds: string[];
}

export interface SepaBatchView {
  id: string;
  messageId: string;
  collectionDate: string;
  totalCents: number;
  count: number;
  createdBy: string | null;
  createdAt: string;
  items?: Array<{ invoiceId: string; tenantId: string; amountCents: number; sequenceType: string; endToEndId: string; rum: string }>;
}

export class PaymentsService {
  constructor(
    private readonly deps: BillingDeps,
    private readonly onSettlement: (tenantIds: string[]) => Promise<void>,
  ) {}

  /**
   * A payment received (transfer, or anything else an operator saw arrive), allocated to the
   * invoices named, or else to the tenant's open invoices oldest first; what is left over stays
   * on the payment, unallocated.
   */
  async recordPayment(
    ctx: ServiceContext,
    input: { tenantId: string; amountCents: number; receivedOn: string; method: 'transfer' | 'sepa' | 'other'; reference?: string | undefined; invoiceIds?: string[] | undefined },
  ): Promise<PaymentView> {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(input.receivedOn) || compareDates(input.receivedOn, todayIn(this.deps.clock)) > 0) {
      throw fieldError('validation_failed', '/receivedOn', 'is not a calendar date on or before today');
    }
    const view = await withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        if (!(await repo.tenantStatus(tx, input.tenantId))) throw fieldError('not_found', '/tenantId', 'no such tenant');
        const payment = await repo.insertPayment(tx, {
          tenantId: input.tenantId,
          method: input.method,
          amountCents: input.amountCents,
          receivedOn: input.receivedOn,
          reference: input.reference ?? null,
          bankLine: null,
          sepaBatchId: null,
          createdBy: ctx.actor.label,
        });
        await this.allocate(tx, payment, input.invoiceIds);
        await recordAudit(tx, ctx, {
          tenantId: input.tenantId,
          action: 'billing.payment.recorded',
          target: { type: 'payment', id: payment.id },
          summary: { amountCents: input.amountCents, receivedOn: input.receivedOn, method: input.method, reference: input.reference ?? null },
          at: this.deps.clock.now(),
        });
        return this.paymentView(tx, payment.id);
      },
      input.tenantId,
    );
    await this.onSettlement([input.tenantId]);
    return view;
  }

  /**
   * A bank statement CSV: the credit lines never imported before (by fingerprint) are matched to
   * open invoices by reference (or exact amount and client name) and recorded as payments; the
   * others wait for an operator. The same statement twice adds nothing.
   */
  async importStatement(ctx: ServiceContext, file: { bytes: Uint8Array; filename: string | null }): Promise<StatementImportView> {
    const operatorId = billingOperator(ctx);
    let parsed: ReturnType<typeof parseBankStatement>;
    try {
      parsed = parseBankStatement(file.bytes);
    } catch (error) {
      if (error instanceof StatementFormatError) throw fieldError('invalid_bank_statement', '/file', error.message);
      throw error;
    }
    const now = this.deps.clock.now();
    const settled = new Set<string>();
    const view = await withOperator(this.deps.db, operatorId, async (tx) => {
      const known = await repo.knownBankLines(
        tx,
        parsed.lines.map((l) => l.fingerprint),
      );
      const { fresh, alreadyImported } = partitionNewLines(parsed.lines, known);
      if (parsed.lines.length > 0 && fresh.length === 0) {
        throw new AppError('statement_already_imported', `Every credit line of this statement was imported before (${alreadyImported.length})`);
      }
      const open = await repo.allOpenInvoices(tx);
      const report = matchPayments(fresh, open.filter((i) => i.number).map((i) => openInvoiceOf(i)));
      const imported = await repo.insertBankImport(tx, {
        filename: file.filename,
        encoding: parsed.encoding,
        lines: parsed.lines.length,
        fresh: fresh.length,
        matched: report.matched.length,
        errors: parsed.errors,
        createdBy: ctx.actor.label,
      });
      const byId = new Map(open.map((i) => [i.id, i]));
      const matched: StatementImportView['matched'] = [];
      for (const match of report.matched) {
        const { line } = match;
        await repo.insertBankLine(tx, { ...bankLineValues(line, imported.id), status: 'matched', reason: null, candidates: [], matchedAt: now });
        // One payment per tenant paid by this transfer (one transfer may settle several invoices).
        const byTenant = new Map<string, typeof match.allocations>();
        for (const allocation of match.allocations) {
          const tenantId = byId.get(allocation.invoiceId)?.tenant_id;
          if (!tenantId) continue;
          byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), allocation]);
        }
        let first = true;
        for (const [tenantId, allocations] of byTenant) {
          const allocated = allocations.reduce((sum, a) => sum + a.amountCents, 0);
          const payment = await repo.insertPayment(tx, {
            tenantId,
            method: 'transfer',
            amountCents: allocated + (first ? match.overpaymentCents : 0),
            receivedOn: line.date,
            reference: line.label.slice(0, 500),
            bankLine: line.fingerprint,
            sepaBatchId: null,
            createdBy: ctx.actor.label,
          });
          first = false;
          for (const allocation of allocations) {
            await repo.insertAllocation(tx, { paymentId: payment.id, invoiceId: allocation.invoiceId, tenantId, amountCents: allocation.amountCents, discountCents: allocation.discountCents });
            await refreshPaymentState(tx, allocation.invoiceId, todayIn(this.deps.clock), now);
          }
          await recordAudit(tx, ctx, {
            tenantId,
            action: 'billing.payment.recorded',
            target: { type: 'payment', id: payment.id },
            summary: { amountCents: payment.amount_cents, receivedOn: line.date, method: 'transfer', source: 'bank_statement', importId: imported.id },
            at: now,
          });
          settled.add(tenantId);
        }
        matched.push({
          line: line.line,
          date: line.date,
          amountCents: line.amountCents,
          label: line.label,
          allocations: match.allocations.map((a) => ({ invoiceNumber: a.invoiceNumber, amountCents: a.amountCents, discountCents: a.discountCents })),
        });
      }
      for (const miss of report.unmatched) {
        await repo.insertBankLine(tx, { ...bankLineValues(miss.line, imported.id), status: 'unmatched', reason: miss.reason, candidates: miss.candidateInvoiceIds, matchedAt: null });
      }
      await recordAudit(tx, ctx, {
        tenantId: null,
        action: 'billing.bank_statement.imported',
        target: { type: 'bank_import', id: imported.id },
        summary: { filename: file.filename, lines: parsed.lines.length, fresh: fresh.length, matched: report.matched.length, unmatched: report.unmatched.length, errors: parsed.errors.length },
        at: now,
      });
      return {
        importId: imported.id,
        lines: parsed.lines.length,
        fresh: fresh.length,
        alreadyImported: alreadyImported.length,
        matched,
        unmatched: report.unmatched.map((u) => ({
          fingerprint: u.line.fingerprint,
          line: u.line.line,
          date: u.line.date,
          amountCents: u.line.amountCents,
          label: u.line.label,
          reference: u.line.reference,
          counterparty: u.line.counterparty,
          reason: u.reason,
          candidateInvoiceIds: u.candidateInvoiceIds,
        })),
        errors: parsed.errors.map((e) => ({ line: e.line, reason: e.reason, message: e.message })),
      };
    });
    await this.onSettlement([...settled]);
    return view;
  }

  async unmatchedLines(ctx: ServiceContext): Promise<BankLineView[]> {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.unmatchedBankLines(tx));
    return rows.map((row) => ({
      fingerprint: row.fingerprint,
      line: row.line,
      date: row.on_date,
      amountCents: row.amount_cents,
      label: row.label,
      reference: row.reference,
      counterparty: row.counterparty,
      reason: row.reason,
      candidateInvoiceIds: row.candidates,
    }));
  }

  /** An operator matches an unmatched statement line to an invoice (or marks it as not a client payment). */
  async resolveBankLine(ctx: ServiceContext, fingerprint: string, input: { invoiceId?: string | undefined; ignore?: boolean | undefined }): Promise<PaymentView | null> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    let tenantId: string | null = null;
    const view = await withOperator(this.deps.db, operatorId, async (tx) => {
      const line = await repo.findBankLine(tx, fingerprint, true);
      if (!line) throw notFound('Statement line');
      if (line.status !== 'unmatched') throw new AppError('invalid_state', `The line is already ${line.status}`);
      if (input.ignore) {
        await repo.setBankLineStatus(tx, fingerprint, 'ignored', now);
        await recordAudit(tx, ctx, { tenantId: null, action: 'billing.bank_line.ignored', target: { type: 'bank_line', id: fingerprint }, summary: { amountCents: line.amount_cents, label: line.label }, at: now });
        return null;
      }
      if (!input.invoiceId) throw fieldError('validation_failed', '/invoiceId', 'name the invoice this transfer pays, or ignore the line');
      const invoice = await repo.findInvoice(tx, input.invoiceId);
      if (invoice?.kind !== 'invoice' || invoice.status !== 'issued') throw fieldError('not_found', '/invoiceId', 'no such issued invoice');
      tenantId = invoice.tenant_id;
      const payment = await repo.insertPayment(tx, {
        tenantId: invoice.tenant_id,
        method: 'transfer',
        amountCents: line.amount_cents,
        receivedOn: line.on_date,
        reference: line.label.slice(0, 500),
        bankLine: fingerprint,
        sepaBatchId: null,
        createdBy: ctx.actor.label,
      });
      await this.allocate(tx, payment, [invoice.id]);
      await repo.setBankLineStatus(tx, fingerprint, 'matched', now);
      await recordAudit(tx, ctx, {
        tenantId: invoice.tenant_id,
        action: 'billing.payment.recorded',
        target: { type: 'payment', id: payment.id },
        summary: { amountCents: line.amount_cents, receivedOn: line.on_date, method: 'transfer', source: 'manual_match', invoice: invoice.number },
        at: now,
      });
      return this.paymentView(tx, payment.id);
    });
    if (tenantId) await this.onSettlement([tenantId]);
    return view;
  }

  async operatorPayments(ctx: ServiceContext, filter: { tenantId?: string | undefined; limit: number }): Promise<PaymentView[]> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => this.paymentViews(tx, await repo.listPayments(tx, filter)));
  }

  async clientPayments(ctx: ServiceContext, limit: number): Promise<PaymentView[]> {
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, async (tx) => this.paymentViews(tx, await repo.listPayments(tx, { tenantId, limit })));
  }

  // SEPA ----------------------------------------------------------------------------------------

  /**
   * A pain.008 batch of the SEPA invoices due by `dueBy` (default: the collection date): the
   * debtors are pre-notified now (email), so the collection date must be at least 14 days ahead.
   */
  async createSepaBatch(ctx: ServiceContext, input: { collectionDate: string; dueBy?: string | undefined }): Promise<SepaBatchView> {
    const operatorId = billingOperator(ctx);
    const today = todayIn(this.deps.clock);
    const now = this.deps.clock.now();
    if (!isIsoDate(input.collectionDate)) throw fieldError('validation_failed', '/collectionDate', 'is not a calendar date');
    if (!isPreNotificationInTime(today, input.collectionDate)) {
      throw fieldError('prenotification_too_late', '/collectionDate', `debtors are pre-notified today: the earliest collection date is ${earliestCollectionDate(today)}`);
    }
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const invoices = await repo.sepaCollectible(tx, input.dueBy ?? input.collectionDate);
      if (!invoices.length) throw new AppError('invalid_state', 'No SEPA invoice is waiting for collection');
      const collections = invoices.map((invoice) => ({
        invoiceNumber: invoice.number as string,
        amountCents: invoice.total_ttc_cents - invoice.amount_credited_cents - invoice.amount_paid_cents,
        collectionDate: input.collectionDate,
        preNotifiedOn: today,
        mandate: { kind: 'recurrent' as const, signedOn: invoice.sepa_signed_on as string, lastCollectionOn: invoice.sepa_last_collection_on, rum: invoice.sepa_rum as string },
        debtor: {
          name: invoice.legal_name,
          iban: invoice.sepa_iban as string,
          bic: invoice.sepa_bic,
          address: { country: invoice.country, streetLine: invoice.address_line, postCode: invoice.postal_code, town: invoice.city },
        },
      }));
      const messageId = `SOFY${today.replace(/-/g, '')}${randomBytes(4).toString('hex').toUpperCase()}`;
      const file = buildPain008({
        messageId,
        createdAt: now,
        initiatingPartyName: this.deps.seller.legalName,
        creditor: { name: this.deps.seller.legalName, iban: this.deps.seller.iban, bic: this.deps.seller.bic, ics: this.deps.seller.sepaCreditorId },
        collections,
      });
      const batch = await repo.insertSepaBatch(tx, { messageId, collectionDate: input.collectionDate, totalCents: file.controlSumCents, count: file.numberOfTransactions, xml: file.xml, createdBy: ctx.actor.label });
      const sequence = new Map<string, 'FRST' | 'RCUR'>();
      for (const block of file.paymentInformations) for (const id of block.endToEndIds) sequence.set(id, block.sequenceType === 'FRST' ? 'FRST' : 'RCUR');
      await repo.insertSepaItems(
        tx,
        invoices.map((invoice, index) => ({
          batchId: batch.id,
          tenantId: invoice.tenant_id,
          invoiceId: invoice.id,
          amountCents: collections[index]!.amountCents,
          sequenceType: sequence.get(invoice.number as string) ?? 'RCUR',
          endToEndId: invoice.number as string,
          rum: invoice.sepa_rum as string,
        })),
      );
      await repo.markCollected(tx, [...new Set(invoices.map((i) => i.contract_id as string))], input.collectionDate);
      // R-PAYMENT: the pre-notification, 14 days ahead at least, one email per invoice.
      for (const [index, invoice] of invoices.entries()) {
        await repo.insertEmail(tx, {
          tenantId: invoice.tenant_id,
          kind: 'sepa_prenotification',
          caseId: null,
          to: [(await repo.findContract(tx, invoice.contract_id as string))?.billing_email ?? ''].filter(Boolean),
          subject: `Prélèvement SEPA du ${frenchDay(input.collectionDate)} — facture ${invoice.number}`,
          body: [
            'Bonjour,',
            '',
            `Conformément à votre mandat de prélèvement SEPA (référence unique de mandat ${invoice.sepa_rum}), nous prélèverons ${formatEuros(collections[index]!.amountCents)} ` +
              `sur le compte ${maskedIban(invoice.sepa_iban)} le ${frenchDay(input.collectionDate)}, en règlement de la facture ${invoice.number}.`,
            `Identifiant créancier SEPA : ${this.deps.seller.sepaCreditorId}.`,
            '',
            `${this.deps.seller.tradeName} — ${this.deps.seller.legalName}`,
          ].join('\n'),
          ackTokenHash: null,
        });
      }
      await recordAudit(tx, ctx, {
        tenantId: null,
        action: 'billing.sepa_batch.created',
        target: { type: 'sepa_batch', id: batch.id },
        summary: { messageId, collectionDate: input.collectionDate, count: file.numberOfTransactions, totalCents: file.controlSumCents },
        at: now,
      });
      return this.sepaView(tx, batch.id, true);
    });
  }

  async listSepaBatches(ctx: ServiceContext): Promise<SepaBatchView[]> {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listSepaBatches(tx));
    return rows.map((row) => ({ id: row.id, messageId: row.message_id, collectionDate: row.collection_date, totalCents: row.total_cents, count: row.count, createdBy: row.created_by, createdAt: row.created_at.toISOString() }));
  }

  async sepaBatch(ctx: ServiceContext, id: string): Promise<SepaBatchView> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, (tx) => this.sepaView(tx, id, true));
  }

  async sepaBatchXml(ctx: ServiceContext, id: string): Promise<{ filename: string; xml: string }> {
    const operatorId = billingOperator(ctx);
    const batch = await withOperator(this.deps.db, operatorId, (tx) => repo.findSepaBatch(tx, id));
    if (!batch) throw notFound('SEPA batch');
    return { filename: `${batch.message_id}.xml`, xml: batch.xml };
  }

  /** The bank debited the batch: each collection is recorded as a payment on the collection date. */
  async settleSepaBatch(ctx: ServiceContext, id: string): Promise<SepaBatchView> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    const tenants = new Set<string>();
    const view = await withOperator(this.deps.db, operatorId, async (tx) => {
      const batch = await repo.findSepaBatch(tx, id);
      if (!batch) throw notFound('SEPA batch');
      if (compareDates(batch.collection_date, todayIn(this.deps.clock)) > 0) throw new AppError('invalid_state', `The collection date ${batch.collection_date} has not come yet`);
      for (const item of await repo.sepaItems(tx, id)) {
        const payments = await repo.listPayments(tx, { tenantId: item.tenant_id, limit: 1000 });
        if (payments.some((p) => p.sepa_batch_id === id && p.reference === item.end_to_end_id)) continue;
        const payment = await repo.insertPayment(tx, {
          tenantId: item.tenant_id,
          method: 'sepa',
          amountCents: item.amount_cents,
          receivedOn: batch.collection_date,
          reference: item.end_to_end_id,
          bankLine: null,
          sepaBatchId: id,
          createdBy: ctx.actor.label,
        });
        await this.allocate(tx, payment, [item.invoice_id]);
        await recordAudit(tx, ctx, {
          tenantId: item.tenant_id,
          action: 'billing.payment.recorded',
          target: { type: 'payment', id: payment.id },
          summary: { amountCents: item.amount_cents, receivedOn: batch.collection_date, method: 'sepa', batch: batch.message_id },
          at: now,
        });
        tenants.add(item.tenant_id);
      }
      return this.sepaView(tx, id, true);
    });
    await this.onSettlement([...tenants]);
    return view;
  }

  // R-CAP -----------------------------------------------------------------------------------------

  /** The liability cap of a tenant for an event on `eventDate`: the HT amount paid over the 12 months before. */
  async liabilityCap(ctx: ServiceContext, tenantId: string, eventDate: string): Promise<LiabilityCap> {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(eventDate)) throw fieldError('validation_failed', '/date', 'is not a calendar date');
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const rows = await repo.allocationsReceivedBetween(tx, tenantId, '1900-01-01', eventDate);
      return liabilityCap(
        eventDate,
        rows.map((row) => ({ date: row.received_on, amountTtcCents: row.amount_cents, invoiceHtCents: row.total_ht_cents, invoiceTtcCents: row.total_ttc_cents })),
      );
    });
  }

  // Internals -------------------------------------------------------------------------------------

  /** Allocates a payment to invoices (named, or the tenant's open ones oldest first), each up to what settles it. */
  private async allocate(tx: Tx, payment: repo.PaymentRow, invoiceIds: string[] | undefined): Promise<void> {
    const now = this.deps.clock.now();
    const today = todayIn(this.deps.clock);
    const open = await repo.openInvoices(tx, payment.tenant_id, true);
    const targets = invoiceIds?.length
      ? invoiceIds.map((id, index) => {
          const invoice = open.find((i) => i.id === id);
          if (!invoice) throw fieldError('invalid_state', `/invoiceIds/${index}`, 'is not an open invoice of this tenant');
          return invoice;
        })
      : open;
    let available = payment.amount_cents;
    for (const invoice of targets) {
      if (available <= 0) break;
      const settlement = await invoiceSettlement(tx, invoice, [{ date: payment.received_on, amountCents: available }]);
      if (!settlement) continue;
      const amount = available - settlement.overpaidCents;
      if (amount <= 0) continue;
      const owedTtc = invoice.total_ttc_cents - invoice.amount_credited_cents;
      await repo.insertAllocation(tx, {
        paymentId: payment.id,
        invoiceId: invoice.id,
        tenantId: payment.tenant_id,
        amountCents: amount,
        discountCents: settlement.discountApplied && settlement.remainingCents === 0 ? owedTtc - settlement.amountOwedCents : 0,
      });
      await refreshPaymentState(tx, invoice.id, today, now);
      available -= amount;
    }
  }

  private async paymentView(tx: Tx, id: string): Promise<PaymentView> {
    const rows = await repo.listPayments(tx, { limit: 1000 });
    const row = rows.find((r) => r.id === id);
    if (!row) throw notFound('Payment');
    return (await this.paymentViews(tx, [row]))[0]!;
  }

  private async paymentViews(tx: Tx, rows: Awaited<ReturnType<typeof repo.listPayments>>): Promise<PaymentView[]> {
    const allocations = await repo.allocationsOfPayments(
      tx,
      rows.map((r) => r.id),
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      method: row.method,
      amountCents: row.amount_cents,
      allocatedCents: Number(row.allocated_cents ?? 0),
      receivedOn: row.received_on,
      reference: row.reference,
      allocations: allocations
        .filter((a) => a.payment_id === row.id)
        .map((a) => ({ invoiceId: a.invoice_id, invoiceNumber: a.number, amountCents: a.amount_cents, discountCents: a.discount_cents })),
      createdAt: row.created_at.toISOString(),
    }));
  }

  private async sepaView(tx: Tx, id: string, withItems: boolean): Promise<SepaBatchView> {
    const batch = await repo.findSepaBatch(tx, id);
    if (!batch) throw notFound('SEPA batch');
    const items = withItems ? await repo.sepaItems(tx, id) : [];
    return {
      id: batch.id,
      messageId: batch.message_id,
      collectionDate: batch.collection_date,
      totalCents: batch.total_cents,
      count: batch.count,
      createdBy: batch.created_by,
      createdAt: batch.created_at.toISOString(),
      ...(withItems
        ? { items: items.map((i) => ({ invoiceId: i.invoice_id, tenantId: i.tenant_id, amountCents: i.amount_cents, sequenceType: i.sequence_type, endToEndId: i.end_to_end_id, rum: i.mandate_rum })) }
        : {}),
    };
  }
}

function openInvoiceOf(invoice: Awaited<ReturnType<typeof repo.allOpenInvoices>>[number]): OpenInvoice {
  const outstanding = invoice.total_ttc_cents - invoice.amount_credited_cents - invoice.amount_paid_cents;
  const untouched = invoice.amount_paid_cents === 0;
  return {
    id: invoice.id,
    number: invoice.number as string,
    clientName: invoice.legal_name ?? '',
    outstandingCents: outstanding,
    discountedOutstandingCents: untouched ? invoice.total_ttc_cents - invoice.discount_ttc_cents - invoice.amount_credited_cents : null,
    discountDeadline: untouched ? invoice.discount_deadline : null,
  };
}

function bankLineValues(line: { fingerprint: string; line: number; date: string; amountCents: number; label: string; reference: string | null; counterparty: string | null }, importId: string) {
  return { fingerprint: line.fingerprint, importId, line: line.line, onDate: line.date, amountCents: line.amountCents, label: line.label, reference: line.reference, counterparty: line.counterparty };
}

const frenchDay = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
const maskedIban = (iban: string | null): string => (iban ? `${iban.slice(0, 4)} **** ${iban.slice(-4)}` : '');
