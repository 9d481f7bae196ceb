import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type RawBuilder } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type CompileContext, compileDefinition, type ResolvedSegment } from './compile.ts';
import type { Condition, SegmentDefinition } from './definition.ts';
import { ATTRIBUTE_OPERATORS, type AttributeInfo, validateDefinition } from './rules.ts';

/** Compiles to SQL text and parameters without a database (Kysely's dummy driver). */
const db = new Kysely<Record<string, never>>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const TENANT = '0190a3b4-0000-7000-8000-0000000000aa';
const LIST = '0190a3b4-0000-7000-8000-000000000001';
const ACTIVE = '0190a3b4-0000-7000-8000-000000000002';
const NOW = new Date('2026-07-01T10:00:00Z'); // 12:00 in Paris

const attributes = new Map<string, AttributeInfo>([
  ['city', { type: 'text', choices: null }],
  ['age', { type: 'number', choices: null }],
  ['birthday', { type: 'date', choices: null }],
  ['has_card', { type: 'boolean', choices: null }],
  ['tier', { type: 'choice', choices: ['Bronze', 'Gold'] }],
]);
const segments = new Map<string, ResolvedSegment>([
  [LIST, { kind: 'static', definition: null }],
  [ACTIVE, { kind: 'dynamic', definition: { all: [{ type: 'field', field: 'last_activity_at', op: 'within_last_days', days: 90 }] } }],
]);
const context: CompileContext = { tenantId: TENANT, now: NOW, attributes, segments };

function compiled(definition: SegmentDefinition, ctx: CompileContext = context): { sql: string; parameters: readonly unknown[] } {
  const where: RawBuilder<boolean> = compileDefinition(definition, ctx);
  const query = db.selectFrom('contacts as c' as never).select('c.id' as never).where(where).compile();
  return { sql: query.sql.replace(/^select "c"\."id" from "contacts" as "c" where /, ''), parameters: query.parameters };
}
const one = (condition: Condition) => compiled({ all: [condition] });

describe('compile: groups', () => {
  it('compiles AND/OR groups, nested, and the empty root as every contact', () => {
    expect(compiled({ all: [] }).sql).toBe('true');
    expect(compiled({ any: [] }).sql).toBe('false');
    const result = compiled({
      any: [
        { type: 'consent', channel: 'sms', op: 'is', status: 'granted' },
        { all: [{ type: 'tag', op: 'has', tags: ['vip'] }, { type: 'consent', channel: 'email', op: 'is_not', status: 'refused' }] },
      ],
    });
    expect(result.sql).toBe('("c"."consent_sms" = $1 or ("c"."tags" @> $2::text[] and "c"."consent_email" <> $3))');
    expect(result.parameters).toEqual(['granted', ['vip'], 'refused']);
  });
});

describe('compile: contact fields', () => {
  it('lists and presence', () => {
    expect(one({ type: 'field', field: 'language', op: 'in', values: ['fr', 'en'] })).toEqual({ sql: 'coalesce("c"."language" = any($1::text[]), false)', parameters: [['fr', 'en']] });
    expect(one({ type: 'field', field: 'point_of_sale', op: 'not_in', values: ['P01'] }).sql).toBe('not (coalesce("c"."point_of_sale" = any($1::text[]), false))');
    expect(one({ type: 'field', field: 'phone', op: 'is_set' }).sql).toBe('"c"."phone" is not null');
    expect(one({ type: 'field', field: 'email', op: 'is_not_set' }).sql).toBe('"c"."email" is null');
  });

  it('dates as Paris days, relative dates from now', () => {
    const before = one({ type: 'field', field: 'created_at', op: 'before', value: '2026-03-01' });
    expect(before.sql).toBe('"c"."created_at" < $1::timestamptz');
    expect(before.parameters).toEqual([new Date('2026-02-28T23:00:00Z')]);
    expect(one({ type: 'field', field: 'created_at', op: 'after', value: '2026-03-01' }).parameters).toEqual([new Date('2026-03-01T23:00:00Z')]);
    const on = one({ type: 'field', field: 'updated_at', op: 'on', value: '2026-07-14' });
    expect(on.sql).toBe('("c"."updated_at" >= $1::timestamptz and "c"."updated_at" < $2::timestamptz)');
    expect(on.parameters).toEqual([new Date('2026-07-13T22:00:00Z'), new Date('2026-07-14T22:00:00Z')]);
    expect(one({ type: 'field', field: 'created_at', op: 'between', value: '2026-01-01', to: '2026-01-31' }).parameters).toEqual([new Date('2025-12-31T23:00:00Z'), new Date('2026-01-31T23:00:00Z')]);
    expect(one({ type: 'field', field: 'last_activity_at', op: 'within_last_days', days: 30 })).toEqual({ sql: '"c"."last_activity_at" >= $1::timestamptz', parameters: [new Date('2026-06-01T10:00:00Z')] });
    expect(one({ type: 'field', field: 'last_activity_at', op: 'more_than_days_ago', days: 30 }).sql).toBe('"c"."last_activity_at" < $1::timestamptz');
    expect(one({ type: 'field', field: 'last_activity_at', op: 'is_not_set' }).sql).toBe('"c"."last_activity_at" is null');
  });
});

describe('compile: tags', () => {
  it('has, has_all (contains), has_any (overlaps), has_not and has_none (no overlap)', () => {
    expect(one({ type: 'tag', op: 'has', tags: ['vip'] }).sql).toBe('"c"."tags" @> $1::text[]');
    expect(one({ type: 'tag', op: 'has_all', tags: ['a', 'b'] }).sql).toBe('"c"."tags" @> $1::text[]');
    expect(one({ type: 'tag', op: 'has_any', tags: ['a', 'b'] }).sql).toBe('"c"."tags" && $1::text[]');
    expect(one({ type: 'tag', op: 'has_not', tags: ['vip'] }).sql).toBe('not ("c"."tags" && $1::text[])');
    expect(one({ type: 'tag', op: 'has_none', tags: ['a', 'b'] })).toEqual({ sql: 'not ("c"."tags" && $1::text[])', parameters: [['a', 'b']] });
  });
});

describe('compile: attributes', () => {
  // Placeholders as `?`: the key is bound again at each use (`$1`, `$3`…), which is fine.
  const attr = (key: string, op: string, extra: Record<string, unknown> = {}) => {
    const result = one({ type: 'attribute', key, op, ...extra } as Condition);
    return { sql: result.sql.replace(/\$\d+/g, '?'), parameters: result.parameters };
  };
  const value = '("c"."attributes" -> ?::text)';
  const text = '("c"."attributes" ->> ?::text)';

  it('text: case-insensitive comparisons, negatives include contacts without the attribute', () => {
    expect(attr('city', 'eq', { value: 'Paris' })).toEqual({ sql: `coalesce(lower(${text}) = lower(?::text), false)`, parameters: ['city', 'Paris'] });
    expect(attr('city', 'ne', { value: 'Paris' }).sql).toBe(`not (coalesce(lower(${text}) = lower(?::text), false))`);
    expect(attr('city', 'contains', { value: 'ar' }).sql).toBe(`coalesce(strpos(lower(${text}), lower(?::text)) > 0, false)`);
    expect(attr('city', 'not_contains', { value: 'ar' }).sql).toBe(`not (coalesce(strpos(lower(${text}), lower(?::text)) > 0, false))`);
    expect(attr('city', 'starts_with', { value: 'Pa' }).sql).toBe(`coalesce(starts_with(lower(${text}), lower(?::text)), false)`);
    expect(attr('city', 'in', { values: ['Paris', 'LYON'] })).toEqual({ sql: `coalesce(lower(${text}) = any(?::text[]), false)`, parameters: ['city', ['paris', 'lyon']] });
    expect(attr('city', 'not_in', { values: ['Paris'] }).sql).toBe(`not (coalesce(lower(${text}) = any(?::text[]), false))`);
  });

  it('number: compared as jsonb numbers behind a type guard (no cast that could fail)', () => {
    expect(attr('age', 'eq', { value: 30 })).toEqual({ sql: `coalesce(${value} = ?::jsonb, false)`, parameters: ['age', '30'] });
    expect(attr('age', 'ne', { value: 30 }).sql).toBe(`not (coalesce(${value} = ?::jsonb, false))`);
    const guard = `jsonb_typeof(${value}) = 'number'`;
    expect(attr('age', 'gt', { value: 30 }).sql).toBe(`coalesce((${guard} and ${value} > ?::jsonb), false)`);
    expect(attr('age', 'gte', { value: 30 }).sql).toBe(`coalesce((${guard} and ${value} >= ?::jsonb), false)`);
    expect(attr('age', 'lt', { value: 30.5 })).toEqual({ sql: `coalesce((${guard} and ${value} < ?::jsonb), false)`, parameters: ['age', 'age', '30.5'] });
    expect(attr('age', 'lte', { value: -1 }).sql).toBe(`coalesce((${guard} and ${value} <= ?::jsonb), false)`);
    expect(attr('age', 'between', { value: 18, to: 30 })).toEqual({ sql: `coalesce((${value} >= ?::jsonb and ${value} <= ?::jsonb), false)`, parameters: ['age', '18', 'age', '30'] });
  });

  it('date: ISO days compared byte-wise, relative days from the Paris day of now', () => {
    const guard = `jsonb_typeof(${value}) = 'string'`;
    const day = `(${text}) collate "C"`;
    expect(attr('birthday', 'on', { value: '1990-05-01' })).toEqual({ sql: `coalesce((${guard} and ${day} >= ?::text and ${day} <= ?::text), false)`, parameters: ['birthday', 'birthday', '1990-05-01', 'birthday', '1990-05-01'] });
    expect(attr('birthday', 'before', { value: '1990-05-01' }).sql).toBe(`coalesce((${guard} and ${day} < ?::text), false)`);
    expect(attr('birthday', 'after', { value: '1990-05-01' }).sql).toBe(`coalesce((${guard} and ${day} > ?::text), false)`);
    const values = (r: { parameters: readonly unknown[] }) => r.parameters.filter((p) => p !== 'birthday');
    expect(values(attr('birthday', 'between', { value: '1990-01-01', to: '1990-12-31' }))).toEqual(['1990-01-01', '1990-12-31']);
    expect(values(attr('birthday', 'within_last_days', { days: 7 }))).toEqual(['2026-06-24', '2026-07-01']);
    expect(values(attr('birthday', 'within_next_days', { days: 7 }))).toEqual(['2026-07-01', '2026-07-08']);
    expect(attr('birthday', 'more_than_days_ago', { days: 365 })).toEqual({ sql: `coalesce((${guard} and ${day} < ?::text), false)`, parameters: ['birthday', 'birthday', '2025-07-01'] });
  });

  it('boolean and choice', () => {
    expect(attr('has_card', 'is_true').sql).toBe(`coalesce(${value} = 'true'::jsonb, false)`);
    expect(attr('has_card', 'is_false').sql).toBe(`coalesce(${value} = 'false'::jsonb, false)`);
    expect(attr('tier', 'in', { values: ['Gold'] })).toEqual({ sql: `coalesce(${text} = any(?::text[]), false)`, parameters: ['tier', ['Gold']] });
    expect(attr('tier', 'not_in', { values: ['Gold'] }).sql).toBe(`not (coalesce(${text} = any(?::text[]), false))`);
  });

  it('presence, for every type', () => {
    for (const key of attributes.keys()) {
      expect(attr(key, 'is_set')).toEqual({ sql: `coalesce(jsonb_typeof(${value}), 'null') <> 'null'`, parameters: [key] });
      expect(attr(key, 'is_not_set').sql).toBe(`coalesce(jsonb_typeof(${value}), 'null') = 'null'`);
    }
  });

  it('refuses what validation would have refused (defence in depth)', () => {
    expect(() => attr('shoe_size', 'eq', { value: 1 })).toThrow(/No attribute/);
    expect(() => attr('age', 'contains', { value: 1 })).toThrow(/does not apply to a number attribute/);
    for (const [type, operators] of Object.entries(ATTRIBUTE_OPERATORS)) expect(operators.length, type).toBeGreaterThan(2);
  });
});

describe('compile: behaviour and membership', () => {
  it('behaviour as EXISTS, or IN with GROUP BY for "at least K times"', () => {
    expect(one({ type: 'activity', kind: 'clicked', op: 'performed' })).toEqual({
      sql: 'c.id in (select a.contact_id from contact_activity as a where a.tenant_id = $1::uuid and a.kind = $2::text)',
      parameters: [TENANT, 'clicked'],
    });
    expect(one({ type: 'activity', kind: 'clicked', op: 'not_performed', withinDays: 7 })).toEqual({
      sql: 'not (exists (select 1 from contact_activity as a where a.tenant_id = $1::uuid and a.kind = $2::text and a.at >= $3::timestamptz and a.contact_id = c.id))',
      parameters: [TENANT, 'clicked', new Date('2026-06-24T10:00:00Z')],
    });
    const full = one({ type: 'activity', kind: 'clicked', op: 'not_performed', campaignId: ACTIVE, channel: 'sms', withinDays: 30, minCount: 3 });
    expect(full.sql).toBe(
      'not (c.id in (select a.contact_id from contact_activity as a where a.tenant_id = $1::uuid and a.kind = $2::text and a.campaign_id = $3::uuid and a.channel = $4::text and a.at >= $5::timestamptz group by a.contact_id having count(*) >= $6::int))',
    );
    expect(full.parameters).toEqual([TENANT, 'clicked', ACTIVE, 'sms', new Date('2026-06-01T10:00:00Z'), 3]);
  });

  it('"received" also reads the campaigns’ recipients rows (migration 0019), with the same filters', () => {
    const did = one({ type: 'activity', kind: 'received', op: 'performed', campaignId: ACTIVE, channel: 'sms', withinDays: 30 });
    expect(did.sql).toBe(
      '(c.id in (select a.contact_id from contact_activity as a where a.tenant_id = $1::uuid and a.kind = $2::text and a.campaign_id = $3::uuid and a.channel = $4::text and a.at >= $5::timestamptz)' +
        ' or c.id in (select r.contact_id from campaign_recipients as r where r.tenant_id = $6::uuid and r.message_id is not null and r.campaign_id = $7::uuid' +
        ' and r.campaign_id in (select k.id from campaigns as k where k.tenant_id = $8::uuid and k.channel = $9::text) and r.created_at >= $10::timestamptz))',
    );
    expect(one({ type: 'activity', kind: 'received', op: 'not_performed' }).sql).toBe(
      '(not (exists (select 1 from contact_activity as a where a.tenant_id = $1::uuid and a.kind = $2::text and a.contact_id = c.id))' +
        ' and not (exists (select 1 from campaign_recipients as r where r.tenant_id = $3::uuid and r.message_id is not null and r.contact_id = c.id)))',
    );
    // "At least K times" counts both sources together.
    expect(one({ type: 'activity', kind: 'received', op: 'performed', minCount: 2 }).sql).toBe(
      'c.id in (select u.contact_id from (select a.contact_id as contact_id from contact_activity as a where a.tenant_id = $1::uuid and a.kind = $2::text' +
        ' union all select r.contact_id as contact_id from campaign_recipients as r where r.tenant_id = $3::uuid and r.message_id is not null) as u group by u.contact_id having count(*) >= $4::int)',
    );
  });

  it('a static list through its members, a dynamic segment inlined and two-valued', () => {
    expect(one({ type: 'segment', op: 'in', segmentId: LIST })).toEqual({
      sql: 'c.id in (select m.contact_id from segment_members as m where m.tenant_id = $1::uuid and m.segment_id = $2::uuid)',
      parameters: [TENANT, LIST],
    });
    expect(one({ type: 'segment', op: 'not_in', segmentId: LIST }).sql).toBe(
      'not (exists (select 1 from segment_members as m where m.tenant_id = $1::uuid and m.segment_id = $2::uuid and m.contact_id = c.id))',
    );
    expect(one({ type: 'segment', op: 'not_in', segmentId: ACTIVE }).sql).toBe('not (coalesce("c"."last_activity_at" >= $1::timestamptz, false))');
  });

  it('refuses a loop even if one was stored', () => {
    const loop = new Map<string, ResolvedSegment>([
      ['0190a3b4-0000-7000-8000-00000000000a', { kind: 'dynamic', definition: { all: [{ type: 'segment', op: 'in', segmentId: '0190a3b4-0000-7000-8000-00000000000b' }] } }],
      ['0190a3b4-0000-7000-8000-00000000000b', { kind: 'dynamic', definition: { all: [{ type: 'segment', op: 'in', segmentId: '0190a3b4-0000-7000-8000-00000000000a' }] } }],
    ]);
    expect(() => compiled({ all: [{ type: 'segment', op: 'in', segmentId: '0190a3b4-0000-7000-8000-00000000000a' }] }, { ...context, segments: loop })).toThrow(/loop/);
  });
});

describe('compile: never SQL text from input', () => {
  const HOSTILE = [
    "'; drop table contacts; --",
    '"); delete from segments; --',
    "x' or '1'='1",
    '$1',
    'robert\\x27); select pg_sleep(10)--',
    'a\u0000b',
    "é' collate \"C\" --",
  ];

  it('puts hostile values, tags, keys, choices and ids in parameters, never in the SQL text', () => {
    for (const hostile of HOSTILE) {
      // Attribute keys are checked against the tenant's definitions first; a hostile key that a
      // definition somehow carries still only reaches SQL as a parameter.
      const hostileAttributes = new Map<string, AttributeInfo>([
        [hostile, { type: 'text', choices: null }],
        ['tier', { type: 'choice', choices: [hostile] }],
      ]);
      const definition: SegmentDefinition = {
        any: [
          { type: 'attribute', key: hostile, op: 'eq', value: hostile },
          { type: 'attribute', key: hostile, op: 'contains', value: hostile },
          { type: 'attribute', key: hostile, op: 'in', values: [hostile, 'b'] },
          { type: 'attribute', key: 'tier', op: 'in', values: [hostile] },
          { type: 'tag', op: 'has_any', tags: [hostile] },
          { type: 'field', field: 'point_of_sale', op: 'in', values: [hostile] },
          { type: 'field', field: 'language', op: 'not_in', values: [hostile] },
        ],
      };
      const { sql, parameters } = compiled(definition, { ...context, attributes: hostileAttributes });
      if (hostile !== '$1') expect(sql).not.toContain(hostile);
      expect(sql).not.toMatch(/drop table|delete from|pg_sleep|'1'='1/i);
      expect(parameters).toContain(hostile);
      expect(parameters.filter((p) => Array.isArray(p) && p.includes(hostile)).length).toBeGreaterThanOrEqual(3);
      // Every placeholder has its parameter.
      expect(Math.max(...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))).toBe(parameters.length);
    }
  });

  it('refuses hostile attribute keys and segment ids before compiling', () => {
    const result = validateDefinition(
      { all: [{ type: 'attribute', key: "city'; drop table contacts; --", op: 'eq', value: 'x' }, { type: 'segment', op: 'in', segmentId: "1' or '1'='1" }] },
      { attributes, segments: new Map() },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path)).toEqual(['/definition/all/0/key', '/definition/all/1/segmentId']);
  });

  it('compiles identical SQL for identical shapes, whatever the values (no value in the text)', () => {
    const a = one({ type: 'attribute', key: 'city', op: 'eq', value: 'Paris' });
    const b = one({ type: 'attribute', key: 'city', op: 'eq', value: "O'Brien --" });
    expect(a.sql).toBe(b.sql);
  });
});
