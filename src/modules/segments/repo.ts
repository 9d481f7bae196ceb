import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { type ContactRow, listAttributeDefinitions } from '../contacts/index.ts';
import type { SegmentDefinition } from './definition.ts';
import { type SegmentMembersTable, type SegmentsTable, segmentsTx } from './db.ts';
import type { AttributeInfo } from './rules.ts';

/** SQL of the segments module. Every query names the tenant, on top of row-level security (R-TENANT). */

export type SegmentRow = Selectable<SegmentsTable>;
export type SegmentMemberRow = Selectable<SegmentMembersTable>;

export interface SegmentSummary {
  id: string;
  name: string;
  kind: 'dynamic' | 'static';
  definition: SegmentDefinition | null;
}

export interface Catalogue {
  attributes: Map<string, AttributeInfo & { label: string }>;
  segments: Map<string, SegmentSummary>;
}

/** What a definition may name: the tenant's attribute definitions and its segments and lists. */
export async function loadCatalogue(tx: Tx, tenantId: string): Promise<Catalogue> {
  const [attributes, segments] = await Promise.all([
    listAttributeDefinitions(tx, tenantId),
    segmentsTx(tx).selectFrom('segments').select(['id', 'name', 'kind', 'definition']).where('tenant_id', '=', tenantId).execute(),
  ]);
  return {
    attributes: new Map(attributes.map((a) => [a.key, { type: a.type, choices: a.choices, label: a.label }])),
    segments: new Map(segments.map((s) => [s.id, { id: s.id, name: s.name, kind: s.kind, definition: (s.definition as SegmentDefinition | null) ?? null }])),
  };
}

/** Serialises the segment writers of one tenant, so two edits cannot close a loop between them. */
export async function lockSegmentGraph(tx: Tx, tenantId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`segments:${tenantId}`}::text, 0))`.execute(tx);
}

export async function findSegment(tx: Tx, tenantId: string, id: string): Promise<SegmentRow | undefined> {
  return segmentsTx(tx).selectFrom('segments').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export interface ListQuery {
  limit: number;
  after?: { name: string; id: string } | undefined;
  kind?: 'dynamic' | 'static' | undefined;
  q?: string | undefined;
}

/** Segments by name (keyset), with their member counts for static lists. */
export async function listSegments(tx: Tx, tenantId: string, query: ListQuery): Promise<Array<SegmentRow & { members: number | null }>> {
  let select = segmentsTx(tx)
    .selectFrom('segments as s')
    .selectAll('s')
    .select((eb) =>
      eb
        .case()
        .when('s.kind', '=', 'static')
        .then(eb.selectFrom('segment_members as m').select((m) => m.fn.countAll<number>().as('n')).whereRef('m.segment_id', '=', 's.id').where('m.tenant_id', '=', tenantId))
        .else(null)
        .end()
        .as('members'),
    )
    .where('s.tenant_id', '=', tenantId);
  if (query.kind) select = select.where('s.kind', '=', query.kind);
  if (query.q) select = select.where(sql<boolean>`strpos(lower(s.name), lower(${query.q}::text)) > 0`);
  const after = query.after;
  if (after) select = select.where((eb) => eb.or([eb('s.name', '>', after.name), eb.and([eb('s.name', '=', after.name), eb('s.id', '>', after.id)])]));
  const rows = await select.orderBy('s.name').orderBy('s.id').limit(query.limit + 1).execute();
  return rows.map((r) => ({ ...r, members: r.members === null ? null : Number(r.members) }));
}

export async function insertSegment(
  tx: Tx,
  row: { tenantId: string; id: string; name: string; description: string | null; kind: 'dynamic' | 'static'; definition: SegmentDefinition | null; createdBy: string | null; at: Date },
): Promise<SegmentRow> {
  return segmentsTx(tx)
    .insertInto('segments')
    .values({
      tenant_id: row.tenantId,
      id: row.id,
      name: row.name,
      description: row.description,
      kind: row.kind,
      definition: row.definition === null ? null : JSON.stringify(row.definition),
      created_by: row.createdBy,
      created_at: row.at,
      updated_at: row.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateSegment(
  tx: Tx,
  tenantId: string,
  id: string,
  changes: { name?: string; description?: string | null; definition?: SegmentDefinition; at: Date },
): Promise<SegmentRow> {
  return segmentsTx(tx)
    .updateTable('segments')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.description !== undefined ? { description: changes.description } : {}),
      // A new definition makes the remembered count stale.
      ...(changes.definition !== undefined ? { definition: JSON.stringify(changes.definition), last_count: null, last_counted_at: null } : {}),
      updated_at: changes.at,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSegment(tx: Tx, tenantId: string, id: string): Promise<boolean> {
  const row = await segmentsTx(tx).deleteFrom('segments').where('tenant_id', '=', tenantId).where('id', '=', id).returning('id').executeTakeFirst();
  return row !== undefined;
}

/** The dynamic segments whose rules name this one. */
export async function segmentsUsing(tx: Tx, tenantId: string, id: string): Promise<Array<{ id: string; name: string }>> {
  return dynamicSegmentsMatching(tx, tenantId, '$.** ? (@.segmentId == $id)', { id });
}

/**
 * Dynamic segments whose rules name the custom field `key`: deleting the field would leave them
 * uncountable (the contacts module asks before it deletes one).
 */
export async function segmentsUsingAttribute(tx: Tx, tenantId: string, key: string): Promise<Array<{ id: string; name: string }>> {
  return dynamicSegmentsMatching(tx, tenantId, '$.** ? (@.type == "attribute" && @.key == $key)', { key });
}

/** Dynamic segments whose rule tree matches a JSON path (a constant of this file; `vars` are its parameters). */
function dynamicSegmentsMatching(tx: Tx, tenantId: string, path: string, vars: Record<string, string>): Promise<Array<{ id: string; name: string }>> {
  return segmentsTx(tx)
    .selectFrom('segments')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'dynamic')
    .where(sql<boolean>`jsonb_path_exists(definition, ${path}::jsonpath, ${JSON.stringify(vars)}::jsonb)`)
    .orderBy('name')
    .execute();
}

export async function storeCount(tx: Tx, tenantId: string, id: string, count: number, at: Date): Promise<void> {
  await segmentsTx(tx).updateTable('segments').set({ last_count: count, last_counted_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

// Members of static lists -------------------------------------------------------------------------

/** Adds the contacts that `where` selects (over `contacts AS c`); returns how many were new. */
export async function addMembers(tx: Tx, tenantId: string, segmentId: string, where: RawBuilder<boolean>, at: Date): Promise<number> {
  const result = await sql`
    insert into segment_members (tenant_id, segment_id, contact_id, added_at)
    select ${tenantId}::uuid, ${segmentId}::uuid, c.id, ${at}::timestamptz
      from contacts as c
     where c.tenant_id = ${tenantId}::uuid and ${where}
    on conflict do nothing`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

export async function removeMembers(tx: Tx, tenantId: string, segmentId: string, where: RawBuilder<boolean>): Promise<number> {
  const result = await sql`
    delete from segment_members as m
     where m.tenant_id = ${tenantId}::uuid and m.segment_id = ${segmentId}::uuid
       and m.contact_id in (select c.id from contacts as c where c.tenant_id = ${tenantId}::uuid and ${where})`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** Which of these ids are contacts of the tenant. */
export async function existingContactIds(tx: Tx, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await segmentsTx(tx).selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).where('id', '=', sql<string>`any(${[...ids]}::uuid[])`).execute();
  return new Set(rows.map((r) => r.id));
}

// Contacts of a segment ---------------------------------------------------------------------------

/** The columns a segment's members preview reads. */
export type ContactPreviewRow = Pick<
  ContactRow,
  'id' | 'phone' | 'email' | 'first_name' | 'last_name' | 'language' | 'point_of_sale' | 'tags' | 'consent_sms' | 'consent_email' | 'consent_whatsapp' | 'consent_rcs' | 'created_at' | 'last_activity_at'
>;

const PREVIEW_COLUMNS = [
  'c.id',
  'c.phone',
  'c.email',
  'c.first_name',
  'c.last_name',
  'c.language',
  'c.point_of_sale',
  'c.tags',
  'c.consent_sms',
  'c.consent_email',
  'c.consent_whatsapp',
  'c.consent_rcs',
  'c.created_at',
  'c.last_activity_at',
] as const;

/** Matching contacts by id (keyset), for the API's paged listing. */
export async function contactsPage(tx: Tx, tenantId: string, where: RawBuilder<boolean>, limit: number, afterId: string | undefined): Promise<ContactPreviewRow[]> {
  let select = segmentsTx(tx).selectFrom('contacts as c').select(PREVIEW_COLUMNS).where('c.tenant_id', '=', tenantId).where(where);
  if (afterId) select = select.where('c.id', '>', afterId);
  return select.orderBy('c.id').limit(limit).execute();
}

/** The newest matching contacts, for the editor's preview. */
export async function newestContacts(tx: Tx, tenantId: string, where: RawBuilder<boolean>, limit: number): Promise<ContactPreviewRow[]> {
  return segmentsTx(tx)
    .selectFrom('contacts as c')
    .select(PREVIEW_COLUMNS)
    .where('c.tenant_id', '=', tenantId)
    .where(where)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Values seen on the tenant's contacts (tags, points of sale, languages) for the editor's
 * suggestions. Read from at most `scan` contacts, so the catalogue stays instant on a million.
 */
export async function valueSuggestions(tx: Tx, tenantId: string, scan = 20_000): Promise<{ tags: string[]; pointsOfSale: string[]; languages: string[] }> {
  const sample = sql`(select tags, point_of_sale, language from contacts where tenant_id = ${tenantId}::uuid limit ${scan}::int)`;
  const [tags, pos, languages] = await Promise.all([
    sql<{ value: string }>`select t as value from ${sample} as s, unnest(s.tags) as t group by t order by count(*) desc, t limit 200`.execute(tx),
    sql<{ value: string }>`select point_of_sale as value from ${sample} as s where point_of_sale is not null group by point_of_sale order by count(*) desc, point_of_sale limit 200`.execute(tx),
    sql<{ value: string }>`select language as value from ${sample} as s where language is not null group by language order by count(*) desc, language limit 50`.execute(tx),
  ]);
  return { tags: tags.rows.map((r) => r.value), pointsOfSale: pos.rows.map((r) => r.value), languages: languages.rows.map((r) => r.value) };
}
