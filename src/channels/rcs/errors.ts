import type { ChannelError } from '../types.ts';

/**
 * Google API errors (`{ error: { code, message, status, details } }`) of the RCS Business
 * Messaging API → what they mean for the dispatcher.
 *
 * | HTTP | status              | code                 | retryable | attribution | outcomeUnknown |
 * |------|---------------------|----------------------|-----------|-------------|----------------|
 * | 404  | NOT_FOUND           | rcs_not_capable      | no        | google      | no   (fall back to SMS) |
 * | 429  | RESOURCE_EXHAUSTED  | rate_limited         | yes       | google      | no   (Retry-After, else 1 s) |
 * | 400  | INVALID_ARGUMENT    | invalid_request      | no        | platform    | no   |
 * | 400  | FAILED_PRECONDITION | invalid_request      | no        | platform    | no   |
 * | 401  | UNAUTHENTICATED     | auth_failed          | no        | platform    | no   |
 * | 403  | PERMISSION_DENIED   | permission_denied    | no        | platform    | no   |
 * | 409  | ALREADY_EXISTS      | duplicate_message_id | no        | platform    | no   (send treats it as an accepted replay) |
 * | 503  | UNAVAILABLE         | provider_unavailable | yes       | google      | no   |
 * | 500  | INTERNAL            | provider_unavailable | yes       | google      | yes  |
 * | 504  | DEADLINE_EXCEEDED   | provider_unavailable | yes       | google      | yes  |
 * | other 5xx / no body         | provider_unavailable | yes       | google      | yes  |
 * | other 4xx                   | rbm_<STATUS or http>  | no        | platform    | no   |
 */
export interface GoogleApiError {
  code?: number;
  message?: string;
  status?: string;
  details?: unknown[];
}

export function googleErrorOf(json: unknown): GoogleApiError | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const error = (json as { error?: unknown }).error;
  return error && typeof error === 'object' ? (error as GoogleApiError) : undefined;
}

export function classifyGoogleError(httpStatus: number, json: unknown, retryAfter?: number): ChannelError {
  const g = googleErrorOf(json);
  const status = g?.status ?? '';
  const message = g?.message ? `${status || httpStatus}: ${g.message}` : `HTTP ${httpStatus}`;
  const providerCode = status ? `${httpStatus} ${status}` : String(httpStatus);
  const base = { message, providerCode };
  if (httpStatus === 404 || status === 'NOT_FOUND') {
    return { ...base, code: 'rcs_not_capable', retryable: false, attribution: 'google' };
  }
  if (httpStatus === 429 || status === 'RESOURCE_EXHAUSTED') {
    return { ...base, code: 'rate_limited', retryable: true, attribution: 'google', retryAfterMs: retryAfter ?? 1_000 };
  }
  if (httpStatus === 401 || status === 'UNAUTHENTICATED') return { ...base, code: 'auth_failed', retryable: false, attribution: 'platform' };
  if (httpStatus === 403 || status === 'PERMISSION_DENIED') return { ...base, code: 'permission_denied', retryable: false, attribution: 'platform' };
  if (httpStatus === 409 || status === 'ALREADY_EXISTS') return { ...base, code: 'duplicate_message_id', retryable: false, attribution: 'platform' };
  if (httpStatus === 400 || status === 'INVALID_ARGUMENT' || status === 'FAILED_PRECONDITION' || status === 'OUT_OF_RANGE') {
    return { ...base, code: 'invalid_request', retryable: false, attribution: 'platform' };
  }
  if (httpStatus >= 500) {
    const notProcessed = httpStatus === 503 || status === 'UNAVAILABLE';
    return {
      ...base,
      code: 'provider_unavailable',
      retryable: true,
      attribution: 'google',
      retryAfterMs: retryAfter ?? 5_000,
      ...(notProcessed ? {} : { outcomeUnknown: true }),
    };
  }
  return { ...base, code: `rbm_${(status || String(httpStatus)).toLowerCase()}`, retryable: false, attribution: 'platform' };
}
