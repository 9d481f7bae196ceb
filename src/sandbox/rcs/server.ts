import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { signRbm } from '../../channels/rcs/webhook.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';

/**
 * A stand-in for Google's RCS Business Messaging API v1 on loopback: capability checks,
 * agent messages (text and suggestions, `ttl`/`expireTime`), revocation, Google-style errors,
 * and signed webhooks (`X-Goog-Signature`) carrying DELIVERED/READ user events, TTL server
 * events, user messages and subscription changes (UNSUBSCRIBE with its keyword) to a callback URL.
 *
 * Magic numbers (E.164, on the last digits):
 * - ending `0404` → not RCS-capable: 404 NOT_FOUND on capability and on send;
 * - ending `0777` → accepted but never delivered: stays revocable; its TTL, if any, expires
 *   into a TTL_EXPIRATION_REVOKED server event;
 * - ending `0429` → 429 RESOURCE_EXHAUSTED on send;
 * - ending `0503` → 503 UNAVAILABLE on send.
 */
export interface SandboxRbmOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bearer token the API accepts (default `sandbox-rbm-token`). */
  token?: string;
  /** The webhook client token: key of `X-Goog-Signature` (default `sandbox-client-token`). */
  clientToken?: string;
  callbackUrl?: string;
  /** When set, other agent ids are refused (403). */
  agentId?: string;
  /** Webhook format: Pub/Sub push envelope (default, signature over the decoded data) or the bare JSON. */
  delivery?: 'pubsub' | 'direct';
  clock?: Clock;
  /** Post READ after DELIVERED (default true). */
  autoRead?: boolean;
  webhookTimeoutMs?: number;
}

export type RcsMessageState = 'pending' | 'delivered' | 'read' | 'revoked' | 'expired';

export interface SentRcs {
  messageId: string;
  to: string;
  agentId: string;
  text?: string;
  suggestions: unknown[];
  ttl?: string;
  expireTime?: string;
  request: Record<string, unknown>;
  at: Date;
  state: RcsMessageState;
}

export interface RbmWebhookDelivery {
  kind: 'event' | 'message';
  eventType?: string;
  messageId: string;
  httpStatus?: number;
  error?: string;
}

export const RBM_FEATURES = [
  'RICHCARD_STANDALONE',
  'RICHCARD_CAROUSEL',
  'ACTION_CREATE_CALENDAR_EVENT',
  'ACTION_DIAL',
  'ACTION_OPEN_URL',
  'ACTION_SHARE_LOCATION',
  'ACTION_VIEW_LOCATION',
] as const;

const E164 = /^\+[1-9]\d{6,14}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TIMER = 2 ** 31 - 1;

class GoogleFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }
  body() {
    return { error: { code: this.httpStatus, message: this.message, status: this.status } };
  }
}

const notFound = () => new GoogleFailure(404, 'NOT_FOUND', 'Requested entity was not found.');
const invalid = (message: string) => new GoogleFailure(400, 'INVALID_ARGUMENT', message);

function durationMs(ttl: string): number | undefined {
  const m = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(ttl);
  if (!m) return undefined;
  return Number(m[1]) * 1000 + Math.floor(Number(`0.${m[2] ?? '0'}`) * 1000);
}

export class SandboxRbm {
  readonly #options: SandboxRbmOptions;
  readonly #clock: Clock;
  readonly #sent: SentRcs[] = [];
  readonly #deadlines = new Map<SentRcs, number>();
  readonly #timers = new Map<SentRcs, NodeJS.Timeout>();
  readonly #deliveries: RbmWebhookDelivery[] = [];
  readonly #tasks = new Set<Promise<void>>();
  #callbackUrl: string | undefined;
  #abort = new AbortController();
  #app: FastifyInstance | undefined;
  #url: string | undefined;

  constructor(options: SandboxRbmOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#callbackUrl = options.callbackUrl;
  }

  get token(): string {
    return this.#options.token ?? 'sandbox-rbm-token';
  }

  get clientToken(): string {
    return this.#options.clientToken ?? 'sandbox-client-token';
  }

  /** Base URL to give the connector (`baseUrl`). */
  get url(): string {
    if (!this.#url) throw new Error('the RBM sandbox is not started');
    return this.#url;
  }

  setCallbackUrl(url: string | undefined): void {
    this.#callbackUrl = url;
  }

  async start(): Promise<string> {
    if (this.#url) return this.#url;
    this.#abort = new AbortController();
    const app = Fastify({ logger: false });
    app.setErrorHandler((err, _request, reply) => {
      if (err instanceof GoogleFailure) return reply.code(err.httpStatus).send(err.body());
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      const message = err instanceof Error ? err.message : String(err);
      return reply.code(status).send({ error: { code: status, message, status: status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL' } });
    });
    app.addHook('onRequest', async (request) => {
      if (request.headers.authorization !== `Bearer ${this.token}`) {
        throw new GoogleFailure(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        );
      }
    });
    app.get<{ Params: { msisdn: string }; Querystring: { requestId?: string; agentId?: string } }>('/v1/phones/:msisdn/capabilities', async (request) => {
      const msisdn = this.#checkPhone(request.params.msisdn);
      this.#checkAgent(request.query.agentId);
      if (request.query.requestId !== undefined && !UUID.test(request.query.requestId)) throw invalid('requestId must be a UUID');
      if (msisdn.endsWith('0404')) throw notFound();
      return { features: [...RBM_FEATURES] };
    });
    app.post<{ Params: { msisdn: string }; Querystring: { messageId?: string; agentId?: string }; Body: unknown }>(
      '/v1/phones/:msisdn/agentMessages',
      async (request) => this.#create(request.params.msisdn, request.query, request.body),
    );
    app.delete<{ Params: { msisdn: string; messageId: string }; Querystring: { agentId?: string } }>(
      '/v1/phones/:msisdn/agentMessages/:messageId',
      async (request) => {
        this.#checkPhone(request.params.msisdn);
        const agentId = this.#checkAgent(request.query.agentId);
        const record = this.#sent.find((m) => m.to === request.params.msisdn && m.messageId === request.params.messageId && m.agentId === agentId);
        if (record?.state !== 'pending') throw notFound();
        record.state = 'revoked';
        this.#clearTimer(record);
        return {};
      },
    );
    await app.listen({ host: this.#options.host ?? '127.0.0.1', port: this.#options.port ?? 0 });
    const address = app.server.address() as AddressInfo;
    this.#app = app;
    this.#url = `http://${address.address}:${address.port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    if (!app) return;
    this.#app = undefined;
    this.#url = undefined;
    for (const record of [...this.#timers.keys()]) this.#clearTimer(record);
    this.#abort.abort();
    await Promise.allSettled([...this.#tasks]);
    await app.close();
  }

  /** Resolves when every webhook scheduled so far has been posted (or has failed). */
  async idle(): Promise<void> {
    while (this.#tasks.size) await Promise.allSettled([...this.#tasks]);
  }

  inbox(msisdn: string): SentRcs[] {
    return this.#sent.filter((m) => m.to === msisdn);
  }

  all(): SentRcs[] {
    return [...this.#sent];
  }

  webhooks(): RbmWebhookDelivery[] {
    return [...this.#deliveries];
  }

  clear(): void {
    for (const record of [...this.#timers.keys()]) this.#clearTimer(record);
    this.#sent.length = 0;
    this.#deadlines.clear();
    this.#deliveries.length = 0;
  }

  /**
   * Expires, by the sandbox clock, every undelivered message whose TTL or expireTime has passed
   * (posting TTL_EXPIRATION_REVOKED). Timers do this on their own in real time; tests with a
   * fixed clock call it after moving the clock.
   */
  async expireDue(): Promise<SentRcs[]> {
    const now = this.#clock.now().getTime();
    const due = [...this.#deadlines].filter(([record, at]) => record.state === 'pending' && at <= now).map(([record]) => record);
    await Promise.all(due.map((record) => this.#expire(record)));
    return due;
  }

  /** A user writes to the agent (text), or taps a suggestion (`postbackData`). */
  async simulateInbound(input: { from: string; text: string; postbackData?: string; type?: 'REPLY' | 'ACTION'; agentId?: string }): Promise<{
    messageId: string;
    httpStatus?: number;
  }> {
    const messageId = `MxRbm${randomBytes(12).toString('hex')}`;
    const base = {
      senderPhoneNumber: input.from,
      messageId,
      sendTime: this.#clock.now().toISOString(),
      agentId: input.agentId ?? this.#options.agentId ?? 'sandbox_agent',
    };
    const event =
      input.postbackData === undefined
        ? { ...base, text: input.text }
        : { ...base, suggestionResponse: { postbackData: input.postbackData, text: input.text, type: input.type ?? 'REPLY' } };
    const httpStatus = await this.#track(this.#post(event, { kind: 'message', messageId }));
    return { messageId, ...(httpStatus !== undefined ? { httpStatus } : {}) };
  }

  /** A user event not tied to a send: SUBSCRIBE, UNSUBSCRIBE, IS_TYPING. */
  async simulateUserEvent(input: { from: string; eventType: 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'IS_TYPING'; agentId?: string }): Promise<number | undefined> {
    const event = {
      senderPhoneNumber: input.from,
      eventType: input.eventType,
      eventId: `Ev${randomBytes(10).toString('hex')}`,
      sendTime: this.#clock.now().toISOString(),
      agentId: input.agentId ?? this.#options.agentId ?? 'sandbox_agent',
    };
    return this.#track(this.#post(event, { kind: 'event', eventType: input.eventType, messageId: '' }));
  }

  /**
   * The user taps "Unsubscribe" in Google Messages. As RBM does, two things reach the webhook:
   * the country's keyword as a user message (`keyword`, default "STOP"; `false` to leave it out,
   * e.g. to see the event alone, or as when the keyword is lost) and the `UNSUBSCRIBE` user event
   * `{senderPhoneNumber, eventType, eventId, sendTime, agentId}`. `repeat` posts the event that
   * many times with the same eventId, as a Pub/Sub redelivery does.
   */
  async simulateUnsubscribe(input: { from: string; keyword?: string | false; agentId?: string; repeat?: number }): Promise<{ eventId: string; httpStatuses: Array<number | undefined> }> {
    const httpStatuses: Array<number | undefined> = [];
    const keyword = input.keyword ?? 'STOP';
    if (keyword !== false) {
      const sent = await this.simulateInbound({ from: input.from, text: keyword, ...(input.agentId ? { agentId: input.agentId } : {}) });
      httpStatuses.push(sent.httpStatus);
    }
    const eventId = `Ev${randomBytes(10).toString('hex')}`;
    const event = {
      senderPhoneNumber: input.from,
      eventType: 'UNSUBSCRIBE',
      eventId,
      sendTime: this.#clock.now().toISOString(),
      agentId: input.agentId ?? this.#options.agentId ?? 'sandbox_agent',
    };
    for (let i = 0; i < Math.max(1, input.repeat ?? 1); i++) {
      httpStatuses.push(await this.#track(this.#post(event, { kind: 'event', eventType: 'UNSUBSCRIBE', messageId: '' })));
    }
    return { eventId, httpStatuses };
  }

  /** Google's registration call: posts `{ clientToken, secret }`; true when the secret is echoed. */
  async registerWebhook(): Promise<boolean> {
    if (!this.#callbackUrl) throw new Error('no callback URL');
    const secret = String(Math.floor(Math.random() * 1e10));
    try {
      const response = await fetch(this.#callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientToken: this.clientToken, secret }),
        signal: AbortSignal.timeout(this.#options.webhookTimeoutMs ?? 5_000),
      });
      return response.status === 200 && (await response.text()) === secret;
    } catch {
      return false;
    }
  }

  #checkPhone(msisdn: string): string {
    if (!E164.test(msisdn)) throw invalid(`'${msisdn}' is not a valid E.164 phone number`);
    return msisdn;
  }

  #checkAgent(agentId: string | undefined): string {
    if (!agentId) throw invalid('agentId is required');
    if (this.#options.agentId && agentId !== this.#options.agentId) {
      throw new GoogleFailure(403, 'PERMISSION_DENIED', 'The caller does not have permission');
    }
    return agentId;
  }

  #create(msisdnParam: string, query: { messageId?: string; agentId?: string }, body: unknown) {
    const msisdn = this.#checkPhone(msisdnParam);
    const agentId = this.#checkAgent(query.agentId);
    const messageId = query.messageId;
    if (!messageId) throw invalid('messageId is required');
    if (msisdn.endsWith('0404')) throw notFound();
    if (msisdn.endsWith('0429')) throw new GoogleFailure(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for agent messages.');
    if (msisdn.endsWith('0503')) throw new GoogleFailure(503, 'UNAVAILABLE', 'The service is currently unavailable.');
    if (this.#sent.some((m) => m.agentId === agentId && m.messageId === messageId)) {
      throw new GoogleFailure(409, 'ALREADY_EXISTS', 'Requested entity already exists');
    }
    const request = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const content = request.contentMessage as { text?: unknown; suggestions?: unknown; richCard?: unknown; contentInfo?: unknown } | undefined;
    if (!content || typeof content !== 'object') throw invalid('contentMessage is required');
    if (typeof content.text !== 'string' && !content.richCard && !content.contentInfo) throw invalid('contentMessage needs text, a rich card or a file');
    if (typeof content.text === 'string' && content.text.length > 3072) throw invalid('text exceeds 3072 characters');
    const suggestions = content.suggestions === undefined ? [] : content.suggestions;
    if (!Array.isArray(suggestions) || suggestions.length > 11) throw invalid('at most 11 suggestions');
    for (const s of suggestions as Array<Record<string, { text?: unknown; postbackData?: unknown } | undefined>>) {
      const inner = s?.reply ?? s?.action;
      if (!inner || typeof inner.text !== 'string' || inner.text.length < 1 || inner.text.length > 25) {
        throw invalid('each suggestion needs a reply or an action with 1-25 characters of text');
      }
    }
    const ttl = typeof request.ttl === 'string' ? request.ttl : undefined;
    const expireTime = typeof request.expireTime === 'string' ? request.expireTime : undefined;
    if (ttl && expireTime) throw invalid('expiration: only one of ttl and expireTime');
    const now = this.#clock.now();
    let deadline: number | undefined;
    if (ttl !== undefined) {
      const ms = durationMs(ttl);
      if (ms === undefined || ms <= 0) throw invalid(`invalid ttl '${ttl}'`);
      deadline = now.getTime() + ms;
    } else if (expireTime !== undefined) {
      const at = Date.parse(expireTime);
      if (Number.isNaN(at)) throw invalid(`invalid expireTime '${expireTime}'`);
      deadline = at;
    }
    const record: SentRcs = {
      messageId,
      to: msisdn,
      agentId,
      ...(typeof content.text === 'string' ? { text: content.text } : {}),
      suggestions: suggestions as unknown[],
      ...(ttl ? { ttl } : {}),
      ...(expireTime ? { expireTime } : {}),
      request,
      at: now,
      state: 'pending',
    };
    this.#sent.push(record);
    if (deadline !== undefined) {
      this.#deadlines.set(record, deadline);
      const timer = setTimeout(() => void this.#expire(record), Math.min(Math.max(0, deadline - now.getTime()), MAX_TIMER));
      this.#timers.set(record, timer);
    }
    if (!msisdn.endsWith('0777')) this.#track(this.#deliver(record));
    return {
      name: `phones/${msisdn}/agentMessages/${messageId}`,
      sendTime: now.toISOString(),
      contentMessage: content,
      ...(ttl ? { ttl } : {}),
      ...(expireTime ? { expireTime } : {}),
    };
  }

  async #deliver(record: SentRcs): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (record.state !== 'pending' || this.#abort.signal.aborted) return;
    record.state = 'delivered';
    this.#clearTimer(record);
    await this.#postEvent(record, 'DELIVERED');
    if ((this.#options.autoRead ?? true) && record.state === 'delivered') {
      record.state = 'read';
      await this.#postEvent(record, 'READ');
    }
  }

  async #expire(record: SentRcs): Promise<void> {
    this.#clearTimer(record);
    if (record.state !== 'pending') return;
    record.state = 'expired';
    const event = {
      phoneNumber: record.to,
      messageId: record.messageId,
      agentId: record.agentId,
      eventType: 'TTL_EXPIRATION_REVOKED',
      eventId: `Sv${randomBytes(10).toString('hex')}`,
      sendTime: this.#clock.now().toISOString(),
    };
    await this.#track(this.#post(event, { kind: 'event', eventType: event.eventType, messageId: record.messageId }));
  }

  #clearTimer(record: SentRcs): void {
    const timer = this.#timers.get(record);
    if (timer) clearTimeout(timer);
    this.#timers.delete(record);
    this.#deadlines.delete(record);
  }

  #postEvent(record: SentRcs, eventType: 'DELIVERED' | 'READ'): Promise<number | undefined> {
    const event = {
      senderPhoneNumber: record.to,
      eventType,
      eventId: `Ev${randomBytes(10).toString('hex')}`,
      messageId: record.messageId,
      sendTime: this.#clock.now().toISOString(),
      agentId: record.agentId,
    };
    return this.#post(event, { kind: 'event', eventType, messageId: record.messageId });
  }

  async #post(event: Record<string, unknown>, delivery: RbmWebhookDelivery): Promise<number | undefined> {
    const url = this.#callbackUrl;
    if (!url || this.#abort.signal.aborted) return undefined;
    const json = JSON.stringify(event);
    let body: string;
    let signature: string;
    if ((this.#options.delivery ?? 'pubsub') === 'pubsub') {
      const agent = String(event.agentId ?? 'agent').replace(/[^\w-]/g, '-');
      body = JSON.stringify({
        message: {
          data: Buffer.from(json).toString('base64'),
          messageId: String(Date.now()) + String(Math.floor(Math.random() * 1e6)),
          publishTime: this.#clock.now().toISOString(),
        },
        subscription: `projects/rbm-${agent}/subscriptions/rbm-agent-subscription`,
      });
      signature = signRbm(json, this.clientToken);
    } else {
      body = json;
      signature = signRbm(body, this.clientToken);
    }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-signature': signature, 'user-agent': 'Google-RBM-Webhook' },
        body,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#options.webhookTimeoutMs ?? 5_000)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      this.#deliveries.push({ ...delivery, httpStatus: response.status });
      return response.status;
    } catch (err) {
      this.#deliveries.push({ ...delivery, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const task = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
    return promise;
  }
}
