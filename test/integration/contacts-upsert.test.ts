import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { contactsTx, recordContactActivity, type UpsertRow, upsertContacts } from '../../src/modules/contacts/index.ts';
import { createTenant, createTestPlatform, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * The bulk upsert the import and `POST /v1/contacts/bulk` share (issue 4): matching on phone,
 * email and external id, dedup inside a batch, merge policies, consent transitions, idempotence.
 */
let platform: TestPlatform;
let tenant: TenantFixture;
const at = new Date('2026-04-01T10:00:00Z');

const upsert = (rows: UpsertRow[], policy: 'skip' | 'update' | 'overwrite', consent: Parameters<typeof upsertContacts>[4] = null) =>
  withTenant(platform.database.db, tenant.tenantId, (tx) => upsertContacts(tx, tenant.tenantId, rows, policy, consent, { at, actor: 'test' }));

const contacts = () =>
  withTenant(platform.database.db, tenant.tenantId, (tx) => contactsTx(tx).selectFrom('contacts').selectAll().where('tenant_id', '=', tenant.tenantId).orderBy('created_at').orderBy('id').execute());

const events = (contactId: string) =>
  withTenant(platform.database.db, tenant.tenantId, (tx) => contactsTx(tx).selectFrom('contact_consent_events').selectAll().where('contact_id', '=', contactId).orderBy('at').execute());

beforeAll(async () => {
  platform = await createTestPlatform();
});

afterAll(async () => {
  await platform?.close();
});

describe('upsertContacts', () => {
  it('inserts new contacts, then skips the same batch again without writing anything (resumable imports)', async () => {
    tenant = await createTenant(platform);
    const rows: UpsertRow[] = [
      { phone: '+33611111111', firstName: 'Anne', tags: ['vip'] },
      { email: 'bruno@example.fr', lastName: 'Martin', attributes: {} },
      { phone: '+33622222222', email: 'chloe@example.fr', externalId: 'CRM-3' },
    ];
    const consent = { channels: ['sms', 'email'] as const, status: 'granted' as const, source: 'import' as const, proof: { importId: 'imp-1', text: 'Case cochée' } };
    const first = await upsert(rows, 'update', consent);
    expect(first.map((r) => r.status)).toEqual(['inserted', 'inserted', 'inserted']);
    const stored = await contacts();
    expect(stored).toHaveLength(3);
    expect(stored[0]).toMatchObject({ phone: '+33611111111', first_name: 'Anne', tags: ['vip'], consent_sms: 'granted', consent_email: 'granted', consent_whatsapp: 'unknown' });
    expect(await events(first[0]?.id as string)).toHaveLength(2);

    const again = await upsert(rows, 'update', consent);
    expect(again.map((r) => [r.status, r.reason])).toEqual([['skipped', 'unchanged'], ['skipped', 'unchanged'], ['skipped', 'unchanged']]);
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(await events(first[0]?.id as string)).toHaveLength(2);
  });

  it('applies the rows as if one after another: a duplicate in the batch merges into the first', async () => {
    tenant = await createTenant(platform);
    const results = await upsert(
      [
        { phone: '+33633333333', firstName: 'Denis' },
        { phone: '+33633333333', lastName: 'Durand', tags: ['a'] },
        { email: 'denis@example.fr', phone: '+33633333333' },
        { email: 'eve@example.fr' },
      ],
      'update',
    );
    expect(results.map((r) => r.status)).toEqual(['inserted', 'updated', 'updated', 'inserted']);
    expect(new Set(results.slice(0, 3).map((r) => r.id)).size).toBe(1);
    const stored = await contacts();
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({ phone: '+33633333333', email: 'denis@example.fr', first_name: 'Denis', last_name: 'Durand', tags: ['a'] });
  });

  it('under skip, a duplicate in the batch and an existing contact stay as they are', async () => {
    tenant = await createTenant(platform);
    await upsert([{ phone: '+33644444444', firstName: 'Fanny' }], 'skip');
    const results = await upsert([{ phone: '+33644444444', firstName: 'Autre' }, { email: 'gil@example.fr' }, { email: 'gil@example.fr', firstName: 'Gil' }], 'skip');
    expect(results.map((r) => [r.status, r.reason ?? null])).toEqual([['skipped', 'policy_skip'], ['inserted', null], ['skipped', 'policy_skip']]);
    const stored = await contacts();
    expect(stored.map((c) => c.first_name)).toEqual(['Fanny', null]);
  });

  it('overwrite replaces the stored contact', async () => {
    tenant = await createTenant(platform);
    await upsert([{ phone: '+33655555555', email: 'h@example.fr', firstName: 'Hugo', tags: ['x'], pointOfSale: 'P1' }], 'update');
    const [result] = await upsert([{ phone: '+33655555555', firstName: 'Hugues' }], 'overwrite');
    expect(result?.status).toBe('updated');
    const [stored] = await contacts();
    expect(stored).toMatchObject({ phone: '+33655555555', email: null, first_name: 'Hugues', tags: [], point_of_sale: null });
  });

  it('fails a row whose phone and email belong to two contacts, and processes the others', async () => {
    tenant = await createTenant(platform);
    await upsert([{ phone: '+33666666666' }, { email: 'ines@example.fr' }], 'update');
    const results = await upsert([{ phone: '+33666666666', email: 'ines@example.fr' }, { email: 'jules@example.fr' }], 'update');
    expect(results[0]).toMatchObject({ status: 'failed', id: null, error: { code: 'contact_conflict' } });
    expect(results[1]?.status).toBe('inserted');
    expect(await contacts()).toHaveLength(3);
  });

  it('two rows reaching one contact through different keys are applied in order', async () => {
    tenant = await createTenant(platform);
    await upsert([{ phone: '+33677777777', email: 'karim@example.fr' }], 'update');
    const results = await upsert([{ phone: '+33677777777', firstName: 'Karim' }, { email: 'karim@example.fr', firstName: 'Karim B.' }], 'update');
    expect(results.map((r) => r.status)).toEqual(['updated', 'updated']);
    const [stored] = await contacts();
    expect(stored?.first_name).toBe('Karim B.');
  });

  it('never lets an import re-grant a withdrawn consent; reports it and keeps the rest of the row', async () => {
    tenant = await createTenant(platform);
    const [created] = await upsert([{ phone: '+33688888888', consents: { sms: { status: 'withdrawn', source: 'api' } } }], 'update');
    const consent = { channels: ['sms', 'whatsapp'] as const, status: 'granted' as const, source: 'import' as const, proof: { importId: 'imp-2' } };
    const [result] = await upsert([{ phone: '+33688888888', firstName: 'Léa' }], 'update', consent);
    expect(result).toMatchObject({ status: 'updated', warnings: [expect.stringContaining('consent sms not changed')] });
    const [stored] = await contacts();
    expect(stored).toMatchObject({ first_name: 'Léa', consent_sms: 'withdrawn', consent_whatsapp: 'granted' });
    const history = await events(created?.id as string);
    expect(history.map((e) => [e.channel, e.status, e.source, e.actor])).toEqual([
      ['sms', 'withdrawn', 'api', 'test'],
      ['whatsapp', 'granted', 'import', 'test'],
    ]);
    const current = await withTenant(platform.database.db, tenant.tenantId, (tx) => contactsTx(tx).selectFrom('contact_consents').selectAll().where('contact_id', '=', created?.id as string).orderBy('channel').execute());
    expect(current.map((c) => [c.channel, c.status, c.source, c.proof])).toEqual([
      ['sms', 'withdrawn', 'api', {}],
      ['whatsapp', 'granted', 'import', { importId: 'imp-2' }],
    ]);
  });

  it('handles a batch of 1,000 in one call', async () => {
    tenant = await createTenant(platform);
    const rows = Array.from({ length: 1000 }, (_, i) => ({ phone: `+3361${String(i).padStart(7, '0')}`, attributes: {}, tags: ['bulk'] }));
    const results = await upsert(rows, 'update');
    expect(results.filter((r) => r.status === 'inserted')).toHaveLength(1000);
    expect(await contacts()).toHaveLength(1000);
  });

  it('records activity on the contact who has an address, and nothing for an unknown one', async () => {
    tenant = await createTenant(platform);
    const [created] = await upsert([{ phone: '+33699990000', email: 'activite@example.fr' }], 'update');
    const later = new Date('2026-04-02T09:00:00Z');
    const record = (address: string, kind: 'clicked' | 'opened', when: Date) =>
      withTenant(platform.database.db, tenant.tenantId, (tx) => recordContactActivity(tx, tenant.tenantId, address, { kind, channel: kind === 'opened' ? 'email' : 'sms', at: when }));
    expect(await record('+33699990000', 'clicked', later)).toBe(created?.id);
    expect(await record('ACTIVITE@example.fr', 'opened', at)).toBe(created?.id);
    expect(await record('+33600000000', 'clicked', later)).toBeNull();
    const [stored] = await contacts();
    expect(stored?.last_activity_at?.toISOString()).toBe(later.toISOString());
    const activity = await withTenant(platform.database.db, tenant.tenantId, (tx) => contactsTx(tx).selectFrom('contact_activity').select(['kind', 'channel']).orderBy('at').execute());
    expect(activity).toEqual([{ kind: 'opened', channel: 'email' }, { kind: 'clicked', channel: 'sms' }]);
  });
});
