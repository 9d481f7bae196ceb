import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../platform/clock.ts';
import { SANDBOX_PHONE_NUMBER_ID, SandboxWhatsAppCloud } from '../../sandbox/whatsapp/index.ts';
import type { DeliveryReport, InboundMessage, OutboundWhatsApp } from '../types.ts';
import { parseWebhook, verifySignature, verifySubscription, WhatsAppCloudConnector } from './index.ts';

const APP_SECRET = 'test-app-secret';
const VERIFY_TOKEN = 'sofy-verify-token';

interface Received {
  raw: Buffer;
  headers: IncomingHttpHeaders;
}

/** Our side of the webhook: records raw bodies, answers Meta's GET handshake. */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET') {
      const url = new URL(req.url ?? '/', 'http://x');
      const challenge = verifySubscription(url.searchParams, VERIFY_TOKEN);
      res.writeHead(challenge === null ? 403 : 200, { 'content-type': 'text/plain' }).end(challenge ?? 'forbidden');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ raw, headers: req.headers });
      const ok = verifySignature(raw, req.headers['x-hub-signature-256'], APP_SECRET);
      res.writeHead(ok ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const parsed = () => {
    const reports: DeliveryReport[] = [];
    const inbound: InboundMessage[] = [];
    for (const r of received) {
      const p = parseWebhook(JSON.parse(r.raw.toString('utf8')));
      reports.push(...p.reports);
      inbound.push(...p.inbound);
    }
    return { reports, inbound };
  };
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    received,
    parsed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

/** The handle count once it has stopped moving (sockets of earlier tests finish closing). */
async function settledHandles(): Promise<number> {
  let last = tcpHandles();
  for (let stable = 0, i = 0; stable < 5 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const now = tcpHandles();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

const CLIENT = '+33612345678';

function text(to: string, body: string, id = 'm-1'): OutboundWhatsApp {
  return { id, phoneNumberId: SANDBOX_PHONE_NUMBER_ID, to, text: body };
}

describe('WhatsAppCloudConnector against the sandbox Cloud API', () => {
  let clock: FixedClock;
  let sandbox: SandboxWhatsAppCloud;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let wa: WhatsAppCloudConnector;

  beforeEach(async () => {
    clock = new FixedClock('2025-03-10T09:00:00Z');
    receiver = await startReceiver();
    sandbox = new SandboxWhatsAppCloud({ appSecret: APP_SECRET, callbackUrl: receiver.url, clock });
    const baseUrl = await sandbox.start();
    wa = new WhatsAppCloudConnector({ baseUrl, apiVersion: 'v21.0', accessToken: sandbox.accessToken, timeoutMs: 5_000 });
    sandbox.registerTemplate({
      name: 'rappel_rdv',
      language: 'fr',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Bonjour {{1}}, votre rendez-vous est le {{2}}.' }],
    });
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.close();
  });

  const rdv = (to = CLIENT, id = 't-1'): OutboundWhatsApp => ({
    id,
    phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
    to,
    template: {
      name: 'rappel_rdv',
      language: 'fr',
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Léa' }, { type: 'text', text: 'mardi 11 mars à 10 h' }] }],
    },
  });

  it('sends an approved template, then receives signed sent → delivered → read statuses', async () => {
    const result = await wa.send(rdv());
    expect(result.ok).toBe(true);
    const providerId = result.ok ? result.providerId : '';
    expect(providerId).toMatch(/^wamid\./);
    await sandbox.idle();
    const { reports } = receiver.parsed();
    expect(reports.map((r) => [r.providerId, r.status])).toEqual([
      [providerId, 'sent'],
      [providerId, 'delivered'],
      [providerId, 'read'],
    ]);
    expect(reports[0]?.at).toEqual(new Date('2025-03-10T09:00:00Z'));
    for (const r of receiver.received) {
      expect(r.headers['user-agent']).toBe('facebookexternalua');
      expect(verifySignature(r.raw, r.headers['x-hub-signature-256'], APP_SECRET)).toBe(true);
    }
    // Our message id comes back with every status.
    expect((reports[0]!.raw as { biz_opaque_callback_data?: string }).biz_opaque_callback_data).toBe('t-1');
    const [sent] = sandbox.inbox(CLIENT);
    expect(sent).toMatchObject({ id: providerId, type: 'template', to: '33612345678', template: { name: 'rappel_rdv', language: 'fr' } });
    expect(sent?.statuses).toEqual(['sent', 'delivered', 'read']);
    expect(sandbox.webhooks().every((w) => w.httpStatus === 200)).toBe(true);
  });

  it('refuses templates that Meta would refuse', async () => {
    sandbox.registerTemplate({ name: 'promo', language: 'fr', status: 'PENDING', category: 'MARKETING' });
    sandbox.registerTemplate({ name: 'vieux', language: 'fr', status: 'REJECTED' });
    sandbox.registerTemplate({ name: 'lasse', language: 'fr', status: 'PAUSED' });
    sandbox.registerTemplate({ name: 'mort', language: 'fr', status: 'DISABLED' });
    const tpl = (name: string, language = 'fr', components?: unknown[]): OutboundWhatsApp => ({
      id: name,
      phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
      to: CLIENT,
      template: { name, language, ...(components ? { components } : {}) },
    });
    const notFound = { ok: false, error: { code: 'template_not_found', retryable: false, attribution: 'platform', providerCode: '132001' } };
    expect(await wa.send(tpl('inconnu'))).toMatchObject(notFound);
    expect(await wa.send(tpl('rappel_rdv', 'en_US'))).toMatchObject(notFound);
    expect(await wa.send(tpl('promo'))).toMatchObject(notFound);
    expect(await wa.send(tpl('vieux'))).toMatchObject(notFound);
    expect(await wa.send(tpl('lasse'))).toMatchObject({ ok: false, error: { code: 'template_paused', providerCode: '132015' } });
    expect(await wa.send(tpl('mort'))).toMatchObject({ ok: false, error: { code: 'template_disabled', providerCode: '132016' } });
    expect(await wa.send(tpl('rappel_rdv', 'fr', [{ type: 'body', parameters: [{ type: 'text', text: 'Léa' }] }]))).toMatchObject({
      ok: false,
      error: { code: 'template_param_mismatch', retryable: false, attribution: 'platform', providerCode: '132000' },
    });
    // Approval later: the same send goes through.
    sandbox.setTemplateStatus('promo', 'fr', 'APPROVED');
    expect((await wa.send(tpl('promo'))).ok).toBe(true);
    expect(sandbox.all()).toHaveLength(1);
  });

  it('enforces the 24-hour customer service window on free text (failed status 131047, like Meta)', async () => {
    const outside = await wa.send(text(CLIENT, 'Bonjour !'));
    expect(outside.ok).toBe(true);
    await sandbox.idle();
    const failed = receiver.parsed().reports;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'failed', providerCode: '131047', attribution: 'meta' });

    // The customer writes: the window opens, free text is delivered.
    const inbound = await sandbox.simulateInbound({ from: CLIENT, text: 'Bonjour, vous êtes ouverts dimanche ?', name: 'Léa' });
    expect(inbound.httpStatus).toBe(200);
    expect(sandbox.windowOpen(CLIENT)).toBe(true);
    clock.advance(23 * 3600_000);
    const reply = await wa.send(text(CLIENT, 'Oui, de 8 h à 13 h.', 'm-2'));
    expect(reply.ok).toBe(true);
    await sandbox.idle();
    const replyId = reply.ok ? reply.providerId : '';
    expect(receiver.parsed().reports.filter((r) => r.providerId === replyId).map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);

    // 24 hours after the customer's last message, the window is closed again.
    clock.advance(3600_000);
    expect(sandbox.windowOpen(CLIENT)).toBe(false);
    const late = await wa.send(text(CLIENT, 'Vous avez oublié votre parapluie.', 'm-3'));
    await sandbox.idle();
    const lateId = late.ok ? late.providerId : '';
    expect(receiver.parsed().reports.filter((r) => r.providerId === lateId)).toMatchObject([{ status: 'failed', providerCode: '131047' }]);

    // Templates are not bound by the window.
    expect((await wa.send(rdv())).ok).toBe(true);
  });

  it('can answer the window error synchronously instead', async () => {
    const strict = new SandboxWhatsAppCloud({ windowErrors: 'response' });
    const connector = new WhatsAppCloudConnector({ baseUrl: await strict.start(), accessToken: strict.accessToken });
    try {
      expect(await connector.send(text(CLIENT, 'Bonjour'))).toMatchObject({
        ok: false,
        error: { code: 'outside_customer_service_window', retryable: false, attribution: 'meta', providerCode: '131047' },
      });
      await strict.simulateInbound({ from: CLIENT, text: 'salut' });
      expect((await connector.send(text(CLIENT, 'Bonjour'))).ok).toBe(true);
    } finally {
      await strict.stop();
    }
  });

  it('posts inbound messages (STOP, quick-reply buttons, interactive replies) that parse into InboundMessages', async () => {
    const stop = await sandbox.simulateInbound({ from: CLIENT, text: 'STOP' });
    await sandbox.simulateInbound({ from: '+33698765432', text: 'Confirmer', postbackData: 'rdv:confirm:42' });
    await sandbox.simulateInbound({ from: '+33698765432', text: 'Annuler', postbackData: 'rdv:cancel:42', replyType: 'button_reply' });
    await sandbox.simulateInbound({ from: '+33698765432', text: 'Mardi', postbackData: 'slot:tue', replyType: 'list_reply' });
    const { inbound, reports } = receiver.parsed();
    expect(reports).toEqual([]);
    expect(inbound.map((m) => [m.from, m.to, m.text, m.postbackData])).toEqual([
      [CLIENT, SANDBOX_PHONE_NUMBER_ID, 'STOP', undefined],
      ['+33698765432', SANDBOX_PHONE_NUMBER_ID, 'Confirmer', 'rdv:confirm:42'],
      ['+33698765432', SANDBOX_PHONE_NUMBER_ID, 'Annuler', 'rdv:cancel:42'],
      ['+33698765432', SANDBOX_PHONE_NUMBER_ID, 'Mardi', 'slot:tue'],
    ]);
    expect(inbound[0]).toMatchObject({ channel: 'whatsapp', providerId: stop.id, receivedAt: new Date('2025-03-10T09:00:00Z') });
  });

  it('applies the magic numbers: 0666 fails with 131026, 0429 is throttled, 0500 leaves the outcome unknown', async () => {
    const undeliverable = await wa.send(rdv('+33600000666'));
    expect(undeliverable.ok).toBe(true);
    await sandbox.idle();
    expect(receiver.parsed().reports).toMatchObject([{ status: 'failed', providerCode: '131026', attribution: 'recipient' }]);

    expect(await wa.send(rdv('+33600000429'))).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', retryable: true, attribution: 'meta', retryAfterMs: 1000, providerCode: '130429' },
    });
    const unknown = await wa.send(rdv('+33600000500'));
    expect(unknown).toMatchObject({ ok: false, error: { code: 'provider_unavailable', retryable: true, outcomeUnknown: true } });
  });

  it('classifies a bad token and malformed messages', async () => {
    const wrong = new WhatsAppCloudConnector({ baseUrl: sandbox.url, accessToken: 'expired' });
    expect(await wrong.send(rdv())).toMatchObject({ ok: false, error: { code: 'auth_failed', retryable: false, attribution: 'platform', providerCode: '190' } });
    expect(await wa.send({ id: 'x', phoneNumberId: SANDBOX_PHONE_NUMBER_ID, to: CLIENT })).toMatchObject({
      ok: false,
      error: { code: 'invalid_message', retryable: false },
    });
    expect(sandbox.all()).toHaveLength(0);
  });

  it('answers the subscription handshake and rejects a tampered webhook', async () => {
    expect(await sandbox.subscribe(VERIFY_TOKEN)).toBe(true);
    expect(await sandbox.subscribe('someone-else')).toBe(false);

    await sandbox.simulateInbound({ from: CLIENT, text: 'Bonjour' });
    const [original] = receiver.received;
    const header = original!.headers['x-hub-signature-256'];
    expect(verifySignature(original!.raw, header, APP_SECRET)).toBe(true);
    const tampered = Buffer.from(original!.raw.toString('utf8').replace('Bonjour', 'STOP'));
    expect(verifySignature(tampered, header, APP_SECRET)).toBe(false);
    expect(verifySignature(original!.raw, header, 'another-secret')).toBe(false);
    // The receiver answered 401 to a webhook signed with another secret.
    const other = new SandboxWhatsAppCloud({ appSecret: 'not-ours', callbackUrl: receiver.url });
    await other.start();
    try {
      expect((await other.simulateInbound({ from: CLIENT, text: 'x' })).httpStatus).toBe(401);
    } finally {
      await other.stop();
    }
  });
});

describe('WhatsAppCloudConnector transport failures', () => {
  it('a refused connection was not sent; a silent server leaves the outcome unknown', async () => {
    const silent = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const slow = new WhatsAppCloudConnector({ baseUrl: `http://127.0.0.1:${port}`, accessToken: 't', timeoutMs: 200 });
      expect(await slow.send(text(CLIENT, 'x'))).toMatchObject({
        ok: false,
        error: { code: 'timeout', retryable: true, attribution: 'meta', outcomeUnknown: true },
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    const refused = new WhatsAppCloudConnector({ baseUrl: `http://127.0.0.1:${port}`, accessToken: 't', timeoutMs: 2_000 });
    const result = await refused.send(text(CLIENT, 'x'));
    expect(result).toMatchObject({ ok: false, error: { code: 'connection_failed', retryable: true, attribution: 'meta', providerCode: 'ECONNREFUSED' } });
    expect(result.ok === false && result.error.outcomeUnknown).toBeFalsy();
  });

  it('leaves no open sockets or servers after stop()', async () => {
    const before = await settledHandles();
    const receiver = await startReceiver();
    const sandbox = new SandboxWhatsAppCloud({ appSecret: APP_SECRET, callbackUrl: receiver.url });
    const wa = new WhatsAppCloudConnector({ baseUrl: await sandbox.start(), accessToken: sandbox.accessToken });
    await sandbox.simulateInbound({ from: CLIENT, text: 'hello' });
    const results = await Promise.all([1, 2, 3].map((i) => wa.send(text(CLIENT, `n°${i}`, `m-${i}`))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(tcpHandles()).toBeGreaterThan(before);
    await sandbox.stop();
    await receiver.close();
    expect(await until(() => tcpHandles() <= before)).toBe(true);
  });
});
