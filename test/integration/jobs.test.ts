import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobRunner } from '../../src/app.ts';
import { FixedClock } from '../../src/platform/clock.ts';
import { type JobRunner, JobRunner as JobRunnerClass } from '../../src/platform/jobs/jobs.ts';
import { withOperator } from '../../src/platform/db/tenant-context.ts';
import { admin } from '../support/global-database.ts';
import { ConsoleSession, createTenant, createTestPlatform, type TestPlatform } from '../support/platform.ts';

/** Background jobs run through pg-boss on the same PostgreSQL, by whichever worker takes them. */
const clock = new FixedClock('2026-05-01T10:00:00Z');
let platform: TestPlatform;
let runner: JobRunner;

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  runner = createJobRunner(platform, 'worker', () => {});
  await runner.start();
});

afterAll(async () => {
  await runner?.stop();
  await platform?.close();
});

describe('identity.sessions.purge', () => {
  it('deletes sessions that ended more than 7 days ago and keeps the others', async () => {
    const tenant = await createTenant(platform);
    const old = new ConsoleSession(platform.app, clock);
    await old.firstLogin(tenant.ownerEmail, tenant.ownerPassword);
    await old.request('POST', '/v1/auth/logout'); // revoked now: kept for 7 days
    clock.advance(8 * 86_400_000);
    const recent = new ConsoleSession(platform.app, clock);
    await recent.request('POST', '/v1/auth/login', { email: tenant.ownerEmail, password: 'Un mot de passe solide 2026!' });

    const count = () => admin(platform.database.adminUrl, async (c) => (await c.query('SELECT count(*)::int AS n FROM sessions')).rows[0].n as number);
    expect(await count()).toBe(2);
    const id = await runner.send('identity.sessions.purge');
    const result = await runner.waitFor('identity.sessions.purge', id as string);
    expect(result).toMatchObject({ state: 'completed', output: { purged: 1 } });
    expect(await count()).toBe(1);
  });
});

describe('platform.audit.verify', () => {
  it('records the verification in the platform chain', async () => {
    await createTenant(platform);
    const id = await runner.send('platform.audit.verify');
    const result = await runner.waitFor('platform.audit.verify', id as string);
    expect(result).toMatchObject({ state: 'completed', output: { broken: 0 } });
    const entry = await withOperator(platform.database.db, 'test', (tx) =>
      tx.selectFrom('audit_log').select(['action', 'summary']).where('chain', '=', 'platform').orderBy('seq', 'desc').executeTakeFirst(),
    );
    expect(entry).toMatchObject({ action: 'audit.verified', summary: { broken: [] } });
  });
});

describe('several processes starting at once', () => {
  it('create the same new queues without a deadlock, each queue once', async () => {
    // Workers scaled out together on a fresh database all create every queue: pg-boss attaches a
    // partition per new queue, and two such creations at once deadlocked (bench:campaign, 2 workers).
    const names = Array.from({ length: 12 }, (_, i) => `test.startup-race.q${i}`);
    const runners = Array.from({ length: 4 }, () => {
      const r = new JobRunnerClass({ connectionString: platform.database.adminUrl, role: 'worker', log: () => {} });
      for (const name of names) r.register({ name, description: 'startup race', handler: async () => null });
      return r;
    });
    try {
      const started = await Promise.allSettled(runners.map((r) => r.start()));
      expect(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
      await admin(platform.database.adminUrl, async (client) => {
        const { rows } = await client.query<{ name: string }>('select name from pgboss.queue where name like $1 order by name', ['test.startup-race.%']);
        expect(rows.map((r) => r.name)).toEqual([...names].sort());
      });
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
  });
});
