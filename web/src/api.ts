// Small fetch client for the console: same-origin JSON, session cookie, CSRF header on unsafe
// methods, RFC 9457 problems turned into a typed ApiError.
import type {
  AcceptedMessage,
  ApiKey,
  AuditEntry,
  CreatedApiKey,
  CreatedTenant,
  CreatedWebhook,
  DeliveryStatus,
  Me,
  Message,
  MessageFilters,
  MfaEnrolConfirmation,
  MfaEnrolment,
  OpenedTenant,
  OperatorTenant,
  OptOut,
  Page,
  RolesCatalogue,
  RoutesHealth,
  SandboxConversation,
  SandboxMailbox,
  SandboxPhone,
  SandboxReplyChannel,
  Sender,
  SendMessageInput,
  Session,
  SuspensionKind,
  Tenant,
  TenantSettings,
  TenantStatus,
  User,
  UserRole,
  WebhookDelivery,
  WebhookEndpoint,
  NewWhatsAppTemplate,
  WhatsAppTemplate,
  WhatsAppTemplateStatus,
  WhatsAppTemplateSync,
  BankLine,
  BillingCharge,
  BillingContract,
  BillingInvoice,
  BillingOrderForm,
  BillingPayment,
  BillingPaymentStatus,
  BillingProduct,
  DunningCase,
  InvoiceRun,
  LegalRate,
  LiabilityCap,
  NewBillingCharge,
  NewBillingPayment,
  NewOrderForm,
  PriceList,
  SepaBatch,
  StatementImport,
  SyntecEntry,
  ViesProof,
} from './types';

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldError[];
  /** Seconds from a Retry-After header (429), when the server sent one. */
  readonly retryAfter: number | null;
  /** The whole problem document, for extension members such as `lockedUntil`. */
  readonly body: Record<string, unknown>;

  constructor(init: {
    status: number;
    code: string;
    detail: string;
    errors?: FieldError[];
    retryAfter?: number | null;
    body?: Record<string, unknown>;
  }) {
    super(init.detail || init.code);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter ?? null;
    this.body = init.body ?? {};
  }

  /** The first field error whose JSON pointer starts with `path` (e.g. `/email`). */
  fieldError(path: string): string | undefined {
    return this.errors.find((e) => e.path === path || e.path.startsWith(`${path}/`))?.message;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Keep the CSRF token of the latest Session response. */
export function rememberSession(session: Session): void {
  if (session.csrfToken) csrfToken = session.csrfToken;
  if (!session.authenticated) csrfToken = null;
}

/** Called when a non-auth call answers 401: the session is gone, go back to login. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
type Query = Record<string, string | number | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function asFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    .map((e) => ({
      path: typeof e.path === 'string' ? e.path : '',
      message: typeof e.message === 'string' ? e.message : '',
    }));
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An RFC 9457 problem (or any failed answer) as an ApiError; a 401 outside /v1/auth/ logs out. */
function problem(response: Response, parsed: unknown, path: string): ApiError {
  const body = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  const retry = Number(response.headers.get('Retry-After'));
  const error = new ApiError({
    status: response.status,
    code:
      typeof body.code === 'string'
        ? body.code
        : response.status === 429
          ? 'rate_limited'
          : `http_${response.status}`,
    detail:
      typeof body.detail === 'string'
        ? body.detail
        : typeof body.title === 'string'
          ? body.title
          : response.statusText,
    errors: asFieldErrors(body.errors),
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : null,
    body,
  });
  if (response.status === 401 && !path.startsWith('/v1/auth/') && onUnauthorized) {
    onUnauthorized();
  }
  return error;
}

export async function request<T>(
  method: Method,
  path: string,
  options: { body?: unknown; query?: Query; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      credentials: 'same-origin',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({ status: 0, code: 'network_error', detail: String(cause) });
  }

  const text = response.status === 204 ? '' : await response.text();
  const parsed = parseJson(text);
  if (!response.ok) throw problem(response, parsed, path);
  return parsed as T;
}

/** A file from the API (e.g. a CSV export), with the name the server suggests. */
export async function download(
  path: string,
  fallbackName: string,
): Promise<{ blob: Blob; filename: string }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'GET',
      credentials: 'same-origin',
      headers: { Accept: '*/*' },
    });
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network_error', detail: String(cause) });
  }
  if (!response.ok) throw problem(response, parseJson(await response.text()), path);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const named = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  return { blob: await response.blob(), filename: named ?? fallbackName };
}

/** Sends a file as it is (e.g. a bank statement CSV), with the CSRF header; JSON answer. */
export async function upload<T>(
  path: string,
  body: Blob | ArrayBuffer,
  contentType: string,
  query?: Query,
): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Content-Type': contentType,
  };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(withQuery(path, query), {
      method: 'POST',
      credentials: 'same-origin',
      headers,
      body,
    });
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network_error', detail: String(cause) });
  }
  const parsed = parseJson(await response.text());
  if (!response.ok) throw problem(response, parsed, path);
  return parsed as T;
}

/**
 * The webhook event types from the API's own schema (the enum of POST /v1/webhooks `events`),
 * so that a new event shows up without a console release. Null when it cannot be read.
 */
async function webhookEventsFromSchema(): Promise<string[] | null> {
  try {
    const doc = await request<Record<string, unknown>>('GET', '/openapi.json');
    const schema = (doc as { paths?: Record<string, Record<string, unknown>> }).paths?.[
      '/v1/webhooks'
    ]?.post as
      | { requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } }
      | undefined;
    const items = (
      schema?.requestBody?.content?.['application/json']?.schema?.properties as
        | Record<string, { items?: Record<string, unknown> }>
        | undefined
    )?.events?.items;
    const out: string[] = [];
    const collect = (node: unknown) => {
      if (!node || typeof node !== 'object') return;
      const n = node as { enum?: unknown; const?: unknown; anyOf?: unknown; oneOf?: unknown };
      if (Array.isArray(n.enum)) for (const v of n.enum) if (typeof v === 'string') out.push(v);
      if (typeof n.const === 'string') out.push(n.const);
      for (const list of [n.anyOf, n.oneOf]) if (Array.isArray(list)) list.forEach(collect);
    };
    collect(items);
    return out.length > 0 ? [...new Set(out)] : null;
  } catch {
    return null;
  }
}

const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  request<T>('GET', path, { query, signal });
const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} });
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });
const del = (path: string) => request<void>('DELETE', path);

async function session(promise: Promise<Session>): Promise<Session> {
  const s = await promise;
  rememberSession(s);
  return s;
}

const id = encodeURIComponent;

export const api = {
  auth: {
    session: () => session(get<Session>('/v1/auth/session')),
    login: (email: string, password: string) =>
      session(post<Session>('/v1/auth/login', { email, password })),
    verifyMfa: (input: { code: string } | { recoveryCode: string }) =>
      session(post<Session>('/v1/auth/mfa/verify', input)),
    changePassword: (newPassword: string, currentPassword?: string) =>
      session(
        post<Session>(
          '/v1/auth/password',
          currentPassword ? { currentPassword, newPassword } : { newPassword },
        ),
      ),
    startEnrolment: () => post<MfaEnrolment>('/v1/auth/mfa/enrol'),
    confirmEnrolment: async (code: string) => {
      const result = await post<MfaEnrolConfirmation>('/v1/auth/mfa/enrol/confirm', { code });
      rememberSession(result.session);
      return result;
    },
    logout: async () => {
      await post<void>('/v1/auth/logout');
      rememberSession({ authenticated: false });
    },
  },
  me: () => get<Me>('/v1/me'),
  roles: () => get<RolesCatalogue>('/v1/roles'),
  users: {
    list: (cursor?: string | null, limit = 50) =>
      get<Page<User>>('/v1/users', { limit, cursor: cursor ?? undefined }),
    invite: (input: { email: string; name: string; role: UserRole }) =>
      post<{ user: User; oneTimePassword: string }>('/v1/users', input),
    update: (userId: string, input: { name?: string; role?: UserRole; disabled?: boolean }) =>
      patch<User>(`/v1/users/${id(userId)}`, input),
    resetPassword: (userId: string) =>
      post<{ oneTimePassword: string }>(`/v1/users/${id(userId)}/reset-password`),
    resetMfa: (userId: string) => post<User>(`/v1/users/${id(userId)}/reset-mfa`),
  },
  apiKeys: {
    list: () => get<{ data: ApiKey[] }>('/v1/api-keys'),
    create: (input: {
      name: string;
      scopes: string[];
      allowedIps?: string[];
      expiresAt?: string;
    }) => post<CreatedApiKey>('/v1/api-keys', input),
    revoke: (keyId: string) => post<ApiKey>(`/v1/api-keys/${id(keyId)}/revoke`),
  },
  audit: {
    list: (params: { cursor?: string | null; action?: string; actorId?: string; limit?: number }) =>
      get<Page<AuditEntry>>('/v1/audit-log', {
        limit: params.limit ?? 50,
        cursor: params.cursor ?? undefined,
        action: params.action,
        actorId: params.actorId,
      }),
  },
  tenant: {
    get: () => get<Tenant>('/v1/tenant'),
    updateSettings: (settings: Partial<TenantSettings>) =>
      patch<Tenant>('/v1/tenant/settings', settings),
  },
  messages: {
    list: (
      params: MessageFilters & { cursor?: string | null; limit?: number },
      signal?: AbortSignal,
    ) =>
      get<Page<Message>>(
        '/v1/messages',
        {
          limit: params.limit ?? 50,
          cursor: params.cursor ?? undefined,
          status: params.status,
          channel: params.channel,
          route: params.route,
          to: params.to,
          from: params.from,
          until: params.until,
        },
        signal,
      ),
    get: (messageId: string) => get<Message>(`/v1/messages/${id(messageId)}`),
    send: (input: SendMessageInput) => post<AcceptedMessage>('/v1/messages', input),
  },
  optOuts: {
    list: (params: { cursor?: string | null; q?: string; limit?: number }) =>
      get<Page<OptOut>>('/v1/opt-outs', {
        limit: params.limit ?? 50,
        cursor: params.cursor ?? undefined,
        q: params.q,
      }),
    add: (input: { address: string; reason?: string }) => post<OptOut>('/v1/opt-outs', input),
    remove: (address: string, reason: string) =>
      post<void>('/v1/opt-outs/remove', { address, reason }),
    exportCsv: () => download('/v1/opt-outs/export', 'opt-outs.csv'),
  },
  senders: {
    list: () => get<{ data: Sender[] }>('/v1/senders'),
    add: (sender: string) => post<Sender>('/v1/senders', { sender }),
    remove: (sender: string) => del(`/v1/senders/${id(sender)}`),
  },
  routes: {
    health: () => get<RoutesHealth>('/v1/messaging/routes'),
  },
  whatsappTemplates: {
    list: (status?: WhatsAppTemplateStatus | '') =>
      get<Page<WhatsAppTemplate>>('/v1/whatsapp/templates', { status, limit: 200 }),
    create: (input: NewWhatsAppTemplate) => post<WhatsAppTemplate>('/v1/whatsapp/templates', input),
    remove: (name: string, language: string) =>
      del(`/v1/whatsapp/templates/${id(name)}/${id(language)}`),
    sync: () => post<WhatsAppTemplateSync>('/v1/whatsapp/templates/sync'),
  },
  webhooks: {
    events: webhookEventsFromSchema,
    list: () => get<{ data: WebhookEndpoint[] }>('/v1/webhooks'),
    create: (input: { url: string; events: string[]; description?: string }) =>
      post<CreatedWebhook>('/v1/webhooks', input),
    update: (
      endpointId: string,
      input: { url?: string; events?: string[]; enabled?: boolean; description?: string | null },
    ) => patch<WebhookEndpoint>(`/v1/webhooks/${id(endpointId)}`, input),
    remove: (endpointId: string) => del(`/v1/webhooks/${id(endpointId)}`),
    secret: (endpointId: string) =>
      get<{ secret: string }>(`/v1/webhooks/${id(endpointId)}/secret`),
    test: (endpointId: string) => post<WebhookDelivery>(`/v1/webhooks/${id(endpointId)}/test`),
    deliveries: (params: {
      cursor?: string | null;
      endpointId?: string;
      status?: DeliveryStatus | '';
      limit?: number;
    }) =>
      get<Page<WebhookDelivery>>('/v1/webhook-deliveries', {
        limit: params.limit ?? 50,
        cursor: params.cursor ?? undefined,
        endpointId: params.endpointId,
        status: params.status,
      }),
    replay: (deliveryId: string) =>
      post<WebhookDelivery>(`/v1/webhook-deliveries/${id(deliveryId)}/replay`),
  },
  sandbox: {
    phones: () => get<{ data: SandboxPhone[] }>('/v1/sandbox/phones'),
    phone: (number: string) => get<SandboxConversation>(`/v1/sandbox/phones/${id(number)}`),
    reply: (number: string, input: { channel: SandboxReplyChannel; text: string }) =>
      post<{ sent: boolean }>(`/v1/sandbox/phones/${id(number)}/reply`, input),
    mailbox: (address: string) => get<SandboxMailbox>(`/v1/sandbox/mailboxes/${id(address)}`),
  },
  operator: {
    tenants: (params: { status?: TenantStatus | ''; q?: string }, signal?: AbortSignal) =>
      get<{ data: OperatorTenant[] }>(
        '/v1/operator/tenants',
        { status: params.status, q: params.q },
        signal,
      ),
    createTenant: (input: { name: string; adminEmail?: string }) =>
      post<CreatedTenant>('/v1/operator/tenants', input),
    open: (tenantId: string, reason: string) =>
      post<OpenedTenant>(`/v1/operator/tenants/${id(tenantId)}/open`, { reason }),
    suspend: (tenantId: string, kind: SuspensionKind, reason: string) =>
      post<Tenant>(`/v1/operator/tenants/${id(tenantId)}/suspend`, { kind, reason }),
    reactivate: (tenantId: string, reason: string) =>
      post<Tenant>(`/v1/operator/tenants/${id(tenantId)}/reactivate`, { reason }),
  },
  // Billing (issue 5). The client side is for owners and admins only (R-CONFID).
  billing: {
    contracts: () => get<{ data: BillingContract[] }>('/v1/billing/contracts'),
    contract: (contractId: string) =>
      get<BillingContract>(`/v1/billing/contracts/${id(contractId)}`),
    invoices: (cursor?: string | null, limit = 50) =>
      get<Page<BillingInvoice>>('/v1/billing/invoices', { limit, cursor: cursor ?? undefined }),
    invoice: (invoiceId: string) => get<BillingInvoice>(`/v1/billing/invoices/${id(invoiceId)}`),
    pdf: (invoiceId: string, name: string) =>
      download(`/v1/billing/invoices/${id(invoiceId)}/pdf`, `${name}.pdf`),
    facturX: (invoiceId: string, name: string) =>
      download(`/v1/billing/invoices/${id(invoiceId)}/factur-x.xml`, `${name}.xml`),
    payments: () => get<{ data: BillingPayment[] }>('/v1/billing/payments'),
    dunning: () => get<{ data: DunningCase[] }>('/v1/billing/dunning'),
  },
  operatorBilling: {
    orderForms: (params: { tenantId?: string; status?: string } = {}) =>
      get<{ data: BillingOrderForm[] }>('/v1/operator/billing/order-forms', params),
    createOrderForm: (input: NewOrderForm) =>
      post<BillingOrderForm>('/v1/operator/billing/order-forms', input),
    signOrderForm: (formId: string, input: { signedOn: string; signatoryName: string }) =>
      post<{ contract: BillingContract; onboardingInvoiceId: string | null }>(
        `/v1/operator/billing/order-forms/${id(formId)}/sign`,
        input,
      ),
    cancelOrderForm: (formId: string) =>
      post<BillingOrderForm>(`/v1/operator/billing/order-forms/${id(formId)}/cancel`),
    contracts: (tenantId?: string) =>
      get<{ data: BillingContract[] }>('/v1/operator/billing/contracts', { tenantId }),
    contract: (contractId: string) =>
      get<BillingContract>(`/v1/operator/billing/contracts/${id(contractId)}`),
    amendPoi: (
      contractId: string,
      input: { poiCount: number; signedOn: string; effectiveOn?: string },
    ) => post<BillingContract>(`/v1/operator/billing/contracts/${id(contractId)}/poi-licence`, input),
    recordNotice: (
      contractId: string,
      input: { receivedOn: string; channel: 'registered_letter' | 'email'; reference?: string },
    ) => post<BillingContract>(`/v1/operator/billing/contracts/${id(contractId)}/notices`, input),
    viesCheck: (contractId: string) =>
      post<ViesProof>(`/v1/operator/billing/contracts/${id(contractId)}/vies-check`),
    runs: () => get<{ data: InvoiceRun[] }>('/v1/operator/billing/invoice-runs'),
    prepareRun: (period: string) =>
      post<InvoiceRun>('/v1/operator/billing/invoice-runs', { period }),
    run: (runId: string) =>
      get<{ run: InvoiceRun; invoices: BillingInvoice[] }>(
        `/v1/operator/billing/invoice-runs/${id(runId)}`,
      ),
    issueRun: (runId: string) =>
      post<InvoiceRun>(`/v1/operator/billing/invoice-runs/${id(runId)}/issue`),
    invoices: (params: {
      cursor?: string | null;
      limit?: number;
      tenantId?: string;
      status?: 'draft' | 'issued' | '';
      paymentStatus?: BillingPaymentStatus | '';
      kind?: 'invoice' | 'credit_note' | '';
      overdue?: boolean;
    }) =>
      get<Page<BillingInvoice>>('/v1/operator/billing/invoices', {
        limit: params.limit ?? 50,
        cursor: params.cursor ?? undefined,
        tenantId: params.tenantId,
        status: params.status,
        paymentStatus: params.paymentStatus,
        kind: params.kind,
        overdue: params.overdue ? 'true' : undefined,
      }),
    invoice: (invoiceId: string) =>
      get<BillingInvoice>(`/v1/operator/billing/invoices/${id(invoiceId)}`),
    issueInvoice: (invoiceId: string) =>
      post<BillingInvoice>(`/v1/operator/billing/invoices/${id(invoiceId)}/issue`),
    pdf: (invoiceId: string, name: string) =>
      download(`/v1/operator/billing/invoices/${id(invoiceId)}/pdf`, `${name}.pdf`),
    facturX: (invoiceId: string, name: string) =>
      download(`/v1/operator/billing/invoices/${id(invoiceId)}/factur-x.xml`, `${name}.xml`),
    creditNote: (
      invoiceId: string,
      input: { reason: string; lines?: { description: string; amountHtCents: number }[] },
    ) =>
      post<BillingInvoice>(`/v1/operator/billing/invoices/${id(invoiceId)}/credit-notes`, input),
    charges: (tenantId?: string) =>
      get<{ data: BillingCharge[] }>('/v1/operator/billing/charges', { tenantId }),
    addCharge: (input: NewBillingCharge) =>
      post<{ data: BillingCharge[] }>('/v1/operator/billing/charges', input),
    removeCharge: (chargeId: string) => del(`/v1/operator/billing/charges/${id(chargeId)}`),
    invoiceChargesNow: (tenantId: string) =>
      post<BillingInvoice>(`/v1/operator/billing/tenants/${id(tenantId)}/invoice-charges`),
    liabilityCap: (tenantId: string, date: string) =>
      get<LiabilityCap>(`/v1/operator/billing/tenants/${id(tenantId)}/liability-cap`, { date }),
    payments: (params: { tenantId?: string; limit?: number } = {}) =>
      get<{ data: BillingPayment[] }>('/v1/operator/billing/payments', {
        tenantId: params.tenantId,
        limit: params.limit ?? 100,
      }),
    recordPayment: (input: NewBillingPayment) =>
      post<BillingPayment>('/v1/operator/billing/payments', input),
    importStatement: (file: Blob, filename: string) =>
      upload<StatementImport>('/v1/operator/billing/bank-statements', file, 'text/csv', {
        filename,
      }),
    bankLines: () => get<{ data: BankLine[] }>('/v1/operator/billing/bank-lines'),
    resolveBankLine: (fingerprint: string, input: { invoiceId?: string; ignore?: boolean }) =>
      post<{ payment: BillingPayment | null }>(
        `/v1/operator/billing/bank-lines/${id(fingerprint)}/resolve`,
        input,
      ),
    sepaBatches: () => get<{ data: SepaBatch[] }>('/v1/operator/billing/sepa-batches'),
    createSepaBatch: (input: { collectionDate: string; dueBy?: string }) =>
      post<SepaBatch>('/v1/operator/billing/sepa-batches', input),
    sepaBatch: (batchId: string) =>
      get<SepaBatch>(`/v1/operator/billing/sepa-batches/${id(batchId)}`),
    pain008: (batchId: string, name: string) =>
      download(`/v1/operator/billing/sepa-batches/${id(batchId)}/pain.008.xml`, `${name}.xml`),
    settleSepaBatch: (batchId: string) =>
      post<SepaBatch>(`/v1/operator/billing/sepa-batches/${id(batchId)}/settle`),
    dunning: (params: { includeClosed?: boolean; tenantId?: string } = {}) =>
      get<{ data: DunningCase[] }>('/v1/operator/billing/dunning', {
        includeClosed: params.includeClosed ? 'true' : undefined,
        tenantId: params.tenantId,
      }),
    runDunning: () => post<Record<string, unknown>>('/v1/operator/billing/dunning/run'),
    acknowledge: (caseId: string, input: { on: string; note?: string }) =>
      post<DunningCase>(`/v1/operator/billing/dunning/${id(caseId)}/acknowledge`, input),
    suspend: (caseId: string) =>
      post<DunningCase>(`/v1/operator/billing/dunning/${id(caseId)}/suspend`),
    note: (caseId: string, text: string) =>
      post<DunningCase>(`/v1/operator/billing/dunning/${id(caseId)}/notes`, { text }),
    recordDowntime: (input: { tenantId: string; from: string; to: string; reason: string }) =>
      post<{ id: string }>('/v1/operator/billing/downtimes', input),
    syntec: () => get<{ data: SyntecEntry[] }>('/v1/operator/billing/syntec'),
    setSyntec: (month: string, value: string) =>
      post<SyntecEntry>('/v1/operator/billing/syntec', { month, value }),
    legalRates: () => get<{ data: LegalRate[] }>('/v1/operator/billing/legal-rates'),
    setLegalRate: (effectiveFrom: string, ratePercent: string) =>
      post<LegalRate>('/v1/operator/billing/legal-rates', { effectiveFrom, ratePercent }),
    products: () => get<{ data: BillingProduct[] }>('/v1/operator/billing/products'),
    priceLists: () => get<{ data: PriceList[] }>('/v1/operator/billing/price-lists'),
  },
};
