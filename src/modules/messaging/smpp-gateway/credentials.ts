import argon2 from 'argon2';
import { sql } from 'kysely';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { Clock } from '../../../platform/clock.ts';
import { randomString } from '../../../platform/crypto.ts';
import type { Database, Queryable, Tx } from '../../../platform/db/database.ts';
import { withTenant } from '../../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { ServiceContext } from '../../../platform/http/principal.ts';
import { auditAdminKeyRead, authorize, listApiKeys, notifyAuthChange, tenantOf } from '../../identity/index.ts';

/**
 * SMPP credentials for the gateway (docs/smpp.md). SMPP 3.4 caps system_id at 15 characters and
 * the password at 8, so an API key cannot be used as such: SOFY issues, for one API key,
 *
 * - `system_id`: the key's visible id without `sofy_` (8 lowercase base32 characters), so a log
 *   line or a bind names the key at once and the system_id is unique for ever;
 * - `password`: 8 random characters (57-letter unambiguous alphabet, ~46.7 bits), shown once and
 *   stored as argon2id (R-APIKEY). 46 bits is within reach of an offline brute force against a
 *   fast hash (hours on one GPU for SHA-256, pepper or not once the pepper leaks with the
 *   database host), so a slow hash is used; its ~20 ms cost is paid once per bind (sessions
 *   last hours), and online guessing is throttled per address by the gateway.
 *
 * The key's scopes, IP allowlist, expiry and revocation, and its tenant's status, keep applying to
 * every bind. Issuing again for the same key rotates the password (binds made with the old one are
 * closed); revoking closes the key's binds at once.
 */

export const SMPP_PASSWORD_LENGTH = 8;
const SEND_SCOPES = ['messages:marketing', 'messages:alert'];
export const SMPP_AUTH_CHANGE_PREFIX = 'smpp_credential:';

const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** `sofy_k3j5x9qa` → `k3j5x9qa`. */
export function systemIdForPrefix(prefix: string): string {
  const match = /^sofy_([a-z2-7]{8})$/.exec(prefix);
  if (!match?.[1]) throw new Error(`not an API key prefix: ${prefix}`);
  return match[1];
}

export const hashSmppPassword = (password: string): Promise<string> => argon2.hash(password, ARGON2_OPTIONS);

let decoyHash: Promise<string> | undefined;

/** Verifies a bind password; with no hash (unknown system_id) it spends the same time and fails. */
export async function verifySmppPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    decoyHash ??= hashSmppPassword(randomString(SMPP_PASSWORD_LENGTH));
    await argon2.verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}

export type QuietHoursMode = 'defer' | 'reject';

export interface SmppCredentialView {
  apiKeyId: string;
  apiKeyName: string;
  apiKeyPrefix: string;
  systemId: string;
  quietHours: QuietHoursMode;
  status: 'active' | 'revoked';
  createdAt: string;
  revokedAt: string | null;
}

interface CredentialRow {
  api_key_id: string;
  system_id: string;
  quiet_hours: QuietHoursMode;
  created_at: Date;
  revoked_at: Date | null;
}

function credentialView(row: CredentialRow, key: { name: string; prefix: string }): SmppCredentialView {
  return {
    apiKeyId: row.api_key_id,
    apiKeyName: key.name,
    apiKeyPrefix: key.prefix,
    systemId: row.system_id,
    quietHours: row.quiet_hours,
    status: row.revoked_at ? 'revoked' : 'active',
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

/** What a bind needs to know about a system_id (pre-authentication look-up, decision 0002). */
export interface SmppBindLookup {
  api_key_id: string;
  system_id: string;
  password_hash: string;
  quiet_hours: QuietHoursMode;
  credential_revoked_at: Date | null;
  key_name: string;
  key_prefix: string;
  scopes: string[];
  allowed_ips: string[];
  key_expires_at: Date | null;
  key_revoked_at: Date | null;
  tenant_id: string;
  tenant_name: string;
  tenant_status: 'active' | 'suspended_nonpayment' | 'suspended_fraud' | 'terminated';
  tenant_status_reason: string | null;
}

export async function lookupSmppCredential(db: Queryable, systemId: string): Promise<SmppBindLookup | undefined> {
  if (!/^[A-Za-z2-7]{8}$/.test(systemId)) return undefined;
  const { rows } = await sql<SmppBindLookup>`select * from auth_smpp_credential(${systemId})`.execute(db);
  return rows[0];
}

/** Why a looked-up credential may not bind now (null when it may). Password checked apart. */
export function bindRefusal(row: SmppBindLookup, now: Date): 'revoked' | 'expired' | 'tenant_inactive' | null {
  if (row.credential_revoked_at || row.key_revoked_at) return 'revoked';
  if (row.key_expires_at && row.key_expires_at <= now) return 'expired';
  if (row.tenant_status !== 'active') return 'tenant_inactive';
  return null;
}

export interface IssueSmppCredentialInput {
  /** R-QUIET through SMPP: hold marketing until 08:00 (default) or refuse it (ESME_RSUBMITFAIL). */
  quietHours?: QuietHoursMode | undefined;
}

/** Creates, lists and revokes SMPP credentials (permission `apikeys:manage`; reads `apikeys:read`). */
export class SmppCredentialsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** Called after a change that must reach the gateways of this process at once. */
    private readonly onAuthChange: () => void = () => {},
  ) {}

  async list(ctx: ServiceContext): Promise<SmppCredentialView[]> {
    authorize(ctx.principal, 'apikeys:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      await auditAdminKeyRead(tx, ctx, tenantId, 'smpp_credentials', this.clock.now());
      const keys = new Map((await listApiKeys(tx, tenantId)).map((k) => [k.id, k]));
      const rows = await selectCredentials(tx, tenantId);
      return rows.flatMap((row) => {
        const key = keys.get(row.api_key_id);
        return key ? [credentialView(row, key)] : [];
      });
    });
  }

  async get(ctx: ServiceContext, apiKeyId: string): Promise<SmppCredentialView> {
    authorize(ctx.principal, 'apikeys:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      await auditAdminKeyRead(tx, ctx, tenantId, 'smpp_credentials', this.clock.now());
      const key = await findKey(tx, tenantId, apiKeyId);
      const row = (await selectCredentials(tx, tenantId, apiKeyId))[0];
      if (!row) throw notFound('SMPP credential');
      return credentialView(row, key);
    });
  }

  /**
   * Issues the credentials of an API key, or rotates its password: the password is returned
   * once. The key must be active and able to send (`messages:marketing` or `messages:alert`).
   */
  async issue(ctx: ServiceContext, apiKeyId: string, input: IssueSmppCredentialInput = {}): Promise<{ credential: SmppCredentialView; password: string }> {
    authorize(ctx.principal, 'apikeys:manage');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const password = randomString(SMPP_PASSWORD_LENGTH);
    const passwordHash = await hashSmppPassword(password);
    const createdBy = ctx.principal.kind === 'api_key' ? null : ctx.principal.userId;
    const credential = await withTenant(this.db, tenantId, async (tx) => {
      const key = await findKey(tx, tenantId, apiKeyId);
      if (key.revoked_at) throw new AppError('invalid_state', 'This API key is revoked: create a new key first');
      if (key.expires_at && key.expires_at <= now) throw new AppError('invalid_state', 'This API key has expired: create a new key first');
      if (!key.scopes.some((scope) => SEND_SCOPES.includes(scope))) {
        throw new AppError('invalid_state', 'SMPP sends messages: the API key needs the messages:marketing or messages:alert scope', {
          extensions: { requiredScopes: SEND_SCOPES },
        });
      }
      const systemId = systemIdForPrefix(key.prefix);
      const previous = (await selectCredentials(tx, tenantId, apiKeyId))[0];
      const quietHours = input.quietHours ?? previous?.quiet_hours ?? 'defer';
      const { rows } = await sql<CredentialRow>`
        insert into smpp_credentials (tenant_id, api_key_id, system_id, password_hash, quiet_hours, created_at, created_by)
        values (${tenantId}, ${apiKeyId}, ${systemId}, ${passwordHash}, ${quietHours}, ${now}, ${createdBy})
        on conflict (api_key_id) do update
          set password_hash = excluded.password_hash, quiet_hours = excluded.quiet_hours, created_at = excluded.created_at,
              created_by = excluded.created_by, revoked_at = null, revoked_by = null
        returning api_key_id, system_id, quiet_hours, created_at, revoked_at`.execute(tx);
      const row = rows[0];
      if (!row) throw new Error('smpp_credentials upsert returned nothing');
      if (previous) await notifyAuthChange(tx, `${SMPP_AUTH_CHANGE_PREFIX}${apiKeyId}`);
      await recordAudit(tx, ctx, {
        tenantId,
        action: previous ? 'smpp_credential.rotated' : 'smpp_credential.issued',
        target: { type: 'api_key', id: apiKeyId },
        summary: { systemId, apiKeyPrefix: key.prefix, quietHours, ...(previous?.revoked_at ? { wasRevoked: true } : {}) },
        at: now,
      });
      return credentialView(row, key);
    });
    this.onAuthChange();
    return { credential, password };
  }

  /** Revokes at once (idempotent: a second revocation keeps the first date); binds are closed. */
  async revoke(ctx: ServiceContext, apiKeyId: string): Promise<SmppCredentialView> {
    authorize(ctx.principal, 'apikeys:manage');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const by = ctx.principal.kind === 'api_key' ? null : ctx.principal.userId;
    const credential = await withTenant(this.db, tenantId, async (tx) => {
      const key = await findKey(tx, tenantId, apiKeyId);
      const { rows } = await sql<CredentialRow>`
        update smpp_credentials set revoked_at = coalesce(revoked_at, ${now}), revoked_by = coalesce(revoked_by, ${by})
         where tenant_id = ${tenantId} and api_key_id = ${apiKeyId}
        returning api_key_id, system_id, quiet_hours, created_at, revoked_at`.execute(tx);
      const row = rows[0];
      if (!row) throw notFound('SMPP credential');
      await notifyAuthChange(tx, `${SMPP_AUTH_CHANGE_PREFIX}${apiKeyId}`);
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'smpp_credential.revoked',
        target: { type: 'api_key', id: apiKeyId },
        summary: { systemId: row.system_id, apiKeyPrefix: key.prefix },
        at: now,
      });
      return credentialView(row, key);
    });
    this.onAuthChange();
    return credential;
  }
}

async function findKey(tx: Tx, tenantId: string, apiKeyId: string) {
  const key = (await listApiKeys(tx, tenantId)).find((k) => k.id === apiKeyId);
  if (!key) throw notFound('API key');
  return key;
}

async function selectCredentials(tx: Tx, tenantId: string, apiKeyId?: string): Promise<CredentialRow[]> {
  const { rows } = await sql<CredentialRow>`
    select api_key_id, system_id, quiet_hours, created_at, revoked_at from smpp_credentials
     where tenant_id = ${tenantId} ${apiKeyId ? sql`and api_key_id = ${apiKeyId}` : sql``}
     order by created_at desc`.execute(tx);
  return rows;
}
