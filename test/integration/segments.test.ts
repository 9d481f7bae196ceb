import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/platform/clock.ts';
import { withTenant } from '../../src/platform/db/tenant-context.ts';
import type { ServiceContext } from '../../src/platform/http/principal.ts';
import { AppError } from '../../src/platform/errors.ts';
import { contactsTx } from '../../src/modules/contacts/index.ts';
import { countSegment, type SegmentDefinition, segmentContactsQuery, SegmentsService } from '../../src/modules/segments/index.ts';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestPlatform } from '../support/platform.ts';

/**
 * Segments over a real PostgreSQL (issue 4): a small fixture of contacts where each condition
 * type must return exactly the expected people; groups; static lists; segments using segments
 * and the loops they may not close; tenant isolation (R-TENANT); the live count endpoint, its
 * problem documents, its sampled estimate and its time limit.
 */
let platform: TestPlatform;
let shop: TenantFixture;
let other: TenantFixture;
const clock = new FixedClock('2026-07-01T10:00:00Z'); // 12:00 in Paris
const C1 = '0190a3b4-0000-7000-8000-0000000000c1';
const C2 = '0190a3b4-0000-7000-8000-0000000000c2';
const C3 = '0190a3b4-0000-7000-8000-0000000000c3';

type Problem = { status: number; code: string; detail: string; errors?: { path: string; message: string }[]; cycle?: string[] };
type Preview = { id: string; firstName: string; phone: string | null; consent: Record<string, string> };
type CountResult = { count: number; approximate: boolean; tookMs: number; sample?: Preview[] };
type Segment = { id: string; name: string; kind: string; definition: SegmentDefinition | null; count: number | null; countedAt: string | null };

const ids = new Map<string, string>(); // first name → contact id
const otherIds = new Map<string, string>();

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, key = shop.apiKey) =>
  platform.app.inject({ method, url, headers: bearer(key), ...(payload !== undefined ? { payload: payload as object } : {}) });

interface Person {
  name: string;
  phone?: string;
  email?: string;
  language?: string;
  pos?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
  consent?: Partial<Record<'sms' | 'email' | 'whatsapp' | 'rcs', string>>;
  created: string;
  lastActivity?: string;
  activity?: Array<{ kind: string; at: string; campaign?: string; channel?: string }>;
}

const PEOPLE: Person[] = [
  {
    name: 'Anne',
    phone: '+33600000001',
    email: 'anne@example.test',
    language: 'fr',
    pos: 'P01',
    tags: ['vip', 'newsletter'],
    attributes: { city: 'Paris', age: 34, birthday: '1992-07-05', has_card: true, tier: 'Gold' },
    consent: { sms: 'granted', email: 'granted' },
    created: '2026-01-10T09:00:00Z',
    lastActivity: '2026-06-25T09:00:00Z',
    activity: [
      { kind: 'received', at: '2026-06-19T09:00:00Z', campaign: C1, channel: 'sms' },
      { kind: 'clicked', at: '2026-06-20T09:00:00Z', campaign: C1, channel: 'sms' },
      { kind: 'received', at: '2026-05-01T09:00:00Z', campaign: C2, channel: 'email' },
    ],
  },
  {
    name: 'Bruno',
    phone: '+33600000002',
    language: 'fr',
    pos: 'P02',
    tags: ['newsletter'],
    attributes: { city: 'Lyon', age: 51, birthday: '1975-01-20', has_card: false, tier: 'Silver' },
    consent: { sms: 'refused' },
    created: '2025-11-01T09:00:00Z',
    lastActivity: '2026-03-01T09:00:00Z',
    activity: [
      { kind: 'received', at: '2026-06-19T09:00:00Z', campaign: C1, channel: 'sms' },
      { kind: 'opted_out', at: '2026-06-21T09:00:00Z', channel: 'sms' },
    ],
  },
  {
    name: 'Chloé',
    email: 'chloe@example.test',
    language: 'en',
    attributes: { city: 'paris', age: 22 },
    consent: { email: 'granted' },
    created: '2026-06-20T09:00:00Z',
  },
  {
    // Written before attributes were typed: a number attribute holding text must never match a comparison.
    name: 'David',
    phone: '+33600000004',
    language: 'es',
    pos: 'P01',
    tags: ['vip'],
    attributes: { age: '45', city: 'Paris 15e' },
    consent: { sms: 'withdrawn', whatsapp: 'granted' },
    created: '2024-05-01T09:00:00Z',
    activity: [{ kind: 'opened', at: '2026-06-30T09:00:00Z', campaign: C2, channel: 'email' }],
  },
  {
    name: 'Emma',
    phone: '+33600000005',
    email: 'emma@example.test',
    language: 'fr',
    pos: 'P03',
    tags: ['promo'],
    attributes: { city: 'Marseille', age: 67, birthday: '1959-06-28', tier: 'Bronze' },
    consent: { sms: 'granted', rcs: 'granted' },
    created: '2026-06-30T22:30:00Z', // 1 July 00:30 in Paris
    lastActivity: '2026-06-29T09:00:00Z',
    activity: [
      { kind: 'received', at: '2026-01-10T09:00:00Z', channel: 'sms' },
      { kind: 'replied', at: '2026-06-29T09:00:00Z', channel: 'sms' },
      { kind: 'clicked', at: '2026-04-01T09:00:00Z', campaign: C2, channel: 'sms' },
    ],
  },
  {
    name: 'Félix',
    phone: '+33600000006',
    tags: ['newsletter', 'promo'],
    consent: { sms: 'granted' },
    created: '2026-02-28T23:30:00Z', // 1 March 00:30 in Paris
    activity: [
      { kind: 'received', at: '2026-06-10T09:00:00Z', campaign: C1, channel: 'sms' },
      { kind: 'received', at: '2026-06-11T09:00:00Z', campaign: C2, channel: 'sms' },
      { kind: 'received', at: '2026-06-12T09:00:00Z', campaign: C3, channel: 'sms' },
    ],
  },
];

async function seed(tenantId: string, people: Person[], into: Map<string, string>): Promise<void> {
  await withTenant(platform.database.db, tenantId, async (tx) => {
    const c = contactsTx(tx);
    await c
      .insertInto('contact_attribute_definitions')
      .values([
        { tenant_id: tenantId, key: 'city', label: 'Ville', type: 'text', choices: null },
        { tenant_id: tenantId, key: 'age', label: 'Âge', type: 'number', choices: null },
        { tenant_id: tenantId, key: 'birthday', label: 'Anniversaire', type: 'date', choices: null },
        { tenant_id: tenantId, key: 'has_card', label: 'Carte fidélité', type: 'boolean', choices: null },
        { tenant_id: tenantId, key: 'tier', label: 'Niveau', type: 'choice', choices: ['Bronze', 'Silver', 'Gold'] },
      ])
      .execute();
    for (const person of people) {
      const id = randomUUID();
      into.set(person.name, id);
      await c
        .insertInto('contacts')
        .values({
          tenant_id: tenantId,
          id,
          phone: person.phone ?? null,
          email: person.email ?? null,
          first_name: person.name,
          language: person.language ?? null,
          point_of_sale: person.pos ?? null,
          tags: person.tags ?? [],
          attributes: JSON.stringify(person.attributes ?? {}),
          consent_sms: person.consent?.sms ?? 'unknown',
          consent_email: person.consent?.email ?? 'unknown',
          consent_whatsapp: person.consent?.whatsapp ?? 'unknown',
          consent_rcs: person.consent?.rcs ?? 'unknown',
          created_at: person.created,
          updated_at: person.created,
          last_activity_at: person.lastActivity ?? null,
        })
        .execute();
      for (const a of person.activity ?? []) {
        await c.insertInto('contact_activity').values({ tenant_id: tenantId, contact_id: id, kind: a.kind, channel: a.channel ?? null, campaign_id: a.campaign ?? null, at: a.at }).execute();
      }
    }
  });
}

beforeAll(async () => {
  platform = await createTestPlatform({ clock });
  shop = await createTenant(platform, 'Boulangeries Dupont');
  other = await createTenant(platform, 'Autre enseigne');
  await seed(shop.tenantId, PEOPLE, ids);
  // The other tenant has look-alike contacts: they must never show up in the shop's segments.
  await seed(other.tenantId, PEOPLE.map((p) => ({ ...p, name: `${p.name} (autre)` })), otherIds);
});

afterAll(async () => {
  await platform?.close();
});

/** The first names a definition selects, through the live count endpoint (count and sample agree). */
async function names(definition: unknown, key = shop.apiKey): Promise<string[]> {
  const response = await api('POST', '/v1/segments/count', { definition, sample: 20 }, key);
  expect(response.statusCode, response.body).toBe(200);
  const result = json<CountResult>(response);
  expect(result.approximate).toBe(false);
  const found = (result.sample ?? []).map((p) => p.firstName).sort();
  expect(result.count).toBe(found.length);
  return found;
}
const where = (condition: Record<string, unknown>) => names({ all: [condition] });
const sorted = (...list: string[]) => [...list].sort();

async function problem(definition: unknown): Promise<Problem> {
  const response = await api('POST', '/v1/segments/count', { definition });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return { ...json<Problem>(response), status: response.statusCode };
}

async function createSegment(body: Record<string, unknown>, key = shop.apiKey): Promise<Segment> {
  const response = await api('POST', '/v1/segments', body, key);
  expect(response.statusCode, response.body).toBe(201);
  return json<Segment>(response);
}

describe('each condition type returns exactly the expected contacts', () => {
  it('every contact, and nobody', async () => {
    expect(await names({ all: [] })).toEqual(sorted('Anne', 'Bruno', 'Chloé', 'David', 'Emma', 'Félix'));
    expect(await names({ any: [] })).toEqual([]);
  });

  it('contact fields: language, point of sale, phone and email present', async () => {
    expect(await where({ type: 'field', field: 'language', op: 'in', values: ['FR'] })).toEqual(sorted('Anne', 'Bruno', 'Emma'));
    expect(await where({ type: 'field', field: 'language', op: 'not_in', values: ['fr'] })).toEqual(sorted('Chloé', 'David', 'Félix'));
    expect(await where({ type: 'field', field: 'language', op: 'is_not_set' })).toEqual(['Félix']);
    expect(await where({ type: 'field', field: 'point_of_sale', op: 'in', values: ['P01', 'P03'] })).toEqual(sorted('Anne', 'David', 'Emma'));
    expect(await where({ type: 'field', field: 'point_of_sale', op: 'is_set' })).toEqual(sorted('Anne', 'Bruno', 'David', 'Emma'));
    expect(await where({ type: 'field', field: 'phone', op: 'is_not_set' })).toEqual(['Chloé']);
    expect(await where({ type: 'field', field: 'email', op: 'is_set' })).toEqual(sorted('Anne', 'Chloé', 'Emma'));
  });

  it('contact dates: Paris days, before/after/on/between, within N days, more than N days ago', async () => {
    // Félix was created at 00:30 on 1 March in Paris (still 28 February in UTC).
    expect(await where({ type: 'field', field: 'created_at', op: 'on', value: '2026-03-01' })).toEqual(['Félix']);
    expect(await where({ type: 'field', field: 'created_at', op: 'before', value: '2026-01-10' })).toEqual(sorted('Bruno', 'David'));
    expect(await where({ type: 'field', field: 'created_at', op: 'after', value: '2026-06-30' })).toEqual(['Emma']);
    expect(await where({ type: 'field', field: 'created_at', op: 'between', value: '2026-01-10', to: '2026-03-01' })).toEqual(sorted('Anne', 'Félix'));
    expect(await where({ type: 'field', field: 'created_at', op: 'within_last_days', days: 30 })).toEqual(sorted('Chloé', 'Emma'));
    expect(await where({ type: 'field', field: 'created_at', op: 'more_than_days_ago', days: 365 })).toEqual(['David']);
    expect(await where({ type: 'field', field: 'created_at', op: 'before', value: '2026-06-20T09:00:01Z' })).toEqual(sorted('Anne', 'Bruno', 'Chloé', 'David', 'Félix'));
    expect(await where({ type: 'field', field: 'last_activity_at', op: 'within_last_days', days: 7 })).toEqual(sorted('Anne', 'Emma'));
    expect(await where({ type: 'field', field: 'last_activity_at', op: 'more_than_days_ago', days: 30 })).toEqual(['Bruno']);
    expect(await where({ type: 'field', field: 'last_activity_at', op: 'is_not_set' })).toEqual(sorted('Chloé', 'David', 'Félix'));
    expect(await where({ type: 'field', field: 'updated_at', op: 'within_last_days', days: 1 })).toEqual(['Emma']);
  });

  it('tags: has, has not, has any, has all, has none', async () => {
    expect(await where({ type: 'tag', op: 'has', tags: ['VIP'] })).toEqual(sorted('Anne', 'David'));
    expect(await where({ type: 'tag', op: 'has_not', tags: ['vip'] })).toEqual(sorted('Bruno', 'Chloé', 'Emma', 'Félix'));
    expect(await where({ type: 'tag', op: 'has_any', tags: ['vip', 'promo'] })).toEqual(sorted('Anne', 'David', 'Emma', 'Félix'));
    expect(await where({ type: 'tag', op: 'has_all', tags: ['newsletter', 'promo'] })).toEqual(['Félix']);
    expect(await where({ type: 'tag', op: 'has_none', tags: ['newsletter', 'promo'] })).toEqual(sorted('Chloé', 'David'));
  });

  it('text attributes: case-insensitive, negatives include contacts without the attribute', async () => {
    const city = (op: string, extra: Record<string, unknown>) => where({ type: 'attribute', key: 'city', op, ...extra });
    expect(await city('eq', { value: 'PARIS' })).toEqual(sorted('Anne', 'Chloé'));
    expect(await city('ne', { value: 'paris' })).toEqual(sorted('Bruno', 'David', 'Emma', 'Félix'));
    expect(await city('contains', { value: 'ari' })).toEqual(sorted('Anne', 'Chloé', 'David'));
    expect(await city('not_contains', { value: 'ari' })).toEqual(sorted('Bruno', 'Emma', 'Félix'));
    expect(await city('starts_with', { value: 'paris ' })).toEqual(['David']);
    expect(await city('in', { values: ['lyon', 'Marseille'] })).toEqual(sorted('Bruno', 'Emma'));
    expect(await city('not_in', { values: ['Paris'] })).toEqual(sorted('Bruno', 'David', 'Emma', 'Félix'));
    expect(await city('is_not_set', {})).toEqual(['Félix']);
  });

  it('number attributes: comparisons, never matching a value of another type', async () => {
    const age = (op: string, extra: Record<string, unknown>) => where({ type: 'attribute', key: 'age', op, ...extra });
    expect(await age('eq', { value: 34 })).toEqual(['Anne']);
    expect(await age('ne', { value: 34 })).toEqual(sorted('Bruno', 'Chloé', 'David', 'Emma', 'Félix'));
    expect(await age('gt', { value: 34 })).toEqual(sorted('Bruno', 'Emma'));
    expect(await age('gte', { value: 34 })).toEqual(sorted('Anne', 'Bruno', 'Emma'));
    expect(await age('lt', { value: 34 })).toEqual(['Chloé']);
    expect(await age('lte', { value: 51.0 })).toEqual(sorted('Anne', 'Bruno', 'Chloé'));
    expect(await age('between', { value: 22, to: 51 })).toEqual(sorted('Anne', 'Bruno', 'Chloé'));
    expect(await age('is_set', {})).toEqual(sorted('Anne', 'Bruno', 'Chloé', 'David', 'Emma'));
  });

  it('date attributes: days and days relative to today in Paris', async () => {
    const birthday = (op: string, extra: Record<string, unknown>) => where({ type: 'attribute', key: 'birthday', op, ...extra });
    expect(await birthday('on', { value: '1992-07-05' })).toEqual(['Anne']);
    expect(await birthday('before', { value: '1975-01-20' })).toEqual(['Emma']);
    expect(await birthday('after', { value: '1975-01-20' })).toEqual(['Anne']);
    expect(await birthday('between', { value: '1959-06-28', to: '1975-01-20' })).toEqual(sorted('Bruno', 'Emma'));
    expect(await birthday('within_last_days', { days: 36_500 })).toEqual(sorted('Anne', 'Bruno', 'Emma'));
    expect(await birthday('more_than_days_ago', { days: 365 * 60 })).toEqual(['Emma']);
    expect(await birthday('more_than_days_ago', { days: 365 * 40 })).toEqual(sorted('Bruno', 'Emma'));
    expect(await birthday('within_next_days', { days: 30 })).toEqual([]);
    expect(await birthday('is_not_set', {})).toEqual(sorted('Chloé', 'David', 'Félix'));
  });

  it('boolean and choice attributes', async () => {
    expect(await where({ type: 'attribute', key: 'has_card', op: 'is_true' })).toEqual(['Anne']);
    expect(await where({ type: 'attribute', key: 'has_card', op: 'is_false' })).toEqual(['Bruno']);
    expect(await where({ type: 'attribute', key: 'has_card', op: 'is_not_set' })).toEqual(sorted('Chloé', 'David', 'Emma', 'Félix'));
    expect(await where({ type: 'attribute', key: 'tier', op: 'in', values: ['gold', 'Silver'] })).toEqual(sorted('Anne', 'Bruno'));
    expect(await where({ type: 'attribute', key: 'tier', op: 'not_in', values: ['Gold'] })).toEqual(sorted('Bruno', 'Chloé', 'David', 'Emma', 'Félix'));
  });

  it('consent per channel: granted, refused, withdrawn, unknown', async () => {
    expect(await where({ type: 'consent', channel: 'sms', op: 'is', status: 'granted' })).toEqual(sorted('Anne', 'Emma', 'Félix'));
    expect(await where({ type: 'consent', channel: 'sms', op: 'is', status: 'refused' })).toEqual(['Bruno']);
    expect(await where({ type: 'consent', channel: 'sms', op: 'is', status: 'withdrawn' })).toEqual(['David']);
    expect(await where({ type: 'consent', channel: 'sms', op: 'is', status: 'unknown' })).toEqual(['Chloé']);
    expect(await where({ type: 'consent', channel: 'sms', op: 'is_not', status: 'granted' })).toEqual(sorted('Bruno', 'Chloé', 'David'));
    expect(await where({ type: 'consent', channel: 'email', op: 'is', status: 'granted' })).toEqual(sorted('Anne', 'Chloé'));
    expect(await where({ type: 'consent', channel: 'whatsapp', op: 'is', status: 'granted' })).toEqual(['David']);
    expect(await where({ type: 'consent', channel: 'rcs', op: 'is', status: 'granted' })).toEqual(['Emma']);
  });

  it('behaviour: kind, campaign, channel, within N days, at least K times, and its negation', async () => {
    const did = (extra: Record<string, unknown>) => where({ type: 'activity', ...extra });
    expect(await did({ kind: 'received' })).toEqual(sorted('Anne', 'Bruno', 'Emma', 'Félix'));
    expect(await did({ kind: 'clicked' })).toEqual(sorted('Anne', 'Emma'));
    expect(await did({ kind: 'clicked', withinDays: 30 })).toEqual(['Anne']);
    expect(await did({ kind: 'clicked', campaignId: C2 })).toEqual(['Emma']);
    expect(await did({ kind: 'opened' })).toEqual(['David']);
    expect(await did({ kind: 'replied', channel: 'sms', withinDays: 7 })).toEqual(['Emma']);
    expect(await did({ kind: 'opted_out' })).toEqual(['Bruno']);
    expect(await did({ kind: 'received', campaignId: C1 })).toEqual(sorted('Anne', 'Bruno', 'Félix'));
    expect(await did({ kind: 'received', minCount: 2 })).toEqual(sorted('Anne', 'Félix'));
    expect(await did({ kind: 'received', minCount: 3, withinDays: 30 })).toEqual(['Félix']);
    expect(await did({ kind: 'received', channel: 'email' })).toEqual(['Anne']);
    expect(await did({ kind: 'received', op: 'not_performed', withinDays: 30 })).toEqual(sorted('Chloé', 'David', 'Emma'));
    expect(await did({ kind: 'received', op: 'not_performed', minCount: 2 })).toEqual(sorted('Bruno', 'Chloé', 'David', 'Emma'));
  });

  it('groups: AND of OR, OR of AND', async () => {
    const definition = {
      all: [
        { type: 'consent', channel: 'sms', op: 'is', status: 'granted' },
        { any: [{ type: 'tag', op: 'has', tags: ['vip'] }, { type: 'attribute', key: 'age', op: 'gt', value: 60 }, { type: 'activity', kind: 'received', minCount: 3 }] },
      ],
    };
    expect(await names(definition)).toEqual(sorted('Anne', 'Emma', 'Félix'));
    expect(await names({ any: [{ all: [{ type: 'field', field: 'language', op: 'in', values: ['fr'] }, { type: 'tag', op: 'has', tags: ['promo'] }] }, { type: 'field', field: 'phone', op: 'is_not_set' }] })).toEqual(
      sorted('Chloé', 'Emma'),
    );
  });
});

describe('static lists and segments using segments', () => {
  it('a static list: members by ids (unknown ids reported), by a filter, by another segment; removal', async () => {
    const list = await createSegment({ name: 'Clients à rappeler', kind: 'static' });
    expect(list).toMatchObject({ kind: 'static', definition: null, count: 0 });
    const stranger = otherIds.get('Anne (autre)') as string;
    let response = await api('POST', `/v1/segments/${list.id}/members`, { contactIds: [ids.get('Bruno'), ids.get('Chloé'), stranger, ids.get('Bruno')] });
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toEqual({ added: 2, members: 2, unknownContactIds: [stranger] });
    response = await api('POST', `/v1/segments/${list.id}/members`, { definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } });
    expect(json(response)).toEqual({ added: 2, members: 4, unknownContactIds: [] });
    // Again: nothing new.
    response = await api('POST', `/v1/segments/${list.id}/members`, { definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } });
    expect(json(response)).toMatchObject({ added: 0, members: 4 });
    expect(await where({ type: 'segment', op: 'in', segmentId: list.id })).toEqual(sorted('Anne', 'Bruno', 'Chloé', 'David'));
    expect(await where({ type: 'segment', op: 'not_in', segmentId: list.id })).toEqual(sorted('Emma', 'Félix'));

    response = await api('POST', `/v1/segments/${list.id}/members/remove`, { contactIds: [ids.get('Anne')] });
    expect(json(response)).toEqual({ removed: 1, members: 3, unknownContactIds: [] });
    response = await api('POST', `/v1/segments/${list.id}/members/remove`, { definition: { all: [{ type: 'field', field: 'phone', op: 'is_not_set' }] } });
    expect(json(response)).toMatchObject({ removed: 1, members: 2 });
    const page = json<{ data: Preview[]; nextCursor: string | null }>(await api('GET', `/v1/segments/${list.id}/contacts?limit=1`));
    expect(page.data).toHaveLength(1);
    const rest = json<{ data: Preview[]; nextCursor: string | null }>(await api('GET', `/v1/segments/${list.id}/contacts?limit=1&cursor=${page.nextCursor}`));
    expect([...page.data, ...rest.data].map((p) => p.firstName).sort()).toEqual(sorted('Bruno', 'David'));
    expect(rest.nextCursor).toBeNull();
    expect(json<Segment>(await api('GET', `/v1/segments/${list.id}`)).count).toBe(2);

    // Members come from another segment, too; a dynamic segment has no members to add.
    const dynamic = await createSegment({ name: 'Promo', kind: 'dynamic', definition: { all: [{ type: 'tag', op: 'has', tags: ['promo'] }] } });
    response = await api('POST', `/v1/segments/${list.id}/members`, { segmentId: dynamic.id });
    expect(json(response)).toMatchObject({ added: 2, members: 4 });
    response = await api('POST', `/v1/segments/${dynamic.id}/members`, { contactIds: [ids.get('Anne')] });
    expect(response.statusCode).toBe(422);
    expect(json<Problem>(response).code).toBe('invalid_state');
    response = await api('POST', `/v1/segments/${list.id}/members`, { contactIds: [ids.get('Anne')], segmentId: dynamic.id });
    expect(response.statusCode).toBe(400);
  });

  it('a segment using a segment; deletion refused while used; loops refused', async () => {
    const vip = await createSegment({ name: 'VIP', kind: 'dynamic', definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } });
    const vipSms = await createSegment({
      name: 'VIP joignables par SMS',
      kind: 'dynamic',
      definition: { all: [{ type: 'segment', op: 'in', segmentId: vip.id }, { type: 'consent', channel: 'sms', op: 'is', status: 'granted' }] },
    });
    const count = json<CountResult>(await api('GET', `/v1/segments/${vipSms.id}/count`));
    expect(count).toMatchObject({ count: 1, approximate: false });
    expect(json<Segment>(await api('GET', `/v1/segments/${vipSms.id}`))).toMatchObject({ count: 1, countedAt: clock.now().toISOString() });
    const members = json<{ data: Preview[] }>(await api('GET', `/v1/segments/${vipSms.id}/contacts`));
    expect(members.data.map((p) => p.firstName)).toEqual(['Anne']);
    // Not in a segment whose rules are unknown for a contact (no phone consent → never NULL here, but the not_in stays two-valued).
    expect(await where({ type: 'segment', op: 'not_in', segmentId: vipSms.id })).toEqual(sorted('Bruno', 'Chloé', 'David', 'Emma', 'Félix'));

    // Closing a loop: VIP → VIP joignables → VIP.
    let response = await api('PATCH', `/v1/segments/${vip.id}`, { definition: { any: [{ type: 'segment', op: 'in', segmentId: vipSms.id }] } });
    expect(response.statusCode).toBe(422);
    const loop = json<Problem>(response);
    expect(loop.code).toBe('segment_cycle');
    expect(loop.cycle).toEqual([vip.id, vipSms.id, vip.id]);
    expect(loop.detail).toContain('VIP joignables par SMS');
    // Itself.
    response = await api('PATCH', `/v1/segments/${vip.id}`, { definition: { all: [{ type: 'segment', op: 'in', segmentId: vip.id }] } });
    expect(response.statusCode).toBe(422);
    expect(json<Problem>(response).errors).toEqual([{ path: '/definition/all/0/segmentId', message: 'a segment cannot contain itself' }]);
    // The editor's count of an unsaved edit says so too.
    response = await api('POST', '/v1/segments/count', { definition: { all: [{ type: 'segment', op: 'in', segmentId: vipSms.id }] }, segmentId: vip.id });
    expect(json<Problem>(response).code).toBe('segment_cycle');

    response = await api('DELETE', `/v1/segments/${vip.id}`);
    expect(response.statusCode).toBe(409);
    expect(json<Problem>(response)).toMatchObject({ code: 'segment_in_use', usedBy: [{ id: vipSms.id, name: 'VIP joignables par SMS' }] });
    // A changed definition makes the remembered count stale.
    response = await api('PATCH', `/v1/segments/${vipSms.id}`, { definition: { all: [{ type: 'segment', op: 'in', segmentId: vip.id }] } });
    expect(json<Segment>(response)).toMatchObject({ count: null, countedAt: null });
    expect((await api('DELETE', `/v1/segments/${vipSms.id}`)).statusCode).toBe(204);
    expect((await api('DELETE', `/v1/segments/${vip.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/v1/segments/${vip.id}`)).statusCode).toBe(404);
    // Every change is in the audit trail (R-IAM).
    const audit = json<{ data: Array<{ action: string; target: { id: string } | null }> }>(await api('GET', '/v1/audit-log?limit=200'));
    const actions = audit.data.filter((e) => e.target?.id === vip.id).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['segment.created', 'segment.deleted']));
    expect(audit.data.some((e) => e.action === 'segment.members_added')).toBe(true);
  });

  it('a custom field named by a segment cannot be deleted until the segment stops naming it', async () => {
    expect((await api('POST', '/v1/contact-attributes', { key: 'pointure', label: 'Pointure', type: 'number' })).statusCode).toBe(201);
    const shoes = await createSegment({ name: 'Grandes pointures', kind: 'dynamic', definition: { any: [{ all: [{ type: 'attribute', key: 'pointure', op: 'gte', value: 44 }] }] } });
    let response = await api('DELETE', '/v1/contact-attributes/pointure');
    expect(response.statusCode).toBe(409);
    expect(json<Problem>(response)).toMatchObject({ code: 'attribute_in_use', usedBy: [{ id: shoes.id, name: 'Grandes pointures' }] });
    // Still defined, still countable.
    expect((await api('GET', `/v1/segments/${shoes.id}/count`)).statusCode).toBe(200);

    expect((await api('PATCH', `/v1/segments/${shoes.id}`, { definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } })).statusCode).toBe(200);
    response = await api('DELETE', '/v1/contact-attributes/pointure');
    expect(response.statusCode, response.body).toBe(204);
  });

  it('lists segments by name with their counts, filters by kind and name, pages with a cursor', async () => {
    await createSegment({ name: 'Zèbre', kind: 'dynamic', definition: { all: [] } });
    const all: Segment[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Segment[]; nextCursor: string | null } = json(await api('GET', `/v1/segments?limit=1${cursor ? `&cursor=${cursor}` : ''}`));
      all.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(all.map((s) => s.name)).toEqual([...all.map((s) => s.name)].sort());
    expect(all.find((s) => s.name === 'Clients à rappeler')?.count).toBe(4);
    const statics = json<{ data: Segment[] }>(await api('GET', '/v1/segments?kind=static'));
    expect(statics.data.every((s) => s.kind === 'static')).toBe(true);
    expect(json<{ data: Segment[] }>(await api('GET', '/v1/segments?q=zèb')).data.map((s) => s.name)).toEqual(['Zèbre']);
    expect((await api('GET', '/v1/segments?cursor=%%')).statusCode).toBe(400);
  });

  it('refuses a duplicate name and a definition on a static list', async () => {
    const response = await api('POST', '/v1/segments', { name: 'Zèbre', kind: 'dynamic', definition: { all: [] } });
    expect(response.statusCode).toBe(409);
    expect(json<Problem>(response).errors).toEqual([{ path: '/name', message: 'is already used' }]);
    const bad = await api('POST', '/v1/segments', { name: 'Liste', kind: 'static', definition: { all: [] } });
    expect(bad.statusCode).toBe(400);
    expect(json<Problem>(bad).errors?.[0]?.path).toBe('/definition');
  });

  it('gives other modules a select of contact ids and a count', async () => {
    const vip = await createSegment({ name: 'VIP bis', kind: 'dynamic', definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } });
    await withTenant(platform.database.db, shop.tenantId, async (tx) => {
      const inSegment = await segmentContactsQuery(tx, shop.tenantId, { segmentId: vip.id }, { now: clock.now() });
      const promo = await segmentContactsQuery(tx, shop.tenantId, { definition: { all: [{ type: 'tag', op: 'has_any', tags: ['promo', 'vip'] }] } });
      const rows = await promo.except(inSegment).execute();
      expect(rows.map((r) => r.id).sort()).toEqual([ids.get('Emma'), ids.get('Félix')].sort());
      expect(await countSegment(tx, shop.tenantId, { segmentId: vip.id })).toBe(2);
      await expect(countSegment(tx, shop.tenantId, { definition: { all: [{ type: 'attribute', key: 'nope', op: 'is_set' }] } })).rejects.toMatchObject({ code: 'invalid_segment_definition' });
    });
  });
});

describe('tenant isolation (R-TENANT)', () => {
  it('never counts, lists or reaches another tenant’s contacts or segments', async () => {
    // Same definition, other tenant: its own six look-alikes only.
    expect(await names({ all: [{ type: 'tag', op: 'has', tags: ['vip'] }] }, other.apiKey)).toEqual(sorted('Anne (autre)', 'David (autre)'));
    const theirs = await createSegment({ name: 'Leur liste', kind: 'static' }, other.apiKey);
    expect((await api('GET', `/v1/segments/${theirs.id}`)).statusCode).toBe(404);
    expect((await api('GET', `/v1/segments/${theirs.id}/contacts`)).statusCode).toBe(404);
    expect((await api('DELETE', `/v1/segments/${theirs.id}`)).statusCode).toBe(404);
    const using = await problem({ all: [{ type: 'segment', op: 'in', segmentId: theirs.id }] });
    expect(using).toMatchObject({ status: 422, code: 'invalid_segment_definition' });
    expect(using.errors?.[0]?.path).toBe('/definition/all/0/segmentId');
    // Adding their contact to our list: reported unknown, never added.
    const ours = await createSegment({ name: 'Notre liste', kind: 'static' });
    const response = await api('POST', `/v1/segments/${ours.id}/members`, { contactIds: [otherIds.get('Emma (autre)')] });
    expect(json(response)).toMatchObject({ added: 0, members: 0 });
    expect(json<{ data: Segment[] }>(await api('GET', '/v1/segments?limit=200')).data.some((s) => s.name === 'Leur liste')).toBe(false);
  });
});

describe('the OpenAPI document', () => {
  it('describes the rule tree in the request bodies, condition by condition', async () => {
    const doc = json<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> }>(await platform.app.inject({ url: '/openapi.json' }));
    for (const path of ['/v1/segments', '/v1/segments/count', '/v1/segments/catalogue', '/v1/segments/{id}', '/v1/segments/{id}/contacts', '/v1/segments/{id}/members']) expect(doc.paths).toHaveProperty([path]);
    const body = JSON.stringify(doc.paths['/v1/segments/count']?.post?.requestBody?.content['application/json']?.schema);
    for (const title of ['Contact field condition', 'Tag condition', 'Attribute condition', 'Consent condition', 'Behaviour condition', 'Segment or list membership']) expect(body).toContain(title);
  });
});

describe('the live count endpoint', () => {
  it('answers problem+json with JSON pointers for what does not fit the account', async () => {
    let p = await problem({ all: [{ type: 'attribute', key: 'shoe_size', op: 'gt', value: 40 }] });
    expect(p).toMatchObject({ status: 422, code: 'invalid_segment_definition', errors: [{ path: '/definition/all/0/key', message: 'no attribute "shoe_size" is defined (see /v1/contact-attributes)' }] });
    p = await problem({ all: [{ type: 'attribute', key: 'age', op: 'contains', value: 4 }] });
    expect(p.errors?.[0]).toEqual({ path: '/definition/all/0/op', message: '"contains" does not apply to a number attribute (use eq, ne, gt, gte, lt, lte, between, is_set, is_not_set)' });
    let deep: unknown = { type: 'tag', op: 'has', tags: ['x'] };
    for (let i = 0; i < 6; i++) deep = { all: [deep] };
    p = await problem(deep);
    expect(p).toMatchObject({ status: 422, code: 'invalid_segment_definition' });
    expect(p.errors?.[0]?.message).toContain('nest at most 5 levels');
    p = await problem({ any: Array.from({ length: 51 }, () => ({ type: 'tag', op: 'has', tags: ['x'] })) });
    expect(p.errors).toEqual([{ path: '/definition', message: 'at most 50 conditions in one segment (this one has 51)' }]);
    // The envelope is checked by schema (400), the tree by the rules (422).
    const missing = await api('POST', '/v1/segments/count', { sample: 3 });
    expect(missing.statusCode).toBe(400);
    expect(json<Problem>(missing).errors?.[0]?.path).toBe('/definition');
  });

  it('keeps hostile input inert: values and keys are parameters', async () => {
    expect(await where({ type: 'attribute', key: 'city', op: 'eq', value: "Paris' or '1'='1" })).toEqual([]);
    expect(await where({ type: 'tag', op: 'has_any', tags: ["vip'}); drop table contacts; --"] })).toEqual([]);
    const p = await problem({ all: [{ type: 'attribute', key: "city'); drop table contacts; --", op: 'is_set' }] });
    expect(p.code).toBe('invalid_segment_definition');
    expect(await names({ all: [] })).toHaveLength(6);
  });

  it('needs contacts:read; marketers may edit, viewers only read', async () => {
    const created = await api('POST', '/v1/api-keys', { name: 'lecture messages', scopes: ['messages:read'] });
    const key = json<{ secret: string }>(created).secret;
    const response = await api('POST', '/v1/segments/count', { definition: { all: [] } }, key);
    expect(response.statusCode).toBe(403);
    expect(json<Problem>(response).code).toBe('insufficient_scope');
    const reader = json<{ secret: string }>(await api('POST', '/v1/api-keys', { name: 'lecture contacts', scopes: ['contacts:read'] })).secret;
    expect((await api('POST', '/v1/segments/count', { definition: { all: [] } }, reader)).statusCode).toBe(200);
    expect((await api('POST', '/v1/segments', { name: 'Non', kind: 'static' }, reader)).statusCode).toBe(403);
  });

  it('gives a sampled estimate flagged approximate, equal to the exact count on a small base', async () => {
    const service = new SegmentsService(platform.database.db, clock);
    const estimate = await service.estimate(shop.tenantId, { definition: { all: [{ type: 'consent', channel: 'sms', op: 'is', status: 'granted' }] } });
    expect(estimate).toEqual({ count: 3, sampled: 6, total: 6 });
  });

  it('answers 503 segment_count_timeout instead of hanging when counting takes too long', async () => {
    const service = new SegmentsService(platform.database.db, clock, { countTimeoutMs: 300, estimateTimeoutMs: 300 });
    const ctx: ServiceContext = {
      principal: { kind: 'api_key', keyId: 'k', name: 'test', prefix: 'sofy_test', scopes: ['contacts:read'], tenant: { id: shop.tenantId, name: 'Boulangeries Dupont', status: 'active', statusReason: null } },
      actor: { type: 'system', id: 'test', label: 'test' },
      ip: null,
      requestId: null,
    };
    // Another session holds the contacts table: every read waits, until the time limit stops it.
    const blocker = await platform.database.pool.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table contacts in access exclusive mode');
      const error = await service.countDefinition(ctx, { definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'segment_count_timeout', status: 503 });
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
    // Free again: the same service counts.
    expect(await service.countDefinition(ctx, { definition: { all: [{ type: 'tag', op: 'has', tags: ['vip'] }] } })).toMatchObject({ count: 2, approximate: false });
  });
});
