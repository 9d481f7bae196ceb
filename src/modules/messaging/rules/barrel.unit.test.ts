import { describe, expect, it } from 'vitest';
import * as rules from '../rules.ts';

describe('messaging rules.ts', () => {
  it('re-exports the public functions and tables of every rule file', () => {
    for (const name of [
      'analyseSms',
      'transliterate',
      'toGsmSeptets',
      'normalisePhoneNumber',
      'recipientTimeZone',
      'quietHoursDecision',
      'nextAllowedInstant',
      'isPublicHoliday',
      'hasStopMention',
      'applyStopMention',
      'defaultStopMention',
      'isOptOutKeyword',
      'isOptInKeyword',
      'classifyAlertContent',
      'checkSender',
      'senderProblem',
      'priceMessage',
      'withTenantPrices',
      'localDateTime',
      'instantAtLocalTime',
    ]) {
      expect(typeof (rules as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(rules.DEFAULT_PRICE_LIST.currency).toBe('EUR');
    expect(rules.PROMOTIONAL_THRESHOLD).toBe(3);
    expect(rules.STOP_MENTION_SEPARATOR).toBe('\n');
  });
});
