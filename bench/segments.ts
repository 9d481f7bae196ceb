// Benchmark: "Segment count on 1,000,000 contacts: ≤ 1 s" (issue 4, live count while editing).
//
//   npm run bench:segments [-- --contacts 1000000 --activity 2000000 --runs 7 --try-sql "…" --explain]
//
// One process, one fresh embedded PostgreSQL (a temporary data dir, removed at the end):
//   1. migrations (every index of 0010 and 0012 in place), then COPY (FROM STDIN, text format)
//      of N contacts of one tenant with realistic distributions (tags, typed attributes, consent
//      per channel, dates), 10,000 contacts of a second tenant, and M contact_activity rows
//      (received / clicked / opened / replied / opted out over 180 days, 40 campaigns; a campaign's
//      `received` becomes its campaign_recipients row, as the fan-out writes it); then
//      VACUUM ANALYZE, what autovacuum does after such a load;
//   2. R rounds, after one warm-up round: in each, the baseline `SELECT count(*) FROM contacts
//      WHERE tenant_id = $1`, then each typical definition through SegmentsService.countDefinition
//      (validation, compilation, a tenant transaction as the application role, so row-level
//      security applies as in production). Timed in this process (performance.now), per call.
// Median and max per definition, ratio to the baseline median of the same run, the count found,
// and the plan's main nodes (EXPLAIN). The load average is printed at the start and the end.
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { CompiledQuery, sql } from 'kysely';
import { codeState } from './lib/gitstate.ts';
import { fmt, machineLine, makeTempDir, runBench, stats, table } from './lib/harness.ts';
import { systemClock } from '../src/platform/clock.ts';
import { createKysely, createPool, type Database } from '../src/platform/db/database.ts';
import { EmbeddedCluster } from '../src/platform/db/embedded.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { APP_ROLE } from '../src/platform/db/open.ts';
import { withTenant } from '../src/platform/db/tenant-context.ts';
import type { ServiceContext } from '../src/platform/http/principal.ts';
import { applySegmentQuerySettings, prepareSegment, type SegmentDefinition, SegmentsService, segmentsTx } from '../src/modules/segments/index.ts';

const TARGET_MS = 1_000;

const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    activity: { type: 'string', default: '2000000' },
    runs: { type: 'string', default: '7' },
    /** SQL run as the database owner after the load (e.g. an index to try), before ANALYZE. */
    'try-sql': { type: 'string', multiple: true, default: [] },
    /** Print the full EXPLAIN ANALYZE of each definition once. */
    explain: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20260701' },
  },
});
const N = Number(args.contacts);
const M = Number(args.activity);
const RUNS = Number(args.runs);
if (!Number.isInteger(N) || N < 1_000 || N > 5_000_000) throw new Error('--contacts must be 1000 to 5000000');
if (!Number.isInteger(M) || M < 0 || M > 20_000_000) throw new Error('--activity must be 0 to 20000000');
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 50) throw new Error('--runs must be 1 to 50');

const TENANT = '0190a3b4-0000-7000-8000-00000000b001';
const OTHER_TENANT = '0190a3b4-0000-7000-8000-00000000b002';
const campaignId = (n: number) => `0190a3b4-0000-7000-8000-${(0xc000 + n).toString(16).padStart(12, '0')}`;
const NOW = Date.now();
const DAY = 86_400_000;

// Deterministic data: mulberry32.
let state = Number(args.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(weighted: Array<[T, number]>): T => {
  let r = random() * weighted.reduce((s, [, w]) => s + w, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return (weighted[weighted.length - 1] as [T, number])[0];
};
const uuid = (): string => {
  const hex = (n: number) =>
    Math.floor(random() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(random() * 4)).toString(16)}${hex(3)}-${hex(6)}${hex(6)}`;
};

const TAGS: Array<[string, number]> = [
  ['newsletter', 0.3],
  ['fidelite', 0.25],
  ['promo', 0.2],
  ['inactif', 0.15],
  ['nouveau', 0.1],
  ['vip', 0.05],
  ['b2b', 0.03],
  ['etudiant', 0.03],
  ['senior', 0.03],
  ['famille', 0.03],
  ...Array.from({ length: 50 }, (_, i) => [`rare-${i}`, 0.002] as [string, number]),
];
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Lille', 'Nantes', 'Bordeaux', 'Toulouse', 'Nice', 'Rennes', 'Strasbourg', 'Montpellier', 'Reims', 'Dijon', 'Angers', 'Brest', 'Tours', 'Metz', 'Caen', 'Rouen', 'Grenoble'];
const consentOf = (weights: Array<[string, number]>) => pick(weights);
const iso = (ms: number) => new Date(ms).toISOString();
const copyText = (value: string | null) => (value === null ? '\\N' : value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));

function contactLine(tenantId: string, id: string, i: number): string {
  const hasPhone = random() < 0.92;
  const hasEmail = !hasPhone || random() < 0.55;
  const tags = TAGS.filter(([, p]) => random() < p).map(([t]) => t);
  const attributes: Record<string, unknown> = {};
  if (random() < 0.9) attributes.age = 18 + Math.floor(Math.min(67, Math.abs(random() + random() + random() - 1.5) * 45));
  if (random() < 0.6) attributes.loyalty_points = Math.floor(random() * random() * 5000);
  if (random() < 0.7) attributes.birthday = iso(Date.UTC(1940, 0, 1) + Math.floor(random() * 66 * 365.25) * DAY).slice(0, 10);
  if (random() < 0.8) attributes.city = CITIES[Math.floor(random() ** 2 * CITIES.length)];
  if (random() < 0.5) attributes.tier = pick([['Bronze', 60], ['Silver', 25], ['Gold', 12], ['Platinum', 3]]);
  if (random() < 0.7) attributes.has_card = random() < 0.4;
  const created = NOW - Math.floor(random() * 3 * 365 * DAY);
  const updated = created + Math.floor(random() * (NOW - created));
  const lastActivity = random() < 0.7 ? NOW - Math.floor(random() * 365 * DAY) : null;
  const row = [
    tenantId,
    id,
    hasPhone ? `+336${String(i).padStart(8, '0')}` : null,
    hasEmail ? `client${i}@example.test` : null,
    `Prénom${i % 997}`,
    `Nom${i % 7919}`,
    pick([['fr', 85], ['en', 8], ['es', 3], ['de', 2], ['it', 2]]),
    JSON.stringify(attributes),
    `{${tags.join(',')}}`,
    random() < 0.9 ? `P${String(Math.floor(random() ** 2 * 200)).padStart(3, '0')}` : null,
    consentOf([['granted', 60], ['refused', 5], ['withdrawn', 5], ['unknown', 30]]),
    consentOf([['granted', 40], ['refused', 5], ['withdrawn', 5], ['unknown', 50]]),
    consentOf([['granted', 10], ['unknown', 90]]),
    consentOf([['granted', 20], ['unknown', 80]]),
    iso(created),
    iso(updated),
    lastActivity === null ? null : iso(lastActivity),
  ];
  return `${row.map(copyText).join('\t')}\n`;
}

const CONTACT_COLUMNS = 'tenant_id, id, phone, email, first_name, last_name, language, attributes, tags, point_of_sale, consent_sms, consent_email, consent_whatsapp, consent_rcs, created_at, updated_at, last_activity_at';

// COPY … FROM STDIN through node-postgres' own connection (a minimal "submittable"): no extra package.
type Writer = (chunk: string) => Promise<void>;
interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}
class CopyIn {
  rows = 0;
  private error: Error | undefined;
  readonly done: Promise<number>;
  private settle!: { resolve: (n: number) => void; reject: (e: Error) => void };
  constructor(
    private readonly text: string,
    private readonly produce: (write: Writer) => Promise<void>,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    let buffer = '';
    const write: Writer = async (chunk) => {
      buffer += chunk;
      if (buffer.length < 1 << 20) return;
      connection.sendCopyFromChunk(Buffer.from(buffer));
      buffer = '';
      if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
    };
    this.produce(write).then(
      () => {
        if (buffer) connection.sendCopyFromChunk(Buffer.from(buffer));
        connection.endCopyFrom();
      },
      (error: Error) => connection.sendCopyFail(error.message),
    );
  }
  handleCommandComplete(message: { text: string }): void {
    this.rows = Number(message.text.split(' ')[1] ?? 0);
  }
  handleError(error: Error): void {
    this.error = error;
  }
  handleReadyForQuery(): void {
    if (this.error) this.settle.reject(this.error);
    else this.settle.resolve(this.rows);
  }
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}
async function copyIn(client: pg.Client, text: string, produce: (write: Writer) => Promise<void>): Promise<number> {
  const copy = new CopyIn(text, produce);
  client.query(copy as unknown as pg.QueryConfig);
  return copy.done;
}

// Definitions measured ------------------------------------------------------------------------

const DEFINITIONS: Array<{ name: string; definition: SegmentDefinition }> = [
  { name: 'single tag (vip)', definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } },
  {
    name: 'consent + tag (SMS granted, newsletter)',
    definition: { all: [{ type: 'consent', channel: 'sms', op: 'is', status: 'granted' }, { type: 'tag', op: 'has', tags: ['newsletter'] }] },
  },
  { name: 'attribute range (age 30–45)', definition: { all: [{ type: 'attribute', key: 'age', op: 'between', value: 30, to: 45 }] } },
  { name: 'behaviour (clicked within 30 days)', definition: { all: [{ type: 'activity', kind: 'clicked', withinDays: 30 }] } },
  {
    name: 'nested AND/OR, 6 conditions',
    definition: {
      all: [
        { type: 'consent', channel: 'sms', op: 'is', status: 'granted' },
        {
          any: [
            { type: 'tag', op: 'has', tags: ['vip'] },
            { type: 'attribute', key: 'tier', op: 'in', values: ['Gold', 'Platinum'] },
            { type: 'activity', kind: 'clicked', withinDays: 30 },
          ],
        },
        { any: [{ type: 'field', field: 'language', op: 'in', values: ['fr'] }, { type: 'attribute', key: 'city', op: 'in', values: ['Paris', 'Lyon'] }] },
      ],
    },
  },
  { name: 'behaviour ≥ 3 received in 90 days', definition: { all: [{ type: 'activity', kind: 'received', withinDays: 90, minCount: 3 }] } },
  { name: 'text contains (city "ille")', definition: { all: [{ type: 'attribute', key: 'city', op: 'contains', value: 'ille' }] } },
  { name: 'every contact ({ all: [] })', definition: { all: [] } },
];

function planNodes(plan: Record<string, unknown>, out: string[] = []): string[] {
  const type = `${plan['Parallel Aware'] ? 'Parallel ' : ''}${plan['Partial Mode'] && plan['Partial Mode'] !== 'Simple' ? `${plan['Partial Mode']} ` : ''}${String(plan['Node Type'])}`;
  const on = plan['Index Name'] ?? plan['Relation Name'];
  const workers = plan['Workers Planned'] ? ` ×${Number(plan['Workers Planned']) + 1}` : '';
  if (/Scan|Join|Aggregate|Hash$|Gather/.test(type)) out.push(`${on ? `${type} (${on})` : type}${workers}${plan['Subplan Name'] ? ` [${plan['Subplan Name']}]` : ''}`);
  for (const child of (plan.Plans as Array<Record<string, unknown>> | undefined) ?? []) planNodes(child, out);
  return out;
}

runBench('bench:segments', 60 * 60_000, async () => {
  console.log(`bench:segments — ${N.toLocaleString('en-US')} contacts, ${M.toLocaleString('en-US')} activity rows, ${RUNS} runs`);
  console.log(`machine: ${machineLine()}`);
  console.log(`code: ${codeState()}`);
  const dataDir = makeTempDir('sofy-bench-segments-');
  const cluster = new EmbeddedCluster({ dataDir, superuserPassword: 'bench-superuser' });
  await cluster.start();
  const admin = new pg.Client({ connectionString: cluster.connectionString() });
  await admin.connect();
  await admin.query('CREATE DATABASE sofy');
  await admin.end();
  const adminUrl = cluster.connectionString('postgres', 'bench-superuser', 'sofy');
  await migrate(adminUrl);
  const owner = new pg.Client({ connectionString: adminUrl, application_name: 'bench-segments-load' });
  await owner.connect();
  await owner.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD 'bench-app'`);
  const settings = await owner.query<{ name: string; setting: string; unit: string | null }>(
    "SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'effective_cache_size')",
  );
  console.log(`PostgreSQL: ${settings.rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`).join(', ')}`);

  // Load ----------------------------------------------------------------------------------------
  await owner.query(`INSERT INTO tenants (id, name) VALUES ($1, 'Bench'), ($2, 'Other')`, [TENANT, OTHER_TENANT]);
  for (const tenant of [TENANT, OTHER_TENANT]) {
    await owner.query(
      `INSERT INTO contact_attribute_definitions (tenant_id, key, label, type, choices) VALUES
         ($1, 'age', 'Âge', 'number', NULL), ($1, 'loyalty_points', 'Points', 'number', NULL), ($1, 'birthday', 'Anniversaire', 'date', NULL),
         ($1, 'city', 'Ville', 'text', NULL), ($1, 'tier', 'Niveau', 'choice', ARRAY['Bronze','Silver','Gold','Platinum']), ($1, 'has_card', 'Carte', 'boolean', NULL)`,
      [tenant],
    );
  }
  const ids: string[] = new Array(N);
  let t0 = performance.now();
  const loaded = await copyIn(owner, `COPY contacts (${CONTACT_COLUMNS}) FROM STDIN`, async (write) => {
    for (let i = 0; i < N; i++) {
      const id = uuid();
      ids[i] = id;
      await write(contactLine(TENANT, id, i));
    }
    for (let i = 0; i < 10_000; i++) await write(contactLine(OTHER_TENANT, uuid(), N + i));
  });
  const contactsS = (performance.now() - t0) / 1000;
  console.log(`COPY contacts: ${loaded.toLocaleString('en-US')} rows in ${contactsS.toFixed(1)} s (${fmt.int(loaded / contactsS)} rows/s, indexes of 0010/0012 in place)`);
  t0 = performance.now();
  const kinds: Array<[string, number]> = [['received', 74], ['clicked', 12], ['opened', 10], ['replied', 3], ['opted_out', 1]];
  const activityRows = await copyIn(owner, 'COPY contact_activity (tenant_id, contact_id, kind, channel, campaign_id, at) FROM STDIN', async (write) => {
    for (let i = 0; i < M; i++) {
      // 60 % of the activity on the most active fifth of the contacts.
      const index = random() < 0.6 ? Math.floor(random() * N * 0.2) : Math.floor(random() * N);
      const kind = pick(kinds);
      const channel = pick([['sms', 70], ['email', 25], ['rcs', 5]]);
      const campaign = random() < 0.9 ? campaignId(Math.floor(random() * 40)) : null;
      await write(`${TENANT}\t${ids[index]}\t${kind}\t${channel}\t${campaign ?? '\\N'}\t${iso(NOW - Math.floor(random() * 180 * DAY))}\n`);
    }
  });
  // A campaign's `received` is its recipients row (migration 0019), one per campaign and contact:
  // those rows move to campaign_recipients as the fan-out writes them.
  const moved = await owner.query(`
    WITH gone AS (DELETE FROM contact_activity WHERE kind = 'received' AND campaign_id IS NOT NULL RETURNING tenant_id, campaign_id, contact_id, at)
    INSERT INTO campaign_recipients (tenant_id, campaign_id, contact_id, variant, phase, address, message_id, message_created_at, created_at)
    SELECT DISTINCT ON (tenant_id, campaign_id, contact_id) tenant_id, campaign_id, contact_id, 'A', 'all', '+33600000000', gen_random_uuid(), at, at
      FROM gone ORDER BY tenant_id, campaign_id, contact_id, at`);
  const activityS = (performance.now() - t0) / 1000;
  console.log(`COPY contact_activity: ${activityRows.toLocaleString('en-US')} rows in ${activityS.toFixed(1)} s, of which campaign receipts moved to ${(moved.rowCount ?? 0).toLocaleString('en-US')} campaign_recipients rows`);
  for (const statement of args['try-sql'] ?? []) {
    t0 = performance.now();
    await owner.query(statement);
    console.log(`try-sql (${((performance.now() - t0) / 1000).toFixed(1)} s): ${statement}`);
  }
  t0 = performance.now();
  await owner.query('VACUUM ANALYZE contacts');
  await owner.query('VACUUM ANALYZE contact_activity');
  await owner.query('VACUUM ANALYZE campaign_recipients');
  console.log(`VACUUM ANALYZE: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const sizes = await owner.query<{ name: string; size: string }>(
    `SELECT c.relname AS name, pg_size_pretty(pg_relation_size(c.oid)) AS size FROM pg_class c
      WHERE c.relname IN ('contacts', 'contact_activity') OR c.relname IN (SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN ('contacts'::regclass, 'contact_activity'::regclass))
      ORDER BY pg_relation_size(c.oid) DESC`,
  );
  console.log(`sizes: ${sizes.rows.map((r) => `${r.name} ${r.size}`).join(', ')}`);
  await owner.end();

  // Measure -------------------------------------------------------------------------------------
  const appUrl = cluster.connectionString(APP_ROLE, 'bench-app', 'sofy');
  const pool = createPool({ connectionString: appUrl, max: 4, applicationName: 'bench-segments' });
  const db: Database = createKysely(pool);
  // The editor's service, with a time limit high enough to time every exact count (production: 3 s, then an estimate).
  const service = new SegmentsService(db, systemClock, { countTimeoutMs: 120_000 });
  const ctx: ServiceContext = {
    principal: { kind: 'api_key', keyId: 'bench', name: 'bench', prefix: 'sofy_bench', scopes: ['contacts:read'], tenant: { id: TENANT, name: 'Bench', status: 'active', statusReason: null } },
    actor: { type: 'system', id: 'bench', label: 'bench' },
    ip: null,
    requestId: null,
  };
  const baseline = async () => {
    const started = performance.now();
    const rows = await withTenant(db, TENANT, (tx) => sql<{ n: number }>`SELECT count(*) AS n FROM contacts WHERE tenant_id = ${TENANT}::uuid`.execute(tx));
    return { ms: performance.now() - started, count: Number(rows.rows[0]?.n) };
  };
  const measure = async (definition: SegmentDefinition) => {
    const started = performance.now();
    const result = await service.countDefinition(ctx, { definition });
    return { ms: performance.now() - started, count: result.count, approximate: result.approximate };
  };

  const plans = new Map<string, string>();
  for (const { name, definition } of DEFINITIONS) {
    await withTenant(db, TENANT, async (tx) => {
      // The plan the count endpoint runs: same settings, same compiled SQL and parameters.
      await applySegmentQuerySettings(tx);
      const prepared = await prepareSegment(tx, TENANT, { definition });
      const query = segmentsTx(tx).selectFrom('contacts as c').select((eb) => eb.fn.countAll().as('n')).where('c.tenant_id', '=', TENANT).where(prepared.where).compile();
      const { rows } = await tx.executeQuery<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
        CompiledQuery.raw(`EXPLAIN (FORMAT JSON${args.explain ? ', ANALYZE, BUFFERS' : ''}) ${query.sql}`, [...query.parameters]),
      );
      const plan = rows[0]?.['QUERY PLAN'][0]?.Plan ?? {};
      plans.set(name, [...new Set(planNodes(plan))].join(', '));
      if (args.explain) console.log(`\n${name}:\n${JSON.stringify(plan, null, 1).slice(0, 20_000)}`);
    });
  }

  console.log(`\nwarm-up round (not counted), load average ${machineLine().split('load average ')[1]}`);
  const warm = await baseline();
  console.log(`  baseline ${fmt.ms(warm.ms)}`);
  for (const { name, definition } of DEFINITIONS) console.log(`  ${name}: ${fmt.ms((await measure(definition)).ms)}`);

  const loadStart = machineLine().split('load average ')[1];
  const baselineMs: number[] = [];
  const times = new Map<string, number[]>(DEFINITIONS.map((d) => [d.name, []]));
  const counts = new Map<string, number>();
  let baselineCount = 0;
  let approximate = 0;
  for (let round = 0; round < RUNS; round++) {
    const b = await baseline();
    baselineMs.push(b.ms);
    baselineCount = b.count;
    for (const { name, definition } of DEFINITIONS) {
      const r = await measure(definition);
      times.get(name)?.push(r.ms);
      counts.set(name, r.count);
      if (r.approximate) approximate++;
    }
  }
  const loadEnd = machineLine().split('load average ')[1];
  const base = stats(baselineMs);
  console.log(`\nmeasured: ${RUNS} rounds, load average at start ${loadStart}, at end ${loadEnd}`);
  console.log(`baseline SELECT count(*) FROM contacts WHERE tenant_id = $1 → ${fmt.int(baselineCount)}: median ${fmt.ms(base.median)}, max ${fmt.ms(base.max)}\n`);
  const rows = DEFINITIONS.map(({ name }) => {
    const s = stats(times.get(name) ?? []);
    return [name, fmt.int(counts.get(name) ?? 0), fmt.ms(s.median), fmt.ms(s.max), fmt.x(s.median / base.median), s.max <= TARGET_MS ? 'yes' : 'NO'];
  });
  console.log(table(['definition', 'count', 'median', 'max', '÷ baseline', 'max ≤ 1 s'], [['baseline count(*)', fmt.int(baselineCount), fmt.ms(base.median), fmt.ms(base.max), '1.0×', base.max <= TARGET_MS ? 'yes' : 'NO'], ...rows]));
  console.log('\nplans (EXPLAIN, app role under RLS):');
  for (const [name, plan] of plans) console.log(`  ${name}: ${plan}`);
  if (approximate) console.log(`\n${approximate} counts came back approximate (time limit)`);
  const worst = Math.max(...DEFINITIONS.map(({ name }) => stats(times.get(name) ?? []).max));
  const medians = Math.max(...DEFINITIONS.map(({ name }) => stats(times.get(name) ?? []).median));
  console.log(`\nverdict: worst median ${fmt.ms(medians)}, worst max ${fmt.ms(worst)} → ${medians <= TARGET_MS ? 'PASS' : 'FAIL'} on medians, ${worst <= TARGET_MS ? 'PASS' : 'FAIL'} on every run`);
  await db.destroy();
  await cluster.stop();
  return 0;
});
