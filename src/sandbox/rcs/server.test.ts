import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWebhook, verifySignature } from '../../channels/rcs/index.ts';
import { SandboxRbm } from './index.ts';

describe('SandboxRbm (raw HTTP)', () => {
  let sandbox: SandboxRbm;
  let base: string;
  beforeEach(async () => {
    sandbox = new SandboxRbm({ token: 'tok' });
    base = await sandbox.start();
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  const call = (method: string, path: string, body?: unknown, token = 'tok') =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('creates agent messages like the RBM API and keeps them per number', async () => {
    const res = await call('POST', '/v1/phones/+33612345678/agentMessages?messageId=m-1&agentId=agent', {
      contentMessage: { text: 'Bonjour', suggestions: [{ reply: { text: 'Oui', postbackData: 'yes' } }] },
      ttl: '10.5s',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: 'phones/+33612345678/agentMessages/m-1',
      sendTime: expect.any(String),
      contentMessage: { text: 'Bonjour', suggestions: [{ reply: { text: 'Oui', postbackData: 'yes' } }] },
      ttl: '10.5s',
    });
    // An encoded + in the path is the same number.
    const capability = await call('GET', '/v1/phones/%2B33612345678/capabilities?requestId=0b7e5f1c-8f1e-4a56-9d55-1a2b3c4d5e6f&agentId=agent');
    expect(capability.status).toBe(200);
    expect(sandbox.inbox('+33612345678')).toHaveLength(1);
    await sandbox.idle();
    expect(sandbox.inbox('+33612345678')[0]?.state).toBe('read');
  });

  it('answers Google-style errors', async () => {
    const cases: Array<[Response, number, string]> = [
      [await call('GET', '/v1/phones/+33612345678/capabilities?agentId=a', undefined, 'bad'), 401, 'UNAUTHENTICATED'],
      [await call('GET', '/v1/phones/+33600000404/capabilities?agentId=a'), 404, 'NOT_FOUND'],
      [await call('GET', '/v1/phones/+33612345678/capabilities?agentId=a&requestId=nope'), 400, 'INVALID_ARGUMENT'],
      [await call('GET', '/v1/phones/0612345678/capabilities?agentId=a'), 400, 'INVALID_ARGUMENT'],
      [await call('POST', '/v1/phones/+33612345678/agentMessages?agentId=a', { contentMessage: { text: 'x' } }), 400, 'INVALID_ARGUMENT'],
      [await call('POST', '/v1/phones/+33612345678/agentMessages?messageId=1&agentId=a', { contentMessage: {} }), 400, 'INVALID_ARGUMENT'],
      [
        await call('POST', '/v1/phones/+33612345678/agentMessages?messageId=1&agentId=a', { contentMessage: { text: 'x' }, ttl: '5s', expireTime: '2030-01-01T00:00:00Z' }),
        400,
        'INVALID_ARGUMENT',
      ],
      [await call('POST', '/v1/phones/+33600000404/agentMessages?messageId=1&agentId=a', { contentMessage: { text: 'x' } }), 404, 'NOT_FOUND'],
      [await call('DELETE', '/v1/phones/+33612345678/agentMessages/unknown?agentId=a'), 404, 'NOT_FOUND'],
    ];
    for (const [res, status, name] of cases) {
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error: { code: status, message: expect.any(String), status: name } });
    }
    expect(sandbox.all()).toEqual([]);
  });

  it('keeps 0777 messages pending until revoked, and stops their TTL timer', async () => {
    const created = await call('POST', '/v1/phones/+33600000777/agentMessages?messageId=p-1&agentId=a', { contentMessage: { text: 'x' }, ttl: '3600s' });
    expect(created.status).toBe(200);
    await sandbox.idle();
    expect(sandbox.inbox('+33600000777')[0]?.state).toBe('pending');
    expect((await call('DELETE', '/v1/phones/+33600000777/agentMessages/p-1?agentId=a')).status).toBe(200);
    expect(sandbox.inbox('+33600000777')[0]?.state).toBe('revoked');
    expect(await sandbox.expireDue()).toEqual([]);
  });
});

describe('SandboxRbm unsubscribe', () => {
  it('posts the keyword, then the UNSUBSCRIBE user event as RBM sends it, signed; a redelivery keeps its eventId', async () => {
    const posts: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        posts.push({ body, signature: String(request.headers['x-goog-signature']) });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const sandbox = new SandboxRbm({ agentId: 'agent_x', callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/rcs` });
    await sandbox.start();
    try {
      const done = await sandbox.simulateUnsubscribe({ from: '+33612345678', repeat: 2 });
      expect(done.httpStatuses).toEqual([200, 200, 200]);
      expect(posts.every((p) => verifySignature(p.body, p.signature, sandbox.clientToken))).toBe(true);
      const parsed = posts.map((p) => parseWebhook(JSON.parse(p.body)));
      expect(parsed[0]?.inbound).toEqual([expect.objectContaining({ channel: 'rcs', from: '+33612345678', to: 'agent_x', text: 'STOP' })]);
      for (const event of parsed.slice(1)) {
        expect(event.subscriptions).toEqual([{ msisdn: '+33612345678', agentId: 'agent_x', subscribed: false, at: expect.any(Date), eventId: done.eventId }]);
        expect(event.inbound).toEqual([]);
      }
      posts.length = 0;
      await sandbox.simulateUnsubscribe({ from: '+33612345678', keyword: false });
      expect(posts.map((p) => parseWebhook(JSON.parse(p.body)).subscriptions.length)).toEqual([1]);
      expect(sandbox.webhooks().filter((w) => w.eventType === 'UNSUBSCRIBE')).toHaveLength(3);
    } finally {
      await sandbox.stop();
      receiver.close();
    }
  });
});
