import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { errorResponses, IdParams } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import {
  AttributeDefinitionView,
  AttributeKeyParams,
  BulkBody,
  BulkResult,
  ConsentEventView,
  ConsentParams,
  ContactDetailView,
  ContactListQuery,
  ContactPage,
  ContactSummary,
  CreateAttributeBody,
  CreateContactBody,
  ExportQuery,
  SetConsentBody,
  TimelinePage,
  UpdateAttributeBody,
  UpdateContactBody,
} from './schemas.ts';
import type { ContactsService } from './service.ts';

const conflictResponses = { ...errorResponses, 404: Type.Ref('Problem'), 409: Type.Ref('Problem') };

/** /v1/contacts and /v1/contact-attributes (issue 4). Scopes: contacts:read, contacts:write. */
export function contactRoutes(app: App, contacts: ContactsService): void {
  const tags = ['Contacts'];

  app.get(
    '/v1/contacts',
    { schema: { tags, summary: 'Contacts, newest first: search (phone, email, name prefix) and filters', querystring: ContactListQuery, response: { 200: ContactPage, ...errorResponses } } },
    async (request) => contacts.list(contextOf(request), request.query),
  );

  app.post(
    '/v1/contacts',
    {
      schema: {
        tags,
        summary: 'Create a contact',
        description: 'Phone (E.164, region FR by default), email and external id are each unique per account: a second contact with one of them is refused with 409 (`contact_phone_taken`, `contact_email_taken`, `contact_external_id_taken`). Consent given here needs its proof (R-CONSENT).',
        body: CreateContactBody,
        response: { 201: ContactDetailView, ...conflictResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await contacts.create(contextOf(request), request.body)),
  );

  app.post(
    '/v1/contacts/bulk',
    {
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Create or update up to 1,000 contacts; each item succeeds or fails on its own',
        description: 'Items are matched on phone, email or external id and merged under `mergePolicy` (skip, update, overwrite). Items are applied in order: duplicates inside one call merge into one contact.',
        body: BulkBody,
        response: { 200: BulkResult, ...errorResponses },
      },
    },
    async (request) => contacts.bulkUpsert(contextOf(request), request.body.contacts, request.body.mergePolicy ?? 'update'),
  );

  app.get(
    '/v1/contacts/export',
    {
      schema: {
        tags,
        summary: 'Every contact with its consent and consent history, as CSV or JSON (streamed)',
        description: 'R-REVERSIBILITY: the full contact base in a standard structured format. CSV is UTF-8 with a BOM; tags, attributes, proofs and the consent history are JSON inside their cells.',
        querystring: ExportQuery,
      },
    },
    async (request, reply) => {
      const format = request.query.format;
      const chunks = await contacts.export(contextOf(request), format);
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="contacts-${day}.${format}"`)
        .send(Readable.from(chunks));
    },
  );

  app.get('/v1/contacts/summary', { schema: { tags, summary: 'Counts: contacts, granted consent per channel, tags and points of sale in use', response: { 200: ContactSummary, ...errorResponses } } }, async (request) =>
    contacts.summary(contextOf(request)),
  );

  app.get('/v1/contacts/:id', { schema: { tags, summary: 'A contact with its consent per channel', params: IdParams, response: { 200: ContactDetailView, ...conflictResponses } } }, async (request) =>
    contacts.get(contextOf(request), request.params.id),
  );

  app.patch(
    '/v1/contacts/:id',
    { schema: { tags, summary: 'Change a contact (members given replace, null clears)', params: IdParams, body: UpdateContactBody, response: { 200: ContactDetailView, ...conflictResponses } } },
    async (request) => contacts.update(contextOf(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/contacts/:id',
    {
      schema: {
        tags,
        summary: 'Erase a contact (data-subject request): the contact, its consents and its history',
        description: 'R-DSR. The audit trail keeps the id, never the personal data. An address on the suppression list stays there, so the person gets no marketing if re-imported.',
        params: IdParams,
        response: { ...conflictResponses },
      },
    },
    async (request, reply) => {
      await contacts.erase(contextOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.put(
    '/v1/contacts/:id/consents/:channel',
    {
      schema: {
        tags,
        summary: 'Record a consent decision for one channel (appended to the history)',
        description: 'R-CONSENT: granting needs proof (text shown, IP, operator or reference); an import cannot re-grant a withdrawn consent. The suppression list (opt-outs) always wins over a consent.',
        params: ConsentParams,
        body: SetConsentBody,
        response: { 200: Type.Object({ ...ContactDetailView.properties, changed: Type.Boolean() }), ...conflictResponses },
      },
    },
    async (request) => contacts.setConsent(contextOf(request), request.params.id, request.params.channel, request.body),
  );

  app.get(
    '/v1/contacts/:id/consents',
    { schema: { tags, summary: 'The consent history of a contact, newest first', params: IdParams, response: { 200: Type.Object({ data: Type.Array(ConsentEventView) }), ...conflictResponses } } },
    async (request) => contacts.consentHistory(contextOf(request), request.params.id),
  );

  app.get(
    '/v1/contacts/:id/timeline',
    {
      schema: {
        tags,
        summary: 'What happened to a contact: messages, clicks, opens, replies, opt-outs, consent changes',
        params: IdParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }), cursor: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: TimelinePage, ...conflictResponses },
      },
    },
    async (request) => contacts.timeline(contextOf(request), request.params.id, request.query),
  );

  // Attribute definitions -------------------------------------------------------------------------
  const attrTags = ['Contact attributes'];
  app.get('/v1/contact-attributes', { schema: { tags: attrTags, summary: 'Typed custom fields of contacts', response: { 200: Type.Object({ data: Type.Array(AttributeDefinitionView) }), ...errorResponses } } }, async (request) =>
    contacts.listAttributes(contextOf(request)),
  );
  app.post(
    '/v1/contact-attributes',
    { schema: { tags: attrTags, summary: 'Define a custom field (text, number, date, boolean, choice)', body: CreateAttributeBody, response: { 201: AttributeDefinitionView, ...conflictResponses } } },
    async (request, reply) => reply.status(201).send(await contacts.createAttribute(contextOf(request), request.body)),
  );
  app.patch(
    '/v1/contact-attributes/:key',
    { schema: { tags: attrTags, summary: 'Rename a custom field or change its choices', params: AttributeKeyParams, body: UpdateAttributeBody, response: { 200: AttributeDefinitionView, ...conflictResponses } } },
    async (request) => contacts.updateAttribute(contextOf(request), request.params.key, request.body),
  );
  app.delete(
    '/v1/contact-attributes/:key',
    { schema: { tags: attrTags, summary: 'Delete a custom field and its values on every contact (refused with 409 `attribute_in_use` while a segment’s rules name it)', params: AttributeKeyParams, response: { ...conflictResponses } } },
    async (request, reply) => {
      await contacts.deleteAttribute(contextOf(request), request.params.key);
      return reply.status(204).send();
    },
  );
}
