import { describe, expect, it } from 'vitest';
import {
  billingPeriodStartOnOrAfter,
  canCreatePointOfSale,
  licenceSchedule,
  licensedCountAt,
  type PoiLicence,
  raiseCharge,
  reductionEffectiveOn,
} from './poi-licence.ts';

// Started 24 March 2026 for 12 months: contractual periods end on 24 March each year.
const licence: PoiLicence = { initialCount: 10, term: { startDate: '2026-03-24', termMonths: 12 } };
const firstOfMonth: PoiLicence = { initialCount: 10, term: { startDate: '2026-04-01', termMonths: 24 } };

describe('canCreatePointOfSale (§4)', () => {
  it('allows creation below the licence and refuses it once the licence is used up', () => {
    expect(canCreatePointOfSale(9, 10)).toEqual({ allowed: true });
    expect(canCreatePointOfSale(10, 10)).toMatchObject({ allowed: false, reason: 'licence_exhausted', licensed: 10, active: 10 });
    // After a reduction took effect, more active than licensed: still refused.
    expect(canCreatePointOfSale(12, 10).allowed).toBe(false);
    expect(canCreatePointOfSale(0, 0).allowed).toBe(false);
    expect(canCreatePointOfSale(0, 1).allowed).toBe(true);
  });

  it('refuses nonsense counts', () => {
    expect(() => canCreatePointOfSale(-1, 10)).toThrow(RangeError);
    expect(() => canCreatePointOfSale(1, 2.5)).toThrow(RangeError);
  });
});

describe('raiseCharge (R-POI: prorated from its date to the end of the billing period)', () => {
  it('bills 3 POI added at €29/month on 10 March: €61.74', () => {
    const charge = raiseCharge({ previousCount: 10, newCount: 13, monthlyPriceCents: 2900, effectiveOn: '2026-03-10' });
    expect(charge.totalCents).toBe(6174);
    expect(charge.lines).toEqual([{ from: '2026-03-10', to: '2026-03-31', days: 22, daysInMonth: 31, amountCents: 6174 }]);
  });

  it('bills a whole month when the raise starts on the 1st, one day on the last', () => {
    expect(raiseCharge({ previousCount: 1, newCount: 2, monthlyPriceCents: 2900, effectiveOn: '2026-04-01' }).totalCents).toBe(2900);
    expect(raiseCharge({ previousCount: 1, newCount: 2, monthlyPriceCents: 3000, effectiveOn: '2026-04-30' }).totalCents).toBe(100);
  });

  it('follows a billing period that crosses a month when one is given', () => {
    const charge = raiseCharge({ previousCount: 2, newCount: 3, monthlyPriceCents: 2900, effectiveOn: '2026-03-30', billingPeriodEnd: '2026-04-02' });
    expect(charge.lines.map((line) => line.amountCents)).toEqual([187, 193]); // 2/31 and 2/30 of 29.00
  });

  it('refuses a "raise" that does not increase the count', () => {
    expect(() => raiseCharge({ previousCount: 10, newCount: 10, monthlyPriceCents: 2900, effectiveOn: '2026-03-10' })).toThrow(RangeError);
    expect(() => raiseCharge({ previousCount: 10, newCount: 8, monthlyPriceCents: 2900, effectiveOn: '2026-03-10' })).toThrow(RangeError);
  });
});

describe('reductionEffectiveOn (§8.3: end of the contractual period, no refund)', () => {
  it('waits for the anniversary, then for the billing period it falls in to end', () => {
    // Asked in June 2026: the period ends on 24 March 2027 (mid-month) → effective 1 April 2027.
    expect(reductionEffectiveOn(licence.term, '2026-06-15')).toBe('2027-04-01');
    // The anniversary itself is in the next period: ends 24 March 2028 → 1 April 2028.
    expect(reductionEffectiveOn(licence.term, '2027-03-24')).toBe('2028-04-01');
    expect(reductionEffectiveOn(licence.term, '2027-03-23')).toBe('2027-04-01');
  });

  it('is the anniversary itself when it starts a billing period', () => {
    expect(reductionEffectiveOn(firstOfMonth.term, '2026-05-10')).toBe('2028-04-01'); // firm 24 months
    expect(reductionEffectiveOn(firstOfMonth.term, '2028-05-10')).toBe('2029-04-01'); // renewal year
  });

  it('takes effect at the next billing period under an order-form exception', () => {
    expect(reductionEffectiveOn(licence.term, '2026-06-15', 'next_billing_period')).toBe('2026-07-01');
    expect(reductionEffectiveOn(licence.term, '2026-06-01', 'next_billing_period')).toBe('2026-07-01');
  });

  it('billingPeriodStartOnOrAfter keeps a 1st and moves any other day to the next 1st', () => {
    expect(billingPeriodStartOnOrAfter('2026-04-01')).toBe('2026-04-01');
    expect(billingPeriodStartOnOrAfter('2026-12-24')).toBe('2027-01-01');
  });
});

describe('licensedCountAt and the amendment schedule', () => {
  it('is the order form count without amendments', () => {
    expect(licensedCountAt(licence, [], '2026-03-24')).toBe(10);
    expect(licensedCountAt(licence, [], '2030-01-01')).toBe(10);
  });

  it('raises on the amendment date, or on the later date it names', () => {
    const amendments = [
      { signedOn: '2026-05-10', poiCount: 13 },
      { signedOn: '2026-06-01', poiCount: 15, effectiveOn: '2026-06-15' },
    ];
    expect(licensedCountAt(licence, amendments, '2026-05-09')).toBe(10);
    expect(licensedCountAt(licence, amendments, '2026-05-10')).toBe(13);
    expect(licensedCountAt(licence, amendments, '2026-06-14')).toBe(13);
    expect(licensedCountAt(licence, amendments, '2026-06-15')).toBe(15);
    expect(licenceSchedule(licence, amendments).changes.map((c) => [c.kind, c.previousCount, c.poiCount, c.effectiveOn])).toEqual([
      ['raise', 10, 13, '2026-05-10'],
      ['raise', 13, 15, '2026-06-15'],
    ]);
  });

  it('keeps the old count until the reduction takes effect', () => {
    const amendments = [{ signedOn: '2026-06-15', poiCount: 6 }];
    expect(licensedCountAt(licence, amendments, '2026-06-15')).toBe(10);
    expect(licensedCountAt(licence, amendments, '2027-03-31')).toBe(10);
    expect(licensedCountAt(licence, amendments, '2027-04-01')).toBe(6);
  });

  it('lets a later raise supersede a pending reduction', () => {
    const amendments = [
      { signedOn: '2026-06-15', poiCount: 6 },
      { signedOn: '2026-09-01', poiCount: 12 },
    ];
    const schedule = licenceSchedule(licence, amendments);
    expect(schedule.changes.map((c) => [c.kind, c.previousCount, c.poiCount, c.effectiveOn])).toEqual([['raise', 10, 12, '2026-09-01']]);
    expect(schedule.superseded.map((c) => c.amendment.signedOn)).toEqual(['2026-06-15']);
    expect(licensedCountAt(licence, amendments, '2027-04-01')).toBe(12);
  });

  it('classifies against the count in force, not the pending one', () => {
    // In force 10, pending 6; then 8: still a reduction from 10, replacing the pending 6.
    const amendments = [
      { signedOn: '2026-06-15', poiCount: 6 },
      { signedOn: '2026-07-15', poiCount: 8 },
    ];
    const schedule = licenceSchedule(licence, amendments);
    expect(schedule.changes.map((c) => [c.kind, c.previousCount, c.poiCount, c.effectiveOn])).toEqual([['reduction', 10, 8, '2027-04-01']]);
    expect(licensedCountAt(licence, amendments, '2027-04-01')).toBe(8);
  });

  it('cancels a pending reduction with an amendment back to the count in force', () => {
    const amendments = [
      { signedOn: '2026-06-15', poiCount: 6 },
      { signedOn: '2026-07-15', poiCount: 10 },
    ];
    expect(licenceSchedule(licence, amendments).changes.map((c) => c.kind)).toEqual(['unchanged']);
    expect(licensedCountAt(licence, amendments, '2027-04-01')).toBe(10);
  });

  it('keeps a reduction that took effect before the next amendment', () => {
    const amendments = [
      { signedOn: '2026-06-15', poiCount: 6 },
      { signedOn: '2027-05-01', poiCount: 9 },
    ];
    expect(licenceSchedule(licence, amendments).changes.map((c) => [c.kind, c.previousCount, c.poiCount])).toEqual([
      ['reduction', 10, 6],
      ['raise', 6, 9],
    ]);
    expect(licensedCountAt(licence, amendments, '2027-04-30')).toBe(6);
    expect(licensedCountAt(licence, amendments, '2027-05-01')).toBe(9);
  });

  it('sorts amendments by signature date whatever the input order', () => {
    const amendments = [
      { signedOn: '2026-06-01', poiCount: 15 },
      { signedOn: '2026-05-10', poiCount: 13 },
    ];
    expect(licensedCountAt(licence, amendments, '2026-05-20')).toBe(13);
    expect(licensedCountAt(licence, amendments, '2026-06-01')).toBe(15);
  });

  it('uses the reduction policy of the order form when given', () => {
    const amendments = [{ signedOn: '2026-06-15', poiCount: 6 }];
    expect(licensedCountAt(licence, amendments, '2026-07-01', 'next_billing_period')).toBe(6);
  });

  it('refuses a retroactive raise and bad counts', () => {
    expect(() => licenceSchedule(licence, [{ signedOn: '2026-06-15', poiCount: 12, effectiveOn: '2026-06-01' }])).toThrow(RangeError);
    expect(() => licenceSchedule(licence, [{ signedOn: '2026-06-15', poiCount: -1 }])).toThrow(RangeError);
    expect(() => licenceSchedule({ ...licence, initialCount: 1.5 }, [])).toThrow(RangeError);
  });
});
