import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { admin } from '../support/global-database.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * The set-based dispatch functions of migration 0004, driven directly: claims, outcomes,
 * receipts that race their submit, and a dispatcher that dies holding a lease.
 */
let platform: TestPlatform;
let tenant: TenantFixture;

beforeAll(async () => {
  platform = await createTestPlatform();
  tenant = await createTenant(platform);
});

afterAll(async () => {
  await platform?.close();
});

const accept = async (count: number, route: 'alert' | 'marketing' = 'alert', channel = 'sms') => {
  const messages = Array.from({ length: count }, (_, i) =>
    channel === 'email'
      ? { channel, route, to: `client${i}-${Date.now()}@example.com`, subject: 'Nouveautés', text: 'Bonjour' }
      : { channel, route, to: `+3361${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}1`, text: `Code ${i}` },
  );
  const response = json<{ results: Array<{ accepted: { id: string } }> }>(
    await platform.app.inject({ method: 'POST', url: '/v1/messages/batch', headers: bearer(tenant.apiKey), payload: { messages } }),
  );
  return response.results.map((r) => r.accepted.id);
};

type Claimed = { message_id: string; created_at: Date; recovered: boolean; attempts: number; avoid_closed_days: boolean };
const claim = async (worker: string, limit: number, lease = 60) =>
  (await sql<Claimed>`select * from dispatch_claim(${worker}, ${limit}, ${lease})`.execute(platform.database.db)).rows;
const complete = (results: unknown[]) => sql`select dispatch_complete(${JSON.stringify(results)}::jsonb)`.execute(platform.database.db);
const receipts = (list: unknown[]) => sql<{ n: number }>`select apply_receipts(${JSON.stringify(list)}::jsonb) as n`.execute(platform.database.db);
const statusOf = async (id: string) =>
  withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select(['status', 'attempts', 'error_code', 'provider_id']).where('id', '=', id).executeTakeFirstOrThrow());

describe('dispatch functions', () => {
  it('never hands the same message to two dispatchers', async () => {
    const ids = await accept(40);
    const [a, b] = await Promise.all([claim('a', 25), claim('b', 25)]);
    const claimed = [...a, ...b].map((row) => row.message_id).filter((id) => ids.includes(id));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(40);
    await complete([...a, ...b].map((row) => ({ id: row.message_id, createdAt: row.created_at, outcome: 'failed', errorCode: 'test', attribution: 'platform' })));
  });

  it('applies a receipt that arrived before its submit was recorded', async () => {
    const [id] = await accept(1);
    const [row] = await claim('early', 1);
    expect(row?.message_id).toBe(id);
    const early = await receipts([{ providerId: 'early-1', connector: 'smpp', status: 'delivered', at: new Date().toISOString() }]);
    expect(early.rows[0]?.n).toBe(0); // nothing to match yet: kept aside
    await complete([{ id, createdAt: row?.created_at, outcome: 'submitted', providerId: 'early-1', connector: 'smpp' }]);
    expect(await statusOf(id as string)).toMatchObject({ status: 'delivered', provider_id: 'early-1' });
  });

  it('catches a receipt that raced the submit’s commit with the sweep', async () => {
    const [id] = await accept(1);
    const [row] = await claim('racer', 1);
    // The submit is recorded without seeing the receipt, which commits into pending_receipts a
    // moment later (as the owner would: the application role cannot write that table).
    await complete([{ id, createdAt: row?.created_at, outcome: 'submitted', providerId: 'race-1', connector: 'smpp' }]);
    await admin(platform.database.adminUrl, (client) => client.query("insert into pending_receipts (provider_id, connector, status, at) values ('race-1', 'smpp', 'delivered', now())"));
    expect(await statusOf(id as string)).toMatchObject({ status: 'submitted' });
    const { rows } = await sql<{ n: number }>`select apply_pending_receipts() as n`.execute(platform.database.db);
    expect(rows[0]?.n).toBe(1);
    expect(await statusOf(id as string)).toMatchObject({ status: 'delivered' });
    const left = await admin(platform.database.adminUrl, (client) => client.query("select count(*)::int as n from pending_receipts where provider_id = 'race-1'"));
    expect(left.rows[0].n).toBe(0);
  });

  it('tells the dispatcher whether the tenant avoids Sundays and holidays (R-QUIET at send time)', async () => {
    const [before] = await accept(1);
    const plain = (await claim('closed-days', 100)).find((row) => row.message_id === before);
    expect(plain?.avoid_closed_days).toBe(false);
    await admin(platform.database.adminUrl, (client) =>
      client.query(`update tenants set settings = settings || '{"avoidSundaysAndHolidays": true}'::jsonb where id = $1`, [tenant.tenantId]),
    );
    const [after] = await accept(1);
    const strict = (await claim('closed-days', 100)).find((row) => row.message_id === after);
    expect(strict?.avoid_closed_days).toBe(true);
    await admin(platform.database.adminUrl, (client) =>
      client.query(`update tenants set settings = settings - 'avoidSundaysAndHolidays' where id = $1`, [tenant.tenantId]),
    );
    await complete([plain, strict].map((row) => ({ id: row?.message_id, createdAt: row?.created_at, outcome: 'failed', errorCode: 'test', attribution: 'platform' })));
  });

  it('after a dispatcher dies holding a lease: alerts are sent again, marketing is not (duplicate policy)', async () => {
    const alerts = await accept(3, 'alert');
    const emails = await accept(3, 'marketing', 'email');
    const dead = await claim('dead', 100, 1);
    expect(dead.map((r) => r.message_id)).toEqual(expect.arrayContaining([...alerts, ...emails]));
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the lease runs out
    const recovered = await claim('alive', 100);
    const mine = recovered.filter((r) => [...alerts, ...emails].includes(r.message_id));
    expect(mine.every((r) => r.recovered && r.attempts === 2)).toBe(true);
  });
});

describe('a suspended tenant’s backlog (migration 0018)', () => {
  const heldOf = (ids: string[]) =>
    admin(platform.database.adminUrl, async (client) => {
      const { rows } = await client.query<{ held: boolean; n: number }>('select held, count(*)::int as n from outbox where message_id = any($1::uuid[]) group by held order by held', [ids]);
      return Object.fromEntries(rows.map((r) => [String(r.held), r.n]));
    });
  const setStatus = (tenantId: string, status: string) => admin(platform.database.adminUrl, (client) => client.query('update tenants set status = $2 where id = $1', [tenantId, status]));

  it('steps out of the claim’s way while suspended and comes back, due times kept, when reactivated', async () => {
    // Drain what earlier tests left due, so that the claims below see only this test's rows.
    for (let rows = await claim('drain', 500); rows.length; rows = await claim('drain', 500)) {
      await complete(rows.map((row) => ({ id: row.message_id, createdAt: row.created_at, outcome: 'failed', errorCode: 'test', attribution: 'platform' })));
    }
    const suspendedIds = await accept(3);
    const other = await createTenant(platform, 'Autre enseigne');
    const otherIds = json<{ results: Array<{ accepted: { id: string } }> }>(
      await platform.app.inject({
        method: 'POST',
        url: '/v1/messages/batch',
        headers: bearer(other.apiKey),
        payload: { messages: [{ channel: 'sms', route: 'alert', to: '+33612000091', text: 'Code 1' }, { channel: 'sms', route: 'alert', to: '+33612000092', text: 'Code 2' }] },
      }),
    ).results.map((r) => r.accepted.id);

    await setStatus(tenant.tenantId, 'suspended_nonpayment');
    expect(await heldOf(suspendedIds)).toEqual({ true: 3 });
    expect(await heldOf(otherIds)).toEqual({ false: 2 });

    const claimed = await claim('while-suspended', 10);
    expect(claimed.map((r) => r.message_id).sort()).toEqual([...otherIds].sort());
    await complete(claimed.map((row) => ({ id: row.message_id, createdAt: row.created_at, outcome: 'submitted', providerId: `p-${row.message_id}`, connector: 'smpp' })));

    // A row written for the tenant while it is suspended (a fan-out batch already under way) is held too.
    const late = '01900000-0000-7000-8000-00000000d018';
    await admin(platform.database.adminUrl, (client) =>
      client.query(`insert into outbox (message_id, message_created_at, tenant_id, channel, route, priority, due_at) values ($1, now(), $2, 'sms', 'alert', 1, now())`, [late, tenant.tenantId]),
    );
    expect(await heldOf([late])).toEqual({ true: 1 });
    await admin(platform.database.adminUrl, (client) => client.query('delete from outbox where message_id = $1', [late]));

    await setStatus(tenant.tenantId, 'active');
    expect(await heldOf(suspendedIds)).toEqual({ false: 3 });
    const back = await claim('reactivated', 10);
    expect(back.map((r) => r.message_id).sort()).toEqual([...suspendedIds].sort());
    await complete(back.map((row) => ({ id: row.message_id, createdAt: row.created_at, outcome: 'submitted', providerId: `p-${row.message_id}`, connector: 'smpp' })));
  });
});
