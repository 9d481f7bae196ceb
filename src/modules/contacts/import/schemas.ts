import { type Static, Type } from 'typebox';
import { Nullable } from '../../../platform/http/schemas.ts';

/** Request and response schemas of /v1/contacts/imports (validation and OpenAPI). */

const Status = Type.String({ description: 'uploading, uploaded, queued, running, completed, failed or cancelled' });

const ConsentConfig = Type.Object(
  {
    channels: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 4, description: 'sms, email, whatsapp, rcs' })),
    status: Type.Optional(Type.String({ maxLength: 20, description: 'granted (default), refused or withdrawn' })),
    source: Type.Optional(
      Type.String({ maxLength: 20, description: 'REQUIRED (R-CONSENT): how the consent was collected — form, in_store, api, console, import. Missing: 422 consent_source_required' }),
    ),
    proof: Type.Optional(
      Type.Object(
        {
          text: Type.Optional(Type.String({ maxLength: 2000, description: 'The wording the people agreed to' })),
          reference: Type.Optional(Type.String({ maxLength: 500, description: 'A form id, a signed document…' })),
          collectedAt: Type.Optional(Type.String({ maxLength: 40, description: 'When it was collected (free text or a date)' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConfigureImportBody = Type.Object(
  {
    mapping: Type.Optional(
      Type.Record(Type.String({ maxLength: 120 }), Type.String({ maxLength: 60 }), {
        description: 'Column name (as in `columns`) → phone, email, firstName, lastName, language, tag, pointOfSale, externalId, attribute:<key> or ignore',
      }),
    ),
    mergePolicy: Type.Optional(Type.Union([Type.Literal('skip'), Type.Literal('update'), Type.Literal('overwrite')], { description: 'An existing contact (same phone, email or external id): keep it, update it (default), or replace it' })),
    consent: Type.Optional(ConsentConfig),
    encoding: Type.Optional(Type.Union([Type.Literal('utf-8'), Type.Literal('windows-1252')])),
    delimiter: Type.Optional(Type.Union([Type.Literal(';'), Type.Literal(','), Type.Literal('\t'), Type.Literal('|')])),
    hasHeader: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ConfigureImportRequest = Static<typeof ConfigureImportBody>;

export const ImportView = Type.Object(
  {
    id: Type.String(),
    status: Status,
    filename: Type.String(),
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
    sizeBytes: Type.Integer(),
    encoding: Nullable(Type.String()),
    delimiter: Nullable(Type.String()),
    hasHeader: Type.Boolean(),
    columns: Type.Array(Type.String()),
    preview: Type.Array(Type.Array(Type.String()), { description: 'The first rows (up to 20), cells by column' }),
    suggestedMapping: Type.Record(Type.String(), Type.String()),
    mapping: Nullable(Type.Record(Type.String(), Type.String())),
    mergePolicy: Nullable(Type.String()),
    consent: Nullable(Type.Object({}, { additionalProperties: true })),
    counters: Type.Object({
      estimatedRows: Nullable(Type.Integer({ description: 'Line count of the file until the import ends, then the rows processed' })),
      processed: Type.Integer(),
      inserted: Type.Integer(),
      updated: Type.Integer(),
      skipped: Type.Integer(),
      failed: Type.Integer(),
      warnings: Type.Integer(),
    }),
    progress: Type.Object({ percent: Type.Number(), rowsPerSecond: Nullable(Type.Integer()), etaSeconds: Nullable(Type.Integer()) }),
    error: Nullable(Type.String()),
    createdBy: Nullable(Type.String()),
    createdAt: Type.String(),
    startedAt: Nullable(Type.String()),
    finishedAt: Nullable(Type.String()),
  },
);

export const ImportListQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }), cursor: Type.Optional(Type.String({ maxLength: 300 })) },
  { additionalProperties: false },
);

export const UploadQuery = Type.Object(
  { filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Name of the file (raw body uploads)' })) },
  { additionalProperties: false },
);
