// Benchmark: contact import (issue 4). Figure: "Import 1,000,000 CSV rows: ≤ 60 s" on the
// 2-core machine.
//
//   npm run bench:import [-- --rows 1000000 --rounds 1 --channels sms,email --profile]
//
// Each round, on a fresh embedded PostgreSQL:
//   1. a CSV of N rows is generated (phone, email, first and last name, 2 attributes — a text
//      and a number —, 10 % invalid phones), `;`-separated, UTF-8 with accents;
//   2. a `sofy api` and a `sofy worker` are started on the same data dir (the worker connects to
//      the API's embedded PostgreSQL), a tenant is created with the CLI, the two attributes are
//      defined;
//   3. upload: the file is streamed to POST /v1/contacts/imports (raw body), timed to the 201;
//   4. PUT the mapping and the consent, POST …/start; processing is timed from the start's 202 to
//      GET …/{id} saying `completed` (polled every 200 ms);
//   5. checks: counters add up, contacts in the table = valid rows, consent rows written;
//   6. baseline in the same run: PostgreSQL's own `COPY … FROM` of the same file into a plain
//      table without index (the floor of getting these bytes into this PostgreSQL), then the
//      ratio import ÷ COPY.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, createReadStream, createWriteStream, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { adminClient } from './lib/db.ts';
import { codeState } from './lib/gitstate.ts';
import {
  captureOutput,
  fmt,
  freePort,
  HOST,
  machineLine,
  makeTempDir,
  pollUntil200,
  processCpuSeconds,
  runBench,
  spawnTracked,
  stopChild,
  table,
  treeCpuSeconds,
  waitExit,
} from './lib/harness.ts';
import { cleanEnv, fileReader, spawnSofy } from './lib/sofy.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    channels: { type: 'string', default: 'sms,email' },
  },
});
const ROWS = Number(args.rows);
const ROUNDS = Number(args.rounds);
/** Consent channels recorded per contact: each adds a contact_consents row and a history row per contact. */
const CHANNELS = (args.channels ?? 'sms,email').split(',').filter(Boolean);
const LIMIT_MS = 60_000;
/** Where --profile leaves the worker's CPU profile (outside the work dir, which is removed). */
const PROFILE_DIR = join(tmpdir(), 'sofy-bench-import-profile');
if (!Number.isInteger(ROWS) || ROWS < 1000) throw new Error('--rows takes an integer ≥ 1000');

const FIRST = ['Élodie', 'Jean', 'Zoé', 'François', 'Anaïs', 'Mathéo', 'Chloé', 'Léo', 'Inès', 'Noé'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Mercier', 'Faure', 'Rousseau'];
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Nantes', 'Lille', 'Bordeaux', 'Saint-Étienne', 'Nice'];

/** Writes the CSV; returns how many rows have a valid phone. */
async function generate(file: string, rows: number): Promise<{ valid: number; bytes: number }> {
  const out = createWriteStream(file);
  let valid = 0;
  let buffer = 'Téléphone;Email;Prénom;Nom;Ville;Points\n';
  for (let i = 0; i < rows; i++) {
    // 10 % invalid phones: too short for any French number.
    const invalid = i % 10 === 9;
    const phone = invalid ? `06${i % 1000}` : `06 ${String(i).padStart(8, '0').replace(/(\d\d)(?=\d)/g, '$1 ')}`;
    if (!invalid) valid++;
    buffer += `${phone};client.${i}@example.com;${FIRST[i % 10]};${LAST[(i >> 3) % 10]};${CITIES[i % 8]};${i % 1000}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.end(buffer);
  await new Promise<void>((resolve) => out.once('finish', () => resolve()));
  return { valid, bytes: statSync(file).size };
}

interface Sofy {
  api: ChildProcess;
  worker: ChildProcess;
  port: number;
  dataDir: string;
  apiKey: string;
  db: pg.Client;
  apiLog: () => string;
  workerLog: () => string;
}

async function startSofy(work: string, name: string): Promise<Sofy> {
  const dataDir = join(work, name);
  const port = await freePort();
  const env = { SOFY_SANDBOX: 'false', SOFY_SMPP_URL: 'smpp://sofy:sandbox@127.0.0.1:9', SOFY_LOG_LEVEL: 'warn', SOFY_RATE_LIMIT_API_KEY: '10000000', SOFY_RATE_LIMIT_IP: '10000000', SOFY_SMPP_GATEWAY_PORT: '0' };
  const apiLogFile = join(work, `${name}-api.log`);
  const api = spawnSofy({ dataDir, port, env, output: { file: apiLogFile }, command: 'api' });
  const apiLog = fileReader(apiLogFile);
  try {
    await pollUntil200(`http://${HOST}:${port}/readyz`, api, 50, 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- api output ---\n${apiLog().slice(-3000)}`);
  }
  const cli = spawnTracked(process.execPath, ['bin/sofy.js', 'tenants', 'create', '--name', 'Bench import', '--json'], { env: cleanEnv({ SOFY_DATA_DIR: dataDir }), stdio: ['ignore', 'pipe', 'pipe'] });
  const cliOut = captureOutput(cli);
  if ((await waitExit(cli)) !== 0) throw new Error(`sofy tenants create failed:\n${cliOut.text()}`);
  const created = JSON.parse(cliOut.text().slice(cliOut.text().indexOf('{'))) as { apiKey: string; tenantId: string };
  const db = await adminClient(dataDir);
  await db.query(`insert into contact_attribute_definitions (tenant_id, key, label, type) values ($1, 'ville', 'Ville', 'text'), ($1, 'points', 'Points', 'number')`, [created.tenantId]);
  const workerLogFile = join(work, `${name}-worker.log`);
  const worker = spawnSofy({ dataDir, port: 0, env, output: { file: workerLogFile }, command: 'worker', nodeArgs: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [] });
  const workerLog = fileReader(workerLogFile);
  // The worker is ready when it prints the jobs it runs.
  for (let waited = 0; !workerLog().includes('worker running'); waited += 100) {
    if (worker.exitCode !== null || waited > 60_000) throw new Error(`the worker did not start:\n${workerLog().slice(-3000)}`);
    await sleep(100);
  }
  return { api, worker, port, dataDir, apiKey: created.apiKey, db, apiLog, workerLog };
}

function call(sofy: Sofy, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: HOST,
        port: sofy.port,
        path,
        method,
        headers: { authorization: `Bearer ${sofy.apiKey}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function uploadFile(sofy: Sofy, file: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: HOST,
        port: sofy.port,
        path: '/v1/contacts/imports?filename=bench.csv',
        method: 'POST',
        headers: { authorization: `Bearer ${sofy.apiKey}`, 'content-type': 'text/csv', 'content-length': statSync(file).size },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

interface RoundResult {
  load: string;
  uploadMs: number;
  processMs: number;
  totalMs: number;
  copyMs: number;
  counters: Record<string, number>;
  contacts: number;
  consents: number;
  cpu: { worker: number; api: number; postgres: number };
}

async function round(work: string, index: number, file: string, valid: number): Promise<RoundResult> {
  const load = loadavg()[0]?.toFixed(2) ?? '?';
  const sofy = await startSofy(work, `round-${index}`);
  try {
    const pgTree = () => treeCpuSeconds(sofy.api.pid as number) - processCpuSeconds(sofy.api.pid as number);
    const cpu0 = { worker: processCpuSeconds(sofy.worker.pid as number), api: processCpuSeconds(sofy.api.pid as number), postgres: pgTree() };
    const t0 = performance.now();
    const uploaded = await uploadFile(sofy, file);
    const uploadMs = performance.now() - t0;
    if (uploaded.status !== 201) throw new Error(`upload answered ${uploaded.status}: ${JSON.stringify(uploaded.json).slice(0, 500)}`);
    const id = uploaded.json.id as string;
    const configured = await call(sofy, 'PUT', `/v1/contacts/imports/${id}`, {
      mapping: uploaded.json.suggestedMapping,
      mergePolicy: 'update',
      consent: { channels: CHANNELS, status: 'granted', source: 'form', proof: { text: 'J’accepte de recevoir les offres par SMS et email' } },
    });
    if (configured.status !== 200) throw new Error(`configure answered ${configured.status}: ${JSON.stringify(configured.json)}`);
    const t1 = performance.now();
    const started = await call(sofy, 'POST', `/v1/contacts/imports/${id}/start`);
    if (started.status !== 202) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.json)}`);
    let view: Record<string, unknown> = started.json;
    let lastPrint = 0;
    while (view.status !== 'completed') {
      if (['failed', 'cancelled'].includes(view.status as string)) throw new Error(`the import ended ${view.status}: ${view.error}\n${sofy.workerLog().slice(-3000)}`);
      if (sofy.worker.exitCode !== null) throw new Error(`the worker exited:\n${sofy.workerLog().slice(-3000)}`);
      await sleep(200);
      view = (await call(sofy, 'GET', `/v1/contacts/imports/${id}`)).json;
      if (performance.now() - lastPrint > 5000) {
        lastPrint = performance.now();
        const progress = view.progress as { percent: number; rowsPerSecond: number | null; etaSeconds: number | null };
        console.log(`    ${view.status} ${progress.percent}% ${progress.rowsPerSecond ?? '?'} rows/s, ETA ${progress.etaSeconds ?? '?'} s`);
      }
    }
    const end = performance.now();
    const cpu = {
      worker: processCpuSeconds(sofy.worker.pid as number) - cpu0.worker,
      api: processCpuSeconds(sofy.api.pid as number) - cpu0.api,
      postgres: pgTree() - cpu0.postgres,
    };
    const counters = view.counters as Record<string, number>;
    const { rows } = await sofy.db.query<{ contacts: number; consents: number }>('select (select count(*)::int from contacts) as contacts, (select count(*)::int from contact_consents) as consents');
    const check = rows[0] as { contacts: number; consents: number };
    if (counters.processed !== ROWS || counters.inserted !== valid || counters.failed !== ROWS - valid || check.contacts !== valid || check.consents !== CHANNELS.length * valid) {
      throw new Error(`counts do not add up: ${JSON.stringify({ counters, ...check, expectedValid: valid })}`);
    }

    // Baseline: the same bytes through PostgreSQL's COPY into a plain table (no index, no RLS).
    await sofy.db.query('create table bench_plain (phone text, email text, first_name text, last_name text, city text, points text)');
    const c0 = performance.now();
    await sofy.db.query(`copy bench_plain from '${file}' with (format csv, delimiter ';', header true, encoding 'UTF8')`);
    const copyMs = performance.now() - c0;
    return { load, uploadMs, processMs: end - t1, totalMs: end - t0, copyMs, counters, contacts: check.contacts, consents: check.consents, cpu };
  } finally {
    await sofy.db.end().catch(() => {});
    await stopChild(sofy.worker, 'SIGINT', 20_000);
    await stopChild(sofy.api, 'SIGINT', 30_000);
  }
}

runBench('bench:import', 30 * 60_000, async () => {
  console.log(`bench:import — ${fmt.int(ROWS)} rows, ${ROUNDS} round(s), consent on ${CHANNELS.join('+')}`);
  console.log(`machine: ${machineLine()}`);
  console.log(`code: ${codeState()}`);
  const work = makeTempDir('sofy-bench-import-');
  // The embedded PostgreSQL (OS user postgres) reads the file for the COPY baseline.
  chmodSync(work, 0o755);
  const file = join(work, 'contacts.csv');
  const g0 = performance.now();
  const { valid, bytes } = await generate(file, ROWS);
  chmodSync(file, 0o644);
  console.log(`file: ${fmt.int(bytes)} bytes, ${fmt.int(ROWS)} rows (${fmt.int(valid)} valid), generated in ${fmt.ms(performance.now() - g0)}`);
  const results: RoundResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    console.log(`round ${i + 1}…`);
    const r = await round(work, i, file, valid);
    results.push(r);
    console.log(
      `  upload ${fmt.s(r.uploadMs)}, processing ${fmt.s(r.processMs)}, total ${fmt.s(r.totalMs)} (${fmt.int(ROWS / (r.totalMs / 1000))} rows/s); COPY ${fmt.s(r.copyMs)}; ` +
        `CPU s: worker ${r.cpu.worker.toFixed(1)}, api ${r.cpu.api.toFixed(1)}, PostgreSQL ${r.cpu.postgres.toFixed(1)}`,
    );
  }
  console.log('');
  console.log(
    table(
      ['round (load avg)', 'upload', 'processing', 'total', 'rows/s', 'COPY baseline', 'total ÷ COPY', 'CPU worker / api / PG', 'verdict'],
      results.map((r, i) => [
        `${i + 1} (${r.load})`,
        fmt.s(r.uploadMs),
        fmt.s(r.processMs),
        fmt.s(r.totalMs),
        fmt.int(ROWS / (r.totalMs / 1000)),
        fmt.s(r.copyMs),
        fmt.x(r.totalMs / r.copyMs),
        `${r.cpu.worker.toFixed(1)} / ${r.cpu.api.toFixed(1)} / ${r.cpu.postgres.toFixed(1)} s`,
        ROWS === 1_000_000 ? (r.totalMs <= LIMIT_MS ? 'PASS' : 'FAIL') : `(${fmt.int(ROWS)} rows)`,
      ]),
    ),
  );
  return 0;
});
