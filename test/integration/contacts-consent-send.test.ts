import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { consentBlocksMarketingSql } from '../../src/modules/contacts/index.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * R-CONSENT on the send path (issues 3 and 4): a known contact whose consent for the channel is
 * refused or withdrawn receives no marketing, whatever the path (single send, batch): the message
 * is accepted as `suppressed`, like an opted-out address. Alerts are not affected, nor are
 * addresses that are no contact, nor contacts who granted consent.
 *
 * The send path calls contact_consent_blocks() (migration 0010) through consentBlocksMarketingSql.
 */
let platform: TestPlatform;
let shop: TenantFixture;
const clock = new FixedClock('2026-04-01T10:00:00Z'); // 12:00 in Paris: outside quiet hours (R-QUIET)
const proof = { text: 'Oui aux offres', ip: '203.0.113.9' };

const api = (method: 'POST' | 'PUT', url: string, payload: unknown) => platform.app.inject({ method, url, headers: bearer(shop.apiKey), payload: payload as object });
const send = async (body: Record<string, unknown>) => {
  const response = await api('POST', '/v1/messages', body);
  expect(response.statusCode, response.body).toBe(202);
  return json<{ id: string; status: string }>(response);
};

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  shop = await createTenant(platform, 'Consentement');
  const contact = async (body: Record<string, unknown>) => {
    const response = await api('POST', '/v1/contacts', body);
    expect(response.statusCode, response.body).toBe(201);
    return json<{ id: string }>(response).id;
  };
  const withdrawn = await contact({ phone: '06 12 00 00 01', consents: { sms: { status: 'granted', source: 'form', proof } } });
  // Withdrawn in the console (not by a STOP): the address is NOT on the suppression list.
  expect((await api('PUT', `/v1/contacts/${withdrawn}/consents/sms`, { status: 'withdrawn', source: 'console' })).statusCode).toBe(200);
  await contact({ phone: '06 12 00 00 02', email: 'refus@example.fr', consents: { email: { status: 'refused', source: 'in_store' }, sms: { status: 'granted', source: 'form', proof } } });
  await contact({ phone: '06 12 00 00 03', consents: { sms: { status: 'refused', source: 'form' } } });
});

afterAll(async () => {
  await platform?.close();
});

describe('contact_consent_blocks', () => {
  it('is true for refused or withdrawn consent on that channel only', async () => {
    const blocks = (channel: string, address: string) =>
      withTenant(platform.database.db, shop.tenantId, async (tx) => {
        const { rows } = await sql<{ blocked: boolean }>`select ${consentBlocksMarketingSql(shop.tenantId, channel, address)} as blocked`.execute(tx);
        return rows[0]?.blocked;
      });
    expect(await blocks('sms', '+33612000001')).toBe(true);
    expect(await blocks('whatsapp', '+33612000001')).toBe(false);
    expect(await blocks('email', 'REFUS@example.fr')).toBe(true);
    expect(await blocks('sms', '+33612000002')).toBe(false);
    expect(await blocks('sms', '+33612000003')).toBe(true);
    expect(await blocks('sms', '+33699999999')).toBe(false);
  });
});

describe('the send path (R-CONSENT)', () => {
  it('suppresses a marketing SMS to a contact who withdrew or refused SMS consent', async () => {
    expect((await send({ channel: 'sms', route: 'marketing', to: '06 12 00 00 01', text: 'Soldes -20 %' })).status).toBe('suppressed');
    expect((await send({ channel: 'sms', route: 'marketing', to: '+33612000003', text: 'Soldes -20 %' })).status).toBe('suppressed');
  });

  it('suppresses a marketing email to a contact who refused email consent', async () => {
    expect((await send({ channel: 'email', route: 'marketing', to: 'refus@example.fr', subject: 'Soldes', text: 'Soldes -20 %' })).status).toBe('suppressed');
  });

  it('suppresses in a batch too, item by item', async () => {
    const response = await api('POST', '/v1/messages/batch', {
      messages: [
        { channel: 'sms', route: 'marketing', to: '+33612000001', text: 'Soldes' },
        { channel: 'sms', route: 'marketing', to: '+33612000002', text: 'Soldes' },
      ],
    });
    expect(response.statusCode, response.body).toBe(202);
    const statuses = json<{ results: { accepted?: { status: string } }[] }>(response).results.map((r) => r.accepted?.status);
    expect(statuses).toEqual(['suppressed', 'queued']);
  });

  it('lets alerts, contacts who granted consent and unknown addresses through', async () => {
    expect((await send({ channel: 'sms', route: 'alert', to: '+33612000001', text: 'Votre commande est prête.' })).status).toBe('queued');
    expect((await send({ channel: 'sms', route: 'marketing', to: '+33612000002', text: 'Soldes' })).status).toBe('queued');
    expect((await send({ channel: 'sms', route: 'marketing', to: '+33699999999', text: 'Soldes' })).status).toBe('queued');
  });
});
