import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { createApiServer, type Platform, wirePlatform } from '../../src/app.ts';
import type { RequestContext } from '../../src/platform/audit/audit.ts';
import { type Clock, systemClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { SecretKeyring } from '../../src/platform/crypto.ts';
import { createKysely, createPool } from '../../src/platform/db/database.ts';
import { APP_ROLE, type OpenedDatabase } from '../../src/platform/db/open.ts';
import type { App } from '../../src/platform/http/server.ts';
import { currentTotp } from '../../src/modules/identity/index.ts';
import { admin, withDatabase } from './global-database.ts';

export interface TestDatabase extends OpenedDatabase {
  name: string;
}

/** A fresh database for one test file, cloned from the migrated template; the app role applies RLS. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = inject('database');
  const name = `${server.prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin(server.serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${server.template}`));
  const adminUrl = withDatabase(server.serverUrl, name);
  const appUrl = server.appPassword ? withUser(adminUrl, APP_ROLE, server.appPassword) : adminUrl;
  const pool = createPool({ connectionString: appUrl, max: 10, applicationName: 'sofy-test', setRole: server.appPassword ? undefined : APP_ROLE });
  const db = createKysely(pool);
  let closed = false;
  return {
    name,
    db,
    pool,
    adminUrl,
    embedded: undefined,
    lock: undefined,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await admin(server.serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
    },
  };
}

function withUser(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

export interface TestPlatform extends Platform {
  app: App;
}

/** Services and the HTTP app over a fresh database (requests go through `app.inject`). */
export async function createTestPlatform(options: { clock?: Clock; env?: Record<string, string>; database?: TestDatabase; keyring?: SecretKeyring } = {}): Promise<TestPlatform> {
  const shared = options.database !== undefined;
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    SOFY_DATA_DIR: mkdtempSync(join(tmpdir(), 'sofy-test-data-')),
    SOFY_LOG_LEVEL: 'silent',
    SOFY_RATE_LIMIT_API_KEY: '100000',
    SOFY_RATE_LIMIT_IP: '100000',
    SOFY_RATE_LIMIT_LOGIN: '100000',
    ...options.env,
  });
  const platform = wirePlatform(config, options.keyring ?? new SecretKeyring(randomBytes(32)), database, options.clock ?? systemClock);
  const app = await createApiServer(platform, { logger: false });
  await app.ready();
  return {
    ...platform,
    app,
    async close() {
      await app.close();
      if (!shared) await database.close();
    },
  };
}

export const systemContext: RequestContext = { actor: { type: 'system', id: 'test', label: 'test' }, ip: null, requestId: null };

export interface TenantFixture {
  tenantId: string;
  apiKey: string;
  ownerEmail: string;
  ownerPassword: string;
  ownerId: string;
}

export async function createTenant(platform: Platform, name = `Tenant ${randomUUID().slice(0, 6)}`): Promise<TenantFixture> {
  const created = await platform.services.tenantAdmin.create(systemContext, 'system:test', {
    name,
    adminEmail: `owner-${randomUUID().slice(0, 8)}@example.test`,
  });
  return { tenantId: created.tenant.id, apiKey: created.apiKey, ownerEmail: created.admin.email, ownerPassword: created.admin.oneTimePassword, ownerId: created.admin.id };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

/** A console session driven through the real endpoints: keeps the cookie and the CSRF token. */
export class ConsoleSession {
  cookie: string | undefined;
  csrf: string | undefined;
  totpSecret: string | undefined;
  recoveryCodes: string[] = [];

  constructor(
    private readonly app: App,
    private readonly clock: Clock = systemClock,
  ) {}

  async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method,
      url,
      ...(payload !== undefined ? { payload: payload as object } : {}),
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}), ...headers },
    });
    const setCookie = response.cookies.find((c) => c.name === 'sofy_session');
    if (setCookie) this.cookie = setCookie.value ? `sofy_session=${setCookie.value}` : undefined;
    const body = response.headers['content-type']?.toString().includes('json') ? (response.json() as { csrfToken?: string; session?: { csrfToken?: string } }) : undefined;
    const token = body?.csrfToken ?? body?.session?.csrfToken;
    if (token) this.csrf = token;
    return response;
  }

  /** Logs in with a one-time password and goes through every first-login step to `active`. */
  async firstLogin(email: string, oneTimePassword: string, newPassword = 'Un mot de passe solide 2026!'): Promise<void> {
    let view = json<{ stage: string }>(await this.request('POST', '/v1/auth/login', { email, password: oneTimePassword }));
    if (view.stage === 'password_change') {
      view = json(await this.request('POST', '/v1/auth/password', { newPassword }));
    }
    if (view.stage === 'mfa_enrol') {
      const enrolment = json<{ secret: string }>(await this.request('POST', '/v1/auth/mfa/enrol'));
      this.totpSecret = enrolment.secret;
      const confirmed = json<{ recoveryCodes: string[]; session: { stage: string } }>(
        await this.request('POST', '/v1/auth/mfa/enrol/confirm', { code: currentTotp(enrolment.secret, this.clock.now()) }),
      );
      this.recoveryCodes = confirmed.recoveryCodes;
      view = confirmed.session;
    }
    if (view.stage !== 'active') throw new Error(`first login ended at stage ${view.stage}`);
  }
}
