import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { prepareSegment } from '../segments/index.ts';

/** A campaign's audience: contacts in any of the included segments, minus those in an excluded one. */
export interface Audience {
  /** Segments and static lists; none: every contact of the tenant. */
  include: string[];
  exclude: string[];
}

/**
 * The audience as one boolean over `contacts AS c`, every value a parameter (the segments module
 * compiles each segment). An excluded segment whose rules are unknown for a contact (NULL: no
 * such attribute) does not exclude it. Consent and the suppression list are not part of it: the
 * fan-out and the estimate add them for the campaign's channel (R-CONSENT, R-OPTOUT).
 */
export async function audienceWhere(tx: Tx, tenantId: string, audience: Audience, now: Date): Promise<RawBuilder<boolean>> {
  const include = await Promise.all(audience.include.map(async (segmentId) => (await prepareSegment(tx, tenantId, { segmentId }, { now })).where));
  const exclude = await Promise.all(audience.exclude.map(async (segmentId) => (await prepareSegment(tx, tenantId, { segmentId }, { now })).where));
  const parts: RawBuilder<boolean>[] = [];
  if (include.length) parts.push(sql<boolean>`coalesce((${sql.join(include, sql` or `)}), false)`);
  for (const where of exclude) parts.push(sql<boolean>`not coalesce((${where}), false)`);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` and `)})` : sql<boolean>`true`;
}
