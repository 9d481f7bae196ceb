/**
 * SmppConnector: one bind_transceiver session to an SMSC, speaking SMPP 3.4 through the `smpp`
 * package (which only frames PDUs: windowing, timeouts, keep-alive and reconnect are ours).
 *
 * - submits are queued FIFO and written while the session is bound, fewer than `window` are in
 *   flight and the `throughput` token bucket has a token; a queued submit that waits longer than
 *   `queueTimeoutMs` gives up without touching the wire (safe to retry);
 * - a written submit resolves on its submit_sm_resp, or after `submitTimeoutMs`, or when the
 *   connection drops, the last two as `outcomeUnknown` errors (it may have reached the SMSC);
 * - enquire_link every `enquireLinkIntervalMs`; no answer within `enquireLinkTimeoutMs` (or a lost
 *   socket) → the session is dropped and re-bound with capped exponential back-off (with jitter);
 * - deliver_sm: receipts → `onDeliveryReport`, MO → `onInbound` (concatenated parts reassembled);
 *   the deliver_sm_resp is sent once the handler has finished: ESME_ROK, or ESME_RX_T_APPN (0x64,
 *   "temporary, try again") when the handler failed or did not finish within `handlerTimeoutMs`,
 *   so the SMSC redelivers instead of us losing the event. Undecodable PDUs are acknowledged
 *   (a redelivery would not decode better) and logged.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import smpp from 'smpp';
import { type Clock, systemClock } from '../../platform/clock.ts';
import type { ChannelError, ChannelEventHandlers, DeliveryReport, InboundMessage, OutboundSms, SendResult } from '../types.ts';
import {
  concatInfo,
  decodeText,
  decodeUcs2,
  destinationAddress,
  EncodingError,
  encodeParts,
  ESM_CLASS_UDHI,
  formatAddress,
  rawShortMessage,
  relativeValidity,
  sourceAddress,
} from './codec.ts';
import {
  connectionLostError,
  ESME_RINVCMDID,
  ESME_ROK,
  ESME_RX_T_APPN,
  errorForStatus,
  hexStatus,
  isFatalBindStatus,
  notSentError,
  type StatusMappingOptions,
  stoppedInFlightError,
  timeoutError,
} from './errors.ts';
import { parseReceiptText, receiptOutcome } from './receipt.ts';

export type SmppConnectorState = 'connecting' | 'bound' | 'closed';

/** The subset of a pino logger the connector uses. */
export interface SmppLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SmppConnectorOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  /** bind system_type (default ''). */
  systemType?: string;
  /** submit_sm service_type (default ''). */
  serviceType?: string;
  /** Receipts and MO messages are handed over here. */
  handlers: ChannelEventHandlers;
  /** Maximum submit_sm in flight (written, not yet answered). Default 100. */
  window?: number;
  /** Wait for a submit_sm_resp before `smpp_timeout` (outcome unknown). Default 10 s. */
  submitTimeoutMs?: number;
  /** Wait for a bound session / window slot / token before giving up unsent. Default: submitTimeoutMs. */
  queueTimeoutMs?: number;
  /** Submits per second (token bucket). Unset or 0: unpaced. */
  throughput?: number;
  /** Bucket size: submits allowed back to back. Default max(1, ceil(throughput / 10)). */
  throughputBurst?: number;
  /** Default 30 s. */
  enquireLinkIntervalMs?: number;
  /** No enquire_link_resp within this → the link is dead. Default 10 s. */
  enquireLinkTimeoutMs?: number;
  /** TCP connect + bind must complete within this. Default 10 s. */
  bindTimeoutMs?: number;
  /** Reconnect back-off: first delay (default 500 ms), doubling up to the cap (default 30 s). */
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** stop(): wait this long for unbind_resp (in-flight answers still count). Default 2 s. */
  unbindTimeoutMs?: number;
  /** deliver_sm handlers must finish within this, else ESME_RX_T_APPN. Default 10 s. */
  handlerTimeoutMs?: number;
  /** Incomplete concatenated MO: delivered as received so far after this. Default 60 s. */
  moReassemblyTimeoutMs?: number;
  /** retryAfterMs suggestions for throttling (default 1 s) and queue full (default 5 s). */
  throttledRetryAfterMs?: number;
  queueFullRetryAfterMs?: number;
  /** Called on every state change (logs, health). */
  onStateChange?: (state: SmppConnectorState) => void;
  clock?: Clock;
  logger?: SmppLogger;
}

export interface SmppConnectorStats {
  /** submit_sm PDUs written. */
  submitted: number;
  /** submit_sm answered with ESME_ROK. */
  acked: number;
  /** submit_sm answered with an error, timed out or lost with the connection. */
  failed: number;
  /** Written, not yet answered. */
  inFlight: number;
  /** Waiting for a bound session, a window slot or a token. */
  queued: number;
  /** Successful binds (the first one and each re-bind). */
  binds: number;
  receipts: number;
  inbound: number;
}

type PartResult = { ok: true; messageId: string } | { ok: false; error: ChannelError };

interface SubmitJob {
  fields: smpp.PduFields;
  written: boolean;
  settled: boolean;
  resolve(result: PartResult): void;
  queueTimer: NodeJS.Timeout | undefined;
  responseTimer: NodeJS.Timeout | undefined;
}

interface MoAssembly {
  from: string;
  to: string;
  dataCoding: number;
  total: number;
  parts: Map<number, Buffer>;
  timer: NodeJS.Timeout | undefined;
  firstAt: Date;
}

/** FIFO with O(1) shift, and unshift for a job that could not be written after all. */
class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }
  drain(): T[] {
    const out = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}

const noopLogger: SmppLogger = { debug() {}, info() {}, warn() {}, error() {} };

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export class SmppConnector {
  readonly #o: Required<
    Omit<SmppConnectorOptions, 'throughput' | 'throughputBurst' | 'onStateChange' | 'clock' | 'logger' | 'systemType' | 'serviceType'>
  >;
  readonly #systemType: string;
  readonly #serviceType: string;
  readonly #handlers: ChannelEventHandlers;
  readonly #clock: Clock;
  readonly #log: SmppLogger;
  readonly #onStateChange: ((state: SmppConnectorState) => void) | undefined;
  readonly #statusOptions: StatusMappingOptions;

  #state: SmppConnectorState = 'closed';
  #started = false;
  #stopped = false;
  #fatal: ChannelError | undefined;
  #lastError: string | undefined;

  #session: smpp.Session | undefined;
  #corked: Socket | undefined;
  #bindSeq = 0;
  #sequence = 0;
  #attempt = 0;
  #bindTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #enquireTimer: NodeJS.Timeout | undefined;
  #enquireDeadline: NodeJS.Timeout | undefined;
  #unbinding: { seq: number; done: () => void } | undefined;

  #queue = new Fifo<SubmitJob>();
  #queuedLive = 0;
  readonly #inflight = new Map<number, SubmitJob>();

  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #tokensAt = performance.now();
  #tokenTimer: NodeJS.Timeout | undefined;

  #concatRef = randomInt(256);
  readonly #moParts = new Map<string, MoAssembly>();
  readonly #handlerTimers = new Set<NodeJS.Timeout>();

  #startPromise: Promise<void> | undefined;
  #startResolve: (() => void) | undefined;
  #startReject: ((e: Error) => void) | undefined;
  #stopPromise: Promise<void> | undefined;

  readonly #stats = { submitted: 0, acked: 0, failed: 0, binds: 0, receipts: 0, inbound: 0 };

  constructor(options: SmppConnectorOptions) {
    const submitTimeoutMs = options.submitTimeoutMs ?? 10_000;
    this.#o = {
      host: options.host,
      port: options.port,
      systemId: options.systemId,
      password: options.password,
      handlers: options.handlers,
      window: Math.max(1, Math.floor(options.window ?? 100)),
      submitTimeoutMs,
      queueTimeoutMs: options.queueTimeoutMs ?? submitTimeoutMs,
      enquireLinkIntervalMs: options.enquireLinkIntervalMs ?? 30_000,
      enquireLinkTimeoutMs: options.enquireLinkTimeoutMs ?? 10_000,
      bindTimeoutMs: options.bindTimeoutMs ?? 10_000,
      reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? 500,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? 30_000,
      unbindTimeoutMs: options.unbindTimeoutMs ?? 2_000,
      handlerTimeoutMs: options.handlerTimeoutMs ?? 10_000,
      moReassemblyTimeoutMs: options.moReassemblyTimeoutMs ?? 60_000,
      throttledRetryAfterMs: options.throttledRetryAfterMs ?? 1_000,
      queueFullRetryAfterMs: options.queueFullRetryAfterMs ?? 5_000,
    };
    this.#systemType = options.systemType ?? '';
    this.#serviceType = options.serviceType ?? '';
    this.#handlers = options.handlers;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? noopLogger;
    this.#onStateChange = options.onStateChange;
    this.#statusOptions = { throttledRetryAfterMs: this.#o.throttledRetryAfterMs, queueFullRetryAfterMs: this.#o.queueFullRetryAfterMs };
    this.#rate = options.throughput && options.throughput > 0 ? options.throughput : 0;
    this.#burst = this.#rate ? Math.max(1, options.throughputBurst ?? Math.ceil(this.#rate / 10)) : 0;
    this.#tokens = this.#burst;
  }

  /** 'connecting' (including back-off waits), 'bound', or 'closed' (not started, stopped, or bind refused). */
  get state(): SmppConnectorState {
    return this.#state;
  }

  /** The last connection or bind problem, for a health page. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  get stats(): SmppConnectorStats {
    return { ...this.#stats, inFlight: this.#inflight.size, queued: this.#queuedLive };
  }

  /**
   * Connects and binds. Resolves at the first successful bind; rejects when the SMSC refuses the
   * credentials (ESME_RINVPASWD / ESME_RINVSYSID: no retry, the connector closes) or when stop()
   * comes first. Network failures and other bind refusals are retried with back-off meanwhile.
   */
  start(): Promise<void> {
    if (this.#startPromise) return this.#startPromise;
    if (this.#stopped) return Promise.reject(new Error('SMPP connector stopped: create a new one'));
    this.#started = true;
    this.#startPromise = new Promise<void>((resolve, reject) => {
      this.#startResolve = resolve;
      this.#startReject = reject;
    });
    this.#startPromise.catch(() => {}); // callers may start without awaiting
    this.#connect();
    return this.#startPromise;
  }

  /** Sends one SMS (one submit_sm per part). Never throws: errors come back classified. */
  async send(sms: OutboundSms): Promise<SendResult> {
    try {
      return await this.#send(sms);
    } catch (e) {
      this.#log.error({ err: e, id: sms.id }, 'smpp send failed unexpectedly');
      return { ok: false, error: notSentError('smpp_internal', `unexpected error: ${(e as Error).message}`, 'platform') };
    }
  }

  /**
   * Unbinds and closes. Queued submits fail unsent (`smpp_closed`, not outcomeUnknown); submits
   * answered before the unbind_resp resolve normally; the rest resolve `smpp_closed` with
   * outcomeUnknown. Clears every timer and socket.
   */
  stop(): Promise<void> {
    if (!this.#stopPromise) this.#stopPromise = this.#stop();
    return this.#stopPromise;
  }

  // ---------------------------------------------------------------- sending

  async #send(sms: OutboundSms): Promise<SendResult> {
    if (this.#stopped || !this.#started) {
      return { ok: false, error: notSentError('smpp_closed', this.#stopped ? 'SMPP connector stopped' : 'SMPP connector not started', 'platform') };
    }
    if (this.#fatal) return { ok: false, error: { ...this.#fatal, retryable: true, outcomeUnknown: false } };

    const source = sourceAddress(sms.from);
    if (!source) return { ok: false, error: notSentError('smpp_invalid_sender', `invalid sender "${sms.from}"`, 'platform', false) };
    const destination = destinationAddress(sms.to);
    if (!destination) return { ok: false, error: notSentError('smpp_invalid_destination', `invalid destination "${sms.to}"`, 'recipient', false) };

    let encoded: ReturnType<typeof encodeParts>;
    try {
      this.#concatRef = (this.#concatRef + 1) & 0xff;
      encoded = encodeParts(sms.text, sms.encoding, this.#concatRef);
    } catch (e) {
      if (e instanceof EncodingError) return { ok: false, error: notSentError('smpp_encoding', e.message, 'platform', false) };
      throw e;
    }

    const base: smpp.PduFields = {
      service_type: this.#serviceType,
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.addr,
      dest_addr_ton: destination.ton,
      dest_addr_npi: destination.npi,
      destination_addr: destination.addr,
      esm_class: encoded.concatenated ? ESM_CLASS_UDHI : 0,
      protocol_id: 0,
      priority_flag: 0,
      schedule_delivery_time: '',
      validity_period: sms.validitySeconds ? relativeValidity(sms.validitySeconds) : '',
      registered_delivery: sms.receipt ? 1 : 0,
      replace_if_present_flag: 0,
      data_coding: encoded.dataCoding,
      sm_default_msg_id: 0,
    };
    const fields = encoded.shortMessages.map((short_message) => ({ ...base, short_message }));

    // The first part alone: if it is refused, nothing reached the handset and the error is clean.
    const first = await this.#submit(fields[0]!);
    if (!first.ok) return first;
    if (fields.length === 1) return { ok: true, providerId: first.messageId };

    const rest = await Promise.all(fields.slice(1).map((f) => this.#submit(f)));
    const failedAt = rest.findIndex((r) => !r.ok);
    if (failedAt >= 0) {
      const failure = rest[failedAt] as { ok: false; error: ChannelError };
      // Part 1 (at least) was accepted: the recipient may see fragments, a retry may duplicate them.
      return {
        ok: false,
        error: {
          ...failure.error,
          message: `part ${failedAt + 2}/${fields.length}: ${failure.error.message} (part 1 accepted as ${first.messageId})`,
          outcomeUnknown: true,
        },
      };
    }
    const partIds = [first.messageId, ...rest.map((r) => (r as { ok: true; messageId: string }).messageId)];
    return { ok: true, providerId: first.messageId, partIds };
  }

  #submit(fields: smpp.PduFields): Promise<PartResult> {
    return new Promise<PartResult>((resolve) => {
      const job: SubmitJob = { fields, written: false, settled: false, resolve, queueTimer: undefined, responseTimer: undefined };
      job.queueTimer = setTimeout(() => {
        job.queueTimer = undefined;
        if (job.written || job.settled) return;
        this.#queuedLive--;
        this.#settle(
          job,
          this.#state === 'bound'
            ? { ok: false, error: notSentError('smpp_backpressure', `no window slot or token within ${this.#o.queueTimeoutMs} ms`, 'platform') }
            : { ok: false, error: notSentError('smpp_unavailable', `SMSC not bound within ${this.#o.queueTimeoutMs} ms${this.#lastError ? ` (${this.#lastError})` : ''}`, 'operator') },
        );
      }, this.#o.queueTimeoutMs);
      this.#queue.push(job);
      this.#queuedLive++;
      this.#pump();
    });
  }

  #settle(job: SubmitJob, result: PartResult): void {
    if (job.settled) return;
    job.settled = true;
    if (job.queueTimer) clearTimeout(job.queueTimer);
    if (job.responseTimer) clearTimeout(job.responseTimer);
    job.queueTimer = undefined;
    job.responseTimer = undefined;
    job.resolve(result);
  }

  /** Writes queued submits while bound, under the window and with tokens. */
  #pump(): void {
    const session = this.#session;
    while (this.#state === 'bound' && session && !this.#unbinding && this.#inflight.size < this.#o.window) {
      let job = this.#queue.peek();
      while (job?.settled) {
        this.#queue.shift();
        job = this.#queue.peek();
      }
      if (!job) return;
      if (!this.#takeToken()) {
        this.#waitForToken();
        return;
      }
      this.#queue.shift();
      this.#queuedLive--;
      if (!this.#write(session, job)) return;
    }
  }

  #write(session: smpp.Session, job: SubmitJob): boolean {
    const seq = this.#nextSequence();
    this.#cork(session);
    let written: boolean;
    try {
      written = session.send(new smpp.PDU('submit_sm', { ...job.fields, sequence_number: seq }));
    } catch (e) {
      this.#settle(job, { ok: false, error: notSentError('smpp_encoding', `submit_sm could not be encoded: ${(e as Error).message}`, 'platform', false) });
      return true;
    }
    if (!written) {
      // Socket no longer writable: nothing left; put it back and let the close handler reconnect.
      this.#queue.unshift(job);
      this.#queuedLive++;
      return false;
    }
    job.written = true;
    if (job.queueTimer) clearTimeout(job.queueTimer);
    job.queueTimer = undefined;
    this.#inflight.set(seq, job);
    this.#stats.submitted++;
    job.responseTimer = setTimeout(() => {
      job.responseTimer = undefined;
      if (this.#inflight.get(seq) !== job) return;
      this.#inflight.delete(seq);
      this.#stats.failed++;
      this.#log.warn({ seq, timeoutMs: this.#o.submitTimeoutMs }, 'smpp submit_sm_resp timeout');
      this.#settle(job, { ok: false, error: timeoutError(this.#o.submitTimeoutMs) });
      this.#pump();
    }, this.#o.submitTimeoutMs);
    return true;
  }

  /**
   * Holds the socket's writes until the end of this tick, so PDUs written together leave in one
   * writev: batching without Nagle's delay (noDelay stays on).
   */
  #cork(session: smpp.Session): void {
    if (this.#corked === session.socket) return;
    this.#corked = session.socket;
    session.socket.cork();
    process.nextTick(() => {
      this.#corked = undefined;
      session.socket.uncork();
    });
  }

  #takeToken(): boolean {
    if (!this.#rate) return true;
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#tokensAt) * this.#rate) / 1000);
    this.#tokensAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    return false;
  }

  #waitForToken(): void {
    if (this.#tokenTimer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#rate));
    this.#tokenTimer = setTimeout(() => {
      this.#tokenTimer = undefined;
      this.#pump();
    }, wait);
  }

  #nextSequence(): number {
    do {
      this.#sequence = this.#sequence >= 0x7fffffff ? 1 : this.#sequence + 1;
    } while (this.#inflight.has(this.#sequence));
    return this.#sequence;
  }

  #failInflight(error: ChannelError): void {
    if (this.#inflight.size === 0) return;
    const jobs = [...this.#inflight.values()];
    this.#inflight.clear();
    this.#stats.failed += jobs.length;
    for (const job of jobs) this.#settle(job, { ok: false, error });
  }

  // ---------------------------------------------------------------- session lifecycle

  #setState(state: SmppConnectorState): void {
    if (this.#state === state) return;
    this.#state = state;
    try {
      this.#onStateChange?.(state);
    } catch (e) {
      this.#log.error({ err: e }, 'smpp onStateChange threw');
    }
  }

  #connect(): void {
    this.#setState('connecting');
    const session = smpp.connect({ host: this.#o.host, port: this.#o.port });
    this.#session = session;
    session.socket.setNoDelay(true);
    session.socket.setKeepAlive(true, 30_000);
    this.#bindTimer = setTimeout(() => {
      this.#bindTimer = undefined;
      this.#lastError = `connect/bind timeout after ${this.#o.bindTimeoutMs} ms`;
      this.#log.warn({ host: this.#o.host, port: this.#o.port }, 'smpp connect/bind timeout');
      session.destroy();
    }, this.#o.bindTimeoutMs);

    session.on('connect', () => {
      if (session !== this.#session) return;
      session.socket.setNoDelay(true);
      this.#bindSeq = this.#nextSequence();
      session.send(
        new smpp.PDU('bind_transceiver', {
          sequence_number: this.#bindSeq,
          system_id: this.#o.systemId,
          password: this.#o.password,
          system_type: this.#systemType,
          interface_version: 0x34,
        }),
      );
    });
    session.on('pdu', (pdu) => {
      if (session !== this.#session) return;
      try {
        this.#onPdu(session, pdu);
      } catch (e) {
        this.#log.error({ err: e, command: pdu.command }, 'smpp PDU handling failed');
      }
    });
    session.on('error', (err) => {
      this.#lastError = err.message;
      this.#log.debug({ err }, 'smpp socket error');
    });
    session.on('close', () => this.#onClose(session));
  }

  #onClose(session: smpp.Session): void {
    if (session !== this.#session) return;
    this.#session = undefined;
    this.#clearSessionTimers();
    if (this.#unbinding) {
      const done = this.#unbinding.done;
      this.#unbinding = undefined;
      done();
    }
    if (this.#inflight.size > 0) this.#log.warn({ inFlight: this.#inflight.size }, 'smpp connection lost with submits in flight');
    this.#failInflight(connectionLostError());
    if (this.#stopped || this.#fatal) {
      this.#setState('closed');
      return;
    }
    this.#setState('connecting');
    const delay = Math.min(this.#o.reconnectMaxDelayMs, this.#o.reconnectInitialDelayMs * 2 ** Math.min(this.#attempt, 30));
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.#attempt++;
    this.#log.info({ delayMs: jittered, attempt: this.#attempt, lastError: this.#lastError }, 'smpp reconnecting');
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#stopped) this.#connect();
    }, jittered);
  }

  #clearSessionTimers(): void {
    if (this.#bindTimer) clearTimeout(this.#bindTimer);
    if (this.#enquireTimer) clearInterval(this.#enquireTimer);
    if (this.#enquireDeadline) clearTimeout(this.#enquireDeadline);
    this.#bindTimer = undefined;
    this.#enquireTimer = undefined;
    this.#enquireDeadline = undefined;
  }

  #onPdu(session: smpp.Session, pdu: smpp.PDU): void {
    switch (pdu.command) {
      case 'submit_sm_resp':
        this.#onSubmitResp(pdu);
        return;
      case 'deliver_sm':
        this.#onDeliverSm(session, pdu);
        return;
      case 'bind_transceiver_resp':
        this.#onBindResp(session, pdu);
        return;
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'enquire_link_resp':
        if (this.#enquireDeadline) clearTimeout(this.#enquireDeadline);
        this.#enquireDeadline = undefined;
        return;
      case 'unbind':
        this.#log.info({}, 'smpp unbind from SMSC');
        session.send(pdu.response());
        this.#setState('connecting');
        session.close();
        return;
      case 'unbind_resp':
        if (this.#unbinding && pdu.sequence_number === this.#unbinding.seq) {
          const done = this.#unbinding.done;
          this.#unbinding = undefined;
          done();
        }
        return;
      case 'generic_nack':
        this.#onGenericNack(session, pdu);
        return;
      case 'alert_notification':
        return; // no response PDU exists for it
      default:
        if (!pdu.isResponse()) this.#reject(session, pdu, ESME_RINVCMDID);
    }
  }

  #reject(session: smpp.Session, pdu: smpp.PDU, status: number): void {
    try {
      session.send(pdu.response({ command_status: status }));
    } catch {
      session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: status }));
    }
  }

  #onBindResp(session: smpp.Session, pdu: smpp.PDU): void {
    if (pdu.sequence_number !== this.#bindSeq) return;
    if (this.#bindTimer) clearTimeout(this.#bindTimer);
    this.#bindTimer = undefined;
    if (pdu.command_status !== ESME_ROK) {
      this.#onBindRefused(session, pdu.command_status);
      return;
    }
    this.#attempt = 0;
    this.#lastError = undefined;
    this.#stats.binds++;
    this.#setState('bound');
    this.#log.info({ host: this.#o.host, port: this.#o.port, systemId: this.#o.systemId, smsc: pdu.system_id }, 'smpp bound');
    this.#enquireTimer = setInterval(() => this.#enquireLink(session), this.#o.enquireLinkIntervalMs);
    this.#startResolve?.();
    this.#startResolve = undefined;
    this.#startReject = undefined;
    this.#pump();
  }

  #onBindRefused(session: smpp.Session, status: number): void {
    const error = errorForStatus(status, this.#statusOptions);
    this.#lastError = `bind refused: ${error.message} (${hexStatus(status)})`;
    this.#log.error({ status: hexStatus(status) }, 'smpp bind refused');
    if (isFatalBindStatus(status)) {
      this.#fatal = error;
      this.#setState('closed');
      this.#startReject?.(Object.assign(new Error(this.#lastError), { channelError: error }));
      this.#startResolve = undefined;
      this.#startReject = undefined;
      for (const job of this.#queue.drain()) {
        if (!job.settled) this.#settle(job, { ok: false, error: { ...error, retryable: true, outcomeUnknown: false } });
      }
      this.#queuedLive = 0;
    }
    session.destroy();
  }

  #enquireLink(session: smpp.Session): void {
    if (this.#enquireDeadline || session !== this.#session) return;
    session.send(new smpp.PDU('enquire_link', { sequence_number: this.#nextSequence() }));
    this.#enquireDeadline = setTimeout(() => {
      this.#enquireDeadline = undefined;
      this.#lastError = `no enquire_link_resp within ${this.#o.enquireLinkTimeoutMs} ms`;
      this.#log.warn({}, 'smpp link dead (enquire_link unanswered)');
      session.destroy();
    }, this.#o.enquireLinkTimeoutMs);
  }

  #onSubmitResp(pdu: smpp.PDU): void {
    const job = this.#inflight.get(pdu.sequence_number);
    if (!job) {
      this.#log.debug({ seq: pdu.sequence_number }, 'smpp late or unknown submit_sm_resp');
      return;
    }
    this.#inflight.delete(pdu.sequence_number);
    if (pdu.command_status === ESME_ROK) {
      this.#stats.acked++;
      this.#settle(job, { ok: true, messageId: pdu.message_id ?? '' });
    } else {
      this.#stats.failed++;
      this.#settle(job, { ok: false, error: errorForStatus(pdu.command_status, this.#statusOptions) });
    }
    this.#pump();
  }

  #onGenericNack(session: smpp.Session, pdu: smpp.PDU): void {
    if (pdu.sequence_number === this.#bindSeq && this.#state === 'connecting') {
      this.#onBindRefused(session, pdu.command_status);
      return;
    }
    const job = this.#inflight.get(pdu.sequence_number);
    if (!job) return;
    this.#inflight.delete(pdu.sequence_number);
    this.#stats.failed++;
    this.#settle(job, { ok: false, error: errorForStatus(pdu.command_status, this.#statusOptions) });
    this.#pump();
  }

  // ---------------------------------------------------------------- deliver_sm

  #onDeliverSm(session: smpp.Session, pdu: smpp.PDU): void {
    const messageType = (pdu.esm_class ?? 0) & 0x3c;
    let run: (() => void | Promise<void>) | undefined;
    try {
      if (messageType === 0x04 || messageType === 0x20) run = this.#receipt(pdu);
      else if (messageType === 0x00) run = this.#moMessage(pdu);
    } catch (e) {
      this.#log.warn({ err: e, seq: pdu.sequence_number }, 'smpp deliver_sm not understood, acknowledged');
    }
    if (!run) {
      this.#answerDeliver(session, pdu, ESME_ROK);
      return;
    }
    let result: unknown;
    try {
      result = run();
    } catch (e) {
      this.#log.error({ err: e }, 'smpp deliver_sm handler failed');
      this.#answerDeliver(session, pdu, ESME_RX_T_APPN);
      return;
    }
    if (!isPromiseLike(result)) {
      this.#answerDeliver(session, pdu, ESME_ROK);
      return;
    }
    let answered = false;
    const timer = setTimeout(() => {
      this.#handlerTimers.delete(timer);
      answered = true;
      this.#log.warn({ timeoutMs: this.#o.handlerTimeoutMs }, 'smpp deliver_sm handler too slow');
      this.#answerDeliver(session, pdu, ESME_RX_T_APPN);
    }, this.#o.handlerTimeoutMs);
    this.#handlerTimers.add(timer);
    result.then(
      () => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        this.#handlerTimers.delete(timer);
        this.#answerDeliver(session, pdu, ESME_ROK);
      },
      (e: unknown) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        this.#handlerTimers.delete(timer);
        this.#log.error({ err: e }, 'smpp deliver_sm handler failed');
        this.#answerDeliver(session, pdu, ESME_RX_T_APPN);
      },
    );
  }

  #answerDeliver(session: smpp.Session, pdu: smpp.PDU, status: number): void {
    this.#cork(session);
    try {
      session.send(status === ESME_ROK ? pdu.response({ message_id: '' }) : pdu.response({ command_status: status }));
    } catch (e) {
      this.#log.error({ err: e }, 'smpp deliver_sm_resp failed');
    }
  }

  /** Parses a receipt; returns the handler call (or throws when it cannot be understood). */
  #receipt(pdu: smpp.PDU): () => void | Promise<void> {
    const raw = rawShortMessage(pdu);
    const dataCoding = pdu.data_coding ?? 0;
    const text = (dataCoding & 0x0f) === 0x08 ? decodeUcs2(raw.bytes) : raw.bytes.toString('latin1');
    const parsed = parseReceiptText(text);
    const providerId = pdu.receipted_message_id || parsed.id;
    if (!providerId) throw new Error('delivery receipt without message id');
    const outcome = receiptOutcome(pdu.message_state, parsed);
    if (!outcome) throw new Error(`delivery receipt for ${providerId} without state`);
    const report: DeliveryReport = {
      channel: 'sms',
      providerId,
      status: outcome.status,
      at: this.#clock.now(),
      providerCode: outcome.stat,
      raw: {
        text,
        err: parsed.err,
        submitDate: parsed.submitDate,
        doneDate: parsed.doneDate,
        messageState: pdu.message_state,
        recipient: formatAddress(pdu.source_addr, pdu.source_addr_ton),
      },
    };
    if (outcome.attribution) report.attribution = outcome.attribution;
    this.#stats.receipts++;
    return () => this.#handlers.onDeliveryReport(report);
  }

  /** An MO message or part; returns the handler call once complete, undefined while parts are missing. */
  #moMessage(pdu: smpp.PDU): (() => void | Promise<void>) | undefined {
    const raw = rawShortMessage(pdu);
    const dataCoding = pdu.data_coding ?? 0;
    const from = formatAddress(pdu.source_addr, pdu.source_addr_ton);
    const to = formatAddress(pdu.destination_addr, pdu.dest_addr_ton);
    const concat = concatInfo(raw.ies, pdu);
    if (!concat || concat.total <= 1) {
      const message = this.#inbound(from, to, decodeText(raw.bytes, dataCoding), 1, dataCoding);
      return () => this.#handlers.onInbound(message);
    }
    const key = `${from}|${to}|${concat.reference}|${concat.total}`;
    let entry = this.#moParts.get(key);
    if (!entry) {
      entry = { from, to, dataCoding, total: concat.total, parts: new Map(), timer: undefined, firstAt: this.#clock.now() };
      this.#moParts.set(key, entry);
    }
    entry.parts.set(concat.sequence, raw.bytes);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.parts.size < entry.total) {
      this.#armMoTimer(key, entry);
      return undefined;
    }
    const assembled = entry;
    this.#moParts.delete(key);
    const message = this.#inbound(from, to, this.#assemble(assembled), assembled.total, assembled.dataCoding);
    return () => {
      const restore = () => {
        // Keep the parts: the SMSC redelivers only the last one after ESME_RX_T_APPN.
        if (!this.#stopped && !this.#moParts.has(key)) {
          this.#moParts.set(key, assembled);
          this.#armMoTimer(key, assembled);
        }
      };
      let result: void | Promise<void>;
      try {
        result = this.#handlers.onInbound(message);
      } catch (e) {
        restore();
        throw e;
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).catch((e: unknown) => {
          restore();
          throw e;
        });
      }
      return result;
    };
  }

  #armMoTimer(key: string, entry: MoAssembly): void {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.#moParts.get(key) !== entry) return;
      this.#moParts.delete(key);
      if (entry.parts.size >= entry.total) return; // complete but refused by the handler: the SMSC redelivers
      this.#log.warn({ from: entry.from, received: entry.parts.size, total: entry.total }, 'smpp incomplete concatenated MO delivered as is');
      const message = this.#inbound(entry.from, entry.to, this.#assemble(entry), entry.total, entry.dataCoding);
      Promise.resolve()
        .then(() => this.#handlers.onInbound(message))
        .catch((e: unknown) => this.#log.error({ err: e }, 'smpp onInbound failed for an incomplete MO'));
    }, this.#o.moReassemblyTimeoutMs);
  }

  #assemble(entry: MoAssembly): string {
    const ordered = [...entry.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, bytes]) => bytes);
    return decodeText(Buffer.concat(ordered), entry.dataCoding);
  }

  #inbound(from: string, to: string, text: string, parts: number, dataCoding: number): InboundMessage {
    this.#stats.inbound++;
    return {
      channel: 'sms',
      from,
      to,
      text,
      // SMPP 3.4 gives an MO no message id: ours, for logs and correlation only.
      providerId: `smpp-mo-${randomUUID()}`,
      receivedAt: this.#clock.now(),
      raw: { parts, dataCoding },
    };
  }

  // ---------------------------------------------------------------- stop

  async #stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#tokenTimer) clearTimeout(this.#tokenTimer);
    this.#reconnectTimer = undefined;
    this.#tokenTimer = undefined;

    for (const job of this.#queue.drain()) {
      if (!job.settled) this.#settle(job, { ok: false, error: notSentError('smpp_closed', 'connector stopped before the submit was sent', 'platform') });
    }
    this.#queuedLive = 0;
    this.#startReject?.(new Error('SMPP connector stopped before the first bind'));
    this.#startResolve = undefined;
    this.#startReject = undefined;

    const session = this.#session;
    if (session && this.#state === 'bound' && session.socket.writable) {
      // Answers to in-flight submits that arrive before unbind_resp still resolve normally.
      await new Promise<void>((resolve) => {
        const seq = this.#nextSequence();
        const timer = setTimeout(() => {
          if (this.#unbinding?.seq === seq) this.#unbinding = undefined;
          resolve();
        }, this.#o.unbindTimeoutMs);
        this.#unbinding = {
          seq,
          done: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        if (!session.send(new smpp.PDU('unbind', { sequence_number: seq }))) this.#unbinding.done();
      });
    }
    this.#failInflight(stoppedInFlightError());
    this.#clearSessionTimers();
    if (session && !session.socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => session.destroy(), 500);
        session.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        session.close();
      });
    }
    this.#session = undefined;
    for (const timer of this.#handlerTimers) clearTimeout(timer);
    this.#handlerTimers.clear();
    for (const entry of this.#moParts.values()) if (entry.timer) clearTimeout(entry.timer);
    this.#moParts.clear();
    this.#setState('closed');
  }
}
