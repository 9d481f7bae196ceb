import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, type ErrorCode, type FieldError, notFound } from '../../platform/errors.ts';
import type { Principal, ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { compileItemValidator } from '../../platform/http/validation.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import { normalisePhoneNumber } from '../messaging/rules.ts';
import { contactsTx } from './db.ts';
import { type ExportFormat, exportChunks } from './export.ts';
import {
  attributeDefinitionMap,
  type ContactRow,
  consentHistoryOf,
  consentSummaryOf,
  consentsOf,
  contactFieldsOf,
  findContact,
  listAttributeDefinitions,
  lockContactsAgainstErasure,
  recordConsent,
  suppressedAddresses,
  takenKeys,
  type UpsertRow,
  upsertContacts,
  writeContact,
} from './repo.ts';
import {
  applyPatch,
  type AttributeType,
  attributeDefinitionProblems,
  CONSENT_CHANNELS,
  type ConsentChange,
  type ConsentChannel,
  type ConsentProblemCode,
  type ConsentStatus,
  consentTransition,
  type ContactInput,
  type ContactProblem,
  type MergePolicy,
  newContactFields,
  type NormalisedContact,
  normaliseContactInput,
  normaliseEmail,
} from './rules.ts';
import { type CreateAttributeRequest, CreateContactBody, type CreateContactRequest, type ContactListRequest, type SetConsentRequest, type UpdateContactRequest } from './schemas.ts';
import { contactTimeline, type TimelineItemView } from './timeline.ts';

export interface ContactView {
  id: string;
  phone: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  language: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
  pointOfSale: string | null;
  externalId: string | null;
  consent: Record<ConsentChannel, ConsentStatus>;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string | null;
}

export interface ConsentView {
  channel: ConsentChannel;
  status: ConsentStatus;
  source: string | null;
  at: string | null;
  proof: Record<string, unknown>;
}

export interface ContactDetail extends ContactView {
  consents: ConsentView[];
  suppressed: { phone: boolean; email: boolean };
  warnings?: string[];
}

export interface AttributeDefinitionView {
  key: string;
  label: string;
  type: AttributeType;
  choices: string[] | null;
  createdAt: string;
}

export interface BulkItemResult {
  index: number;
  status: 'inserted' | 'updated' | 'skipped' | 'failed';
  id: string | null;
  reason?: string;
  warnings?: string[];
  error?: { code: string; detail: string; errors?: FieldError[] };
}

export const contactView = (row: ContactRow): ContactView => ({
  id: row.id,
  phone: row.phone,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  language: row.language,
  attributes: row.attributes ?? {},
  tags: row.tags ?? [],
  pointOfSale: row.point_of_sale,
  externalId: row.external_id,
  consent: consentSummaryOf(row),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  lastActivityAt: row.last_activity_at ? row.last_activity_at.toISOString() : null,
});

/** Who recorded a consent change, for contact_consent_events.actor (never personal data of the contact). */
export const actorRef = (principal: Principal): string => (principal.kind === 'api_key' ? `api_key:${principal.keyId}` : `${principal.kind}:${principal.userId}`);

const KEY_ERRORS: Record<'phone' | 'email' | 'externalId', { code: ErrorCode; message: string }> = {
  phone: { code: 'contact_phone_taken', message: 'another contact has this phone number' },
  email: { code: 'contact_email_taken', message: 'another contact has this email address' },
  externalId: { code: 'contact_external_id_taken', message: 'another contact has this external id' },
};

const CONSTRAINT_FIELDS: Record<string, 'phone' | 'email' | 'externalId'> = { contacts_phone_key: 'phone', contacts_email_key: 'email', contacts_external_key: 'externalId' };

/** Problems from normaliseContactInput as one 422 (the first problem's code; every field listed). */
function problemsError(problems: readonly ContactProblem[]): AppError {
  const first = problems[0];
  const code: ErrorCode = first?.code ?? 'validation_failed';
  return new AppError(code, problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; '), { errors: problems.map((p) => ({ path: p.path || '/', message: p.message })) });
}

function takenError(taken: { phone: boolean; email: boolean; externalId: boolean }): AppError | null {
  const field = (['phone', 'email', 'externalId'] as const).find((f) => taken[f]);
  if (!field) return null;
  const { code, message } = KEY_ERRORS[field];
  return new AppError(code, message, { errors: [{ path: `/${field}`, message }] });
}

/** A unique violation that a concurrent write caused between our check and our write. */
function uniqueViolation(error: unknown): AppError | null {
  const pg = error as { code?: string; constraint?: string };
  if (pg.code !== '23505' || !pg.constraint) return null;
  const field = CONSTRAINT_FIELDS[pg.constraint];
  if (!field) return null;
  const { code, message } = KEY_ERRORS[field];
  return new AppError(code, message, { errors: [{ path: `/${field}`, message }] });
}

/**
 * Contacts of a tenant (issue 4): CRUD, search, bulk upsert, consent per channel with its
 * history (R-CONSENT), attribute definitions, erasure (R-DSR). Each use case checks the
 * caller's permission (contacts:read / contacts:write) and owns its transaction.
 */
export class ContactsService {
  readonly #validateBulkItem = compileItemValidator<CreateContactRequest>(CreateContactBody, (index) => `/contacts/${index}`);

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /**
     * Who else relies on a custom field (the segments whose rules name it), asked before it is
     * deleted. Given by the composition root: segments depend on contacts, not the reverse.
     */
    private readonly attributeUsers: (tx: Tx, tenantId: string, key: string) => Promise<Array<{ id: string; name: string }>> = async () => [],
  ) {}

  // Contacts ------------------------------------------------------------------------------------

  async create(ctx: ServiceContext, input: CreateContactRequest): Promise<ContactDetail> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return this.#tenant(tenantId, async (tx) => {
      const definitions = attributeDefinitionMap(await listAttributeDefinitions(tx, tenantId));
      const result = normaliseContactInput(input as ContactInput, { mode: 'create', definitions, defaultConsentSource: this.#defaultSource(ctx) });
      if (!result.ok) throw problemsError(result.problems);
      const contact = result.contact;
      const consents = this.#checkedConsents(ctx, contact, 'unknown');
      const taken = takenError(await takenKeys(tx, tenantId, contact, null));
      if (taken) throw taken;
      const id = uuidv7(now);
      await writeContact(tx, tenantId, id, newContactFields(contact), now, true);
      for (const [channel, change] of consents) await recordConsent(tx, tenantId, id, channel, change, now, actorRef(ctx.principal));
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'contact.created',
        target: { type: 'contact', id },
        // Field names and consent statuses only: the trail outlives an erasure (R-DSR), personal data must not.
        summary: { fields: Object.keys(contact).filter((k) => k !== 'consents'), consents: Object.fromEntries(consents.map(([c, ch]) => [c, ch.status])) },
        at: now,
      });
      const detail = await this.#detail(tx, tenantId, id);
      return result.warnings.length ? { ...detail, warnings: result.warnings } : detail;
    });
  }

  async get(ctx: ServiceContext, id: string): Promise<ContactDetail> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, (tx) => this.#detail(tx, tenantId, id));
  }

  async update(ctx: ServiceContext, id: string, input: UpdateContactRequest): Promise<ContactDetail> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return this.#tenant(tenantId, async (tx) => {
      const existing = await findContact(tx, tenantId, id, { forUpdate: true });
      if (!existing) throw notFound('Contact');
      const definitions = attributeDefinitionMap(await listAttributeDefinitions(tx, tenantId));
      const result = normaliseContactInput(input as ContactInput, { mode: 'patch', definitions });
      if (!result.ok) throw problemsError(result.problems);
      const outcome = applyPatch(contactFieldsOf(existing), result.contact);
      if (outcome.action === 'invalid') throw new AppError(outcome.code, outcome.message, { errors: [{ path: '/', message: outcome.message }] });
      if (outcome.action === 'skip') throw new Error('unreachable');
      const patch = result.contact;
      const taken = takenError(
        await takenKeys(tx, tenantId, { phone: outcome.changed.includes('phone') ? patch.phone : null, email: outcome.changed.includes('email') ? patch.email : null, externalId: outcome.changed.includes('externalId') ? patch.externalId : null }, id),
      );
      if (taken) throw taken;
      if (outcome.changed.length > 0) {
        await writeContact(tx, tenantId, id, outcome.fields, now, false);
        await recordAudit(tx, ctx, { tenantId, action: 'contact.updated', target: { type: 'contact', id }, summary: { fields: outcome.changed }, at: now });
      }
      const detail = await this.#detail(tx, tenantId, id);
      return result.warnings.length ? { ...detail, warnings: result.warnings } : detail;
    });
  }

  /**
   * R-DSR erasure: the contact, its consents, consent history and activity go (a trigger deletes
   * them with the contact, migration 0016; static segment memberships cascade). The erasure lock
   * makes it wait for campaign batches that read the contact and are not yet committed. The audit entry keeps only the id and counts.
   * The suppression list keeps the address if it opted out: forgetting a STOP would let a later
   * import resume marketing to the person who asked it to end (R-OPTOUT).
   */
  async erase(ctx: ServiceContext, id: string): Promise<void> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    await withTenant(this.db, tenantId, async (tx) => {
      const ctxDb = contactsTx(tx);
      await lockContactsAgainstErasure(tx, tenantId, 'exclusive');
      const counts = await sql<{ consent_events: number; activities: number }>`
        select (select count(*) from contact_consent_events where tenant_id = ${tenantId} and contact_id = ${id})::int as consent_events,
               (select count(*) from contact_activity where tenant_id = ${tenantId} and contact_id = ${id})::int as activities`.execute(tx);
      const deleted = await ctxDb.deleteFrom('contacts').where('tenant_id', '=', tenantId).where('id', '=', id).returning('id').executeTakeFirst();
      if (!deleted) throw notFound('Contact');
      await recordAudit(tx, ctx, { tenantId, action: 'contact.erased', target: { type: 'contact', id }, summary: { reason: 'data_subject_request', erased: counts.rows[0] ?? {} }, at: now });
    });
  }

  async list(ctx: ServiceContext, query: ContactListRequest): Promise<{ data: ContactView[]; nextCursor: string | null; total?: number }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const filtered = () => {
        let select = contactsTx(tx).selectFrom('contacts').where('tenant_id', '=', tenantId);
        const search = query.q?.trim();
        if (search) select = select.where(searchCondition(search));
        if (query.tag) select = select.where(sql<boolean>`tags @> array[${query.tag.trim().toLowerCase()}]::text[]`);
        if (query.consent) {
          const [channel, status] = query.consent.split(':') as [ConsentChannel, ConsentStatus];
          select = select.where(`consent_${channel}`, '=', status);
        }
        if (query.pointOfSale) select = select.where('point_of_sale', '=', query.pointOfSale);
        if (query.createdFrom) select = select.where('created_at', '>=', new Date(query.createdFrom));
        if (query.createdTo) select = select.where('created_at', '<', new Date(query.createdTo));
        return select;
      };
      let page = filtered().selectAll().select(sql<string>`(extract(epoch from created_at) * 1000000)::bigint::text`.as('created_us'));
      if (query.cursor) {
        const after = decodeCursor<{ c: string; i: string }>(query.cursor);
        if (typeof after.c !== 'string' || !/^\d+$/.test(after.c) || typeof after.i !== 'string' || !/^[0-9a-f-]{36}$/i.test(after.i)) {
          throw new AppError('invalid_cursor', 'The cursor is not one this API gave', { errors: [{ path: '/querystring/cursor', message: 'is invalid' }] });
        }
        // Microseconds, exactly: a Date would round created_at to the millisecond and skip rows.
        page = page.where(sql<boolean>`(created_at, id) < (timestamptz 'epoch' + ${after.c}::bigint * interval '1 microsecond', ${after.i}::uuid)`);
      }
      const rows = await page.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      const shown = rows.slice(0, query.limit);
      const last = shown[shown.length - 1];
      const result: { data: ContactView[]; nextCursor: string | null; total?: number } = {
        data: shown.map((row) => contactView(row as ContactRow)),
        nextCursor: rows.length > query.limit && last ? encodeCursor({ c: last.created_us, i: last.id }) : null,
      };
      if (query.count) {
        const counted = await filtered().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
        result.total = counted.n;
      }
      return result;
    });
  }

  /** Totals for the console: contacts, granted consent per channel, tags and points of sale in use. */
  async summary(ctx: ServiceContext): Promise<{ total: number; consentGranted: Record<ConsentChannel, number>; tags: { tag: string; count: number }[]; pointsOfSale: { code: string; count: number }[] }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const totals = await sql<{ total: number; sms: number; email: number; whatsapp: number; rcs: number }>`
        select count(*)::int as total,
               count(*) filter (where consent_sms = 'granted')::int as sms,
               count(*) filter (where consent_email = 'granted')::int as email,
               count(*) filter (where consent_whatsapp = 'granted')::int as whatsapp,
               count(*) filter (where consent_rcs = 'granted')::int as rcs
          from contacts where tenant_id = ${tenantId}`.execute(tx);
      const tags = await sql<{ tag: string; count: number }>`
        select tag, count(*)::int as count from contacts, unnest(tags) as tag
         where tenant_id = ${tenantId} group by tag order by count(*) desc, tag limit 100`.execute(tx);
      const points = await sql<{ code: string; count: number }>`
        select point_of_sale as code, count(*)::int as count from contacts
         where tenant_id = ${tenantId} and point_of_sale is not null group by point_of_sale order by count(*) desc, point_of_sale limit 200`.execute(tx);
      const t = totals.rows[0] ?? { total: 0, sms: 0, email: 0, whatsapp: 0, rcs: 0 };
      return { total: t.total, consentGranted: { sms: t.sms, email: t.email, whatsapp: t.whatsapp, rcs: t.rcs }, tags: tags.rows, pointsOfSale: points.rows };
    });
  }

  /**
   * Up to 1,000 contacts in one call, each inserted, merged (policy), skipped or refused on its
   * own: a bad item never fails the others. The same engine as the import (upsertContacts).
   */
  async bulkUpsert(ctx: ServiceContext, items: readonly unknown[], policy: MergePolicy): Promise<{ inserted: number; updated: number; skipped: number; failed: number; results: BulkItemResult[] }> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return this.#tenant(tenantId, async (tx) => {
      const definitions = attributeDefinitionMap(await listAttributeDefinitions(tx, tenantId));
      const results: BulkItemResult[] = new Array(items.length);
      const rows: UpsertRow[] = [];
      const positions: number[] = [];
      items.forEach((item, index) => {
        const valid = this.#validateBulkItem(item, index);
        if (valid instanceof AppError) {
          results[index] = { index, status: 'failed', id: null, error: { code: valid.code, detail: valid.message, ...(valid.errors ? { errors: valid.errors } : {}) } };
          return;
        }
        const normalised = normaliseContactInput(valid as ContactInput, { mode: 'create', definitions, pathPrefix: `/contacts/${index}`, defaultConsentSource: 'api' });
        if (!normalised.ok) {
          const error = problemsError(normalised.problems);
          results[index] = { index, status: 'failed', id: null, error: { code: error.code, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) } };
          return;
        }
        const refusal = this.#consentProofProblem(normalised.contact, `/contacts/${index}`);
        if (refusal) {
          results[index] = { index, status: 'failed', id: null, error: { code: refusal.code, detail: refusal.message, ...(refusal.errors ? { errors: refusal.errors } : {}) } };
          return;
        }
        rows.push(this.#withProofOrigin(ctx, normalised.contact));
        positions.push(index);
        if (normalised.warnings.length) results[index] = { index, status: 'failed', id: null, warnings: normalised.warnings };
      });
      const upserted = await upsertContacts(tx, tenantId, rows, policy, null, { at: now, actor: actorRef(ctx.principal) });
      upserted.forEach((result, i) => {
        const index = positions[i] as number;
        const warnings = [...(results[index]?.warnings ?? []), ...(result.warnings ?? [])];
        results[index] = {
          index,
          status: result.status,
          id: result.id,
          ...(result.reason ? { reason: result.reason } : {}),
          ...(warnings.length ? { warnings } : {}),
          ...(result.error ? { error: { code: result.error.code, detail: result.error.message, errors: [{ path: `/contacts/${index}`, message: result.error.message }] } } : {}),
        };
      });
      const count = (status: BulkItemResult['status']) => results.filter((r) => r.status === status).length;
      const summary = { inserted: count('inserted'), updated: count('updated'), skipped: count('skipped'), failed: count('failed') };
      await recordAudit(tx, ctx, { tenantId, action: 'contacts.bulk_upserted', target: { type: 'contacts', id: 'bulk' }, summary: { ...summary, policy }, at: now });
      return { ...summary, results };
    });
  }

  // Consent (R-CONSENT) ---------------------------------------------------------------------------

  /** Records a consent decision for one channel; every change is appended to the history. */
  async setConsent(ctx: ServiceContext, id: string, channel: ConsentChannel, input: SetConsentRequest): Promise<ContactDetail & { changed: boolean }> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const contact = await findContact(tx, tenantId, id, { forUpdate: true });
      if (!contact) throw notFound('Contact');
      const address = channel === 'email' ? contact.email : contact.phone;
      if (!address) {
        throw new AppError('invalid_consent_change', `this contact has no ${channel === 'email' ? 'email address' : 'phone number'} for ${channel}`, { errors: [{ path: '/channel', message: 'no address for this channel' }] });
      }
      const change: ConsentChange = { status: input.status, source: input.source, proof: this.#proofWithOrigin(ctx, input.proof ?? {}) };
      const transition = consentTransition(contact[`consent_${channel}`] as ConsentStatus, change);
      if (transition.kind === 'refused') throw new AppError(transition.code, transition.message, { errors: [{ path: transition.code === 'consent_proof_required' ? '/proof' : '/status', message: transition.message }] });
      if (transition.kind === 'change') {
        await recordConsent(tx, tenantId, id, channel, change, now, actorRef(ctx.principal));
        await recordAudit(tx, ctx, { tenantId, action: 'contact.consent_changed', target: { type: 'contact', id }, summary: { channel, status: input.status, source: input.source, from: contact[`consent_${channel}`] }, at: now });
      }
      return { ...(await this.#detail(tx, tenantId, id)), changed: transition.kind === 'change' };
    });
  }

  async consentHistory(ctx: ServiceContext, id: string): Promise<{ data: { channel: string; status: string; source: string; at: string; proof: Record<string, unknown>; actor: string | null }[] }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      if (!(await findContact(tx, tenantId, id))) throw notFound('Contact');
      const events = await consentHistoryOf(tx, tenantId, id);
      return { data: events.map((e) => ({ ...e, at: e.at.toISOString() })) };
    });
  }

  async timeline(ctx: ServiceContext, id: string, query: { limit: number; cursor?: string | undefined }): Promise<{ data: TimelineItemView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const contact = await findContact(tx, tenantId, id);
      if (!contact) throw notFound('Contact');
      return contactTimeline(tx, tenantId, contact, query.limit, query.cursor);
    });
  }

  /**
   * R-REVERSIBILITY / R-DSR: every contact with its consent and consent history, streamed. The
   * export itself is audited (who took the personal data out, in which format).
   */
  async export(ctx: ServiceContext, format: ExportFormat): Promise<AsyncGenerator<string>> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    await withTenant(this.db, tenantId, (tx) => recordAudit(tx, ctx, { tenantId, action: 'contacts.exported', target: { type: 'contacts', id: 'export' }, summary: { format }, at: now }));
    return exportChunks(this.db, tenantId, format);
  }

  // Attribute definitions --------------------------------------------------------------------------

  async listAttributes(ctx: ServiceContext): Promise<{ data: AttributeDefinitionView[] }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => contactsTx(tx).selectFrom('contact_attribute_definitions').selectAll().where('tenant_id', '=', tenantId).orderBy('key').execute());
    return { data: rows.map(attributeView) };
  }

  async createAttribute(ctx: ServiceContext, input: CreateAttributeRequest): Promise<AttributeDefinitionView> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const problems = attributeDefinitionProblems(input);
    if (problems.length) throw new AppError('validation_failed', problems.map((p) => `${p.path} ${p.message}`).join('; '), { errors: problems });
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await contactsTx(tx)
        .insertInto('contact_attribute_definitions')
        .values({ tenant_id: tenantId, key: input.key, label: input.label.trim(), type: input.type, choices: input.type === 'choice' ? (input.choices ?? []).map((c) => c.trim()) : null, created_at: now })
        .onConflict((oc) => oc.columns(['tenant_id', 'key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('attribute_exists', `an attribute "${input.key}" already exists`, { errors: [{ path: '/key', message: 'already exists' }] });
      await recordAudit(tx, ctx, { tenantId, action: 'contact_attribute.created', target: { type: 'contact_attribute', id: input.key }, summary: { type: input.type }, at: now });
      return attributeView(row);
    });
  }

  async updateAttribute(ctx: ServiceContext, key: string, input: { label?: string | undefined; choices?: string[] | undefined }): Promise<AttributeDefinitionView> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const existing = await contactsTx(tx).selectFrom('contact_attribute_definitions').selectAll().where('tenant_id', '=', tenantId).where('key', '=', key).forUpdate().executeTakeFirst();
      if (!existing) throw notFound('Attribute');
      const label = input.label ?? existing.label;
      const choices = input.choices ?? existing.choices;
      const problems = attributeDefinitionProblems({ key, label, type: existing.type, choices });
      if (problems.length) throw new AppError('validation_failed', problems.map((p) => `${p.path} ${p.message}`).join('; '), { errors: problems });
      if (existing.type === 'choice' && input.choices) {
        // A choice still held by contacts cannot disappear: their stored value would no longer be valid.
        const removed = (existing.choices ?? []).filter((c) => !input.choices?.includes(c));
        if (removed.length) {
          const inUse = await sql<{ n: number }>`select count(*)::int as n from contacts where tenant_id = ${tenantId} and attributes ->> ${key} = any(${removed}::text[])`.execute(tx);
          const n = inUse.rows[0]?.n ?? 0;
          if (n > 0) throw new AppError('invalid_attribute', `${n} contact(s) still hold a removed choice (${removed.join(', ')})`, { errors: [{ path: '/choices', message: 'a removed choice is still in use' }] });
        }
      }
      const row = await contactsTx(tx)
        .updateTable('contact_attribute_definitions')
        .set({ label: label.trim(), choices: existing.type === 'choice' ? (choices ?? []).map((c) => c.trim()) : null })
        .where('tenant_id', '=', tenantId)
        .where('key', '=', key)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(tx, ctx, { tenantId, action: 'contact_attribute.updated', target: { type: 'contact_attribute', id: key }, summary: { label: input.label !== undefined, choices: input.choices !== undefined }, at: now });
      return attributeView(row);
    });
  }

  /** Deleting a definition removes its values from every contact (nothing untyped is left behind). */
  async deleteAttribute(ctx: ServiceContext, key: string): Promise<void> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    await withTenant(this.db, tenantId, async (tx) => {
      const users = await this.attributeUsers(tx, tenantId, key);
      if (users.length > 0) {
        throw new AppError('attribute_in_use', `This field is used by the segment(s) ${users.map((u) => `"${u.name}"`).join(', ')}: remove the condition from there first`, {
          extensions: { usedBy: users },
        });
      }
      const deleted = await contactsTx(tx).deleteFrom('contact_attribute_definitions').where('tenant_id', '=', tenantId).where('key', '=', key).returning('key').executeTakeFirst();
      if (!deleted) throw notFound('Attribute');
      const cleared = await sql`update contacts set attributes = attributes - ${key}::text where tenant_id = ${tenantId} and attributes ? ${key}::text`.execute(tx);
      await recordAudit(tx, ctx, { tenantId, action: 'contact_attribute.deleted', target: { type: 'contact_attribute', id: key }, summary: { contactsCleared: Number(cleared.numAffectedRows ?? 0) }, at: now });
    });
  }

  // Helpers -----------------------------------------------------------------------------------------

  async #tenant<T>(tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await withTenant(this.db, tenantId, work);
    } catch (error) {
      throw uniqueViolation(error) ?? error;
    }
  }

  async #detail(tx: Tx, tenantId: string, id: string): Promise<ContactDetail> {
    const row = await findContact(tx, tenantId, id);
    if (!row) throw notFound('Contact');
    const records = await consentsOf(tx, tenantId, id);
    const suppressed = await suppressedAddresses(tx, tenantId, [row.phone, row.email].filter((a): a is string => a !== null));
    const view = contactView(row);
    return {
      ...view,
      consents: CONSENT_CHANNELS.map((channel) => {
        const record = records.find((r) => r.channel === channel);
        return { channel, status: view.consent[channel], source: record?.source ?? null, at: record ? record.at.toISOString() : null, proof: record?.proof ?? {} };
      }),
      suppressed: { phone: row.phone !== null && suppressed.has(row.phone), email: row.email !== null && suppressed.has(row.email) },
    };
  }

  #defaultSource(ctx: ServiceContext): ConsentChange['source'] {
    return ctx.principal.kind === 'api_key' ? 'api' : 'console';
  }

  /** Proof of a decision recorded by a person in the console names that person; the IP is the caller's. */
  #proofWithOrigin(ctx: ServiceContext, proof: Record<string, unknown>): Record<string, unknown> {
    const origin: Record<string, unknown> = {};
    if (ctx.principal.kind !== 'api_key') origin.operator = ctx.principal.email;
    else origin.apiKey = ctx.principal.prefix;
    return { ...origin, ...proof };
  }

  #withProofOrigin(ctx: ServiceContext, contact: NormalisedContact): NormalisedContact {
    if (!contact.consents) return contact;
    const consents: NormalisedContact['consents'] = {};
    for (const [channel, change] of Object.entries(contact.consents) as [ConsentChannel, ConsentChange][]) {
      consents[channel] = { ...change, proof: this.#proofWithOrigin(ctx, change.proof ?? {}) };
    }
    return { ...contact, consents };
  }

  /** A grant given with a new contact must carry its own proof (the API key alone proves nothing). */
  #consentProofProblem(contact: NormalisedContact, prefix: string): AppError | null {
    for (const [channel, change] of Object.entries(contact.consents ?? {}) as [ConsentChannel, ConsentChange][]) {
      const transition = consentTransition('unknown', change);
      if (transition.kind === 'refused') return consentError(transition.code, transition.message, `${prefix}/consents/${channel}`);
    }
    return null;
  }

  /** The consents given with a new contact, checked (R-CONSENT) and with their origin in the proof. */
  #checkedConsents(ctx: ServiceContext, contact: NormalisedContact, current: ConsentStatus): [ConsentChannel, ConsentChange][] {
    const problem = this.#consentProofProblem(contact, '');
    if (problem) throw problem;
    const changes: [ConsentChannel, ConsentChange][] = [];
    for (const [channel, change] of Object.entries(contact.consents ?? {}) as [ConsentChannel, ConsentChange][]) {
      const address = channel === 'email' ? contact.email : contact.phone;
      if (!address) throw consentError('invalid_consent_change', `no ${channel === 'email' ? 'email address' : 'phone number'} to record ${channel} consent for`, `/consents/${channel}`);
      if (consentTransition(current, change).kind === 'change') changes.push([channel, { ...change, proof: this.#proofWithOrigin(ctx, change.proof ?? {}) }]);
    }
    return changes;
  }
}

const consentError = (code: ConsentProblemCode, message: string, path: string): AppError => new AppError(code, message, { errors: [{ path, message }] });

const attributeView = (row: { key: string; label: string; type: string; choices: string[] | null; created_at: Date }): AttributeDefinitionView => ({
  key: row.key,
  label: row.label,
  type: row.type as AttributeType,
  choices: row.choices,
  createdAt: row.created_at.toISOString(),
});

/**
 * `q`: a phone in any notation matches as a prefix of the E.164 number ("06 12" → "+33612…",
 * region FR), an email as a prefix of the address, anything else as a prefix of the last or first
 * name (case-insensitive). LIKE wildcards in the input are escaped.
 */
export function searchCondition(q: string) {
  const like = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (/^[+\d][\d\s.()-]*$/.test(q) && /\d/.test(q)) {
    return sql<boolean>`phone like ${like(phonePrefix(q))}`;
  }
  const lower = q.toLowerCase();
  if (q.includes('@')) {
    const email = normaliseEmail(q);
    return sql<boolean>`email like ${like(email ?? lower)}`;
  }
  return sql<boolean>`(lower(last_name) like ${like(lower)} or lower(first_name) like ${like(lower)} or email like ${like(lower)})`;
}

/** The E.164 prefix a partly typed number stands for, read in region FR like the numbers stored. */
export function phonePrefix(q: string): string {
  const whole = normalisePhoneNumber(q);
  if (!('error' in whole) && whole.valid) return whole.e164;
  const digits = q.replace(/\D/g, '');
  if (q.trim().startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  if (digits.startsWith('0')) return `+33${digits.slice(1)}`;
  return `+${digits}`;
}
