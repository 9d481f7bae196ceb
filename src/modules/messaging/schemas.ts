import { Type, type Static } from 'typebox';
import { Nullable } from '../../platform/http/schemas.ts';

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

export const SendMessageBody = Type.Object(
  {
    channel: Type.Union([Type.Literal('sms'), Type.Literal('rcs'), Type.Literal('whatsapp'), Type.Literal('email')]),
    route: Type.Optional(Type.Union([Type.Literal('marketing'), Type.Literal('alert')], { description: 'Required for sms and rcs. The API key needs messages:marketing or messages:alert.' })),
    to: Type.String({ minLength: 3, maxLength: 254, description: 'Phone number in any common notation (E.164 preferred; region FR by default), or an email address' }),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Sender ID (≤ 11 letters and digits), a number or short code you own, or an email address' })),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 998 })),
    html: Type.Optional(Type.String({ minLength: 1, maxLength: 500_000 })),
    template: Type.Optional(
      Type.Object(
        { name: Type.String({ minLength: 1, maxLength: 512 }), language: Type.String({ minLength: 2, maxLength: 15 }), components: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 20 })) },
        { additionalProperties: false },
      ),
    ),
    suggestions: Type.Optional(Type.Array(Suggestion, { maxItems: 11 })),
    fallback: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('none')], { description: 'RCS: send as SMS when the handset is not RCS-capable or the message expires (default sms)' })),
    scheduledAt: Type.Optional(Type.String({ format: 'date-time' })),
    quietHours: Type.Optional(Type.Union([Type.Literal('defer'), Type.Literal('reject')], { description: 'R-QUIET: hold until 08:00 local (default) or refuse' })),
    optOut: Type.Optional(Type.Union([Type.Literal('append'), Type.Literal('require')], { description: 'R-STOP: append the STOP mention when missing (default) or refuse' })),
    encoding: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('transliterate')], { description: 'transliterate: replace French accents absent from GSM-7 to stay in 160-character parts' })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 7 * 86_400 })),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 50 })),
  },
  { additionalProperties: false },
);
export type SendMessageRequest = Static<typeof SendMessageBody>;

export const BatchBody = Type.Object(
  { messages: Type.Array(Type.Object({}, { additionalProperties: true }), { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);

export const AcceptedMessage = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('scheduled'), Type.Literal('suppressed')]),
  channel: Type.String(),
  route: Nullable(Type.String()),
  sendAt: Type.String({ format: 'date-time' }),
  to: Type.String(),
  from: Nullable(Type.String()),
  text: Nullable(Type.String()),
  encoding: Nullable(Type.String()),
  segments: Nullable(Type.Integer()),
  characters: Nullable(Type.Integer()),
  price: Type.Object({ amount: Type.Number({ description: 'estimate in euro cents (may have decimals)' }), currency: Type.Literal('EUR') }),
  warnings: Type.Array(Type.String()),
});

export const MessageView = Type.Object({
  id: Type.String(),
  status: Type.String(),
  channel: Type.String(),
  route: Nullable(Type.String()),
  to: Type.String(),
  from: Nullable(Type.String()),
  country: Nullable(Type.String()),
  content: Type.Object({}, { additionalProperties: true }),
  encoding: Nullable(Type.String()),
  segments: Nullable(Type.Integer()),
  characters: Nullable(Type.Integer()),
  price: Type.Object({ amount: Type.Number(), currency: Type.Literal('EUR') }),
  createdAt: Type.String(),
  sendAt: Type.String(),
  submittedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
  attempts: Type.Integer(),
  fellBack: Type.Boolean(),
  error: Nullable(Type.Object({ code: Type.String(), message: Nullable(Type.String()), attribution: Nullable(Type.String()) })),
  metadata: Nullable(Type.Object({}, { additionalProperties: true })),
  warnings: Type.Array(Type.String()),
  history: Type.Optional(Type.Array(Type.Object({ status: Type.String(), at: Type.String(), detail: Type.Object({}, { additionalProperties: true }) }))),
});

export const MessageListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
    status: Type.Optional(Type.String({ maxLength: 20 })),
    channel: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('rcs'), Type.Literal('whatsapp'), Type.Literal('email')])),
    route: Type.Optional(Type.Union([Type.Literal('marketing'), Type.Literal('alert')])),
    to: Type.Optional(Type.String({ maxLength: 254 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
  },
  { additionalProperties: false },
);
