import { describe, expect, it } from 'vitest';
import { campaignOrdinal, throttleMinute, Timeline } from './schedule.ts';

const paris = (start: string, quietHours = true, avoidSundaysAndHolidays = false) =>
  new Timeline({ start: new Date(start), quietHours, timeZone: 'Europe/Paris', avoidSundaysAndHolidays, country: 'FR' });

describe('throttle', () => {
  it('puts perMinute messages in each minute, all at once without a throttle', () => {
    expect([0, 999, 1000, 2500].map((n) => throttleMinute(n, 1000))).toEqual([0, 0, 1, 2]);
    expect(throttleMinute(123_456, null)).toBe(0);
  });

  it('interleaves lanes so the campaign as a whole keeps the pace', () => {
    expect([0, 1, 2].map((k) => campaignOrdinal(k, 0, 2))).toEqual([0, 2, 4]);
    expect([0, 1, 2].map((k) => campaignOrdinal(k, 1, 2))).toEqual([1, 3, 5]);
  });
});

describe('timeline (R-QUIET in the campaign zone)', () => {
  it('counts only open minutes: 19:55 Paris leaves 5 minutes, then 08:00 the next morning', () => {
    const timeline = paris('2026-03-10T18:55:00Z'); // 19:55 in Paris (UTC+1)
    expect(timeline.at(0).toISOString()).toBe('2026-03-10T18:55:00.000Z');
    expect(timeline.at(4).toISOString()).toBe('2026-03-10T18:59:00.000Z');
    expect(timeline.at(5).toISOString()).toBe('2026-03-11T07:00:00.000Z'); // 08:00 Paris
    expect(timeline.at(6).toISOString()).toBe('2026-03-11T07:01:00.000Z');
    // 12 open hours a day: minute 5 + 720 is 08:00 the day after.
    expect(timeline.at(725).toISOString()).toBe('2026-03-12T07:00:00.000Z');
  });

  it('starts at 08:00 when started at night, and follows daylight saving time', () => {
    expect(paris('2026-03-28T22:30:00Z').at(0).toISOString()).toBe('2026-03-29T06:00:00.000Z'); // Sunday 29 March: UTC+2 from 02:00
  });

  it('skips Sundays and holidays when the tenant avoids them', () => {
    // Saturday 2026-05-02 19:59 → next open day is Monday 4 May (Sunday 3 closed).
    const timeline = paris('2026-05-02T17:59:00Z', true, true);
    expect(timeline.at(0).toISOString()).toBe('2026-05-02T17:59:00.000Z');
    expect(timeline.at(1).toISOString()).toBe('2026-05-04T06:00:00.000Z');
  });

  it('never skips a whole-minute boundary: a start at 19:59:30 opens at 08:00', () => {
    expect(paris('2026-03-10T18:59:30Z').at(0).toISOString()).toBe('2026-03-11T07:00:00.000Z');
  });

  it('counts every minute for email (not bound by R-QUIET)', () => {
    expect(paris('2026-03-10T18:55:00Z', false).at(10).toISOString()).toBe('2026-03-10T19:05:00.000Z');
  });
});
