import { describe, expect, it } from 'vitest';
import { addDays } from './dates.ts';
import {
  addBusinessDays,
  businessDayOnOrAfter,
  businessDaysBetween,
  frenchPublicHolidays,
  isBusinessDay,
  isFrenchPublicHoliday,
} from './calendar.ts';

describe('French public holidays (metropolitan France)', () => {
  it('lists the eleven legal holidays of 2026, Easter-based ones included', () => {
    expect([...frenchPublicHolidays(2026).keys()]).toEqual([
      '2026-01-01',
      '2026-04-06', // Easter Monday
      '2026-05-01',
      '2026-05-08',
      '2026-05-14', // Ascension
      '2026-05-25', // Whit Monday
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
  });

  it('moves the Easter-based holidays with Easter (2027: Easter 28 March)', () => {
    const days = frenchPublicHolidays(2027);
    expect(days.has('2027-03-29')).toBe(true);
    expect(days.has('2027-05-06')).toBe(true);
    expect(days.has('2027-05-17')).toBe(true);
    expect(days.size).toBe(11);
  });

  it('counts Whit Monday as a holiday despite the journée de solidarité', () => {
    expect(isFrenchPublicHoliday('2026-05-25')).toBe(true);
    expect(isBusinessDay('2026-05-25')).toBe(false);
  });

  it('does not count the Alsace-Moselle days: Good Friday and 26 December are business days', () => {
    expect(isFrenchPublicHoliday('2026-04-03')).toBe(false);
    expect(isBusinessDay('2026-04-03')).toBe(true); // Friday
    expect(isFrenchPublicHoliday('2025-12-26')).toBe(false);
    expect(isBusinessDay('2025-12-26')).toBe(true); // Friday
  });

  it('does not count observances nor Easter/Whit Sunday as holidays', () => {
    expect(isFrenchPublicHoliday('2026-04-05')).toBe(false);
    expect(isFrenchPublicHoliday('2026-05-24')).toBe(false);
    expect(isFrenchPublicHoliday('2026-05-31')).toBe(false); // Mother's Day
  });

  it('returns the same cached map for a year', () => {
    expect(frenchPublicHolidays(2026)).toBe(frenchPublicHolidays(2026));
  });

  it('rejects a malformed date or year', () => {
    expect(() => isBusinessDay('2026-02-30')).toThrow(RangeError);
    expect(() => frenchPublicHolidays(26)).toThrow(RangeError);
  });
});

describe('isBusinessDay', () => {
  it('is Monday–Friday only', () => {
    // 2026-03-09 is a Monday.
    const week = [...Array(7).keys()].map((i) => isBusinessDay(addDays('2026-03-09', i)));
    expect(week).toEqual([true, true, true, true, true, false, false]);
  });

  it('is false on a holiday falling on a weekday', () => {
    expect(isBusinessDay('2026-05-08')).toBe(false); // Friday, Victory Day
    expect(isBusinessDay('2026-05-14')).toBe(false); // Thursday, Ascension
    expect(isBusinessDay('2026-07-14')).toBe(false); // Tuesday
  });

  it('has 252 business days in 2026: 261 weekdays minus the 9 holidays not on a weekend', () => {
    // 2026: 261 weekdays; holidays on a weekday: all but 15 Aug (Saturday) and 1 Nov (Sunday) → 9.
    expect(businessDaysBetween('2025-12-31', '2026-12-31')).toBe(261 - 9);
  });
});

describe('addBusinessDays — the n-th business day strictly after a date', () => {
  it('never counts the starting day, even when it is a business day', () => {
    expect(addBusinessDays('2026-03-10', 1)).toBe('2026-03-11');
    expect(addBusinessDays('2026-03-10', 0)).toBe('2026-03-10');
  });

  it('skips a weekend', () => {
    expect(addBusinessDays('2026-03-13', 1)).toBe('2026-03-16'); // Friday → Monday
    expect(addBusinessDays('2026-03-14', 1)).toBe('2026-03-16'); // Saturday → Monday
  });

  it('five business days after Thursday 7 May 2026 skips 8 May, the weekend and Ascension', () => {
    // Fri 8 holiday, Sat, Sun; Mon 11 (1), Tue 12 (2), Wed 13 (3), Thu 14 Ascension, Fri 15 (4), Mon 18 (5).
    expect(addBusinessDays('2026-05-07', 5)).toBe('2026-05-18');
    // Without holidays the same count would end on Thursday 14.
    expect(addBusinessDays('2026-03-05', 5)).toBe('2026-03-12');
  });

  it('crosses a year end over New Year', () => {
    expect(addBusinessDays('2026-12-31', 1)).toBe('2027-01-04'); // Fri 1 Jan holiday, weekend
    expect(addBusinessDays('2026-12-24', 2)).toBe('2026-12-29'); // Fri 25 holiday, weekend, Mon 28, Tue 29
  });

  it('rejects a negative or fractional count', () => {
    expect(() => addBusinessDays('2026-03-10', -1)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-03-10', 1.5)).toThrow(RangeError);
  });
});

describe('businessDaysBetween — business days in (from, to]', () => {
  it('is the inverse of addBusinessDays', () => {
    for (const start of ['2026-05-07', '2026-05-09', '2026-12-23', '2026-04-03']) {
      for (const n of [0, 1, 2, 5, 10, 30]) {
        expect(businessDaysBetween(start, addBusinessDays(start, n))).toBe(n);
      }
    }
  });

  it('excludes the start and includes the end', () => {
    expect(businessDaysBetween('2026-03-09', '2026-03-13')).toBe(4); // Mon → Fri: Tue..Fri
    expect(businessDaysBetween('2026-03-13', '2026-03-15')).toBe(0); // Fri → Sun
    expect(businessDaysBetween('2026-03-13', '2026-03-13')).toBe(0);
  });

  it('is negative backwards', () => {
    expect(businessDaysBetween('2026-03-13', '2026-03-09')).toBe(-4);
  });

  it('counts holidays out of May 2026', () => {
    // May 2026: 21 weekdays, minus Fri 1, Fri 8, Thu 14, Mon 25 → 17.
    expect(businessDaysBetween('2026-04-30', '2026-05-31')).toBe(17);
  });
});

describe('businessDayOnOrAfter', () => {
  it('keeps a business day and moves a weekend or holiday forward', () => {
    expect(businessDayOnOrAfter('2026-05-13')).toBe('2026-05-13');
    expect(businessDayOnOrAfter('2026-05-14')).toBe('2026-05-15');
    expect(businessDayOnOrAfter('2026-05-23')).toBe('2026-05-26'); // Sat → Tue (Whit Monday)
  });
});
