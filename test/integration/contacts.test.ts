import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { InboundHandler } from '../../src/modules/messaging/index.ts';
import { contactsTx, lockContactsAgainstErasure } from '../../src/modules/contacts/index.ts';
import { admin } from '../support/global-database.ts';
import { bearer, ConsoleSession, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * /v1/contacts end to end over a real PostgreSQL (issue 4): CRUD with phone/email uniqueness,
 * search and filters with cursor pagination, bulk upsert, consent and its history (R-CONSENT),
 * opt-outs withdrawing consent (R-OPTOUT), export (R-REVERSIBILITY), erasure (R-DSR), tenant
 * isolation (R-TENANT), scopes and roles (R-IAM).
 */
let platform: TestPlatform;
let shop: TenantFixture;
let other: TenantFixture;
const clock = new FixedClock('2026-04-01T08:00:00Z');

type Problem = { status: number; code: string; errors?: { path: string; message: string }[]; requiredScopes?: string[] };
type Consent = { channel: string; status: string; source: string | null; at: string | null; proof: Record<string, unknown> };
type Contact = {
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
  consent: Record<string, string>;
  consents: Consent[];
  suppressed: { phone: boolean; email: boolean };
  createdAt: string;
  warnings?: string[];
  changed?: boolean;
};
type Page = { data: Contact[]; nextCursor: string | null; total?: number };

const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, key: string, payload?: unknown) =>
  platform.app.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });

const create = async (body: Record<string, unknown>, key = shop.apiKey) => {
  const response = await api('POST', '/v1/contacts', key, body);
  expect(response.statusCode, response.body).toBe(201);
  return json<Contact>(response);
};

const everyPage = async (query: string, key = shop.apiKey, limit = 2): Promise<Contact[]> => {
  const all: Contact[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = json<Page>(await api('GET', `/v1/contacts?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, key));
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
};

const proof = { text: 'J’accepte de recevoir les offres de la boutique par SMS', ip: '203.0.113.7' };

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  shop = await createTenant(platform, 'Optique Lumière');
  other = await createTenant(platform, 'Concurrent');
});

afterAll(async () => {
  await platform?.close();
});

describe('creating, reading, changing', () => {
  it('creates a contact with every field normalised and its consent recorded with proof', async () => {
    const attr = await api('POST', '/v1/contact-attributes', shop.apiKey, { key: 'points', label: 'Points fidélité', type: 'number' });
    expect(attr.statusCode).toBe(201);
    const contact = await create({
      phone: '06 12 34 56 78',
      email: ' Marie.Curie@Example.FR',
      firstName: ' Marie ',
      lastName: 'Curie',
      language: 'fr-FR',
      attributes: { points: '1 250,5' },
      tags: ['VIP', ' vip ', 'Lyon'],
      pointOfSale: 'LYON-01',
      externalId: 'CRM-1',
      consents: { sms: { status: 'granted', source: 'form', proof } },
    });
    expect(contact).toMatchObject({
      phone: '+33612345678',
      email: 'marie.curie@example.fr',
      firstName: 'Marie',
      language: 'fr',
      attributes: { points: 1250.5 },
      tags: ['vip', 'lyon'],
      pointOfSale: 'LYON-01',
      consent: { sms: 'granted', email: 'unknown', whatsapp: 'unknown', rcs: 'unknown' },
      suppressed: { phone: false, email: false },
    });
    const sms = contact.consents.find((c) => c.channel === 'sms');
    expect(sms).toMatchObject({ status: 'granted', source: 'form', at: '2026-04-01T08:00:00.000Z', proof: { ...proof, apiKey: expect.stringMatching(/^sofy_/) } });
    expect(json<Contact>(await api('GET', `/v1/contacts/${contact.id}`, shop.apiKey))).toEqual({ ...contact });
  });

  it('refuses a second contact with the same phone (any notation) or email (any case): 409 with the field', async () => {
    const phone = json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { phone: '+33 6 12 34 56 78' }));
    expect(phone).toMatchObject({ status: 409, code: 'contact_phone_taken', errors: [{ path: '/phone' }] });
    const email = json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'MARIE.CURIE@example.fr' }));
    expect(email).toMatchObject({ status: 409, code: 'contact_email_taken', errors: [{ path: '/email' }] });
    const external = json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'autre@example.fr', externalId: 'CRM-1' }));
    expect(external).toMatchObject({ status: 409, code: 'contact_external_id_taken' });
    // Another tenant may hold the same person: uniqueness is per tenant.
    expect((await api('POST', '/v1/contacts', other.apiKey, { phone: '0612345678' })).statusCode).toBe(201);
  });

  it('answers 422 with a stable code and the field for bad input', async () => {
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { phone: '12' }))).toMatchObject({ status: 422, code: 'invalid_phone_number', errors: [{ path: '/phone' }] });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'pas-un-email' }))).toMatchObject({ status: 422, code: 'invalid_email_address', errors: [{ path: '/email' }] });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { firstName: 'Sans adresse' }))).toMatchObject({ status: 422, code: 'contact_identity_required' });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'a@example.fr', attributes: { couleur: 'bleu' } }))).toMatchObject({ status: 422, code: 'invalid_attribute', errors: [{ path: '/attributes/couleur' }] });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'a@example.fr', attributes: { points: 'beaucoup' } }))).toMatchObject({ status: 422, code: 'invalid_attribute', errors: [{ path: '/attributes/points' }] });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'a@example.fr', consents: { email: { status: 'granted' } } }))).toMatchObject({ status: 422, code: 'consent_proof_required', errors: [{ path: '/consents/email' }] });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'a@example.fr', consents: { sms: { status: 'refused' } } }))).toMatchObject({ status: 422, code: 'invalid_consent_change' });
    expect(json<Problem>(await api('POST', '/v1/contacts', shop.apiKey, { email: 'a@example.fr', unknownField: 1 }))).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('patches: given members replace, null clears, attributes merge; a taken email is 409', async () => {
    const contact = await create({ email: 'paul@example.fr', firstName: 'Paul', lastName: 'Langevin', attributes: { points: 3 }, tags: ['a'] });
    const patched = json<Contact>(await api('PATCH', `/v1/contacts/${contact.id}`, shop.apiKey, { lastName: null, phone: '07 81 23 45 67', tags: ['b'], attributes: { points: null } }));
    expect(patched).toMatchObject({ email: 'paul@example.fr', firstName: 'Paul', lastName: null, phone: '+33781234567', tags: ['b'], attributes: {} });
    expect(json<Problem>(await api('PATCH', `/v1/contacts/${contact.id}`, shop.apiKey, { email: 'marie.curie@example.fr' }))).toMatchObject({ status: 409, code: 'contact_email_taken' });
    expect(json<Problem>(await api('PATCH', `/v1/contacts/${contact.id}`, shop.apiKey, { email: null, phone: null }))).toMatchObject({ status: 422, code: 'contact_identity_required' });
    expect(json<Problem>(await api('PATCH', '/v1/contacts/0195f000-0000-7000-8000-000000000000', shop.apiKey, { firstName: 'x' }))).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('attribute definitions', () => {
  it('defines, renames, protects choices in use, and deletes with their values', async () => {
    const created = await api('POST', '/v1/contact-attributes', shop.apiKey, { key: 'niveau', label: 'Niveau', type: 'choice', choices: ['Argent', 'Or'] });
    expect(json(created)).toMatchObject({ key: 'niveau', type: 'choice', choices: ['Argent', 'Or'] });
    expect(json<Problem>(await api('POST', '/v1/contact-attributes', shop.apiKey, { key: 'niveau', label: 'x', type: 'text' }))).toMatchObject({ status: 409, code: 'attribute_exists' });
    expect(json<Problem>(await api('POST', '/v1/contact-attributes', shop.apiKey, { key: 'vide', label: 'x', type: 'choice', choices: [] }))).toMatchObject({ status: 400, code: 'validation_failed' });
    const holder = await create({ email: 'or@example.fr', attributes: { niveau: 'or' } });
    expect(holder.attributes).toEqual({ niveau: 'Or' });
    expect(json<Problem>(await api('PATCH', '/v1/contact-attributes/niveau', shop.apiKey, { choices: ['Argent'] }))).toMatchObject({ status: 422, code: 'invalid_attribute' });
    expect(json(await api('PATCH', '/v1/contact-attributes/niveau', shop.apiKey, { label: 'Niveau fidélité', choices: ['Argent', 'Or', 'Platine'] }))).toMatchObject({ label: 'Niveau fidélité', choices: ['Argent', 'Or', 'Platine'] });
    expect(json<{ data: { key: string }[] }>(await api('GET', '/v1/contact-attributes', shop.apiKey)).data.map((d) => d.key)).toEqual(['niveau', 'points']);
    expect((await api('DELETE', '/v1/contact-attributes/niveau', shop.apiKey)).statusCode).toBe(204);
    expect(json<Contact>(await api('GET', `/v1/contacts/${holder.id}`, shop.apiKey)).attributes).toEqual({});
    expect((await api('DELETE', '/v1/contact-attributes/niveau', shop.apiKey)).statusCode).toBe(404);
  });
});

describe('consent per channel (R-CONSENT)', () => {
  it('records each change with source, date and proof, and keeps the whole history', async () => {
    const contact = await create({ phone: '06 55 44 33 22', email: 'jeanne@example.fr' });
    clock.advance(60_000);
    const granted = json<Contact>(await api('PUT', `/v1/contacts/${contact.id}/consents/sms`, shop.apiKey, { status: 'granted', source: 'in_store', proof: { operator: 'Caisse 2', text: 'Oui aux SMS' } }));
    expect(granted).toMatchObject({ changed: true, consent: { sms: 'granted' } });
    expect(granted.consents.find((c) => c.channel === 'sms')).toMatchObject({ status: 'granted', source: 'in_store', at: clock.now().toISOString(), proof: { operator: 'Caisse 2', text: 'Oui aux SMS' } });
    const again = json<Contact>(await api('PUT', `/v1/contacts/${contact.id}/consents/sms`, shop.apiKey, { status: 'granted', source: 'in_store', proof: { operator: 'Caisse 2' } }));
    expect(again.changed).toBe(false);
    clock.advance(60_000);
    expect(json<Contact>(await api('PUT', `/v1/contacts/${contact.id}/consents/sms`, shop.apiKey, { status: 'withdrawn', source: 'api' })).consent.sms).toBe('withdrawn');
    expect(json<Problem>(await api('PUT', `/v1/contacts/${contact.id}/consents/sms`, shop.apiKey, { status: 'granted', source: 'import', proof: { reference: 'fichier.csv' } }))).toMatchObject({
      status: 422,
      code: 'consent_reactivation_not_allowed',
    });
    expect(json<Problem>(await api('PUT', `/v1/contacts/${contact.id}/consents/email`, shop.apiKey, { status: 'granted', source: 'form' }))).toMatchObject({ status: 422, code: 'consent_proof_required', errors: [{ path: '/proof' }] });
    expect(json<Problem>(await api('PUT', `/v1/contacts/${contact.id}/consents/fax`, shop.apiKey, { status: 'granted', source: 'form', proof }))).toMatchObject({ status: 400 });
    expect(json<Problem>(await api('PUT', `/v1/contacts/${contact.id}/consents/email`, shop.apiKey, { status: 'withdrawn', source: 'opt_out' }))).toMatchObject({ status: 400 });
    clock.advance(60_000);
    expect(json<Contact>(await api('PUT', `/v1/contacts/${contact.id}/consents/sms`, shop.apiKey, { status: 'granted', source: 'form', proof })).consent.sms).toBe('granted');

    const history = json<{ data: { channel: string; status: string; source: string; actor: string }[] }>(await api('GET', `/v1/contacts/${contact.id}/consents`, shop.apiKey)).data;
    expect(history.map((e) => [e.channel, e.status, e.source])).toEqual([
      ['sms', 'granted', 'form'],
      ['sms', 'withdrawn', 'api'],
      ['sms', 'granted', 'in_store'],
    ]);
    expect(history.every((e) => e.actor.startsWith('api_key:'))).toBe(true);
  });

  it('refuses a consent on a channel the contact has no address for', async () => {
    const contact = await create({ email: 'sans-telephone@example.fr' });
    expect(json<Problem>(await api('PUT', `/v1/contacts/${contact.id}/consents/sms`, shop.apiKey, { status: 'granted', source: 'form', proof }))).toMatchObject({ status: 422, code: 'invalid_consent_change' });
  });

  it('a STOP reply and an unsubscribe link withdraw the consent, appear in the timeline, and show as suppressed (R-OPTOUT)', async () => {
    const contact = await create({ phone: '06 01 02 03 04', email: 'stop@example.fr', consents: { sms: { status: 'granted', source: 'form', proof }, email: { status: 'granted', source: 'form', proof } } });
    expect((await api('POST', '/v1/senders', shop.apiKey, { sender: '38123' })).statusCode).toBe(201);
    clock.advance(60_000);
    const inbound = new InboundHandler(platform.database.db, clock);
    expect(await inbound.handle({ channel: 'sms', from: '+33601020304', to: '38123', text: 'STOP', providerId: 'mo-1', receivedAt: clock.now() })).toEqual({ tenantId: shop.tenantId, optOut: true });
    const afterStop = json<Contact>(await api('GET', `/v1/contacts/${contact.id}`, shop.apiKey));
    expect(afterStop.consent).toMatchObject({ sms: 'withdrawn', email: 'granted' });
    expect(afterStop.consents.find((c) => c.channel === 'sms')).toMatchObject({ status: 'withdrawn', source: 'opt_out', proof: { optOut: 'sms_stop' } });
    expect(afterStop.suppressed).toEqual({ phone: true, email: false });

    clock.advance(60_000);
    const token = platform.services.unsubscribeTokens.create(shop.tenantId, 'stop@example.fr');
    expect((await platform.app.inject({ method: 'POST', url: `/unsubscribe/${token}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(200);
    const afterUnsubscribe = json<Contact>(await api('GET', `/v1/contacts/${contact.id}`, shop.apiKey));
    expect(afterUnsubscribe.consent).toMatchObject({ sms: 'withdrawn', email: 'withdrawn' });
    expect(afterUnsubscribe.suppressed).toEqual({ phone: true, email: true });

    const timeline = json<{ data: { type: string; kind: string; channel: string | null }[] }>(await api('GET', `/v1/contacts/${contact.id}/timeline`, shop.apiKey)).data;
    expect(timeline.map((i) => [i.type, i.kind, i.channel])).toEqual([
      ['consent', 'withdrawn', 'email'],
      ['activity', 'opted_out', 'email'],
      ['consent', 'withdrawn', 'sms'],
      ['activity', 'opted_out', 'sms'],
      ['consent', 'granted', 'sms'],
      ['consent', 'granted', 'email'],
    ]);
  });
});

describe('timeline', () => {
  it('merges messages, activity and consent changes newest first, page by page without gaps', async () => {
    const contact = await create({ phone: '06 11 22 33 44', email: 'timeline@example.fr', consents: { sms: { status: 'granted', source: 'form', proof } } });
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      const response = await api('POST', '/v1/messages', shop.apiKey, { channel: 'sms', route: 'marketing', to: '0611223344', text: `Offre ${i}` });
      expect(response.statusCode, response.body).toBe(202);
      sent.push(json<{ id: string }>(response).id);
    }
    clock.advance(1000);
    const email = await api('POST', '/v1/messages', shop.apiKey, { channel: 'email', route: 'alert', to: 'timeline@example.fr', subject: 'Votre commande', text: 'Prête' });
    expect(email.statusCode, email.body).toBe(202);
    clock.advance(1000);
    await withTenant(platform.database.db, shop.tenantId, (tx) =>
      contactsTx(tx).insertInto('contact_activity').values({ tenant_id: shop.tenantId, contact_id: contact.id, kind: 'clicked', channel: 'sms', campaign_id: null, message_id: sent[2] as string, at: clock.now() }).execute(),
    );
    // A second item at the very same instant: the keyset must neither skip nor repeat it.
    await withTenant(platform.database.db, shop.tenantId, (tx) =>
      contactsTx(tx).insertInto('contact_activity').values({ tenant_id: shop.tenantId, contact_id: contact.id, kind: 'replied', channel: 'sms', campaign_id: null, message_id: null, at: clock.now() }).execute(),
    );

    const items: { type: string; kind: string; messageId: string | null; at: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: typeof items; nextCursor: string | null } = json(await api('GET', `/v1/contacts/${contact.id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`, shop.apiKey));
      expect(page.data.length).toBeLessThanOrEqual(2);
      items.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(items.map((i) => `${i.type}:${i.kind}`)).toEqual(['activity:replied', 'activity:clicked', 'message:queued', 'message:queued', 'message:queued', 'message:queued', 'consent:granted']);
    expect(items.filter((i) => i.type === 'message').map((i) => i.messageId).slice(1)).toEqual([...sent].reverse());
    expect(json<Problem>(await api('GET', `/v1/contacts/${contact.id}/timeline?cursor=nonsense`, shop.apiKey))).toMatchObject({ status: 400, code: 'invalid_cursor' });
  });
});

describe('listing, searching, filtering', () => {
  let ids: Record<string, string>;

  beforeAll(async () => {
    const t = await createTenant(platform, 'Recherche');
    shop = { ...shop, listKey: t.apiKey } as TenantFixture & { listKey: string };
    clock.set('2026-05-01T09:00:00Z');
    ids = {};
    const people = [
      { key: 'alice', phone: '06 10 00 00 01', email: 'alice@example.fr', lastName: 'Martin', tags: ['vip'], pointOfSale: 'PARIS-01', consents: { sms: { status: 'granted', source: 'form', proof } } },
      { key: 'bruno', phone: '06 10 00 00 02', email: 'bruno@example.fr', lastName: 'Martinez', tags: ['vip', 'lyon'], pointOfSale: 'LYON-01' },
      { key: 'chloe', phone: '07 20 00 00 03', email: 'chloe@autre.fr', lastName: 'Dubois', tags: [], pointOfSale: 'PARIS-01', consents: { sms: { status: 'refused', source: 'in_store' } } },
      { key: 'david', email: 'david@example.fr', firstName: 'David', lastName: 'Petit', tags: ['lyon'] },
      { key: 'emma', phone: '+32 470 12 34 56', lastName: 'Leroy', tags: ['vip'], consents: { sms: { status: 'granted', source: 'api', proof: { reference: 'crm' } } } },
    ];
    for (const { key, ...body } of people) {
      clock.advance(3_600_000);
      ids[key] = (await create(body, t.apiKey)).id;
    }
  });

  const key = () => (shop as TenantFixture & { listKey: string }).listKey;
  const names = (contacts: Contact[]) => contacts.map((c) => Object.entries(ids).find(([, id]) => id === c.id)?.[0]);

  it('pages through every contact newest first, with the total on demand', async () => {
    expect(names(await everyPage('', key()))).toEqual(['emma', 'david', 'chloe', 'bruno', 'alice']);
    const first = json<Page>(await api('GET', '/v1/contacts?limit=2&count=true', key()));
    expect(first.total).toBe(5);
    expect(first.data).toHaveLength(2);
  });

  it('searches a phone in any notation, an email or a name by prefix', async () => {
    expect(names(await everyPage('&q=06%2010', key()))).toEqual(['bruno', 'alice']);
    expect(names(await everyPage('&q=%2B33720', key()))).toEqual(['chloe']);
    expect(names(await everyPage('&q=0610000002', key()))).toEqual(['bruno']);
    expect(names(await everyPage('&q=%2B32', key()))).toEqual(['emma']);
    expect(names(await everyPage('&q=DAVID%40', key()))).toEqual(['david']);
    expect(names(await everyPage('&q=martin', key()))).toEqual(['bruno', 'alice']);
    expect(names(await everyPage('&q=david', key()))).toEqual(['david']);
    expect(names(await everyPage('&q=%25', key()))).toEqual([]);
  });

  it('filters by tag, consent, point of sale and creation time, combined', async () => {
    expect(names(await everyPage('&tag=VIP', key()))).toEqual(['emma', 'bruno', 'alice']);
    expect(names(await everyPage('&consent=sms:granted', key()))).toEqual(['emma', 'alice']);
    expect(names(await everyPage('&consent=sms:refused', key()))).toEqual(['chloe']);
    expect(names(await everyPage('&consent=email:unknown&tag=lyon', key()))).toEqual(['david', 'bruno']);
    expect(names(await everyPage('&pointOfSale=PARIS-01', key()))).toEqual(['chloe', 'alice']);
    expect(names(await everyPage(`&createdFrom=${encodeURIComponent('2026-05-01T11:00:00Z')}&createdTo=${encodeURIComponent('2026-05-01T13:00:00Z')}`, key()))).toEqual(['chloe', 'bruno']);
    expect(json<Problem>(await api('GET', '/v1/contacts?consent=sms:maybe', key()))).toMatchObject({ status: 400 });
  });

  it('sums up the base for the console', async () => {
    const summary = json<{ total: number; consentGranted: Record<string, number>; tags: { tag: string; count: number }[]; pointsOfSale: { code: string; count: number }[] }>(await api('GET', '/v1/contacts/summary', key()));
    expect(summary).toEqual({
      total: 5,
      consentGranted: { sms: 2, email: 0, whatsapp: 0, rcs: 0 },
      tags: [{ tag: 'vip', count: 3 }, { tag: 'lyon', count: 2 }],
      pointsOfSale: [{ code: 'PARIS-01', count: 2 }, { code: 'LYON-01', count: 1 }],
    });
  });
});

describe('bulk upsert', () => {
  it('answers per item: inserted, merged duplicates, refused items with their path, conflicts', async () => {
    const t = await createTenant(platform, 'Bulk');
    await create({ phone: '06 99 00 00 01', firstName: 'Ancien' }, t.apiKey);
    await create({ email: 'pris@example.fr' }, t.apiKey);
    const response = await api('POST', '/v1/contacts/bulk', t.apiKey, {
      mergePolicy: 'update',
      contacts: [
        { phone: '06 99 00 00 02', firstName: 'Nouveau', consents: { sms: { status: 'granted', source: 'form', proof } } },
        { phone: '+33699000001', firstName: 'Mis à jour' },
        { phone: '06 99 00 00 02', lastName: 'Doublon' },
        { phone: 'n/a' },
        { phone: '06 99 00 00 01', email: 'pris@example.fr' },
        { email: 'x@example.fr', consents: { email: { status: 'granted' } } },
        { email: 'y@example.fr', surprise: true },
        { phone: '06 99 00 00 01' },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = json<{ inserted: number; updated: number; skipped: number; failed: number; results: { index: number; status: string; id: string | null; reason?: string; error?: { code: string; errors?: { path: string }[] } }[] }>(response);
    expect(body.results.map((r) => r.status)).toEqual(['inserted', 'updated', 'updated', 'failed', 'failed', 'failed', 'failed', 'skipped']);
    expect(body).toMatchObject({ inserted: 1, updated: 2, skipped: 1, failed: 4 });
    expect(body.results[2]?.id).toBe(body.results[0]?.id);
    expect(body.results[3]?.error).toMatchObject({ code: 'invalid_phone_number', errors: [{ path: '/contacts/3/phone' }] });
    expect(body.results[4]?.error).toMatchObject({ code: 'contact_conflict' });
    expect(body.results[5]?.error).toMatchObject({ code: 'consent_proof_required', errors: [{ path: '/contacts/5/consents/email' }] });
    expect(body.results[6]?.error).toMatchObject({ code: 'validation_failed', errors: [{ path: '/contacts/6/surprise' }] });
    expect(body.results[7]).toMatchObject({ status: 'skipped', reason: 'unchanged' });
    const merged = json<Contact>(await api('GET', `/v1/contacts/${body.results[0]?.id}`, t.apiKey));
    expect(merged).toMatchObject({ phone: '+33699000002', firstName: 'Nouveau', lastName: 'Doublon', consent: { sms: 'granted' } });
    expect(merged.consents.find((c) => c.channel === 'sms')?.proof).toMatchObject(proof);
  });

  it('keeps existing contacts under skip and replaces them under overwrite', async () => {
    const t = await createTenant(platform, 'Bulk 2');
    const existing = await create({ phone: '06 98 00 00 01', firstName: 'Garde', tags: ['x'] }, t.apiKey);
    const skipped = json<{ results: { status: string; reason?: string }[] }>(await api('POST', '/v1/contacts/bulk', t.apiKey, { mergePolicy: 'skip', contacts: [{ phone: '0698000001', firstName: 'Ignoré' }] }));
    expect(skipped.results[0]).toMatchObject({ status: 'skipped', reason: 'policy_skip' });
    const overwritten = json<{ results: { status: string }[] }>(await api('POST', '/v1/contacts/bulk', t.apiKey, { mergePolicy: 'overwrite', contacts: [{ phone: '0698000001', lastName: 'Remplacé' }] }));
    expect(overwritten.results[0]?.status).toBe('updated');
    expect(json<Contact>(await api('GET', `/v1/contacts/${existing.id}`, t.apiKey))).toMatchObject({ firstName: null, lastName: 'Remplacé', tags: [] });
  });

  it('refuses more than 1,000 items in one call', async () => {
    const contacts = Array.from({ length: 1001 }, (_, i) => ({ email: `n${i}@example.fr` }));
    expect(json<Problem>(await api('POST', '/v1/contacts/bulk', shop.apiKey, { contacts }))).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

describe('export (R-REVERSIBILITY)', () => {
  it('streams every contact with its consent and full history, as CSV and JSON, for this tenant only', async () => {
    const t = await createTenant(platform, 'Export');
    const a = await create({ phone: '06 87 00 00 01', firstName: '=HYPERLINK("x")', lastName: 'Dupont, fils', tags: ['vip'], consents: { sms: { status: 'granted', source: 'form', proof } } }, t.apiKey);
    clock.advance(1000);
    expect((await api('PUT', `/v1/contacts/${a.id}/consents/sms`, t.apiKey, { status: 'withdrawn', source: 'console' })).statusCode).toBe(200);
    const b = await create({ email: 'élodie@example.fr', firstName: 'Élodie' }, t.apiKey);
    await create({ email: 'ailleurs@example.fr' }, other.apiKey);

    const jsonExport = await api('GET', '/v1/contacts/export?format=json', t.apiKey);
    expect(jsonExport.statusCode).toBe(200);
    expect(jsonExport.headers['content-type']).toContain('application/json');
    expect(jsonExport.headers['content-disposition']).toMatch(/attachment; filename="contacts-.*\.json"/);
    const exported = JSON.parse(jsonExport.body) as { id: string; firstName: string; consents: Record<string, { status: string; source: string | null }>; consentHistory: { status: string; source: string }[] }[];
    expect(exported.map((c) => c.id)).toEqual([a.id, b.id]);
    expect(exported[0]).toMatchObject({ firstName: '=HYPERLINK("x")', consents: { sms: { status: 'withdrawn', source: 'console' }, email: { status: 'unknown', source: null } } });
    expect(exported[0]?.consentHistory.map((e) => [e.status, e.source])).toEqual([['granted', 'form'], ['withdrawn', 'console']]);

    const csv = await api('GET', '/v1/contacts/export?format=csv', t.apiKey);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]?.split(',').slice(0, 5)).toEqual(['id', 'phone', 'email', 'first_name', 'last_name']);
    expect(lines[0]).toContain('consent_sms,consent_sms_source,consent_sms_at,consent_sms_proof');
    expect(lines[1]).toContain(`${a.id},+33687000001,,"'=HYPERLINK(""x"")","Dupont, fils"`);
    expect(lines[1]).toContain('withdrawn,console');
    expect(lines[2]).toContain('élodie@example.fr');
    expect(csv.body).not.toContain('ailleurs@example.fr');
  });
});

describe('tenant isolation, scopes and roles', () => {
  it('never shows or changes another tenant’s contacts (R-TENANT)', async () => {
    const mine = await create({ email: 'isole@example.fr' });
    expect((await api('GET', `/v1/contacts/${mine.id}`, other.apiKey)).statusCode).toBe(404);
    expect((await api('PATCH', `/v1/contacts/${mine.id}`, other.apiKey, { firstName: 'x' })).statusCode).toBe(404);
    expect((await api('PUT', `/v1/contacts/${mine.id}/consents/email`, other.apiKey, { status: 'refused', source: 'api' })).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/contacts/${mine.id}`, other.apiKey)).statusCode).toBe(404);
    expect((await api('GET', `/v1/contacts/${mine.id}/timeline`, other.apiKey)).statusCode).toBe(404);
    expect((await everyPage('&q=isole', other.apiKey)).length).toBe(0);
    expect(JSON.parse((await api('GET', '/v1/contacts/export?format=json', other.apiKey)).body).map((c: { email: string }) => c.email)).not.toContain('isole@example.fr');
  });

  it('API keys need contacts:read to read and contacts:write to change', async () => {
    const readKey = json<{ secret: string }>(await api('POST', '/v1/api-keys', shop.apiKey, { name: 'lecture contacts', scopes: ['contacts:read'] })).secret;
    const writeKey = json<{ secret: string }>(await api('POST', '/v1/api-keys', shop.apiKey, { name: 'écriture contacts', scopes: ['contacts:write'] })).secret;
    const messagesKey = json<{ secret: string }>(await api('POST', '/v1/api-keys', shop.apiKey, { name: 'messages', scopes: ['messages:read'] })).secret;
    expect((await api('GET', '/v1/contacts', readKey)).statusCode).toBe(200);
    expect((await api('GET', '/v1/contacts/export?format=csv', readKey)).statusCode).toBe(200);
    expect(json<Problem>(await api('POST', '/v1/contacts', readKey, { email: 'scope@example.fr' }))).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScopes: ['contacts:write'] });
    expect(json<Problem>(await api('POST', '/v1/contacts/bulk', readKey, { contacts: [{ email: 'scope@example.fr' }] }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(json<Problem>(await api('POST', '/v1/contact-attributes', readKey, { key: 'k', label: 'k', type: 'text' }))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect(json<Problem>(await api('GET', '/v1/contacts', messagesKey))).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScopes: ['contacts:read', 'contacts:write'] });
    const created = await api('POST', '/v1/contacts', writeKey, { email: 'scope@example.fr' });
    expect(created.statusCode).toBe(201);
    expect((await api('GET', `/v1/contacts/${json<Contact>(created).id}`, writeKey)).statusCode).toBe(200);
  });

  it('a viewer reads contacts but cannot change them; a marketer can', async () => {
    const viewer = new ConsoleSession(platform.app, clock);
    const v = json<{ oneTimePassword: string }>(await api('POST', '/v1/users', shop.apiKey, { email: 'viewer@optique.test', name: 'V', role: 'viewer' }));
    await viewer.firstLogin('viewer@optique.test', v.oneTimePassword);
    expect((await viewer.request('GET', '/v1/contacts')).statusCode).toBe(200);
    expect(json<Problem>(await viewer.request('POST', '/v1/contacts', { email: 'par-viewer@example.fr' }))).toMatchObject({ status: 403, code: 'forbidden' });

    const marketer = new ConsoleSession(platform.app, clock);
    const m = json<{ oneTimePassword: string }>(await api('POST', '/v1/users', shop.apiKey, { email: 'marketing@optique.test', name: 'M', role: 'marketer' }));
    await marketer.firstLogin('marketing@optique.test', m.oneTimePassword);
    const created = await marketer.request('POST', '/v1/contacts', { email: 'par-marketing@example.fr', consents: { email: { status: 'granted', source: 'in_store', proof: { text: 'Oui' } } } });
    expect(created.statusCode, created.body).toBe(201);
    // The console names the person who recorded the consent in its proof.
    expect(json<Contact>(created).consents.find((c) => c.channel === 'email')?.proof).toMatchObject({ operator: 'marketing@optique.test', text: 'Oui' });
  });
});

describe('erasure (R-DSR)', () => {
  it('deletes the contact, its consents and history, and audits without personal data', async () => {
    const contact = await create({ phone: '06 86 00 00 01', email: 'oubli@example.fr', firstName: 'Oubliée', consents: { sms: { status: 'granted', source: 'form', proof } } });
    await withTenant(platform.database.db, shop.tenantId, (tx) =>
      contactsTx(tx).insertInto('contact_activity').values({ tenant_id: shop.tenantId, contact_id: contact.id, kind: 'clicked', channel: 'sms', campaign_id: null, message_id: null, at: clock.now() }).execute(),
    );
    expect((await api('DELETE', `/v1/contacts/${contact.id}`, shop.apiKey)).statusCode).toBe(204);
    expect((await api('GET', `/v1/contacts/${contact.id}`, shop.apiKey)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/contacts/${contact.id}`, shop.apiKey)).statusCode).toBe(404);
    const left = await withTenant(platform.database.db, shop.tenantId, async (tx) => {
      const c = contactsTx(tx);
      return {
        consents: await c.selectFrom('contact_consents').select('channel').where('contact_id', '=', contact.id).execute(),
        events: await c.selectFrom('contact_consent_events').select('channel').where('contact_id', '=', contact.id).execute(),
        activity: await c.selectFrom('contact_activity').select('kind').where('contact_id', '=', contact.id).execute(),
        audit: await tx.selectFrom('audit_log').select(['action', 'summary', 'target_id']).where('tenant_id', '=', shop.tenantId).where('target_id', '=', contact.id).orderBy('seq').execute(),
      };
    });
    expect(left.consents).toEqual([]);
    expect(left.events).toEqual([]);
    expect(left.activity).toEqual([]);
    expect(left.audit.map((a) => a.action)).toEqual(['contact.created', 'contact.erased']);
    expect(left.audit[1]?.summary).toMatchObject({ reason: 'data_subject_request', erased: { consent_events: 1, activities: 1 } });
    const trail = JSON.stringify(left.audit);
    for (const personal of ['oubli@example.fr', '+33686000001', 'Oubliée']) expect(trail).not.toContain(personal);
  });

  const leftovers = (contactIds: string[]) =>
    withTenant(platform.database.db, shop.tenantId, async (tx) => {
      const c = contactsTx(tx);
      const count = async (table: 'contact_consents' | 'contact_consent_events' | 'contact_activity') =>
        Number((await c.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('contact_id', 'in', contactIds).executeTakeFirstOrThrow()).n);
      return { consents: await count('contact_consents'), events: await count('contact_consent_events'), activity: await count('contact_activity') };
    });

  it('waits for a campaign batch that read the contact, then erases what the batch wrote (migration 0016)', async () => {
    const contact = await create({ phone: '06 86 00 00 02', consents: { sms: { status: 'granted', source: 'form', proof } } });
    // A fan-out batch holds the erasure lock shared while it writes `received` activity for the
    // contacts it read; consent and activity rows have no foreign key to lock the contact for it.
    let commitBatch: () => void = () => {};
    const batchCommitted = new Promise<void>((resolve) => {
      commitBatch = resolve;
    });
    let batchWrote: () => void = () => {};
    const wrote = new Promise<void>((resolve) => {
      batchWrote = resolve;
    });
    const batch = withTenant(platform.database.db, shop.tenantId, async (tx) => {
      await lockContactsAgainstErasure(tx, shop.tenantId, 'shared');
      await contactsTx(tx).insertInto('contact_activity').values({ tenant_id: shop.tenantId, contact_id: contact.id, kind: 'received', channel: 'sms', campaign_id: null, message_id: null, at: clock.now() }).execute();
      batchWrote();
      await batchCommitted;
    });
    await wrote;
    let erased = false;
    const erasure = api('DELETE', `/v1/contacts/${contact.id}`, shop.apiKey).then((response) => {
      erased = true;
      return response;
    });
    try {
      // The erasure is parked on the advisory lock until the batch commits. Read as the database
      // owner: with an external DATABASE_URL the application role cannot see other sessions' waits.
      await expect
        .poll(() =>
          admin(platform.database.adminUrl, async (client) => {
            const { rows } = await client.query<{ waiting: number }>(
              "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'",
            );
            return rows[0]?.waiting;
          }),
        )
        .toBe(1);
      expect(erased).toBe(false);
    } finally {
      commitBatch();
      await batch;
    }
    expect((await erasure).statusCode).toBe(204);
    expect(await leftovers([contact.id])).toEqual({ consents: 0, events: 0, activity: 0 });
  });

  it('a statement deleting several contacts takes each one’s consent rows and activity with it', async () => {
    const a = await create({ phone: '06 86 00 00 03', consents: { sms: { status: 'granted', source: 'form', proof } } });
    const b = await create({ email: 'deux@example.fr', consents: { email: { status: 'granted', source: 'form', proof } } });
    const kept = await create({ email: 'reste@example.fr', consents: { email: { status: 'granted', source: 'form', proof } } });
    expect(await leftovers([a.id, b.id])).toEqual({ consents: 2, events: 2, activity: 0 });
    await admin(platform.database.adminUrl, (client) => client.query('delete from contacts where id = any($1::uuid[])', [[a.id, b.id]]));
    expect(await leftovers([a.id, b.id])).toEqual({ consents: 0, events: 0, activity: 0 });
    expect(await leftovers([kept.id])).toEqual({ consents: 1, events: 1, activity: 0 });
  });
});
