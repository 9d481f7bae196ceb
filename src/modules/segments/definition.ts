import { type TSchema, Type } from 'typebox';

/**
 * The rule tree of a dynamic segment (issue 4, Dittofeed/Brevo style): groups `{ all: [...] }`
 * (AND) and `{ any: [...] }` (OR), nested, whose leaves are conditions on contact fields, tags,
 * typed attributes, consent per channel, behaviour (contact_activity) and membership of other
 * segments or static lists. It is stored as JSON in `segments.definition` and compiled to
 * parameterised SQL at each use (compile.ts); rules/validate.ts checks it against the tenant's
 * attribute definitions and segments, with a JSON pointer for every problem.
 */

// Limits: they keep a definition readable and its SQL cheap to plan (R-NOSCRAPE spirit: no
// unbounded work from one request).
export const MAX_DEPTH = 5; // groups nested, the root group counting as 1
export const MAX_CONDITIONS = 50; // conditions in one definition
export const MAX_LIST_VALUES = 500; // values of `in` / `not_in`, tags of one condition
export const MAX_DAYS = 36_500; // a century: birthdays "more than 18 years ago"
export const MAX_MIN_COUNT = 1000;
/** Segments referenced by segments, inlined: at most this deep and this many conditions overall. */
export const MAX_REFERENCE_DEPTH = 5;
export const MAX_EXPANDED_CONDITIONS = 250;

export const CONTACT_FIELDS = ['language', 'point_of_sale', 'phone', 'email', 'created_at', 'updated_at', 'last_activity_at'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const TAG_OPERATORS = ['has', 'has_not', 'has_any', 'has_all', 'has_none'] as const;
export type TagOperator = (typeof TAG_OPERATORS)[number];

export const CHANNELS = ['sms', 'email', 'whatsapp', 'rcs'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CONSENT_STATUSES = ['granted', 'refused', 'withdrawn', 'unknown'] as const;
export type ConsentStatusValue = (typeof CONSENT_STATUSES)[number];

export const ACTIVITY_KINDS = ['received', 'clicked', 'opened', 'replied', 'opted_out'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Every operator a condition may carry; which ones fit a field or an attribute type is in rules/operators.ts. */
export const OPERATORS = [
  'eq', 'ne', 'contains', 'not_contains', 'starts_with', 'in', 'not_in',
  'gt', 'gte', 'lt', 'lte', 'between',
  'on', 'before', 'after', 'within_last_days', 'within_next_days', 'more_than_days_ago',
  'is_true', 'is_false', 'is_set', 'is_not_set',
] as const;
export type Operator = (typeof OPERATORS)[number];

export type AttributeValue = string | number | boolean;

export interface FieldCondition {
  type: 'field';
  field: ContactField;
  op: Operator;
  value?: string;
  to?: string;
  values?: string[];
  days?: number;
}

export interface TagCondition {
  type: 'tag';
  op: TagOperator;
  tags: string[];
}

export interface AttributeCondition {
  type: 'attribute';
  key: string;
  op: Operator;
  value?: AttributeValue;
  to?: string | number;
  values?: string[];
  days?: number;
}

export interface ConsentCondition {
  type: 'consent';
  channel: Channel;
  op: 'is' | 'is_not';
  status: ConsentStatusValue;
}

export interface ActivityCondition {
  type: 'activity';
  kind: ActivityKind;
  /** `performed` (default) or `not_performed`. */
  op?: 'performed' | 'not_performed';
  campaignId?: string;
  channel?: Channel;
  withinDays?: number;
  /** At least this many times (default 1). */
  minCount?: number;
}

export interface MembershipCondition {
  type: 'segment';
  op: 'in' | 'not_in';
  /** A dynamic segment or a static list of the same tenant. */
  segmentId: string;
}

export type Condition = FieldCondition | TagCondition | AttributeCondition | ConsentCondition | ActivityCondition | MembershipCondition;
export type ConditionType = Condition['type'];
export const CONDITION_TYPES = ['field', 'tag', 'attribute', 'consent', 'activity', 'segment'] as const satisfies readonly ConditionType[];

export type AllGroup = { all: SegmentRule[] };
export type AnyGroup = { any: SegmentRule[] };
export type SegmentGroup = AllGroup | AnyGroup;
export type SegmentRule = SegmentGroup | Condition;
/** A definition is its root group. `{ "all": [] }` is every contact of the tenant. */
export type SegmentDefinition = SegmentGroup;

export const isGroup = (rule: SegmentRule): rule is SegmentGroup => !('type' in rule);
export const groupItems = (group: SegmentGroup): SegmentRule[] => ('all' in group ? group.all : group.any);
export const groupMode = (group: SegmentGroup): 'all' | 'any' => ('all' in group ? 'all' : 'any');

// TypeBox schemas: the OpenAPI description of the tree. Requests are checked by
// rules/validate.ts, which knows the tenant's attributes and gives one clear error per problem
// (a JSON-schema `anyOf` over eight shapes would list every branch that did not match).

const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  );

const Days = Type.Integer({ minimum: 0, maximum: MAX_DAYS, description: 'A number of days (relative dates, Europe/Paris days for dates)' });
const DateText = Type.String({ maxLength: 40, description: '`YYYY-MM-DD` (a Europe/Paris day) or an ISO 8601 instant' });

export const FieldConditionSchema = Type.Object(
  {
    type: Type.Literal('field'),
    field: literals(CONTACT_FIELDS),
    op: literals(OPERATORS, 'language, point_of_sale: in, not_in, is_set, is_not_set; phone, email: is_set, is_not_set; dates: on, before, after, between, within_last_days, more_than_days_ago (+ is_set, is_not_set for last_activity_at)'),
    value: Type.Optional(DateText),
    to: Type.Optional(DateText),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: MAX_LIST_VALUES })),
    days: Type.Optional(Days),
  },
  { additionalProperties: false, title: 'Contact field condition' },
);

export const TagConditionSchema = Type.Object(
  {
    type: Type.Literal('tag'),
    op: literals(TAG_OPERATORS, 'has/has_not take one tag; has_any, has_all, has_none take a list'),
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 1, maxItems: MAX_LIST_VALUES }),
  },
  { additionalProperties: false, title: 'Tag condition' },
);

export const AttributeConditionSchema = Type.Object(
  {
    type: Type.Literal('attribute'),
    key: Type.String({ minLength: 1, maxLength: 40, description: 'A key of /v1/contact-attributes' }),
    op: literals(
      OPERATORS,
      'text: eq, ne, contains, not_contains, starts_with, in, not_in; number: eq, ne, gt, gte, lt, lte, between; date: on, before, after, between, within_last_days, within_next_days, more_than_days_ago; boolean: is_true, is_false; choice: in, not_in; every type: is_set, is_not_set',
    ),
    value: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()])),
    to: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Number()])),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: MAX_LIST_VALUES })),
    days: Type.Optional(Days),
  },
  { additionalProperties: false, title: 'Attribute condition', description: 'Text comparisons ignore case. Negative operators (ne, not_in, not_contains) also match contacts without the attribute.' },
);

export const ConsentConditionSchema = Type.Object(
  {
    type: Type.Literal('consent'),
    channel: literals(CHANNELS),
    op: literals(['is', 'is_not'] as const),
    status: literals(CONSENT_STATUSES),
  },
  { additionalProperties: false, title: 'Consent condition' },
);

export const ActivityConditionSchema = Type.Object(
  {
    type: Type.Literal('activity'),
    kind: literals(ACTIVITY_KINDS),
    op: Type.Optional(literals(['performed', 'not_performed'] as const, 'default performed')),
    campaignId: Type.Optional(Type.String({ format: 'uuid' })),
    channel: Type.Optional(literals(CHANNELS)),
    withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DAYS })),
    minCount: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_MIN_COUNT, description: 'at least this many times (default 1)' })),
  },
  { additionalProperties: false, title: 'Behaviour condition' },
);

export const MembershipConditionSchema = Type.Object(
  {
    type: Type.Literal('segment'),
    op: literals(['in', 'not_in'] as const),
    segmentId: Type.String({ format: 'uuid', description: 'Another dynamic segment (no cycles) or a static list' }),
  },
  { additionalProperties: false, title: 'Segment or list membership' },
);

const CONDITION_SCHEMAS = [FieldConditionSchema, TagConditionSchema, AttributeConditionSchema, ConsentConditionSchema, ActivityConditionSchema, MembershipConditionSchema];

/** Groups spelled out two levels deep for the documentation; deeper ones are described, and checked by validate.ts. */
function groupSchema(level: number): TSchema {
  const nested =
    level >= 2
      ? Type.Object({}, { additionalProperties: true, description: `A nested group ({ all: [...] } or { any: [...] }), up to ${MAX_DEPTH} levels in all` })
      : groupSchema(level + 1);
  const items = Type.Array(Type.Union([...CONDITION_SCHEMAS, nested]), { maxItems: MAX_CONDITIONS });
  return Type.Union([
    Type.Object({ all: items }, { additionalProperties: false, description: 'Every item matches (AND)' }),
    Type.Object({ any: items }, { additionalProperties: false, description: 'At least one item matches (OR)' }),
  ]);
}

export const SegmentDefinitionSchema = Type.Unsafe<SegmentDefinition>({
  ...groupSchema(1),
  title: 'Segment definition',
  description:
    `A rule tree: groups { all: [...] } (AND) and { any: [...] } (OR), nested up to ${MAX_DEPTH} levels, at most ${MAX_CONDITIONS} conditions. ` +
    '`{ "all": [] }` is every contact. Relative dates count from now (Europe/Paris days).',
});
