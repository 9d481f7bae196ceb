import { type TSchema, Type } from 'typebox';
import { Nullable } from '../../platform/http/schemas.ts';
import { SegmentDefinitionSchema } from './definition.ts';

/**
 * Request and response schemas of /v1/segments (validation and OpenAPI). Bodies that carry a
 * definition are documented with the full rule tree but checked in two steps: the envelope by
 * JSON schema (with `definition` left open), then the tree by rules/validate.ts, which knows the
 * tenant's attributes and names the exact field at fault (422 `invalid_segment_definition`).
 */

const DefinitionOut = Type.Unknown({ description: 'The rule tree (see the request schema of POST /v1/segments)' });

export const SegmentViewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Nullable(Type.String()),
  kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')]),
  definition: DefinitionOut,
  count: Nullable(Type.Integer({ description: 'Static list: its members. Dynamic: the last count taken (GET /v1/segments/{id}/count), null until then' })),
  countedAt: Nullable(Type.String({ format: 'date-time' })),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ContactPreviewSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  language: Nullable(Type.String()),
  pointOfSale: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  consent: Type.Object({ sms: Type.String(), email: Type.String(), whatsapp: Type.String(), rcs: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
  lastActivityAt: Nullable(Type.String({ format: 'date-time' })),
});

export const CountResultSchema = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  approximate: Type.Boolean({ description: 'true: the exact count ran out of time and this is an estimate from a sample of the contacts' }),
  tookMs: Type.Integer({ minimum: 0 }),
  sample: Type.Optional(Type.Array(ContactPreviewSchema, { description: 'The newest matching contacts, when `sample` was asked' })),
});

const Name = Type.String({ minLength: 1, maxLength: 200 });
const Description = Nullable(Type.String({ maxLength: 2000 }));

const createBody = (definition: TSchema) =>
  Type.Object(
    {
      name: Name,
      description: Type.Optional(Description),
      kind: Type.Union([Type.Literal('dynamic'), Type.Literal('static')], { description: 'dynamic: a rule tree evaluated at each use; static: a list of contacts you add and remove' }),
      definition: Type.Optional(definition),
    },
    { additionalProperties: false },
  );
export const CreateSegmentBody = createBody(SegmentDefinitionSchema);
export const CreateSegmentBodyChecked = createBody(Type.Unknown());

const updateBody = (definition: TSchema) =>
  Type.Object({ name: Type.Optional(Name), description: Type.Optional(Description), definition: Type.Optional(definition) }, { additionalProperties: false, minProperties: 1 });
export const UpdateSegmentBody = updateBody(SegmentDefinitionSchema);
export const UpdateSegmentBodyChecked = updateBody(Type.Unknown());

const countBody = (definition: TSchema) =>
  Type.Object(
    {
      definition,
      sample: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'Also return this many of the newest matching contacts (preview)' })),
      segmentId: Type.Optional(Type.String({ format: 'uuid', description: 'The segment being edited, if saved: it may not use itself' })),
    },
    { additionalProperties: false },
  );
export const CountBody = countBody(SegmentDefinitionSchema);
export const CountBodyChecked = countBody(Type.Unknown());

const membersBody = (definition: TSchema) =>
  Type.Object(
    {
      contactIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 10_000 })),
      definition: Type.Optional(definition),
      segmentId: Type.Optional(Type.String({ format: 'uuid', description: 'Every contact of this segment or list' })),
    },
    { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Exactly one of contactIds, definition (a filter) or segmentId' },
  );
export const MembersBody = membersBody(SegmentDefinitionSchema);
export const MembersBodyChecked = membersBody(Type.Unknown());

export const SegmentListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    kind: Type.Optional(Type.Union([Type.Literal('dynamic'), Type.Literal('static')])),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Part of the name' })),
  },
  { additionalProperties: false },
);

export const ContactsQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }), cursor: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

const Operators = Type.Array(Type.String());
export const CatalogueSchema = Type.Object({
  limits: Type.Object({ maxDepth: Type.Integer(), maxConditions: Type.Integer() }),
  fields: Type.Array(Type.Object({ field: Type.String(), operators: Operators })),
  attributes: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), type: Type.String(), choices: Nullable(Type.Array(Type.String())), operators: Operators })),
  tagOperators: Operators,
  channels: Type.Array(Type.String()),
  consentStatuses: Type.Array(Type.String()),
  activityKinds: Type.Array(Type.String()),
  segments: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() })),
  suggestions: Type.Object({ tags: Type.Array(Type.String()), pointsOfSale: Type.Array(Type.String()), languages: Type.Array(Type.String()) }),
});

export const MembersResultSchema = Type.Object({
  added: Type.Optional(Type.Integer()),
  removed: Type.Optional(Type.Integer()),
  members: Type.Integer(),
  unknownContactIds: Type.Array(Type.String(), { description: 'Ids that are not contacts of this account (ignored)' }),
});
