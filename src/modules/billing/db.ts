import type { ColumnType, Generated, Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/database.ts';

/**
 * Row types of the billing tables (migration 0008). The module keeps them here and widens a
 * transaction with `billingTx`, so its queries are checked at compile time without every module
 * sharing one schema file.
 *
 * Billing dates are civil days (`YYYY-MM-DD`, rules/dates.ts): PostgreSQL `date` values are read
 * as that text, never as a JS Date at some time-zone's midnight (billing is the first module with
 * `date` columns; the parser is process-wide and harmless to the others).
 */
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

type Created = ColumnType<Date, Date | string | undefined, never>;
type Updated = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
/** numeric columns arrive as decimal strings. */
type Numeric = ColumnType<string, string | number, string | number>;

export interface BillingProductsTable {
  code: string;
  name: string;
  unit: string;
  description: ColumnType<string, string | undefined, string>;
  created_at: Created;
}

export interface BillingPriceListsTable {
  id: Generated<string>;
  code: string;
  version: number;
  name: string;
  effective_from: string;
  created_by: string | null;
  created_at: Created;
}

export interface BillingPriceListItemsTable {
  price_list_id: string;
  product_code: string;
  channel: ColumnType<string, string | undefined, string>;
  route: ColumnType<string, string | undefined, string>;
  country: ColumnType<string, string | undefined, string>;
  unit_cents: number | null;
  unit_millicents: number | null;
}

export interface BillingSyntecIndicesTable {
  month: string;
  value: Numeric;
  created_by: string | null;
  created_at: Created;
}

export interface BillingLegalRatesTable {
  effective_from: string;
  rate_percent: Numeric;
  created_by: string | null;
  created_at: Created;
}

export interface BillingViesChecksTable {
  id: Generated<string>;
  tenant_id: string;
  country_code: string;
  vat_number: string;
  checked_at: Date;
  outcome: 'valid' | 'invalid' | 'unavailable';
  request_identifier: string | null;
  trader_name: string | null;
  trader_address: string | null;
  response: Json<Record<string, unknown>>;
  created_by: string | null;
  recorded_at: Created;
}

export interface OrderItem {
  product: string;
  unitCents: number;
}

export interface MessagingPrice {
  channel: 'sms' | 'rcs' | 'whatsapp' | 'email';
  route: 'marketing' | 'alert';
  country: string;
  unitMillicents: number;
}

export interface BillingOrderFormsTable {
  id: Generated<string>;
  tenant_id: string;
  status: ColumnType<'draft' | 'signed' | 'cancelled', 'draft' | 'signed' | 'cancelled' | undefined, 'draft' | 'signed' | 'cancelled'>;
  legal_name: string;
  legal_form: string | null;
  siren: string | null;
  address_line: string;
  postal_code: string;
  city: string;
  country: string;
  vat_number: string | null;
  vies_check_id: string | null;
  billing_email: string;
  price_list_id: string | null;
  items: Json<OrderItem[]>;
  messaging_prices: JsonDefault<MessagingPrice[]>;
  poi_count: number;
  term_months: number;
  start_date: string;
  onboarding_fee_cents: number;
  payment_method: 'sepa' | 'transfer';
  sepa_rum: string | null;
  sepa_iban: string | null;
  sepa_bic: string | null;
  sepa_signed_on: string | null;
  signed_on: string | null;
  signatory_name: string | null;
  created_by: string | null;
  created_at: Created;
  updated_at: Updated;
}

export interface BillingContractsTable {
  id: Generated<string>;
  tenant_id: string;
  order_form_id: string;
  status: ColumnType<'active' | 'terminating' | 'ended', 'active' | 'terminating' | 'ended' | undefined, 'active' | 'terminating' | 'ended'>;
  legal_name: string;
  legal_form: string | null;
  siren: string | null;
  address_line: string;
  postal_code: string;
  city: string;
  country: string;
  vat_number: string | null;
  vies_check_id: string | null;
  billing_email: string;
  start_date: string;
  term_months: number;
  licensed_poi: number;
  payment_method: 'sepa' | 'transfer';
  sepa_rum: string | null;
  sepa_iban: string | null;
  sepa_bic: string | null;
  sepa_signed_on: string | null;
  sepa_last_collection_on: string | null;
  end_date: string | null;
  signed_on: string;
  created_at: Created;
  updated_at: Updated;
}

export interface BillingSubscriptionsTable {
  id: Generated<string>;
  tenant_id: string;
  contract_id: string;
  product_code: string;
  per_poi: boolean;
  unit_cents: number;
}

export interface BillingPoiAmendmentsTable {
  id: Generated<string>;
  tenant_id: string;
  contract_id: string;
  kind: 'raise' | 'reduce';
  from_count: number;
  to_count: number;
  requested_on: string;
  effective_on: string;
  status: 'scheduled' | 'applied' | 'cancelled';
  created_by: string | null;
  created_at: Created;
}

export interface BillingTerminationNoticesTable {
  id: Generated<string>;
  tenant_id: string;
  contract_id: string;
  received_on: string;
  channel: 'registered_letter' | 'email';
  reference: string | null;
  anniversary: string;
  deadline: string;
  created_by: string | null;
  created_at: Created;
}

export type ContractEventKind =
  | 'signed'
  | 'renewed'
  | 'price_revised'
  | 'poi_raised'
  | 'poi_reduction_scheduled'
  | 'poi_reduced'
  | 'notice_received'
  | 'ended';

export interface BillingContractEventsTable {
  id: Generated<number>;
  tenant_id: string;
  contract_id: string;
  on_date: string;
  kind: ContractEventKind;
  detail: JsonDefault<Record<string, unknown>>;
  created_at: Created;
}

export interface BillingInvoiceSeriesTable {
  series: string;
  year: number;
  last_number: ColumnType<number, number | undefined, number>;
}

export interface BillingInvoiceRunsTable {
  id: Generated<string>;
  period_start: string;
  status: ColumnType<'preview' | 'issued', 'preview' | 'issued' | undefined, 'preview' | 'issued'>;
  created_by: string | null;
  created_at: Created;
  refreshed_at: Updated;
  issued_at: Date | null;
  issued_by: string | null;
}

export type InvoiceKind = 'invoice' | 'credit_note';
export type InvoiceOrigin = 'onboarding' | 'monthly' | 'manual' | 'credit';
export type PaymentStatus = 'unpaid' | 'partially_paid' | 'paid';

export interface BillingInvoicesTable {
  id: Generated<string>;
  tenant_id: string;
  contract_id: string | null;
  kind: InvoiceKind;
  origin: InvoiceOrigin;
  status: ColumnType<'draft' | 'issued', 'draft' | 'issued' | undefined, 'draft' | 'issued'>;
  series: string;
  number: string | null;
  sequence: number | null;
  invoice_run_id: string | null;
  credited_invoice_id: string | null;
  period_start: string | null;
  period_end: string | null;
  issue_date: string | null;
  due_date: string | null;
  discount_deadline: string | null;
  vat_regime: string;
  vat_rate_bp: number;
  vat_mention: string | null;
  vat_explanation: string;
  vies_check_id: string | null;
  total_ht_cents: ColumnType<number, number | undefined, number>;
  total_vat_cents: ColumnType<number, number | undefined, number>;
  total_ttc_cents: ColumnType<number, number | undefined, number>;
  discount_ht_cents: ColumnType<number, number | undefined, number>;
  discount_ttc_cents: ColumnType<number, number | undefined, number>;
  payment_method: 'sepa' | 'transfer';
  notes: ColumnType<string[], string[] | undefined, string[]>;
  document: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_by: string | null;
  created_at: Created;
  issued_at: Date | null;
  payment_status: ColumnType<PaymentStatus, PaymentStatus | undefined, PaymentStatus>;
  amount_paid_cents: ColumnType<number, number | undefined, number>;
  amount_credited_cents: ColumnType<number, number | undefined, number>;
  discount_taken_cents: ColumnType<number, number | undefined, number>;
  paid_on: string | null;
  updated_at: Updated;
}

export type LineKind = 'subscription' | 'proration' | 'usage' | 'onboarding' | 'passthrough' | 'af2m_fine' | 'af2m_fee' | 'manual' | 'credit';

export interface BillingInvoiceLinesTable {
  id: Generated<string>;
  tenant_id: string;
  invoice_id: string;
  position: number;
  kind: LineKind;
  product_code: string | null;
  description: string;
  period_start: string | null;
  period_end: string | null;
  quantity: Numeric;
  unit_price_millicents: number;
  amount_ht_cents: number;
  vat_rate_bp: number;
  detail: JsonDefault<Record<string, unknown>>;
}

export type PendingChargeKind = 'passthrough' | 'af2m_fine' | 'af2m_fee' | 'manual' | 'proration';

export interface BillingPendingChargesTable {
  id: Generated<string>;
  tenant_id: string;
  kind: PendingChargeKind;
  description: string;
  on_date: string;
  quantity: ColumnType<string, string | number | undefined, string | number>;
  unit_price_millicents: number;
  amount_ht_cents: number;
  detail: JsonDefault<Record<string, unknown>>;
  invoice_id: string | null;
  created_by: string | null;
  created_at: Created;
}

export interface BillingBankImportsTable {
  id: Generated<string>;
  filename: string | null;
  encoding: string | null;
  lines: number;
  fresh: number;
  matched: number;
  errors: JsonDefault<unknown[]>;
  created_by: string | null;
  created_at: Created;
}

export interface BillingBankLinesTable {
  fingerprint: string;
  import_id: string;
  line: number;
  on_date: string;
  amount_cents: number;
  label: string;
  reference: string | null;
  counterparty: string | null;
  status: 'matched' | 'unmatched' | 'ignored';
  reason: string | null;
  candidates: ColumnType<string[], string[] | undefined, string[]>;
  matched_at: Date | null;
}

export interface BillingSepaBatchesTable {
  id: Generated<string>;
  message_id: string;
  collection_date: string;
  total_cents: number;
  count: number;
  xml: string;
  created_by: string | null;
  created_at: Created;
}

export interface BillingSepaBatchItemsTable {
  batch_id: string;
  tenant_id: string;
  invoice_id: string;
  amount_cents: number;
  sequence_type: 'FRST' | 'RCUR';
  end_to_end_id: string;
  mandate_rum: string;
}

export interface BillingPaymentsTable {
  id: Generated<string>;
  tenant_id: string;
  method: 'transfer' | 'sepa' | 'other';
  amount_cents: number;
  received_on: string;
  reference: string | null;
  bank_line: string | null;
  sepa_batch_id: string | null;
  created_by: string | null;
  created_at: Created;
}

export interface BillingPaymentAllocationsTable {
  payment_id: string;
  invoice_id: string;
  tenant_id: string;
  amount_cents: number;
  discount_cents: ColumnType<number, number | undefined, number>;
}

export type CaseStatus = 'current' | 'overdue' | 'notice_sent' | 'suspension_eligible' | 'suspended_nonpayment' | 'paid' | 'reactivated';

export interface BillingDunningCasesTable {
  id: Generated<string>;
  tenant_id: string;
  status: CaseStatus;
  due_date: string;
  last_event_on: string;
  opened_on: string;
  notice_sent_on: string | null;
  notice_acknowledged_on: string | null;
  regularisation_deadline: string | null;
  suspension_eligible_on: string | null;
  suspended_on: string | null;
  paid_on: string | null;
  reactivated_on: string | null;
  closed_at: Date | null;
  updated_at: Updated;
}

export type DunningEventKind =
  | 'opened'
  | 'overdue'
  | 'invoice_added'
  | 'notice_sent'
  | 'notice_delivered'
  | 'notice_failed'
  | 'notice_acknowledged'
  | 'suspension_eligible'
  | 'suspended'
  | 'paid'
  | 'reactivated'
  | 'note';

export interface BillingDunningEventsTable {
  id: Generated<number>;
  tenant_id: string;
  case_id: string;
  at: Date;
  kind: DunningEventKind;
  detail: JsonDefault<Record<string, unknown>>;
}

export interface BillingSuspensionsTable {
  id: Generated<string>;
  tenant_id: string;
  cause: 'nonpayment' | 'fraud' | 'sofy';
  from_date: string;
  to_date: string | null;
  reason: string;
  case_id: string | null;
  created_by: string | null;
  created_at: Created;
}

export type BillingEmailKind = 'formal_notice' | 'sepa_prenotification' | 'invoice_issued' | 'reactivated';

export interface BillingEmailsTable {
  id: Generated<string>;
  tenant_id: string;
  kind: BillingEmailKind;
  case_id: string | null;
  to_addresses: string[];
  subject: string;
  body_text: string;
  ack_token_hash: Buffer | null;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  provider_id: string | null;
  sent_at: Date | null;
  acknowledged_at: Date | null;
  created_at: Created;
}

export type BillingTables = {
  billing_products: BillingProductsTable;
  billing_price_lists: BillingPriceListsTable;
  billing_price_list_items: BillingPriceListItemsTable;
  billing_syntec_indices: BillingSyntecIndicesTable;
  billing_legal_rates: BillingLegalRatesTable;
  billing_vies_checks: BillingViesChecksTable;
  billing_order_forms: BillingOrderFormsTable;
  billing_contracts: BillingContractsTable;
  billing_subscriptions: BillingSubscriptionsTable;
  billing_poi_amendments: BillingPoiAmendmentsTable;
  billing_termination_notices: BillingTerminationNoticesTable;
  billing_contract_events: BillingContractEventsTable;
  billing_invoice_series: BillingInvoiceSeriesTable;
  billing_invoice_runs: BillingInvoiceRunsTable;
  billing_invoices: BillingInvoicesTable;
  billing_invoice_lines: BillingInvoiceLinesTable;
  billing_pending_charges: BillingPendingChargesTable;
  billing_bank_imports: BillingBankImportsTable;
  billing_bank_lines: BillingBankLinesTable;
  billing_sepa_batches: BillingSepaBatchesTable;
  billing_sepa_batch_items: BillingSepaBatchItemsTable;
  billing_payments: BillingPaymentsTable;
  billing_payment_allocations: BillingPaymentAllocationsTable;
  billing_dunning_cases: BillingDunningCasesTable;
  billing_dunning_events: BillingDunningEventsTable;
  billing_suspensions: BillingSuspensionsTable;
  billing_emails: BillingEmailsTable;
};

export type BillingDB = DB & BillingTables;
export type BTx = Transaction<BillingDB>;

/** The same transaction, seeing the billing tables too. */
export const billingTx = (tx: Tx): BTx => tx.withTables<BillingTables>() as unknown as BTx;
