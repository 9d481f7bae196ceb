import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { isUuidV7, uuidv7Time } from '../../platform/ids.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import { settingsOf } from '../tenants/index.ts';
import { type PreparedMessage, prepareMessage, type SendingContext } from './prepare.ts';
import { SendContextCache } from './context-cache.ts';
import { claimKeys, enterSendContext, insertMessages, type KeyClaim, type SendingBase, type StoredAnswer, settleKeys, storeMessages, storedAnswers } from './repo.ts';
import { normalisedPhone } from './rule-cache.ts';
import { DEFAULT_PRICE_LIST, type PriceList, withTenantPrices } from './rules.ts';
import type { SendMessageRequest } from './schemas.ts';
import { Coalescer, type CoalescerOptions, isItemLevelDatabaseError, type Outcome } from './send-coalescer.ts';

export interface MessagingSettings {
  stopShortCode: string;
  emailFrom: string;
  whatsappPhoneNumberId: string;
  rcsAgentId: string;
  unsubscribeUrl: (tenantId: string, address: string) => string;
}

export interface AcceptedView {
  id: string;
  status: 'queued' | 'scheduled' | 'suppressed';
  channel: string;
  route: string | null;
  sendAt: string;
  to: string;
  from: string | null;
  text: string | null;
  encoding: string | null;
  segments: number | null;
  characters: number | null;
  price: { amount: number; currency: 'EUR' };
  warnings: string[];
}

export type BatchItemResult = { index: number; accepted: AcceptedView } | { index: number; error: { status: number; code: string; detail: string; errors?: unknown } };

export interface StoredResponse {
  statusCode: number;
  body: unknown;
  replayed: boolean;
}

interface SingleSend {
  ctx: ServiceContext;
  request: SendMessageRequest;
  key: string | undefined;
  /** SHA-256 of the request, when it carries an Idempotency-Key. */
  hash: string | undefined;
}

type Refusal = { status: number; code: string; detail: string; errors?: unknown };

/** What a flush or a batch prepared from one context: the messages to store, and how to answer once stored. */
interface Plan<R> {
  messages: PreparedMessage[];
  answer: (suppressed: ReadonlySet<string>) => R;
}

/**
 * The send API (issue 3): applies the contract's rules, and commits each accepted message with its
 * outbox row before answering 202 — nothing accepted is ever lost. Idempotency-Key replays the
 * first answer for the same key and body, and refuses the same key with another body.
 *
 * How it stays fast (bench/RESULTS.md, section 4):
 * - single sends of one tenant that arrive together are stored together (group commit, see
 *   send-coalescer.ts): one transaction for all of them, each answer after that COMMIT, each with
 *   its own outcome and its own Idempotency-Key;
 * - the tenant's sending context is kept in memory with its version (context-cache.ts); messages
 *   are stored by ONE statement that is its own transaction and checks that version
 *   (`store_messages`, migration 0007), with the Idempotency-Keys of single sends; if the context
 *   changed, they are prepared again with the new one;
 * - WhatsApp messages (their customer-service windows must be read at the time of sending) and
 *   batches with an Idempotency-Key (the stored answer is the whole batch's) take a transaction
 *   that reads the context afresh, claims the key(s), stores, then stores the answer(s).
 */
export class MessagingService {
  readonly #singles: Coalescer<SingleSend, StoredResponse>;
  readonly #contexts: SendContextCache<SendingContext>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly settings: MessagingSettings,
    options: { coalescing?: Partial<CoalescerOptions> } = {},
  ) {
    this.#singles = new Coalescer<SingleSend, StoredResponse>(
      {
        flush: (tenantId, items) => this.#flushSingles(tenantId, items),
        // The same key twice never shares a transaction: the second waits, then finds the first's answer.
        tokenOf: (item) => item.key,
        splitOn: isItemLevelDatabaseError,
      },
      options.coalescing,
    );
    this.#contexts = new SendContextCache(
      async (tenantId) => {
        const now = this.clock.now();
        const base = await enterSendContext(this.db, tenantId, now);
        return { version: base.version, context: this.#contextOf(tenantId, base, now, null), validUntil: base.next_price_change ? new Date(base.next_price_change).getTime() : null };
      },
      () => this.clock.now().getTime(),
    );
  }

  /** Called after messages are committed (wakes this process's dispatcher). */
  onAccepted: () => void = () => {};

  async send(ctx: ServiceContext, request: SendMessageRequest, idempotencyKey?: string): Promise<StoredResponse> {
    const tenantId = tenantOf(ctx.principal);
    this.#authorizeRoute(ctx, request);
    const hash = idempotencyKey ? requestHash({ path: '/v1/messages', request }) : undefined;
    return this.#singles.submit(tenantId, { ctx, request, key: idempotencyKey, hash });
  }

  /** One flush of single sends of a tenant: each item ends as its own 202, replay or refusal. */
  async #flushSingles(tenantId: string, items: SingleSend[]): Promise<Outcome<StoredResponse>[]> {
    const whatsapp = whatsappRecipients(items.map((item) => item.request));
    if (!whatsapp) {
      const outcomes = await this.#storeSingles(tenantId, items);
      if (outcomes) return outcomes;
    }
    return this.#flushSinglesInTransaction(tenantId, items, whatsapp);
  }

  /**
   * Prepares each single send with `context`: refusals are outcomes of their own (this item only).
   * `messageOf` maps an item to its message in `messages`.
   */
  #planSingles(items: readonly SingleSend[], context: SendingContext, skip?: ReadonlyMap<number, Outcome<StoredResponse>>): Plan<Outcome<StoredResponse>[]> & { messageOf: Map<number, number> } {
    const outcomes: Outcome<StoredResponse>[] = new Array(items.length);
    const contexts = new Map<string | null, SendingContext>();
    const prepared: Array<{ index: number; message: PreparedMessage }> = [];
    const messageOf = new Map<number, number>();
    items.forEach((item, index) => {
      const decided = skip?.get(index);
      if (decided) {
        outcomes[index] = decided;
        return;
      }
      try {
        const apiKeyId = apiKeyOf(item.ctx);
        let own = contexts.get(apiKeyId);
        if (!own) {
          own = { ...context, apiKeyId };
          contexts.set(apiKeyId, own);
        }
        const message = prepareMessage(item.request, own);
        messageOf.set(index, prepared.length);
        prepared.push({ index, message });
      } catch (error) {
        // This item only: a refusal (422), or a fault in preparing it (500 for it alone).
        outcomes[index] = { ok: false, error };
      }
    });
    return {
      messages: prepared.map((p) => p.message),
      messageOf,
      answer: (suppressed) => {
        for (const { index, message } of prepared) {
          outcomes[index] = { ok: true, value: { statusCode: 202, body: acceptedView(message, suppressed.has(message.id) ? 'suppressed' : message.status), replayed: false } };
        }
        return outcomes;
      },
    };
  }

  /**
   * The fast path of single sends: prepared with the tenant's cached context, stored with their
   * Idempotency-Keys by one statement that checks the context's version (prepared again with the
   * current context when it moved). A key that was not new answers with its stored response (or
   * is refused for another body), and its message is not stored. Undefined when the context kept
   * moving (the caller takes the transaction path).
   */
  async #storeSingles(tenantId: string, items: readonly SingleSend[]): Promise<Outcome<StoredResponse>[] | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cached = await this.#contexts.get(tenantId);
      const plan = this.#planSingles(items, { ...cached.context, now: this.clock.now() });
      const keys: KeyClaim[] = [];
      items.forEach((item, index) => {
        if (item.key === undefined || item.hash === undefined) return;
        const at = plan.messageOf.get(index);
        const message = at === undefined ? undefined : plan.messages[at];
        keys.push({
          key: item.key,
          hash: item.hash,
          // Both answers it may get: which one is stored depends on the suppression list, read by the statement.
          message: at !== undefined && message ? { index: at, id: message.id, queued: acceptedView(message, message.status), suppressed: acceptedView(message, 'suppressed') } : null,
        });
      });
      const stored = await storeMessages(this.db, tenantId, cached.version, plan.messages, keys);
      if (stored.stale) {
        this.#contexts.forget(tenantId, cached);
        continue;
      }
      const outcomes = plan.answer(stored.suppressed);
      let accepted = plan.messages.length;
      items.forEach((item, index) => {
        const replay = item.key === undefined ? undefined : stored.replays.get(item.key);
        if (!replay) return;
        if (plan.messageOf.has(index)) accepted--;
        outcomes[index] = replay.request_hash === item.hash ? { ok: true, value: { statusCode: replay.status_code, body: replay.response, replayed: true } } : { ok: false, error: keyReused() };
      });
      if (accepted > 0) this.onAccepted();
      return outcomes;
    }
    return undefined;
  }

  /**
   * The fast path: prepares with the tenant's cached context and stores in one statement that
   * checks the context's version; prepares again with the current context when it moved.
   * Undefined when the context kept moving (the caller takes the transaction path).
   */
  async #storeWithCachedContext<R>(tenantId: string, plan: (context: SendingContext) => Plan<R>): Promise<R | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const cached = await this.#contexts.get(tenantId);
      const { messages, answer } = plan({ ...cached.context, now: this.clock.now() });
      const stored = await storeMessages(this.db, tenantId, cached.version, messages);
      if (stored.stale) {
        this.#contexts.forget(tenantId, cached);
        continue;
      }
      if (messages.length) this.onAccepted();
      return answer(stored.suppressed);
    }
    return undefined;
  }

  /**
   * The transaction path, for WhatsApp (its windows and templates are read at the time of
   * sending): the context read afresh, the keys claimed first (a key stored, or being stored by
   * another transaction, which this waits for, answers with the stored response), the messages
   * stored, then the answers. A refused item's key is released: a refusal is not stored.
   */
  async #flushSinglesInTransaction(tenantId: string, items: SingleSend[], whatsapp: string[] | null): Promise<Outcome<StoredResponse>[]> {
    let accepted = 0;
    const outcomes = await this.db.transaction().execute(async (tx) => {
      const context = await this.#enter(tx, tenantId, whatsapp);
      const keyed = items.filter((item): item is SingleSend & { key: string; hash: string } => item.key !== undefined && item.hash !== undefined);
      const claimed = keyed.length ? await claimKeys(tx, tenantId, keyed) : new Set<string>();
      const stored = keyed.length > claimed.size ? await storedAnswers(tx, tenantId, keyed.filter((item) => !claimed.has(item.key)).map((item) => item.key)) : new Map<string, StoredAnswer>();
      const replays = new Map<number, Outcome<StoredResponse>>();
      items.forEach((item, index) => {
        if (item.key === undefined || claimed.has(item.key)) return;
        const answer = stored.get(item.key);
        if (!answer) replays.set(index, { ok: false, error: new Error(`Idempotency-Key ${item.key} is neither new nor stored`) });
        else if (answer.request_hash !== item.hash) replays.set(index, { ok: false, error: keyReused() });
        else replays.set(index, { ok: true, value: { statusCode: answer.status_code, body: answer.response, replayed: true } });
      });
      const { messages, answer } = this.#planSingles(items, context, replays);
      const suppressed = await insertMessages(tx, messages);
      const result = answer(suppressed);
      accepted = messages.length;
      const answers: Array<{ key: string; statusCode: number; body: unknown }> = [];
      const released: string[] = [];
      items.forEach((item, index) => {
        const outcome = result[index];
        if (item.key === undefined || !claimed.has(item.key) || !outcome) return;
        if (outcome.ok) answers.push({ key: item.key, statusCode: outcome.value.statusCode, body: outcome.value.body });
        else released.push(item.key);
      });
      if (answers.length || released.length) await settleKeys(tx, tenantId, answers, released);
      return result;
    });
    if (accepted) this.onAccepted();
    return outcomes;
  }

  /** Up to 1,000 messages; each is accepted or refused on its own (per-item results). */
  async sendBatch(ctx: ServiceContext, requests: unknown[], validate: (item: unknown, index: number) => SendMessageRequest | AppError, idempotencyKey?: string): Promise<StoredResponse> {
    const tenantId = tenantOf(ctx.principal);
    const whatsapp = whatsappRecipients(requests);
    const apiKeyId = apiKeyOf(ctx);
    const plan = (shared: SendingContext): Plan<{ statusCode: number; body: unknown }> => {
      const context = { ...shared, apiKeyId };
      const results: BatchItemResult[] = new Array(requests.length);
      const prepared: Array<{ index: number; message: PreparedMessage }> = [];
      for (let index = 0; index < requests.length; index++) {
        try {
          const request = validate(requests[index], index);
          if (request instanceof AppError) throw request;
          this.#authorizeRoute(ctx, request);
          prepared.push({ index, message: prepareMessage(request, context) });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          results[index] = { index, error: refusalOf(error) };
        }
      }
      return {
        messages: prepared.map((p) => p.message),
        answer: (suppressed) => {
          for (const { index, message } of prepared) results[index] = { index, accepted: acceptedView(message, suppressed.has(message.id) ? 'suppressed' : message.status) };
          return { statusCode: 202, body: { accepted: prepared.length, rejected: requests.length - prepared.length, results } };
        },
      };
    };
    if (!idempotencyKey && !whatsapp) {
      const answer = await this.#storeWithCachedContext(tenantId, plan);
      if (answer) return { ...answer, replayed: false };
    }
    return this.#idempotent(tenantId, idempotencyKey, { path: '/v1/messages/batch', request: requests }, whatsapp, async (tx, context) => {
      const { messages, answer } = plan(context);
      return answer(await insertMessages(tx, messages));
    });
  }

  #authorizeRoute(ctx: ServiceContext, request: SendMessageRequest): void {
    authorize(ctx.principal, request.route === 'alert' ? 'messages:send:alert' : 'messages:send:marketing');
  }

  async #idempotent(
    tenantId: string,
    key: string | undefined,
    fingerprint: unknown,
    whatsapp: string[] | null,
    work: (tx: Tx, context: SendingContext) => Promise<{ statusCode: number; body: unknown }>,
  ): Promise<StoredResponse> {
    const hash = key ? requestHash(fingerprint) : '';
    const result = await this.db.transaction().execute(async (tx): Promise<StoredResponse> => {
      const context = await this.#enter(tx, tenantId, whatsapp);
      if (key) {
        // Claims the key first: a concurrent request with the same key waits here for this
        // transaction, then finds the stored answer.
        const claimed = await claimKeys(tx, tenantId, [{ key, hash }]);
        if (!claimed.size) {
          const stored = (await storedAnswers(tx, tenantId, [key])).get(key);
          if (!stored) throw new Error(`Idempotency-Key ${key} is neither new nor stored`);
          if (stored.request_hash !== hash) throw keyReused();
          return { statusCode: stored.status_code, body: stored.response, replayed: true };
        }
      }
      const answer = await work(tx, context);
      if (key) await settleKeys(tx, tenantId, [{ key, ...answer }], []);
      return { ...answer, replayed: false };
    });
    if (!result.replayed) this.onAccepted();
    return result;
  }

  /**
   * Enters the tenant (R-TENANT: the first statement of the transaction sets `app.tenant_id` for
   * it, as withTenant does) and reads what preparing its messages needs, in one round trip;
   * WhatsApp templates and windows only when WhatsApp recipients are given, and the windows of
   * those recipients only.
   */
  async #enter(tx: Tx, tenantId: string, whatsapp: string[] | null): Promise<SendingContext> {
    const now = this.clock.now();
    const base = await enterSendContext(tx, tenantId, now);
    if (!whatsapp) return this.#contextOf(tenantId, base, now, null);
    const [templates, windows] = await Promise.all([
      tx.selectFrom('whatsapp_templates').select(['name', 'language', 'status']).where('tenant_id', '=', tenantId).execute(),
      whatsapp.length
        ? tx
            .selectFrom('conversation_windows')
            .select(['contact', 'last_inbound_at'])
            .where('tenant_id', '=', tenantId)
            .where('channel', '=', 'whatsapp')
            .where('contact', 'in', whatsapp)
            .where('last_inbound_at', '>', new Date(now.getTime() - 86_400_000))
            .execute()
        : [],
    ]);
    return this.#contextOf(tenantId, base, now, {
      templates: new Map(templates.map((t) => [`${t.name}|${t.language}`, t.status])),
      lastInbound: new Map(windows.map((w) => [w.contact, w.last_inbound_at])),
    });
  }

  #contextOf(tenantId: string, base: SendingBase, now: Date, whatsapp: Pick<SendingContext, 'templates' | 'lastInbound'> | null): SendingContext {
    const settings = settingsOf(base.settings);
    const priceList: PriceList = withTenantPrices(
      DEFAULT_PRICE_LIST,
      base.prices.map((p) => ({ channel: p.channel as 'sms', route: p.route as 'marketing', country: p.country, unitMillicents: Number(p.unit), effectiveFrom: new Date(p.from) })),
    );
    return {
      tenantId,
      apiKeyId: null,
      now,
      defaultSender: settings.defaultSender,
      stopMention: settings.stopMention,
      stopShortCode: this.settings.stopShortCode,
      avoidSundaysAndHolidays: settings.avoidSundaysAndHolidays,
      segmentCap: settings.segmentCap,
      priceList,
      emailFrom: this.settings.emailFrom,
      whatsappPhoneNumberId: this.settings.whatsappPhoneNumberId,
      rcsAgentId: this.settings.rcsAgentId,
      templates: whatsapp?.templates ?? new Map(),
      lastInbound: whatsapp?.lastInbound ?? new Map(),
      ownedNumbers: new Set(base.numbers),
      unsubscribeUrl: (address) => this.settings.unsubscribeUrl(tenantId, address),
    };
  }

  async get(ctx: ServiceContext, id: string): Promise<MessageDetail> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    if (!isUuidV7(id)) throw notFound('Message');
    const createdAt = uuidv7Time(id);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.selectFrom('messages').selectAll().where('id', '=', id).where('created_at', '=', createdAt).executeTakeFirst();
      if (!row) throw notFound('Message');
      const events = await tx.selectFrom('message_events').select(['status', 'at', 'detail']).where('message_id', '=', id).where('at', '>=', createdAt).orderBy('at').execute();
      return { ...messageView(row), history: events.map((e) => ({ status: e.status, at: e.at.toISOString(), detail: e.detail })) };
    });
  }

  async list(ctx: ServiceContext, query: MessageQuery): Promise<{ data: MessageDetail[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => {
      let select = tx.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId);
      if (query.status) select = select.where('status', '=', query.status);
      if (query.channel) select = select.where('channel', '=', query.channel);
      if (query.route) select = select.where('route', '=', query.route);
      if (query.to) select = select.where('recipient', '=', query.to.startsWith('+') || query.to.includes('@') ? query.to.toLowerCase() : query.to);
      if (query.from) select = select.where('created_at', '>=', new Date(query.from));
      if (query.until) select = select.where('created_at', '<', new Date(query.until));
      if (query.cursor) {
        const after = decodeCursor<{ createdAt: string; id: string }>(query.cursor);
        select = select.where((eb) => eb.or([eb('created_at', '<', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '<', after.id)])]));
      }
      return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(messageView), nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null };
  }
}

export interface MessageQuery {
  limit: number;
  cursor?: string | undefined;
  status?: string | undefined;
  channel?: string | undefined;
  route?: string | undefined;
  to?: string | undefined;
  from?: string | undefined;
  until?: string | undefined;
}

function requestHash(fingerprint: unknown): string {
  return createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex');
}

const apiKeyOf = (ctx: ServiceContext): string | null => (ctx.principal.kind === 'api_key' ? ctx.principal.keyId : null);

const keyReused = () =>
  new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request', { errors: [{ path: '/headers/idempotency-key', message: 'already used for another request' }] });

const refusalOf = (error: AppError): Refusal => ({ status: error.status, code: error.code, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) });

/**
 * The recipients (E.164) of the WhatsApp messages among `requests`, whose customer-service
 * windows must be read; null when none is WhatsApp (no template nor window is read then).
 */
function whatsappRecipients(requests: readonly unknown[]): string[] | null {
  let recipients: string[] | null = null;
  for (const request of requests) {
    const { channel, to } = (request ?? {}) as { channel?: unknown; to?: unknown };
    if (channel !== 'whatsapp') continue;
    recipients ??= [];
    if (typeof to !== 'string') continue;
    const phone = normalisedPhone(to);
    if ('e164' in phone) recipients.push(phone.e164);
  }
  return recipients;
}

const cents = (millicents: number | null) => ({ amount: (millicents ?? 0) / 1000, currency: 'EUR' as const });

function acceptedView(message: PreparedMessage, status: string): AcceptedView {
  return {
    id: message.id,
    status: status as AcceptedView['status'],
    channel: message.channel,
    route: message.route,
    sendAt: message.sendAt.toISOString(),
    to: message.recipient,
    from: message.sender,
    text: message.content.text ?? null,
    encoding: message.encoding,
    segments: message.segments,
    characters: message.characters,
    price: cents(status === 'suppressed' ? 0 : message.priceMillicents),
    warnings: status === 'suppressed' ? [...message.warnings, 'suppressed: the recipient opted out (R-OPTOUT)'] : message.warnings,
  };
}

export type MessageDetail = ReturnType<typeof messageView> & { history?: Array<{ status: string; at: string; detail: Record<string, unknown> }> };

function messageView(row: {
  id: string; status: string; channel: string; route: string | null; recipient: string; sender: string | null; country: string | null;
  content: Record<string, unknown>; encoding: string | null; segments: number | null; characters: number | null; price_millicents: number | null;
  created_at: Date; send_at: Date; submitted_at: Date | null; done_at: Date | null; attempts: number; fell_back: boolean; error_code: string | null;
  error_message: string | null; attribution: string | null; metadata: Record<string, unknown> | null; warnings: string[];
}) {
  const { unsubscribeUrl: _hidden, fallbackSms: _fallback, ...content } = row.content as Record<string, unknown>;
  return {
    id: row.id,
    status: row.status,
    channel: row.channel,
    route: row.route,
    to: row.recipient,
    from: row.sender,
    country: row.country,
    content,
    encoding: row.encoding,
    segments: row.segments,
    characters: row.characters,
    price: cents(row.price_millicents),
    createdAt: row.created_at.toISOString(),
    sendAt: row.send_at.toISOString(),
    submittedAt: row.submitted_at?.toISOString() ?? null,
    doneAt: row.done_at?.toISOString() ?? null,
    attempts: row.attempts,
    fellBack: row.fell_back,
    error: row.error_code ? { code: row.error_code, message: row.error_message, attribution: row.attribution } : null,
    metadata: row.metadata,
    warnings: row.warnings,
  };
}
