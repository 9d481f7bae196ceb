import type { ChannelError } from '../types.ts';
import { requestJson, retryAfterMs } from '../http.ts';
import { classifyMetaError, graphErrorOf } from './errors.ts';

/**
 * Message templates of a WhatsApp Business Account (WABA), through the Business Management API:
 * `POST|GET|DELETE /{version}/{waba-id}/message_templates`. Meta reviews each new template and
 * reports the outcome later with a `message_template_status_update` webhook (see
 * `parseTemplateStatusUpdates`). Like the message connector, nothing here throws: every failure
 * comes back classified.
 */

export type WaTemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
/** Statuses a template can have at Meta (a superset of those SOFY stores). */
export type WaTemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION' | 'DELETED' | 'ARCHIVED' | 'LIMIT_EXCEEDED';

export interface WaTemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER';
  text: string;
  url?: string;
  phone_number?: string;
  example?: string[];
}

/** A component as Meta defines it: `{type: 'BODY', text: 'Bonjour {{1}}', example: {body_text: [['Léa']]}}`. */
export interface WaTemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS';
  format?: 'TEXT';
  text?: string;
  example?: { header_text?: string[]; body_text?: string[][] };
  buttons?: WaTemplateButton[];
}

export interface WaTemplateDefinition {
  /** Lowercase letters, digits and underscores, at most 512 characters. */
  name: string;
  /** Meta's language code: `fr`, `en_US`… */
  language: string;
  category: WaTemplateCategory;
  components: WaTemplateComponent[];
}

/** A template as Meta lists it. */
export interface WaTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  components: WaTemplateComponent[];
  /** `NONE` unless rejected (`INVALID_FORMAT`, `ABUSIVE_CONTENT`, `PROMOTIONAL`…). */
  rejectedReason?: string;
}

export type TemplateResult<T> = { ok: true; value: T } | { ok: false; error: ChannelError };

export interface WhatsAppTemplatesOptions {
  /** Graph API root (default `https://graph.facebook.com`); the sandbox's URL in tests and offline. */
  baseUrl?: string;
  apiVersion?: string;
  /** System-user token with `whatsapp_business_management`. */
  accessToken: string;
  businessAccountId: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Graph error subcodes that mean "this name already exists in this language" (or is still being
 * deleted: Meta keeps a deleted name for some time): our `template_exists`.
 */
export const TEMPLATE_EXISTS_SUBCODES: ReadonlySet<number> = new Set([2388023, 2388024]);

interface GraphUserError {
  error_user_title?: string;
  error_user_msg?: string;
  error_subcode?: number;
}

/** Meta's error, with the human text of the Business Management API when it gave one. */
function templateError(status: number, json: unknown, headers: Headers): ChannelError {
  const error = classifyMetaError(status, json, retryAfterMs(headers));
  const graph = graphErrorOf(json) as (GraphUserError & object) | undefined;
  const userText = [graph?.error_user_title, graph?.error_user_msg].filter(Boolean).join(': ');
  const message = userText ? `${error.message} — ${userText}` : error.message;
  if (graph?.error_subcode !== undefined && TEMPLATE_EXISTS_SUBCODES.has(graph.error_subcode)) {
    return { ...error, code: 'template_exists', message, retryable: false, attribution: 'platform' };
  }
  return { ...error, message };
}

function asTemplate(raw: unknown): WaTemplate | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const t = raw as Record<string, unknown>;
  const id = typeof t.id === 'string' || typeof t.id === 'number' ? String(t.id) : undefined;
  if (!id || typeof t.name !== 'string' || typeof t.language !== 'string') return undefined;
  return {
    id,
    name: t.name,
    language: t.language,
    status: typeof t.status === 'string' ? t.status : 'PENDING',
    category: typeof t.category === 'string' ? t.category : 'MARKETING',
    components: Array.isArray(t.components) ? (t.components as WaTemplateComponent[]) : [],
    ...(typeof t.rejected_reason === 'string' ? { rejectedReason: t.rejected_reason } : {}),
  };
}

export class WhatsAppTemplatesClient {
  readonly #baseUrl: string;
  readonly #apiVersion: string;
  readonly #accessToken: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly businessAccountId: string;

  constructor(options: WhatsAppTemplatesOptions) {
    this.#baseUrl = (options.baseUrl ?? 'https://graph.facebook.com').replace(/\/+$/, '');
    this.#apiVersion = options.apiVersion ?? 'v21.0';
    this.#accessToken = options.accessToken;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#fetch = options.fetch ?? fetch;
    this.businessAccountId = options.businessAccountId;
  }

  #url(query?: URLSearchParams): string {
    const base = `${this.#baseUrl}/${this.#apiVersion}/${encodeURIComponent(this.businessAccountId)}/message_templates`;
    const q = query?.toString();
    return q ? `${base}?${q}` : base;
  }

  async #call(method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
    return requestJson(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${this.#accessToken}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      this.#timeoutMs,
      'meta',
      this.#fetch,
    );
  }

  /** Submits a template for review. Meta answers `{id, status, category}`; the status is usually `PENDING`. */
  async create(definition: WaTemplateDefinition): Promise<TemplateResult<{ id: string; status: string; category: string }>> {
    const outcome = await this.#call('POST', this.#url(), {
      name: definition.name,
      language: definition.language,
      category: definition.category,
      components: definition.components,
    });
    if (outcome.kind === 'failure') return { ok: false, error: outcome.error };
    if (outcome.status >= 200 && outcome.status < 300) {
      const json = (outcome.json ?? {}) as { id?: unknown; status?: unknown; category?: unknown };
      const id = typeof json.id === 'string' || typeof json.id === 'number' ? String(json.id) : undefined;
      if (!id) {
        return { ok: false, error: { code: 'invalid_response', message: `HTTP ${outcome.status} without a template id`, retryable: false, attribution: 'meta', outcomeUnknown: true } };
      }
      return { ok: true, value: { id, status: typeof json.status === 'string' ? json.status : 'PENDING', category: typeof json.category === 'string' ? json.category : definition.category } };
    }
    return { ok: false, error: templateError(outcome.status, outcome.json, outcome.headers) };
  }

  /** One page of the WABA's templates (`after`: the cursor of the previous page). */
  async listPage(options: { name?: string; limit?: number; after?: string } = {}): Promise<TemplateResult<{ data: WaTemplate[]; after?: string }>> {
    const query = new URLSearchParams({ fields: 'id,name,language,status,category,components,rejected_reason', limit: String(options.limit ?? 100) });
    if (options.name) query.set('name', options.name);
    if (options.after) query.set('after', options.after);
    const outcome = await this.#call('GET', this.#url(query));
    if (outcome.kind === 'failure') return { ok: false, error: outcome.error };
    if (outcome.status < 200 || outcome.status >= 300) return { ok: false, error: templateError(outcome.status, outcome.json, outcome.headers) };
    const json = (outcome.json ?? {}) as { data?: unknown; paging?: { cursors?: { after?: unknown }; next?: unknown } };
    const data = (Array.isArray(json.data) ? json.data : []).map(asTemplate).filter((t): t is WaTemplate => t !== undefined);
    // Graph API paging: a `next` link means there is another page, reached with `after`.
    const after = typeof json.paging?.next === 'string' && typeof json.paging.cursors?.after === 'string' ? json.paging.cursors.after : undefined;
    return { ok: true, value: { data, ...(after ? { after } : {}) } };
  }

  /** Every template of the WABA (or of one name), following the pages; at most `maxPages` calls. */
  async listAll(options: { name?: string; pageSize?: number; maxPages?: number } = {}): Promise<TemplateResult<WaTemplate[]>> {
    const all: WaTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < (options.maxPages ?? 100); page++) {
      const result = await this.listPage({ ...(options.name ? { name: options.name } : {}), limit: options.pageSize ?? 100, ...(after ? { after } : {}) });
      if (!result.ok) return result;
      all.push(...result.value.data);
      after = result.value.after;
      if (!after) return { ok: true, value: all };
    }
    return { ok: false, error: { code: 'too_many_pages', message: `more than ${options.maxPages ?? 100} pages of templates`, retryable: false, attribution: 'platform' } };
  }

  /**
   * Deletes a template: by name alone, every language of it (Meta's rule); with `id` (Meta's
   * `hsm_id`) only that language.
   */
  async delete(target: { name: string; id?: string }): Promise<TemplateResult<void>> {
    const query = new URLSearchParams({ name: target.name });
    if (target.id) query.set('hsm_id', target.id);
    const outcome = await this.#call('DELETE', this.#url(query));
    if (outcome.kind === 'failure') return { ok: false, error: outcome.error };
    if (outcome.status >= 200 && outcome.status < 300) return { ok: true, value: undefined };
    return { ok: false, error: templateError(outcome.status, outcome.json, outcome.headers) };
  }
}

// The status webhook ---------------------------------------------------------------------------

/** One `message_template_status_update` change, normalised. */
export interface TemplateStatusUpdate {
  /** `entry[].id`: the WABA the template belongs to. */
  businessAccountId: string;
  /** `message_template_id`, as text (Graph ids are 64-bit). */
  templateId: string;
  name: string;
  /** As Meta writes it in API calls (`en_US`; the webhook sometimes says `en-US`). */
  language: string;
  /** `APPROVED`, `REJECTED`, `PAUSED`, `DISABLED`, `REINSTATED`, `FLAGGED`, `PENDING_DELETION`… */
  event: string;
  /** `NONE` or the rejection reason (`INVALID_FORMAT`…); null when Meta sent none. */
  reason: string | null;
  category?: string;
  /** What Meta explains beside the event: rejection_info, other_info (pauses), disable_info. */
  detail?: Record<string, unknown>;
  at: Date;
}

/**
 * Graph ids can exceed 2^53: `JSON.parse` would round them. The raw body still has the digits,
 * in order; take them from there when the parsed number is not exact.
 */
function rawTemplateIds(raw: string | undefined): string[] {
  if (!raw) return [];
  return [...raw.matchAll(/"message_template_id"\s*:\s*"?(\d+)"?/g)].map((m) => m[1] as string);
}

/**
 * Template status changes from a WABA webhook (field `message_template_status_update`); every
 * other field is left to `parseWebhook`. Verify the signature first. `rawBody` lets exact ids
 * survive JSON's number precision.
 */
export function parseTemplateStatusUpdates(json: unknown, rawBody?: string): TemplateStatusUpdate[] {
  const updates: TemplateStatusUpdate[] = [];
  if (!json || typeof json !== 'object') return updates;
  const payload = json as { object?: unknown; entry?: unknown };
  if (payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) return updates;
  const exactIds = rawTemplateIds(rawBody);
  let seen = 0;
  for (const entry of payload.entry as Array<{ id?: unknown; time?: unknown; changes?: unknown }>) {
    for (const change of Array.isArray(entry?.changes) ? (entry.changes as Array<{ field?: unknown; value?: unknown }>) : []) {
      if (change?.field !== 'message_template_status_update' || !change.value || typeof change.value !== 'object') continue;
      const v = change.value as Record<string, unknown>;
      const index = seen++;
      const parsedId = typeof v.message_template_id === 'number' || typeof v.message_template_id === 'string' ? String(v.message_template_id) : undefined;
      const exact = typeof v.message_template_id === 'number' && !Number.isSafeInteger(v.message_template_id) ? exactIds[index] : undefined;
      const templateId = exact ?? parsedId;
      if (!templateId || typeof v.message_template_name !== 'string' || typeof v.event !== 'string') continue;
      const detail: Record<string, unknown> = {};
      for (const key of ['rejection_info', 'other_info', 'disable_info'] as const) if (v[key] && typeof v[key] === 'object') detail[key] = v[key];
      const time = Number(entry.time);
      updates.push({
        businessAccountId: typeof entry.id === 'string' || typeof entry.id === 'number' ? String(entry.id) : '',
        templateId,
        name: v.message_template_name,
        language: typeof v.message_template_language === 'string' ? v.message_template_language.replace('-', '_') : '',
        event: v.event,
        reason: typeof v.reason === 'string' ? v.reason : null,
        ...(typeof v.message_template_category === 'string' ? { category: v.message_template_category } : {}),
        ...(Object.keys(detail).length ? { detail } : {}),
        at: Number.isFinite(time) && time > 0 ? new Date(time * 1000) : new Date(),
      });
    }
  }
  return updates;
}
