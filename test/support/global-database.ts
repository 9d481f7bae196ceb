import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { EmbeddedCluster } from '../../src/platform/db/embedded.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { APP_ROLE } from '../../src/platform/db/open.ts';

export interface TestDatabaseServer {
  kind: 'embedded' | 'external';
  /** Owner login on the server, to a maintenance database. */
  serverUrl: string;
  /** Migrated database every test file clones. */
  template: string;
  /** Test databases of this run are named `<prefix>_<random>` (dropped at the end). */
  prefix: string;
  /** Password of the application role (embedded), or null: the owner switches role (external). */
  appPassword: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    database: TestDatabaseServer;
  }
}

const APP_PASSWORD = 'sofy-test-app';

/**
 * Starts (embedded) or reaches (SOFY_TEST_DATABASE_URL) one PostgreSQL server for the run and
 * migrates a template database once; each test file then clones it in milliseconds.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.SOFY_TEST_DATABASE_URL;
  let cluster: EmbeddedCluster | undefined;
  let dataDir: string | undefined;
  let serverUrl: string;
  if (external) {
    serverUrl = external;
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'sofy-test-pg-'));
    cluster = new EmbeddedCluster({ dataDir, superuserPassword: 'sofy-test-superuser' });
    await cluster.start();
    serverUrl = cluster.connectionString();
  }
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `sofy_tpl_${runId}`;
  const prefix = `sofy_t_${runId}`;
  await admin(serverUrl, async (client) => {
    await client.query(`CREATE DATABASE ${template}`);
  });
  await migrate(withDatabase(serverUrl, template));
  await admin(serverUrl, async (client) => {
    if (cluster) await client.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${APP_PASSWORD}'`);
    else {
      const { rows } = await client.query<{ member: boolean }>(`SELECT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') AS member`);
      if (!rows[0]?.member) await client.query(`GRANT ${APP_ROLE} TO CURRENT_USER`);
    }
  });
  project.provide('database', { kind: cluster ? 'embedded' : 'external', serverUrl, template, prefix, appPassword: cluster ? APP_PASSWORD : null });

  return async () => {
    await admin(serverUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = $2',
        [prefix, template],
      );
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`);
    }).catch(() => {});
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
