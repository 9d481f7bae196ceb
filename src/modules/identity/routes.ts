import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../../platform/config.ts';
import { AppError } from '../../platform/errors.ts';
import type { Principal, SessionPrincipal } from '../../platform/http/principal.ts';
import { IdParams, PageQuery, errorResponses } from '../../platform/http/schemas.ts';
import { type App, contextOf, SESSION_COOKIE } from '../../platform/http/server.ts';
import type { ApiKeysService } from './api-keys-service.ts';
import type { AuthService } from './auth-service.ts';
import {
  API_KEY_SCOPES,
  OPERATOR_PERMISSIONS,
  OPERATOR_ROLE_PERMISSIONS,
  OPERATOR_ROLES,
  ROLE_PERMISSIONS,
  SCOPE_PERMISSIONS,
  SESSION_MAX_HOURS,
  TENANT_PERMISSIONS,
  TENANT_ROLES,
  isOperatorRole,
  isTenantRole,
  type ApiKeyScope,
} from './rules.ts';
import * as S from './schemas.ts';
import type { UsersService } from './users-service.ts';

export interface IdentityRouteDeps {
  config: Config;
  auth: AuthService;
  users: UsersService;
  apiKeys: ApiKeysService;
}

export function identityRoutes(app: App, deps: IdentityRouteDeps): void {
  const { auth, users, apiKeys } = deps;
  const secureCookie = deps.config.publicUrl.startsWith('https:') || deps.config.tls !== undefined;
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookie, path: '/', maxAge: SESSION_MAX_HOURS * 3600 });
  const session = (principal: Principal | undefined): SessionPrincipal => {
    if (!principal || principal.kind === 'api_key') throw new AppError('unauthenticated', 'Sign in first');
    return principal;
  };
  const tags = ['Identity'];
  const consoleTags = ['Console sessions'];

  // Console sessions ---------------------------------------------------------------------------
  app.get('/v1/auth/session', { config: { auth: 'public' }, schema: { tags: consoleTags, summary: 'Current console session', response: { 200: S.SessionView } } }, async (request) =>
    auth.sessionView(request.principal?.kind === 'api_key' ? null : request.principal),
  );

  app.post(
    '/v1/auth/login',
    {
      config: { auth: 'public', csrf: false, rateLimit: { max: deps.config.rateLimit.loginPerIpPerMinute, timeWindow: 60_000, keyGenerator: (request) => `login:${request.ip}` } },
      schema: { tags: consoleTags, summary: 'Sign in with email and password', body: S.LoginBody, response: { 200: S.SessionView, ...errorResponses } },
    },
    async (request, reply) => {
      const { token, view } = await auth.login(request.body.email, request.body.password, {
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        requestId: request.id,
      });
      setSessionCookie(reply, token);
      return view;
    },
  );

  app.post(
    '/v1/auth/mfa/verify',
    {
      config: { auth: 'session', rateLimit: { max: deps.config.rateLimit.loginPerIpPerMinute, timeWindow: 60_000, keyGenerator: (request) => `mfa:${request.ip}` } },
      schema: { tags: consoleTags, summary: 'Second factor: TOTP code or recovery code', body: S.MfaVerifyBody, response: { 200: S.SessionView, ...errorResponses } },
    },
    async (request) => auth.verifyMfa(session(request.principal), request.body as { code?: string; recoveryCode?: string }, contextOf(request)),
  );

  app.post(
    '/v1/auth/password',
    { config: { auth: 'session' }, schema: { tags: consoleTags, summary: 'Change the password (required after a one-time password)', body: S.PasswordBody, response: { 200: S.SessionView, ...errorResponses } } },
    async (request) => auth.changePassword(session(request.principal), request.body, contextOf(request)),
  );

  app.post(
    '/v1/auth/mfa/enrol',
    { config: { auth: 'session' }, schema: { tags: consoleTags, summary: 'Start TOTP enrolment', response: { 200: S.EnrolmentView, ...errorResponses } } },
    async (request) => auth.startMfaEnrolment(session(request.principal), contextOf(request)),
  );

  app.post(
    '/v1/auth/mfa/enrol/confirm',
    {
      config: { auth: 'session' },
      schema: {
        tags: consoleTags,
        summary: 'Confirm TOTP enrolment with a code; returns the recovery codes once',
        body: S.EnrolConfirmBody,
        response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String()), session: S.SessionView }), ...errorResponses },
      },
    },
    async (request) => auth.confirmMfaEnrolment(session(request.principal), request.body.code, contextOf(request)),
  );

  app.post('/v1/auth/logout', { config: { auth: 'session' }, schema: { tags: consoleTags, summary: 'Sign out' } }, async (request, reply) => {
    await auth.logout(session(request.principal), contextOf(request));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  // Identity --------------------------------------------------------------------------------------
  app.get('/v1/me', { schema: { tags, summary: 'Who is calling: the key or user, its tenant, what it may do', response: { 200: S.MeView, ...errorResponses } } }, async (request) =>
    meView(contextOf(request).principal),
  );

  app.get('/v1/roles', { schema: { tags, summary: 'Roles, their permissions, and API key scopes' } }, async () => ({
    roles: TENANT_ROLES.map((role) => ({ role, permissions: ROLE_PERMISSIONS[role] })),
    operatorRoles: OPERATOR_ROLES.map((role) => ({ role, permissions: OPERATOR_ROLE_PERMISSIONS[role] })),
    permissions: TENANT_PERMISSIONS,
    operatorPermissions: OPERATOR_PERMISSIONS,
    scopes: API_KEY_SCOPES,
  }));

  app.get(
    '/v1/users',
    { schema: { tags, summary: 'List the users of the account', querystring: PageQuery, response: { 200: Type.Object({ data: Type.Array(S.UserView), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } } },
    async (request) => users.list(contextOf(request), request.query),
  );

  app.post(
    '/v1/users',
    { schema: { tags, summary: 'Invite a user (returns a one-time password, shown once)', body: S.NewUserBody, response: { 201: Type.Object({ user: S.UserView, oneTimePassword: Type.String() }), ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await users.create(contextOf(request), request.body)),
  );

  app.patch(
    '/v1/users/:id',
    { schema: { tags, summary: 'Change a user: name, role, disabled', params: IdParams, body: S.UpdateUserBody, response: { 200: S.UserView, ...errorResponses } } },
    async (request) => users.update(contextOf(request), request.params.id, request.body),
  );

  app.post(
    '/v1/users/:id/reset-password',
    { schema: { tags, summary: 'Give a user a new one-time password (ends their sessions)', params: IdParams, response: { 200: Type.Object({ oneTimePassword: Type.String() }), ...errorResponses } } },
    async (request) => users.resetPassword(contextOf(request), request.params.id),
  );

  app.post(
    '/v1/users/:id/reset-mfa',
    { schema: { tags, summary: 'Remove a user’s MFA so they enrol again', params: IdParams, response: { 200: S.UserView, ...errorResponses } } },
    async (request) => users.resetMfa(contextOf(request), request.params.id),
  );

  app.get(
    '/v1/api-keys',
    { schema: { tags, summary: 'List API keys (never their secrets)', response: { 200: Type.Object({ data: Type.Array(S.ApiKeyView) }), ...errorResponses } } },
    async (request) => ({ data: await apiKeys.list(contextOf(request)) }),
  );

  app.post(
    '/v1/api-keys',
    { schema: { tags, summary: 'Create an API key (the secret is returned once)', body: S.NewApiKeyBody, response: { 201: Type.Object({ apiKey: S.ApiKeyView, secret: Type.String() }), ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await apiKeys.create(contextOf(request), request.body)),
  );

  app.post(
    '/v1/api-keys/:id/revoke',
    { schema: { tags, summary: 'Revoke an API key, at once', params: IdParams, response: { 200: S.ApiKeyView, ...errorResponses } } },
    async (request) => apiKeys.revoke(contextOf(request), request.params.id),
  );
}

function meView(principal: Principal) {
  const tenant = principal.tenant ? { id: principal.tenant.id, name: principal.tenant.name, status: principal.tenant.status, statusReason: principal.tenant.statusReason } : null;
  if (principal.kind === 'api_key') {
    const permissions = [...new Set(principal.scopes.flatMap((scope) => SCOPE_PERMISSIONS[scope as ApiKeyScope] ?? []))];
    return { principal: { type: 'api_key' as const, id: principal.keyId, label: `${principal.prefix} (${principal.name})`, scopes: [...principal.scopes] }, tenant, permissions };
  }
  const permissions = isTenantRole(principal.role) ? ROLE_PERMISSIONS[principal.role] : isOperatorRole(principal.role) ? OPERATOR_ROLE_PERMISSIONS[principal.role] : [];
  return { principal: { type: principal.kind, id: principal.userId, label: principal.email, role: principal.role }, tenant, permissions: [...permissions] };
}
