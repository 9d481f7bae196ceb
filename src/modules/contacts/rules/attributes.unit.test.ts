import { describe, expect, it } from 'vitest';
import { type AttributeDefinition, attributeDefinitionProblems, coerceAttributeValue, parseCivilDate, validateAttributes } from './attributes.ts';

const def = (key: string, type: AttributeDefinition['type'], choices: string[] | null = null): AttributeDefinition => ({ key, label: key, type, choices });
const definitions = new Map([
  ['city', def('city', 'text')],
  ['points', def('points', 'number')],
  ['birthday', def('birthday', 'date')],
  ['vip', def('vip', 'boolean')],
  ['tier', def('tier', 'choice', ['Silver', 'Gold'])],
]);

describe('coerceAttributeValue', () => {
  it('reads numbers in French and English notation', () => {
    expect(coerceAttributeValue(def('n', 'number'), '12,5')).toEqual({ ok: true, value: 12.5 });
    expect(coerceAttributeValue(def('n', 'number'), '1 234,5')).toEqual({ ok: true, value: 1234.5 });
    expect(coerceAttributeValue(def('n', 'number'), '-3')).toEqual({ ok: true, value: -3 });
    expect(coerceAttributeValue(def('n', 'number'), 7)).toEqual({ ok: true, value: 7 });
    expect(coerceAttributeValue(def('n', 'number'), 'douze').ok).toBe(false);
    expect(coerceAttributeValue(def('n', 'number'), '1,234,5').ok).toBe(false);
    expect(coerceAttributeValue(def('n', 'number'), Number.NaN).ok).toBe(false);
    expect(coerceAttributeValue(def('n', 'number'), true).ok).toBe(false);
  });

  it('stores dates as ISO civil days', () => {
    expect(coerceAttributeValue(def('d', 'date'), '2024-02-29')).toEqual({ ok: true, value: '2024-02-29' });
    expect(coerceAttributeValue(def('d', 'date'), '25/12/2024')).toEqual({ ok: true, value: '2024-12-25' });
    expect(coerceAttributeValue(def('d', 'date'), '5.1.2025')).toEqual({ ok: true, value: '2025-01-05' });
    expect(coerceAttributeValue(def('d', 'date'), '2023-02-29').ok).toBe(false);
    expect(coerceAttributeValue(def('d', 'date'), '31/04/2024').ok).toBe(false);
    expect(coerceAttributeValue(def('d', 'date'), 20240101).ok).toBe(false);
  });

  it('reads booleans in French and English', () => {
    for (const yes of [true, 'oui', 'OUI', 'yes', '1', 'vrai', 'true']) expect(coerceAttributeValue(def('b', 'boolean'), yes)).toEqual({ ok: true, value: true });
    for (const no of [false, 'non', 'no', '0', 'faux', 'False']) expect(coerceAttributeValue(def('b', 'boolean'), no)).toEqual({ ok: true, value: false });
    expect(coerceAttributeValue(def('b', 'boolean'), 'peut-être').ok).toBe(false);
  });

  it('matches choices exactly, then ignoring case, and returns the defined spelling', () => {
    expect(coerceAttributeValue(def('t', 'choice', ['Silver', 'Gold']), 'Gold')).toEqual({ ok: true, value: 'Gold' });
    expect(coerceAttributeValue(def('t', 'choice', ['Silver', 'Gold']), ' gold ')).toEqual({ ok: true, value: 'Gold' });
    expect(coerceAttributeValue(def('t', 'choice', ['Silver', 'Gold']), 'Bronze').ok).toBe(false);
  });

  it('trims text and bounds its length', () => {
    expect(coerceAttributeValue(def('t', 'text'), '  Lyon ')).toEqual({ ok: true, value: 'Lyon' });
    expect(coerceAttributeValue(def('t', 'text'), 'x'.repeat(501)).ok).toBe(false);
    expect(coerceAttributeValue(def('t', 'text'), { a: 1 }).ok).toBe(false);
  });
});

describe('validateAttributes', () => {
  it('coerces known keys, keeps null as removal and reports unknown keys with their path', () => {
    const result = validateAttributes({ city: ' Lyon', points: '10', vip: 'oui', tier: null, birthday: '', nope: 1, bad: undefined }, definitions);
    expect(result.values).toEqual({ city: 'Lyon', points: 10, vip: true, tier: null, birthday: null });
    expect(result.errors.map((e) => e.path)).toEqual(['/attributes/nope', '/attributes/bad']);
  });

  it('reports bad values with the field path', () => {
    const result = validateAttributes({ points: 'abc', birthday: '2024-13-01' }, definitions, '/items/3/attributes');
    expect(result.errors).toEqual([
      { path: '/items/3/attributes/points', message: 'must be a number' },
      { path: '/items/3/attributes/birthday', message: 'must be a date (YYYY-MM-DD or DD/MM/YYYY)' },
    ]);
  });
});

describe('attributeDefinitionProblems', () => {
  it('accepts a well-formed definition', () => {
    expect(attributeDefinitionProblems({ key: 'loyalty_tier', label: 'Niveau', type: 'choice', choices: ['A', 'B'] })).toEqual([]);
    expect(attributeDefinitionProblems({ key: 'city', label: 'Ville', type: 'text' })).toEqual([]);
  });

  it('refuses bad keys, types and choices', () => {
    expect(attributeDefinitionProblems({ key: 'Ville', label: 'x', type: 'text' }).map((p) => p.path)).toEqual(['/key']);
    expect(attributeDefinitionProblems({ key: 'x', label: ' ', type: 'colour' }).map((p) => p.path)).toEqual(['/label', '/type']);
    expect(attributeDefinitionProblems({ key: 'x', label: 'x', type: 'choice', choices: [] }).map((p) => p.path)).toEqual(['/choices']);
    expect(attributeDefinitionProblems({ key: 'x', label: 'x', type: 'choice', choices: ['a', 'a'] }).map((p) => p.path)).toEqual(['/choices']);
    expect(attributeDefinitionProblems({ key: 'x', label: 'x', type: 'text', choices: ['a'] }).map((p) => p.path)).toEqual(['/choices']);
  });

  it('parses civil dates strictly', () => {
    expect(parseCivilDate('2024-1-01')).toBeNull();
    expect(parseCivilDate('00/01/2024')).toBeNull();
  });
});
