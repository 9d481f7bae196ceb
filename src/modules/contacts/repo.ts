import { type Expression, type RawBuilder, type Selectable, sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { notFound } from '../../platform/errors.ts';
import { type ContactsTable, contactsTx, type CTx } from './db.ts';
import {
  type AttributeDefinition,
  type AttributeType,
  type AttributeValue,
  CONSENT_CHANNELS,
  type ConsentChange,
  type ConsentChannel,
  type ConsentDecision,
  type ConsentProof,
  type ConsentSource,
  type ConsentStatus,
  type ContactFields,
  channelAddressKind,
  consentTransition,
  type MergePolicy,
  mergeContact,
  type NormalisedContact,
  newContactFields,
} from './rules.ts';

/**
 * SQL of the contacts module (issue 4). Every function takes the caller's transaction (opened by
 * withTenant, so RLS confines it to the tenant) and never commits.
 *
 * Stable entry points for the import (src/modules/contacts/import/) and the messaging services:
 *
 *   upsertContacts(tx: Tx, tenantId: string, rows: readonly UpsertRow[], policy: MergePolicy,
 *                  consent: BatchConsent | null, options?: { at?: Date; actor?: string | null })
 *     → Promise<UpsertResult[]>   one result per row, same order: inserted | updated | skipped | failed
 *   listAttributeDefinitions(tx: Tx, tenantId: string) → Promise<AttributeDefinition[]>
 *   attributeDefinitionMap(definitions) → Map<key, AttributeDefinition>   (for normaliseContactInput)
 *   recordOptOut(tx: Tx, tenantId: string, address: string, channel: ConsentChannel | null, source: string, at?: Date)
 *     → Promise<string | null>   the contact id, or null when no contact has that address
 *   recordContactActivity(tx: Tx, tenantId: string, address: string, { kind, channel, campaignId?, messageId?, at })
 *     → Promise<string | null>   behaviour for segments and the timeline (fan-out, clicks, opens, replies)
 *   consentBlocksMarketingSql(tenantId, channel, recipient) → RawBuilder<boolean>   (the send path's R-CONSENT check)
 */

export type ContactRow = Selectable<ContactsTable>;

/** One incoming contact, already normalised (normaliseContactInput in create mode). */
export type UpsertRow = NormalisedContact;

/** A consent applied to every row of a batch (an import's `consent`), on the channels named. */
export interface BatchConsent {
  channels: readonly ConsentChannel[];
  status: ConsentDecision;
  source: ConsentSource;
  proof?: ConsentProof | undefined;
}

export type UpsertStatus = 'inserted' | 'updated' | 'skipped' | 'failed';

export interface UpsertResult {
  /** Position of the row in the `rows` given. */
  index: number;
  status: UpsertStatus;
  /** The contact inserted, updated or skipped; null when the row failed. */
  id: string | null;
  /** For skipped rows: the merge policy said so, or nothing differed. */
  reason?: 'policy_skip' | 'unchanged';
  /** For failed rows: a stable code (`contact_conflict`, `contact_identity_required`) and why. */
  error?: { code: string; message: string };
  /** Consent changes that were not recorded (e.g. an import may not re-subscribe someone who withdrew). */
  warnings?: string[];
}

export const contactFieldsOf = (row: ContactRow): ContactFields => ({
  phone: row.phone,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  language: row.language,
  attributes: (row.attributes ?? {}) as Record<string, AttributeValue>,
  tags: row.tags ?? [],
  pointOfSale: row.point_of_sale,
  externalId: row.external_id,
});

export const consentStatusOf = (row: Pick<ContactRow, 'consent_sms' | 'consent_email' | 'consent_whatsapp' | 'consent_rcs'>, channel: ConsentChannel): ConsentStatus =>
  row[`consent_${channel}`] as ConsentStatus;

/** The consent in force on every channel, as the API shows it on a contact. */
export const consentSummaryOf = (row: Pick<ContactRow, 'consent_sms' | 'consent_email' | 'consent_whatsapp' | 'consent_rcs'>): Record<ConsentChannel, ConsentStatus> => ({
  sms: consentStatusOf(row, 'sms'),
  email: consentStatusOf(row, 'email'),
  whatsapp: consentStatusOf(row, 'whatsapp'),
  rcs: consentStatusOf(row, 'rcs'),
});

// Attribute definitions ------------------------------------------------------------------------

export async function listAttributeDefinitions(tx: Tx, tenantId: string): Promise<AttributeDefinition[]> {
  const rows = await contactsTx(tx).selectFrom('contact_attribute_definitions').select(['key', 'label', 'type', 'choices']).where('tenant_id', '=', tenantId).orderBy('key').execute();
  return rows.map((r) => ({ key: r.key, label: r.label, type: r.type as AttributeType, choices: r.choices }));
}

export const attributeDefinitionMap = (definitions: readonly AttributeDefinition[]): Map<string, AttributeDefinition> => new Map(definitions.map((d) => [d.key, d]));

// Bulk upsert ------------------------------------------------------------------------------------

interface PlannedConsent {
  channel: ConsentChannel;
  change: ConsentChange;
}

interface PlannedWrite {
  index: number;
  id: string;
  fields: ContactFields;
  statuses: Record<ConsentChannel, ConsentStatus>;
  consents: PlannedConsent[];
  warnings: string[];
}

const keysOf = (row: UpsertRow): string[] => {
  const keys: string[] = [];
  if (row.phone) keys.push(`p:${row.phone}`);
  if (row.email) keys.push(`e:${row.email}`);
  if (row.externalId) keys.push(`x:${row.externalId}`);
  return keys;
};

/**
 * Inserts or merges contacts, matched on phone, email or external id (each unique per tenant).
 * The outcome is the one of applying the rows one after another, in order: a phone that appears
 * twice in the batch gives one contact (inserted by the first row, merged with the second under
 * `policy`). Rows are processed in rounds of rows with disjoint keys, each round in a handful of
 * set-based statements, so a batch of 1,000 distinct contacts costs one round.
 *
 * A row that matches two different contacts (its phone is one's, its email another's) fails with
 * `contact_conflict`; so does a merge that would leave no phone nor email. Consent: a row's own
 * `consents` win over the batch `consent`; each change is checked by consentTransition (R-CONSENT)
 * and written to contacts.consent_<channel>, contact_consents and contact_consent_events; a change
 * the rules refuse leaves that channel as it was and is reported in `warnings`.
 */
export async function upsertContacts(
  tx: Tx,
  tenantId: string,
  rows: readonly UpsertRow[],
  policy: MergePolicy,
  consent: BatchConsent | null,
  options: { at?: Date; actor?: string | null } = {},
): Promise<UpsertResult[]> {
  const ctx = contactsTx(tx);
  const at = options.at ?? new Date();
  const actor = options.actor ?? null;
  const results: (UpsertResult | undefined)[] = new Array(rows.length);
  const insertRetries = new Map<number, number>();
  let pending = rows.map((_, index) => index);

  while (pending.length > 0) {
    // Rows whose keys meet an earlier pending row's wait for the next round (sequential semantics).
    const round: number[] = [];
    const later: number[] = [];
    const used = new Set<string>();
    for (const index of pending) {
      const keys = keysOf(rows[index] as UpsertRow);
      if (keys.some((key) => used.has(key))) later.push(index);
      else round.push(index);
      for (const key of keys) used.add(key);
    }

    const phones: string[] = [];
    const emails: string[] = [];
    const externalIds: string[] = [];
    for (const index of round) {
      const row = rows[index] as UpsertRow;
      if (row.phone) phones.push(row.phone);
      if (row.email) emails.push(row.email);
      if (row.externalId) externalIds.push(row.externalId);
    }
    const existing = await ctx
      .selectFrom('contacts')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          sql<boolean>`phone = any(${phones}::text[])`,
          sql<boolean>`email = any(${emails}::text[])`,
          sql<boolean>`external_id = any(${externalIds}::text[])`,
        ]),
      )
      .orderBy('id')
      .forUpdate()
      .execute();
    const byKey = new Map<string, ContactRow>();
    for (const contact of existing as ContactRow[]) {
      if (contact.phone) byKey.set(`p:${contact.phone}`, contact);
      if (contact.email) byKey.set(`e:${contact.email}`, contact);
      if (contact.external_id) byKey.set(`x:${contact.external_id}`, contact);
    }

    const claimed = new Set<string>();
    const deferred: number[] = [];
    const inserts: PlannedWrite[] = [];
    const updates: PlannedWrite[] = [];
    for (const index of round) {
      const row = rows[index] as UpsertRow;
      const matches = new Map<string, ContactRow>();
      for (const key of keysOf(row)) {
        const match = byKey.get(key);
        if (match) matches.set(match.id, match);
      }
      if (matches.size > 1) {
        results[index] = {
          index,
          status: 'failed',
          id: null,
          error: { code: 'contact_conflict', message: 'the phone, email or external id of this row belong to different contacts' },
        };
        continue;
      }
      const match = matches.values().next().value as ContactRow | undefined;
      if (!match) {
        const statuses = unknownStatuses();
        const planned = planConsents(row, consent, statuses);
        inserts.push({ index, id: uuidv7(at), fields: newContactFields(row), statuses, consents: planned.changes, warnings: planned.warnings });
        continue;
      }
      if (claimed.has(match.id)) {
        // Two rows of the round reach one contact through different keys: the later waits.
        deferred.push(index);
        continue;
      }
      claimed.add(match.id);
      const outcome = mergeContact(contactFieldsOf(match), row, policy);
      if (outcome.action === 'skip') {
        results[index] = { index, status: 'skipped', id: match.id, reason: 'policy_skip' };
        continue;
      }
      if (outcome.action === 'invalid') {
        results[index] = { index, status: 'failed', id: null, error: { code: outcome.code, message: outcome.message } };
        continue;
      }
      const statuses = statusesOf(match);
      const planned = planConsents(row, consent, statuses);
      const warnings = planned.warnings.length ? { warnings: planned.warnings } : {};
      if (outcome.changed.length === 0 && planned.changes.length === 0) {
        results[index] = { index, status: 'skipped', id: match.id, reason: 'unchanged', ...warnings };
        continue;
      }
      updates.push({ index, id: match.id, fields: outcome.fields, statuses, consents: planned.changes, warnings: planned.warnings });
      results[index] = { index, status: 'updated', id: match.id, ...warnings };
    }

    const written: PlannedWrite[] = [];
    if (inserts.length > 0) {
      const inserted = new Set(await insertPlanned(ctx, tenantId, inserts, at));
      for (const write of inserts) {
        if (inserted.has(write.id)) {
          results[write.index] = { index: write.index, status: 'inserted', id: write.id, ...(write.warnings.length ? { warnings: write.warnings } : {}) };
          written.push(write);
          continue;
        }
        // Another transaction committed the same phone/email/external id since our look-up:
        // take the row again, it now merges with that contact. Twice unlucky: report it.
        const tries = (insertRetries.get(write.index) ?? 0) + 1;
        insertRetries.set(write.index, tries);
        if (tries > 2) results[write.index] = { index: write.index, status: 'failed', id: null, error: { code: 'contact_conflict', message: 'another request created this contact at the same time; retry' } };
        else deferred.push(write.index);
      }
    }
    if (updates.length > 0) await updatePlanned(ctx, tenantId, updates, at);
    written.push(...updates);
    await writeConsents(ctx, tenantId, written, at, actor);

    pending = [...deferred, ...later].sort((a, b) => a - b);
  }
  return results.map((result, index) => result ?? { index, status: 'failed', id: null, error: { code: 'internal_error', message: 'row not processed' } });
}

const unknownStatuses = (): Record<ConsentChannel, ConsentStatus> => ({ sms: 'unknown', email: 'unknown', whatsapp: 'unknown', rcs: 'unknown' });

const statusesOf = (row: ContactRow): Record<ConsentChannel, ConsentStatus> => ({
  sms: row.consent_sms as ConsentStatus,
  email: row.consent_email as ConsentStatus,
  whatsapp: row.consent_whatsapp as ConsentStatus,
  rcs: row.consent_rcs as ConsentStatus,
});

/** The consent changes a row brings, checked against the statuses in force; updates `statuses`. */
function planConsents(row: UpsertRow, batch: BatchConsent | null, statuses: Record<ConsentChannel, ConsentStatus>): { changes: PlannedConsent[]; warnings: string[] } {
  const changes: PlannedConsent[] = [];
  const warnings: string[] = [];
  for (const channel of CONSENT_CHANNELS) {
    const own = row.consents?.[channel];
    const change: ConsentChange | undefined = own ?? (batch?.channels.includes(channel) ? { status: batch.status, source: batch.source, proof: batch.proof } : undefined);
    if (!change) continue;
    const transition = consentTransition(statuses[channel], change);
    if (transition.kind === 'refused') warnings.push(`consent ${channel} not changed: ${transition.message}`);
    else if (transition.kind === 'change') {
      changes.push({ channel, change });
      statuses[channel] = change.status;
    }
  }
  return { changes, warnings };
}

const fieldsTuple = (write: PlannedWrite): unknown[] => [
  write.id,
  write.fields.phone,
  write.fields.email,
  write.fields.firstName,
  write.fields.lastName,
  write.fields.language,
  write.fields.attributes,
  write.fields.tags,
  write.fields.pointOfSale,
  write.fields.externalId,
  write.statuses.sms,
  write.statuses.email,
  write.statuses.whatsapp,
  write.statuses.rcs,
];

/** The rows travel as one JSON document of tuples (as messaging/repo.ts does): one round trip. */
const TUPLE_COLUMNS = sql`(r->>0)::uuid as id, r->>1 as phone, r->>2 as email, r->>3 as first_name, r->>4 as last_name, r->>5 as language,
  r->6 as attributes, array(select jsonb_array_elements_text(r->7)) as tags, r->>8 as point_of_sale, r->>9 as external_id,
  r->>10 as consent_sms, r->>11 as consent_email, r->>12 as consent_whatsapp, r->>13 as consent_rcs`;

async function insertPlanned(ctx: CTx, tenantId: string, writes: readonly PlannedWrite[], at: Date): Promise<string[]> {
  // ON CONFLICT DO NOTHING (any unique key): a concurrent insert of the same address makes the
  // row come back for another round instead of aborting the whole batch.
  const { rows } = await sql<{ id: string }>`
    insert into contacts (tenant_id, id, phone, email, first_name, last_name, language, attributes, tags, point_of_sale, external_id,
                          consent_sms, consent_email, consent_whatsapp, consent_rcs, created_at, updated_at)
    select ${tenantId}::uuid, id, phone, email, first_name, last_name, language, attributes, tags, point_of_sale, external_id,
           consent_sms, consent_email, consent_whatsapp, consent_rcs, ${at}::timestamptz, ${at}::timestamptz
      from (select ${TUPLE_COLUMNS} from jsonb_array_elements(${JSON.stringify(writes.map(fieldsTuple))}::jsonb) as r) v
    on conflict do nothing
    returning id`.execute(ctx);
  return rows.map((r) => r.id);
}

async function updatePlanned(ctx: CTx, tenantId: string, writes: readonly PlannedWrite[], at: Date): Promise<void> {
  await sql`
    update contacts c
       set phone = v.phone, email = v.email, first_name = v.first_name, last_name = v.last_name, language = v.language,
           attributes = v.attributes, tags = v.tags, point_of_sale = v.point_of_sale, external_id = v.external_id,
           consent_sms = v.consent_sms, consent_email = v.consent_email, consent_whatsapp = v.consent_whatsapp,
           consent_rcs = v.consent_rcs, updated_at = ${at}::timestamptz
      from (select ${TUPLE_COLUMNS} from jsonb_array_elements(${JSON.stringify(writes.map(fieldsTuple))}::jsonb) as r) v
     where c.tenant_id = ${tenantId}::uuid and c.id = v.id`.execute(ctx);
}

/** Current consent (contact_consents) and history (contact_consent_events) for the changes planned. */
async function writeConsents(ctx: CTx, tenantId: string, writes: readonly PlannedWrite[], at: Date, actor: string | null): Promise<void> {
  const tuples: unknown[][] = [];
  for (const write of writes) for (const { channel, change } of write.consents) tuples.push([write.id, channel, change.status, change.source, change.proof ?? {}]);
  if (tuples.length === 0) return;
  await sql`
    with input as (
      select (r->>0)::uuid as contact_id, r->>1 as channel, r->>2 as status, r->>3 as source, r->4 as proof
        from jsonb_array_elements(${JSON.stringify(tuples)}::jsonb) as r
    ), current as (
      insert into contact_consents (tenant_id, contact_id, channel, status, source, at, proof)
      select ${tenantId}::uuid, contact_id, channel, status, source, ${at}::timestamptz, proof from input
      on conflict (tenant_id, contact_id, channel) do update
        set status = excluded.status, source = excluded.source, at = excluded.at, proof = excluded.proof
    )
    insert into contact_consent_events (tenant_id, contact_id, channel, status, source, at, proof, actor)
    select ${tenantId}::uuid, contact_id, channel, status, source, ${at}::timestamptz, proof, ${actor} from input`.execute(ctx);
}

// One contact ------------------------------------------------------------------------------------

export async function findContact(tx: Tx, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ContactRow | undefined> {
  let query = contactsTx(tx).selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return (await query.executeTakeFirst()) as ContactRow | undefined;
}

/** Which of phone, email and external id are already another contact's. */
export async function takenKeys(tx: Tx, tenantId: string, keys: { phone?: string | null | undefined; email?: string | null | undefined; externalId?: string | null | undefined }, exceptId: string | null): Promise<{ phone: boolean; email: boolean; externalId: boolean }> {
  const rows = await contactsTx(tx)
    .selectFrom('contacts')
    .select(['id', 'phone', 'email', 'external_id'])
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([
        eb('phone', '=', keys.phone ?? null),
        eb('email', '=', keys.email ?? null),
        eb('external_id', '=', keys.externalId ?? null),
      ]),
    )
    .execute();
  const others = rows.filter((r) => r.id !== exceptId);
  return {
    phone: !!keys.phone && others.some((r) => r.phone === keys.phone),
    email: !!keys.email && others.some((r) => r.email === keys.email),
    externalId: !!keys.externalId && others.some((r) => r.external_id === keys.externalId),
  };
}

/** Writes a contact's fields (an insert when `create`), consent columns untouched. */
export async function writeContact(tx: Tx, tenantId: string, id: string, fields: ContactFields, at: Date, create: boolean): Promise<ContactRow> {
  const values = {
    phone: fields.phone,
    email: fields.email,
    first_name: fields.firstName,
    last_name: fields.lastName,
    language: fields.language,
    attributes: JSON.stringify(fields.attributes),
    tags: fields.tags,
    point_of_sale: fields.pointOfSale,
    external_id: fields.externalId,
  };
  const ctx = contactsTx(tx);
  const row = create
    ? await ctx.insertInto('contacts').values({ tenant_id: tenantId, id, ...values, created_at: at, updated_at: at }).returningAll().executeTakeFirstOrThrow()
    : await ctx.updateTable('contacts').set({ ...values, updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  return row as ContactRow;
}

/**
 * Records one consent change on one contact (after consentTransition allowed it): the current
 * status on the contact, how it was obtained in contact_consents, the event in the history.
 */
export async function recordConsent(tx: Tx, tenantId: string, contactId: string, channel: ConsentChannel, change: ConsentChange, at: Date, actor: string | null): Promise<void> {
  const ctx = contactsTx(tx);
  const updated = await ctx.updateTable('contacts').set({ [`consent_${channel}`]: change.status, updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', contactId).executeTakeFirst();
  // The update locks the contact: with no foreign key (migration 0016), this is what keeps an
  // erasure from leaving consent rows behind. A contact erased meanwhile gets none.
  if (updated.numUpdatedRows === 0n) throw notFound('Contact');
  const proof = JSON.stringify(change.proof ?? {});
  await ctx
    .insertInto('contact_consents')
    .values({ tenant_id: tenantId, contact_id: contactId, channel, status: change.status, source: change.source, at, proof })
    .onConflict((oc) => oc.columns(['tenant_id', 'contact_id', 'channel']).doUpdateSet({ status: change.status, source: change.source, at, proof }))
    .execute();
  await ctx.insertInto('contact_consent_events').values({ tenant_id: tenantId, contact_id: contactId, channel, status: change.status, source: change.source, at, proof, actor }).execute();
}

export interface ConsentRecord {
  channel: string;
  status: string;
  source: string;
  at: Date;
  proof: Record<string, unknown>;
}

export async function consentsOf(tx: Tx, tenantId: string, contactId: string): Promise<ConsentRecord[]> {
  const rows = await contactsTx(tx).selectFrom('contact_consents').select(['channel', 'status', 'source', 'at', 'proof']).where('tenant_id', '=', tenantId).where('contact_id', '=', contactId).execute();
  return rows.map((r) => ({ ...r, at: new Date(r.at) }));
}

export interface ConsentEventRecord extends ConsentRecord {
  actor: string | null;
}

export async function consentHistoryOf(tx: Tx, tenantId: string, contactId: string): Promise<ConsentEventRecord[]> {
  const rows = await contactsTx(tx)
    .selectFrom('contact_consent_events')
    .select(['channel', 'status', 'source', 'at', 'proof', 'actor'])
    .where('tenant_id', '=', tenantId)
    .where('contact_id', '=', contactId)
    .orderBy('at', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, at: new Date(r.at) }));
}

/** Whether the suppression list (messaging, R-OPTOUT) holds the contact's phone or email. */
export async function suppressedAddresses(tx: Tx, tenantId: string, addresses: readonly string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const rows = await tx.selectFrom('suppressions').select('address').where('tenant_id', '=', tenantId).where('address', 'in', addresses).execute();
  return new Set(rows.map((r) => r.address));
}

// Opt-outs (R-OPTOUT) ------------------------------------------------------------------------------

/**
 * A STOP reply, an unsubscribe link or a WhatsApp opt-out suppressed `address` (already in the
 * suppression list's form: E.164 or lower-case email): the contact with that address, if any,
 * gets its consent for `channel` withdrawn (source `opt_out`, the suppression source as proof)
 * and an `opted_out` activity. `channel` null (an opt-out added by hand) withdraws every channel
 * the address reaches. Runs in the caller's transaction, so it happens with the suppression or
 * not at all. Returns the contact's id, or null when no contact has that address.
 */
export async function recordOptOut(tx: Tx, tenantId: string, address: string, channel: ConsentChannel | null, source: string, at: Date = new Date()): Promise<string | null> {
  const ctx = contactsTx(tx);
  const kind = address.includes('@') ? 'email' : 'phone';
  const contact = (await ctx
    .selectFrom('contacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where(kind, '=', kind === 'email' ? address.toLowerCase() : address)
    .forUpdate()
    .executeTakeFirst()) as ContactRow | undefined;
  if (!contact) return null;
  const channels = channel ? [channel] : CONSENT_CHANNELS.filter((c) => channelAddressKind(c) === kind);
  for (const c of channels) {
    const change: ConsentChange = { status: 'withdrawn', source: 'opt_out', proof: { optOut: source, address } };
    if (consentTransition(consentStatusOf(contact, c), change).kind === 'change') await recordConsent(tx, tenantId, contact.id, c, change, at, `opt_out:${source}`);
  }
  await ctx.insertInto('contact_activity').values({ tenant_id: tenantId, contact_id: contact.id, kind: 'opted_out', channel, campaign_id: null, message_id: null, at }).execute();
  await ctx.updateTable('contacts').set({ last_activity_at: at }).where('tenant_id', '=', tenantId).where('id', '=', contact.id).execute();
  return contact.id;
}

/**
 * Appends behaviour for segments and the timeline (received, clicked, opened, replied) to the
 * contact who has `address` (E.164 or email), and moves its last activity forward. For fan-out,
 * click and open tracking, inbound replies. Returns the contact's id, or null when no contact has
 * that address (nothing is written).
 */
export async function recordContactActivity(
  tx: Tx,
  tenantId: string,
  address: string,
  activity: { kind: 'received' | 'clicked' | 'opened' | 'replied'; channel: string | null; campaignId?: string | null; messageId?: string | null; at: Date },
): Promise<string | null> {
  const kind = address.includes('@') ? 'email' : 'phone';
  const { rows } = await sql<{ id: string }>`
    with target as (
      update contacts set last_activity_at = greatest(coalesce(last_activity_at, ${activity.at}::timestamptz), ${activity.at}::timestamptz)
       where tenant_id = ${tenantId}::uuid and ${sql.ref(kind)} = ${kind === 'email' ? address.toLowerCase() : address}
      returning id
    )
    insert into contact_activity (tenant_id, contact_id, kind, channel, campaign_id, message_id, at)
    select ${tenantId}::uuid, id, ${activity.kind}, ${activity.channel}, ${activity.campaignId ?? null}::uuid, ${activity.messageId ?? null}::uuid, ${activity.at}::timestamptz from target
    returning contact_id as id`.execute(contactsTx(tx));
  return rows[0]?.id ?? null;
}

// Erasure against bulk writers (migration 0016) ------------------------------------------------------

/**
 * The tenant's erasure lock. Consent, history and activity rows have no foreign key to their
 * contact (it cost half of an import's database time): a writer that reads many contacts and
 * writes rows for them without locking each one (the campaign fan-out) holds this lock `shared`
 * for its transaction, and an erasure takes it `exclusive` before deleting (R-DSR). So an erasure
 * waits for the batches in flight, and a batch that starts after it no longer sees the contact:
 * no row is left behind for an erased person.
 */
export async function lockContactsAgainstErasure(tx: Tx, tenantId: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const key = `contacts.erasure:${tenantId}`;
  if (mode === 'shared') await sql`select pg_advisory_xact_lock_shared(hashtextextended(${key}::text, 0))`.execute(tx);
  else await sql`select pg_advisory_xact_lock(hashtextextended(${key}::text, 0))`.execute(tx);
}

// The send path's consent check (R-CONSENT) ---------------------------------------------------------

/**
 * True when the recipient is a known contact of the tenant whose consent for the channel is
 * refused or withdrawn: a marketing message to it must be stored `suppressed` (issue 3, R-CONSENT),
 * like an address on the suppression list. It calls the SQL function `contact_consent_blocks`
 * (migration 0010), so it can sit inside the messaging insert's `case when … exists(…)`:
 *
 *   case when i.suppressible and (exists (select 1 from suppressions …)
 *                                 or ${consentBlocksMarketingSql(sql.ref('i.tenant_id'), sql.ref('i.channel'), sql.ref('i.recipient'))})
 *        then 'suppressed' else i.status end
 */
export function consentBlocksMarketingSql(tenantId: Expression<string> | RawBuilder<unknown> | string, channel: Expression<string> | RawBuilder<unknown> | string, recipient: Expression<string> | RawBuilder<unknown> | string): RawBuilder<boolean> {
  return sql<boolean>`contact_consent_blocks(${tenantId}::uuid, ${channel}::text, ${recipient}::text)`;
}
