// Starting and stopping a SOFY server (`node bin/sofy.js start`) as a child of a benchmark.
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, spawnTracked, stopChild, waitPostgresGone } from './harness.ts';

export const API_KEY_PATTERN = /API key:\s+(sofy_[a-z2-7]{8}_[A-Za-z0-9]{40})/;

export interface SofyChildOptions {
  dataDir: string;
  port: number;
  /** SOFY_* variables on top of a clean environment (nothing inherited from the caller's SOFY_*). */
  env?: Record<string, string>;
  /** Extra `node` flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Where stdout/stderr go: a pipe (read it!) or a file (no back-pressure on the server's logs). */
  output: 'pipe' | { file: string };
  /** `npm start` instead of `node bin/sofy.js start` (then in its own process group, stopped like Ctrl-C). */
  viaNpm?: boolean;
  /** The role to run (default `start`): `api` serves without dispatching, `worker` dispatches. */
  command?: 'start' | 'api' | 'worker';
}

/** The caller's environment without anything that would configure SOFY differently. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('SOFY_') || ['PORT', 'HOST', 'DATABASE_URL', 'NODE_OPTIONS'].includes(name)) continue;
    env[name] = value;
  }
  return { ...env, HOST, ...extra };
}

export function spawnSofy(options: SofyChildOptions): ChildProcess {
  const env = cleanEnv({ SOFY_DATA_DIR: options.dataDir, PORT: String(options.port), ...options.env });
  let stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe'];
  let fd: number | undefined;
  if (options.output !== 'pipe') {
    fd = openSync(options.output.file, 'a', 0o600);
    stdio = ['ignore', fd, fd];
  }
  try {
    if (options.viaNpm) return spawnTracked('npm', ['start', '--silent'], { env, stdio, detached: true });
    return spawnTracked(process.execPath, [...(options.nodeArgs ?? []), 'bin/sofy.js', options.command ?? 'start'], { env, stdio });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface StopReport {
  exit: number | string;
  /** Time from SIGINT to the process's exit. */
  stopMs: number;
  /** The server printed "[sofy] stopped" (its shutdown ran to the end). */
  printedStopped: boolean;
  /** `sofy.lock` still in the data dir after the exit (the lock was not released). */
  lockLeft: boolean;
  /** Its PostgreSQL exited by itself ('clean') or had to be stopped by the benchmark. */
  postgres: 'clean' | 'stopped by bench';
  /** The end of the server's output when the stop was not clean (to see why). */
  outputTail?: string;
}

/** SIGINT (Ctrl-C), wait for the exit, then for its PostgreSQL to be gone too (stopped by us after 5 s). */
export async function stopSofy(child: ChildProcess, dataDir: string, output: () => string): Promise<StopReport> {
  const started = performance.now();
  const exit = await stopChild(child, 'SIGINT', 30_000);
  const stopMs = performance.now() - started;
  if (child.pid !== undefined && child.spawnargs[0] === 'npm') await waitGroupGone(child.pid);
  await sleep(20); // the last output chunks
  const postgres = await waitPostgresGone(dataDir, 5_000);
  const printedStopped = output().includes('[sofy] stopped');
  const lockLeft = existsSync(join(dataDir, 'sofy.lock'));
  const clean = printedStopped && !lockLeft && postgres === 'clean';
  return { exit, stopMs, printedStopped, lockLeft, postgres, ...(clean ? {} : { outputTail: output().slice(-1500) }) };
}

async function waitGroupGone(pgid: number): Promise<void> {
  for (let waited = 0; waited < 30_000; waited += 50) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Reads the demo API key printed on the first start of an empty data dir. */
export async function waitForApiKey(output: () => string, child: ChildProcess, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = API_KEY_PATTERN.exec(output());
    if (match?.[1]) return match[1];
    if (child.exitCode !== null) break;
    await sleep(25);
  }
  throw new Error(`no "API key:" line in the server's output:\n${output().slice(-2000)}`);
}

export function fileReader(file: string): () => string {
  return () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
}
