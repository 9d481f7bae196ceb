/**
 * SandboxSmsc: an SMPP 3.4 SMSC on loopback that behaves like an operator's, for `sofy start`
 * (offline use), the "sandbox phones" page and the connector's tests.
 *
 * - binds (transceiver / transmitter / receiver) against one configured account: a wrong
 *   system_id → ESME_RINVSYSID (0x0F), a wrong password → ESME_RINVPASWD (0x0E);
 * - answers enquire_link, unbind, submit_sm (message ids are unique hex strings), and sends
 *   receipts (deliver_sm esm_class 0x04 with receipted_message_id + message_state TLVs and the
 *   Appendix B text form) after `receiptDelayMs` when registered_delivery asks for them;
 * - deliver_sm (receipts and MO) go through a per-system_id outbox: windowed per session,
 *   retried when the ESME answers an error, kept while no receiving session is bound (a real SMSC
 *   stores them), and handed to the next bind, also after stop()/start();
 * - concatenated submits (UDH IEI 0x00/0x08 or SAR TLVs) are reassembled; the last `inboxSize`
 *   messages per phone number are kept in memory.
 *
 * It decodes with the `smpp` package's own codecs, not the connector's, so that a codec bug on
 * our side is not mirrored here and hidden from the tests.
 *
 * Magic destinations (last 4 digits): see MAGIC_NUMBERS.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';

export const MAGIC_NUMBERS = {
  '0222': 'submit_sm never answered (the client must time out)',
  '0333': 'submit_sm_resp ESME_RINVDSTADR (0x0B, invalid destination)',
  '0444': 'submit_sm_resp ESME_RTHROTTLED (0x58)',
  '0555': 'submit_sm_resp ESME_RMSGQFUL (0x14)',
  '0666': 'accepted, receipt UNDELIV err:001',
  '0777': 'accepted, receipt EXPIRED',
  '0888': 'submit_sm read, then the connection is dropped before any answer',
} as const;

export type SandboxEncoding = 'GSM-7' | 'UCS-2' | 'Latin-1' | 'IA5' | 'binary';
export type SandboxOutcome = 'DELIVRD' | 'UNDELIV' | 'EXPIRED';

/** One message as a sandbox phone sees it. */
export interface SandboxMessage {
  /** 'mt': sent by an ESME to the phone; 'mo': sent by the phone (sendMo). */
  direction: 'mt' | 'mo';
  /** MT: the first part's message_id; MO: a sandbox id. */
  id: string;
  partIds: string[];
  /** E.164 ('+…') for numbers, as is for alphanumeric senders and short codes. */
  from: string;
  to: string;
  text: string;
  /** The text of each part as received (in order). */
  partTexts: string[];
  encoding: SandboxEncoding;
  parts: number;
  receivedAt: Date;
  /** The ESME account that sent it (MT) or that it was delivered to (MO). */
  systemId: string;
  /** MT: what the simulated network did with it (decides the receipt). */
  outcome?: SandboxOutcome;
  /** MT: the submit_sm fields that matter for debugging (of the last part received). */
  submit?: SandboxSubmitFields;
}

export interface SandboxSubmitFields {
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
  destTon: number;
  destNpi: number;
  destAddr: string;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** Absolute expiry, when the submit carried a validity_period. */
  validUntil?: Date;
}

export interface SandboxSmscLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SandboxSmscOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port, reported by start() and `port`; kept across stop()/start(). */
  port?: number;
  /** The account ESMEs bind with. Defaults 'sofy' / 'sandbox'. */
  systemId?: string;
  password?: string;
  /** system_id the SMSC answers binds with. Default 'SOFYSMSC'. */
  smscSystemId?: string;
  /** Delay before a receipt is sent. Default 50 ms. */
  receiptDelayMs?: number;
  /** Delay before each submit_sm_resp (lets tests observe the client's window). Default 0. */
  submitResponseDelayMs?: number;
  /** Messages kept per phone number. Default 50. */
  inboxSize?: number;
  /**
   * Phone numbers whose inbox is kept, the most recently used ones. Default 10,000: a campaign to
   * a million numbers would otherwise keep a million inboxes in memory (1.5 GB, and a garbage
   * collector that slowed the simulator below the platform it is meant to test).
   */
  maxPhones?: number;
  /** deliver_sm in flight per session. Default 100. */
  deliverWindow?: number;
  /** Delay before a deliver_sm refused by the ESME is offered again. Default 1 s. */
  deliverRetryDelayMs?: number;
  /** Attempts for a deliver_sm before it is dropped. Default 5. */
  deliverMaxAttempts?: number;
  logger?: SandboxSmscLogger;
}

export interface SandboxSmscStats {
  /** submit_sm PDUs received (all of them, magic ones included): the benchmark counter. */
  submits: number;
  /** Complete MT messages stored (after reassembly). */
  messages: number;
  /** Receipts acknowledged by an ESME. */
  receiptsDelivered: number;
  /** MO messages acknowledged by an ESME (counted per part). */
  moDelivered: number;
  /** Successful binds since start. */
  binds: number;
  boundSessions: number;
  /** submit_sm received and not answered yet, across sessions. */
  inFlight: number;
  /** Highest number of unanswered submit_sm seen at once on one session. */
  maxInFlight: number;
  /** deliver_sm waiting for a receiving session or a window slot. */
  outboxed: number;
}

export interface SendMoOptions {
  /** Phone number, E.164. */
  from: string;
  /** The ESME's number, short code or sender id it answers. */
  to: string;
  text: string;
  /** Account to deliver to. Default: the configured one. */
  systemId?: string;
  /** Reject (and withdraw the MO) if not acknowledged by then. Default 10 s. */
  timeoutMs?: number;
}

type BindType = 'transceiver' | 'transmitter' | 'receiver';

interface Connection {
  session: smpp.Session;
  bound: BindType | undefined;
  systemId: string;
  pendingSubmits: number;
  outstanding: Map<number, DeliverJob>;
  seq: number;
  closed: boolean;
  corked: boolean;
}

interface DeliverJob {
  systemId: string;
  fields: smpp.PduFields;
  attempts: number;
  cancelled: boolean;
  kind: 'receipt' | 'mo';
  done?: (ok: boolean) => void;
}

interface Assembly {
  total: number;
  parts: Map<number, { text: string; messageId: string }>;
  startedAt: number;
}

const MESSAGE_STATE = { DELIVRD: 2, EXPIRED: 3, UNDELIV: 5 } as const;

const noopLogger: SandboxSmscLogger = { debug() {}, info() {}, warn() {} };

function encodingOf(dataCoding: number): SandboxEncoding {
  switch (dataCoding) {
    case 0x00:
      return 'GSM-7';
    case 0x01:
      return 'IA5';
    case 0x03:
      return 'Latin-1';
    case 0x08:
      return 'UCS-2';
    default:
      return 'binary';
  }
}

function e164(addr: string | undefined, ton: number | undefined): string {
  const a = addr ?? '';
  return ton === 1 && /^\d+$/.test(a) ? `+${a}` : a;
}

/** Address fields for an address we originate (MO source/destination). */
function addressFields(address: string): { ton: number; npi: number; addr: string } {
  const m = /^\+?(\d{9,15})$/.exec(address);
  if (m) return { ton: 1, npi: 1, addr: m[1]! };
  if (/^\d{3,8}$/.test(address)) return { ton: 3, npi: 0, addr: address };
  return { ton: 5, npi: 0, addr: address };
}

function digitsOf(number: string): string {
  return number.replace(/^\+/, '');
}

function smppDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

/** Splits MO text into parts the way a handset does (whole characters, 153 septets / 67 units). */
function splitForMo(text: string): { dataCoding: number; payloads: Buffer[] } {
  const gsm = smpp.encodings.ASCII.match(text);
  const chars = [...text].map((ch) => (gsm ? smpp.encodings.ASCII.encode(ch) : smpp.encodings.UCS2.encode(ch)));
  const unitsOf = (b: Buffer) => (gsm ? b.length : b.length / 2);
  const total = chars.reduce((n, b) => n + unitsOf(b), 0);
  const dataCoding = gsm ? 0x00 : 0x08;
  if (total <= (gsm ? 160 : 70)) return { dataCoding, payloads: [Buffer.concat(chars)] };
  const perPart = gsm ? 153 : 67;
  const payloads: Buffer[] = [];
  let current: Buffer[] = [];
  let units = 0;
  for (const b of chars) {
    if (units + unitsOf(b) > perPart) {
      payloads.push(Buffer.concat(current));
      current = [];
      units = 0;
    }
    current.push(b);
    units += unitsOf(b);
  }
  if (current.length) payloads.push(Buffer.concat(current));
  return { dataCoding, payloads };
}

export class SandboxSmsc {
  readonly #host: string;
  #port: number;
  readonly #systemId: string;
  readonly #password: string;
  readonly #smscSystemId: string;
  readonly #receiptDelayMs: number;
  readonly #submitResponseDelayMs: number;
  readonly #inboxSize: number;
  readonly #maxPhones: number;
  readonly #deliverWindow: number;
  readonly #deliverRetryDelayMs: number;
  readonly #deliverMaxAttempts: number;
  readonly #log: SandboxSmscLogger;

  /** When false, enquire_link is ignored (simulates a half-open link). */
  respondToEnquireLink = true;

  #server: smpp.Server | undefined;
  readonly #connections = new Set<Connection>();
  readonly #outbox = new Map<string, JobQueue>();
  /** Scheduled deliver_sm (receipt delays, retries): moved to the outbox on stop(). */
  readonly #scheduled = new Map<NodeJS.Timeout, DeliverJob>();
  readonly #responseTimers = new Set<NodeJS.Timeout>();
  readonly #assemblies = new Map<string, Assembly>();
  readonly #inboxes = new Map<string, SandboxMessage[]>();
  readonly #listeners = new Set<(message: SandboxMessage) => void>();
  /** Pending sendMo() promises: rejected by stop() (their MO is withdrawn). */
  readonly #pendingMo = new Set<(error: Error) => void>();
  readonly #idPrefix = randomBytes(3).toString('hex');
  #idCounter = 0;
  #moRef = 0;
  #stats = { submits: 0, messages: 0, receiptsDelivered: 0, moDelivered: 0, binds: 0, maxInFlight: 0 };

  constructor(options: SandboxSmscOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#systemId = options.systemId ?? 'sofy';
    this.#password = options.password ?? 'sandbox';
    this.#smscSystemId = options.smscSystemId ?? 'SOFYSMSC';
    this.#receiptDelayMs = options.receiptDelayMs ?? 50;
    this.#submitResponseDelayMs = options.submitResponseDelayMs ?? 0;
    this.#inboxSize = options.inboxSize ?? 50;
    this.#maxPhones = options.maxPhones ?? 10_000;
    this.#deliverWindow = options.deliverWindow ?? 100;
    this.#deliverRetryDelayMs = options.deliverRetryDelayMs ?? 1_000;
    this.#deliverMaxAttempts = options.deliverMaxAttempts ?? 5;
    this.#log = options.logger ?? noopLogger;
  }

  get host(): string {
    return this.#host;
  }

  /** The listening port (the chosen one once started with port 0). */
  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  get stats(): SandboxSmscStats {
    let inFlight = 0;
    let boundSessions = 0;
    for (const c of this.#connections) {
      inFlight += c.pendingSubmits;
      if (c.bound) boundSessions++;
    }
    let outboxed = this.#scheduled.size;
    for (const q of this.#outbox.values()) for (const job of q) if (!job.cancelled) outboxed++;
    return { ...this.#stats, inFlight, boundSessions, outboxed };
  }

  resetStats(): void {
    this.#stats = { submits: 0, messages: 0, receiptsDelivered: 0, moDelivered: 0, binds: 0, maxInFlight: 0 };
  }

  /** Listens; resolves with the port. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.#server) return { host: this.#host, port: this.#port };
    const server = smpp.createServer({}, (session) => this.#onSession(session));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.#log.warn({ err }, 'sandbox smsc server error'));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#log.info({ host: this.#host, port: this.#port }, 'sandbox smsc listening');
    return { host: this.#host, port: this.#port };
  }

  /**
   * Stops listening and drops every connection. Scheduled receipts and undelivered deliver_sm stay
   * in memory and go out to the next bind after start(), as a real SMSC's store would.
   */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const fail of [...this.#pendingMo]) fail(new Error('sandbox SMSC stopped before the MO was acknowledged'));
    for (const timer of this.#responseTimers) clearTimeout(timer);
    this.#responseTimers.clear();
    for (const [timer, job] of this.#scheduled) {
      clearTimeout(timer);
      this.#enqueue(job, false);
    }
    this.#scheduled.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const sockets = [...this.#connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.session.socket.destroyed) return resolve();
          c.session.socket.once('close', () => resolve());
          c.session.destroy();
        }),
    );
    await Promise.all([closed, ...sockets]);
  }

  /** Drops every connection now (a network cut); the server keeps listening. */
  dropConnections(): void {
    for (const c of this.#connections) c.session.destroy();
  }

  /** Messages of one phone number (E.164, with or without '+'), oldest first. */
  inbox(number: string): SandboxMessage[] {
    return [...(this.#inboxes.get(digitsOf(number)) ?? [])];
  }

  /** Every kept message, oldest first. */
  allMessages(): SandboxMessage[] {
    return [...this.#inboxes.values()].flat().sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  }

  /** Forgets the kept messages and the partial concatenations. */
  clear(): void {
    this.#inboxes.clear();
    this.#assemblies.clear();
  }

  /** Called for every stored message (complete MT, and MO). Returns the unsubscribe function. */
  onMessage(listener: (message: SandboxMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A phone sends a message (e.g. "STOP") to an ESME: deliver_sm (concatenated with a 16-bit
   * reference UDH when long). Resolves when the ESME acknowledged every part; waits for a bind if
   * none is there; rejects (and withdraws it) after `timeoutMs`, when the ESME keeps refusing, or
   * on stop().
   */
  sendMo(mo: SendMoOptions): Promise<void> {
    const systemId = mo.systemId ?? this.#systemId;
    const source = addressFields(mo.from);
    const destination = addressFields(mo.to);
    const { dataCoding, payloads } = splitForMo(mo.text);
    this.#moRef = (this.#moRef + 1) & 0xffff;
    const ref = this.#moRef;
    const jobs: DeliverJob[] = payloads.map((payload, i) => {
      const udh = payloads.length > 1 ? Buffer.from([0x06, 0x08, 0x04, ref >> 8, ref & 0xff, payloads.length, i + 1]) : undefined;
      return {
        systemId,
        kind: 'mo',
        attempts: 0,
        cancelled: false,
        fields: {
          service_type: '',
          source_addr_ton: source.ton,
          source_addr_npi: source.npi,
          source_addr: source.addr,
          dest_addr_ton: destination.ton,
          dest_addr_npi: destination.npi,
          destination_addr: destination.addr,
          esm_class: udh ? 0x40 : 0x00,
          data_coding: dataCoding,
          short_message: udh ? Buffer.concat([udh, payload]) : payload,
        },
      };
    });
    const id = `mo-${this.#nextMessageId()}`;
    this.#store(digitsOf(mo.from), {
      direction: 'mo',
      id,
      partIds: jobs.map((_, i) => `${id}-${i + 1}`),
      from: e164(source.addr, source.ton),
      to: e164(destination.addr, destination.ton),
      text: mo.text,
      partTexts: payloads.map((p) => (dataCoding === 0x08 ? smpp.encodings.UCS2.decode(p) : smpp.encodings.ASCII.decode(p))),
      encoding: encodingOf(dataCoding),
      parts: payloads.length,
      receivedAt: new Date(),
      systemId,
    });
    return new Promise<void>((resolve, reject) => {
      let remaining = jobs.length;
      let finished = false;
      const timer = setTimeout(() => finish(new Error(`MO not acknowledged within ${mo.timeoutMs ?? 10_000} ms`)), mo.timeoutMs ?? 10_000);
      const finish = (error?: Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.#pendingMo.delete(finish);
        for (const job of jobs) job.cancelled = true;
        if (error) reject(error);
        else resolve();
      };
      this.#pendingMo.add(finish);
      for (const job of jobs) {
        job.done = (ok) => {
          if (!ok) return finish(new Error('MO refused by the ESME'));
          if (--remaining === 0) finish();
        };
        this.#enqueue(job, false);
      }
      this.#flush(systemId);
    });
  }

  // ---------------------------------------------------------------- sessions

  #onSession(session: smpp.Session): void {
    session.socket.setNoDelay(true);
    const conn: Connection = { session, bound: undefined, systemId: '', pendingSubmits: 0, outstanding: new Map(), seq: 0, closed: false, corked: false };
    this.#connections.add(conn);
    session.on('error', (err) => this.#log.debug({ err }, 'sandbox smsc session error'));
    session.on('close', () => this.#onClose(conn));
    session.on('pdu', (pdu) => {
      try {
        this.#onPdu(conn, pdu);
      } catch (e) {
        this.#log.warn({ err: e, command: pdu.command }, 'sandbox smsc PDU handling failed');
      }
    });
  }

  #onClose(conn: Connection): void {
    conn.closed = true;
    this.#connections.delete(conn);
    conn.pendingSubmits = 0;
    const systemId = conn.systemId;
    const unanswered = [...conn.outstanding.values()];
    conn.outstanding.clear();
    // Not acknowledged: offer them again (front of the queue), as an SMSC does after a lost link.
    for (const job of unanswered.reverse()) this.#enqueue(job, true);
    if (systemId && this.#server) this.#flush(systemId);
  }

  /** Batches this tick's writes to one socket into one writev (noDelay stays on). */
  #cork(conn: Connection): void {
    if (conn.corked) return;
    conn.corked = true;
    conn.session.socket.cork();
    process.nextTick(() => {
      conn.corked = false;
      conn.session.socket.uncork();
    });
  }

  #onPdu(conn: Connection, pdu: smpp.PDU): void {
    this.#cork(conn);
    switch (pdu.command) {
      case 'bind_transceiver':
        this.#onBind(conn, pdu, 'transceiver');
        return;
      case 'bind_transmitter':
        this.#onBind(conn, pdu, 'transmitter');
        return;
      case 'bind_receiver':
        this.#onBind(conn, pdu, 'receiver');
        return;
      case 'enquire_link':
        if (this.respondToEnquireLink) conn.session.send(pdu.response());
        return;
      case 'unbind':
        conn.session.send(pdu.response());
        conn.bound = undefined;
        conn.session.close();
        return;
      case 'submit_sm':
        this.#onSubmit(conn, pdu);
        return;
      case 'deliver_sm_resp':
        this.#onDeliverResp(conn, pdu);
        return;
      case 'enquire_link_resp':
      case 'unbind_resp':
      case 'generic_nack':
        return;
      default:
        if (!pdu.isResponse()) conn.session.send(pdu.response({ command_status: 0x03 }));
    }
  }

  #onBind(conn: Connection, pdu: smpp.PDU, type: BindType): void {
    let status = 0;
    if (conn.bound) status = 0x05; // ESME_RALYBND
    else if (pdu.system_id !== this.#systemId) status = 0x0f; // ESME_RINVSYSID
    else if (pdu.password !== this.#password) status = 0x0e; // ESME_RINVPASWD
    if (status) {
      this.#log.info({ systemId: pdu.system_id, status }, 'sandbox smsc bind refused');
      conn.session.send(pdu.response({ command_status: status }));
      return;
    }
    conn.bound = type;
    conn.systemId = this.#systemId;
    this.#stats.binds++;
    conn.session.send(pdu.response({ system_id: this.#smscSystemId }));
    this.#log.info({ systemId: conn.systemId, type }, 'sandbox smsc bound');
    if (type !== 'transmitter') this.#flush(conn.systemId);
  }

  #onSubmit(conn: Connection, pdu: smpp.PDU): void {
    this.#stats.submits++;
    if (conn.bound !== 'transceiver' && conn.bound !== 'transmitter') {
      conn.session.send(pdu.response({ command_status: 0x04 })); // ESME_RINVBNDSTS
      return;
    }
    conn.pendingSubmits++;
    if (conn.pendingSubmits > this.#stats.maxInFlight) this.#stats.maxInFlight = conn.pendingSubmits;

    const destination = pdu.destination_addr ?? '';
    const magic = destination.slice(-4);
    if (magic === '0222') return; // never answered
    if (magic === '0888') {
      conn.session.destroy();
      return;
    }
    let status = 0;
    if (!/^\d{6,15}$/.test(destination) || magic === '0333') status = 0x0b;
    else if (!pdu.source_addr) status = 0x0a;
    else if (magic === '0444') status = 0x58;
    else if (magic === '0555') status = 0x14;
    if (status) {
      this.#respond(conn, pdu.response({ command_status: status }));
      return;
    }

    const messageId = this.#nextMessageId();
    const outcome: SandboxOutcome = magic === '0666' ? 'UNDELIV' : magic === '0777' ? 'EXPIRED' : 'DELIVRD';
    const decoded = this.#decode(pdu);
    this.#respond(conn, pdu.response({ message_id: messageId }), () => {
      const rd = (pdu.registered_delivery ?? 0) & 0x03;
      const wanted = rd === 1 || (rd === 2 && outcome !== 'DELIVRD') || (rd === 3 && outcome === 'DELIVRD');
      if (wanted) this.#scheduleReceipt(conn.systemId, pdu, messageId, outcome, decoded.text);
    });
    this.#collect(conn.systemId, pdu, messageId, outcome, decoded);
  }

  #respond(conn: Connection, resp: smpp.PDU, then?: () => void): void {
    const send = () => {
      if (conn.closed) return;
      this.#cork(conn);
      conn.pendingSubmits--;
      conn.session.send(resp);
      then?.();
    };
    if (this.#submitResponseDelayMs <= 0) {
      send();
      return;
    }
    const timer = setTimeout(() => {
      this.#responseTimers.delete(timer);
      send();
    }, this.#submitResponseDelayMs);
    this.#responseTimers.add(timer);
  }

  #nextMessageId(): string {
    this.#idCounter++;
    return `${this.#idPrefix}${this.#idCounter.toString(16).padStart(10, '0')}`;
  }

  /** Text of one submit, with the package's decoder (see the file comment). */
  #decode(pdu: smpp.PDU): { text: string; udh: Buffer[] } {
    const value = pdu.short_message;
    const fromValue = (v: typeof value): { text: string; udh: Buffer[] } => {
      if (v === undefined) return { text: '', udh: [] };
      if (typeof v === 'string') return { text: v, udh: [] };
      if (Buffer.isBuffer(v)) return { text: v.toString('latin1'), udh: [] };
      return { text: typeof v.message === 'string' ? v.message : v.message.toString('latin1'), udh: v.udh ?? [] };
    };
    const short = fromValue(value);
    if (short.text === '' && short.udh.length === 0 && pdu.message_payload !== undefined) return fromValue(pdu.message_payload);
    return short;
  }

  #collect(systemId: string, pdu: smpp.PDU, messageId: string, outcome: SandboxOutcome, decoded: { text: string; udh: Buffer[] }): void {
    const from = e164(pdu.source_addr, pdu.source_addr_ton);
    const to = e164(pdu.destination_addr, pdu.dest_addr_ton);
    const dataCoding = pdu.data_coding ?? 0;
    let concat: { ref: number; total: number; seq: number } | undefined;
    for (const ie of decoded.udh) {
      if (ie[0] === 0x00 && ie.length >= 5) concat = { ref: ie[2]!, total: ie[3]!, seq: ie[4]! };
      else if (ie[0] === 0x08 && ie.length >= 6) concat = { ref: ie.readUInt16BE(2), total: ie[4]!, seq: ie[5]! };
    }
    if (!concat && pdu.sar_total_segments && pdu.sar_segment_seqnum) {
      concat = { ref: pdu.sar_msg_ref_num ?? 0, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum };
    }
    const submit: SandboxSubmitFields = {
      sourceTon: pdu.source_addr_ton ?? 0,
      sourceNpi: pdu.source_addr_npi ?? 0,
      sourceAddr: pdu.source_addr ?? '',
      destTon: pdu.dest_addr_ton ?? 0,
      destNpi: pdu.dest_addr_npi ?? 0,
      destAddr: pdu.destination_addr ?? '',
      dataCoding,
      esmClass: pdu.esm_class ?? 0,
      registeredDelivery: pdu.registered_delivery ?? 0,
    };
    if (pdu.validity_period instanceof Date) submit.validUntil = pdu.validity_period;
    const base = { direction: 'mt' as const, from, to, encoding: encodingOf(dataCoding), systemId, outcome, submit };
    if (!concat || concat.total <= 1) {
      this.#store(digitsOf(to), { ...base, id: messageId, partIds: [messageId], text: decoded.text, partTexts: [decoded.text], parts: 1, receivedAt: new Date() });
      return;
    }
    const key = `${systemId}|${from}|${to}|${concat.ref}|${concat.total}`;
    let assembly = this.#assemblies.get(key);
    if (!assembly) {
      assembly = { total: concat.total, parts: new Map(), startedAt: Date.now() };
      this.#assemblies.set(key, assembly);
      this.#pruneAssemblies();
    }
    assembly.parts.set(concat.seq, { text: decoded.text, messageId });
    if (assembly.parts.size < assembly.total) return;
    this.#assemblies.delete(key);
    const ordered = [...assembly.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    this.#store(digitsOf(to), {
      ...base,
      id: ordered[0]!.messageId,
      partIds: ordered.map((p) => p.messageId),
      text: ordered.map((p) => p.text).join(''),
      partTexts: ordered.map((p) => p.text),
      parts: ordered.length,
      receivedAt: new Date(),
    });
  }

  /** Partial concatenations older than 10 minutes are dropped (a part never came). */
  #pruneAssemblies(): void {
    if (this.#assemblies.size < 1000) return;
    const limit = Date.now() - 10 * 60_000;
    for (const [key, a] of this.#assemblies) if (a.startedAt < limit) this.#assemblies.delete(key);
  }

  #store(number: string, message: SandboxMessage): void {
    if (message.direction === 'mt') this.#stats.messages++;
    let inbox = this.#inboxes.get(number);
    if (inbox) {
      this.#inboxes.delete(number); // re-inserted below: the Map's order is least recently used first
    } else {
      inbox = [];
      if (this.#inboxes.size >= this.#maxPhones) this.#inboxes.delete(this.#inboxes.keys().next().value as string);
    }
    this.#inboxes.set(number, inbox);
    inbox.push(message);
    if (inbox.length > this.#inboxSize) inbox.splice(0, inbox.length - this.#inboxSize);
    for (const listener of this.#listeners) {
      try {
        listener(message);
      } catch (e) {
        this.#log.warn({ err: e }, 'sandbox smsc message listener failed');
      }
    }
  }

  // ---------------------------------------------------------------- deliver_sm outbox

  #scheduleReceipt(systemId: string, submit: smpp.PDU, messageId: string, outcome: SandboxOutcome, text: string): void {
    const submitted = new Date();
    const done = new Date(submitted.getTime() + this.#receiptDelayMs);
    const err = outcome === 'UNDELIV' ? '001' : '000';
    const dlvrd = outcome === 'DELIVRD' ? '001' : '000';
    const sample = text.replace(/[^\x20-\x7e]/g, '.').slice(0, 20);
    const fields: smpp.PduFields = {
      service_type: '',
      source_addr_ton: submit.dest_addr_ton ?? 1,
      source_addr_npi: submit.dest_addr_npi ?? 1,
      source_addr: submit.destination_addr ?? '',
      dest_addr_ton: submit.source_addr_ton ?? 0,
      dest_addr_npi: submit.source_addr_npi ?? 0,
      destination_addr: submit.source_addr ?? '',
      esm_class: 0x04,
      data_coding: 0x00,
      short_message: Buffer.from(
        `id:${messageId} sub:001 dlvrd:${dlvrd} submit date:${smppDate(submitted)} done date:${smppDate(done)} stat:${outcome} err:${err} text:${sample}`,
        'latin1',
      ),
      receipted_message_id: messageId,
      message_state: MESSAGE_STATE[outcome],
    };
    // GSM network (3), then the error code: what operators put in network_error_code.
    if (outcome !== 'DELIVRD') fields.network_error_code = Buffer.from([0x03, 0x00, Number(err)]);
    const job: DeliverJob = { systemId, kind: 'receipt', attempts: 0, cancelled: false, fields };
    const timer = setTimeout(() => {
      this.#scheduled.delete(timer);
      this.#enqueue(job, false);
      this.#flush(systemId);
    }, this.#receiptDelayMs);
    this.#scheduled.set(timer, job);
  }

  #enqueue(job: DeliverJob, front: boolean): void {
    if (job.cancelled) return;
    let queue = this.#outbox.get(job.systemId);
    if (!queue) {
      queue = new JobQueue();
      this.#outbox.set(job.systemId, queue);
    }
    if (front) queue.unshift(job);
    else queue.push(job);
  }

  #flush(systemId: string): void {
    const queue = this.#outbox.get(systemId);
    if (!queue || queue.length === 0) return;
    const receivers = [...this.#connections].filter((c) => !c.closed && c.systemId === systemId && (c.bound === 'transceiver' || c.bound === 'receiver'));
    if (receivers.length === 0) return;
    let i = 0;
    let idle = 0;
    while (queue.length > 0 && idle < receivers.length) {
      const conn = receivers[i++ % receivers.length]!;
      if (conn.outstanding.size >= this.#deliverWindow) {
        idle++;
        continue;
      }
      idle = 0;
      this.#cork(conn);
      const job = queue.shift() as DeliverJob;
      if (job.cancelled) continue;
      conn.seq = conn.seq >= 0x7fffffff ? 1 : conn.seq + 1;
      if (!conn.session.send(new smpp.PDU('deliver_sm', { ...job.fields, sequence_number: conn.seq }))) {
        queue.unshift(job);
        return;
      }
      job.attempts++;
      conn.outstanding.set(conn.seq, job);
    }
  }

  #onDeliverResp(conn: Connection, pdu: smpp.PDU): void {
    const job = conn.outstanding.get(pdu.sequence_number);
    if (!job) return;
    conn.outstanding.delete(pdu.sequence_number);
    if (pdu.command_status === 0) {
      if (job.kind === 'receipt') this.#stats.receiptsDelivered++;
      else this.#stats.moDelivered++;
      job.done?.(true);
    } else if (job.attempts >= this.#deliverMaxAttempts || job.cancelled) {
      this.#log.warn({ status: pdu.command_status, attempts: job.attempts }, 'sandbox smsc deliver_sm dropped');
      job.done?.(false);
    } else {
      const timer = setTimeout(() => {
        this.#scheduled.delete(timer);
        this.#enqueue(job, false);
        this.#flush(job.systemId);
      }, this.#deliverRetryDelayMs);
      this.#scheduled.set(timer, job);
    }
    this.#flush(conn.systemId);
  }
}

/**
 * The deliver_sm waiting for a receiver's window, first in first out. An array's shift() moves
 * every element: with the receipts of a million-message campaign waiting behind a window of 100,
 * that made the simulator quadratic (and the bottleneck of bench:campaign). Here a head index
 * moves instead, and the array is compacted once the consumed part is the larger half.
 */
class JobQueue implements Iterable<DeliverJob> {
  #items: DeliverJob[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(job: DeliverJob): void {
    this.#items.push(job);
  }

  /** Back to the front (a job offered again after a lost link or a refused send). */
  unshift(job: DeliverJob): void {
    if (this.#head > 0) this.#items[--this.#head] = job;
    else this.#items.unshift(job);
  }

  shift(): DeliverJob | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const job = this.#items[this.#head];
    this.#items[this.#head++] = undefined as unknown as DeliverJob; // let it be collected
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return job;
  }

  *[Symbol.iterator](): Iterator<DeliverJob> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as DeliverJob;
  }
}
