import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import type { ServiceContext } from '../../src/platform/http/principal.ts';
import { CampaignFanout, type CampaignInput, campaignSendingSettings } from '../../src/modules/campaigns/index.ts';
import { priceMessage } from '../../src/modules/messaging/rules.ts';
import { createTenant, createTestPlatform, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * Campaigns over a real PostgreSQL (issue 4): consent and the suppression list decide who gets a
 * message (R-CONSENT, R-OPTOUT), quiet hours hold and never drop (R-QUIET), the fan-out resumes
 * after a crash without duplicates or gaps, pause/resume/cancel, and approval.
 */

// Tuesday 10 March 2026, 19:55 in Paris (UTC+1).
const EVENING = '2026-03-10T18:55:00.000Z';
const clock = new FixedClock(EVENING);
let platform: TestPlatform;
let tenant: TenantFixture;

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  tenant = await createTenant(platform, 'Optique Martin');
});

afterAll(async () => {
  await platform?.close();
});

const as = (role: string, tenantId = tenant.tenantId): ServiceContext => ({
  principal: { kind: 'user', userId: `00000000-0000-4000-8000-00000000000${role.length}`, email: `${role}@example.test`, name: role, role, tenant: { id: tenantId, name: 'T', status: 'active', statusReason: null }, sessionId: 's', stage: 'active', csrfToken: 'c', mfaEnabled: true, locale: 'fr' },
  actor: { type: 'user', id: null, label: `${role}@example.test` },
  ip: null,
  requestId: null,
});

/** Contacts by SQL: `count` numbers from `first`, with the given consents. */
async function seed(tenantId: string, spec: { count: number; first: number; prefix?: string; sms?: string; email?: boolean; tag?: string }): Promise<void> {
  const prefix = spec.prefix ?? '+3361';
  await withTenant(platform.database.db, tenantId, (tx) =>
    sql`insert into contacts (tenant_id, id, phone, email, first_name, consent_sms, consent_email, tags)
        select ${tenantId}::uuid, gen_random_uuid(), ${prefix} || lpad((${spec.first}::int + i)::text, 7, '0'),
               case when ${spec.email ?? false} then 'c' || (${spec.first}::int + i) || '@example.test' end,
               case when i % 2 = 0 then 'Léa' end, ${spec.sms ?? 'granted'}, case when ${spec.email ?? false} then 'granted' else 'unknown' end,
               array[${spec.tag ?? 'all'}]
          from generate_series(0, ${spec.count - 1}) as i`.execute(tx),
  );
}

const smsCampaign = (over: Partial<CampaignInput> = {}): CampaignInput => ({
  name: 'Soldes de printemps',
  channel: 'sms',
  content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: 'Bonjour {{firstName|Client}}, -20% ce week-end !' }] },
  ...over,
});

async function launch(tenantId: string, input: CampaignInput, fanout?: CampaignFanout): Promise<string> {
  const ctx = as('owner', tenantId);
  const created = await platform.services.campaigns.create(ctx, input);
  const submitted = await platform.services.campaigns.submit(ctx, created.id);
  expect(submitted.status).toBe('scheduled');
  const tick = await platform.services.campaigns.tick();
  expect(tick.fanouts.map((f) => f.campaignId)).toContain(created.id);
  if (fanout) await fanout.run(tenantId, created.id);
  return created.id;
}

const fanoutWith = (options: Partial<ConstructorParameters<typeof CampaignFanout>[3]> = {}) =>
  new CampaignFanout(platform.database.db, clock, campaignSendingSettings(platform.config, platform.services.unsubscribeTokens), { workerId: 'test-a', batchSize: 500, ...options });

const rows = <T>(tenantId: string, query: ReturnType<typeof sql<T>>) => withTenant(platform.database.db, tenantId, async (tx) => (await query.execute(tx)).rows);

describe('who receives a campaign (R-CONSENT, R-OPTOUT)', () => {
  it('reaches only contacts with SMS consent granted and not on the suppression list', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 50, first: 1000 });
    await seed(t.tenantId, { count: 10, first: 2000, sms: 'unknown' });
    await seed(t.tenantId, { count: 10, first: 3000, sms: 'withdrawn' });
    await seed(t.tenantId, { count: 5, first: 4000, sms: 'refused' });
    // Five consenting contacts opted out by STOP: the suppression list wins over the consent.
    await withTenant(platform.database.db, t.tenantId, (tx) =>
      sql`insert into suppressions (tenant_id, address, source) select ${t.tenantId}::uuid, '+3361' || lpad((1000 + i)::text, 7, '0'), 'sms_stop' from generate_series(0, 4) i`.execute(tx),
    );
    const estimate = await platform.services.campaigns.estimate(as('owner', t.tenantId), smsCampaign());
    expect(estimate).toMatchObject({ audience: 75, recipients: 45, excluded: { noAddress: 0, noConsent: 25, suppressed: 5 } });
    // 45 SMS of one part at the FR marketing price of the catalogue.
    const unit = priceMessage({ channel: 'sms', route: 'marketing', country: 'FR', segments: 1 });
    expect(unit.ok && estimate.cost.millicents === 45 * unit.totalMillicents).toBe(true);
    expect(estimate.variants[0]).toMatchObject({ key: 'A', segments: 1, encoding: 'GSM-7' });
    const id = await launch(t.tenantId, smsCampaign(), fanoutWith());
    const made = await rows<{ recipient: string; status: string; text: string; campaign_id: string; consent: string; suppressed: boolean }>(
      t.tenantId,
      sql`select m.recipient, m.status, m.content->>'text' as text, m.campaign_id, c.consent_sms as consent,
                 exists (select 1 from suppressions s where s.tenant_id = m.tenant_id and s.address = m.recipient) as suppressed
            from messages m join contacts c on c.tenant_id = m.tenant_id and c.phone = m.recipient
           where m.tenant_id = ${t.tenantId}`,
    );
    expect(made).toHaveLength(45);
    expect(made.every((m) => m.consent === 'granted' && !m.suppressed && m.campaign_id === id)).toBe(true);
    // R-STOP: the send path appended the mention; merge fields rendered with their fallback.
    expect(made.every((m) => m.text.endsWith('\nSTOP SMS au 36111'))).toBe(true);
    expect(new Set(made.map((m) => m.text.split(',')[0]))).toEqual(new Set(['Bonjour Léa', 'Bonjour Client']));
    const queued = await rows<{ n: number }>(t.tenantId, sql`select count(*)::int as n from outbox where tenant_id = ${t.tenantId}`);
    expect(queued[0]?.n).toBe(45);
    // Segments see them as `received` (read from the recipients rows, migration 0019), by campaign,
    // by channel and by date; no activity row is written per message.
    const received = (condition: Record<string, unknown>) =>
      platform.services.segments.countDefinition(as('owner', t.tenantId), { definition: { all: [{ type: 'activity', kind: 'received', ...condition }] } }).then((r) => r.count);
    expect(await received({ campaignId: id })).toBe(45);
    expect(await received({ channel: 'sms', withinDays: 1 })).toBe(45);
    expect(await received({ channel: 'email' })).toBe(0);
    expect(await received({ op: 'not_performed' })).toBe(75 - 45);
    const activity = await rows<{ n: number }>(t.tenantId, sql`select count(*)::int as n from contact_activity where tenant_id = ${t.tenantId} and kind = 'received'`);
    expect(activity[0]?.n).toBe(0);
  });

  it('stops a waiting message when its recipient opts out or withdraws consent before it leaves', async () => {
    clock.set(EVENING);
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 6, first: 5000 });
    // At 19:55 with 2 a minute: 6 messages, the last two held until 08:00 (R-QUIET).
    const id = await launch(t.tenantId, smsCampaign({ throttlePerMinute: 2, content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: 'Promo !' }] } }), fanoutWith());
    const before = await rows<{ recipient: string; status: string }>(t.tenantId, sql`select recipient, status from messages where campaign_id = ${id} order by send_at`);
    expect(before.map((m) => m.status)).toEqual(['queued', 'queued', 'scheduled', 'scheduled', 'scheduled', 'scheduled']);
    const [first, , third, fourth] = before.map((m) => m.recipient);
    // A STOP reply (through the messaging module's inbound handler) and a consent withdrawal.
    await platform.services.optOuts.add(as('owner', t.tenantId), { address: third as string });
    await withTenant(platform.database.db, t.tenantId, (tx) => sql`update contacts set consent_sms = 'withdrawn' where tenant_id = ${t.tenantId} and phone = ${fourth}`.execute(tx));
    const after = await rows<{ recipient: string; status: string; error_code: string | null; queued: boolean }>(
      t.tenantId,
      sql`select m.recipient, m.status, m.error_code, exists (select 1 from outbox o where o.message_id = m.id) as queued from messages m where m.campaign_id = ${id}`,
    );
    const by = new Map(after.map((m) => [m.recipient, m]));
    expect(by.get(third as string)).toMatchObject({ status: 'suppressed', error_code: 'recipient_opted_out', queued: false });
    expect(by.get(fourth as string)).toMatchObject({ status: 'suppressed', error_code: 'consent_withdrawn', queued: false });
    expect(by.get(first as string)).toMatchObject({ status: 'queued', queued: true });
    expect(after.filter((m) => m.queued)).toHaveLength(4);
  });
});

describe('quiet hours (R-QUIET) with a throttle', () => {
  it.each([
    ['the same text for all (fanned out in SQL)', 'Soldes -20% ce week-end !'],
    ['a text per contact (rendered by the worker)', 'Bonjour {{firstName|Client}}, -20% ce week-end !'],
  ])('sends what fits before 20:00 Paris and holds the rest until 08:00, none dropped: %s', async (_kind, text) => {
    clock.set(EVENING);
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 10_000, first: 100_000 });
    const id = await launch(t.tenantId, smsCampaign({ throttlePerMinute: 1000, content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text }] } }), fanoutWith({ batchSize: 2000 }));
    const slots = await rows<{ send_at: Date; n: number; outbox: number }>(
      t.tenantId,
      sql`select m.send_at, count(*)::int as n, count(o.message_id)::int as outbox
            from messages m left join outbox o on o.message_id = m.id and o.due_at = m.send_at
           where m.campaign_id = ${id} group by 1 order by 1`,
    );
    const total = slots.reduce((sum, s) => sum + s.n, 0);
    expect(total).toBe(10_000);
    expect(slots.every((s) => s.outbox === s.n)).toBe(true);
    const beforeEight = slots.filter((s) => s.send_at < new Date('2026-03-10T19:00:00Z'));
    // 19:55, 19:56 … 19:59: five minutes of 1,000.
    expect(beforeEight.map((s) => [s.send_at.toISOString(), s.n])).toEqual([0, 1, 2, 3, 4].map((m) => [new Date(Date.parse(EVENING) + m * 60_000).toISOString(), 1000]));
    const held = slots.filter((s) => s.send_at >= new Date('2026-03-10T19:00:00Z'));
    // Nothing between 20:00 and 08:00; the rest from 08:00 Paris (07:00 UTC) at the same pace.
    expect(held[0]?.send_at.toISOString()).toBe('2026-03-11T07:00:00.000Z');
    expect(held.every((s) => s.send_at >= new Date('2026-03-11T07:00:00Z') && s.n === 1000)).toBe(true);
    expect(held.reduce((sum, s) => sum + s.n, 0)).toBe(5000);
    const statuses = await rows<{ status: string; n: number }>(t.tenantId, sql`select status, count(*)::int as n from messages where campaign_id = ${id} group by 1 order by 1`);
    expect(statuses).toEqual([
      { status: 'queued', n: 1000 },
      { status: 'scheduled', n: 9000 },
    ]);
  });

  it('judges each recipient in their own zone: Réunion is held until 08:00 Réunion', async () => {
    clock.set('2026-03-10T15:30:00Z'); // 16:30 Paris, 19:30 Réunion (UTC+4)
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 3, first: 2_000_000, prefix: '+26269' });
    await seed(t.tenantId, { count: 3, first: 7000 });
    const id = await launch(t.tenantId, smsCampaign({ throttlePerMinute: 1 }), fanoutWith());
    const made = await rows<{ recipient: string; send_at: Date }>(t.tenantId, sql`select recipient, send_at from messages where campaign_id = ${id} order by recipient`);
    expect(made).toHaveLength(6);
    for (const m of made) {
      if (m.recipient.startsWith('+262')) {
        // Slots 16:30–16:35 Paris are 19:30–19:35 in Réunion until 20:00 there, then 08:00 Réunion (04:00 UTC).
        const local = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Indian/Reunion', hour: 'numeric', hourCycle: 'h23' }).format(m.send_at));
        expect(local >= 8 && local < 20).toBe(true);
      } else {
        expect(m.send_at < new Date('2026-03-10T15:40:00Z')).toBe(true);
      }
    }
  });
});

describe('fan-out crash and resume', () => {
  it.each([
    ['in SQL (same text)', 'Soldes -20% ce week-end !'],
    ['by the worker (text per contact)', 'Bonjour {{firstName|Client}} !'],
  ])('resumes from the checkpoint after a crash between batches: every contact once, no gap (%s)', async (_kind, text) => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 2_345, first: 200_000 });
    const ctx = as('owner', t.tenantId);
    const created = await platform.services.campaigns.create(ctx, smsCampaign({ content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text }] } }));
    await platform.services.campaigns.submit(ctx, created.id);
    await platform.services.campaigns.tick();
    const crashing = fanoutWith({
      workerId: 'worker-that-dies',
      batchSize: 300,
      lanes: 1,
      afterBatch: ({ batch }) => {
        if (batch === 3) throw new Error('killed between two batches');
      },
    });
    await expect(crashing.run(t.tenantId, created.id)).rejects.toThrow('killed between two batches');
    const partial = await rows<{ n: number }>(t.tenantId, sql`select count(*)::int as n from messages where campaign_id = ${created.id}`);
    expect(partial[0]?.n).toBe(900);
    // Another worker cannot take over while the dead one's lease runs…
    const other = fanoutWith({ workerId: 'worker-b', batchSize: 300, lanes: 1, leaseMs: 60_000 });
    expect((await other.run(t.tenantId, created.id)).outcome).toBe('busy');
    expect((await platform.services.campaigns.tick()).fanouts).toEqual([]);
    // …and takes over once it has run out; the scheduler enqueues it.
    clock.advance(121_000);
    expect((await platform.services.campaigns.tick()).fanouts).toEqual([{ tenantId: t.tenantId, campaignId: created.id }]);
    const resumed = await other.run(t.tenantId, created.id);
    expect(resumed).toMatchObject({ outcome: 'done', made: 2_345 - 900 });
    const counts = await rows<{ messages: number; recipients: number; distinct_recipients: number; outbox: number }>(
      t.tenantId,
      sql`select count(*)::int as messages, (select count(*)::int from campaign_recipients where campaign_id = ${created.id}) as recipients,
                 count(distinct recipient)::int as distinct_recipients,
                 (select count(*)::int from outbox where tenant_id = ${t.tenantId}) as outbox
            from messages where campaign_id = ${created.id}`,
    );
    expect(counts[0]).toEqual({ messages: 2_345, recipients: 2_345, distinct_recipients: 2_345, outbox: 2_345 });
    // Replaying the whole fan-out changes nothing (the unique recipient key).
    await withTenant(platform.database.db, t.tenantId, (tx) =>
      sql`update campaign_fanout_lanes set cursor_id = null, done = false where campaign_id = ${created.id}; `.execute(tx).then(() =>
        sql`update campaigns set fanout_done_at = null where id = ${created.id}`.execute(tx),
      ),
    );
    expect((await other.run(t.tenantId, created.id)).made).toBe(0);
    const again = await rows<{ n: number }>(t.tenantId, sql`select count(*)::int as n from messages where campaign_id = ${created.id}`);
    expect(again[0]?.n).toBe(2_345);
  });

  it('splits a big audience into lanes that run side by side, each contact once', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 4_000, first: 300_000 });
    const id = await launch(t.tenantId, smsCampaign({ content: { variants: [{ key: 'A', split: 100, text: 'Nouveautés en boutique' }] } }), fanoutWith({ batchSize: 250, lanes: 3 }));
    const lanes = await rows<{ lane: number; done: boolean }>(t.tenantId, sql`select lane, done from campaign_fanout_lanes where campaign_id = ${id} order by lane`);
    expect(lanes).toEqual([
      { lane: 0, done: true },
      { lane: 1, done: true },
      { lane: 2, done: true },
    ]);
    const counts = await rows<{ n: number; d: number }>(t.tenantId, sql`select count(*)::int as n, count(distinct recipient)::int as d from messages where campaign_id = ${id}`);
    expect(counts[0]).toEqual({ n: 4_000, d: 4_000 });
  });
});

describe('pause, resume, cancel', () => {
  it('holds waiting messages on pause, puts them back later on resume, cancels what has not left', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 30, first: 400_000 });
    const ctx = as('marketer', t.tenantId);
    const id = await launch(t.tenantId, smsCampaign({ throttlePerMinute: 10 }), fanoutWith());
    const outbox = async () => (await rows<{ n: number; first: Date | null }>(t.tenantId, sql`select count(*)::int as n, min(due_at) as first from outbox where tenant_id = ${t.tenantId}`))[0];
    expect((await outbox())?.n).toBe(30);
    const paused = await platform.services.campaigns.pause(ctx, id);
    expect(paused.status).toBe('paused');
    expect((await outbox())?.n).toBe(0);
    clock.advance(3_600_000);
    const resumed = await platform.services.campaigns.resume(ctx, id);
    expect(resumed.status).toBe('running');
    const back = await outbox();
    expect(back?.n).toBe(30);
    // Shifted by the hour it was paused: the first slot was 09:00.
    expect(back?.first?.toISOString()).toBe('2026-03-10T10:00:00.000Z');
    const cancelled = await platform.services.campaigns.cancel(ctx, id);
    expect(cancelled.status).toBe('cancelled');
    expect((await outbox())?.n).toBe(0);
    const statuses = await rows<{ status: string; error_code: string; n: number }>(t.tenantId, sql`select status, error_code, count(*)::int as n from messages where campaign_id = ${id} group by 1, 2`);
    expect(statuses).toEqual([{ status: 'failed', error_code: 'campaign_cancelled', n: 30 }]);
    await expect(platform.services.campaigns.resume(ctx, id)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('stops the fan-out itself when paused, and finishes it after the resume', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 1_000, first: 500_000 });
    const ctx = as('owner', t.tenantId);
    const created = await platform.services.campaigns.create(ctx, smsCampaign());
    await platform.services.campaigns.submit(ctx, created.id);
    await platform.services.campaigns.tick();
    let paused = false;
    const fanout = fanoutWith({
      batchSize: 200,
      lanes: 1,
      afterBatch: async ({ batch }) => {
        if (batch === 2 && !paused) {
          paused = true;
          await platform.services.campaigns.pause(ctx, created.id);
        }
      },
    });
    expect(await fanout.run(t.tenantId, created.id)).toMatchObject({ outcome: 'stopped', made: 400 });
    await platform.services.campaigns.resume(ctx, created.id);
    expect((await platform.services.campaigns.tick()).fanouts.map((f) => f.campaignId)).toEqual([created.id]);
    expect(await fanout.run(t.tenantId, created.id)).toMatchObject({ outcome: 'done', made: 600 });
    const n = await rows<{ n: number }>(t.tenantId, sql`select count(distinct recipient)::int as n from messages where campaign_id = ${created.id}`);
    expect(n[0]?.n).toBe(1_000);
    // Done and past its last slot: completed at the next tick.
    expect((await platform.services.campaigns.tick()).completed).toBe(1);
    expect((await platform.services.campaigns.get(ctx, created.id)).status).toBe('completed');
  });
});

describe('approval', () => {
  it('makes a marketer’s campaign wait for an admin when the account requires it', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 5, first: 600_000 });
    await platform.services.tenants.updateSettings(as('owner', t.tenantId), { campaignApprovalRequired: true });
    const marketer = as('marketer', t.tenantId);
    const created = await platform.services.campaigns.create(marketer, smsCampaign());
    const submitted = await platform.services.campaigns.submit(marketer, created.id);
    expect(submitted).toMatchObject({ status: 'pending_approval', submittedBy: 'marketer@example.test', estimate: { recipients: 5 } });
    // Nothing starts while it waits.
    expect((await platform.services.campaigns.tick()).fanouts).toEqual([]);
    await expect(platform.services.campaigns.approve(marketer, created.id)).rejects.toMatchObject({ code: 'forbidden' });
    // An edit withdraws it; it must be submitted again.
    const edited = await platform.services.campaigns.update(marketer, created.id, { name: 'Soldes (v2)' });
    expect(edited.status).toBe('draft');
    await platform.services.campaigns.submit(marketer, created.id);
    const rejected = await platform.services.campaigns.reject(as('admin', t.tenantId), created.id, 'Le lien manque');
    expect(rejected).toMatchObject({ status: 'draft', rejectionReason: 'Le lien manque' });
    await platform.services.campaigns.submit(marketer, created.id);
    const approved = await platform.services.campaigns.approve(as('admin', t.tenantId), created.id);
    expect(approved).toMatchObject({ status: 'scheduled', approvedBy: 'admin@example.test' });
    expect((await platform.services.campaigns.tick()).fanouts.map((f) => f.campaignId)).toEqual([created.id]);
    const audit = await rows<{ action: string }>(t.tenantId, sql`select action from audit_log where tenant_id = ${t.tenantId} and target_id = ${created.id} order by seq`);
    expect(audit.map((a) => a.action)).toEqual(['campaign.created', 'campaign.submitted', 'campaign.updated', 'campaign.submitted', 'campaign.rejected', 'campaign.submitted', 'campaign.approved', 'campaign.started']);
  });

  it('lets an owner submit and approve at once; a viewer may read but not write', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 2, first: 700_000 });
    await platform.services.tenants.updateSettings(as('owner', t.tenantId), { campaignApprovalRequired: true });
    const created = await platform.services.campaigns.create(as('owner', t.tenantId), smsCampaign());
    expect((await platform.services.campaigns.submit(as('owner', t.tenantId), created.id)).status).toBe('scheduled');
    await expect(platform.services.campaigns.create(as('viewer', t.tenantId), smsCampaign())).rejects.toMatchObject({ code: 'forbidden' });
    expect((await platform.services.campaigns.get(as('viewer', t.tenantId), created.id)).name).toBe('Soldes de printemps');
  });

  it('refuses to submit a campaign nobody can receive, or one the send path refuses', async () => {
    const t = await createTenant(platform);
    await seed(t.tenantId, { count: 3, first: 800_000, sms: 'unknown' });
    const owner = as('owner', t.tenantId);
    const empty = await platform.services.campaigns.create(owner, smsCampaign());
    await expect(platform.services.campaigns.submit(owner, empty.id)).rejects.toMatchObject({ code: 'campaign_audience_empty' });
    await seed(t.tenantId, { count: 3, first: 810_000 });
    const badSender = await platform.services.campaigns.create(owner, smsCampaign({ content: { sender: 'OPTIQUE-MARTIN-PARIS', variants: [{ key: 'A', split: 100, text: 'x' }] } }));
    await expect(platform.services.campaigns.submit(owner, badSender.id)).rejects.toMatchObject({ code: 'invalid_sender' });
    await expect(platform.services.campaigns.create(owner, smsCampaign({ content: { variants: [{ key: 'A', split: 100, text: 'Hi {{prenom}}' }] } }))).rejects.toMatchObject({ code: 'invalid_campaign' });
  });
});
