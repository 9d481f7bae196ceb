import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SandboxWhatsAppCloud } from './index.ts';

describe('SandboxWhatsAppCloud (raw HTTP)', () => {
  let sandbox: SandboxWhatsAppCloud;
  let base: string;
  beforeEach(async () => {
    sandbox = new SandboxWhatsAppCloud({ accessToken: 'tok', phoneNumbers: { '111222333444555': '33189000000' } });
    base = await sandbox.start();
    sandbox.registerTemplate({ name: 'hello_world', language: 'en_US', status: 'APPROVED' });
  });
  afterEach(async () => {
    await sandbox.stop();
  });

  const post = (path: string, body: unknown, token = 'tok') =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers a send with the Cloud API JSON and keeps it in the recipient inbox', async () => {
    const res = await post('/v22.0/111222333444555/messages', {
      messaging_product: 'whatsapp',
      to: '+33 6 12 34 56 78',
      type: 'template',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { messaging_product: string; contacts: unknown[]; messages: Array<{ id: string; message_status: string }> };
    expect(json).toEqual({
      messaging_product: 'whatsapp',
      contacts: [{ input: '+33 6 12 34 56 78', wa_id: '33612345678' }],
      messages: [{ id: expect.stringMatching(/^wamid\./), message_status: 'accepted' }],
    });
    expect(sandbox.inbox('+33612345678').map((m) => m.id)).toEqual([json.messages[0]!.id]);
    expect(sandbox.inbox('33612345678')).toHaveLength(1);
    expect(sandbox.inbox('+33699999999')).toEqual([]);
    sandbox.clear();
    expect(sandbox.all()).toEqual([]);
  });

  it('answers Graph API errors like Meta', async () => {
    const unauthorized = await post('/v22.0/111222333444555/messages', { messaging_product: 'whatsapp', to: '33612345678', type: 'text', text: { body: 'x' } }, 'bad');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({
      error: { message: expect.stringContaining('Invalid OAuth access token'), type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) },
    });

    const unknownNumber = await post('/v22.0/999/messages', { messaging_product: 'whatsapp', to: '33612345678', type: 'text', text: { body: 'x' } });
    expect(unknownNumber.status).toBe(400);
    expect(await unknownNumber.json()).toMatchObject({ error: { code: 100, error_subcode: 33, type: 'GraphMethodException' } });

    const noProduct = await post('/v22.0/111222333444555/messages', { to: '33612345678', type: 'text', text: { body: 'x' } });
    expect(await noProduct.json()).toMatchObject({ error: { code: 100, message: '(#100) The parameter messaging_product is required.' } });

    const noTemplate = await post('/v22.0/111222333444555/messages', {
      messaging_product: 'whatsapp',
      to: '33612345678',
      type: 'template',
      template: { name: 'nope', language: { code: 'fr' } },
    });
    expect(noTemplate.status).toBe(400);
    expect(await noTemplate.json()).toMatchObject({
      error: { code: 132001, type: 'OAuthException', error_data: { messaging_product: 'whatsapp', details: 'template name (nope) does not exist in fr' } },
    });

    const throttled = await post('/v22.0/111222333444555/messages', { messaging_product: 'whatsapp', to: '33600000429', type: 'text', text: { body: 'x' } });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(sandbox.all()).toEqual([]);
  });

  it('posts nothing without a callback URL, and opens the window on simulated inbound messages', async () => {
    expect(sandbox.windowOpen('+33612345678')).toBe(false);
    const inbound = await sandbox.simulateInbound({ from: '+33612345678', text: 'hi' });
    expect(inbound.httpStatus).toBeUndefined();
    expect(sandbox.windowOpen('33612345678')).toBe(true);
    const res = await post('/v22.0/111222333444555/messages', { messaging_product: 'whatsapp', to: '33612345678', type: 'text', text: { body: 'hello' } });
    expect(res.status).toBe(200);
    await sandbox.idle();
    expect(sandbox.webhooks()).toEqual([]);
    expect(sandbox.inbox('33612345678')[0]).toMatchObject({ type: 'text', text: 'hello', statuses: ['sent', 'delivered', 'read'] });
  });
});
