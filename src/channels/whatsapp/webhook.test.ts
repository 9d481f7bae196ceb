import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyMetaError, parseWebhook, signPayload, verifySignature, verifySubscription } from './index.ts';

/** The envelope Meta posts for the `messages` field, around one `value`. */
function envelope(value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '201234567890123',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '33189000000', phone_number_id: '301234567890123' },
              ...value,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

describe('parseWebhook (WhatsApp)', () => {
  it('parses a text message from a user', () => {
    const { inbound, reports } = parseWebhook(
      envelope({
        contacts: [{ profile: { name: 'Camille Durand' }, wa_id: '33611223344' }],
        messages: [{ from: '33611223344', id: 'wamid.HBgLMzM2MTEyMjMzNDQVAgASGBQ=', timestamp: '1741597200', type: 'text', text: { body: 'Vous livrez à Lyon ?' } }],
      }),
    );
    expect(reports).toEqual([]);
    expect(inbound).toEqual([
      {
        channel: 'whatsapp',
        from: '+33611223344',
        to: '301234567890123',
        text: 'Vous livrez à Lyon ?',
        providerId: 'wamid.HBgLMzM2MTEyMjMzNDQVAgASGBQ=',
        receivedAt: new Date(1741597200 * 1000),
        raw: expect.objectContaining({ type: 'text' }),
      },
    ]);
  });

  it('parses statuses with conversation and pricing, and failures with their error attribution', () => {
    const { reports } = parseWebhook(
      envelope({
        statuses: [
          {
            id: 'wamid.A',
            status: 'sent',
            timestamp: '1741597201',
            recipient_id: '33611223344',
            conversation: { id: 'c0ffee', expiration_timestamp: '1741683601', origin: { type: 'utility' } },
            pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
          },
          { id: 'wamid.A', status: 'delivered', timestamp: '1741597202', recipient_id: '33611223344' },
          { id: 'wamid.A', status: 'read', timestamp: '1741597260', recipient_id: '33611223344' },
          {
            id: 'wamid.B',
            status: 'failed',
            timestamp: '1741597203',
            recipient_id: '33700000000',
            errors: [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }],
          },
          {
            id: 'wamid.C',
            status: 'failed',
            timestamp: '1741597204',
            recipient_id: '33611223344',
            errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: 'more than 24 hours' } }],
          },
          { id: 'wamid.D', status: 'failed', timestamp: '1741597205', recipient_id: '33611223344', errors: [{ code: 131049, title: 'ecosystem' }] },
          { id: 'wamid.E', status: 'failed', timestamp: '1741597206', recipient_id: '33611223344', errors: [{ code: 999999, title: 'new' }] },
          { id: 'wamid.F', status: 'deleted', timestamp: '1741597207', recipient_id: '33611223344' },
        ],
      }),
    );
    expect(reports.map((r) => [r.providerId, r.status, r.providerCode, r.attribution])).toEqual([
      ['wamid.A', 'sent', undefined, undefined],
      ['wamid.A', 'delivered', undefined, undefined],
      ['wamid.A', 'read', undefined, undefined],
      ['wamid.B', 'failed', '131026', 'recipient'],
      ['wamid.C', 'failed', '131047', 'meta'],
      ['wamid.D', 'failed', '131049', 'meta'],
      ['wamid.E', 'failed', '999999', 'meta'],
    ]);
    expect(reports[0]?.at).toEqual(new Date(1741597201 * 1000));
    expect(reports.every((r) => r.channel === 'whatsapp')).toBe(true);
  });

  it('parses quick-reply buttons, interactive replies and captions; skips system messages', () => {
    const { inbound } = parseWebhook(
      envelope({
        contacts: [{ profile: { name: 'Camille' }, wa_id: '33611223344' }],
        messages: [
          {
            from: '33611223344',
            id: 'wamid.1',
            timestamp: '1741597300',
            type: 'button',
            context: { from: '33189000000', id: 'wamid.sent' },
            button: { payload: 'STOP_PROMOS', text: 'Ne plus recevoir' },
          },
          {
            from: '33611223344',
            id: 'wamid.2',
            timestamp: '1741597301',
            type: 'interactive',
            interactive: { type: 'button_reply', button_reply: { id: 'confirm-42', title: 'Je confirme' } },
          },
          {
            from: '33611223344',
            id: 'wamid.3',
            timestamp: '1741597302',
            type: 'interactive',
            interactive: { type: 'list_reply', list_reply: { id: 'slot-3', title: 'Jeudi 9 h', description: 'Agence Bastille' } },
          },
          { from: '33611223344', id: 'wamid.4', timestamp: '1741597303', type: 'image', image: { caption: 'Le colis abîmé', mime_type: 'image/jpeg', id: '77' } },
          { from: '33611223344', id: 'wamid.5', timestamp: '1741597304', type: 'system', system: { body: 'User changed number' } },
        ],
      }),
    );
    expect(inbound.map((m) => [m.providerId, m.text, m.postbackData])).toEqual([
      ['wamid.1', 'Ne plus recevoir', 'STOP_PROMOS'],
      ['wamid.2', 'Je confirme', 'confirm-42'],
      ['wamid.3', 'Jeudi 9 h', 'slot-3'],
      ['wamid.4', 'Le colis abîmé', undefined],
    ]);
  });

  it('ignores what is not a WhatsApp messages webhook', () => {
    expect(parseWebhook(null)).toEqual({ reports: [], inbound: [] });
    expect(parseWebhook({ object: 'page', entry: [] })).toEqual({ reports: [], inbound: [] });
    const other = envelope({});
    other.entry[0]!.changes[0]!.field = 'message_template_status_update';
    expect(parseWebhook(other)).toEqual({ reports: [], inbound: [] });
    expect(parseWebhook({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [{ status: 'sent' }] } }] }] })).toEqual({
      reports: [],
      inbound: [],
    });
  });
});

describe('X-Hub-Signature-256', () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const secret = 'meta-app-secret';
  const header = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('accepts the HMAC-SHA256 of the raw body with the app secret', () => {
    expect(signPayload(body, secret)).toBe(header);
    expect(verifySignature(body, header, secret)).toBe(true);
    expect(verifySignature(body.toString('utf8'), header.toUpperCase().replace('SHA256=', 'sha256='), secret)).toBe(true);
  });

  it('refuses tampering, other secrets and malformed headers', () => {
    expect(verifySignature(Buffer.from(body.toString('utf8').replace('[]', '[{}]')), header, secret)).toBe(false);
    expect(verifySignature(body, header, 'other')).toBe(false);
    expect(verifySignature(body, header.replace('sha256=', 'sha1='), secret)).toBe(false);
    expect(verifySignature(body, header.slice(0, -2), secret)).toBe(false);
    expect(verifySignature(body, undefined, secret)).toBe(false);
    expect(verifySignature(body, header, '')).toBe(false);
  });
});

describe('verifySubscription', () => {
  it('answers the challenge only for subscribe with our token', () => {
    expect(verifySubscription({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' }, 'tok')).toBe('1158201444');
    expect(verifySubscription(new URLSearchParams('hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42'), 'tok')).toBe('42');
    expect(verifySubscription({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }, 'tok')).toBeNull();
    expect(verifySubscription({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1' }, 'tok')).toBeNull();
    expect(verifySubscription({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok' }, 'tok')).toBeNull();
    expect(verifySubscription({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1' }, '')).toBeNull();
  });
});

describe('classifyMetaError', () => {
  const graph = (code: number, extra: Record<string, unknown> = {}) => ({
    error: { message: `(#${code}) something`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details: 'details' }, fbtrace_id: 'AbC', ...extra },
  });
  const cases: Array<[number, number, Record<string, unknown>]> = [
    [400, 131047, { code: 'outside_customer_service_window', retryable: false, attribution: 'meta' }],
    [400, 131026, { code: 'undeliverable', retryable: false, attribution: 'recipient' }],
    [429, 130429, { code: 'rate_limited', retryable: true, attribution: 'meta', retryAfterMs: 1_000 }],
    [400, 80007, { code: 'rate_limited', retryable: true, retryAfterMs: 60_000 }],
    [400, 131056, { code: 'pair_rate_limited', retryable: true }],
    [400, 132001, { code: 'template_not_found', retryable: false, attribution: 'platform' }],
    [400, 132000, { code: 'template_param_mismatch', retryable: false, attribution: 'platform' }],
    [401, 190, { code: 'auth_failed', retryable: false, attribution: 'platform' }],
    [403, 200, { code: 'permission_denied', attribution: 'platform' }],
    [500, 131000, { code: 'provider_unavailable', retryable: true, attribution: 'meta' }],
    [400, 424242, { code: 'whatsapp_424242', retryable: false, attribution: 'meta' }],
  ];
  for (const [status, code, expected] of cases) {
    it(`${code} (HTTP ${status})`, () => {
      const error = classifyMetaError(status, graph(code));
      expect(error).toMatchObject({ ...expected, providerCode: String(code) });
      expect(error.outcomeUnknown).toBeUndefined();
      expect(error.message).toContain('details');
    });
  }

  it('prefers Retry-After, keeps the subcode, and flags bodiless 5xx as outcome unknown', () => {
    expect(classifyMetaError(429, graph(130429), 7_000)).toMatchObject({ retryAfterMs: 7_000 });
    expect(classifyMetaError(400, graph(100, { error_subcode: 33 }))).toMatchObject({ code: 'invalid_request', providerCode: '100/33' });
    expect(classifyMetaError(502, undefined)).toMatchObject({ code: 'provider_unavailable', retryable: true, outcomeUnknown: true, providerCode: 'http_502' });
    expect(classifyMetaError(429, undefined)).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 1_000 });
    expect(classifyMetaError(404, { not: 'graph' })).toMatchObject({ code: 'http_404', retryable: false });
  });
});
