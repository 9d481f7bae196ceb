// Shared plumbing of the benchmarks: child processes that are always cleaned up, temporary data
// directories (with the embedded PostgreSQL they may hold), HTTP probes on loopback, statistics,
// CPU accounting from /proc. No dependency beyond Node itself.
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const HOST = '127.0.0.1';

const children = new Set<ChildProcess>();
/** Children spawned as the leader of their own process group (`npm start`): signalled as a group. */
const groupLeaders = new WeakSet<ChildProcess>();
const tempDirs = new Set<string>();
let cleaningUp: Promise<void> | undefined;

/** Spawns a tracked child: it is stopped by `cleanup()` whatever happens to the benchmark. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { cwd: REPO_ROOT, ...options });
  children.add(child);
  if (options.detached) groupLeaders.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with the exit code (or the signal name) once the child has exited. */
export function waitExit(child: ChildProcess): Promise<number | string> {
  if (exited(child)) return Promise.resolve(child.exitCode ?? child.signalCode ?? -1);
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
}

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs. Returns the exit code or signal. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT', graceMs = 30_000): Promise<number | string> {
  if (exited(child)) return child.exitCode ?? child.signalCode ?? -1;
  const done = waitExit(child);
  signalChild(child, signal);
  const timer = sleep(graceMs, 'timeout' as const, { ref: false });
  if ((await Promise.race([done, timer])) === 'timeout') {
    signalChild(child, 'SIGKILL');
  }
  return done;
}

/** Like Ctrl-C in a terminal for a group leader (npm, its shell and node all get it); else the child only. */
function signalChild(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (groupLeaders.has(child) && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/** A temporary directory under os.tmpdir(), removed by `cleanup()`. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the embedded PostgreSQL of a SOFY data directory, if it still runs. */
export function postmasterPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 && processRuns(pid) ? pid : undefined;
}

/** Waits until the data directory's PostgreSQL has exited; stops it (SIGINT, then SIGQUIT) after `graceMs`. */
export async function waitPostgresGone(dataDir: string, graceMs = 15_000): Promise<'clean' | 'stopped by bench'> {
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (postmasterPid(dataDir) === undefined) return 'clean';
    await sleep(50);
  }
  await stopPostgres(dataDir);
  return 'stopped by bench';
}

async function stopPostgres(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === undefined) return;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT', 'SIGKILL'];
  for (const signal of signals) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (let waited = 0; waited < 10_000; waited += 100) {
      if (!processRuns(pid)) return;
      await sleep(100);
    }
  }
}

/** Stops every child, every PostgreSQL left in a temp dir, and removes the temp dirs. Idempotent. */
export function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child, 'SIGINT', 10_000).catch(() => undefined)));
    for (const dir of tempDirs) {
      await stopPostgres(dir).catch(() => undefined);
      // SOFY_BENCH_KEEP=1 keeps the run's files (process logs, data dir) to read after a failure.
      if (process.env.SOFY_BENCH_KEEP === '1') console.error(`kept: ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    }
    tempDirs.clear();
  })();
  return cleaningUp;
}

/**
 * Runs the benchmark with a hard time limit; cleans up on success, error, timeout, Ctrl-C.
 * Exit code: the body's result, or 1 when the benchmark could not run.
 */
export function runBench(name: string, limitMs: number, body: () => Promise<number>): void {
  let failed = false;
  const fail = (reason: string) => {
    if (failed) return;
    failed = true;
    console.error(`\n${name}: could not run: ${reason}`);
    void cleanup().finally(() => process.exit(1));
  };
  const limit = setTimeout(() => fail(`time limit of ${Math.round(limitMs / 1000)} s exceeded`), limitMs);
  limit.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => fail(`interrupted (${signal})`));
  process.on('uncaughtException', (error) => fail(error.stack ?? String(error)));
  body().then(
    async (code) => {
      await cleanup();
      clearTimeout(limit);
      process.exit(code);
    },
    (error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
  );
}

export async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One GET on loopback without keep-alive; the status, or 0 when nothing answers. */
export function httpGet(url: string, headers: Record<string, string> = {}, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return new Promise((done) => {
    const req = request(url, { method: 'GET', agent: false, headers, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', () => done({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done({ status: 0, body: '' }));
    req.end();
  });
}

/**
 * Polls `url` every `intervalMs` until it answers 200; resolves with performance.now() at that
 * moment. Fails when the child exits first or after `deadlineMs`.
 */
export async function pollUntil200(url: string, child: ChildProcess, intervalMs: number, deadlineMs: number): Promise<number> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const { status } = await httpGet(url, {}, 1_000);
    if (status === 200) return performance.now();
    if (exited(child)) throw new Error(`the server exited (code ${child.exitCode ?? child.signalCode}) before ${url} answered 200`);
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${deadlineMs / 1000} s`);
    await sleep(intervalMs);
  }
}

/** Collects a child's output (both streams) into a string, with the arrival time of each line. */
export function captureOutput(child: ChildProcess): { text: () => string; lineAt: (pattern: RegExp) => number | undefined } {
  let text = '';
  const lines: Array<{ at: number; line: string }> = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    const at = performance.now();
    const s = chunk.toString('utf8');
    text += s;
    partial += s;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ at, line });
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return { text: () => text, lineAt: (pattern) => lines.find((l) => pattern.test(l.line))?.at };
}

export interface Stats {
  n: number;
  min: number;
  median: number;
  max: number;
  mean: number;
}

export function stats(values: number[]): Stats {
  if (!values.length) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { n: sorted.length, min: sorted[0] as number, median, max: sorted[sorted.length - 1] as number, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** Renders rows as a Markdown table (also readable in a terminal). */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

export function machineLine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `${cpus().length} cores (${model}), Node ${process.version}, ${process.platform}-${process.arch}, load average ${load}`;
}

// CPU accounting (Linux /proc) --------------------------------------------------------------------

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK)

interface ProcStat {
  ppid: number;
  ticks: number;
  systemTicks: number;
}

function readProcStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    // fields[0] = state (field 3), so field N is fields[N - 3]
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]), systemTicks: Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by a process and all its live descendants. */
export function treeCpuSeconds(rootPid: number): number {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat) all.set(Number(entry), stat);
  }
  const inTree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of all) {
      if (!inTree.has(pid) && inTree.has(stat.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of inTree) ticks += all.get(pid)?.ticks ?? 0;
  return ticks / CLOCK_TICKS;
}

/** Machine-wide CPU counters from /proc/stat (in ticks): busy, idle, steal. */
export function machineCpu(): { busy: number; idle: number; steal: number; total: number } {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = first.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, idle: idle + iowait, steal, total: busy + idle + iowait + steal };
}

export const fmt = {
  ms: (v: number) => `${v.toFixed(0)} ms`,
  s: (v: number) => `${(v / 1000).toFixed(2)} s`,
  x: (v: number) => `${v.toFixed(1)}×`,
  int: (v: number) => Math.round(v).toLocaleString('en-US'),
};

/** CPU seconds used so far by one process (not its children). */
export function processCpuSeconds(pid: number): number {
  return (readProcStat(pid)?.ticks ?? 0) / CLOCK_TICKS;
}

/** Of which in the kernel (system time: syscalls, and the loopback TCP stack they run). */
export function processSystemCpuSeconds(pid: number): number {
  return (readProcStat(pid)?.systemTicks ?? 0) / CLOCK_TICKS;
}
