// An owner (superuser) connection to the embedded PostgreSQL of a running SOFY data directory,
// for benchmarks that count what reached the database (row-level security does not apply to it).
// Same credentials as `sofy` CLI commands beside a server: the port from sofy.lock, the password
// derived from the data dir's secret key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadOrCreateSecretKey, SecretKeyring } from '../../src/platform/crypto.ts';

export async function adminClient(dataDir: string): Promise<pg.Client> {
  const lock = JSON.parse(readFileSync(join(dataDir, 'sofy.lock'), 'utf8')) as { pgPort?: number };
  if (!lock.pgPort) throw new Error(`no PostgreSQL port in ${dataDir}/sofy.lock yet`);
  const { key } = loadOrCreateSecretKey(undefined, dataDir);
  const password = new SecretKeyring(key).derive('embedded-pg-superuser').toString('hex');
  const client = new pg.Client({
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${lock.pgPort}/sofy`,
    application_name: 'sofy-bench',
  });
  await client.connect();
  return client;
}
