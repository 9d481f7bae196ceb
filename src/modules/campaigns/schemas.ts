import { type Static, Type } from 'typebox';
import { Nullable } from '../../platform/http/schemas.ts';

const Channel = Type.Union([Type.Literal('sms'), Type.Literal('rcs'), Type.Literal('email')]);
const Status = Type.Union([
  Type.Literal('draft'),
  Type.Literal('pending_approval'),
  Type.Literal('scheduled'),
  Type.Literal('running'),
  Type.Literal('testing'),
  Type.Literal('paused'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
]);

const Suggestion = Type.Object(
  {
    type: Type.Union([Type.Literal('reply'), Type.Literal('url'), Type.Literal('dial')]),
    text: Type.String({ minLength: 1, maxLength: 25 }),
    postbackData: Type.Optional(Type.String({ maxLength: 2048 })),
    url: Type.Optional(Type.String({ format: 'uri', maxLength: 2048 })),
    phoneNumber: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

const variantFields = {
  split: Type.Integer({ minimum: 0, maximum: 100, description: 'Percent of the audience (A/B); 100 with one variant' }),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 5000, description: 'SMS/RCS text, email text part. Merge fields: {{firstName|Client}}, {{attributes.city|}}, {{link:https://…}}, {{unsubscribe}} (email)' })),
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  html: Type.Optional(Type.String({ minLength: 1, maxLength: 500_000 })),
  suggestions: Type.Optional(Type.Array(Suggestion, { maxItems: 11 })),
};
const contentFields = {
  sender: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 254, description: 'SMS sender ID or number, email From; null: the account default' }))),
  smsFallback: Type.Optional(Type.Boolean({ description: 'RCS: send as SMS to handsets without RCS (contacts who also consented to SMS). Default true.' })),
};

export const Variant = Type.Object({ key: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C'), Type.Literal('D')]), ...variantFields }, { additionalProperties: false });
export const Content = Type.Object({ ...contentFields, variants: Type.Array(Variant, { minItems: 1, maxItems: 4 }) }, { additionalProperties: false });
/** As stored and answered (the key is one of A–D, checked on input). */
const ContentOut = Type.Object({ ...contentFields, variants: Type.Array(Type.Object({ key: Type.String(), ...variantFields })) });

const Uuid = Type.String({ format: 'uuid' });
export const AudienceSchema = Type.Object(
  {
    include: Type.Optional(Type.Array(Uuid, { maxItems: 20, description: 'Segments or lists; none: every contact' })),
    exclude: Type.Optional(Type.Array(Uuid, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const WinnerRule = Type.Object(
  {
    metric: Type.Union([Type.Literal('click_rate'), Type.Literal('delivery_rate')]),
    afterHours: Type.Integer({ minimum: 1, maximum: 168 }),
  },
  { additionalProperties: false },
);
const Ab = Nullable(Type.Object({ winner: Nullable(WinnerRule) }, { additionalProperties: false }));

export const CampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    channel: Channel,
    content: Content,
    audience: Type.Optional(AudienceSchema),
    ab: Type.Optional(Ab),
    throttlePerMinute: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000 }))),
    scheduledAt: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  },
  { additionalProperties: false },
);
export type CampaignBody = Static<typeof CampaignBody>;

export const CampaignPatch = Type.Partial(CampaignBody, { additionalProperties: false, minProperties: 1 });

const Money = Type.Object({ millicents: Type.Integer(), cents: Type.Integer() });

export const EstimateView = Type.Object({
  audience: Type.Integer(),
  recipients: Type.Integer(),
  excluded: Type.Object({ noAddress: Type.Integer(), noConsent: Type.Integer(), suppressed: Type.Integer() }),
  cost: Type.Object({ millicents: Type.Integer(), cents: Type.Integer(), currency: Type.Literal('EUR') }),
  variants: Type.Array(Type.Object({ key: Type.String(), segments: Nullable(Type.Integer()), encoding: Nullable(Type.String()), characters: Nullable(Type.Integer()), cost: Money })),
  refused: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  at: Type.String(),
});

export const CampaignView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  channel: Channel,
  status: Status,
  content: ContentOut,
  links: Type.Array(Type.String()),
  audience: Type.Object({ include: Type.Array(Type.String()), exclude: Type.Array(Type.String()) }),
  ab: Ab,
  throttlePerMinute: Nullable(Type.Integer()),
  scheduledAt: Nullable(Type.String()),
  phase: Nullable(Type.String()),
  winnerVariant: Nullable(Type.String()),
  winnerAt: Nullable(Type.String()),
  estimate: Nullable(EstimateView),
  rejectionReason: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  submittedBy: Nullable(Type.String()),
  submittedAt: Nullable(Type.String()),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String()),
  startedAt: Nullable(Type.String()),
  pausedAt: Nullable(Type.String()),
  completedAt: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String()),
  lastSendAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  counters: Type.Optional(Type.Object({ recipients: Type.Integer(), sent: Type.Integer(), delivered: Type.Integer(), failed: Type.Integer() })),
});

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    status: Type.Optional(Status),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Calendar: campaigns scheduled (or started, or created) from this instant' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const PreviewBody = Type.Object(
  {
    channel: Channel,
    content: Content,
    contactId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const EstimateBody = Type.Object(
  {
    channel: Channel,
    content: Content,
    audience: Type.Optional(AudienceSchema),
    ab: Type.Optional(Ab),
  },
  { additionalProperties: false },
);

export const VariantPreviewView = Type.Object({
  key: Type.String(),
  to: Type.String(),
  text: Nullable(Type.String()),
  subject: Nullable(Type.String()),
  html: Nullable(Type.String()),
  encoding: Nullable(Type.String()),
  characters: Nullable(Type.Integer()),
  segments: Nullable(Type.Integer()),
  price: Nullable(Money),
  warnings: Type.Array(Type.String()),
  refusal: Nullable(Type.Object({ code: Type.String(), detail: Type.String() })),
});

export const TestSendBody = Type.Object(
  {
    to: Type.Array(Type.String({ minLength: 3, maxLength: 254 }), { minItems: 1, maxItems: 5, description: 'Phone numbers or email addresses (up to 5)' }),
    contactId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const Counts = {
  targeted: Type.Integer(),
  skipped: Type.Integer(),
  messages: Type.Integer(),
  pending: Type.Integer(),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  failed: Type.Integer(),
  suppressed: Type.Integer(),
  clicks: Type.Integer(),
  uniqueClicks: Type.Integer(),
  opens: Type.Integer(),
  uniqueOpens: Type.Integer(),
  replies: Type.Integer({ description: 'Replies attributed to the campaign (a reply within 7 days of its message, on its channel)' }),
  uniqueReplies: Type.Integer(),
  optOuts: Type.Integer(),
  cost: Money,
  deliveryRate: Type.Number(),
  clickRate: Type.Number(),
};

export const ReportView = Type.Object({
  campaign: CampaignView,
  totals: Type.Object(Counts),
  variants: Type.Array(Type.Object({ variant: Type.String(), ...Counts })),
  failures: Type.Array(Type.Object({ reason: Type.String(), attribution: Nullable(Type.String()), count: Type.Integer() })),
  skipped: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  links: Type.Array(Type.Object({ index: Type.Integer(), url: Type.String(), clicks: Type.Integer(), uniqueClicks: Type.Integer() })),
  series: Type.Object({
    bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
    points: Type.Array(Type.Object({ at: Type.String(), sent: Type.Integer(), delivered: Type.Integer(), failed: Type.Integer(), clicks: Type.Integer() })),
  }),
  winner: Type.Object({ variant: Nullable(Type.String()), at: Nullable(Type.String()), rule: Nullable(WinnerRule) }),
});
