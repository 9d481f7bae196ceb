import type { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import { Type } from 'typebox';
import { AppError } from '../../../platform/errors.ts';
import { errorResponses, IdParams, Nullable } from '../../../platform/http/schemas.ts';
import { type App, contextOf } from '../../../platform/http/server.ts';
import { ConfigureImportBody, ImportListQuery, ImportView, UploadQuery } from './schemas.ts';
import type { ContactImportsService } from './service.ts';

/** Content types accepted as the raw file in the request body (the alternative to multipart/form-data). */
const RAW_TYPES = [
  'text/csv',
  'text/plain',
  'text/tab-separated-values',
  'application/csv',
  'application/octet-stream',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
];

/**
 * /v1/contacts/imports. In their own encapsulated scope: the multipart plugin and the raw-body
 * parsers (the body is handed on as a stream, never buffered) apply to these routes only.
 */
export function contactImportRoutes(app: App, service: ContactImportsService): void {
  const tags = ['Contact imports'];
  void app.register(async (scope: App) => {
    await scope.register(fastifyMultipart, { limits: { fileSize: service.maxBytes, files: 1, fields: 10 } });
    scope.addContentTypeParser(RAW_TYPES, (_request, payload, done) => done(null, payload));
    scope.addHook('onClose', async () => service.close());

    scope.post(
      '/v1/contacts/imports',
      {
        schema: {
          tags,
          summary: 'Upload a CSV or XLSX file of contacts (up to 1,000,000 rows); returns its preview',
          description:
            'Send the file as multipart/form-data (field `file`) or as the raw body (Content-Type text/csv, application/octet-stream or the XLSX type, with `?filename=`). ' +
            'It is stored as it streams in. The answer gives the detected format, encoding (UTF-8 with or without BOM, Windows-1252), delimiter, header, the columns, ' +
            'the first 20 rows and a suggested mapping. Then PUT the mapping, merge policy and consent, and POST …/start.',
          querystring: UploadQuery,
          consumes: ['multipart/form-data', ...RAW_TYPES],
          response: { 201: ImportView, ...errorResponses, 413: Type.Ref('Problem') },
        },
      },
      async (request, reply) => {
        let stream: Readable;
        let filename: string;
        if (request.isMultipart()) {
          const file = await request.file();
          if (!file) throw new AppError('bad_request', 'The multipart body holds no file', { errors: [{ path: '/file', message: 'missing' }] });
          stream = file.file;
          filename = file.filename;
        } else {
          if (!request.body || typeof (request.body as Readable).pipe !== 'function') {
            throw new AppError('unsupported_media_type', `Send the file as multipart/form-data or as the raw body (${RAW_TYPES.join(', ')})`);
          }
          stream = request.body as Readable;
          filename = request.query.filename ?? 'contacts.csv';
        }
        return reply.status(201).send(await service.upload(contextOf(request), { filename, stream }));
      },
    );

    scope.get(
      '/v1/contacts/imports',
      { schema: { tags, summary: 'Imports, newest first', querystring: ImportListQuery, response: { 200: Type.Object({ data: Type.Array(ImportView), nextCursor: Nullable(Type.String()) }), ...errorResponses } } },
      async (request) => service.list(contextOf(request), request.query),
    );

    scope.get(
      '/v1/contacts/imports/:id',
      { schema: { tags, summary: 'An import: status, counters, percentage, rows per second, time left', params: IdParams, response: { 200: ImportView, ...errorResponses } } },
      async (request) => service.get(contextOf(request), request.params.id),
    );

    scope.put(
      '/v1/contacts/imports/:id',
      {
        schema: {
          tags,
          summary: 'Configure an uploaded import: column mapping, merge policy, consent (source required, R-CONSENT), encoding, delimiter, header',
          params: IdParams,
          body: ConfigureImportBody,
          response: { 200: ImportView, ...errorResponses },
        },
      },
      async (request) => service.configure(contextOf(request), request.params.id, request.body),
    );

    scope.post(
      '/v1/contacts/imports/:id/start',
      {
        schema: {
          tags,
          summary: 'Start the import (queued, then processed in the background)',
          description: 'Refused with 422 consent_source_required when the consent source is missing, invalid_import_mapping when no column feeds phone or email.',
          params: IdParams,
          response: { 202: ImportView, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(202).send(await service.start(contextOf(request), request.params.id)),
    );

    scope.post(
      '/v1/contacts/imports/:id/cancel',
      { schema: { tags, summary: 'Cancel an import; contacts already imported stay', params: IdParams, response: { 200: ImportView, ...errorResponses } } },
      async (request) => service.cancel(contextOf(request), request.params.id),
    );

    scope.get(
      '/v1/contacts/imports/:id/errors.csv',
      { schema: { tags, summary: 'Rows refused and remarks, with line, reason, column and raw text (CSV)', params: IdParams } },
      async (request, reply) => {
        const { filename, body } = await service.errorsCsv(contextOf(request), request.params.id);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(body);
      },
    );
  });
}
