import type { BadgeTone } from '../../components/Feedback';
import type { MessageKey, Translate } from '../../i18n';
import type { BillingInvoice } from '../../types';

/** Words of the billing pages for the API's codes; an unknown code is shown as it is. */
function lookup(t: Translate, table: Record<string, MessageKey>, code: string): string {
  const key = table[code];
  return key ? t(key) : code;
}

const PRODUCTS: Record<string, MessageKey> = {
  soview: 'billing.product.soview',
  soconnect: 'billing.product.soconnect',
  soreach: 'billing.product.soreach',
  onboarding: 'billing.product.onboarding',
  messaging: 'billing.product.messaging',
};
export const productLabel = (t: Translate, code: string) => lookup(t, PRODUCTS, code);

/** The subscription products an order form may hold, in the catalogue's order. */
export const SUBSCRIPTION_PRODUCTS = ['soview', 'soconnect', 'soreach'] as const;
export const PER_POI = new Set<string>(['soview', 'soconnect']);

const VAT_REGIMES: Record<string, MessageKey> = {
  france: 'billing.vat.france',
  france_overseas_taxed: 'billing.vat.france_overseas_taxed',
  france_overseas_exempt: 'billing.vat.france_overseas_exempt',
  outside_eu: 'billing.vat.outside_eu',
  eu_without_valid_vat_number: 'billing.vat.eu_without_valid_vat_number',
  eu_reverse_charge: 'billing.vat.eu_reverse_charge',
};
export const vatRegimeLabel = (t: Translate, regime: string) => lookup(t, VAT_REGIMES, regime);

const TERM_STATUSES: Record<string, MessageKey> = {
  not_started: 'billing.term.not_started',
  firm: 'billing.term.firm',
  renewed: 'billing.term.renewed',
  terminating: 'billing.term.terminating',
  ended: 'billing.term.ended',
};
export const termStatusLabel = (t: Translate, status: string) => lookup(t, TERM_STATUSES, status);

const CONTRACT_STATUSES: Record<string, { key: MessageKey; tone: BadgeTone }> = {
  active: { key: 'billing.contractStatus.active', tone: 'success' },
  terminating: { key: 'billing.contractStatus.terminating', tone: 'warning' },
  ended: { key: 'billing.contractStatus.ended', tone: 'neutral' },
};
export function contractStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  const def = CONTRACT_STATUSES[status];
  return def ? { label: t(def.key), tone: def.tone } : { label: status, tone: 'neutral' };
}

const ORDER_FORM_STATUSES: Record<string, { key: MessageKey; tone: BadgeTone }> = {
  draft: { key: 'billing.orderStatus.draft', tone: 'info' },
  signed: { key: 'billing.orderStatus.signed', tone: 'success' },
  cancelled: { key: 'billing.orderStatus.cancelled', tone: 'neutral' },
};
export function orderFormStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  const def = ORDER_FORM_STATUSES[status];
  return def ? { label: t(def.key), tone: def.tone } : { label: status, tone: 'neutral' };
}

const METHODS: Record<string, MessageKey> = {
  sepa: 'billing.method.sepa',
  transfer: 'billing.method.transfer',
  other: 'billing.method.other',
};
export const methodLabel = (t: Translate, method: string) => lookup(t, METHODS, method);

const NOTICE_CHANNELS: Record<string, MessageKey> = {
  registered_letter: 'billing.channel.registered_letter',
  email: 'billing.channel.email',
};
export const noticeChannelLabel = (t: Translate, channel: string) =>
  lookup(t, NOTICE_CHANNELS, channel);

const ORIGINS: Record<string, MessageKey> = {
  onboarding: 'billing.origin.onboarding',
  monthly: 'billing.origin.monthly',
  manual: 'billing.origin.manual',
  credit: 'billing.origin.credit',
};
export const originLabel = (t: Translate, origin: string) => lookup(t, ORIGINS, origin);

export type InvoiceDisplayStatus =
  | 'draft'
  | 'credit_note'
  | 'paid'
  | 'partially_paid'
  | 'overdue'
  | 'unpaid';

/** One status per document, the one that matters first: draft, then paid, then late. */
export function invoiceDisplayStatus(invoice: BillingInvoice): InvoiceDisplayStatus {
  if (invoice.status === 'draft') return 'draft';
  if (invoice.kind === 'credit_note') return 'credit_note';
  if (invoice.paymentStatus === 'paid') return 'paid';
  if (invoice.overdue) return 'overdue';
  if (invoice.paymentStatus === 'partially_paid') return 'partially_paid';
  return 'unpaid';
}

const INVOICE_STATUSES: Record<InvoiceDisplayStatus, { key: MessageKey; tone: BadgeTone }> = {
  draft: { key: 'billing.invoiceStatus.draft', tone: 'info' },
  credit_note: { key: 'billing.invoiceStatus.credit_note', tone: 'neutral' },
  paid: { key: 'billing.invoiceStatus.paid', tone: 'success' },
  partially_paid: { key: 'billing.invoiceStatus.partially_paid', tone: 'warning' },
  overdue: { key: 'billing.invoiceStatus.overdue', tone: 'danger' },
  unpaid: { key: 'billing.invoiceStatus.unpaid', tone: 'neutral' },
};
export function invoiceStatus(
  t: Translate,
  invoice: BillingInvoice,
): { status: InvoiceDisplayStatus; label: string; tone: BadgeTone } {
  const status = invoiceDisplayStatus(invoice);
  const def = INVOICE_STATUSES[status];
  return { status, label: t(def.key), tone: def.tone };
}

export const DUNNING_STATUSES = [
  'overdue',
  'notice_sent',
  'suspension_eligible',
  'suspended_nonpayment',
  'paid',
  'reactivated',
] as const;

const DUNNING: Record<string, { key: MessageKey; tone: BadgeTone }> = {
  current: { key: 'billing.dunningStatus.current', tone: 'neutral' },
  overdue: { key: 'billing.dunningStatus.overdue', tone: 'warning' },
  notice_sent: { key: 'billing.dunningStatus.notice_sent', tone: 'warning' },
  suspension_eligible: { key: 'billing.dunningStatus.suspension_eligible', tone: 'danger' },
  suspended_nonpayment: { key: 'billing.dunningStatus.suspended_nonpayment', tone: 'danger' },
  paid: { key: 'billing.dunningStatus.paid', tone: 'success' },
  reactivated: { key: 'billing.dunningStatus.reactivated', tone: 'success' },
};
export function dunningStatus(t: Translate, status: string): { label: string; tone: BadgeTone } {
  const def = DUNNING[status];
  return def ? { label: t(def.key), tone: def.tone } : { label: status, tone: 'neutral' };
}

const DUNNING_EVENTS: Record<string, MessageKey> = {
  opened: 'billing.dunningEvent.opened',
  overdue: 'billing.dunningEvent.overdue',
  invoice_added: 'billing.dunningEvent.invoice_added',
  notice_sent: 'billing.dunningEvent.notice_sent',
  notice_delivered: 'billing.dunningEvent.notice_delivered',
  notice_failed: 'billing.dunningEvent.notice_failed',
  notice_acknowledged: 'billing.dunningEvent.notice_acknowledged',
  suspension_eligible: 'billing.dunningEvent.suspension_eligible',
  suspended: 'billing.dunningEvent.suspended',
  paid: 'billing.dunningEvent.paid',
  reactivated: 'billing.dunningEvent.reactivated',
  note: 'billing.dunningEvent.note',
};
export const dunningEventLabel = (t: Translate, kind: string) => lookup(t, DUNNING_EVENTS, kind);

const CONTRACT_EVENTS: Record<string, MessageKey> = {
  signed: 'billing.contractEvent.signed',
  renewed: 'billing.contractEvent.renewed',
  price_revised: 'billing.contractEvent.price_revised',
  poi_raised: 'billing.contractEvent.poi_raised',
  poi_reduction_scheduled: 'billing.contractEvent.poi_reduction_scheduled',
  poi_reduced: 'billing.contractEvent.poi_reduced',
  notice_received: 'billing.contractEvent.notice_received',
  ended: 'billing.contractEvent.ended',
};
export const contractEventLabel = (t: Translate, kind: string) =>
  lookup(t, CONTRACT_EVENTS, kind);

const NEXT_ACTIONS: Record<string, MessageKey> = {
  mark_overdue: 'billing.nextAction.mark_overdue',
  send_formal_notice: 'billing.nextAction.send_formal_notice',
  mark_suspension_eligible: 'billing.nextAction.mark_suspension_eligible',
  suspend: 'billing.nextAction.suspend',
  reactivate: 'billing.nextAction.reactivate',
};
export const nextActionLabel = (t: Translate, action: string) => lookup(t, NEXT_ACTIONS, action);

const VIES: Record<string, { key: MessageKey; tone: BadgeTone }> = {
  valid: { key: 'billing.vies.valid', tone: 'success' },
  invalid: { key: 'billing.vies.invalid', tone: 'danger' },
  unavailable: { key: 'billing.vies.unavailable', tone: 'warning' },
};
export function viesOutcome(t: Translate, outcome: string): { label: string; tone: BadgeTone } {
  const def = VIES[outcome];
  return def ? { label: t(def.key), tone: def.tone } : { label: outcome, tone: 'neutral' };
}

const CHARGE_KINDS: Record<string, MessageKey> = {
  manual: 'billing.chargeKind.manual',
  passthrough: 'billing.chargeKind.passthrough',
  af2m_fine: 'billing.chargeKind.af2m_fine',
  af2m_fee: 'billing.chargeKind.af2m_fee',
};
export const chargeKindLabel = (t: Translate, kind: string) => lookup(t, CHARGE_KINDS, kind);

const BANK_REASONS: Record<string, MessageKey> = {
  no_invoice_reference: 'billing.bankReason.no_invoice_reference',
  invoice_not_open: 'billing.bankReason.invoice_not_open',
  ambiguous: 'billing.bankReason.ambiguous',
};
export const bankReasonLabel = (t: Translate, reason: string | null) =>
  reason ? lookup(t, BANK_REASONS, reason) : '';
