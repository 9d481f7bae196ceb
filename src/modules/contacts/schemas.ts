import { type Static, Type } from 'typebox';
import { Nullable } from '../../platform/http/schemas.ts';

/** Request and response schemas of /v1/contacts and /v1/contact-attributes (validation and OpenAPI). */

const Channel = Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('whatsapp'), Type.Literal('rcs')]);
const Decision = Type.Union([Type.Literal('granted'), Type.Literal('refused'), Type.Literal('withdrawn')]);
const Status = Type.Union([Type.Literal('unknown'), Type.Literal('granted'), Type.Literal('refused'), Type.Literal('withdrawn')]);
const CallerSource = Type.Union([Type.Literal('form'), Type.Literal('import'), Type.Literal('api'), Type.Literal('in_store'), Type.Literal('console')], {
  description: 'How the consent was obtained (R-CONSENT). `opt_out` is recorded by the platform only (STOP, unsubscribe link).',
});

export const ConsentProof = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: 2000, description: 'The wording the person agreed to' })),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    userAgent: Type.Optional(Type.String({ maxLength: 500 })),
    operator: Type.Optional(Type.String({ maxLength: 254, description: 'Who collected it (in store, by phone)' })),
    reference: Type.Optional(Type.String({ maxLength: 500, description: 'A form id, a signed document, a ticket' })),
  },
  { additionalProperties: false, description: 'Granting needs at least one of text, ip, operator or reference' },
);

const ConsentGiven = Type.Object({ status: Decision, source: Type.Optional(CallerSource), proof: Type.Optional(ConsentProof) }, { additionalProperties: false });

const AttributeValues = Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean(), Type.Null()]), {
  description: 'Values of the attributes defined in /v1/contact-attributes; null removes one',
});

const contactMembers = {
  phone: Type.Optional(Nullable(Type.String({ maxLength: 40, description: 'Any common notation; stored in E.164 (region FR by default)' }))),
  email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  firstName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  lastName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  language: Type.Optional(Nullable(Type.String({ maxLength: 15, description: 'ISO 639-1 (fr, en…)' }))),
  attributes: Type.Optional(AttributeValues),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 100 })),
  pointOfSale: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Code of the preferred point of sale' }))),
  externalId: Type.Optional(Nullable(Type.String({ maxLength: 128, description: 'Your own id (CRM, loyalty card); unique' }))),
};

export const CreateContactBody = Type.Object(
  { ...contactMembers, consents: Type.Optional(Type.Partial(Type.Object({ sms: ConsentGiven, email: ConsentGiven, whatsapp: ConsentGiven, rcs: ConsentGiven }), { additionalProperties: false })) },
  { additionalProperties: false },
);
export type CreateContactRequest = Static<typeof CreateContactBody>;

export const UpdateContactBody = Type.Object(contactMembers, { additionalProperties: false, description: 'Members given replace the stored ones; null clears. Consent changes go through PUT …/consents/{channel}.' });
export type UpdateContactRequest = Static<typeof UpdateContactBody>;

export const BulkBody = Type.Object(
  {
    contacts: Type.Array(Type.Object({}, { additionalProperties: true }), { minItems: 1, maxItems: 1000 }),
    mergePolicy: Type.Optional(Type.Union([Type.Literal('skip'), Type.Literal('update'), Type.Literal('overwrite')], { description: 'When a contact exists (same phone, email or external id): keep it, update it with the values given (default), or replace it' })),
  },
  { additionalProperties: false },
);

export const SetConsentBody = Type.Object({ status: Decision, source: CallerSource, proof: Type.Optional(ConsentProof) }, { additionalProperties: false });
export type SetConsentRequest = Static<typeof SetConsentBody>;

export const ConsentParams = Type.Object({ id: Type.String({ format: 'uuid' }), channel: Channel }, { additionalProperties: false });

export const ConsentView = Type.Object({
  channel: Channel,
  status: Status,
  source: Nullable(Type.String()),
  at: Nullable(Type.String({ format: 'date-time' })),
  proof: Type.Object({}, { additionalProperties: true }),
});

export const ConsentEventView = Type.Object({
  channel: Type.String(),
  status: Type.String(),
  source: Type.String(),
  at: Type.String({ format: 'date-time' }),
  proof: Type.Object({}, { additionalProperties: true }),
  actor: Nullable(Type.String()),
});

const contactViewMembers = {
  id: Type.String(),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  language: Nullable(Type.String()),
  attributes: Type.Object({}, { additionalProperties: true }),
  tags: Type.Array(Type.String()),
  pointOfSale: Nullable(Type.String()),
  externalId: Nullable(Type.String()),
  consent: Type.Object({ sms: Status, email: Status, whatsapp: Status, rcs: Status }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastActivityAt: Nullable(Type.String({ format: 'date-time' })),
};
export const ContactView = Type.Object(contactViewMembers);

export const ContactDetailView = Type.Object({
  ...contactViewMembers,
  consents: Type.Array(ConsentView, { description: 'Per channel: status, how and when it was recorded, its proof' }),
  suppressed: Type.Object({ phone: Type.Boolean(), email: Type.Boolean() }, { description: 'On the suppression list (R-OPTOUT): no marketing, whatever the consent says' }),
  warnings: Type.Optional(Type.Array(Type.String())),
});

export const ContactListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Prefix of the phone (any notation), email, last or first name' })),
    tag: Type.Optional(Type.String({ maxLength: 50 })),
    consent: Type.Optional(Type.String({ pattern: '^(sms|email|whatsapp|rcs):(unknown|granted|refused|withdrawn)$', description: 'channel:status, e.g. sms:granted' })),
    pointOfSale: Type.Optional(Type.String({ maxLength: 64 })),
    createdFrom: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
    createdTo: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
    count: Type.Optional(Type.Boolean({ description: 'Also count every contact matching the filters' })),
  },
  { additionalProperties: false },
);
export type ContactListRequest = Static<typeof ContactListQuery>;

export const ContactPage = Type.Object({ data: Type.Array(ContactView), nextCursor: Nullable(Type.String()), total: Type.Optional(Type.Integer()) });

export const BulkResult = Type.Object({
  inserted: Type.Integer(),
  updated: Type.Integer(),
  skipped: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      status: Type.Union([Type.Literal('inserted'), Type.Literal('updated'), Type.Literal('skipped'), Type.Literal('failed')]),
      id: Nullable(Type.String()),
      reason: Type.Optional(Type.String()),
      warnings: Type.Optional(Type.Array(Type.String())),
      error: Type.Optional(Type.Object({ code: Type.String(), detail: Type.String(), errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))) })),
    }),
  ),
});

export const TimelineItem = Type.Object({
  type: Type.Union([Type.Literal('message'), Type.Literal('activity'), Type.Literal('consent')]),
  at: Type.String({ format: 'date-time' }),
  channel: Nullable(Type.String()),
  /** message: its status; activity: clicked|opened|replied|opted_out; consent: the new status */
  kind: Type.String(),
  messageId: Nullable(Type.String()),
  campaignId: Nullable(Type.String()),
  detail: Type.Object({}, { additionalProperties: true }),
});

export const TimelinePage = Type.Object({ data: Type.Array(TimelineItem), nextCursor: Nullable(Type.String()) });

export const AttributeDefinitionView = Type.Object({
  key: Type.String(),
  label: Type.String(),
  type: Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('date'), Type.Literal('boolean'), Type.Literal('choice')]),
  choices: Nullable(Type.Array(Type.String())),
  createdAt: Type.String({ format: 'date-time' }),
});

export const CreateAttributeBody = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'Lower-case letters, digits and _, starting with a letter' }),
    label: Type.String({ minLength: 1, maxLength: 100 }),
    type: Type.Union([Type.Literal('text'), Type.Literal('number'), Type.Literal('date'), Type.Literal('boolean'), Type.Literal('choice')]),
    choices: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type CreateAttributeRequest = Static<typeof CreateAttributeBody>;

export const UpdateAttributeBody = Type.Object(
  { label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), choices: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })) },
  { additionalProperties: false, description: 'The key and type of an attribute never change (segments and imports rely on them)' },
);

export const AttributeKeyParams = Type.Object({ key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }) }, { additionalProperties: false });

export const ExportQuery = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }) }, { additionalProperties: false });

export const ContactSummary = Type.Object({
  total: Type.Integer(),
  consentGranted: Type.Object({ sms: Type.Integer(), email: Type.Integer(), whatsapp: Type.Integer(), rcs: Type.Integer() }),
  tags: Type.Array(Type.Object({ tag: Type.String(), count: Type.Integer() })),
  pointsOfSale: Type.Array(Type.Object({ code: Type.String(), count: Type.Integer() })),
});
