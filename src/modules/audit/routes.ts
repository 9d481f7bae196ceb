import { Type } from 'typebox';
import { errorResponses, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import type { AuditService } from './service.ts';

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), label: Nullable(Type.String()) }),
  action: Type.String(),
  target: Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()) })),
  ip: Nullable(Type.String()),
  summary: Type.Object({}, { additionalProperties: true }),
  hash: Type.String(),
});

export const AuditQuerySchema = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export function auditRoutes(app: App, audit: AuditService): void {
  app.get(
    '/v1/audit-log',
    {
      schema: {
        tags: ['Audit'],
        summary: 'The account’s audit trail, newest first (hash-chained, append-only)',
        querystring: AuditQuerySchema,
        response: { 200: Type.Object({ data: Type.Array(AuditEntrySchema), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => audit.list(contextOf(request), request.query),
  );
}
