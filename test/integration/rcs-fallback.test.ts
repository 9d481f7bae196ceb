import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, createTenant, json, type TenantFixture } from '../support/platform.ts';

/**
 * RCS time to live: a message still undelivered when its TTL runs out is revoked by Google (the
 * simulator, on its own clock here) and goes out as SMS (issue 3, "TTL expiry → revoke → fallback").
 */
const sandboxClock = new FixedClock(new Date());
let h: MessagingHarness;
let tenant: TenantFixture;

beforeAll(async () => {
  h = await startMessaging({ sandboxClock });
  tenant = await createTenant(h.platform);
});

afterAll(async () => {
  await h?.close();
});

type Message = { id: string; status: string; channel: string; fellBack: boolean; history: Array<{ status: string; detail: Record<string, unknown> }> };

describe('RCS time to live', () => {
  it('sends the SMS fallback when the RCS message expires undelivered', async () => {
    const accepted = json<Message>(
      await h.platform.app.inject({ method: 'POST', url: '/v1/messages', headers: bearer(tenant.apiKey), payload: { channel: 'rcs', route: 'alert', to: '+33612340777', text: 'Votre retrait est prêt', ttlSeconds: 120 } }),
    );
    const get = async () => json<Message>(await h.platform.app.inject({ url: `/v1/messages/${accepted.id}`, headers: bearer(tenant.apiKey) }));
    await eventually(async () => (await get()).status === 'submitted', 'the RCS submit');
    sandboxClock.advance(121_000);
    const expired = await h.sandbox.rcs.expireDue();
    expect(expired.map((record) => record.to)).toContain('+33612340777');
    const done = await eventually(async () => {
      const message = await get();
      // The number ends in 0777 for the RCS simulator ("never delivered"), which the SMS simulator
      // also treats as magic (EXPIRED receipt): the SMS leaves and gets its own final receipt.
      return ['delivered', 'expired'].includes(message.status) && message.channel === 'sms' ? message : undefined;
    }, 'the SMS fallback').catch(async (error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(await get())} webhooks: ${JSON.stringify(h.sandbox.rcs.webhooks().slice(-2))}`);
    });
    expect(done).toMatchObject({ channel: 'sms', fellBack: true });
    expect(done.history.map((step) => `${step.status}:${step.detail.connector ?? step.detail.reason ?? ''}`)).toEqual([
      'queued:', 'submitted:rcs', 'queued:rcs_ttl_expired', 'submitted:smpp', `${done.status}:`,
    ]);
    expect(done.history.some((step) => step.detail.reason === 'rcs_ttl_expired')).toBe(true);
    expect(h.sandbox.smsc.inbox('33612340777').map((m) => m.text)).toContain('Votre retrait est prêt');
  });
});
