import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import { CampaignFanout, campaignSendingSettings } from '../../src/modules/campaigns/index.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * Campaigns through the HTTP API (issue 4): editor preview and estimate, tracked short links
 * (`/r/{code}`), email opens and one-click unsubscribe feeding the suppression list, the A/B test
 * and its winner, the report and its CSV export, and the segments of the audience.
 */

const clock = new FixedClock('2026-03-10T09:00:00.000Z');
let platform: TestPlatform;
let tenant: TenantFixture;

beforeAll(async () => {
  platform = await createTestPlatform({ clock, env: { SOFY_PUBLIC_URL: 'https://sofy.example' } });
  tenant = await createTenant(platform, 'Optique Martin');
});

afterAll(async () => {
  await platform?.close();
});

const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  platform.app.inject({ method, url, headers: bearer(tenant.apiKey), ...(payload !== undefined ? { payload: payload as object } : {}) });

async function seed(spec: { count: number; first: number; tags: string[]; email?: boolean; city?: string }): Promise<void> {
  await withTenant(platform.database.db, tenant.tenantId, (tx) =>
    sql`insert into contacts (tenant_id, id, phone, email, first_name, consent_sms, consent_email, tags, attributes)
        select ${tenant.tenantId}::uuid, gen_random_uuid(), '+3361' || lpad((${spec.first}::int + i)::text, 7, '0'),
               case when ${spec.email ?? false} then 'c' || (${spec.first}::int + i) || '@example.test' end,
               'Léa', 'granted', case when ${spec.email ?? false} then 'granted' else 'unknown' end, ${spec.tags}::text[],
               jsonb_build_object('city', ${spec.city ?? 'Lyon'}::text)
          from generate_series(0, ${spec.count - 1}) as i`.execute(tx),
  );
}

const fanout = () => new CampaignFanout(platform.database.db, clock, campaignSendingSettings(platform.config, platform.services.unsubscribeTokens), { workerId: 'test', batchSize: 400 });

async function segment(name: string, definition: unknown): Promise<string> {
  const response = await api('POST', '/v1/segments', { name, kind: 'dynamic', definition });
  expect(response.statusCode, response.body).toBe(201);
  return json<{ id: string }>(response).id;
}

async function launch(body: Record<string, unknown>): Promise<string> {
  const created = await api('POST', '/v1/campaigns', body);
  expect(created.statusCode, created.body).toBe(201);
  const id = json<{ id: string }>(created).id;
  const submitted = await api('POST', `/v1/campaigns/${id}/submit`);
  expect(submitted.statusCode, submitted.body).toBe(200);
  await platform.services.campaigns.tick();
  await fanout().run(tenant.tenantId, id);
  return id;
}

const rows = async <T>(query: ReturnType<typeof sql<T>>) => withTenant(platform.database.db, tenant.tenantId, async (tx) => (await query.execute(tx)).rows);

describe('editor: preview and estimate', () => {
  it('previews each variant for a contact with the send path’s counter, STOP mention and price', async () => {
    await seed({ count: 1, first: 1, tags: ['preview'], city: 'Annecy' });
    const [contact] = await rows<{ id: string }>(sql`select id from contacts where tenant_id = ${tenant.tenantId} and 'preview' = any(tags)`);
    const response = await api('POST', '/v1/campaigns/preview', {
      channel: 'sms',
      contactId: contact?.id,
      content: {
        sender: 'OPTIQUE',
        variants: [
          { key: 'A', split: 50, text: 'Bonjour {{firstName|Client}} de {{attributes.city|}} : {{link:https://optique.example/soldes}}' },
          { key: 'B', split: 50, text: 'Soldes à {{attributes.city|}} 😀' },
        ],
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = json<{ variants: Array<{ key: string; text: string; encoding: string; segments: number; characters: number; price: { millicents: number } }> }>(response);
    expect(body.variants[0]).toMatchObject({ key: 'A', encoding: 'GSM-7', segments: 1 });
    expect(body.variants[0]?.text).toMatch(/^Bonjour Léa de Annecy : https:\/\/sofy\.example\/r\/\w+\n?.*STOP SMS au 36111$/s);
    expect(body.variants[1]).toMatchObject({ key: 'B', encoding: 'UCS-2' });
    expect(body.variants[1]?.text.endsWith('STOP SMS au 36111')).toBe(true);
  });

  it('refuses an unknown merge field with its position', async () => {
    const response = await api('POST', '/v1/campaigns/preview', { channel: 'sms', content: { variants: [{ key: 'A', split: 100, text: 'Bonjour {{prenom}}' }] } });
    expect(response.statusCode).toBe(422);
    expect(json<{ code: string; errors: Array<{ path: string; message: string }> }>(response)).toMatchObject({ code: 'invalid_campaign', errors: [{ path: '/content/variants/0/text' }] });
  });

  it('estimates recipients of segments minus exclusions, with consent', async () => {
    await seed({ count: 20, first: 100, tags: ['paris'], city: 'Paris' });
    await seed({ count: 10, first: 200, tags: ['paris', 'vip'], city: 'Paris' });
    const paris = await segment('Parisiens', { all: [{ type: 'tag', op: 'has', tags: ['paris'] }] });
    const vip = await segment('VIP', { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] });
    const response = await api('POST', '/v1/campaigns/estimate', { channel: 'sms', content: { variants: [{ key: 'A', split: 100, text: 'Promo' }] }, audience: { include: [paris], exclude: [vip] } });
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toMatchObject({ audience: 20, recipients: 20, excluded: { noAddress: 0, noConsent: 0, suppressed: 0 } });
  });
});

describe('tracking', () => {
  it('redirects a short link, counts total and unique clicks, and records the contact’s activity', async () => {
    await seed({ count: 5, first: 1000, tags: ['links'] });
    const links = await segment('Liens', { all: [{ type: 'tag', op: 'has', tags: ['links'] }] });
    const id = await launch({ name: 'Liens', channel: 'sms', audience: { include: [links] }, content: { sender: 'OPTIQUE', variants: [{ key: 'A', split: 100, text: 'Nos lunettes {{link:https://optique.example/a?utm=1}} et {{link:https://optique.example/b}}' }] } });
    const made = await rows<{ text: string; token: string; contact_id: string }>(
      sql`select m.content->>'text' as text, r.token, r.contact_id from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = ${id}`,
    );
    expect(made).toHaveLength(5);
    const first = made[0] as { text: string; token: string; contact_id: string };
    expect(first.text).toContain(`https://sofy.example/r/${first.token}0 et https://sofy.example/r/${first.token}1`);
    expect(new Set(made.map((m) => m.token)).size).toBe(5);
    const click = await platform.app.inject({ url: `/r/${first.token}0`, headers: { 'user-agent': 'Mozilla/5.0' } });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://optique.example/a?utm=1');
    expect((await platform.app.inject({ url: `/r/${first.token}1` })).headers.location).toBe('https://optique.example/b');
    await platform.app.inject({ url: `/r/${(made[1] as { token: string }).token}0` });
    expect((await platform.app.inject({ url: '/r/AAAAAAAA0' })).statusCode).toBe(404);
    expect((await platform.app.inject({ url: `/r/${first.token}9` })).statusCode).toBe(404);
    const report = json<{ totals: { clicks: number; uniqueClicks: number }; links: Array<{ index: number; clicks: number; uniqueClicks: number }> }>(await api('GET', `/v1/campaigns/${id}/report`));
    expect(report.totals).toMatchObject({ clicks: 3, uniqueClicks: 2 });
    expect(report.links).toEqual([
      { index: 0, url: 'https://optique.example/a?utm=1', clicks: 2, uniqueClicks: 2 },
      { index: 1, url: 'https://optique.example/b', clicks: 1, uniqueClicks: 1 },
    ]);
    const activity = await rows<{ kind: string; n: number }>(sql`select kind, count(*)::int as n from contact_activity where campaign_id = ${id} and contact_id = ${first.contact_id} group by 1 order by 1`);
    expect(activity).toEqual([{ kind: 'clicked', n: 2 }]); // `received` is the recipients row itself (migration 0019)
  });

  it('tracks email opens, and a one-click unsubscribe feeds the suppression list and the report', async () => {
    await seed({ count: 3, first: 2000, tags: ['mail'], email: true });
    const mail = await segment('Mail', { all: [{ type: 'tag', op: 'has', tags: ['mail'] }] });
    const id = await launch({
      name: 'Newsletter',
      channel: 'email',
      audience: { include: [mail] },
      content: { variants: [{ key: 'A', split: 100, subject: 'Bonjour {{firstName|}}', html: '<html><body><p>Bonjour {{firstName|Client}} <a href="{{link:https://optique.example/n}}">voir</a></p></body></html>' }] },
    });
    const made = await rows<{ recipient: string; token: string; html: string; unsubscribe: string; subject: string }>(
      sql`select m.recipient, r.token, m.content->>'html' as html, m.content->>'unsubscribeUrl' as unsubscribe, m.content->>'subject' as subject
            from campaign_recipients r join messages m on m.id = r.message_id where r.campaign_id = ${id} order by m.recipient`,
    );
    expect(made).toHaveLength(3);
    const first = made[0] as (typeof made)[number];
    expect(first.subject).toBe('Bonjour Léa');
    expect(first.html).toContain(`https://sofy.example/r/${first.token}0`);
    expect(first.html).toContain(`<img src="https://sofy.example/o/${first.token}.gif"`);
    // The body carries the same one-click link as the List-Unsubscribe header (RFC 8058).
    expect(first.unsubscribe).toMatch(/^https:\/\/sofy\.example\/unsubscribe\//);
    expect(first.html).toContain(first.unsubscribe);
    const pixel = await platform.app.inject({ url: `/o/${first.token}.gif` });
    expect(pixel.statusCode).toBe(200);
    expect(pixel.headers['content-type']).toBe('image/gif');
    await platform.app.inject({ url: `/o/${first.token}.gif` });
    const unsubscribe = await platform.app.inject({ method: 'POST', url: new URL(first.unsubscribe).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(unsubscribe.statusCode).toBe(200);
    const suppressed = await rows<{ address: string }>(sql`select address from suppressions where tenant_id = ${tenant.tenantId} and address = ${first.recipient}`);
    expect(suppressed).toHaveLength(1);
    const report = json<{ totals: { opens: number; uniqueOpens: number; optOuts: number; targeted: number } }>(await api('GET', `/v1/campaigns/${id}/report`));
    expect(report.totals).toMatchObject({ targeted: 3, opens: 2, uniqueOpens: 1, optOuts: 1 });
  });
});

describe('A/B test with a winner rule', () => {
  it('sends the test groups, picks the best click rate after N hours, and sends the winner to the rest', async () => {
    await seed({ count: 1000, first: 10_000, tags: ['ab'] });
    const ab = await segment('AB', { all: [{ type: 'tag', op: 'has', tags: ['ab'] }] });
    clock.set('2026-03-10T09:00:00.000Z');
    const id = await launch({
      name: 'Test A/B',
      channel: 'sms',
      audience: { include: [ab] },
      ab: { winner: { metric: 'click_rate', afterHours: 2 } },
      content: {
        sender: 'OPTIQUE',
        variants: [
          { key: 'A', split: 15, text: 'A: nouvelle collection {{link:https://optique.example/a}}' },
          { key: 'B', split: 15, text: 'B: -30% sur tout {{link:https://optique.example/b}}' },
        ],
      },
    });
    expect((await platform.services.campaigns.get(platformCtx(), id)).status).toBe('testing');
    const test = await rows<{ variant: string; n: number }>(sql`select variant, count(*)::int as n from campaign_recipients where campaign_id = ${id} group by 1 order by 1`);
    const [a, b] = [test[0]?.n ?? 0, test[1]?.n ?? 0];
    // 15% each of 1,000, give or take the hash's spread.
    expect(a).toBeGreaterThan(100);
    expect(a).toBeLessThan(200);
    expect(b).toBeGreaterThan(100);
    expect(b).toBeLessThan(200);
    // B's recipients click more.
    const tokens = await rows<{ variant: string; token: string }>(sql`select variant, token from campaign_recipients where campaign_id = ${id} order by contact_id`);
    for (const t of tokens.filter((t) => t.variant === 'B').slice(0, 30)) await platform.app.inject({ url: `/r/${t.token}1` });
    for (const t of tokens.filter((t) => t.variant === 'A').slice(0, 5)) await platform.app.inject({ url: `/r/${t.token}0` });
    // Not before the rule's 2 hours.
    clock.advance(3_600_000);
    expect((await platform.services.campaigns.tick()).winners).toBe(0);
    clock.advance(3_600_000);
    expect((await platform.services.campaigns.tick()).winners).toBe(1);
    await fanout().run(tenant.tenantId, id);
    const after = await rows<{ phase: string; variant: string; n: number }>(sql`select phase, variant, count(*)::int as n from campaign_recipients where campaign_id = ${id} group by 1, 2 order by 1, 2`);
    expect(after).toEqual([
      { phase: 'test', variant: 'A', n: a },
      { phase: 'test', variant: 'B', n: b },
      { phase: 'winner', variant: 'B', n: 1000 - a - b },
    ]);
    const report = json<{ winner: { variant: string }; variants: Array<{ variant: string; targeted: number; uniqueClicks: number; clickRate: number }> }>(await api('GET', `/v1/campaigns/${id}/report`));
    expect(report.winner.variant).toBe('B');
    expect(report.variants.map((v) => [v.variant, v.targeted, v.uniqueClicks])).toEqual([
      ['A', a, 5],
      ['B', 1000 - a, 30],
    ]);
    // The CSV export lists every recipient with its variant and phase.
    const csv = await api('GET', `/v1/campaigns/${id}/report.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('contact_id,address,variant,phase,message_id,status,error_code,attribution,skip_reason,send_at,sent_at,done_at,cost_millicents,clicks,opened,replies');
    expect(lines).toHaveLength(1001);
    expect(lines.filter((l) => l.includes(',B,winner,'))).toHaveLength(1000 - a - b);
  });
});

describe('API basics', () => {
  it('lists campaigns with counters and a calendar window, and 404s an unknown one', async () => {
    const list = json<{ data: Array<{ name: string; status: string; counters: { recipients: number } }> }>(await api('GET', '/v1/campaigns?limit=50'));
    expect(list.data.length).toBeGreaterThanOrEqual(3);
    expect(list.data.find((c) => c.name === 'Liens')?.counters.recipients).toBe(5);
    const calendar = json<{ data: unknown[] }>(await api('GET', `/v1/campaigns?from=${encodeURIComponent('2026-03-01T00:00:00Z')}&until=${encodeURIComponent('2026-04-01T00:00:00Z')}`));
    expect(calendar.data.length).toBe(list.data.length);
    expect((await api('GET', '/v1/campaigns/0190f1e2-0000-7000-8000-000000000001')).statusCode).toBe(404);
  });

  it('needs campaigns:approve to approve (an API key has no such scope)', async () => {
    const response = await api('POST', '/v1/campaigns/0190f1e2-0000-7000-8000-000000000001/approve');
    expect(response.statusCode).toBe(403);
  });
});

const platformCtx = () => ({
  principal: { kind: 'user' as const, userId: 'u', email: 'o@example.test', name: 'o', role: 'owner', tenant: { id: tenant.tenantId, name: 'T', status: 'active' as const, statusReason: null }, sessionId: 's', stage: 'active' as const, csrfToken: 'c', mfaEnabled: true, locale: 'fr' as const },
  actor: { type: 'user' as const, id: null, label: 'o@example.test' },
  ip: null,
  requestId: null,
});
