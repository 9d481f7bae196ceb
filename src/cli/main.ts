import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { createApiServer, createJobRunner, createMessagingRuntime, createPlatform, type Platform, providerEndpoints, startSandbox } from '../app.ts';
import { verifyAuditTrail } from '../platform/audit/audit.ts';
import type { RequestContext } from '../platform/audit/audit.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { DataDirLockedError } from '../platform/db/datadir-lock.ts';
import { migrate } from '../platform/db/migrate.ts';
import { withOperator } from '../platform/db/tenant-context.ts';
import { createApiKeyInTx, createUserInTx, OPERATOR_ROLES, revokeApiKeyInTx, TENANT_ROLES } from '../modules/identity/index.ts';
import { SmppGateway } from '../modules/messaging/index.ts';
import { ensureDemo } from './demo.ts';

/** Everything the CLI changes is audited as the `system` actor: whoever has the data dir or the database. */
const CLI_OPERATOR = 'system:cli';
const cliContext = (): RequestContext => ({ actor: { type: 'system', id: 'cli', label: `cli:${safeUser()}@${hostname()}` }, ip: null, requestId: null });

const USAGE = `sofy — the SOFY platform

Usage: sofy <command> [options]

Run:
  start                     everything in one process: database (embedded unless DATABASE_URL),
                            API and console, demo tenant on first start
  api                       the HTTP API and console only (scale out: run several)
  worker                    background job handlers (scale out: run several)
  scheduler                 turns schedules into jobs, job maintenance (run one or two)
  migrate                   apply database migrations and exit

Administration (works whether or not a server is running):
  tenants create --name NAME [--admin-email EMAIL] [--json]
  tenants list [--json]
  tenants suspend ID --kind nonpayment|fraud --reason TEXT
  tenants reactivate ID --reason TEXT
  users create --email EMAIL --name NAME --role ROLE (--tenant ID | --operator) [--json]
  apikeys create --tenant ID --name NAME --scopes a,b,c [--allowed-ips 1.2.3.4,10.0.0.0/8] [--json]
  apikeys revoke --tenant ID KEY_ID
  audit verify [--json]
  jobs list
  jobs run NAME             enqueue a job now and wait for its result

Configuration is read from the environment: see README.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  switch (command) {
    case 'start':
      return serve(config, 'start');
    case 'api':
      return serve(config, 'api');
    case 'worker':
    case 'scheduler':
      return runJobs(config, command);
    case 'migrate': {
      const platform = await createPlatform(config, { role: 'migrate', migrate: false });
      try {
        const result = await migrate(platform.database.adminUrl, (line) => console.log(line));
        console.log(result.applied.length ? `applied ${result.applied.length} migration(s)` : `database up to date (${result.alreadyApplied} migrations)`);
      } finally {
        await platform.close();
      }
      return 0;
    }
    case 'tenants':
    case 'users':
    case 'apikeys':
    case 'audit':
    case 'jobs':
      return withPlatform(config, (platform) => admin(platform, command, rest));
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function serve(config: ReturnType<typeof loadConfig>, role: 'start' | 'api'): Promise<number> {
  const started = performance.now();
  const platform = await createPlatform(config, { role, exclusive: role === 'start', log: (line) => console.log(`[sofy] ${line}`) });
  // `start` runs everything: the simulators (sandbox mode), the dispatcher and the jobs; `api` only
  // serves requests and receives provider callbacks.
  const runsAll = role === 'start';
  const simulated = runsAll && config.messaging.sandbox ? await startSandbox(config, `http://127.0.0.1:${config.port}`) : undefined;
  // R-VAT: in sandbox mode VAT numbers are checked with the VIES simulator (unless SOFY_VIES_URL names another).
  if (simulated && !config.billing.viesUrl) platform.services.billing.pointViesAt(simulated.sandbox.vies.url);
  const logLine = (line: string, fields?: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), msg: line, ...fields }));
  const runtime = createMessagingRuntime(platform, {
    endpoints: simulated?.endpoints ?? providerEndpoints(config),
    dispatch: runsAll && config.messaging.dispatch,
    workerId: `${hostname()}:${process.pid}`,
    log: logLine,
  });
  const app = await createApiServer(platform, { runtime, ...(simulated ? { sandbox: simulated.sandbox } : {}) });
  const jobs = runsAll ? createJobRunner(platform, 'all', (line, fields) => app.log.info(fields ?? {}, line)) : undefined;
  // SOFY as an SMSC for tenants' SMPP clients (docs/smpp.md).
  const g = config.messaging.smppGateway;
  const gateway = g.enabled
    ? new SmppGateway({ db: platform.database.db, messaging: platform.services.messaging, clock: platform.clock, pool: platform.database.pool, host: g.host, port: g.port, throughput: g.throughput, window: g.window, logger: app.log.child({ module: 'smpp-gateway' }) })
    : undefined;
  let stopping = false;
  let jobsStarting: Promise<void> | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[sofy] ${signal}: stopping (finishing requests in flight)…`);
    await gateway?.stop().catch(() => {});
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await app.close().catch(() => {});
    await runtime.stop().catch(() => {});
    await jobsStarting?.catch(() => {});
    await jobs?.stop().catch(() => {});
    await simulated?.sandbox.stop().catch(() => {});
    await platform.close().catch(() => {});
    console.log('[sofy] stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const demo = role === 'start' && config.demo ? await ensureDemo(platform, cliContext()) : undefined;
  await app.listen({ port: config.port, host: config.host });
  const smppAddress = await gateway?.start();
  platform.database.lock?.update({ httpUrl: config.publicUrl });
  const address = app.server.address();
  if (simulated && typeof address === 'object' && address) {
    const apiUrl = `http://127.0.0.1:${address.port}`;
    simulated.sandbox.whatsapp.setCallbackUrl(`${apiUrl}/webhooks/whatsapp`);
    simulated.sandbox.rcs.setCallbackUrl(`${apiUrl}/webhooks/rcs`);
  }
  runtime.start();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n  SOFY is running (${role}, ready in ${seconds} s)`);
  console.log(`  Console:     ${config.publicUrl}/`);
  console.log(`  API docs:    ${config.publicUrl}/docs`);
  console.log(`  Database:    ${config.databaseUrl ? 'external PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL in ${config.dataDir}`}`);
  if (smppAddress) console.log(`  SMPP:        smpp://${smppAddress.host}:${smppAddress.port} (your SMPP clients; credentials per API key)`);
  if (simulated) {
    const e = simulated.endpoints;
    console.log(`  Sandbox:     SMSC smpp://${e.smpp.host}:${e.smpp.port}, SMTP ${e.smtp.host}:${e.smtp.port}, WhatsApp ${e.whatsapp.baseUrl}, RCS ${e.rcs.baseUrl}`);
    console.log('               (numbers ending 0666 are undelivered, 0444 throttled, 0222 never answered; see docs/sandbox.md)');
  }
  if (demo) {
    console.log('\n  Demo tenant created. Sign in to the console with:');
    console.log(`    email:              ${demo.admin.email}`);
    console.log(`    one-time password:  ${demo.admin.oneTimePassword}   (you will choose a new one, then set up MFA)`);
    console.log(`    API key:            ${demo.apiKey}`);
    console.log(`    try:                curl -H "Authorization: Bearer ${demo.apiKey}" ${config.publicUrl}/v1/me`);
    console.log('  SOFY operator console:');
    console.log(`    email:              ${demo.operator.email}`);
    console.log(`    one-time password:  ${demo.operator.oneTimePassword}`);
    console.log('  These are shown once. Lost them? `npm run sofy -- tenants create --name "Other" --json`.');
  }
  console.log('');
  // A Ctrl-C while the job runner starts must still end in a clean stop (exit 0, lock released).
  jobsStarting = jobs?.start();
  await jobsStarting?.catch((error: unknown) => {
    if (!stopping) throw error;
  });
  return new Promise<number>(() => {}); // runs until a signal
}

async function runJobs(config: ReturnType<typeof loadConfig>, role: 'worker' | 'scheduler'): Promise<number> {
  const platform = await createPlatform(config, { role, log: (line) => console.log(`[sofy] ${line}`) });
  const logLine = (line: string, fields?: Record<string, unknown>) => console.log(JSON.stringify({ time: new Date().toISOString(), msg: line, ...fields }));
  const jobs = createJobRunner(platform, role, logLine);
  // Workers also dispatch messages and deliver webhooks.
  const runtime = role === 'worker' ? createMessagingRuntime(platform, { endpoints: providerEndpoints(config), dispatch: config.messaging.dispatch, workerId: `${hostname()}:${process.pid}`, log: logLine }) : undefined;
  runtime?.start();
  await jobs.start();
  const stop = async (signal: string) => {
    console.log(`[sofy] ${signal}: stopping the ${role} (finishing jobs in progress)…`);
    await runtime?.stop().catch(() => {});
    await jobs.stop().catch(() => {});
    await platform.close().catch(() => {});
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  console.log(`[sofy] ${role} running: ${jobs.definitions.map((d) => d.name).join(', ')}`);
  return new Promise<number>(() => {
    setInterval(() => {}, 1 << 30); // pg-boss polls; this keeps the role alive until a signal
  });
}

async function withPlatform(config: ReturnType<typeof loadConfig>, work: (platform: Platform) => Promise<number>): Promise<number> {
  const platform = await createPlatform(config, { role: 'cli' });
  try {
    return await work(platform);
  } finally {
    await platform.close();
  }
}

async function admin(platform: Platform, command: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string' },
      operator: { type: 'boolean' },
      scopes: { type: 'string' },
      'allowed-ips': { type: 'string' },
      kind: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [action, target] = positionals;
  const json = values.json === true;
  const out = (data: unknown, text: string) => console.log(json ? JSON.stringify(data, null, 2) : text);
  const require = (name: keyof typeof values): string => {
    const value = values[name];
    if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${name} is required`);
    return value;
  };
  const { tenantAdmin } = platform.services;
  const { db } = platform.database;
  const now = platform.clock.now();

  switch (`${command} ${action ?? ''}`.trim()) {
    case 'tenants create': {
      const created = await tenantAdmin.create(cliContext(), CLI_OPERATOR, { name: require('name'), adminEmail: values['admin-email'] });
      out(
        { tenantId: created.tenant.id, name: created.tenant.name, adminEmail: created.admin.email, oneTimePassword: created.admin.oneTimePassword, apiKey: created.apiKey },
        `tenant ${created.tenant.id} "${created.tenant.name}"\nowner: ${created.admin.email} / one-time password ${created.admin.oneTimePassword}\nAPI key (shown once): ${created.apiKey}`,
      );
      return 0;
    }
    case 'tenants list': {
      const tenants = await tenantAdmin.list(CLI_OPERATOR, {});
      out(tenants, tenants.map((t) => `${t.id}  ${t.status.padEnd(20)}  ${t.name}`).join('\n') || 'no tenants');
      return 0;
    }
    case 'tenants suspend': {
      const kind = require('kind');
      if (kind !== 'nonpayment' && kind !== 'fraud') throw new UsageError('--kind must be nonpayment or fraud');
      const tenant = await tenantAdmin.suspend(cliContext(), CLI_OPERATOR, requireTarget(target, 'tenant id'), kind, require('reason'));
      out(tenant, `tenant ${tenant.id} is now ${tenant.status}`);
      return 0;
    }
    case 'tenants reactivate': {
      const tenant = await tenantAdmin.changeStatus(cliContext(), CLI_OPERATOR, requireTarget(target, 'tenant id'), 'active', require('reason'));
      out(tenant, `tenant ${tenant.id} is now ${tenant.status}`);
      return 0;
    }
    case 'users create': {
      const role = require('role');
      const tenantId = values.operator ? null : require('tenant');
      const allowed: readonly string[] = tenantId ? TENANT_ROLES : OPERATOR_ROLES;
      if (!allowed.includes(role)) throw new UsageError(`--role must be one of ${allowed.join(', ')}`);
      const created = await withOperator(db, CLI_OPERATOR, (tx) => createUserInTx(tx, cliContext(), tenantId, { email: require('email'), name: require('name'), role }, now), tenantId ?? undefined);
      out(
        { userId: created.user.id, email: created.user.email, role, tenantId, oneTimePassword: created.oneTimePassword },
        `user ${created.user.email} (${role}) created; one-time password: ${created.oneTimePassword}`,
      );
      return 0;
    }
    case 'apikeys create': {
      const tenantId = require('tenant');
      const scopes = require('scopes').split(',').map((s) => s.trim()).filter(Boolean);
      const allowedIps = values['allowed-ips']?.split(',').map((s) => s.trim()).filter(Boolean);
      const created = await withOperator(db, CLI_OPERATOR, (tx) => createApiKeyInTx(tx, cliContext(), tenantId, { name: require('name'), scopes, allowedIps }, null, now), tenantId);
      out({ ...created.apiKey, secret: created.secret }, `API key ${created.apiKey.prefix} created (shown once): ${created.secret}`);
      return 0;
    }
    case 'apikeys revoke': {
      const tenantId = require('tenant');
      const keyId = requireTarget(target, 'key id');
      await withOperator(db, CLI_OPERATOR, (tx) => revokeApiKeyInTx(tx, cliContext(), tenantId, keyId, null, now), tenantId);
      out({ revoked: keyId }, `API key ${keyId} revoked`);
      return 0;
    }
    case 'jobs list': {
      const runner = createJobRunner(platform, 'client', () => {});
      out(
        runner.definitions.map((d) => ({ name: d.name, description: d.description, schedule: d.schedule ?? null })),
        runner.definitions.map((d) => `${d.name.padEnd(28)} ${(d.schedule ? `${d.schedule.cron} (${d.schedule.tz})` : 'on demand').padEnd(32)} ${d.description}`).join('\n'),
      );
      return 0;
    }
    case 'jobs run': {
      const name = requireTarget(target, 'job name');
      const runner = createJobRunner(platform, 'worker', () => {});
      if (!runner.definitions.some((d) => d.name === name)) throw new UsageError(`unknown job ${name} (see: sofy jobs list)`);
      await runner.start();
      try {
        const id = await runner.send(name);
        if (!id) throw new Error(`job ${name} was not queued`);
        const result = await runner.waitFor(name, id);
        out(result, `${name}: ${result.state} ${JSON.stringify(result.output)}`);
        return result.state === 'completed' ? 0 : 1;
      } finally {
        await runner.stop();
      }
    }
    case 'audit verify': {
      const reports = await verifyAuditTrail(db);
      const broken = reports.filter((r) => !r.ok);
      out(
        { ok: broken.length === 0, chains: reports },
        [
          ...reports.map((r) => `${r.ok ? 'ok    ' : 'BROKEN'}  ${r.chain}  ${r.entries} entries${r.problem ? `  — at seq ${r.problem.seq}: ${r.problem.reason}` : ''}`),
          broken.length ? `${broken.length} chain(s) broken` : `audit trail intact (${reports.length} chains)`,
        ].join('\n'),
      );
      return broken.length ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command "${command} ${action ?? ''}"`);
  }
}

class UsageError extends Error {}

function requireTarget(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`give the ${what}`);
  return value;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof UsageError) {
      console.error(`sofy: ${error.message}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    }
    const appError = error as { code?: string; message?: string; errors?: Array<{ path: string; message: string }> };
    if (appError && typeof appError.code === 'string' && appError.message) {
      console.error(`sofy: ${appError.message}${appError.errors ? `\n${appError.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')}` : ''}`);
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
