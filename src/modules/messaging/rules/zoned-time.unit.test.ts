import { describe, expect, it } from 'vitest';
import { addDays, instantAtLocalTime, isoDate, localDateTime, weekdayOf } from './zoned-time.ts';

describe('localDateTime', () => {
  it.each([
    ['2026-01-15T12:00:00Z', 'Europe/Paris', { year: 2026, month: 1, day: 15, hour: 13, minute: 0, second: 0, weekday: 4 }],
    ['2026-07-15T12:00:00Z', 'Europe/Paris', { year: 2026, month: 7, day: 15, hour: 14, minute: 0, second: 0, weekday: 3 }],
    ['2026-03-29T00:30:00Z', 'Europe/Paris', { year: 2026, month: 3, day: 29, hour: 1, minute: 30, second: 0, weekday: 0 }],
    ['2026-03-29T01:30:00Z', 'Europe/Paris', { year: 2026, month: 3, day: 29, hour: 3, minute: 30, second: 0, weekday: 0 }],
    ['2026-12-31T22:59:59Z', 'Europe/Paris', { year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 59, weekday: 4 }],
    ['2026-12-31T23:00:00Z', 'Europe/Paris', { year: 2027, month: 1, day: 1, hour: 0, minute: 0, second: 0, weekday: 5 }],
    ['2026-06-15T20:30:00Z', 'Indian/Reunion', { year: 2026, month: 6, day: 16, hour: 0, minute: 30, second: 0, weekday: 2 }],
    ['2026-06-15T01:15:00Z', 'America/Cayenne', { year: 2026, month: 6, day: 14, hour: 22, minute: 15, second: 0, weekday: 0 }],
    ['2026-06-15T13:00:00Z', 'Pacific/Noumea', { year: 2026, month: 6, day: 16, hour: 0, minute: 0, second: 0, weekday: 2 }],
  ])('reads %s in %s', (instant, zone, expected) => {
    expect(localDateTime(new Date(instant), zone)).toEqual(expected);
  });

  it('refuses an unknown zone', () => {
    expect(() => localDateTime(new Date('2026-01-15T12:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('instantAtLocalTime', () => {
  it.each([
    ['Europe/Paris', { year: 2026, month: 3, day: 28 }, 8, '2026-03-28T07:00:00.000Z'],
    ['Europe/Paris', { year: 2026, month: 3, day: 29 }, 8, '2026-03-29T06:00:00.000Z'],
    ['Europe/Paris', { year: 2026, month: 10, day: 24 }, 8, '2026-10-24T06:00:00.000Z'],
    ['Europe/Paris', { year: 2026, month: 10, day: 25 }, 8, '2026-10-25T07:00:00.000Z'],
    ['Indian/Reunion', { year: 2026, month: 6, day: 16 }, 8, '2026-06-16T04:00:00.000Z'],
    ['America/Cayenne', { year: 2026, month: 6, day: 16 }, 8, '2026-06-16T11:00:00.000Z'],
    ['Pacific/Noumea', { year: 2026, month: 6, day: 16 }, 8, '2026-06-15T21:00:00.000Z'],
    ['America/New_York', { year: 2026, month: 3, day: 8 }, 8, '2026-03-08T12:00:00.000Z'],
    ['UTC', { year: 2026, month: 2, day: 28 }, 0, '2026-02-28T00:00:00.000Z'],
  ])('finds %s %o at %i:00 at %s', (zone, date, hour, expected) => {
    expect(instantAtLocalTime(zone, date, hour).toISOString()).toBe(expected);
  });

  it('takes the first of the two 02:30 of the autumn change', () => {
    expect(instantAtLocalTime('Europe/Paris', { year: 2026, month: 10, day: 25 }, 2, 30).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('moves a wall time skipped by the spring change forward by the gap (02:30 → 03:30 CEST)', () => {
    expect(instantAtLocalTime('Europe/Paris', { year: 2026, month: 3, day: 29 }, 2, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('keeps minutes', () => {
    expect(instantAtLocalTime('Asia/Kolkata', { year: 2026, month: 1, day: 1 }, 8, 15).toISOString()).toBe('2026-01-01T02:45:00.000Z');
  });
});

describe('calendar helpers', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays({ year: 2026, month: 1, day: 31 }, 1)).toEqual({ year: 2026, month: 2, day: 1 });
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({ year: 2027, month: 1, day: 1 });
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({ year: 2028, month: 2, day: 29 });
    expect(addDays({ year: 2027, month: 2, day: 28 }, 1)).toEqual({ year: 2027, month: 3, day: 1 });
    expect(addDays({ year: 2026, month: 3, day: 1 }, -1)).toEqual({ year: 2026, month: 2, day: 28 });
  });

  it('names weekdays from Sunday = 0', () => {
    expect(weekdayOf({ year: 2026, month: 3, day: 29 })).toBe(0);
    expect(weekdayOf({ year: 2026, month: 3, day: 30 })).toBe(1);
    expect(weekdayOf({ year: 2026, month: 7, day: 14 })).toBe(2);
    expect(weekdayOf({ year: 2026, month: 3, day: 28 })).toBe(6);
  });

  it('writes ISO dates with zero padding', () => {
    expect(isoDate({ year: 2026, month: 5, day: 1 })).toBe('2026-05-01');
    expect(isoDate({ year: 2026, month: 12, day: 25 })).toBe('2026-12-25');
  });
});
