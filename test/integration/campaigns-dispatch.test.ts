import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import type { ServiceContext } from '../../src/platform/http/principal.ts';
import { CampaignFanout, type CampaignInput, campaignSendingSettings } from '../../src/modules/campaigns/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { createTenant, type TenantFixture } from '../support/platform.ts';

/**
 * Campaigns through the real send path (issue 4): the dispatcher, the sandbox SMSC and RCS
 * simulators, receipts and STOP replies. A contact without consent, or suppressed, never
 * receives a marketing message, whatever the path: the campaign, the RCS fallback, a retry.
 */

/** 10:00 in Paris, at most a day ago: daytime for R-QUIET, recent for inbound routing (30 days). */
function lastParisTenOClock(): Date {
  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  for (let back = 0; back < 48; back++) {
    const at = new Date(hour.getTime() - back * 3_600_000);
    if (new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: 'numeric', hourCycle: 'h23' }).format(at) === '10') return at;
  }
  throw new Error('no 10:00 in Paris within two days');
}

const clock = new FixedClock(lastParisTenOClock());

const owner = (tenant: TenantFixture): ServiceContext => ({
  principal: { kind: 'user', userId: '00000000-0000-4000-8000-000000000001', email: 'owner@example.test', name: 'owner', role: 'owner', tenant: { id: tenant.tenantId, name: 'T', status: 'active', statusReason: null }, sessionId: 's', stage: 'active', csrfToken: 'c', mfaEnabled: true, locale: 'fr' },
  actor: { type: 'user', id: null, label: 'owner@example.test' },
  ip: null,
  requestId: null,
});

async function addContacts(h: MessagingHarness, tenantId: string, contacts: Array<{ phone: string; sms?: string; rcs?: string }>): Promise<void> {
  await withTenant(h.platform.database.db, tenantId, async (tx) => {
    for (const c of contacts) {
      await sql`insert into contacts (tenant_id, id, phone, first_name, consent_sms, consent_rcs) values (${tenantId}, gen_random_uuid(), ${c.phone}, 'Léa', ${c.sms ?? 'granted'}, ${c.rcs ?? 'unknown'})`.execute(tx);
    }
  });
}

async function launch(h: MessagingHarness, tenant: TenantFixture, input: CampaignInput): Promise<string> {
  const created = await h.platform.services.campaigns.create(owner(tenant), input);
  await h.platform.services.campaigns.submit(owner(tenant), created.id);
  await h.platform.services.campaigns.tick();
  const fanout = new CampaignFanout(h.platform.database.db, clock, campaignSendingSettings(h.platform.config, h.platform.services.unsubscribeTokens), { workerId: 'test' });
  await fanout.run(tenant.tenantId, created.id);
  h.runtime.dispatcher?.poke();
  return created.id;
}

const statuses = async (h: MessagingHarness, tenantId: string, campaignId: string) =>
  withTenant(h.platform.database.db, tenantId, async (tx) => (await sql<{ recipient: string; status: string; channel: string; error_code: string | null; attribution: string | null; fell_back: boolean }>`
    select recipient, status, channel, error_code, attribution, fell_back from messages where campaign_id = ${campaignId} order by recipient`.execute(tx)).rows);

describe('a campaign through the dispatcher and the sandbox SMSC', () => {
  let h: MessagingHarness;
  let tenant: TenantFixture;

  beforeAll(async () => {
    h = await startMessaging({ clock, sandboxClock: new FixedClock(new Date()) });
    tenant = await createTenant(h.platform, 'Optique Martin');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('delivers to consenting contacts only, records failures and who failed, bills the campaign, and takes STOP replies', async () => {
    await addContacts(h, tenant.tenantId, [
      { phone: '+33612341001' },
      { phone: '+33612341002' },
      { phone: '+33612341003' },
      { phone: '+33612340666' }, // the operator answers UNDELIV
      { phone: '+33612341004', sms: 'unknown' },
      { phone: '+33612341005', sms: 'withdrawn' },
      { phone: '+33612341006' }, // opted out
    ]);
    await h.platform.services.optOuts.add(owner(tenant), { address: '+33612341006' });
    const id = await launch(h, tenant, { name: 'Soldes', channel: 'sms', content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: 'Soldes -20% ce week-end' }] } });
    const done = await eventually(async () => {
      const rows = await statuses(h, tenant.tenantId, id);
      return rows.length === 4 && rows.every((r) => ['delivered', 'undelivered'].includes(r.status)) ? rows : undefined;
    }, 'the campaign to be delivered');
    expect(done.map((r) => [r.recipient, r.status, r.error_code, r.attribution])).toEqual([
      ['+33612340666', 'undelivered', 'UNDELIV', 'recipient'],
      ['+33612341001', 'delivered', null, null],
      ['+33612341002', 'delivered', null, null],
      ['+33612341003', 'delivered', null, null],
    ]);
    for (const phone of ['+33612341004', '+33612341005', '+33612341006']) expect(h.sandbox.smsc.inbox(phone)).toEqual([]);
    expect(h.sandbox.smsc.inbox('+33612341001').map((m) => m.text)).toEqual(['Soldes -20% ce week-end\nSTOP SMS au 36111']);
    // A STOP reply through the SMSC (deliver_sm) joins the suppression list (R-OPTOUT).
    await h.sandbox.smsc.sendMo({ from: '+33612341002', to: '36111', text: 'STOP' });
    await eventually(async () => {
      const rows = await withTenant(h.platform.database.db, tenant.tenantId, async (tx) => (await sql`select 1 from suppressions where tenant_id = ${tenant.tenantId} and address = '+33612341002'`.execute(tx)).rows);
      return rows.length === 1;
    }, 'the STOP reply');
    const report = await h.platform.services.campaigns.report(owner(tenant), id);
    expect(report.totals).toMatchObject({ targeted: 4, sent: 4, delivered: 3, failed: 1, optOuts: 1, deliveryRate: 75 });
    expect(report.failures).toEqual([{ reason: 'UNDELIV', attribution: 'recipient', count: 1 }]);
    const billed = await withTenant(h.platform.database.db, tenant.tenantId, async (tx) => (await sql<{ n: number; total: number }>`
      select count(*)::int as n, sum(price_millicents)::int as total from usage_records where campaign_id = ${id}`.execute(tx)).rows[0]);
    expect(billed?.n).toBe(4);
    expect(report.totals.cost.millicents).toBe(billed?.total);
    expect(report.series.points.reduce((sum, p) => sum + p.sent, 0)).toBe(4);
  });

  it('sends RCS, and the SMS fallback only to contacts who also consented to SMS (R-CONSENT)', async () => {
    await addContacts(h, tenant.tenantId, [
      { phone: '+33612342001', rcs: 'granted' }, // RCS-capable
      { phone: '+33612340404', rcs: 'granted' }, // not RCS-capable, SMS consent: falls back to SMS
      { phone: '+33612350404', rcs: 'granted', sms: 'unknown' }, // not RCS-capable, no SMS consent: no fallback
    ]);
    const id = await launch(h, tenant, { name: 'RCS', channel: 'rcs', content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: 'Nouvelle collection' }] } });
    const done = await eventually(async () => {
      const rows = await statuses(h, tenant.tenantId, id);
      return rows.length === 3 && rows.every((r) => ['delivered', 'failed', 'read', 'undelivered'].includes(r.status)) ? rows : undefined;
    }, 'the RCS campaign to end');
    const by = new Map(done.map((r) => [r.recipient, r]));
    expect(by.get('+33612342001')).toMatchObject({ channel: 'rcs' });
    expect(['delivered', 'read']).toContain(by.get('+33612342001')?.status);
    expect(by.get('+33612340404')).toMatchObject({ channel: 'sms', fell_back: true, status: 'delivered' });
    expect(by.get('+33612350404')).toMatchObject({ channel: 'rcs', status: 'failed' });
    expect(h.sandbox.smsc.inbox('+33612340404').map((m) => m.text)).toEqual(['Nouvelle collection\nSTOP SMS au 36111']);
    expect(h.sandbox.smsc.inbox('+33612350404')).toEqual([]);
  });
});

describe('a retry never reaches a contact who opted out meanwhile', () => {
  let h: MessagingHarness;
  let tenant: TenantFixture;

  beforeAll(async () => {
    h = await startMessaging({ clock, sandboxClock: new FixedClock(new Date()) });
    // No dispatcher at first: the test plays the first attempt itself.
    await h.runtime.dispatcher?.stop();
    tenant = await createTenant(h.platform, 'Optique Durand');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('drops the retry when the STOP arrives between two attempts', async () => {
    await addContacts(h, tenant.tenantId, [{ phone: '+33612343001' }, { phone: '+33612343002' }]);
    const id = await launch(h, tenant, { name: 'Relance', channel: 'sms', content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: 'Dernier jour des soldes' }] } });
    // A dispatcher took both and the operator throttled them: back in the outbox for a retry.
    await withTenant(h.platform.database.db, tenant.tenantId, async (tx) => {
      const { rows } = await sql<{ message_id: string; created_at: Date }>`select message_id, created_at from dispatch_claim('w1', 10, 30)`.execute(tx);
      expect(rows).toHaveLength(2);
      const results = rows.map((r) => ({ id: r.message_id, createdAt: r.created_at, outcome: 'retry', errorCode: 'smpp_throttled', errorMessage: 'throttled', attribution: 'operator', retryAt: clock.now() }));
      await sql`select dispatch_complete(${JSON.stringify(results)}::jsonb)`.execute(tx);
    });
    // The STOP reply arrives through the inbound path.
    await h.runtime.inbound.handle({ channel: 'sms', from: '+33612343001', to: '36111', text: 'STOP', providerId: 'mo-1', receivedAt: clock.now() });
    const after = await statuses(h, tenant.tenantId, id);
    expect(after.map((r) => [r.recipient, r.status, r.error_code])).toEqual([
      ['+33612343001', 'suppressed', 'recipient_opted_out'],
      ['+33612343002', 'queued', 'smpp_throttled'],
    ]);
    // Now a dispatcher runs: only the other contact's retry leaves.
    h.runtime.dispatcher?.start();
    await eventually(async () => (await statuses(h, tenant.tenantId, id)).find((r) => r.recipient === '+33612343002' && r.status === 'delivered'), 'the other retry');
    expect(h.sandbox.smsc.inbox('+33612343001')).toEqual([]);
    expect((await statuses(h, tenant.tenantId, id)).find((r) => r.recipient === '+33612343001')?.status).toBe('suppressed');
  });
});
