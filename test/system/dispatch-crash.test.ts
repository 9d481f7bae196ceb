import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxSmsc } from '../../src/sandbox/smsc/index.ts';
import { apiKeyIn, type SofyProcess, startSofy } from '../support/sofy-process.ts';

/**
 * A dispatcher killed with kill -9 in the middle of sending loses nothing, and sends nothing twice
 * that had a known outcome (issue 3). Real processes: `sofy api` takes the messages, two `sofy
 * worker`s dispatch them to an SMSC simulator over SMPP; the first is killed mid-flight.
 */
const MESSAGES = 3000;
const dataDir = mkdtempSync(join(tmpdir(), 'sofy-crash-'));
const smsc = new SandboxSmsc({ host: '127.0.0.1', port: 0, systemId: 'sofy', password: 'sandbox', receiptDelayMs: 5, inboxSize: 10 });
const processes: SofyProcess[] = [];
let api: SofyProcess;
let key: string;
let env: Record<string, string>;

type Page = { data: Array<{ id: string; to: string; status: string; attempts: number }>; nextCursor: string | null };

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${api.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return response.json() as Promise<unknown>;
}

const pending = async () => {
  let total = 0;
  for (const status of ['queued', 'sending', 'submitted']) total += ((await call(`/v1/messages?status=${status}&limit=1`)) as Page).data.length;
  return total;
};

beforeAll(async () => {
  const { port } = await smsc.start();
  env = { SOFY_SANDBOX: 'false', SOFY_SMPP_URL: `smpp://sofy:sandbox@127.0.0.1:${port}`, SOFY_RATE_LIMIT_API_KEY: '1000000', SOFY_DISPATCH_LEASE_SECONDS: '5' };
  api = await startSofy(dataDir, env, 'api');
  processes.push(api);
  await api.waitReady();
  // `sofy api` creates no demo tenant: make one with the CLI.
  const { sofyCli } = await import('../support/sofy-process.ts');
  const created = sofyCli(dataDir, ['tenants', 'create', '--name', 'Crash test', '--json'], env);
  key = (JSON.parse(created.stdout) as { apiKey: string }).apiKey;
  expect(apiKeyIn(key)).toBe(key);
});

afterAll(async () => {
  for (const child of processes) await child.stop('SIGKILL');
  await smsc.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kill -9 of a dispatcher', () => {
  it('loses no message, and only messages whose outcome was unknown are sent again', { timeout: 240_000 }, async () => {
    // Numbers end in 1: no "magic" sandbox number (…0666 undelivered, …0888 dropped…) among them.
    for (let offset = 0; offset < MESSAGES; offset += 1000) {
      const messages = Array.from({ length: 1000 }, (_, i) => ({ channel: 'sms', route: 'alert', to: `+3361${String(offset + i).padStart(6, '0')}1`, text: `Code ${offset + i}` }));
      const accepted = (await call('/v1/messages/batch', { method: 'POST', body: JSON.stringify({ messages }) })) as { accepted: number };
      expect(accepted.accepted).toBe(1000);
    }

    const first = await startSofy(dataDir, env, 'worker');
    processes.push(first);
    const deadline = Date.now() + 60_000;
    while (smsc.stats.submits < MESSAGES / 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await first.stop('SIGKILL');
    const submittedBeforeKill = smsc.stats.submits;
    expect(submittedBeforeKill).toBeGreaterThan(0);
    expect(submittedBeforeKill).toBeLessThan(MESSAGES);

    const second = await startSofy(dataDir, env, 'worker');
    processes.push(second);
    const finish = Date.now() + 60_000;
    while ((await pending()) > 0 && Date.now() < finish) await new Promise((r) => setTimeout(r, 250));
    if ((await pending()) > 0) {
      const stuck: unknown[] = [];
      for (const status of ['queued', 'sending', 'submitted']) {
        for (const m of ((await call(`/v1/messages?status=${status}&limit=5`)) as Page).data) stuck.push(await call(`/v1/messages/${m.id}`));
      }
      const copies = smsc.allMessages().filter((x) => stuck.some((s) => (s as { to: string }).to.slice(1) === x.to.replace(/^\+/, '')));
      throw new Error(`still pending: ${JSON.stringify(stuck, null, 1)}\nat the SMSC: ${JSON.stringify(copies)}\nworker: ${second.output().slice(-1500)}`);
    }

    // Every message reached an outcome (nothing lost)…
    const messages: Page['data'] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = (await call(`/v1/messages?limit=200${cursor ? `&cursor=${cursor}` : ''}`)) as Page;
      messages.push(...page.data);
      cursor = page.nextCursor;
    }
    expect(messages).toHaveLength(MESSAGES);
    expect(messages.every((m) => m.status === 'delivered')).toBe(true);

    // …and the network got each message once, except those a dead dispatcher held without a
    // recorded outcome: alerts are sent again by policy, and only they can appear twice.
    const copies = new Map<string, number>();
    for (const received of smsc.allMessages()) if (received.direction === 'mt') copies.set(received.to.replace(/^\+/, ''), (copies.get(received.to.replace(/^\+/, '')) ?? 0) + 1);
    let duplicates = 0;
    for (const message of messages) {
      const count = copies.get(message.to.slice(1)) ?? 0;
      expect(count, message.to).toBeGreaterThanOrEqual(1);
      if (count > 1) {
        duplicates++;
        expect(message.attempts, `${message.to} was sent twice without a recovery`).toBeGreaterThan(1);
      }
    }
    expect(duplicates).toBeLessThan(MESSAGES / 2);
  });
});
