/**
 * The sandbox SMSC at the PDU level, driven by the `smpp` package as a plain ESME (not our
 * connector), over real sockets on 127.0.0.1.
 */
import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { MAGIC_NUMBERS, SandboxSmsc, type SandboxSmscOptions } from './index.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function sandbox(options: SandboxSmscOptions = {}): Promise<SandboxSmsc> {
  const smsc = new SandboxSmsc({ receiptDelayMs: 5, ...options });
  await smsc.start();
  cleanups.push(() => smsc.stop());
  return smsc;
}

interface Esme {
  session: smpp.Session;
  delivered: smpp.PDU[];
  request(command: string, fields?: smpp.PduFields): Promise<smpp.PDU>;
  /** Status the ESME answers deliver_sm with. */
  answer: number;
}

async function esme(port: number): Promise<Esme> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  session.socket.setNoDelay(true);
  session.on('error', () => {});
  await new Promise<void>((resolve) => session.on('connect', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => (session.socket.destroyed ? resolve() : session.destroy(() => resolve()))));
  const client: Esme = {
    session,
    delivered: [],
    answer: 0,
    request: (command, fields = {}) => new Promise((resolve) => session.send(new smpp.PDU(command, fields), resolve)),
  };
  session.on('pdu', (pdu) => {
    if (pdu.command !== 'deliver_sm') return;
    client.delivered.push(pdu);
    session.send(client.answer ? pdu.response({ command_status: client.answer }) : pdu.response({ message_id: '' }));
  });
  return client;
}

const CREDENTIALS = { system_id: 'sofy', password: 'sandbox' };

function submit(to: string, text: string, registered_delivery = 1): smpp.PduFields {
  return {
    source_addr_ton: 5,
    source_addr_npi: 0,
    source_addr: 'SOFY',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: to,
    registered_delivery,
    data_coding: 0,
    short_message: Buffer.from(text, 'ascii'),
  };
}

describe('SandboxSmsc binds', () => {
  it('refuses a wrong system_id (0x0F) and a wrong password (0x0E), then binds, once', async () => {
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    expect((await client.request('bind_transceiver', { system_id: 'other', password: 'sandbox' })).command_status).toBe(0x0f);
    expect((await client.request('bind_transceiver', { system_id: 'sofy', password: 'nope' })).command_status).toBe(0x0e);
    const ok = await client.request('bind_transceiver', CREDENTIALS);
    expect(ok).toMatchObject({ command: 'bind_transceiver_resp', command_status: 0, system_id: 'SOFYSMSC' });
    expect((await client.request('bind_transceiver', CREDENTIALS)).command_status).toBe(0x05);
    expect(smsc.stats).toMatchObject({ binds: 1, boundSessions: 1 });
  });

  it('answers enquire_link, and refuses submits before a bind (0x04)', async () => {
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    expect((await client.request('enquire_link')).command).toBe('enquire_link_resp');
    expect((await client.request('submit_sm', submit('33612340001', 'hi'))).command_status).toBe(0x04);
  });

  it('answers unbind and closes the connection', async () => {
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    const closed = new Promise<void>((resolve) => client.session.on('close', () => resolve()));
    expect((await client.request('unbind')).command).toBe('unbind_resp');
    await closed;
    await waitFor(() => smsc.stats.boundSessions === 0, 'the session to go');
  });
});

describe('SandboxSmsc submits and receipts', () => {
  it('sends a standard receipt: esm_class 0x04, receipted_message_id and message_state TLVs, Appendix B text', async () => {
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    const resp = await client.request('submit_sm', submit('33612340666', 'Hello there'));
    expect(resp.command_status).toBe(0);
    expect(resp.message_id).toMatch(/^[0-9a-f]{16}$/);
    await waitFor(() => client.delivered.length === 1, 'the receipt');
    const receipt = client.delivered[0]!;
    expect(receipt).toMatchObject({
      esm_class: 0x04,
      receipted_message_id: resp.message_id,
      message_state: 5,
      source_addr: '33612340666',
      destination_addr: 'SOFY',
      dest_addr_ton: 5,
    });
    const text = (receipt.short_message as smpp.DecodedMessage).message as string;
    expect(text).toMatch(
      new RegExp(`^id:${resp.message_id} sub:001 dlvrd:000 submit date:\\d{10} done date:\\d{10} stat:UNDELIV err:001 text:Hello there$`),
    );
    await waitFor(() => smsc.stats.receiptsDelivered === 1, 'the receipt to be acknowledged');
    expect(smsc.inbox('+33612340666')[0]).toMatchObject({ id: resp.message_id, text: 'Hello there', outcome: 'UNDELIV', from: 'SOFY', to: '+33612340666' });
  });

  it('honours registered_delivery 2 (failures only)', async () => {
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    await client.request('submit_sm', submit('33612340001', 'ok', 2));
    const failed = await client.request('submit_sm', submit('33612340777', 'late', 2));
    await waitFor(() => client.delivered.length === 1, 'the failure receipt');
    await new Promise((r) => setTimeout(r, 30));
    expect(client.delivered).toHaveLength(1);
    expect(client.delivered[0]).toMatchObject({ receipted_message_id: failed.message_id, message_state: 3 });
  });

  it('answers the magic numbers', async () => {
    expect(Object.keys(MAGIC_NUMBERS).sort()).toEqual(['0222', '0333', '0444', '0555', '0666', '0777', '0888']);
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    expect((await client.request('submit_sm', submit('33612340444', 'x'))).command_status).toBe(0x58);
    expect((await client.request('submit_sm', submit('33612340555', 'x'))).command_status).toBe(0x14);
    expect((await client.request('submit_sm', submit('33612340333', 'x'))).command_status).toBe(0x0b);
    expect((await client.request('submit_sm', submit('not-a-number', 'x'))).command_status).toBe(0x0b);
    let answered = false;
    client.session.send(new smpp.PDU('submit_sm', submit('33612340222', 'x')), () => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    expect(smsc.stats.inFlight).toBe(1);
    const closed = new Promise<void>((resolve) => client.session.on('close', () => resolve()));
    client.session.send(new smpp.PDU('submit_sm', submit('33612340888', 'x')));
    await closed;
    expect(smsc.stats.submits).toBe(6);
  });

  it('keeps receipts while only a transmitter is bound and delivers them to the next receiver', async () => {
    const smsc = await sandbox();
    const tx = await esme(smsc.port);
    await tx.request('bind_transmitter', CREDENTIALS);
    const resp = await tx.request('submit_sm', submit('33612340001', 'x'));
    await waitFor(() => smsc.stats.outboxed === 1, 'the receipt to wait in the outbox');
    expect(tx.delivered).toHaveLength(0);
    const rx = await esme(smsc.port);
    await rx.request('bind_receiver', CREDENTIALS);
    await waitFor(() => rx.delivered.length === 1, 'the receipt at the receiver');
    expect(rx.delivered[0]!.receipted_message_id).toBe(resp.message_id);
    expect((await rx.request('submit_sm', submit('33612340001', 'x'))).command_status).toBe(0x04);
  });

  it('offers a deliver_sm again when the ESME answers an error', async () => {
    const smsc = await sandbox({ deliverRetryDelayMs: 10 });
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    client.answer = 0x64;
    await client.request('submit_sm', submit('33612340001', 'x'));
    await waitFor(() => client.delivered.length === 2, 'a second attempt');
    client.answer = 0;
    await waitFor(() => smsc.stats.receiptsDelivered === 1, 'the acknowledged receipt');
  });
});

describe('SandboxSmsc phones', () => {
  it('reassembles concatenated submits (8-bit and 16-bit references)', async () => {
    const smsc = await sandbox();
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    const part = (udh: number[], text: string): smpp.PduFields => ({
      ...submit('33612340001', '', 0),
      esm_class: 0x40,
      short_message: Buffer.concat([Buffer.from(udh), Buffer.from(text, 'ascii')]),
    });
    await client.request('submit_sm', part([0x05, 0x00, 0x03, 0x42, 2, 2], 'world'));
    await client.request('submit_sm', part([0x05, 0x00, 0x03, 0x42, 2, 1], 'Hello '));
    await client.request('submit_sm', part([0x06, 0x08, 0x04, 0x01, 0x00, 2, 1], 'Bye '));
    await client.request('submit_sm', part([0x06, 0x08, 0x04, 0x01, 0x00, 2, 2], 'now'));
    expect(smsc.inbox('+33612340001').map((m) => [m.text, m.parts, m.partTexts])).toEqual([
      ['Hello world', 2, ['Hello ', 'world']],
      ['Bye now', 2, ['Bye ', 'now']],
    ]);
    expect(smsc.stats).toMatchObject({ submits: 4, messages: 2 });
  });

  it('keeps the last N messages per number; allMessages and clear', async () => {
    const smsc = await sandbox({ inboxSize: 2 });
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    for (const text of ['one', 'two', 'three']) await client.request('submit_sm', submit('33612340001', text, 0));
    await client.request('submit_sm', submit('33612340002', 'other', 0));
    expect(smsc.inbox('33612340001').map((m) => m.text)).toEqual(['two', 'three']);
    expect(smsc.allMessages().map((m) => m.text)).toEqual(['two', 'three', 'other']);
    const seen: string[] = [];
    const off = smsc.onMessage((m) => seen.push(m.text));
    await client.request('submit_sm', submit('33612340002', 'watched', 0));
    off();
    expect(seen).toEqual(['watched']);
    smsc.clear();
    expect(smsc.allMessages()).toEqual([]);
  });

  it('keeps the inboxes of the most recently used numbers only (maxPhones)', async () => {
    const smsc = await sandbox({ maxPhones: 2 });
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    await client.request('submit_sm', submit('33612340001', 'a1', 0));
    await client.request('submit_sm', submit('33612340002', 'b1', 0));
    await client.request('submit_sm', submit('33612340001', 'a2', 0)); // 01 is now the most recent
    await client.request('submit_sm', submit('33612340003', 'c1', 0)); // a third number: 02 goes
    expect(smsc.inbox('33612340002')).toEqual([]);
    expect(smsc.inbox('33612340001').map((m) => m.text)).toEqual(['a1', 'a2']);
    expect(smsc.allMessages().map((m) => m.text)).toEqual(['a1', 'a2', 'c1']);
    expect(smsc.stats).toMatchObject({ messages: 4 });
  });

  it('sends an MO as deliver_sm, waiting for a receiver, and records it in the phone inbox', async () => {
    const smsc = await sandbox();
    const sent = smsc.sendMo({ from: '+33612345678', to: '38100', text: 'STOP' });
    const client = await esme(smsc.port);
    await client.request('bind_transceiver', CREDENTIALS);
    await sent;
    expect(client.delivered[0]).toMatchObject({ esm_class: 0, source_addr: '33612345678', source_addr_ton: 1, destination_addr: '38100', dest_addr_ton: 3 });
    expect((client.delivered[0]!.short_message as smpp.DecodedMessage).message).toBe('STOP');
    expect(smsc.inbox('+33612345678')[0]).toMatchObject({ direction: 'mo', text: 'STOP', from: '+33612345678', to: '38100' });
    expect(smsc.stats.moDelivered).toBe(1);
  });

  it('withdraws an MO nobody acknowledged in time', async () => {
    const smsc = await sandbox();
    await expect(smsc.sendMo({ from: '+33612345678', to: '38100', text: 'STOP', timeoutMs: 50 })).rejects.toThrow(/not acknowledged/);
    expect(smsc.stats.outboxed).toBe(0);
  });

  it('keeps its port across stop() and start()', async () => {
    const smsc = await sandbox();
    const port = smsc.port;
    expect(port).toBeGreaterThan(0);
    await smsc.stop();
    expect(smsc.running).toBe(false);
    expect((await smsc.start()).port).toBe(port);
  });
});
