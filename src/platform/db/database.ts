import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Anything queries can run on: the pool or a transaction. */
export type Queryable = Kysely<DB>;

// int8 (counts, sequences, cents) as JS numbers: every value we store fits in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export interface PoolOptions {
  connectionString: string;
  max: number;
  applicationName: string;
  /** `SET ROLE` on every new connection (external database without a dedicated app login). */
  setRole?: string | undefined;
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
    // The role is set at connection start-up (`-c role=…`), before any query can run.
    ...(options.setRole ? { options: `-c role=${options.setRole}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => {});
  return pool;
}

export function createKysely(pool: pg.Pool): Database {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
