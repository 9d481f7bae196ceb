import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../../src/channels/whatsapp/index.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/index.ts';
import { eventually, type MessagingHarness, startMessaging } from '../support/messaging.ts';
import { bearer, ConsoleSession, createTenant, json, type TenantFixture } from '../support/platform.ts';

/**
 * The WhatsApp template registry end to end (issue 3): templates created through the API are
 * submitted to the sandbox Cloud API, reviewed there, and their status comes back by the signed
 * `message_template_status_update` webhook; the send path then accepts approved templates only.
 */
let h: MessagingHarness;
let shop: TenantFixture;
let rival: TenantFixture;

type Template = { name: string; language: string; category: string; status: string; rejectionReason: string | null; statusDetail: Record<string, unknown> | null; providerId: string | null; createdBy: string | null; updatedBy: string | null };
type Problem = { status: number; code: string; detail: string; errors?: Array<{ path: string; message: string }> };

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: unknown) =>
  h.platform.app.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });

const definition = (name: string, over: Record<string, unknown> = {}) => ({
  name,
  language: 'fr',
  category: 'UTILITY',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Votre commande' },
    { type: 'BODY', text: 'Bonjour {{1}}, votre commande est prête au magasin.', example: { body_text: [['Léa']] } },
    { type: 'FOOTER', text: 'Boulangerie Martin' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Merci' }] },
  ],
  ...over,
});

const templateSend = (name: string, to = '+33612345610') => ({
  channel: 'whatsapp',
  to,
  template: { name, language: 'fr', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Léa' }] }] },
});

const getTemplate = async (name: string, key = shop.apiKey) => json<Template>(await api('GET', `/v1/whatsapp/templates/${name}/fr`, key));

const untilTemplate = (name: string, status: string) =>
  eventually(async () => {
    const t = await getTemplate(name);
    return t.status === status ? t : undefined;
  }, `template ${name} to be ${status}`);

const auditActions = async (tenantId: string, target: string) =>
  withTenant(h.platform.database.db, tenantId, (tx) =>
    tx.selectFrom('audit_log').select(['action', 'actor_label', 'summary']).where('tenant_id', '=', tenantId).where('target_id', '=', target).orderBy('seq').execute(),
  );

beforeAll(async () => {
  h = await startMessaging();
  shop = await createTenant(h.platform, 'Boulangerie Martin');
  rival = await createTenant(h.platform, 'Fleurs Dupont');
});

afterAll(async () => {
  await h?.close();
});

describe('creating a template', () => {
  it('PENDING at first, APPROVED by Meta’s webhook; then a template send is accepted and delivered', async () => {
    const before = json<Problem>(await api('POST', '/v1/messages', shop.apiKey, templateSend('commande_prete')));
    expect(before).toMatchObject({ status: 422, code: 'template_not_approved' });

    const created = await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('commande_prete'));
    expect(created.statusCode).toBe(201);
    const body = json<Template>(created);
    expect(body).toMatchObject({ name: 'commande_prete', language: 'fr', category: 'UTILITY', status: 'PENDING', rejectionReason: null, providerId: expect.stringMatching(/^\d+$/) });
    expect(body.createdBy).toMatch(/^sofy_/);
    const atMeta = h.sandbox.whatsapp.templates().find((t) => t.name === 'commande_prete');
    expect(atMeta).toMatchObject({ id: body.providerId, category: 'UTILITY', components: [{ type: 'HEADER' }, { type: 'BODY', example: { body_text: [['Léa']] } }, { type: 'FOOTER' }, { type: 'BUTTONS' }] });

    const approved = await untilTemplate('commande_prete', 'APPROVED');
    expect(approved).toMatchObject({ providerId: body.providerId, updatedBy: 'Meta', rejectionReason: null });
    // The simulator logs its webhook when SOFY's answer arrives, which can be just after the commit
    // the line above saw: wait for the log, then compare it whole.
    await expect.poll(() => h.sandbox.whatsapp.webhooks().filter((w) => w.kind === 'template' && w.id === body.providerId).length).toBeGreaterThan(0);
    expect(h.sandbox.whatsapp.webhooks().filter((w) => w.kind === 'template' && w.id === body.providerId)).toEqual([
      { kind: 'template', id: body.providerId, event: 'APPROVED', httpStatus: 200 },
    ]);

    const accepted = await api('POST', '/v1/messages', shop.apiKey, templateSend('commande_prete'));
    expect(accepted.statusCode).toBe(202);
    const message = json<{ id: string }>(accepted);
    await eventually(async () => {
      const m = json<{ status: string }>(await api('GET', `/v1/messages/${message.id}`, shop.apiKey));
      return ['delivered', 'read'].includes(m.status) ? m : undefined;
    }, 'the template message to be delivered');
    expect(h.sandbox.whatsapp.inbox('+33612345610').map((m) => m.template?.name)).toContain('commande_prete');

    const trail = await auditActions(shop.tenantId, 'commande_prete/fr');
    expect(trail.map((a) => a.action)).toEqual(['whatsapp_template.created', 'whatsapp_template.status_changed']);
    expect(trail[1]).toMatchObject({ actor_label: 'Meta (WhatsApp webhook)', summary: { from: 'PENDING', to: 'APPROVED', source: 'webhook' } });
  });

  it('a `rejected` name is REJECTED with Meta’s reason, and sending it is refused with template_not_approved', async () => {
    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('promo_rejected', { category: 'MARKETING' }))).statusCode).toBe(201);
    const rejected = await untilTemplate('promo_rejected', 'REJECTED');
    expect(rejected.rejectionReason).toBe('INVALID_FORMAT');
    expect(rejected.statusDetail).toMatchObject({ rejection_info: { reason: expect.any(String), recommendation: expect.any(String) } });
    const refused = json<Problem>(await api('POST', '/v1/messages', shop.apiKey, templateSend('promo_rejected')));
    expect(refused).toMatchObject({ status: 422, code: 'template_not_approved' });
    expect(refused.errors).toEqual([{ path: '/template/name', message: expect.stringContaining('REJECTED') }]);

    const listed = json<{ data: Template[] }>(await api('GET', '/v1/whatsapp/templates?status=REJECTED', shop.apiKey));
    expect(listed.data.map((t) => t.name)).toEqual(['promo_rejected']);
  });

  it('a `paused` name is APPROVED then PAUSED: no longer sendable', async () => {
    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('rappel_paused'))).statusCode).toBe(201);
    const paused = await untilTemplate('rappel_paused', 'PAUSED');
    expect(paused.statusDetail).toMatchObject({ other_info: { title: 'FIRST_PAUSE' } });
    expect(json(await api('POST', '/v1/messages', shop.apiKey, templateSend('rappel_paused')))).toMatchObject({ code: 'template_not_approved' });
    const trail = await auditActions(shop.tenantId, 'rappel_paused/fr');
    expect(trail.map((a) => a.summary)).toEqual([
      expect.objectContaining({ category: 'UTILITY' }),
      expect.objectContaining({ from: 'PENDING', to: 'APPROVED' }),
      expect.objectContaining({ from: 'APPROVED', to: 'PAUSED' }),
    ]);
  });
});

describe('tenant isolation (R-TENANT)', () => {
  it('another account neither sees nor uses nor deletes the template; Meta’s name is taken for it too', async () => {
    await untilTemplate('commande_prete', 'APPROVED');
    const theirs = json<{ data: Template[] }>(await api('GET', '/v1/whatsapp/templates', rival.apiKey));
    expect(theirs.data).toEqual([]);
    expect(json(await api('GET', '/v1/whatsapp/templates/commande_prete/fr', rival.apiKey))).toMatchObject({ status: 404, code: 'template_not_found' });
    expect(json(await api('DELETE', '/v1/whatsapp/templates/commande_prete/fr', rival.apiKey))).toMatchObject({ status: 404, code: 'template_not_found' });
    expect(json(await api('POST', '/v1/messages', rival.apiKey, templateSend('commande_prete', '+33612345611')))).toMatchObject({ status: 422, code: 'template_not_approved' });
    // One WABA per installation: Meta refuses the same name and language, and nothing is left behind.
    const taken = json<Problem>(await api('POST', '/v1/whatsapp/templates', rival.apiKey, definition('commande_prete')));
    expect(taken).toMatchObject({ status: 409, code: 'template_exists', errors: [{ path: '/name', message: expect.any(String) }] });
    expect(json<{ data: Template[] }>(await api('GET', '/v1/whatsapp/templates', rival.apiKey)).data).toEqual([]);
    expect((await getTemplate('commande_prete')).status).toBe('APPROVED');
  });
});

describe('validation', () => {
  it('answers problem+json with the failing field', async () => {
    const badName = await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('Promo Été'));
    expect(badName.statusCode).toBe(400);
    expect(badName.headers['content-type']).toContain('application/problem+json');
    expect(json<Problem>(badName)).toMatchObject({ code: 'validation_failed', errors: [{ path: '/name', message: expect.stringContaining('pattern') }] });

    const unknownField = json<Problem>(await api('POST', '/v1/whatsapp/templates', shop.apiKey, { ...definition('champ_inconnu'), colour: 'blue' }));
    expect(unknownField).toMatchObject({ code: 'validation_failed', errors: [{ path: '/colour', message: 'is not a known field' }] });

    const gap = json<Problem>(await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('trou', { components: [{ type: 'BODY', text: 'Bonjour {{2}}, à bientôt.', example: { body_text: [['Léa']] } }] })));
    expect(gap).toMatchObject({ status: 422, code: 'invalid_template', errors: [{ path: '/components/0/text', message: expect.stringContaining('{{1}}') }] });

    const noExample = json<Problem>(await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('sans_exemple', { components: [{ type: 'BODY', text: 'Bonjour {{1}}, à bientôt.' }] })));
    expect(noExample).toMatchObject({ status: 422, code: 'invalid_template', errors: [{ path: '/components/0/example/body_text/0', message: 'give 1 example value, one per variable' }] });

    const tooLong = json<Problem>(await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('trop_long', { components: [{ type: 'BODY', text: 'x'.repeat(1025) }] })));
    expect(tooLong).toMatchObject({ code: 'invalid_template', errors: [{ path: '/components/0/text', message: 'at most 1024 characters' }] });

    const badParams = json<Problem>(await api('GET', '/v1/whatsapp/templates/Pas-Bon/fr', shop.apiKey));
    expect(badParams).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ path: '/params/name' }] });

    // Nothing reached Meta.
    expect(h.sandbox.whatsapp.templates().map((t) => t.name)).not.toEqual(expect.arrayContaining(['trou', 'sans_exemple', 'trop_long', 'champ_inconnu']));

    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('double_pending'))).statusCode).toBe(201);
    const twice = json<Problem>(await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('double_pending')));
    expect(twice).toMatchObject({ status: 409, code: 'template_exists', errors: [{ path: '/name' }] });
  });
});

describe('permissions', () => {
  it('reads with messages:read; writes need campaigns:write (owner, admin, marketer)', async () => {
    const readOnly = json<{ secret: string }>(await api('POST', '/v1/api-keys', shop.apiKey, { name: 'lecture', scopes: ['messages:read'] })).secret;
    expect((await api('GET', '/v1/whatsapp/templates', readOnly)).statusCode).toBe(200);
    expect(json(await api('POST', '/v1/whatsapp/templates', readOnly, definition('interdit')))).toMatchObject({ status: 403, code: 'insufficient_scope', requiredScopes: ['campaigns:write'] });
    expect(json(await api('POST', '/v1/whatsapp/templates/sync', readOnly))).toMatchObject({ status: 403, code: 'insufficient_scope' });
    const author = json<{ secret: string }>(await api('POST', '/v1/api-keys', shop.apiKey, { name: 'contenus', scopes: ['campaigns:write'] })).secret;
    expect(json(await api('GET', '/v1/whatsapp/templates', author))).toMatchObject({ status: 403, code: 'insufficient_scope' });

    const viewer = new ConsoleSession(h.platform.app);
    const v = json<{ oneTimePassword: string }>(await api('POST', '/v1/users', shop.apiKey, { email: 'viewer@boulangerie.test', name: 'V', role: 'viewer' }));
    await viewer.firstLogin('viewer@boulangerie.test', v.oneTimePassword);
    expect((await viewer.request('GET', '/v1/whatsapp/templates')).statusCode).toBe(200);
    expect(json(await viewer.request('POST', '/v1/whatsapp/templates', definition('par_viewer')))).toMatchObject({ status: 403, code: 'forbidden' });

    const marketer = new ConsoleSession(h.platform.app);
    const m = json<{ oneTimePassword: string }>(await api('POST', '/v1/users', shop.apiKey, { email: 'marketing@boulangerie.test', name: 'M', role: 'marketer' }));
    await marketer.firstLogin('marketing@boulangerie.test', m.oneTimePassword);
    const created = await marketer.request('POST', '/v1/whatsapp/templates', definition('par_marketing_pending'));
    expect(created.statusCode).toBe(201);
    expect(json<Template>(created)).toMatchObject({ createdBy: 'marketing@boulangerie.test', status: 'PENDING' });
  });
});

describe('deleting and synchronising', () => {
  it('deletes at Meta (that language only) and here, audited', async () => {
    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('a_supprimer'))).statusCode).toBe(201);
    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('a_supprimer', { language: 'en' }))).statusCode).toBe(201);
    await untilTemplate('a_supprimer', 'APPROVED');
    const deleted = await api('DELETE', '/v1/whatsapp/templates/a_supprimer/fr', shop.apiKey);
    expect(deleted.statusCode).toBe(204);
    expect(h.sandbox.whatsapp.templates().filter((t) => t.name === 'a_supprimer').map((t) => t.language)).toEqual(['en']);
    expect(json(await api('GET', '/v1/whatsapp/templates/a_supprimer/fr', shop.apiKey))).toMatchObject({ code: 'template_not_found' });
    expect((await api('GET', '/v1/whatsapp/templates/a_supprimer/en', shop.apiKey)).statusCode).toBe(200);
    expect(json(await api('POST', '/v1/messages', shop.apiKey, templateSend('a_supprimer')))).toMatchObject({ code: 'template_not_approved' });
    expect((await auditActions(shop.tenantId, 'a_supprimer/fr')).map((a) => a.action)).toContain('whatsapp_template.deleted');
    expect(json(await api('DELETE', '/v1/whatsapp/templates/a_supprimer/fr', shop.apiKey))).toMatchObject({ status: 404, code: 'template_not_found' });
  });

  it('sync brings statuses changed at Meta up to date and drops templates Meta no longer has', async () => {
    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('sync_pending'))).statusCode).toBe(201);
    expect((await api('POST', '/v1/whatsapp/templates', shop.apiKey, definition('sync_gone_pending'))).statusCode).toBe(201);
    // At Meta, without a webhook: one approved, the other deleted in WhatsApp Manager.
    h.sandbox.whatsapp.setTemplateStatus('sync_pending', 'fr', 'APPROVED');
    const gone = await fetch(`${h.sandbox.whatsapp.url}/v21.0/${h.sandbox.whatsapp.wabaId}/message_templates?name=sync_gone_pending`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.whatsapp.accessToken}` },
    });
    expect(gone.status).toBe(200);

    const synced = await api('POST', '/v1/whatsapp/templates/sync', shop.apiKey);
    expect(synced.statusCode).toBe(200);
    const report = json<{ updated: number; removed: number; unchanged: number; data: Template[] }>(synced);
    expect(report).toMatchObject({ updated: 1, removed: 1 });
    expect(report.data.find((t) => t.name === 'sync_pending')?.status).toBe('APPROVED');
    expect(report.data.find((t) => t.name === 'sync_gone_pending')).toBeUndefined();
    expect((await api('POST', '/v1/messages', shop.apiKey, templateSend('sync_pending'))).statusCode).toBe(202);
    expect((await auditActions(shop.tenantId, 'sync_pending/fr')).at(-1)).toMatchObject({ action: 'whatsapp_template.status_changed', summary: { source: 'sync', from: 'PENDING', to: 'APPROVED' } });
    // A second sync changes nothing.
    expect(json(await api('POST', '/v1/whatsapp/templates/sync', shop.apiKey))).toMatchObject({ updated: 0, removed: 0 });
  });
});

describe('the webhook', () => {
  it('ignores a template no account registered (200 to Meta), and still refuses a bad signature', async () => {
    h.sandbox.whatsapp.registerTemplate({ name: 'fait_a_la_main', language: 'fr', status: 'PENDING', category: 'MARKETING' });
    expect(await h.sandbox.whatsapp.updateTemplateStatus('fait_a_la_main', 'fr', 'APPROVED')).toBe(200);
    for (const tenant of [shop, rival]) {
      expect((await api('GET', '/v1/whatsapp/templates/fait_a_la_main/fr', tenant.apiKey)).statusCode).toBe(404);
    }
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: h.sandbox.whatsapp.wabaId, time: 1, changes: [{ field: 'message_template_status_update', value: { event: 'REJECTED', message_template_id: 1, message_template_name: 'commande_prete', message_template_language: 'fr', reason: 'SCAM' } }] }],
    });
    const forged = await fetch(`${h.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, 'not-the-secret') }, body });
    expect(forged.status).toBe(401);
    expect((await getTemplate('commande_prete')).status).toBe('APPROVED');
    // Meta's retries of an update already applied change nothing.
    const approved = await getTemplate('commande_prete');
    const retry = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: h.sandbox.whatsapp.wabaId, time: 1, changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: Number(approved.providerId), message_template_name: 'commande_prete', message_template_language: 'fr', reason: 'NONE' } }] }],
    });
    const replayed = await fetch(`${h.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(retry, SANDBOX_CREDENTIALS.whatsapp.appSecret) }, body: retry });
    expect(replayed.status).toBe(200);
    expect((await auditActions(shop.tenantId, 'commande_prete/fr')).filter((a) => a.action === 'whatsapp_template.status_changed')).toHaveLength(1);
  });
});
