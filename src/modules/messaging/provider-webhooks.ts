import type { FastifyInstance } from 'fastify';
import * as rcs from '../../channels/rcs/webhook.ts';
import type { DeliveryReport, InboundMessage } from '../../channels/types.ts';
import { parseTemplateStatusUpdates, type TemplateStatusUpdate } from '../../channels/whatsapp/templates.ts';
import * as whatsapp from '../../channels/whatsapp/webhook.ts';
import type { App } from '../../platform/http/server.ts';

export interface ProviderWebhookDeps {
  whatsappAppSecret: string;
  whatsappVerifyToken: string;
  rcsClientToken: string;
  /** Resolves when the report is committed: the provider gets its 200 only then. */
  onReport(connectorId: string, report: DeliveryReport): Promise<void>;
  onInbound(message: InboundMessage): Promise<unknown>;
  /** A template's review outcome (field `message_template_status_update`); committed before the 200. */
  onTemplateStatus?(update: TemplateStatusUpdate): Promise<unknown>;
  /** An RBM SUBSCRIBE / UNSUBSCRIBE user event (UNSUBSCRIBE is an opt-out); committed before the 200. */
  onRcsSubscription?(change: rcs.RbmSubscriptionChange): Promise<unknown>;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

/**
 * Callbacks from Meta (WhatsApp Cloud API) and Google (RCS Business Messaging): statuses and
 * messages from recipients. Each is authenticated by its HMAC signature over the raw body before
 * anything is read; a bad signature is refused with 401 and nothing else.
 */
export function providerWebhookRoutes(app: App, deps: ProviderWebhookDeps): void {
  void app.register(async (scope: FastifyInstance) => {
    // The signature covers the exact bytes: keep them.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
    const hidden = { hide: true };

    scope.get('/webhooks/whatsapp', { config: { auth: 'public' }, schema: hidden }, async (request, reply) => {
      const challenge = whatsapp.verifySubscription(request.query as Record<string, unknown>, deps.whatsappVerifyToken);
      return challenge === null ? reply.status(403).send({ error: 'verification failed' }) : reply.type('text/plain').send(challenge);
    });

    scope.post('/webhooks/whatsapp', { config: { auth: 'public', csrf: false }, schema: hidden }, async (request, reply) => {
      const raw = request.body as Buffer;
      if (!whatsapp.verifySignature(raw, request.headers['x-hub-signature-256'], deps.whatsappAppSecret)) {
        deps.log('WhatsApp webhook with a bad signature refused', { ip: request.ip });
        return reply.status(401).send({ error: 'bad signature' });
      }
      const text = raw.toString('utf8');
      const json = JSON.parse(text) as unknown;
      const parsed = whatsapp.parseWebhook(json);
      await handle('whatsapp', parsed.reports, parsed.inbound);
      // Same signed callback, WABA-level field: template approvals, rejections, pauses.
      if (deps.onTemplateStatus) for (const update of parseTemplateStatusUpdates(json, text)) await deps.onTemplateStatus(update);
      return reply.status(200).send({ ok: true });
    });

    scope.post('/webhooks/rcs', { config: { auth: 'public', csrf: false }, schema: hidden }, async (request, reply) => {
      const raw = request.body as Buffer;
      if (!rcs.verifySignature(raw, request.headers['x-goog-signature'], deps.rcsClientToken)) {
        deps.log('RCS webhook with a bad signature refused', { ip: request.ip });
        return reply.status(401).send({ error: 'bad signature' });
      }
      const parsed = rcs.parseWebhook(JSON.parse(raw.toString('utf8')));
      await handle('rcs', parsed.reports, parsed.inbound);
      // The user unsubscribed from the agent in Google Messages (R-OPTOUT): recorded before the
      // 200, so a failure makes Google deliver the event again.
      if (deps.onRcsSubscription) for (const change of parsed.subscriptions) await deps.onRcsSubscription(change);
      return reply.status(200).send({ ok: true });
    });
  });

  async function handle(connectorId: string, reports: DeliveryReport[], inbound: InboundMessage[]): Promise<void> {
    await Promise.all(reports.map((report) => deps.onReport(connectorId, report)));
    // Processed before answering 200: if we fail, the provider retries and nothing is lost.
    for (const message of inbound) await deps.onInbound(message);
  }
}
