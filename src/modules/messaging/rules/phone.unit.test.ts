import { describe, expect, it } from 'vitest';
import examples from 'libphonenumber-js/examples.mobile.json' with { type: 'json' };
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { FALLBACK_TIME_ZONE, normalisePhoneNumber, recipientTimeZone, REGION_TIME_ZONES } from './phone.ts';

describe('normalisePhoneNumber', () => {
  it.each([
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['06-12-34-56-78', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+33612345678', '+33612345678'],
    ['+33 (0)6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    ['  07 55 12 34 56  ', '+33755123456'],
  ])('reads the metropolitan mobile %j as %s', (input, e164) => {
    expect(normalisePhoneNumber(input)).toEqual({ e164, country: 'FR', type: 'mobile', valid: true });
  });

  it('tells fixed lines, toll-free and VoIP numbers from mobiles', () => {
    expect(normalisePhoneNumber('01 42 68 53 00')).toEqual({ e164: '+33142685300', country: 'FR', type: 'fixed_line', valid: true });
    expect(normalisePhoneNumber('0800 123 456')).toMatchObject({ e164: '+33800123456', type: 'toll_free', valid: true });
    expect(normalisePhoneNumber('09 12 34 56 78')).toMatchObject({ e164: '+33912345678', type: 'voip', valid: true });
  });

  it.each([
    ['+262 692 12 34 56', '+262692123456', 'RE', 'mobile'],
    ['0692 12 34 56', '+262692123456', 'RE', 'mobile'],
    ['0693 11 22 33', '+262693112233', 'RE', 'mobile'],
    ['0262 41 22 33', '+262262412233', 'RE', 'fixed_line'],
    ['+262 639 01 23 45', '+262639012345', 'YT', 'mobile'],
    ['0639 01 23 45', '+262639012345', 'YT', 'mobile'],
    ['0269 61 23 45', '+262269612345', 'YT', 'fixed_line'],
    ['+590 690 12 34 56', '+590690123456', 'GP', 'mobile'],
    ['0690 12 34 56', '+590690123456', 'GP', 'mobile'],
    ['0590 27 12 34', '+590590271234', 'BL', 'fixed_line'],
    ['+594 694 20 12 34', '+594694201234', 'GF', 'mobile'],
    ['0694 20 12 34', '+594694201234', 'GF', 'mobile'],
    ['+596 696 20 12 34', '+596696201234', 'MQ', 'mobile'],
    ['0696 20 12 34', '+596696201234', 'MQ', 'mobile'],
    ['+508 55 12 34', '+508551234', 'PM', 'mobile'],
    ['+687 75 12 34', '+687751234', 'NC', 'mobile'],
    ['+689 87 12 34 56', '+68987123456', 'PF', 'mobile'],
    ['+681 82 12 34', '+681821234', 'WF', 'mobile'],
    ['+269 321 23 45', '+2693212345', 'KM', 'mobile'],
  ])('reads the overseas number %j as %s (%s, %s)', (input, e164, country, type) => {
    expect(normalisePhoneNumber(input)).toEqual({ e164, country, type, valid: true });
  });

  it('reads "+33 692…" (a national Réunion number with +33 put in front) as the Réunion number', () => {
    expect(normalisePhoneNumber('+33 692 12 34 56')).toEqual({ e164: '+262692123456', country: 'RE', type: 'mobile', valid: true });
    expect(normalisePhoneNumber('0033 696 20 12 34')).toMatchObject({ e164: '+596696201234', country: 'MQ' });
  });

  it('reads foreign numbers written with their calling code', () => {
    expect(normalisePhoneNumber('+44 7400 123456')).toEqual({ e164: '+447400123456', country: 'GB', type: 'mobile', valid: true });
    expect(normalisePhoneNumber('+49 151 23456789')).toEqual({ e164: '+4915123456789', country: 'DE', type: 'mobile', valid: true });
    expect(normalisePhoneNumber('0032 470 12 34 56')).toMatchObject({ e164: '+32470123456', country: 'BE', type: 'mobile' });
    expect(normalisePhoneNumber('+1 201 555 0123')).toMatchObject({ e164: '+12015550123', country: 'US', type: 'fixed_line_or_mobile' });
  });

  it('reads national numbers in another default region', () => {
    expect(normalisePhoneNumber('0470 12 34 56', 'BE')).toMatchObject({ e164: '+32470123456', country: 'BE' });
    // The overseas plan belongs to the French plan only.
    expect(normalisePhoneNumber('0692 12 34 56', 'BE')).not.toMatchObject({ country: 'RE' });
  });

  it('keeps a number of plausible length in an unallocated range, marked not valid', () => {
    expect(normalisePhoneNumber('+262 639 12 34 56')).toEqual({ e164: '+262639123456', country: null, type: 'unknown', valid: false });
    expect(normalisePhoneNumber('07 00 00 00 00')).toEqual({ e164: '+33700000000', country: 'FR', type: 'unknown', valid: false });
  });

  it.each([
    ['', 'empty'],
    ['abc', 'letters'],
    ['06 12', 'too short'],
    ['06 12 34 56 78 90 12', 'too long'],
    ['36111', 'a short code is no phone number'],
    ['+', 'a lone plus'],
  ])('refuses %j (%s) with invalid_phone_number', (input) => {
    const result = normalisePhoneNumber(input);
    expect(result).toEqual({ error: 'invalid_phone_number', message: expect.stringContaining(`"${input}" is not a phone number`) });
  });
});

describe('recipientTimeZone', () => {
  it.each([
    ['+33612345678', 'Europe/Paris'],
    ['+33142685300', 'Europe/Paris'],
    ['+262692123456', 'Indian/Reunion'],
    ['+262262412233', 'Indian/Reunion'],
    ['+262639012345', 'Indian/Mayotte'],
    ['+262269612345', 'Indian/Mayotte'],
    ['+590690123456', 'America/Guadeloupe'],
    ['+590590271234', 'America/Guadeloupe'], // Saint-Barthélemy
    ['+590690221234', 'America/Guadeloupe'],
    ['+594694201234', 'America/Cayenne'],
    ['+596696201234', 'America/Martinique'],
    ['+2693212345', 'Indian/Comoro'],
    ['+508551234', 'America/Miquelon'],
    ['+687751234', 'Pacific/Noumea'],
    ['+68987123456', 'Pacific/Tahiti'],
    ['+681821234', 'Pacific/Wallis'],
  ])('puts the French number %s in %s', (e164, zone) => {
    expect(recipientTimeZone(e164)).toBe(zone);
  });

  it('tells Mayotte from Réunion by range under +262, even in ranges the metadata does not list', () => {
    expect(recipientTimeZone('+262639123456')).toBe('Indian/Mayotte');
    expect(recipientTimeZone('+262269991234')).toBe('Indian/Mayotte');
    expect(recipientTimeZone('+262699991234')).toBe('Indian/Reunion');
  });

  it.each([
    ['+447400123456', 'Europe/London'],
    ['+4915123456789', 'Europe/Berlin'],
    ['+32470123456', 'Europe/Brussels'],
    ['+41781234567', 'Europe/Zurich'],
    ['+212650123456', 'Africa/Casablanca'],
    ['+221701234567', 'Africa/Dakar'],
    ['+12015550123', 'America/New_York'], // New Jersey: the capital's zone is also right here
    ['+14155552671', 'America/New_York'], // California: the capital's zone, documented approximation
    ['+61412345678', 'Australia/Sydney'],
  ])('puts the foreign number %s in %s', (e164, zone) => {
    expect(recipientTimeZone(e164)).toBe(zone);
  });

  it('falls back to Europe/Paris, or the given zone, for unknown regions and non-numbers', () => {
    expect(FALLBACK_TIME_ZONE).toBe('Europe/Paris');
    expect(recipientTimeZone('+97699123456')).toBe('Europe/Paris'); // Mongolia: not in the table
    expect(recipientTimeZone('not a number')).toBe('Europe/Paris');
    expect(recipientTimeZone('+97699123456', 'UTC')).toBe('UTC');
  });

  it('gives, without parsing, the zone the parser gives, for an example mobile of every region', () => {
    // A calling code of one region is answered from a table; the parser decides the shared ones.
    // Both must agree on real numbers (libphonenumber's example mobile numbers, every region).
    let compared = 0;
    for (const region of getCountries()) {
      const e164 = getExampleNumber(region, examples)?.number;
      const parsedRegion = e164 ? parsePhoneNumberFromString(e164)?.country : undefined;
      const slow = parsedRegion ? REGION_TIME_ZONES[parsedRegion] : undefined;
      if (!e164 || !slow) continue;
      expect(recipientTimeZone(e164), `${region} ${e164}`).toBe(slow);
      compared++;
    }
    expect(compared).toBeGreaterThan(100); // the regions REGION_TIME_ZONES lists
  });

  it('only names zones the runtime knows', () => {
    for (const [region, zone] of Object.entries(REGION_TIME_ZONES)) {
      expect(() => new Intl.DateTimeFormat('en', { timeZone: zone }), `${region}: ${zone}`).not.toThrow();
    }
  });

  it('gives the offsets the contract expects on a fixed instant (2026-01-15, no DST anywhere in France)', () => {
    const instant = new Date('2026-01-15T12:00:00Z');
    const offsetOf = (e164: string) =>
      new Intl.DateTimeFormat('en', { timeZone: recipientTimeZone(e164), timeZoneName: 'shortOffset' }).formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value;
    expect(offsetOf('+33612345678')).toBe('GMT+1');
    expect(offsetOf('+262692123456')).toBe('GMT+4');
    expect(offsetOf('+262639012345')).toBe('GMT+3');
    expect(offsetOf('+590690123456')).toBe('GMT-4');
    expect(offsetOf('+594694201234')).toBe('GMT-3');
    expect(offsetOf('+508551234')).toBe('GMT-3');
    expect(offsetOf('+687751234')).toBe('GMT+11');
    expect(offsetOf('+68987123456')).toBe('GMT-10');
    expect(offsetOf('+681821234')).toBe('GMT+12');
  });
});
