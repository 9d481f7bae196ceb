// Shapes of the console ↔ API contract (docs/api-console-contract.md).

export type Locale = 'fr' | 'en';

export type SessionStage = 'mfa_verify' | 'password_change' | 'mfa_enrol' | 'active';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: string;
  tenantId: string | null;
  tenantName: string | null;
  locale: Locale;
  mfaEnabled: boolean;
  operator: boolean;
}

export interface Session {
  authenticated: boolean;
  stage?: SessionStage;
  csrfToken?: string;
  user?: SessionUser;
}

export interface MfaEnrolment {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

export interface MfaEnrolConfirmation {
  recoveryCodes: string[];
  session: Session;
}

export const USER_ROLES = ['owner', 'admin', 'marketer', 'agent', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export type UserStatus = 'active' | 'disabled' | 'locked' | 'invited';

export interface User {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  mfaEnabled: boolean;
  status: UserStatus;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const API_SCOPES = [
  'messages:marketing',
  'messages:alert',
  'messages:read',
  'contacts:read',
  'contacts:write',
  'campaigns:write',
  'admin',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  allowedIps: string[] | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKey;
  secret: string;
}

export type ActorType = 'user' | 'operator' | 'api_key' | 'system';

export interface AuditEntry {
  id: string;
  seq: number | string;
  at: string;
  actor: { type: ActorType; id: string | null; label: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  ip: string | null;
  summary: unknown;
  hash: string;
}

export type TenantStatus = 'active' | 'suspended_nonpayment' | 'suspended_fraud' | 'terminated';

export interface TenantSettings {
  locale: Locale;
  timezone: string;
  defaultSender: string | null;
  stopMention: string | null;
  mfaRequiredForAll: boolean;
}

export interface Tenant {
  id: string;
  name: string;
  status: TenantStatus;
  statusReason: string | null;
  settings: TenantSettings;
  createdAt: string;
}

export interface OperatorTenant extends Tenant {
  userCount: number;
}

export interface RoleDefinition {
  role: string;
  permissions: string[];
}

export interface RolesCatalogue {
  roles: RoleDefinition[];
  operatorRoles: RoleDefinition[];
  scopes: string[];
}

export interface Me {
  principal: {
    type: 'user' | 'operator' | 'api_key';
    id: string;
    label: string;
    role?: string;
    scopes?: string[];
  };
  tenant: Tenant | null;
  permissions: string[];
}

export interface CreatedTenant {
  tenant: Tenant;
  admin: { email: string; oneTimePassword: string };
  /** The contract only says `apiKey`: either the secret itself or `{apiKey, secret}`. */
  apiKey: unknown;
}

export interface OpenedTenant {
  tenant: Tenant;
  users: User[];
  apiKeys: ApiKey[];
  audit: AuditEntry[];
}

export type SuspensionKind = 'nonpayment' | 'fraud';

// ---------- Messaging (docs/messaging.md, src/modules/messaging/schemas.ts) ----------

export const MESSAGE_CHANNELS = ['sms', 'rcs', 'whatsapp', 'email'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const MESSAGE_ROUTES = ['marketing', 'alert'] as const;
export type MessageRoute = (typeof MESSAGE_ROUTES)[number];

/** The lifecycle of docs/messaging.md, in order. */
export const MESSAGE_STATUSES = [
  'queued',
  'scheduled',
  'sending',
  'submitted',
  'delivered',
  'read',
  'undelivered',
  'expired',
  'failed',
  'suppressed',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Who failed (R-3RD). */
export type Attribution = 'platform' | 'operator' | 'meta' | 'google' | 'recipient';

export interface Price {
  /** Euro cents, may have decimals (4.5 = 0,045 €). */
  amount: number;
  currency: 'EUR';
}

export interface MessageError {
  code: string;
  message: string | null;
  attribution: string | null;
}

export interface MessageHistoryStep {
  status: string;
  at: string;
  detail: Record<string, unknown>;
}

export interface Message {
  id: string;
  status: string;
  channel: string;
  route: string | null;
  to: string;
  from: string | null;
  country: string | null;
  content: Record<string, unknown>;
  encoding: string | null;
  segments: number | null;
  characters: number | null;
  price: Price;
  createdAt: string;
  sendAt: string;
  submittedAt: string | null;
  doneAt: string | null;
  attempts: number;
  fellBack: boolean;
  error: MessageError | null;
  metadata: Record<string, unknown> | null;
  warnings: string[];
  /** Only on GET /v1/messages/{id}. */
  history?: MessageHistoryStep[];
}

export interface MessageFilters {
  status?: string;
  channel?: string;
  route?: string;
  to?: string;
  /** ISO instants: created at or after / before. */
  from?: string;
  until?: string;
}

export interface SendMessageInput {
  channel: MessageChannel;
  route?: MessageRoute;
  to: string;
  from?: string;
  text?: string;
  subject?: string;
}

export interface AcceptedMessage {
  id: string;
  status: 'queued' | 'scheduled' | 'suppressed';
  channel: string;
  route: string | null;
  sendAt: string;
  to: string;
  from: string | null;
  text: string | null;
  encoding: string | null;
  segments: number | null;
  characters: number | null;
  price: Price;
  warnings: string[];
}

/** `rules` of a 422 marketing_content_on_alert_route problem. */
export interface AlertRuleMatch {
  rule: string;
  matched: string[];
}

export interface OptOut {
  address: string;
  source: string;
  channel: string | null;
  detail: string | null;
  createdAt: string;
}

/** Fallback when /openapi.json cannot be read; the console prefers the schema's enum. */
export const WEBHOOK_EVENTS = [
  'message.*',
  'message.queued',
  'message.submitted',
  'message.delivered',
  'message.undelivered',
  'message.expired',
  'message.failed',
  'message.read',
  'message.inbound',
  'optout.created',
  'whatsapp_template.status_changed',
  '*',
] as const;

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  createdAt: string;
}

export interface CreatedWebhook {
  endpoint: WebhookEndpoint;
  secret: string;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: Record<string, unknown>;
}

export interface SandboxPhone {
  number: string;
  messages: number;
}

export const SANDBOX_REPLY_CHANNELS = ['sms', 'whatsapp', 'rcs'] as const;
export type SandboxReplyChannel = (typeof SANDBOX_REPLY_CHANNELS)[number];

export interface SandboxItem {
  channel: 'sms' | 'whatsapp' | 'rcs' | 'email';
  /** received: the handset got it from SOFY; sent: the handset's own reply. */
  direction: 'received' | 'sent';
  from: string;
  to: string;
  text: string;
  subject?: string;
  at: string;
  outcome?: string;
}

export interface SandboxConversation {
  number: string;
  data: SandboxItem[];
}

export interface SandboxMail {
  from: string;
  subject: string | null;
  text: string | null;
  html: string | null;
  at: string;
  unsubscribe: string | null;
}

export interface SandboxMailbox {
  address: string;
  data: SandboxMail[];
}

export const SENDER_KINDS = ['alphanumeric', 'short_code', 'long_number'] as const;
export type SenderKind = (typeof SENDER_KINDS)[number];

/** A sender ID the account uses, or a number or short code it owns (`GET /v1/senders`). */
export interface Sender {
  sender: string;
  /** A `SenderKind`; kept open so that a new kind from the server still shows. */
  kind: string;
  status: string;
  createdAt: string;
}

/** One provider link of the server that answered (an SMPP bind, an SMTP pool, an API account). */
export interface ConnectorStatus {
  id: string;
  channel: string;
  /** bound | ready | connecting | closed (others shown as they come). */
  state: string;
  counters: Record<string, number>;
}

/** The account's messages not yet final, per channel and status. */
export interface BacklogEntry {
  channel: string;
  status: string;
  count: number;
  oldest: string | null;
}

export interface RoutesHealth {
  connectors: ConnectorStatus[];
  backlog: BacklogEntry[];
}

/** WhatsApp template registry (`/v1/whatsapp/templates`). */
export const WHATSAPP_TEMPLATE_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'] as const;
export type WhatsAppTemplateStatus = (typeof WHATSAPP_TEMPLATE_STATUSES)[number];
export const WHATSAPP_TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type WhatsAppTemplateCategory = (typeof WHATSAPP_TEMPLATE_CATEGORIES)[number];

export interface WhatsAppTemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';
  text: string;
  url?: string;
  phone_number?: string;
}

/** A component as Meta defines it (HEADER, BODY, FOOTER, BUTTONS). */
export interface WhatsAppTemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT';
  text?: string;
  example?: { header_text?: string[]; body_text?: string[][] };
  buttons?: WhatsAppTemplateButton[];
}

export interface WhatsAppTemplate {
  name: string;
  language: string;
  category: string;
  /** A `WhatsAppTemplateStatus`. */
  status: string;
  rejectionReason: string | null;
  statusDetail: Record<string, unknown> | null;
  providerId: string | null;
  components: WhatsAppTemplateComponent[];
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface NewWhatsAppTemplate {
  name: string;
  language: string;
  category: WhatsAppTemplateCategory;
  components: WhatsAppTemplateComponent[];
}

export interface WhatsAppTemplateSync {
  updated: number;
  removed: number;
  unchanged: number;
  data: WhatsAppTemplate[];
}

// Billing (issue 5, R-CONFID): money in integer euro cents, messaging unit prices in millicents,
// civil days as YYYY-MM-DD (Paris).

export type BillingPaymentMethod = 'sepa' | 'transfer';

export interface BillingAddress {
  line: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface ViesProof {
  id: string;
  vatNumber: string;
  outcome: 'valid' | 'invalid' | 'unavailable';
  checkedAt: string;
  requestIdentifier: string | null;
  traderName: string | null;
  traderAddress: string | null;
  response: Record<string, unknown>;
}

export interface BillingVat {
  regime: string;
  rateBp: number;
  mention: string | null;
  explanation: string;
  viesCheckId?: string | null;
}

export interface BillingMessagingPrice {
  channel: 'sms' | 'rcs' | 'whatsapp' | 'email';
  route: 'marketing' | 'alert';
  country: string;
  unitMillicents: number;
}

export type OrderFormStatus = 'draft' | 'signed' | 'cancelled';

export interface BillingOrderForm {
  id: string;
  tenantId: string;
  tenantName: string | null;
  status: OrderFormStatus;
  legalName: string;
  legalForm: string | null;
  siren: string | null;
  address: BillingAddress;
  vatNumber: string | null;
  vies: ViesProof | null;
  billingEmail: string;
  priceListId: string | null;
  items: { product: string; unitCents: number }[];
  messagingPrices: BillingMessagingPrice[];
  poiCount: number;
  termMonths: number;
  startDate: string;
  onboardingFeeCents: number;
  paymentMethod: BillingPaymentMethod;
  sepa: { rum: string; iban: string | null; bic: string | null; signedOn: string | null } | null;
  signedOn: string | null;
  signatoryName: string | null;
  createdAt: string;
}

export interface NewOrderForm {
  tenantId: string;
  legalName: string;
  legalForm?: string;
  siren?: string;
  addressLine: string;
  postalCode: string;
  city: string;
  country: string;
  vatNumber?: string;
  billingEmail: string;
  priceListCode?: string;
  items?: { product: string; unitCents?: number }[];
  messagingPrices?: BillingMessagingPrice[];
  poiCount: number;
  termMonths: 12 | 24 | 36;
  startDate: string;
  onboardingFeeCents?: number;
  paymentMethod: BillingPaymentMethod;
  sepa?: { rum: string; iban: string; bic: string; signedOn: string };
}

export interface BillingContract {
  id: string;
  tenantId: string;
  tenantName: string | null;
  orderFormId: string;
  status: 'active' | 'terminating' | 'ended';
  legalName: string;
  siren: string | null;
  address: BillingAddress;
  vatNumber: string | null;
  vat: BillingVat;
  vies: ViesProof | null;
  billingEmail: string;
  startDate: string;
  termMonths: number;
  signedOn: string;
  endDate: string | null;
  licence: {
    licensedPoi: number;
    pending: { poiCount: number; effectiveOn: string; kind: string }[];
  };
  term: {
    /** not_started | firm | renewed | terminating | ended */
    status: string;
    period: { kind: string; from: string; to: string; endsOn: string; noticeDeadline: string };
    nextNoticeDeadline: { exitOn: string; deadline: string; daysLeft: number } | null;
    termination: {
      effectiveOn: string;
      lastDay: string;
      noticeReceivedOn: string;
      channel: string;
    } | null;
  };
  paymentMethod: BillingPaymentMethod;
  sepa: {
    rum: string;
    iban: string | null;
    bic: string | null;
    signedOn: string | null;
    lastCollectionOn: string | null;
  } | null;
  subscriptions: { product: string; perPoi: boolean; unitCents: number }[];
  notices: {
    id: string;
    receivedOn: string;
    channel: string;
    reference: string | null;
    exitOn: string;
    deadline: string;
  }[];
  history: { onDate: string; kind: string; detail: Record<string, unknown> }[];
}

export interface BillingInvoiceLine {
  position: number;
  kind: string;
  product: string | null;
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  /** Decimal, at most 3 decimals. */
  quantity: string;
  unitPriceMillicents: number;
  prorata: { numerator: number; denominator: number } | null;
  amountHtCents: number;
  vatRateBp: number;
}

export type BillingPaymentStatus = 'unpaid' | 'partially_paid' | 'paid';

export interface BillingInvoice {
  id: string;
  tenantId: string;
  tenantName: string | null;
  contractId: string | null;
  kind: 'invoice' | 'credit_note';
  /** onboarding | monthly | manual | credit */
  origin: string;
  status: 'draft' | 'issued';
  number: string | null;
  issueDate: string | null;
  dueDate: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  runId: string | null;
  creditedInvoiceId: string | null;
  vat: BillingVat;
  totalHtCents: number;
  totalVatCents: number;
  totalTtcCents: number;
  discount: { deadline: string | null; htCents: number; ttcCents: number };
  paymentMethod: BillingPaymentMethod;
  paymentStatus: BillingPaymentStatus;
  amountPaidCents: number;
  amountCreditedCents: number;
  discountTakenCents: number;
  amountDueCents: number;
  paidOn: string | null;
  overdue: boolean;
  latePenalty: {
    daysLate: number;
    interestCents: number;
    indemnityCents: number;
    totalCents: number;
  } | null;
  notes: string[];
  issuedAt: string | null;
  createdAt: string;
  lines?: BillingInvoiceLine[];
}

export interface BillingPayment {
  id: string;
  tenantId: string;
  tenantName: string | null;
  method: 'transfer' | 'sepa' | 'other';
  amountCents: number;
  allocatedCents: number;
  receivedOn: string;
  reference: string | null;
  allocations: {
    invoiceId: string;
    invoiceNumber: string | null;
    amountCents: number;
    discountCents: number;
  }[];
  createdAt: string;
}

export interface NewBillingPayment {
  tenantId: string;
  amountCents: number;
  receivedOn: string;
  method: 'transfer' | 'sepa' | 'other';
  reference?: string;
  invoiceIds?: string[];
}

export interface DunningCase {
  id: string;
  tenantId: string;
  tenantName: string | null;
  tenantStatus: string | null;
  /** overdue | notice_sent | suspension_eligible | suspended_nonpayment | paid | reactivated */
  status: string;
  open: boolean;
  dueDate: string;
  openedOn: string;
  noticeSentOn: string | null;
  noticeAcknowledgedOn: string | null;
  regularisationDeadline: string | null;
  suspensionEligibleOn: string | null;
  suspendedOn: string | null;
  paidOn: string | null;
  reactivatedOn: string | null;
  amountDueCents: number;
  overdueInvoices: {
    id: string;
    number: string | null;
    dueDate: string | null;
    amountDueCents: number;
  }[];
  nextActions: string[];
  timeline: { at: string; kind: string; detail: Record<string, unknown> }[];
}

export interface InvoiceRun {
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

export interface BillingCharge {
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

export type NewBillingCharge =
  | {
      kind: 'manual';
      tenantId: string;
      description: string;
      onDate: string;
      quantity: string;
      unitPriceMillicents: number;
    }
  | { kind: 'passthrough'; tenantId: string; description: string; onDate: string; costCents: number }
  | { kind: 'af2m_fine'; tenantId: string; reference: string; onDate: string; fineCents: number };

export interface BankLine {
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

export interface StatementImport {
  importId: string;
  lines: number;
  fresh: number;
  alreadyImported: number;
  matched: {
    line: number;
    date: string;
    amountCents: number;
    label: string;
    allocations: { invoiceNumber: string; amountCents: number; discountCents: number }[];
  }[];
  unmatched: BankLine[];
  errors: { line: number; reason: string; message: string }[];
}

export interface SepaBatch {
  id: string;
  messageId: string;
  collectionDate: string;
  totalCents: number;
  count: number;
  createdBy: string | null;
  createdAt: string;
  items?: {
    invoiceId: string;
    tenantId: string;
    amountCents: number;
    sequenceType: string;
    endToEndId: string;
    rum: string;
  }[];
}

export interface SyntecEntry {
  month: string;
  value: string;
  createdBy: string | null;
  createdAt: string;
}

export interface LegalRate {
  effectiveFrom: string;
  ratePercent: string;
  createdBy: string | null;
  createdAt: string;
}

export interface BillingProduct {
  code: string;
  name: string;
  unit: string;
  description: string;
}

export interface PriceList {
  id: string;
  code: string;
  version: number;
  name: string;
  effectiveFrom: string;
  createdBy: string | null;
  createdAt: string;
  items: {
    product: string;
    channel: string;
    route: string;
    country: string;
    unitCents: number | null;
    unitMillicents: number | null;
  }[];
}

export interface LiabilityCap {
  eventDate: string;
  windowStart: string;
  windowEnd: string;
  capHtCents: number;
  counted: {
    date: string;
    amountTtcCents: number;
    invoiceHtCents: number;
    invoiceTtcCents: number;
    htShareCents: number;
  }[];
}
