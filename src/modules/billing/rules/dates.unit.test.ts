import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysBetween, isIsoDate, lastDayOfMonth, parisDate, weekday } from './dates.ts';

describe('billing civil dates', () => {
  it('validates real calendar days only', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('26-01-01')).toBe(false);
  });

  it('adds days across a DST change and a year end without drifting', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-12-20', 30)).toBe('2027-01-19');
    expect(daysBetween('2026-03-10', '2026-04-01')).toBe(22);
    expect(daysBetween('2026-04-01', '2026-03-10')).toBe(-22);
  });

  it('adds months clamped to the end of shorter months', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-15', 2)).toBe('2028-02-15');
    expect(addMonths('2026-03-10', -3)).toBe('2025-12-10');
    expect(lastDayOfMonth('2028-02-03')).toBe('2028-02-29');
  });

  it('gives the weekday and the Paris day of an instant', () => {
    expect(weekday('2026-05-14')).toBe(4); // Thursday (Ascension Day)
    expect(parisDate(new Date('2026-01-31T23:30:00Z'))).toBe('2026-02-01');
    expect(parisDate(new Date('2026-07-31T21:59:00Z'))).toBe('2026-07-31');
  });
});
