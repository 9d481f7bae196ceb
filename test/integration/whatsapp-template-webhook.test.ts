import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../../src/channels/whatsapp/index.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { verifyWebhook } from '../../src/modules/webhooks/index.ts';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, createTenant, json, type TenantFixture } from '../support/platform.ts';

/**
 * A WhatsApp template's status changed by Meta (its signed `message_template_status_update` webhook
 * from the sandbox Cloud API, or found by a sync) reaches the tenant as a signed
 * `whatsapp_template.status_changed` webhook, enqueued with the change and only on a change.
 */
let h: MessagingHarness;
let shop: TenantFixture;
let rival: TenantFixture;
let receiver: Server;
let secret: string;
const received: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];

type Event = { type: string; data: Record<string, unknown> };

const api = (tenant: TenantFixture, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  h.platform.app.inject({ method, url, headers: bearer(tenant.apiKey), ...(payload !== undefined ? { payload: payload as object } : {}) });

const definition = (name: string) => ({
  name,
  language: 'fr',
  category: 'MARKETING',
  components: [{ type: 'BODY', text: 'Bonjour {{1}}, nos galettes sont arrivées.', example: { body_text: [['Léa']] } }],
});

/** Events the shop's endpoint received for one template, in order, each signature checked. */
const eventsFor = (name: string): Event[] =>
  received
    .filter((r) => r.path === '/shop')
    .map((r) => {
      const headers = { id: String(r.headers['webhook-id']), timestamp: String(r.headers['webhook-timestamp']), signature: String(r.headers['webhook-signature']) };
      expect(verifyWebhook(secret, headers, r.body, Math.floor(Date.now() / 1000))).toBe(true);
      return JSON.parse(r.body) as Event;
    })
    .filter((e) => e.data.name === name);

const deliveryRows = (tenant: TenantFixture, name: string) =>
  withTenant(h.platform.database.db, tenant.tenantId, (tx) =>
    tx.selectFrom('webhook_deliveries').select(['event_type', 'payload']).where('tenant_id', '=', tenant.tenantId).where('event_type', '=', 'whatsapp_template.status_changed').execute(),
  ).then((rows) => rows.filter((r) => (r.payload as Event).data.name === name));

/** Meta's status webhook, signed with the app secret, as Meta posts it. */
async function metaStatus(value: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: h.sandbox.whatsapp.wabaId, time: 1_772_000_000, changes: [{ field: 'message_template_status_update', value }] }] });
  const response = await fetch(`${h.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, SANDBOX_CREDENTIALS.whatsapp.appSecret) }, body });
  return response.status;
}

beforeAll(async () => {
  h = await startMessaging();
  shop = await createTenant(h.platform, 'Boulangerie Martin');
  rival = await createTenant(h.platform, 'Fleurs Dupont');
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const created = await api(shop, 'POST', '/v1/webhooks', { url: `${base}/shop`, events: ['whatsapp_template.status_changed'] });
  expect(created.statusCode, created.body).toBe(201);
  secret = json<{ secret: string }>(created).secret;
  // Another account's endpoint, and one of ours for message events only: neither hears of it.
  expect((await api(rival, 'POST', '/v1/webhooks', { url: `${base}/rival`, events: ['*'] })).statusCode).toBe(201);
  expect((await api(shop, 'POST', '/v1/webhooks', { url: `${base}/messages`, events: ['message.*'] })).statusCode).toBe(201);
});

afterAll(async () => {
  await h?.close();
  receiver?.close();
});

describe('whatsapp_template.status_changed', () => {
  it('tells the tenant of Meta’s rejection, with the reason and Meta’s explanation', async () => {
    expect((await api(shop, 'POST', '/v1/whatsapp/templates', definition('galette_rejected'))).statusCode).toBe(201);
    const [event] = await eventually(async () => {
      const events = eventsFor('galette_rejected');
      return events.length ? events : undefined;
    }, 'the rejection webhook');
    const template = json<{ providerId: string }>(await api(shop, 'GET', '/v1/whatsapp/templates/galette_rejected/fr'));
    expect(event).toEqual({
      type: 'whatsapp_template.status_changed',
      timestamp: expect.any(String),
      data: {
        name: 'galette_rejected',
        language: 'fr',
        category: 'MARKETING',
        providerId: template.providerId,
        oldStatus: 'PENDING',
        newStatus: 'REJECTED',
        reason: 'INVALID_FORMAT',
        statusDetail: { rejection_info: expect.objectContaining({ reason: expect.any(String) }) },
        event: 'REJECTED',
        source: 'webhook',
      },
    });
  });

  it('announces each change in order (approved, then paused), and a retry of Meta’s webhook announces nothing again', async () => {
    expect((await api(shop, 'POST', '/v1/whatsapp/templates', definition('rappel_paused'))).statusCode).toBe(201);
    const events = await eventually(async () => {
      const found = eventsFor('rappel_paused');
      return found.length === 2 ? found : undefined;
    }, 'two webhooks');
    expect(events.map((e) => [e.data.oldStatus, e.data.newStatus, e.data.event, e.data.reason])).toEqual([
      ['PENDING', 'APPROVED', 'APPROVED', null],
      ['APPROVED', 'PAUSED', 'PAUSED', null],
    ]);
    expect(events[1]?.data.statusDetail).toMatchObject({ other_info: { title: 'FIRST_PAUSE' } });

    const template = json<{ providerId: string }>(await api(shop, 'GET', '/v1/whatsapp/templates/rappel_paused/fr'));
    expect(await metaStatus({ event: 'PAUSED', message_template_id: Number(template.providerId), message_template_name: 'rappel_paused', message_template_language: 'fr', reason: null })).toBe(200);
    expect(await deliveryRows(shop, 'rappel_paused')).toHaveLength(2);
    // Reinstated by Meta: back to APPROVED, announced.
    h.sandbox.whatsapp.setTemplateStatus('rappel_paused', 'fr', 'APPROVED');
    expect(await metaStatus({ event: 'REINSTATED', message_template_id: Number(template.providerId), message_template_name: 'rappel_paused', message_template_language: 'fr', reason: 'NONE' })).toBe(200);
    const rows = await deliveryRows(shop, 'rappel_paused');
    expect(rows.map((r) => (r.payload as Event).data)).toEqual([
      expect.objectContaining({ newStatus: 'APPROVED' }),
      expect.objectContaining({ newStatus: 'PAUSED' }),
      expect.objectContaining({ oldStatus: 'PAUSED', newStatus: 'APPROVED', event: 'REINSTATED', reason: null, source: 'webhook' }),
    ]);
  });

  it('announces a template Meta deleted, and the changes a sync finds', async () => {
    expect((await api(shop, 'POST', '/v1/whatsapp/templates', definition('promo_hiver'))).statusCode).toBe(201);
    expect((await api(shop, 'POST', '/v1/whatsapp/templates', definition('promo_pending_sync'))).statusCode).toBe(201);
    await eventually(async () => eventsFor('promo_hiver').length === 1, 'the approval webhook');
    const hiver = json<{ providerId: string }>(await api(shop, 'GET', '/v1/whatsapp/templates/promo_hiver/fr'));
    expect(await metaStatus({ event: 'DELETED', message_template_id: Number(hiver.providerId), message_template_name: 'promo_hiver', message_template_language: 'fr', reason: null })).toBe(200);
    expect((await api(shop, 'GET', '/v1/whatsapp/templates/promo_hiver/fr')).statusCode).toBe(404);
    expect((await deliveryRows(shop, 'promo_hiver')).map((r) => (r.payload as Event).data)).toEqual([
      expect.objectContaining({ oldStatus: 'PENDING', newStatus: 'APPROVED' }),
      expect.objectContaining({ oldStatus: 'APPROVED', newStatus: 'DELETED', event: 'DELETED', providerId: hiver.providerId, source: 'webhook' }),
    ]);

    // Approved at Meta without a webhook reaching us: the sync finds it and announces it.
    h.sandbox.whatsapp.setTemplateStatus('promo_pending_sync', 'fr', 'APPROVED');
    expect(json(await api(shop, 'POST', '/v1/whatsapp/templates/sync'))).toMatchObject({ updated: 1 });
    expect((await deliveryRows(shop, 'promo_pending_sync')).map((r) => (r.payload as Event).data)).toEqual([
      expect.objectContaining({ oldStatus: 'PENDING', newStatus: 'APPROVED', event: null, source: 'sync' }),
    ]);
    expect(json(await api(shop, 'POST', '/v1/whatsapp/templates/sync'))).toMatchObject({ updated: 0 });
    expect(await deliveryRows(shop, 'promo_pending_sync')).toHaveLength(1);
  });

  it('goes to the tenant that owns the template only, and to endpoints subscribed to it', async () => {
    await eventually(async () => eventsFor('promo_pending_sync').length === 1, 'the sync webhook to be delivered');
    expect(received.filter((r) => r.path === '/rival')).toEqual([]);
    expect(received.filter((r) => r.path === '/messages')).toEqual([]);
    const rivalRows = await withTenant(h.platform.database.db, rival.tenantId, (tx) => tx.selectFrom('webhook_deliveries').select('event_type').where('tenant_id', '=', rival.tenantId).execute());
    expect(rivalRows).toEqual([]);
  });
});
