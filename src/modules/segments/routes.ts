import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { errorResponses, IdParams, Nullable } from '../../platform/http/schemas.ts';
import { type App, contextOf } from '../../platform/http/server.ts';
import { createValidatorCompiler } from '../../platform/http/validation.ts';
import type { MemberSelection, SegmentsService } from './service.ts';
import {
  CatalogueSchema,
  ContactPreviewSchema,
  ContactsQuery,
  CountBody,
  CountBodyChecked,
  CountResultSchema,
  CreateSegmentBody,
  CreateSegmentBodyChecked,
  MembersBody,
  MembersBodyChecked,
  MembersResultSchema,
  SegmentListQuery,
  SegmentViewSchema,
  UpdateSegmentBody,
  UpdateSegmentBodyChecked,
} from './schemas.ts';

const problems = { ...errorResponses, 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), 503: Type.Ref('Problem') };

/** Thin routes of /v1/segments: validate → service → reply. Reading needs contacts:read, changing contacts:write. */
export function segmentRoutes(app: App, segments: SegmentsService): void {
  const tags = ['Segments'];
  const base = createValidatorCompiler();
  // The body is documented with the whole rule tree but checked with `definition` open: the
  // service then checks the tree against the tenant's attributes, naming the exact field at fault.
  const checkBodyWith =
    (checked: TSchema): FastifySchemaCompiler<FastifySchema> =>
    (route) =>
      base(route.httpPart === 'body' ? { ...route, schema: checked } : route);

  app.get(
    '/v1/segments/catalogue',
    { schema: { tags, summary: 'What a segment definition may use: fields, attributes and their operators, segments and lists, value suggestions', response: { 200: CatalogueSchema, ...problems } } },
    async (request) => segments.catalogue(contextOf(request)),
  );

  app.get(
    '/v1/segments',
    {
      schema: {
        tags,
        summary: 'Segments and static lists, by name',
        querystring: SegmentListQuery,
        response: { 200: Type.Object({ data: Type.Array(SegmentViewSchema), nextCursor: Nullable(Type.String()) }), ...problems },
      },
    },
    async (request) => segments.list(contextOf(request), request.query),
  );

  app.post(
    '/v1/segments',
    {
      validatorCompiler: checkBodyWith(CreateSegmentBodyChecked),
      schema: {
        tags,
        summary: 'Create a dynamic segment (a rule tree) or a static list',
        description: 'A definition that does not fit the account (unknown attribute, operator that does not apply to its type, too deep, too many conditions, unknown segment, a loop) is refused with 422 `invalid_segment_definition` (or `segment_cycle`) and the JSON pointer of each field at fault.',
        body: CreateSegmentBody,
        response: { 201: SegmentViewSchema, ...problems },
      },
    },
    async (request, reply) => reply.status(201).send(await segments.create(contextOf(request), request.body)),
  );

  app.post(
    '/v1/segments/count',
    {
      validatorCompiler: checkBodyWith(CountBodyChecked),
      schema: {
        tags,
        summary: 'Live count of a definition that is not saved (the editor), with a preview of matching contacts',
        description:
          'Exact count under a time limit; past it, an estimate from a sample of the contacts (`approximate: true`); past that, 503 `segment_count_timeout`. Target: under 1 s for 1,000,000 contacts (bench/RESULTS.md).',
        body: CountBody,
        response: { 200: CountResultSchema, ...problems },
      },
    },
    async (request) => segments.countDefinition(contextOf(request), request.body),
  );

  app.get(
    '/v1/segments/:id',
    { schema: { tags, summary: 'A segment or list', params: IdParams, response: { 200: SegmentViewSchema, ...problems } } },
    async (request) => segments.get(contextOf(request), request.params.id),
  );

  app.patch(
    '/v1/segments/:id',
    {
      validatorCompiler: checkBodyWith(UpdateSegmentBodyChecked),
      schema: { tags, summary: 'Rename, describe, or change the rules of a dynamic segment', params: IdParams, body: UpdateSegmentBody, response: { 200: SegmentViewSchema, ...problems } },
    },
    async (request) => segments.update(contextOf(request), request.params.id, request.body),
  );

  app.delete(
    '/v1/segments/:id',
    { schema: { tags, summary: 'Delete a segment or list (refused with 409 `segment_in_use` while another segment or a campaign uses it)', params: IdParams, response: { ...problems } } },
    async (request, reply) => {
      await segments.remove(contextOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/segments/:id/count',
    { schema: { tags, summary: 'Count a saved segment now (remembered for the list)', params: IdParams, response: { 200: CountResultSchema, ...problems } } },
    async (request) => segments.count(contextOf(request), request.params.id),
  );

  app.get(
    '/v1/segments/:id/contacts',
    {
      schema: {
        tags,
        summary: 'The contacts of a segment or list, by id (cursor pagination)',
        params: IdParams,
        querystring: ContactsQuery,
        response: { 200: Type.Object({ data: Type.Array(ContactPreviewSchema), nextCursor: Nullable(Type.String()) }), ...problems },
      },
    },
    async (request) => segments.contacts(contextOf(request), request.params.id, request.query),
  );

  app.post(
    '/v1/segments/:id/members',
    {
      validatorCompiler: checkBodyWith(MembersBodyChecked),
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Add contacts to a static list: by ids, by a filter (a definition), or every contact of another segment',
        params: IdParams,
        body: MembersBody,
        response: { 200: MembersResultSchema, ...problems },
      },
    },
    async (request) => segments.addMembers(contextOf(request), request.params.id, request.body as MemberSelection),
  );

  app.post(
    '/v1/segments/:id/members/remove',
    {
      validatorCompiler: checkBodyWith(MembersBodyChecked),
      bodyLimit: 2 * 1024 * 1024,
      schema: { tags, summary: 'Remove contacts from a static list: by ids, by a filter, or those of another segment', params: IdParams, body: MembersBody, response: { 200: MembersResultSchema, ...problems } },
    },
    async (request) => segments.removeMembers(contextOf(request), request.params.id, request.body as MemberSelection),
  );
}
