import { type RawBuilder, sql } from 'kysely';
import {
  type ActivityCondition,
  type AttributeCondition,
  type Channel,
  type Condition,
  type FieldCondition,
  groupItems,
  groupMode,
  isGroup,
  type MembershipCondition,
  type SegmentDefinition,
  type SegmentRule,
  type TagCondition,
} from './definition.ts';
import { addCivilDays, type AttributeInfo, boundsOf, civilDayOf, daysBefore } from './rules.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Compiles a validated rule tree into one boolean SQL expression over `contacts AS c`.
 *
 * Every value from the definition (tags, attribute keys and values, dates, ids) is a bound
 * parameter (`sql` template placeholders); the SQL text itself only ever comes from the constants
 * below (column names are looked up in fixed maps, never built from input). Behaviour and
 * membership are EXISTS / IN subqueries, which PostgreSQL plans as hash semi-joins.
 *
 * Negations are two-valued: a NOT is applied only to an expression that cannot be NULL
 * (`coalesce(…, false)`, EXISTS), so a contact without an attribute is "not Paris", and a contact
 * outside a segment whose rules evaluate to NULL for it is "not in" that segment.
 *
 * Planner notes (bench/RESULTS.md "Segment count"): contacts is under row-level security, so only
 * leakproof operators (=, <, > on text, uuid, timestamptz) can drive an index; tag and jsonb
 * conditions are evaluated on a (parallel) sequential scan, which is what a count over most of a
 * tenant's contacts wants anyway. Number comparisons stay in jsonb (`x > '30'::jsonb` after a
 * `jsonb_typeof` guard): no numeric cast per row, and never an error on a badly typed value.
 */

export interface ResolvedSegment {
  kind: 'dynamic' | 'static';
  /** The rule tree of a dynamic segment; null for a static list. */
  definition: SegmentDefinition | null;
}

export interface CompileContext {
  tenantId: string;
  /** The instant relative conditions count from. */
  now: Date;
  attributes: ReadonlyMap<string, AttributeInfo>;
  /** Segments and lists the tree (or the segments it uses) names. */
  segments: ReadonlyMap<string, ResolvedSegment>;
  /** Time zone of `YYYY-MM-DD` days (default Europe/Paris). */
  timeZone?: string;
}

type Bool = RawBuilder<boolean>;

const TRUE: Bool = sql<boolean>`true`;
const FALSE: Bool = sql<boolean>`false`;

// Column names: fixed, never from input.
const FIELD_COLUMNS = {
  language: 'c.language',
  point_of_sale: 'c.point_of_sale',
  phone: 'c.phone',
  email: 'c.email',
  created_at: 'c.created_at',
  updated_at: 'c.updated_at',
  last_activity_at: 'c.last_activity_at',
} as const;

const CONSENT_COLUMNS: Record<Channel, string> = {
  sms: 'c.consent_sms',
  email: 'c.consent_email',
  whatsapp: 'c.consent_whatsapp',
  rcs: 'c.consent_rcs',
};

const not = (expression: Bool): Bool => sql<boolean>`not (${expression})`;
const truthy = (expression: Bool): Bool => sql<boolean>`coalesce(${expression}, false)`;
const and = (parts: Bool[]): Bool => (parts.length === 0 ? TRUE : parts.length === 1 ? (parts[0] as Bool) : sql<boolean>`(${sql.join(parts, sql` and `)})`);
const or = (parts: Bool[]): Bool => (parts.length === 0 ? FALSE : parts.length === 1 ? (parts[0] as Bool) : sql<boolean>`(${sql.join(parts, sql` or `)})`);

export function compileDefinition(definition: SegmentDefinition, context: CompileContext): Bool {
  return compileRule(definition, context, []);
}

function compileRule(rule: SegmentRule, context: CompileContext, stack: readonly string[]): Bool {
  if (isGroup(rule)) {
    const parts = groupItems(rule).map((item) => compileRule(item, context, stack));
    return groupMode(rule) === 'all' ? and(parts) : or(parts);
  }
  return compileCondition(rule, context, stack);
}

function compileCondition(condition: Condition, context: CompileContext, stack: readonly string[]): Bool {
  switch (condition.type) {
    case 'field':
      return fieldCondition(condition, context);
    case 'tag':
      return tagCondition(condition);
    case 'attribute':
      return attributeCondition(condition, context);
    case 'consent': {
      const column = sql.ref(CONSENT_COLUMNS[condition.channel]);
      return condition.op === 'is' ? sql<boolean>`${column} = ${condition.status}` : sql<boolean>`${column} <> ${condition.status}`;
    }
    case 'activity':
      return activityCondition(condition, context);
    case 'segment':
      return membershipCondition(condition, context, stack);
  }
}

function fieldCondition(condition: FieldCondition, context: CompileContext): Bool {
  const column = sql.ref(FIELD_COLUMNS[condition.field]);
  const zone = context.timeZone;
  switch (condition.op) {
    case 'is_set':
      return sql<boolean>`${column} is not null`;
    case 'is_not_set':
      return sql<boolean>`${column} is null`;
    case 'in':
      return truthy(sql<boolean>`${column} = any(${condition.values ?? []}::text[])`);
    case 'not_in':
      return not(truthy(sql<boolean>`${column} = any(${condition.values ?? []}::text[])`));
    case 'before':
      return sql<boolean>`${column} < ${boundsOf(condition.value as string, zone).start}::timestamptz`;
    case 'after':
      return sql<boolean>`${column} >= ${boundsOf(condition.value as string, zone).end}::timestamptz`;
    case 'on': {
      const { start, end } = boundsOf(condition.value as string, zone);
      return sql<boolean>`(${column} >= ${start}::timestamptz and ${column} < ${end}::timestamptz)`;
    }
    case 'between': {
      const start = boundsOf(condition.value as string, zone).start;
      const end = boundsOf(condition.to as string, zone).end;
      return sql<boolean>`(${column} >= ${start}::timestamptz and ${column} < ${end}::timestamptz)`;
    }
    case 'within_last_days':
      return sql<boolean>`${column} >= ${daysBefore(context.now, condition.days ?? 0)}::timestamptz`;
    case 'more_than_days_ago':
      return sql<boolean>`${column} < ${daysBefore(context.now, condition.days ?? 0)}::timestamptz`;
    default:
      throw new AppError('invalid_segment_definition', `"${condition.op}" does not apply to ${condition.field}`);
  }
}

function tagCondition(condition: TagCondition): Bool {
  const tags = sql.ref('c.tags');
  switch (condition.op) {
    case 'has':
    case 'has_all':
      return sql<boolean>`${tags} @> ${condition.tags}::text[]`;
    case 'has_any':
      return sql<boolean>`${tags} && ${condition.tags}::text[]`;
    case 'has_not':
    case 'has_none':
      return not(sql<boolean>`${tags} && ${condition.tags}::text[]`);
  }
}

function attributeCondition(condition: AttributeCondition, context: CompileContext): Bool {
  const definition = context.attributes.get(condition.key);
  if (!definition) throw new AppError('invalid_segment_definition', `No attribute "${condition.key.slice(0, 40)}" is defined`);
  // The key is a parameter too: `attributes -> $1`.
  const value = sql`(${sql.ref('c.attributes')} -> ${condition.key}::text)`;
  const text = sql`(${sql.ref('c.attributes')} ->> ${condition.key}::text)`;
  const { op } = condition;
  if (op === 'is_set') return sql<boolean>`coalesce(jsonb_typeof(${value}), 'null') <> 'null'`;
  if (op === 'is_not_set') return sql<boolean>`coalesce(jsonb_typeof(${value}), 'null') = 'null'`;
  switch (definition.type) {
    case 'text': {
      const needle = String(condition.value ?? '');
      switch (op) {
        case 'eq':
          return truthy(sql<boolean>`lower(${text}) = lower(${needle}::text)`);
        case 'ne':
          return not(truthy(sql<boolean>`lower(${text}) = lower(${needle}::text)`));
        case 'contains':
          return truthy(sql<boolean>`strpos(lower(${text}), lower(${needle}::text)) > 0`);
        case 'not_contains':
          return not(truthy(sql<boolean>`strpos(lower(${text}), lower(${needle}::text)) > 0`));
        case 'starts_with':
          return truthy(sql<boolean>`starts_with(lower(${text}), lower(${needle}::text))`);
        case 'in':
          return truthy(sql<boolean>`lower(${text}) = any(${(condition.values ?? []).map((v) => v.toLowerCase())}::text[])`);
        case 'not_in':
          return not(truthy(sql<boolean>`lower(${text}) = any(${(condition.values ?? []).map((v) => v.toLowerCase())}::text[])`));
        default:
          break;
      }
      break;
    }
    case 'number': {
      const json = (n: unknown) => sql`${JSON.stringify(n)}::jsonb`;
      const isNumber = sql<boolean>`jsonb_typeof(${value}) = 'number'`;
      const compare = (operator: RawBuilder<unknown>, n: unknown) => truthy(sql<boolean>`(${isNumber} and ${value} ${operator} ${json(n)})`);
      switch (op) {
        case 'eq':
          return truthy(sql<boolean>`${value} = ${json(condition.value)}`);
        case 'ne':
          return not(truthy(sql<boolean>`${value} = ${json(condition.value)}`));
        case 'gt':
          return compare(sql`>`, condition.value);
        case 'gte':
          return compare(sql`>=`, condition.value);
        case 'lt':
          return compare(sql`<`, condition.value);
        case 'lte':
          return compare(sql`<=`, condition.value);
        case 'between':
          // No type guard needed: jsonb orders strings < numbers < booleans < arrays < objects,
          // so only a number lies between two numbers (one extraction fewer per row: ~35 % faster).
          return truthy(sql<boolean>`(${value} >= ${json(condition.value)} and ${value} <= ${json(condition.to)})`);
        default:
          break;
      }
      break;
    }
    case 'date': {
      // Stored as ISO `YYYY-MM-DD` text (contacts rules): compared byte-wise, which is date order.
      const day = sql`(${text}) collate "C"`;
      const isText = sql<boolean>`jsonb_typeof(${value}) = 'string'`;
      const range = (from: string | null, to: string | null, exclusiveTo = false) => {
        const parts: Bool[] = [isText];
        if (from !== null) parts.push(sql<boolean>`${day} >= ${from}::text`);
        if (to !== null) parts.push(exclusiveTo ? sql<boolean>`${day} < ${to}::text` : sql<boolean>`${day} <= ${to}::text`);
        return truthy(and(parts));
      };
      const today = civilDayOf(context.now, context.timeZone);
      const days = condition.days ?? 0;
      switch (op) {
        case 'on':
          return range(String(condition.value), String(condition.value));
        case 'before':
          return range(null, String(condition.value), true);
        case 'after':
          return truthy(and([isText, sql<boolean>`${day} > ${String(condition.value)}::text`]));
        case 'between':
          return range(String(condition.value), String(condition.to));
        case 'within_last_days':
          return range(addCivilDays(today, -days), today);
        case 'within_next_days':
          return range(today, addCivilDays(today, days));
        case 'more_than_days_ago':
          return range(null, addCivilDays(today, -days), true);
        default:
          break;
      }
      break;
    }
    case 'boolean':
      if (op === 'is_true') return truthy(sql<boolean>`${value} = 'true'::jsonb`);
      if (op === 'is_false') return truthy(sql<boolean>`${value} = 'false'::jsonb`);
      break;
    case 'choice': {
      const match = truthy(sql<boolean>`${text} = any(${condition.values ?? []}::text[])`);
      if (op === 'in') return match;
      if (op === 'not_in') return not(match);
      break;
    }
  }
  throw new AppError('invalid_segment_definition', `"${op}" does not apply to a ${definition.type} attribute`);
}

function activityCondition(condition: ActivityCondition, context: CompileContext): Bool {
  const filters: Bool[] = [sql<boolean>`a.tenant_id = ${context.tenantId}::uuid`, sql<boolean>`a.kind = ${condition.kind}::text`];
  if (condition.campaignId) filters.push(sql<boolean>`a.campaign_id = ${condition.campaignId}::uuid`);
  if (condition.channel) filters.push(sql<boolean>`a.channel = ${condition.channel}::text`);
  if (condition.withinDays) filters.push(sql<boolean>`a.at >= ${daysBefore(context.now, condition.withinDays)}::timestamptz`);
  const sources: BehaviourSource[] = [{ contact: sql.raw('a.contact_id'), from: sql`contact_activity as a where ${sql.join(filters, sql` and `)}` }];
  // A campaign's messages are `received` through its recipients rows (the fan-out writes no
  // activity row per message, migration 0019): same filters, the channel being the campaign's.
  if (condition.kind === 'received') sources.push(campaignReceived(condition, context));
  const minCount = condition.minCount ?? 1;
  if (minCount > 1) {
    const rows = sql.join(
      sources.map((s) => sql`select ${s.contact} as contact_id from ${s.from}`),
      sql` union all `,
    );
    const counted =
      sources.length === 1
        ? sql<boolean>`c.id in (select a.contact_id from ${sources[0]?.from} group by a.contact_id having count(*) >= ${minCount}::int)`
        : sql<boolean>`c.id in (select u.contact_id from (${rows}) as u group by u.contact_id having count(*) >= ${minCount}::int)`;
    return condition.op === 'not_performed' ? not(counted) : counted;
  }
  // "Did": an uncorrelated IN, so that inside an OR it stays a hashed subplan that parallel
  // workers can run (a correlated EXISTS there makes the whole count serial). "Did not": NOT
  // EXISTS, which PostgreSQL turns into an anti-join without holding the ids in memory.
  if (condition.op === 'not_performed') return and(sources.map((s) => not(sql<boolean>`exists (select 1 from ${s.from} and ${s.contact} = c.id)`)));
  return or(sources.map((s) => sql<boolean>`c.id in (select ${s.contact} from ${s.from})`));
}

/** Where a behaviour is recorded: `from` is "table as alias where …", `contact` its contact id column. */
interface BehaviourSource {
  contact: RawBuilder<unknown>;
  from: RawBuilder<unknown>;
}

/** Contacts a campaign sent a message to (campaign_recipients with a message), as `received` activity. */
function campaignReceived(condition: ActivityCondition, context: CompileContext): BehaviourSource {
  const filters: Bool[] = [sql<boolean>`r.tenant_id = ${context.tenantId}::uuid`, sql<boolean>`r.message_id is not null`];
  if (condition.campaignId) filters.push(sql<boolean>`r.campaign_id = ${condition.campaignId}::uuid`);
  if (condition.channel) {
    filters.push(sql<boolean>`r.campaign_id in (select k.id from campaigns as k where k.tenant_id = ${context.tenantId}::uuid and k.channel = ${condition.channel}::text)`);
  }
  if (condition.withinDays) filters.push(sql<boolean>`r.created_at >= ${daysBefore(context.now, condition.withinDays)}::timestamptz`);
  return { contact: sql.raw('r.contact_id'), from: sql`campaign_recipients as r where ${sql.join(filters, sql` and `)}` };
}

function membershipCondition(condition: MembershipCondition, context: CompileContext, stack: readonly string[]): Bool {
  const segment = context.segments.get(condition.segmentId);
  if (!segment) throw new AppError('invalid_segment_definition', `Segment ${condition.segmentId} no longer exists`);
  let member: Bool;
  if (segment.kind === 'static' || !segment.definition) {
    // Same shapes as behaviour: IN (parallel-safe inside an OR), NOT EXISTS (an anti-join).
    const members = sql`from segment_members as m where m.tenant_id = ${context.tenantId}::uuid and m.segment_id = ${condition.segmentId}::uuid`;
    if (condition.op === 'not_in') return not(sql<boolean>`exists (select 1 ${members} and m.contact_id = c.id)`);
    return sql<boolean>`c.id in (select m.contact_id ${members})`;
  } else {
    if (stack.includes(condition.segmentId)) throw new AppError('segment_cycle', 'These segments use each other in a loop', { extensions: { cycle: [...stack, condition.segmentId] } });
    // A dynamic segment is inlined: same contact row, its rules two-valued.
    member = truthy(compileRule(segment.definition, context, [...stack, condition.segmentId]));
  }
  return condition.op === 'in' ? member : not(member);
}
