import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errorResponses, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import { compileItemValidator } from '../../platform/http/validation.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Connector } from './connectors.ts';
import type { OptOutsService } from './optouts.ts';
import { routesHealth, type SendersService } from './senders.ts';
import { AcceptedMessage, BatchBody, MessageListQuery, MessageView, type SendMessageRequest, SendMessageBody } from './schemas.ts';
import type { MessagingService, StoredResponse } from './service.ts';

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Replays the first answer for the same key and body (24 h)' })),
});

const OptOut = Type.Object({ address: Type.String(), source: Type.String(), channel: Nullable(Type.String()), detail: Nullable(Type.String()), createdAt: Type.String() });

export function messagingRoutes(app: App, deps: { messaging: MessagingService; optOuts: OptOutsService; senders: SendersService; db: Database; connectors: () => Connector[] }): void {
  const { messaging, optOuts, senders } = deps;
  const tags = ['Messages'];
  const validateItem = compileItemValidator<SendMessageRequest>(SendMessageBody, (index) => `/messages/${index}`);
  const reply = (response: FastifyReply, stored: StoredResponse) => {
    if (stored.replayed) response.header('idempotent-replayed', 'true');
    return response.status(stored.statusCode).send(stored.body);
  };
  const keyOf = (request: FastifyRequest) => request.headers['idempotency-key'] as string | undefined;

  app.post(
    '/v1/messages',
    {
      schema: {
        tags,
        summary: 'Send a message (SMS, RCS, WhatsApp, email)',
        description:
          'Accepted messages are committed before the 202: nothing accepted is lost. Marketing SMS/RCS respect quiet hours (R-QUIET) and carry the STOP mention (R-STOP); ' +
          'the Alert route refuses promotional content (R-ALERT); marketing to an opted-out address is accepted as `suppressed` and never sent (R-OPTOUT).',
        headers: IdempotencyHeaders,
        body: SendMessageBody,
        response: { 202: AcceptedMessage, ...errorResponses },
      },
    },
    async (request, response) => reply(response, await messaging.send(contextOf(request), request.body, keyOf(request))),
  );

  app.post(
    '/v1/messages/batch',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Send up to 1,000 messages; each is accepted or refused on its own',
        headers: IdempotencyHeaders,
        body: BatchBody,
        response: {
          202: Type.Object({
            accepted: Type.Integer(),
            rejected: Type.Integer(),
            results: Type.Array(
              Type.Object({
                index: Type.Integer(),
                accepted: Type.Optional(AcceptedMessage),
                error: Type.Optional(Type.Object({ status: Type.Integer(), code: Type.String(), detail: Type.String(), errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))) })),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, response) => reply(response, await messaging.sendBatch(contextOf(request), request.body.messages, validateItem, keyOf(request))),
  );

  app.get(
    '/v1/messages/:id',
    { schema: { tags, summary: 'A message with its status history', params: Type.Object({ id: Type.String({ maxLength: 36 }) }, { additionalProperties: false }), response: { 200: MessageView, ...errorResponses } } },
    async (request) => messaging.get(contextOf(request), request.params.id),
  );

  app.get(
    '/v1/messages',
    { schema: { tags, summary: 'Messages, newest first, with filters', querystring: MessageListQuery, response: { 200: Type.Object({ data: Type.Array(MessageView), nextCursor: Nullable(Type.String()) }), ...errorResponses } } },
    async (request) => messaging.list(contextOf(request), request.query),
  );

  // Opt-outs (R-OPTOUT) -----------------------------------------------------------------------
  const optTags = ['Opt-outs'];
  app.get(
    '/v1/opt-outs',
    {
      schema: {
        tags: optTags,
        summary: 'The suppression list: addresses that opted out of marketing',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Type.String({ maxLength: 300 })), q: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(OptOut), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => optOuts.list(contextOf(request), request.query),
  );

  app.get('/v1/opt-outs/export', { schema: { tags: optTags, summary: 'Every opt-out as CSV' } }, async (request, response) =>
    response.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="opt-outs.csv"').send(await optOuts.exportCsv(contextOf(request))),
  );

  app.post(
    '/v1/opt-outs',
    {
      schema: {
        tags: optTags,
        summary: 'Add an address to the suppression list',
        body: Type.Object({ address: Type.String({ minLength: 3, maxLength: 254 }), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 201: OptOut, ...errorResponses },
      },
    },
    async (request, response) => response.status(201).send(await optOuts.add(contextOf(request), request.body)),
  );

  app.post(
    '/v1/opt-outs/remove',
    {
      schema: {
        tags: optTags,
        summary: 'Lift an opt-out (only with the person’s new consent; the reason is audited)',
        body: Type.Object({ address: Type.String({ minLength: 3, maxLength: 254 }), reason: Type.String({ minLength: 5, maxLength: 500 }) }, { additionalProperties: false }),
      },
    },
    async (request, response) => {
      await optOuts.remove(contextOf(request), request.body.address, request.body.reason);
      return response.status(204).send();
    },
  );

  // Senders and routes -------------------------------------------------------------------------
  const Sender = Type.Object({ sender: Type.String(), kind: Type.String(), status: Type.String(), createdAt: Type.String() });
  app.get('/v1/senders', { schema: { tags: ['Senders'], summary: 'Sender IDs and numbers of the account', response: { 200: Type.Object({ data: Type.Array(Sender) }), ...errorResponses } } }, async (request) => ({
    data: await senders.list(contextOf(request)),
  }));
  app.post(
    '/v1/senders',
    {
      schema: {
        tags: ['Senders'],
        summary: 'Register a sender ID, or a number or short code the account owns',
        body: Type.Object({ sender: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false }),
        response: { 201: Sender, ...errorResponses },
      },
    },
    async (request, response) => response.status(201).send(await senders.add(contextOf(request), request.body)),
  );
  app.delete(
    '/v1/senders/:sender',
    { schema: { tags: ['Senders'], summary: 'Remove a sender', params: Type.Object({ sender: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false }) } },
    async (request, response) => {
      await senders.remove(contextOf(request), request.params.sender);
      return response.status(204).send();
    },
  );
  app.get('/v1/messaging/routes', { schema: { tags: ['Messages'], summary: 'Routes and their health: connectors of this server, and your backlog' } }, async (request) =>
    routesHealth(deps.db, contextOf(request), deps.connectors()),
  );
}
