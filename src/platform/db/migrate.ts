import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/', import.meta.url));

/** Any constant: the key of the advisory lock that serialises migration runs cluster-wide. */
const MIGRATION_LOCK_KEY = 0x50f1_0001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sqlText = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number.parseInt(file.slice(0, 4), 10),
        name: file.replace(/\.sql$/, ''),
        sql: sqlText,
        checksum: createHash('sha256').update(sqlText).digest('hex'),
      };
    });
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration numbering has a gap or a duplicate at ${migration.name}`);
  });
  return migrations;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock: two
 * processes starting at once both call this, the second waits and then finds nothing to do.
 * A migration already applied whose file has changed is an error, not a silent drift.
 */
export async function migrate(connectionString: string, log: (line: string) => void = () => {}): Promise<MigrationResult> {
  const migrations = readMigrations();
  const client = new pg.Client({ connectionString, application_name: 'sofy-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const done = new Map(rows.map((row) => [row.version, row]));
    for (const row of rows) {
      const file = migrations.find((m) => m.version === row.version);
      if (!file) throw new Error(`the database has migration ${row.name}, which this code does not know: is it older than the database?`);
      if (file.checksum !== row.checksum) throw new Error(`migration ${row.name} was changed after it was applied: add a new migration instead`);
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
      log(`applied migration ${migration.name}`);
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
