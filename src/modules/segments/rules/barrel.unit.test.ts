import { describe, expect, it } from 'vitest';
import * as rules from '../rules.ts';

describe('segments rules.ts', () => {
  it('re-exports the public functions and tables of every rule file', () => {
    for (const name of ['validateDefinition', 'findCycle', 'referencesOf', 'expansionOf', 'operandOf', 'civilDayOf', 'startOfCivilDay', 'boundsOf', 'addCivilDays']) {
      expect(typeof (rules as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(Object.keys(rules.ATTRIBUTE_OPERATORS).sort()).toEqual(['boolean', 'choice', 'date', 'number', 'text']);
  });
});
