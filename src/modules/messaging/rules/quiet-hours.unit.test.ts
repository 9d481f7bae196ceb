import { describe, expect, it } from 'vitest';
import { isPublicHoliday, isQuietHour, nextAllowedInstant, quietHoursDecision, type QuietHoursRequest } from './quiet-hours.ts';

const at = (iso: string) => new Date(iso);
const paris = (requestedAt: string, extra: Partial<QuietHoursRequest> = {}) =>
  quietHoursDecision({ requestedAt: at(requestedAt), timeZone: 'Europe/Paris', ...extra });
const avoiding = (country: string, timeZone: string) => (requestedAt: string) =>
  quietHoursDecision({ requestedAt: at(requestedAt), timeZone, avoidSundaysAndHolidays: true, country });

const MINUTE = 60_000;

describe('isQuietHour', () => {
  it.each([...Array(24).keys()])('hour %i', (hour) => {
    expect(isQuietHour(hour)).toBe(hour < 8 || hour >= 20);
  });
});

describe('quietHoursDecision — the 20:00–08:00 window (R-QUIET)', () => {
  it('allows a send in the day and returns the instant unchanged', () => {
    const requestedAt = at('2026-01-14T10:00:00Z');
    const decision = quietHoursDecision({ requestedAt, timeZone: 'Europe/Paris' });
    expect(decision).toEqual({ allowed: true, sendAt: requestedAt });
  });

  it('holds 01:30 on the spring DST Sunday until 08:00 CEST, one hour earlier in UTC than the day before', () => {
    expect(paris('2026-03-29T00:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-03-29T06:00:00Z'), reason: 'quiet_hours' });
    expect(paris('2026-03-28T00:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-03-28T07:00:00Z'), reason: 'quiet_hours' });
  });

  it('holds Saturday 20:30 CET before the spring change until Sunday 08:00 CEST', () => {
    expect(paris('2026-03-28T19:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-03-29T06:00:00Z'), reason: 'quiet_hours' });
  });

  it('holds Saturday 20:30 CEST before the autumn change until Sunday 08:00 CET', () => {
    expect(paris('2026-10-24T18:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-10-25T07:00:00Z'), reason: 'quiet_hours' });
  });

  it('holds both 02:30 of the repeated autumn hour until the same 08:00 CET', () => {
    expect(paris('2026-10-25T00:30:00Z').sendAt).toEqual(at('2026-10-25T07:00:00Z'));
    expect(paris('2026-10-25T01:30:00Z').sendAt).toEqual(at('2026-10-25T07:00:00Z'));
  });

  it.each([
    ['2026-01-14T19:00:00.000Z', false, '20:00:00.000 CET is quiet'],
    ['2026-01-14T18:59:59.999Z', true, '19:59:59.999 CET is allowed'],
    ['2026-01-14T06:59:59.000Z', false, '07:59:59 CET is quiet'],
    ['2026-01-14T07:00:00.000Z', true, '08:00:00 CET is allowed'],
    ['2026-07-14T18:00:00.000Z', false, '20:00:00 CEST is quiet'],
    ['2026-07-14T17:59:59.000Z', true, '19:59:59 CEST is allowed'],
    ['2026-03-29T05:59:59.000Z', false, '07:59:59 CEST on the spring change day is quiet'],
    ['2026-03-29T06:00:00.000Z', true, '08:00:00 CEST on the spring change day is allowed'],
    ['2026-10-25T06:59:59.000Z', false, '07:59:59 CET on the autumn change day is quiet'],
    ['2026-10-25T07:00:00.000Z', true, '08:00:00 CET on the autumn change day is allowed'],
  ])('at %s: allowed %s (%s)', (instant, allowed) => {
    expect(paris(instant).allowed).toBe(allowed);
  });

  it('holds a Paris evening send across midnight until the next 08:00', () => {
    expect(paris('2026-01-14T22:45:00Z')).toEqual({ allowed: false, sendAt: at('2026-01-15T07:00:00Z'), reason: 'quiet_hours' });
    expect(paris('2026-01-14T23:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-01-15T07:00:00Z'), reason: 'quiet_hours' });
    expect(paris('2026-12-31T22:00:00Z')).toEqual({ allowed: false, sendAt: at('2027-01-01T07:00:00Z'), reason: 'quiet_hours' });
  });

  it('judges Réunion (UTC+4) in its own time', () => {
    const reunion = (instant: string) => quietHoursDecision({ requestedAt: at(instant), timeZone: 'Indian/Reunion' });
    expect(reunion('2026-06-15T03:59:59Z')).toEqual({ allowed: false, sendAt: at('2026-06-15T04:00:00Z'), reason: 'quiet_hours' });
    expect(reunion('2026-06-15T04:00:00Z').allowed).toBe(true);
    expect(reunion('2026-06-15T15:59:59Z').allowed).toBe(true);
    expect(reunion('2026-06-15T16:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-06-16T04:00:00Z'), reason: 'quiet_hours' });
    // 10:00 in Paris is 12:00 in Réunion, and 19:00 in Paris is already 21:00 there.
    expect(reunion('2026-06-15T17:00:00Z').allowed).toBe(false);
  });

  it('judges Cayenne (UTC−3) in its own time, across UTC midnight', () => {
    const cayenne = (instant: string) => quietHoursDecision({ requestedAt: at(instant), timeZone: 'America/Cayenne' });
    expect(cayenne('2026-06-15T22:59:59Z').allowed).toBe(true);
    expect(cayenne('2026-06-15T23:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-06-16T11:00:00Z'), reason: 'quiet_hours' });
    expect(cayenne('2026-06-16T02:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-06-16T11:00:00Z'), reason: 'quiet_hours' });
    expect(cayenne('2026-06-16T10:59:59Z')).toEqual({ allowed: false, sendAt: at('2026-06-16T11:00:00Z'), reason: 'quiet_hours' });
    // 09:00 in Paris (07:00Z) is 04:00 in Cayenne.
    expect(cayenne('2026-06-16T07:00:00Z').allowed).toBe(false);
  });

  it('judges Nouméa (UTC+11) in its own time, a calendar day ahead of UTC', () => {
    const noumea = (instant: string) => quietHoursDecision({ requestedAt: at(instant), timeZone: 'Pacific/Noumea' });
    expect(noumea('2026-06-15T09:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-06-15T21:00:00Z'), reason: 'quiet_hours' });
    expect(noumea('2026-06-14T20:59:59Z')).toEqual({ allowed: false, sendAt: at('2026-06-14T21:00:00Z'), reason: 'quiet_hours' });
    expect(noumea('2026-06-14T21:00:00Z').allowed).toBe(true);
    expect(noumea('2026-06-15T08:59:59Z').allowed).toBe(true);
  });

  it('follows a foreign zone’s own DST (New York, 8 March 2026)', () => {
    const decision = quietHoursDecision({ requestedAt: at('2026-03-08T02:00:00Z'), timeZone: 'America/New_York' });
    expect(decision).toEqual({ allowed: false, sendAt: at('2026-03-08T12:00:00Z'), reason: 'quiet_hours' });
  });
});

describe('quietHoursDecision — grids', () => {
  /** Paris offset by the EU rule: summer time from 01:00Z on the last Sunday of March to 01:00Z on the last Sunday of October. */
  const parisOffsetHours = (instant: Date) =>
    instant >= at('2026-03-29T01:00:00Z') && instant < at('2026-10-25T01:00:00Z') ? 2 : 1;

  it('allows exactly 08:00–19:59 in Paris every 15 minutes across the spring change', () => {
    for (let t = at('2026-03-28T00:00:00Z').getTime(); t < at('2026-03-31T00:00:00Z').getTime(); t += 15 * MINUTE) {
      const instant = new Date(t);
      const localHour = (instant.getUTCHours() + parisOffsetHours(instant)) % 24;
      const decision = quietHoursDecision({ requestedAt: instant, timeZone: 'Europe/Paris' });
      expect(decision.allowed, instant.toISOString()).toBe(localHour >= 8 && localHour < 20);
      if (!decision.allowed) {
        const sendAt = decision.sendAt;
        expect(sendAt > instant, instant.toISOString()).toBe(true);
        expect((sendAt.getUTCHours() + parisOffsetHours(sendAt)) % 24).toBe(8);
        expect(sendAt.getUTCMinutes()).toBe(0);
        expect(sendAt.getTime() - t, instant.toISOString()).toBeLessThanOrEqual(12 * 60 * MINUTE);
      }
    }
  });

  it('allows exactly 08:00–19:59 in Paris every 15 minutes across the autumn change', () => {
    for (let t = at('2026-10-24T00:00:00Z').getTime(); t < at('2026-10-27T00:00:00Z').getTime(); t += 15 * MINUTE) {
      const instant = new Date(t);
      const localHour = (instant.getUTCHours() + parisOffsetHours(instant)) % 24;
      const decision = quietHoursDecision({ requestedAt: instant, timeZone: 'Europe/Paris' });
      expect(decision.allowed, instant.toISOString()).toBe(localHour >= 8 && localHour < 20);
      if (!decision.allowed) {
        expect((decision.sendAt.getUTCHours() + parisOffsetHours(decision.sendAt)) % 24).toBe(8);
        // The night of the change lasts 13 hours: 20:00 CEST to 08:00 CET.
        expect(decision.sendAt.getTime() - t, instant.toISOString()).toBeLessThanOrEqual(13 * 60 * MINUTE);
      }
    }
  });

  it.each([
    ['Indian/Reunion', 4],
    ['Indian/Mayotte', 3],
    ['America/Guadeloupe', -4],
    ['America/Cayenne', -3],
    ['Pacific/Noumea', 11],
    ['Pacific/Tahiti', -10],
  ])('allows exactly 08:00–19:59 in %s (UTC%+i) every 30 minutes over two days', (timeZone, offset) => {
    for (let t = at('2026-06-15T00:00:00Z').getTime(); t < at('2026-06-17T00:00:00Z').getTime(); t += 30 * MINUTE) {
      const instant = new Date(t);
      const localHour = (((instant.getUTCHours() + offset) % 24) + 24) % 24;
      const decision = quietHoursDecision({ requestedAt: instant, timeZone });
      expect(decision.allowed, instant.toISOString()).toBe(localHour >= 8 && localHour < 20);
      const expectedSendAt = decision.allowed ? t : nextEightOClock(t, offset);
      expect(decision.sendAt.getTime(), instant.toISOString()).toBe(expectedSendAt);
    }
  });

  /** Independent oracle for fixed-offset zones: the first local 08:00:00 after `t`. */
  function nextEightOClock(t: number, offsetHours: number): number {
    const hour = 60 * MINUTE;
    const local = t + offsetHours * hour;
    const startOfLocalDay = Math.floor(local / (24 * hour)) * 24 * hour;
    const eight = startOfLocalDay + 8 * hour;
    return (local < eight ? eight : eight + 24 * hour) - offsetHours * hour;
  }
});

describe('quietHoursDecision — Sundays and public holidays', () => {
  it('allows Sundays and public holidays by default, as the contract does', () => {
    expect(paris('2026-03-29T08:00:00Z').allowed).toBe(true); // Sunday 10:00 CEST
    expect(paris('2026-07-14T08:00:00Z').allowed).toBe(true); // Bastille Day
    expect(paris('2026-12-25T09:00:00Z', { avoidSundaysAndHolidays: false }).allowed).toBe(true);
  });

  const france = avoiding('FR', 'Europe/Paris');

  it('moves a Sunday send to Monday 08:00 when the tenant avoids Sundays', () => {
    expect(france('2026-03-29T08:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-03-30T06:00:00Z'), reason: 'sunday' });
  });

  it('gives the closed day as the reason at night on a Sunday', () => {
    expect(france('2026-03-29T05:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-03-30T06:00:00Z'), reason: 'sunday' });
  });

  it('skips Sunday after a Saturday evening, reason quiet_hours', () => {
    expect(france('2026-03-28T20:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-03-30T06:00:00Z'), reason: 'quiet_hours' });
  });

  it('moves a send on 14 July to 15 July 08:00', () => {
    expect(france('2026-07-14T08:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-07-15T06:00:00Z'), reason: 'public_holiday' });
  });

  it('skips 1 May after a Thursday evening', () => {
    expect(france('2026-04-30T19:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-05-02T06:00:00Z'), reason: 'quiet_hours' });
  });

  it('skips Easter Sunday and Easter Monday together', () => {
    expect(france('2026-04-04T19:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-04-07T06:00:00Z'), reason: 'quiet_hours' });
    expect(france('2026-04-06T10:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-04-07T06:00:00Z'), reason: 'public_holiday' });
  });

  it('skips Christmas in winter time', () => {
    expect(france('2026-12-24T20:30:00Z')).toEqual({ allowed: false, sendAt: at('2026-12-26T07:00:00Z'), reason: 'quiet_hours' });
  });

  it('allows a plain Saturday and Whit Sunday is still a Sunday', () => {
    expect(france('2026-03-28T10:00:00Z').allowed).toBe(true);
    expect(france('2026-05-24T10:00:00Z')).toMatchObject({ allowed: false, reason: 'sunday' });
    expect(france('2026-05-25T10:00:00Z')).toMatchObject({ allowed: false, reason: 'public_holiday', sendAt: at('2026-05-26T06:00:00Z') });
  });

  it('uses French holidays when no country is given', () => {
    const decision = quietHoursDecision({ requestedAt: at('2026-07-14T08:00:00Z'), timeZone: 'Europe/Paris', avoidSundaysAndHolidays: true });
    expect(decision).toMatchObject({ allowed: false, reason: 'public_holiday' });
  });

  it('knows Réunion’s 20 December, which metropolitan France does not have', () => {
    const reunion = avoiding('RE', 'Indian/Reunion');
    expect(reunion('2027-12-20T06:00:00Z')).toEqual({ allowed: false, sendAt: at('2027-12-21T04:00:00Z'), reason: 'public_holiday' });
    expect(france('2027-12-20T09:00:00Z').allowed).toBe(true);
    // In 2026 it falls on a Sunday: Saturday evening waits for Monday.
    expect(reunion('2026-12-19T17:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-12-21T04:00:00Z'), reason: 'quiet_hours' });
  });

  it('knows each Antilles-Guyane abolition day and Good Friday there', () => {
    const martinique = avoiding('MQ', 'America/Martinique');
    const guadeloupe = avoiding('GP', 'America/Guadeloupe');
    const guyane = avoiding('GF', 'America/Cayenne');
    expect(martinique('2026-05-22T14:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-05-23T12:00:00Z'), reason: 'public_holiday' });
    expect(guadeloupe('2026-05-22T14:00:00Z').allowed).toBe(true);
    expect(guadeloupe('2026-05-27T14:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-05-28T12:00:00Z'), reason: 'public_holiday' });
    expect(guyane('2026-06-10T13:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-06-11T11:00:00Z'), reason: 'public_holiday' });
    expect(guadeloupe('2026-04-03T14:00:00Z')).toMatchObject({ allowed: false, reason: 'public_holiday' });
    expect(france('2026-04-03T09:00:00Z').allowed).toBe(true);
  });

  it('knows Mayotte’s 27 April', () => {
    const mayotte = avoiding('YT', 'Indian/Mayotte');
    expect(mayotte('2026-04-27T07:00:00Z')).toEqual({ allowed: false, sendAt: at('2026-04-28T05:00:00Z'), reason: 'public_holiday' });
  });

  it('still avoids Sundays for a country without a holiday calendar', () => {
    const unknown = avoiding('XX', 'Europe/Paris');
    expect(unknown('2026-07-14T08:00:00Z').allowed).toBe(true);
    expect(unknown('2026-03-29T08:00:00Z')).toMatchObject({ allowed: false, reason: 'sunday' });
  });
});

describe('nextAllowedInstant', () => {
  it('is the requested instant itself when allowed', () => {
    const requestedAt = at('2026-01-14T10:00:00Z');
    expect(nextAllowedInstant({ requestedAt, timeZone: 'Europe/Paris' })).toBe(requestedAt);
  });

  it('agrees with quietHoursDecision', () => {
    for (const iso of ['2026-03-29T00:30:00Z', '2026-10-24T18:30:00Z', '2026-07-14T08:00:00Z', '2026-12-24T20:30:00Z']) {
      const request = { requestedAt: at(iso), timeZone: 'Europe/Paris', avoidSundaysAndHolidays: true, country: 'FR' };
      expect(nextAllowedInstant(request)).toEqual(quietHoursDecision(request).sendAt);
    }
  });

  it('is the same day’s 08:00 before 08:00 on an open day', () => {
    expect(nextAllowedInstant({ requestedAt: at('2026-01-14T00:00:00Z'), timeZone: 'Europe/Paris' })).toEqual(at('2026-01-14T07:00:00Z'));
  });
});

describe('isPublicHoliday', () => {
  it('lists the eleven French public holidays of 2026 and no observance days', () => {
    const holidays: string[] = [];
    for (let day = new Date('2026-01-01T00:00:00Z'); day.getUTCFullYear() === 2026; day = new Date(day.getTime() + 86_400_000)) {
      const date = { year: 2026, month: day.getUTCMonth() + 1, day: day.getUTCDate() };
      if (isPublicHoliday('FR', date)) holidays.push(day.toISOString().slice(0, 10));
    }
    expect(holidays).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
  });

  it('accepts a lower-case country code', () => {
    expect(isPublicHoliday('re', { year: 2027, month: 12, day: 20 })).toBe(true);
  });
});
