/**
 * What operators maintain (R-ORDER, R-PRICE, R-LATE, R-VAT): the catalogue and its versioned
 * price lists, the SYNTEC index table, the legal interest rate table, and VIES re-checks of a
 * client's VAT number (each answer kept as proof).
 */
import { recordAudit } from '../../platform/audit/audit.ts';
import { withOperator } from '../../platform/db/tenant-context.ts';
import { fieldError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { type BillingDeps, billingOperator } from './common.ts';
import { type ViesProofView, viesProofView } from './contracts.ts';
import * as repo from './repo.ts';
import { isEuMemberState, isIsoDate, syntecTenths, validateVatNumber } from './rules.ts';
import { storeViesProof } from './vies-checks.ts';

export interface PriceListView {
  id: string;
  code: string;
  version: number;
  name: string;
  effectiveFrom: string;
  createdBy: string | null;
  createdAt: string;
  items: Array<{ product: string; channel: string; route: string; country: string; unitCents: number | null; unitMillicents: number | null }>;
}

export interface PriceListInput {
  code: string;
  name: string;
  effectiveFrom: string;
  items: Array<{ product: string; channel?: string | undefined; route?: string | undefined; country?: string | undefined; unitCents?: number | undefined; unitMillicents?: number | undefined }>;
}

export class CatalogueService {
  constructor(private readonly deps: BillingDeps) {}

  async products(ctx: ServiceContext) {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listProducts(tx));
    return rows.map((row) => ({ code: row.code, name: row.name, unit: row.unit, description: row.description }));
  }

  async priceLists(ctx: ServiceContext): Promise<PriceListView[]> {
    const operatorId = billingOperator(ctx);
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const lists = await repo.listPriceLists(tx);
      const items = await repo.priceListItems(
        tx,
        lists.map((l) => l.id),
      );
      return lists.map((list) => priceListView(list, items));
    });
  }

  /** A new version of a price list (the versions in force before stay as they were). */
  async createPriceList(ctx: ServiceContext, input: PriceListInput): Promise<PriceListView> {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(input.effectiveFrom)) throw fieldError('validation_failed', '/effectiveFrom', 'is not a calendar date');
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const products = await repo.listProducts(tx);
      input.items.forEach((item, index) => {
        const product = products.find((p) => p.code === item.product);
        if (!product) throw fieldError('validation_failed', `/items/${index}/product`, 'is not in the catalogue');
        const messaging = product.unit === 'message';
        if (messaging ? item.unitMillicents === undefined : item.unitCents === undefined) {
          throw fieldError('validation_failed', `/items/${index}/${messaging ? 'unitMillicents' : 'unitCents'}`, messaging ? 'messaging prices are in millicents' : 'is required');
        }
      });
      const list = await repo.insertPriceList(
        tx,
        { code: input.code, name: input.name, effectiveFrom: input.effectiveFrom, createdBy: ctx.actor.label },
        input.items.map((item) => {
          const messaging = products.find((p) => p.code === item.product)?.unit === 'message';
          return { product: item.product, channel: item.channel, route: item.route, country: item.country, unitCents: messaging ? null : (item.unitCents ?? null), unitMillicents: messaging ? (item.unitMillicents ?? null) : null };
        }),
      );
      await recordAudit(tx, ctx, { tenantId: null, action: 'billing.price_list.created', target: { type: 'price_list', id: list.id }, summary: { code: list.code, version: list.version, effectiveFrom: input.effectiveFrom, items: input.items.length }, at: this.deps.clock.now() });
      return priceListView(list, await repo.priceListItems(tx, [list.id]));
    });
  }

  async syntec(ctx: ServiceContext) {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listSyntec(tx));
    return rows.map((row) => ({ month: row.month.slice(0, 7), value: row.value, createdBy: row.created_by, createdAt: row.created_at.toISOString() }));
  }

  /** R-PRICE: the SYNTEC value of a month (`YYYY-MM`), one decimal. */
  async setSyntec(ctx: ServiceContext, month: string, value: string) {
    const operatorId = billingOperator(ctx);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw fieldError('validation_failed', '/month', 'is not a month (YYYY-MM)');
    try {
      syntecTenths(value);
    } catch (error) {
      throw fieldError('validation_failed', '/value', (error as Error).message);
    }
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.upsertSyntec(tx, `${month}-01`, value, ctx.actor.label);
      await recordAudit(tx, ctx, { tenantId: null, action: 'billing.syntec.set', target: { type: 'syntec', id: month }, summary: { month, value }, at: this.deps.clock.now() });
      return { month, value: row.value, createdBy: row.created_by, createdAt: row.created_at.toISOString() };
    });
  }

  async legalRates(ctx: ServiceContext) {
    const operatorId = billingOperator(ctx);
    const rows = await withOperator(this.deps.db, operatorId, (tx) => repo.listLegalRates(tx));
    return rows.map((row) => ({ effectiveFrom: row.effective_from, ratePercent: row.rate_percent, createdBy: row.created_by, createdAt: row.created_at.toISOString() }));
  }

  /** R-LATE: the legal interest rate for professional creditors of a semester (1 January or 1 July). */
  async setLegalRate(ctx: ServiceContext, effectiveFrom: string, ratePercent: string) {
    const operatorId = billingOperator(ctx);
    if (!isIsoDate(effectiveFrom) || !/-(01|07)-01$/.test(effectiveFrom)) throw fieldError('validation_failed', '/effectiveFrom', 'is not the first day of a semester (1 January or 1 July)');
    if (!/^\d{1,2}(\.\d{1,2})?$/.test(ratePercent)) throw fieldError('validation_failed', '/ratePercent', 'is a percentage with at most two decimals, e.g. 2.62');
    return withOperator(this.deps.db, operatorId, async (tx) => {
      const row = await repo.upsertLegalRate(tx, effectiveFrom, ratePercent, ctx.actor.label);
      await recordAudit(tx, ctx, { tenantId: null, action: 'billing.legal_rate.set', target: { type: 'legal_rate', id: effectiveFrom }, summary: { effectiveFrom, ratePercent }, at: this.deps.clock.now() });
      return { effectiveFrom: row.effective_from, ratePercent: row.rate_percent, createdBy: row.created_by, createdAt: row.created_at.toISOString() };
    });
  }

  /** R-VAT: asks VIES again about a contract's VAT number and keeps the answer (the next invoices rely on it). */
  async recheckVat(ctx: ServiceContext, contractId: string): Promise<ViesProofView> {
    const operatorId = billingOperator(ctx);
    const contract = await withOperator(this.deps.db, operatorId, (tx) => repo.findContract(tx, contractId));
    if (!contract) throw notFound('Contract');
    if (!contract.vat_number) throw fieldError('invalid_vat_number', '/vatNumber', 'the contract has no VAT number');
    const check = validateVatNumber(contract.vat_number, contract.country);
    if (!check.valid || !check.normalised || !check.country || !isEuMemberState(check.country)) throw fieldError('invalid_vat_number', '/vatNumber', `is not a valid intra-community VAT number (${check.reason})`);
    const number = check.normalised;
    const answer = await this.deps.vies.current.check(number.slice(0, 2), number.slice(2));
    return withOperator(
      this.deps.db,
      operatorId,
      async (tx) => {
        const proof = await storeViesProof(tx, contract.tenant_id, number, answer, ctx.actor.label);
        await recordAudit(tx, ctx, { tenantId: contract.tenant_id, action: 'billing.vies.checked', target: { type: 'contract', id: contractId }, summary: { vatNumber: number, outcome: answer.outcome, requestIdentifier: answer.requestIdentifier }, at: this.deps.clock.now() });
        return viesProofView(proof);
      },
      contract.tenant_id,
    );
  }
}

function priceListView(list: Awaited<ReturnType<typeof repo.listPriceLists>>[number], items: Awaited<ReturnType<typeof repo.priceListItems>>): PriceListView {
  return {
    id: list.id,
    code: list.code,
    version: list.version,
    name: list.name,
    effectiveFrom: list.effective_from,
    createdBy: list.created_by,
    createdAt: list.created_at.toISOString(),
    items: items
      .filter((i) => i.price_list_id === list.id)
      .map((i) => ({ product: i.product_code, channel: i.channel, route: i.route, country: i.country, unitCents: i.unit_cents, unitMillicents: i.unit_millicents })),
  };
}
