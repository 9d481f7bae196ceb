// Benchmark: "Acceptance: POST /v1/messages/batch ≥ 20,000 messages/s accepted and committed
// (1,000 per call, several concurrent clients); single POST /v1/messages ≥ 1,500 req/s with
// p99 < 50 ms (autocannon in its own process, with a valid alert SMS body). Baseline: GET /healthz
// or the bare Fastify hello-world."
//
//   npm run bench:accept [-- --duration 15 --warmup 3 --connections 50 --batch-connections 4 --rate 1500 --batch-apis 2 --profile]
//
// Every server and every load generator is its own child process, on 127.0.0.1 only. Measured, in
// this order, each after a warm-up with the same settings:
//   1. baseline: bare Fastify hello-world (bench/lib/hello-fastify.ts): GET /, POST / with the
//      single-message body, POST / with the 1,000-message body (JSON parsed, nothing else);
//   2. SOFY `api` (serves, never dispatches: accepted messages stay in the outbox; the role an
//      API node has when workers dispatch elsewhere), SOFY_LOG_LEVEL=warn, rate limits raised:
//      GET /healthz (same plugins and hooks, no database);
//   3. POST /v1/messages, one alert SMS, -c 50 (as many as it takes);
//   4. POST /v1/messages at the target rate (-R 1500, latencies corrected for coordinated omission);
//      then the same with a fresh Idempotency-Key on each request (autocannon -I): the path a
//      client that retries safely takes (keys claimed and answers stored in the transaction);
//   5. POST /v1/messages/batch, 1,000 alert SMS per call, --batch-connections clients; the
//      messages committed during the run are counted in the database;
//   6. the same batch load on --batch-apis `sofy api` processes (default 2: scale-out on the same
//      machine; the extra ones reach the owner's PostgreSQL through the lock), one autocannon each.
// Every SOFY answer is checked once beforehand (202, every message accepted).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { summariseProfile } from './lib/cpuprofile.ts';
import { adminClient } from './lib/db.ts';
import { codeState } from './lib/gitstate.ts';
import { captureOutput, fmt, freePort, HOST, machineLine, makeTempDir, pollUntil200, runBench, spawnTracked, stopChild, table, waitExit } from './lib/harness.ts';
import { autocannon, type LoadResult } from './lib/load.ts';
import { batchBody, singleMessage } from './lib/messages.ts';
import { cleanEnv, fileReader, type StopReport, spawnSofy, stopSofy } from './lib/sofy.ts';

const TARGET_BATCH_MSGS = 20_000;
const TARGET_SINGLE_RPS = 1_500;
const TARGET_SINGLE_P99 = 50;
const BATCH_SIZE = 1000;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'batch-connections': { type: 'string', default: '4' },
    rate: { type: 'string', default: String(TARGET_SINGLE_RPS) },
    /** Also measure the batch load spread over this many `sofy api` processes (scale-out on the same machine); 1 = skip. */
    'batch-apis': { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    /** Extra SOFY_* settings (e.g. --sofy-env SOFY_DB_POOL_SIZE=20). */
    'sofy-env': { type: 'string', multiple: true, default: [] },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const BATCH_CONNECTIONS = Number(args['batch-connections']);
const RATE = Number(args.rate);
const BATCH_APIS = Number(args['batch-apis']);
for (const [name, value, max] of [
  ['duration', DURATION, 120],
  ['warmup', WARMUP, 60],
  ['connections', CONNECTIONS, 1000],
  ['batch-connections', BATCH_CONNECTIONS, 64],
  ['rate', RATE, 100_000],
  ['batch-apis', BATCH_APIS, 4],
] as const) {
  if (!Number.isInteger(value) || value < 0 || value > max || (name !== 'warmup' && value === 0)) throw new Error(`--${name} must be a whole number up to ${max}`);
}
const EXTRA_ENV = Object.fromEntries(
  (args['sofy-env'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (!pair.startsWith('SOFY_') || at < 0) throw new Error(`--sofy-env takes SOFY_NAME=value (got "${pair}")`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
// SOFY_SMPP_GATEWAY_PORT=0: the API's SMPP gateway on a free port (its default, 2776, is taken by
// the second API process, or by any other SOFY running on this machine).
const SOFY_ENV = { SOFY_LOG_LEVEL: 'warn', SOFY_RATE_LIMIT_API_KEY: '10000000', SOFY_RATE_LIMIT_IP: '10000000', SOFY_SMPP_GATEWAY_PORT: '0', ...EXTRA_ENV };

const SINGLE_BODY = JSON.stringify(singleMessage(482_913));
const BATCH_BODY = JSON.stringify(batchBody(1, BATCH_SIZE));

interface Run {
  label: string;
  kind: 'hello' | 'healthz' | 'single' | 'single-rate' | 'single-keyed' | 'batch' | 'batch-scaled' | 'profile';
  /** Messages per request that succeeded (1,000 for a batch). */
  perRequest: number;
  load: LoadResult;
  warmupProblems: number;
  /** Batch: messages committed in the database while the run lasted. */
  committed?: number;
}

let workDir = '';

async function measure(run: Omit<Run, 'load' | 'warmupProblems'>, spec: Omit<Parameters<typeof autocannon>[0], 'seconds' | 'workDir'>, count?: (from: Date, to: Date) => Promise<number>): Promise<Run> {
  let warmupProblems = 0;
  if (WARMUP > 0) {
    const warm = await autocannon({ ...spec, seconds: WARMUP, workDir });
    warmupProblems = warm.result.non2xx + warm.result.errors + warm.result.timeouts;
  }
  const load = await autocannon({ ...spec, seconds: DURATION, workDir });
  const ended = new Date();
  const committed = count ? await count(load.startedAt, ended) : undefined;
  const r = load.result;
  console.log(
    `  ${run.label}: ${fmt.int(r.requests.average)} req/s${run.perRequest > 1 ? ` (${fmt.int(r.requests.average * run.perRequest)} msg/s)` : ''}, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
      `non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}${committed !== undefined ? `, committed ${fmt.int(committed)} messages` : ''}`,
  );
  return { ...run, load, warmupProblems, ...(committed !== undefined ? { committed } : {}) };
}

async function post(port: number, path: string, apiKey: string, body: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${HOST}:${port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body });
  return { status: res.status, body: await res.text() };
}

interface Sofy {
  child: ChildProcess;
  port: number;
  dataDir: string;
  output: () => string;
}

async function startSofy(dataDir: string, logFile: string, nodeArgs: string[] = []): Promise<Sofy> {
  const port = await freePort();
  const child = spawnSofy({ dataDir, port, env: SOFY_ENV, output: { file: logFile }, command: 'api', nodeArgs });
  const output = fileReader(logFile);
  try {
    await pollUntil200(`http://${HOST}:${port}/readyz`, child, 50, 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output().slice(-3000)}`);
  }
  return { child, port, dataDir, output };
}

function stopNote(stop: StopReport): string {
  const problems = [stop.exit !== 0 ? `exit ${stop.exit}` : '', stop.printedStopped ? '' : 'no "stopped" line', stop.lockLeft ? 'sofy.lock left' : '', stop.postgres === 'clean' ? '' : 'PostgreSQL left running'].filter(Boolean);
  return problems.length ? `stop not clean: ${problems.join(', ')}` : 'clean stop';
}

async function main(): Promise<number> {
  console.log(`Message acceptance — ${new Date().toISOString()}`);
  console.log(`machine: ${machineLine()}`);
  console.log(`code: ${codeState()}`);
  console.log(`autocannon@8 in its own process, -d ${DURATION} after a ${WARMUP} s warm-up; single: -c ${CONNECTIONS}, then -c ${CONNECTIONS} -R ${RATE}; batch: ${BATCH_SIZE} per call, -c ${BATCH_CONNECTIONS}; ${HOST} only`);
  console.log(`SOFY: \`sofy api\`, ${Object.entries(SOFY_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  console.log(`bodies: single ${SINGLE_BODY.length} bytes (${SINGLE_BODY}); batch ${fmt.int(BATCH_BODY.length)} bytes\n`);
  workDir = makeTempDir('sofy-bench-accept-');
  const dataDir = join(workDir, 'data');
  const runs: Run[] = [];

  // 1. Baseline: bare Fastify.
  {
    const port = await freePort();
    const child = spawnTracked(process.execPath, ['bin/run-ts.js', 'bench/lib/hello-fastify.ts'], { env: cleanEnv({ PORT: String(port) }), stdio: ['ignore', 'ignore', 'pipe'] });
    const err = captureOutput(child);
    try {
      await pollUntil200(`http://${HOST}:${port}/`, child, 25, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${err.text()}`);
    }
    const url = `http://${HOST}:${port}/`;
    const json = { 'content-type': 'application/json' };
    runs.push(await measure({ label: 'Fastify hello-world GET /', kind: 'hello', perRequest: 1 }, { url, connections: CONNECTIONS, serverPid: child.pid as number }));
    runs.push(await measure({ label: 'Fastify hello-world POST / (single body)', kind: 'hello', perRequest: 1 }, { url, method: 'POST', headers: json, body: SINGLE_BODY, connections: CONNECTIONS, serverPid: child.pid as number }));
    runs.push(
      await measure({ label: `Fastify hello-world POST / (${BATCH_SIZE}-message body)`, kind: 'hello', perRequest: BATCH_SIZE }, { url, method: 'POST', headers: json, body: BATCH_BODY, connections: BATCH_CONNECTIONS, serverPid: child.pid as number }),
    );
    await stopChild(child, 'SIGTERM', 5_000);
  }

  // 2. SOFY api; a tenant and its API key from the CLI beside it.
  let sofy = await startSofy(dataDir, join(workDir, 'sofy.log'));
  const cli = spawnTracked(process.execPath, ['bin/sofy.js', 'tenants', 'create', '--name', 'Bench acceptance', '--json'], { env: cleanEnv({ SOFY_DATA_DIR: dataDir }), stdio: ['ignore', 'pipe', 'pipe'] });
  const cliOut = captureOutput(cli);
  if ((await waitExit(cli)) !== 0) throw new Error(`sofy tenants create failed:\n${cliOut.text()}`);
  const apiKey = (JSON.parse(cliOut.text().slice(cliOut.text().indexOf('{'))) as { apiKey: string }).apiKey;
  const db: pg.Client = await adminClient(dataDir);
  const countMessages = async (from: Date, to: Date) =>
    (await db.query<{ n: number }>('select count(*)::int as n from messages where created_at >= $1 and created_at < $2', [from, to])).rows[0]?.n ?? 0;

  // Each answer checked once: 202, the message queued / every message of the batch accepted.
  const one = await post(sofy.port, '/v1/messages', apiKey, SINGLE_BODY);
  if (one.status !== 202 || (JSON.parse(one.body) as { status?: string }).status !== 'queued') throw new Error(`POST /v1/messages answered ${one.status}: ${one.body}`);
  const batch = await post(sofy.port, '/v1/messages/batch', apiKey, BATCH_BODY);
  const batchAnswer = JSON.parse(batch.body) as { accepted?: number; rejected?: number };
  if (batch.status !== 202 || batchAnswer.accepted !== BATCH_SIZE) throw new Error(`POST /v1/messages/batch answered ${batch.status}: ${batch.body.slice(0, 1000)}`);
  console.log(`checked: POST /v1/messages → 202 queued (${one.body.length} bytes); POST /v1/messages/batch → 202, ${batchAnswer.accepted} accepted, ${batchAnswer.rejected} rejected (${fmt.int(batch.body.length)} bytes)`);

  const auth = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const base = `http://${HOST}:${sofy.port}`;
  const pid = sofy.child.pid as number;
  runs.push(await measure({ label: 'SOFY GET /healthz', kind: 'healthz', perRequest: 1 }, { url: `${base}/healthz`, connections: CONNECTIONS, serverPid: pid }));
  runs.push(await measure({ label: `SOFY POST /v1/messages (-c ${CONNECTIONS})`, kind: 'single', perRequest: 1 }, { url: `${base}/v1/messages`, method: 'POST', headers: auth, body: SINGLE_BODY, connections: CONNECTIONS, serverPid: pid }));
  runs.push(
    await measure(
      { label: `SOFY POST /v1/messages (-c ${CONNECTIONS} -R ${RATE})`, kind: 'single-rate', perRequest: 1 },
      { url: `${base}/v1/messages`, method: 'POST', headers: auth, body: SINGLE_BODY, connections: CONNECTIONS, rate: RATE, serverPid: pid },
    ),
  );
  // A fresh key per request (autocannon -I puts a random id in place of [<id>]): every request
  // is new, none a replay; the rows committed say so.
  runs.push(
    await measure(
      { label: `SOFY POST /v1/messages with Idempotency-Key (-c ${CONNECTIONS} -R ${RATE})`, kind: 'single-keyed', perRequest: 1 },
      { url: `${base}/v1/messages`, method: 'POST', headers: { ...auth, 'idempotency-key': 'bench-[<id>]' }, body: SINGLE_BODY, connections: CONNECTIONS, rate: RATE, idReplacement: true, serverPid: pid },
      countMessages,
    ),
  );
  runs.push(
    await measure(
      { label: `SOFY POST /v1/messages/batch (${BATCH_SIZE} per call, -c ${BATCH_CONNECTIONS})`, kind: 'batch', perRequest: BATCH_SIZE },
      { url: `${base}/v1/messages/batch`, method: 'POST', headers: auth, body: BATCH_BODY, connections: BATCH_CONNECTIONS, serverPid: pid },
      countMessages,
    ),
  );
  if (BATCH_APIS > 1) {
    // The same batch load spread over several API processes (the first owns the data dir; the
    // others reach its PostgreSQL through the lock, as `sofy api` replicas do), one autocannon each.
    const extra: Sofy[] = [];
    for (let i = 1; i < BATCH_APIS; i++) extra.push(await startSofy(dataDir, join(workDir, `sofy-extra-${i}.log`)));
    const apis = [sofy, ...extra];
    const specs = apis.map((a) => ({
      url: `http://${HOST}:${a.port}/v1/messages/batch`,
      method: 'POST' as const,
      headers: auth,
      body: BATCH_BODY,
      connections: BATCH_CONNECTIONS,
      serverPid: a.child.pid as number,
      workDir,
    }));
    if (WARMUP > 0) await Promise.all(specs.map((spec) => autocannon({ ...spec, seconds: WARMUP })));
    const loads = await Promise.all(specs.map((spec) => autocannon({ ...spec, seconds: DURATION })));
    const committed = await countMessages(loads[0]?.startedAt as Date, new Date());
    const sum = (pick: (l: LoadResult) => number) => loads.reduce((a, l) => a + pick(l), 0);
    const first = loads[0] as LoadResult;
    const load: LoadResult = {
      ...first,
      result: {
        ...first.result,
        errors: sum((l) => l.result.errors),
        timeouts: sum((l) => l.result.timeouts),
        non2xx: sum((l) => l.result.non2xx),
        '2xx': sum((l) => l.result['2xx']),
        requests: { average: sum((l) => l.result.requests.average), total: sum((l) => l.result.requests.total) },
        // Latencies: the worst of the processes' percentiles.
        latency: {
          p50: Math.max(...loads.map((l) => l.result.latency.p50)),
          p97_5: Math.max(...loads.map((l) => l.result.latency.p97_5)),
          p99: Math.max(...loads.map((l) => l.result.latency.p99)),
          average: sum((l) => l.result.latency.average) / loads.length,
          max: Math.max(...loads.map((l) => l.result.latency.max)),
        },
      },
      cpu: {
        server: sum((l) => l.cpu.server),
        serverSystem: sum((l) => l.cpu.serverSystem),
        postgres: first.cpu.postgres,
        autocannon: sum((l) => l.cpu.autocannon),
        machineBusy: Math.max(...loads.map((l) => l.cpu.machineBusy)),
        other: 0,
      },
    };
    load.cpu.other = Math.max(0, load.cpu.machineBusy - load.cpu.server - load.cpu.postgres - load.cpu.autocannon);
    const label = `SOFY POST /v1/messages/batch on ${BATCH_APIS} api processes (-c ${BATCH_CONNECTIONS} each)`;
    runs.push({ label, kind: 'batch-scaled', perRequest: BATCH_SIZE, load, warmupProblems: 0, committed });
    console.log(`  ${label}: ${fmt.int(load.result.requests.average)} req/s (${fmt.int(load.result.requests.average * BATCH_SIZE)} msg/s), p99 ${load.result.latency.p99} ms, non-2xx ${load.result.non2xx}, committed ${fmt.int(committed)} messages`);
    // Not stopSofy(): the extra processes do not own the data dir's PostgreSQL (it must keep running).
    for (const a of extra) {
      const exit = await stopChild(a.child, 'SIGINT', 30_000);
      console.log(`  (extra api: exit ${exit}${a.output().includes('[sofy] stopped') ? ', clean stop' : ', no "stopped" line'})`);
    }
  }
  const { rows: totals } = await db.query<{ messages: number; outbox: number }>('select (select count(*)::int from messages) as messages, (select count(*)::int from outbox) as outbox');
  let profileReport: string | undefined;
  if (args.profile) {
    // The single and the batch loads again, on a SOFY under the V8 profiler; one summary each.
    await db.end();
    console.log(`  (${stopNote(await stopSofy(sofy.child, dataDir, sofy.output))})`);
    const profDir = join(workDir, 'prof');
    sofy = await startSofy(dataDir, join(workDir, 'sofy-prof.log'), ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    const profiled = `http://${HOST}:${sofy.port}`;
    const singleProf = await measure(
      { label: `SOFY POST /v1/messages (-c ${CONNECTIONS}) under --cpu-prof`, kind: 'profile', perRequest: 1 },
      { url: `${profiled}/v1/messages`, method: 'POST', headers: auth, body: SINGLE_BODY, connections: CONNECTIONS, serverPid: sofy.child.pid as number },
    );
    const batchProf = await measure(
      { label: 'SOFY POST /v1/messages/batch under --cpu-prof', kind: 'profile', perRequest: BATCH_SIZE },
      { url: `${profiled}/v1/messages/batch`, method: 'POST', headers: auth, body: BATCH_BODY, connections: BATCH_CONNECTIONS, serverPid: sofy.child.pid as number },
    );
    console.log(`  (${stopNote(await stopSofy(sofy.child, dataDir, sofy.output))})`);
    const main = readdirSync(profDir)
      .map((f) => join(profDir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (!main) throw new Error('the profiled server wrote no .cpuprofile');
    const sections: string[] = [];
    for (const [name, r, per] of [
      ['POST /v1/messages', singleProf, 1],
      ['POST /v1/messages/batch', batchProf, BATCH_SIZE],
    ] as const) {
      const summary = summariseProfile(main, 25, r.load.windowUs);
      const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
      sections.push(
        `\nCPU profile of the SOFY server's main thread under ${name} (${fmt.int(r.load.result.requests.average * per)} msg/s while profiled; ${fmt.int(summary.totalMs)} ms sampled, ${pct(summary.idleMs)} idle):`,
        '\nBy area (self time):\n',
        table(['area', 'ms', 'share'], summary.areas.slice(0, 15).map((a) => [a.area, fmt.int(a.ms), pct(a.ms)])),
        '\nHottest functions, self time:\n',
        table(['function', 'ms', 'share'], summary.self.map((f) => [f.name, fmt.int(f.ms), pct(f.ms)])),
        '\nHottest functions, inclusive time:\n',
        table(['function', 'ms', 'share'], summary.inclusive.map((f) => [f.name, fmt.int(f.ms), pct(f.ms)])),
      );
    }
    profileReport = sections.join('\n');
  } else {
    await db.end();
    console.log(`  (${stopNote(await stopSofy(sofy.child, dataDir, sofy.output))})`);
  }

  // Report.
  const byLabel = (prefix: string) => runs.find((r) => r.label.startsWith(prefix)) as Run;
  const helloGet = byLabel('Fastify hello-world GET /');
  const helloSingle = byLabel('Fastify hello-world POST / (single');
  const helloBatch = byLabel('Fastify hello-world POST / (1');
  const healthz = byLabel('SOFY GET /healthz');
  const baselineOf = (r: Run): Run => {
    if (r === helloBatch || r.kind === 'batch' || r.kind === 'batch-scaled') return helloBatch;
    if (r === helloSingle || r.kind === 'single' || r.kind === 'single-rate' || r.kind === 'single-keyed') return helloSingle;
    return helloGet;
  };
  const rows = runs
    .filter((r) => r.kind !== 'profile')
    .map((r) => {
      const res = r.load.result;
      const perSec = res.requests.average;
      return [
        r.label,
        fmt.int(perSec),
        r.perRequest > 1 ? fmt.int(perSec * r.perRequest) : '—',
        `${res.latency.p50} ms`,
        `${res.latency.p97_5} ms`,
        `${res.latency.p99} ms`,
        `${res.latency.max} ms`,
        `${res.non2xx}/${res.errors}/${res.timeouts}`,
        (perSec / baselineOf(r).load.result.requests.average).toFixed(2),
        r.kind === 'hello' ? '—' : (perSec / healthz.load.result.requests.average).toFixed(2),
        `${r.load.cpu.server.toFixed(2)} (sys ${r.load.cpu.serverSystem.toFixed(2)})`,
        r.kind === 'hello' ? '—' : r.load.cpu.postgres.toFixed(2),
        r.load.cpu.autocannon.toFixed(2),
        r.load.cpu.other.toFixed(2),
        `${r.load.cpu.machineBusy.toFixed(2)} of ${cpus().length}`,
        `${fmt.int((1e6 * r.load.cpu.server) / (perSec * r.perRequest))} / ${fmt.int((1e6 * r.load.cpu.postgres) / (perSec * r.perRequest))} / ${fmt.int((1e6 * r.load.cpu.machineBusy) / (perSec * r.perRequest))}`,
      ];
    });
  console.log(`\nResults (${DURATION} s each; ratio = req/s ÷ the matching Fastify baseline's (GET /, POST / with the same body), and ÷ SOFY /healthz; CPU in cores busy;`);
  console.log('"other" = machine busy − server − PostgreSQL − autocannon; "µs CPU/msg" = per message, server / PostgreSQL / whole machine):\n');
  console.log(
    table(
      ['run', 'req/s', 'msg/s', 'p50', 'p97.5', 'p99', 'max', 'non-2xx/err/timeout', 'ratio to Fastify', 'ratio to /healthz', 'CPU server (kernel)', 'CPU PG', 'CPU autocannon', 'CPU other', 'machine busy', 'µs CPU/msg server / PG / all'],
      rows,
    ),
  );
  const warm = runs.filter((r) => r.warmupProblems > 0);
  if (warm.length) console.log(`\nWarm-up non-2xx/errors/timeouts: ${warm.map((r) => `${r.label}: ${r.warmupProblems}`).join('; ')}`);
  console.log(`\nDatabase after the runs: ${fmt.int(totals[0]?.messages ?? 0)} messages, ${fmt.int(totals[0]?.outbox ?? 0)} in the outbox (no worker ran: the API role does not dispatch).`);
  if (profileReport) console.log(profileReport);

  const batchRun = byLabel('SOFY POST /v1/messages/batch (');
  const single = byLabel(`SOFY POST /v1/messages (-c ${CONNECTIONS})`);
  const singleRate = byLabel(`SOFY POST /v1/messages (-c ${CONNECTIONS} -R`);
  const clean = (r: Run) => r.load.result.non2xx === 0 && r.load.result.errors === 0 && r.load.result.timeouts === 0;
  const batchMsgs = batchRun.load.result.requests.average * BATCH_SIZE;
  const committedRate = (batchRun.committed ?? 0) / batchRun.load.result.duration;
  console.log(`\nTargets:`);
  console.log(
    `  batch:  ≥ ${fmt.int(TARGET_BATCH_MSGS)} msg/s accepted and committed → ${fmt.int(batchMsgs)} msg/s answered 202 (${fmt.int(batchRun.load.result['2xx'])} calls), ` +
      `${fmt.int(committedRate)} msg/s committed (${fmt.int(batchRun.committed ?? 0)} rows in ${batchRun.load.result.duration} s) → ${batchMsgs >= TARGET_BATCH_MSGS && committedRate >= TARGET_BATCH_MSGS * 0.98 && clean(batchRun) ? 'PASS' : 'FAIL'}` +
      `  (ratio to Fastify parsing the same bodies: ${(batchRun.load.result.requests.average / helloBatch.load.result.requests.average).toFixed(2)})`,
  );
  const scaled = runs.find((r) => r.kind === 'batch-scaled');
  if (scaled) {
    const msgs = scaled.load.result.requests.average * BATCH_SIZE;
    const committedScaled = (scaled.committed ?? 0) / scaled.load.result.duration;
    console.log(
      `  batch on ${BATCH_APIS} api processes: ${fmt.int(msgs)} msg/s answered 202, ${fmt.int(committedScaled)} msg/s committed → ${msgs >= TARGET_BATCH_MSGS && committedScaled >= TARGET_BATCH_MSGS * 0.98 && clean(scaled) ? 'PASS' : 'FAIL'}` +
        ` (×${(msgs / batchMsgs).toFixed(2)} the single process)`,
    );
  }
  const keyed = byLabel('SOFY POST /v1/messages with Idempotency-Key');
  {
    const res = keyed.load.result;
    console.log(
      `  (info) single with a fresh Idempotency-Key each (-c ${CONNECTIONS} -R ${RATE}) → ${fmt.int(res.requests.average)} req/s, p99 ${res.latency.p99} ms, ` +
        `${fmt.int(keyed.committed ?? 0)} messages committed for ${fmt.int(res['2xx'])} answers 202 (new keys, not replays)`,
    );
  }
  for (const r of [single, singleRate]) {
    const res = r.load.result;
    console.log(
      `  single: ≥ ${fmt.int(TARGET_SINGLE_RPS)} req/s with p99 < ${TARGET_SINGLE_P99} ms (${r.label.replace('SOFY POST /v1/messages ', '')}) → ${fmt.int(res.requests.average)} req/s, p99 ${res.latency.p99} ms → ` +
        `${res.requests.average >= TARGET_SINGLE_RPS * (r.kind === 'single-rate' ? 0.98 : 1) && res.latency.p99 < TARGET_SINGLE_P99 && clean(r) ? 'PASS' : 'FAIL'}` +
        `  (ratio to Fastify POST: ${(res.requests.average / helloSingle.load.result.requests.average).toFixed(2)}, to /healthz: ${(res.requests.average / healthz.load.result.requests.average).toFixed(2)})`,
    );
  }
  return 0;
}

runBench('bench:accept', 15 * 60_000, main);
