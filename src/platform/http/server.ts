import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import client from 'prom-client';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { actorOf, type Principal, type ServiceContext } from './principal.ts';
import { sendProblem, toAppError } from './problem.ts';
import { Problem } from './schemas.ts';
import { createValidatorCompiler } from './validation.ts';

/**
 * Who may call a route:
 * - `public`: anyone (login, health);
 * - `session`: a console session at any login stage (MFA, password change, enrolment steps);
 * - `authenticated` (default): an active console session or an API key;
 * - `console`: an active console session only (no API key).
 * Fine-grained permissions and scopes are checked by services, which know the use case.
 */
export type RouteAuth = 'public' | 'session' | 'authenticated' | 'console';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** Unsafe-method CSRF check for cookie sessions; off only for login. */
    csrf?: boolean;
  }
}

export type App = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface Authenticator {
  /** Resolves the caller from the Authorization header or the session cookie; null when neither. */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
}

export interface ServerOptions {
  config: Config;
  authenticator: Authenticator;
  /** Registers the modules' routes. */
  routes: (app: App) => void | Promise<void>;
  /** Readiness: the database answers and the process is not draining. */
  ready: () => Promise<boolean>;
  webDir?: string;
  logger?: boolean | object;
}

export const SESSION_COOKIE = 'sofy_session';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildServer(options: ServerOptions): Promise<App> {
  const { config } = options;
  const https = config.tls
    ? { key: readFileSync(config.tls.keyPath), cert: readFileSync(config.tls.certPath), minVersion: 'TLSv1.2' as const } // R-CRYPTO
    : null;
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: options.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('principal', undefined);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifyCookie);
  // Security headers, computed once (a per-request helmet() call cost ~4 % of a request).
  const headers = securityHeaders(config.tls !== undefined || config.publicUrl.startsWith('https:'));
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of headers) if (!reply.hasHeader(name)) reply.header(name, value);
  });

  // R-NOSCRAPE: per API key (from the header, before any database work) or per IP.
  await app.register(fastifyRateLimit, {
    global: true,
    timeWindow: 60_000,
    max: (_request: FastifyRequest, key: string) =>
      key.startsWith('key:') ? config.rateLimit.perApiKeyPerMinute : config.rateLimit.perIpPerMinute,
    keyGenerator: (request: FastifyRequest) => {
      const bearer = /^Bearer\s+(sofy_[a-z2-7]{8})_/i.exec(request.headers.authorization ?? '')?.[1];
      return bearer ? `key:${bearer}` : `ip:${request.ip}`;
    },
    allowList: (request: FastifyRequest) => ['/healthz', '/readyz', '/metrics'].includes(request.url),
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string; ttl: number }) =>
      Object.assign(new Error(`Too many requests; retry in ${context.after}`), { statusCode: 429 }),
  });

  registerMetrics(app);

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error as Error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (appError.code === 'rate_limited' && !reply.getHeader('retry-after')) reply.header('retry-after', '60');
    return sendProblem(reply, appError, request);
  });

  app.addHook('onRequest', async (request) => {
    const auth = routeAuth(request);
    if (auth === 'public' && !request.headers.cookie && !request.headers.authorization) return;
    request.principal = (await options.authenticator.authenticate(request)) ?? undefined;
  });
  app.addHook('preHandler', async (request) => {
    enforceRouteAccess(request);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SOFY API',
        version: '1.0.0',
        description:
          'Messaging (SMS, RCS, WhatsApp, email), contacts, campaigns, presence and administration for SOFY tenants. ' +
          'Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 problem+json documents with a stable `code`.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: sofy_xxxxxxxx_…' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ apiKey: [] }],
    },
    // Shared schemas keep their $id as their name in components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => (typeof json.$id === 'string' ? json.$id : `def-${index}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { config: { auth: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const ready = await options.ready().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready' });
  });

  app.addSchema(Problem);
  await app.register(async (scope) => {
    await options.routes(scope as App);
  });

  registerConsole(app, options.webDir);
  return app;
}

/** API routes are authenticated unless they say otherwise; the console's files and pages are public. */
function routeAuth(request: FastifyRequest): RouteAuth {
  return request.routeOptions.config?.auth ?? (request.url.startsWith('/v1/') || request.url === '/v1' ? 'authenticated' : 'public');
}

function enforceRouteAccess(request: FastifyRequest): void {
  const auth = routeAuth(request);
  if (auth === 'public') return;
  const principal = request.principal;
  if (!principal) throw new AppError('unauthenticated', 'Authenticate with an API key (Authorization: Bearer) or a console session');
  if (principal.kind !== 'api_key') {
    if (UNSAFE_METHODS.has(request.method) && request.routeOptions.config.csrf !== false) {
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || token !== principal.csrfToken) {
        throw new AppError('csrf_token_invalid', 'Missing or wrong X-CSRF-Token header for this session');
      }
    }
    if (auth === 'session') return;
    if (principal.stage !== 'active') throw new AppError('mfa_required', `Finish signing in first (next step: ${principal.stage})`, { extensions: { stage: principal.stage } });
  } else if (auth === 'console' || auth === 'session') {
    throw new AppError('forbidden', 'This endpoint is for the console, not for API keys');
  }
  // A suspended tenant keeps read access to its own data (for export); it can change nothing.
  const tenant = principal.tenant;
  if (tenant && tenant.status !== 'active' && UNSAFE_METHODS.has(request.method)) {
    if (tenant.status === 'terminated') throw new AppError('tenant_terminated', 'This account is closed; its data can still be read and exported');
    throw new AppError('tenant_suspended', `This account is suspended (${tenant.status === 'suspended_fraud' ? 'fraud' : 'nonpayment'}); reads remain available`, {
      extensions: { suspension: tenant.status === 'suspended_fraud' ? 'fraud' : 'nonpayment', reason: tenant.statusReason },
    });
  }
}

/** The headers helmet would send, for a same-origin console and a JSON API. */
export function securityHeaders(https: boolean): Array<[string, string]> {
  const csp = [
    "default-src 'self'",
    "base-uri 'self'",
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return [
    ['content-security-policy', csp],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cross-origin-resource-policy', 'same-origin'],
    ['origin-agent-cluster', '?1'],
    ['referrer-policy', 'no-referrer'],
    ['x-content-type-options', 'nosniff'],
    ['x-dns-prefetch-control', 'off'],
    ['x-download-options', 'noopen'],
    ['x-frame-options', 'DENY'],
    ['x-permitted-cross-domain-policies', 'none'],
    ['x-xss-protection', '0'],
    ...(https ? ([['strict-transport-security', 'max-age=31536000; includeSubDomains']] as Array<[string, string]>) : []),
  ];
}

/** The service context of an authenticated request. */
export function contextOf(request: FastifyRequest): ServiceContext {
  if (!request.principal) throw new AppError('unauthenticated', 'Not authenticated');
  return { principal: request.principal, actor: actorOf(request.principal), ip: request.ip, requestId: request.id };
}

function registerMetrics(app: App): void {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'sofy_' });
  const duration = new client.Histogram({
    name: 'sofy_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
}

/** The console's static files, with the SPA fallback for its client-side routes. */
function registerConsole(app: App, webDir: string | undefined): void {
  const hasConsole = webDir !== undefined && existsSync(join(webDir, 'index.html'));
  if (hasConsole) {
    void app.register(fastifyStatic, { root: webDir, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const wantsPage = request.method === 'GET' && !path.startsWith('/v1/') && (request.headers.accept ?? '').includes('text/html');
    if (hasConsole && wantsPage) return reply.type('text/html').sendFile('index.html');
    return sendProblem(reply, new AppError('not_found', `No route ${request.method} ${path}`), request);
  });
}
