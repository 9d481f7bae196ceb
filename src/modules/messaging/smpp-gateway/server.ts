/**
 * SmppGateway: SOFY as an SMSC for its clients (wholesale offer, docs/smpp.md).
 *
 * A tenant binds with SMPP credentials issued for one of its API keys (credentials.ts); each
 * submit_sm goes through MessagingService.sendBatch (submits of one credential are grouped while a
 * batch is in flight) with that key as the principal, so the contract's
 * rules (R-QUIET, R-STOP, R-ALERT, R-OPTOUT, senders, numbers, prices), the key's scopes and the
 * tenant's isolation (withTenant, RLS) are exactly those of POST /v1/messages. Receipts come back
 * as deliver_sm when the message reaches an outcome.
 *
 * - binds: transceiver, transmitter, receiver; the key's IP allowlist applies to the TCP peer; a
 *   revoked or expired key, a revoked credential or a wrong password → ESME_RINVPASWD (0x0E), the
 *   same answer for each; a suspended tenant, a refused address or too many binds →
 *   ESME_RBINDFAIL (0x0D). Live binds are checked again when a key, a credential or a tenant
 *   changes (LISTEN sofy_auth_changed) and every `revalidateMs`, and closed (unbind) when no
 *   longer allowed;
 * - submit_sm: text decoded from data_coding 0 (GSM 03.38 with escapes), 1 (IA5), 3 (Latin-1), 8
 *   (UCS-2) and the GSM DCS groups; concatenated submits (UDH IEI 0x00/0x08, or SAR TLVs) are
 *   reassembled before sending, since the pipeline splits by itself; the route comes from
 *   service_type; refusals map to command_status (rules.ts); per-bind window and throughput
 *   (ESME_RTHROTTLED beyond);
 * - receipts: a submit with registered_delivery ≠ 0 is tracked in smpp_submits; `record_status` (migration 0006) marks
 *   it ready when the message reaches an outcome and wakes the gateways (NOTIFY); a per-credential
 *   loop claims ready receipts (lease, SKIP LOCKED: one gateway process sends each) and sends
 *   deliver_sm to a receiving bind of that credential; acknowledged ones are marked done, others
 *   retried. They wait in the database while no receiving bind is there.
 *
 * MO (inbound) messages are not forwarded to binds (see docs/smpp.md).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import type pg from 'pg';
import smpp from 'smpp';
// The codec is part of the SMPP adapter; its index does not re-export these helpers (yet).
import { concatInfo, decodeText, rawShortMessage } from '../../../channels/smpp/index.ts';
import { type Clock, systemClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotificationListener } from '../../../platform/db/notifications.ts';
import { withTenant } from '../../../platform/db/tenant-context.ts';
import type { AppError } from '../../../platform/errors.ts';
import { actorOf, type ApiKeyPrincipal, type ServiceContext } from '../../../platform/http/principal.ts';
import { uuidv7Time } from '../../../platform/ids.ts';
import { AUTH_CHANGES_CHANNEL } from '../../identity/index.ts';
// ipAllowed is an identity rule not re-exported by the identity index (yet).
import { ipAllowed } from '../../identity/index.ts';
import { normalisePhoneNumber, senderProblem } from '../rules.ts';
import type { SendMessageRequest } from '../schemas.ts';
import { bindRefusal, lookupSmppCredential, type QuietHoursMode, SMPP_AUTH_CHANGE_PREFIX, type SmppBindLookup, verifySmppPassword } from './credentials.ts';
import {
  destinationText,
  isTextDataCoding,
  receiptState,
  receiptText,
  type Route,
  routeForServiceType,
  SMPP_STATUS,
  sourceText,
  submitStatusForError,
  TokenBucket,
  ttlFromValidity,
  wantsReceipt,
} from './rules.ts';

export const SMPP_RECEIPTS_CHANNEL = 'sofy_smpp_receipts';

/** What the gateway needs of MessagingService (the real one in production). */
export interface SubmitService {
  sendBatch(ctx: ServiceContext, requests: unknown[], validate: (item: unknown, index: number) => SendMessageRequest | AppError): Promise<{ body: unknown }>;
}

export interface SmppGatewayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SmppGatewayOptions {
  db: Database;
  messaging: SubmitService;
  clock?: Clock;
  /** LISTEN for revocations and receipt wake-ups; without it, only the periodic checks run. */
  pool?: pg.Pool;
  /** Default 127.0.0.1 (loopback). */
  host?: string;
  /** Default 2776; 0 picks a free port (see `port` after start()). */
  port?: number;
  /** system_id in bind_resp. Default 'SOFY'. */
  systemId?: string;
  /** submit_sm being processed at once per bind; ESME_RTHROTTLED beyond. Default 100. */
  window?: number;
  /** submit_sm per second per bind (token bucket); ESME_RTHROTTLED beyond. Default 200; 0: unlimited. */
  throughput?: number;
  /** Bucket size. Default max(1, throughput / 10). */
  throughputBurst?: number;
  /** Binds at once per credential, in this process. Default 10. */
  maxBindsPerCredential?: number;
  /** Failed binds per remote address per minute before binds from it are refused unchecked. Default 20. */
  maxFailedBindsPerMinute?: number;
  /** deliver_sm awaiting their response per bind. Default 100. */
  receiptWindow?: number;
  /** Fallback poll of ready receipts (NOTIFY wakes the loop at once). Default 2 s. */
  receiptPollMs?: number;
  /** deliver_sm_resp wait before the receipt is retried. Default 30 s. */
  receiptResponseTimeoutMs?: number;
  /** Wait before a refused or unanswered receipt is offered again. Default 10 s. */
  receiptRetryDelayMs?: number;
  /** Attempts before a receipt is dropped. Default 10. */
  receiptMaxAttempts?: number;
  /** Lease of a claimed receipt (another gateway takes it over after). Default 60 s. */
  receiptLeaseSeconds?: number;
  /** Live binds are checked against the database this often. Default 60 s. */
  revalidateMs?: number;
  /** A connection must bind within this. Default 30 s. */
  bindTimeoutMs?: number;
  /** Silence from the client before we send enquire_link. Default 60 s. */
  enquireLinkIntervalMs?: number;
  /** No PDU at all after our enquire_link within this → closed. Default 30 s. */
  enquireLinkTimeoutMs?: number;
  /** A concatenated submit must be complete within this. Default 60 s. */
  reassemblyTimeoutMs?: number;
  /** Concatenations in progress per credential; ESME_RMSGQFUL beyond. Default 10,000. */
  maxAssemblies?: number;
  /** Period of the timers' sweep (idle links, bind timeouts). Default 1 s. */
  tickMs?: number;
  logger?: SmppGatewayLogger;
}

export interface SmppGatewayStats {
  connections: number;
  boundSessions: number;
  binds: number;
  bindsRefused: number;
  submits: number;
  accepted: number;
  refused: number;
  throttled: number;
  receiptsSent: number;
  receiptsAcked: number;
}

type BindType = 'transceiver' | 'transmitter' | 'receiver';

interface Conn {
  id: number;
  session: smpp.Session;
  ip: string;
  connectedAt: number;
  lastRx: number;
  enquireSentAt: number | undefined;
  binding: boolean;
  bound: { group: Group; type: BindType; passwordHash: string } | undefined;
  closing: boolean;
  closed: boolean;
  processing: number;
  bucket: TokenBucket;
  /** deliver_sm sent, by sequence_number. */
  outstanding: Map<number, OutstandingReceipt>;
}

interface OutstandingReceipt {
  /** The message whose receipt this is; null for best-effort ones (refused concatenations). */
  messageId: string | null;
  sentAt: number;
}

/** The binds of one credential (API key) in this process, and its receipt loop. */
interface Group {
  apiKeyId: string;
  tenantId: string;
  systemId: string;
  principal: ApiKeyPrincipal;
  quietHours: QuietHoursMode;
  conns: Set<Conn>;
  assemblies: Map<string, Assembly>;
  pumping: boolean;
  rerun: boolean;
  /** The last claim was cut short by the binds' windows: claim again when one has room. */
  backlog: boolean;
  /** Submits waiting for the next MessagingService.sendBatch, and batches in flight. */
  queue: QueuedSubmit[];
  batchScheduled: boolean;
  batchesInFlight: number;
  /** message id → deliver_sm still unanswered for it, and whether one failed. */
  inFlight: Map<string, { remaining: number; failed: boolean; lost: boolean }>;
}

interface Assembly {
  key: string;
  total: number;
  parts: Map<number, { bytes: Buffer; dataCoding: number; id: string }>;
  /** A concatenation refused at its first part: every part gets this status. */
  refused: number | undefined;
  seen: Set<number>;
  timer: NodeJS.Timeout;
  registeredDelivery: number;
  addresses: Addresses;
}

interface Addresses {
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
  destTon: number;
  destNpi: number;
  destAddr: string;
}

interface ReadyReceipt {
  message_id: string;
  registered_delivery: number;
  source_ton: number;
  source_npi: number;
  source_addr: string;
  dest_ton: number;
  dest_npi: number;
  dest_addr: string;
  part_ids: string[];
  final_status: string;
  final_at: Date;
  attempts: number;
  created_at: Date | null;
  submitted_at: Date | null;
  done_at: Date | null;
  error_code: string | null;
  text: string | null;
}

type Settlement = 'acked' | 'skipped' | 'dropped' | 'retry' | 'release';

const FINAL_STATUSES = ['delivered', 'undelivered', 'expired', 'failed', 'suppressed', 'read'];
const MAX_TEXT_CHARACTERS = 10_000;
/** Messages per MessagingService.sendBatch call (the HTTP batch allows 1,000). */
const MAX_BATCH = 500;
/** sendBatch calls in flight per credential. */
const MAX_BATCHES_IN_FLIGHT = 2;
const noopLogger: SmppGatewayLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class SmppGateway {
  readonly #o: Required<Omit<SmppGatewayOptions, 'pool' | 'clock' | 'logger' | 'db' | 'messaging' | 'throughputBurst'>> & { throughputBurst: number };
  readonly #db: Database;
  readonly #messaging: SubmitService;
  readonly #clock: Clock;
  readonly #pool: pg.Pool | undefined;
  readonly #log: SmppGatewayLogger;

  #server: smpp.Server | undefined;
  #port: number;
  #stopped = false;
  #nextConnId = 0;
  readonly #conns = new Set<Conn>();
  readonly #groups = new Map<string, Group>();
  readonly #failedBinds = new Map<string, { count: number; since: number }>();
  readonly #settlements = new Map<string, Array<{ id: string; outcome: Settlement; group: Group; wake: boolean }>>();
  #settleTimer: NodeJS.Timeout | undefined;
  #settling: Promise<void> = Promise.resolve();
  #tick: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #revalidate: NodeJS.Timeout | undefined;
  /** Receipt loops running now (stop() waits for them). */
  readonly #pumps = new Set<Promise<void>>();
  #authListener: NotificationListener | undefined;
  #receiptListener: NotificationListener | undefined;
  readonly #stats = { binds: 0, bindsRefused: 0, submits: 0, accepted: 0, refused: 0, throttled: 0, receiptsSent: 0, receiptsAcked: 0 };

  constructor(options: SmppGatewayOptions) {
    const throughput = options.throughput ?? 200;
    this.#o = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 2776,
      systemId: options.systemId ?? 'SOFY',
      window: Math.max(1, options.window ?? 100),
      throughput,
      throughputBurst: Math.max(1, options.throughputBurst ?? Math.ceil(throughput / 10)),
      maxBindsPerCredential: options.maxBindsPerCredential ?? 10,
      maxFailedBindsPerMinute: options.maxFailedBindsPerMinute ?? 20,
      receiptWindow: Math.max(1, options.receiptWindow ?? 100),
      receiptPollMs: options.receiptPollMs ?? 2_000,
      receiptResponseTimeoutMs: options.receiptResponseTimeoutMs ?? 30_000,
      receiptRetryDelayMs: options.receiptRetryDelayMs ?? 10_000,
      receiptMaxAttempts: options.receiptMaxAttempts ?? 10,
      receiptLeaseSeconds: options.receiptLeaseSeconds ?? 60,
      revalidateMs: options.revalidateMs ?? 60_000,
      bindTimeoutMs: options.bindTimeoutMs ?? 30_000,
      enquireLinkIntervalMs: options.enquireLinkIntervalMs ?? 60_000,
      enquireLinkTimeoutMs: options.enquireLinkTimeoutMs ?? 30_000,
      reassemblyTimeoutMs: options.reassemblyTimeoutMs ?? 60_000,
      maxAssemblies: options.maxAssemblies ?? 10_000,
      tickMs: options.tickMs ?? 1_000,
    };
    this.#db = options.db;
    this.#messaging = options.messaging;
    this.#clock = options.clock ?? systemClock;
    this.#pool = options.pool;
    this.#log = options.logger ?? noopLogger;
    this.#port = this.#o.port;
  }

  get port(): number {
    return this.#port;
  }

  get host(): string {
    return this.#o.host;
  }

  get stats(): SmppGatewayStats {
    let boundSessions = 0;
    for (const conn of this.#conns) if (conn.bound) boundSessions++;
    return { ...this.#stats, connections: this.#conns.size, boundSessions };
  }

  async start(): Promise<{ host: string; port: number }> {
    if (this.#server) return { host: this.#o.host, port: this.#port };
    this.#stopped = false;
    const server = smpp.createServer({}, (session) => this.#onSession(session));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.#log.error({ err }, 'smpp gateway server error'));
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    if (this.#pool) {
      this.#authListener = new NotificationListener(this.#pool, AUTH_CHANGES_CHANNEL, (payload) => this.#onAuthChange(payload), () => this.#revalidateAll());
      this.#receiptListener = new NotificationListener(this.#pool, SMPP_RECEIPTS_CHANNEL, (payload) => {
        const group = this.#groups.get(payload);
        if (group) void this.#pump(group);
      }, () => this.#pumpAll());
      await Promise.all([this.#authListener.start(), this.#receiptListener.start()]);
    }
    this.#tick = setInterval(() => this.#sweep(), this.#o.tickMs);
    this.#poll = setInterval(() => this.#pumpAll(), this.#o.receiptPollMs);
    this.#revalidate = setInterval(() => this.#revalidateAll(), this.#o.revalidateMs);
    this.#log.info({ host: this.#o.host, port: this.#port }, 'smpp gateway listening');
    return { host: this.#o.host, port: this.#port };
  }

  /**
   * Stops listening, unbinds every session (waits up to 1 s for unbind_resp), releases the
   * receipts in flight to the next gateway and records every settled one.
   */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#stopped = true;
    this.#server = undefined;
    for (const timer of [this.#tick, this.#poll, this.#revalidate]) if (timer) clearInterval(timer);
    await Promise.all([this.#authListener?.stop(), this.#receiptListener?.stop()]);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Submits already taken are answered before the sessions close (new ones are throttled).
    const drainUntil = performance.now() + 5_000;
    while ([...this.#conns].some((c) => c.processing > 0 && !c.closed) && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 10));
    await Promise.all([...this.#conns].map((conn) => this.#unbind(conn, 'gateway stopping')));
    await Promise.all([...this.#pumps]);
    for (const group of this.#groups.values()) for (const assembly of group.assemblies.values()) clearTimeout(assembly.timer);
    await this.#flushSettlements();
    await closed;
  }

  // ------------------------------------------------------------------------------ sessions

  #onSession(session: smpp.Session): void {
    session.socket.setNoDelay(true);
    const now = performance.now();
    const conn: Conn = {
      id: ++this.#nextConnId,
      session,
      ip: session.socket.remoteAddress ?? '',
      connectedAt: now,
      lastRx: now,
      enquireSentAt: undefined,
      binding: false,
      bound: undefined,
      closing: false,
      closed: false,
      processing: 0,
      bucket: new TokenBucket(this.#o.throughput, this.#o.throughputBurst, now),
      outstanding: new Map(),
    };
    this.#conns.add(conn);
    if (this.#stopped) {
      session.destroy();
      return;
    }
    session.on('error', (err) => {
      this.#log.debug({ err, conn: conn.id }, 'smpp gateway session error');
      session.destroy();
    });
    session.on('close', () => this.#onClose(conn));
    session.on('pdu', (pdu) => {
      conn.lastRx = performance.now();
      conn.enquireSentAt = undefined;
      try {
        this.#onPdu(conn, pdu);
      } catch (err) {
        this.#log.error({ err, conn: conn.id, command: pdu.command }, 'smpp gateway PDU handling failed');
        if (!pdu.isResponse()) this.#respond(conn, pdu.response({ command_status: SMPP_STATUS.ESME_RSYSERR }));
      }
    });
  }

  #onPdu(conn: Conn, pdu: smpp.PDU): void {
    switch (pdu.command) {
      case 'bind_transceiver':
        void this.#onBind(conn, pdu, 'transceiver');
        return;
      case 'bind_transmitter':
        void this.#onBind(conn, pdu, 'transmitter');
        return;
      case 'bind_receiver':
        void this.#onBind(conn, pdu, 'receiver');
        return;
      case 'submit_sm':
        this.#onSubmit(conn, pdu);
        return;
      case 'deliver_sm_resp':
        this.#onDeliverResp(conn, pdu);
        return;
      case 'enquire_link':
        this.#respond(conn, pdu.response());
        return;
      case 'unbind':
        this.#respond(conn, pdu.response());
        this.#detach(conn);
        conn.closing = true;
        conn.session.close();
        return;
      case 'unbind_resp':
        conn.session.destroy();
        return;
      case 'enquire_link_resp':
      case 'generic_nack':
        return;
      default:
        // query_sm, data_sm, submit_multi, cancel_sm, replace_sm…: not offered.
        if (!pdu.isResponse()) this.#respond(conn, pdu.response({ command_status: SMPP_STATUS.ESME_RINVCMDID }));
    }
  }

  #respond(conn: Conn, pdu: smpp.PDU): void {
    if (!conn.closed) conn.session.send(pdu);
  }

  #onClose(conn: Conn): void {
    conn.closed = true;
    this.#conns.delete(conn);
    this.#detach(conn);
  }

  /** The session stops being bound: its receipts in flight go back to the queue. */
  #detach(conn: Conn): void {
    const bound = conn.bound;
    if (!bound) return;
    conn.bound = undefined;
    const { group } = bound;
    group.conns.delete(conn);
    const unanswered = [...conn.outstanding.values()];
    conn.outstanding.clear();
    for (const receipt of unanswered) this.#receiptAnswered(group, receipt, 'lost');
    this.#dropGroupIfIdle(group);
  }

  #dropGroupIfIdle(group: Group): void {
    if (group.conns.size === 0 && group.assemblies.size === 0 && group.inFlight.size === 0 && group.queue.length === 0 && group.batchesInFlight === 0) {
      this.#groups.delete(group.apiKeyId);
    }
  }

  /** Server-side unbind (revocation, stop): no more work on it; closed at unbind_resp or after 1 s. */
  #unbind(conn: Conn, reason: string): Promise<void> {
    if (conn.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      conn.session.socket.once('close', () => resolve());
      if (conn.closing) return;
      conn.closing = true;
      const wasBound = conn.bound !== undefined;
      this.#detach(conn);
      this.#log.info({ conn: conn.id, ip: conn.ip, reason }, 'smpp gateway closing session');
      if (wasBound && conn.session.send(new smpp.PDU('unbind', {}))) {
        setTimeout(() => conn.session.destroy(), 1_000).unref();
      } else {
        conn.session.destroy();
      }
    });
  }

  /** Bind deadlines and idle links (enquire_link, then close). */
  #sweep(): void {
    const now = performance.now();
    for (const conn of this.#conns) {
      if (conn.closed || conn.closing) continue;
      if (!conn.bound) {
        if (!conn.binding && now - conn.connectedAt > this.#o.bindTimeoutMs) void this.#unbind(conn, 'no bind in time');
        continue;
      }
      if (conn.enquireSentAt !== undefined) {
        if (now - conn.enquireSentAt > this.#o.enquireLinkTimeoutMs) void this.#unbind(conn, 'no answer to enquire_link');
      } else if (now - conn.lastRx > this.#o.enquireLinkIntervalMs) {
        conn.enquireSentAt = now;
        conn.session.send(new smpp.PDU('enquire_link', {}));
      }
      for (const [seq, receipt] of conn.outstanding) {
        if (now - receipt.sentAt > this.#o.receiptResponseTimeoutMs) {
          conn.outstanding.delete(seq);
          this.#receiptAnswered(conn.bound.group, receipt, 'failed');
        }
      }
    }
    const minute = now - 60_000;
    for (const [ip, entry] of this.#failedBinds) if (entry.since < minute) this.#failedBinds.delete(ip);
  }

  // ------------------------------------------------------------------------------ bind

  async #onBind(conn: Conn, pdu: smpp.PDU, type: BindType): Promise<void> {
    const refuse = (status: number, reason: string, systemId: string) => {
      this.#stats.bindsRefused++;
      this.#log.info({ conn: conn.id, ip: conn.ip, systemId, type, status, reason }, 'smpp gateway bind refused');
      this.#respond(conn, pdu.response({ command_status: status }));
    };
    const systemId = (pdu.system_id ?? '').trim().toLowerCase();
    if (conn.bound || conn.binding) return refuse(SMPP_STATUS.ESME_RALYBND, 'already bound', systemId);
    if (this.#stopped) return refuse(SMPP_STATUS.ESME_RBINDFAIL, 'gateway stopping', systemId);
    const failures = this.#failedBinds.get(conn.ip);
    if (failures && failures.count >= this.#o.maxFailedBindsPerMinute) return refuse(SMPP_STATUS.ESME_RBINDFAIL, 'too many failed binds from this address', systemId);
    conn.binding = true;
    try {
      const row = await lookupSmppCredential(this.#db, systemId);
      const passwordOk = await verifySmppPassword(row?.password_hash ?? null, pdu.password ?? '');
      if (conn.closed) return;
      const refusal = row ? bindRefusal(row, this.#clock.now()) : null;
      if (!row || !passwordOk || refusal === 'revoked' || refusal === 'expired') {
        this.#bindFailed(conn.ip);
        return refuse(SMPP_STATUS.ESME_RINVPASWD, !row ? 'unknown system_id' : !passwordOk ? 'wrong password' : `key ${refusal}`, systemId);
      }
      if (refusal === 'tenant_inactive') return refuse(SMPP_STATUS.ESME_RBINDFAIL, `tenant ${row.tenant_status}`, systemId);
      if (!ipAllowed(row.allowed_ips, conn.ip)) return refuse(SMPP_STATUS.ESME_RBINDFAIL, 'address not in the key’s allowlist', systemId);
      const group = this.#groupFor(row);
      if (group.conns.size >= this.#o.maxBindsPerCredential) return refuse(SMPP_STATUS.ESME_RBINDFAIL, 'too many binds for this credential', systemId);
      conn.bound = { group, type, passwordHash: row.password_hash };
      group.conns.add(conn);
      this.#stats.binds++;
      this.#respond(conn, pdu.response({ system_id: this.#o.systemId }));
      this.#log.info({ conn: conn.id, ip: conn.ip, systemId, type, tenantId: row.tenant_id }, 'smpp gateway bound');
      if (type !== 'transmitter') void this.#pump(group);
    } catch (err) {
      this.#log.error({ err, conn: conn.id }, 'smpp gateway bind failed');
      refuse(SMPP_STATUS.ESME_RSYSERR, 'internal error', systemId);
    } finally {
      conn.binding = false;
    }
  }

  #bindFailed(ip: string): void {
    const now = performance.now();
    const entry = this.#failedBinds.get(ip);
    if (!entry || entry.since < now - 60_000) {
      if (this.#failedBinds.size > 10_000) this.#failedBinds.clear();
      this.#failedBinds.set(ip, { count: 1, since: now });
    } else {
      entry.count++;
    }
  }

  #groupFor(row: SmppBindLookup): Group {
    const principal: ApiKeyPrincipal = {
      kind: 'api_key',
      keyId: row.api_key_id,
      name: row.key_name,
      prefix: row.key_prefix,
      scopes: row.scopes,
      tenant: { id: row.tenant_id, name: row.tenant_name, status: row.tenant_status, statusReason: row.tenant_status_reason },
    };
    let group = this.#groups.get(row.api_key_id);
    if (!group) {
      group = {
        apiKeyId: row.api_key_id,
        tenantId: row.tenant_id,
        systemId: row.system_id,
        principal,
        quietHours: row.quiet_hours,
        conns: new Set(),
        assemblies: new Map(),
        pumping: false,
        rerun: false,
        backlog: false,
        queue: [],
        batchScheduled: false,
        batchesInFlight: 0,
        inFlight: new Map(),
      };
      this.#groups.set(row.api_key_id, group);
    } else {
      group.principal = principal;
      group.quietHours = row.quiet_hours;
    }
    return group;
  }

  #onAuthChange(payload: string): void {
    const [kind, id] = payload.split(':');
    if (!id) return;
    if (kind === 'api_key' || `${kind}:` === SMPP_AUTH_CHANGE_PREFIX) {
      const group = this.#groups.get(id);
      if (group) void this.#revalidateGroup(group);
    } else if (kind === 'tenant') {
      for (const group of this.#groups.values()) if (group.tenantId === id) void this.#revalidateGroup(group);
    }
  }

  #revalidateAll(): void {
    for (const group of this.#groups.values()) if (group.conns.size) void this.#revalidateGroup(group);
  }

  /** Closes the binds a change no longer allows (revocation, rotation, suspension, allowlist). */
  async #revalidateGroup(group: Group): Promise<void> {
    try {
      const row = await lookupSmppCredential(this.#db, group.systemId);
      const refusal = row ? bindRefusal(row, this.#clock.now()) : 'revoked';
      for (const conn of [...group.conns]) {
        const bound = conn.bound;
        if (!bound) continue;
        const reason = refusal ?? (row?.password_hash !== bound.passwordHash ? 'password rotated' : !ipAllowed(row?.allowed_ips ?? [], conn.ip) ? 'address no longer allowed' : null);
        if (reason) void this.#unbind(conn, `credential no longer valid: ${reason}`);
      }
      if (row && !refusal) {
        group.quietHours = row.quiet_hours;
        group.principal = { ...group.principal, tenant: { ...group.principal.tenant, status: row.tenant_status, statusReason: row.tenant_status_reason } };
      }
    } catch (err) {
      this.#log.warn({ err, systemId: group.systemId }, 'smpp gateway could not check a credential');
    }
  }

  // ------------------------------------------------------------------------------ submit_sm

  #onSubmit(conn: Conn, pdu: smpp.PDU): void {
    this.#stats.submits++;
    const bound = conn.bound;
    if (!bound || bound.type === 'receiver' || conn.closing) {
      this.#respond(conn, pdu.response({ command_status: SMPP_STATUS.ESME_RINVBNDSTS }));
      return;
    }
    if (this.#stopped || conn.processing >= this.#o.window || !conn.bucket.take(performance.now())) {
      this.#stats.throttled++;
      this.#respond(conn, pdu.response({ command_status: SMPP_STATUS.ESME_RTHROTTLED }));
      return;
    }
    conn.processing++;
    this.#submit(conn, bound.group, pdu)
      .catch((err: unknown): { status: number; messageId?: string } => {
        this.#log.error({ err, conn: conn.id }, 'smpp gateway submit failed');
        return { status: SMPP_STATUS.ESME_RSYSERR };
      })
      .then((result) => {
        conn.processing--;
        if (result.status === SMPP_STATUS.ESME_ROK) this.#stats.accepted++;
        else this.#stats.refused++;
        this.#respond(conn, pdu.response(result.status === SMPP_STATUS.ESME_ROK ? { message_id: result.messageId ?? '' } : { command_status: result.status }));
      });
  }

  async #submit(conn: Conn, group: Group, pdu: smpp.PDU): Promise<{ status: number; messageId?: string }> {
    const route = routeForServiceType(pdu.service_type);
    if (!route) return this.#refused(conn, group, SMPP_STATUS.ESME_RINVSERTYP, `unknown service_type "${pdu.service_type}"`);
    const dataCoding = pdu.data_coding ?? 0;
    if (!isTextDataCoding(dataCoding)) return this.#refused(conn, group, SMPP_STATUS.ESME_RSUBMITFAIL, `binary data_coding 0x${dataCoding.toString(16)} is not supported`);
    const timing = this.#timing(pdu);
    if ('status' in timing) return this.#refused(conn, group, timing.status, timing.reason);
    const raw = rawShortMessage(pdu);
    const addresses: Addresses = {
      sourceTon: pdu.source_addr_ton ?? 0,
      sourceNpi: pdu.source_addr_npi ?? 0,
      sourceAddr: pdu.source_addr ?? '',
      destTon: pdu.dest_addr_ton ?? 0,
      destNpi: pdu.dest_addr_npi ?? 0,
      destAddr: pdu.destination_addr ?? '',
    };
    const submit: Submission = {
      route,
      from: sourceText(pdu.source_addr, pdu.source_addr_ton),
      to: destinationText(pdu.destination_addr, pdu.dest_addr_ton),
      registeredDelivery: (pdu.registered_delivery ?? 0) & 0x03,
      addresses,
      timing,
      seq: pdu.sequence_number,
    };
    const concat = concatInfo(raw.ies, pdu);
    if (!concat || concat.total <= 1) return this.#send(conn, group, submit, decodeText(raw.bytes, dataCoding), []);
    return this.#part(conn, group, submit, concat, raw.bytes, dataCoding);
  }

  #refused(conn: Conn, group: Group, status: number, reason: string): { status: number } {
    this.#log.info({ conn: conn.id, systemId: group.systemId, status, reason }, 'smpp gateway submit refused');
    return { status };
  }

  /** schedule_delivery_time → scheduledAt, validity_period → ttlSeconds (the package parses both to Dates). */
  #timing(pdu: smpp.PDU): { scheduledAt?: string; ttlSeconds?: number } | { status: number; reason: string } {
    const out: { scheduledAt?: string; ttlSeconds?: number } = {};
    const realNow = Date.now();
    let startsAt = realNow;
    const schedule = pdu.schedule_delivery_time;
    if (schedule instanceof Date) {
      const offset = schedule.getTime() - realNow;
      if (Number.isNaN(offset) || offset > 366 * 86_400_000) return { status: SMPP_STATUS.ESME_RINVSCHED, reason: 'invalid schedule_delivery_time' };
      if (offset > 0) {
        out.scheduledAt = new Date(this.#clock.now().getTime() + offset).toISOString();
        startsAt = schedule.getTime();
      }
    }
    const validity = pdu.validity_period;
    if (validity instanceof Date) {
      const ttl = ttlFromValidity(validity, new Date(startsAt));
      if (ttl === null) return { status: SMPP_STATUS.ESME_RINVEXPIRY, reason: 'validity_period must be 1 minute to 7 days after the send time' };
      out.ttlSeconds = ttl;
    }
    return out;
  }

  /** One part of a concatenated submit: answered at once; the message is sent when complete. */
  async #part(
    conn: Conn,
    group: Group,
    submit: Submission,
    concat: { reference: number; total: number; sequence: number },
    bytes: Buffer,
    dataCoding: number,
  ): Promise<{ status: number; messageId?: string }> {
    if (concat.sequence < 1 || concat.sequence > concat.total) {
      return this.#refused(conn, group, SMPP_STATUS.ESME_RINVESMCLASS, `part ${concat.sequence} of ${concat.total}`);
    }
    const key = `${submit.addresses.sourceAddr}|${submit.addresses.destAddr}|${concat.reference}|${concat.total}`;
    let assembly = group.assemblies.get(key);
    if (!assembly) {
      if (group.assemblies.size >= this.#o.maxAssemblies) return this.#refused(conn, group, SMPP_STATUS.ESME_RMSGQFUL, 'too many concatenations in progress');
      const created: Assembly = {
        key,
        total: concat.total,
        parts: new Map(),
        refused: this.#precheck(submit),
        seen: new Set(),
        timer: setTimeout(() => this.#assemblyExpired(group, created), this.#o.reassemblyTimeoutMs),
        registeredDelivery: submit.registeredDelivery,
        addresses: submit.addresses,
      };
      created.timer.unref();
      assembly = created;
      group.assemblies.set(key, assembly);
    }
    if (assembly.refused !== undefined) {
      assembly.seen.add(concat.sequence);
      if (assembly.seen.size >= assembly.total) this.#endAssembly(group, assembly);
      return this.#refused(conn, group, assembly.refused, 'concatenation refused at its first part');
    }
    const id = randomUUID();
    assembly.parts.set(concat.sequence, { bytes, dataCoding, id });
    if (assembly.parts.size < assembly.total) return { status: SMPP_STATUS.ESME_ROK, messageId: id };

    this.#endAssembly(group, assembly);
    const ordered = [...assembly.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, part]) => part);
    const sameCoding = ordered.every((part) => part.dataCoding === ordered[0]!.dataCoding);
    // Bytes joined before decoding: an escape or a surrogate pair split across parts stays whole.
    const text = sameCoding ? decodeText(Buffer.concat(ordered.map((p) => p.bytes)), ordered[0]!.dataCoding) : ordered.map((p) => decodeText(p.bytes, p.dataCoding)).join('');
    const otherIds = ordered.filter((part) => part.id !== id).map((part) => part.id);
    const result = await this.#send(conn, group, { ...submit, registeredDelivery: assembly.registeredDelivery }, text, otherIds);
    if (result.status !== SMPP_STATUS.ESME_ROK) this.#rejectParts(group, assembly, otherIds);
    return result;
  }

  /** What can be refused at a concatenation's first part, before any part is acknowledged. */
  #precheck(submit: Submission): number | undefined {
    const phone = normalisePhoneNumber(submit.to);
    if ('error' in phone || !phone.valid) return SMPP_STATUS.ESME_RINVDSTADR;
    if (submit.from !== undefined && senderProblem(submit.from)) return SMPP_STATUS.ESME_RINVSRCADR;
    return undefined;
  }

  #endAssembly(group: Group, assembly: Assembly): void {
    clearTimeout(assembly.timer);
    if (group.assemblies.get(assembly.key) === assembly) group.assemblies.delete(assembly.key);
    this.#dropGroupIfIdle(group);
  }

  #assemblyExpired(group: Group, assembly: Assembly): void {
    this.#endAssembly(group, assembly);
    if (assembly.refused !== undefined) return;
    this.#log.warn({ systemId: group.systemId, parts: assembly.parts.size, total: assembly.total }, 'smpp gateway concatenation incomplete: dropped');
    this.#rejectParts(group, assembly, [...assembly.parts.values()].map((p) => p.id));
  }

  /** Parts acknowledged but never sent: REJECTD receipts when asked, best effort (not stored). */
  #rejectParts(group: Group, assembly: Assembly, ids: string[]): void {
    if (!ids.length || !wantsReceipt(assembly.registeredDelivery, 'suppressed')) return;
    const now = this.#clock.now();
    for (const id of ids) {
      const conn = this.#pickReceiver(group);
      if (!conn) return;
      const fields = this.#receiptFields(
        addressColumns(assembly.addresses),
        receiptState('suppressed', null),
        { id, submitDate: now, doneDate: now, text: null },
      );
      this.#sendReceipt(conn, fields, null);
    }
  }

  /** Checks the text and queues the message for the credential's next batch. */
  #send(conn: Conn, group: Group, submit: Submission, text: string, partIds: string[]): Promise<SubmitResult> {
    const characters = [...text].length;
    if (characters === 0 || characters > MAX_TEXT_CHARACTERS) {
      return Promise.resolve(this.#refused(conn, group, SMPP_STATUS.ESME_RINVMSGLEN, `text of ${characters} characters`));
    }
    const request: SendMessageRequest = {
      channel: 'sms',
      route: submit.route,
      to: submit.to,
      text,
      quietHours: group.quietHours,
      ...(submit.from !== undefined ? { from: submit.from } : {}),
      ...submit.timing,
    };
    return new Promise<SubmitResult>((resolve) => {
      group.queue.push({ conn, request, submit, partIds, resolve });
      this.#scheduleBatch(group);
    });
  }

  /**
   * Submits of one credential go to MessagingService.sendBatch together: a batch leaves as soon as
   * the event loop is free (no added latency when idle); while batches are in flight the next
   * ones gather, so the cost per message falls as the load rises.
   */
  #scheduleBatch(group: Group): void {
    if (group.batchScheduled || group.batchesInFlight >= MAX_BATCHES_IN_FLIGHT || group.queue.length === 0) return;
    group.batchScheduled = true;
    setImmediate(() => {
      group.batchScheduled = false;
      void this.#runBatch(group);
    });
  }

  async #runBatch(group: Group): Promise<void> {
    if (group.batchesInFlight >= MAX_BATCHES_IN_FLIGHT || group.queue.length === 0) return;
    const items = group.queue.splice(0, MAX_BATCH);
    group.batchesInFlight++;
    try {
      const results = await this.#sendBatch(group, items);
      for (const [i, item] of items.entries()) item.resolve(results[i] ?? { status: SMPP_STATUS.ESME_RSYSERR });
    } catch (err) {
      this.#log.error({ err, systemId: group.systemId, count: items.length }, 'smpp gateway batch failed');
      for (const item of items) item.resolve({ status: SMPP_STATUS.ESME_RSYSERR });
    } finally {
      group.batchesInFlight--;
      this.#scheduleBatch(group);
    }
  }

  async #sendBatch(group: Group, items: QueuedSubmit[]): Promise<SubmitResult[]> {
    const first = items[0]!;
    const ctx: ServiceContext = { principal: group.principal, actor: actorOf(group.principal), ip: first.conn.ip, requestId: `smpp-${first.conn.id}-${first.submit.seq}` };
    const stored = await this.#messaging.sendBatch(
      ctx,
      items.map((item) => item.request),
      (item) => item as SendMessageRequest,
    );
    const body = stored.body as { results: Array<{ index: number; accepted?: { id: string }; error?: { code: string; detail: string } }> };
    const results: SubmitResult[] = items.map(() => ({ status: SMPP_STATUS.ESME_RSYSERR }));
    const tracked: Array<{ id: string; item: QueuedSubmit }> = [];
    for (const result of body.results) {
      const item = items[result.index];
      if (!item) continue;
      if (result.accepted) {
        results[result.index] = { status: SMPP_STATUS.ESME_ROK, messageId: result.accepted.id };
        if (item.submit.registeredDelivery !== 0) tracked.push({ id: result.accepted.id, item });
      } else if (result.error) {
        results[result.index] = this.#refused(item.conn, group, submitStatusForError(result.error.code), `${result.error.code}: ${result.error.detail}`);
      }
    }
    if (tracked.length) {
      try {
        await this.#track(group, tracked);
      } catch (err) {
        // The messages are accepted and will be sent; only their receipts are lost.
        this.#log.error({ err, count: tracked.length }, 'smpp gateway could not record receipt requests');
      }
    }
    return results;
  }

  /**
   * Records that these messages want a receipt. Their rows are locked (FOR SHARE) while the rows
   * are inserted, so an outcome recorded concurrently either is seen here or waits for this commit
   * and then finds the row (`record_status`, migration 0006, in the transaction that records the outcome): no outcome is missed.
   */
  async #track(group: Group, tracked: Array<{ id: string; item: QueuedSubmit }>): Promise<void> {
    const times = tracked.map((t) => uuidv7Time(t.id).getTime());
    const newest = new Date(Math.max(...times));
    const oldest = new Date(Math.min(...times) - 7 * 86_400_000);
    const input = tracked.map(({ id, item }) => {
      const a = item.submit.addresses;
      return { id, rd: item.submit.registeredDelivery, st: a.sourceTon, sn: a.sourceNpi, sa: a.sourceAddr, dt: a.destTon, dn: a.destNpi, da: a.destAddr, parts: item.partIds };
    });
    const { rows } = await withTenant(this.#db, group.tenantId, (tx) =>
      sql<{ final_status: string | null }>`
        with x as (
          select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
            as x(id uuid, rd smallint, st smallint, sn smallint, sa text, dt smallint, dn smallint, da text, parts jsonb)
        ), m as (
          select m.id, m.created_at, m.status from messages m
           where m.id in (select id from x) and m.created_at <= ${newest} and m.created_at > ${oldest}
           for share of m
        )
        insert into smpp_submits (tenant_id, message_id, message_created_at, api_key_id, registered_delivery,
                                  source_ton, source_npi, source_addr, dest_ton, dest_npi, dest_addr, part_ids, final_status, final_at)
        select ${group.tenantId}, m.id, m.created_at, ${group.apiKeyId}, x.rd, x.st, x.sn, x.sa, x.dt, x.dn, x.da,
               array(select jsonb_array_elements_text(x.parts)),
               case when m.status = any(${FINAL_STATUSES}::text[]) then m.status end,
               case when m.status = any(${FINAL_STATUSES}::text[]) then now() end
          from m join x on x.id = m.id
        on conflict do nothing
        returning final_status`.execute(tx),
    );
    if (rows.length < tracked.length) this.#log.error({ expected: tracked.length, recorded: rows.length }, 'smpp gateway: some accepted messages were not found to track their receipts');
    if (rows.some((r) => r.final_status)) void this.#pump(group);
  }

  // ------------------------------------------------------------------------------ receipts

  #receivers(group: Group): Conn[] {
    return [...group.conns].filter((c) => !c.closed && !c.closing && c.bound && c.bound.type !== 'transmitter');
  }

  #pickReceiver(group: Group): Conn | undefined {
    let best: Conn | undefined;
    for (const conn of this.#receivers(group)) {
      if (conn.outstanding.size >= this.#o.receiptWindow) continue;
      if (!best || conn.outstanding.size < best.outstanding.size) best = conn;
    }
    return best;
  }

  #pumpAll(): void {
    for (const group of this.#groups.values()) if (this.#receivers(group).length) void this.#pump(group);
  }

  /** Claims ready receipts of the credential and sends them, as long as the binds have room. */
  #pump(group: Group): Promise<void> {
    if (group.pumping) {
      group.rerun = true;
      return Promise.resolve();
    }
    group.pumping = true;
    const running = this.#runPump(group);
    this.#pumps.add(running);
    return running.finally(() => this.#pumps.delete(running));
  }

  async #runPump(group: Group): Promise<void> {
    try {
      do {
        group.rerun = false;
        group.backlog = false;
        if (this.#stopped) break;
        const receivers = this.#receivers(group);
        if (!receivers.length) break;
        const room = receivers.reduce((n, c) => n + Math.max(0, this.#o.receiptWindow - c.outstanding.size), 0);
        if (room <= 0) {
          group.backlog = true;
          break;
        }
        const limit = Math.min(room, 500);
        const rows = await this.#claim(group, limit);
        for (const row of rows) this.#dispatchReceipt(group, row);
        if (rows.length === limit) group.rerun = true;
      } while (group.rerun);
    } catch (err) {
      this.#log.warn({ err, systemId: group.systemId }, 'smpp gateway receipt loop failed; will retry');
    } finally {
      group.pumping = false;
    }
  }

  async #claim(group: Group, limit: number): Promise<ReadyReceipt[]> {
    return withTenant(this.#db, group.tenantId, async (tx) => {
      const { rows } = await sql<ReadyReceipt>`
        with due as (
          select s.tenant_id, s.message_id from smpp_submits s
           where s.api_key_id = ${group.apiKeyId} and s.final_status is not null and s.receipt_done_at is null
             and (s.lease_until is null or s.lease_until < now())
           order by s.final_at
           limit ${limit}
           for update skip locked
        ), claimed as (
          update smpp_submits s set lease_until = now() + make_interval(secs => ${this.#o.receiptLeaseSeconds}), attempts = s.attempts + 1
            from due where s.tenant_id = due.tenant_id and s.message_id = due.message_id
          returning s.*
        )
        select c.message_id, c.registered_delivery, c.source_ton, c.source_npi, c.source_addr, c.dest_ton, c.dest_npi, c.dest_addr,
               c.part_ids, c.final_status, c.final_at, c.attempts,
               m.created_at, m.submitted_at, m.done_at, m.error_code, m.content ->> 'text' as text
          from claimed c
          left join messages m on m.id = c.message_id and m.created_at = c.message_created_at
         order by c.final_at`.execute(tx);
      return rows;
    });
  }

  #dispatchReceipt(group: Group, row: ReadyReceipt): void {
    if (!wantsReceipt(row.registered_delivery, row.final_status)) {
      this.#settle(group, row.message_id, 'skipped');
      return;
    }
    if (row.attempts > this.#o.receiptMaxAttempts || row.created_at === null) {
      this.#log.warn({ systemId: group.systemId, messageId: row.message_id, attempts: row.attempts }, 'smpp gateway receipt dropped');
      this.#settle(group, row.message_id, 'dropped');
      return;
    }
    const state = receiptState(row.final_status, row.error_code);
    const submitDate = row.submitted_at ?? row.created_at;
    const doneDate = row.done_at ?? row.final_at;
    const ids = [row.message_id, ...row.part_ids];
    const conns = ids.map(() => this.#pickReceiver(group));
    if (conns.some((c) => c === undefined)) {
      group.backlog = true;
      this.#settle(group, row.message_id, 'release');
      return;
    }
    group.inFlight.set(row.message_id, { remaining: ids.length, failed: false, lost: false });
    ids.forEach((id, i) => {
      const fields = this.#receiptFields(row, state, { id, submitDate, doneDate, text: row.text });
      this.#sendReceipt(conns[i]!, fields, row.message_id);
    });
  }

  #receiptFields(
    row: Pick<ReadyReceipt, 'source_ton' | 'source_npi' | 'source_addr' | 'dest_ton' | 'dest_npi' | 'dest_addr'>,
    state: ReturnType<typeof receiptState>,
    text: { id: string; submitDate: Date; doneDate: Date; text: string | null },
  ): smpp.PduFields {
    return {
      service_type: '',
      source_addr_ton: row.dest_ton,
      source_addr_npi: row.dest_npi,
      source_addr: row.dest_addr,
      dest_addr_ton: row.source_ton,
      dest_addr_npi: row.source_npi,
      destination_addr: row.source_addr,
      esm_class: 0x04,
      data_coding: 0x00,
      short_message: Buffer.from(receiptText({ id: text.id, state, submitDate: text.submitDate, doneDate: text.doneDate, text: text.text }), 'latin1'),
      receipted_message_id: text.id,
      message_state: state.messageState,
    };
  }

  #sendReceipt(conn: Conn, fields: smpp.PduFields, messageId: string | null): void {
    const pdu = new smpp.PDU('deliver_sm', fields);
    if (!conn.session.send(pdu)) {
      if (messageId && conn.bound) this.#receiptAnswered(conn.bound.group, { messageId, sentAt: 0 }, 'lost');
      return;
    }
    this.#stats.receiptsSent++;
    conn.outstanding.set(pdu.sequence_number, { messageId, sentAt: performance.now() });
  }

  #onDeliverResp(conn: Conn, pdu: smpp.PDU): void {
    const receipt = conn.outstanding.get(pdu.sequence_number);
    if (!receipt || !conn.bound) return;
    conn.outstanding.delete(pdu.sequence_number);
    const ok = pdu.command_status === 0;
    if (ok) this.#stats.receiptsAcked++;
    else this.#log.info({ conn: conn.id, status: pdu.command_status, messageId: receipt.messageId }, 'smpp gateway receipt refused by the client');
    const group = conn.bound.group;
    this.#receiptAnswered(group, receipt, ok ? 'ok' : 'failed');
    // Room again in a window: more ready receipts may be waiting.
    if (group.backlog) void this.#pump(group);
  }

  /**
   * One deliver_sm of a receipt answered ('ok'), refused or timed out ('failed': offered again
   * after the retry delay), or lost with its session ('lost': offered again at once).
   */
  #receiptAnswered(group: Group, receipt: OutstandingReceipt, result: 'ok' | 'failed' | 'lost'): void {
    if (!receipt.messageId) return;
    const entry = group.inFlight.get(receipt.messageId);
    if (!entry) return;
    entry.remaining--;
    if (result === 'failed') entry.failed = true;
    else if (result === 'lost') entry.lost = true;
    if (entry.remaining > 0) return;
    group.inFlight.delete(receipt.messageId);
    // Lost with a session: offered again at once (wakes the loop, another bind may be there).
    this.#settle(group, receipt.messageId, entry.failed ? 'retry' : entry.lost ? 'release' : 'acked', !entry.failed && entry.lost);
    this.#dropGroupIfIdle(group);
  }

  /** Records receipt outcomes in batches (one statement per tenant every 20 ms). */
  #settle(group: Group, messageId: string, outcome: Settlement, wake = false): void {
    let batch = this.#settlements.get(group.tenantId);
    if (!batch) {
      batch = [];
      this.#settlements.set(group.tenantId, batch);
    }
    batch.push({ id: messageId, outcome, group, wake });
    this.#settleTimer ??= setTimeout(() => void this.#flushSettlements(), 20);
  }

  #flushSettlements(): Promise<void> {
    if (this.#settleTimer) clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    const batches = [...this.#settlements.entries()];
    this.#settlements.clear();
    this.#settling = this.#settling.then(async () => {
      for (const [tenantId, batch] of batches) {
        try {
          await withTenant(this.#db, tenantId, (tx) =>
            sql`
              update smpp_submits s
                 set receipt_done_at = case when x.outcome in ('retry', 'release') then null else now() end,
                     receipt_outcome = case when x.outcome in ('retry', 'release') then null else x.outcome end,
                     lease_until = case x.outcome
                                     when 'retry' then now() + make_interval(secs => ${this.#o.receiptRetryDelayMs / 1000})
                                     when 'release' then null
                                     else null end
                from unnest(${batch.map((b) => b.id)}::uuid[], ${batch.map((b) => b.outcome)}::text[]) as x(id, outcome)
               where s.tenant_id = ${tenantId} and s.message_id = x.id`.execute(tx),
          );
          // Released receipts can go out at once through another receiving bind.
          if (!this.#stopped) for (const group of new Set(batch.filter((b) => b.wake).map((b) => b.group))) void this.#pump(group);
        } catch (err) {
          // Unrecorded: the leases expire and the receipts are offered again (at least once).
          this.#log.warn({ err, count: batch.length }, 'smpp gateway could not record receipt outcomes');
        }
      }
    });
    return this.#settling;
  }
}

type SubmitResult = { status: number; messageId?: string };

interface QueuedSubmit {
  conn: Conn;
  request: SendMessageRequest;
  submit: Submission;
  partIds: string[];
  resolve(result: SubmitResult): void;
}

interface Submission {
  route: Route;
  from: string | undefined;
  to: string;
  registeredDelivery: number;
  addresses: Addresses;
  timing: { scheduledAt?: string; ttlSeconds?: number };
  seq: number;
}

function addressColumns(a: Addresses) {
  return { source_ton: a.sourceTon, source_npi: a.sourceNpi, source_addr: a.sourceAddr, dest_ton: a.destTon, dest_npi: a.destNpi, dest_addr: a.destAddr };
}
