import { describe, expect, it } from 'vitest';
import {
  anniversariesBetween,
  anniversary,
  type ContractTerm,
  contractPeriodAt,
  contractState,
  exitDate,
  exitDateForNotice,
  isNoticeInTime,
  lastAnniversaryOnOrBefore,
  nextNoticeDeadline,
  noticeDeadlineFor,
  onboardingCharge,
  type TermMonths,
  terminationFromNotices,
} from './contract-term.ts';

const oneYear: ContractTerm = { startDate: '2026-03-24', termMonths: 12 };
const threeYears: ContractTerm = { startDate: '2026-03-24', termMonths: 36 };

describe('anniversaries', () => {
  it('recur yearly from the start date', () => {
    expect(anniversary('2026-03-24', 0)).toBe('2026-03-24');
    expect(anniversary('2026-03-24', 1)).toBe('2027-03-24');
    expect(anniversary('2026-03-24', 3)).toBe('2029-03-24');
  });

  it('are counted from the start, not chained, for a 29 February start', () => {
    expect([1, 2, 3, 4].map((years) => anniversary('2028-02-29', years))).toEqual(['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
  });

  it('lists those in (after, until] and finds the last one reached', () => {
    expect(anniversariesBetween('2026-03-24', '2026-03-24', '2029-03-24')).toEqual(['2027-03-24', '2028-03-24', '2029-03-24']);
    expect(anniversariesBetween('2026-03-24', '2027-03-24', '2028-03-23')).toEqual([]);
    expect(lastAnniversaryOnOrBefore('2026-03-24', '2026-03-23')).toBeNull();
    expect(lastAnniversaryOnOrBefore('2026-03-24', '2026-03-24')).toBe('2026-03-24');
    expect(lastAnniversaryOnOrBefore('2026-03-24', '2028-03-23')).toBe('2027-03-24');
    expect(lastAnniversaryOnOrBefore('2026-03-24', '2028-03-24')).toBe('2028-03-24');
  });

  it('rejects a negative number of years', () => {
    expect(() => anniversary('2026-03-24', -1)).toThrow(RangeError);
  });
});

describe('term and exit dates (§8.1)', () => {
  it.each([
    [12, '2027-03-24', '2028-03-24'],
    [24, '2028-03-24', '2029-03-24'],
    [36, '2029-03-24', '2030-03-24'],
  ] as const)('a %i-month term ends on %s, then renews for 12 months (to %s)', (termMonths, firmEnd, firstRenewalEnd) => {
    const term = { startDate: '2026-03-24', termMonths: termMonths as TermMonths };
    expect(exitDate(term, 0)).toBe(firmEnd);
    expect(exitDate(term, 1)).toBe(firstRenewalEnd);
  });

  it('does not let a notice end a 36-month contract at its first or second anniversary', () => {
    // A notice received well before the first anniversary still takes effect at the end of the firm term.
    expect(exitDateForNotice(threeYears, '2026-06-01')).toBe('2029-03-24');
  });

  it('rejects an unknown term length', () => {
    expect(() => exitDate({ startDate: '2026-03-24', termMonths: 18 as TermMonths }, 0)).toThrow(RangeError);
  });

  it('gives the contractual period containing a date, initial then renewal years', () => {
    expect(contractPeriodAt(oneYear, '2026-03-24')).toEqual({
      kind: 'initial',
      index: 0,
      from: '2026-03-24',
      to: '2027-03-23',
      endsOn: '2027-03-24',
      noticeDeadline: '2027-02-07',
    });
    expect(contractPeriodAt(oneYear, '2027-03-23').index).toBe(0);
    expect(contractPeriodAt(oneYear, '2027-03-24')).toMatchObject({ kind: 'renewal', index: 1, from: '2027-03-24', to: '2028-03-23' });
    expect(contractPeriodAt(threeYears, '2028-06-01')).toMatchObject({ kind: 'initial', from: '2026-03-24', to: '2029-03-23' });
  });
});

describe('notice deadline: 45 days before the anniversary, inclusive (§8.2)', () => {
  it('is the anniversary minus 45 calendar days', () => {
    expect(noticeDeadlineFor('2027-03-24')).toBe('2027-02-07');
    expect(noticeDeadlineFor('2027-01-15')).toBe('2026-12-01');
  });

  it('accepts a notice received on the deadline day and refuses one received the day after', () => {
    expect(isNoticeInTime('2027-02-06', '2027-03-24')).toBe(true);
    expect(isNoticeInTime('2027-02-07', '2027-03-24')).toBe(true);
    expect(isNoticeInTime('2027-02-08', '2027-03-24')).toBe(false);
  });

  it('is not moved when it falls on a weekend (7 February 2027 is a Sunday)', () => {
    expect(noticeDeadlineFor('2027-03-24')).toBe('2027-02-07');
    expect(isNoticeInTime('2027-02-08', '2027-03-24')).toBe(false);
  });
});

describe('terminationFromNotices', () => {
  it('renews without a notice', () => {
    expect(terminationFromNotices(oneYear, [])).toBeNull();
  });

  it('ends the contract at the anniversary when the notice is in time, by email or registered letter', () => {
    for (const channel of ['email', 'registered_letter'] as const) {
      const notice = { receivedOn: '2027-02-07', channel };
      expect(terminationFromNotices(oneYear, [notice])).toEqual({ effectiveOn: '2027-03-24', lastDay: '2027-03-23', notice });
    }
  });

  it('carries a late notice over to the next exit date', () => {
    const notice = { receivedOn: '2027-02-08', channel: 'email' as const };
    expect(terminationFromNotices(oneYear, [notice])).toEqual({ effectiveOn: '2028-03-24', lastDay: '2028-03-23', notice });
    // Received after the anniversary: the end of the renewal year.
    expect(terminationFromNotices(oneYear, [{ receivedOn: '2027-04-01', channel: 'email' }])?.effectiveOn).toBe('2028-03-24');
  });

  it('keeps the earliest end among several notices', () => {
    const late = { receivedOn: '2027-03-01', channel: 'email' as const };
    const early = { receivedOn: '2027-01-10', channel: 'registered_letter' as const };
    expect(terminationFromNotices(oneYear, [late, early])?.notice).toBe(early);
    // Two notices for the same exit date: the first received is the one on record.
    const first = { receivedOn: '2027-01-02', channel: 'email' as const };
    expect(terminationFromNotices(oneYear, [early, first])?.notice).toBe(first);
  });

  it('refuses a channel the contract does not allow', () => {
    expect(() => terminationFromNotices(oneYear, [{ receivedOn: '2027-01-10', channel: 'phone' as 'email' }])).toThrow(RangeError);
  });
});

describe('contractState and the next deadline for the console', () => {
  it('is not started before the start date, with the firm term deadline ahead', () => {
    expect(contractState(oneYear, [], '2026-03-01')).toMatchObject({
      status: 'not_started',
      termination: null,
      nextDeadline: { exitOn: '2027-03-24', deadline: '2027-02-07', daysLeft: 343 },
    });
  });

  it('is firm during the initial term and shows the deadline, 0 days left on the day', () => {
    expect(contractState(oneYear, [], '2027-02-07')).toMatchObject({ status: 'firm', nextDeadline: { deadline: '2027-02-07', daysLeft: 0 } });
  });

  it('shows the next year deadline once this one is past, and renews at the anniversary', () => {
    expect(contractState(oneYear, [], '2027-02-08')).toMatchObject({
      status: 'firm',
      nextDeadline: { exitOn: '2028-03-24', deadline: '2028-02-08', daysLeft: 365 },
    });
    const renewed = contractState(oneYear, [], '2027-03-24');
    expect(renewed.status).toBe('renewed');
    expect(renewed.period).toMatchObject({ kind: 'renewal', from: '2027-03-24', to: '2028-03-23' });
  });

  it('is terminating after a valid notice, then ended from the exit date', () => {
    const notices = [{ receivedOn: '2027-01-10', channel: 'email' as const }];
    expect(contractState(oneYear, notices, '2027-03-23')).toMatchObject({ status: 'terminating', nextDeadline: null, termination: { effectiveOn: '2027-03-24' } });
    const ended = contractState(oneYear, notices, '2027-03-24');
    expect(ended.status).toBe('ended');
    expect(ended.period.index).toBe(0);
  });

  it('nextNoticeDeadline is null once a notice ends the contract', () => {
    expect(nextNoticeDeadline(oneYear, [{ receivedOn: '2027-01-10', channel: 'email' }], '2026-12-01')).toBeNull();
    expect(nextNoticeDeadline(threeYears, [], '2027-06-01')).toEqual({ exitOn: '2029-03-24', deadline: '2029-02-07', daysLeft: 617 });
  });
});

describe('onboardingCharge (R-ONBOARD)', () => {
  it('invoices the whole fee on the signature day', () => {
    expect(onboardingCharge({ signedOn: '2026-03-20', onboardingFeeCents: 150_000 })).toEqual({ invoiceOn: '2026-03-20', amountCents: 150_000 });
  });

  it('invoices nothing when the order has no onboarding, and refuses a bad amount', () => {
    expect(onboardingCharge({ signedOn: '2026-03-20', onboardingFeeCents: 0 })).toBeNull();
    expect(() => onboardingCharge({ signedOn: '2026-03-20', onboardingFeeCents: 1.5 })).toThrow(RangeError);
    expect(() => onboardingCharge({ signedOn: '2026-03-20', onboardingFeeCents: -1 })).toThrow(RangeError);
  });
});
