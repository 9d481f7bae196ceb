/**
 * Order forms and contracts (R-ORDER, R-ONBOARD, R-POI, R-TERM, R-PRICE): the operators' side
 * (create and sign order forms, amend the POI licence, record termination notices, keep the
 * SYNTEC revisions) and the client's read-only view. Every change is audited in the tenant's trail.
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/database.ts';
import { enterTenant, withOperator, withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, fieldError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { type BillingDeps, billingOperator, billingReader, maskIban, PER_POI_PRODUCTS, SYSTEM_OPERATOR, systemContext, todayIn } from './common.ts';
import type { MessagingPrice, OrderItem } from './db.ts';
import { insertDraft, issueDraft, vatContextFor } from './invoice-builder.ts';
import * as repo from './repo.ts';
import {
  addDays,
  anniversariesBetween,
  compareDates,
  contractState,
  type ContractTerm,
  exitDateForNotice,
  isEuMemberState,
  isIsoDate,
  isValidSiren,
  type LegalRateEntry,
  licensedCountAt,
  exitDate,
  licenceSchedule,
  noticeDeadlineFor,
  onboardingCharge,
  type PoiAmendment,
  raiseCharge,
  type SyntecIndexEntry,
  syntecRevisionHistory,
  type TermMonths,
  terminationFromNotices,
  validateBic,
  validateIban,
  validateRum,
  validateVatNumber,
  canCreatePointOfSale,
  type PoiCreationDecision,
} from './rules.ts';
import { storeViesProof } from './vies-checks.ts';

export interface OrderFormInput {
  tenantId: string;
  legalName: string;
  legalForm?: string | undefined;
  siren?: string | undefined;
  addressLine: string;
  postalCode: string;
  city: string;
  country: string;
  vatNumber?: string | undefined;
  billingEmail: string;
  priceListCode?: string | undefined;
  items?: Array<{ product: string; unitCents?: number | undefined }> | undefined;
  messagingPrices?: MessagingPrice[] | undefined;
  poiCount: number;
  termMonths: 12 | 24 | 36;
  startDate: string;
  onboardingFeeCents?: number | undefined;
  paymentMethod: 'sepa' | 'transfer';
  sepa?: { rum: string; iban: string; bic: string; signedOn: string } | undefined;
}

export interface OrderFormView {
  id: string;
  tenantId: string;
  tenantName: string | null;
  status: 'draft' | 'signed' | 'cancelled';
  legalName: string;
  legalForm: string | null;
  siren: string | null;
  address: { line: string; postalCode: string; city: string; country: string };
  vatNumber: string | null;
  vies: ViesProofView | null;
  billingEmail: string;
  priceListId: string | null;
  items: OrderItem[];
  messagingPrices: MessagingPrice[];
  poiCount: number;
  termMonths: number;
  startDate: string;
  onboardingFeeCents: number;
  paymentMethod: 'sepa' | 'transfer';
  sepa: { rum: string; iban: string | null; bic: string | null; signedOn: string | null } | null;
  signedOn: string | null;
  signatoryName: string | null;
  createdAt: string;
}

export interface ViesProofView {
  id: string;
  vatNumber: string;
  outcome: 'valid' | 'invalid' | 'unavailable';
  checkedAt: string;
  requestIdentifier: string | null;
  traderName: string | null;
  traderAddress: string | null;
  response: Record<string, unknown>;
}

export const viesProofView = (row: repo.ViesCheckRow): ViesProofView => ({
  id: row.id,
  vatNumber: `${row.country_code}${row.vat_number}`,
  outcome: row.outcome,
  checkedAt: row.checked_at.toISOString(),
  requestIdentifier: row.request_identifier,
  traderName: row.trader_name,
  traderAddress: row.trader_address,
  response: row.response,
});

export interface ContractView {
  id: string;
  tenantId: string;
  tenantName: string | null;
  orderFormId: string;
  status: 'active' | 'terminating' | 'ended';
  legalName: string;
  siren: string | null;
  address: { line: string; postalCode: string; city: string; country: string };
  vatNumber: string | null;
  vat: { regime: string; rateBp: number; mention: string | null; explanation: string };
  vies: ViesProofView | null;
  billingEmail: string;
  startDate: string;
  termMonths: number;
  signedOn: string;
  endDate: string | null;
  licence: { licensedPoi: number; pending: Array<{ poiCount: number; effectiveOn: string; kind: 'raise' | 'reduction' | 'unchanged' }> };
  term: {
    status: string;
    period: { kind: 'initial' | 'renewal'; from: string; to: string; endsOn: string; noticeDeadline: string };
    nextNoticeDeadline: { exitOn: string; deadline: string; daysLeft: number } | null;
    termination: { effectiveOn: string; lastDay: string; noticeReceivedOn: string; channel: string } | null;
  };
  paymentMethod: 'sepa' | 'transfer';
  sepa: { rum: string; iban: string | null; bic: string | null; signedOn: string | null; lastCollectionOn: string | null } | null;
  /** R-CONFID: the negotiated prices, for owners/admins and billing operators only. */
  subscriptions: Array<{ product: string; perPoi: boolean; unitCents: number }>;
  notices: Array<{ id: string; receivedOn: string; channel: string; reference: string | null; exitOn: string; deadline: string }>;
  history: Array<{ onDate: string; kind: string; detail: Record<string, unknown> }>;
}

export class ContractsService {
  constructor(private readonly deps: BillingDeps) {}

  // Order forms ----------------------------------------------------------------------------------

  async createOrderForm(ctx: ServiceContext, input: OrderFormInput): Promise<OrderFormView> {
    const operatorId = billingOperator(ctx);
    const today = todayIn(this.deps.clock);
    const country = input.country.toUpperCase();
    if (country === 'FR' && !input.siren) throw fieldError('invalid_siren', '/siren', 'a French client has a SIREN');
    if (input.siren && !isValidSiren(input.siren)) throw fieldError('invalid_siren', '/siren', 'is not a valid SIREN (9 digits, Luhn key)');
    if (!isIsoDate(input.startDate)) throw fieldError('validation_failed', '/startDate', 'is not a calendar date');
    let vatNumber: string | null = null;
    if (input.vatNumber) {
      const check = validateVatNumber(input.vatNumber, country);
      if (!check.valid || !check.normalised) throw fieldError('invalid_vat_number', '/vatNumber', `is not a valid intra-community VAT number (${check.reason})`);
      vatNumber = check.normalised;
    }
    let sepa: { rum: string; iban: string; bic: string; signedOn: string } | null = null;
    if (input.paymentMethod === 'sepa') {
      if (!input.sepa) throw fieldError('invalid_mandate', '/sepa', 'a SEPA direct debit needs the mandate (RUM, IBAN, BIC, signature date)');
      const iban = validateIban(input.sepa.iban);
      if (!iban.ok) throw fieldError('invalid_iban', '/sepa/iban', iban.message);
      const bic = validateBic(input.sepa.bic, { ibanCountry: iban.country });
      if (!bic.ok) throw fieldError('invalid_bic', '/sepa/bic', bic.message);
      const rum = validateRum(input.sepa.rum);
      if (!rum.ok) throw fieldError('invalid_mandate', '/sepa/rum', rum.message);
      if (!isIsoDate(input.sepa.signedOn) || compareDates(input.sepa.signedOn, today) > 0) throw fieldError('invalid_mandate', '/sepa/signedOn', 'is not a past calendar date');
      sepa = { rum: rum.rum, iban: iban.iban, bic: bic.bic, signedOn: input.sepa.signedOn };
    }
    // R-VAT: an EU number outside France is confirmed with VIES now, and the answer kept as proof.
    const vies = vatNumber && country !== 'FR' && isEuMemberState(country) ? await this.deps.vies.current.check(vatNumber.slice(0, 2), vatNumber.slice(2)) : null;

    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const tenant = await repo.tenantStatus(tx, input.tenantId);
        if (!tenant) throw fieldError('not_found', '/tenantId', 'no such tenant');
        if (sepa) {
          const rum = validateRum(sepa.rum, await this.existingRums(tx));
          if (!rum.ok) throw fieldError('invalid_mandate', '/sepa/rum', rum.message);
        }
        // The tariff in force at the start, or (a contract starting before the list's first version) today's.
        const code = input.priceListCode ?? 'standard';
        const list = (await repo.priceListInForce(tx, code, input.startDate)) ?? (await repo.priceListInForce(tx, code, today));
        if (!list) throw fieldError('validation_failed', '/priceListCode', `no price list ${code} in force on ${input.startDate}`);
        const listItems = await repo.priceListItems(tx, [list.id]);
        const listPrice = (product: string) => listItems.find((i) => i.product_code === product && i.unit_cents !== null)?.unit_cents ?? null;
        const products = new Set((await repo.listProducts(tx)).map((p) => p.code));
        const requested = input.items ?? [{ product: 'soview' }];
        const items: OrderItem[] = requested.map((item, index) => {
          if (!products.has(item.product) || item.product === 'onboarding' || item.product === 'messaging') {
            throw fieldError('validation_failed', `/items/${index}/product`, 'is not a subscription product of the catalogue');
          }
          const unitCents = item.unitCents ?? listPrice(item.product);
          if (unitCents === null) throw fieldError('validation_failed', `/items/${index}/unitCents`, 'has no list price: give the negotiated price');
          return { product: item.product, unitCents };
        });
        const onboarding = input.onboardingFeeCents ?? listPrice('onboarding') ?? 0;
        const proof = vies && vatNumber ? await this.storeProof(tx, input.tenantId, vatNumber, vies, ctx) : null;
        const form = await repo.insertOrderForm(tx, {
          tenant_id: input.tenantId,
          legal_name: input.legalName.trim(),
          legal_form: input.legalForm ?? null,
          siren: input.siren?.replace(/\s/g, '') ?? null,
          address_line: input.addressLine.trim(),
          postal_code: input.postalCode.trim(),
          city: input.city.trim(),
          country,
          vat_number: vatNumber,
          vies_check_id: proof?.id ?? null,
          billing_email: input.billingEmail.toLowerCase(),
          price_list_id: list.id,
          items: JSON.stringify(items),
          messaging_prices: JSON.stringify(input.messagingPrices ?? []),
          poi_count: input.poiCount,
          term_months: input.termMonths,
          start_date: input.startDate,
          onboarding_fee_cents: onboarding,
          payment_method: input.paymentMethod,
          sepa_rum: sepa?.rum ?? null,
          sepa_iban: sepa?.iban ?? null,
          sepa_bic: sepa?.bic ?? null,
          sepa_signed_on: sepa?.signedOn ?? null,
          created_by: ctx.actor.label,
        });
        await recordAudit(tx, ctx, {
          tenantId: input.tenantId,
          action: 'billing.order_form.created',
          target: { type: 'order_form', id: form.id },
          summary: { poiCount: form.poi_count, termMonths: form.term_months, startDate: form.start_date, paymentMethod: form.payment_method, vies: proof?.outcome ?? null },
          at: this.deps.clock.now(),
        });
        return this.orderFormView(tx, form, tenant.name);
      },
      input.tenantId,
    );
  }

  async listOrderForms(ctx: ServiceContext, filter: { tenantId?: string | undefined; status?: string | undefined }): Promise<OrderFormView[]> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const rows = await repo.listOrderForms(tx, filter);
      return Promise.all(rows.map((row) => this.orderFormView(tx, row, row.tenant_name)));
    });
  }

  async getOrderForm(ctx: ServiceContext, id: string): Promise<OrderFormView> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.findOrderForm(tx, id);
      if (!row) throw notFound('Order form');
      return this.orderFormView(tx, row, await repo.tenantName(tx, row.tenant_id));
    });
  }

  async cancelOrderForm(ctx: ServiceContext, id: string): Promise<OrderFormView> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.findOrderForm(tx, id, true);
      if (!row) throw notFound('Order form');
      if (row.status !== 'draft') throw new AppError('invalid_state', `The order form is ${row.status}`);
      const updated = await repo.setOrderFormStatus(tx, id, 'cancelled', null, this.deps.clock.now());
      await recordAudit(tx, ctx, { tenantId: row.tenant_id, action: 'billing.order_form.cancelled', target: { type: 'order_form', id }, at: this.deps.clock.now() });
      return this.orderFormView(tx, updated, await repo.tenantName(tx, row.tenant_id));
    });
  }

  /**
   * Signature (R-ORDER, R-ONBOARD): the contract, its subscriptions and negotiated messaging
   * prices, and the onboarding invoice issued in full, all in one transaction.
   */
  async signOrderForm(ctx: ServiceContext, id: string, input: { signedOn: string; signatoryName: string }): Promise<{ contract: ContractView; onboardingInvoiceId: string | null }> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    const today = todayIn(this.deps.clock);
    if (!isIsoDate(input.signedOn) || compareDates(input.signedOn, today) > 0) throw fieldError('validation_failed', '/signedOn', 'is not a calendar date on or before today');
    const pre = await withOperator(this.deps.db, operatorId, (tx) => repo.findOrderForm(tx, id));
    if (!pre) throw notFound('Order form');
    // R-VAT: the proof relied on at signature is fresh.
    const vies =
      pre.vat_number && pre.country !== 'FR' && isEuMemberState(pre.country) ? await this.deps.vies.current.check(pre.vat_number.slice(0, 2), pre.vat_number.slice(2)) : null;
    const legalRates = await this.legalRates(operatorId);
    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const form = await repo.findOrderForm(tx, id, true);
        if (!form) throw notFound('Order form');
        if (form.status !== 'draft') throw new AppError('invalid_state', `The order form is already ${form.status}`);
        if (await repo.liveContract(tx, form.tenant_id)) throw new AppError('contract_exists', 'This tenant already has a contract running; amend it instead');
        const proof = vies && form.vat_number ? await this.storeProof(tx, form.tenant_id, form.vat_number, vies, ctx) : null;
        const signed = await repo.setOrderFormStatus(tx, id, 'signed', input, now);
        const contract = await repo.insertContract(tx, {
          tenant_id: form.tenant_id,
          order_form_id: form.id,
          legal_name: form.legal_name,
          legal_form: form.legal_form,
          siren: form.siren,
          address_line: form.address_line,
          postal_code: form.postal_code,
          city: form.city,
          country: form.country,
          vat_number: form.vat_number,
          vies_check_id: proof?.id ?? form.vies_check_id,
          billing_email: form.billing_email,
          start_date: form.start_date,
          term_months: form.term_months,
          licensed_poi: form.poi_count,
          payment_method: form.payment_method,
          sepa_rum: form.sepa_rum,
          sepa_iban: form.sepa_iban,
          sepa_bic: form.sepa_bic,
          sepa_signed_on: form.sepa_signed_on,
          signed_on: input.signedOn,
        });
        await repo.insertSubscriptions(
          tx,
          signed.items.map((item) => ({ tenantId: form.tenant_id, contractId: contract.id, product: item.product, perPoi: PER_POI_PRODUCTS.has(item.product), unitCents: item.unitCents })),
        );
        await repo.insertContractEvent(tx, {
          tenantId: form.tenant_id,
          contractId: contract.id,
          onDate: input.signedOn,
          kind: 'signed',
          detail: { orderFormId: form.id, poiCount: form.poi_count, termMonths: form.term_months, startDate: form.start_date, signatoryName: input.signatoryName },
        });
        // R-CONFID: negotiated messaging prices live with the tenant, where sending prices them.
        await enterTenant(tx, form.tenant_id);
        await repo.insertTenantPrices(tx, form.tenant_id, signed.messaging_prices, new Date(`${form.start_date}T00:00:00Z`));

        // R-ONBOARD: the onboarding fee, in full, invoiced at signature.
        let onboardingInvoiceId: string | null = null;
        const charge = onboardingCharge({ signedOn: input.signedOn, onboardingFeeCents: form.onboarding_fee_cents });
        if (charge) {
          const vat = await vatContextFor(tx, contract);
          const { invoice } = await insertDraft(tx, {
            tenantId: form.tenant_id,
            contractId: contract.id,
            kind: 'invoice',
            origin: 'onboarding',
            periodStart: charge.invoiceOn,
            periodEnd: charge.invoiceOn,
            lines: [
              {
                kind: 'onboarding',
                product: 'onboarding',
                description: 'Frais de mise en service (onboarding), facturés à la signature du bon de commande',
                periodStart: null,
                periodEnd: null,
                quantity: '1',
                unitPriceMillicents: charge.amountCents * 1000,
                prorata: null,
                detail: { orderFormId: form.id },
              },
            ],
            vat,
            paymentMethod: contract.payment_method,
            notes: [],
            runId: null,
            creditedInvoiceId: null,
            createdBy: ctx.actor.label,
          });
          const issued = await issueDraft(tx, { invoiceId: invoice.id, issueDate: today, now, seller: this.deps.seller, buyer: contract, legalRates });
          onboardingInvoiceId = issued.id;
          await recordAudit(tx, ctx, {
            tenantId: form.tenant_id,
            action: 'billing.invoice.issued',
            target: { type: 'invoice', id: issued.id },
            summary: { number: issued.number, origin: 'onboarding', totalTtcCents: issued.total_ttc_cents },
            at: now,
          });
        }
        await recordAudit(tx, ctx, {
          tenantId: form.tenant_id,
          action: 'billing.order_form.signed',
          target: { type: 'contract', id: contract.id },
          summary: { orderFormId: form.id, signedOn: input.signedOn, signatoryName: input.signatoryName, onboardingInvoiceId },
          at: now,
        });
        return { contract: await this.contractView(tx, contract, await repo.tenantName(tx, form.tenant_id)), onboardingInvoiceId };
      },
      pre.tenant_id,
    );
  }

  // Contracts ------------------------------------------------------------------------------------

  async listContracts(ctx: ServiceContext, filter: { tenantId?: string | undefined }): Promise<ContractView[]> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const rows = await repo.listContracts(tx, filter);
      return Promise.all(rows.map((row) => this.contractView(tx, row, row.tenant_name)));
    });
  }

  async getContract(ctx: ServiceContext, id: string): Promise<ContractView> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.findContract(tx, id);
      if (!row) throw notFound('Contract');
      return this.contractView(tx, row, await repo.tenantName(tx, row.tenant_id));
    });
  }

  /** The client's own contracts (R-CONFID: owners and admins). */
  async clientContracts(ctx: ServiceContext): Promise<ContractView[]> {
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, async (tx) => {
      const rows = await repo.listContracts(tx, { tenantId });
      return Promise.all(rows.map((row) => this.contractView(tx, row, row.tenant_name)));
    });
  }

  async clientContract(ctx: ServiceContext, id: string): Promise<ContractView> {
    const tenantId = billingReader(ctx);
    return withTenant(this.deps.db, tenantId, async (tx) => {
      const row = await repo.findContract(tx, id);
      if (!row || row.tenant_id !== tenantId) throw notFound('Contract');
      return this.contractView(tx, row, await repo.tenantName(tx, tenantId));
    });
  }

  /**
   * R-POI: a new licensed count. A raise applies from its date and its extra POI are billed
   * prorated to the end of that month (a pending charge for the next invoice); a reduction is
   * scheduled for the end of the contractual period, without refund.
   */
  async amendPoiLicence(ctx: ServiceContext, contractId: string, input: { poiCount: number; signedOn: string; effectiveOn?: string | undefined }): Promise<ContractView> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    const today = todayIn(this.deps.clock);
    if (!isIsoDate(input.signedOn)) throw fieldError('validation_failed', '/signedOn', 'is not a calendar date');
    if (input.effectiveOn !== undefined && !isIsoDate(input.effectiveOn)) throw fieldError('validation_failed', '/effectiveOn', 'is not a calendar date');
    return this.inContract(operatorId, contractId, async (tx, contract) => {
      if (contract.status === 'ended') throw new AppError('invalid_state', 'The contract has ended');
      const form = await repo.findOrderForm(tx, contract.order_form_id);
      if (!form) throw notFound('Order form');
      const existing = (await repo.poiAmendments(tx, contract.id)).filter((a) => a.status !== 'cancelled');
      const amendment: PoiAmendment = { signedOn: input.signedOn, poiCount: input.poiCount, ...(input.effectiveOn ? { effectiveOn: input.effectiveOn } : {}) };
      const licence = { initialCount: form.poi_count, term: termOf(contract) };
      let schedule: ReturnType<typeof licenceSchedule>;
      try {
        schedule = licenceSchedule(licence, [...existing.map(amendmentOf), amendment]);
      } catch (error) {
        throw new AppError('validation_failed', (error as Error).message, { errors: [{ path: '/effectiveOn', message: (error as Error).message }] });
      }
      const change = [...schedule.changes, ...schedule.superseded].find((c) => c.amendment === amendment);
      if (!change || change.kind === 'unchanged') throw new AppError('invalid_state', `The licence is already ${input.poiCount} point(s) of sale on that date`);
      // Amendments the new one supersedes (R-POI: the last agreed count wins) are cancelled.
      const supersededIds = existing.filter((a) => schedule.superseded.some((s) => s.amendment.signedOn === a.requested_on && s.amendment.poiCount === a.to_count)).map((a) => a.id);
      await repo.setAmendmentStatus(tx, supersededIds, 'cancelled');
      const row = await repo.insertPoiAmendment(tx, {
        tenantId: contract.tenant_id,
        contractId: contract.id,
        kind: change.kind === 'raise' ? 'raise' : 'reduce',
        fromCount: change.previousCount,
        toCount: change.poiCount,
        requestedOn: input.signedOn,
        effectiveOn: change.effectiveOn,
        status: compareDates(change.effectiveOn, today) <= 0 ? 'applied' : 'scheduled',
        createdBy: ctx.actor.label,
      });
      if (change.kind === 'raise') {
        // The month of the raise is billed prorated; a raise on the 1st is simply in that month's count.
        if (!change.effectiveOn.endsWith('-01')) {
          for (const sub of (await repo.subscriptionRows(tx, contract.id)).filter((s) => s.per_poi)) {
            const proration = raiseCharge({ previousCount: change.previousCount, newCount: change.poiCount, monthlyPriceCents: sub.unit_cents, effectiveOn: change.effectiveOn });
            for (const line of proration.lines) {
              await repo.insertPendingCharge(tx, {
                tenantId: contract.tenant_id,
                kind: 'proration',
                description: `${productLabel(sub.product_code)} — ${change.poiCount - change.previousCount} point(s) de vente ajouté(s) le ${frenchDate(change.effectiveOn)}`,
                onDate: line.from,
                quantity: String(change.poiCount - change.previousCount),
                unitPriceMillicents: sub.unit_cents * 1000,
                amountHtCents: line.amountCents,
                detail: { product: sub.product_code, amendmentId: row.id, prorata: { numerator: line.days, denominator: line.daysInMonth }, periodStart: line.from, periodEnd: line.to },
                createdBy: ctx.actor.label,
              });
            }
          }
        }
        await repo.insertContractEvent(tx, { tenantId: contract.tenant_id, contractId: contract.id, onDate: change.effectiveOn, kind: 'poi_raised', detail: { from: change.previousCount, to: change.poiCount, amendmentId: row.id } });
      } else {
        await repo.insertContractEvent(tx, {
          tenantId: contract.tenant_id,
          contractId: contract.id,
          onDate: input.signedOn,
          kind: 'poi_reduction_scheduled',
          detail: { from: change.previousCount, to: change.poiCount, effectiveOn: change.effectiveOn, amendmentId: row.id },
        });
      }
      const count = licensedCountAt(licence, [...existing.filter((a) => !supersededIds.includes(a.id)).map(amendmentOf), amendment], today);
      const updated = await repo.updateContract(tx, contract.id, { licensed_poi: count, updated_at: now });
      await recordAudit(tx, ctx, {
        tenantId: contract.tenant_id,
        action: 'billing.poi_licence.amended',
        target: { type: 'contract', id: contract.id },
        summary: { kind: change.kind, from: change.previousCount, to: change.poiCount, effectiveOn: change.effectiveOn, superseded: supersededIds.length },
        at: now,
      });
      return this.contractView(tx, updated, await repo.tenantName(tx, contract.tenant_id));
    });
  }

  /** R-TERM: a termination notice as received (date, channel); it ends the contract at the first exit date it is in time for. */
  async recordNotice(ctx: ServiceContext, contractId: string, input: { receivedOn: string; channel: 'registered_letter' | 'email'; reference?: string | undefined }): Promise<ContractView> {
    const operatorId = billingOperator(ctx);
    const now = this.deps.clock.now();
    if (!isIsoDate(input.receivedOn) || compareDates(input.receivedOn, todayIn(this.deps.clock)) > 0) {
      throw fieldError('validation_failed', '/receivedOn', 'is not a calendar date on or before today');
    }
    return this.inContract(operatorId, contractId, async (tx, contract) => {
      if (contract.status === 'ended') throw new AppError('invalid_state', 'The contract has ended');
      const term = termOf(contract);
      const exitOn = exitDateForNotice(term, input.receivedOn);
      const notice = await repo.insertNotice(tx, {
        tenantId: contract.tenant_id,
        contractId: contract.id,
        receivedOn: input.receivedOn,
        channel: input.channel,
        reference: input.reference ?? null,
        anniversary: exitOn,
        deadline: noticeDeadlineFor(exitOn),
        createdBy: ctx.actor.label,
      });
      const all = await repo.notices(tx, contract.id);
      const termination = terminationFromNotices(
        term,
        all.map((n) => ({ receivedOn: n.received_on, channel: n.channel })),
      );
      await repo.insertContractEvent(tx, {
        tenantId: contract.tenant_id,
        contractId: contract.id,
        onDate: input.receivedOn,
        kind: 'notice_received',
        detail: { noticeId: notice.id, channel: input.channel, exitOn, deadline: notice.deadline },
      });
      const updated = await repo.updateContract(tx, contract.id, { end_date: termination?.effectiveOn ?? null, status: termination ? 'terminating' : contract.status, updated_at: now });
      await recordAudit(tx, ctx, {
        tenantId: contract.tenant_id,
        action: 'billing.contract.notice_recorded',
        target: { type: 'contract', id: contract.id },
        summary: { receivedOn: input.receivedOn, channel: input.channel, endsOn: termination?.effectiveOn ?? null },
        at: now,
      });
      return this.contractView(tx, updated, await repo.tenantName(tx, contract.tenant_id));
    });
  }

  /**
   * R-POI for SoView: may the tenant create one more point of sale, with `activeCount` active?
   * Without a contract there is no licence to exceed (trial and demo accounts are not blocked).
   */
  async canCreatePoi(tenantId: string, activeCount: number): Promise<PoiCreationDecision | { allowed: true; unlicensed: true }> {
    const today = todayIn(this.deps.clock);
    return withTenant(this.deps.db, tenantId, async (tx) => {
      const contract = await repo.liveContract(tx, tenantId);
      if (!contract) return { allowed: true, unlicensed: true } as const;
      const form = await repo.findOrderForm(tx, contract.order_form_id);
      const amendments = (await repo.poiAmendments(tx, contract.id)).filter((a) => a.status !== 'cancelled');
      const licensed = licensedCountAt({ initialCount: form?.poi_count ?? contract.licensed_poi, term: termOf(contract) }, amendments.map(amendmentOf), today);
      return canCreatePointOfSale(activeCount, licensed);
    });
  }

  /**
   * The yearly life of every running contract, up to `today` (daily job; idempotent): renewals at
   * exit dates without notice (R-TERM), SYNTEC revisions at anniversaries (R-PRICE) recorded as
   * history, POI reductions that took effect, contracts whose notice ended them.
   */
  async upkeep(today: string): Promise<{ revised: number; renewed: number; ended: number; pendingIndex: string[] }> {
    const result = { revised: 0, renewed: 0, ended: 0, pendingIndex: [] as string[] };
    const operatorId = SYSTEM_OPERATOR;
    const contracts = await withOperator(this.deps.db, operatorId, (tx) => repo.contractsRunningIn(tx, today, today));
    const table = await withOperator(this.deps.db, operatorId, (tx) => repo.listSyntec(tx));
    const syntec: SyntecIndexEntry[] = table.map((row) => ({ month: row.month, value: row.value }));
    for (const contract of contracts) {
      await withOperator(
        this.deps.db,
        operatorId,
        async (tx) => {
          const locked = await repo.findContract(tx, contract.id, true);
          if (!locked || locked.status === 'ended') return;
          const outcome = await this.applyYear(tx, locked, today, syntec);
          result.revised += outcome.revised;
          result.renewed += outcome.renewed;
          if (outcome.pending) result.pendingIndex.push(`${locked.id}: ${outcome.pending}`);
          if (locked.end_date && compareDates(locked.end_date, today) <= 0) {
            await repo.updateContract(tx, locked.id, { status: 'ended', updated_at: this.deps.clock.now() });
            await repo.insertContractEvent(tx, { tenantId: locked.tenant_id, contractId: locked.id, onDate: locked.end_date, kind: 'ended', detail: {} });
            result.ended++;
          }
        },
        contract.tenant_id,
      );
    }
    return result;
  }

  /** Renewals, revisions and licence count of one contract up to `upTo`, in the caller's transaction. */
  async applyYear(tx: Tx, contract: repo.ContractRow, upTo: string, syntec: readonly SyntecIndexEntry[]): Promise<{ revised: number; renewed: number; pending: string | null }> {
    const term = termOf(contract);
    const lastDay = contract.end_date ? addDays(contract.end_date, -1) : upTo;
    const until = compareDates(lastDay, upTo) < 0 ? lastDay : upTo;
    let renewed = 0;
    let revised = 0;
    let pending: string | null = null;
    const anniversaries = compareDates(until, contract.start_date) > 0 ? anniversariesBetween(contract.start_date, contract.start_date, until) : [];
    // R-TERM: each exit date reached without a notice ending the contract there is a renewal.
    const termination = terminationFromNotices(
      term,
      (await repo.notices(tx, contract.id)).map((n) => ({ receivedOn: n.received_on, channel: n.channel })),
    );
    for (let index = 0; compareDates(exitDate(term, index), until) <= 0; index++) {
      const exitOn = exitDate(term, index);
      if (termination && compareDates(termination.effectiveOn, exitOn) <= 0) break;
      const event = await repo.insertContractEvent(tx, {
        tenantId: contract.tenant_id,
        contractId: contract.id,
        onDate: exitOn,
        kind: 'renewed',
        detail: { renewal: index + 1, from: exitOn, to: addDays(exitDate(term, index + 1), -1) },
      });
      if (event) renewed++;
    }
    // R-PRICE: each subscription's price is the SYNTEC chain from its order-form price.
    const form = await repo.findOrderForm(tx, contract.order_form_id);
    const original = new Map((form?.items ?? []).map((item) => [item.product, item.unitCents]));
    const revisions: Array<Record<string, unknown>> = [];
    const byDate = new Map<string, Array<Record<string, unknown>>>();
    for (const sub of await repo.subscriptionRows(tx, contract.id)) {
      const history = syntecRevisionHistory({ priceCents: original.get(sub.product_code) ?? sub.unit_cents, signedOn: contract.signed_on, revisionDates: anniversaries, table: syntec });
      if (history.pending) pending = history.pending.message;
      for (const line of history.lines) {
        const entry = { product: sub.product_code, s0: line.s0, s1: line.s1, previousPriceCents: line.previousPriceCents, revisedPriceCents: line.revisedPriceCents };
        byDate.set(line.revisionDate, [...(byDate.get(line.revisionDate) ?? []), entry]);
      }
      if (history.priceCents !== sub.unit_cents) {
        await repo.setSubscriptionPrice(tx, sub.id, history.priceCents);
        revisions.push({ product: sub.product_code, from: sub.unit_cents, to: history.priceCents });
      }
    }
    for (const [date, entries] of byDate) {
      const event = await repo.insertContractEvent(tx, { tenantId: contract.tenant_id, contractId: contract.id, onDate: date, kind: 'price_revised', detail: { formula: 'P1 = P0 × S1 / S0', revisions: entries } });
      if (event) revised++;
    }
    // R-POI: scheduled amendments that took effect.
    const amendments = await repo.poiAmendments(tx, contract.id);
    const due = amendments.filter((a) => a.status === 'scheduled' && compareDates(a.effective_on, upTo) <= 0);
    if (due.length) {
      await repo.setAmendmentStatus(
        tx,
        due.map((a) => a.id),
        'applied',
      );
      for (const a of due.filter((x) => x.kind === 'reduce')) {
        await repo.insertContractEvent(tx, { tenantId: contract.tenant_id, contractId: contract.id, onDate: a.effective_on, kind: 'poi_reduced', detail: { from: a.from_count, to: a.to_count, amendmentId: a.id } });
      }
    }
    const count = licensedCountAt(
      { initialCount: form?.poi_count ?? contract.licensed_poi, term },
      amendments.filter((a) => a.status !== 'cancelled').map(amendmentOf),
      upTo,
    );
    if (count !== contract.licensed_poi || revisions.length) {
      await repo.updateContract(tx, contract.id, { licensed_poi: count, updated_at: this.deps.clock.now() });
    }
    if (revisions.length || revised) {
      await recordAudit(tx, systemContext, {
        tenantId: contract.tenant_id,
        action: 'billing.contract.price_revised',
        target: { type: 'contract', id: contract.id },
        summary: { revisions },
        at: this.deps.clock.now(),
      });
    }
    return { revised, renewed, pending };
  }

  // Internals ---------------------------------------------------------------------------------------

  private async inContract<T>(operatorId: string, contractId: string, work: (tx: Tx, contract: repo.ContractRow) => Promise<T>): Promise<T> {
    const tenantId = await withOperator(this.deps.db, operatorId, async (tx) => (await repo.findContract(tx, contractId))?.tenant_id);
    if (!tenantId) throw notFound('Contract');
    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const contract = await repo.findContract(tx, contractId, true);
        if (!contract) throw notFound('Contract');
        return work(tx, contract);
      },
      tenantId,
    );
  }

  private async existingRums(tx: Tx): Promise<string[]> {
    const forms = await repo.listOrderForms(tx, {});
    return forms.filter((f) => f.status !== 'cancelled' && f.sepa_rum).map((f) => f.sepa_rum as string);
  }

  private async storeProof(tx: Tx, tenantId: string, vatNumber: string, answer: Awaited<ReturnType<BillingDeps['vies']['current']['check']>>, ctx: ServiceContext | null) {
    return storeViesProof(tx, tenantId, vatNumber, answer, ctx?.actor.label ?? SYSTEM_OPERATOR);
  }

  async legalRates(operatorId: string): Promise<LegalRateEntry[]> {
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listLegalRates(tx));
    return legalRateTable(rows);
  }

  private async orderFormView(tx: Tx, row: repo.OrderFormRow, tenantName: string | null): Promise<OrderFormView> {
    const proof = row.vies_check_id ? await repo.findViesCheck(tx, row.vies_check_id) : undefined;
    return {
      id: row.id,
      tenantId: row.tenant_id,
      tenantName,
      status: row.status,
      legalName: row.legal_name,
      legalForm: row.legal_form,
      siren: row.siren,
      address: { line: row.address_line, postalCode: row.postal_code, city: row.city, country: row.country },
      vatNumber: row.vat_number,
      vies: proof ? viesProofView(proof) : null,
      billingEmail: row.billing_email,
      priceListId: row.price_list_id,
      items: row.items,
      messagingPrices: row.messaging_prices,
      poiCount: row.poi_count,
      termMonths: row.term_months,
      startDate: row.start_date,
      onboardingFeeCents: row.onboarding_fee_cents,
      paymentMethod: row.payment_method,
      sepa: row.sepa_rum ? { rum: row.sepa_rum, iban: maskIban(row.sepa_iban), bic: row.sepa_bic, signedOn: row.sepa_signed_on } : null,
      signedOn: row.signed_on,
      signatoryName: row.signatory_name,
      createdAt: row.created_at.toISOString(),
    };
  }

  async contractView(tx: Tx, row: repo.ContractRow, tenantName: string | null): Promise<ContractView> {
    const today = todayIn(this.deps.clock);
    const term = termOf(row);
    const notices = await repo.notices(tx, row.id);
    const state = contractState(
      term,
      notices.map((n) => ({ receivedOn: n.received_on, channel: n.channel })),
      today,
    );
    const form = await repo.findOrderForm(tx, row.order_form_id);
    const amendments = (await repo.poiAmendments(tx, row.id)).filter((a) => a.status !== 'cancelled');
    const schedule = licenceSchedule({ initialCount: form?.poi_count ?? row.licensed_poi, term }, amendments.map(amendmentOf));
    const vat = await vatContextFor(tx, row);
    const proof = vat.viesCheckId ? await repo.findViesCheck(tx, vat.viesCheckId) : undefined;
    const subs = await repo.subscriptionRows(tx, row.id);
    const events = await repo.contractEvents(tx, row.id);
    return {
      id: row.id,
      tenantId: row.tenant_id,
      tenantName,
      orderFormId: row.order_form_id,
      status: row.status,
      legalName: row.legal_name,
      siren: row.siren,
      address: { line: row.address_line, postalCode: row.postal_code, city: row.city, country: row.country },
      vatNumber: row.vat_number,
      vat: { regime: vat.decision.regime, rateBp: vat.decision.rateBp, mention: vat.decision.mention, explanation: vat.decision.explanation },
      vies: proof ? viesProofView(proof) : null,
      billingEmail: row.billing_email,
      startDate: row.start_date,
      termMonths: row.term_months,
      signedOn: row.signed_on,
      endDate: row.end_date,
      licence: {
        licensedPoi: licensedCountAt({ initialCount: form?.poi_count ?? row.licensed_poi, term }, amendments.map(amendmentOf), today),
        pending: schedule.changes.filter((c) => compareDates(c.effectiveOn, today) > 0).map((c) => ({ poiCount: c.poiCount, effectiveOn: c.effectiveOn, kind: c.kind })),
      },
      term: {
        status: state.status,
        period: { kind: state.period.kind, from: state.period.from, to: state.period.to, endsOn: state.period.endsOn, noticeDeadline: state.period.noticeDeadline },
        nextNoticeDeadline: state.nextDeadline,
        termination: state.termination
          ? { effectiveOn: state.termination.effectiveOn, lastDay: state.termination.lastDay, noticeReceivedOn: state.termination.notice.receivedOn, channel: state.termination.notice.channel }
          : null,
      },
      paymentMethod: row.payment_method,
      sepa: row.sepa_rum ? { rum: row.sepa_rum, iban: maskIban(row.sepa_iban), bic: row.sepa_bic, signedOn: row.sepa_signed_on, lastCollectionOn: row.sepa_last_collection_on } : null,
      subscriptions: subs.map((s) => ({ product: s.product_code, perPoi: s.per_poi, unitCents: s.unit_cents })),
      notices: notices.map((n) => ({ id: n.id, receivedOn: n.received_on, channel: n.channel, reference: n.reference, exitOn: n.anniversary, deadline: n.deadline })),
      history: events.map((e) => ({ onDate: e.on_date, kind: e.kind, detail: e.detail })),
    };
  }
}

export const termOf = (contract: { start_date: string; term_months: number }): ContractTerm => ({ startDate: contract.start_date, termMonths: contract.term_months as TermMonths });

export const amendmentOf = (row: { requested_on: string; to_count: number; kind: 'raise' | 'reduce'; effective_on: string }): PoiAmendment => ({
  signedOn: row.requested_on,
  poiCount: row.to_count,
  ...(row.kind === 'raise' ? { effectiveOn: row.effective_on } : {}),
});

export function legalRateTable(rows: Array<{ effective_from: string; rate_percent: string }>): LegalRateEntry[] {
  return rows
    .map((row) => ({ effectiveFrom: row.effective_from, rateBp: percentToBp(row.rate_percent) }))
    .sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
}

/** "2.62" → 262, exactly (numeric(6,2) text). */
export function percentToBp(value: string): number {
  const [whole, fraction = ''] = value.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
}

export const productLabel = (product: string): string =>
  ({ soview: 'SoView', soconnect: 'SoConnect', soreach: 'SoReach', onboarding: 'Onboarding' })[product] ?? product;

export const frenchDate = (date: string): string => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
