/**
 * SmppConnector against the sandbox SMSC over real sockets on 127.0.0.1 (no protocol mocks).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SandboxSmsc, type SandboxSmscOptions } from '../../sandbox/smsc/index.ts';
import type { DeliveryReport, InboundMessage, OutboundSms, SendResult } from '../types.ts';
import { SmppConnector, type SmppConnectorOptions, type SmppConnectorState } from './index.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Harness {
  smsc: SandboxSmsc;
  connector: SmppConnector;
  reports: DeliveryReport[];
  inbound: InboundMessage[];
  states: SmppConnectorState[];
}

async function setup(
  options: { smsc?: SandboxSmscOptions; client?: Partial<SmppConnectorOptions>; start?: boolean; onInbound?: (m: InboundMessage) => void | Promise<void> } = {},
): Promise<Harness> {
  const smsc = new SandboxSmsc({ receiptDelayMs: 5, ...options.smsc });
  await smsc.start();
  cleanups.push(() => smsc.stop());
  const reports: DeliveryReport[] = [];
  const inbound: InboundMessage[] = [];
  const states: SmppConnectorState[] = [];
  const connector = new SmppConnector({
    host: '127.0.0.1',
    port: smsc.port,
    systemId: 'sofy',
    password: 'sandbox',
    handlers: {
      onDeliveryReport: (r) => {
        reports.push(r);
      },
      onInbound: options.onInbound ?? ((m) => void inbound.push(m)),
    },
    reconnectInitialDelayMs: 20,
    reconnectMaxDelayMs: 200,
    submitTimeoutMs: 3_000,
    onStateChange: (s) => states.push(s),
    ...options.client,
  });
  cleanups.push(() => connector.stop());
  if (options.start !== false) await connector.start();
  return { smsc, connector, reports, inbound, states };
}

let counter = 0;
function sms(to: string, text = 'Bonjour', extra: Partial<OutboundSms> = {}): OutboundSms {
  return { id: `msg-${++counter}`, from: 'SOFY', to, text, encoding: 'GSM-7', receipt: true, ...extra };
}

function providerIdOf(result: SendResult): string {
  if (!result.ok) throw new Error(`send failed: ${result.error.code} ${result.error.message}`);
  return result.providerId;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('bind', () => {
  it('binds as transceiver with the configured credentials', async () => {
    const { connector, smsc, states } = await setup();
    expect(connector.state).toBe('bound');
    expect(states).toEqual(['connecting', 'bound']);
    expect(smsc.stats).toMatchObject({ binds: 1, boundSessions: 1 });
    expect(connector.stats).toMatchObject({ binds: 1, submitted: 0, inFlight: 0 });
  });

  it('gives up on a wrong password (ESME_RINVPASWD) and refuses sends without touching the wire', async () => {
    const { connector, smsc } = await setup({ client: { password: 'wrong' }, start: false });
    await expect(connector.start()).rejects.toThrow(/0x0000000E/);
    expect(connector.state).toBe('closed');
    expect(connector.lastError).toMatch(/invalid password/);
    const result = await connector.send(sms('+33612340001'));
    expect(result).toMatchObject({ ok: false, error: { code: 'smpp_bind_rejected', attribution: 'platform', outcomeUnknown: false } });
    expect(smsc.stats.binds).toBe(0);
    expect(smsc.stats.submits).toBe(0);
  });

  it('keeps trying while the SMSC is unreachable and binds once it is up', async () => {
    const smsc = new SandboxSmsc();
    await smsc.start();
    const port = smsc.port;
    await smsc.stop();
    cleanups.push(() => smsc.stop());
    const connector = new SmppConnector({
      host: '127.0.0.1',
      port,
      systemId: 'sofy',
      password: 'sandbox',
      handlers: { onDeliveryReport() {}, onInbound() {} },
      reconnectInitialDelayMs: 20,
      reconnectMaxDelayMs: 100,
    });
    cleanups.push(() => connector.stop());
    const started = connector.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(connector.state).toBe('connecting');
    expect(connector.lastError).toMatch(/ECONNREFUSED/);
    await smsc.start();
    await started;
    expect(connector.state).toBe('bound');
  });
});

describe('sending', () => {
  it('sends a GSM-7 SMS and correlates its receipt with the providerId', async () => {
    const { connector, smsc, reports } = await setup();
    const result = await connector.send(sms('+33612340001', 'Votre code : 1234 {ok} à 5€'));
    const providerId = providerIdOf(result);
    expect(result).not.toHaveProperty('partIds');
    const [message] = smsc.inbox('+33612340001');
    expect(message).toMatchObject({
      id: providerId,
      text: 'Votre code : 1234 {ok} à 5€',
      from: 'SOFY',
      to: '+33612340001',
      encoding: 'GSM-7',
      parts: 1,
      submit: { sourceTon: 5, sourceNpi: 0, destTon: 1, destNpi: 1, destAddr: '33612340001', dataCoding: 0, esmClass: 0, registeredDelivery: 1 },
    });
    await waitFor(() => reports.length === 1, 'the receipt');
    expect(reports[0]).toMatchObject({ channel: 'sms', providerId, status: 'delivered', providerCode: 'DELIVRD' });
    expect(reports[0]!.attribution).toBeUndefined();
    expect(connector.stats).toMatchObject({ submitted: 1, acked: 1, failed: 0, inFlight: 0, receipts: 1 });
  });

  it('sends from an international number as TON/NPI 1/1, without receipt when not asked, with a validity period', async () => {
    const { connector, smsc, reports } = await setup();
    providerIdOf(await connector.send(sms('+33612340002', 'Hello', { from: '+33700000001', receipt: false, validitySeconds: 3600 })));
    const [message] = smsc.inbox('33612340002');
    expect(message!.from).toBe('+33700000001');
    expect(message!.submit).toMatchObject({ sourceTon: 1, sourceNpi: 1, sourceAddr: '33700000001', registeredDelivery: 0 });
    const validFor = message!.submit!.validUntil!.getTime() - Date.now();
    expect(validFor).toBeGreaterThan(3500_000);
    expect(validFor).toBeLessThanOrEqual(3600_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(reports).toHaveLength(0);
  });

  it('sends UCS-2 (data_coding 8) and the SMSC reads the same text', async () => {
    const { connector, smsc } = await setup();
    const text = 'Ça marche très bien 👍 — Привет';
    providerIdOf(await connector.send(sms('+33612340003', text, { encoding: 'UCS-2' })));
    expect(smsc.inbox('+33612340003')[0]).toMatchObject({ text, encoding: 'UCS-2', parts: 1, submit: { dataCoding: 8 } });
  });

  it('concatenates GSM-7 with a UDH, one submit per part, "€" moved whole across the boundary', async () => {
    const { connector, smsc, reports } = await setup();
    const text = `${'a'.repeat(152)}€${'b'.repeat(150)}€${'c'.repeat(20)}`;
    const result = await connector.send(sms('+33612340004', text));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.partIds).toHaveLength(3);
    expect(result.providerId).toBe(result.partIds![0]);
    const [message] = smsc.inbox('+33612340004');
    expect(message).toMatchObject({ text, parts: 3, partIds: result.partIds, encoding: 'GSM-7', submit: { esmClass: 0x40 } });
    expect(message!.partTexts[0]).toBe('a'.repeat(152));
    expect(message!.partTexts[1]!.startsWith('€')).toBe(true);
    expect(smsc.stats.submits).toBe(3);
    await waitFor(() => reports.length === 3, 'one receipt per part');
    expect(new Set(reports.map((r) => r.providerId))).toEqual(new Set(result.partIds));
  });

  it('concatenates UCS-2 without splitting a surrogate pair (emoji at the boundary)', async () => {
    const { connector, smsc } = await setup();
    const text = `${'é'.repeat(66)}😀${'ô'.repeat(50)}🇫🇷 fin`;
    const result = await connector.send(sms('+33612340005', text, { encoding: 'UCS-2' }));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.partIds).toHaveLength(2);
    const [message] = smsc.inbox('+33612340005');
    expect(message!.text).toBe(text);
    expect(message!.partTexts[0]).toBe('é'.repeat(66));
    expect(message!.partTexts[1]!.startsWith('😀')).toBe(true);
    for (const part of message!.partTexts) expect(part).not.toMatch(LONE_SURROGATE);
  });

  it('refuses a GSM-7 text with characters outside the alphabet, before any submit', async () => {
    const { connector, smsc } = await setup();
    const result = await connector.send(sms('+33612340006', 'Un garçon'));
    expect(result).toMatchObject({ ok: false, error: { code: 'smpp_encoding', retryable: false, attribution: 'platform' } });
    expect(await connector.send(sms('0612', 'x'))).toMatchObject({ ok: false, error: { code: 'smpp_invalid_destination', retryable: false, attribution: 'recipient' } });
    expect(await connector.send(sms('+33612340006', 'x', { from: 'A very long sender' }))).toMatchObject({ ok: false, error: { code: 'smpp_invalid_sender' } });
    expect(smsc.stats.submits).toBe(0);
  });
});

describe('magic numbers', () => {
  it('0444: throttled → retryable operator error with a wait', async () => {
    const { connector } = await setup();
    const result = await connector.send(sms('+33612340444'));
    expect(result).toEqual({
      ok: false,
      error: { code: 'smpp_throttled', message: expect.any(String), retryable: true, attribution: 'operator', providerCode: '0x00000058', retryAfterMs: 1000 },
    });
    expect(connector.stats).toMatchObject({ submitted: 1, acked: 0, failed: 1 });
  });

  it('0555: queue full → retryable operator error; 0333: invalid destination → recipient, permanent', async () => {
    const { connector } = await setup();
    expect(await connector.send(sms('+33612340555'))).toMatchObject({ ok: false, error: { code: 'smpp_queue_full', retryable: true, attribution: 'operator', retryAfterMs: 5000 } });
    expect(await connector.send(sms('+33612340333'))).toMatchObject({ ok: false, error: { code: 'smpp_invalid_destination', retryable: false, attribution: 'recipient' } });
  });

  it('0222: no answer → smpp_timeout, outcome unknown, after the configured timeout; the session stays usable', async () => {
    const { connector } = await setup({ client: { submitTimeoutMs: 300 } });
    const started = Date.now();
    const result = await connector.send(sms('+33612340222'));
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ ok: false, error: { code: 'smpp_timeout', retryable: true, outcomeUnknown: true, attribution: 'operator' } });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3_000);
    expect(connector.stats.inFlight).toBe(0);
    providerIdOf(await connector.send(sms('+33612340001')));
  });

  it('0666: accepted, then an UNDELIV receipt attributed to the recipient', async () => {
    const { connector, reports } = await setup();
    const providerId = providerIdOf(await connector.send(sms('+33612340666')));
    await waitFor(() => reports.length === 1, 'the receipt');
    expect(reports[0]).toMatchObject({ providerId, status: 'undelivered', providerCode: 'UNDELIV', attribution: 'recipient', raw: { err: '001' } });
  });

  it('0777: accepted, then an EXPIRED receipt', async () => {
    const { connector, reports } = await setup();
    const providerId = providerIdOf(await connector.send(sms('+33612340777')));
    await waitFor(() => reports.length === 1, 'the receipt');
    expect(reports[0]).toMatchObject({ providerId, status: 'expired', providerCode: 'EXPIRED', attribution: 'recipient' });
  });

  it('0888: connection dropped → outcome unknown; the connector re-binds and the next send works', async () => {
    const { connector, smsc } = await setup();
    const result = await connector.send(sms('+33612340888'));
    expect(result).toMatchObject({ ok: false, error: { code: 'smpp_connection_lost', retryable: true, outcomeUnknown: true, attribution: 'operator' } });
    // Sent right away: waits in the queue for the re-bind.
    providerIdOf(await connector.send(sms('+33612340001')));
    expect(connector.state).toBe('bound');
    expect(smsc.stats.binds).toBe(2);
    expect(connector.stats.binds).toBe(2);
  });
});

describe('flow control', () => {
  it('never has more submits in flight than the window', async () => {
    const { connector, smsc } = await setup({ smsc: { submitResponseDelayMs: 15 }, client: { window: 5 } });
    let maxSeen = 0;
    const results = Promise.all(Array.from({ length: 60 }, (_, i) => connector.send(sms(`+336123${String(i).padStart(5, '0')}`, 'x', { receipt: false }))));
    const probe = setInterval(() => {
      maxSeen = Math.max(maxSeen, connector.stats.inFlight);
    }, 1);
    const all = await results;
    clearInterval(probe);
    expect(all.every((r) => r.ok)).toBe(true);
    expect(smsc.stats.maxInFlight).toBe(5); // reached, never exceeded
    expect(maxSeen).toBeLessThanOrEqual(5);
  });

  it('gives up on a submit that cannot get a slot in time, without sending it', async () => {
    const { connector, smsc } = await setup({ client: { window: 1, queueTimeoutMs: 150, submitTimeoutMs: 2_000 } });
    const stuck = connector.send(sms('+33612340222'));
    const waiting = await connector.send(sms('+33612340001'));
    expect(waiting).toMatchObject({ ok: false, error: { code: 'smpp_backpressure', retryable: true, outcomeUnknown: false, attribution: 'platform' } });
    expect(smsc.stats.submits).toBe(1);
    await connector.stop();
    expect(await stuck).toMatchObject({ ok: false, error: { code: 'smpp_closed', outcomeUnknown: true } });
  });

  it('paces submits with the throughput option (token bucket)', async () => {
    const { connector } = await setup({ client: { throughput: 50, throughputBurst: 1 } });
    const started = Date.now();
    const all = await Promise.all(Array.from({ length: 16 }, (_, i) => connector.send(sms(`+3361200${String(i).padStart(4, '0')}`, 'x', { receipt: false }))));
    expect(all.every((r) => r.ok)).toBe(true);
    // 1 token at once, then 15 more at 50/s: at least 300 ms (a lower bound only).
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});

describe('deliver_sm from the SMSC', () => {
  it('hands an MO "STOP" to onInbound', async () => {
    const { smsc, inbound } = await setup();
    await smsc.sendMo({ from: '+33612345678', to: '38100', text: 'STOP' });
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ channel: 'sms', from: '+33612345678', to: '38100', text: 'STOP' });
    expect(inbound[0]!.providerId).toMatch(/^smpp-mo-/);
  });

  it('reassembles a long UCS-2 MO from its parts', async () => {
    const { smsc, inbound } = await setup();
    const text = `Bonjour, je ne veux plus recevoir vos messages 🙅 ; merci d'arrêter. ${'Ça suffit ! '.repeat(6)}`;
    await smsc.sendMo({ from: '+33612345678', to: '+33700000001', text });
    expect(inbound).toHaveLength(1);
    expect(inbound[0]).toMatchObject({ from: '+33612345678', to: '+33700000001', text, raw: { parts: 3 } });
  });

  it('answers ESME_RX_T_APPN when the handler fails, so the SMSC delivers it again', async () => {
    let calls = 0;
    const got: string[] = [];
    const { smsc } = await setup({
      smsc: { deliverRetryDelayMs: 20 },
      onInbound: async (m) => {
        calls++;
        if (calls === 1) throw new Error('database down');
        got.push(m.text);
      },
    });
    await smsc.sendMo({ from: '+33612345678', to: '38100', text: 'STOP' });
    expect(calls).toBe(2);
    expect(got).toEqual(['STOP']);
  });

  it('re-binds after the SMSC restarts; receipts pending at the SMSC arrive after the re-bind', async () => {
    const { connector, smsc, reports } = await setup({ smsc: { receiptDelayMs: 100 } });
    const providerId = providerIdOf(await connector.send(sms('+33612340001')));
    await smsc.stop();
    await waitFor(() => connector.state === 'connecting', 'the connector to notice');
    const duringOutage = connector.send(sms('+33612340002'));
    await smsc.start();
    providerIdOf(await duringOutage);
    expect(connector.state).toBe('bound');
    await waitFor(() => reports.length === 2, 'both receipts');
    expect(reports.map((r) => r.providerId)).toContain(providerId);
  });

  it('drops a link whose enquire_link goes unanswered and re-binds', async () => {
    const { connector, smsc } = await setup({ client: { enquireLinkIntervalMs: 50, enquireLinkTimeoutMs: 100 } });
    smsc.respondToEnquireLink = false;
    await waitFor(() => smsc.stats.binds >= 2, 'a re-bind');
    smsc.respondToEnquireLink = true;
    await waitFor(() => connector.state === 'bound', 'bound again');
    expect(connector.lastError === undefined || /enquire_link/.test(connector.lastError)).toBe(true);
    providerIdOf(await connector.send(sms('+33612340001')));
  });
});

describe('stop', () => {
  it('unbinds, resolves in-flight submits as outcome unknown and queued ones as unsent, and leaves no handle open', async () => {
    const handles = () => {
      const info = process.getActiveResourcesInfo();
      return {
        sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length,
        timers: info.filter((r) => r === 'Timeout').length,
      };
    };
    const before = handles();
    const { connector, smsc } = await setup({ client: { window: 1, enquireLinkIntervalMs: 1_000 } });
    providerIdOf(await connector.send(sms('+33612340001')));
    const inFlight = connector.send(sms('+33612340222'));
    const queued = connector.send(sms('+33612340002'));
    await waitFor(() => connector.stats.inFlight === 1 && connector.stats.queued === 1, 'one in flight, one queued');
    await connector.stop();
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'smpp_closed', retryable: true, outcomeUnknown: true } });
    expect(await queued).toMatchObject({ ok: false, error: { code: 'smpp_closed', outcomeUnknown: false } });
    expect(connector.state).toBe('closed');
    expect(await connector.send(sms('+33612340001'))).toMatchObject({ ok: false, error: { code: 'smpp_closed' } });
    await smsc.stop();
    await waitFor(() => {
      const now = handles();
      return now.sockets <= before.sockets && now.timers <= before.timers;
    }, 'sockets and timers to be released', 2_000);
  });
});

describe('throughput', () => {
  it('sends 2,000 messages with receipts and gets all 2,000 receipts', async () => {
    const { connector, smsc, reports } = await setup({ client: { window: 100 } });
    const results = await Promise.all(
      Array.from({ length: 2_000 }, (_, i) => connector.send(sms(`+3361${String(i).padStart(6, '0')}1`, `Message ${i}`))),
    );
    const ids = results.map(providerIdOf);
    expect(new Set(ids).size).toBe(2_000);
    await waitFor(() => reports.length >= 2_000, 'all receipts', 20_000);
    expect(reports).toHaveLength(2_000);
    expect(new Set(reports.map((r) => r.providerId))).toEqual(new Set(ids));
    expect(reports.every((r) => r.status === 'delivered')).toBe(true);
    expect(smsc.stats.submits).toBe(2_000);
    expect(smsc.stats.maxInFlight).toBeLessThanOrEqual(100);
  });
});
