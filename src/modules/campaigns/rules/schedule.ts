import { instantAtLocalTime, localDateTime, QUIET_HOURS_START_HOUR, quietHoursDecision } from '../../messaging/rules.ts';

/**
 * When each message of a campaign may leave: the throttle (messages per minute) lays them out on
 * a timeline of minutes from the start; for channels bound by R-QUIET (SMS, RCS) that timeline
 * only counts the minutes open in the campaign's time zone (08:00–20:00, and open days when the
 * tenant avoids Sundays and holidays), so a campaign started at 19:55 with 1,000 messages a minute
 * puts 5,000 before 20:00 and continues at 08:00 the next morning at the same pace, instead of
 * releasing everything at 08:00 at once.
 *
 * Each recipient is then judged in their own zone by the send path's rule (R-QUIET:
 * `quietHoursDecision`): a Réunion number (UTC+4) whose slot falls after 20:00 there is held until
 * 08:00 there. Nothing is ever dropped.
 */

/** The minute (from the start) of the n-th message (0-based) at `perMinute` messages a minute; 0 without a throttle. */
export function throttleMinute(ordinal: number, perMinute: number | null): number {
  if (!perMinute) return 0;
  return Math.floor(ordinal / perMinute);
}

/**
 * The n-th message of a lane among `lanes` that fan out side by side: lanes interleave, so the
 * throttle holds for the campaign as a whole (lane 0 takes ordinals 0, L, 2L…, lane 1 takes 1,
 * L+1…).
 */
export function campaignOrdinal(laneOrdinal: number, lane: number, lanes: number): number {
  return laneOrdinal * lanes + lane;
}

export interface TimelineOptions {
  start: Date;
  /** SMS and RCS: only open minutes count (R-QUIET); email: every minute. */
  quietHours: boolean;
  /** The campaign's zone (the tenant's), where the open minutes are counted. */
  timeZone: string;
  avoidSundaysAndHolidays: boolean;
  /** Region whose public holidays close a day (with avoidSundaysAndHolidays). */
  country: string;
}

/**
 * Instants of throttle minutes, memoised: open windows are found once (08:00 → 20:00 local) and
 * minute m is the m-th minute of open time after `start`.
 */
export class Timeline {
  readonly #windows: Array<{ from: number; closes: number; minutes: number; before: number }> = [];
  readonly #cache = new Map<number, Date>();

  constructor(private readonly options: TimelineOptions) {}

  at(minute: number): Date {
    if (!Number.isInteger(minute) || minute < 0) throw new Error(`minute must be a whole number ≥ 0 (got ${minute})`);
    const cached = this.#cache.get(minute);
    if (cached) return cached;
    const instant = this.options.quietHours ? this.#openMinute(minute) : new Date(this.options.start.getTime() + minute * 60_000);
    if (this.#cache.size > 100_000) this.#cache.clear();
    this.#cache.set(minute, instant);
    return instant;
  }

  #openMinute(minute: number): Date {
    for (let i = 0; ; i++) {
      const window = this.#windows[i] ?? this.#nextWindow();
      if (minute < window.before + window.minutes) return new Date(window.from + (minute - window.before) * 60_000);
    }
  }

  /** The open window after the last one known: from the next open instant to that day's 20:00. */
  #nextWindow(): { from: number; closes: number; minutes: number; before: number } {
    const { timeZone, avoidSundaysAndHolidays, country } = this.options;
    const previous = this.#windows[this.#windows.length - 1];
    const after = previous ? new Date(previous.closes) : this.options.start;
    let from = quietHoursDecision({ requestedAt: after, timeZone, avoidSundaysAndHolidays, country }).sendAt;
    let closesAt = instantAtLocalTime(timeZone, localDateTime(from, timeZone), QUIET_HOURS_START_HOUR);
    // A window too short for a whole minute (started at 19:59:30) is skipped to the next one.
    while (closesAt.getTime() - from.getTime() < 60_000) {
      from = quietHoursDecision({ requestedAt: closesAt, timeZone, avoidSundaysAndHolidays, country }).sendAt;
      closesAt = instantAtLocalTime(timeZone, localDateTime(from, timeZone), QUIET_HOURS_START_HOUR);
    }
    const minutes = Math.floor((closesAt.getTime() - from.getTime()) / 60_000);
    const window = { from: from.getTime(), closes: closesAt.getTime(), minutes, before: previous ? previous.before + previous.minutes : 0 };
    this.#windows.push(window);
    if (this.#windows.length > 5_000) throw new Error('the throttle spreads this campaign over more than 5,000 days');
    return window;
  }
}
