import type { ChannelError } from '../../channels/types.ts';

/**
 * Dispatch policy as pure functions: retries and back-off, expiry, and what to do when a send's
 * outcome is unknown (duplicate policy, docs/messaging.md).
 */

export type Route = 'marketing' | 'alert';

/** Default time to live: an OTP an hour late is useless; a promotion can wait a day. */
export const DEFAULT_TTL_SECONDS: Record<Route, number> = { alert: 3600, marketing: 86_400 };

export const MAX_ATTEMPTS = 10;

/** Exponential back-off with a cap and ±20 % jitter; a provider's own `retryAfterMs` wins if longer. */
export function retryDelayMs(attempt: number, error: Pick<ChannelError, 'retryAfterMs'>, random = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60_000);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, error.retryAfterMs ?? 0));
}

/**
 * Duplicate policy when a submit's outcome is unknown (a timeout after the request left, a lost
 * connection, a dispatcher that died mid-send): alerts are sent again — a code received twice is
 * better than none — while marketing is not, and fails as `outcome_unknown` (a promotion received
 * twice costs the client money and goodwill). Known outcomes are always recorded before the
 * message leaves the outbox, so they are never sent twice.
 */
export function resendWhenOutcomeUnknown(route: Route | null): boolean {
  return route === 'alert';
}

export type DispatchDecision =
  | { outcome: 'retry'; retryAt: Date }
  | { outcome: 'failed' | 'expired'; errorCode: string; errorMessage: string; attribution: ChannelError['attribution'] };

/** After a failed send: retry later, or give up (permanent error, too many attempts, expired). */
export function decideAfterFailure(
  error: ChannelError,
  message: { attempts: number; route: Route | null; expiresAt: Date | null },
  now: Date,
  random = Math.random,
): DispatchDecision {
  const giveUp = (errorCode: string, errorMessage: string): DispatchDecision => ({ outcome: 'failed', errorCode, errorMessage, attribution: error.attribution });
  if (error.outcomeUnknown && !resendWhenOutcomeUnknown(message.route)) {
    return giveUp('outcome_unknown', `Not sent again: the provider may have received it (${error.message})`);
  }
  if (!error.retryable) return giveUp(error.code, error.message);
  if (message.attempts >= MAX_ATTEMPTS) return giveUp(error.code, `Gave up after ${message.attempts} attempts: ${error.message}`);
  const retryAt = new Date(now.getTime() + retryDelayMs(message.attempts, error, random));
  if (message.expiresAt && retryAt >= message.expiresAt) {
    return { outcome: 'expired', errorCode: 'expired', errorMessage: `Expired before it could be sent (last error: ${error.message})`, attribution: error.attribution };
  }
  return { outcome: 'retry', retryAt };
}

export const isExpired = (expiresAt: Date | null, now: Date): boolean => expiresAt !== null && expiresAt <= now;

/** A token bucket: `rate` tokens per second, bursts up to `burst`. Time is passed in (testable). */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    readonly rate: number,
    readonly burst: number = Math.max(1, rate),
    now = 0,
  ) {
    this.#tokens = this.burst;
    this.#updatedAt = now;
  }

  /** Takes a token if one is there; otherwise returns how many ms until one is. */
  take(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.rate) * 1000);
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsed * this.rate);
    this.#updatedAt = nowMs;
  }
}
