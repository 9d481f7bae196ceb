import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Config } from '../config.ts';
import type { SecretKeyring } from '../crypto.ts';
import { createKysely, createPool, type Database } from './database.ts';
import { DataDirLock, DataDirLockedError, type DataDirOwner } from './datadir-lock.ts';
import { EmbeddedCluster } from './embedded.ts';
import { migrate } from './migrate.ts';

export const APP_ROLE = 'sofy_app';
const EMBEDDED_DATABASE = 'sofy';

export interface OpenedDatabase {
  db: Database;
  pool: pg.Pool;
  /** Owner login (migrations, operator maintenance): never used to serve requests. */
  adminUrl: string;
  /** Set when this process started and owns the embedded cluster. */
  embedded: EmbeddedCluster | undefined;
  /** Set when this process holds the data directory. */
  lock: DataDirLock | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Name shown in the lock and in pg_stat_activity: `start`, `api`, `cli`… */
  role: string;
  /** `sofy start`: must own the data directory; refuses if another process does. */
  exclusive: boolean;
  migrate: boolean;
  log: (line: string) => void;
}

/**
 * Opens the system of record: an external PostgreSQL (DATABASE_URL) or the embedded cluster of
 * the data directory (started here, or reached through the process that already runs it, so CLI
 * commands work whether or not a server is up). Applies migrations, then returns a pool that
 * connects as the application role, to which row-level security applies.
 */
export async function openDatabase(config: Config, keyring: SecretKeyring, options: OpenOptions): Promise<OpenedDatabase> {
  const appPassword = keyring.derive('embedded-pg-app').toString('hex');
  if (config.databaseUrl) return openExternal(config, options);

  const superuserPassword = keyring.derive('embedded-pg-superuser').toString('hex');
  const existing = DataDirLock.liveOwner(config.dataDir);
  if (existing) {
    if (options.exclusive) throw new DataDirLockedError(config.dataDir, existing);
    const port = await waitForPgPort(config.dataDir, existing);
    const url = (user: string, password: string) =>
      `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
    if (options.migrate) await migrate(url('postgres', superuserPassword), options.log);
    return connectApp(url(APP_ROLE, appPassword), url('postgres', superuserPassword), config, options, undefined, undefined);
  }

  const lock = new DataDirLock(config.dataDir);
  lock.acquire(options.role);
  const embedded = new EmbeddedCluster({ dataDir: config.dataDir, superuserPassword, port: config.embeddedPgPort, log: options.log });
  try {
    await embedded.start();
    await ensureDatabase(embedded.connectionString(), EMBEDDED_DATABASE);
    const adminUrl = embedded.connectionString('postgres', superuserPassword, EMBEDDED_DATABASE);
    await migrate(adminUrl, options.log);
    await setRolePassword(adminUrl, APP_ROLE, appPassword);
    lock.update({ pgPort: embedded.port });
    return await connectApp(embedded.connectionString(APP_ROLE, appPassword, EMBEDDED_DATABASE), adminUrl, config, options, embedded, lock);
  } catch (error) {
    await embedded.stop().catch(() => {});
    lock.release();
    throw error;
  }
}

async function openExternal(config: Config, options: OpenOptions): Promise<OpenedDatabase> {
  const adminUrl = config.databaseUrl as string;
  if (options.migrate) await migrate(adminUrl, options.log);
  if (config.appDatabaseUrl) return connectApp(config.appDatabaseUrl, adminUrl, config, options, undefined, undefined);
  // No dedicated login: the migration login switches to the application role on each connection.
  await ensureMemberOf(adminUrl, APP_ROLE);
  return connectApp(adminUrl, adminUrl, config, options, undefined, undefined, APP_ROLE);
}

async function connectApp(
  appUrl: string,
  adminUrl: string,
  config: Config,
  options: OpenOptions,
  embedded: EmbeddedCluster | undefined,
  lock: DataDirLock | undefined,
  setRole?: string,
): Promise<OpenedDatabase> {
  const pool = createPool({ connectionString: appUrl, max: config.dbPoolSize, applicationName: `sofy-${options.role}`, setRole });
  const db = createKysely(pool);
  await assertRowLevelSecurityApplies(pool);
  let closed = false;
  return {
    db,
    pool,
    adminUrl,
    embedded,
    lock,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await embedded?.stop();
      lock?.release();
    },
  };
}

/** Refuses to serve through a role that would bypass the tenant policies (R-TENANT). */
async function assertRowLevelSecurityApplies(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean }>(
    'SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
  );
  const role = rows[0];
  if (!role || role.rolsuper || role.rolbypassrls) {
    throw new Error(`the application connects as "${role?.rolname}", which bypasses row-level security; use a plain role (see README, external PostgreSQL)`);
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

async function setRolePassword(adminUrl: string, role: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`ALTER ROLE ${pg.escapeIdentifier(role)} WITH LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}

async function ensureMemberOf(adminUrl: string, role: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ member: boolean }>("SELECT pg_has_role(current_user, $1, 'MEMBER') AS member", [role]);
    if (!rows[0]?.member) await client.query(`GRANT ${pg.escapeIdentifier(role)} TO CURRENT_USER`);
  } finally {
    await client.end();
  }
}

/** The owner writes its PostgreSQL port into the lock once the cluster is up. */
async function waitForPgPort(dataDir: string, owner: DataDirOwner): Promise<number> {
  for (let waited = 0; waited < 60_000; waited += 200) {
    const current = DataDirLock.liveOwner(dataDir);
    if (!current) break;
    if (current.pgPort) return current.pgPort;
    await sleep(200);
  }
  throw new Error(`the SOFY process (pid ${owner.pid}) that owns ${dataDir} has not started its database`);
}
