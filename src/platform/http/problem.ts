import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode, type FieldError, titleFor } from '../errors.ts';

/** RFC 9457 problem document, with our stable `code` and the failing fields. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemOf(error: AppError, instance?: string): Problem {
  return {
    type: `https://docs.sofy.fr/errors/${error.code}`,
    title: titleFor(error.code),
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

export function sendProblem(reply: FastifyReply, error: AppError, request: FastifyRequest): FastifyReply {
  return reply.status(error.status).type('application/problem+json').send(problemOf(error, request.url.split('?')[0]));
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Fastify/Ajv validation failures into field errors with JSON pointers into the request. */
export function validationFieldErrors(validation: AjvError[], context: string | undefined): FieldError[] {
  const root = context === 'body' || context === undefined ? '' : `/${context}`;
  return validation.map((item) => {
    let path = `${root}${item.instancePath}`;
    let message = item.message ?? 'is invalid';
    if (item.keyword === 'additionalProperties') {
      path = `${path}/${String(item.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (item.keyword === 'required') {
      path = `${path}/${String(item.params.missingProperty)}`;
      message = 'is required';
    }
    return { path: path || '/', message };
  });
}

/** Codes for 4xx errors raised by the framework or a plugin rather than by our code. */
const GENERIC_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Maps anything thrown while handling a request to an AppError (bad input never becomes a 500). */
export function toAppError(error: FastifyError | AppError | Error): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation) {
    const errors = validationFieldErrors(fastifyError.validation, fastifyError.validationContext);
    return new AppError('validation_failed', `The request is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, { errors });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('malformed_json', 'The body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The body is larger than this endpoint accepts');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send application/json');
    default:
      break;
  }
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) return new AppError('malformed_json', 'The body is not valid JSON');
  const status = fastifyError.statusCode;
  if (status === 429) return new AppError('rate_limited', error.message);
  if (status && status >= 400 && status < 500) return new AppError(GENERIC_CODES[status] ?? 'bad_request', error.message);
  return new AppError('internal_error', 'An unexpected error occurred; it has been logged', { cause: error });
}
