// Benchmark: "Cold `npm start` to `/readyz` green on an existing data dir: under 5 s."
//
//   npm run bench:start [-- --runs 5]
//
// Prepares a data dir in os.tmpdir() (first start: initdb, migrations, demo tenant; then a clean
// SIGINT stop), then, N times and interleaved so that the machine's noise hits all alike:
//   - baseline: `node -e "require('http').createServer(…).listen(PORT)"` to its first 200, the floor
//     of starting any Node server here;
//   - imports: `node` + the tsx loader + `import('src/app.ts')` to exit (the cost of loading the code);
//   - `node bin/sofy.js start` to `/readyz` 200, polled every 25 ms, then SIGINT and wait for exit;
//   - `npm start` (the command of the issue, npm included) the same way, stopped like Ctrl-C.
// Each SOFY start is split into phases with the timestamps of the embedded PostgreSQL's log.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { captureOutput, fmt, freePort, HOST, machineLine, makeTempDir, pollUntil200, REPO_ROOT, runBench, spawnTracked, stats, stopChild, table, waitExit } from './lib/harness.ts';
import { type StopReport, spawnSofy, stopSofy } from './lib/sofy.ts';

const TARGET_MS = 5_000;
const POLL_MS = 25;

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) throw new Error('--runs must be 1..50');

interface SofyRun {
  greenMs: number;
  /** spawn → PostgreSQL's "starting PostgreSQL" (Node boot, loader, imports, key, lock). */
  beforePgMs: number | undefined;
  /** "starting PostgreSQL" → "ready to accept connections". */
  pgMs: number | undefined;
  /** PostgreSQL ready → /readyz 200 (connect, migrations check, pool, RLS check, Fastify build, listen). */
  afterPgMs: number | undefined;
  recovery: boolean;
  selfReported: string | undefined;
  stop: StopReport;
}

/** Timestamps of the PostgreSQL log lines written since `offset` (epoch ms). */
function pgLogSince(dataDir: string, offset: number): { startedAt?: number; readyAt?: number; recovery: boolean } {
  let text = '';
  try {
    text = readFileSync(join(dataDir, 'postgres.log'), 'utf8').slice(offset);
  } catch {
    return { recovery: false };
  }
  const at = (needle: string) => {
    const line = text.split('\n').find((l) => l.includes(needle));
    const stamp = line?.match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) UTC/);
    return stamp ? Date.parse(`${stamp[1]}T${stamp[2]}Z`) : undefined;
  };
  return {
    startedAt: at('starting PostgreSQL'),
    readyAt: at('ready to accept connections'),
    recovery: /not properly shut down|automatic recovery in progress|was interrupted/.test(text),
  };
}

function logSize(dataDir: string): number {
  try {
    return statSync(join(dataDir, 'postgres.log')).size;
  } catch {
    return 0;
  }
}

async function startSofy(dataDir: string, viaNpm: boolean, env: Record<string, string>): Promise<SofyRun> {
  const port = await freePort();
  const offset = logSize(dataDir);
  const wall0 = Date.now();
  const t0 = performance.now();
  const child = spawnSofy({ dataDir, port, env, output: 'pipe', viaNpm });
  const out = captureOutput(child);
  let green: number;
  try {
    green = await pollUntil200(`http://${HOST}:${port}/readyz`, child, POLL_MS, 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- server output ---\n${out.text().slice(-3000)}`);
  }
  const greenMs = green - t0;
  const stop = await stopSofy(child, dataDir, out.text);
  const pg = pgLogSince(dataDir, offset);
  const beforePgMs = pg.startedAt !== undefined ? pg.startedAt - wall0 : undefined;
  const pgMs = pg.startedAt !== undefined && pg.readyAt !== undefined ? pg.readyAt - pg.startedAt : undefined;
  const afterPgMs = pg.readyAt !== undefined ? greenMs - (pg.readyAt - wall0) : undefined;
  const selfReported = /ready in ([\d.]+ s)/.exec(out.text())?.[1];
  return { greenMs, beforePgMs, pgMs, afterPgMs, recovery: pg.recovery, selfReported, stop };
}

async function baselineStart(): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${port}, '${HOST}')`], { stdio: 'ignore' });
  const green = await pollUntil200(`http://${HOST}:${port}/`, child, POLL_MS, 30_000);
  await stopChild(child, 'SIGTERM', 5_000);
  return green - t0;
}

/** Node + tsx loader + importing the server's code (src/app.ts and everything it pulls), then exit. */
async function importOnly(): Promise<number> {
  const app = pathToFileURL(join(REPO_ROOT, 'src/app.ts')).href;
  const code = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(app)}); process.exit(0);`;
  const t0 = performance.now();
  const child: ChildProcess = spawnTracked(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = captureOutput(child);
  const exit = await waitExit(child);
  if (exit !== 0) throw new Error(`importing src/app.ts failed (${exit}): ${err.text()}`);
  return performance.now() - t0;
}

/** npm re-raises the SIGINT it got (exit by signal, like after Ctrl-C): only SOFY's own shutdown counts. */
function describeStop(stop: StopReport, viaNpm = false): string {
  const problems: string[] = [];
  if (stop.exit !== 0 && !(viaNpm && (stop.exit === 'SIGINT' || stop.exit === 130))) problems.push(`exit ${stop.exit}`);
  if (!stop.printedStopped) problems.push('no "stopped" line');
  if (stop.lockLeft) problems.push('sofy.lock left');
  if (stop.postgres !== 'clean') problems.push('PostgreSQL left running');
  return problems.length ? problems.join(', ') : 'clean';
}

async function main(): Promise<number> {
  console.log(`cold start of SOFY to /readyz green — ${new Date().toISOString()}`);
  console.log(`machine: ${machineLine()}`);
  console.log(`runs: ${RUNS}, poll every ${POLL_MS} ms, only ${HOST}\n`);

  const dataDir = makeTempDir('sofy-bench-start-');
  console.log(`preparing ${dataDir} (first start: initdb, migrations, demo tenant)…`);
  const first = await startSofy(dataDir, false, {});
  console.log(`  first start: ${fmt.s(first.greenMs)} to green; stop: ${fmt.ms(first.stop.stopMs)}, ${describeStop(first.stop)}\n`);

  const baseline: number[] = [];
  const imports: number[] = [];
  const node: SofyRun[] = [];
  const npm: SofyRun[] = [];
  const perRun: Array<Array<string | number>> = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await baselineStart());
    imports.push(await importOnly());
    node.push(await startSofy(dataDir, false, { SOFY_DEMO: 'false' }));
    npm.push(await startSofy(dataDir, true, { SOFY_DEMO: 'false' }));
    for (const [label, run] of [['node bin/sofy.js start', node[i]], ['npm start', npm[i]]] as const) {
      if (!run) continue;
      perRun.push([
        `${i + 1} ${label}`,
        fmt.ms(run.greenMs),
        run.selfReported ?? '?',
        run.beforePgMs !== undefined ? fmt.ms(run.beforePgMs) : '?',
        run.pgMs !== undefined ? fmt.ms(run.pgMs) : '?',
        run.afterPgMs !== undefined ? fmt.ms(run.afterPgMs) : '?',
        run.recovery ? 'yes' : 'no',
        `${fmt.ms(run.stop.stopMs)} (${describeStop(run.stop, label === 'npm start')})`,
      ]);
    }
    console.log(`  run ${i + 1}/${RUNS}: baseline ${fmt.ms(baseline[i] ?? 0)}, imports ${fmt.ms(imports[i] ?? 0)}, node ${fmt.ms(node[i]?.greenMs ?? 0)}, npm start ${fmt.ms(npm[i]?.greenMs ?? 0)}`);
  }

  console.log('\nPer run (phases from the embedded PostgreSQL log timestamps):\n');
  console.log(
    table(['run', 'spawn → green', 'self-reported', 'spawn → PG starting', 'PG starting → ready', 'PG ready → green', 'PG recovery', 'stop (SIGINT → exit)'], perRun),
  );

  const b = stats(baseline);
  const rows: Array<Array<string | number>> = [];
  const row = (label: string, values: number[]) => {
    const s = stats(values);
    rows.push([label, fmt.ms(s.min), fmt.ms(s.median), fmt.ms(s.max), fmt.x(s.median / b.median)]);
  };
  row('baseline: node -e http.createServer → first 200', baseline);
  row('node + tsx + import src/app.ts → exit', imports);
  row('node bin/sofy.js start → /readyz 200', node.map((r) => r.greenMs));
  row('npm start → /readyz 200', npm.map((r) => r.greenMs));
  const phase = (label: string, pick: (r: SofyRun) => number | undefined) => {
    const values = node.map(pick).filter((v): v is number => v !== undefined);
    if (values.length) row(`  phase (node): ${label}`, values);
  };
  phase('spawn → PostgreSQL starting', (r) => r.beforePgMs);
  phase('PostgreSQL starting → ready', (r) => r.pgMs);
  phase('PostgreSQL ready → /readyz 200', (r) => r.afterPgMs);
  console.log(`\nSummary over ${RUNS} runs (ratio = median / baseline median):\n`);
  console.log(table(['measure', 'min', 'median', 'max', 'ratio'], rows));

  console.log(`\nTarget: cold start to /readyz green under ${TARGET_MS / 1000} s on an existing data dir`);
  for (const [label, runs] of [['npm start', npm], ['node bin/sofy.js start', node]] as const) {
    const s = stats(runs.map((r) => r.greenMs));
    const verdict = s.max < TARGET_MS ? 'PASS' : s.median < TARGET_MS ? 'PASS on the median, but not every run' : 'FAIL';
    console.log(`  ${label.padEnd(24)} median ${fmt.s(s.median)}, max ${fmt.s(s.max)} → ${verdict}`);
  }
  const stops = [...[first, ...node].map((r) => describeStop(r.stop)), ...npm.map((r) => describeStop(r.stop, true))];
  const unclean = stops.filter((s) => s !== 'clean');
  console.log(`\nStops (SIGINT right after green → exit): ${stops.length - unclean.length} of ${stops.length} clean${unclean.length ? `; not clean: ${[...new Set(unclean)].join('; ')}` : ''}`);
  const tail = [first, ...node, ...npm].find((r) => r.stop.outputTail)?.stop.outputTail;
  if (tail) console.log(`The server's last output in the first unclean stop:\n${tail.replace(/^/gm, '    ')}`);
  return 0;
}

runBench('bench:start', 10 * 60_000, main);
