import type { Clock } from '../../platform/clock.ts';
import type { MessagingConfig } from '../../platform/config.ts';
import type { SecretKeyring } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import { WebhookDeliverer } from '../webhooks/index.ts';
import { RbmRcsConnector, SmppSmsConnector, SmtpEmailConnector, WhatsAppConnector } from './channel-connectors.ts';
import { type Connector, Router } from './connectors.ts';
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
  const smpp = new URL(config.smppUrl ?? 'smpp://sofy:sandbox@127.0.0.1:2775');
  const smtp = new URL(config.smtpUrl ?? 'smtp://127.0.0.1:2525');
  return {
    smpp: { host: smpp.hostname, port: Number(smpp.port || 2775), systemId: decodeURIComponent(smpp.username), password: decodeURIComponent(smpp.password) },
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
  readonly #sms: SmppSmsConnector | undefined;

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
    const connectors: Array<{ connector: Connector; throughput?: number }> = [];
    if (options.dispatch) {
      this.#sms = new SmppSmsConnector('smpp', { ...endpoints.smpp, window: config.smppWindow, throughput: config.smppThroughput }, events);
      connectors.push({ connector: this.#sms });
      connectors.push({ connector: new SmtpEmailConnector('smtp', { ...endpoints.smtp, ignoreTLS: config.sandbox, maxConnections: 5 }) });
      connectors.push({ connector: new WhatsAppConnector('whatsapp', { baseUrl: endpoints.whatsapp.baseUrl, accessToken: endpoints.whatsapp.token }, config.whatsapp.phoneNumberId) });
    }
    this.rcs = new RbmRcsConnector('rcs', { baseUrl: endpoints.rcs.baseUrl, agentId: config.rcs.agentId, tokenProvider: async () => endpoints.rcs.token }, config.rcs.agentId);
    if (options.dispatch) connectors.push({ connector: this.rcs });
    this.router = new Router(connectors.map(({ connector }, index) => ({ connector, route: '*', countries: '*', priority: index })));
    if (options.dispatch) {
      this.dispatcher = new Dispatcher(db, this.router, clock, { workerId: options.workerId, log, leaseSeconds: config.dispatchLeaseSeconds, ...options.dispatcherOptions });
      this.webhooks = new WebhookDeliverer(db, options.keyring, clock, { workerId: options.workerId, log });
    }
  }

  start(): void {
    this.#sms?.start((error) => this.options.log('SMPP bind failed', { error: error.message }));
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
