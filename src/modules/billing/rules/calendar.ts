/**
 * French business days ("jours ouvrés") for the contract's deadlines: the 5 business days after a
 * formal notice (R-DUNNING, CGVU §7.2) and anything else the contract counts in business days.
 * A business day is Monday to Friday, except the public holidays of metropolitan France.
 *
 * Decisions, and why:
 * - Metropolitan France only, no Alsace-Moselle days (Good Friday, 26 December): the contract is
 *   SOFY's, seated in Paris, under French law with the Paris commercial court (§1, §26); those
 *   two days are local law of the Bas-Rhin, Haut-Rhin and Moselle, not French public holidays.
 * - Whit Monday (lundi de Pentecôte) IS a holiday here. It is one of the legal public holidays
 *   (Code du travail L3133-1); the "journée de solidarité" (L3133-7) lets each employer choose a
 *   worked day, often that Monday but not necessarily, and does not remove it from the list.
 *   Counting it as a non-business day also errs on the debtor's side: a suspension can only come
 *   later, never earlier, than the contract allows.
 * - Only `public` days of date-holidays count: Easter Sunday, Whit Sunday (Sundays anyway) and
 *   observances such as Mother's Day are not holidays.
 * Holidays are computed once per year and cached (date-holidays evaluates Easter rules each call).
 */
import Holidays from 'date-holidays';
import { addDays, compareDates, type IsoDate, isIsoDate, weekday } from './dates.ts';

const holidaysByYear = new Map<number, ReadonlyMap<IsoDate, string>>();

/** The public holidays of metropolitan France in `year`: date → French name. */
export function frenchPublicHolidays(year: number): ReadonlyMap<IsoDate, string> {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`not a four-digit year: ${year}`);
  let days = holidaysByYear.get(year);
  if (!days) {
    days = computeHolidays(year);
    holidaysByYear.set(year, days);
  }
  return days;
}

function computeHolidays(year: number): ReadonlyMap<IsoDate, string> {
  // Country only, no region: the metropolitan list, without Alsace-Moselle's additions.
  const calendar = new Holidays('FR', { types: ['public'] });
  const days = new Map<IsoDate, string>();
  for (const holiday of calendar.getHolidays(year) ?? []) {
    if (holiday.type !== 'public') continue;
    // `date` is the local civil day ("2026-05-14 00:00:00"); every French holiday lasts one day.
    days.set(holiday.date.slice(0, 10), holiday.name);
  }
  return days;
}

export function isFrenchPublicHoliday(date: IsoDate): boolean {
  assertDate(date);
  return frenchPublicHolidays(Number(date.slice(0, 4))).has(date);
}

/** Monday–Friday and not a public holiday of metropolitan France. */
export function isBusinessDay(date: IsoDate): boolean {
  const day = weekday(assertDate(date));
  return day !== 0 && day !== 6 && !isFrenchPublicHoliday(date);
}

/**
 * The `n`-th business day strictly after `date` (`date` itself never counts, business day or
 * not: a period "de cinq jours ouvrés suivant" an act starts the day after it, as délais do in
 * French procedure, CPC art. 641). `n = 0` gives `date` back.
 */
export function addBusinessDays(date: IsoDate, n: number): IsoDate {
  assertDate(date);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`business days must be a whole number ≥ 0 (got ${n})`);
  let current = date;
  let counted = 0;
  while (counted < n) {
    current = addDays(current, 1);
    if (isBusinessDay(current)) counted++;
  }
  return current;
}

/**
 * Business days in the half-open interval (from, to]: `from` excluded, `to` included, so that
 * `businessDaysBetween(d, addBusinessDays(d, n)) === n`. Negative when `to` is before `from`
 * (then it counts (to, from]); 0 when they are equal.
 */
export function businessDaysBetween(from: IsoDate, to: IsoDate): number {
  assertDate(from);
  assertDate(to);
  const order = compareDates(from, to);
  if (order === 0) return 0;
  if (order > 0) return -businessDaysBetween(to, from);
  let count = 0;
  for (let current = addDays(from, 1); compareDates(current, to) <= 0; current = addDays(current, 1)) {
    if (isBusinessDay(current)) count++;
  }
  return count;
}

/** `date` when it is a business day, else the next one. */
export function businessDayOnOrAfter(date: IsoDate): IsoDate {
  return isBusinessDay(date) ? date : addBusinessDays(date, 1);
}

function assertDate(date: IsoDate): IsoDate {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return date;
}
