import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { isUuidV7, uuidv7Time } from '../../platform/ids.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import { settingsOf } from '../tenants/index.ts';
import { insertMessages } from './repo.ts';
import { type PreparedMessage, prepareMessage, type SendingContext } from './prepare.ts';
import { DEFAULT_PRICE_LIST, type PriceList, withTenantPrices } from './rules.ts';
import type { SendMessageRequest } from './schemas.ts';

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

/**
 * The send API (issue 3): applies the contract's rules, and commits each accepted message with its
 * outbox row before answering 202 — nothing accepted is ever lost. Idempotency-Key replays the
 * first answer for the same key and body, and refuses the same key with another body.
 */
export class MessagingService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly settings: MessagingSettings,
  ) {}

  /** Called after messages are committed (wakes this process's dispatcher). */
  onAccepted: () => void = () => {};

  async send(ctx: ServiceContext, request: SendMessageRequest, idempotencyKey?: string): Promise<StoredResponse> {
    const tenantId = tenantOf(ctx.principal);
    this.#authorizeRoute(ctx, request);
    return this.#idempotent(ctx, tenantId, idempotencyKey, { path: '/v1/messages', request }, request.channel === 'whatsapp', async (tx, context) => {
      const prepared = prepareMessage(request, context);
      const statuses = await insertMessages(tx, [prepared]);
      return { statusCode: 202, body: acceptedView(prepared, statuses.get(prepared.id) ?? prepared.status) };
    });
  }

  /** Up to 1,000 messages; each is accepted or refused on its own (per-item results). */
  async sendBatch(ctx: ServiceContext, requests: unknown[], validate: (item: unknown, index: number) => SendMessageRequest | AppError, idempotencyKey?: string): Promise<StoredResponse> {
    const tenantId = tenantOf(ctx.principal);
    const whatsapp = requests.some((item) => (item as { channel?: unknown } | null)?.channel === 'whatsapp');
    return this.#idempotent(ctx, tenantId, idempotencyKey, { path: '/v1/messages/batch', request: requests }, whatsapp, async (tx, context) => {
      const results: BatchItemResult[] = [];
      const prepared: Array<{ index: number; message: PreparedMessage }> = [];
      requests.forEach((item, index) => {
        try {
          const request = validate(item, index);
          if (request instanceof AppError) throw request;
          this.#authorizeRoute(ctx, request);
          prepared.push({ index, message: prepareMessage(request, context) });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          results.push({ index, error: { status: error.status, code: error.code, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) } });
        }
      });
      const statuses = await insertMessages(tx, prepared.map((p) => p.message));
      for (const { index, message } of prepared) results.push({ index, accepted: acceptedView(message, statuses.get(message.id) ?? message.status) });
      results.sort((a, b) => a.index - b.index);
      const accepted = prepared.length;
      return { statusCode: 202, body: { accepted, rejected: requests.length - accepted, results } };
    });
  }

  #authorizeRoute(ctx: ServiceContext, request: SendMessageRequest): void {
    authorize(ctx.principal, request.route === 'alert' ? 'messages:send:alert' : 'messages:send:marketing');
  }

  async #idempotent(
    ctx: ServiceContext,
    tenantId: string,
    key: string | undefined,
    fingerprint: unknown,
    needsWhatsApp: boolean,
    work: (tx: Tx, context: SendingContext) => Promise<{ statusCode: number; body: unknown }>,
  ): Promise<StoredResponse> {
    const requestHash = createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex');
    const result = await withTenant(this.db, tenantId, async (tx) => {
      if (key) {
        // Claims the key first: a concurrent request with the same key waits here for this
        // transaction, then finds the stored answer.
        const claimed = await sql<{ key: string }>`
          insert into idempotency_keys (tenant_id, key, request_hash, status_code, response)
          values (${tenantId}, ${key}, ${requestHash}, 0, 'null'::jsonb)
          on conflict (tenant_id, key) do nothing returning key`.execute(tx);
        if (!claimed.rows.length) {
          const stored = await tx.selectFrom('idempotency_keys').select(['request_hash', 'status_code', 'response']).where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirstOrThrow();
          if (stored.request_hash !== requestHash) {
            throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request', { errors: [{ path: '/headers/idempotency-key', message: 'already used for another request' }] });
          }
          return { statusCode: stored.status_code, body: stored.response, replayed: true };
        }
      }
      const context = await this.#context(tx, ctx, tenantId, needsWhatsApp);
      const answer = await work(tx, context);
      if (key) {
        await tx.updateTable('idempotency_keys').set({ status_code: answer.statusCode, response: JSON.stringify(answer.body) }).where('tenant_id', '=', tenantId).where('key', '=', key).execute();
      }
      return { ...answer, replayed: false };
    });
    if (!result.replayed) this.onAccepted();
    return result;
  }

  /** What preparing this tenant's messages needs; WhatsApp templates and windows only for WhatsApp. */
  async #context(tx: Tx, ctx: ServiceContext, tenantId: string, needsWhatsApp: boolean): Promise<SendingContext> {
    const now = this.clock.now();
    const [tenant, prices, templates, windows, numbers] = await Promise.all([
      tx.selectFrom('tenants').select('settings').where('id', '=', tenantId).executeTakeFirstOrThrow(),
      tx.selectFrom('tenant_prices').selectAll().where('tenant_id', '=', tenantId).where('effective_from', '<=', now).execute(),
      needsWhatsApp ? tx.selectFrom('whatsapp_templates').select(['name', 'language', 'status']).where('tenant_id', '=', tenantId).execute() : [],
      needsWhatsApp
        ? tx.selectFrom('conversation_windows').select(['contact', 'last_inbound_at']).where('tenant_id', '=', tenantId).where('channel', '=', 'whatsapp').where('last_inbound_at', '>', new Date(now.getTime() - 86_400_000)).execute()
        : [],
      tx.selectFrom('senders').select('sender').where('tenant_id', '=', tenantId).where('status', '=', 'active').where('kind', 'in', ['short_code', 'long_number']).execute(),
    ]);
    const settings = settingsOf(tenant.settings);
    const priceList: PriceList = withTenantPrices(DEFAULT_PRICE_LIST, prices.map((p) => ({ channel: p.channel as 'sms', route: p.route as 'marketing', country: p.country, unitMillicents: Number(p.unit_millicents), effectiveFrom: p.effective_from })));
    return {
      tenantId,
      apiKeyId: ctx.principal.kind === 'api_key' ? ctx.principal.keyId : null,
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
      templates: new Map(templates.map((t) => [`${t.name}|${t.language}`, t.status])),
      lastInbound: new Map(windows.map((w) => [w.contact, w.last_inbound_at])),
      ownedNumbers: new Set(numbers.map((n) => n.sender)),
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
