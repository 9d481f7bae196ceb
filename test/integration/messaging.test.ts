import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { verifyWebhook } from '../../src/modules/webhooks/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, createTenant, json, type TenantFixture } from '../support/platform.ts';

/**
 * The messaging services end to end (issue 3): the send API, the dispatcher, the simulators
 * speaking SMPP, SMTP and the WhatsApp and RCS HTTP APIs, receipts, STOP replies, unsubscribe
 * links and signed webhooks — over a real PostgreSQL.
 */
let h: MessagingHarness;
let tenant: TenantFixture;

type Message = { id: string; status: string; channel: string; to: string; text: string | null; sendAt: string; segments: number; warnings: string[]; fellBack: boolean; error: { code: string; attribution: string } | null; history: Array<{ status: string; detail: Record<string, unknown> }> };

const send = async (body: Record<string, unknown>, key = tenant.apiKey, headers: Record<string, string> = {}) =>
  h.platform.app.inject({ method: 'POST', url: '/v1/messages', headers: { ...bearer(key), ...headers }, payload: body });

const get = async (id: string, key = tenant.apiKey) => json<Message>(await h.platform.app.inject({ url: `/v1/messages/${id}`, headers: bearer(key) }));

const untilStatus = (id: string, statuses: string[]) =>
  eventually(async () => {
    const message = await get(id);
    return statuses.includes(message.status) ? message : undefined;
  }, `message ${id} to reach ${statuses.join('/')}`);

beforeAll(async () => {
  h = await startMessaging();
  tenant = await createTenant(h.platform, 'Optique Martin');
});

afterAll(async () => {
  await h?.close();
});

describe('SMS over SMPP', () => {
  it('delivers an alert: queued → submitted → delivered, with the receipt, billed once', async () => {
    const accepted = await send({ channel: 'sms', route: 'alert', to: '06 12 34 56 78', from: 'OPTIQUE', text: 'Votre code de vérification est 482913.' });
    expect(accepted.statusCode).toBe(202);
    const body = json<Message & { price: { amount: number } }>(accepted);
    expect(body).toMatchObject({ status: 'queued', to: '+33612345678', encoding: 'GSM-7', segments: 1, price: { amount: 5.5 } });
    const done = await untilStatus(body.id, ['delivered']);
    expect(done.history.map((step) => step.status)).toEqual(['queued', 'submitted', 'delivered']);
    expect(h.sandbox.smsc.inbox('33612345678').map((m) => m.text)).toContain('Votre code de vérification est 482913.');
    const usage = await withTenant(h.platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('usage_records').selectAll().where('message_id', '=', body.id).execute());
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ channel: 'sms', route: 'alert', country: 'FR', segments: 1, price_millicents: 5500 });
  });

  it('records who failed (R-3RD): an undelivered receipt is the recipient’s, a refused number the recipient’s', async () => {
    const undelivered = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612340666', text: 'Code 1234' }));
    const failed = await untilStatus(undelivered.id, ['undelivered']);
    expect(failed.error).toMatchObject({ code: 'UNDELIV', attribution: 'recipient' });
    const invalid = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612340333', text: 'Code 1234' }));
    const refused = await untilStatus(invalid.id, ['failed']);
    expect(refused.error).toMatchObject({ code: 'smpp_invalid_destination', attribution: 'recipient' });
  });

  it('retries a throttled submit later instead of failing it', async () => {
    const throttled = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612340444', text: 'Code 5678' }));
    const retrying = await eventually(async () => {
      const message = await get(throttled.id);
      return message.history.find((step) => step.status === 'queued' && step.detail.errorCode === 'smpp_throttled') ? message : undefined;
    }, 'a throttled retry');
    const step = retrying.history.find((s) => s.detail.errorCode === 'smpp_throttled');
    expect(step?.detail).toMatchObject({ attribution: 'operator', retryAt: expect.any(String) });
    expect(['queued', 'sending']).toContain(retrying.status);
  });

  it('splits a long UCS-2 text into parts the handset reassembles', async () => {
    const text = `Bonjour 😀 ${'é'.repeat(120)} fin`;
    const accepted = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612345601', text }));
    expect(accepted.segments).toBe(3);
    await untilStatus(accepted.id, ['delivered']);
    expect(h.sandbox.smsc.inbox('33612345601')[0]?.text).toBe(text);
  });
});

describe('marketing rules', () => {
  it('appends the STOP mention (R-STOP) and counts it; refuses instead with optOut: require', async () => {
    const accepted = json<Message>(await send({ channel: 'sms', route: 'marketing', to: '+33612345602', text: 'Nouvelle collection en boutique', quietHours: 'defer' }));
    expect(accepted.text).toBe('Nouvelle collection en boutique\nSTOP SMS au 36111');
    expect(accepted.warnings.join(' ')).toContain('STOP mention appended');
    const refused = await send({ channel: 'sms', route: 'marketing', to: '+33612345602', text: 'Nouvelle collection', optOut: 'require' });
    expect(json(refused)).toMatchObject({ status: 422, code: 'stop_mention_missing' });
  });

  it('refuses promotional content on the alert route, naming the rule and the words (R-ALERT)', async () => {
    const refused = await send({ channel: 'sms', route: 'alert', to: '+33612345603', text: 'SOLDES : -30 % sur toutes les montures, profitez-en !' });
    const problem = json<{ code: string; rules: Array<{ rule: string; matched: string[] }> }>(refused);
    expect(problem.code).toBe('marketing_content_on_alert_route');
    expect(problem.rules.map((r) => r.rule)).toEqual(expect.arrayContaining(['discount']));
  });

  it('suppresses marketing after a STOP reply, at once and for that tenant only; alerts still go (R-OPTOUT)', async () => {
    const other = await createTenant(h.platform, 'Autre enseigne');
    const first = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612345604', text: 'Votre commande est prête' }));
    await untilStatus(first.id, ['delivered']);
    await h.sandbox.smsc.sendMo({ from: '33612345604', to: '36111', text: ' Stop ' });
    await eventually(async () => {
      const list = json<{ data: Array<{ address: string; source: string }> }>(await h.platform.app.inject({ url: '/v1/opt-outs', headers: bearer(tenant.apiKey) }));
      return list.data.find((o) => o.address === '+33612345604' && o.source === 'sms_stop');
    }, 'the opt-out');
    const marketing = json<Message>(await send({ channel: 'sms', route: 'marketing', to: '+33612345604', text: 'Promo A STOP SMS au 36111' }));
    expect(marketing.status).toBe('suppressed');
    const alert = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612345604', text: 'Votre rendez-vous est confirmé' }));
    expect(alert.status).toBe('queued');
    const elsewhere = json<Message>(await send({ channel: 'sms', route: 'marketing', to: '+33612345604', text: 'Promo B STOP SMS au 36111' }, other.apiKey));
    expect(elsewhere.status).not.toBe('suppressed');
    // The suppressed message never reaches the network.
    await untilStatus(alert.id, ['delivered']);
    expect(h.sandbox.smsc.inbox('33612345604').filter((m) => m.text.startsWith('Promo A'))).toHaveLength(0);
    expect((await get(marketing.id)).history.map((step) => step.status)).toEqual(['suppressed']);
  });
});

describe('RCS', () => {
  it('falls back to SMS when the handset is not RCS-capable', async () => {
    const accepted = json<Message>(await send({ channel: 'rcs', route: 'alert', to: '+33612340404', text: 'Votre colis arrive demain' }));
    const done = await untilStatus(accepted.id, ['delivered']);
    expect(done).toMatchObject({ fellBack: true, channel: 'sms' });
    expect(h.sandbox.smsc.inbox('33612340404').map((m) => m.text)).toContain('Votre colis arrive demain');
  });

  it('delivers to a capable handset with its suggestions, receipts by signed webhook', async () => {
    const accepted = json<Message>(await send({ channel: 'rcs', route: 'alert', to: '+33612345605', text: 'Confirmez votre rendez-vous', suggestions: [{ type: 'reply', text: 'Oui', postbackData: 'yes' }] }));
    const done = await untilStatus(accepted.id, ['delivered', 'read']);
    expect(done.fellBack).toBe(false);
    expect(h.sandbox.rcs.inbox('+33612345605')[0]?.suggestions).toHaveLength(1);
  });
});

describe('WhatsApp', () => {
  it('refuses free text outside the 24-hour window and unapproved templates; sends both once allowed', async () => {
    const outside = await send({ channel: 'whatsapp', to: '+33612345606', text: 'Bonjour !' });
    expect(json(outside)).toMatchObject({ code: 'outside_customer_service_window' });
    const template = { name: 'rdv_rappel', language: 'fr' };
    expect(json(await send({ channel: 'whatsapp', to: '+33612345606', template }))).toMatchObject({ code: 'template_not_approved' });

    await withTenant(h.platform.database.db, tenant.tenantId, (tx) =>
      tx.insertInto('whatsapp_templates').values({ tenant_id: tenant.tenantId, name: 'rdv_rappel', language: 'fr', category: 'UTILITY', status: 'APPROVED', components: '[]' }).execute(),
    );
    h.sandbox.whatsapp.registerTemplate({ name: 'rdv_rappel', language: 'fr', status: 'APPROVED', components: [] });
    const templated = json<Message>(await send({ channel: 'whatsapp', to: '+33612345606', template }));
    await untilStatus(templated.id, ['delivered', 'read']);

    await h.sandbox.whatsapp.simulateInbound({ from: '33612345606', text: 'Bonjour, est-ce ouvert samedi ?' });
    const free = await eventually(async () => {
      const response = await send({ channel: 'whatsapp', to: '+33612345606', text: 'Oui, de 9 h à 19 h.' });
      return response.statusCode === 202 ? json<Message>(response) : undefined;
    }, 'the window to open');
    await untilStatus(free.id, ['delivered', 'read']);
  });
});

describe('email', () => {
  it('sends marketing with a one-click unsubscribe link that suppresses the address (RFC 8058)', async () => {
    const accepted = json<Message>(await send({ channel: 'email', to: 'Lea@Example.com', subject: 'Nos nouvelles montures', html: '<p>Bonjour Léa</p>' }));
    await untilStatus(accepted.id, ['submitted']);
    const mail = await eventually(async () => h.sandbox.smtp.inbox('lea@example.com')[0], 'the email');
    expect(mail.subject).toBe('Nos nouvelles montures');
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const link = /<(https?:[^>]+)>/.exec(String(mail.headers['list-unsubscribe']))?.[1] as string;
    const path = new URL(link).pathname;
    const oneClick = await h.platform.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(oneClick.statusCode).toBe(200);
    const forged = await h.platform.app.inject({ method: 'POST', url: `${path.slice(0, -3)}xyz`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(forged.statusCode).toBe(404);
    const again = json<Message>(await send({ channel: 'email', to: 'lea@example.com', subject: 'Encore', html: '<p>x</p>' }));
    expect(again.status).toBe('suppressed');
  });
});

describe('the send API', () => {
  it('replays an Idempotency-Key, refuses it for another body, and creates one message under concurrency', async () => {
    const body = { channel: 'sms', route: 'alert', to: '+33612345607', text: 'Code 111111' };
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => send(body, tenant.apiKey, { 'idempotency-key': 'otp-42' })));
    const ids = new Set([a, b, c].map((r) => json<Message>(r as never).id));
    expect(ids.size).toBe(1);
    expect([a, b, c].filter((r) => r?.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    const other = await send({ ...body, text: 'Code 222222' }, tenant.apiKey, { 'idempotency-key': 'otp-42' });
    expect(json(other)).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    const stored = await withTenant(h.platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select('id').where('recipient', '=', '+33612345607').execute());
    expect(stored).toHaveLength(1);
  });

  it('accepts a batch item by item', async () => {
    const response = await h.platform.app.inject({
      method: 'POST',
      url: '/v1/messages/batch',
      headers: bearer(tenant.apiKey),
      payload: {
        messages: [
          { channel: 'sms', route: 'alert', to: '+33612345608', text: 'Code 1' },
          { channel: 'sms', route: 'alert', to: 'not a number', text: 'Code 2' },
          { channel: 'sms', route: 'alert', to: '+33612345609', text: 'Code 3', colour: 'red' },
          { channel: 'sms', route: 'alert', to: '+33612345610', text: 'Code 4' },
        ],
      },
    });
    expect(response.statusCode).toBe(202);
    const body = json<{ accepted: number; rejected: number; results: Array<{ index: number; accepted?: Message; error?: { code: string; errors?: Array<{ path: string }> } }> }>(response);
    expect(body).toMatchObject({ accepted: 2, rejected: 2 });
    expect(body.results[1]?.error?.code).toBe('invalid_phone_number');
    expect(body.results[2]?.error).toMatchObject({ code: 'validation_failed', errors: [{ path: '/messages/2/colour' }] });
    await untilStatus(body.results[3]?.accepted?.id as string, ['delivered']);
  });

  it('enforces the route scope, and hides one tenant’s messages from another', async () => {
    const created = json<{ secret: string }>(await h.platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.apiKey), payload: { name: 'alerts only', scopes: ['messages:alert', 'messages:read'] } }));
    const marketing = await send({ channel: 'sms', route: 'marketing', to: '+33612345611', text: 'Promo STOP SMS au 36111' }, created.secret);
    expect(json(marketing)).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScopes: ['messages:marketing'] });
    const mine = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612345611', text: 'Code 9' }, created.secret));
    const other = await createTenant(h.platform);
    expect((await h.platform.app.inject({ url: `/v1/messages/${mine.id}`, headers: bearer(other.apiKey) })).statusCode).toBe(404);
    const list = json<{ data: Message[] }>(await h.platform.app.inject({ url: '/v1/messages?to=%2B33612345611', headers: bearer(other.apiKey) }));
    expect(list.data).toHaveLength(0);
  });
});

describe('senders and routes', () => {
  it('refuses a numeric sender the account does not own, accepts it once registered', async () => {
    const unowned = await send({ channel: 'sms', route: 'alert', to: '+33612345614', from: '38200', text: 'Code 1' });
    expect(json(unowned)).toMatchObject({ status: 422, code: 'invalid_sender', errors: [{ path: '/from' }] });
    const added = await h.platform.app.inject({ method: 'POST', url: '/v1/senders', headers: bearer(tenant.apiKey), payload: { sender: '38200' } });
    expect(json(added)).toMatchObject({ sender: '38200', kind: 'short_code', status: 'active' });
    const again = await h.platform.app.inject({ method: 'POST', url: '/v1/senders', headers: bearer(tenant.apiKey), payload: { sender: '38200' } });
    expect(json(again)).toMatchObject({ code: 'conflict' });
    expect(json(await h.platform.app.inject({ method: 'POST', url: '/v1/senders', headers: bearer(tenant.apiKey), payload: { sender: 'INFO' } }))).toMatchObject({ code: 'invalid_sender' });
    const owned = await send({ channel: 'sms', route: 'alert', to: '+33612345614', from: '38200', text: 'Code 2' });
    expect(owned.statusCode).toBe(202);
  });

  it('reports the connectors of this server and the account’s backlog', async () => {
    const health = json<{ connectors: Array<{ id: string; channel: string; state: string }>; backlog: unknown[] }>(
      await h.platform.app.inject({ url: '/v1/messaging/routes', headers: bearer(tenant.apiKey) }),
    );
    expect(health.connectors.map((c) => c.id).sort()).toEqual(['rcs', 'smpp', 'smtp', 'whatsapp']);
    expect(health.connectors.find((c) => c.id === 'smpp')?.state).toBe('bound');
    expect(Array.isArray(health.backlog)).toBe(true);
  });
});

describe('outgoing webhooks', () => {
  it('posts signed status events (Standard Webhooks) to the tenant’s endpoint', async () => {
    const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/sofy`;
      const created = json<{ secret: string }>(await h.platform.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(tenant.apiKey), payload: { url, events: ['message.delivered'] } }));
      const message = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612345612', text: 'Code 4242', metadata: { orderId: 'A-17' } }));
      const event = await eventually(async () => received.find((r) => r.body.includes(message.id)), 'the webhook');
      const payload = JSON.parse(event.body) as { type: string; data: { id: string; status: string; metadata: { orderId: string } } };
      expect(payload).toMatchObject({ type: 'message.delivered', data: { id: message.id, status: 'delivered', metadata: { orderId: 'A-17' } } });
      const headers = { id: String(event.headers['webhook-id']), timestamp: String(event.headers['webhook-timestamp']), signature: String(event.headers['webhook-signature']) };
      expect(verifyWebhook(created.secret, headers, event.body, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifyWebhook(created.secret, headers, `${event.body} `, Math.floor(Date.now() / 1000))).toBe(false);
    } finally {
      receiver.close();
    }
  });
});

describe('provider callbacks', () => {
  it('refuses a WhatsApp or RCS webhook with a bad signature', async () => {
    for (const path of ['/webhooks/whatsapp', '/webhooks/rcs']) {
      const response = await fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00', 'x-goog-signature': 'AAAA' }, body: '{"object":"whatsapp_business_account","entry":[]}' });
      expect(response.status, path).toBe(401);
    }
  });
});

describe('suspended tenants', () => {
  it('stop sending: their queued messages wait, and new sends are refused', async () => {
    const suspended = await createTenant(h.platform);
    const scheduled = json<Message>(await send({ channel: 'sms', route: 'alert', to: '+33612345613', text: 'Code 1', scheduledAt: new Date(Date.now() + 1500).toISOString() }, suspended.apiKey));
    await h.platform.services.tenantAdmin.suspend({ actor: { type: 'system', id: 't', label: 't' }, ip: null, requestId: null }, 'system:test', suspended.tenantId, 'nonpayment', 'Facture impayée');
    expect(json(await send({ channel: 'sms', route: 'alert', to: '+33612345613', text: 'Code 2' }, suspended.apiKey))).toMatchObject({ code: 'tenant_suspended' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Due for a second now, but the claim skips suspended tenants: it waits, unsent.
    const still = await withTenant(h.platform.database.db, suspended.tenantId, (tx) => tx.selectFrom('messages').select('status').where('id', '=', scheduled.id).executeTakeFirstOrThrow());
    expect(still.status).toBe('scheduled');
    expect(h.sandbox.smsc.inbox('33612345613')).toHaveLength(0);
  });
});
