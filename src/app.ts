import { fileURLToPath } from 'node:url';
import type { Clock } from './platform/clock.ts';
import { systemClock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { loadOrCreateSecretKey, SecretKeyring } from './platform/crypto.ts';
import { type OpenedDatabase, openDatabase } from './platform/db/open.ts';
import { type App, buildServer } from './platform/http/server.ts';
import { auditVerifyJob } from './platform/audit/verify-job.ts';
import { type JobRole, JobRunner } from './platform/jobs/jobs.ts';
import { sessionPurgeJob } from './modules/identity/jobs.ts';
import { AuditService, auditRoutes } from './modules/audit/index.ts';
import { ApiKeysService, AUTH_CHANGES_CHANNEL, AuthService, identityRoutes, UsersService } from './modules/identity/index.ts';
import { NotificationListener } from './platform/db/notifications.ts';
import { TenantAdministration, TenantsService, tenantRoutes } from './modules/tenants/index.ts';

export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

/** The services of the platform, wired once per process (composition root). */
export interface Services {
  auth: AuthService;
  users: UsersService;
  apiKeys: ApiKeysService;
  audit: AuditService;
  tenants: TenantsService;
  tenantAdmin: TenantAdministration;
}

export interface Platform {
  config: Config;
  clock: Clock;
  keyring: SecretKeyring;
  database: OpenedDatabase;
  services: Services;
  close(): Promise<void>;
}

export interface PlatformOptions {
  role: string;
  exclusive?: boolean;
  migrate?: boolean;
  clock?: Clock;
  log?: (line: string) => void;
}

export async function createPlatform(config: Config, options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => {});
  const { key } = loadOrCreateSecretKey(config.secretKey, config.dataDir);
  const keyring = new SecretKeyring(key);
  const database = await openDatabase(config, keyring, { role: options.role, exclusive: options.exclusive ?? false, migrate: options.migrate ?? true, log });
  return wirePlatform(config, keyring, database, options.clock ?? systemClock, log);
}

/** Builds the services over an opened database (tests pass their own database and clock). */
export function wirePlatform(config: Config, keyring: SecretKeyring, database: OpenedDatabase, clock: Clock, log: (line: string) => void = () => {}): Platform {
  const { db } = database;
  const auth = new AuthService(db, keyring, clock, (error) => log(`background write failed: ${(error as Error).message}`));
  const onAuthChange = () => auth.clearCache();
  const tenantAdmin = new TenantAdministration(db, clock, onAuthChange);
  const services: Services = {
    auth,
    users: new UsersService(db, clock),
    apiKeys: new ApiKeysService(db, clock, onAuthChange),
    audit: new AuditService(db, clock),
    tenants: new TenantsService(db, clock, tenantAdmin),
    tenantAdmin,
  };
  return { config, clock, keyring, database, services, close: () => database.close() };
}

/** The background jobs of every module, for a process of the given role. */
export function createJobRunner(platform: Platform, role: JobRole, log: (line: string, fields?: Record<string, unknown>) => void): JobRunner {
  const { db } = platform.database;
  const runner = new JobRunner({ connectionString: platform.database.adminUrl, role, log });
  runner.register(sessionPurgeJob(db, platform.clock));
  runner.register(auditVerifyJob(db, platform.clock, (message) => log(`ALERT ${message}`)));
  return runner;
}

export async function createApiServer(platform: Platform, options: { logger?: boolean | object; webDir?: string } = {}): Promise<App> {
  const { services, config, database } = platform;
  let draining = false;
  const app = await buildServer({
    config,
    authenticator: services.auth,
    logger: options.logger,
    webDir: options.webDir ?? WEB_DIST,
    ready: async () => {
      if (draining) return false;
      await database.pool.query('select 1');
      return true;
    },
    routes: (scope) => {
      identityRoutes(scope, { config, auth: services.auth, users: services.users, apiKeys: services.apiKeys });
      auditRoutes(scope, services.audit);
      tenantRoutes(scope, services.tenants);
    },
  });
  // Credentials cached by this process are dropped when any process changes them.
  const authChanges = new NotificationListener(database.pool, AUTH_CHANGES_CHANNEL, () => services.auth.clearCache(), () => services.auth.clearCache());
  app.addHook('onReady', async () => {
    await authChanges.start();
  });
  app.addHook('preClose', async () => {
    draining = true;
    await authChanges.stop();
  });
  return app;
}
