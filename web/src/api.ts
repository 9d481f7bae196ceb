// Small fetch client for the console: same-origin JSON, session cookie, CSRF header on unsafe
// methods, RFC 9457 problems turned into a typed ApiError.
import type {
  ApiKey,
  AuditEntry,
  CreatedApiKey,
  CreatedTenant,
  Me,
  MfaEnrolConfirmation,
  MfaEnrolment,
  OpenedTenant,
  OperatorTenant,
  Page,
  RolesCatalogue,
  Session,
  SuspensionKind,
  Tenant,
  TenantSettings,
  TenantStatus,
  User,
  UserRole,
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
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }

  if (!response.ok) {
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
    throw error;
  }
  return parsed as T;
}

const get = <T>(path: string, query?: Query, signal?: AbortSignal) =>
  request<T>('GET', path, { query, signal });
const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} });
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });

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
};
