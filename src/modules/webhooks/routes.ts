import { Type } from 'typebox';
import { errorResponses, IdParams, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import { WEBHOOK_EVENT_TYPES } from './rules.ts';
import type { WebhooksService } from './service.ts';

const EventType = Type.Union(WEBHOOK_EVENT_TYPES.map((event) => Type.Literal(event)));

const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  description: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
});

const Delivery = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventType: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: Type.String(),
  deliveredAt: Nullable(Type.String()),
  payload: Type.Object({}, { additionalProperties: true }),
});

export function webhookRoutes(app: App, webhooks: WebhooksService): void {
  const tags = ['Webhooks'];
  app.get('/v1/webhooks', { schema: { tags, summary: 'Webhook endpoints', response: { 200: Type.Object({ data: Type.Array(Endpoint) }), ...errorResponses } } }, async (request) => ({
    data: await webhooks.list(contextOf(request)),
  }));

  app.post(
    '/v1/webhooks',
    {
      schema: {
        tags,
        summary: 'Register an endpoint; the signing secret (Standard Webhooks) is returned',
        body: Type.Object(
          { url: Type.String({ maxLength: 2000 }), events: Type.Array(EventType, { minItems: 1, uniqueItems: true }), description: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ endpoint: Endpoint, secret: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await webhooks.create(contextOf(request), request.body)),
  );

  app.patch(
    '/v1/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Change an endpoint (URL, events, enabled)',
        params: IdParams,
        body: Type.Object(
          {
            url: Type.Optional(Type.String({ maxLength: 2000 })),
            events: Type.Optional(Type.Array(EventType, { minItems: 1, uniqueItems: true })),
            enabled: Type.Optional(Type.Boolean()),
            description: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Endpoint, ...errorResponses },
      },
    },
    async (request) => webhooks.update(contextOf(request), request.params.id, request.body),
  );

  app.delete('/v1/webhooks/:id', { schema: { tags, summary: 'Delete an endpoint', params: IdParams } }, async (request, reply) => {
    await webhooks.remove(contextOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get(
    '/v1/webhooks/:id/secret',
    { schema: { tags, summary: 'Reveal the signing secret (audited)', params: IdParams, response: { 200: Type.Object({ secret: Type.String() }), ...errorResponses } } },
    async (request) => ({ secret: await webhooks.revealSecret(contextOf(request), request.params.id) }),
  );

  app.post(
    '/v1/webhooks/:id/test',
    { schema: { tags, summary: 'Send a test event now', params: IdParams, response: { 202: Delivery, ...errorResponses } } },
    async (request, reply) => reply.status(202).send(await webhooks.sendTest(contextOf(request), request.params.id)),
  );

  app.get(
    '/v1/webhook-deliveries',
    {
      schema: {
        tags,
        summary: 'Delivery log, newest first',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 300 })),
            endpointId: Type.Optional(Type.String({ format: 'uuid' })),
            status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(Delivery), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => webhooks.deliveries(contextOf(request), request.query),
  );

  app.post(
    '/v1/webhook-deliveries/:id/replay',
    { schema: { tags, summary: 'Send a delivered or failed event again', params: IdParams, response: { 202: Delivery, ...errorResponses } } },
    async (request, reply) => reply.status(202).send(await webhooks.replay(contextOf(request), request.params.id)),
  );
}
