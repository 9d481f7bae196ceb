import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What the owner of a data directory publishes, so CLI commands can reach its database. */
export interface DataDirOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  role: string;
  /** Port of the embedded PostgreSQL, once started. */
  pgPort?: number;
  httpUrl?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(
      `Another SOFY process (pid ${owner.pid}, "${owner.role}", started ${owner.startedAt}) owns the data directory ${dataDir}. ` +
        'Stop it first, or give this instance its own SOFY_DATA_DIR.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * One owner per data directory: the embedded PostgreSQL cluster must never have two managers.
 * The lock is a file created exclusively (O_EXCL) holding the owner's pid; a lock whose pid no
 * longer runs (kill -9, power loss) is stale and is taken over without asking a human.
 */
export class DataDirLock {
  readonly path: string;
  #owner: DataDirOwner | undefined;

  constructor(readonly dataDir: string) {
    this.path = join(dataDir, 'sofy.lock');
  }

  acquire(role: string): void {
    mkdirSync(this.dataDir, { recursive: true });
    const owner: DataDirOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), role };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(this.path, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
        this.#owner = owner;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readOwner(this.path);
      if (current && isAlive(current)) throw new DataDirLockedError(this.dataDir, current);
      // Stale: move it aside atomically (only one contender's rename can succeed), then retry.
      try {
        renameSync(this.path, `${this.path}.stale-${process.pid}`);
        unlinkSync(`${this.path}.stale-${process.pid}`);
      } catch {
        // Another process took it over first; the next attempt reads its lock.
      }
    }
    const current = readOwner(this.path);
    throw current ? new DataDirLockedError(this.dataDir, current) : new Error(`could not lock ${this.path}`);
  }

  /** Publishes details (the PostgreSQL port, the URL) for CLI commands. */
  update(details: Partial<Pick<DataDirOwner, 'pgPort' | 'httpUrl'>>): void {
    if (!this.#owner) throw new Error('lock not held');
    this.#owner = { ...this.#owner, ...details };
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.#owner), { mode: 0o600 });
    renameSync(temp, this.path);
  }

  release(): void {
    if (!this.#owner) return;
    const current = readOwner(this.path);
    if (current?.pid === process.pid) unlinkSync(this.path);
    this.#owner = undefined;
  }

  /** The live owner of a data directory, if any. */
  static liveOwner(dataDir: string): DataDirOwner | undefined {
    const path = join(dataDir, 'sofy.lock');
    if (!existsSync(path)) return undefined;
    const owner = readOwner(path);
    return owner && isAlive(owner) ? owner : undefined;
  }
}

function readOwner(path: string): DataDirOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DataDirOwner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: DataDirOwner): boolean {
  if (owner.hostname !== hostname()) return true; // another host's lock: never presume it dead
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // The pid runs; after a reboot it may be someone else's. On Linux, check it is a node process.
  try {
    return readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true;
  }
}
