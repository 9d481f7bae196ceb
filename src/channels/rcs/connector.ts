import { randomUUID } from 'node:crypto';
import type { ChannelError, OutboundRcs, SendResult } from '../types.ts';
import { classifyGoogleError } from './errors.ts';
import { type HttpOutcome, requestJson, retryAfterMs } from '../http.ts';

export interface RbmConnectorOptions {
  /** API root (default `https://rcsbusinessmessaging.googleapis.com`; regional hosts work too). */
  baseUrl?: string;
  /** Default agent, used when a message names none. */
  agentId: string;
  /** An OAuth 2.0 access token for the `rcsbusinessmessaging` scope (caching is the provider's job). */
  tokenProvider: () => Promise<string>;
  /** Deadline of one call (default 15 s). */
  timeoutMs?: number;
  /** For tests only. */
  fetch?: typeof fetch;
}

export type CapabilityResult = { ok: true; capable: true; features: string[] } | { ok: true; capable: false } | { ok: false; error: ChannelError };

/** `revoked: false` means Google no longer had it queued: it was already delivered (or never existed). */
export type RevokeResult = { ok: true; revoked: boolean } | { ok: false; error: ChannelError };

const E164 = /^\+[1-9]\d{6,14}$/;
/** RBM limits: 11 suggestions on a message, 25 characters of suggestion text, 2048 of postback data, 3072 of text. */
const MAX_SUGGESTIONS = 11;

/** The `agentMessages` body: `contentMessage` with text and suggestions, and `ttl` when asked. */
export function buildAgentMessage(message: OutboundRcs): Record<string, unknown> {
  const suggestions = (message.suggestions ?? []).map((s) => {
    const postbackData = s.postbackData ?? s.text;
    if (s.type === 'reply') return { reply: { text: s.text, postbackData } };
    if (s.type === 'url') return { action: { text: s.text, postbackData, openUrlAction: { url: s.url } } };
    return { action: { text: s.text, postbackData, dialAction: { phoneNumber: s.phoneNumber } } };
  });
  return {
    contentMessage: { text: message.text, ...(suggestions.length ? { suggestions } : {}) },
    ...(message.ttlSeconds !== undefined ? { ttl: `${Math.max(1, Math.floor(message.ttlSeconds))}s` } : {}),
  };
}

function validate(message: OutboundRcs): string | undefined {
  if (!E164.test(message.to)) return `not an E.164 number: ${message.to}`;
  if (!message.id || !/^[\w.:-]{1,100}$/.test(message.id)) return 'the message id must be 1-100 characters of [A-Za-z0-9_.:-]';
  if (!message.text) return 'an RCS message needs text';
  if (message.text.length > 3072) return 'RCS text is limited to 3072 characters';
  const suggestions = message.suggestions ?? [];
  if (suggestions.length > MAX_SUGGESTIONS) return `at most ${MAX_SUGGESTIONS} suggestions`;
  for (const s of suggestions) {
    if (!s.text || s.text.length > 25) return `suggestion text must be 1-25 characters: ${s.text}`;
    if ((s.postbackData ?? s.text).length > 2048) return 'postbackData is limited to 2048 characters';
    if (s.type === 'url' && !/^https?:\/\//.test(s.url ?? '')) return `a url suggestion needs an http(s) url: ${s.text}`;
    if (s.type === 'dial' && !E164.test(s.phoneNumber ?? '')) return `a dial suggestion needs an E.164 phoneNumber: ${s.text}`;
  }
  if (message.ttlSeconds !== undefined && !(message.ttlSeconds > 0)) return 'ttlSeconds must be positive';
  return undefined;
}

/**
 * Google RCS Business Messaging (RBM) API v1. Stateless; share one per agent/credentials.
 * Nothing here throws: failures come back classified (see errors.ts).
 */
export class RbmConnector {
  readonly #baseUrl: string;
  readonly #agentId: string;
  readonly #tokenProvider: () => Promise<string>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: RbmConnectorOptions) {
    this.#baseUrl = (options.baseUrl ?? 'https://rcsbusinessmessaging.googleapis.com').replace(/\/+$/, '');
    this.#agentId = options.agentId;
    this.#tokenProvider = options.tokenProvider;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async #call(method: string, path: string, query: Record<string, string>, body?: unknown): Promise<HttpOutcome> {
    let token: string;
    try {
      token = await this.#tokenProvider();
    } catch (err) {
      return {
        kind: 'failure',
        error: { code: 'token_unavailable', message: `no access token: ${err instanceof Error ? err.message : String(err)}`, retryable: true, attribution: 'platform' },
      };
    }
    const url = `${this.#baseUrl}${path}?${new URLSearchParams(query).toString()}`;
    return requestJson(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      this.#timeoutMs,
      'google',
      this.#fetch,
    );
  }

  /** Whether the number can receive RCS from this agent now, and with which features. */
  async capability(msisdn: string, agentId = this.#agentId): Promise<CapabilityResult> {
    if (!E164.test(msisdn)) return { ok: false, error: { code: 'invalid_message', message: `not an E.164 number: ${msisdn}`, retryable: false, attribution: 'platform' } };
    const outcome = await this.#call('GET', `/v1/phones/${msisdn}/capabilities`, { requestId: randomUUID(), agentId });
    if (outcome.kind === 'failure') {
      const error = { ...outcome.error };
      delete error.outcomeUnknown; // a read: nothing to duplicate
      return { ok: false, error };
    }
    if (outcome.status === 200) {
      const features = (outcome.json as { features?: unknown } | undefined)?.features;
      return { ok: true, capable: true, features: Array.isArray(features) ? features.filter((f): f is string => typeof f === 'string') : [] };
    }
    if (outcome.status === 404) return { ok: true, capable: false };
    const error = classifyGoogleError(outcome.status, outcome.json, retryAfterMs(outcome.headers));
    delete error.outcomeUnknown; // a read: nothing to duplicate
    return { ok: false, error };
  }

  /**
   * Sends an agent message; the provider id is our message id (RBM ids are agent-assigned).
   * 404 → `rcs_not_capable` (fall back to SMS). A 409 ALREADY_EXISTS answers a retry of a send
   * whose first answer was lost: the message is there, so it is a success.
   */
  async send(message: OutboundRcs): Promise<SendResult> {
    const problem = validate(message);
    if (problem) return { ok: false, error: { code: 'invalid_message', message: problem, retryable: false, attribution: 'platform' } };
    const agentId = message.agentId || this.#agentId;
    const outcome = await this.#call('POST', `/v1/phones/${message.to}/agentMessages`, { messageId: message.id, agentId }, buildAgentMessage(message));
    if (outcome.kind === 'failure') return { ok: false, error: outcome.error };
    if (outcome.status >= 200 && outcome.status < 300) return { ok: true, providerId: message.id };
    if (outcome.status === 409) return { ok: true, providerId: message.id };
    return { ok: false, error: classifyGoogleError(outcome.status, outcome.json, retryAfterMs(outcome.headers)) };
  }

  /** Revokes a message not yet delivered (e.g. its TTL passed on our side, before falling back to SMS). */
  async revoke(msisdn: string, messageId: string, agentId = this.#agentId): Promise<RevokeResult> {
    if (!E164.test(msisdn)) return { ok: false, error: { code: 'invalid_message', message: `not an E.164 number: ${msisdn}`, retryable: false, attribution: 'platform' } };
    const outcome = await this.#call('DELETE', `/v1/phones/${msisdn}/agentMessages/${encodeURIComponent(messageId)}`, { agentId });
    if (outcome.kind === 'failure') return { ok: false, error: outcome.error };
    if (outcome.status >= 200 && outcome.status < 300) return { ok: true, revoked: true };
    if (outcome.status === 404) return { ok: true, revoked: false };
    return { ok: false, error: classifyGoogleError(outcome.status, outcome.json, retryAfterMs(outcome.headers)) };
  }
}
