// One autocannon run in its own process (never in a server's process), with the CPU used
// meanwhile by the server, its PostgreSQL, autocannon and the rest of the machine.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { TreeCpu } from './cputrack.ts';
import { captureOutput, machineCpu, processCpuSeconds, processSystemCpuSeconds, REPO_ROOT, spawnTracked, waitExit } from './harness.ts';

/** The subset of autocannon's --json result that we read. */
export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: { p50: number; p97_5: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  throughput: { average: number };
}

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Request body (written to a file for autocannon's -i: bodies over 128 KiB cannot be an argument). */
  body?: string;
  connections: number;
  seconds: number;
  /** autocannon -R: requests per second from all connections (latencies corrected for coordinated omission). */
  rate?: number;
  /** autocannon -I: each request gets its own random id in place of every `[<id>]` (headers included). */
  idReplacement?: boolean;
  /** The pid of the server (its children, the embedded PostgreSQL, are counted apart). */
  serverPid?: number;
  /** Where to write the body file. */
  workDir: string;
}

export interface LoadResult {
  result: AutocannonResult;
  /** In cores (1 = one core busy the whole time); `other` = machine busy − the three. */
  cpu: { server: number; serverSystem: number; postgres: number; autocannon: number; machineBusy: number; other: number };
  wallS: number;
  /** The measured run, in µs of the monotonic clock (to cut a CPU profile to it). */
  windowUs: { fromUs: number; toUs: number };
  startedAt: Date;
}

let bodies = 0;

export async function autocannon(spec: LoadSpec): Promise<LoadResult> {
  const argv = [join(REPO_ROOT, 'node_modules/autocannon/autocannon.js'), '--json', '-c', String(spec.connections), '-d', String(spec.seconds)];
  if (spec.method) argv.push('-m', spec.method);
  // autocannon's command-line parser reads brackets as sub-arguments: a header holding `[<id>]`
  // is added after parsing, by a two-line wrapper that then runs autocannon as its CLI does.
  const bracketed: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (v.includes('[')) bracketed[k] = v;
    else argv.push('-H', `${k}=${v}`);
  }
  if (spec.body !== undefined) {
    const file = join(spec.workDir, `body-${++bodies}.json`);
    writeFileSync(file, spec.body);
    argv.push('-i', file);
  }
  if (spec.rate) argv.push('-R', String(spec.rate));
  // A flag before another flag: last, autocannon's parser would take the URL as its value.
  if (spec.idReplacement) argv.splice(2, 0, '-I');
  argv.push(spec.url);

  const pid = spec.serverPid;
  const pg = pid ? new TreeCpu(pid, true) : undefined;
  pg?.sample();
  const machine0 = machineCpu();
  const server0 = pid ? processCpuSeconds(pid) : 0;
  const serverSys0 = pid ? processSystemCpuSeconds(pid) : 0;
  const startedAt = new Date();
  const t0 = performance.now();
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const child = Object.keys(bracketed).length
    ? spawnTracked(
        process.execPath,
        [
          '-e',
          `const a = require(${JSON.stringify(argv[0])}); const args = a.parseArguments(process.argv.slice(1)); Object.assign((args.headers ??= {}), ${JSON.stringify(bracketed)}); a.start(args);`,
          '--',
          ...argv.slice(1),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      )
    : spawnTracked(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = captureOutput(child);
  let autocannonCpu = 0;
  const sampler = setInterval(() => {
    if (child.pid) autocannonCpu = Math.max(autocannonCpu, processCpuSeconds(child.pid));
    pg?.sample();
  }, 250);
  const hardLimit = setTimeout(() => child.kill('SIGKILL'), (spec.seconds + 60) * 1000);
  const exit = await waitExit(child);
  clearInterval(sampler);
  clearTimeout(hardLimit);
  pg?.sample();
  const wallS = (performance.now() - t0) / 1000;
  const toUs = Number(process.hrtime.bigint() / 1000n);
  const machine1 = machineCpu();
  const serverCpu = pid ? processCpuSeconds(pid) - server0 : 0;
  const serverSys = pid ? processSystemCpuSeconds(pid) - serverSys0 : 0;
  if (exit !== 0) throw new Error(`autocannon exited with ${exit}:\n${out.text().slice(-2000)}`);
  const line = out
    .text()
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON from autocannon:\n${out.text().slice(-2000)}`);
  const result = JSON.parse(line) as AutocannonResult;
  const total = machine1.total - machine0.total || 1;
  const server = serverCpu / wallS;
  const postgres = (pg?.total() ?? 0) / wallS;
  const ac = autocannonCpu / wallS;
  const machineBusy = ((machine1.busy - machine0.busy) / total) * cpus().length;
  return {
    result,
    cpu: { server, serverSystem: serverSys / wallS, postgres, autocannon: ac, machineBusy, other: Math.max(0, machineBusy - server - postgres - ac) },
    wallS,
    windowUs: { fromUs, toUs },
    startedAt,
  };
}
