import { sql } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type ServiceContext, actorOf } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { type ContactView, consentSummaryOf } from '../contacts/index.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import {
  ACTIVITY_KINDS,
  CHANNELS,
  CONSENT_STATUSES,
  CONTACT_FIELDS,
  MAX_CONDITIONS,
  MAX_DEPTH,
  type SegmentDefinition,
  TAG_OPERATORS,
} from './definition.ts';
import {
  addMembers,
  type Catalogue,
  type ContactPreviewRow,
  contactsPage,
  deleteSegment,
  existingContactIds,
  findSegment,
  insertSegment,
  listSegments,
  loadCatalogue,
  lockSegmentGraph,
  newestContacts,
  removeMembers,
  type SegmentRow,
  segmentsUsing,
  storeCount,
  updateSegment,
  valueSuggestions,
} from './repo.ts';
import { applySegmentQuerySettings, assertExpandable, countWhere, estimateWhere, invalidDefinition, prepareSegment, type SegmentSource } from './query.ts';
import { ATTRIBUTE_OPERATORS, FIELD_OPERATORS, findCycle, referencesOf, validateDefinition } from './rules.ts';

export interface SegmentView {
  id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  definition: SegmentDefinition | null;
  /** Static list: its members now. Dynamic: the last count taken (null until counted). */
  count: number | null;
  countedAt: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A member in a segment's preview: the contact as the contacts API shows it, less its custom fields and sync ids. */
export type ContactPreview = Omit<ContactView, 'attributes' | 'externalId' | 'updatedAt'>;

export interface CountResult {
  count: number;
  /** True when the exact count did not finish within the time limit and this is a sampled estimate. */
  approximate: boolean;
  tookMs: number;
  sample?: ContactPreview[];
}

export type MemberSelection = { contactIds: string[] } | { definition: unknown } | { segmentId: string };

export interface SegmentsOptions {
  /** Time limit of an exact count (the editor's live count, a saved segment's count). */
  countTimeoutMs?: number;
  /** Time limit of the sampled estimate tried when the exact count runs out of time. */
  estimateTimeoutMs?: number;
  /** Time limit of listing and member changes by filter. */
  queryTimeoutMs?: number;
}

const QUERY_CANCELED = '57014';
const isCanceled = (error: unknown) => (error as { code?: string }).code === QUERY_CANCELED;

/**
 * Segments (issue 4): dynamic segments (a rule tree, compiled at each use), static lists (their
 * members), live counts for the editor, and the contacts of a segment.
 */
export class SegmentsService {
  private readonly countTimeoutMs: number;
  private readonly estimateTimeoutMs: number;
  private readonly queryTimeoutMs: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    options: SegmentsOptions = {},
  ) {
    this.countTimeoutMs = options.countTimeoutMs ?? 3_000;
    this.estimateTimeoutMs = options.estimateTimeoutMs ?? 2_000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
  }

  /** What the editor offers: fields, the tenant's attributes with the operators their type allows, segments, value suggestions. */
  async catalogue(ctx: ServiceContext) {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const catalogue = await loadCatalogue(tx, tenantId);
      const suggestions = await valueSuggestions(tx, tenantId);
      return {
        limits: { maxDepth: MAX_DEPTH, maxConditions: MAX_CONDITIONS },
        fields: CONTACT_FIELDS.map((field) => ({ field, operators: [...FIELD_OPERATORS[field]] })),
        attributes: [...catalogue.attributes].map(([key, a]) => ({ key, label: a.label, type: a.type, choices: a.choices, operators: [...ATTRIBUTE_OPERATORS[a.type]] })),
        tagOperators: [...TAG_OPERATORS],
        channels: [...CHANNELS],
        consentStatuses: [...CONSENT_STATUSES],
        activityKinds: [...ACTIVITY_KINDS],
        segments: [...catalogue.segments.values()].sort((a, b) => a.name.localeCompare(b.name)).map((s) => ({ id: s.id, name: s.name, kind: s.kind })),
        suggestions,
      };
    });
  }

  async list(ctx: ServiceContext, query: { limit: number; cursor?: string | undefined; kind?: 'dynamic' | 'static' | undefined; q?: string | undefined }): Promise<{ data: SegmentView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const after = query.cursor ? decodeCursor<{ name: string; id: string }>(query.cursor) : undefined;
    if (after && (typeof after.name !== 'string' || typeof after.id !== 'string')) throw new AppError('invalid_cursor', 'The cursor is not one this API gave', { errors: [{ path: '/querystring/cursor', message: 'is invalid' }] });
    const rows = await withTenant(this.db, tenantId, (tx) => listSegments(tx, tenantId, { limit: query.limit, after, kind: query.kind, q: query.q }));
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map((r) => segmentView(r, r.members)), nextCursor: rows.length > query.limit && last ? encodeCursor({ name: last.name, id: last.id }) : null };
  }

  async get(ctx: ServiceContext, id: string): Promise<SegmentView> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await findSegment(tx, tenantId, id);
      if (!row) throw notFound('Segment');
      return segmentView(row, row.kind === 'static' ? await memberCount(tx, tenantId, id) : null);
    });
  }

  async create(ctx: ServiceContext, input: { name: string; description?: string | null | undefined; kind: 'dynamic' | 'static'; definition?: unknown }): Promise<SegmentView> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const name = cleanName(input.name);
    if (input.kind === 'static' && input.definition !== undefined) throw fieldProblem('/definition', 'a static list has members, not a definition');
    if (input.kind === 'dynamic' && input.definition === undefined) throw fieldProblem('/definition', 'is required for a dynamic segment');
    const now = this.clock.now();
    const id = uuidv7(now);
    return withTenant(this.db, tenantId, async (tx) => {
      let definition: SegmentDefinition | null = null;
      if (input.kind === 'dynamic') {
        await lockSegmentGraph(tx, tenantId);
        definition = checkDefinition(input.definition, await loadCatalogue(tx, tenantId), id);
      }
      const row = await uniqueName(() => insertSegment(tx, { tenantId, id, name, description: cleanDescription(input.description), kind: input.kind, definition, createdBy: actorOf(ctx.principal).label, at: now }));
      await recordAudit(tx, ctx, { tenantId, action: 'segment.created', target: { type: 'segment', id }, summary: { name, kind: input.kind, definition }, at: now });
      return segmentView(row, input.kind === 'static' ? 0 : null);
    });
  }

  async update(ctx: ServiceContext, id: string, input: { name?: string | undefined; description?: string | null | undefined; definition?: unknown }): Promise<SegmentView> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      if (input.definition !== undefined) await lockSegmentGraph(tx, tenantId);
      const existing = await findSegment(tx, tenantId, id);
      if (!existing) throw notFound('Segment');
      let definition: SegmentDefinition | undefined;
      if (input.definition !== undefined) {
        if (existing.kind === 'static') throw new AppError('invalid_state', 'A static list has members, not a definition: add or remove members instead', { errors: [{ path: '/definition', message: 'not for a static list' }] });
        definition = checkDefinition(input.definition, await loadCatalogue(tx, tenantId), id);
      }
      const changes = {
        ...(input.name !== undefined ? { name: cleanName(input.name) } : {}),
        ...(input.description !== undefined ? { description: cleanDescription(input.description) } : {}),
        ...(definition !== undefined ? { definition } : {}),
        at: now,
      };
      const row = await uniqueName(() => updateSegment(tx, tenantId, id, changes));
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'segment.updated',
        target: { type: 'segment', id },
        summary: { before: { name: existing.name, description: existing.description, definition: existing.definition }, after: { name: row.name, description: row.description, definition: row.definition } },
        at: now,
      });
      return segmentView(row, row.kind === 'static' ? await memberCount(tx, tenantId, id) : null);
    });
  }

  async remove(ctx: ServiceContext, id: string): Promise<void> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    await withTenant(this.db, tenantId, async (tx) => {
      await lockSegmentGraph(tx, tenantId);
      const existing = await findSegment(tx, tenantId, id);
      if (!existing) throw notFound('Segment');
      const users = (await segmentsUsing(tx, tenantId, id)).filter((s) => s.id !== id);
      if (users.length > 0) {
        throw new AppError('segment_in_use', `This segment is used by ${users.map((u) => `"${u.name}"`).join(', ')}: remove it from there first`, { extensions: { usedBy: users } });
      }
      try {
        await sql`savepoint segment_delete`.execute(tx);
        await deleteSegment(tx, tenantId, id);
      } catch (error) {
        // Another module (campaigns) may refer to segments with a foreign key.
        if ((error as { code?: string }).code === '23503') {
          await sql`rollback to savepoint segment_delete`.execute(tx);
          throw new AppError('segment_in_use', 'This segment is used by a campaign: remove it from the campaign first');
        }
        throw error;
      }
      await recordAudit(tx, ctx, { tenantId, action: 'segment.deleted', target: { type: 'segment', id }, summary: { name: existing.name, kind: existing.kind, definition: existing.definition }, at: now });
    });
  }

  /** The editor's live count of a definition that is not saved, with a few matching contacts if asked. */
  async countDefinition(ctx: ServiceContext, input: { definition: unknown; sample?: number | undefined; segmentId?: string | undefined }): Promise<CountResult> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    return this.countSource(tenantId, { definition: input.definition }, input.sample ?? 0, input.segmentId);
  }

  /** A saved segment's count now (remembered on the segment for the list). */
  async count(ctx: ServiceContext, id: string): Promise<CountResult> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const result = await this.countSource(tenantId, { segmentId: id }, 0);
    if (!result.approximate) await withTenant(this.db, tenantId, (tx) => storeCount(tx, tenantId, id, result.count, this.clock.now()));
    return result;
  }

  /** Contacts of a saved segment, by id (cursor). */
  async contacts(ctx: ServiceContext, id: string, query: { limit: number; cursor?: string | undefined }): Promise<{ data: ContactPreview[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'contacts:read');
    const tenantId = tenantOf(ctx.principal);
    const after = query.cursor ? decodeCursor<{ id: string }>(query.cursor) : undefined;
    if (after && (typeof after.id !== 'string' || !/^[0-9a-f-]{36}$/i.test(after.id))) throw new AppError('invalid_cursor', 'The cursor is not one this API gave', { errors: [{ path: '/querystring/cursor', message: 'is invalid' }] });
    const rows = await this.timed(tenantId, this.queryTimeoutMs, async (tx) => {
      const prepared = await prepareSegment(tx, tenantId, { segmentId: id }, { now: this.clock.now() });
      return contactsPage(tx, tenantId, prepared.where, query.limit + 1, after?.id);
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(contactPreview), nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null };
  }

  /** Adds contacts to a static list: by ids, or every contact a definition (or another segment) selects. */
  async addMembers(ctx: ServiceContext, id: string, selection: MemberSelection): Promise<{ added: number; members: number; unknownContactIds: string[] }> {
    return this.changeMembers(ctx, id, selection, 'add');
  }

  async removeMembers(ctx: ServiceContext, id: string, selection: MemberSelection): Promise<{ removed: number; members: number; unknownContactIds: string[] }> {
    const result = await this.changeMembers(ctx, id, selection, 'remove');
    return { removed: result.added, members: result.members, unknownContactIds: result.unknownContactIds };
  }

  private async changeMembers(ctx: ServiceContext, id: string, selection: MemberSelection, change: 'add' | 'remove'): Promise<{ added: number; members: number; unknownContactIds: string[] }> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return this.timed(tenantId, this.queryTimeoutMs, async (tx) => {
      const segment = await findSegment(tx, tenantId, id);
      if (!segment) throw notFound('Segment');
      if (segment.kind !== 'static') throw new AppError('invalid_state', 'Only a static list has members you add or remove; a dynamic segment follows its rules');
      let where: ReturnType<typeof sql<boolean>>;
      let unknownContactIds: string[] = [];
      let summary: Record<string, unknown>;
      if ('contactIds' in selection) {
        const ids = [...new Set(selection.contactIds.map((c) => c.toLowerCase()))];
        const existing = await existingContactIds(tx, tenantId, ids);
        unknownContactIds = ids.filter((c) => !existing.has(c));
        where = sql<boolean>`c.id = any(${[...existing]}::uuid[])`;
        summary = { contacts: existing.size, unknown: unknownContactIds.length };
      } else {
        const source: SegmentSource = 'definition' in selection ? { definition: selection.definition } : { segmentId: selection.segmentId };
        if ('segmentId' in selection && selection.segmentId.toLowerCase() === id.toLowerCase()) throw new AppError('invalid_state', 'A list cannot take its members from itself', { errors: [{ path: '/segmentId', message: 'is this list' }] });
        const prepared = await prepareSegment(tx, tenantId, source, { now, selfId: id });
        where = prepared.where;
        summary = 'definition' in selection ? { definition: prepared.definition } : { segmentId: selection.segmentId };
      }
      const changed = change === 'add' ? await addMembers(tx, tenantId, id, where, now) : await removeMembers(tx, tenantId, id, where);
      await recordAudit(tx, ctx, { tenantId, action: change === 'add' ? 'segment.members_added' : 'segment.members_removed', target: { type: 'segment', id }, summary: { ...summary, changed }, at: now });
      return { added: changed, members: await memberCount(tx, tenantId, id), unknownContactIds };
    });
  }

  /**
   * Exact count under a time limit; past it, a sampled estimate (`approximate: true`) under its
   * own limit; past that, 503 `segment_count_timeout` rather than a request that hangs.
   */
  private async countSource(tenantId: string, source: SegmentSource, sample: number, selfId?: string): Promise<CountResult> {
    const started = performance.now();
    const now = this.clock.now();
    // Compiled once (validation errors surface here); the expression is reused by each query.
    const { where } = await withTenant(this.db, tenantId, (tx) => prepareSegment(tx, tenantId, source, { now, ...(selfId ? { selfId } : {}) }));
    const samplePromise =
      sample > 0
        ? this.timed(tenantId, this.countTimeoutMs, (tx) => newestContacts(tx, tenantId, where, sample)).catch((error: unknown) => {
            if (isCanceled(error)) return undefined;
            throw error;
          })
        : Promise.resolve(undefined);
    let count: number;
    let approximate = false;
    try {
      count = await this.timed(tenantId, this.countTimeoutMs, (tx) => countWhere(tx, tenantId, where));
    } catch (error) {
      if (!isCanceled(error)) {
        await samplePromise.catch(() => undefined);
        throw error;
      }
      try {
        count = (await this.timed(tenantId, this.estimateTimeoutMs, (tx) => estimateWhere(tx, tenantId, where))).count;
        approximate = true;
      } catch (estimateError) {
        if (!isCanceled(estimateError)) throw estimateError;
        await samplePromise.catch(() => undefined);
        throw new AppError('segment_count_timeout', 'Counting this segment takes too long: simplify it (fewer alternatives, narrower behaviour conditions) and try again', {
          extensions: { timeoutMs: this.countTimeoutMs },
        });
      }
    }
    const rows = await samplePromise;
    return { count, approximate, tookMs: Math.round(performance.now() - started), ...(rows ? { sample: rows.map(contactPreview) } : {}) };
  }

  /** A tenant transaction set up for segment queries, whose statements stop after `timeoutMs`. */
  private timed<T>(tenantId: string, timeoutMs: number, work: (tx: Tx) => Promise<T>): Promise<T> {
    return withTenant(this.db, tenantId, async (tx) => {
      await applySegmentQuerySettings(tx, { timeoutMs });
      return work(tx);
    });
  }

  /** Exposed for tests: the sampled estimate of a definition. */
  async estimate(tenantId: string, source: SegmentSource): Promise<{ count: number; sampled: number; total: number }> {
    return withTenant(this.db, tenantId, async (tx) => estimateWhere(tx, tenantId, (await prepareSegment(tx, tenantId, source, { now: this.clock.now() })).where));
  }
}

/** Validates a definition to save, refuses loops and definitions that grow too big, for it and for every segment that uses it. */
function checkDefinition(input: unknown, catalogue: Catalogue, selfId: string): SegmentDefinition {
  const checked = validateDefinition(input, { attributes: catalogue.attributes, segments: catalogue.segments, selfId });
  if (!checked.ok) throw invalidDefinition(checked.errors);
  const graph = new Map<string, string[]>();
  for (const segment of catalogue.segments.values()) {
    if (segment.id !== selfId && segment.definition) graph.set(segment.id, referencesOf(segment.definition));
  }
  const cycle = findCycle(selfId, checked.references, graph);
  if (cycle) {
    const names = cycle.map((id) => (id === selfId ? 'this segment' : `"${catalogue.segments.get(id)?.name ?? id}"`));
    throw new AppError('segment_cycle', `Segments cannot use each other in a loop: ${names.join(' → ')}`, {
      errors: [{ path: '/definition', message: `loop: ${names.join(' → ')}` }],
      extensions: { cycle },
    });
  }
  // With this definition in place, every segment that uses it must stay within the limits too.
  const updated: Catalogue = { attributes: catalogue.attributes, segments: new Map(catalogue.segments) };
  const existing = updated.segments.get(selfId);
  updated.segments.set(selfId, { id: selfId, name: existing?.name ?? '', kind: 'dynamic', definition: checked.definition });
  assertExpandable(checked.definition, updated, selfId);
  for (const segment of updated.segments.values()) {
    if (segment.id === selfId || !segment.definition || !referencesOf(segment.definition).length) continue;
    assertExpandable(segment.definition, updated, segment.id, `"${segment.name}", which uses this segment,`);
  }
  return checked.definition;
}

async function memberCount(tx: Tx, tenantId: string, id: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from segment_members where tenant_id = ${tenantId}::uuid and segment_id = ${id}::uuid`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

function cleanName(name: string): string {
  const cleaned = name.trim().replace(/\s+/g, ' ');
  if (!cleaned) throw fieldProblem('/name', 'must not be empty');
  return cleaned;
}

const cleanDescription = (text: string | null | undefined): string | null => (text === undefined || text === null || !text.trim() ? null : text.trim());

const fieldProblem = (path: string, message: string) => new AppError('validation_failed', `${path} ${message}`, { errors: [{ path, message }] });

async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('conflict', 'A segment or list of this name already exists', { errors: [{ path: '/name', message: 'is already used' }] });
    throw error;
  }
}

export function segmentView(row: SegmentRow, members: number | null): SegmentView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    definition: (row.definition as SegmentDefinition | null) ?? null,
    count: row.kind === 'static' ? (members ?? 0) : row.last_count,
    countedAt: row.kind === 'static' ? null : (row.last_counted_at?.toISOString() ?? null),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function contactPreview(row: ContactPreviewRow): ContactPreview {
  return {
    id: row.id,
    phone: row.phone,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    language: row.language,
    pointOfSale: row.point_of_sale,
    tags: row.tags,
    consent: consentSummaryOf(row),
    createdAt: new Date(row.created_at).toISOString(),
    lastActivityAt: row.last_activity_at ? new Date(row.last_activity_at).toISOString() : null,
  };
}
