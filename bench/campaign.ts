// Benchmark: "Fan-out of a 1,000,000-recipient campaign into the outbox: ≤ 30 s; the whole campaign
// to the sandbox SMSC with receipts recorded: ≤ 5 minutes on the 2-core machine" (issue 4).
//
//   npm run bench:campaign [-- --contacts 1000000 --workers 2 --baseline 100000 --links --whole-only --fanout-only]
//
// Processes (children of this one, on 127.0.0.1 only), one data dir for the run:
//   - `sofy api` (owns the data dir and its embedded PostgreSQL; serves, never dispatches);
//   - three tenants made with the CLI: "baseline", "fan-out" and "campaign";
//   - baseline, in the same run: the batch send API (POST /v1/messages/batch, 1,000 per call, 4
//     clients) accepting the campaign's own message (a marketing SMS, same text, same kind of
//     numbers) for --baseline recipients of the "baseline" tenant: the rate the send path commits
//     messages at when a client sends them itself. Those messages are removed from the outbox after;
//   - M1, the fan-out alone: N contacts loaded by COPY into "fan-out", a campaign created and
//     submitted through the API (its estimate over N contacts is timed), and the campaign's fan-out
//     job (`campaigns.fanout`) enqueued on pg-boss for one `sofy worker` that does not dispatch
//     (SOFY_DISPATCH=false: nothing is sent): time from the campaign's start to its fan-out done
//     (both recorded by the worker), messages and outbox rows counted; the tenant is suspended
//     after, so that its messages wait aside (migration 0018) while M2 runs;
//   - M2, the whole campaign: N other contacts in "campaign", a campaign submitted through the API,
//     a SandboxSmsc in its own process (receipts 50 ms after the submit), W `sofy worker` processes
//     (SOFY_SMPP_URL → that SMSC), and the scheduler's job (`campaigns.tick`) enqueued: from the
//     campaign's start to the last `delivered` recorded, with the fan-out time measured while the
//     dispatchers already send.
// Numbers are French mobiles (+33 6 1…) when it is daytime in Paris; otherwise the recipients are
// in a zone where it is daytime (R-QUIET would hold every message until 08:00 there): French
// Polynesia or Réunion, priced for the tenants through their price list.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { loadOrCreateSecretKey, SecretKeyring } from '../src/platform/crypto.ts';
import { uuidv7 } from '../src/platform/ids.ts';
import { normalisePhoneNumber } from '../src/modules/messaging/rules.ts';
import { adminClient } from './lib/db.ts';
import { codeState } from './lib/gitstate.ts';
import { captureOutput, fmt, freePort, HOST, machineCpu, machineLine, makeTempDir, pollUntil200, processCpuSeconds, runBench, spawnTracked, stopChild, table, waitExit } from './lib/harness.ts';
import { TreeCpu } from './lib/cputrack.ts';
import type { SmscReport } from './lib/smsc-process.ts';
import { startSmsc } from './lib/smsc.ts';
import { cleanEnv, fileReader, type StopReport, spawnSofy, stopSofy } from './lib/sofy.ts';

const TARGET_FANOUT_S = 30;
const TARGET_WHOLE_S = 300;

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    workers: { type: 'string', default: '2' },
    baseline: { type: 'string', default: '100000' },
    /** The text carries a tracked link (a token per recipient, /r/{token}0). */
    links: { type: 'boolean', default: false },
    /** Skip M1 (fan-out alone). */
    'whole-only': { type: 'boolean', default: false },
    /** Skip M2 (the whole campaign). */
    'fanout-only': { type: 'boolean', default: false },
  },
});
const N = Number(args.contacts);
const WORKERS = Number(args.workers);
const BASELINE = Number(args.baseline);
if (!Number.isInteger(N) || N < 1000 || N > 2_000_000) throw new Error('--contacts must be 1000 to 2000000');
if (!Number.isInteger(WORKERS) || WORKERS < 1 || WORKERS > 4) throw new Error('--workers must be 1 to 4');
if (!Number.isInteger(BASELINE) || BASELINE < 1000 || BASELINE % 1000 !== 0) throw new Error('--baseline must be a multiple of 1000');

const TEXT = args.links ? 'Optique Martin : -20% sur les montures ce week-end {{link:https://optique.example/soldes}}' : 'Optique Martin : -20% sur les montures ce week-end, en boutique et en ligne !';
/** The same message as the send API receives it (no merge field). */
const API_TEXT = TEXT.replace('{{link:https://optique.example/soldes}}', 'https://optique.example/soldes');

// Recipients --------------------------------------------------------------------------------------

interface Zone {
  country: string;
  zone: string;
  /** The i-th number (i < 2,000,000): last 4 digits 1000–9999, never a sandbox magic suffix (0xxx). */
  phone(i: number): string;
  price?: number;
}

const ZONES: Zone[] = [
  { country: 'FR', zone: 'Europe/Paris', phone: (i) => `+3361${String(Math.floor(i / 9000)).padStart(3, '0')}${1000 + (i % 9000)}` },
  { country: 'PF', zone: 'Pacific/Tahiti', phone: (i) => `+6898${7 + Math.floor(i / 900_000)}${String(Math.floor((i % 900_000) / 9000)).padStart(2, '0')}${1000 + (i % 9000)}`, price: 9000 },
  { country: 'RE', zone: 'Indian/Reunion', phone: (i) => `+262692${String(Math.floor(i / 9000)).padStart(2, '0')}${1000 + (i % 9000)}` },
];

/** A zone where it is 08:00–17:59 now (the campaign must not meet 20:00 while it runs). */
function daytimeZone(): Zone {
  for (const zone of ZONES) {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone.zone, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
    if (hour >= 8 && hour < 18) return zone;
  }
  throw new Error('no zone in daytime');
}

// SOFY --------------------------------------------------------------------------------------------

interface Sofy {
  child: ChildProcess;
  port: number;
  dataDir: string;
  output: () => string;
  db: pg.Client;
  ownerUrl: string;
  tenants: Record<'baseline' | 'fanout' | 'campaign', { id: string; apiKey: string }>;
}

async function startSofy(work: string): Promise<Sofy> {
  const dataDir = join(work, 'data');
  const port = await freePort();
  const logFile = join(work, 'api.log');
  const env = { SOFY_SANDBOX: 'false', SOFY_SMPP_URL: 'smpp://sofy:sandbox@127.0.0.1:9', SOFY_LOG_LEVEL: 'warn', SOFY_RATE_LIMIT_API_KEY: '10000000', SOFY_RATE_LIMIT_IP: '10000000', SOFY_SMPP_GATEWAY_PORT: '0' };
  const child = spawnSofy({ dataDir, port, env, output: { file: logFile }, command: 'api' });
  const output = fileReader(logFile);
  try {
    await pollUntil200(`http://${HOST}:${port}/readyz`, child, 50, 120_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- api output ---\n${output().slice(-3000)}`);
  }
  const tenants = {} as Sofy['tenants'];
  for (const name of ['baseline', 'fanout', 'campaign'] as const) {
    const cli = spawnTracked(process.execPath, ['bin/sofy.js', 'tenants', 'create', '--name', `Bench ${name}`, '--json'], { env: cleanEnv({ SOFY_DATA_DIR: dataDir }), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = captureOutput(cli);
    if ((await waitExit(cli)) !== 0) throw new Error(`sofy tenants create failed:\n${out.text()}`);
    const created = JSON.parse(out.text().slice(out.text().indexOf('{'))) as { apiKey: string; tenantId: string };
    tenants[name] = { id: created.tenantId, apiKey: created.apiKey };
  }
  const db = await adminClient(dataDir);
  const lock = JSON.parse(readFileSync(join(dataDir, 'sofy.lock'), 'utf8')) as { pgPort: number };
  const password = new SecretKeyring(loadOrCreateSecretKey(undefined, dataDir).key).derive('embedded-pg-superuser').toString('hex');
  return { child, port, dataDir, output, db, tenants, ownerUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${lock.pgPort}/sofy` };
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

function call(sofy: Sofy, apiKey: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: HOST,
        port: sofy.port,
        path,
        method,
        agent,
        timeout: 600_000,
        headers: { authorization: `Bearer ${apiKey}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      },
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

async function expectOk(response: Promise<{ status: number; body: string }>, what: string): Promise<Record<string, unknown>> {
  const r = await response;
  if (r.status >= 300) throw new Error(`${what} answered ${r.status}: ${r.body.slice(0, 1000)}`);
  return r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {};
}

/** N contacts with SMS consent granted, by COPY from a CSV file (ids are UUIDv7, as imports make them). */
async function loadContacts(sofy: Sofy, work: string, tenantId: string, zone: Zone, offset: number): Promise<number> {
  const file = join(work, `contacts-${tenantId}.csv`);
  const out = createWriteStream(file);
  const sample = new Set<string>();
  for (let i = 0; i < N; i++) {
    const phone = zone.phone(offset + i);
    if (i % 9000 === 0) sample.add(phone);
    if (!out.write(`${tenantId},${uuidv7()},${phone},${i % 2 ? 'Léa' : ''},granted\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  chmodSync(file, 0o644);
  for (const phone of sample) {
    const parsed = normalisePhoneNumber(phone);
    if ('error' in parsed || !parsed.valid || parsed.country !== zone.country) throw new Error(`bench number ${phone} is not a valid ${zone.country} number`);
  }
  const t0 = performance.now();
  await sofy.db.query(`copy contacts (tenant_id, id, phone, first_name, consent_sms) from '${file}' with (format csv, null '')`);
  const ms = performance.now() - t0;
  // The steady state a campaign meets: contacts imported long before, already vacuumed (visibility
  // map set) and checkpointed. Without this, the autovacuum of the million rows just loaded and a
  // checkpoint landed inside the measure in some runs and not others (PostgreSQL 38–53 µs per
  // fanned-out message, bench/RESULTS.md §7).
  await sofy.db.query('vacuum analyze contacts');
  await sofy.db.query('checkpoint');
  if (zone.price) await sofy.db.query(`insert into tenant_prices (tenant_id, channel, route, country, unit_millicents, effective_from) values ($1, 'sms', 'marketing', $2, $3, now() - interval '1 day')`, [tenantId, zone.country, zone.price]);
  return ms;
}

async function createCampaign(sofy: Sofy, tenant: { apiKey: string }, name: string): Promise<{ id: string; estimateMs: number; estimate: Record<string, unknown> }> {
  const created = await expectOk(call(sofy, tenant.apiKey, 'POST', '/v1/campaigns', { name, channel: 'sms', content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: TEXT }] } }), 'POST /v1/campaigns');
  const id = created.id as string;
  const t0 = performance.now();
  const submitted = await expectOk(call(sofy, tenant.apiKey, 'POST', `/v1/campaigns/${id}/submit`), 'submit');
  const estimateMs = performance.now() - t0;
  if (submitted.status !== 'scheduled') throw new Error(`submitted campaign is ${submitted.status}`);
  return { id, estimateMs, estimate: submitted.estimate as Record<string, unknown> };
}

// Baseline ----------------------------------------------------------------------------------------

async function baseline(sofy: Sofy, zone: Zone): Promise<{ rate: number; ms: number }> {
  const tenant = sofy.tenants.baseline;
  if (zone.price) await sofy.db.query(`insert into tenant_prices (tenant_id, channel, route, country, unit_millicents, effective_from) values ($1, 'sms', 'marketing', $2, $3, now() - interval '1 day')`, [tenant.id, zone.country, zone.price]);
  const calls = BASELINE / 1000;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < calls) {
        const i = next++;
        const messages = Array.from({ length: 1000 }, (_, k) => ({ channel: 'sms', route: 'marketing', to: zone.phone(1_900_000 - BASELINE + i * 1000 + k), from: 'OPTIQUE', text: API_TEXT }));
        const body = await expectOk(call(sofy, tenant.apiKey, 'POST', '/v1/messages/batch', { messages }), 'POST /v1/messages/batch');
        if (body.accepted !== 1000) throw new Error(`batch: ${body.accepted} accepted: ${JSON.stringify((body.results as Array<{ error?: unknown }>).find((r) => r.error))}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  // Those messages are not part of the campaign measures: out of the outbox before any worker runs.
  await sofy.db.query(`delete from outbox where tenant_id = $1`, [tenant.id]);
  return { rate: BASELINE / (ms / 1000), ms };
}

// Measures ----------------------------------------------------------------------------------------

function startWorkers(sofy: Sofy, work: string, count: number, smscPort: number, tag: string, extraEnv: Record<string, string> = {}): Array<{ child: ChildProcess; output: () => string }> {
  return Array.from({ length: count }, (_, w) => {
    const logFile = join(work, `worker-${tag}-${w}.log`);
    const child = spawnSofy({ dataDir: sofy.dataDir, port: 0, env: { SOFY_SANDBOX: 'false', SOFY_SMPP_URL: `smpp://sofy:sandbox@127.0.0.1:${smscPort}`, SOFY_LOG_LEVEL: 'warn', ...extraEnv }, output: { file: logFile }, command: 'worker' });
    return { child, output: fileReader(logFile) };
  });
}

async function campaignRow(sofy: Sofy, id: string): Promise<{ status: string; started_at: Date | null; fanout_done_at: Date | null; last_send_at: Date | null }> {
  const { rows } = await sofy.db.query('select status, started_at, fanout_done_at, last_send_at from campaigns where id = $1', [id]);
  return rows[0];
}

interface FanoutCheck {
  messages: number;
  distinct: number;
  recipients: number;
  outbox: number;
  statuses: Record<string, number>;
}

async function checkFanout(sofy: Sofy, campaignId: string, tenantId: string): Promise<FanoutCheck> {
  const { rows } = await sofy.db.query<{ messages: number; distinct: number; recipients: number; outbox: number }>(
    `select count(*)::int as messages, count(distinct recipient)::int as distinct,
            (select count(*)::int from campaign_recipients where campaign_id = $1) as recipients,
            (select count(*)::int from outbox where tenant_id = $2) as outbox
       from messages where campaign_id = $1`,
    [campaignId, tenantId],
  );
  const { rows: statuses } = await sofy.db.query<{ status: string; n: number }>('select status, count(*)::int as n from messages where campaign_id = $1 group by 1', [campaignId]);
  return { ...(rows[0] as Omit<FanoutCheck, 'statuses'>), statuses: Object.fromEntries(statuses.map((r) => [r.status, r.n])) };
}

async function enqueue(sofy: Sofy, name: string, data: object): Promise<void> {
  // pg-boss creates its schema when the first worker starts.
  for (let i = 0; ; i++) {
    const { rows } = await sofy.db.query<{ ok: boolean }>(`select to_regclass('pgboss.queue') is not null as ok`);
    if (rows[0]?.ok) break;
    if (i > 600) throw new Error('pg-boss never set up its schema (did the workers start?)');
    await sleep(100);
  }
  const boss = new PgBoss({ connectionString: sofy.ownerUrl, schema: 'pgboss', supervise: false, schedule: false, migrate: false, max: 1 });
  boss.on('error', () => {});
  await boss.start();
  // The queue exists once a worker has started; wait for it.
  for (let i = 0; ; i++) {
    if (await boss.getQueue(name)) break;
    if (i > 300) throw new Error(`queue ${name} never appeared (did the workers start?)`);
    await sleep(100);
  }
  await boss.send(name, data);
  await boss.stop({ graceful: false, wait: false });
}

interface FanoutResult {
  seconds: number;
  check: FanoutCheck;
  cpu: { worker: number; postgres: number; machine: number; wallS: number };
}

/**
 * M1: the fan-out alone: one worker that runs jobs but does not dispatch (SOFY_DISPATCH=false), and
 * no other worker, so the outbox only fills. After the measure the tenant is suspended, which
 * holds its million messages aside (migration 0018) so that M2's dispatchers never send them.
 */
async function fanoutAlone(sofy: Sofy, work: string, campaignId: string): Promise<FanoutResult> {
  const tenantId = sofy.tenants.fanout.id;
  // What the scheduler's tick does for a due campaign.
  await sofy.db.query(`update campaigns set status = 'running', phase = 'all', started_at = now(), fanout_done_at = null where id = $1`, [campaignId]);
  const workers = startWorkers(sofy, work, 1, 9, 'm1', { SOFY_DISPATCH: 'false' });
  const pg = new TreeCpu(sofy.child.pid as number, true);
  pg.sample();
  const machine0 = machineCpu();
  const t0 = performance.now();
  await enqueue(sofy, 'campaigns.fanout', { tenantId, campaignId });
  let row = await campaignRow(sofy, campaignId);
  const deadline = Date.now() + 15 * 60_000;
  while (!row.fanout_done_at) {
    if (Date.now() > deadline) throw new Error('the fan-out did not finish within 15 minutes');
    for (const w of workers) if (w.child.exitCode !== null) throw new Error(`worker exited:\n${w.output().slice(-3000)}`);
    pg.sample();
    await sleep(250);
    row = await campaignRow(sofy, campaignId);
  }
  const wallS = (performance.now() - t0) / 1000;
  const machine1 = machineCpu();
  const workerCpu = processCpuSeconds(workers[0]?.child.pid as number);
  pg.sample();
  for (const w of workers) await stopChild(w.child, 'SIGINT', 30_000);
  const check = await checkFanout(sofy, campaignId, tenantId);
  await sofy.db.query(`update tenants set status = 'suspended_nonpayment' where id = $1`, [tenantId]);
  const total = machine1.total - machine0.total || 1;
  return {
    seconds: ((row.fanout_done_at?.getTime() ?? 0) - (row.started_at?.getTime() ?? 0)) / 1000,
    check,
    cpu: { worker: workerCpu, postgres: pg.total(), machine: ((machine1.busy - machine0.busy) / total) * cpus().length * wallS, wallS },
  };
}

interface WholeResult {
  fanoutSeconds: number;
  wholeSeconds: number;
  firstSubmitAfterS: number;
  delivered: number;
  check: FanoutCheck;
  smsc: SmscReport;
  dispatchRate: number;
  machineBusy: number;
}

/** M2: the whole campaign, tick to the last receipt recorded. */
async function wholeCampaign(sofy: Sofy, work: string, campaignId: string): Promise<WholeResult> {
  const tenantId = sofy.tenants.campaign.id;
  const smsc = await startSmsc();
  const workers = startWorkers(sofy, work, WORKERS, smsc.port, 'm2');
  const machine0 = machineCpu();
  const t0 = performance.now();
  await enqueue(sofy, 'campaigns.tick', {});
  let row = await campaignRow(sofy, campaignId);
  let delivered = 0;
  const deadline = Date.now() + 20 * 60_000;
  let lastDb = 0;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`the campaign did not complete within 20 minutes: ${JSON.stringify(await checkFanout(sofy, campaignId, tenantId))}`);
    for (const w of workers) if (w.child.exitCode !== null) throw new Error(`worker exited:\n${w.output().slice(-3000)}`);
    const report = await smsc.report();
    const nearEnd = report.stats.receiptsDelivered >= N;
    if (nearEnd || performance.now() - lastDb > 2000) {
      lastDb = performance.now();
      row = await campaignRow(sofy, campaignId);
      if (row.fanout_done_at && nearEnd) {
        const { rows } = await sofy.db.query<{ n: number }>(`select count(*)::int as n from messages where campaign_id = $1 and status = 'delivered'`, [campaignId]);
        delivered = rows[0]?.n ?? 0;
        if (delivered >= N) break;
      }
    }
    await sleep(nearEnd ? 200 : 500);
  }
  const wallS = (performance.now() - t0) / 1000;
  const machine1 = machineCpu();
  const smscReport = await smsc.report();
  for (const w of workers) await stopChild(w.child, 'SIGINT', 30_000);
  await stopChild(smsc.child, 'SIGINT', 5_000);
  const { rows: last } = await sofy.db.query<{ at: Date }>(
    `select max(e.at) as at from message_events e where e.status = 'delivered' and e.at >= $1`,
    [row.started_at],
  );
  const lastDelivered = last[0]?.at.getTime() ?? 0;
  const started = row.started_at?.getTime() ?? 0;
  const check = await checkFanout(sofy, campaignId, tenantId);
  const total = machine1.total - machine0.total || 1;
  return {
    fanoutSeconds: ((row.fanout_done_at?.getTime() ?? 0) - started) / 1000,
    wholeSeconds: (lastDelivered - started) / 1000,
    firstSubmitAfterS: ((smscReport.firstMessageAt ?? 0) - started) / 1000,
    delivered,
    check,
    smsc: smscReport,
    dispatchRate: N / ((lastDelivered - (smscReport.firstMessageAt ?? started)) / 1000),
    machineBusy: (((machine1.busy - machine0.busy) / total) * cpus().length * wallS) / wallS,
  };
}

// Report ------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  console.log(`Campaign fan-out and delivery — ${new Date().toISOString()}`);
  console.log(`machine: ${machineLine()}`);
  console.log(`code: ${codeState()}`);
  const zone = daytimeZone();
  console.log(`N = ${fmt.int(N)} recipients (${zone.country}, ${zone.zone}: daytime there now), SMS "${TEXT}"; ${WORKERS} worker(s) for M2; baseline ${fmt.int(BASELINE)} messages`);
  const work = makeTempDir('sofy-bench-campaign-');
  chmodSync(work, 0o755);
  const sofy = await startSofy(work);
  let stop: StopReport | undefined;
  try {
    const base = await baseline(sofy, zone);
    console.log(`baseline: POST /v1/messages/batch (1,000 per call, 4 clients), the same marketing SMS: ${fmt.int(base.rate)} msg/s accepted and committed (${fmt.int(BASELINE)} in ${fmt.s(base.ms)})`);

    let m1: FanoutResult | undefined;
    let m1Estimate = 0;
    if (!args['whole-only']) {
      const copyMs = await loadContacts(sofy, work, sofy.tenants.fanout.id, zone, 0);
      console.log(`M1: ${fmt.int(N)} contacts loaded by COPY in ${fmt.s(copyMs)}`);
      const campaign = await createCampaign(sofy, sofy.tenants.fanout, 'Bench fan-out');
      m1Estimate = campaign.estimateMs;
      console.log(`M1: campaign submitted; its estimate (recipients, cost) over ${fmt.int(N)} contacts took ${fmt.s(campaign.estimateMs)} with the submit: ${JSON.stringify(campaign.estimate)}`);
      m1 = await fanoutAlone(sofy, work, campaign.id);
      console.log(`M1: fan-out alone ${m1.seconds.toFixed(1)} s (${fmt.int(N / m1.seconds)} msg/s); ${JSON.stringify(m1.check)}`);
    }

    let m2: Awaited<ReturnType<typeof wholeCampaign>> | undefined;
    if (!args['fanout-only']) {
      const copyMs = await loadContacts(sofy, work, sofy.tenants.campaign.id, zone, 0);
      console.log(`M2: ${fmt.int(N)} contacts loaded by COPY in ${fmt.s(copyMs)}`);
      const campaign = await createCampaign(sofy, sofy.tenants.campaign, 'Bench campaign');
      console.log(`M2: campaign submitted (estimate ${fmt.s(campaign.estimateMs)}); SMSC + ${WORKERS} worker(s) started, tick enqueued`);
      m2 = await wholeCampaign(sofy, work, campaign.id);
      console.log(`M2: fan-out ${m2.fanoutSeconds.toFixed(1)} s while dispatching; last receipt recorded ${m2.wholeSeconds.toFixed(1)} s after the start; ${JSON.stringify(m2.check)}`);
    }

    console.log('\nResults:\n');
    const rows: Array<Array<string | number>> = [['baseline: batch send API, same SMS', fmt.s(base.ms), `${fmt.int(base.rate)} msg/s`, '—', '1.00', '—']];
    if (m1) {
      const ok = m1.check.messages === N && m1.check.distinct === N && m1.check.recipients === N && m1.check.outbox === N;
      rows.push([`M1: fan-out alone (1 worker)`, `${m1.seconds.toFixed(1)} s`, `${fmt.int(N / m1.seconds)} msg/s`, ok ? 'N messages, N distinct, N in outbox' : `MISMATCH ${JSON.stringify(m1.check)}`, (N / m1.seconds / base.rate).toFixed(2), m1.seconds <= TARGET_FANOUT_S ? 'PASS' : 'FAIL']);
    }
    if (m2) {
      const ok2 = m2.check.messages === N && m2.check.distinct === N && m2.delivered === N && m2.smsc.stats.submits === N;
      rows.push([`M2: fan-out while ${WORKERS} worker(s) dispatch`, `${m2.fanoutSeconds.toFixed(1)} s`, `${fmt.int(N / m2.fanoutSeconds)} msg/s`, ok2 ? 'N messages, N distinct' : `MISMATCH ${JSON.stringify(m2.check)}`, (N / m2.fanoutSeconds / base.rate).toFixed(2), m2.fanoutSeconds <= TARGET_FANOUT_S ? 'PASS' : 'FAIL']);
      rows.push([`M2: whole campaign, start → last receipt recorded`, `${m2.wholeSeconds.toFixed(1)} s`, `${fmt.int(m2.dispatchRate)} msg/s dispatched`, `${m2.delivered} delivered, SMSC ${m2.smsc.stats.submits} submits`, '—', m2.wholeSeconds <= TARGET_WHOLE_S && ok2 ? 'PASS' : 'FAIL']);
    }
    console.log(table(['measure', 'time', 'rate', 'checks', 'ratio to baseline', 'verdict'], rows));
    console.log(`\nTargets: fan-out of ${fmt.int(N)} ≤ ${TARGET_FANOUT_S} s; whole campaign ≤ ${TARGET_WHOLE_S} s.`);
    if (m1) console.log(`M1 CPU: worker ${m1.cpu.worker.toFixed(1)} s, PostgreSQL ${m1.cpu.postgres.toFixed(1)} s, machine ${(m1.cpu.machine / m1.cpu.wallS).toFixed(2)} of ${cpus().length} cores busy; per message: worker ${fmt.int((1e6 * m1.cpu.worker) / N)} µs, PostgreSQL ${fmt.int((1e6 * m1.cpu.postgres) / N)} µs; estimate at submit ${fmt.s(m1Estimate)}`);
    if (m2) console.log(`M2: first submit ${m2.firstSubmitAfterS.toFixed(1)} s after the start; machine ${m2.machineBusy.toFixed(2)} of ${cpus().length} cores busy; statuses ${JSON.stringify(m2.check.statuses)}`);
    console.log(`load average at the end: ${machineLine()}`);
  } finally {
    await sofy.db.end().catch(() => {});
    stop = await stopSofy(sofy.child, sofy.dataDir, sofy.output);
    console.log(`api stop: exit ${stop.exit}, ${stop.printedStopped && !stop.lockLeft ? 'clean' : JSON.stringify(stop)}`);
  }
  return 0;
}

runBench('bench:campaign', 45 * 60_000, main);
