import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { contactsTx } from './db.ts';
import type { ContactRow } from './repo.ts';
import type { ContactView } from './service.ts';
import { CONSENT_CHANNELS, type ConsentChannel } from './rules.ts';

/**
 * R-REVERSIBILITY (§30) and R-DSR portability: every contact of the tenant with its consent in
 * force per channel and its full consent history, as CSV or JSON, streamed page by page (keyset
 * on the id, 1,000 contacts per short transaction) so a million contacts never sit in memory.
 */

export type ExportFormat = 'csv' | 'json';
export const EXPORT_PAGE = 1000;

interface ExportedConsent {
  status: string;
  source: string | null;
  at: string | null;
  proof: Record<string, unknown> | null;
}

/** A contact as the API shows it, with every consent record and the whole history instead of the summary. */
export interface ExportedContact extends Omit<ContactView, 'consent'> {
  consents: Record<ConsentChannel, ExportedConsent>;
  consentHistory: { channel: string; status: string; source: string; at: string; proof: Record<string, unknown>; actor: string | null }[];
}

/** The contacts, one page at a time, in id order (UUIDv7: creation order). */
export async function* exportedContacts(db: Database, tenantId: string, pageSize = EXPORT_PAGE): AsyncGenerator<ExportedContact[]> {
  let afterId: string | null = null;
  for (;;) {
    const from = afterId;
    const page: ExportedContact[] = await withTenant(db, tenantId, async (tx) => {
      const ctx = contactsTx(tx);
      let query = ctx.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId);
      if (from) query = query.where('id', '>', from);
      const contacts = (await query.orderBy('id').limit(pageSize).execute()) as ContactRow[];
      if (contacts.length === 0) return [];
      const ids = contacts.map((c) => c.id);
      const consents = await ctx.selectFrom('contact_consents').selectAll().where('tenant_id', '=', tenantId).where(sql<boolean>`contact_id = any(${ids}::uuid[])`).execute();
      const events = await ctx
        .selectFrom('contact_consent_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where(sql<boolean>`contact_id = any(${ids}::uuid[])`)
        .orderBy('contact_id')
        .orderBy('at')
        .execute();
      return contacts.map((c) => ({
        id: c.id,
        phone: c.phone,
        email: c.email,
        firstName: c.first_name,
        lastName: c.last_name,
        language: c.language,
        pointOfSale: c.point_of_sale,
        externalId: c.external_id,
        tags: c.tags,
        attributes: c.attributes,
        createdAt: c.created_at.toISOString(),
        updatedAt: c.updated_at.toISOString(),
        lastActivityAt: c.last_activity_at ? c.last_activity_at.toISOString() : null,
        consents: Object.fromEntries(
          CONSENT_CHANNELS.map((channel) => {
            const record = consents.find((r) => r.contact_id === c.id && r.channel === channel);
            return [channel, { status: c[`consent_${channel}`], source: record?.source ?? null, at: record ? new Date(record.at).toISOString() : null, proof: record?.proof ?? null }];
          }),
        ) as Record<ConsentChannel, ExportedConsent>,
        consentHistory: events
          .filter((e) => e.contact_id === c.id)
          .map((e) => ({ channel: e.channel, status: e.status, source: e.source, at: new Date(e.at).toISOString(), proof: e.proof, actor: e.actor })),
      }));
    });
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    afterId = page[page.length - 1]?.id ?? null;
  }
}

export const CSV_COLUMNS = [
  'id', 'phone', 'email', 'first_name', 'last_name', 'language', 'point_of_sale', 'external_id', 'tags', 'attributes',
  'created_at', 'updated_at', 'last_activity_at',
  ...CONSENT_CHANNELS.flatMap((c) => [`consent_${c}`, `consent_${c}_source`, `consent_${c}_at`, `consent_${c}_proof`]),
  'consent_history',
];

/**
 * One CSV field (RFC 4180). Free text that a spreadsheet would run as a formula (= + - @ at the
 * start) gets a leading apostrophe (OWASP CSV injection); phone numbers (E.164, digits only) and
 * JSON columns are never altered. The JSON export is exact.
 */
export function csvField(value: string | null, guard = true): string {
  if (value === null) return '';
  const safe = guard && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(contact: ExportedContact): string {
  const text = (value: string | null) => csvField(value);
  const exact = (value: string | null) => csvField(value, false);
  const cells = [
    exact(contact.id), exact(contact.phone), text(contact.email), text(contact.firstName), text(contact.lastName), text(contact.language),
    text(contact.pointOfSale), text(contact.externalId), exact(JSON.stringify(contact.tags)), exact(JSON.stringify(contact.attributes)),
    exact(contact.createdAt), exact(contact.updatedAt), exact(contact.lastActivityAt),
    ...CONSENT_CHANNELS.flatMap((c) => {
      const consent = contact.consents[c];
      return [exact(consent.status), exact(consent.source), exact(consent.at), exact(consent.proof ? JSON.stringify(consent.proof) : null)];
    }),
    exact(JSON.stringify(contact.consentHistory)),
  ];
  return `${cells.join(',')}\r\n`;
}

/** The export as text chunks: CSV (UTF-8 with a BOM, so spreadsheets read accents) or a JSON array. */
export async function* exportChunks(db: Database, tenantId: string, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
    for await (const page of exportedContacts(db, tenantId)) yield page.map(csvLine).join('');
    return;
  }
  yield '[';
  let first = true;
  for await (const page of exportedContacts(db, tenantId)) {
    yield page.map((contact) => {
      const text = `${first ? '\n' : ',\n'}${JSON.stringify(contact)}`;
      first = false;
      return text;
    }).join('');
  }
  yield first ? ']\n' : '\n]\n';
}
