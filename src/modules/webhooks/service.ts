import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SecretKeyring } from '../../platform/crypto.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import { generateWebhookSecret, webhookUrlProblem } from './rules.ts';

export const SECRET_PURPOSE = 'webhook-secret';

export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventType: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: Record<string, unknown>;
}

/** Endpoints the tenant registers, the delivery log, and replays (console and API, `admin`). */
export class WebhooksService {
  constructor(
    private readonly db: Database,
    private readonly keyring: SecretKeyring,
    private readonly clock: Clock,
    private readonly allowPrivateNetworks: boolean,
  ) {}

  async list(ctx: ServiceContext): Promise<EndpointView[]> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => tx.selectFrom('webhook_endpoints').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute());
    return rows.map(endpointView);
  }

  async create(ctx: ServiceContext, input: { url: string; events: string[]; description?: string | undefined }): Promise<{ endpoint: EndpointView; secret: string }> {
    authorize(ctx.principal, 'settings:manage');
    const problem = webhookUrlProblem(input.url, this.allowPrivateNetworks);
    if (problem) throw new AppError('validation_failed', `The URL ${problem}`, { errors: [{ path: '/url', message: problem }] });
    const tenantId = tenantOf(ctx.principal);
    const secret = generateWebhookSecret();
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx
        .insertInto('webhook_endpoints')
        .values({ tenant_id: tenantId, url: input.url, secret: this.keyring.encrypt(SECRET_PURPOSE, secret), events: [...new Set(input.events)], description: input.description ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, { tenantId, action: 'webhook.created', target: { type: 'webhook_endpoint', id: row.id }, summary: { url: row.url, events: row.events }, at: this.clock.now() });
      return { endpoint: endpointView(row), secret };
    });
  }

  async update(ctx: ServiceContext, id: string, changes: { url?: string; events?: string[]; enabled?: boolean; description?: string | null }): Promise<EndpointView> {
    authorize(ctx.principal, 'settings:manage');
    if (changes.url !== undefined) {
      const problem = webhookUrlProblem(changes.url, this.allowPrivateNetworks);
      if (problem) throw new AppError('validation_failed', `The URL ${problem}`, { errors: [{ path: '/url', message: problem }] });
    }
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx
        .updateTable('webhook_endpoints')
        .set({ ...(changes.url !== undefined ? { url: changes.url } : {}), ...(changes.events ? { events: [...new Set(changes.events)] } : {}), ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}), ...(changes.description !== undefined ? { description: changes.description } : {}) })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('Webhook endpoint');
      await recordAudit(tx, ctx, { tenantId, action: 'webhook.updated', target: { type: 'webhook_endpoint', id }, summary: changes, at: this.clock.now() });
      return endpointView(row);
    });
  }

  async remove(ctx: ServiceContext, id: string): Promise<void> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    await withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.deleteFrom('webhook_endpoints').where('id', '=', id).returning(['id', 'url']).executeTakeFirst();
      if (!row) throw notFound('Webhook endpoint');
      await recordAudit(tx, ctx, { tenantId, action: 'webhook.deleted', target: { type: 'webhook_endpoint', id }, summary: { url: row.url }, at: this.clock.now() });
    });
  }

  /** The signing secret, for an admin who lost it (audited). */
  async revealSecret(ctx: ServiceContext, id: string): Promise<string> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.selectFrom('webhook_endpoints').select('secret').where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound('Webhook endpoint');
      await recordAudit(tx, ctx, { tenantId, action: 'webhook.secret_revealed', target: { type: 'webhook_endpoint', id }, at: this.clock.now() });
      return this.keyring.decrypt(SECRET_PURPOSE, row.secret);
    });
  }

  async deliveries(ctx: ServiceContext, query: { limit: number; cursor?: string | undefined; endpointId?: string | undefined; status?: string | undefined }): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => {
      let select = tx.selectFrom('webhook_deliveries').selectAll().where('tenant_id', '=', tenantId);
      if (query.endpointId) select = select.where('endpoint_id', '=', query.endpointId);
      if (query.status) select = select.where('status', '=', query.status);
      if (query.cursor) {
        const after = decodeCursor<{ createdAt: string; id: string }>(query.cursor);
        select = select.where((eb) => eb.or([eb('created_at', '<', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '<', after.id)])]));
      }
      return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(deliveryView), nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null };
  }

  /** Sends an event again, as a new delivery with the same payload (and a new id). */
  async replay(ctx: ServiceContext, deliveryId: string): Promise<DeliveryView> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const original = await tx.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
      if (!original) throw notFound('Webhook delivery');
      const copy = await tx
        .insertInto('webhook_deliveries')
        .values({ id: uuidv7(this.clock.now()), tenant_id: tenantId, endpoint_id: original.endpoint_id, event_type: original.event_type, payload: JSON.stringify(original.payload) })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, { tenantId, action: 'webhook.replayed', target: { type: 'webhook_delivery', id: deliveryId }, summary: { newDelivery: copy.id }, at: this.clock.now() });
      return deliveryView(copy);
    });
  }

  /** Sends a `webhook.test` event to an endpoint now (the console's "send test" button). */
  async sendTest(ctx: ServiceContext, endpointId: string): Promise<DeliveryView> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const endpoint = await tx.selectFrom('webhook_endpoints').select('id').where('id', '=', endpointId).executeTakeFirst();
      if (!endpoint) throw notFound('Webhook endpoint');
      const row = await tx
        .insertInto('webhook_deliveries')
        .values({ id: uuidv7(this.clock.now()), tenant_id: tenantId, endpoint_id: endpointId, event_type: 'webhook.test', payload: JSON.stringify({ type: 'webhook.test', timestamp: this.clock.now().toISOString(), data: { message: 'Test SOFY' } }) })
        .returningAll()
        .executeTakeFirstOrThrow();
      return deliveryView(row);
    });
  }
}

/** Enqueues an event for every subscribed endpoint of a tenant, inside the caller's transaction. */
export async function enqueueWebhookEvent(tx: Tx | Database, tenantId: string, eventType: string, data: Record<string, unknown>, at: Date): Promise<void> {
  await sql`select enqueue_webhooks(${tenantId}::uuid, ${eventType}, ${JSON.stringify({ type: eventType, timestamp: at.toISOString(), data })}::jsonb)`.execute(tx);
}

const endpointView = (row: { id: string; url: string; events: string[]; enabled: boolean; description: string | null; created_at: Date }): EndpointView => ({
  id: row.id,
  url: row.url,
  events: row.events,
  enabled: row.enabled,
  description: row.description,
  createdAt: row.created_at.toISOString(),
});

const deliveryView = (row: {
  id: string; endpoint_id: string; event_type: string; status: string; attempts: number; next_attempt_at: Date; last_status_code: number | null;
  last_error: string | null; created_at: Date; delivered_at: Date | null; payload: Record<string, unknown>;
}): DeliveryView => ({
  id: row.id,
  endpointId: row.endpoint_id,
  eventType: row.event_type,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  createdAt: row.created_at.toISOString(),
  deliveredAt: row.delivered_at?.toISOString() ?? null,
  payload: row.payload,
});
