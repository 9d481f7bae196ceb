import { Type } from 'typebox';
import { IdParams, Nullable, errorResponses } from '../../../platform/http/schemas.ts';
import { type App, contextOf } from '../../../platform/http/server.ts';
import type { SmppCredentialsService } from './credentials.ts';

/** SMPP credentials of the API keys (docs/smpp.md). Thin: validate → service → reply. */

const QuietHours = Type.Union([Type.Literal('defer'), Type.Literal('reject')], {
  description: 'R-QUIET for marketing submitted over SMPP: hold until 08:00 local time (default) or refuse with ESME_RSUBMITFAIL',
});

export const SmppCredentialView = Type.Object({
  apiKeyId: Type.String({ format: 'uuid' }),
  apiKeyName: Type.String(),
  apiKeyPrefix: Type.String(),
  systemId: Type.String({ description: 'SMPP system_id: the API key’s visible id without sofy_' }),
  quietHours: QuietHours,
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const IssueSmppCredentialBody = Type.Object({ quietHours: Type.Optional(QuietHours) }, { additionalProperties: false });

export function smppCredentialRoutes(app: App, credentials: SmppCredentialsService): void {
  const tags = ['SMPP'];

  app.get(
    '/v1/smpp-credentials',
    { schema: { tags, summary: 'List the SMPP credentials of the account (never their passwords)', response: { 200: Type.Object({ data: Type.Array(SmppCredentialView) }), ...errorResponses } } },
    async (request) => ({ data: await credentials.list(contextOf(request)) }),
  );

  app.get(
    '/v1/api-keys/:id/smpp-credentials',
    { schema: { tags, summary: 'The SMPP credentials of an API key', params: IdParams, response: { 200: SmppCredentialView, ...errorResponses } } },
    async (request) => credentials.get(contextOf(request), request.params.id),
  );

  app.post(
    '/v1/api-keys/:id/smpp-credentials',
    {
      // The body is optional: no body means the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: 'Issue (or rotate) the SMPP credentials of an API key; the password is returned once',
        description:
          'system_id is the key’s visible id without `sofy_`; the password is 8 characters. Issuing again replaces the password at once and closes the binds made with the old one. ' +
          'The key’s scopes, IP allowlist, expiry and revocation apply to every bind.',
        params: IdParams,
        body: IssueSmppCredentialBody,
        response: { 201: Type.Object({ credential: SmppCredentialView, password: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await credentials.issue(contextOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/v1/api-keys/:id/smpp-credentials',
    { schema: { tags, summary: 'Revoke the SMPP credentials of an API key, at once (its binds are closed)', params: IdParams, response: { 200: SmppCredentialView, ...errorResponses } } },
    async (request) => credentials.revoke(contextOf(request), request.params.id),
  );
}
