import type { Attribution, ChannelError } from './types.ts';

/**
 * A JSON-over-HTTPS call with a deadline, whose transport failures are already classified.
 * The one question that matters to the dispatcher is whether the request may have been
 * processed: a refused connection or a failed DNS lookup never reached the provider, while a
 * timeout or a connection reset after the request left may hide an accepted message.
 */
export type HttpOutcome =
  | { kind: 'response'; status: number; headers: Headers; json: unknown; text: string }
  | { kind: 'failure'; error: ChannelError };

const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL', 'ERR_TLS_CERT_ALTNAME_INVALID']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const c = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (Array.isArray(c.errors) && c.errors.length) current = c.errors[0];
    else current = c.cause;
  }
  return undefined;
}

export function classifyTransportError(err: unknown, provider: Attribution): ChannelError {
  const name = err && typeof err === 'object' ? (err as { name?: string }).name : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'TimeoutError' || name === 'AbortError') {
    return { code: 'timeout', message: `no answer in time: ${message}`, retryable: true, attribution: provider, outcomeUnknown: true };
  }
  const code = causeCode(err);
  if (code && DNS.has(code)) return { code: 'dns_failed', message, retryable: true, attribution: 'platform', providerCode: code };
  if (code?.startsWith('ERR_TLS') || code?.startsWith('CERT_') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return { code: 'tls_failed', message, retryable: false, attribution: 'platform', providerCode: code };
  }
  if (code && NOT_SENT.has(code)) return { code: 'connection_failed', message, retryable: true, attribution: provider, providerCode: code };
  return { code: 'connection_lost', message, retryable: true, attribution: provider, outcomeUnknown: true, ...(code ? { providerCode: code } : {}) };
}

export async function requestJson(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  timeoutMs: number,
  provider: Attribution,
  fetchImpl: typeof fetch = fetch,
): Promise<HttpOutcome> {
  try {
    const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { kind: 'response', status: response.status, headers: response.headers, json, text };
  } catch (err) {
    return { kind: 'failure', error: classifyTransportError(err, provider) };
  }
}

/** `Retry-After` as milliseconds (delta-seconds or an HTTP date), when present and sane. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
