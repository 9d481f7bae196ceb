import Holidays from 'date-holidays';
import { addDays, type CivilDate, instantAtLocalTime, isoDate, localDateTime, weekdayOf } from './zoned-time.ts';

/**
 * R-QUIET (§14.1): marketing SMS and RCS never leave between 20:00 and 08:00 in the recipient's
 * local time; a send that falls there is held until the next 08:00. Sundays and public holidays
 * are allowed by the contract; a tenant may choose to avoid them as well, and then the send moves
 * to 08:00 on the next day that is neither.
 */

/** First second of the quiet window: 20:00:00 is already quiet. */
export const QUIET_HOURS_START_HOUR = 20;
/** First second after the quiet window: 07:59:59 is still quiet, 08:00:00 is allowed. */
export const QUIET_HOURS_END_HOUR = 8;

export type QuietHoursReason = 'quiet_hours' | 'sunday' | 'public_holiday';

export interface QuietHoursRequest {
  /** When the message would leave: now, or the scheduled instant. */
  requestedAt: Date;
  /** The recipient's IANA zone (see `recipientTimeZone`). */
  timeZone: string;
  /** Tenant setting; false by default, as the contract allows Sundays and public holidays. */
  avoidSundaysAndHolidays?: boolean;
  /** ISO region whose public holidays apply (`FR`, `RE`, `GP`…); `FR` when absent. */
  country?: string;
}

export type QuietHoursDecision =
  | { allowed: true; sendAt: Date }
  | {
      allowed: false;
      /** The next instant the message may leave. */
      sendAt: Date;
      /**
       * Why `requestedAt` itself is refused. A closed day (Sunday, then public holiday) wins over
       * the night: at 07:00 on a Sunday the reason is `sunday`, as 08:00 would not open it.
       */
      reason: QuietHoursReason;
    };

/** R-QUIET: may a marketing message leave at `requestedAt`, and if not, when. */
export function quietHoursDecision(request: QuietHoursRequest): QuietHoursDecision {
  const { requestedAt, timeZone } = request;
  const local = localDateTime(requestedAt, timeZone);
  const reason = closedDayReason(local, request) ?? (isQuietHour(local.hour) ? 'quiet_hours' : null);
  if (reason === null) return { allowed: true, sendAt: requestedAt };
  return { allowed: false, sendAt: nextAllowedInstant(request), reason };
}

/** R-QUIET: `requestedAt` itself when allowed, otherwise 08:00 local on the next day that is open. */
export function nextAllowedInstant(request: QuietHoursRequest): Date {
  const { requestedAt, timeZone } = request;
  const local = localDateTime(requestedAt, timeZone);
  const dayClosed = closedDayReason(local, request) !== null;
  if (!dayClosed && !isQuietHour(local.hour)) return requestedAt;
  // Before 08:00 on an open day, that day's 08:00; otherwise start looking from the next day.
  let day: CivilDate = !dayClosed && local.hour < QUIET_HOURS_END_HOUR ? local : addDays(local, 1);
  for (let checked = 0; closedDayReason(day, request) !== null; checked++) {
    if (checked > 366) throw new Error(`no open day within a year after ${requestedAt.toISOString()} (${request.country})`);
    day = addDays(day, 1);
  }
  return instantAtLocalTime(timeZone, day, QUIET_HOURS_END_HOUR);
}

/** 20:00:00–07:59:59 local. */
export function isQuietHour(localHour: number): boolean {
  return localHour >= QUIET_HOURS_START_HOUR || localHour < QUIET_HOURS_END_HOUR;
}

function closedDayReason(date: CivilDate, request: QuietHoursRequest): 'sunday' | 'public_holiday' | null {
  if (!request.avoidSundaysAndHolidays) return null;
  if (weekdayOf(date) === 0) return 'sunday';
  if (isPublicHoliday(request.country ?? 'FR', date)) return 'public_holiday';
  return null;
}

const publicHolidaysByCountryYear = new Map<string, ReadonlySet<string>>();

/**
 * Public holidays (type `public` only: not bank, school or observance days) that date-holidays
 * knows for `country`: France, and the overseas territories with their own days (abolition of
 * slavery: Mayotte 27 April, Martinique 22 May, Guadeloupe and Saint-Martin 27 May, Guyane 10
 * June, Saint-Barthélemy 9 October, Réunion 20 December; Good Friday in the Antilles…).
 * A country it does not know has no holidays.
 */
export function isPublicHoliday(country: string, date: CivilDate): boolean {
  return publicHolidays(country, date.year).has(isoDate(date));
}

function publicHolidays(country: string, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let days = publicHolidaysByCountryYear.get(key);
  if (!days) {
    days = computePublicHolidays(country, year);
    publicHolidaysByCountryYear.set(key, days);
  }
  return days;
}

function computePublicHolidays(country: string, year: number): ReadonlySet<string> {
  const calendar = new Holidays(country.toUpperCase(), { types: ['public'] });
  const days = new Set<string>();
  for (const holiday of calendar.getHolidays(year) ?? []) {
    if (holiday.type !== 'public') continue;
    // `date` is the local day ("2026-05-01 00:00:00"); a holiday lasting several days covers each.
    const [y, m, d] = holiday.date.slice(0, 10).split('-').map(Number) as [number, number, number];
    const length = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / 86_400_000));
    for (let offset = 0; offset < length; offset++) days.add(isoDate(addDays({ year: y, month: m, day: d }, offset)));
  }
  return days;
}
