import { describe, expect, it } from 'vitest';
import type { ChannelError } from '../../channels/types.ts';
import { quietHoursHold } from './dispatcher.ts';
import { decideAfterFailure, DEFAULT_TTL_SECONDS, isExpired, MAX_ATTEMPTS, resendWhenOutcomeUnknown, retryDelayMs, TokenBucket } from './dispatch-rules.ts';

const now = new Date('2026-03-10T10:00:00Z');
const error = (overrides: Partial<ChannelError> = {}): ChannelError => ({ code: 'smpp_throttled', message: 'throttled', retryable: true, attribution: 'operator', ...overrides });
const half = () => 0.5; // no jitter: 0.8 + 0.4 × 0.5 = 1

describe('retryDelayMs', () => {
  it('doubles from one second and stops at five minutes', () => {
    expect([1, 2, 3, 4, 9, 10].map((attempt) => retryDelayMs(attempt, {}, half))).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000]);
  });

  it('stays within ±20 % jitter', () => {
    expect(retryDelayMs(3, {}, () => 0)).toBe(3200);
    expect(retryDelayMs(3, {}, () => 0.999999)).toBe(4800);
  });

  it('waits at least what the provider asked', () => {
    expect(retryDelayMs(1, { retryAfterMs: 60_000 }, half)).toBe(60_000);
    expect(retryDelayMs(10, { retryAfterMs: 1000 }, half)).toBe(300_000);
  });
});

describe('decideAfterFailure', () => {
  const message = { attempts: 1, route: 'alert' as const, expiresAt: new Date(now.getTime() + 3_600_000) };

  it('retries a retryable error after the back-off', () => {
    expect(decideAfterFailure(error(), message, now, half)).toEqual({ outcome: 'retry', retryAt: new Date(now.getTime() + 1000) });
  });

  it('fails a permanent error at once, keeping who failed (R-3RD)', () => {
    expect(decideAfterFailure(error({ code: 'smpp_invalid_destination', retryable: false, attribution: 'recipient' }), message, now)).toEqual({
      outcome: 'failed', errorCode: 'smpp_invalid_destination', errorMessage: 'throttled', attribution: 'recipient',
    });
  });

  it('gives up after the last attempt', () => {
    const decision = decideAfterFailure(error(), { ...message, attempts: MAX_ATTEMPTS }, now);
    expect(decision).toMatchObject({ outcome: 'failed', errorCode: 'smpp_throttled' });
  });

  it('expires a message whose next try would come after its time to live', () => {
    const decision = decideAfterFailure(error(), { ...message, attempts: 9, expiresAt: new Date(now.getTime() + 10_000) }, now, half);
    expect(decision).toMatchObject({ outcome: 'expired', errorCode: 'expired', attribution: 'operator' });
  });

  it('applies the duplicate policy when the outcome is unknown: alerts again, marketing never', () => {
    const unknown = error({ code: 'smpp_timeout', outcomeUnknown: true });
    expect(decideAfterFailure(unknown, message, now, half).outcome).toBe('retry');
    expect(decideAfterFailure(unknown, { ...message, route: 'marketing' }, now)).toMatchObject({ outcome: 'failed', errorCode: 'outcome_unknown' });
    expect(resendWhenOutcomeUnknown('alert')).toBe(true);
    expect(resendWhenOutcomeUnknown('marketing')).toBe(false);
    expect(resendWhenOutcomeUnknown(null)).toBe(false);
  });
});

describe('expiry', () => {
  it('gives alerts one hour and marketing a day by default', () => {
    expect(DEFAULT_TTL_SECONDS).toEqual({ alert: 3600, marketing: 86_400 });
  });

  it('is expired exactly at the instant', () => {
    expect(isExpired(now, now)).toBe(true);
    expect(isExpired(new Date(now.getTime() + 1), now)).toBe(false);
    expect(isExpired(null, now)).toBe(false);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then paces at the rate', () => {
    const bucket = new TokenBucket(10, 2, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(100);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBe(100);
  });

  it('never stores more than its burst', () => {
    const bucket = new TokenBucket(10, 2, 0);
    bucket.take(10_000);
    bucket.take(10_000);
    expect(bucket.take(10_000)).toBe(100);
  });
});

describe('quiet hours at the moment of sending (R-QUIET)', () => {
  const sms = { route: 'marketing' as const, channel: 'sms' as const, recipient: '+33612345678', country: 'FR', avoidClosedDays: false };

  it('holds a marketing SMS claimed at 20:30 Paris until 08:00', () => {
    expect(quietHoursHold(sms, new Date('2026-03-10T19:30:00Z'))).toEqual(new Date('2026-03-11T07:00:00Z'));
  });

  it('lets it go at 10:00 Paris, and never holds alerts or email', () => {
    expect(quietHoursHold(sms, now)).toBeNull();
    expect(quietHoursHold({ ...sms, route: 'alert' }, new Date('2026-03-10T23:00:00Z'))).toBeNull();
    expect(quietHoursHold({ ...sms, channel: 'email' as never }, new Date('2026-03-10T23:00:00Z'))).toBeNull();
  });

  it('held on a Saturday evening: Sunday 08:00, or Monday 08:00 for a tenant that avoids Sundays and holidays', () => {
    const saturdayNight = new Date('2026-03-14T20:30:00Z'); // 21:30 Paris
    expect(quietHoursHold(sms, saturdayNight)).toEqual(new Date('2026-03-15T07:00:00Z'));
    expect(quietHoursHold({ ...sms, avoidClosedDays: true }, saturdayNight)).toEqual(new Date('2026-03-16T07:00:00Z'));
    // Claimed on Easter Monday (a public holiday) at 10:00: held until Tuesday 08:00.
    expect(quietHoursHold({ ...sms, avoidClosedDays: true }, new Date('2026-04-06T08:00:00Z'))).toEqual(new Date('2026-04-07T06:00:00Z'));
    expect(quietHoursHold(sms, new Date('2026-04-06T08:00:00Z'))).toBeNull();
  });

  it('uses the recipient’s zone: 09:00 in Réunion is 06:00 in Paris', () => {
    expect(quietHoursHold({ ...sms, recipient: '+262692123456', country: 'RE' }, new Date('2026-03-10T05:00:00Z'))).toBeNull();
    expect(quietHoursHold(sms, new Date('2026-03-10T05:00:00Z'))).toEqual(new Date('2026-03-10T07:00:00Z'));
  });
});
