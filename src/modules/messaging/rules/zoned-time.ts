/**
 * Wall-clock time in an IANA zone, from the runtime's Intl (ICU and its tz database), so that
 * DST changes and each territory's offset come from the tz database rather than from us.
 * Used by R-QUIET, which is defined in the recipient's local time.
 */

/** A calendar day, with no zone: month 1–12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export interface LocalDateTime extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Building a formatter is slow next to using one: one per zone, kept. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock date and time at `instant` in `timeZone`. Throws a RangeError for an unknown zone. */
export function localDateTime(instant: Date, timeZone: string): LocalDateTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const date = { year: fields.year!, month: fields.month!, day: fields.day! };
  return { ...date, hour: fields.hour!, minute: fields.minute!, second: fields.second!, weekday: weekdayOf(date) };
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: CivilDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** `YYYY-MM-DD`. */
export function isoDate(date: CivilDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** Milliseconds the wall clock of `timeZone` is ahead of UTC at `instantMs` (negative west of Greenwich). */
function offsetMs(instantMs: number, timeZone: string): number {
  const local = localDateTime(new Date(instantMs), timeZone);
  const wallAsUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which the clocks of `timeZone` show `date` `hour`:`minute`. When that wall time
 * happens twice (the hour repeated when DST ends), the first one; when it never happens (the hour
 * skipped when DST starts), the instant it would be by the offset before the change, i.e. as far
 * past the change as the wall time was past it (Paris 02:30 on the spring day is 03:30 CEST).
 */
export function instantAtLocalTime(timeZone: string, date: CivilDate, hour: number, minute = 0): Date {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const day = 24 * 3600 * 1000;
  // The offsets a day either side bracket any change on that day (zones change at most once a day).
  const offsetBefore = offsetMs(wallAsUtc - day, timeZone);
  const offsetAfter = offsetMs(wallAsUtc + day, timeZone);
  const candidates = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].sort((a, b) => a - b);
  const matching = candidates.find((candidate) => offsetMs(candidate, timeZone) === wallAsUtc - candidate);
  return new Date(matching ?? wallAsUtc - offsetBefore);
}
