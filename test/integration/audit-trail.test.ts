import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, verifyAuditTrail } from '../../src/platform/audit/audit.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { admin } from '../support/global-database.ts';
import { createTenant, createTestDatabase, createTestPlatform, systemContext, type TestPlatform } from '../support/platform.ts';

/** R-IAM: a complete, append-only, hash-chained trail; `sofy audit verify` finds any alteration. */
let platform: TestPlatform;

beforeAll(async () => {
  platform = await createTestPlatform();
});

afterAll(async () => {
  await platform?.close();
});

describe('hash chain', () => {
  it('keeps one gap-free chain per tenant under concurrent writers', async () => {
    const tenant = await createTenant(platform);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withTenant(platform.database.db, tenant.tenantId, (tx) =>
          recordAudit(tx, systemContext, { tenantId: tenant.tenantId, action: 'test.concurrent', summary: { i, note: 'é"\\\u0001' } }),
        ),
      ),
    );
    const reports = await verifyAuditTrail(platform.database.db);
    const chain = reports.find((r) => r.chain === tenant.tenantId);
    expect(chain).toMatchObject({ ok: true });
    expect(chain?.entries).toBe(43); // tenant.created, user.created, api_key.created + 40
  });

  it('drops an entry with the change when the transaction rolls back', async () => {
    const tenant = await createTenant(platform);
    await expect(
      withTenant(platform.database.db, tenant.tenantId, async (tx) => {
        await recordAudit(tx, systemContext, { tenantId: tenant.tenantId, action: 'test.rolled_back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const reports = await verifyAuditTrail(platform.database.db);
    expect(reports.find((r) => r.chain === tenant.tenantId)).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses UPDATE and DELETE even to the table owner', async () => {
    await admin(platform.database.adminUrl, async (client) => {
      await expect(client.query("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    });
  });

  it('detects an altered entry, a removed entry and a re-linked chain', async () => {
    const tenant = await createTenant(platform);
    for (let i = 0; i < 5; i++) {
      await withTenant(platform.database.db, tenant.tenantId, (tx) => recordAudit(tx, systemContext, { tenantId: tenant.tenantId, action: 'test.entry', summary: { i } }));
    }
    // Someone with superuser rights disables the guard and edits the history.
    const tamper = async (statement: string) =>
      admin(platform.database.adminUrl, async (client) => {
        await client.query('BEGIN');
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
        await client.query(statement, [tenant.tenantId]);
        await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
        await client.query('COMMIT');
      });
    await tamper(`UPDATE audit_log SET summary = '{"i": 99}' WHERE chain = $1 AND seq = 5`);
    let report = (await verifyAuditTrail(platform.database.db)).find((r) => r.chain === tenant.tenantId);
    expect(report).toMatchObject({ ok: false, problem: { seq: 5, reason: expect.stringContaining('altered') } });

    await tamper(`DELETE FROM audit_log WHERE chain = $1 AND seq >= 5`);
    await tamper(`DELETE FROM audit_log WHERE chain = $1 AND seq = 2`);
    report = (await verifyAuditTrail(platform.database.db)).find((r) => r.chain === tenant.tenantId);
    expect(report).toMatchObject({ ok: false, problem: { seq: 3, reason: expect.stringContaining('missing') } });
  });
});

describe('migrations', () => {
  it('are safe when two processes start at once: applied once, both succeed', async () => {
    const database = await createTestDatabase();
    try {
      const fresh = `${database.name}_fresh`;
      await admin(database.adminUrl, (client) => client.query(`CREATE DATABASE ${fresh}`));
      const url = new URL(database.adminUrl);
      url.pathname = `/${fresh}`;
      const results = await Promise.all([migrate(url.toString()), migrate(url.toString()), migrate(url.toString())]);
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, results.reduce((n, r) => n + r.applied.length, 0)]);
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      const { rows } = await client.query('SELECT count(*)::int AS n FROM schema_migrations');
      await client.end();
      expect(rows[0].n).toBeGreaterThan(0);
      await admin(database.adminUrl, (c) => c.query(`DROP DATABASE ${fresh} WITH (FORCE)`));
    } finally {
      await database.close();
    }
  });

  it('refuse to run when an applied migration was edited', async () => {
    const database = await createTestDatabase();
    try {
      await admin(database.adminUrl, (client) => client.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"));
      await expect(migrate(database.adminUrl)).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await database.close();
    }
  });
});

describe('operator access', () => {
  it('is written in the tenant’s own trail with the operator and the reason, and is refused to support for fraud suspensions', async () => {
    const tenant = await createTenant(platform);
    const operator = { actor: { type: 'operator' as const, id: randomUUID(), label: 'support@sofy.test' }, ip: '192.0.2.10', requestId: 'req-1' };
    const principal = {
      kind: 'operator' as const, userId: operator.actor.id, email: 'support@sofy.test', name: 'Support', role: 'sofy_support',
      tenant: null, sessionId: randomUUID(), stage: 'active' as const, csrfToken: 'x', mfaEnabled: true, locale: 'fr' as const,
    };
    const opened = await platform.services.tenants.operatorOpen({ ...operator, principal }, tenant.tenantId, 'Ticket #4521: clé API refusée');
    expect(opened.users.map((u) => u.email)).toEqual([tenant.ownerEmail]);
    expect(opened.audit[0]).toMatchObject({ action: 'operator.tenant_opened', actor: { type: 'operator', label: 'support@sofy.test' }, summary: { reason: 'Ticket #4521: clé API refusée' } });
    await expect(platform.services.tenants.operatorSuspend({ ...operator, principal }, tenant.tenantId, 'fraud', 'Pompage')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      platform.services.tenants.operatorOpen({ ...operator, principal: { ...principal, kind: 'user', role: 'owner', tenant: { id: tenant.tenantId, name: 'x', status: 'active', statusReason: null } } }, tenant.tenantId, 'curious owner'),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
