import type { Clock } from '../../platform/clock.ts';
import type { BillingConfig } from '../../platform/config.ts';
import type { Database } from '../../platform/db/database.ts';
import type { TenantAdministration } from '../tenants/index.ts';
import { CatalogueService } from './catalogue.ts';
import type { BillingDeps } from './common.ts';
import { ContractsService } from './contracts.ts';
import { SOFY_SELLER } from './documents/seller.ts';
import type { SellerIdentity } from './documents/types.ts';
import { DunningService } from './dunning.ts';
import { InvoicingService } from './invoicing.ts';
import { PaymentsService } from './payments.ts';
import { validateBic, validateIban, validateIcs } from './rules.ts';
import { HttpViesClient, noVies, VIES_PUBLIC_URL, type ViesClient } from './vies.ts';

export interface BillingOptions {
  config: BillingConfig;
  /** Sandbox mode: VIES is the simulator (`pointViesAt` once it runs), not the European Commission. */
  sandbox: boolean;
  publicUrl: string;
  /** Tests inject a VIES client. */
  vies?: ViesClient;
  autoSuspend?: boolean;
}

/** The billing module's services, wired once per process (issue 5). */
export class Billing {
  readonly contracts: ContractsService;
  readonly invoicing: InvoicingService;
  readonly payments: PaymentsService;
  readonly dunning: DunningService;
  readonly catalogue: CatalogueService;
  readonly #deps: BillingDeps;

  constructor(db: Database, clock: Clock, tenantAdmin: TenantAdministration, options: BillingOptions) {
    const viesUrl = options.config.viesUrl ?? (options.sandbox ? undefined : VIES_PUBLIC_URL);
    const vies = options.vies ?? (viesUrl ? new HttpViesClient(viesUrl, clock, { requester: { countryCode: 'FR', vatNumber: SOFY_SELLER.vatNumber.slice(2) } }) : noVies(clock));
    this.#deps = {
      db,
      clock,
      tenantAdmin,
      vies: { current: vies },
      seller: sellerFrom(options.config),
      publicUrl: options.publicUrl,
      emailFrom: options.config.emailFrom,
    };
    this.dunning = new DunningService(this.#deps, { autoSuspend: options.autoSuspend ?? true });
    const reconcile = (tenantIds: string[]) => this.dunning.reconcile(tenantIds);
    this.contracts = new ContractsService(this.#deps);
    this.invoicing = new InvoicingService(this.#deps, this.contracts, reconcile);
    this.payments = new PaymentsService(this.#deps, reconcile);
    this.catalogue = new CatalogueService(this.#deps);
  }

  /** Points VIES at the sandbox simulator once `sofy start` has it running (unless SOFY_VIES_URL says otherwise). */
  pointViesAt(baseUrl: string): void {
    this.#deps.vies.current = new HttpViesClient(baseUrl, this.#deps.clock);
  }

  /** R-POI for SoView: may this tenant create one more point of sale? */
  canCreatePoi(tenantId: string, activeCount: number) {
    return this.contracts.canCreatePoi(tenantId, activeCount);
  }
}

/** SOFY as seller, with the bank details and creditor id the deployment configures. */
function sellerFrom(config: BillingConfig): SellerIdentity {
  const seller = { ...SOFY_SELLER };
  if (config.iban) {
    const iban = validateIban(config.iban);
    if (!iban.ok) throw new Error(`SOFY_BILLING_IBAN: ${iban.message}`);
    seller.iban = iban.iban;
  }
  if (config.bic) {
    const bic = validateBic(config.bic);
    if (!bic.ok) throw new Error(`SOFY_BILLING_BIC: ${bic.message}`);
    seller.bic = bic.bic;
  }
  if (config.sepaCreditorId) {
    const ics = validateIcs(config.sepaCreditorId);
    if (!ics.ok) throw new Error(`SOFY_SEPA_CREDITOR_ID: ${ics.message}`);
    seller.sepaCreditorId = ics.ics;
  }
  return Object.freeze(seller);
}
