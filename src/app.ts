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
import {
  endpointsFromConfig,
  messagingHousekeepingJob,
  messagingRoutes,
  MessagingRuntime,
  MessagingService,
  OptOutsService,
  providerWebhookRoutes,
  type ProviderEndpoints,
  sandboxRoutes,
  SendersService,
  SmppCredentialsService,
  smppCredentialRoutes,
  smppGatewayHousekeepingJob,
  UnsubscribeTokens,
  unsubscribeRoutes,
  whatsappTemplateRoutes,
  WhatsAppTemplatesService,
} from './modules/messaging/index.ts';
import { WhatsAppTemplatesClient } from './channels/whatsapp/index.ts';
import { webhookRoutes, WebhooksService } from './modules/webhooks/index.ts';
import { contactRoutes, ContactsService } from './modules/contacts/index.ts';
import { segmentRoutes, SegmentsService, segmentsUsingAttribute } from './modules/segments/index.ts';
import { campaignJobs, campaignRoutes, campaignSendingSettings, CampaignsService, TICK_JOB, trackingRoutes } from './modules/campaigns/index.ts';
import { contactImportJobs, contactImportRoutes, ContactImportsService, ImportProcessor, PgBossImportQueue } from './modules/contacts/import/index.ts';
import { Sandbox, SANDBOX_CREDENTIALS } from './sandbox/index.ts';
import { Billing, billingJobs, billingPublicRoutes, billingRoutes } from './modules/billing/index.ts';
import { SmtpConnector } from './channels/smtp/index.ts';

export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

/** The services of the platform, wired once per process (composition root). */
export interface Services {
  auth: AuthService;
  users: UsersService;
  apiKeys: ApiKeysService;
  audit: AuditService;
  tenants: TenantsService;
  tenantAdmin: TenantAdministration;
  messaging: MessagingService;
  optOuts: OptOutsService;
  webhooks: WebhooksService;
  unsubscribeTokens: UnsubscribeTokens;
  smppCredentials: SmppCredentialsService;
  senders: SendersService;
  billing: Billing;
  whatsappTemplates: WhatsAppTemplatesService;
  contacts: ContactsService;
  segments: SegmentsService;
  contactImports: ContactImportsService;
  campaigns: CampaignsService;
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
  const unsubscribeTokens = new UnsubscribeTokens(keyring);
  const services: Services = {
    auth,
    users: new UsersService(db, clock),
    apiKeys: new ApiKeysService(db, clock, onAuthChange),
    audit: new AuditService(db, clock),
    tenants: new TenantsService(db, clock, tenantAdmin),
    tenantAdmin,
    messaging: new MessagingService(db, clock, {
      stopShortCode: config.messaging.stopShortCode,
      emailFrom: config.messaging.emailFrom,
      whatsappPhoneNumberId: config.messaging.whatsapp.phoneNumberId,
      rcsAgentId: config.messaging.rcs.agentId,
      unsubscribeUrl: (tenantId, address) => `${config.publicUrl}/unsubscribe/${unsubscribeTokens.create(tenantId, address)}`,
    }),
    optOuts: new OptOutsService(db, clock),
    webhooks: new WebhooksService(db, keyring, clock, config.messaging.webhooksAllowPrivateNetworks),
    unsubscribeTokens,
    smppCredentials: new SmppCredentialsService(db, clock, onAuthChange),
    senders: new SendersService(db, clock),
    billing: new Billing(db, clock, tenantAdmin, { config: config.billing, sandbox: config.messaging.sandbox, publicUrl: config.publicUrl }),
    whatsappTemplates: new WhatsAppTemplatesService(db, clock, whatsappTemplatesApi(config, providerEndpoints(config).whatsapp), (line, fields) => log(`${line} ${JSON.stringify(fields ?? {})}`)),
    contacts: new ContactsService(db, clock, segmentsUsingAttribute),
    segments: new SegmentsService(db, clock),
    contactImports: new ContactImportsService(db, clock, new PgBossImportQueue(database.adminUrl)),
    // Test sends go through the messaging service (built just above).
    campaigns: new CampaignsService(db, clock, campaignSendingSettings(config, unsubscribeTokens), { sendBatch: (...args) => services.messaging.sendBatch(...args) }),
  };
  return { config, clock, keyring, database, services, close: () => database.close() };
}

/** The background jobs of every module, for a process of the given role. */
export function createJobRunner(platform: Platform, role: JobRole, log: (line: string, fields?: Record<string, unknown>) => void): JobRunner {
  const { db } = platform.database;
  const runner = new JobRunner({ connectionString: platform.database.adminUrl, role, log });
  runner.register(sessionPurgeJob(db, platform.clock));
  runner.register(auditVerifyJob(db, platform.clock, (message) => log(`ALERT ${message}`)));
  runner.register(messagingHousekeepingJob(db));
  runner.register(smppGatewayHousekeepingJob(db));
  for (const job of contactImportJobs(db, new ImportProcessor(db, platform.clock, { log }))) runner.register(job);
  for (const job of billingJobs(platform.services.billing, () => billingMailer(platform.config), platform.clock)) runner.register(job);
  const campaignSettings = campaignSendingSettings(platform.config, platform.services.unsubscribeTokens);
  const [campaignTick, campaignFanout] = campaignJobs({ db, clock: platform.clock, campaigns: platform.services.campaigns, settings: campaignSettings }, (name, data) => runner.send(name, data));
  runner.register(campaignTick);
  runner.register(campaignFanout);
  platform.services.campaigns.onDue = () => void runner.send(TICK_JOB).catch(() => {});
  return runner;
}

/**
 * Provider endpoints: in sandbox mode the simulators' (started by `startSandbox` in this process,
 * or by the `sofy start` process on their fixed loopback ports), else the configured services.
 */
export function providerEndpoints(config: Config, sandbox?: { smpp: { host: string; port: number }; smtp: { host: string; port: number }; whatsappUrl: string; rcsUrl: string }): ProviderEndpoints {
  const { messaging } = config;
  if (!messaging.sandbox) return endpointsFromConfig(messaging);
  const ports = messaging.sandboxPorts;
  return {
    smpp: { host: sandbox?.smpp.host ?? '127.0.0.1', port: sandbox?.smpp.port ?? ports.smpp, ...SANDBOX_CREDENTIALS.smpp },
    smtp: { host: sandbox?.smtp.host ?? '127.0.0.1', port: sandbox?.smtp.port ?? ports.smtp, secure: false },
    whatsapp: { baseUrl: sandbox?.whatsappUrl ?? `http://127.0.0.1:${ports.whatsapp}`, token: SANDBOX_CREDENTIALS.whatsapp.accessToken },
    rcs: { baseUrl: sandbox?.rcsUrl ?? `http://127.0.0.1:${ports.rcs}`, token: SANDBOX_CREDENTIALS.rcs.token },
  };
}

/** The Business Management API client of the configured WABA, at the given endpoint (built on first use). */
function whatsappTemplatesApi(config: Config, endpoint: { baseUrl: string; token: string }): () => WhatsAppTemplatesClient {
  let client: WhatsAppTemplatesClient | undefined;
  return () => (client ??= new WhatsAppTemplatesClient({ baseUrl: endpoint.baseUrl, accessToken: endpoint.token, businessAccountId: config.messaging.whatsapp.businessAccountId }));
}

/** Billing emails (formal notices, SEPA pre-notifications) leave by the platform's SMTP relay: the sandbox's in sandbox mode. */
function billingMailer(config: Config): SmtpConnector {
  const smtp = providerEndpoints(config).smtp;
  return new SmtpConnector({ ...smtp, ignoreTLS: config.messaging.sandbox, maxConnections: 1 });
}

/** The simulators, when this process runs the sandbox (`sofy start` in sandbox mode). */
export async function startSandbox(config: Config, apiUrl: string, clock?: Clock): Promise<{ sandbox: Sandbox; endpoints: ProviderEndpoints }> {
  const sandbox = new Sandbox({ ports: config.messaging.sandboxPorts, viesPort: config.billing.sandboxViesPort, apiUrl, rcsAgentId: config.messaging.rcs.agentId, ...(clock ? { clock } : {}) });
  const started = await sandbox.start();
  return { sandbox, endpoints: providerEndpoints(config, started) };
}

export function createMessagingRuntime(platform: Platform, options: { endpoints: ProviderEndpoints; dispatch: boolean; workerId: string; log: (line: string, fields?: Record<string, unknown>) => void; dispatcherOptions?: ConstructorParameters<typeof MessagingRuntime>[0]['dispatcherOptions'] }): MessagingRuntime {
  const runtime = new MessagingRuntime({
    db: platform.database.db,
    clock: platform.clock,
    keyring: platform.keyring,
    config: platform.config.messaging,
    endpoints: options.endpoints,
    dispatch: options.dispatch,
    workerId: options.workerId,
    log: options.log,
    ...(options.dispatcherOptions ? { dispatcherOptions: options.dispatcherOptions } : {}),
  });
  platform.services.messaging.onAccepted = () => runtime.dispatcher?.poke();
  platform.services.whatsappTemplates.setApi(whatsappTemplatesApi(platform.config, options.endpoints.whatsapp));
  return runtime;
}

export async function createApiServer(
  platform: Platform,
  options: { logger?: boolean | object; webDir?: string; runtime?: MessagingRuntime; sandbox?: Sandbox } = {},
): Promise<App> {
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
      messagingRoutes(scope, { messaging: services.messaging, optOuts: services.optOuts, senders: services.senders, db: database.db, connectors: () => options.runtime?.router.connectors() ?? [] });
      whatsappTemplateRoutes(scope, services.whatsappTemplates);
      webhookRoutes(scope, services.webhooks);
      billingRoutes(scope, services.billing);
      billingPublicRoutes(scope, services.billing);
      contactRoutes(scope, services.contacts);
      segmentRoutes(scope, services.segments);
      campaignRoutes(scope, services.campaigns);
      trackingRoutes(scope, { db: database.db, clock: platform.clock });
      contactImportRoutes(scope, services.contactImports);
      smppCredentialRoutes(scope, services.smppCredentials);
      unsubscribeRoutes(scope, { db: database.db, clock: platform.clock, tokens: services.unsubscribeTokens });
      const runtime = options.runtime;
      if (runtime) {
        providerWebhookRoutes(scope, {
          whatsappAppSecret: config.messaging.sandbox ? SANDBOX_CREDENTIALS.whatsapp.appSecret : (config.messaging.whatsapp.appSecret ?? ''),
          whatsappVerifyToken: config.messaging.sandbox ? SANDBOX_CREDENTIALS.whatsapp.verifyToken : (config.messaging.whatsapp.verifyToken ?? ''),
          rcsClientToken: config.messaging.sandbox ? SANDBOX_CREDENTIALS.rcs.clientToken : (config.messaging.rcs.clientToken ?? ''),
          onReport: (connectorId, report) => runtime.receipts.add(connectorId, report),
          onInbound: (message) => runtime.inbound.handle(message),
          onRcsSubscription: (change) => runtime.inbound.handleRcsSubscription(change),
          onTemplateStatus: (update) => services.whatsappTemplates.applyStatusUpdate(update),
          log: (line, fields) => scope.log.warn(fields ?? {}, line),
        });
      }
      if (options.sandbox) sandboxRoutes(scope, options.sandbox, { shortCode: config.messaging.stopShortCode });
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
