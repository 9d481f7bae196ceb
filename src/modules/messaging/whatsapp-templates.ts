import { type Selectable, sql } from 'kysely';
import type { ChannelError } from '../../channels/types.ts';
import type { TemplateResult, TemplateStatusUpdate, WaTemplate, WaTemplateComponent, WaTemplateDefinition } from '../../channels/whatsapp/index.ts';
import { type RequestContext, recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { WhatsAppTemplatesTable } from '../../platform/db/schema.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import { enqueueWebhookEvent } from '../webhooks/index.ts';
import {
  checkTemplateDefinition,
  rejectionReasonOf,
  type TemplateCategory,
  type TemplateComponentInput,
  templateEventEffect,
  type TemplateStatus,
  templateStatusFromMeta,
} from './rules.ts';

/**
 * The WhatsApp template registry (issue 3): a tenant's templates, created at Meta for review, with
 * the approval status Meta reports. The send path reads `status` from the same table and sends
 * only APPROVED templates (`template_not_approved`).
 *
 * Who may do what (R-IAM, R-APIKEY): reading needs `messages:read` (every role; keys with the
 * `messages:read` scope). Creating, deleting and syncing submit content to Meta on the tenant's
 * behalf: they need `campaigns:write` — the owner, admin and marketer roles, and API keys with
 * the `campaigns:write` scope (content authoring), not the sending scopes.
 *
 * One WhatsApp Business Account serves the installation (`SOFY_WHATSAPP_BUSINESS_ACCOUNT_ID`),
 * and Meta keeps names unique per language within it: a name taken by another account of the
 * installation is refused with `template_exists` like any duplicate.
 */

/** What the service needs of the Business Management API (the adapter, or a fake in tests). */
export interface TemplateApi {
  readonly businessAccountId: string;
  create(definition: WaTemplateDefinition): Promise<TemplateResult<{ id: string; status: string; category: string }>>;
  listAll(options?: { name?: string }): Promise<TemplateResult<WaTemplate[]>>;
  delete(target: { name: string; id?: string }): Promise<TemplateResult<void>>;
}

export interface TemplateInput {
  name: string;
  language: string;
  category: TemplateCategory;
  components: TemplateComponentInput[];
}

export interface TemplateView {
  name: string;
  language: string;
  category: string;
  status: TemplateStatus;
  /** Why Meta rejected it (INVALID_FORMAT, ABUSIVE_CONTENT…); null unless REJECTED. */
  rejectionReason: string | null;
  /** What Meta explained with the last status change (rejection_info, pause or disable info). */
  statusDetail: Record<string, unknown> | null;
  /** Meta's template id. */
  providerId: string | null;
  components: unknown[];
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface SyncReport {
  /** Templates whose status (or Meta id) changed. */
  updated: number;
  /** Templates that no longer exist at Meta, removed here too. */
  removed: number;
  unchanged: number;
  data: TemplateView[];
}

type Row = Selectable<WhatsAppTemplatesTable>;

/** Meta's status webhook acts as this actor in the audit trail. */
const META: RequestContext = { actor: { type: 'system', id: 'meta', label: 'Meta (WhatsApp webhook)' }, ip: null, requestId: null };

const TARGET = (name: string, language: string) => ({ type: 'whatsapp_template', id: `${name}/${language}` });

export class WhatsAppTemplatesService {
  #api: () => TemplateApi;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    api: () => TemplateApi,
    private readonly log: (line: string, fields?: Record<string, unknown>) => void = () => {},
  ) {
    this.#api = api;
  }

  /** Points the service at the provider endpoints this process actually uses (the sandbox's port…). */
  setApi(api: () => TemplateApi): void {
    this.#api = api;
  }

  async list(ctx: ServiceContext, query: { status?: TemplateStatus | undefined; limit: number; cursor?: string | undefined }): Promise<{ data: TemplateView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => {
      let select = tx.selectFrom('whatsapp_templates').selectAll().where('tenant_id', '=', tenantId);
      if (query.status) select = select.where('status', '=', query.status);
      if (query.cursor) {
        const after = decodeCursor<{ name: string; language: string }>(query.cursor);
        if (typeof after.name !== 'string' || typeof after.language !== 'string') throw new AppError('invalid_cursor', 'The cursor is not one this API gave', { errors: [{ path: '/querystring/cursor', message: 'is invalid' }] });
        select = select.where((eb) => eb.or([eb('name', '>', after.name), eb.and([eb('name', '=', after.name), eb('language', '>', after.language)])]));
      }
      return select.orderBy('name').orderBy('language').limit(query.limit + 1).execute();
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(view), nextCursor: rows.length > query.limit && last ? encodeCursor({ name: last.name, language: last.language }) : null };
  }

  async get(ctx: ServiceContext, name: string, language: string): Promise<TemplateView> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    const row = await withTenant(this.db, tenantId, (tx) => findRow(tx, tenantId, name, language));
    if (!row) throw notFoundError(name, language);
    return view(row);
  }

  /**
   * Submits a template to Meta and registers it as PENDING. The row is reserved first and
   * committed, then Meta is called: a template never exists at Meta without its row here, and a
   * status webhook faster than our own answer still finds its tenant (by name and language).
   */
  async create(ctx: ServiceContext, input: TemplateInput): Promise<TemplateView> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const problems = checkTemplateDefinition(input);
    if (problems.length) {
      throw new AppError('invalid_template', `Meta would refuse this template: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { errors: problems });
    }
    const api = this.#api();
    const components = toMetaComponents(input.components);
    const actor = ctx.actor.label;
    const reserved = await withTenant(this.db, tenantId, (tx) =>
      tx
        .insertInto('whatsapp_templates')
        .values({
          tenant_id: tenantId,
          name: input.name,
          language: input.language,
          category: input.category,
          status: 'PENDING',
          components: JSON.stringify(components),
          business_account_id: api.businessAccountId,
          created_by: actor,
          updated_by: actor,
          updated_at: this.clock.now(),
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'name', 'language']).doNothing())
        .returning('name')
        .executeTakeFirst(),
    );
    if (!reserved) throw existsError(input.name, input.language);

    const result = await api.create({ name: input.name, language: input.language, category: input.category, components });
    if (!result.ok) {
      // An unknown outcome (timeout, connection lost) may have created it at Meta: the row stays
      // PENDING and a sync settles it. Any other failure created nothing: the reservation goes.
      if (!result.error.outcomeUnknown) {
        await withTenant(this.db, tenantId, (tx) =>
          tx.deleteFrom('whatsapp_templates').where('tenant_id', '=', tenantId).where('name', '=', input.name).where('language', '=', input.language).where('provider_id', 'is', null).execute(),
        );
      }
      throw providerFailure(result.error, input.name, input.language);
    }
    const metaStatus = templateStatusFromMeta(result.value.status);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx
        .updateTable('whatsapp_templates')
        .set((eb) => ({
          provider_id: result.value.id,
          category: result.value.category,
          // Meta usually answers PENDING; a status webhook may already have come: keep it then.
          status: metaStatus && metaStatus !== 'removed' && metaStatus !== 'PENDING' ? metaStatus : eb.ref('status'),
          updated_at: this.clock.now(),
        }))
        .where('tenant_id', '=', tenantId)
        .where('name', '=', input.name)
        .where('language', '=', input.language)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'whatsapp_template.created',
        target: TARGET(input.name, input.language),
        summary: { category: input.category, providerId: result.value.id, status: row.status },
        at: this.clock.now(),
      });
      return view(row);
    });
  }

  /** Deletes the template at Meta (that language only), then here. */
  async remove(ctx: ServiceContext, name: string, language: string): Promise<void> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const row = await withTenant(this.db, tenantId, (tx) => findRow(tx, tenantId, name, language));
    if (!row) throw notFoundError(name, language);
    const api = this.#api();
    // Deleting by name alone would take every language of the name at Meta: find this one's id.
    let providerId = row.provider_id;
    let atMeta = true;
    if (!providerId) {
      const found = await this.#findAtMeta(api, name, language);
      providerId = found?.id ?? null;
      atMeta = found !== undefined;
    }
    if (atMeta && providerId) {
      const result = await api.delete({ name, id: providerId });
      // Gone already (deleted in WhatsApp Manager)? Then only our row is left to remove.
      if (!result.ok && (await this.#findAtMeta(api, name, language, providerId)) !== undefined) throw providerFailure(result.error, name, language);
    }
    await withTenant(this.db, tenantId, async (tx) => {
      const deleted = await tx.deleteFrom('whatsapp_templates').where('tenant_id', '=', tenantId).where('name', '=', name).where('language', '=', language).returning('status').executeTakeFirst();
      if (!deleted) throw notFoundError(name, language);
      await recordAudit(tx, ctx, { tenantId, action: 'whatsapp_template.deleted', target: TARGET(name, language), summary: { providerId, status: deleted.status }, at: this.clock.now() });
    });
  }

  /** The template at Meta by id, or by name and language; undefined when Meta does not have it. Throws when Meta cannot say. */
  async #findAtMeta(api: TemplateApi, name: string, language: string, id?: string): Promise<WaTemplate | undefined> {
    const listed = await api.listAll({ name });
    if (!listed.ok) throw providerFailure(listed.error, name, language);
    return listed.value.find((t) => (id ? t.id === id : t.name === name && t.language === language));
  }

  /**
   * Pulls Meta's list and reconciles the tenant's templates with it: statuses, rejection reasons
   * and ids are brought up to date, and templates Meta no longer has are removed (they could not
   * be sent anyway). Templates at Meta that no account here registered are left alone: in a WABA
   * shared by the installation they may belong to someone else.
   */
  async sync(ctx: ServiceContext): Promise<SyncReport> {
    authorize(ctx.principal, 'campaigns:write');
    const tenantId = tenantOf(ctx.principal);
    const api = this.#api();
    const listed = await api.listAll();
    if (!listed.ok) throw providerFailure(listed.error);
    const byId = new Map(listed.value.map((t) => [t.id, t]));
    const byName = new Map(listed.value.map((t) => [`${t.name}|${t.language}`, t]));
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const rows = await tx.selectFrom('whatsapp_templates').selectAll().where('tenant_id', '=', tenantId).forUpdate().execute();
      let updated = 0;
      let removed = 0;
      let unchanged = 0;
      for (const row of rows) {
        // Rows of another WABA (the setting changed since) are not in this list: leave them.
        if (row.business_account_id !== null && row.business_account_id !== api.businessAccountId) {
          unchanged++;
          continue;
        }
        let meta = row.provider_id ? byId.get(row.provider_id) : byName.get(`${row.name}|${row.language}`);
        if (meta && !row.provider_id) {
          // A row whose creation had an unknown outcome: the template Meta has under that name may
          // be another account's (created since). Its owner, if any, is known by its id.
          const { rows: owner } = await sql<{ tenant_id: string | null }>`select whatsapp_template_tenant(${api.businessAccountId}, ${meta.id}, ${row.name}, ${row.language}) as tenant_id`.execute(tx);
          if (owner[0]?.tenant_id && owner[0].tenant_id !== tenantId) meta = undefined;
        }
        const status = meta ? templateStatusFromMeta(meta.status) : 'removed';
        if (status === 'removed') {
          await tx.deleteFrom('whatsapp_templates').where('tenant_id', '=', tenantId).where('name', '=', row.name).where('language', '=', row.language).execute();
          await recordAudit(tx, ctx, { tenantId, action: 'whatsapp_template.removed', target: TARGET(row.name, row.language), summary: { source: 'sync', providerId: row.provider_id, status: row.status }, at: now });
          await emitStatusChanged(tx, tenantId, row, { newStatus: 'DELETED', providerId: row.provider_id, reason: null, statusDetail: null, event: null, source: 'sync' }, now);
          removed++;
          continue;
        }
        const next = status ?? (row.status as TemplateStatus);
        const reason = rejectionReasonOf(next, meta?.rejectedReason ?? row.rejection_reason);
        if (next === row.status && reason === row.rejection_reason && meta?.id === row.provider_id && row.business_account_id !== null) {
          unchanged++;
          continue;
        }
        await tx
          .updateTable('whatsapp_templates')
          .set({ status: next, rejection_reason: reason, provider_id: meta?.id ?? row.provider_id, business_account_id: api.businessAccountId, updated_at: now, updated_by: ctx.actor.label })
          .where('tenant_id', '=', tenantId)
          .where('name', '=', row.name)
          .where('language', '=', row.language)
          .execute();
        if (next !== row.status) {
          await recordAudit(tx, ctx, {
            tenantId,
            action: 'whatsapp_template.status_changed',
            target: TARGET(row.name, row.language),
            summary: { source: 'sync', from: row.status, to: next, reason },
            at: now,
          });
          await emitStatusChanged(tx, tenantId, row, { newStatus: next, providerId: meta?.id ?? row.provider_id, reason, statusDetail: null, event: null, source: 'sync' }, now);
        }
        updated++;
      }
      const after = await tx.selectFrom('whatsapp_templates').selectAll().where('tenant_id', '=', tenantId).orderBy('name').orderBy('language').execute();
      return { updated, removed, unchanged, data: after.map(view) };
    });
  }

  /**
   * A `message_template_status_update` from Meta: the status (and rejection reason) of the
   * template, for the tenant that owns it. Unknown templates are logged and ignored (Meta gets
   * its 200: retrying would not make them known). Meta's retries change nothing twice.
   */
  async applyStatusUpdate(update: TemplateStatusUpdate): Promise<'applied' | 'unchanged' | 'ignored' | 'unknown'> {
    const effect = templateEventEffect(update.event);
    if (effect.kind === 'ignored') {
      this.log('WhatsApp template event without effect on the registry', { event: update.event, name: update.name, language: update.language });
      return 'ignored';
    }
    const { rows } = await sql<{ tenant_id: string | null }>`select whatsapp_template_tenant(${update.businessAccountId}, ${update.templateId}, ${update.name}, ${update.language}) as tenant_id`.execute(this.db);
    const tenantId = rows[0]?.tenant_id;
    if (!tenantId) {
      this.log('WhatsApp template status for a template no account registered: ignored', { businessAccountId: update.businessAccountId, templateId: update.templateId, name: update.name, language: update.language, event: update.event });
      return 'unknown';
    }
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx
        .selectFrom('whatsapp_templates')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('provider_id', '=', update.templateId), eb.and([eb('name', '=', update.name), eb('language', '=', update.language), eb('provider_id', 'is', null)])]))
        .forUpdate()
        .executeTakeFirst();
      if (!row) return 'unknown' as const;
      if (effect.kind === 'removed') {
        await tx.deleteFrom('whatsapp_templates').where('tenant_id', '=', tenantId).where('name', '=', row.name).where('language', '=', row.language).execute();
        await recordAudit(tx, META, { tenantId, action: 'whatsapp_template.removed', target: TARGET(row.name, row.language), summary: { source: 'webhook', event: update.event, providerId: update.templateId }, at: now });
        await emitStatusChanged(tx, tenantId, row, { newStatus: 'DELETED', providerId: update.templateId, reason: metaReason(update.reason), statusDetail: update.detail ?? null, event: update.event, source: 'webhook' }, now);
        return 'applied' as const;
      }
      const reason = rejectionReasonOf(effect.status, update.reason);
      if (row.status === effect.status && row.rejection_reason === reason && row.provider_id === update.templateId) return 'unchanged' as const;
      await tx
        .updateTable('whatsapp_templates')
        .set({
          status: effect.status,
          rejection_reason: reason,
          status_detail: update.detail ? JSON.stringify(update.detail) : null,
          provider_id: update.templateId,
          business_account_id: update.businessAccountId,
          updated_at: now,
          updated_by: 'Meta',
        })
        .where('tenant_id', '=', tenantId)
        .where('name', '=', row.name)
        .where('language', '=', row.language)
        .execute();
      if (row.status !== effect.status) {
        await recordAudit(tx, META, {
          tenantId,
          action: 'whatsapp_template.status_changed',
          target: TARGET(row.name, row.language),
          summary: { source: 'webhook', event: update.event, from: row.status, to: effect.status, reason },
          at: now,
        });
        await emitStatusChanged(
          tx,
          tenantId,
          row,
          { newStatus: effect.status, providerId: update.templateId, reason: reason ?? metaReason(update.reason), statusDetail: update.detail ?? null, event: update.event, source: 'webhook' },
          now,
        );
      }
      return 'applied' as const;
    });
  }
}

/**
 * The tenant's `whatsapp_template.status_changed` webhook, enqueued in the transaction that records
 * the change (so it is sent exactly when the change is committed): Meta's review or quality
 * decision, by its webhook or found by a sync. `newStatus` is `DELETED` when Meta no longer has
 * the template (it is removed here too). A change the tenant made itself (deleting through the
 * API) is not announced: the caller already knows.
 */
async function emitStatusChanged(
  tx: Tx,
  tenantId: string,
  row: Row,
  change: { newStatus: TemplateStatus | 'DELETED'; providerId: string | null; reason: string | null; statusDetail: Record<string, unknown> | null; event: string | null; source: 'webhook' | 'sync' },
  at: Date,
): Promise<void> {
  await enqueueWebhookEvent(
    tx,
    tenantId,
    'whatsapp_template.status_changed',
    {
      name: row.name,
      language: row.language,
      category: row.category,
      providerId: change.providerId,
      oldStatus: row.status,
      newStatus: change.newStatus,
      reason: change.reason,
      statusDetail: change.statusDetail,
      event: change.event,
      source: change.source,
    },
    at,
  );
}

/** Meta's `reason` worth passing on: it writes `NONE` when there is none. */
const metaReason = (reason: string | null): string | null => (reason && reason !== 'NONE' ? reason : null);

/** Our input as Meta's component JSON: only the fields Meta expects, in its order. */
export function toMetaComponents(components: TemplateComponentInput[]): WaTemplateComponent[] {
  return components.map((c): WaTemplateComponent => {
    switch (c.type) {
      case 'HEADER':
        return { type: 'HEADER', format: 'TEXT', text: c.text ?? '', ...(c.example?.header_text?.length ? { example: { header_text: c.example.header_text } } : {}) };
      case 'BODY':
        return { type: 'BODY', text: c.text ?? '', ...(c.example?.body_text?.length ? { example: { body_text: c.example.body_text } } : {}) };
      case 'FOOTER':
        return { type: 'FOOTER', text: c.text ?? '' };
      default:
        return {
          type: 'BUTTONS',
          buttons: (c.buttons ?? []).map((b) => ({
            type: b.type,
            text: b.text,
            ...(b.type === 'URL' && b.url ? { url: b.url } : {}),
            ...(b.type === 'PHONE_NUMBER' && b.phone_number ? { phone_number: b.phone_number } : {}),
          })),
        };
    }
  });
}

function findRow(tx: Tx, tenantId: string, name: string, language: string): Promise<Row | undefined> {
  return tx.selectFrom('whatsapp_templates').selectAll().where('tenant_id', '=', tenantId).where('name', '=', name).where('language', '=', language).executeTakeFirst();
}

const notFoundError = (name: string, language: string) => new AppError('template_not_found', `No WhatsApp template ${name} in ${language} for this account`);

const existsError = (name: string, language: string) =>
  new AppError('template_exists', `A WhatsApp template ${name} already exists in ${language}`, { errors: [{ path: '/name', message: `already exists in ${language}` }] });

/** A refusal or failure of Meta, as one of our stable codes (R-3RD: Meta's failures say so). */
function providerFailure(error: ChannelError, name?: string, language?: string): AppError {
  if (error.code === 'template_exists' && name && language) {
    return new AppError('template_exists', `Meta already has a template ${name} in ${language} in this WhatsApp Business Account (possibly being deleted)`, {
      errors: [{ path: '/name', message: `already exists in ${language} at Meta` }],
      extensions: { providerCode: error.providerCode ?? null },
    });
  }
  if (!error.retryable && error.attribution === 'platform' && ['invalid_request', 'template_invalid', 'template_param_mismatch'].includes(error.code)) {
    return new AppError('invalid_template', `Meta refused the template: ${error.message}`, { extensions: { providerCode: error.providerCode ?? null } });
  }
  const unknown = error.outcomeUnknown ? ' The outcome is unknown: synchronise (POST /v1/whatsapp/templates/sync) before trying again.' : '';
  return new AppError('provider_error', `WhatsApp (Meta) did not complete the call: ${error.message}.${unknown}`, {
    extensions: { provider: 'meta', providerCode: error.providerCode ?? error.code, retryable: error.retryable, attribution: error.attribution, outcomeUnknown: error.outcomeUnknown ?? false },
  });
}

function view(row: Row): TemplateView {
  return {
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status as TemplateStatus,
    rejectionReason: row.rejection_reason,
    statusDetail: row.status_detail && typeof row.status_detail === 'object' ? (row.status_detail as Record<string, unknown>) : null,
    providerId: row.provider_id,
    components: Array.isArray(row.components) ? row.components : [],
    createdAt: row.created_at.toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}
