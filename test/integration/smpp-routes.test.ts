import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { SandboxSmsc } from '../../src/sandbox/smsc/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, createTenant, json, type TenantFixture } from '../support/platform.ts';

/**
 * Routes from the configuration (`SOFY_SMPP_ROUTES`): two real SMPP binds to two simulated
 * operators, French numbers through the first, the rest through the second, receipts matched per
 * connector; and DKIM from `SOFY_DKIM_*` on the email that reaches the sandbox mailbox.
 */
let harness: MessagingHarness;
let tenant: TenantFixture;
const backup = new SandboxSmsc({ systemId: 'sofy-backup', password: 'backup-secret' });

beforeAll(async () => {
  const { port } = await backup.start();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  harness = await startMessaging({
    env: {
      SOFY_SMPP_ROUTES: JSON.stringify([
        { id: 'operator-fr', route: '*', countries: ['FR'], priority: 1 },
        { id: 'operator-intl', url: `smpp://sofy-backup:backup-secret@127.0.0.1:${port}`, window: 20, throughput: 500, priority: 2 },
      ]),
      SOFY_DKIM_DOMAIN: 'sofy.localhost',
      SOFY_DKIM_SELECTOR: 'sofy1',
      SOFY_DKIM_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  });
  tenant = await createTenant(harness.platform);
});

afterAll(async () => {
  await harness?.close();
  await backup.stop();
});

const send = async (payload: Record<string, unknown>) =>
  json<{ id: string }>(await harness.platform.app.inject({ method: 'POST', url: '/v1/messages', headers: bearer(tenant.apiKey), payload })).id;

const messageRow = (id: string) =>
  withTenant(harness.platform.database.db, tenant.tenantId, (tx) => tx.selectFrom('messages').select(['status', 'connector']).where('id', '=', id).executeTakeFirstOrThrow());

describe('SMPP routes from the configuration', () => {
  it('sends each destination through its operator and records each operator’s receipts', async () => {
    const french = await send({ channel: 'sms', route: 'alert', to: '+33612345671', text: 'Votre code est 123456' });
    const belgian = await send({ channel: 'sms', route: 'alert', to: '+32470123451', text: 'Uw code is 654321' });
    const frenchRow = await eventually(async () => {
      const row = await messageRow(french);
      return row.status === 'delivered' && row;
    }, 'the French SMS delivered');
    const belgianRow = await eventually(async () => {
      const row = await messageRow(belgian);
      return row.status === 'delivered' && row;
    }, 'the Belgian SMS delivered');
    expect(frenchRow.connector).toBe('operator-fr');
    expect(belgianRow.connector).toBe('operator-intl');
    expect(harness.sandbox.smsc.inbox('+33612345671').map((m) => m.text)).toContain('Votre code est 123456');
    expect(backup.inbox('+32470123451').map((m) => m.text)).toContain('Uw code is 654321');
    expect(backup.inbox('+33612345671')).toHaveLength(0);
  });

  it('shows both binds among the routes', async () => {
    const ids = harness.runtime.router.connectors().map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['operator-fr', 'operator-intl', 'smtp', 'whatsapp', 'rcs']));
    expect(ids).not.toContain('smpp');
  });

  it('signs outgoing email with the configured DKIM key', async () => {
    await send({ channel: 'email', route: 'alert', to: 'client-dkim@example.com', subject: 'Votre commande', text: 'Elle est prête.' });
    const mail = await eventually(async () => harness.sandbox.smtp.inbox('client-dkim@example.com')[0], 'the email in the sandbox mailbox');
    const signature = mail.headers['dkim-signature'];
    expect(signature).toMatch(/d=sofy\.localhost/);
    expect(signature).toMatch(/s=sofy1/);
  });
});
