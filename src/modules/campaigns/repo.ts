import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { Database, Tx } from '../../platform/db/database.ts';
import { type CampaignsTable, campaignsTx } from './db.ts';
import type { CampaignChannel } from './rules.ts';

/** SQL of the campaigns module. Every function runs in the caller's transaction (withTenant). */

export type CampaignRow = Selectable<CampaignsTable>;

export async function getCampaign(tx: Tx, tenantId: string, id: string, lock: 'update' | 'share' | null = null): Promise<CampaignRow | undefined> {
  let query = campaignsTx(tx).selectFrom('campaigns').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock === 'update') query = query.forUpdate();
  if (lock === 'share') query = query.forShare();
  return query.executeTakeFirst();
}

export interface CampaignFilter {
  status?: string | undefined;
  /** Calendar: campaigns whose date (scheduled, started or created) falls in [from, until). */
  from?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  after?: { createdAt: Date; id: string } | undefined;
}

export async function listCampaigns(tx: Tx, tenantId: string, filter: CampaignFilter): Promise<CampaignRow[]> {
  let query = campaignsTx(tx).selectFrom('campaigns').selectAll().where('tenant_id', '=', tenantId);
  if (filter.status) query = query.where('status', '=', filter.status);
  const day = sql<Date>`coalesce(scheduled_at, started_at, created_at)`;
  if (filter.from) query = query.where(day, '>=', filter.from);
  if (filter.until) query = query.where(day, '<', filter.until);
  const after = filter.after;
  if (after) query = query.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Per campaign: recipients made and messages by outcome (the list's counters). */
export async function campaignCounters(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, { recipients: number; sent: number; delivered: number; failed: number }>> {
  if (!ids.length) return new Map();
  const { rows } = await sql<{ campaign_id: string; recipients: number; sent: number; delivered: number; failed: number }>`
    select r.campaign_id, count(r.message_id)::int as recipients,
           count(*) filter (where m.submitted_at is not null)::int as sent,
           count(*) filter (where m.status in ('delivered', 'read'))::int as delivered,
           count(*) filter (where m.status in ('failed', 'undelivered', 'expired'))::int as failed
      from campaign_recipients r
      left join messages m on m.id = r.message_id and m.created_at = r.message_created_at
     where r.tenant_id = ${tenantId} and r.campaign_id = any(${ids}::uuid[])
     group by r.campaign_id`.execute(tx);
  return new Map(rows.map((row) => [row.campaign_id, row]));
}

// Fan-out ----------------------------------------------------------------------------------------

/** Per channel: the contacts column that holds its consent and the address it reaches (fixed SQL, never from input). */
const CHANNEL_COLUMNS: Record<CampaignChannel, { consent: RawBuilder<string>; address: RawBuilder<string> }> = {
  sms: { consent: sql`c.consent_sms`, address: sql`c.phone` },
  rcs: { consent: sql`c.consent_rcs`, address: sql`c.phone` },
  email: { consent: sql`c.consent_email`, address: sql`c.email` },
};

/**
 * For the rest of a fan-out batch's transaction: walk the primary key in order rather than collect
 * a range in a bitmap and sort it. A batch reads a few thousand contacts after its cursor; without
 * statistics (a fresh import) or with a bound known only at execution, PostgreSQL otherwise plans a
 * bitmap scan of every contact left and sorts it, per batch (measured: 290,000 rows sorted to keep
 * 5,000). The dispatch functions pin their plans the same way (migration 0006).
 */
export async function pinBatchPlans(tx: Tx): Promise<void> {
  await sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`.execute(tx);
}

/**
 * A lane's checkpoint, in the batch's own transaction: where the next batch starts, how many
 * messages the lane has made (the throttle's ordinal), how many contacts it skipped, and the
 * latest instant it gave a message.
 */
export async function saveLaneCheckpoint(
  tx: Tx,
  key: { tenantId: string; campaignId: string; phase: string; lane: number },
  state: { cursor: string | null; made: number; skipped: number; done: boolean; lastSendAt: Date | null; now: Date },
): Promise<void> {
  const { lastSendAt } = state;
  await campaignsTx(tx)
    .updateTable('campaign_fanout_lanes')
    .set((eb) => ({
      cursor_id: state.cursor,
      made: state.made,
      skipped: eb('skipped', '+', state.skipped),
      done: state.done,
      last_send_at: lastSendAt ? eb.fn('greatest', [eb.ref('last_send_at'), eb.val(lastSendAt)]) : eb.ref('last_send_at'),
      updated_at: state.now,
    }))
    .where('tenant_id', '=', key.tenantId)
    .where('campaign_id', '=', key.campaignId)
    .where('phase', '=', key.phase)
    .where('lane', '=', key.lane)
    .execute();
}

/**
 * The end of the next batch, keyset pagination over the primary key (tenant_id, id): the
 * `limit`-th contact id after the cursor (one walk of the index), never past the lane's end; null
 * when fewer are left (the last batch). Each batch covers the next `limit` contacts of the tenant,
 * of which those in the audience get a message: the scan never goes past the batch, however few
 * contacts it keeps. The bounds reach the batch's query as constants: a bound computed inside it
 * (an InitPlan behind coalesce) is no index condition under row-level security (coalesce is not
 * leakproof), and neither is `($1 is null or c.id > $1)`.
 */
export async function nextBatchEnd(tx: Tx, tenantId: string, after: string | null, upTo: string | null, limit: number): Promise<string | null> {
  const { rows } = await sql<{ id: string }>`
    select k.id from contacts k
     where k.tenant_id = ${tenantId} ${after ? sql`and k.id > ${after}::uuid` : sql``} ${upTo ? sql`and k.id <= ${upTo}::uuid` : sql``}
     order by k.id offset ${limit - 1} limit 1`.execute(tx);
  return rows[0]?.id ?? null;
}

/** `after < c.id <= end` (end: the batch's, else the lane's, else none). */
function batchRange(after: string | null, end: string | null, upTo: string | null): RawBuilder<unknown> {
  const upper = end ?? upTo;
  return sql`${after ? sql`and c.id > ${after}::uuid` : sql``} ${upper ? sql`and c.id <= ${upper}::uuid` : sql``}`;
}

export interface AudienceRow {
  id: string;
  address: string;
  consent_sms: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  language: string | null;
  point_of_sale: string | null;
  external_id: string | null;
  attributes: Record<string, unknown> | null;
}

export interface BatchQuery {
  tenantId: string;
  campaignId: string;
  channel: CampaignChannel;
  /** The audience (segments minus exclusions) as a boolean over `contacts AS c`. */
  audience: RawBuilder<boolean>;
  after: string | null;
  /** The batch's last contact id (nextBatchEnd); null: up to the lane's end. */
  end: string | null;
  upTo: string | null;
  /** Merge fields are rendered: read the contact's fields too. */
  withFields: boolean;
  /** Winner phase: contacts the test already reached are left out. */
  skipReached: boolean;
}

/**
 * The next contacts of the audience in id order (keyset pagination): with an address for the
 * channel, consent granted for it (R-CONSENT), and not on the suppression list (R-OPTOUT).
 */
export async function readAudienceBatch(tx: Tx, q: BatchQuery): Promise<AudienceRow[]> {
  const { consent, address } = CHANNEL_COLUMNS[q.channel];
  const fields = q.withFields
    ? sql`c.first_name, c.last_name, c.email, c.phone, c.language, c.point_of_sale, c.external_id, c.attributes`
    : sql`null::text as first_name, null::text as last_name, null::text as email, null::text as phone, null::text as language,
          null::text as point_of_sale, null::text as external_id, null::jsonb as attributes`;
  const { rows } = await sql<AudienceRow>`
    select c.id, ${address} as address, c.consent_sms, ${fields}
      from contacts c
     where c.tenant_id = ${q.tenantId}
       ${batchRange(q.after, q.end, q.upTo)}
       and ${address} is not null
       and ${consent} = 'granted'
       and not exists (select 1 from suppressions s where s.tenant_id = c.tenant_id and s.address = ${address})
       and ${q.audience}
       ${q.skipReached ? sql`and not exists (select 1 from campaign_recipients r where r.tenant_id = c.tenant_id and r.campaign_id = ${q.campaignId} and r.contact_id = c.id)` : sql``}
     order by c.id`.execute(tx);
  return rows;
}

/**
 * A message shape shared by many rows: what the send path prepared for one variant (the content,
 * with U+E000 where each recipient's link token goes, and its counts).
 */
export interface MessageShape {
  content: Record<string, unknown>;
  encoding: string | null;
  segments: number | null;
  characters: number | null;
  sender: string | null;
  fallback: string | null;
  warnings: string[];
}

/**
 * One row of a batch: [contact id, message id, created at, recipient, country, status, send at,
 * expires at, price (millicents), variant, token, shape index, own content | null, encoding,
 * segments, characters, skip reason]. A row with a skip reason makes no message.
 */
export type FanoutRow = [
  string,
  string | null,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
  string,
  string | null,
  number | null,
  Record<string, unknown> | null,
  string | null,
  number | null,
  number | null,
  string | null,
];

export interface FanoutInsert {
  tenantId: string;
  campaignId: string;
  channel: CampaignChannel;
  phase: string;
  linkBase: string;
  now: Date;
  shapes: MessageShape[];
  rows: FanoutRow[];
}

/**
 * One batch of the fan-out in ONE statement: the recipients (the idempotency key), their messages
 * with `campaign_id`, the first history entry and the outbox rows. The recipients rows are also the
 * contacts' `received` behaviour for segments (segments/compile.ts reads them; an activity row per
 * message cost a sixth of the batch, bench/RESULTS.md §7).
 * Consent (R-CONSENT) and the suppression list (R-OPTOUT) are checked again here, in the snapshot
 * of the insert, as the send path does for suppressions: a contact who opted out since the batch
 * was read gets nothing.
 *
 * A contact the campaign already reached makes the recipients insert fail (unique key): the
 * caller replays the batch without the contacts already reached (`skipReached`). Every other
 * step derives from the same input rows, so the statement needs no join between its own results
 * (a join of two CTEs is planned from a guess of 100 rows each, and nested: quadratic).
 */
export async function insertFanoutBatch(tx: Tx, batch: FanoutInsert): Promise<{ made: number; skipped: number; lastSendAt: Date | null }> {
  if (!batch.rows.length) return { made: 0, skipped: 0, lastSendAt: null };
  const { rows } = await fanoutBatchSql(batch).execute(tx);
  const row = rows[0];
  return { made: row?.made ?? 0, skipped: row?.skipped ?? 0, lastSendAt: row?.last_send_at ?? null };
}

/** The statement of `insertFanoutBatch` (benchmarks EXPLAIN it). */
export function fanoutBatchSql(batch: FanoutInsert): RawBuilder<{ made: number; skipped: number; last_send_at: Date | null }> {
  const { consent, address } = CHANNEL_COLUMNS[batch.channel];
  return sql<{ made: number; skipped: number; last_send_at: Date | null }>`
    with shapes as (
      select (s.n - 1)::int as shape, s.v->'content' as content, s.v->>'encoding' as encoding, (s.v->>'segments')::int as segments,
             (s.v->>'characters')::int as characters, s.v->>'sender' as sender, s.v->>'fallback' as fallback,
             case when jsonb_array_length(s.v->'warnings') = 0 then '{}'::text[] else array(select jsonb_array_elements_text(s.v->'warnings')) end as warnings
        from jsonb_array_elements(${JSON.stringify(batch.shapes)}::jsonb) with ordinality as s(v, n)
    ), input as materialized (
      select (r->>0)::uuid as contact_id, (r->>1)::uuid as id, (r->>2)::timestamptz as created_at, r->>3 as recipient,
             r->>4 as country, r->>5 as status, (r->>6)::timestamptz as send_at, (r->>7)::timestamptz as expires_at,
             (r->>8)::bigint as price, r->>9 as variant, r->>10 as token, (r->>11)::int as shape,
             case when jsonb_typeof(r->12) = 'object' then r->12 end as own_content,
             r->>13 as own_encoding, (r->>14)::int as own_segments, (r->>15)::int as own_characters, r->>16 as skip
        from jsonb_array_elements(${JSON.stringify(batch.rows)}::jsonb) as r
    ), eligible as (
      -- Per row, by index: the contact's consent and address as a scalar subquery (never turned
      -- into a join planned from the CTE's guessed 100 rows), the suppression list by its key.
      -- Plain columns on both sides: under row-level security only leakproof comparisons (text =,
      -- uuid =) reach an index; a jsonb operator there would scan the tenant's rows for each row.
      select i.*
        from input i
       where (select ${consent} = 'granted' and ${address} = i.recipient
                from contacts c where c.tenant_id = ${batch.tenantId}::uuid and c.id = i.contact_id)
         and not exists (select 1 from suppressions s where s.tenant_id = ${batch.tenantId}::uuid and s.address = i.recipient)
    ), claimed as (
      insert into campaign_recipients (tenant_id, campaign_id, contact_id, variant, phase, address, message_id, message_created_at, token, skip_reason, created_at)
      select ${batch.tenantId}::uuid, ${batch.campaignId}::uuid, e.contact_id, e.variant, ${batch.phase}, e.recipient,
             case when e.skip is null then e.id end, case when e.skip is null then e.created_at end, e.token, e.skip, ${batch.now}::timestamptz
        from eligible e
      returning skip_reason
    ), made as (
      select e.id, e.created_at, e.contact_id, e.recipient, e.country, e.status, e.send_at, e.expires_at, e.price, e.variant,
             case when e.own_content is not null then e.own_content
                  when e.token is not null then replace(sh.content::text, ${'\uE000'}, ${`${batch.linkBase}/r/`} || e.token)::jsonb
                  else sh.content end as content,
             coalesce(e.own_encoding, sh.encoding) as encoding, coalesce(e.own_segments, sh.segments) as segments,
             coalesce(e.own_characters, sh.characters) as characters, sh.sender, sh.fallback, coalesce(sh.warnings, '{}') as warnings
        from eligible e
        left join shapes sh on sh.shape = e.shape
       where e.skip is null
    ), messages_in as (
      insert into messages (id, created_at, tenant_id, channel, route, status, sender, recipient, country, content, encoding, segments,
                            characters, price_millicents, send_at, expires_at, fallback, metadata, campaign_id, warnings)
      select id, created_at, ${batch.tenantId}::uuid, ${batch.channel}, 'marketing', status, sender, recipient, country, content, encoding, segments,
             characters, price, send_at, expires_at, fallback,
             jsonb_build_object('campaignId', ${batch.campaignId}::text, 'variant', variant), ${batch.campaignId}::uuid, warnings
        from made
    ), events as (
      insert into message_events (tenant_id, message_id, at, status, detail)
      select ${batch.tenantId}::uuid, id, created_at, status, jsonb_build_object('campaignId', ${batch.campaignId}::text) from made
    ), queued as (
      insert into outbox (message_id, message_created_at, tenant_id, channel, route, priority, due_at)
      select id, created_at, ${batch.tenantId}::uuid, ${batch.channel}, 'marketing', 5, send_at from made
    )
    select (select count(*) from made)::int as made,
           (select count(*) from claimed where skip_reason is not null)::int as skipped,
           (select max(send_at) from made) as last_send_at`;
}

/** The recipients insert met a contact the campaign already reached (a replayed batch). */
export function isRecipientConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === 'campaign_recipients_pkey';
}

// The set-based fan-out ---------------------------------------------------------------------------

/**
 * The A/B bucket of `c.id` in SQL, the same number as `abBucket` (rules/ab.ts): the first 32 bits
 * of MD5(campaign ":" contact), modulo 100.
 */
const abBucketSql = (campaignId: string) => sql<number>`(('x' || substr(md5(${campaignId} || ':' || c.id::text), 1, 8))::bit(32)::bigint % 100)::int`;

/** What the send path decided for one (variant, fallback, class of numbers): see `phoneClass`. */
export interface ClassFact {
  country: string | null;
  price: number;
  /** Index of the recipient's quiet-hours zone (zone and region) in the slots. */
  qz: number;
  ttlMs: number;
  /** The send path refuses this class (e.g. invalid_phone_number): its contacts are skipped. */
  skip: string | null;
}

export interface SharedBatch {
  tenantId: string;
  campaignId: string;
  channel: 'sms' | 'rcs';
  phase: string;
  audience: RawBuilder<boolean>;
  after: string | null;
  /** The batch's last contact id (nextBatchEnd); null: up to the lane's end. */
  end: string | null;
  upTo: string | null;
  skipReached: boolean;
  now: Date;
  linkBase: string;
  tracked: boolean;
  /** RCS: the SMS fallback for contacts who also consented to SMS. */
  smsFallback: boolean;
  /** The winner's index (winner phase), or the cumulative upper bounds of the variants' buckets. */
  variants: { winner: number } | { bounds: number[] };
  /** Facts by `${variant}|${fallback}|${class}`. */
  facts: Record<string, ClassFact>;
  /** Send instants by `${qz}|${minute}`. */
  slots: Record<string, string>;
  /** Message shapes by `variant * 2 + fallback`. */
  shapes: Array<MessageShape | null>;
  variantKeys: string[];
  /** The throttle: messages this lane made before, the lane, the lanes, per minute (null: none). */
  throttle: { made: number; lane: number; lanes: number; perMinute: number | null };
}

export interface SharedBatchResult {
  made: number;
  skipped: number;
  lastSendAt: Date | null;
  /** Classes without facts yet: nothing was written; the caller decides them and runs the batch again. */
  unknown: Array<{ v: number; fb: number; cls: string; sample: string }>;
}

/**
 * One batch of a shared-text SMS/RCS campaign, entirely in PostgreSQL: no contact row travels to
 * the worker. The next contacts of the audience in id order (keyset), with consent (R-CONSENT),
 * not suppressed (R-OPTOUT); their A/B variant; the send path's verdict for their class of numbers
 * and their send instant (R-QUIET at their throttle slot), both decided by the worker from the send
 * path's own functions and passed as lookup tables; then recipients, messages (each a UUIDv7 made
 * here: the time of `now`, 74 random bits), history, outbox and activity, written by the same
 * statement. When a class is not decided yet, nothing is written and it is returned.
 */
export async function fanoutSharedBatch(tx: Tx, q: SharedBatch): Promise<SharedBatchResult> {
  const { rows } = await sharedBatchSql(q).execute(tx);
  const row = rows[0];
  return { made: row?.made ?? 0, skipped: row?.skipped ?? 0, lastSendAt: row?.last_send_at ?? null, unknown: row?.unknown ?? [] };
}

/** The statement of `fanoutSharedBatch` (benchmarks EXPLAIN it). */
export function sharedBatchSql(q: SharedBatch): RawBuilder<{ made: number; skipped: number; last_send_at: Date | null; unknown: SharedBatchResult['unknown'] | null }> {
  const { consent, address } = CHANNEL_COLUMNS[q.channel];
  const bounds = 'bounds' in q.variants ? q.variants.bounds : null;
  const variantExpr = bounds
    ? bounds.length === 1
      ? sql<number>`0`
      : sql<number>`case ${sql.join(bounds.map((bound, i) => sql`when ${abBucketSql(q.campaignId)} < ${bound}::int then ${i}::int`), sql` `)} end`
    : sql<number>`${(q.variants as { winner: number }).winner}::int`;
  const fallbackExpr = q.channel === 'rcs' && q.smsFallback ? sql<number>`(c.consent_sms = 'granted')::int` : sql<number>`0`;
  const { made, lane, lanes, perMinute } = q.throttle;
  const minuteExpr = perMinute ? sql<string>`floor(((${made}::bigint + g.k) * ${lanes}::bigint + ${lane}::bigint) / ${perMinute}::bigint)::bigint::text` : sql<string>`'0'`;
  const ms = q.now.getTime();
  return sql<{ made: number; skipped: number; last_send_at: Date | null; unknown: SharedBatchResult['unknown'] | null }>`
    with params as materialized (
      select ${JSON.stringify(q.facts)}::jsonb as facts, ${JSON.stringify(q.slots)}::jsonb as slots
    ), shapes as materialized (
      select (s.n - 1)::int as shape, s.v->'content' as content, s.v->>'encoding' as encoding, (s.v->>'segments')::int as segments,
             (s.v->>'characters')::int as characters, s.v->>'sender' as sender, s.v->>'fallback' as fallback,
             case when jsonb_typeof(s.v->'warnings') = 'array' and jsonb_array_length(s.v->'warnings') > 0
                  then array(select jsonb_array_elements_text(s.v->'warnings')) else '{}'::text[] end as warnings
        from jsonb_array_elements(${JSON.stringify(q.shapes)}::jsonb) with ordinality as s(v, n)
    ), batch as materialized (
      select c.id as contact_id, ${address} as recipient, ${fallbackExpr} as fb,
             left(${address}, 8) || ':' || length(${address}) as cls, ${variantExpr} as v
        from contacts c
       where c.tenant_id = ${q.tenantId}
         ${batchRange(q.after, q.end, q.upTo)}
         and ${address} is not null
         and ${consent} = 'granted'
         and not exists (select 1 from suppressions s where s.tenant_id = c.tenant_id and s.address = ${address})
         and ${q.audience}
         ${q.skipReached ? sql`and not exists (select 1 from campaign_recipients r where r.tenant_id = c.tenant_id and r.campaign_id = ${q.campaignId} and r.contact_id = c.id)` : sql``}
    ), assigned as materialized (
      select b.contact_id, b.recipient, b.fb, b.cls, b.v, p.facts -> (b.v || '|' || b.fb || '|' || b.cls) as f
        from batch b cross join params p
       where b.v is not null
    ), unknown as (
      select v, fb, cls, min(recipient) as sample from assigned where f is null group by 1, 2, 3
    ), good as materialized (
      select a.*, row_number() over (order by a.contact_id) - 1 as k, uuid_send(gen_random_uuid()) as rb,
             ${q.tracked ? sql`translate(encode(substring(uuid_send(gen_random_uuid()) from 1 for 6), 'base64'), '+/', '-_')` : sql`null::text`} as token
        from assigned a
       where a.f is not null and a.f->>'skip' is null and not exists (select 1 from unknown)
    ), made as materialized (
      select g.contact_id, g.recipient, g.v, g.fb, g.token,
             encode(set_byte(overlay(g.rb placing substring(int8send(${ms}::bigint) from 3 for 6) from 1 for 6), 6, (get_byte(g.rb, 6) & 15) | 112), 'hex')::uuid as id,
             g.f->>'country' as country, (g.f->>'price')::bigint as price, (g.f->>'ttlMs')::bigint as ttl_ms,
             (p.slots ->> ((g.f->>'qz') || '|' || ${minuteExpr}))::timestamptz as send_at
        from good g cross join params p
    ), skipped as (
      select a.contact_id, a.recipient, a.v, a.f->>'skip' as skip
        from assigned a
       where a.f->>'skip' is not null and not exists (select 1 from unknown)
    ), claimed as (
      insert into campaign_recipients (tenant_id, campaign_id, contact_id, variant, phase, address, message_id, message_created_at, token, skip_reason, created_at)
      select ${q.tenantId}::uuid, ${q.campaignId}::uuid, m.contact_id, (${q.variantKeys}::text[])[m.v + 1], ${q.phase}, m.recipient, m.id, ${q.now}::timestamptz, m.token, null, ${q.now}::timestamptz
        from made m
      union all
      select ${q.tenantId}::uuid, ${q.campaignId}::uuid, k.contact_id, (${q.variantKeys}::text[])[k.v + 1], ${q.phase}, k.recipient, null, null, null, k.skip, ${q.now}::timestamptz
        from skipped k
    ), messages_in as (
      insert into messages (id, created_at, tenant_id, channel, route, status, sender, recipient, country, content, encoding, segments,
                            characters, price_millicents, send_at, expires_at, fallback, metadata, campaign_id, warnings)
      select m.id, ${q.now}::timestamptz, ${q.tenantId}::uuid, ${q.channel}, 'marketing',
             case when m.send_at > ${q.now}::timestamptz + interval '1 second' then 'scheduled' else 'queued' end,
             sh.sender, m.recipient, m.country,
             case when m.token is null then sh.content else replace(sh.content::text, ${'\uE000'}, ${`${q.linkBase}/r/`} || m.token)::jsonb end,
             sh.encoding, sh.segments, sh.characters, m.price, m.send_at, m.send_at + m.ttl_ms * interval '1 millisecond', sh.fallback,
             jsonb_build_object('campaignId', ${q.campaignId}::text, 'variant', (${q.variantKeys}::text[])[m.v + 1]), ${q.campaignId}::uuid, sh.warnings
        from made m join shapes sh on sh.shape = m.v * 2 + m.fb
    ), events as (
      insert into message_events (tenant_id, message_id, at, status, detail)
      select ${q.tenantId}::uuid, m.id, ${q.now}::timestamptz,
             case when m.send_at > ${q.now}::timestamptz + interval '1 second' then 'scheduled' else 'queued' end,
             jsonb_build_object('campaignId', ${q.campaignId}::text)
        from made m
    ), queued as (
      insert into outbox (message_id, message_created_at, tenant_id, channel, route, priority, due_at)
      select m.id, ${q.now}::timestamptz, ${q.tenantId}::uuid, ${q.channel}, 'marketing', 5, m.send_at from made m
    )
    select
           (select count(*) from made)::int as made,
           (select count(*) from skipped)::int as skipped,
           (select max(send_at) from made) as last_send_at,
           (select jsonb_agg(jsonb_build_object('v', v, 'fb', fb, 'cls', cls, 'sample', sample)) from unknown) as unknown`;
}

/**
 * Lane boundaries: the ids that cut the tenant's contacts into `lanes` ranges of equal size (an
 * index-only walk of the primary key).
 */
export async function laneBoundaries(tx: Tx, tenantId: string, lanes: number, total: number): Promise<string[]> {
  const cuts: string[] = [];
  for (let i = 1; i < lanes; i++) {
    const { rows } = await sql<{ id: string }>`
      select id from contacts where tenant_id = ${tenantId} order by id offset ${Math.floor((total * i) / lanes)} limit 1`.execute(tx);
    const id = rows[0]?.id;
    if (id && !cuts.includes(id)) cuts.push(id);
  }
  return cuts;
}

export async function countContacts(tx: Tx, tenantId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from contacts where tenant_id = ${tenantId}`.execute(tx);
  return rows[0]?.n ?? 0;
}

// Pause, resume, cancel -------------------------------------------------------------------------

/** Takes the campaign's waiting messages out of the outbox (those being sent right now go on). */
export async function holdOutbox(tx: Tx, tenantId: string, campaignId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with moved as (
      delete from outbox o
       using campaign_recipients r
       where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId} and r.message_id is not null
         and o.message_id = r.message_id and o.lease_until is null
      returning o.*
    ), kept as (
      insert into campaign_paused_outbox (tenant_id, campaign_id, message_id, message_created_at, channel, route, priority, due_at)
      select tenant_id, ${campaignId}::uuid, message_id, message_created_at, channel, route, priority, due_at from moved
      on conflict do nothing
      returning 1
    )
    select count(*)::int as n from kept`.execute(tx);
  return rows[0]?.n ?? 0;
}

/**
 * Puts the held messages back, each later by the time the campaign was paused (the throttle's
 * spacing is kept). The dispatcher judges R-QUIET again when it takes them.
 */
export async function releaseOutbox(tx: Tx, tenantId: string, campaignId: string, pausedAt: Date, now: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with back as (
      delete from campaign_paused_outbox where tenant_id = ${tenantId} and campaign_id = ${campaignId} returning *
    ), shifted as (
      select b.*, greatest(b.due_at + (${now}::timestamptz - ${pausedAt}::timestamptz), ${now}::timestamptz) as new_due from back b
    ), requeued as (
      insert into outbox (message_id, message_created_at, tenant_id, channel, route, priority, due_at)
      select message_id, message_created_at, tenant_id, channel, route, priority, new_due from shifted
      on conflict (message_id) do nothing
      returning message_id
    ), moved as (
      update messages m
         set send_at = s.new_due, status = case when s.new_due > ${now}::timestamptz + interval '1 second' then 'scheduled' else 'queued' end,
             updated_at = now()
        from shifted s
       where m.id = s.message_id and m.created_at = s.message_created_at and m.status in ('queued', 'scheduled')
    )
    select count(*)::int as n from requeued`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** Cancels every message of the campaign that has not left: out of the outbox, `failed` with `campaign_cancelled`. */
export async function cancelPending(tx: Tx, tenantId: string, campaignId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with dropped as (
      delete from outbox o
       using campaign_recipients r
       where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId} and r.message_id is not null
         and o.message_id = r.message_id and o.lease_until is null
      returning o.message_id, o.message_created_at
    ), unpaused as (
      delete from campaign_paused_outbox where tenant_id = ${tenantId} and campaign_id = ${campaignId}
      returning message_id, message_created_at
    ), stopped as (
      update messages m
         set status = 'failed', error_code = 'campaign_cancelled', error_message = 'The campaign was cancelled before this message left',
             done_at = now(), updated_at = now()
        from (select * from dropped union all select * from unpaused) s
       where m.id = s.message_id and m.created_at = s.message_created_at and m.status in ('queued', 'scheduled')
      returning m.tenant_id, m.id, m.created_at
    ), events as (
      insert into message_events (tenant_id, message_id, at, status, detail)
      select tenant_id, id, now(), 'failed', '{"errorCode": "campaign_cancelled"}'::jsonb from stopped
    )
    select count(*)::int as n from stopped`.execute(tx);
  return rows[0]?.n ?? 0;
}

// Scheduler and tracking (no tenant context: SECURITY DEFINER functions of migration 0013) --------

export async function dueWork(db: Database, now: Date): Promise<Array<{ tenantId: string; campaignId: string; work: 'start' | 'fanout' | 'winner' | 'complete' }>> {
  const { rows } = await sql<{ tenant_id: string; campaign_id: string; work: 'start' | 'fanout' | 'winner' | 'complete' }>`
    select tenant_id, campaign_id, work from campaign_due_work(${now}::timestamptz)`.execute(db);
  return rows.map((row) => ({ tenantId: row.tenant_id, campaignId: row.campaign_id, work: row.work }));
}

export async function recordClick(db: Database, token: string, link: number, at: Date, userAgent: string | null): Promise<string | null> {
  const { rows } = await sql<{ url: string | null }>`select campaign_link_click(${token}, ${link}, ${at}::timestamptz, ${userAgent}) as url`.execute(db);
  return rows[0]?.url ?? null;
}

export async function recordOpen(db: Database, token: string, at: Date): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select campaign_email_open(${token}, ${at}::timestamptz) as ok`.execute(db);
  return rows[0]?.ok ?? false;
}
