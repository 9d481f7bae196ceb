import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { signPayload, type WaError, type WaInboundMessage, type WaStatus, type WaWebhookPayload } from '../../channels/whatsapp/webhook.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';

/**
 * A stand-in for Meta's WhatsApp Cloud API on loopback: the same `POST /{version}/{phone-number-id}/messages`
 * with the same JSON in and out, Graph-style errors, a template registry with Meta's approval
 * rules, the 24-hour customer service window, and signed `messages` webhooks (statuses sent →
 * delivered → read, and inbound messages) posted to a callback URL.
 *
 * Magic recipients (on the digits of `to`):
 * - ending `0666` → accepted, then a `failed` status with error 131026 (undeliverable);
 * - ending `0429` → HTTP 429, error 130429 (rate limit hit);
 * - ending `0500` → HTTP 500 with no Graph error body (the sender cannot know what happened).
 *
 * Like Meta, a free-form message outside the window is accepted and then fails with a `failed`
 * status carrying error 131047; `windowErrors: 'response'` answers the POST with the error instead.
 *
 * Templates are managed per WhatsApp Business Account like the Business Management API does
 * (`POST|GET|DELETE /{version}/{waba-id}/message_templates`). A new template is `PENDING`; after
 * `templateReviewMs` the "review" posts signed `message_template_status_update` webhooks, decided
 * by magic words in the template's name:
 * - `rejected` → REJECTED with reason INVALID_FORMAT (and a `rejection_info`);
 * - `paused` → APPROVED, then PAUSED (FIRST_PAUSE);
 * - `disabled` → APPROVED, then DISABLED;
 * - `pending` → stays PENDING (no webhook);
 * - anything else → APPROVED.
 */
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export interface SandboxTemplate {
  /** Meta's template id (`hsm_id`); one is given when absent. */
  id?: string;
  /** The WhatsApp Business Account it belongs to (default: the sandbox's). */
  wabaId?: string;
  name: string;
  /** Meta language code, e.g. `fr`, `en_US`. */
  language: string;
  status: TemplateStatus;
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  /** As in the Business Management API: `[{ type: 'BODY', text: 'Bonjour {{1}}' }, …]`. */
  components?: Array<{ type: string; format?: string; text?: string; buttons?: unknown[]; example?: unknown }>;
  /** `NONE`, or why Meta rejected it. */
  rejectedReason?: string;
}

export interface SandboxWhatsAppOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bearer token the API accepts (default `sandbox-whatsapp-token`). */
  accessToken?: string;
  /** Key of the `X-Hub-Signature-256` HMAC on webhooks (default `sandbox-app-secret`). */
  appSecret?: string;
  /** Where webhooks are posted; none are posted until it is set. */
  callbackUrl?: string;
  /** WhatsApp Business Account id put in `entry[].id`. */
  wabaId?: string;
  /** phone_number_id → display number. When given, other ids are refused like Meta does. */
  phoneNumbers?: Record<string, string>;
  clock?: Clock;
  /** How a free-form message outside the 24-hour window fails (default `webhook`, like Meta). */
  windowErrors?: 'webhook' | 'response';
  /** Post a `read` status after `delivered` (default true). */
  autoRead?: boolean;
  /** Deadline of one webhook POST (default 5 s). */
  webhookTimeoutMs?: number;
  /** How long the template "review" takes before its status webhook (default 500 ms). */
  templateReviewMs?: number;
}

export interface SentWhatsApp {
  id: string;
  phoneNumberId: string;
  /** Recipient digits (wa_id). */
  to: string;
  type: string;
  text?: string;
  template?: { name: string; language: string; components?: unknown[] };
  bizOpaqueCallbackData?: string;
  request: Record<string, unknown>;
  at: Date;
  /** Statuses posted so far, in order. */
  statuses: Array<WaStatus['status']>;
  error?: { code: number; title: string };
}

export interface WebhookDelivery {
  kind: 'status' | 'message' | 'template';
  /** The wamid (or, for templates, the template id) the webhook is about. */
  id: string;
  status?: WaStatus['status'];
  /** Template webhooks: the event (APPROVED, REJECTED, PAUSED…). */
  event?: string;
  /** HTTP status of the callback's answer, or undefined when the POST failed. */
  httpStatus?: number;
  error?: string;
}

export const SANDBOX_PHONE_NUMBER_ID = '109876543210987';
export const SANDBOX_DISPLAY_NUMBER = '33900000001';
/** The WhatsApp Business Account of the sandbox (SOFY's default `SOFY_WHATSAPP_BUSINESS_ACCOUNT_ID`). */
export const SANDBOX_WABA_ID = '100000000000001';
const TEMPLATE_CATEGORIES = new Set(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
/** Meta's "Content in this language already exists". */
const SUBCODE_TEMPLATE_EXISTS = 2388024;
const WINDOW_MS = 24 * 60 * 60 * 1000;
const ERROR_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

function digits(number: string): string {
  return number.replace(/[^\d]/g, '');
}

function wamid(): string {
  return `wamid.${randomBytes(24).toString('base64')}`;
}

function fbtrace(): string {
  return randomBytes(9).toString('base64').replace(/[+/=]/g, 'A');
}

function unix(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

function templateKey(wabaId: string, name: string, language: string): string {
  return `${wabaId}|${name}|${language}`;
}

function placeholders(text: string | undefined): number {
  return new Set([...(text ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1])).size;
}

class GraphFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
    readonly details?: string,
    readonly type = 'OAuthException',
    readonly subcode?: number,
    readonly user?: { title: string; message: string },
  ) {
    super(message);
  }
  body(): Record<string, unknown> {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        ...(this.subcode ? { error_subcode: this.subcode } : {}),
        ...(this.user ? { is_transient: false, error_user_title: this.user.title, error_user_msg: this.user.message } : {}),
        ...(this.details ? { error_data: { messaging_product: 'whatsapp', details: this.details } } : {}),
        fbtrace_id: fbtrace(),
      },
    };
  }
}

export class SandboxWhatsAppCloud {
  readonly #options: SandboxWhatsAppOptions;
  readonly #clock: Clock;
  readonly #templates = new Map<string, SandboxTemplate>();
  readonly #lastInbound = new Map<string, Date>();
  readonly #sent: SentWhatsApp[] = [];
  readonly #deliveries: WebhookDelivery[] = [];
  readonly #tasks = new Set<Promise<void>>();
  #callbackUrl: string | undefined;
  #templateIds = 0;
  #abort = new AbortController();
  #app: FastifyInstance | undefined;
  #url: string | undefined;

  constructor(options: SandboxWhatsAppOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#callbackUrl = options.callbackUrl;
  }

  get accessToken(): string {
    return this.#options.accessToken ?? 'sandbox-whatsapp-token';
  }

  get appSecret(): string {
    return this.#options.appSecret ?? 'sandbox-app-secret';
  }

  /** Base URL to give the connector (`baseUrl`). */
  get url(): string {
    if (!this.#url) throw new Error('the WhatsApp sandbox is not started');
    return this.#url;
  }

  setCallbackUrl(url: string | undefined): void {
    this.#callbackUrl = url;
  }

  async start(): Promise<string> {
    if (this.#url) return this.#url;
    this.#abort = new AbortController();
    const app = Fastify({ logger: false });
    app.post<{ Params: { version: string; phoneNumberId: string }; Body: unknown }>('/:version/:phoneNumberId/messages', async (request, reply) => {
      try {
        return await this.#handleSend(request.params.version, request.params.phoneNumberId, request.headers.authorization, request.body, reply);
      } catch (err) {
        if (err instanceof GraphFailure) return reply.code(err.httpStatus).send(err.body());
        throw err;
      }
    });
    const graph = async (reply: FastifyReply, work: () => Promise<unknown> | unknown) => {
      try {
        return await work();
      } catch (err) {
        if (err instanceof GraphFailure) return reply.code(err.httpStatus).send(err.body());
        throw err;
      }
    };
    type TemplatesRoute = { Params: { version: string; wabaId: string }; Querystring: Record<string, string | undefined>; Body: unknown };
    app.post<TemplatesRoute>('/:version/:wabaId/message_templates', async (request, reply) =>
      graph(reply, () => this.#handleCreateTemplate(request.params, request.headers.authorization, request.body)),
    );
    app.get<TemplatesRoute>('/:version/:wabaId/message_templates', async (request, reply) =>
      graph(reply, () => this.#handleListTemplates(request.params, request.headers.authorization, request.query, request.url)),
    );
    app.delete<TemplatesRoute>('/:version/:wabaId/message_templates', async (request, reply) =>
      graph(reply, () => this.#handleDeleteTemplate(request.params, request.headers.authorization, request.query)),
    );
    await app.listen({ host: this.#options.host ?? '127.0.0.1', port: this.#options.port ?? 0 });
    const address = app.server.address() as AddressInfo;
    this.#app = app;
    this.#url = `http://${address.address}:${address.port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    if (!app) return;
    this.#app = undefined;
    this.#url = undefined;
    this.#abort.abort();
    await Promise.allSettled([...this.#tasks]);
    await app.close();
  }

  /** Resolves when every webhook scheduled so far has been posted (or has failed). */
  async idle(): Promise<void> {
    while (this.#tasks.size) await Promise.allSettled([...this.#tasks]);
  }

  get wabaId(): string {
    return this.#options.wabaId ?? SANDBOX_WABA_ID;
  }

  /** Adds a template as if it had been created and reviewed already (no webhook). */
  registerTemplate(template: SandboxTemplate): void {
    const stored = { ...template, wabaId: template.wabaId ?? this.wabaId, id: template.id ?? this.#newTemplateId() };
    this.#templates.set(templateKey(stored.wabaId, stored.name, stored.language), stored);
  }

  /** Changes a template's status silently (no webhook). */
  setTemplateStatus(name: string, language: string, status: TemplateStatus): void {
    const t = this.#findTemplate(name, language);
    if (!t) throw new Error(`no template ${name} in ${language}`);
    t.status = status;
  }

  /**
   * Changes a template's status as Meta's review or quality checks would, and posts the signed
   * `message_template_status_update` webhook. `event` may also be REINSTATED (back to APPROVED).
   */
  async updateTemplateStatus(name: string, language: string, event: TemplateStatus | 'REINSTATED', options: { reason?: string; wabaId?: string } = {}): Promise<number | undefined> {
    const t = this.#findTemplate(name, language, options.wabaId);
    if (!t) throw new Error(`no template ${name} in ${language}`);
    return this.#track(this.#review(t, event, options.reason));
  }

  templates(): SandboxTemplate[] {
    return [...this.#templates.values()].map((t) => ({ ...t }));
  }

  /** Messages sent to this number (E.164 or digits), oldest first. */
  inbox(number: string): SentWhatsApp[] {
    const d = digits(number);
    return this.#sent.filter((m) => m.to === d);
  }

  all(): SentWhatsApp[] {
    return [...this.#sent];
  }

  /** Every webhook POST attempted, in order. */
  webhooks(): WebhookDelivery[] {
    return [...this.#deliveries];
  }

  clear(): void {
    this.#sent.length = 0;
    this.#deliveries.length = 0;
    this.#lastInbound.clear();
  }

  /** Whether free-form messages to this number are allowed now. */
  windowOpen(number: string): boolean {
    const last = this.#lastInbound.get(digits(number));
    return !!last && this.#clock.now().getTime() - last.getTime() < WINDOW_MS;
  }

  /**
   * A WhatsApp user writes to the business: opens (or renews) the 24-hour window and posts a
   * signed inbound-message webhook. With `postbackData`, the message is a template quick-reply
   * (`button`, default) or an interactive reply (`button_reply`, `list_reply`).
   */
  async simulateInbound(input: {
    from: string;
    text: string;
    postbackData?: string;
    replyType?: 'button' | 'button_reply' | 'list_reply';
    phoneNumberId?: string;
    name?: string;
    /** wamid of the business message being answered. */
    contextId?: string;
  }): Promise<{ id: string; httpStatus?: number }> {
    const from = digits(input.from);
    const now = this.#clock.now();
    this.#lastInbound.set(from, now);
    const id = wamid();
    const message: WaInboundMessage = { from, id, timestamp: unix(now), type: 'text' };
    if (input.postbackData === undefined) {
      message.text = { body: input.text };
    } else if ((input.replyType ?? 'button') === 'button') {
      message.type = 'button';
      message.button = { payload: input.postbackData, text: input.text };
    } else {
      message.type = 'interactive';
      message.interactive =
        input.replyType === 'list_reply'
          ? { type: 'list_reply', list_reply: { id: input.postbackData, title: input.text } }
          : { type: 'button_reply', button_reply: { id: input.postbackData, title: input.text } };
    }
    if (input.contextId) message.context = { from: this.#displayNumber(input.phoneNumberId), id: input.contextId };
    const payload = this.#envelope(input.phoneNumberId ?? this.#defaultPhoneNumberId(), {
      contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: from }],
      messages: [message],
    });
    const httpStatus = await this.#track(this.#post(payload, { kind: 'message', id }));
    return { id, ...(httpStatus !== undefined ? { httpStatus } : {}) };
  }

  /** Meta's GET handshake against the callback URL; true when it echoes the challenge. */
  async subscribe(verifyToken: string): Promise<boolean> {
    if (!this.#callbackUrl) throw new Error('no callback URL');
    const challenge = randomBytes(8).toString('hex');
    const url = new URL(this.#callbackUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.verify_token', verifyToken);
    url.searchParams.set('hub.challenge', challenge);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.#options.webhookTimeoutMs ?? 5_000) });
      return response.status === 200 && (await response.text()) === challenge;
    } catch {
      return false;
    }
  }

  #newTemplateId(): string {
    // Graph ids are long decimal strings; these stay below 2^53 so clients may parse them as numbers.
    this.#templateIds += 1;
    return String(1_700_000_000_000_000 + this.#templateIds * 7919 + Math.floor(Math.random() * 1000));
  }

  /** A template by name and language: in the given WABA, else the sandbox's own first, then any. */
  #findTemplate(name: string, language: string, wabaId?: string): SandboxTemplate | undefined {
    if (wabaId) return this.#templates.get(templateKey(wabaId, name, language));
    const own = this.#templates.get(templateKey(this.wabaId, name, language));
    if (own) return own;
    return [...this.#templates.values()].find((t) => t.name === name && t.language === language);
  }

  #checkGraphCall(version: string, authorization: string | undefined, wabaId: string): void {
    if (authorization !== `Bearer ${this.accessToken}`) {
      throw new GraphFailure(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    if (!/^v\d+\.\d+$/.test(version)) throw new GraphFailure(400, 2500, 'Unknown path components: /' + version);
    if (!/^\d{1,20}$/.test(wabaId)) {
      throw new GraphFailure(
        400,
        100,
        `Unsupported request. Object with ID '${wabaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        undefined,
        'GraphMethodException',
        33,
      );
    }
  }

  async #handleCreateTemplate(params: { version: string; wabaId: string }, authorization: string | undefined, body: unknown) {
    this.#checkGraphCall(params.version, authorization, params.wabaId);
    const request = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const invalid = (userMessage: string) => new GraphFailure(400, 100, 'Invalid parameter', undefined, 'OAuthException', undefined, { title: 'Invalid parameter', message: userMessage });
    const name = request.name;
    if (typeof name !== 'string' || !name) throw new GraphFailure(400, 100, '(#100) The parameter name is required.');
    if (name.length > 512 || !/^[a-z0-9_]+$/.test(name)) throw invalid('Template names may only contain lowercase letters, numbers and underscores, at most 512 characters.');
    const language = request.language;
    if (typeof language !== 'string' || !language) throw new GraphFailure(400, 100, '(#100) The parameter language is required.');
    if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) throw invalid(`The language ${language} is not supported.`);
    const category = request.category;
    if (typeof category !== 'string' || !TEMPLATE_CATEGORIES.has(category)) {
      throw new GraphFailure(400, 100, '(#100) Param category must be one of {AUTHENTICATION, MARKETING, UTILITY} - got "' + String(category ?? '') + '".');
    }
    const components = Array.isArray(request.components) ? (request.components as Array<Record<string, unknown>>) : undefined;
    if (!components) throw new GraphFailure(400, 100, '(#100) The parameter components is required.');
    const bodies = components.filter((c) => c && c.type === 'BODY');
    const bodyText = bodies[0]?.text;
    if (bodies.length !== 1 || typeof bodyText !== 'string' || !bodyText.trim()) throw invalid('A template needs one BODY component with text.');
    if (bodyText.length > 1024) throw invalid('The BODY text is limited to 1024 characters.');
    const variables = placeholders(bodyText);
    const examples = (bodies[0]?.example as { body_text?: unknown } | undefined)?.body_text;
    const exampleCount = Array.isArray(examples) && Array.isArray(examples[0]) ? examples[0].length : 0;
    if (variables > 0 && exampleCount !== variables) {
      throw invalid(`The BODY has ${variables} variable(s): give one example value for each in example.body_text.`);
    }
    if (this.#templates.has(templateKey(params.wabaId, name, language))) {
      throw new GraphFailure(400, 100, 'Invalid parameter', undefined, 'OAuthException', SUBCODE_TEMPLATE_EXISTS, {
        title: 'Content in this language already exists',
        message: `Content for ${name} in ${language} already exists; use another name or language.`,
      });
    }
    const template: SandboxTemplate = {
      id: this.#newTemplateId(),
      wabaId: params.wabaId,
      name,
      language,
      status: 'PENDING',
      category: category as SandboxTemplate['category'] & string,
      components: components as SandboxTemplate['components'] & object,
    };
    this.#templates.set(templateKey(params.wabaId, name, language), template);
    this.#track(this.#scheduleReview(template));
    return { id: template.id, status: 'PENDING', category };
  }

  #handleListTemplates(params: { version: string; wabaId: string }, authorization: string | undefined, query: Record<string, string | undefined>, url: string) {
    this.#checkGraphCall(params.version, authorization, params.wabaId);
    const limit = Math.min(Math.max(Number(query.limit ?? 25) || 25, 1), 1000);
    const start = query.after ? Number(Buffer.from(query.after, 'base64url').toString('utf8')) || 0 : 0;
    const all = [...this.#templates.values()]
      .filter((t) => t.wabaId === params.wabaId && (!query.name || t.name === query.name) && (!query.status || t.status === query.status))
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.slice(start, start + limit);
    const cursor = (index: number) => Buffer.from(String(index)).toString('base64url');
    const more = start + limit < all.length;
    const next = new URL(url, 'http://sandbox');
    next.searchParams.set('after', cursor(start + limit));
    return {
      data: page.map((t) => ({
        name: t.name,
        components: t.components ?? [],
        language: t.language,
        status: t.status,
        category: t.category ?? 'MARKETING',
        id: t.id,
        ...(t.rejectedReason ? { rejected_reason: t.rejectedReason } : { rejected_reason: 'NONE' }),
      })),
      paging: {
        cursors: { before: cursor(start), after: cursor(Math.min(start + limit, all.length)) },
        ...(more ? { next: `${this.url}${next.pathname}${next.search}` } : {}),
      },
    };
  }

  #handleDeleteTemplate(params: { version: string; wabaId: string }, authorization: string | undefined, query: Record<string, string | undefined>) {
    this.#checkGraphCall(params.version, authorization, params.wabaId);
    const name = query.name;
    if (!name) throw new GraphFailure(400, 100, '(#100) The parameter name is required.');
    // With hsm_id only that template (one language) goes; by name alone, every language of it.
    const doomed = [...this.#templates.entries()].filter(([, t]) => t.wabaId === params.wabaId && t.name === name && (!query.hsm_id || t.id === query.hsm_id));
    if (!doomed.length) {
      throw new GraphFailure(400, 100, 'Invalid parameter', undefined, 'OAuthException', undefined, { title: 'Message template not found', message: `There is no message template named ${name}${query.hsm_id ? ` with id ${query.hsm_id}` : ''}.` });
    }
    for (const [key] of doomed) this.#templates.delete(key);
    return { success: true };
  }

  /** The simulated review of a new template: its outcome is decided by magic words in its name. */
  async #scheduleReview(template: SandboxTemplate): Promise<void> {
    if (template.name.includes('pending')) return;
    await this.#sleep(this.#options.templateReviewMs ?? 500);
    if (this.#abort.signal.aborted || !this.#templates.has(templateKey(template.wabaId ?? this.wabaId, template.name, template.language))) return;
    if (template.name.includes('rejected')) {
      await this.#review(template, 'REJECTED', 'INVALID_FORMAT');
      return;
    }
    await this.#review(template, 'APPROVED');
    if (template.name.includes('paused')) await this.#review(template, 'PAUSED');
    else if (template.name.includes('disabled')) await this.#review(template, 'DISABLED');
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#abort.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      const signal = this.#abort.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  /** Applies a review event to the template and posts its webhook, like Meta. */
  async #review(template: SandboxTemplate, event: TemplateStatus | 'REINSTATED', reason?: string): Promise<number | undefined> {
    template.status = event === 'REINSTATED' ? 'APPROVED' : event;
    template.rejectedReason = event === 'REJECTED' ? (reason ?? 'INVALID_FORMAT') : 'NONE';
    const now = this.#clock.now();
    const value: Record<string, unknown> = {
      event,
      message_template_id: Number(template.id),
      message_template_name: template.name,
      message_template_language: template.language,
      reason: event === 'REJECTED' ? template.rejectedReason : 'NONE',
      message_template_category: template.category ?? 'MARKETING',
    };
    if (event === 'REJECTED' && template.rejectedReason === 'INVALID_FORMAT') {
      value.rejection_info = {
        reason: 'The template contains formatting that is not allowed (sandbox: its name contains "rejected").',
        recommendation: 'Check the variables and the formatting, then submit a new template.',
      };
    }
    if (event === 'PAUSED') value.other_info = { title: 'FIRST_PAUSE', description: 'Your WhatsApp message template has been paused for 3 hours because of low quality (sandbox).' };
    if (event === 'DISABLED') value.disable_info = { disable_date: unix(now) };
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: template.wabaId ?? this.wabaId, time: Number(unix(now)), changes: [{ field: 'message_template_status_update', value }] }],
    };
    return this.#post(payload, { kind: 'template', id: template.id ?? '', event });
  }

  #defaultPhoneNumberId(): string {
    const ids = Object.keys(this.#options.phoneNumbers ?? {});
    return ids[0] ?? SANDBOX_PHONE_NUMBER_ID;
  }

  #displayNumber(phoneNumberId: string | undefined): string {
    const id = phoneNumberId ?? this.#defaultPhoneNumberId();
    return this.#options.phoneNumbers?.[id] ?? SANDBOX_DISPLAY_NUMBER;
  }

  async #handleSend(version: string, phoneNumberId: string, authorization: string | undefined, body: unknown, reply: FastifyReply) {
    if (authorization !== `Bearer ${this.accessToken}`) {
      throw new GraphFailure(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    if (!/^v\d+\.\d+$/.test(version)) throw new GraphFailure(400, 2500, 'Unknown path components: /' + version);
    if (this.#options.phoneNumbers && !(phoneNumberId in this.#options.phoneNumbers)) {
      throw new GraphFailure(
        400,
        100,
        `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        undefined,
        'GraphMethodException',
        33,
      );
    }
    const request = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (request.messaging_product !== 'whatsapp') throw new GraphFailure(400, 100, '(#100) The parameter messaging_product is required.');
    if (typeof request.to !== 'string' || !digits(request.to)) throw new GraphFailure(400, 100, '(#100) The parameter to is required.');
    const to = digits(request.to);
    const type = typeof request.type === 'string' ? request.type : 'text';

    if (to.endsWith('0429')) {
      reply.header('retry-after', '1');
      throw new GraphFailure(429, 130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.');
    }
    if (to.endsWith('0500')) {
      reply.code(500).type('text/html').send('<html><body>Internal Server Error</body></html>');
      return reply;
    }

    const now = this.#clock.now();
    const record: SentWhatsApp = { id: wamid(), phoneNumberId, to, type, request, at: now, statuses: [] };
    if (typeof request.biz_opaque_callback_data === 'string') record.bizOpaqueCallbackData = request.biz_opaque_callback_data;
    let category = 'service';
    let failure: WaError | undefined;

    if (type === 'template') {
      const t = request.template as { name?: unknown; language?: { code?: unknown }; components?: unknown } | undefined;
      const name = typeof t?.name === 'string' ? t.name : '';
      const language = typeof t?.language?.code === 'string' ? t.language.code : '';
      if (!name || !language) throw new GraphFailure(400, 100, "(#100) The parameter template['name'] and template['language']['code'] are required.");
      const template = this.#findTemplate(name, language);
      if (!template || template.status === 'PENDING' || template.status === 'REJECTED') {
        throw new GraphFailure(400, 132001, '(#132001) Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`);
      }
      if (template.status === 'PAUSED') throw new GraphFailure(400, 132015, '(#132015) Template is Paused', `template ${name} is paused because of low quality`);
      if (template.status === 'DISABLED') throw new GraphFailure(400, 132016, '(#132016) Template is Disabled', `template ${name} has been disabled`);
      const components = Array.isArray(t?.components) ? (t.components as Array<{ type?: unknown; parameters?: unknown }>) : [];
      for (const part of ['header', 'body'] as const) {
        const expected = placeholders(template.components?.find((c) => c.type.toLowerCase() === part)?.text);
        const given = components.find((c) => typeof c.type === 'string' && c.type.toLowerCase() === part);
        const count = Array.isArray(given?.parameters) ? given.parameters.length : 0;
        if (count !== expected) {
          throw new GraphFailure(
            400,
            132000,
            '(#132000) Number of parameters does not match the expected number of params',
            `${part}: number of localizable_params (${count}) does not match the expected number of params (${expected})`,
          );
        }
      }
      record.template = { name, language, ...(components.length ? { components } : {}) };
      category = (template.category ?? 'UTILITY').toLowerCase();
    } else {
      if (type === 'text') {
        const text = request.text as { body?: unknown } | undefined;
        if (typeof text?.body !== 'string' || !text.body) throw new GraphFailure(400, 100, "(#100) The parameter text['body'] is required.");
        record.text = text.body;
      }
      if (!this.windowOpen(to)) {
        const details = 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.';
        if ((this.#options.windowErrors ?? 'webhook') === 'response') throw new GraphFailure(400, 131047, '(#131047) Re-engagement message', details);
        failure = { code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details }, href: ERROR_HREF };
      }
    }
    if (!failure && to.endsWith('0666')) {
      failure = {
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
        error_data: { details: 'Message Undeliverable.' },
        href: ERROR_HREF,
      };
    }
    if (failure) record.error = { code: failure.code, title: failure.title ?? '' };
    this.#sent.push(record);
    this.#track(this.#lifecycle(record, category, failure));
    return {
      messaging_product: 'whatsapp',
      contacts: [{ input: request.to, wa_id: to }],
      messages: [{ id: record.id, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    };
  }

  async #lifecycle(record: SentWhatsApp, category: string, failure: WaError | undefined): Promise<void> {
    // Let the API answer reach the caller first, as Meta's webhooks follow its responses.
    await new Promise((resolve) => setImmediate(resolve));
    const steps: Array<WaStatus['status']> = failure ? ['failed'] : ['sent', 'delivered', ...((this.#options.autoRead ?? true) ? (['read'] as const) : [])];
    for (const step of steps) {
      if (this.#abort.signal.aborted) return;
      const now = this.#clock.now();
      const status: WaStatus = { id: record.id, status: step, timestamp: unix(now), recipient_id: record.to };
      if (record.bizOpaqueCallbackData) status.biz_opaque_callback_data = record.bizOpaqueCallbackData;
      if (step === 'failed' && failure) status.errors = [failure];
      if (step === 'sent' || step === 'delivered') {
        status.conversation = {
          id: `conv-${record.to}`,
          ...(step === 'sent' ? { expiration_timestamp: unix(new Date(now.getTime() + WINDOW_MS)) } : {}),
          origin: { type: category },
        };
        status.pricing = { billable: true, pricing_model: 'PMP', category, type: 'regular' };
      }
      record.statuses.push(step);
      await this.#post(this.#envelope(record.phoneNumberId, { statuses: [status] }), { kind: 'status', id: record.id, status: step });
    }
  }

  #envelope(phoneNumberId: string, value: { contacts?: unknown[]; messages?: WaInboundMessage[]; statuses?: WaStatus[] }): WaWebhookPayload {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: this.#options.wabaId ?? '100000000000001',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: this.#displayNumber(phoneNumberId), phone_number_id: phoneNumberId },
                ...(value as object),
              },
            },
          ],
        },
      ],
    } as WaWebhookPayload;
  }

  async #post(payload: WaWebhookPayload | Record<string, unknown>, delivery: WebhookDelivery): Promise<number | undefined> {
    const url = this.#callbackUrl;
    if (!url || this.#abort.signal.aborted) return undefined;
    const body = JSON.stringify(payload);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signPayload(body, this.appSecret), 'user-agent': 'facebookexternalua' },
        body,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#options.webhookTimeoutMs ?? 5_000)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      this.#deliveries.push({ ...delivery, httpStatus: response.status });
      return response.status;
    } catch (err) {
      this.#deliveries.push({ ...delivery, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const task = promise.then(
      () => undefined,
      () => undefined,
    );
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
    return promise;
  }
}
