import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../../../test/support/platform.ts';
import { FixedClock } from '../../platform/clock.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { actorOf, type ServiceContext } from '../../platform/http/principal.ts';
import { MessagingService } from './service.ts';

/**
 * Group commit of single sends (issue 3, "single POST /v1/messages ≥ 1,500 req/s"): concurrent
 * POST /v1/messages of a tenant share one transaction, yet each keeps its own answer, its own
 * refusal and its own Idempotency-Key, and no answer comes before its message is committed.
 */
let platform: TestPlatform;
let tenant: TenantFixture;

type Accepted = { id: string; status: string; to: string; text: string };

const send = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  platform.app.inject({ method: 'POST', url: '/v1/messages', headers: { ...bearer(tenant.apiKey), ...headers }, payload: body });

const alert = (n: number, extra: Record<string, unknown> = {}) => ({ channel: 'sms', route: 'alert', to: `+336123${String(40000 + n).padStart(5, '0')}`, text: `Votre code est ${100000 + n}.`, ...extra });

const storedIds = (ids: string[]) =>
  withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select(['id', 'status', 'recipient']).where('id', 'in', ids).execute());

beforeAll(async () => {
  platform = await createTestPlatform();
  tenant = await createTenant(platform, 'Coalescing');
});

afterAll(async () => {
  await platform?.close();
});

describe('concurrent single sends', () => {
  it('commits 50 concurrent POSTs, each with its own answer', async () => {
    const bodies = Array.from({ length: 50 }, (_, n) => alert(n));
    const responses = await Promise.all(bodies.map((body) => send(body)));
    expect(responses.map((r) => r.statusCode)).toEqual(bodies.map(() => 202));
    const answers = responses.map((r) => json<Accepted>(r));
    answers.forEach((answer, n) => {
      expect(answer).toMatchObject({ status: 'queued', to: bodies[n]?.to, text: bodies[n]?.text });
    });
    const ids = answers.map((a) => a.id);
    expect(new Set(ids).size).toBe(50);
    const stored = await storedIds(ids);
    expect(stored).toHaveLength(50);
    expect(new Map(stored.map((row) => [row.id, row.recipient]))).toEqual(new Map(answers.map((a) => [a.id, a.to])));
  });

  it('gives a refused item its own 422 and a database failure its own 500; the others are stored', async () => {
    const bodies = [
      ...Array.from({ length: 10 }, (_, n) => alert(100 + n)),
      { channel: 'sms', route: 'alert', to: 'not a number', text: 'Code 1' },
      { channel: 'sms', route: 'alert', to: '+33612349901', text: 'SOLDES : -30 % sur tout, profitez-en !' },
      // PostgreSQL refuses \u0000 in jsonb: the group's insert fails, then each message goes alone.
      alert(120, { metadata: { note: 'a\u0000b' } }),
      ...Array.from({ length: 10 }, (_, n) => alert(130 + n)),
    ];
    const responses = await Promise.all(bodies.map((body) => send(body)));
    expect(responses.map((r) => r.statusCode)).toEqual([...Array(10).fill(202), 422, 422, 500, ...Array(10).fill(202)]);
    expect(json(responses[10] as LightMyRequestResponse)).toMatchObject({ code: 'invalid_phone_number' });
    expect(json(responses[11] as LightMyRequestResponse)).toMatchObject({ code: 'marketing_content_on_alert_route' });
    const accepted = responses.filter((r) => r.statusCode === 202).map((r) => json<Accepted>(r).id);
    expect(await storedIds(accepted)).toHaveLength(20);
    const poisoned = await withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select('id').where('recipient', '=', alert(120).to).execute());
    expect(poisoned).toHaveLength(0);
  });
});

describe('Idempotency-Key while coalesced', () => {
  it('stores one message for concurrent duplicates, replays it to the others, and refuses the key with another body', async () => {
    const body = alert(200);
    const burst = await Promise.all([
      send(body, { 'idempotency-key': 'co-k1' }),
      send(alert(201)),
      send(body, { 'idempotency-key': 'co-k1' }),
      send(alert(202), { 'idempotency-key': 'co-k2' }),
      send(body, { 'idempotency-key': 'co-k1' }),
    ]);
    expect(burst.map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const duplicates = [burst[0], burst[2], burst[4]] as LightMyRequestResponse[];
    expect(new Set(duplicates.map((r) => json<Accepted>(r).id)).size).toBe(1);
    expect(duplicates.map((r) => r.headers['idempotent-replayed'] === 'true').filter(Boolean)).toHaveLength(2);
    expect(duplicates.map((r) => r.body).every((b) => JSON.stringify(JSON.parse(b)) === JSON.stringify(JSON.parse((duplicates[0] as LightMyRequestResponse).body)))).toBe(true);
    const stored = await withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select('id').where('recipient', '=', body.to).execute());
    expect(stored).toHaveLength(1);
    const other = await send(alert(200, { text: 'Votre code est 999999.' }), { 'idempotency-key': 'co-k1' });
    expect(other.statusCode).toBe(422);
    expect(json(other)).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('does not keep the key of a refused request: the corrected request may use it', async () => {
    const refused = { channel: 'sms', route: 'alert', to: 'nope', text: 'Code 3' };
    const corrected = alert(300);
    const [first, neighbour] = await Promise.all([send(refused, { 'idempotency-key': 'co-k3' }), send(alert(301), { 'idempotency-key': 'co-k4' })]);
    expect(first.statusCode).toBe(422);
    expect(json(first)).toMatchObject({ code: 'invalid_phone_number' });
    expect(neighbour.statusCode).toBe(202);
    const retry = await send(corrected, { 'idempotency-key': 'co-k3' });
    expect(retry.statusCode).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const replay = await send(corrected, { 'idempotency-key': 'co-k3' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(json<Accepted>(replay).id).toBe(json<Accepted>(retry).id);
    expect((await send(refused, { 'idempotency-key': 'co-k3' })).statusCode).toBe(422);
  });
  it('stores, for a key, the answer the client got: suppressed when the recipient opted out', async () => {
    const to = '+33612349950';
    expect((await platform.app.inject({ method: 'POST', url: '/v1/opt-outs', headers: bearer(tenant.apiKey), payload: { address: to } })).statusCode).toBe(201);
    const marketing = { channel: 'sms', route: 'marketing', to, text: 'Nouvelle collection en boutique STOP SMS au 36111', quietHours: 'defer' };
    const [first, neighbour] = await Promise.all([send(marketing, { 'idempotency-key': 'co-k5' }), send(alert(310), { 'idempotency-key': 'co-k6' })]);
    expect(neighbour.statusCode).toBe(202);
    expect(json(first)).toMatchObject({ status: 'suppressed', price: { amount: 0 } });
    const replay = await send(marketing, { 'idempotency-key': 'co-k5' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(replay.body)).toEqual(JSON.parse(first.body));
  });
});

const SETTINGS = { stopShortCode: '36111', emailFrom: 'no-reply@example.test', whatsappPhoneNumberId: 'wa', rcsAgentId: 'rcs', unsubscribeUrl: () => 'https://example.test/u' };

describe('the sending context kept in memory (never used once it changed)', () => {
  const twoParts = (n: number) => alert(n, { text: `Votre code est ${100000 + n}. ${'Merci de votre confiance. '.repeat(6)}` });
  const settings = (patch: Record<string, unknown>) =>
    platform.app.inject({ method: 'PATCH', url: '/v1/tenant/settings', headers: bearer(tenant.apiKey), payload: patch });

  it('applies a settings change from the next send on: a lower segment cap refuses a text it accepted', async () => {
    expect((await send(twoParts(500))).statusCode).toBe(202);
    expect((await settings({ segmentCap: 1 })).statusCode).toBe(200);
    const refused = await send(twoParts(501));
    expect(refused.statusCode).toBe(422);
    expect(json(refused)).toMatchObject({ code: 'text_too_long' });
    expect((await settings({ segmentCap: 10 })).statusCode).toBe(200);
    expect((await send(twoParts(502))).statusCode).toBe(202);
  });

  it('accepts a number as sender as soon as it is registered, and bills a new price at once', async () => {
    const fromNumber = alert(510, { from: '36180' });
    const before = await send(fromNumber);
    expect(before.statusCode).toBe(422);
    expect(json(before)).toMatchObject({ code: 'invalid_sender' });
    expect((await platform.app.inject({ method: 'POST', url: '/v1/senders', headers: bearer(tenant.apiKey), payload: { sender: '36180' } })).statusCode).toBe(201);
    expect((await send(fromNumber)).statusCode).toBe(202);
    expect(json<{ price: { amount: number } }>(await send(alert(511))).price.amount).toBe(5.5);
    await withTenant(platform.database.db, tenant.tenantId, (tx) =>
      tx.insertInto('tenant_prices').values({ tenant_id: tenant.tenantId, channel: 'sms', route: 'alert', country: 'FR', unit_millicents: 4200, effective_from: new Date(Date.now() - 60_000) }).execute(),
    );
    expect(json<{ price: { amount: number } }>(await send(alert(512))).price.amount).toBe(4.2);
  });

  it('applies a price scheduled for later once its time comes, with no other change', async () => {
    const other = await createTenant(platform, 'Prix programmé');
    const clock = new FixedClock(new Date());
    const service = new MessagingService(platform.database.db, clock, SETTINGS);
    const principal = await platform.services.auth.authenticateApiKey(`Bearer ${other.apiKey}`, '127.0.0.1');
    const ctx: ServiceContext = { principal, actor: actorOf(principal), ip: '127.0.0.1', requestId: null };
    await withTenant(platform.database.db, other.tenantId, (tx) =>
      tx.insertInto('tenant_prices').values({ tenant_id: other.tenantId, channel: 'sms', route: 'alert', country: 'FR', unit_millicents: 8000, effective_from: new Date(clock.now().getTime() + 30_000) }).execute(),
    );
    const price = async (n: number) => ((await service.send(ctx, alert(n) as never)).body as { price: { amount: number } }).price.amount;
    expect(await price(520)).toBe(5.5);
    expect(await price(521)).toBe(5.5);
    // Sooner than the cache's own expiry (60 s): only the scheduled change can make it read again.
    clock.advance(30_000);
    expect(await price(522)).toBe(8);
  });
});

describe('the group commit itself', () => {
  it('stores sends submitted together with one statement, and answers each only once its message is committed', async () => {
    // Records the statements the service runs.
    const statements: string[] = [];
    const db = platform.database.db;
    const recorded = db.withPlugin({
      transformQuery: ({ node }) => {
        statements.push(node.kind === 'RawNode' ? (node as unknown as { sqlFragments: string[] }).sqlFragments.join('$') : node.kind);
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const service = new MessagingService(recorded, platform.clock, SETTINGS);
    const principal = await platform.services.auth.authenticateApiKey(`Bearer ${tenant.apiKey}`, '127.0.0.1');
    const ctx: ServiceContext = { principal, actor: actorOf(principal), ip: '127.0.0.1', requestId: null };
    const seenCommitted: boolean[] = [];
    await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        service.send(ctx, alert(400 + n) as never).then(async (answer) => {
          const id = (answer.body as Accepted).id;
          // Another connection, at the moment the answer arrives: the message must already be there.
          const rows = await withTenant(db, tenant.tenantId, (tx) => tx.selectFrom('messages').select('id').where('id', '=', id).execute());
          seenCommitted.push(rows.length === 1);
        }),
      ),
    );
    // The context, read once, then one statement that stores all 40 and commits.
    expect(statements.map((text) => /from (\w+)\(/.exec(text)?.[1] ?? text)).toEqual(['send_context', 'store_messages']);
    expect(seenCommitted).toEqual(Array(40).fill(true));
  });
});
