import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import type { ContactRow } from './repo.ts';

/**
 * A contact's timeline (issue 4), newest first: the messages sent to its phone or email (the
 * messages table), its clicks, opens, replies and opt-outs (contact_activity; `received` is the
 * message itself, so it is not repeated) and its consent changes (contact_consent_events).
 *
 * The three sources are read with the same keyset — (instant in microseconds, key) — each up to
 * one page, then merged: a page never skips nor repeats an item, even when items share an instant.
 */

export interface TimelineItemView {
  type: 'message' | 'activity' | 'consent';
  at: string;
  channel: string | null;
  kind: string;
  messageId: string | null;
  campaignId: string | null;
  detail: Record<string, unknown>;
}

interface Row {
  us: string;
  key: string;
  type: TimelineItemView['type'];
  at: Date;
  channel: string | null;
  kind: string;
  message_id: string | null;
  campaign_id: string | null;
  detail: Record<string, unknown>;
}

const INVALID = () => new AppError('invalid_cursor', 'The cursor is not one this API gave', { errors: [{ path: '/querystring/cursor', message: 'is invalid' }] });

export async function contactTimeline(tx: Tx, tenantId: string, contact: ContactRow, limit: number, cursor: string | undefined): Promise<{ data: TimelineItemView[]; nextCursor: string | null }> {
  let after: { t: string; k: string } | null = null;
  if (cursor) {
    const decoded = decodeCursor<{ t: unknown; k: unknown }>(cursor);
    if (typeof decoded.t !== 'string' || !/^\d+$/.test(decoded.t) || typeof decoded.k !== 'string' || decoded.k.length > 300) throw INVALID();
    after = { t: decoded.t, k: decoded.k };
  }
  const before = (us: ReturnType<typeof sql>, key: ReturnType<typeof sql>) => (after ? sql`and (${us}, ${key}) < (${after.t}::bigint, ${after.k}::text collate "C")` : sql``);
  const addresses = [contact.phone, contact.email].filter((a): a is string => a !== null);
  const take = limit + 1;

  const messageUs = sql`(extract(epoch from m.created_at) * 1000000)::bigint`;
  const messageKey = sql`('m:' || m.id::text) collate "C"`;
  const messages = addresses.length
    ? await sql<Row>`
        select ${messageUs}::text as us, ${messageKey} as key, 'message' as type, m.created_at as at, m.channel, m.status as kind,
               m.id as message_id, m.campaign_id,
               jsonb_strip_nulls(jsonb_build_object('route', m.route, 'to', m.recipient, 'text', left(m.content ->> 'text', 160),
                                                    'subject', m.content ->> 'subject', 'error', m.error_code)) as detail
          from messages m
         where m.tenant_id = ${tenantId} and m.recipient = any(${addresses}::text[]) ${before(messageUs, messageKey)}
         order by 1 desc, 2 desc limit ${take}`.execute(tx)
    : { rows: [] as Row[] };

  const activityUs = sql`(extract(epoch from a.at) * 1000000)::bigint`;
  const activityKey = sql`('a:' || a.kind || ':' || coalesce(a.message_id::text, '') || ':' || coalesce(a.campaign_id::text, '') || ':' || coalesce(a.channel, '')) collate "C"`;
  const activity = await sql<Row>`
    select ${activityUs}::text as us, ${activityKey} as key, 'activity' as type, a.at, a.channel, a.kind, a.message_id, a.campaign_id, '{}'::jsonb as detail
      from contact_activity a
     where a.tenant_id = ${tenantId} and a.contact_id = ${contact.id} and a.kind <> 'received' ${before(activityUs, activityKey)}
     order by 1 desc, 2 desc limit ${take}`.execute(tx);

  const consentUs = sql`(extract(epoch from e.at) * 1000000)::bigint`;
  const consentKey = sql`('c:' || e.channel || ':' || e.status || ':' || e.source) collate "C"`;
  const consents = await sql<Row>`
    select ${consentUs}::text as us, ${consentKey} as key, 'consent' as type, e.at, e.channel, e.status as kind, null::uuid as message_id, null::uuid as campaign_id,
           jsonb_build_object('source', e.source, 'proof', e.proof, 'actor', e.actor) as detail
      from contact_consent_events e
     where e.tenant_id = ${tenantId} and e.contact_id = ${contact.id} ${before(consentUs, consentKey)}
     order by 1 desc, 2 desc limit ${take}`.execute(tx);

  const merged = [...messages.rows, ...activity.rows, ...consents.rows].sort((a, b) => compareDesc(a, b));
  const page = merged.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((row) => ({ type: row.type, at: row.at.toISOString(), channel: row.channel, kind: row.kind, messageId: row.message_id, campaignId: row.campaign_id, detail: row.detail })),
    nextCursor: merged.length > limit && last ? encodeCursor({ t: last.us, k: last.key }) : null,
  };
}

/** Newest first; same instant: larger key first (the SQL order, `C`-style byte comparison of ASCII keys). */
function compareDesc(a: Row, b: Row): number {
  const ta = BigInt(a.us);
  const tb = BigInt(b.us);
  if (ta !== tb) return ta > tb ? -1 : 1;
  if (a.key === b.key) return 0;
  return a.key > b.key ? -1 : 1;
}
