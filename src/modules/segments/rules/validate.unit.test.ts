import { describe, expect, it } from 'vitest';
import { MAX_CONDITIONS, MAX_DEPTH, OPERATORS, type SegmentDefinition } from '../definition.ts';
import { ATTRIBUTE_OPERATORS, FIELD_OPERATORS, operandOf } from './operators.ts';
import { type DefinitionContext, validateDefinition } from './validate.ts';

const LIST = '0190a3b4-0000-7000-8000-000000000001';
const DYNAMIC = '0190a3b4-0000-7000-8000-000000000002';
const SELF = '0190a3b4-0000-7000-8000-000000000003';
const CAMPAIGN = '0190a3b4-0000-7000-8000-0000000000cc';

const context: DefinitionContext = {
  attributes: new Map([
    ['city', { type: 'text', choices: null }],
    ['age', { type: 'number', choices: null }],
    ['birthday', { type: 'date', choices: null }],
    ['has_card', { type: 'boolean', choices: null }],
    ['tier', { type: 'choice', choices: ['Bronze', 'Silver', 'Gold'] }],
  ]),
  segments: new Map([
    [LIST, { kind: 'static', name: 'Liste VIP' }],
    [DYNAMIC, { kind: 'dynamic', name: 'Actifs' }],
    [SELF, { kind: 'dynamic', name: 'Moi' }],
  ]),
  selfId: SELF,
};

const one = (condition: Record<string, unknown>) => validateDefinition({ all: [condition] }, context);
const errorsOf = (input: unknown) => {
  const result = validateDefinition(input, context);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
};
const oneErrors = (condition: Record<string, unknown>) => errorsOf({ all: [condition] });
const accepted = (condition: Record<string, unknown>) => {
  const result = one(condition);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return (result.definition as { all: unknown[] }).all[0];
};

/** An operand that fits an operator for a given value kind. */
function operandFor(op: string, kind: 'text' | 'number' | 'date' | 'timestamp'): Record<string, unknown> {
  switch (operandOf(op as (typeof OPERATORS)[number])) {
    case 'none':
      return {};
    case 'values':
      return { values: kind === 'text' ? ['Paris'] : ['fr'] };
    case 'days':
      return { days: 30 };
    case 'range':
      return kind === 'number' ? { value: 18, to: 30 } : { value: '2026-01-01', to: '2026-02-01' };
    default:
      return { value: kind === 'number' ? 42 : kind === 'text' ? 'Paris' : '2026-01-15' };
  }
}

describe('segment definitions: structure', () => {
  it('accepts the empty root (every contact) and nested AND/OR groups', () => {
    expect(validateDefinition({ all: [] }, context)).toMatchObject({ ok: true, conditions: 0, depth: 1 });
    const nested = { any: [{ all: [{ type: 'tag', op: 'has', tags: ['vip'] }, { any: [{ type: 'consent', channel: 'sms', op: 'is', status: 'granted' }] }] }] };
    expect(validateDefinition(nested, context)).toMatchObject({ ok: true, conditions: 2, depth: 3 });
  });

  it('refuses what is not a group at the root, and groups that are not exactly all or any', () => {
    expect(errorsOf({ type: 'tag', op: 'has', tags: ['x'] })).toEqual([{ path: '/definition', message: expect.stringContaining('must be a group') }]);
    expect(errorsOf([])[0]?.path).toBe('/definition');
    expect(errorsOf({ all: [], any: [] })[0]).toEqual({ path: '/definition', message: expect.stringContaining('exactly one member') });
    expect(errorsOf({ every: [] })[0]?.path).toBe('/definition');
    expect(errorsOf({ all: 'x' })[0]).toEqual({ path: '/definition/all', message: expect.stringContaining('array') });
    expect(errorsOf({ all: [{ any: [] }] })[0]).toEqual({ path: '/definition/all/0/any', message: expect.stringContaining('at least one') });
    expect(errorsOf({ all: ['vip'] })[0]?.path).toBe('/definition/all/0');
  });

  it(`refuses groups nested deeper than ${MAX_DEPTH} levels, at the group too deep`, () => {
    let deep: Record<string, unknown> = { type: 'tag', op: 'has', tags: ['x'] };
    for (let i = 0; i < MAX_DEPTH; i++) deep = { all: [deep] };
    expect(validateDefinition(deep, context).ok).toBe(true);
    const tooDeep = { any: [deep] };
    const errors = errorsOf(tooDeep);
    expect(errors).toEqual([{ path: `/definition/any/0${'/all/0'.repeat(MAX_DEPTH - 1)}`, message: `groups nest at most ${MAX_DEPTH} levels deep` }]);
  });

  it(`refuses more than ${MAX_CONDITIONS} conditions, at the root`, () => {
    const many = (n: number) => ({ any: Array.from({ length: n }, (_, i) => ({ type: 'tag', op: 'has', tags: [`t${i}`] })) });
    expect(validateDefinition(many(MAX_CONDITIONS), context).ok).toBe(true);
    expect(errorsOf(many(MAX_CONDITIONS + 1))).toEqual([{ path: '/definition', message: `at most ${MAX_CONDITIONS} conditions in one segment (this one has ${MAX_CONDITIONS + 1})` }]);
  });

  it('names every problem with its pointer, under the prefix given', () => {
    const result = validateDefinition({ all: [{ type: 'nope' }, { type: 'tag', op: 'has', tags: ['a'], colour: 'red' }] }, context, '/filter');
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: '/filter/all/0/type', message: 'must be one of field, tag, attribute, consent, activity, segment' },
        { path: '/filter/all/1/colour', message: 'is not a known field of this condition' },
      ],
    });
  });
});

describe('segment definitions: contact fields', () => {
  for (const [field, operators] of Object.entries(FIELD_OPERATORS)) {
    const kind = ['created_at', 'updated_at', 'last_activity_at'].includes(field) ? 'timestamp' : 'text';
    for (const op of operators) {
      it(`accepts ${field} ${op}`, () => {
        const operand = field === 'language' || field === 'point_of_sale' ? (operandOf(op) === 'values' ? { values: ['FR'] } : {}) : operandFor(op, kind);
        expect(accepted({ type: 'field', field, op, ...operand })).toMatchObject({ type: 'field', field, op });
      });
    }
  }

  it('normalises languages and refuses what is not a language code', () => {
    expect(accepted({ type: 'field', field: 'language', op: 'in', values: ['FR', 'fr-BE', 'en'] })).toEqual({ type: 'field', field: 'language', op: 'in', values: ['fr', 'en'] });
    expect(oneErrors({ type: 'field', field: 'language', op: 'in', values: ['fr', 'français'] })).toEqual([{ path: '/definition/all/0/values/1', message: 'must be a two-letter language code (fr, en…)' }]);
  });

  it('refuses an operator that does not fit the field, saying which do', () => {
    expect(oneErrors({ type: 'field', field: 'phone', op: 'contains', value: '06' })[0]).toEqual({ path: '/definition/all/0/op', message: '"contains" does not apply to phone (use is_set, is_not_set)' });
    expect(oneErrors({ type: 'field', field: 'created_at', op: 'is_set' })[0]?.path).toBe('/definition/all/0/op');
    expect(oneErrors({ type: 'field', field: 'shoe_size', op: 'is_set' })[0]?.path).toBe('/definition/all/0/field');
  });

  it('checks dates: a day or an instant with its offset, ranges in order, days in range', () => {
    expect(accepted({ type: 'field', field: 'created_at', op: 'before', value: '2026-01-01T10:00:00+01:00' })).toMatchObject({ value: '2026-01-01T10:00:00+01:00' });
    expect(oneErrors({ type: 'field', field: 'created_at', op: 'on', value: '2026-01-01T10:00:00Z' })[0]?.path).toBe('/definition/all/0/value');
    expect(oneErrors({ type: 'field', field: 'created_at', op: 'before', value: '01/02/2026' })[0]?.path).toBe('/definition/all/0/value');
    expect(oneErrors({ type: 'field', field: 'created_at', op: 'between', value: '2026-02-01', to: '2026-01-01' })[0]).toEqual({ path: '/definition/all/0/to', message: 'must not be before value' });
    expect(oneErrors({ type: 'field', field: 'created_at', op: 'within_last_days', days: 0 })[0]?.path).toBe('/definition/all/0/days');
    expect(oneErrors({ type: 'field', field: 'created_at', op: 'within_last_days', days: 2.5 })[0]?.path).toBe('/definition/all/0/days');
    expect(accepted({ type: 'field', field: 'created_at', op: 'more_than_days_ago', days: 0 })).toMatchObject({ days: 0 });
  });

  it('refuses operands the operator does not use', () => {
    expect(oneErrors({ type: 'field', field: 'email', op: 'is_set', days: 3 })).toEqual([{ path: '/definition/all/0/days', message: 'is not used by "is_set"' }]);
  });
});

describe('segment definitions: tags', () => {
  it('accepts every tag operator and normalises tags as contacts store them', () => {
    expect(accepted({ type: 'tag', op: 'has', tags: ['  VIP '] })).toEqual({ type: 'tag', op: 'has', tags: ['vip'] });
    expect(accepted({ type: 'tag', op: 'has_not', tags: ['vip'] })).toMatchObject({ op: 'has_not' });
    for (const op of ['has_any', 'has_all', 'has_none']) expect(accepted({ type: 'tag', op, tags: ['a', 'B', 'a'] })).toEqual({ type: 'tag', op, tags: ['a', 'b'] });
  });

  it('refuses empty lists, empty tags, and several tags for has / has_not', () => {
    expect(oneErrors({ type: 'tag', op: 'has_any', tags: [] })[0]?.path).toBe('/definition/all/0/tags');
    expect(oneErrors({ type: 'tag', op: 'has_any', tags: ['a', ' '] })[0]?.path).toBe('/definition/all/0/tags/1');
    expect(oneErrors({ type: 'tag', op: 'has', tags: ['a', 'b'] })[0]?.message).toContain('exactly one tag');
    expect(oneErrors({ type: 'tag', op: 'is', tags: ['a'] })[0]?.path).toBe('/definition/all/0/op');
  });
});

describe('segment definitions: typed attributes (the type decides the operators)', () => {
  const kinds = { city: 'text', age: 'number', birthday: 'date', has_card: 'text', tier: 'text' } as const;
  const types = { city: 'text', age: 'number', birthday: 'date', has_card: 'boolean', tier: 'choice' } as const;
  for (const [key, type] of Object.entries(types)) {
    for (const op of ATTRIBUTE_OPERATORS[type]) {
      it(`accepts ${type} ${op}`, () => {
        const operand = type === 'choice' && operandOf(op) === 'values' ? { values: ['gold'] } : operandFor(op, kinds[key as keyof typeof kinds]);
        expect(accepted({ type: 'attribute', key, op, ...operand })).toMatchObject({ type: 'attribute', key, op });
      });
    }
    for (const op of OPERATORS.filter((o) => !ATTRIBUTE_OPERATORS[type].includes(o))) {
      it(`refuses ${type} ${op}`, () => {
        const errors = oneErrors({ type: 'attribute', key, op, ...operandFor(op, kinds[key as keyof typeof kinds]) });
        expect(errors[0]).toEqual({ path: '/definition/all/0/op', message: `"${op}" does not apply to a ${type} attribute (use ${ATTRIBUTE_OPERATORS[type].join(', ')})` });
      });
    }
  }

  it('refuses an attribute that is not defined, naming it', () => {
    expect(oneErrors({ type: 'attribute', key: 'shoe_size', op: 'eq', value: 42 })).toEqual([{ path: '/definition/all/0/key', message: 'no attribute "shoe_size" is defined (see /v1/contact-attributes)' }]);
    expect(oneErrors({ type: 'attribute', op: 'eq', value: 42 })[0]?.path).toBe('/definition/all/0/key');
  });

  it('checks values against the type', () => {
    expect(oneErrors({ type: 'attribute', key: 'age', op: 'gt', value: '42' })).toEqual([{ path: '/definition/all/0/value', message: 'must be a number' }]);
    expect(oneErrors({ type: 'attribute', key: 'age', op: 'between', value: 40, to: 30 })[0]).toEqual({ path: '/definition/all/0/to', message: 'must not be less than value' });
    expect(oneErrors({ type: 'attribute', key: 'birthday', op: 'before', value: '2026-01-01T00:00:00Z' })[0]?.path).toBe('/definition/all/0/value');
    expect(oneErrors({ type: 'attribute', key: 'birthday', op: 'between', value: '2026-02-01', to: '2026-01-01' })[0]?.path).toBe('/definition/all/0/to');
    expect(oneErrors({ type: 'attribute', key: 'city', op: 'eq', value: '' })[0]?.path).toBe('/definition/all/0/value');
    expect(oneErrors({ type: 'attribute', key: 'city', op: 'in', values: [] })[0]?.path).toBe('/definition/all/0/values');
    expect(oneErrors({ type: 'attribute', key: 'has_card', op: 'is_true', value: true })[0]).toEqual({ path: '/definition/all/0/value', message: 'is not used by "is_true"' });
  });

  it('takes choices in their defined spelling and refuses others', () => {
    expect(accepted({ type: 'attribute', key: 'tier', op: 'in', values: ['gold', 'Silver'] })).toEqual({ type: 'attribute', key: 'tier', op: 'in', values: ['Gold', 'Silver'] });
    expect(oneErrors({ type: 'attribute', key: 'tier', op: 'in', values: ['Gold', 'Platine'] })).toEqual([{ path: '/definition/all/0/values/1', message: '"Platine" is not a choice of tier (Bronze, Silver, Gold)' }]);
  });
});

describe('segment definitions: consent, behaviour, membership', () => {
  it('accepts consent per channel and status, and refuses others', () => {
    for (const channel of ['sms', 'email', 'whatsapp', 'rcs'])
      for (const status of ['granted', 'refused', 'withdrawn', 'unknown'])
        for (const op of ['is', 'is_not']) expect(accepted({ type: 'consent', channel, op, status })).toEqual({ type: 'consent', channel, op, status });
    expect(oneErrors({ type: 'consent', channel: 'fax', op: 'is', status: 'granted' })[0]?.path).toBe('/definition/all/0/channel');
    expect(oneErrors({ type: 'consent', channel: 'sms', op: 'is', status: 'maybe' })[0]?.path).toBe('/definition/all/0/status');
  });

  it('accepts behaviour with its options, and defaults to performed', () => {
    for (const kind of ['received', 'clicked', 'opened', 'replied', 'opted_out']) expect(accepted({ type: 'activity', kind })).toEqual({ type: 'activity', kind, op: 'performed' });
    expect(accepted({ type: 'activity', kind: 'clicked', op: 'not_performed', campaignId: CAMPAIGN.toUpperCase(), channel: 'sms', withinDays: 30, minCount: 3 })).toEqual({
      type: 'activity',
      kind: 'clicked',
      op: 'not_performed',
      campaignId: CAMPAIGN,
      channel: 'sms',
      withinDays: 30,
      minCount: 3,
    });
    expect(oneErrors({ type: 'activity', kind: 'visited' })[0]?.path).toBe('/definition/all/0/kind');
    expect(oneErrors({ type: 'activity', kind: 'clicked', op: 'maybe' })[0]?.path).toBe('/definition/all/0/op');
    expect(oneErrors({ type: 'activity', kind: 'clicked', campaignId: 'summer' })[0]?.path).toBe('/definition/all/0/campaignId');
    expect(oneErrors({ type: 'activity', kind: 'clicked', withinDays: 0 })[0]?.path).toBe('/definition/all/0/withinDays');
    expect(oneErrors({ type: 'activity', kind: 'clicked', minCount: 0 })[0]?.path).toBe('/definition/all/0/minCount');
  });

  it('accepts membership of a list or another segment, never of itself or of an unknown one', () => {
    const result = validateDefinition({ all: [{ type: 'segment', op: 'in', segmentId: LIST }, { type: 'segment', op: 'not_in', segmentId: DYNAMIC.toUpperCase() }] }, context);
    expect(result).toMatchObject({ ok: true, references: [LIST, DYNAMIC] });
    expect(oneErrors({ type: 'segment', op: 'in', segmentId: SELF })).toEqual([{ path: '/definition/all/0/segmentId', message: 'a segment cannot contain itself' }]);
    expect(oneErrors({ type: 'segment', op: 'in', segmentId: '0190a3b4-0000-7000-8000-0000000000ff' })[0]?.message).toContain('no segment or list');
    expect(oneErrors({ type: 'segment', op: 'within', segmentId: LIST })[0]?.path).toBe('/definition/all/0/op');
  });

  it('returns the normalised tree as a SegmentDefinition', () => {
    const result = validateDefinition({ any: [{ type: 'tag', op: 'has', tags: ['VIP'] }] }, context);
    const expected: SegmentDefinition = { any: [{ type: 'tag', op: 'has', tags: ['vip'] }] };
    expect(result).toEqual({ ok: true, definition: expected, conditions: 1, depth: 1, references: [] });
  });
});
