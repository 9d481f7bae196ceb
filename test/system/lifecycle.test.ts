import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processRuns as pidAlive } from '../../src/platform/db/embedded.ts';
import { apiKeyIn, type SofyProcess, sofyCli, startSofy } from '../support/sofy-process.ts';

/**
 * The quick start as a user lives it: `sofy start` on an empty data dir, a second start refused,
 * CLI commands beside the running server, kill -9 and a restart with no manual cleanup.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'sofy-lifecycle-'));
const running: SofyProcess[] = [];

afterAll(async () => {
  for (const process of running) await process.stop('SIGKILL');
  // A killed server leaves PostgreSQL running: stop it the way the next start would.
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      globalThis.process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});


describe('sofy start', () => {
  let demoKey: string;
  let cliKey: string;
  let first: SofyProcess;

  it('starts on an empty data dir, creates the demo tenant and prints how to sign in', async () => {
    first = await startSofy(dataDir);
    running.push(first);
    await first.waitReady();
    const output = first.output();
    expect(output).toContain('admin@demo.sofy.test');
    expect(output).toMatch(/one-time password:\s+\S{16}/);
    demoKey = apiKeyIn(output) as string;
    const me = await fetch(`${first.url}/v1/me`, { headers: { authorization: `Bearer ${demoKey}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { tenant: { name: string } }).tenant.name).toContain('démo');
  });

  it('refuses a second start on the same data dir with a clear message', async () => {
    const second = await startSofy(dataDir);
    running.push(second);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('owns the data directory');
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  });

  it('runs CLI commands against the running server’s database', async () => {
    const created = sofyCli(dataDir, ['tenants', 'create', '--name', 'Optique Martin', '--admin-email', 'owner@optique.test', '--json']);
    expect(created.status, created.stderr).toBe(0);
    const tenant = JSON.parse(created.stdout) as { tenantId: string; adminEmail: string; oneTimePassword: string; apiKey: string };
    expect(tenant).toMatchObject({ adminEmail: 'owner@optique.test', tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    cliKey = tenant.apiKey;
    const me = await fetch(`${first.url}/v1/me`, { headers: { authorization: `Bearer ${cliKey}` } });
    expect(((await me.json()) as { tenant: { id: string } }).tenant.id).toBe(tenant.tenantId);
    const verify = sofyCli(dataDir, ['audit', 'verify']);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('audit trail intact');
  });

  it('runs background jobs: `jobs run` beside the server, and `worker`/`scheduler` roles that stop cleanly', async () => {
    const listed = sofyCli(dataDir, ['jobs', 'list']);
    expect(listed.stdout).toContain('identity.sessions.purge');
    expect(listed.stdout).toContain('15 3 * * * (Europe/Paris)');
    const run = sofyCli(dataDir, ['jobs', 'run', 'platform.audit.verify']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('completed');
    for (const role of ['worker', 'scheduler']) {
      const process = await startSofy(dataDir, {}, role);
      running.push(process);
      const deadline = Date.now() + 30_000;
      while (!process.output().includes(`${role} running`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(process.output()).toContain(`${role} running: identity.sessions.purge, platform.audit.verify, messaging.housekeeping`);
      expect(await process.stop('SIGINT')).toBe(0);
    }
  });

  it('survives kill -9: the next start takes over the orphaned database, keeps every row, needs no cleanup', async () => {
    const postmasterPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    await first.stop('SIGKILL');
    expect(pidAlive(postmasterPid)).toBe(true); // PostgreSQL outlives the killed server

    const restarted = await startSofy(dataDir);
    running.push(restarted);
    await restarted.waitReady();
    expect(restarted.output()).not.toContain('Demo tenant created');
    expect(pidAlive(postmasterPid)).toBe(false);
    for (const key of [demoKey, cliKey]) {
      const me = await fetch(`${restarted.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      expect(me.status).toBe(200);
    }
    const tenants = sofyCli(dataDir, ['tenants', 'list', '--json']);
    expect((JSON.parse(tenants.stdout) as unknown[]).length).toBe(2);

    expect(await restarted.stop('SIGINT')).toBe(0);
    expect(existsSync(join(dataDir, 'sofy.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('runs CLI commands with no server, starting and stopping the database itself', async () => {
    const list = sofyCli(dataDir, ['tenants', 'list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain('Optique Martin');
    expect(existsSync(join(dataDir, 'sofy.lock'))).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('reports bad configuration with the variable’s name and exits 1', () => {
    const result = sofyCli(dataDir, ['tenants', 'list'], { PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT: must be a whole number');
    expect(result.stderr).toContain('DATABASE_URL: must be a URL starting with postgres:// or postgresql://');
  });
});
