import { describe, expect, it } from 'vitest';
import { addCivilDays, boundsOf, civilDayOf, daysBefore, isCivilDate, isInstant, startOfCivilDay } from './dates.ts';

describe('segment dates (Europe/Paris days)', () => {
  it('recognises real days and instants with an offset only', () => {
    expect(isCivilDate('2026-02-28')).toBe(true);
    expect(isCivilDate('2026-02-29')).toBe(false);
    expect(isCivilDate('2028-02-29')).toBe(true);
    expect(isCivilDate('2026-13-01')).toBe(false);
    expect(isCivilDate('26-01-01')).toBe(false);
    expect(isInstant('2026-03-01T10:00:00Z')).toBe(true);
    expect(isInstant('2026-03-01T10:00:00.123+02:00')).toBe(true);
    expect(isInstant('2026-03-01T10:00:00')).toBe(false);
    expect(isInstant('2026-03-01')).toBe(false);
  });

  it('starts a Paris day at local midnight, in winter and in summer', () => {
    expect(startOfCivilDay('2026-01-15').toISOString()).toBe('2026-01-14T23:00:00.000Z');
    expect(startOfCivilDay('2026-07-15').toISOString()).toBe('2026-07-14T22:00:00.000Z');
    // The days of the clock changes (29 March and 25 October 2026) still start at 00:00 local.
    expect(startOfCivilDay('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfCivilDay('2026-03-30').toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(startOfCivilDay('2026-10-25').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(startOfCivilDay('2026-10-26').toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('gives the Paris day of an instant', () => {
    expect(civilDayOf(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
    expect(civilDayOf(new Date('2026-06-30T21:30:00Z'))).toBe('2026-06-30');
    expect(civilDayOf(new Date('2026-06-30T21:30:00Z'), 'Indian/Reunion')).toBe('2026-07-01');
  });

  it('adds days across months and years', () => {
    expect(addCivilDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addCivilDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('bounds a day as [midnight, next midnight) and an instant as a point', () => {
    const day = boundsOf('2026-03-29');
    expect(day.start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(day.end.toISOString()).toBe('2026-03-29T22:00:00.000Z'); // 23-hour day
    const instant = boundsOf('2026-03-29T12:00:00Z');
    expect(instant.start.toISOString()).toBe('2026-03-29T12:00:00.000Z');
    expect(instant.end).toEqual(instant.start);
    expect(daysBefore(new Date('2026-03-10T00:00:00Z'), 3).toISOString()).toBe('2026-03-07T00:00:00.000Z');
  });
});
