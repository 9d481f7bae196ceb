import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/channels/types.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import type { ClaimedMessage, Connector } from '../../src/modules/messaging/connectors.ts';
import { Dispatcher, Router } from '../../src/modules/messaging/index.ts';
import { contactsTx } from '../../src/modules/contacts/index.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * Issue 4, "must hold": a contact without consent, or suppressed, never receives a marketing
 * message, whatever the path — campaign, API, retry. Acceptance checks both (migration 0007);
 * what happens after it is checked here: a STOP that frees waiting API marketing messages at once
 * (migration 0017's triggers), and the dispatcher's own check when it takes a message (a message
 * it held while the STOP arrived and that came back for a retry; a number that became a contact
 * who refused after its message was accepted). The database and the dispatcher are real; an
 * in-process connector stands for the SMSC link so that the test decides each answer.
 */
class ScriptedConnector implements Connector {
  readonly id = 'smpp:scripted';
  readonly channel = 'sms' as const;
  readonly sent: string[] = [];
  constructor(private readonly answer: (message: ClaimedMessage, attempt: number) => Promise<SendResult>) {}
  /** Attempts to `recipient` so far (other tests' alerts may share a batch). */
  sentTo(recipient: string): number {
    return this.sent.filter((r) => r === recipient).length;
  }
  async send(message: ClaimedMessage): Promise<SendResult> {
    this.sent.push(message.recipient);
    return this.answer(message, this.sentTo(message.recipient));
  }
  status() {
    return { id: 'smpp:scripted', channel: 'sms' as const, state: 'bound', counters: { sent: this.sent.length } };
  }
  async stop(): Promise<void> {}
}

let platform: TestPlatform;
let shop: TenantFixture;
// 12:00 in Paris, outside quiet hours (R-QUIET). Retries computed from it are due at once: the
// claim compares with the database's clock, which is later.
const clock = new FixedClock('2026-04-01T10:00:00Z');
const throttled: SendResult = { ok: false, error: { code: 'smpp_throttled', message: 'throttled', retryable: true, attribution: 'operator' } };

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  platform.app.inject({ method, url, headers: bearer(shop.apiKey), ...(payload !== undefined ? { payload: payload as object } : {}) });
const accept = async (to: string, route: 'marketing' | 'alert' = 'marketing') => {
  const response = await api('POST', '/v1/messages', { channel: 'sms', route, to, text: route === 'marketing' ? 'Soldes -20 % ce week-end' : 'Votre code : 481516' });
  expect(response.statusCode, response.body).toBe(202);
  return json<{ id: string; status: string }>(response);
};
const optOut = async (address: string) => expect((await api('POST', '/v1/opt-outs', { address })).statusCode).toBe(201);
const message = (id: string) =>
  withTenant(platform.database.db, shop.tenantId, (tx) => tx.selectFrom('messages').select(['status', 'error_code', 'attribution', 'provider_id']).where('id', '=', id).executeTakeFirstOrThrow());
const inOutbox = (id: string) => withTenant(platform.database.db, shop.tenantId, async (tx) => (await sql`select 1 from outbox where message_id = ${id}`.execute(tx)).rows.length);
const billed = (id: string) =>
  withTenant(platform.database.db, shop.tenantId, async (tx) => (await tx.selectFrom('usage_records').select('message_id').where('message_id', '=', id).execute()).length);
const dispatcherWith = (connector: Connector) => new Dispatcher(platform.database.db, new Router([{ connector, route: '*', countries: '*', priority: 1 }]), clock, { workerId: 'send-time-check' });

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  shop = await createTenant(platform, 'Contrôle à l’envoi');
});

afterAll(async () => {
  await platform?.close();
});

describe('a STOP while the message waits', () => {
  it('takes a waiting API marketing message out of the outbox at once, and leaves alerts alone', async () => {
    const marketing = await accept('+33612340001');
    const alert = await accept('+33612340001', 'alert');
    expect(marketing.status).toBe('queued');
    await optOut('+33612340001');
    expect(await message(marketing.id)).toMatchObject({ status: 'suppressed', error_code: 'recipient_opted_out', attribution: 'recipient' });
    expect(await inOutbox(marketing.id)).toBe(0);
    expect(await message(alert.id)).toMatchObject({ status: 'queued' });
    expect(await inOutbox(alert.id)).toBe(1);
  });
});

describe('the dispatcher checks again when it takes a marketing message', () => {
  it('never sends the retry of a message that was on its way when the recipient opted out', async () => {
    const { id } = await accept('+33612340002');
    // First attempt: while the dispatcher holds the message (leased, status `sending`), the
    // recipient's STOP is recorded; then the operator answers "throttled", a retryable error.
    const connector = new ScriptedConnector(async (m, attempt) => {
      if (m.recipient === '+33612340002' && attempt === 1) {
        await optOut('+33612340002');
        return throttled;
      }
      return { ok: true, providerId: `ok-${m.id}` };
    });
    const dispatcher = dispatcherWith(connector);
    await dispatcher.dispatchOnce();
    // The STOP could not take it out (it was leased): the retry brought it back to the outbox.
    expect(await message(id)).toMatchObject({ status: 'queued', error_code: 'smpp_throttled' });
    expect(await inOutbox(id)).toBe(1);

    await dispatcher.dispatchOnce();
    expect(connector.sentTo('+33612340002')).toBe(1); // the first attempt only
    expect(await message(id)).toMatchObject({ status: 'suppressed', error_code: 'recipient_opted_out', attribution: 'recipient', provider_id: null });
    expect(await inOutbox(id)).toBe(0);
    expect(await billed(id)).toBe(0);
    expect(dispatcher.stats).toMatchObject({ retried: 1, suppressed: 1 });
  });

  it('stops a message to a number that an import has since made a contact who refused SMS consent', async () => {
    const { id } = await accept('+33612340003');
    // The import writes new contacts with their consent in one statement (contacts/import/repo.ts,
    // insertNewContacts): no consent-change trigger fires, only the dispatcher's check can stop it.
    await withTenant(platform.database.db, shop.tenantId, (tx) =>
      contactsTx(tx).insertInto('contacts').values({ tenant_id: shop.tenantId, id: randomUUID(), phone: '+33612340003', first_name: null, email: null, last_name: null, language: null, point_of_sale: null, external_id: null, consent_sms: 'refused', created_at: clock.now(), updated_at: clock.now() }).execute(),
    );
    expect(await message(id)).toMatchObject({ status: 'queued' });

    const connector = new ScriptedConnector(async (m) => ({ ok: true, providerId: `ok-${m.id}` }));
    await dispatcherWith(connector).dispatchOnce();
    expect(connector.sentTo('+33612340003')).toBe(0);
    expect(await message(id)).toMatchObject({ status: 'suppressed', error_code: 'consent_refused', attribution: 'recipient' });
    const history = (json<{ history?: { status: string }[] }>(await api('GET', `/v1/messages/${id}`)).history ?? []).map((e) => e.status);
    expect(history).toContain('suppressed');
  });

  it('a contact created with refused consent takes a waiting marketing message out at once', async () => {
    const { id } = await accept('+33612340005');
    const created = await api('POST', '/v1/contacts', { phone: '+33612340005', consents: { sms: { status: 'refused', source: 'in_store' } } });
    expect(created.statusCode, created.body).toBe(201);
    expect(await message(id)).toMatchObject({ status: 'suppressed', error_code: 'consent_withdrawn', attribution: 'recipient' });
    expect(await inOutbox(id)).toBe(0);
  });

  it('sends marketing to recipients with nothing against them, and alerts to anyone', async () => {
    const marketing = await accept('+33612340004');
    const alert = await accept('+33612340001', 'alert'); // opted out of marketing above
    const connector = new ScriptedConnector(async (m) => ({ ok: true, providerId: `ok-${m.recipient}` }));
    await dispatcherWith(connector).dispatchOnce();
    expect(connector.sent).toEqual(expect.arrayContaining(['+33612340004', '+33612340001']));
    expect(await message(marketing.id)).toMatchObject({ status: 'submitted' });
    expect(await message(alert.id)).toMatchObject({ status: 'submitted' });
  });
});
