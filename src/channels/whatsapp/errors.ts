import type { Attribution, ChannelError } from '../types.ts';

/**
 * Meta (Graph API / WhatsApp Cloud API) error codes → what they mean for the dispatcher.
 * The same codes arrive synchronously (`{error:{code,…}}` answering the POST) or later in a
 * `failed` status webhook (`statuses[].errors[].code`): one table serves both.
 *
 * `retryAfterMs` is our default wait when Meta does not send `Retry-After`.
 */
export interface MetaErrorRule {
  code: string;
  retryable: boolean;
  attribution: Attribution;
  retryAfterMs?: number;
}

const rule = (code: string, retryable: boolean, attribution: Attribution, retryAfterMs?: number): MetaErrorRule => ({
  code,
  retryable,
  attribution,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

export const META_ERRORS: ReadonlyMap<number, MetaErrorRule> = new Map<number, MetaErrorRule>([
  // Conversation rules and recipients
  [131047, rule('outside_customer_service_window', false, 'meta')], // more than 24 h since the user's last message
  [131026, rule('undeliverable', false, 'recipient')], // not on WhatsApp, old client, terms not accepted…
  [131050, rule('recipient_opted_out', false, 'recipient')], // the user stopped marketing messages
  [131049, rule('meta_declined', false, 'meta')], // not delivered to keep the ecosystem healthy
  [130472, rule('meta_declined', false, 'meta')], // the user's number is part of an experiment
  [131021, rule('invalid_request', false, 'platform')], // recipient is the sender
  [131030, rule('recipient_not_allowed', false, 'platform')], // test number not in the allowed list
  // Throughput
  [130429, rule('rate_limited', true, 'meta', 1_000)], // Cloud API throughput reached
  [80007, rule('rate_limited', true, 'meta', 60_000)], // WABA rate limit
  [4, rule('rate_limited', true, 'meta', 60_000)], // application request limit
  [131056, rule('pair_rate_limited', true, 'meta', 6_000)], // too many messages to the same user
  [131048, rule('spam_rate_limited', true, 'meta', 3_600_000)], // restricted after spam reports
  // Templates (ours)
  [132000, rule('template_param_mismatch', false, 'platform')],
  [132001, rule('template_not_found', false, 'platform')], // absent in that language, or not approved
  [132005, rule('template_invalid', false, 'platform')], // hydrated text too long
  [132007, rule('template_invalid', false, 'platform')], // format character policy
  [132012, rule('template_param_mismatch', false, 'platform')], // parameter format
  [132015, rule('template_paused', false, 'platform')],
  [132016, rule('template_disabled', false, 'platform')],
  [132068, rule('template_invalid', false, 'platform')], // flow blocked
  [132069, rule('template_invalid', false, 'platform')], // flow throttled
  // Requests (ours)
  [100, rule('invalid_request', false, 'platform')],
  [131008, rule('invalid_request', false, 'platform')], // required parameter missing
  [131009, rule('invalid_request', false, 'platform')], // parameter value invalid
  [131051, rule('invalid_request', false, 'platform')], // unsupported message type
  [135000, rule('invalid_request', false, 'platform')],
  [131052, rule('media_error', false, 'platform')],
  [131053, rule('media_error', false, 'platform')],
  // Credentials, permissions, account
  [0, rule('auth_failed', false, 'platform')],
  [190, rule('auth_failed', false, 'platform')], // access token expired or invalid
  [3, rule('permission_denied', false, 'platform')],
  [10, rule('permission_denied', false, 'platform')],
  [133010, rule('sender_not_registered', false, 'platform')],
  [133000, rule('sender_not_registered', false, 'platform')],
  [131031, rule('account_restricted', false, 'meta')], // account locked
  [368, rule('account_restricted', false, 'meta')], // temporarily blocked for policy violations
  [130497, rule('account_restricted', false, 'meta')], // messaging to that country restricted
  [131042, rule('account_restricted', false, 'platform')], // payment method problem
  [131045, rule('account_restricted', false, 'platform')], // display name certificate
  // Meta having a bad moment
  [1, rule('provider_unavailable', true, 'meta', 5_000)],
  [2, rule('provider_unavailable', true, 'meta', 5_000)],
  [131000, rule('provider_unavailable', true, 'meta', 5_000)],
  [131016, rule('provider_unavailable', true, 'meta', 5_000)],
  [131057, rule('provider_unavailable', true, 'meta', 60_000)], // account in maintenance mode
  [133004, rule('provider_unavailable', true, 'meta', 5_000)],
]);

export function metaRule(code: number): MetaErrorRule | undefined {
  const known = META_ERRORS.get(code);
  if (known) return known;
  if (code >= 200 && code <= 299) return rule('permission_denied', false, 'platform');
  return undefined;
}

/** Who a Meta error code belongs to, for delivery reports (unknown codes: Meta's). */
export function metaAttribution(code: number | undefined): Attribution {
  return code === undefined ? 'meta' : (metaRule(code)?.attribution ?? 'meta');
}

export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details?: string };
  fbtrace_id?: string;
}

export function graphErrorOf(json: unknown): GraphError | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const error = (json as { error?: unknown }).error;
  if (!error || typeof error !== 'object') return undefined;
  const e = error as GraphError;
  return typeof e.code === 'number' ? e : undefined;
}

/**
 * Classifies a non-2xx answer of the Cloud API.
 *
 * Without a Graph error body (a proxy's 502/504, an HTML page), a 5xx may hide a message
 * that was accepted before the failure: `outcomeUnknown`. A 5xx that carries a Graph error
 * is Meta telling us it did not process the request.
 */
export function classifyMetaError(status: number, json: unknown, retryAfter?: number): ChannelError {
  const graph = graphErrorOf(json);
  const details = graph?.error_data?.details;
  const message = graph ? [graph.message ?? `error ${graph.code}`, details].filter(Boolean).join(' — ') : `HTTP ${status} without a Graph API error`;
  const providerCode = graph ? String(graph.code) + (graph.error_subcode ? `/${graph.error_subcode}` : '') : `http_${status}`;
  const known = graph?.code !== undefined ? metaRule(graph.code) : undefined;
  const withWait = (r: MetaErrorRule): ChannelError => {
    const wait = retryAfter ?? r.retryAfterMs;
    return {
      code: r.code,
      message,
      retryable: r.retryable,
      attribution: r.attribution,
      providerCode,
      ...(r.retryable && wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  };
  if (known) return withWait(known);
  if (status === 429) return withWait(rule('rate_limited', true, 'meta', 1_000));
  if (status === 401) return withWait(rule('auth_failed', false, 'platform'));
  if (status === 403) return withWait(rule('permission_denied', false, 'platform'));
  if (status >= 500) {
    return { ...withWait(rule('provider_unavailable', true, 'meta', 5_000)), ...(graph ? {} : { outcomeUnknown: true }) };
  }
  if (graph) return withWait(rule(`whatsapp_${graph.code}`, false, 'meta'));
  return withWait(rule(`http_${status}`, false, 'meta'));
}
