import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../platform/clock.ts';
import { SANDBOX_PHONE_NUMBER_ID, SANDBOX_WABA_ID, SandboxWhatsAppCloud } from '../../sandbox/whatsapp/index.ts';
import { parseTemplateStatusUpdates, parseWebhook, verifySignature, WhatsAppCloudConnector, WhatsAppTemplatesClient, type WaTemplateDefinition } from './index.ts';

const APP_SECRET = 'test-app-secret';

/** Our side of the webhook: keeps the raw bodies and answers 200 to good signatures. */
async function startReceiver() {
  const received: Array<{ raw: Buffer; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ raw, headers: req.headers });
      res.writeHead(verifySignature(raw, req.headers['x-hub-signature-256'], APP_SECRET) ? 200 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    received,
    updates: () => received.flatMap((r) => parseTemplateStatusUpdates(JSON.parse(r.raw.toString('utf8')), r.raw.toString('utf8'))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const rdv = (name = 'rappel_rdv', language = 'fr'): WaTemplateDefinition => ({
  name,
  language,
  category: 'UTILITY',
  components: [{ type: 'BODY', text: 'Bonjour {{1}}, votre rendez-vous est le {{2}}.', example: { body_text: [['Léa', 'mardi 11 mars']] } }],
});

describe('WhatsAppTemplatesClient against the sandbox Business Management API', () => {
  let clock: FixedClock;
  let sandbox: SandboxWhatsAppCloud;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let templates: WhatsAppTemplatesClient;

  beforeEach(async () => {
    clock = new FixedClock('2025-03-10T09:00:00Z');
    receiver = await startReceiver();
    sandbox = new SandboxWhatsAppCloud({ appSecret: APP_SECRET, callbackUrl: receiver.url, clock, templateReviewMs: 1 });
    const baseUrl = await sandbox.start();
    templates = new WhatsAppTemplatesClient({ baseUrl, accessToken: sandbox.accessToken, businessAccountId: SANDBOX_WABA_ID, timeoutMs: 5_000 });
  });

  afterEach(async () => {
    await sandbox.stop();
    await receiver.close();
  });

  it('creates a template PENDING; the review posts a signed APPROVED status update; then it can be sent', async () => {
    const created = await templates.create(rdv());
    expect(created).toEqual({ ok: true, value: { id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'UTILITY' } });
    const id = created.ok ? created.value.id : '';
    expect(sandbox.templates()).toMatchObject([{ id, name: 'rappel_rdv', language: 'fr', wabaId: SANDBOX_WABA_ID }]);

    await sandbox.idle();
    expect(sandbox.templates()[0]?.status).toBe('APPROVED');
    expect(receiver.updates()).toEqual([
      { businessAccountId: SANDBOX_WABA_ID, templateId: id, name: 'rappel_rdv', language: 'fr', event: 'APPROVED', reason: 'NONE', category: 'UTILITY', at: new Date('2025-03-10T09:00:00Z') },
    ]);
    const [hook] = receiver.received;
    expect(verifySignature(hook!.raw, hook!.headers['x-hub-signature-256'], APP_SECRET)).toBe(true);
    expect(JSON.parse(hook!.raw.toString('utf8'))).toMatchObject({ object: 'whatsapp_business_account', entry: [{ id: SANDBOX_WABA_ID, changes: [{ field: 'message_template_status_update' }] }] });
    // The message webhook parser leaves template updates alone.
    expect(parseWebhook(JSON.parse(hook!.raw.toString('utf8')))).toEqual({ reports: [], inbound: [] });
    expect(sandbox.webhooks()).toEqual([{ kind: 'template', id, event: 'APPROVED', httpStatus: 200 }]);

    const wa = new WhatsAppCloudConnector({ baseUrl: sandbox.url, accessToken: sandbox.accessToken });
    const sent = await wa.send({
      id: 'm-1',
      phoneNumberId: SANDBOX_PHONE_NUMBER_ID,
      to: '+33612345678',
      template: { name: 'rappel_rdv', language: 'fr', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Léa' }, { type: 'text', text: 'mardi' }] }] },
    });
    expect(sent.ok).toBe(true);
  });

  it('decides the review by magic names: rejected, paused, disabled, pending', async () => {
    const ids: Record<string, string> = {};
    for (const name of ['promo_rejected', 'promo_paused', 'promo_disabled', 'promo_pending']) {
      const created = await templates.create({ ...rdv(name), category: 'MARKETING' });
      ids[name] = created.ok ? created.value.id : '';
    }
    await sandbox.idle();
    const updates = receiver.updates().map((u) => [u.name, u.event, u.reason, u.templateId]);
    expect(updates).toEqual(
      expect.arrayContaining([
        ['promo_rejected', 'REJECTED', 'INVALID_FORMAT', ids.promo_rejected],
        ['promo_paused', 'APPROVED', 'NONE', ids.promo_paused],
        ['promo_paused', 'PAUSED', 'NONE', ids.promo_paused],
        ['promo_disabled', 'APPROVED', 'NONE', ids.promo_disabled],
        ['promo_disabled', 'DISABLED', 'NONE', ids.promo_disabled],
      ]),
    );
    expect(updates).toHaveLength(5);
    // APPROVED comes before PAUSED for the same template.
    const paused = receiver.updates().filter((u) => u.name === 'promo_paused').map((u) => u.event);
    expect(paused).toEqual(['APPROVED', 'PAUSED']);
    const rejected = receiver.updates().find((u) => u.name === 'promo_rejected');
    expect(rejected?.detail).toMatchObject({ rejection_info: { reason: expect.any(String), recommendation: expect.any(String) } });
    expect(receiver.updates().find((u) => u.event === 'PAUSED')?.detail).toMatchObject({ other_info: { title: 'FIRST_PAUSE' } });
    expect(receiver.updates().find((u) => u.event === 'DISABLED')?.detail).toMatchObject({ disable_info: { disable_date: expect.any(String) } });
    expect(Object.fromEntries(sandbox.templates().map((t) => [t.name, t.status]))).toEqual({
      promo_rejected: 'REJECTED',
      promo_paused: 'PAUSED',
      promo_disabled: 'DISABLED',
      promo_pending: 'PENDING',
    });
    const listed = await templates.listAll();
    expect(listed.ok && listed.value.find((t) => t.name === 'promo_rejected')).toMatchObject({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' });
  });

  it('refuses what Meta refuses: duplicates, bad names, missing examples, a bad token', async () => {
    expect((await templates.create(rdv())).ok).toBe(true);
    expect(await templates.create(rdv())).toMatchObject({ ok: false, error: { code: 'template_exists', retryable: false, attribution: 'platform', providerCode: '100/2388024' } });
    // Another language of the same name is another template.
    expect((await templates.create(rdv('rappel_rdv', 'en_US'))).ok).toBe(true);

    const badName = await templates.create(rdv('Rappel RDV'));
    expect(badName).toMatchObject({ ok: false, error: { code: 'invalid_request', retryable: false, attribution: 'platform', providerCode: '100' } });
    expect(badName.ok ? '' : badName.error.message).toContain('lowercase letters');
    const noExample = await templates.create({ ...rdv('sans_exemple'), components: [{ type: 'BODY', text: 'Bonjour {{1}}, à bientôt.' }] });
    expect(noExample).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(noExample.ok ? '' : noExample.error.message).toContain('example');
    const badCategory = await templates.create({ ...rdv('categorie'), category: 'PROMO' as 'MARKETING' });
    expect(badCategory).toMatchObject({ ok: false, error: { code: 'invalid_request' } });

    const wrong = new WhatsAppTemplatesClient({ baseUrl: sandbox.url, accessToken: 'expired', businessAccountId: SANDBOX_WABA_ID });
    expect(await wrong.create(rdv('autre'))).toMatchObject({ ok: false, error: { code: 'auth_failed', providerCode: '190' } });
    expect(await wrong.listAll()).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(sandbox.templates().map((t) => `${t.name}|${t.language}`).sort()).toEqual(['rappel_rdv|en_US', 'rappel_rdv|fr']);
  });

  it('lists with Graph paging, per WABA', async () => {
    for (let i = 1; i <= 5; i++) expect((await templates.create(rdv(`modele_${i}`))).ok).toBe(true);
    const other = new WhatsAppTemplatesClient({ baseUrl: sandbox.url, accessToken: sandbox.accessToken, businessAccountId: '200000000000002' });
    expect((await other.create(rdv('autre_waba'))).ok).toBe(true);

    const first = await templates.listPage({ limit: 2 });
    expect(first.ok && first.value.data.map((t) => t.name)).toEqual(['modele_1', 'modele_2']);
    const after = first.ok ? first.value.after : undefined;
    expect(after).toEqual(expect.any(String));
    const second = await templates.listPage({ limit: 2, ...(after ? { after } : {}) });
    expect(second.ok && second.value.data.map((t) => t.name)).toEqual(['modele_3', 'modele_4']);

    const all = await templates.listAll({ pageSize: 2 });
    expect(all.ok && all.value.map((t) => t.name)).toEqual(['modele_1', 'modele_2', 'modele_3', 'modele_4', 'modele_5']);
    expect(all.ok && all.value[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), language: 'fr', category: 'UTILITY', components: [{ type: 'BODY' }] });
    const one = await templates.listAll({ name: 'modele_3' });
    expect(one.ok && one.value.map((t) => t.name)).toEqual(['modele_3']);
    const otherList = await other.listAll();
    expect(otherList.ok && otherList.value.map((t) => t.name)).toEqual(['autre_waba']);
    expect(await templates.listAll({ pageSize: 1, maxPages: 2 })).toMatchObject({ ok: false, error: { code: 'too_many_pages' } });
  });

  it('deletes one language by id, every language by name, and says when there is nothing to delete', async () => {
    const fr = await templates.create(rdv('rappel_rdv', 'fr'));
    await templates.create(rdv('rappel_rdv', 'en_US'));
    await templates.create(rdv('autre', 'fr'));
    await templates.create(rdv('autre', 'en_US'));
    expect(await templates.delete({ name: 'rappel_rdv', ...(fr.ok ? { id: fr.value.id } : {}) })).toEqual({ ok: true, value: undefined });
    expect(sandbox.templates().map((t) => `${t.name}|${t.language}`).sort()).toEqual(['autre|en_US', 'autre|fr', 'rappel_rdv|en_US']);
    expect((await templates.delete({ name: 'autre' })).ok).toBe(true);
    expect(sandbox.templates().map((t) => `${t.name}|${t.language}`)).toEqual(['rappel_rdv|en_US']);
    const missing = await templates.delete({ name: 'inconnu' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_request', retryable: false } });
    expect(missing.ok ? '' : missing.error.message).toContain('Message template not found');
  });

  it('posts later status changes (REINSTATED after a pause) like Meta', async () => {
    sandbox.registerTemplate({ name: 'bienvenue', language: 'fr', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Bienvenue !' }] });
    expect(await sandbox.updateTemplateStatus('bienvenue', 'fr', 'PAUSED')).toBe(200);
    expect(sandbox.templates()[0]?.status).toBe('PAUSED');
    expect(await sandbox.updateTemplateStatus('bienvenue', 'fr', 'REINSTATED')).toBe(200);
    expect(sandbox.templates()[0]?.status).toBe('APPROVED');
    expect(receiver.updates().map((u) => u.event)).toEqual(['PAUSED', 'REINSTATED']);
  });
});

describe('parseTemplateStatusUpdates', () => {
  it('keeps 64-bit template ids exact from the raw body, and normalises en-US', () => {
    const raw =
      '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1739321024,"changes":[' +
      '{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"2"}}},' +
      '{"field":"message_template_status_update","value":{"event":"REJECTED","message_template_id":18014398509481985,' +
      '"message_template_name":"abandoned_cart","message_template_language":"en-US","reason":"INVALID_FORMAT","message_template_category":"MARKETING",' +
      '"rejection_info":{"reason":"Variables at the end","recommendation":"Add text after the variable"}}}]}]}';
    expect(parseTemplateStatusUpdates(JSON.parse(raw), raw)).toEqual([
      {
        businessAccountId: '102290129340398',
        templateId: '18014398509481985',
        name: 'abandoned_cart',
        language: 'en_US',
        event: 'REJECTED',
        reason: 'INVALID_FORMAT',
        category: 'MARKETING',
        detail: { rejection_info: { reason: 'Variables at the end', recommendation: 'Add text after the variable' } },
        at: new Date(1739321024 * 1000),
      },
    ]);
    // Without the raw body the rounded number is all there is.
    expect(parseTemplateStatusUpdates(JSON.parse(raw))[0]?.templateId).toBe(String(Number('18014398509481985')));
  });

  it('ignores other objects, other fields and incomplete changes', () => {
    expect(parseTemplateStatusUpdates({ object: 'page', entry: [] })).toEqual([]);
    expect(parseTemplateStatusUpdates(null)).toEqual([]);
    expect(
      parseTemplateStatusUpdates({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_name: 'x' } }] }],
      }),
    ).toEqual([]);
  });
});
