import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTenant, createTestPlatform, json, type TenantFixture, type TestDatabase, type TestPlatform } from '../support/platform.ts';

/** Bad input gets a problem+json naming the field; auth failures reveal nothing; scopes are enforced. */
let platform: TestPlatform;
let tenant: TenantFixture;
let readOnlyKey: string;

beforeAll(async () => {
  platform = await createTestPlatform();
  tenant = await createTenant(platform);
  const created = await platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.apiKey), payload: { name: 'read only', scopes: ['messages:read'] } });
  readOnlyKey = json<{ secret: string }>(created).secret;
});

afterAll(async () => {
  await platform?.close();
});

type Problem = { type: string; title: string; status: number; code: string; detail: string; errors?: Array<{ path: string; message: string }> };

function expectProblem(response: Awaited<ReturnType<TestPlatform['app']['inject']>>, status: number, code: string): Problem {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = json<Problem>(response);
  expect(problem).toMatchObject({ status, code });
  expect(problem.type).toContain(code);
  expect(problem.detail.length).toBeGreaterThan(5);
  return problem;
}

describe('bad input', () => {
  const post = (payload: string, headers: Record<string, string> = {}) =>
    platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...bearer(tenant.apiKey), 'content-type': 'application/json', ...headers }, payload });

  it('answers 400 malformed_json to broken JSON', async () => {
    expectProblem(await post('{"name": "x", '), 400, 'malformed_json');
  });

  it('names an unknown field', async () => {
    const problem = expectProblem(await post(JSON.stringify({ name: 'x', scopes: ['admin'], colour: 'red' })), 400, 'validation_failed');
    expect(problem.errors).toContainEqual({ path: '/colour', message: 'is not a known field' });
  });

  it('names a missing field and a wrongly typed one together', async () => {
    const problem = expectProblem(await post(JSON.stringify({ scopes: 'admin' })), 400, 'validation_failed');
    const paths = problem.errors?.map((e) => e.path);
    expect(paths).toContain('/name');
    expect(paths).toContain('/scopes');
  });

  it('names the bad item of an array', async () => {
    const problem = expectProblem(await post(JSON.stringify({ name: 'x', scopes: ['admin', 'everything'] })), 400, 'validation_failed');
    expect(problem.errors?.some((e) => e.path.startsWith('/scopes/1'))).toBe(true);
  });

  it('refuses a body over the size limit with 413', async () => {
    expectProblem(await post(JSON.stringify({ name: 'x'.repeat(1_100_000), scopes: ['admin'] })), 413, 'payload_too_large');
  });

  it('refuses a body that is not JSON with 415', async () => {
    expectProblem(await post('name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
  });

  it('validates path parameters and query strings', async () => {
    const badId = await platform.app.inject({ method: 'POST', url: '/v1/api-keys/not-a-uuid/revoke', headers: bearer(tenant.apiKey) });
    expect(expectProblem(badId, 400, 'validation_failed').errors?.[0]?.path).toBe('/params/id');
    const badLimit = await platform.app.inject({ url: '/v1/users?limit=5000', headers: bearer(tenant.apiKey) });
    expect(expectProblem(badLimit, 400, 'validation_failed').errors?.[0]?.path).toBe('/querystring/limit');
    const badCursor = await platform.app.inject({ url: '/v1/users?cursor=%%%', headers: bearer(tenant.apiKey) });
    expectProblem(badCursor, 400, 'invalid_cursor');
  });

  it('answers a problem for an unknown route, and the console page for a browser', async () => {
    expectProblem(await platform.app.inject({ url: '/v1/nothing-here', headers: bearer(tenant.apiKey) }), 404, 'not_found');
  });

  it('refuses invalid IP allowlists and past expiries with field paths', async () => {
    const response = await post(JSON.stringify({ name: 'x', scopes: ['admin'], allowedIps: ['10.0.0.0/8', 'nope'], expiresAt: '2001-01-01T00:00:00Z' }));
    const problem = expectProblem(response, 400, 'validation_failed');
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/allowedIps/1' }), expect.objectContaining({ path: '/expiresAt' })]));
  });
});

describe('authentication failures reveal nothing', () => {
  it('gives the same 401 for a malformed, unknown, wrong-secret or revoked key', async () => {
    const created = json<{ apiKey: { id: string }; secret: string }>(
      await platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.apiKey), payload: { name: 'to revoke', scopes: ['admin'] } }),
    );
    await platform.app.inject({ method: 'POST', url: `/v1/api-keys/${created.apiKey.id}/revoke`, headers: bearer(tenant.apiKey) });
    const [prefix] = tenant.apiKey.split('_').slice(0, 2).join('_').split(' ');
    const candidates = [
      'not-a-key',
      'sofy_aaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `${prefix}_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB`,
      created.secret,
    ];
    const bodies = new Set<string>();
    for (const key of candidates) {
      const response = await platform.app.inject({ url: '/v1/me', headers: bearer(key) });
      const problem = expectProblem(response, 401, 'invalid_api_key');
      bodies.add(JSON.stringify({ ...problem, instance: undefined }));
    }
    expect(bodies.size).toBe(1);
  });

  it('answers 401 unauthenticated without credentials', async () => {
    expectProblem(await platform.app.inject({ url: '/v1/me' }), 401, 'unauthenticated');
  });

  it('answers 403 insufficient_scope naming the scope needed', async () => {
    const response = await platform.app.inject({ method: 'POST', url: '/v1/users', headers: bearer(readOnlyKey), payload: { email: 'x@example.test', name: 'X', role: 'viewer' } });
    const problem = expectProblem(response, 403, 'insufficient_scope') as Problem & { requiredScopes: string[] };
    expect(problem.requiredScopes).toEqual(['admin']);
  });

  it('refuses API keys on console-only endpoints', async () => {
    expectProblem(await platform.app.inject({ url: '/v1/operator/tenants', headers: bearer(tenant.apiKey) }), 403, 'forbidden');
  });
});

describe('platform endpoints', () => {
  it('serves health, readiness and Prometheus metrics', async () => {
    expect(json(await platform.app.inject({ url: '/healthz' }))).toEqual({ status: 'ok' });
    expect(json(await platform.app.inject({ url: '/readyz' }))).toEqual({ status: 'ready' });
    const metrics = await platform.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('sofy_http_request_duration_seconds_bucket');
  });

  it('publishes an OpenAPI 3.1 document with the identity endpoints and the problem schema', async () => {
    const doc = json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>(
      await platform.app.inject({ url: '/openapi.json' }),
    );
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/v1/me', '/v1/users', '/v1/api-keys', '/v1/audit-log', '/v1/tenant', '/v1/auth/login']) expect(doc.paths).toHaveProperty([path]);
    expect(Object.keys(doc.components.schemas)).toContain('Problem');
  });

  it('sets security headers and echoes a request id', async () => {
    const response = await platform.app.inject({ url: '/v1/me', headers: bearer(tenant.apiKey) });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('revocation across processes', () => {
  it('refuses a cached key in another SOFY process as soon as it is revoked (LISTEN/NOTIFY)', async () => {
    const other = await createTestPlatform({ database: platform.database as TestDatabase });
    try {
      const created = json<{ apiKey: { id: string }; secret: string }>(
        await platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(tenant.apiKey), payload: { name: 'cached elsewhere', scopes: ['messages:read'] } }),
      );
      expect((await other.app.inject({ url: '/v1/me', headers: bearer(created.secret) })).statusCode).toBe(200); // now cached there
      await platform.app.inject({ method: 'POST', url: `/v1/api-keys/${created.apiKey.id}/revoke`, headers: bearer(tenant.apiKey) });
      let status = 200;
      for (let attempt = 0; attempt < 100 && status === 200; attempt++) {
        status = (await other.app.inject({ url: '/v1/me', headers: bearer(created.secret) })).statusCode;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(401);
      // In the process that revoked it, the very next request is refused.
      expect((await platform.app.inject({ url: '/v1/me', headers: bearer(created.secret) })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('rate limits (R-NOSCRAPE)', () => {
  it('answers 429 with Retry-After once a key exceeds its budget, without touching other keys', async () => {
    const limited = await createTestPlatform({ env: { SOFY_RATE_LIMIT_API_KEY: '5' } });
    try {
      const one = await createTenant(limited);
      const other = await createTenant(limited);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await limited.app.inject({ url: '/v1/me', headers: bearer(one.apiKey) })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const refused = await limited.app.inject({ url: '/v1/me', headers: bearer(one.apiKey) });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(json(refused)).toMatchObject({ code: 'rate_limited', status: 429 });
      expect((await limited.app.inject({ url: '/v1/me', headers: bearer(other.apiKey) })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('suspended tenants', () => {
  it('refuses changes with the kind of suspension, keeps reads, and recovers on reactivation', async () => {
    const suspended = await createTenant(platform);
    await platform.services.tenantAdmin.suspend({ actor: { type: 'system', id: 'test', label: 'test' }, ip: null, requestId: null }, 'system:test', suspended.tenantId, 'nonpayment', 'Facture impayée F-2026-0042');
    const write = await platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(suspended.apiKey), payload: { name: 'x', scopes: ['admin'] } });
    const problem = expectProblem(write, 403, 'tenant_suspended') as Problem & { suspension: string };
    expect(problem.suspension).toBe('nonpayment');
    expect((await platform.app.inject({ url: '/v1/users', headers: bearer(suspended.apiKey) })).statusCode).toBe(200);
    const me = json<{ tenant: { status: string; statusReason: string } }>(await platform.app.inject({ url: '/v1/me', headers: bearer(suspended.apiKey) }));
    expect(me.tenant).toMatchObject({ status: 'suspended_nonpayment', statusReason: 'Facture impayée F-2026-0042' });

    await platform.services.tenantAdmin.suspend({ actor: { type: 'system', id: 'test', label: 'test' }, ip: null, requestId: null }, 'system:test', suspended.tenantId, 'fraud', 'Pompage SMS confirmé');
    const fraud = await platform.app.inject({ method: 'PATCH', url: '/v1/tenant/settings', headers: bearer(suspended.apiKey), payload: { locale: 'en' } });
    expect((json(fraud) as { suspension: string }).suspension).toBe('fraud');

    await platform.services.tenantAdmin.changeStatus({ actor: { type: 'system', id: 'test', label: 'test' }, ip: null, requestId: null }, 'system:test', suspended.tenantId, 'active', 'Régularisé');
    const after = await platform.app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(suspended.apiKey), payload: { name: 'x', scopes: ['admin'] } });
    expect(after.statusCode).toBe(201);
  });
});
