import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/channels/types.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import type { ClaimedMessage, Connector } from '../../src/modules/messaging/connectors.ts';
import { Dispatcher, Router } from '../../src/modules/messaging/index.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * Routing: a route's connectors are tried in priority order; a retryable failure whose outcome is
 * known moves on to the next connector (failover), an unknown outcome does not (no duplicate).
 * Two in-process connectors stand for two SMSC links; the database and the dispatcher are real.
 */
class ScriptedConnector implements Connector {
  readonly channel = 'sms' as const;
  readonly sent: string[] = [];
  constructor(
    readonly id: string,
    private readonly answer: (message: ClaimedMessage) => SendResult,
  ) {}
  async send(message: ClaimedMessage): Promise<SendResult> {
    this.sent.push(message.id);
    return this.answer(message);
  }
  status() {
    return { id: this.id, channel: 'sms' as const, state: 'bound', counters: { sent: this.sent.length } };
  }
  async stop(): Promise<void> {}
}

let platform: TestPlatform;
let tenant: TenantFixture;

beforeAll(async () => {
  platform = await createTestPlatform();
  tenant = await createTenant(platform);
});

afterAll(async () => {
  await platform?.close();
});

const accept = async (text: string) =>
  json<{ id: string }>(await platform.app.inject({ method: 'POST', url: '/v1/messages', headers: bearer(tenant.apiKey), payload: { channel: 'sms', route: 'alert', to: '+33612345671', text } })).id;

const row = (id: string) =>
  withTenant(platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select(['status', 'connector', 'provider_id', 'error_code']).where('id', '=', id).executeTakeFirstOrThrow());

describe('failover', () => {
  it('sends through the secondary connector when the primary is throttled', async () => {
    const primary = new ScriptedConnector('smpp:primary', () => ({ ok: false, error: { code: 'smpp_throttled', message: 'throttled', retryable: true, attribution: 'operator' } }));
    const secondary = new ScriptedConnector('smpp:backup', (m) => ({ ok: true, providerId: `backup-${m.id}` }));
    const router = new Router([
      { connector: primary, route: '*', countries: '*', priority: 1 },
      { connector: secondary, route: '*', countries: '*', priority: 2 },
    ]);
    const id = await accept('Code 1');
    await new Dispatcher(platform.database.db, router, systemClock, { workerId: 'failover' }).dispatchOnce();
    expect(primary.sent).toContain(id);
    expect(secondary.sent).toContain(id);
    expect(await row(id)).toMatchObject({ status: 'submitted', connector: 'smpp:backup', provider_id: `backup-${id}` });
  });

  it('does not fail over when the primary may have sent it (outcome unknown), and retries the alert later', async () => {
    const primary = new ScriptedConnector('smpp:primary', () => ({ ok: false, error: { code: 'smpp_timeout', message: 'no answer', retryable: true, outcomeUnknown: true, attribution: 'operator' } }));
    const secondary = new ScriptedConnector('smpp:backup', (m) => ({ ok: true, providerId: `backup-${m.id}` }));
    const router = new Router([
      { connector: primary, route: '*', countries: '*', priority: 1 },
      { connector: secondary, route: '*', countries: '*', priority: 2 },
    ]);
    const id = await accept('Code 2');
    await new Dispatcher(platform.database.db, router, systemClock, { workerId: 'failover' }).dispatchOnce();
    expect(secondary.sent).not.toContain(id);
    expect(await row(id)).toMatchObject({ status: 'queued', error_code: 'smpp_timeout' });
  });

  it('serves a route only with the connectors declared for it', () => {
    const alerts = new ScriptedConnector('smpp:alerts', () => ({ ok: true, providerId: 'x' }));
    const marketing = new ScriptedConnector('smpp:mkt', () => ({ ok: true, providerId: 'y' }));
    const router = new Router([
      { connector: marketing, route: 'marketing', countries: ['FR'], priority: 1 },
      { connector: alerts, route: 'alert', countries: '*', priority: 1 },
    ]);
    expect(router.candidates('sms', 'alert', 'FR').map((c) => c.id)).toEqual(['smpp:alerts']);
    expect(router.candidates('sms', 'marketing', 'FR').map((c) => c.id)).toEqual(['smpp:mkt']);
    expect(router.candidates('sms', 'marketing', 'BE')).toEqual([]);
  });
});
