/**
 * Dates in segment conditions. A day written `YYYY-MM-DD` is a civil day in the tenant's zone
 * (Europe/Paris: the console is French; DESIGN "Time"), so "created before 2026-03-01" means
 * before midnight in Paris, not in UTC. Relative conditions ("within the last 30 days") count
 * from the instant the query is built, which callers pass in (one injectable clock).
 */

export const SEGMENT_TIME_ZONE = 'Europe/Paris';

const DAY_MS = 86_400_000;
const CIVIL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An ISO 8601 instant with its offset (a bare local time would be ambiguous).
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `YYYY-MM-DD` that names a real day. */
export function isCivilDate(text: string): boolean {
  const match = CIVIL_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isInstant(text: string): boolean {
  return INSTANT.test(text) && !Number.isNaN(Date.parse(text));
}

/** The civil day (`YYYY-MM-DD`) an instant falls on in a zone. */
export function civilDayOf(at: Date, timeZone = SEGMENT_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addCivilDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Offset of a zone from UTC at an instant, in ms (Paris: +1 h in winter, +2 h in summer). */
function offsetAt(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a civil day starts in a zone (midnight; DST changes happen at 02:00/03:00 in Paris). */
export function startOfCivilDay(day: string, timeZone = SEGMENT_TIME_ZONE): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const wallMidnight = Date.UTC(year, month - 1, date);
  // Two passes: the offset at the first guess may differ from the one at the answer near a change.
  let guess = wallMidnight - offsetAt(new Date(wallMidnight), timeZone);
  guess = wallMidnight - offsetAt(new Date(guess), timeZone);
  return new Date(guess);
}

/**
 * The instants bounding a condition written with a day or an instant: a day covers
 * [its midnight, the next midnight); an instant is a point (start = end).
 */
export function boundsOf(text: string, timeZone = SEGMENT_TIME_ZONE): { start: Date; end: Date } {
  if (isCivilDate(text)) return { start: startOfCivilDay(text, timeZone), end: startOfCivilDay(addCivilDays(text, 1), timeZone) };
  const at = new Date(text);
  return { start: at, end: at };
}

export const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * DAY_MS);
