import { Type } from 'typebox';
import { Nullable } from '../../platform/http/schemas.ts';

/** Request and response schemas of the billing API (validation and OpenAPI). Money: integer cents; messaging unit prices: millicents. */

const IsoDate = Type.String({ format: 'date', description: 'Civil day (Paris), YYYY-MM-DD' });
const Cents = Type.Integer({ description: 'Euro cents' });
const Free = Type.Object({}, { additionalProperties: true });
const Address = Type.Object({ line: Type.String(), postalCode: Type.String(), city: Type.String(), country: Type.String() });
const Channel = Type.Union([Type.Literal('sms'), Type.Literal('rcs'), Type.Literal('whatsapp'), Type.Literal('email')]);
const Route = Type.Union([Type.Literal('marketing'), Type.Literal('alert')]);

export const ViesProof = Type.Object(
  {
    id: Type.String(),
    vatNumber: Type.String(),
    outcome: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('unavailable')]),
    checkedAt: Type.String({ format: 'date-time' }),
    requestIdentifier: Nullable(Type.String()),
    traderName: Nullable(Type.String()),
    traderAddress: Nullable(Type.String()),
    response: Free,
  },
  { description: 'A VIES answer kept as proof of the VAT treatment (R-VAT)' },
);

const MessagingPrice = Type.Object(
  { channel: Channel, route: Route, country: Type.String({ pattern: '^([A-Z]{2}|\\*)$' }), unitMillicents: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
);

export const OrderFormBody = Type.Object(
  {
    tenantId: Type.String({ format: 'uuid' }),
    legalName: Type.String({ minLength: 1, maxLength: 200 }),
    legalForm: Type.Optional(Type.String({ maxLength: 50 })),
    siren: Type.Optional(Type.String({ pattern: '^[0-9 ]{9,11}$', description: 'Required for French clients' })),
    addressLine: Type.String({ minLength: 1, maxLength: 300 }),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }),
    vatNumber: Type.Optional(Type.String({ maxLength: 30, description: 'Intra-community VAT number; EU numbers outside France are checked with VIES' })),
    billingEmail: Type.String({ format: 'email', maxLength: 254 }),
    priceListCode: Type.Optional(Type.String({ maxLength: 40 })),
    items: Type.Optional(
      Type.Array(Type.Object({ product: Type.String({ maxLength: 40 }), unitCents: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 10,
        description: 'Subscriptions (soview, soconnect per POI; soreach flat), monthly price HT; the price list’s when omitted',
      }),
    ),
    messagingPrices: Type.Optional(Type.Array(MessagingPrice, { maxItems: 200, description: 'Negotiated messaging prices (R-CONFID)' })),
    poiCount: Type.Integer({ minimum: 0, maximum: 100_000 }),
    termMonths: Type.Union([Type.Literal(12), Type.Literal(24), Type.Literal(36)]),
    startDate: IsoDate,
    onboardingFeeCents: Type.Optional(Type.Integer({ minimum: 0 })),
    paymentMethod: Type.Union([Type.Literal('sepa'), Type.Literal('transfer')]),
    sepa: Type.Optional(
      Type.Object(
        { rum: Type.String({ minLength: 1, maxLength: 35 }), iban: Type.String({ minLength: 15, maxLength: 42 }), bic: Type.String({ minLength: 8, maxLength: 11 }), signedOn: IsoDate },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const OrderForm = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  status: Type.Union([Type.Literal('draft'), Type.Literal('signed'), Type.Literal('cancelled')]),
  legalName: Type.String(),
  legalForm: Nullable(Type.String()),
  siren: Nullable(Type.String()),
  address: Address,
  vatNumber: Nullable(Type.String()),
  vies: Nullable(ViesProof),
  billingEmail: Type.String(),
  priceListId: Nullable(Type.String()),
  items: Type.Array(Type.Object({ product: Type.String(), unitCents: Cents })),
  messagingPrices: Type.Array(MessagingPrice),
  poiCount: Type.Integer(),
  termMonths: Type.Integer(),
  startDate: Type.String(),
  onboardingFeeCents: Cents,
  paymentMethod: Type.Union([Type.Literal('sepa'), Type.Literal('transfer')]),
  sepa: Nullable(Type.Object({ rum: Type.String(), iban: Nullable(Type.String()), bic: Nullable(Type.String()), signedOn: Nullable(Type.String()) })),
  signedOn: Nullable(Type.String()),
  signatoryName: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const Contract = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  orderFormId: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('terminating'), Type.Literal('ended')]),
  legalName: Type.String(),
  siren: Nullable(Type.String()),
  address: Address,
  vatNumber: Nullable(Type.String()),
  vat: Type.Object({ regime: Type.String(), rateBp: Type.Integer(), mention: Nullable(Type.String()), explanation: Type.String() }),
  vies: Nullable(ViesProof),
  billingEmail: Type.String(),
  startDate: Type.String(),
  termMonths: Type.Integer(),
  signedOn: Type.String(),
  endDate: Nullable(Type.String()),
  licence: Type.Object({
    licensedPoi: Type.Integer(),
    pending: Type.Array(Type.Object({ poiCount: Type.Integer(), effectiveOn: Type.String(), kind: Type.String() })),
  }),
  term: Type.Object({
    status: Type.String({ description: 'not_started | firm | renewed | terminating | ended' }),
    period: Type.Object({ kind: Type.String(), from: Type.String(), to: Type.String(), endsOn: Type.String(), noticeDeadline: Type.String() }),
    nextNoticeDeadline: Nullable(Type.Object({ exitOn: Type.String(), deadline: Type.String({ description: 'Last day a termination notice is in time (R-TERM: 45 days before)' }), daysLeft: Type.Integer() })),
    termination: Nullable(Type.Object({ effectiveOn: Type.String(), lastDay: Type.String(), noticeReceivedOn: Type.String(), channel: Type.String() })),
  }),
  paymentMethod: Type.Union([Type.Literal('sepa'), Type.Literal('transfer')]),
  sepa: Nullable(Type.Object({ rum: Type.String(), iban: Nullable(Type.String()), bic: Nullable(Type.String()), signedOn: Nullable(Type.String()), lastCollectionOn: Nullable(Type.String()) })),
  subscriptions: Type.Array(Type.Object({ product: Type.String(), perPoi: Type.Boolean(), unitCents: Cents })),
  notices: Type.Array(Type.Object({ id: Type.String(), receivedOn: Type.String(), channel: Type.String(), reference: Nullable(Type.String()), exitOn: Type.String(), deadline: Type.String() })),
  history: Type.Array(Type.Object({ onDate: Type.String(), kind: Type.String(), detail: Free })),
});

const InvoiceLine = Type.Object({
  position: Type.Integer(),
  kind: Type.String(),
  product: Nullable(Type.String()),
  description: Type.String(),
  periodStart: Nullable(Type.String()),
  periodEnd: Nullable(Type.String()),
  quantity: Type.String({ description: 'Decimal, at most 3 decimals' }),
  unitPriceMillicents: Type.Integer({ description: 'Unit price HT in millicents (1/1000 of a cent)' }),
  prorata: Nullable(Type.Object({ numerator: Type.Integer(), denominator: Type.Integer() })),
  amountHtCents: Cents,
  vatRateBp: Type.Integer({ description: 'VAT rate in basis points (2000 = 20 %)' }),
});

export const Invoice = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  contractId: Nullable(Type.String()),
  kind: Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]),
  origin: Type.String({ description: 'onboarding | monthly | manual | credit' }),
  status: Type.Union([Type.Literal('draft'), Type.Literal('issued')]),
  number: Nullable(Type.String()),
  issueDate: Nullable(Type.String()),
  dueDate: Nullable(Type.String()),
  periodStart: Nullable(Type.String()),
  periodEnd: Nullable(Type.String()),
  runId: Nullable(Type.String()),
  creditedInvoiceId: Nullable(Type.String()),
  vat: Type.Object({ regime: Type.String(), rateBp: Type.Integer(), mention: Nullable(Type.String()), explanation: Type.String(), viesCheckId: Nullable(Type.String()) }),
  totalHtCents: Cents,
  totalVatCents: Cents,
  totalTtcCents: Cents,
  discount: Type.Object({ deadline: Nullable(Type.String()), htCents: Cents, ttcCents: Cents }),
  paymentMethod: Type.Union([Type.Literal('sepa'), Type.Literal('transfer')]),
  paymentStatus: Type.Union([Type.Literal('unpaid'), Type.Literal('partially_paid'), Type.Literal('paid')]),
  amountPaidCents: Cents,
  amountCreditedCents: Cents,
  discountTakenCents: Cents,
  amountDueCents: Cents,
  paidOn: Nullable(Type.String()),
  overdue: Type.Boolean(),
  latePenalty: Nullable(Type.Object({ daysLate: Type.Integer(), interestCents: Cents, indemnityCents: Cents, totalCents: Cents })),
  notes: Type.Array(Type.String()),
  issuedAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  lines: Type.Optional(Type.Array(InvoiceLine)),
});

export const InvoicePage = Type.Object({ data: Type.Array(Invoice), nextCursor: Nullable(Type.String()) });

export const Run = Type.Object({
  id: Type.String(),
  periodStart: Type.String(),
  periodEnd: Type.String(),
  status: Type.Union([Type.Literal('preview'), Type.Literal('issued')]),
  invoices: Type.Integer(),
  drafts: Type.Integer(),
  totalHtCents: Cents,
  createdAt: Type.String(),
  refreshedAt: Type.String(),
  issuedAt: Nullable(Type.String()),
  warnings: Type.Array(Type.String()),
});

export const Charge = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  kind: Type.String(),
  description: Type.String(),
  onDate: Type.String(),
  quantity: Type.String(),
  unitPriceMillicents: Type.Integer(),
  amountHtCents: Cents,
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
});

export const ChargeBody = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('manual'),
      tenantId: Type.String({ format: 'uuid' }),
      description: Type.String({ minLength: 1, maxLength: 300 }),
      onDate: IsoDate,
      quantity: Type.String({ pattern: '^-?[0-9]+(\\.[0-9]{1,3})?$' }),
      unitPriceMillicents: Type.Integer({ description: 'Negative for a discount line' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('passthrough'),
      tenantId: Type.String({ format: 'uuid' }),
      description: Type.String({ minLength: 1, maxLength: 300 }),
      onDate: IsoDate,
      costCents: Type.Integer({ minimum: 1, description: 'The third party’s documented cost (R-PASSTHRU: billed at cost)' }),
      billedCents: Type.Optional(Type.Integer({ description: 'Refused unless equal to the cost' })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('af2m_fine'),
      tenantId: Type.String({ format: 'uuid' }),
      reference: Type.String({ minLength: 1, maxLength: 200, description: 'The sanction (decision, date)' }),
      onDate: IsoDate,
      fineCents: Type.Integer({ minimum: 1, description: 'R-AF2M: re-invoiced in full plus a 15 % administrative fee' }),
    },
    { additionalProperties: false },
  ),
]);

export const Payment = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  method: Type.Union([Type.Literal('transfer'), Type.Literal('sepa'), Type.Literal('other')]),
  amountCents: Cents,
  allocatedCents: Cents,
  receivedOn: Type.String(),
  reference: Nullable(Type.String()),
  allocations: Type.Array(Type.Object({ invoiceId: Type.String(), invoiceNumber: Nullable(Type.String()), amountCents: Cents, discountCents: Cents })),
  createdAt: Type.String(),
});

export const PaymentBody = Type.Object(
  {
    tenantId: Type.String({ format: 'uuid' }),
    amountCents: Type.Integer({ minimum: 1 }),
    receivedOn: IsoDate,
    method: Type.Union([Type.Literal('transfer'), Type.Literal('sepa'), Type.Literal('other')]),
    reference: Type.Optional(Type.String({ maxLength: 500 })),
    invoiceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100, description: 'Invoices to settle, in this order; the oldest open ones when omitted' })),
  },
  { additionalProperties: false },
);

export const BankLine = Type.Object({
  fingerprint: Type.String(),
  line: Type.Integer(),
  date: Type.String(),
  amountCents: Cents,
  label: Type.String(),
  reference: Nullable(Type.String()),
  counterparty: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  candidateInvoiceIds: Type.Array(Type.String()),
});

export const StatementImport = Type.Object({
  importId: Type.String(),
  lines: Type.Integer(),
  fresh: Type.Integer(),
  alreadyImported: Type.Integer(),
  matched: Type.Array(
    Type.Object({
      line: Type.Integer(),
      date: Type.String(),
      amountCents: Cents,
      label: Type.String(),
      allocations: Type.Array(Type.Object({ invoiceNumber: Type.String(), amountCents: Cents, discountCents: Cents })),
    }),
  ),
  unmatched: Type.Array(BankLine),
  errors: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String(), message: Type.String() })),
});

export const SepaBatch = Type.Object({
  id: Type.String(),
  messageId: Type.String(),
  collectionDate: Type.String(),
  totalCents: Cents,
  count: Type.Integer(),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
  items: Type.Optional(
    Type.Array(Type.Object({ invoiceId: Type.String(), tenantId: Type.String(), amountCents: Cents, sequenceType: Type.String(), endToEndId: Type.String(), rum: Type.String() })),
  ),
});

export const DunningCase = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  tenantStatus: Nullable(Type.String()),
  status: Type.String({ description: 'overdue | notice_sent | suspension_eligible | suspended_nonpayment | paid | reactivated' }),
  open: Type.Boolean(),
  dueDate: Type.String(),
  openedOn: Type.String(),
  noticeSentOn: Nullable(Type.String()),
  noticeAcknowledgedOn: Nullable(Type.String()),
  regularisationDeadline: Nullable(Type.String()),
  suspensionEligibleOn: Nullable(Type.String()),
  suspendedOn: Nullable(Type.String()),
  paidOn: Nullable(Type.String()),
  reactivatedOn: Nullable(Type.String()),
  amountDueCents: Cents,
  overdueInvoices: Type.Array(Type.Object({ id: Type.String(), number: Nullable(Type.String()), dueDate: Nullable(Type.String()), amountDueCents: Cents })),
  nextActions: Type.Array(Type.String()),
  timeline: Type.Array(Type.Object({ at: Type.String(), kind: Type.String(), detail: Free })),
});

export const PriceList = Type.Object({
  id: Type.String(),
  code: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
  effectiveFrom: Type.String(),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String(),
  items: Type.Array(Type.Object({ product: Type.String(), channel: Type.String(), route: Type.String(), country: Type.String(), unitCents: Nullable(Type.Integer()), unitMillicents: Nullable(Type.Integer()) })),
});

export const PriceListBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_-]{1,40}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    effectiveFrom: IsoDate,
    items: Type.Array(
      Type.Object(
        {
          product: Type.String({ maxLength: 40 }),
          channel: Type.Optional(Type.String({ maxLength: 20 })),
          route: Type.Optional(Type.String({ maxLength: 20 })),
          country: Type.Optional(Type.String({ maxLength: 2 })),
          unitCents: Type.Optional(Type.Integer({ minimum: 0 })),
          unitMillicents: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

export const LiabilityCap = Type.Object({
  eventDate: Type.String(),
  windowStart: Type.String(),
  windowEnd: Type.String(),
  capHtCents: Cents,
  counted: Type.Array(Type.Object({ date: Type.String(), amountTtcCents: Cents, invoiceHtCents: Cents, invoiceTtcCents: Cents, htShareCents: Cents })),
});
