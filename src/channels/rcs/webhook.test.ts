import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyGoogleError, decodeRbmEvent, parseWebhook, signRbm, verifyRegistration, verifySignature } from './index.ts';

const TOKEN = 'SJENCPGJ-client-token';

function pubsub(event: unknown) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(event)).toString('base64'),
      messageId: '13478993824771234',
      publishTime: '2025-03-10T09:00:02.123Z',
      attributes: {},
    },
    subscription: 'projects/rbm-boulangerie-martin/subscriptions/rbm-agent-subscription',
  };
}

describe('parseWebhook (RBM)', () => {
  const delivered = {
    senderPhoneNumber: '+33612345678',
    eventType: 'DELIVERED',
    eventId: 'MxEv0001',
    messageId: 'a1b2c3d4-0001',
    sendTime: '2025-03-10T09:00:01.500Z',
    agentId: 'boulangerie_martin_agent',
  };

  it('reads DELIVERED and READ user events, enveloped or not', () => {
    for (const body of [delivered, pubsub(delivered)]) {
      expect(parseWebhook(body)).toEqual({
        reports: [{ channel: 'rcs', providerId: 'a1b2c3d4-0001', status: 'delivered', at: new Date('2025-03-10T09:00:01.500Z'), raw: delivered }],
        inbound: [],
        subscriptions: [],
      });
    }
    expect(parseWebhook({ ...delivered, eventType: 'READ' }).reports[0]?.status).toBe('read');
    expect(parseWebhook({ ...delivered, eventType: 'IS_TYPING', messageId: undefined })).toEqual({ reports: [], inbound: [], subscriptions: [] });
  });

  it('reads user text, suggestion responses and locations', () => {
    const base = { senderPhoneNumber: '+33612345678', messageId: 'MxUser01', sendTime: '2025-03-10T09:05:00Z', agentId: 'boulangerie_martin_agent' };
    expect(parseWebhook(pubsub({ ...base, text: 'Vous avez des croissants ?' })).inbound).toEqual([
      {
        channel: 'rcs',
        from: '+33612345678',
        to: 'boulangerie_martin_agent',
        text: 'Vous avez des croissants ?',
        providerId: 'MxUser01',
        receivedAt: new Date('2025-03-10T09:05:00Z'),
        raw: { ...base, text: 'Vous avez des croissants ?' },
      },
    ]);
    const tap = parseWebhook({ ...base, suggestionResponse: { postbackData: 'pickup:18h', text: 'Je passe à 18 h', type: 'REPLY' } }).inbound[0];
    expect(tap).toMatchObject({ text: 'Je passe à 18 h', postbackData: 'pickup:18h' });
    expect(parseWebhook({ ...base, location: { latitude: 48.8566, longitude: 2.3522 } }).inbound[0]?.text).toBe('geo:48.8566,2.3522');
  });

  it('reads TTL server events and subscription changes', () => {
    const expired = {
      phoneNumber: '+33600000777',
      messageId: 'otp-1',
      agentId: 'boulangerie_martin_agent',
      eventType: 'TTL_EXPIRATION_REVOKED',
      eventId: 'Sv01',
      sendTime: '2025-03-10T09:10:00Z',
    };
    expect(parseWebhook(pubsub(expired)).reports).toEqual([
      { channel: 'rcs', providerId: 'otp-1', status: 'expired', at: new Date('2025-03-10T09:10:00Z'), providerCode: 'TTL_EXPIRATION_REVOKED', attribution: 'recipient', raw: expired },
    ]);
    expect(parseWebhook({ ...expired, eventType: 'TTL_EXPIRATION_REVOKE_FAILED' }).reports).toEqual([]);
    expect(parseWebhook({ ...delivered, eventType: 'UNSUBSCRIBE', messageId: undefined }).subscriptions).toEqual([
      { msisdn: '+33612345678', agentId: 'boulangerie_martin_agent', subscribed: false, at: new Date('2025-03-10T09:00:01.500Z'), eventId: 'MxEv0001' },
    ]);
  });

  it('ignores what it does not know', () => {
    const none = { reports: [], inbound: [], subscriptions: [] };
    expect(parseWebhook(undefined)).toEqual(none);
    expect(parseWebhook({ hello: 'world' })).toEqual(none);
    expect(parseWebhook({ message: { data: '!!not base64 json!!' } })).toEqual(none);
    expect(decodeRbmEvent({ message: { data: Buffer.from('{"a":1}').toString('base64') } })).toEqual({ a: 1 });
  });
});

describe('X-Goog-Signature', () => {
  const event = JSON.stringify({ senderPhoneNumber: '+33612345678', text: 'Bonjour', messageId: 'm', sendTime: '2025-03-10T09:00:00Z', agentId: 'a' });
  const envelope = Buffer.from(JSON.stringify({ message: { data: Buffer.from(event).toString('base64'), messageId: '1' } }));

  it('is the base64 HMAC-SHA512 keyed with the client token', () => {
    expect(signRbm(event, TOKEN)).toBe(createHmac('sha512', TOKEN).update(event).digest('base64'));
  });

  it('accepts a direct body signed over itself and an envelope signed over its decoded data', () => {
    expect(verifySignature(Buffer.from(event), signRbm(event, TOKEN), TOKEN)).toBe(true);
    expect(verifySignature(envelope, signRbm(event, TOKEN), TOKEN)).toBe(true);
    expect(verifySignature(envelope, signRbm(envelope, TOKEN), TOKEN)).toBe(true);
  });

  it('refuses tampering, other tokens and garbage', () => {
    expect(verifySignature(Buffer.from(event.replace('Bonjour', 'STOP')), signRbm(event, TOKEN), TOKEN)).toBe(false);
    expect(verifySignature(Buffer.from(event), signRbm(event, 'other'), TOKEN)).toBe(false);
    expect(verifySignature(Buffer.from(event), signRbm(event, TOKEN).slice(4), TOKEN)).toBe(false);
    expect(verifySignature(Buffer.from(event), 'not base64 at all!', TOKEN)).toBe(false);
    expect(verifySignature(Buffer.from(event), undefined, TOKEN)).toBe(false);
    expect(verifySignature(Buffer.from(event), signRbm(event, TOKEN), '')).toBe(false);
  });

  it('answers the registration handshake only for our client token', () => {
    expect(verifyRegistration({ clientToken: TOKEN, secret: '1234567890' }, TOKEN)).toBe('1234567890');
    expect(verifyRegistration({ clientToken: 'x', secret: '1' }, TOKEN)).toBeNull();
    expect(verifyRegistration({ secret: '1' }, TOKEN)).toBeNull();
  });
});

describe('classifyGoogleError', () => {
  const g = (code: number, status: string) => ({ error: { code, message: 'm', status } });
  it.each([
    [404, 'NOT_FOUND', { code: 'rcs_not_capable', retryable: false, attribution: 'google' }],
    [429, 'RESOURCE_EXHAUSTED', { code: 'rate_limited', retryable: true, attribution: 'google', retryAfterMs: 1_000 }],
    [400, 'INVALID_ARGUMENT', { code: 'invalid_request', retryable: false, attribution: 'platform' }],
    [401, 'UNAUTHENTICATED', { code: 'auth_failed', retryable: false, attribution: 'platform' }],
    [403, 'PERMISSION_DENIED', { code: 'permission_denied', retryable: false, attribution: 'platform' }],
    [409, 'ALREADY_EXISTS', { code: 'duplicate_message_id', retryable: false }],
    [503, 'UNAVAILABLE', { code: 'provider_unavailable', retryable: true, attribution: 'google' }],
  ])('%i %s', (status, name, expected) => {
    const error = classifyGoogleError(status, g(status, name));
    expect(error).toMatchObject({ ...expected, providerCode: `${status} ${name}` });
    expect(error.outcomeUnknown).toBeUndefined();
  });

  it('leaves the outcome unknown on INTERNAL, DEADLINE_EXCEEDED and bodiless 5xx; honours Retry-After', () => {
    expect(classifyGoogleError(500, g(500, 'INTERNAL'))).toMatchObject({ code: 'provider_unavailable', outcomeUnknown: true });
    expect(classifyGoogleError(504, g(504, 'DEADLINE_EXCEEDED'))).toMatchObject({ outcomeUnknown: true });
    expect(classifyGoogleError(502, undefined)).toMatchObject({ code: 'provider_unavailable', outcomeUnknown: true, providerCode: '502' });
    expect(classifyGoogleError(429, g(429, 'RESOURCE_EXHAUSTED'), 30_000)).toMatchObject({ retryAfterMs: 30_000 });
    expect(classifyGoogleError(418, undefined)).toMatchObject({ code: 'rbm_418', retryable: false });
  });
});
