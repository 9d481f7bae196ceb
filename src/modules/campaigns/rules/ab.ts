import { createHash } from 'node:crypto';

/**
 * A/B tests: 2 to 4 variants, each sent to a share of the audience. With a winner rule, those
 * shares are the test groups; after N hours the variant with the best click rate (or delivery
 * rate) is sent to the rest of the audience. Without one, the shares split the whole audience.
 *
 * Each contact falls in a bucket 0–99 drawn from the campaign and contact ids, so the same contact
 * is always in the same group of a campaign (a resumed fan-out decides the same), and groups of
 * different campaigns are independent.
 */

export const VARIANT_KEYS = ['A', 'B', 'C', 'D'] as const;
export type VariantKey = (typeof VARIANT_KEYS)[number];

export type WinnerMetric = 'click_rate' | 'delivery_rate';

export interface WinnerRule {
  metric: WinnerMetric;
  /** Hours after the test groups were sent. */
  afterHours: number;
}

export interface SplitVariant {
  key: string;
  /** Percent of the audience. */
  split: number;
}

/**
 * The first 32 bits of MD5(campaign id ":" contact id), modulo 100: a stable, well-spread bucket
 * per campaign and contact. MD5 because PostgreSQL computes the same (`md5()`), so the fan-out can
 * assign groups in SQL (see `AB_BUCKET_SQL` in repo.ts); it is no security measure here.
 */
export function abBucket(campaignId: string, contactId: string): number {
  return Number.parseInt(createHash('md5').update(`${campaignId}:${contactId}`).digest('hex').slice(0, 8), 16) % 100;
}

/**
 * The variant (its index) of a bucket: variant 0 takes buckets [0, split0), variant 1 the next
 * split1 buckets, and so on; null for buckets past the test groups (they wait for the winner).
 */
export function variantOfBucket(bucket: number, variants: readonly SplitVariant[]): number | null {
  if (variants.length === 1) return 0;
  let upper = 0;
  for (let i = 0; i < variants.length; i++) {
    upper += (variants[i] as SplitVariant).split;
    if (bucket < upper) return i;
  }
  return null;
}

/** Problems of an A/B set-up, as [path, message] pairs. */
export function abProblems(variants: readonly SplitVariant[], winner: WinnerRule | null): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (variants.length < 1 || variants.length > 4) problems.push(['/variants', 'give 1 variant, or 2 to 4 for an A/B test']);
  const keys = new Set<string>();
  variants.forEach((variant, index) => {
    if (!(VARIANT_KEYS as readonly string[]).includes(variant.key)) problems.push([`/variants/${index}/key`, 'must be A, B, C or D']);
    if (keys.has(variant.key)) problems.push([`/variants/${index}/key`, 'is used twice']);
    keys.add(variant.key);
    if (variants.length > 1 && (!Number.isInteger(variant.split) || variant.split < 1 || variant.split > 99)) {
      problems.push([`/variants/${index}/split`, 'must be a whole percentage from 1 to 99']);
    }
  });
  if (variants.length === 1 && winner) problems.push(['/ab/winner', 'a winner rule needs 2 to 4 variants']);
  if (variants.length > 1) {
    const total = variants.reduce((sum, v) => sum + v.split, 0);
    if (winner && total > 99) problems.push(['/variants', `the test groups take ${total}% of the audience: leave some for the winner (at most 99%)`]);
    if (!winner && total !== 100) problems.push(['/variants', `without a winner rule the splits must add up to 100% (they add up to ${total}%)`]);
  }
  if (winner) {
    if (!Number.isInteger(winner.afterHours) || winner.afterHours < 1 || winner.afterHours > 168) problems.push(['/ab/winner/afterHours', 'must be a whole number of hours from 1 to 168']);
    if (winner.metric !== 'click_rate' && winner.metric !== 'delivery_rate') problems.push(['/ab/winner/metric', 'must be click_rate or delivery_rate']);
  }
  return problems;
}

export interface VariantResult {
  key: string;
  /** Messages made for the variant (the denominator). */
  sent: number;
  delivered: number;
  uniqueClicks: number;
}

/**
 * The winner: the best rate for the metric; on a tie, the variant listed first (A before B), so
 * the decision never depends on the order the database returns rows in. Rates are compared as
 * cross products of integers (no floating point).
 */
export function pickWinner(results: readonly VariantResult[], metric: WinnerMetric): { index: number; key: string } {
  if (!results.length) throw new Error('pickWinner needs at least one variant');
  const numerator = (r: VariantResult) => (metric === 'click_rate' ? r.uniqueClicks : r.delivered);
  let best = 0;
  for (let i = 1; i < results.length; i++) {
    const a = results[i] as VariantResult;
    const b = results[best] as VariantResult;
    // a/sentA > b/sentB  ⇔  a·sentB > b·sentA (a variant that sent nothing has rate 0).
    const left = a.sent === 0 ? 0 : numerator(a) * Math.max(b.sent, 1);
    const right = b.sent === 0 ? 0 : numerator(b) * Math.max(a.sent, 1);
    if (left > right) best = i;
  }
  return { index: best, key: (results[best] as VariantResult).key };
}
