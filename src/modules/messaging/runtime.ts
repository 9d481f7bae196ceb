import type { Clock } from '../../platform/clock.ts';
import type { MessagingConfig } from '../../platform/config.ts';
import type { SmppRouteConfig } from '../../platform/messaging-providers-config.ts';
import type { SecretKeyring } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import { WebhookDeliverer } from '../webhooks/index.ts';
import { RbmRcsConnector, SmppSmsConnector, SmtpEmailConnector, WhatsAppConnector } from './channel-connectors.ts';
import { type Connector, type RouteEntry, Router } from './connectors.ts';
import { Dispatcher } from './dispatcher.ts';
import { InboundHandler } from './inbound.ts';
import { ReceiptSink } from './receipts.ts';

/** Where the providers are: the sandbox's loopback simulators, or the configured services. */
export interface ProviderEndpoints {
  smpp: { host: string; port: number; systemId: string; password: string };
  smtp: { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } };
  whatsapp: { baseUrl: string; token: string };
  rcs: { baseUrl: string; token: string };
}

export function endpointsFromConfig(config: MessagingConfig): ProviderEndpoints {
  const smtp = new URL(config.smtpUrl ?? 'smtp://127.0.0.1:2525');
  return {
    smpp: parseSmppUrl(config.smppUrl ?? 'smpp://sofy:sandbox@127.0.0.1:2775'),
    smtp: {
      host: smtp.hostname,
      port: Number(smtp.port || (smtp.protocol === 'smtps:' ? 465 : 587)),
      secure: smtp.protocol === 'smtps:',
      ...(smtp.username ? { auth: { user: decodeURIComponent(smtp.username), pass: decodeURIComponent(smtp.password) } } : {}),
    },
    whatsapp: { baseUrl: config.whatsapp.baseUrl ?? 'https://graph.facebook.com', token: config.whatsapp.token ?? '' },
    rcs: { baseUrl: config.rcs.baseUrl ?? 'https://rcsbusinessmessaging.googleapis.com', token: config.rcs.token ?? '' },
  };
}

/** Where an SMPP route connects: its own URL, or the default SMSC (the sandbox's or SOFY_SMPP_URL). */
export function smppEndpoint(route: SmppRouteConfig, endpoints: ProviderEndpoints): ProviderEndpoints['smpp'] {
  return route.url ? parseSmppUrl(route.url) : endpoints.smpp;
}

function parseSmppUrl(text: string): ProviderEndpoints['smpp'] {
  const url = new URL(text);
  return { host: url.hostname, port: Number(url.port || 2775), systemId: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

export interface MessagingRuntimeOptions {
  db: Database;
  clock: Clock;
  keyring: SecretKeyring;
  config: MessagingConfig;
  endpoints: ProviderEndpoints;
  /** `worker`: dispatch and deliver webhooks; `api`: only receive provider callbacks. */
  dispatch: boolean;
  workerId: string;
  log: (line: string, fields?: Record<string, unknown>) => void;
  /** Overrides for tests and benchmarks. */
  dispatcherOptions?: { batchSize?: number; concurrency?: number; leaseSeconds?: number; pollMs?: number };
}

/**
 * The messaging machinery of one process: connectors to the providers, the router, the
 * dispatcher, the receipt sink, inbound handling and the webhook deliverer.
 */
export class MessagingRuntime {
  readonly receipts: ReceiptSink;
  readonly inbound: InboundHandler;
  readonly router: Router;
  readonly dispatcher: Dispatcher | undefined;
  readonly webhooks: WebhookDeliverer | undefined;
  readonly rcs: RbmRcsConnector;
  readonly #sms: SmppSmsConnector[] = [];

  constructor(private readonly options: MessagingRuntimeOptions) {
    const { db, clock, config, endpoints, log } = options;
    this.receipts = new ReceiptSink(db, { log });
    this.inbound = new InboundHandler(db, clock, log);
    const events = {
      onReceipt: (connectorId: string, report: Parameters<ReceiptSink['add']>[1]) => this.receipts.add(connectorId, report),
      onInbound: async (_connectorId: string, message: Parameters<InboundHandler['handle']>[0]) => {
        await this.inbound.handle(message);
      },
    };
    const routes: RouteEntry[] = [];
    this.rcs = new RbmRcsConnector('rcs', { baseUrl: endpoints.rcs.baseUrl, agentId: config.rcs.agentId, tokenProvider: async () => endpoints.rcs.token }, config.rcs.agentId);
    if (options.dispatch) {
      // SMS: one connector per configured SMPP route; the router tries the matching ones by
      // priority (failover). Each bind paces itself (throughput, window).
      for (const route of config.smppRoutes) {
        const connector = new SmppSmsConnector(route.id, { ...smppEndpoint(route, endpoints), window: route.window, throughput: route.throughput }, events);
        this.#sms.push(connector);
        routes.push({ connector, route: route.route, countries: route.countries, priority: route.priority });
      }
      const others: Connector[] = [
        new SmtpEmailConnector('smtp', { ...endpoints.smtp, ignoreTLS: config.sandbox, maxConnections: 5, ...(config.dkim ? { dkim: config.dkim } : {}) }),
        new WhatsAppConnector('whatsapp', { baseUrl: endpoints.whatsapp.baseUrl, accessToken: endpoints.whatsapp.token }, config.whatsapp.phoneNumberId),
        this.rcs,
      ];
      for (const connector of others) routes.push({ connector, route: '*', countries: '*', priority: 0 });
    }
    this.router = new Router(routes);
    if (options.dispatch) {
      this.dispatcher = new Dispatcher(db, this.router, clock, { workerId: options.workerId, log, leaseSeconds: config.dispatchLeaseSeconds, ...options.dispatcherOptions });
      this.webhooks = new WebhookDeliverer(db, options.keyring, clock, { workerId: options.workerId, log });
    }
  }

  start(): void {
    for (const sms of this.#sms) sms.start((error) => this.options.log('SMPP bind failed', { connector: sms.id, error: error.message }));
    this.dispatcher?.start();
    this.webhooks?.start();
  }

  /** Stops taking work, finishes what is in flight, records every outcome. */
  async stop(): Promise<void> {
    await this.dispatcher?.stop();
    await this.webhooks?.stop();
    await this.router.stop();
    await this.receipts.flush();
  }
}
