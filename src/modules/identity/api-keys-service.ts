import { sql } from 'kysely';
import { recordAudit, type RequestContext } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { randomBase32, randomString, sha256 } from '../../platform/crypto.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { auditAdminKeyRead } from './audit-reads.ts';
import { authorize, tenantOf } from './authorize.ts';
import * as repo from './repo.ts';
import { formatApiKey, invalidScopes, normaliseCidr } from './rules.ts';
import { type ApiKeyView, apiKeyView } from './views.ts';

export interface NewApiKey {
  name: string;
  scopes: string[];
  allowedIps?: string[] | undefined;
  expiresAt?: string | undefined;
}

/** Validates, creates and audits a key in the caller's transaction. The secret is returned once. */
export async function createApiKeyInTx(
  tx: Tx,
  context: RequestContext,
  tenantId: string,
  input: NewApiKey,
  createdBy: string | null,
  now: Date,
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  const errors: FieldError[] = [];
  for (const scope of invalidScopes(input.scopes)) errors.push({ path: `/scopes/${input.scopes.indexOf(scope)}`, message: `unknown scope ${scope}` });
  const allowedIps = (input.allowedIps ?? []).map((entry, index) => {
    const cidr = normaliseCidr(entry);
    if (!cidr) errors.push({ path: `/allowedIps/${index}`, message: 'is not an IP address or CIDR range' });
    return cidr ?? '';
  });
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt <= now)) errors.push({ path: '/expiresAt', message: 'must be a date in the future' });
  if (errors.length) throw new AppError('validation_failed', 'The API key request is invalid', { errors });

  const prefix = `sofy_${randomBase32(8)}`;
  const secret = formatApiKey(prefix.slice(5), randomString(40));
  const row = await repo.insertApiKey(tx, {
    tenantId,
    name: input.name.trim(),
    prefix,
    secretHash: sha256(secret),
    scopes: [...new Set(input.scopes)],
    allowedIps,
    expiresAt,
    createdBy,
  });
  await recordAudit(tx, context, {
    tenantId,
    action: 'api_key.created',
    target: { type: 'api_key', id: row.id },
    summary: { name: row.name, prefix, scopes: row.scopes, allowedIps, expiresAt: expiresAt?.toISOString() ?? null },
    at: now,
  });
  return { apiKey: apiKeyView(row), secret };
}

/** R-APIKEY: per-tenant, hashed at rest, scoped, IP-restricted on demand, revocable. */
export class ApiKeysService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** Called after a change that can invalidate cached credentials in this process. */
    private readonly onAuthChange: () => void = () => {},
  ) {}

  async list(ctx: ServiceContext): Promise<ApiKeyView[]> {
    authorize(ctx.principal, 'apikeys:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, async (tx) => {
      await auditAdminKeyRead(tx, ctx, tenantId, 'api_keys', this.clock.now());
      return repo.listApiKeys(tx, tenantId);
    });
    return rows.map(apiKeyView);
  }

  async create(ctx: ServiceContext, input: NewApiKey): Promise<{ apiKey: ApiKeyView; secret: string }> {
    authorize(ctx.principal, 'apikeys:manage');
    const tenantId = tenantOf(ctx.principal);
    const createdBy = ctx.principal.kind === 'api_key' ? null : ctx.principal.userId;
    return withTenant(this.db, tenantId, (tx) => createApiKeyInTx(tx, ctx, tenantId, input, createdBy, this.clock.now()));
  }

  async revoke(ctx: ServiceContext, keyId: string): Promise<ApiKeyView> {
    authorize(ctx.principal, 'apikeys:manage');
    const tenantId = tenantOf(ctx.principal);
    const by = ctx.principal.kind === 'api_key' ? null : ctx.principal.userId;
    const revoked = await withTenant(this.db, tenantId, (tx) => revokeApiKeyInTx(tx, ctx, tenantId, keyId, by, this.clock.now()));
    this.onAuthChange();
    return revoked;
  }
}

/** Revokes at once (idempotent: a second revocation keeps the first date) and audits. */
export async function revokeApiKeyInTx(tx: Tx, context: RequestContext, tenantId: string, keyId: string, by: string | null, now: Date): Promise<ApiKeyView> {
  const row = await repo.revokeApiKey(tx, keyId, by, now);
  if (!row) throw notFound('API key');
  await notifyAuthChange(tx, `api_key:${keyId}`);
  await recordAudit(tx, context, { tenantId, action: 'api_key.revoked', target: { type: 'api_key', id: row.id }, summary: { prefix: row.prefix, name: row.name }, at: now });
  return apiKeyView(row);
}

/** Tells every SOFY process (LISTEN in AuthService's listener) to drop cached credentials, at commit. */
export async function notifyAuthChange(tx: Tx, what: string): Promise<void> {
  await sql`select pg_notify('sofy_auth_changed', ${what})`.execute(tx);
}
