import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { AppError } from '../errors.ts';
import { validationFieldErrors } from './problem.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Request validation. Bodies are JSON and must be exactly right: no type coercion ("5" is not 5,
 * "admin" is not ["admin"]) and no unknown fields silently dropped. Query strings and path
 * parameters are text by nature, so they are coerced to the declared types.
 */
function compiler(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const strict = compiler({ coerceTypes: false });
  const coercing = compiler({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}

let strictForItems: Ajv | undefined;

/**
 * A validator for items inside a request (e.g. each message of a batch), with the same strict
 * rules as bodies; errors come back as field errors under `prefix`.
 */
export function compileItemValidator<T>(schema: object, prefix: (index: number) => string): (value: unknown, index: number) => T | AppError {
  strictForItems ??= compiler({ coerceTypes: false });
  const validate = strictForItems.compile(schema);
  return (value, index) => {
    if (validate(value)) return value as T;
    const errors = validationFieldErrors((validate.errors ?? []) as Parameters<typeof validationFieldErrors>[0], undefined).map((e) => ({ ...e, path: `${prefix(index)}${e.path === '/' ? '' : e.path}` }));
    return new AppError('validation_failed', `Item ${index} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  };
}
