import { describe, expect, it } from 'vitest';
import type { TenantStatus } from '../../platform/db/schema.ts';
import { DEFAULT_SETTINGS, settingsOf, settingsProblems, statusChangeProblem, suspendedStatus } from './rules.ts';

const SENDER_FORMAT = 'must be 1–11 letters and digits, or a phone number or short code';
const SENDER_GENERIC = 'generic words are refused by carriers; use your brand';
const TIMEZONE = 'is not an IANA time zone (e.g. Europe/Paris)';
const STOP = 'must contain the word STOP (R-STOP)';

describe('segmentCap and Sundays (messaging settings)', () => {
  it('accepts 1 to 20 parts and refuses the rest', () => {
    expect(settingsProblems({ segmentCap: 1 })).toEqual([]);
    expect(settingsProblems({ segmentCap: 20 })).toEqual([]);
    expect(settingsProblems({ segmentCap: 0 })).toEqual([['/segmentCap', 'must be a whole number from 1 to 20']]);
    expect(settingsProblems({ segmentCap: 21 })).toEqual([['/segmentCap', 'must be a whole number from 1 to 20']]);
    expect(settingsProblems({ segmentCap: 2.5 })).toEqual([['/segmentCap', 'must be a whole number from 1 to 20']]);
  });
});

describe('campaign approval (SoReach)', () => {
  it('is off by default, kept when stored, and must be a boolean', () => {
    expect(settingsOf({}).campaignApprovalRequired).toBe(false);
    expect(settingsOf({ campaignApprovalRequired: true }).campaignApprovalRequired).toBe(true);
    expect(settingsProblems({ campaignApprovalRequired: true })).toEqual([]);
    expect(settingsProblems({ campaignApprovalRequired: 'yes' as unknown as boolean })).toEqual([['/campaignApprovalRequired', 'must be true or false']]);
  });
});

describe('settingsOf', () => {
  it('returns the defaults for empty stored settings', () => {
    expect(settingsOf({})).toEqual({
      locale: 'fr',
      timezone: 'Europe/Paris',
      defaultSender: null,
      stopMention: null,
      mfaRequiredForAll: false,
      avoidSundaysAndHolidays: false,
      segmentCap: 10,
      campaignApprovalRequired: false,
    });
  });

  it('keeps stored values over defaults and fills in the rest', () => {
    expect(settingsOf({ locale: 'en', mfaRequiredForAll: true })).toEqual({
      locale: 'en',
      timezone: 'Europe/Paris',
      defaultSender: null,
      stopMention: null,
      mfaRequiredForAll: true,
      avoidSundaysAndHolidays: false,
      segmentCap: 10,
      campaignApprovalRequired: false,
    });
    expect(settingsOf({ timezone: 'Indian/Reunion', defaultSender: 'SOFY', stopMention: 'STOP SMS au 36111' })).toEqual({
      locale: 'fr',
      timezone: 'Indian/Reunion',
      defaultSender: 'SOFY',
      stopMention: 'STOP SMS au 36111',
      mfaRequiredForAll: false,
      avoidSundaysAndHolidays: false,
      segmentCap: 10,
      campaignApprovalRequired: false,
    });
  });

  it('returns a fresh object and never alters the defaults', () => {
    const settings = settingsOf({});
    settings.locale = 'en';
    settings.timezone = 'UTC';
    expect(DEFAULT_SETTINGS.locale).toBe('fr');
    expect(DEFAULT_SETTINGS.timezone).toBe('Europe/Paris');
    expect(settingsOf({})).not.toBe(DEFAULT_SETTINGS);
  });
});

describe('settingsProblems', () => {
  it('finds nothing in an empty patch or in valid settings', () => {
    expect(settingsProblems({})).toEqual([]);
    expect(
      settingsProblems({ locale: 'en', timezone: 'Europe/Paris', defaultSender: 'SOFY', stopMention: 'STOP SMS au 36111', mfaRequiredForAll: true }),
    ).toEqual([]);
  });

  describe('timezone', () => {
    it.each(['Europe/Paris', 'Indian/Reunion', 'America/Guadeloupe', 'Pacific/Noumea', 'America/Argentina/Buenos_Aires', 'Etc/GMT+2', 'UTC'])(
      'accepts %s',
      (timezone) => {
        expect(settingsProblems({ timezone })).toEqual([]);
      },
    );

    it.each([
      ['an unknown zone', 'Mars/Olympus'],
      ['an empty string', ''],
      ['an abbreviation', 'CET'],
      ['EST', 'EST'],
      ['GMT', 'GMT'],
      ['a UTC offset', '+01:00'],
      ['a zone with a trailing space', 'Europe/Paris '],
      ['a city alone', 'Paris'],
    ])('refuses %s', (_label, timezone) => {
      expect(settingsProblems({ timezone })).toEqual([['/timezone', TIMEZONE]]);
    });
  });

  describe('defaultSender', () => {
    it.each([
      ['a brand', 'SOFY'],
      ['mixed case', 'Sofy'],
      ['letters and digits', 'Shop2026'],
      ['one letter', 'A'],
      ['11 characters', 'ABCDEFGHIJK'],
      ['a word containing a generic one', 'INFOSHOP'],
      ['a short code', '36111'],
      ['3 digits', '123'],
      ['an international number', '+33612345678'],
      ['15 digits', '123456789012345'],
      ['a national number', '0612345678'],
    ])('accepts %s', (_label, defaultSender) => {
      expect(settingsProblems({ defaultSender })).toEqual([]);
    });

    it.each([
      ['12 characters', 'ABCDEFGHIJKL'],
      ['a space', 'MY SHOP'],
      ['a dash', 'MY-SHOP'],
      ['an accent', 'Café'],
      ['punctuation', 'SHOP!'],
      ['2 digits', '12'],
      ['16 digits', '1234567890123456'],
      ['a number with spaces', '+33 6 12 34 56 78'],
      ['a plus sign alone', '+'],
      ['a plus sign with a letter', '+SOFY'],
    ])('refuses %s', (_label, defaultSender) => {
      expect(settingsProblems({ defaultSender })).toEqual([['/defaultSender', SENDER_FORMAT]]);
    });

    it.each(['INFO', 'info', 'Info', 'SMS', 'TEST', 'NOREPLY', 'noreply', 'MESSAGE', 'ALERT', 'OTP', 'VERIFY', 'Verify'])('refuses the generic word %s', (defaultSender) => {
      expect(settingsProblems({ defaultSender })).toEqual([['/defaultSender', SENDER_GENERIC]]);
    });

    it('does not check a null sender (no default)', () => {
      expect(settingsProblems({ defaultSender: null })).toEqual([]);
    });
  });

  describe('stopMention (R-STOP)', () => {
    it.each(['STOP SMS au 36111', 'STOP', 'Envoyez STOP au 36111', 'Désabonnement : STOP au 36111', 'STOP: 36111'])('accepts %s', (stopMention) => {
      expect(settingsProblems({ stopMention })).toEqual([]);
    });

    it.each([
      ['lower case', 'stop sms au 36111'],
      ['mixed case', 'Stop SMS au 36111'],
      ['no STOP at all', 'Désinscription au 36111'],
      ['STOP glued to a word', 'STOPSMS au 36111'],
      ['STOP inside a word', 'NONSTOP 36111'],
      ['STOP joined with an underscore', 'STOP_SMS 36111'],
    ])('refuses %s', (_label, stopMention) => {
      expect(settingsProblems({ stopMention })).toEqual([['/stopMention', STOP]]);
    });

    it('does not check a null mention', () => {
      expect(settingsProblems({ stopMention: null })).toEqual([]);
    });
  });

  it('reports every problem at once, in field order', () => {
    expect(settingsProblems({ timezone: 'Nowhere/Land', defaultSender: 'INFO', stopMention: 'unsubscribe' })).toEqual([
      ['/timezone', TIMEZONE],
      ['/defaultSender', SENDER_GENERIC],
      ['/stopMention', STOP],
    ]);
    expect(settingsProblems({ timezone: 'Europe/Paris', defaultSender: 'TOO LONG SENDER', stopMention: 'STOP' })).toEqual([['/defaultSender', SENDER_FORMAT]]);
  });

  it('ignores fields it has no rule for', () => {
    expect(settingsProblems({ locale: 'en', mfaRequiredForAll: false })).toEqual([]);
  });
});

describe('suspendedStatus', () => {
  it('maps the suspension kind to its status', () => {
    expect(suspendedStatus('fraud')).toBe('suspended_fraud');
    expect(suspendedStatus('nonpayment')).toBe('suspended_nonpayment');
  });
});

describe('statusChangeProblem', () => {
  const statuses: TenantStatus[] = ['active', 'suspended_nonpayment', 'suspended_fraud', 'terminated'];

  it('refuses a change to the current status', () => {
    for (const status of statuses) expect(statusChangeProblem(status, status)).toBe(`the account is already ${status}`);
  });

  it('refuses any change out of terminated', () => {
    for (const to of statuses.filter((s) => s !== 'terminated')) {
      expect(statusChangeProblem('terminated', to)).toBe('a terminated account cannot change status');
    }
  });

  it('allows suspending an active account for either reason, and terminating it', () => {
    expect(statusChangeProblem('active', 'suspended_nonpayment')).toBeNull();
    expect(statusChangeProblem('active', 'suspended_fraud')).toBeNull();
    expect(statusChangeProblem('active', 'terminated')).toBeNull();
  });

  it('allows reactivating a suspended account', () => {
    expect(statusChangeProblem('suspended_nonpayment', 'active')).toBeNull();
    expect(statusChangeProblem('suspended_fraud', 'active')).toBeNull();
  });

  it('allows switching the suspension reason and terminating a suspended account', () => {
    expect(statusChangeProblem('suspended_nonpayment', 'suspended_fraud')).toBeNull();
    expect(statusChangeProblem('suspended_fraud', 'suspended_nonpayment')).toBeNull();
    expect(statusChangeProblem('suspended_nonpayment', 'terminated')).toBeNull();
    expect(statusChangeProblem('suspended_fraud', 'terminated')).toBeNull();
  });

  it('the full matrix: only same-status and out-of-terminated changes are refused', () => {
    for (const from of statuses) {
      for (const to of statuses) {
        const refused = from === to || from === 'terminated';
        expect(statusChangeProblem(from, to) !== null, `${from} -> ${to}`).toBe(refused);
      }
    }
  });
});
