import type { FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { problemOf, toAppError, validationFieldErrors } from './problem.ts';

/** A Fastify-like error: an Error with `code`, `statusCode` and, for validation, `validation`. */
function fastifyError(props: { code?: string; statusCode?: number; message?: string; validation?: unknown; validationContext?: string }): FastifyError {
  const error = new Error(props.message ?? 'boom') as FastifyError & Record<string, unknown>;
  Object.assign(error, props);
  return error;
}

describe('validationFieldErrors', () => {
  it('points additionalProperties errors at the unknown field', () => {
    expect(validationFieldErrors([{ instancePath: '', keyword: 'additionalProperties', message: 'must NOT have additional properties', params: { additionalProperty: 'nmae' } }], 'body')).toEqual([
      { path: '/nmae', message: 'is not a known field' },
    ]);
    expect(
      validationFieldErrors([{ instancePath: '/settings', keyword: 'additionalProperties', message: 'must NOT have additional properties', params: { additionalProperty: 'colour' } }], 'body'),
    ).toEqual([{ path: '/settings/colour', message: 'is not a known field' }]);
  });

  it('points required errors at the missing field', () => {
    expect(validationFieldErrors([{ instancePath: '', keyword: 'required', message: "must have required property 'email'", params: { missingProperty: 'email' } }], 'body')).toEqual([
      { path: '/email', message: 'is required' },
    ]);
    expect(
      validationFieldErrors([{ instancePath: '/contacts/3', keyword: 'required', message: "must have required property 'phone'", params: { missingProperty: 'phone' } }], 'body'),
    ).toEqual([{ path: '/contacts/3/phone', message: 'is required' }]);
  });

  it('keeps Ajv messages for other keywords, at the failing path', () => {
    expect(validationFieldErrors([{ instancePath: '/scopes/2', keyword: 'type', message: 'must be string', params: { type: 'string' } }], 'body')).toEqual([
      { path: '/scopes/2', message: 'must be string' },
    ]);
    expect(validationFieldErrors([{ instancePath: '/email', keyword: 'format', message: 'must match format "email"', params: { format: 'email' } }], 'body')).toEqual([
      { path: '/email', message: 'must match format "email"' },
    ]);
  });

  it('uses "/" for an error on the whole body', () => {
    expect(validationFieldErrors([{ instancePath: '', keyword: 'type', message: 'must be object', params: { type: 'object' } }], 'body')).toEqual([
      { path: '/', message: 'must be object' },
    ]);
  });

  it('treats a missing context as the body', () => {
    expect(validationFieldErrors([{ instancePath: '/name', keyword: 'type', message: 'must be string', params: {} }], undefined)).toEqual([
      { path: '/name', message: 'must be string' },
    ]);
  });

  it('says "is invalid" when Ajv gives no message', () => {
    expect(validationFieldErrors([{ instancePath: '/x', keyword: 'custom', params: {} }], 'body')).toEqual([{ path: '/x', message: 'is invalid' }]);
  });

  it('prefixes querystring, params and headers paths with their context', () => {
    expect(validationFieldErrors([{ instancePath: '/limit', keyword: 'type', message: 'must be integer', params: {} }], 'querystring')).toEqual([
      { path: '/querystring/limit', message: 'must be integer' },
    ]);
    expect(validationFieldErrors([{ instancePath: '', keyword: 'required', message: 'x', params: { missingProperty: 'cursor' } }], 'querystring')).toEqual([
      { path: '/querystring/cursor', message: 'is required' },
    ]);
    expect(validationFieldErrors([{ instancePath: '', keyword: 'additionalProperties', message: 'x', params: { additionalProperty: 'sort' } }], 'querystring')).toEqual([
      { path: '/querystring/sort', message: 'is not a known field' },
    ]);
    expect(validationFieldErrors([{ instancePath: '/id', keyword: 'format', message: 'must match format "uuid"', params: {} }], 'params')).toEqual([
      { path: '/params/id', message: 'must match format "uuid"' },
    ]);
    expect(validationFieldErrors([{ instancePath: '', keyword: 'type', message: 'must be object', params: {} }], 'params')).toEqual([
      { path: '/params', message: 'must be object' },
    ]);
    expect(validationFieldErrors([{ instancePath: '', keyword: 'required', message: 'x', params: { missingProperty: 'idempotency-key' } }], 'headers')).toEqual([
      { path: '/headers/idempotency-key', message: 'is required' },
    ]);
  });

  it('maps several errors in order', () => {
    const errors = validationFieldErrors(
      [
        { instancePath: '', keyword: 'required', message: 'x', params: { missingProperty: 'name' } },
        { instancePath: '/scopes/0', keyword: 'enum', message: 'must be equal to one of the allowed values', params: {} },
        { instancePath: '', keyword: 'additionalProperties', message: 'x', params: { additionalProperty: 'extra' } },
      ],
      'body',
    );
    expect(errors).toEqual([
      { path: '/name', message: 'is required' },
      { path: '/scopes/0', message: 'must be equal to one of the allowed values' },
      { path: '/extra', message: 'is not a known field' },
    ]);
  });

  it('returns no errors for no validation failures', () => {
    expect(validationFieldErrors([], 'body')).toEqual([]);
  });
});

describe('toAppError', () => {
  it('returns an AppError unchanged', () => {
    const error = new AppError('not_found', 'Tenant not found');
    expect(toAppError(error)).toBe(error);
  });

  it('turns a validation failure into validation_failed with field errors', () => {
    const error = toAppError(
      fastifyError({
        statusCode: 400,
        code: 'FST_ERR_VALIDATION',
        message: 'body must have required property',
        validationContext: 'body',
        validation: [
          { instancePath: '', keyword: 'required', message: 'x', params: { missingProperty: 'email' } },
          { instancePath: '/role', keyword: 'enum', message: 'must be equal to one of the allowed values', params: {} },
        ],
      }),
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('validation_failed');
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([
      { path: '/email', message: 'is required' },
      { path: '/role', message: 'must be equal to one of the allowed values' },
    ]);
    expect(error.message).toBe('The request is invalid: /email is required; /role must be equal to one of the allowed values');
  });

  it('uses the validation context in field paths', () => {
    const error = toAppError(
      fastifyError({ statusCode: 400, validationContext: 'querystring', validation: [{ instancePath: '/limit', keyword: 'maximum', message: 'must be <= 100', params: {} }] }),
    );
    expect(error.errors).toEqual([{ path: '/querystring/limit', message: 'must be <= 100' }]);
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'malformed_json', 400, 'The body is not valid JSON'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'malformed_json', 400, 'The body is not valid JSON'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'payload_too_large', 413, 'The body is larger than this endpoint accepts'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type', 415, 'Send application/json'],
  ])('maps %s', (code, statusCode, expectedCode, expectedStatus, detail) => {
    const error = toAppError(fastifyError({ code, statusCode, message: 'internal fastify text' }));
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(expectedCode);
    expect(error.status).toBe(expectedStatus);
    expect(error.message).toBe(detail);
  });

  it('maps the Fastify codes even without a status code', () => {
    expect(toAppError(fastifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' })).code).toBe('payload_too_large');
  });

  it('maps a JSON SyntaxError with status 400 to malformed_json', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token } in JSON'), { statusCode: 400 });
    const error = toAppError(syntax);
    expect(error.code).toBe('malformed_json');
    expect(error.status).toBe(400);
  });

  it('treats a SyntaxError without a 4xx status as an internal error', () => {
    const error = toAppError(new SyntaxError('bug in our code'));
    expect(error.code).toBe('internal_error');
    expect(error.status).toBe(500);
  });

  it('maps 429 to rate_limited, keeping the message', () => {
    const error = toAppError(fastifyError({ statusCode: 429, message: 'Rate limit exceeded, retry in 1 minute' }));
    expect(error.code).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.message).toBe('Rate limit exceeded, retry in 1 minute');
  });

  it.each([
    [400, 'bad_request'],
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [413, 'payload_too_large'],
    [415, 'unsupported_media_type'],
    [405, 'method_not_allowed'],
    [406, 'not_acceptable'],
  ])('maps another %i to %s, keeping the message', (statusCode, code) => {
    const error = toAppError(fastifyError({ statusCode, message: 'from a plugin' }));
    expect(error.code).toBe(code);
    expect(error.status).toBe(statusCode);
    expect(error.message).toBe('from a plugin');
  });

  it('never turns an unlisted 4xx into a 500, nor into one of our specific codes', () => {
    for (const statusCode of [411, 418, 422, 423, 431]) {
      const error = toAppError(fastifyError({ statusCode, message: 'odd client error' }));
      expect(error.code).toBe('bad_request');
      expect(error.status).toBe(400);
    }
  });

  it('maps unknown errors to internal_error 500 without leaking their message, keeping the cause', () => {
    const original = new Error('connection to 10.0.0.5 refused: password authentication failed');
    const error = toAppError(original);
    expect(error.code).toBe('internal_error');
    expect(error.status).toBe(500);
    expect(error.message).toBe('An unexpected error occurred; it has been logged');
    expect(error.message).not.toContain('10.0.0.5');
    expect(error.cause).toBe(original);
  });

  it('maps 5xx and unknown Fastify codes to internal_error', () => {
    expect(toAppError(fastifyError({ statusCode: 500, code: 'FST_ERR_SOMETHING' })).code).toBe('internal_error');
    expect(toAppError(fastifyError({ statusCode: 503 })).status).toBe(500);
    expect(toAppError(fastifyError({ code: 'FST_ERR_UNKNOWN' })).code).toBe('internal_error');
    expect(toAppError(fastifyError({ statusCode: 399 })).code).toBe('internal_error');
    expect(toAppError(new TypeError('x is undefined')).code).toBe('internal_error');
  });
});

describe('problemOf', () => {
  it('renders the RFC 9457 document with our code', () => {
    const problem = problemOf(new AppError('not_found', 'Tenant not found'), '/v1/tenants/42');
    expect(problem).toEqual({
      type: 'https://docs.sofy.fr/errors/not_found',
      title: 'Not found',
      status: 404,
      detail: 'Tenant not found',
      code: 'not_found',
      instance: '/v1/tenants/42',
    });
  });

  it('omits instance and errors when absent', () => {
    const problem = problemOf(new AppError('rate_limited', 'Slow down'));
    expect(problem).toEqual({
      type: 'https://docs.sofy.fr/errors/rate_limited',
      title: 'Rate limited',
      status: 429,
      detail: 'Slow down',
      code: 'rate_limited',
    });
    expect('instance' in problem).toBe(false);
    expect('errors' in problem).toBe(false);
    expect(problemOf(new AppError('rate_limited', 'Slow down'), '')).not.toHaveProperty('instance');
  });

  it('includes field errors', () => {
    const errors = [{ path: '/email', message: 'is required' }];
    const problem = problemOf(new AppError('validation_failed', 'The request is invalid', { errors }), '/v1/users');
    expect(problem.errors).toEqual(errors);
    expect(problem.title).toBe('Validation failed');
    expect(problem.status).toBe(400);
  });

  it('spreads extensions as top-level members', () => {
    const problem = problemOf(new AppError('account_locked', 'Too many attempts', { extensions: { lockedUntil: '2026-03-10T10:15:00.000Z' } }));
    expect(problem).toEqual({
      type: 'https://docs.sofy.fr/errors/account_locked',
      title: 'Account locked',
      status: 423,
      detail: 'Too many attempts',
      code: 'account_locked',
      lockedUntil: '2026-03-10T10:15:00.000Z',
    });
  });

  it('renders what toAppError makes of an unknown error without its internals', () => {
    const problem = problemOf(toAppError(new Error('secret stack detail')), '/v1/me');
    expect(problem.status).toBe(500);
    expect(problem.code).toBe('internal_error');
    expect(JSON.stringify(problem)).not.toContain('secret stack detail');
  });
});
