import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { CampaignFanout, campaignSendingSettings } from '../../src/modules/campaigns/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, ConsoleSession, createTenant, json, type TenantFixture } from '../support/platform.ts';

/**
 * What recipients send back feeds SoReach, through the endpoints the providers really call (the
 * sandbox SMSC's deliver_sm, the RBM simulator's signed webhooks):
 * - a reply from a contact is `replied` activity, attributed to the campaign message it answers
 *   (same address, same channel, latest within the window), which segments and the campaign
 *   report read; a STOP only opts out; an address that is no contact writes no activity;
 * - an RCS user who unsubscribes from the agent in Google Messages (RBM `UNSUBSCRIBE`) is opted out
 *   exactly as by a STOP (R-OPTOUT, R-CONSENT), once, whatever RBM redelivers.
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
let h: MessagingHarness;

beforeAll(async () => {
  h = await startMessaging({ clock, sandboxClock: new FixedClock(new Date()) });
});

afterAll(async () => {
  await h?.close();
});

const api = (tenant: TenantFixture, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  h.platform.app.inject({ method, url, headers: bearer(tenant.apiKey), ...(payload !== undefined ? { payload: payload as object } : {}) });

const rows = async <T>(tenantId: string, query: ReturnType<typeof sql<T>>): Promise<T[]> => withTenant(h.platform.database.db, tenantId, async (tx) => (await query.execute(tx)).rows);

async function addContacts(tenantId: string, contacts: Array<{ phone: string; name: string; rcs?: string }>): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  await withTenant(h.platform.database.db, tenantId, async (tx) => {
    for (const c of contacts) {
      const id = randomUUID();
      ids.set(c.name, id);
      await sql`insert into contacts (tenant_id, id, phone, first_name, consent_sms, consent_rcs) values (${tenantId}, ${id}, ${c.phone}, ${c.name}, 'granted', ${c.rcs ?? 'unknown'})`.execute(tx);
    }
  });
  return ids;
}

/** A campaign through the API, fanned out into the outbox, until every message is final. */
async function runCampaign(tenant: TenantFixture, name: string, channel: 'sms' | 'rcs', text: string): Promise<string> {
  const created = await api(tenant, 'POST', '/v1/campaigns', { name, channel, content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text }] } });
  expect(created.statusCode, created.body).toBe(201);
  const id = json<{ id: string }>(created).id;
  const submitted = await api(tenant, 'POST', `/v1/campaigns/${id}/submit`);
  expect(submitted.statusCode, submitted.body).toBe(200);
  await h.platform.services.campaigns.tick();
  await new CampaignFanout(h.platform.database.db, clock, campaignSendingSettings(h.platform.config, h.platform.services.unsubscribeTokens), { workerId: 'test' }).run(tenant.tenantId, id);
  h.runtime.dispatcher?.poke();
  await eventually(async () => {
    const states = await rows<{ status: string }>(tenant.tenantId, sql`select status from messages where campaign_id = ${id}`);
    return states.length > 0 && states.every((m) => ['delivered', 'read', 'undelivered', 'failed'].includes(m.status));
  }, `campaign ${name} to be delivered`);
  return id;
}

/** An alert through the send API (opens inbound routing to the tenant for that number), delivered. */
async function sendAlert(tenant: TenantFixture, channel: 'sms' | 'rcs', to: string): Promise<string> {
  const accepted = await api(tenant, 'POST', '/v1/messages', { channel, route: 'alert', to, text: 'Votre commande est prête' });
  expect(accepted.statusCode, accepted.body).toBe(202);
  const id = json<{ id: string }>(accepted).id;
  await eventually(async () => {
    const m = json<{ status: string }>(await api(tenant, 'GET', `/v1/messages/${id}`));
    return ['delivered', 'read'].includes(m.status);
  }, `alert to ${to}`);
  return id;
}

const inboundCount = async (tenantId: string) => (await rows<{ n: number }>(tenantId, sql`select count(*)::int as n from inbound_messages where tenant_id = ${tenantId}`))[0]?.n ?? 0;

const untilInbound = (tenantId: string, n: number) => eventually(async () => (await inboundCount(tenantId)) >= n, `${n} inbound messages`);

type Activity = { contact_id: string; kind: string; channel: string | null; campaign_id: string | null; message_id: string | null };
const activity = (tenantId: string) =>
  rows<Activity>(tenantId, sql`select contact_id, kind, channel, campaign_id, message_id from contact_activity where tenant_id = ${tenantId} and kind in ('replied', 'opted_out') order by at, kind`);

/** The first names a segment definition selects, through the live count endpoint. */
async function segmentNames(tenant: TenantFixture, condition: Record<string, unknown>): Promise<string[]> {
  const response = await api(tenant, 'POST', '/v1/segments/count', { definition: { all: [condition] }, sample: 20 });
  expect(response.statusCode, response.body).toBe(200);
  return (json<{ sample: Array<{ firstName: string }> }>(response).sample ?? []).map((c) => c.firstName).sort();
}

describe('replies become `replied` activity', () => {
  it('attributes a reply to the campaign it answers; STOP only opts out; a stranger writes no activity; the report counts replies', async () => {
    const tenant = await createTenant(h.platform, 'Optique Martin');
    const ids = await addContacts(tenant.tenantId, [
      { phone: '+33612347001', name: 'Léa' },
      { phone: '+33612347002', name: 'Marc' },
      { phone: '+33612347003', name: 'Zoé' },
    ]);
    const soldes = await runCampaign(tenant, 'Soldes', 'sms', 'Soldes -20% ce week-end');
    const leaMessage = (await rows<{ id: string }>(tenant.tenantId, sql`select id from messages where campaign_id = ${soldes} and recipient = '+33612347001'`))[0]?.id;
    // Someone who is no contact, reached by an alert: may answer, writes no activity.
    await sendAlert(tenant, 'sms', '+33612347099');
    // Zoé got the SMS campaign, and an RCS alert: her RCS reply answers no campaign (other channel).
    await sendAlert(tenant, 'rcs', '+33612347003');

    await h.sandbox.smsc.sendMo({ from: '+33612347001', to: '36111', text: 'Je passe samedi, merci !' });
    await h.sandbox.smsc.sendMo({ from: '+33612347002', to: '36111', text: 'STOP' });
    await h.sandbox.smsc.sendMo({ from: '+33612347099', to: '36111', text: 'Qui est-ce ?' });
    expect((await h.sandbox.rcs.simulateInbound({ from: '+33612347003', text: 'Merci, à demain' })).httpStatus).toBe(200);
    await untilInbound(tenant.tenantId, 4);

    expect(await activity(tenant.tenantId)).toEqual(
      expect.arrayContaining([
        { contact_id: ids.get('Léa'), kind: 'replied', channel: 'sms', campaign_id: soldes, message_id: leaMessage },
        { contact_id: ids.get('Marc'), kind: 'opted_out', channel: 'sms', campaign_id: null, message_id: null },
        { contact_id: ids.get('Zoé'), kind: 'replied', channel: 'rcs', campaign_id: null, message_id: null },
      ]),
    );
    // STOP is not a reply; the stranger has no contact row to write to.
    expect((await activity(tenant.tenantId)).length).toBe(3);
    const stranger = await rows<{ n: number }>(tenant.tenantId, sql`select count(*)::int as n from inbound_messages where sender = '+33612347099'`);
    expect(stranger[0]?.n).toBe(1);

    // Segments read it: "replied to campaign Soldes within 7 days", "replied by SMS".
    expect(await segmentNames(tenant, { type: 'activity', kind: 'replied', campaignId: soldes, withinDays: 7 })).toEqual(['Léa']);
    expect(await segmentNames(tenant, { type: 'activity', kind: 'replied', withinDays: 7 })).toEqual(['Léa', 'Zoé']);
    expect(await segmentNames(tenant, { type: 'activity', kind: 'replied', channel: 'sms' })).toEqual(['Léa']);

    // A second reply counts in the report's total, not in its unique repliers.
    await h.sandbox.smsc.sendMo({ from: '+33612347001', to: '36111', text: 'Et dimanche, ouvert ?' });
    await untilInbound(tenant.tenantId, 5);
    const report = json<{ totals: { replies: number; uniqueReplies: number; optOuts: number }; variants: Array<{ variant: string; replies: number; uniqueReplies: number }> }>(
      await api(tenant, 'GET', `/v1/campaigns/${soldes}/report`),
    );
    expect(report.totals).toMatchObject({ replies: 2, uniqueReplies: 1, optOuts: 1 });
    expect(report.variants).toEqual([expect.objectContaining({ variant: 'A', replies: 2, uniqueReplies: 1 })]);
    // The per-recipient CSV says who replied, and how often.
    const csv = (await api(tenant, 'GET', `/v1/campaigns/${soldes}/report.csv`)).body.trim().split('\r\n');
    const repliesColumn = csv[0]?.split(',').indexOf('replies') ?? -1;
    expect(repliesColumn).toBeGreaterThan(0);
    const repliesOf = (contactId: string | undefined) => csv.find((line) => line.startsWith(`${contactId},`))?.split(',')[repliesColumn];
    expect(repliesOf(ids.get('Léa'))).toBe('2');
    expect(repliesOf(ids.get('Marc'))).toBe('0');

    // A later campaign: Léa's next reply answers it, the latest campaign message on that channel.
    clock.advance(3_600_000);
    const nouveautes = await runCampaign(tenant, 'Nouveautés', 'sms', 'Nouvelle collection en boutique');
    await h.sandbox.smsc.sendMo({ from: '+33612347001', to: '36111', text: 'Jolie collection' });
    await untilInbound(tenant.tenantId, 6);
    const lea = (await activity(tenant.tenantId)).filter((a) => a.contact_id === ids.get('Léa'));
    expect(lea.map((a) => a.campaign_id)).toEqual([soldes, soldes, nouveautes]);
    const latest = json<{ totals: { replies: number } }>(await api(tenant, 'GET', `/v1/campaigns/${nouveautes}/report`));
    expect(latest.totals.replies).toBe(1);
  });

  it('looks back 7 days (REPLY_ATTRIBUTION_WINDOW_MS) for the campaign: an older campaign message is not attributed', async () => {
    const tenant = await createTenant(h.platform, 'Fleurs Dupont');
    const ids = await addContacts(tenant.tenantId, [
      { phone: '+33612349001', name: 'Paul' },
      { phone: '+33612349002', name: 'Jade' },
    ]);
    const campaign = randomUUID();
    // Campaign messages that left 8 and 6 days before the replies (the SMSC stamps MO messages with
    // the real time), stored as the fan-out and the dispatcher leave them.
    const sent = async (to: string, daysAgo: number) => {
      const at = new Date(Date.now() - daysAgo * 86_400_000);
      const id = randomUUID();
      await withTenant(h.platform.database.db, tenant.tenantId, (tx) =>
        sql`insert into messages (id, created_at, tenant_id, channel, route, status, recipient, content, send_at, submitted_at, done_at, campaign_id)
            values (${id}, ${at}, ${tenant.tenantId}, 'sms', 'marketing', 'delivered', ${to}, '{"text":"Bouquets de printemps"}'::jsonb, ${at}, ${at}, ${at}, ${campaign})`.execute(tx),
      );
      return id;
    };
    await sent('+33612349001', 8);
    const jadeMessage = await sent('+33612349002', 6);
    await h.sandbox.smsc.sendMo({ from: '+33612349001', to: '36111', text: 'Encore des tulipes ?' });
    await h.sandbox.smsc.sendMo({ from: '+33612349002', to: '36111', text: 'Encore des tulipes ?' });
    await untilInbound(tenant.tenantId, 2);
    expect(await activity(tenant.tenantId)).toEqual(
      expect.arrayContaining([
        { contact_id: ids.get('Paul'), kind: 'replied', channel: 'sms', campaign_id: null, message_id: null },
        { contact_id: ids.get('Jade'), kind: 'replied', channel: 'sms', campaign_id: campaign, message_id: jadeMessage },
      ]),
    );
    const lastActivity = await rows<{ first_name: string; last_activity_at: Date | null }>(tenant.tenantId, sql`select first_name, last_activity_at from contacts order by first_name`);
    expect(lastActivity.every((c) => c.last_activity_at !== null)).toBe(true);
  });
});

describe('STOP', () => {
  it('opts out once: a repeated STOP writes nothing more, a STOP after a consent withdrawn by hand still opts out', async () => {
    const tenant = await createTenant(h.platform, 'Cave Moreau');
    const ids = await addContacts(tenant.tenantId, [
      { phone: '+33612346001', name: 'Hugo' },
      { phone: '+33612346002', name: 'Anna' },
    ]);
    // Anna's consent was withdrawn in the console: she is not on the opt-out list yet.
    await withTenant(h.platform.database.db, tenant.tenantId, (tx) => sql`update contacts set consent_sms = 'withdrawn' where id = ${ids.get('Anna')}`.execute(tx));
    await sendAlert(tenant, 'sms', '+33612346001');
    await sendAlert(tenant, 'sms', '+33612346002');
    for (const text of ['STOP', 'Stop merci']) {
      await h.sandbox.smsc.sendMo({ from: '+33612346001', to: '36111', text });
      await h.sandbox.smsc.sendMo({ from: '+33612346002', to: '36111', text });
    }
    await untilInbound(tenant.tenantId, 4);
    expect((await activity(tenant.tenantId)).map((a) => [a.contact_id, a.kind]).sort()).toEqual(
      [
        [ids.get('Hugo'), 'opted_out'],
        [ids.get('Anna'), 'opted_out'],
      ].sort(),
    );
    const events = await rows<{ contact_id: string; status: string }>(tenant.tenantId, sql`select contact_id, status from contact_consent_events`);
    expect(events).toEqual([{ contact_id: ids.get('Hugo'), status: 'withdrawn' }]);
    expect(await rows(tenant.tenantId, sql`select address, source from suppressions order by address`)).toEqual([
      { address: '+33612346001', source: 'sms_stop' },
      { address: '+33612346002', source: 'sms_stop' },
    ]);
  });
});

describe('RCS: the user unsubscribes from the agent (RBM UNSUBSCRIBE)', () => {
  let receiver: Server;
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => {
    receiver?.close();
  });

  it('opts the number out as a STOP does, once, whatever RBM redelivers or sends beside it; marketing is then suppressed', async () => {
    const tenant = await createTenant(h.platform, 'Boulangerie Martin');
    const ids = await addContacts(tenant.tenantId, [{ phone: '+33612348001', name: 'Inès', rcs: 'granted' }]);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sofy`;
    const endpoint = await api(tenant, 'POST', '/v1/webhooks', { url, events: ['optout.created', 'message.inbound'] });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    await sendAlert(tenant, 'rcs', '+33612348001');

    // The event alone (as when the keyword is lost, or is one we do not read: "parar", "BAJA"),
    // delivered twice by Pub/Sub with the same eventId.
    const unsubscribed = await h.sandbox.rcs.simulateUnsubscribe({ from: '+33612348001', keyword: false, repeat: 2 });
    expect(unsubscribed.httpStatuses).toEqual([200, 200]);

    const state = async () => ({
      suppressions: await rows<{ source: string; channel: string | null; detail: string | null }>(tenant.tenantId, sql`select source, channel, detail from suppressions where address = '+33612348001'`),
      consent: (await rows<{ consent_rcs: string; consent_sms: string }>(tenant.tenantId, sql`select consent_rcs, consent_sms from contacts where id = ${ids.get('Inès')}`))[0],
      consentEvents: await rows<{ channel: string; status: string; source: string; proof: Record<string, unknown> }>(
        tenant.tenantId,
        sql`select channel, status, source, proof from contact_consent_events where contact_id = ${ids.get('Inès')}`,
      ),
      activity: await activity(tenant.tenantId),
      deliveries: await rows<{ event_type: string; payload: { data: Record<string, unknown> } }>(tenant.tenantId, sql`select event_type, payload from webhook_deliveries where tenant_id = ${tenant.tenantId} order by created_at`),
    });
    const first = await state();
    expect(first.suppressions).toEqual([{ source: 'rcs_stop', channel: 'rcs', detail: expect.stringContaining('UNSUBSCRIBE') }]);
    expect(first.consent).toEqual({ consent_rcs: 'withdrawn', consent_sms: 'granted' });
    expect(first.consentEvents).toEqual([{ channel: 'rcs', status: 'withdrawn', source: 'opt_out', proof: { optOut: 'rcs_stop', address: '+33612348001' } }]);
    expect(first.activity).toEqual([{ contact_id: ids.get('Inès'), kind: 'opted_out', channel: 'rcs', campaign_id: null, message_id: null }]);
    expect(first.deliveries.map((d) => [d.event_type, d.payload.data])).toEqual([['optout.created', { address: '+33612348001', source: 'rcs_stop', channel: 'rcs' }]]);
    expect(await inboundCount(tenant.tenantId)).toBe(0);
    await eventually(async () => received.find((r) => r.body.includes('optout.created') && r.body.includes('+33612348001')), 'the optout.created webhook');

    // What Google Messages really sends for one tap: the STOP keyword and the event, here through
    // the sandbox API of the console's phone. Nothing is opted out twice.
    const session = new ConsoleSession(h.platform.app, clock);
    await session.firstLogin(tenant.ownerEmail, tenant.ownerPassword);
    const tapped = await session.request('POST', '/v1/sandbox/phones/%2B33612348001/rcs-unsubscribe', {});
    expect(tapped.statusCode, tapped.body).toBe(202);
    await untilInbound(tenant.tenantId, 1);
    await h.sandbox.rcs.idle();
    const again = await state();
    expect(again.suppressions).toEqual(first.suppressions);
    expect(again.consentEvents).toEqual(first.consentEvents);
    expect(again.activity).toEqual(first.activity);
    expect(again.deliveries.map((d) => d.event_type)).toEqual(['optout.created', 'message.inbound']);
    expect(again.deliveries[1]?.payload.data).toMatchObject({ channel: 'rcs', from: '+33612348001', text: 'STOP', optOut: true });

    // R-OPTOUT: marketing to the number is suppressed on every channel; alerts still go.
    for (const channel of ['rcs', 'sms']) {
      const marketing = await api(tenant, 'POST', '/v1/messages', { channel, route: 'marketing', to: '+33612348001', text: 'Galette des rois -10% STOP SMS au 36111' });
      expect(json<{ status: string }>(marketing).status, channel).toBe('suppressed');
    }
    expect(json<{ status: string }>(await api(tenant, 'POST', '/v1/messages', { channel: 'rcs', route: 'alert', to: '+33612348001', text: 'Votre commande est prête' })).status).toBe('queued');
  });

  it('suppresses a number that is no contact, and ignores one no tenant sent to (200 to Google, nothing stored)', async () => {
    const tenant = await createTenant(h.platform, 'Fromagerie Durand');
    await sendAlert(tenant, 'rcs', '+33612348002');
    expect((await h.sandbox.rcs.simulateUnsubscribe({ from: '+33612348002', keyword: false })).httpStatuses).toEqual([200]);
    expect(await rows(tenant.tenantId, sql`select source, channel from suppressions where address = '+33612348002'`)).toEqual([{ source: 'rcs_stop', channel: 'rcs' }]);
    expect(await rows(tenant.tenantId, sql`select 1 from contact_activity`)).toEqual([]);

    const unroutable = h.runtime.inbound.unroutable;
    expect((await h.sandbox.rcs.simulateUnsubscribe({ from: '+33612348003', keyword: false })).httpStatuses).toEqual([200]);
    expect(h.runtime.inbound.unroutable).toBe(unroutable + 1);
    expect(await rows(tenant.tenantId, sql`select 1 from suppressions where address = '+33612348003'`)).toEqual([]);
  });
});
