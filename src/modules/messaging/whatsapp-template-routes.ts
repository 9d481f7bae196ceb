import { Type } from 'typebox';
import { errorResponses, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import { TEMPLATE_CATEGORIES, TEMPLATE_LANGUAGE_PATTERN, TEMPLATE_NAME_PATTERN, TEMPLATE_STATUSES } from './rules.ts';
import type { WhatsAppTemplatesService } from './whatsapp-templates.ts';


const Name = Type.String({ minLength: 1, maxLength: 512, pattern: TEMPLATE_NAME_PATTERN, description: 'Lowercase letters, digits and underscores (Meta’s rule), at most 512 characters' });
const Language = Type.String({ minLength: 2, maxLength: 6, pattern: TEMPLATE_LANGUAGE_PATTERN, description: 'Meta’s language code: fr, en, en_US…' });
const Status = Type.Union([Type.Literal('APPROVED'), Type.Literal('PENDING'), Type.Literal('REJECTED'), Type.Literal('PAUSED'), Type.Literal('DISABLED')], {
  description: `One of ${TEMPLATE_STATUSES.join(', ')}: only APPROVED templates can be sent`,
});

const Button = Type.Object(
  {
    type: Type.Union([Type.Literal('QUICK_REPLY'), Type.Literal('URL'), Type.Literal('PHONE_NUMBER')]),
    text: Type.String({ maxLength: 100, description: 'The label (Meta: at most 25 characters)' }),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    phone_number: Type.Optional(Type.String({ maxLength: 20 })),
  },
  { additionalProperties: false },
);

const Component = Type.Object(
  {
    type: Type.Union([Type.Literal('HEADER'), Type.Literal('BODY'), Type.Literal('FOOTER'), Type.Literal('BUTTONS')]),
    format: Type.Optional(Type.Literal('TEXT')),
    text: Type.Optional(Type.String({ maxLength: 4096, description: 'Variables are {{1}}, {{2}}… (body: at most 1,024 characters; header and footer: 60)' })),
    example: Type.Optional(
      Type.Object(
        {
          header_text: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1 })),
          body_text: Type.Optional(Type.Array(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 }), { maxItems: 1 })),
        },
        { additionalProperties: false, description: 'One example value per variable, for Meta’s review' },
      ),
    ),
    buttons: Type.Optional(Type.Array(Button, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const CreateTemplateBody = Type.Object(
  {
    name: Name,
    language: Language,
    category: Type.Union([Type.Literal('MARKETING'), Type.Literal('UTILITY'), Type.Literal('AUTHENTICATION')], { description: `One of ${TEMPLATE_CATEGORIES.join(', ')}` }),
    components: Type.Array(Component, { minItems: 1, maxItems: 4, description: 'Meta’s components: HEADER (text), BODY, FOOTER, BUTTONS, in that order' }),
  },
  { additionalProperties: false },
);

const TemplateView = Type.Object({
  name: Type.String(),
  language: Type.String(),
  category: Type.String(),
  status: Status,
  rejectionReason: Nullable(Type.String()),
  statusDetail: Nullable(Type.Object({}, { additionalProperties: true })),
  providerId: Nullable(Type.String()),
  components: Type.Array(Type.Unknown()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  createdBy: Nullable(Type.String()),
  updatedBy: Nullable(Type.String()),
});

const TemplateParams = Type.Object({ name: Name, language: Language }, { additionalProperties: false });

const moreErrors = { 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), 502: Type.Ref('Problem') };

/**
 * `/v1/whatsapp/templates`: the WhatsApp template registry. Reading needs `messages:read`;
 * creating, deleting and syncing need `campaigns:write` (owner, admin, marketer; API keys with the
 * `campaigns:write` scope). The service checks both.
 */
export function whatsappTemplateRoutes(app: App, templates: WhatsAppTemplatesService): void {
  const tags = ['WhatsApp templates'];

  app.get(
    '/v1/whatsapp/templates',
    {
      schema: {
        tags,
        summary: 'The account’s WhatsApp templates with their approval status',
        querystring: Type.Object(
          { status: Type.Optional(Status), limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Type.String({ maxLength: 1200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(TemplateView), nextCursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => templates.list(contextOf(request), request.query),
  );

  app.post(
    '/v1/whatsapp/templates',
    {
      schema: {
        tags,
        summary: 'Create a template: submitted to Meta for review, PENDING until Meta decides',
        description:
          'Meta reviews the template and reports APPROVED or REJECTED (with a reason) by webhook; only APPROVED templates can be sent (`template_not_approved`). ' +
          'Refusals: `invalid_template` (422, with the failing fields), `template_exists` (409), `provider_error` (502).',
        body: CreateTemplateBody,
        response: { 201: TemplateView, ...errorResponses, ...moreErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await templates.create(contextOf(request), request.body)),
  );

  app.post(
    '/v1/whatsapp/templates/sync',
    {
      schema: {
        tags,
        summary: 'Bring statuses up to date from Meta (and drop templates Meta no longer has)',
        response: {
          200: Type.Object({ updated: Type.Integer(), removed: Type.Integer(), unchanged: Type.Integer(), data: Type.Array(TemplateView) }),
          ...errorResponses,
          ...moreErrors,
        },
      },
    },
    async (request) => templates.sync(contextOf(request)),
  );

  app.get(
    '/v1/whatsapp/templates/:name/:language',
    { schema: { tags, summary: 'One template', params: TemplateParams, response: { 200: TemplateView, ...errorResponses, ...moreErrors } } },
    async (request) => templates.get(contextOf(request), request.params.name, request.params.language),
  );

  app.delete(
    '/v1/whatsapp/templates/:name/:language',
    { schema: { tags, summary: 'Delete a template at Meta (this language only), then here', params: TemplateParams, response: { ...errorResponses, ...moreErrors } } },
    async (request, reply) => {
      await templates.remove(contextOf(request), request.params.name, request.params.language);
      return reply.status(204).send();
    },
  );
}
