// Benchmark: "`GET /v1/me` with an API key: ≥ 3,000 requests/s, p99 < 20 ms (load from a second
// process on loopback), with the ratio to a bare Fastify hello-world measured in the same run."
//
//   npm run bench:me [-- --duration 15 --connections 50 --warmup 3 --profile]
//
// Every server and every load generator is its own child process; autocannon never runs in a
// server's process. Measured, in this order, each after a warm-up with the same settings:
//   1. baseline: bare Fastify hello-world (bench/lib/hello-fastify.ts), `GET /`;
//   2. SOFY, SOFY_LOG_LEVEL=warn: `GET /v1/me` with the demo API key (the target);
//   3. SOFY, SOFY_LOG_LEVEL=warn: `GET /healthz` (same plugins and hooks, no authentication query);
//   4. SOFY, default log level (info): `GET /v1/me` again, to see what request logging costs.
// With --profile, a last SOFY run under `node --cpu-prof` and a summary of its hottest functions.
// Rate limits are raised to their maximum so that they do not cap the measure.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summariseProfile } from './lib/cpuprofile.ts';
import {
  captureOutput,
  fmt,
  freePort,
  HOST,
  httpGet,
  machineCpu,
  machineLine,
  makeTempDir,
  pollUntil200,
  processCpuSeconds,
  processSystemCpuSeconds,
  REPO_ROOT,
  runBench,
  spawnTracked,
  stopChild,
  table,
  treeCpuSeconds,
  waitExit,
} from './lib/harness.ts';
import { cleanEnv, fileReader, type StopReport, spawnSofy, stopSofy, waitForApiKey } from './lib/sofy.ts';

const TARGET_RPS = 3_000;
const TARGET_P99_MS = 20;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    /** Extra SOFY_* settings for every SOFY run, to explore (e.g. --sofy-env SOFY_DB_POOL_SIZE=20). */
    'sofy-env': { type: 'string', multiple: true, default: [] },
  },
});
const EXTRA_ENV = Object.fromEntries(
  (args['sofy-env'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (!pair.startsWith('SOFY_') || at < 0) throw new Error(`--sofy-env takes SOFY_NAME=value (got "${pair}")`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
for (const [name, value, max] of [['duration', DURATION, 120], ['connections', CONNECTIONS, 1000], ['warmup', WARMUP, 60]] as const) {
  if (!Number.isInteger(value) || value < 0 || value > max || (name !== 'warmup' && value === 0)) throw new Error(`--${name} must be a whole number up to ${max}`);
}

/** The subset of autocannon's --json result that we read. */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p97_5: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
}

interface LoadResult {
  label: string;
  result: AutocannonResult;
  /** In cores (1 = one core busy the whole time); `other` = machine busy − the three processes. */
  cpu: { server: number; serverSystem: number; postgres: number; autocannon: number; machineBusy: number; other: number; steal: number };
  warmupNon2xx: number;
  /** The measured run, in µs of the monotonic clock (to cut a CPU profile to it). */
  windowUs: { fromUs: number; toUs: number };
}

const SOFY_ENV = { SOFY_RATE_LIMIT_API_KEY: '10000000', SOFY_RATE_LIMIT_IP: '10000000', ...EXTRA_ENV };

/** One autocannon run, in its own process; CPU of the server (and its PostgreSQL) sampled meanwhile. */
async function autocannon(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  serverPid: number | undefined,
): Promise<{ result: AutocannonResult; cpu: LoadResult['cpu']; windowUs: LoadResult['windowUs'] }> {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const argv = [join(REPO_ROOT, 'node_modules/autocannon/autocannon.js'), '--json', '-c', String(CONNECTIONS), '-d', String(seconds), ...headerArgs, url];
  const machine0 = machineCpu();
  const server0 = serverPid ? processCpuSeconds(serverPid) : 0;
  const serverSys0 = serverPid ? processSystemCpuSeconds(serverPid) : 0;
  const tree0 = serverPid ? treeCpuSeconds(serverPid) : 0;
  const t0 = performance.now();
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const child = spawnTracked(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = captureOutput(child);
  let autocannonCpu = 0;
  const sampler = setInterval(() => {
    if (child.pid) autocannonCpu = Math.max(autocannonCpu, processCpuSeconds(child.pid));
  }, 250);
  const hardLimit = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  const exit = await waitExit(child);
  clearInterval(sampler);
  clearTimeout(hardLimit);
  const wall = (performance.now() - t0) / 1000;
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const machine1 = machineCpu();
  const serverCpu = serverPid ? processCpuSeconds(serverPid) - server0 : 0;
  const serverSys = serverPid ? processSystemCpuSeconds(serverPid) - serverSys0 : 0;
  const treeCpu = serverPid ? treeCpuSeconds(serverPid) - tree0 : 0;
  if (exit !== 0) throw new Error(`autocannon exited with ${exit}:\n${out.text().slice(-2000)}`);
  const line = out
    .text()
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON from autocannon:\n${out.text().slice(-2000)}`);
  const result = JSON.parse(line) as AutocannonResult;
  const total = machine1.total - machine0.total || 1;
  const cores = cpus().length;
  const server = serverCpu / wall;
  const postgres = Math.max(0, treeCpu - serverCpu) / wall;
  const ac = autocannonCpu / wall;
  const machineBusy = ((machine1.busy - machine0.busy) / total) * cores;
  return {
    result,
    cpu: { server, serverSystem: serverSys / wall, postgres, autocannon: ac, machineBusy, other: Math.max(0, machineBusy - server - postgres - ac), steal: ((machine1.steal - machine0.steal) / total) * cores },
    windowUs: { fromUs, toUs },
  };
}

async function load(label: string, url: string, headers: Record<string, string>, serverPid: number | undefined): Promise<LoadResult> {
  let warmupNon2xx = 0;
  if (WARMUP > 0) {
    const warm = await autocannon(url, headers, WARMUP, serverPid);
    warmupNon2xx = warm.result.non2xx + warm.result.errors;
  }
  const { result, cpu, windowUs } = await autocannon(url, headers, DURATION, serverPid);
  const r = { label, result, cpu, warmupNon2xx, windowUs };
  console.log(`  ${label}: ${fmt.int(result.requests.average)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
  return r;
}

interface SofyServer {
  child: ChildProcess;
  port: number;
  output: () => string;
  logFile: string;
}

async function startSofy(dataDir: string, logFile: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<SofyServer> {
  const port = await freePort();
  const child = spawnSofy({ dataDir, port, env: { ...SOFY_ENV, ...env }, output: { file: logFile }, nodeArgs });
  const output = fileReader(logFile);
  try {
    await pollUntil200(`http://${HOST}:${port}/readyz`, child, 25, 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output().slice(-3000)}`);
  }
  return { child, port, output, logFile };
}

function stopNote(stop: StopReport): string {
  const problems = [
    stop.exit !== 0 ? `exit ${stop.exit}` : '',
    stop.printedStopped ? '' : 'no "stopped" line',
    stop.lockLeft ? 'sofy.lock left' : '',
    stop.postgres === 'clean' ? '' : 'PostgreSQL left running',
  ].filter(Boolean);
  return problems.length ? `stop not clean: ${problems.join(', ')}` : 'clean stop';
}

function passes(r: LoadResult): boolean {
  return r.result.requests.average >= TARGET_RPS && r.result.latency.p99 < TARGET_P99_MS && r.result.non2xx === 0 && r.result.errors === 0 && r.result.timeouts === 0;
}

async function main(): Promise<number> {
  console.log(`GET /v1/me with an API key — ${new Date().toISOString()}`);
  console.log(`machine: ${machineLine()}`);
  console.log(`autocannon@8 in its own process: -c ${CONNECTIONS} -d ${DURATION} after a ${WARMUP} s warm-up, ${HOST} only`);
  console.log(`SOFY settings: ${Object.entries(SOFY_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} (+ SOFY_LOG_LEVEL per run)\n`);
  const work = makeTempDir('sofy-bench-me-');
  const dataDir = join(work, 'data');
  const results: LoadResult[] = [];

  // 1. Baseline: bare Fastify hello-world.
  {
    const port = await freePort();
    const child = spawnTracked(process.execPath, ['bin/run-ts.js', 'bench/lib/hello-fastify.ts'], { env: cleanEnv({ PORT: String(port) }), stdio: ['ignore', 'ignore', 'pipe'] });
    const err = captureOutput(child);
    try {
      await pollUntil200(`http://${HOST}:${port}/`, child, 25, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${err.text()}`);
    }
    results.push(await load('Fastify hello-world GET /', `http://${HOST}:${port}/`, {}, child.pid));
    await stopChild(child, 'SIGTERM', 5_000);
  }

  // 2–3. SOFY at warn: the first start of an empty data dir prints the demo API key.
  let apiKey: string;
  {
    const server = await startSofy(dataDir, join(work, 'sofy-warn.log'), { SOFY_LOG_LEVEL: 'warn' });
    apiKey = await waitForApiKey(server.output, server.child);
    const me = await httpGet(`http://${HOST}:${server.port}/v1/me`, { authorization: `Bearer ${apiKey}` });
    if (me.status !== 200) throw new Error(`GET /v1/me answered ${me.status}: ${me.body}`);
    console.log(`GET /v1/me → 200, ${me.body.length} bytes of JSON; loading…`);
    results.push(await load('SOFY GET /v1/me (log level warn)', `http://${HOST}:${server.port}/v1/me`, { authorization: `Bearer ${apiKey}` }, server.child.pid));
    results.push(await load('SOFY GET /healthz (log level warn)', `http://${HOST}:${server.port}/healthz`, {}, server.child.pid));
    console.log(`  (${stopNote(await stopSofy(server.child, dataDir, server.output))})`);
  }

  // 4. SOFY at the default level (info): one JSON line per request received and completed.
  let logBytesPerRequest = 0;
  {
    const logFile = join(work, 'sofy-info.log');
    const server = await startSofy(dataDir, logFile, {});
    const before = statSync(logFile).size;
    const r = await load('SOFY GET /v1/me (log level info, the default)', `http://${HOST}:${server.port}/v1/me`, { authorization: `Bearer ${apiKey}` }, server.child.pid);
    results.push(r);
    const requests = r.result.requests.total + (WARMUP > 0 ? r.result.requests.average * WARMUP : 0);
    logBytesPerRequest = (statSync(logFile).size - before) / Math.max(1, requests);
    console.log(`  (${stopNote(await stopSofy(server.child, dataDir, server.output))})`);
  }

  // 5. Optional: the same /v1/me load on a SOFY under the V8 profiler.
  let profileReport: string | undefined;
  if (args.profile) {
    const profDir = join(work, 'prof');
    const server = await startSofy(dataDir, join(work, 'sofy-prof.log'), { SOFY_LOG_LEVEL: 'warn' }, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    const r = await load('SOFY GET /v1/me (warn, under --cpu-prof)', `http://${HOST}:${server.port}/v1/me`, { authorization: `Bearer ${apiKey}` }, server.child.pid);
    await stopSofy(server.child, dataDir, server.output);
    const files = readdirSync(profDir).map((f) => join(profDir, f));
    const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (!main) throw new Error('the profiled server wrote no .cpuprofile');
    const summary = summariseProfile(main, 25, r.windowUs);
    const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
    profileReport = [
      `\nCPU profile of the SOFY server's main thread under /v1/me load (${fmt.int(r.result.requests.average)} req/s while profiled; ${fmt.int(summary.totalMs)} ms sampled, ${pct(summary.idleMs)} idle):`,
      '\nBy area (self time):\n',
      table(['area', 'ms', 'share'], summary.areas.slice(0, 15).map((a) => [a.area, fmt.int(a.ms), pct(a.ms)])),
      '\nHottest functions, self time:\n',
      table(['function', 'ms', 'share'], summary.self.map((f) => [f.name, fmt.int(f.ms), pct(f.ms)])),
      '\nHottest functions, inclusive time:\n',
      table(['function', 'ms', 'share'], summary.inclusive.map((f) => [f.name, fmt.int(f.ms), pct(f.ms)])),
    ].join('\n');
  }

  // Report.
  const baseline = results[0] as LoadResult;
  const rows = results
    .filter((r) => !r.label.includes('--cpu-prof'))
    .map((r) => {
      const res = r.result;
      return [
        r.label,
        fmt.int(res.requests.average),
        `${res.latency.p50} ms`,
        `${res.latency.p97_5} ms`,
        `${res.latency.p99} ms`,
        `${res.latency.max} ms`,
        `${res.non2xx}/${res.errors}/${res.timeouts}`,
        (res.requests.average / baseline.result.requests.average).toFixed(2),
        `${r.cpu.server.toFixed(2)} (sys ${r.cpu.serverSystem.toFixed(2)})`,
        r.cpu.postgres.toFixed(2),
        r.cpu.autocannon.toFixed(2),
        r.cpu.other.toFixed(2),
        `${r.cpu.machineBusy.toFixed(2)} of ${cpus().length}`,
        `${fmt.int((1e6 * r.cpu.server) / res.requests.average)} / ${fmt.int((1e6 * r.cpu.machineBusy) / res.requests.average)}`,
      ];
    });
  console.log(`\nResults (-c ${CONNECTIONS}, ${DURATION} s; ratio = req/s ÷ the Fastify hello-world's; CPU in cores busy, 1.00 = one core all the time;`);
  console.log('"other" = machine busy − server − PostgreSQL − autocannon: kernel networking and whatever else runs on the machine):\n');
  console.log(
    table(['run', 'req/s', 'p50', 'p97.5', 'p99', 'max', 'non-2xx/err/timeout', 'ratio', 'CPU server (kernel)', 'CPU PG', 'CPU autocannon', 'CPU other', 'machine busy', 'CPU µs/req server / all'], rows),
  );
  console.log(`\nLogs at info: ${logBytesPerRequest.toFixed(0)} bytes per request written by the server.`);
  const warmupProblems = results.filter((r) => r.warmupNon2xx > 0);
  if (warmupProblems.length) console.log(`Warm-up non-2xx/errors: ${warmupProblems.map((r) => `${r.label}: ${r.warmupNon2xx}`).join('; ')}`);
  if (profileReport) console.log(profileReport);

  console.log(`\nTarget: ≥ ${fmt.int(TARGET_RPS)} req/s and p99 < ${TARGET_P99_MS} ms, no non-2xx`);
  for (const r of results.filter((x) => x.label.includes('/v1/me') && !x.label.includes('--cpu-prof'))) {
    const res = r.result;
    console.log(
      `  ${r.label.padEnd(46)} ${fmt.int(res.requests.average)} req/s, p99 ${res.latency.p99} ms, non-2xx ${res.non2xx} → ${passes(r) ? 'PASS' : 'FAIL'}` +
        `  (ratio to Fastify hello-world: ${(res.requests.average / baseline.result.requests.average).toFixed(2)})`,
    );
  }
  return 0;
}

runBench('bench:me', 10 * 60_000, main);
