import type { ChannelError, OutboundWhatsApp, SendResult } from '../types.ts';
import { classifyMetaError } from './errors.ts';
import { requestJson, retryAfterMs } from '../http.ts';

export interface WhatsAppCloudOptions {
  /** Graph API root (default `https://graph.facebook.com`); the sandbox's URL in tests and offline. */
  baseUrl?: string;
  /** Graph API version, e.g. `v21.0`. */
  apiVersion?: string;
  /** System-user access token, sent as `Authorization: Bearer`. */
  accessToken: string;
  /** Deadline of one call (default 15 s). */
  timeoutMs?: number;
  /** For tests only. */
  fetch?: typeof fetch;
}

/** The `POST /{version}/{phone-number-id}/messages` body for a text or a template message. */
export function buildMessageBody(message: OutboundWhatsApp): Record<string, unknown> {
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to.replace(/[^\d]/g, ''),
    // Echoed back by Meta on every status webhook of this message: our id, for correlation.
    biz_opaque_callback_data: message.id.slice(0, 512),
  };
  if (message.template) {
    return {
      ...base,
      type: 'template',
      template: {
        name: message.template.name,
        language: { code: message.template.language },
        ...(message.template.components?.length ? { components: message.template.components } : {}),
      },
    };
  }
  return { ...base, type: 'text', text: { preview_url: /https?:\/\//.test(message.text ?? ''), body: message.text ?? '' } };
}

interface SendResponse {
  messaging_product?: string;
  contacts?: Array<{ input?: string; wa_id?: string }>;
  messages?: Array<{ id?: string; message_status?: string }>;
}

/**
 * WhatsApp Business Platform, Cloud API. One instance per access token; stateless, share it.
 * `send` never throws; every failure comes back classified (see errors.ts for the table).
 */
export class WhatsAppCloudConnector {
  readonly #baseUrl: string;
  readonly #apiVersion: string;
  readonly #accessToken: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: WhatsAppCloudOptions) {
    this.#baseUrl = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
    this.#apiVersion = options.apiVersion ?? 'v21.0';
    this.#accessToken = options.accessToken;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(message: OutboundWhatsApp): Promise<SendResult> {
    const invalid = (text: string): SendResult => ({
      ok: false,
      error: { code: 'invalid_message', message: text, retryable: false, attribution: 'platform' },
    });
    if (!message.phoneNumberId || !/^[\w-]+$/.test(message.phoneNumberId)) return invalid('phoneNumberId is missing or malformed');
    if (!/\d{6,}/.test(message.to.replace(/[^\d]/g, ''))) return invalid(`not a phone number: ${message.to}`);
    if (!message.template && !message.text) return invalid('a WhatsApp message needs text or a template');
    if (message.template && (!message.template.name || !message.template.language)) return invalid('a template needs a name and a language');

    const url = `${this.#baseUrl}/${this.#apiVersion}/${encodeURIComponent(message.phoneNumberId)}/messages`;
    const outcome = await requestJson(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#accessToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(buildMessageBody(message)),
      },
      this.#timeoutMs,
      'meta',
      this.#fetch,
    );
    if (outcome.kind === 'failure') return { ok: false, error: outcome.error };
    if (outcome.status >= 200 && outcome.status < 300) {
      const id = (outcome.json as SendResponse | undefined)?.messages?.[0]?.id;
      if (id) return { ok: true, providerId: id };
      const error: ChannelError = {
        code: 'invalid_response',
        message: `HTTP ${outcome.status} without a message id`,
        retryable: true,
        attribution: 'meta',
        outcomeUnknown: true,
      };
      return { ok: false, error };
    }
    return { ok: false, error: classifyMetaError(outcome.status, outcome.json, retryAfterMs(outcome.headers)) };
  }
}
