import { Type } from 'typebox';
import { AuditEntrySchema } from '../audit/index.ts';
import { ApiKeyViewSchema, UserViewSchema } from '../identity/index.ts';
import { errorResponses, IdParams, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import type { TenantsService } from './service.ts';

const Status = Type.Union([Type.Literal('active'), Type.Literal('suspended_nonpayment'), Type.Literal('suspended_fraud'), Type.Literal('terminated')]);

const Settings = Type.Object({
  locale: Type.Union([Type.Literal('fr'), Type.Literal('en')]),
  timezone: Type.String(),
  defaultSender: Nullable(Type.String()),
  stopMention: Nullable(Type.String()),
  mfaRequiredForAll: Type.Boolean(),
  avoidSundaysAndHolidays: Type.Boolean(),
  segmentCap: Type.Integer(),
  campaignApprovalRequired: Type.Boolean(),
});

export const TenantSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Status,
  statusReason: Nullable(Type.String()),
  statusChangedAt: Nullable(Type.String({ format: 'date-time' })),
  settings: Settings,
  isDemo: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const SettingsPatch = Type.Object(
  {
    locale: Type.Optional(Type.Union([Type.Literal('fr'), Type.Literal('en')])),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    defaultSender: Type.Optional(Nullable(Type.String({ maxLength: 16 }))),
    stopMention: Type.Optional(Nullable(Type.String({ maxLength: 60 }))),
    mfaRequiredForAll: Type.Optional(Type.Boolean()),
    avoidSundaysAndHolidays: Type.Optional(Type.Boolean()),
    segmentCap: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    campaignApprovalRequired: Type.Optional(Type.Boolean({ description: 'SoReach: campaigns submitted by a marketer wait for an admin or owner' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const Reason = Type.String({ minLength: 5, maxLength: 500 });

export function tenantRoutes(app: App, tenants: TenantsService): void {
  const tags = ['Account'];
  const operatorTags = ['Operators'];

  app.get('/v1/tenant', { schema: { tags, summary: 'The account: status and settings', response: { 200: TenantSchema, ...errorResponses } } }, async (request) =>
    tenants.get(contextOf(request)),
  );

  app.patch(
    '/v1/tenant/settings',
    { schema: { tags, summary: 'Change account settings', body: SettingsPatch, response: { 200: TenantSchema, ...errorResponses } } },
    async (request) => tenants.updateSettings(contextOf(request), request.body),
  );

  app.get(
    '/v1/operator/tenants',
    {
      config: { auth: 'console' },
      schema: {
        tags: operatorTags,
        summary: 'All tenants (SOFY operators)',
        querystring: Type.Object({ status: Type.Optional(Status), q: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(TenantSchema) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await tenants.operatorList(contextOf(request), request.query) }),
  );

  app.post(
    '/v1/operator/tenants',
    {
      config: { auth: 'console' },
      schema: {
        tags: operatorTags,
        summary: 'Create a tenant with its owner and a first API key',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), adminEmail: Type.Optional(Type.String({ format: 'email', maxLength: 254 })) }, { additionalProperties: false }),
        response: {
          201: Type.Object({ tenant: TenantSchema, admin: Type.Object({ id: Type.String(), email: Type.String(), oneTimePassword: Type.String() }), apiKey: Type.String() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => reply.status(201).send(await tenants.operatorCreate(contextOf(request), request.body)),
  );

  app.post(
    '/v1/operator/tenants/:id/open',
    {
      config: { auth: 'console' },
      schema: {
        tags: operatorTags,
        summary: 'Open a tenant’s data (recorded in the tenant’s audit trail with the reason)',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: {
          200: Type.Object({ tenant: TenantSchema, users: Type.Array(UserViewSchema), apiKeys: Type.Array(ApiKeyViewSchema), audit: Type.Array(AuditEntrySchema) }),
          ...errorResponses,
        },
      },
    },
    async (request) => tenants.operatorOpen(contextOf(request), request.params.id, request.body.reason),
  );

  app.post(
    '/v1/operator/tenants/:id/suspend',
    {
      config: { auth: 'console' },
      schema: {
        tags: operatorTags,
        summary: 'Suspend a tenant for nonpayment or fraud',
        params: IdParams,
        body: Type.Object({ kind: Type.Union([Type.Literal('nonpayment'), Type.Literal('fraud')]), reason: Reason }, { additionalProperties: false }),
        response: { 200: TenantSchema, ...errorResponses },
      },
    },
    async (request) => tenants.operatorSuspend(contextOf(request), request.params.id, request.body.kind, request.body.reason),
  );

  app.post(
    '/v1/operator/tenants/:id/reactivate',
    {
      config: { auth: 'console' },
      schema: { tags: operatorTags, summary: 'Lift a suspension', params: IdParams, body: Type.Object({ reason: Reason }, { additionalProperties: false }), response: { 200: TenantSchema, ...errorResponses } },
    },
    async (request) => tenants.operatorReactivate(contextOf(request), request.params.id, request.body.reason),
  );
}
