/**
 * Licensed points of sale (R-POI, CGVU §4 and §8.3).
 *
 * - §4: the SaaS may be used for the number of POI on the order form only; creating one more
 *   point of sale is refused until an amendment raises the licence.
 * - §8.3 "Le Client peut augmenter son nombre de Points de Vente à tout moment": a raise takes
 *   effect on its date (the signature, or a later date it names) and the extra POI are billed
 *   from that date to the end of the current billing period, prorated by actual days
 *   (proration.ts); from the next period they are in the monthly count.
 * - §8.3 "Pour toute réduction de POI, celle-ci ne prendra effet qu'à la fin de la période
 *   contractuelle en cours" and §4 "aucun remboursement ni diminution du prix forfaitaire": a
 *   reduction takes effect when both the contractual period (firm term or renewal year,
 *   contract-term.ts) and the billing period it ends in are over — the first billing period
 *   starting on or after the anniversary. Billing periods are calendar months (the monthly invoice
 *   run), so a contract started on 24 March that reduces at its anniversary keeps paying the old
 *   count until 31 March: nothing already billed is refunded. The order form may grant an
 *   exception (§8.3 "sauf accord commercial spécifique"): the policy `next_billing_period` makes a
 *   reduction effective at the start of the next billing period.
 * - Amendments state the new licensed count. One signed before an earlier one has taken effect
 *   supersedes it (a raise signed while a reduction is pending cancels the reduction), so the
 *   licensed count is always the one the client last agreed to.
 */
import { type ContractTerm, contractPeriodAt } from './contract-term.ts';
import { addMonths, compareDates, firstDayOfMonth, type IsoDate, isIsoDate, lastDayOfMonth } from './dates.ts';
import { type Proration, prorateMonthlyPrice } from './proration.ts';

export interface PoiAmendment {
  signedOn: IsoDate;
  /** The licensed count after this amendment. */
  poiCount: number;
  /** A raise may name a later effective date; a reduction waits for its period end anyway. */
  effectiveOn?: IsoDate;
}

export interface PoiLicence {
  /** The count on the order form. */
  initialCount: number;
  term: ContractTerm;
}

export type ReductionPolicy = 'contract_period_end' | 'next_billing_period';

export interface LicenceChange {
  kind: 'raise' | 'reduction' | 'unchanged';
  amendment: PoiAmendment;
  /** The licensed count in force when it was signed. */
  previousCount: number;
  poiCount: number;
  effectiveOn: IsoDate;
}

export interface LicenceSchedule {
  /** Changes that take (or took) effect, in order of effect. */
  changes: LicenceChange[];
  /** Changes superseded by a later amendment before they took effect. */
  superseded: LicenceChange[];
}

export type PoiCreationDecision =
  | { allowed: true }
  | { allowed: false; reason: 'licence_exhausted'; licensed: number; active: number; message: string };

/** §4: may one more point of sale be created with `activeCount` active under `licensedCount`? */
export function canCreatePointOfSale(activeCount: number, licensedCount: number): PoiCreationDecision {
  assertCount(activeCount, 'activeCount');
  assertCount(licensedCount, 'licensedCount');
  if (activeCount + 1 <= licensedCount) return { allowed: true };
  return {
    allowed: false,
    reason: 'licence_exhausted',
    licensed: licensedCount,
    active: activeCount,
    message: `the licence covers ${licensedCount} point(s) of sale and ${activeCount} are active: an amendment must raise it first`,
  };
}

/** The first day of the billing period (calendar month) starting on or after `date`. */
export function billingPeriodStartOnOrAfter(date: IsoDate): IsoDate {
  return date.endsWith('-01') ? date : addMonths(firstDayOfMonth(date), 1);
}

/** When a reduction asked on `requestedOn` takes effect (see the header). */
export function reductionEffectiveOn(term: ContractTerm, requestedOn: IsoDate, policy: ReductionPolicy = 'contract_period_end'): IsoDate {
  assertDate(requestedOn);
  if (policy === 'next_billing_period') return addMonths(firstDayOfMonth(requestedOn), 1);
  return billingPeriodStartOnOrAfter(contractPeriodAt(term, requestedOn).endsOn);
}

/** Every amendment, classified and dated, with the superseded ones apart. */
export function licenceSchedule(licence: PoiLicence, amendments: readonly PoiAmendment[], policy: ReductionPolicy = 'contract_period_end'): LicenceSchedule {
  assertCount(licence.initialCount, 'initialCount');
  const ordered = [...amendments].sort((a, b) => compareDates(a.signedOn, b.signedOn));
  const changes: LicenceChange[] = [];
  const superseded: LicenceChange[] = [];
  for (const amendment of ordered) {
    assertDate(amendment.signedOn);
    assertCount(amendment.poiCount, 'poiCount');
    // Anything not yet in effect when this one is signed gives way to it.
    while (changes.length > 0 && compareDates(changes[changes.length - 1]!.effectiveOn, amendment.signedOn) > 0) {
      superseded.push(changes.pop()!);
    }
    const previousCount = countIn(changes, licence.initialCount, amendment.signedOn);
    const kind = amendment.poiCount > previousCount ? 'raise' : amendment.poiCount < previousCount ? 'reduction' : 'unchanged';
    let effectiveOn: IsoDate;
    if (kind === 'reduction') {
      effectiveOn = reductionEffectiveOn(licence.term, amendment.effectiveOn ?? amendment.signedOn, policy);
    } else {
      effectiveOn = amendment.effectiveOn ?? amendment.signedOn;
      assertDate(effectiveOn);
      if (compareDates(effectiveOn, amendment.signedOn) < 0) {
        throw new RangeError(`an amendment takes effect on or after its signature (${effectiveOn} < ${amendment.signedOn})`);
      }
    }
    changes.push({ kind, amendment, previousCount, poiCount: amendment.poiCount, effectiveOn });
  }
  superseded.sort((a, b) => compareDates(a.amendment.signedOn, b.amendment.signedOn));
  return { changes, superseded };
}

/** The licensed count in force on `date`. */
export function licensedCountAt(
  licence: PoiLicence,
  amendments: readonly PoiAmendment[],
  date: IsoDate,
  policy: ReductionPolicy = 'contract_period_end',
): number {
  assertDate(date);
  return countIn(licenceSchedule(licence, amendments, policy).changes, licence.initialCount, date);
}

/**
 * What a raise costs for the rest of the billing period it starts in: the extra POI at the
 * monthly unit price, from `effectiveOn` to the period's last day (the month's end unless given).
 * 3 POI at €29 from 10 March → 6 174 cents (€61.74).
 */
export function raiseCharge(input: {
  previousCount: number;
  newCount: number;
  monthlyPriceCents: number;
  effectiveOn: IsoDate;
  billingPeriodEnd?: IsoDate;
}): Proration {
  assertCount(input.previousCount, 'previousCount');
  assertCount(input.newCount, 'newCount');
  if (input.newCount <= input.previousCount) throw new RangeError(`a raise increases the count (${input.previousCount} → ${input.newCount})`);
  assertDate(input.effectiveOn);
  return prorateMonthlyPrice({
    monthlyPriceCents: input.monthlyPriceCents,
    quantity: input.newCount - input.previousCount,
    from: input.effectiveOn,
    to: input.billingPeriodEnd ?? lastDayOfMonth(input.effectiveOn),
  });
}

function countIn(changes: readonly LicenceChange[], initialCount: number, date: IsoDate): number {
  let count = initialCount;
  for (const change of changes) {
    if (compareDates(change.effectiveOn, date) > 0) break;
    count = change.poiCount;
  }
  return count;
}

function assertCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number ≥ 0 (got ${value})`);
}

function assertDate(date: IsoDate): void {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
}
