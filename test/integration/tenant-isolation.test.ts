import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { admin } from '../support/global-database.ts';
import { bearer, ConsoleSession, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * R-TENANT: tenant A can neither read nor write tenant B's rows, through the API, the services or
 * raw SQL under the application role, for every table that carries tenant_id.
 */
let platform: TestPlatform;
let a: TenantFixture;
let b: TenantFixture;
let tenantTables: string[];

beforeAll(async () => {
  platform = await createTestPlatform();
  a = await createTenant(platform, 'Tenant A');
  b = await createTenant(platform, 'Tenant B');
  // Give B some audit, users and keys beyond the fixtures.
  const session = new ConsoleSession(platform.app);
  await session.firstLogin(b.ownerEmail, b.ownerPassword);
  await session.request('POST', '/v1/users', { email: 'agent-b@example.test', name: 'Agent B', role: 'agent' });
  await session.request('POST', '/v1/api-keys', { name: 'B key 2', scopes: ['messages:read'] });
  tenantTables = await admin(platform.database.adminUrl, async (client) => {
    // Partitions are reached through their parent (RLS applies there); the app role has no
    // privilege on a partition itself, which a test below checks.
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT c.table_name FROM information_schema.columns c
         JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND NOT k.relispartition
        ORDER BY c.table_name`,
    );
    return rows.map((r) => r.table_name);
  });
});

afterAll(async () => {
  await platform?.close();
});

describe('row-level security on every tenant table', () => {
  it('finds the tenant tables this test must cover', () => {
    expect(tenantTables).toEqual(expect.arrayContaining(['users', 'sessions', 'api_keys', 'audit_log']));
  });

  it('has RLS enabled with a policy on every table with tenant_id, and the tenants table itself', async () => {
    const rows = await admin(platform.database.adminUrl, async (client) => {
      const result = await client.query<{ relname: string; relrowsecurity: boolean; policies: number }>(
        `SELECT c.relname, c.relrowsecurity, (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relname = ANY($1)`,
        [[...tenantTables, 'tenants']],
      );
      return result.rows;
    });
    expect(rows).toHaveLength(tenantTables.length + 1);
    for (const row of rows) {
      expect(row, row.relname).toMatchObject({ relrowsecurity: true });
      expect(row.policies, row.relname).toBeGreaterThan(0);
    }
  });

  it('connects as a role that is neither superuser nor BYPASSRLS and owns no table', async () => {
    const { rows } = await platform.database.pool.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
      `SELECT r.rolsuper, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
  });

  it('gives the application role no access to partitions directly (only through their parent, with RLS)', async () => {
    const partitions = await admin(platform.database.adminUrl, async (client) => {
      const { rows } = await client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relispartition AND relnamespace = 'public'::regnamespace AND relkind = 'r'`);
      return rows.map((r) => r.relname);
    });
    expect(partitions.length).toBeGreaterThan(2);
    for (const partition of partitions) {
      await expect(platform.database.pool.query(`SELECT 1 FROM ${partition} LIMIT 1`), partition).rejects.toThrow(/permission denied/);
    }
  });

  it('shows no tenant row at all without a tenant context', async () => {
    for (const table of [...tenantTables, 'tenants']) {
      const { rows } = await platform.database.pool.query(`SELECT count(*)::int AS n FROM ${table}`);
      expect(rows[0].n, table).toBe(0);
    }
  });

  it('shows tenant A only its own rows in every table, under raw SQL', async () => {
    await withTenant(platform.database.db, a.tenantId, async (tx) => {
      for (const table of tenantTables) {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE tenant_id = ${b.tenantId}`.execute(tx);
        expect(rows[0]?.n, table).toBe(0);
        const own = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(tx);
        const foreign = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE tenant_id <> ${a.tenantId}`.execute(tx);
        expect(foreign.rows[0]?.n, table).toBe(0);
        expect(own.rows[0]?.n, `${table} has rows for A`).toBeGreaterThanOrEqual(0);
      }
      const tenants = await sql<{ id: string }>`SELECT id FROM tenants`.execute(tx);
      expect(tenants.rows.map((r) => r.id)).toEqual([a.tenantId]);
    });
  });

  it('refuses, under raw SQL as tenant A, to insert rows for tenant B', async () => {
    const attempts: Array<[string, ReturnType<typeof sql>]> = [
      ['users', sql`INSERT INTO users (tenant_id, email, name, role, password_hash) VALUES (${b.tenantId}, 'x@evil.test', 'x', 'owner', 'x')`],
      ['api_keys', sql`INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes) VALUES (${b.tenantId}, 'x', 'sofy_evilevil', '\\x00', '{admin}')`],
      ['sessions', sql`INSERT INTO sessions (tenant_id, user_id, token_hash, stage, csrf_token, expires_at) VALUES (${b.tenantId}, ${b.ownerId}, '\\x01', 'active', 'x', now() + interval '1 hour')`],
      ['tenants', sql`INSERT INTO tenants (name) VALUES ('rogue')`],
    ];
    for (const [table, statement] of attempts) {
      await expect(withTenant(platform.database.db, a.tenantId, (tx) => statement.execute(tx)), table).rejects.toThrow(/row-level security|permission denied/);
    }
  });

  it('cannot write to the audit trail directly, nor into another tenant’s chain', async () => {
    await expect(
      withTenant(platform.database.db, a.tenantId, (tx) =>
        sql`INSERT INTO audit_log (chain, seq, tenant_id, at, actor_type, action, hash) VALUES ('x', 1, ${a.tenantId}, now(), 'system', 'x', '\\x00')`.execute(tx),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withTenant(platform.database.db, a.tenantId, (tx) =>
        sql`SELECT * FROM audit_append(${b.tenantId}::uuid, null, 'system', null, null, 'forged', null, null, null, null, '{}'::jsonb)`.execute(tx),
      ),
    ).rejects.toThrow(/another tenant/);
  });

  it('changes nothing of tenant B when another tenant updates or deletes everything it can', async () => {
    const c = await createTenant(platform, 'Tenant C');
    const before = await countsFor(b.tenantId);
    await withTenant(platform.database.db, c.tenantId, async (tx) => {
      await sql`UPDATE users SET name = 'pwned'`.execute(tx);
      await sql`UPDATE api_keys SET revoked_at = now()`.execute(tx);
      await sql`UPDATE tenants SET name = 'pwned'`.execute(tx);
      await sql`DELETE FROM sessions`.execute(tx);
      await sql`DELETE FROM users WHERE role <> 'owner'`.execute(tx);
    });
    expect(await countsFor(b.tenantId)).toEqual(before);
    const names = await admin(platform.database.adminUrl, (client) => client.query('SELECT name FROM tenants WHERE id = $1', [b.tenantId]));
    expect(names.rows[0].name).toBe('Tenant B');
  });
});

describe('through the API', () => {
  it('lists only the caller’s users, keys and audit entries', async () => {
    const users = json<{ data: Array<{ email: string }> }>(await platform.app.inject({ url: '/v1/users', headers: bearer(a.apiKey) }));
    expect(users.data.map((u) => u.email)).toEqual([a.ownerEmail]);
    const keys = json<{ data: Array<{ name: string }> }>(await platform.app.inject({ url: '/v1/api-keys', headers: bearer(a.apiKey) }));
    expect(keys.data.every((k) => k.name !== 'B key 2')).toBe(true);
    const audit = json<{ data: Array<{ action: string; summary: Record<string, unknown> }> }>(
      await platform.app.inject({ url: '/v1/audit-log?limit=200', headers: bearer(a.apiKey) }),
    );
    expect(JSON.stringify(audit.data)).not.toContain('agent-b@example.test');
  });

  it('answers 404 when tenant A targets tenant B’s user or key by id', async () => {
    const bKeys = json<{ data: Array<{ id: string }> }>(await platform.app.inject({ url: '/v1/api-keys', headers: bearer(b.apiKey) }));
    const bKey = bKeys.data[0]?.id as string;
    const revoke = await platform.app.inject({ method: 'POST', url: `/v1/api-keys/${bKey}/revoke`, headers: bearer(a.apiKey) });
    expect(revoke.statusCode).toBe(404);
    const patch = await platform.app.inject({ method: 'PATCH', url: `/v1/users/${b.ownerId}`, headers: bearer(a.apiKey), payload: { name: 'pwned' } });
    expect(patch.statusCode).toBe(404);
    const stillValid = await platform.app.inject({ url: '/v1/me', headers: bearer(b.apiKey) });
    expect(stillValid.statusCode).toBe(200);
  });
});

async function countsFor(tenantId: string): Promise<Record<string, number>> {
  return admin(platform.database.adminUrl, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of tenantTables) {
      const { rows } = await client.query(`SELECT count(*)::int AS n, md5(string_agg(t::text, ',' ORDER BY t::text)) AS digest FROM ${table} t WHERE tenant_id = $1`, [tenantId]);
      counts[table] = rows[0].n;
      counts[`${table}:digest`] = rows[0].digest;
    }
    return counts;
  });
}
