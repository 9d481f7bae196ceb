import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { costOf, percent, seriesBucket } from './rules.ts';

/**
 * Campaign analytics, read from the messages the campaign made (through campaign_recipients, which
 * holds each message's id and partition key), the usage records (what was billed), the link
 * clicks, the email opens, the replies (contact_activity `replied`, attributed to the campaign by
 * the inbound handler) and the suppression list.
 */

export interface VariantReport {
  variant: string;
  targeted: number;
  skipped: number;
  messages: number;
  pending: number;
  sent: number;
  delivered: number;
  failed: number;
  suppressed: number;
  clicks: number;
  uniqueClicks: number;
  opens: number;
  uniqueOpens: number;
  /** Replies attributed to the campaign (any message but an opt-out keyword), and the recipients who sent them. */
  replies: number;
  uniqueReplies: number;
  optOuts: number;
  cost: { millicents: number; cents: number };
  deliveryRate: number;
  clickRate: number;
}

export interface CampaignReport {
  totals: Omit<VariantReport, 'variant'>;
  variants: VariantReport[];
  failures: Array<{ reason: string; attribution: string | null; count: number }>;
  skipped: Array<{ reason: string; count: number }>;
  links: Array<{ index: number; url: string; clicks: number; uniqueClicks: number }>;
  series: { bucket: 'hour' | 'day'; points: Array<{ at: string; sent: number; delivered: number; failed: number; clicks: number }> };
}

interface Counts {
  variant: string;
  targeted: number;
  skipped: number;
  messages: number;
  pending: number;
  sent: number;
  delivered: number;
  failed: number;
  suppressed: number;
  optouts: number;
  cost: number;
}

/**
 * `variantKeys`: the variants the campaign was written with. Each appears in the report even when no
 * recipient fell into it (a small audience split by hash can leave one empty): an A/B comparison
 * must show the empty side rather than hide it.
 */
export async function campaignReport(tx: Tx, tenantId: string, campaignId: string, timeZone: string, window: { from: Date; until: Date }, variantKeys: readonly string[] = []): Promise<CampaignReport> {
  const [counts, clicks, opens, replies, failures, skipped, links, series] = await Promise.all([
    sql<Counts>`
      select r.variant,
             count(*)::int as targeted,
             count(*) filter (where r.message_id is null)::int as skipped,
             count(r.message_id)::int as messages,
             count(*) filter (where m.status in ('queued', 'scheduled', 'sending'))::int as pending,
             count(*) filter (where m.submitted_at is not null)::int as sent,
             count(*) filter (where m.status in ('delivered', 'read'))::int as delivered,
             count(*) filter (where m.status in ('failed', 'undelivered', 'expired'))::int as failed,
             count(*) filter (where m.status = 'suppressed')::int as suppressed,
             count(*) filter (where exists (select 1 from suppressions s where s.tenant_id = r.tenant_id and s.address = r.address
                                             and s.created_at >= r.created_at))::int as optouts,
             coalesce(sum(u.price_millicents), 0)::bigint as cost
        from campaign_recipients r
        left join messages m on m.id = r.message_id and m.created_at = r.message_created_at
        left join usage_records u on u.message_id = r.message_id
       where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId}
       group by r.variant
       order by r.variant`.execute(tx),
    sql<{ variant: string; clicks: number; unique_clicks: number }>`
      select variant, count(*)::int as clicks, count(distinct contact_id)::int as unique_clicks
        from link_clicks where tenant_id = ${tenantId} and campaign_id = ${campaignId} group by variant`.execute(tx),
    sql<{ variant: string; opens: number; unique_opens: number }>`
      select r.variant, count(*)::int as opens, count(distinct a.contact_id)::int as unique_opens
        from contact_activity a
        join campaign_recipients r on r.tenant_id = a.tenant_id and r.campaign_id = a.campaign_id and r.contact_id = a.contact_id
       where a.tenant_id = ${tenantId} and a.campaign_id = ${campaignId} and a.kind = 'opened'
       group by r.variant`.execute(tx),
    sql<{ variant: string; replies: number; unique_replies: number }>`
      select r.variant, count(*)::int as replies, count(distinct a.contact_id)::int as unique_replies
        from contact_activity a
        join campaign_recipients r on r.tenant_id = a.tenant_id and r.campaign_id = a.campaign_id and r.contact_id = a.contact_id
       where a.tenant_id = ${tenantId} and a.campaign_id = ${campaignId} and a.kind = 'replied'
       group by r.variant`.execute(tx),
    sql<{ reason: string; attribution: string | null; count: number }>`
      select coalesce(m.error_code, m.status) as reason, m.attribution, count(*)::int as count
        from campaign_recipients r
        join messages m on m.id = r.message_id and m.created_at = r.message_created_at
       where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId}
         and m.status in ('failed', 'undelivered', 'expired', 'suppressed')
       group by 1, 2
       order by 3 desc`.execute(tx),
    sql<{ reason: string; count: number }>`
      select skip_reason as reason, count(*)::int as count
        from campaign_recipients
       where tenant_id = ${tenantId} and campaign_id = ${campaignId} and skip_reason is not null
       group by 1 order by 2 desc`.execute(tx),
    sql<{ link: number; url: string; clicks: number; unique_clicks: number }>`
      select link, url, count(*)::int as clicks, count(distinct contact_id)::int as unique_clicks
        from link_clicks where tenant_id = ${tenantId} and campaign_id = ${campaignId}
       group by link, url order by link`.execute(tx),
    timeSeries(tx, tenantId, campaignId, timeZone, seriesBucket(window.from, window.until)),
  ]);
  const clicksBy = new Map(clicks.rows.map((row) => [row.variant, row]));
  const opensBy = new Map(opens.rows.map((row) => [row.variant, row]));
  const repliesBy = new Map(replies.rows.map((row) => [row.variant, row]));
  const seen = new Set(counts.rows.map((row) => row.variant));
  const empty = (variant: string): Counts => ({ variant, targeted: 0, skipped: 0, messages: 0, pending: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0, optouts: 0, cost: 0 });
  const rows = [...counts.rows, ...variantKeys.filter((key) => !seen.has(key)).map(empty)].sort((a, b) => a.variant.localeCompare(b.variant));
  const variants = rows.map((row): VariantReport => {
    const c = clicksBy.get(row.variant);
    const o = opensBy.get(row.variant);
    const re = repliesBy.get(row.variant);
    return {
      variant: row.variant,
      targeted: row.targeted,
      skipped: row.skipped,
      messages: row.messages,
      pending: row.pending,
      sent: row.sent,
      delivered: row.delivered,
      failed: row.failed,
      suppressed: row.suppressed,
      clicks: c?.clicks ?? 0,
      uniqueClicks: c?.unique_clicks ?? 0,
      opens: o?.opens ?? 0,
      uniqueOpens: o?.unique_opens ?? 0,
      replies: re?.replies ?? 0,
      uniqueReplies: re?.unique_replies ?? 0,
      optOuts: row.optouts,
      cost: costOf(Number(row.cost)),
      deliveryRate: percent(row.delivered, row.sent),
      clickRate: percent(c?.unique_clicks ?? 0, row.sent),
    };
  });
  const sum = (key: keyof Counts | 'clicks' | 'uniqueClicks' | 'opens' | 'uniqueOpens' | 'replies' | 'uniqueReplies' | 'optOuts') => variants.reduce((total, v) => total + (v[key as keyof VariantReport] as number), 0);
  const costMillicents = counts.rows.reduce((total, row) => total + Number(row.cost), 0);
  const totals = {
    targeted: sum('targeted'),
    skipped: sum('skipped'),
    messages: sum('messages'),
    pending: sum('pending'),
    sent: sum('sent'),
    delivered: sum('delivered'),
    failed: sum('failed'),
    suppressed: sum('suppressed'),
    clicks: sum('clicks'),
    uniqueClicks: sum('uniqueClicks'),
    opens: sum('opens'),
    uniqueOpens: sum('uniqueOpens'),
    replies: sum('replies'),
    uniqueReplies: sum('uniqueReplies'),
    optOuts: sum('optOuts'),
    cost: costOf(costMillicents),
    deliveryRate: 0,
    clickRate: 0,
  };
  totals.deliveryRate = percent(totals.delivered, totals.sent);
  totals.clickRate = percent(totals.uniqueClicks, totals.sent);
  return {
    totals,
    variants,
    failures: failures.rows,
    skipped: skipped.rows,
    links: links.rows.map((row) => ({ index: row.link, url: row.url, clicks: row.clicks, uniqueClicks: row.unique_clicks })),
    series,
  };
}

async function timeSeries(tx: Tx, tenantId: string, campaignId: string, timeZone: string, bucket: 'hour' | 'day'): Promise<CampaignReport['series']> {
  const unit = bucket === 'hour' ? sql.lit('hour') : sql.lit('day');
  const { rows } = await sql<{ at: Date; sent: number; delivered: number; failed: number; clicks: number }>`
    with events as (
      select m.submitted_at as at, 1 as sent, 0 as delivered, 0 as failed, 0 as clicks
        from campaign_recipients r join messages m on m.id = r.message_id and m.created_at = r.message_created_at
       where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId} and m.submitted_at is not null
      union all
      select m.done_at, 0, case when m.status in ('delivered', 'read') then 1 else 0 end,
             case when m.status in ('failed', 'undelivered', 'expired') then 1 else 0 end, 0
        from campaign_recipients r join messages m on m.id = r.message_id and m.created_at = r.message_created_at
       where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId} and m.done_at is not null
         and m.status in ('delivered', 'read', 'failed', 'undelivered', 'expired')
      union all
      select at, 0, 0, 0, 1 from link_clicks where tenant_id = ${tenantId} and campaign_id = ${campaignId}
    )
    select date_trunc(${unit}, at at time zone ${timeZone}) at time zone ${timeZone} as at,
           sum(sent)::int as sent, sum(delivered)::int as delivered, sum(failed)::int as failed, sum(clicks)::int as clicks
      from events group by 1 order by 1
     limit 2000`.execute(tx);
  return { bucket, points: rows.map((row) => ({ at: row.at.toISOString(), sent: row.sent, delivered: row.delivered, failed: row.failed, clicks: row.clicks })) };
}

/** Per variant, what the winner rule compares (the test groups' messages). */
export async function variantResults(tx: Tx, tenantId: string, campaignId: string): Promise<Array<{ key: string; sent: number; delivered: number; uniqueClicks: number }>> {
  const { rows } = await sql<{ variant: string; sent: number; delivered: number; unique_clicks: number }>`
    select r.variant, count(r.message_id)::int as sent,
           count(*) filter (where m.status in ('delivered', 'read'))::int as delivered,
           (select count(distinct l.contact_id) from link_clicks l
             where l.tenant_id = r.tenant_id and l.campaign_id = r.campaign_id and l.variant = r.variant)::int as unique_clicks
      from campaign_recipients r
      left join messages m on m.id = r.message_id and m.created_at = r.message_created_at
     where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId} and r.phase = 'test'
     group by r.tenant_id, r.campaign_id, r.variant`.execute(tx);
  return rows.map((row) => ({ key: row.variant, sent: row.sent, delivered: row.delivered, uniqueClicks: row.unique_clicks }));
}

/** The per-recipient export, a page at a time in contact id order. */
export async function exportPage(
  tx: Tx,
  tenantId: string,
  campaignId: string,
  after: string | null,
  limit: number,
): Promise<Array<{ contact_id: string; address: string; variant: string; phase: string; message_id: string | null; skip_reason: string | null; status: string | null; error_code: string | null; attribution: string | null; send_at: Date | null; submitted_at: Date | null; done_at: Date | null; price: number | null; clicks: number; opened: boolean; replies: number }>> {
  const { rows } = await sql<{
    contact_id: string; address: string; variant: string; phase: string; message_id: string | null; skip_reason: string | null; status: string | null; error_code: string | null;
    attribution: string | null; send_at: Date | null; submitted_at: Date | null; done_at: Date | null; price: number | null; clicks: number; opened: boolean; replies: number;
  }>`
    select r.contact_id, r.address, r.variant, r.phase, r.message_id, r.skip_reason, m.status, m.error_code, m.attribution, m.send_at,
           m.submitted_at, m.done_at, coalesce(u.price_millicents, 0) as price,
           (select count(*) from link_clicks l where l.tenant_id = r.tenant_id and l.campaign_id = r.campaign_id and l.contact_id = r.contact_id)::int as clicks,
           exists (select 1 from contact_activity a where a.tenant_id = r.tenant_id and a.campaign_id = r.campaign_id and a.contact_id = r.contact_id and a.kind = 'opened') as opened,
           (select count(*) from contact_activity a where a.tenant_id = r.tenant_id and a.campaign_id = r.campaign_id and a.contact_id = r.contact_id and a.kind = 'replied')::int as replies
      from campaign_recipients r
      left join messages m on m.id = r.message_id and m.created_at = r.message_created_at
      left join usage_records u on u.message_id = r.message_id
     where r.tenant_id = ${tenantId} and r.campaign_id = ${campaignId} and (${after}::uuid is null or r.contact_id > ${after}::uuid)
     order by r.contact_id
     limit ${limit}`.execute(tx);
  return rows;
}
