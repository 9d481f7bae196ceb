import { describe, expect, it } from 'vitest';
import * as rules from '../rules.ts';

describe('contacts rules.ts', () => {
  it('re-exports the public functions and tables of every rule file', () => {
    for (const name of ['normaliseContactInput', 'normaliseEmail', 'normaliseTags', 'consentTransition', 'consentBlocksMarketing', 'mergeContact', 'applyPatch', 'newContactFields', 'validateAttributes', 'coerceAttributeValue']) {
      expect(typeof (rules as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(rules.MERGE_POLICIES).toEqual(['skip', 'update', 'overwrite']);
    expect(rules.CONSENT_CHANNELS).toEqual(['sms', 'email', 'whatsapp', 'rcs']);
  });
});
