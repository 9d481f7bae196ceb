// Benchmark: "Dispatch: ≥ 5,000 SMS/s from the outbox to the sandbox SMSC with delivery receipts
// recorded (message status `delivered` in the database), on this 2-core machine, reported as a
// ratio to the raw `smpp` client→server rate measured in the same run (aim ≥ 0.7). Scale-out: one
// worker process and two: the second must add throughput, not duplicates."
//
//   npm run bench:dispatch [-- --messages 50000 --workers 1,2 --rounds 1 --profile --auto-explain 10]
//
// Processes (all children of this one, on 127.0.0.1 only):
//   - a SandboxSmsc in its own process (bench/lib/smsc-process.ts), a fresh one per measure, which
//     counts submits and the verification code of every message it receives (duplicates);
//   - per SOFY measure, in a fresh data dir: SOFY `api` (owns the data dir and its embedded
//     PostgreSQL; serves, never dispatches), with SOFY_SANDBOX=false and SOFY_SMPP_URL pointing at
//     that SMSC; N alert SMS (one GSM-7 part) put in the outbox with POST /v1/messages/batch
//     (1,000 per call) while no worker runs; ANALYZE (what autovacuum does after such a burst);
//     then 1 or 2 SOFY `worker` processes (the dispatchers), timed until all N are `delivered`;
//   - baseline, just before each SOFY measure: SOFY's SmppConnector alone
//     (bench/lib/smpp-blast.ts) sending the same N SMS to a fresh SMSC process, with receipts, no
//     database, same window (100).
// The database is polled through an owner connection (bench/lib/db.ts); the time each SQL function
// took comes from pg_stat_user_functions (track_functions = all, set on the bench's own cluster).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { summariseProfile } from './lib/cpuprofile.ts';
import { TreeCpu } from './lib/cputrack.ts';
import { codeState } from './lib/gitstate.ts';
import { adminClient } from './lib/db.ts';
import {
  captureOutput,
  fmt,
  freePort,
  HOST,
  machineCpu,
  machineLine,
  makeTempDir,
  pollUntil200,
  processCpuSeconds,
  runBench,
  spawnTracked,
  stopChild,
  table,
  waitExit,
} from './lib/harness.ts';
import { batchBody } from './lib/messages.ts';
import type { BlastResult } from './lib/smpp-blast.ts';
import type { SmscReport } from './lib/smsc-process.ts';
import { startSmsc } from './lib/smsc.ts';
import { cleanEnv, fileReader, type StopReport, spawnSofy, stopSofy } from './lib/sofy.ts';

const TARGET_RATE = 5_000;
const TARGET_RATIO = 0.7;

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    messages: { type: 'string', default: '50000' },
    workers: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '1' },
    'fill-clients': { type: 'string', default: '4' },
    /** Seconds a SOFY measure may take before it is reported incomplete (default: max(120, N / 500)). */
    'phase-limit': { type: 'string' },
    profile: { type: 'boolean', default: false },
    /** Log the plans (EXPLAIN ANALYZE, nested statements) of statements slower than this many ms, and summarise them. */
    'auto-explain': { type: 'string' },
    /** SQL run as the database owner before the measures (the bench's own temporary cluster), to try a change to the dispatch functions without editing the migrations. */
    'try-sql': { type: 'string' },
    /** ANALYZE the tables after each fill (what autovacuum does within a minute of a burst), so every measure starts from the same statistics. */
    analyze: { type: 'boolean', default: true },
    /** deliver_sm (receipts) the sandbox SMSC leaves unacknowledged per session (the operator's window; the sandbox's default is 100). */
    'smsc-deliver-window': { type: 'string', default: '100' },
    /** Extra SOFY_* settings for the workers (e.g. --sofy-env SOFY_SMPP_THROUGHPUT=100000). */
    'sofy-env': { type: 'string', multiple: true, default: [] },
  },
});
const N = Number(args.messages);
const WORKER_COUNTS = (args.workers ?? '1,2').split(',').map(Number);
const ROUNDS = Number(args.rounds);
const FILL_CLIENTS = Number(args['fill-clients']);
if (!Number.isInteger(N) || N < 1000 || N % 1000 !== 0 || N > 1_000_000) throw new Error('--messages must be a multiple of 1000, 1000 to 1000000');
if (WORKER_COUNTS.some((w) => !Number.isInteger(w) || w < 1 || w > 4)) throw new Error('--workers takes counts from 1 to 4, e.g. 1,2');
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 5) throw new Error('--rounds must be 1 to 5');
if (!Number.isInteger(FILL_CLIENTS) || FILL_CLIENTS < 1 || FILL_CLIENTS > 16) throw new Error('--fill-clients must be 1 to 16');
const EXTRA_ENV = Object.fromEntries(
  (args['sofy-env'] ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (!pair.startsWith('SOFY_') || at < 0) throw new Error(`--sofy-env takes SOFY_NAME=value (got "${pair}")`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
/** Per measure: the SOFY phase gives up after this. */
const PHASE_LIMIT_MS = args['phase-limit'] ? Number(args['phase-limit']) * 1000 : Math.max(120_000, (N / 500) * 1000);
if (!Number.isFinite(PHASE_LIMIT_MS) || PHASE_LIMIT_MS < 5_000) throw new Error('--phase-limit must be at least 5 (seconds)');

/**
 * No new `delivered` for this long after every receipt was acknowledged by the worker(s): the rest
 * are lost, not late (the receipt sink flushes within 10-50 ms, the pending-receipt sweep runs
 * every 2 s).
 */
const SETTLE_MS = 5_000;

const DELIVER_WINDOW = Number(args['smsc-deliver-window']);
if (!Number.isInteger(DELIVER_WINDOW) || DELIVER_WINDOW < 1 || DELIVER_WINDOW > 100_000) throw new Error('--smsc-deliver-window must be 1 to 100000');
const AUTO_EXPLAIN_MS = args['auto-explain'] === undefined ? undefined : Number(args['auto-explain']);
if (AUTO_EXPLAIN_MS !== undefined && (!Number.isFinite(AUTO_EXPLAIN_MS) || AUTO_EXPLAIN_MS < 0)) throw new Error('--auto-explain takes a duration in ms');

const wallNow = () => performance.timeOrigin + performance.now();

// SMSC child --------------------------------------------------------------------------------------

// Baseline ----------------------------------------------------------------------------------------

interface BaselineResult {
  blast: BlastResult;
  smsc: SmscReport;
  /** First send → last receipt received, msg/s. */
  rate: number;
  /** 10 % → 90 % of the receipts. */
  steady: number;
  cpu: { client: number; smsc: number; machine: number; wallS: number };
}

async function runBaseline(codeBase: number): Promise<BaselineResult> {
  const smsc = await startSmsc({ SMSC_DELIVER_WINDOW: String(DELIVER_WINDOW) });
  const machine0 = machineCpu();
  const smsc0 = (await smsc.report()).cpuSeconds;
  const t0 = wallNow();
  const child = spawnTracked(process.execPath, ['bin/run-ts.js', 'bench/lib/smpp-blast.ts'], {
    env: cleanEnv({ SMSC_PORT: String(smsc.port), BLAST_N: String(N), BLAST_CODE_BASE: String(codeBase) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = captureOutput(child);
  const limit = setTimeout(() => child.kill('SIGKILL'), PHASE_LIMIT_MS);
  const exit = await waitExit(child);
  clearTimeout(limit);
  const wallS = (wallNow() - t0) / 1000;
  const machine1 = machineCpu();
  const line = out
    .text()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (exit !== 0 || !line) throw new Error(`the SMPP baseline client failed (exit ${exit}):\n${out.text().slice(-2000)}`);
  const blast = JSON.parse(line) as BlastResult;
  const report = await smsc.report();
  await stopChild(smsc.child, 'SIGINT', 5_000);
  if (blast.receipts < N || blast.failed) throw new Error(`baseline incomplete: ${blast.sent} sent, ${blast.failed} failed (${blast.firstError}), ${blast.receipts} receipts of ${N}`);
  const total = machine1.total - machine0.total || 1;
  return {
    blast,
    smsc: report,
    rate: N / ((blast.lastReceiptAt - blast.startedAt) / 1000),
    steady: (0.8 * N) / ((blast.receipt90At - blast.receipt10At) / 1000),
    cpu: { client: blast.cpuSeconds, smsc: report.cpuSeconds - smsc0, machine: ((machine1.busy - machine0.busy) / total) * cpus().length * wallS, wallS },
  };
}

// SOFY --------------------------------------------------------------------------------------------

interface Api {
  child: ChildProcess;
  port: number;
  dataDir: string;
  apiKey: string;
  output: () => string;
  db: pg.Client;
}

async function startApi(work: string, name: string): Promise<Api> {
  const dataDir = join(work, name);
  const port = await freePort();
  const logFile = join(work, `${name}-api.log`);
  // The API never dispatches; the SMPP URL is only there because SOFY_SANDBOX=false requires one.
  // SOFY_SMPP_GATEWAY_PORT=0: the API's SMPP gateway (unused here) on a free port, not 2776.
  const env = { SOFY_SANDBOX: 'false', SOFY_SMPP_URL: 'smpp://sofy:sandbox@127.0.0.1:9', SOFY_LOG_LEVEL: 'warn', SOFY_RATE_LIMIT_API_KEY: '10000000', SOFY_RATE_LIMIT_IP: '10000000', SOFY_SMPP_GATEWAY_PORT: '0' };
  const child = spawnSofy({ dataDir, port, env, output: { file: logFile }, command: 'api' });
  const output = fileReader(logFile);
  try {
    await pollUntil200(`http://${HOST}:${port}/readyz`, child, 50, 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- api output ---\n${output().slice(-3000)}`);
  }
  // A tenant and its all-scopes API key, with the CLI beside the running server.
  const cli = spawnTracked(process.execPath, ['bin/sofy.js', 'tenants', 'create', '--name', 'Bench dispatch', '--json'], { env: cleanEnv({ SOFY_DATA_DIR: dataDir }), stdio: ['ignore', 'pipe', 'pipe'] });
  const cliOut = captureOutput(cli);
  if ((await waitExit(cli)) !== 0) throw new Error(`sofy tenants create failed:\n${cliOut.text()}`);
  const json = cliOut.text().slice(cliOut.text().indexOf('{'));
  const apiKey = (JSON.parse(json) as { apiKey: string }).apiKey;
  const db = await adminClient(dataDir);
  // Time spent in each SQL function (pg_stat_user_functions): two clock reads per call. With
  // --auto-explain, the plans of slow statements, nested ones included, go to postgres.log.
  await db.query(`alter system set track_functions = 'all'`);
  if (AUTO_EXPLAIN_MS !== undefined) {
    for (const [name, value] of [
      ['session_preload_libraries', 'auto_explain'],
      ['auto_explain.log_min_duration', `${AUTO_EXPLAIN_MS}ms`],
      ['auto_explain.log_nested_statements', 'on'],
      ['auto_explain.log_analyze', 'on'],
      ['auto_explain.log_buffers', 'on'],
    ]) {
      await db.query(`alter system set ${name} = '${value}'`);
    }
  }
  await db.query('select pg_reload_conf()');
  if (args['try-sql']) await db.query(readFileSync(args['try-sql'], 'utf8'));
  return { child, port, dataDir, apiKey, output, db };
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function post(api: Api, path: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: HOST, port: api.port, path, method: 'POST', agent, timeout: 60_000, headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** N alert SMS into the outbox through POST /v1/messages/batch; returns the fill rate. */
async function fillOutbox(api: Api, codeBase: number): Promise<number> {
  const calls = N / 1000;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: FILL_CLIENTS }, async () => {
      while (next < calls) {
        const i = next++;
        const res = await post(api, '/v1/messages/batch', batchBody(codeBase + i * 1000, 1000));
        if (res.status !== 202) throw new Error(`POST /v1/messages/batch answered ${res.status}: ${res.body.slice(0, 500)}`);
        const parsed = JSON.parse(res.body) as { accepted: number; rejected: number; results: Array<{ error?: unknown }> };
        if (parsed.accepted !== 1000) throw new Error(`batch: ${parsed.accepted} accepted, ${parsed.rejected} rejected: ${JSON.stringify(parsed.results.find((r) => r.error))}`);
      }
    }),
  );
  return N / ((performance.now() - t0) / 1000);
}

interface SofyResult {
  workers: number;
  fillRate: number;
  statuses: Record<string, number>;
  /** Every message reached `delivered`. */
  complete: boolean;
  /** Not complete, but nothing moved any more: receipts were lost (see diagnosis). */
  settled: boolean;
  maxOutboxed: number;
  /** When the SMSC had received every submit (its last message's arrival). */
  allSubmittedAt: number;
  delivered: number;
  /** Date.now() instants. */
  spawnAt: number;
  firstSubmitAt: number;
  lastDeliveredAt: number;
  delivered10At: number;
  delivered90At: number;
  detectedAt: number;
  /** First submit at the SMSC → last `delivered` recorded, msg/s (the headline). */
  rate: number;
  /** Worker spawn → last `delivered` recorded (includes the workers' boot). */
  endToEnd: number;
  steady: number;
  smsc: SmscReport;
  db: { submittedEvents: number; messagesSubmittedTwice: number; attemptsOver1: number; usageRecords: number; pendingReceiptsMax: number; pendingReceiptsLeft: number };
  workerExits: Array<number | string>;
  cpu: {
    workers: number[];
    postgres: number;
    api: number;
    smsc: number;
    machine: number;
    wallS: number;
    /** From the first submit seen by the SMSC (polled, ≤ 200 ms late) to the end: without the boot. */
    dispatch: { wallS: number; workers: number; postgres: number; machine: number } | undefined;
  };
  profile?: string;
  diagnosis?: string;
  apiStop?: StopReport;
  /** Time in each SQL function during the measure (pg_stat_user_functions; total includes nested calls). */
  functions: Array<{ name: string; calls: number; totalMs: number; selfMs: number }>;
  slowStatements?: Array<{ statement: string; count: number; totalMs: number; maxMs: number; plan: string }>;
}

async function statusCounts(db: pg.Client, since: Date): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>('select status, count(*)::int as n from messages where created_at >= $1 group by 1', [since]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function runSofy(api: Api, workers: number, codeBase: number, profileDir?: string): Promise<SofyResult> {
  const since = new Date(Date.now() - 1000);
  const { rows: left } = await api.db.query<{ n: number }>('select count(*)::int as n from outbox');
  if (left[0]?.n) throw new Error(`the outbox still holds ${left[0].n} messages before the fill`);
  const fillRate = await fillOutbox(api, codeBase);
  const queued = await statusCounts(api.db, since);
  if (queued.queued !== N) throw new Error(`after the fill: ${JSON.stringify(queued)} (expected ${N} queued)`);
  if (args.analyze) await api.db.query('analyze messages, message_events, outbox, usage_records, pending_receipts');

  const functions0 = await functionStats(api.db);
  const logFile = join(api.dataDir, 'postgres.log');
  const logOffset = statSync(logFile).size;
  const smsc = await startSmsc({ SMSC_DELIVER_WINDOW: String(DELIVER_WINDOW) });
  const smsc0 = (await smsc.report()).cpuSeconds;
  const env = {
    SOFY_SANDBOX: 'false',
    SOFY_SMPP_URL: `smpp://sofy:sandbox@127.0.0.1:${smsc.port}`,
    SOFY_LOG_LEVEL: 'warn',
    ...EXTRA_ENV,
  };
  const pgCpu = new TreeCpu(api.child.pid as number, true);
  pgCpu.sample();
  const api0 = processCpuSeconds(api.child.pid as number);
  const machine0 = machineCpu();
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const spawnAt = wallNow();
  const children: Array<{ child: ChildProcess; output: () => string }> = [];
  for (let w = 0; w < workers; w++) {
    const logFile = join(api.dataDir, '..', `worker-${workers}-${w}-${Date.now()}.log`);
    const nodeArgs = profileDir && w === 0 ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const child = spawnSofy({ dataDir: api.dataDir, port: 0, env, output: { file: logFile }, command: 'worker', nodeArgs });
    children.push({ child, output: fileReader(logFile) });
  }
  const workerCpu = children.map(() => 0);
  let atFirstSubmit: { workers: number[]; postgres: number; machine: ReturnType<typeof machineCpu>; at: number } | undefined;
  let statuses: Record<string, number> = {};
  let pendingReceiptsMax = 0;
  let complete = false;
  /** Receipts the SMSC holds back because the worker has not acknowledged earlier ones (deliver window full). */
  let maxOutboxed = 0;
  let allSubmittedAt = 0;
  let settled = false;
  let lastDelivered = -1;
  let lastChangeAt = wallNow();
  /** CPU counters when `delivered` last grew: the end of the measure when receipts were lost. */
  let atLastChange: { workers: number[]; postgres: number; machine: ReturnType<typeof machineCpu>; apiCpu: number } | undefined;
  let detectedAt = 0;
  let lastDbPoll = 0;
  const deadline = performance.now() + PHASE_LIMIT_MS;
  while (performance.now() < deadline) {
    for (const [i, w] of children.entries()) {
      if (w.child.exitCode !== null || w.child.signalCode !== null) throw new Error(`worker ${i} exited (${w.child.exitCode ?? w.child.signalCode}):\n${w.output().slice(-3000)}`);
      workerCpu[i] = processCpuSeconds(w.child.pid as number);
    }
    pgCpu.sample();
    const report = await smsc.report();
    maxOutboxed = Math.max(maxOutboxed, report.stats.outboxed);
    if (report.stats.submits >= N && !allSubmittedAt) allSubmittedAt = report.lastMessageAt ?? wallNow();
    if (report.firstMessageAt !== null && !atFirstSubmit) {
      // CPU from here on is the dispatch itself, without the workers' boot.
      atFirstSubmit = { workers: [...workerCpu], postgres: pgCpu.total(), machine: machineCpu(), at: wallNow() };
    }
    // The database is asked once a second, and every 100 ms once the SMSC has had every receipt
    // acknowledged (the last ones are then in the worker's receipt buffer or being committed).
    const nearEnd = report.stats.receiptsDelivered >= N;
    if (nearEnd || performance.now() - lastDbPoll > 1000) {
      lastDbPoll = performance.now();
      statuses = await statusCounts(api.db, since);
      const { rows } = await api.db.query<{ n: number }>('select count(*)::int as n from pending_receipts');
      pendingReceiptsMax = Math.max(pendingReceiptsMax, rows[0]?.n ?? 0);
      const delivered = statuses.delivered ?? 0;
      if (delivered !== lastDelivered) {
        lastDelivered = delivered;
        lastChangeAt = wallNow();
        atLastChange = { workers: [...workerCpu], postgres: pgCpu.total(), machine: machineCpu(), apiCpu: processCpuSeconds(api.child.pid as number) };
      }
      if (delivered >= N) {
        detectedAt = wallNow();
        complete = true;
        break;
      }
      // Every receipt acknowledged, every message submitted, and nothing more recorded for 3 s:
      // the missing receipts are lost, not late.
      const unsent = (statuses.queued ?? 0) + (statuses.sending ?? 0);
      if (nearEnd && unsent === 0 && wallNow() - lastChangeAt > SETTLE_MS) {
        detectedAt = lastChangeAt;
        settled = true;
        break;
      }
    }
    await sleep(nearEnd ? 100 : 200);
  }
  const wallS = ((detectedAt || wallNow()) - spawnAt) / 1000;
  const endedAt = detectedAt || wallNow();
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const end = settled && atLastChange ? atLastChange : undefined;
  const machine1 = end?.machine ?? machineCpu();
  const apiCpu = (end?.apiCpu ?? processCpuSeconds(api.child.pid as number)) - api0;
  if (end) {
    workerCpu.splice(0, workerCpu.length, ...end.workers);
  }
  const pgTotal = end?.postgres ?? pgCpu.total();
  const smscReport = await smsc.report();
  const workerExits: Array<number | string> = [];
  for (const w of children) workerExits.push(await stopChild(w.child, 'SIGINT', 30_000));
  await stopChild(smsc.child, 'SIGINT', 5_000);
  statuses = await statusCounts(api.db, since);
  await sleep(500); // the workers' backends flush their statistics as they exit
  const functions1 = await functionStats(api.db);
  const functions = [...functions1.entries()]
    .map(([name, f]) => {
      const before = functions0.get(name) ?? { calls: 0, totalMs: 0, selfMs: 0 };
      return { name, calls: f.calls - before.calls, totalMs: f.totalMs - before.totalMs, selfMs: f.selfMs - before.selfMs };
    })
    .filter((f) => f.calls > 0)
    .sort((a, b) => b.totalMs - a.totalMs);
  const slowStatements = AUTO_EXPLAIN_MS !== undefined ? summariseAutoExplain(readFileSync(logFile, 'utf8').slice(logOffset)) : undefined;

  const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await api.db.query<T>(text, values)).rows;
  const [times] = await q<{ first_submit: Date | null; last_delivered: Date | null; submitted_events: number }>(
    `select min(at) filter (where status = 'submitted') as first_submit, max(at) filter (where status = 'delivered') as last_delivered,
            count(*) filter (where status = 'submitted')::int as submitted_events
       from message_events where at >= $1`,
    [since],
  );
  const deliveredAt = async (k: number) =>
    (await q<{ at: Date }>(`select at from message_events where at >= $1 and status = 'delivered' order by at offset $2 limit 1`, [since, k]))[0]?.at.getTime() ?? 0;
  const [dup] = await q<{ n: number }>(
    `select count(*)::int as n from (select message_id from message_events where at >= $1 and status = 'submitted' group by 1 having count(*) > 1) d`,
    [since],
  );
  const [attempts] = await q<{ n: number }>('select count(*)::int as n from messages where created_at >= $1 and attempts > 1', [since]);
  const [usage] = await q<{ n: number }>('select count(*)::int as n from usage_records where at >= $1', [since]);
  const [pendingLeft] = await q<{ n: number }>('select count(*)::int as n from pending_receipts');
  let diagnosis: string | undefined;
  if ((statuses.delivered ?? 0) < N) {
    // Why messages did not reach `delivered`: where they are, and what the workers logged.
    const stuck = await q<{ status: string; n: number; with_pending: number; first_submit: Date | null; last_submit: Date | null; sample: string[] }>(
      `select m.status, count(*)::int as n, count(p.provider_id)::int as with_pending, min(m.submitted_at) as first_submit, max(m.submitted_at) as last_submit,
              (array_agg(m.provider_id order by m.provider_id))[1:5] as sample
         from messages m left join pending_receipts p on p.provider_id = m.provider_id and p.connector = m.connector
        where m.created_at >= $1 and m.status <> 'delivered' group by 1`,
      [since],
    );
    const logLines = children
      .flatMap((w, i) => w.output().split('\n').filter((l) => /fail|error|retry|timeout/i.test(l)).slice(0, 10).map((l) => `worker ${i}: ${l.slice(0, 300)}`))
      .join('\n    ');
    diagnosis = `not delivered: ${JSON.stringify(stuck)}\n    worker log lines about failures: ${logLines || 'none'}`;
  }
  const total = machine1.total - machine0.total || 1;
  const lastDeliveredAt = times?.last_delivered?.getTime() ?? 0;
  const firstSubmitAt = smscReport.firstMessageAt ?? 0;

  let profile: string | undefined;
  if (profileDir) {
    const files = readdirSync(profileDir).map((f) => join(profileDir, f));
    const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
    if (main) {
      const summary = summariseProfile(main, 30, { fromUs, toUs });
      const pct = (ms: number) => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
      profile = [
        `CPU profile of worker 0's main thread, from its spawn to the last delivered (${fmt.int(summary.totalMs)} ms sampled, ${pct(summary.idleMs)} idle):`,
        '\nBy area (self time):\n',
        table(['area', 'ms', 'share'], summary.areas.slice(0, 15).map((a) => [a.area, fmt.int(a.ms), pct(a.ms)])),
        '\nHottest functions, self time:\n',
        table(['function', 'ms', 'share'], summary.self.map((f) => [f.name, fmt.int(f.ms), pct(f.ms)])),
        '\nHottest functions, inclusive time:\n',
        table(['function', 'ms', 'share'], summary.inclusive.map((f) => [f.name, fmt.int(f.ms), pct(f.ms)])),
      ].join('\n');
    }
  }

  return {
    workers,
    fillRate,
    statuses,
    complete,
    settled,
    maxOutboxed,
    allSubmittedAt,
    delivered: statuses.delivered ?? 0,
    spawnAt,
    firstSubmitAt,
    lastDeliveredAt,
    delivered10At: await deliveredAt(Math.floor(N * 0.1)),
    delivered90At: await deliveredAt(Math.floor(N * 0.9)),
    detectedAt,
    rate: complete || settled ? (statuses.delivered ?? 0) / ((lastDeliveredAt - firstSubmitAt) / 1000) : 0,
    endToEnd: complete || settled ? (statuses.delivered ?? 0) / ((lastDeliveredAt - spawnAt) / 1000) : 0,
    steady: 0,
    smsc: smscReport,
    db: {
      submittedEvents: times?.submitted_events ?? 0,
      messagesSubmittedTwice: dup?.n ?? 0,
      attemptsOver1: attempts?.n ?? 0,
      usageRecords: usage?.n ?? 0,
      pendingReceiptsMax,
      pendingReceiptsLeft: pendingLeft?.n ?? 0,
    },
    workerExits,
    cpu: {
      workers: workerCpu,
      postgres: pgTotal,
      api: apiCpu,
      smsc: smscReport.cpuSeconds - smsc0,
      machine: ((machine1.busy - machine0.busy) / total) * cpus().length * wallS,
      wallS,
      dispatch: atFirstSubmit
        ? (() => {
            const from = atFirstSubmit;
            const windowS = (endedAt - from.at) / 1000;
            const t = machine1.total - from.machine.total || 1;
            return {
              wallS: windowS,
              workers: workerCpu.reduce((a, b) => a + b, 0) - from.workers.reduce((a, b) => a + b, 0),
              postgres: pgTotal - from.postgres,
              machine: ((machine1.busy - from.machine.busy) / t) * cpus().length * windowS,
            };
          })()
        : undefined,
    },
    ...(profile ? { profile } : {}),
    ...(diagnosis ? { diagnosis } : {}),
    functions,
    ...(slowStatements ? { slowStatements } : {}),
  };
}

async function functionStats(db: pg.Client): Promise<Map<string, { calls: number; totalMs: number; selfMs: number }>> {
  const { rows } = await db.query<{ name: string; calls: string; total_time: number; self_time: number }>('select funcname as name, calls, total_time, self_time from pg_stat_user_functions');
  return new Map(rows.map((r) => [r.name, { calls: Number(r.calls), totalMs: r.total_time, selfMs: r.self_time }]));
}

/** auto_explain entries of postgres.log, grouped by statement (its first line), slowest total first. */
function summariseAutoExplain(log: string): Array<{ statement: string; count: number; totalMs: number; maxMs: number; plan: string }> {
  const groups = new Map<string, { statement: string; count: number; totalMs: number; maxMs: number; plan: string }>();
  for (const entry of log.split(/\n(?=\S[^\n]*LOG: {2}duration: )/)) {
    const duration = /LOG: {2}duration: ([\d.]+) ms {2}plan:/.exec(entry);
    if (!duration) continue;
    const ms = Number(duration[1]);
    const lines = entry.split('\n');
    const from = lines.findIndex((l) => l.includes('Query Text: '));
    const to = lines.findIndex((l, i) => i > from && /\((cost|actual time)=/.test(l));
    const text = from < 0 ? '' : [lines[from]?.split('Query Text: ')[1] ?? '', ...lines.slice(from + 1, to < 0 ? from + 1 : to)].filter((l) => !l.includes('Query Parameters:')).join(' ');
    const context = /CONTEXT: {2}(?:SQL statement "[\s\S]*?"\n\t)?(PL\/pgSQL function [^\n]*|SQL function [^\n]*)/.exec(entry)?.[1] ?? 'top level';
    const statement = `${text.replace(/\s+/g, ' ').trim().slice(0, 140)} [${context.trim()}]`;
    const group = groups.get(statement) ?? { statement, count: 0, totalMs: 0, maxMs: 0, plan: '' };
    group.count++;
    group.totalMs += ms;
    if (ms >= group.maxMs) {
      group.maxMs = ms;
      group.plan = entry.split('\n').filter((l) => /actual time|Sort Method|Rows Removed/.test(l)).slice(0, 12).map((l) => l.replace(/^\t/, '')).join('\n');
    }
    groups.set(statement, group);
  }
  return [...groups.values()].sort((a, b) => b.totalMs - a.totalMs);
}

// Report ------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  console.log(`Messaging dispatch — ${new Date().toISOString()}`);
  console.log(`machine: ${machineLine()}`);
  console.log(`code: ${codeState()}`);
  console.log(`statistics: ${args.analyze ? 'ANALYZE after each fill (as autovacuum would after a burst), before the workers start' : 'left to autovacuum (--no-analyze)'}`);
  console.log(`sandbox SMSC: receipts 50 ms after the submit, deliver window ${DELIVER_WINDOW} per session${DELIVER_WINDOW !== 100 ? ' (EXPERIMENT: the sandbox default is 100)' : ''}`);
  console.log(`N = ${fmt.int(N)} alert SMS per measure (1 GSM-7 part, receipts requested); workers: ${WORKER_COUNTS.join(', ')}; rounds: ${ROUNDS}`);
  if (args['try-sql']) console.log(`EXPERIMENT: ${args['try-sql']} run on the database before the measures:\n${readFileSync(args['try-sql'], 'utf8').trim()}`);
  if (Object.keys(EXTRA_ENV).length) console.log(`worker settings: ${Object.entries(EXTRA_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const work = makeTempDir('sofy-bench-dispatch-');
  console.log(`each SOFY measure: a fresh data dir, \`sofy api\` and a tenant created with the CLI, the outbox filled, then the worker(s)\n`);

  const measures: Array<{ baseline: BaselineResult; sofy: SofyResult }> = [];
  let codeBase = 1;
  const plan = Array.from({ length: ROUNDS }, () => WORKER_COUNTS).flat();
  for (const [index, workers] of plan.entries()) {
    const baseline = await runBaseline(codeBase);
    codeBase += N;
    console.log(
      `baseline (SmppConnector → SMSC process, submit window 100): ${fmt.int(baseline.rate)} msg/s first send → last receipt, ${fmt.int(baseline.steady)} msg/s steady; ` +
        `SMSC: ${baseline.smsc.stats.submits} submits, ${baseline.smsc.distinctCodes} distinct, ${baseline.smsc.extraCopies} duplicates`,
    );
    const profileDir = args.profile && index === plan.length - 1 ? join(work, 'prof') : undefined;
    // Every measure from the same state: an empty database (statistics and table sizes left by an
    // earlier measure change the plans of the dispatch functions, see RESULTS.md).
    const api = await startApi(work, `m${index + 1}`);
    const sofy = await runSofy(api, workers, codeBase, profileDir);
    await api.db.end().catch(() => {});
    sofy.apiStop = await stopSofy(api.child, api.dataDir, api.output);
    codeBase += N;
    sofy.steady = sofy.complete || sofy.settled ? (0.8 * N) / ((sofy.delivered90At - sofy.delivered10At) / 1000) : 0;
    console.log(
      `SOFY, ${workers} worker(s): ${sofy.complete || sofy.settled ? `${sofy.settled ? `ONLY ${sofy.delivered} OF ${N} DELIVERED (the rest stay submitted); ` : ''}${fmt.int(sofy.rate)} msg/s first submit → last delivered recorded (ratio ${(sofy.rate / baseline.rate).toFixed(2)}), ` + `${fmt.int(sofy.endToEnd)} msg/s from the workers' spawn, ${fmt.int(sofy.steady)} msg/s steady` : `INCOMPLETE after ${PHASE_LIMIT_MS / 1000} s: ${JSON.stringify(sofy.statuses)}`}; ` +
        `SMSC: ${sofy.smsc.stats.submits} submits, ${sofy.smsc.distinctCodes} distinct, ${sofy.smsc.extraCopies} duplicates; fill ${fmt.int(sofy.fillRate)} msg/s${profileDir ? ' (worker 0 under --cpu-prof)' : ''}`,
    );
    measures.push({ baseline, sofy });
  }

  console.log(`\nResults (N = ${fmt.int(N)}; "rate" = N ÷ (first submit received by the SMSC → last receipt recorded: by the client for the baseline, as status delivered in the database for SOFY);`);
  console.log('"steady" = 80 % of N ÷ time between the 10 % and the 90 % receipt; "e2e" = from the workers\' spawn, boot included; ratio = SOFY rate ÷ the baseline rate just before it):\n');
  console.log(
    table(
      ['measure', 'baseline rate', 'baseline steady', 'SOFY rate', 'SOFY steady', 'SOFY e2e', 'ratio', 'boot → 1st submit', 'SMSC submits / distinct / dup.', 'DB delivered / submitted twice / attempts>1', 'verdict'],
      measures.map(({ baseline, sofy }, i) => [
        `${i + 1}: ${sofy.workers} worker${sofy.workers > 1 ? 's' : ''}`,
        fmt.int(baseline.rate),
        fmt.int(baseline.steady),
        sofy.complete ? fmt.int(sofy.rate) : sofy.settled ? `${fmt.int(sofy.rate)} (${N - sofy.delivered} lost)` : 'incomplete',
        fmt.int(sofy.steady),
        fmt.int(sofy.endToEnd),
        (sofy.rate / baseline.rate).toFixed(2),
        fmt.ms(sofy.firstSubmitAt - sofy.spawnAt),
        `${sofy.smsc.stats.submits} / ${sofy.smsc.distinctCodes} / ${sofy.smsc.extraCopies}`,
        `${sofy.statuses.delivered ?? 0} / ${sofy.db.messagesSubmittedTwice} / ${sofy.db.attemptsOver1}`,
        verdict(baseline, sofy),
      ]),
    ),
  );
  console.log('\nCPU (seconds of CPU during the measure, and cores busy on average; PG = the embedded PostgreSQL, all its backends):\n');
  console.log(
    table(
      ['measure', 'wall', 'workers', 'PG', 'api', 'SMSC', 'machine busy', 'µs CPU/msg workers / PG / all', 'from 1st submit: cores workers / PG / machine', 'µs CPU/msg from 1st submit: workers / PG / all'],
      measures.flatMap(({ baseline, sofy }, i) => [
        [`${i + 1}: baseline`, fmt.s(baseline.cpu.wallS * 1000), `client ${baseline.cpu.client.toFixed(2)} s`, '—', '—', `${baseline.cpu.smsc.toFixed(2)} s`, `${(baseline.cpu.machine / baseline.cpu.wallS).toFixed(2)} of ${cpus().length}`, `client ${fmt.int((1e6 * baseline.cpu.client) / N)} / — / ${fmt.int((1e6 * baseline.cpu.machine) / N)}`, '', ''],
        [
          `${i + 1}: SOFY ${sofy.workers}w`,
          fmt.s(sofy.cpu.wallS * 1000),
          sofy.cpu.workers.map((c) => `${c.toFixed(2)} s`).join(' + '),
          `${sofy.cpu.postgres.toFixed(2)} s (${(sofy.cpu.postgres / sofy.cpu.wallS).toFixed(2)} cores)`,
          `${sofy.cpu.api.toFixed(2)} s`,
          `${sofy.cpu.smsc.toFixed(2)} s`,
          `${(sofy.cpu.machine / sofy.cpu.wallS).toFixed(2)} of ${cpus().length}`,
          `${fmt.int((1e6 * sofy.cpu.workers.reduce((a, b) => a + b, 0)) / N)} / ${fmt.int((1e6 * sofy.cpu.postgres) / N)} / ${fmt.int((1e6 * sofy.cpu.machine) / N)}`,
          sofy.cpu.dispatch ? `${(sofy.cpu.dispatch.workers / sofy.cpu.dispatch.wallS).toFixed(2)} / ${(sofy.cpu.dispatch.postgres / sofy.cpu.dispatch.wallS).toFixed(2)} / ${(sofy.cpu.dispatch.machine / sofy.cpu.dispatch.wallS).toFixed(2)}` : '—',
          sofy.cpu.dispatch ? `${fmt.int((1e6 * sofy.cpu.dispatch.workers) / N)} / ${fmt.int((1e6 * sofy.cpu.dispatch.postgres) / N)} / ${fmt.int((1e6 * sofy.cpu.dispatch.machine) / N)}` : '—',
        ],
      ]),
    ),
  );
  console.log('\nDetails per SOFY measure:');
  for (const [i, { sofy }] of measures.entries()) {
    console.log(
      `  ${i + 1}: statuses ${JSON.stringify(sofy.statuses)}; submitted events ${sofy.db.submittedEvents}; usage records ${sofy.db.usageRecords}; ` +
        `all N submits at the SMSC ${fmt.ms(sofy.allSubmittedAt - sofy.firstSubmitAt)} after the first (${fmt.int(N / ((sofy.allSubmittedAt - sofy.firstSubmitAt) / 1000))} submits/s), last delivered recorded ${fmt.ms(sofy.lastDeliveredAt - sofy.allSubmittedAt)} later; ` +
        `receipts waiting at the SMSC for a deliver window slot: max ${sofy.maxOutboxed}; pending_receipts max seen ${sofy.db.pendingReceiptsMax}, left ${sofy.db.pendingReceiptsLeft}; SMSC receipts acked ${sofy.smsc.stats.receiptsDelivered}, binds ${sofy.smsc.stats.binds}; ` +
        `last delivered recorded → detected by the bench ${sofy.complete || sofy.settled ? fmt.ms(sofy.detectedAt - sofy.lastDeliveredAt) : '—'}; worker exits ${sofy.workerExits.join(', ')}; fill ${fmt.int(sofy.fillRate)} msg/s`,
    );
  }
  for (const [i, { sofy }] of measures.entries()) if (sofy.diagnosis) console.log(`  ${i + 1}: ${sofy.diagnosis}`);
  for (const [i, { sofy }] of measures.entries()) {
    const stop = sofy.apiStop;
    if (stop) console.log(`  ${i + 1}: api stop: exit ${stop.exit}, ${stop.printedStopped && !stop.lockLeft && stop.postgres === 'clean' ? 'clean' : `NOT clean ${JSON.stringify(stop)}`}`);
  }
  for (const [i, { sofy }] of measures.entries()) {
    console.log(`\n${i + 1}: SQL functions during the SOFY measure (pg_stat_user_functions; total includes the functions it calls; ms per call = total ÷ calls):\n`);
    console.log(
      table(
        ['function', 'calls', 'total ms', 'self ms', 'ms per call', 'µs per message (total)'],
        sofy.functions.map((f) => [f.name, fmt.int(f.calls), fmt.int(f.totalMs), fmt.int(f.selfMs), (f.totalMs / f.calls).toFixed(2), fmt.int((1000 * f.totalMs) / N)]),
      ),
    );
    if (sofy.slowStatements) {
      console.log(`\n${i + 1}: statements slower than ${AUTO_EXPLAIN_MS} ms (auto_explain, EXPLAIN ANALYZE timing on; nested statements with their function):\n`);
      console.log(table(['statement', 'count', 'total ms', 'max ms'], sofy.slowStatements.slice(0, 12).map((g) => [g.statement, g.count, fmt.int(g.totalMs), fmt.int(g.maxMs)])));
      for (const g of sofy.slowStatements.slice(0, 4)) console.log(`\n  plan of the slowest "${g.statement.slice(0, 80)}…" (${fmt.int(g.maxMs)} ms):\n    ${g.plan.split('\n').join('\n    ')}`);
    }
  }
  for (const { sofy } of measures) if (sofy.profile) console.log(`\n${sofy.profile}`);

  const one = measures.filter((m) => m.sofy.workers === 1);
  const two = measures.filter((m) => m.sofy.workers === 2);
  console.log(`\nTarget: ≥ ${fmt.int(TARGET_RATE)} msg/s delivered and recorded, ratio ≥ ${TARGET_RATIO} to the raw SMPP rate; a second worker adds throughput, no duplicates.`);
  if (one.length && two.length) {
    const mean = (ms: typeof measures) => ms.reduce((a, m) => a + m.sofy.rate, 0) / ms.length;
    if ([...one, ...two].every((m) => m.sofy.complete || m.sofy.settled)) console.log(`  scale-out: 1 worker ${fmt.int(mean(one))} msg/s → 2 workers ${fmt.int(mean(two))} msg/s (×${(mean(two) / mean(one)).toFixed(2)})`);
  }
  return 0;
}

function verdict(baseline: BaselineResult, sofy: SofyResult): string {
  if (!sofy.complete && !sofy.settled) return 'FAIL (incomplete)';
  const dup = sofy.smsc.extraCopies > 0 || sofy.smsc.stats.submits !== N || sofy.db.messagesSubmittedTwice > 0;
  const parts = [sofy.settled ? `FAIL: ${N - sofy.delivered} receipts lost` : 'all delivered', sofy.rate >= TARGET_RATE ? 'rate ok' : 'rate FAIL', sofy.rate / baseline.rate >= TARGET_RATIO ? 'ratio ok' : 'ratio FAIL', dup ? 'DUPLICATES' : 'no dup.'];
  return parts.join(', ');
}

runBench('bench:dispatch', 30 * 60_000, main);
