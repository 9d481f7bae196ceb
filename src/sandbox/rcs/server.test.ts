import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
