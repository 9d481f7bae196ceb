import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../platform/clock.ts';
import { RBM_FEATURES, SandboxRbm } from '../../sandbox/rcs/index.ts';
import type { OutboundRcs } from '../types.ts';
import { parseWebhook, RbmConnector, verifyRegistration, verifySignature } from './index.ts';

const CLIENT_TOKEN = 'rbm-client-token';
const AGENT = 'boulangerie_martin_agent';

interface Received {
  raw: Buffer;
  headers: IncomingHttpHeaders;
}

/** Our webhook endpoint: answers Google's registration call, checks signatures, keeps raw bodies. */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const json = JSON.parse(raw.toString('utf8')) as unknown;
      const secret = verifyRegistration(json, CLIENT_TOKEN);
      if (secret !== null) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(secret);
        return;
      }
      received.push({ raw, headers: req.headers });
      res.writeHead(verifySignature(raw, req.headers['x-goog-signature'], CLIENT_TOKEN) ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/rbm`,
    received,
    parsed: () => received.map((r) => parseWebhook(JSON.parse(r.raw.toString('utf8')))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout').length;
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

function rcs(overrides: Partial<OutboundRcs> = {}): OutboundRcs {
  return { id: 'a1b2c3d4-0001', agentId: AGENT, to: CLIENT, text: 'Votre commande est prête !', ...overrides };
}

describe('RbmConnector against the sandbox RBM API', () => {
  let clock: FixedClock;
  let sandbox: SandboxRbm;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let rbm: RbmConnector;

  beforeEach(async () => {
    clock = new FixedClock('2025-03-10T09:00:00Z');
    receiver = await startReceiver();
    sandbox = new SandboxRbm({ token: 'oauth-token', clientToken: CLIENT_TOKEN, callbackUrl: receiver.url, agentId: AGENT, clock });
    rbm = new RbmConnector({ baseUrl: await sandbox.start(), agentId: AGENT, tokenProvider: async () => 'oauth-token', timeoutMs: 5_000 });
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.close();
  });

  it('checks capabilities: features for an RCS user, not capable for a 0404 number', async () => {
    expect(await rbm.capability(CLIENT)).toEqual({ ok: true, capable: true, features: [...RBM_FEATURES] });
    expect(await rbm.capability('+33600000404')).toEqual({ ok: true, capable: false });
    expect(await rbm.capability('0612345678')).toMatchObject({ ok: false, error: { code: 'invalid_message' } });
  });

  it('sends text with suggestions, then gets signed DELIVERED and READ events', async () => {
    const result = await rbm.send(
      rcs({
        suggestions: [
          { type: 'reply', text: 'Je passe à 18 h', postbackData: 'pickup:18h' },
          { type: 'url', text: 'Voir la commande', url: 'https://sofy.example/o/1' },
          { type: 'dial', text: 'Appeler', phoneNumber: '+33142000000', postbackData: 'call' },
        ],
        ttlSeconds: 3600,
      }),
    );
    expect(result).toEqual({ ok: true, providerId: 'a1b2c3d4-0001' });
    await sandbox.idle();
    const [sent] = sandbox.inbox(CLIENT);
    expect(sent).toMatchObject({ messageId: 'a1b2c3d4-0001', agentId: AGENT, ttl: '3600s', state: 'read' });
    expect(sent?.suggestions).toEqual([
      { reply: { text: 'Je passe à 18 h', postbackData: 'pickup:18h' } },
      { action: { text: 'Voir la commande', postbackData: 'Voir la commande', openUrlAction: { url: 'https://sofy.example/o/1' } } },
      { action: { text: 'Appeler', postbackData: 'call', dialAction: { phoneNumber: '+33142000000' } } },
    ]);
    const reports = receiver.parsed().flatMap((p) => p.reports);
    expect(reports.map((r) => [r.providerId, r.status])).toEqual([
      ['a1b2c3d4-0001', 'delivered'],
      ['a1b2c3d4-0001', 'read'],
    ]);
    expect(reports[0]?.at).toEqual(new Date('2025-03-10T09:00:00Z'));
    // Pub/Sub push envelopes, signed over the decoded data, as Google does.
    for (const r of receiver.received) {
      expect(JSON.parse(r.raw.toString('utf8'))).toMatchObject({ message: { data: expect.any(String) }, subscription: expect.stringContaining('rbm-') });
      expect(verifySignature(r.raw, r.headers['x-goog-signature'], CLIENT_TOKEN)).toBe(true);
    }
    expect(sandbox.webhooks().map((w) => w.httpStatus)).toEqual([200, 200]);
  });

  it('maps 404 on a non-RCS number to rcs_not_capable (fall back to SMS)', async () => {
    const result = await rbm.send(rcs({ to: '+33600000404' }));
    expect(result).toMatchObject({ ok: false, error: { code: 'rcs_not_capable', retryable: false, attribution: 'google', providerCode: '404 NOT_FOUND' } });
    expect(result.ok === false && result.error.outcomeUnknown).toBeFalsy();
    expect(sandbox.all()).toEqual([]);
  });

  it('revokes a message that is never delivered (0777), and not one already delivered', async () => {
    expect((await rbm.send(rcs({ id: 'otp-1', to: '+33600000777', ttlSeconds: 600 }))).ok).toBe(true);
    await sandbox.idle();
    expect(receiver.received).toEqual([]);
    expect(await rbm.revoke('+33600000777', 'otp-1')).toEqual({ ok: true, revoked: true });
    expect(await rbm.revoke('+33600000777', 'otp-1')).toEqual({ ok: true, revoked: false });
    expect(sandbox.inbox('+33600000777')[0]?.state).toBe('revoked');

    expect((await rbm.send(rcs({ id: 'otp-2' }))).ok).toBe(true);
    await sandbox.idle();
    expect(await rbm.revoke(CLIENT, 'otp-2')).toEqual({ ok: true, revoked: false });
    expect(await rbm.revoke(CLIENT, 'never-sent')).toEqual({ ok: true, revoked: false });
  });

  it('expires an undelivered message at its TTL with a TTL_EXPIRATION_REVOKED event', async () => {
    expect((await rbm.send(rcs({ id: 'promo-1', to: '+33600000777', ttlSeconds: 60 }))).ok).toBe(true);
    clock.advance(59_000);
    expect(await sandbox.expireDue()).toEqual([]);
    clock.advance(2_000);
    expect((await sandbox.expireDue()).map((m) => m.messageId)).toEqual(['promo-1']);
    const reports = receiver.parsed().flatMap((p) => p.reports);
    expect(reports).toEqual([
      expect.objectContaining({ channel: 'rcs', providerId: 'promo-1', status: 'expired', providerCode: 'TTL_EXPIRATION_REVOKED', at: new Date('2025-03-10T09:01:01Z') }),
    ]);
    expect(await rbm.revoke('+33600000777', 'promo-1')).toEqual({ ok: true, revoked: false });
  });

  it('treats a replayed message id (409 ALREADY_EXISTS) as the earlier, accepted send', async () => {
    expect(await rbm.send(rcs({ id: 'dup-1' }))).toEqual({ ok: true, providerId: 'dup-1' });
    expect(await rbm.send(rcs({ id: 'dup-1' }))).toEqual({ ok: true, providerId: 'dup-1' });
    expect(sandbox.inbox(CLIENT)).toHaveLength(1);
  });

  it('classifies throttling, unavailability, credentials and bad input', async () => {
    expect(await rbm.send(rcs({ to: '+33600000429' }))).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', retryable: true, attribution: 'google', retryAfterMs: 1_000 },
    });
    const unavailable = await rbm.send(rcs({ to: '+33600000503' }));
    expect(unavailable).toMatchObject({ ok: false, error: { code: 'provider_unavailable', retryable: true, attribution: 'google' } });
    expect(unavailable.ok === false && unavailable.error.outcomeUnknown).toBeFalsy();

    const stale = new RbmConnector({ baseUrl: sandbox.url, agentId: AGENT, tokenProvider: async () => 'expired' });
    expect(await stale.send(rcs())).toMatchObject({ ok: false, error: { code: 'auth_failed', retryable: false, attribution: 'platform' } });
    const broken = new RbmConnector({
      baseUrl: sandbox.url,
      agentId: AGENT,
      tokenProvider: async () => {
        throw new Error('metadata server down');
      },
    });
    expect(await broken.send(rcs())).toMatchObject({ ok: false, error: { code: 'token_unavailable', retryable: true, attribution: 'platform' } });
    const otherAgent = new RbmConnector({ baseUrl: sandbox.url, agentId: 'someone_else', tokenProvider: async () => 'oauth-token' });
    expect(await otherAgent.send(rcs({ agentId: '' }))).toMatchObject({ ok: false, error: { code: 'permission_denied', attribution: 'platform' } });

    expect(await rbm.send(rcs({ to: '0612345678' }))).toMatchObject({ ok: false, error: { code: 'invalid_message', retryable: false } });
    expect(await rbm.send(rcs({ suggestions: [{ type: 'reply', text: 'Une réponse bien trop longue pour RCS' }] }))).toMatchObject({
      ok: false,
      error: { code: 'invalid_message' },
    });
    expect(sandbox.all()).toEqual([]);
  });

  it('delivers user messages and suggestion taps, and subscription changes, as signed webhooks', async () => {
    expect(await sandbox.registerWebhook()).toBe(true);
    const stop = await sandbox.simulateInbound({ from: CLIENT, text: 'STOP' });
    expect(stop.httpStatus).toBe(200);
    await sandbox.simulateInbound({ from: CLIENT, text: 'Je passe à 18 h', postbackData: 'pickup:18h' });
    await sandbox.simulateUserEvent({ from: CLIENT, eventType: 'UNSUBSCRIBE' });
    await sandbox.simulateUserEvent({ from: CLIENT, eventType: 'IS_TYPING' });
    const parsed = receiver.parsed();
    expect(parsed.flatMap((p) => p.inbound).map((m) => [m.from, m.to, m.text, m.postbackData])).toEqual([
      [CLIENT, AGENT, 'STOP', undefined],
      [CLIENT, AGENT, 'Je passe à 18 h', 'pickup:18h'],
    ]);
    expect(parsed.flatMap((p) => p.inbound)[0]).toMatchObject({ channel: 'rcs', providerId: stop.messageId, receivedAt: new Date('2025-03-10T09:00:00Z') });
    expect(parsed.flatMap((p) => p.subscriptions)).toEqual([expect.objectContaining({ msisdn: CLIENT, agentId: AGENT, subscribed: false })]);
    expect(parsed.flatMap((p) => p.reports)).toEqual([]);
  });

  it('rejects a tampered webhook', async () => {
    await sandbox.simulateInbound({ from: CLIENT, text: 'Bonjour' });
    const [original] = receiver.received;
    const header = original!.headers['x-goog-signature'];
    expect(verifySignature(original!.raw, header, CLIENT_TOKEN)).toBe(true);
    const envelope = JSON.parse(original!.raw.toString('utf8')) as { message: { data: string } };
    const event = JSON.parse(Buffer.from(envelope.message.data, 'base64').toString('utf8')) as { text: string };
    event.text = 'STOP';
    envelope.message.data = Buffer.from(JSON.stringify(event)).toString('base64');
    expect(verifySignature(Buffer.from(JSON.stringify(envelope)), header, CLIENT_TOKEN)).toBe(false);
    expect(verifySignature(original!.raw, header, 'not-the-token')).toBe(false);
    // A sandbox signing with another token is refused by our endpoint.
    const impostor = new SandboxRbm({ clientToken: 'impostor', callbackUrl: receiver.url });
    await impostor.start();
    try {
      expect((await impostor.simulateInbound({ from: CLIENT, text: 'x' })).httpStatus).toBe(401);
    } finally {
      await impostor.stop();
    }
  });
});

describe('RBM sandbox: direct JSON webhooks, and cleanup', () => {
  it('can post bare JSON events, signed over the body', async () => {
    const receiver = await startReceiver();
    const sandbox = new SandboxRbm({ clientToken: CLIENT_TOKEN, callbackUrl: receiver.url, delivery: 'direct' });
    const rbm = new RbmConnector({ baseUrl: await sandbox.start(), agentId: AGENT, tokenProvider: async () => sandbox.token });
    try {
      expect((await rbm.send(rcs())).ok).toBe(true);
      await sandbox.idle();
      expect(receiver.received).toHaveLength(2);
      for (const r of receiver.received) {
        expect(JSON.parse(r.raw.toString('utf8'))).toMatchObject({ senderPhoneNumber: CLIENT, messageId: 'a1b2c3d4-0001' });
        expect(verifySignature(r.raw, r.headers['x-goog-signature'], CLIENT_TOKEN)).toBe(true);
      }
      expect(receiver.parsed().flatMap((p) => p.reports.map((x) => x.status))).toEqual(['delivered', 'read']);
    } finally {
      await sandbox.stop();
      await receiver.close();
    }
  });

  it('leaves no sockets, servers or TTL timers behind after stop()', async () => {
    const before = await settledHandles();
    const receiver = await startReceiver();
    const sandbox = new SandboxRbm({ clientToken: CLIENT_TOKEN, callbackUrl: receiver.url });
    const rbm = new RbmConnector({ baseUrl: await sandbox.start(), agentId: AGENT, tokenProvider: async () => sandbox.token });
    expect((await rbm.send(rcs({ id: 'pending', to: '+33600000777', ttlSeconds: 86_400 }))).ok).toBe(true);
    expect((await rbm.send(rcs({ id: 'delivered' }))).ok).toBe(true);
    await sandbox.idle();
    expect(tcpHandles()).toBeGreaterThan(before);
    await sandbox.stop();
    await receiver.close();
    expect(await until(() => tcpHandles() <= before)).toBe(true);
  });
});
