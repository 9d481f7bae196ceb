/**
 * The one source of "now". Services take a Clock so tests can fix time (quiet hours, lockouts,
 * expiries) instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is put; `advance` moves it forward. For tests and simulations. */
export class FixedClock implements Clock {
  #at: number;
  constructor(at: Date | string) {
    this.#at = new Date(at).getTime();
  }
  now(): Date {
    return new Date(this.#at);
  }
  set(at: Date | string): void {
    this.#at = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.#at += ms;
  }
}
