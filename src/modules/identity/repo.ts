import { sql, type Selectable } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/database.ts';
import type { ApiKeysTable, SessionStage, TenantStatus, UsersTable } from '../../platform/db/schema.ts';

/** SQL of the identity module. Every function runs inside withTenant / withOperator (RLS). */

export type UserRow = Selectable<UsersTable>;

export async function findUserById(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserForUpdate(tx: Tx, id: string): Promise<UserRow | undefined> {
  return tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Pre-authentication: which user (and tenant) an email belongs to, before RLS knows the tenant. */
export async function lookupLogin(db: Queryable, email: string): Promise<{ user_id: string; tenant_id: string | null } | undefined> {
  const { rows } = await sql<{ user_id: string; tenant_id: string | null }>`select * from auth_user_by_email(${email})`.execute(db);
  return rows[0];
}

export async function listUsers(tx: Tx, tenantId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<UserRow[]> {
  let query = tx.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
  if (after) query = query.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
  return query.orderBy('created_at').orderBy('id').limit(limit).execute();
}

export async function insertUser(
  tx: Tx,
  user: { tenantId: string | null; email: string; name: string; role: string; passwordHash: string; mustChangePassword: boolean },
): Promise<UserRow> {
  return tx
    .insertInto('users')
    .values({
      tenant_id: user.tenantId,
      email: user.email,
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
      must_change_password: user.mustChangePassword,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateUser(tx: Tx, id: string, changes: Partial<Omit<UserRow, 'id' | 'tenant_id' | 'created_at'>>): Promise<UserRow> {
  return tx
    .updateTable('users')
    .set({ ...changes, updated_at: new Date() } as never)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function countActiveOwners(tx: Tx, tenantId: string): Promise<number> {
  const row = await tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'owner')
    .where('disabled_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

// Sessions ------------------------------------------------------------------------------------

export interface SessionLookup {
  session_id: string;
  stage: SessionStage;
  csrf_token: string;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string;
  email: string;
  name: string;
  role: string;
  mfa_enabled: boolean;
  user_disabled: boolean;
  tenant_id: string | null;
  tenant_name: string | null;
  tenant_status: TenantStatus | null;
  tenant_status_reason: string | null;
  tenant_locale: string | null;
}

export async function lookupSession(db: Queryable, tokenHash: Buffer): Promise<SessionLookup | undefined> {
  const { rows } = await sql<SessionLookup>`select * from auth_session_by_token(${tokenHash})`.execute(db);
  return rows[0];
}

export async function insertSession(
  tx: Tx,
  session: { tokenHash: Buffer; userId: string; tenantId: string | null; stage: SessionStage; csrfToken: string; ip: string | null; userAgent: string | null; now: Date; expiresAt: Date },
): Promise<string> {
  const row = await tx
    .insertInto('sessions')
    .values({
      token_hash: session.tokenHash,
      user_id: session.userId,
      tenant_id: session.tenantId,
      stage: session.stage,
      csrf_token: session.csrfToken,
      ip: session.ip,
      user_agent: session.userAgent,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findSession(tx: Tx, id: string): Promise<{ created_at: Date; last_seen_at: Date; stage: SessionStage } | undefined> {
  return tx.selectFrom('sessions').select(['created_at', 'last_seen_at', 'stage']).where('id', '=', id).executeTakeFirst();
}

export async function setSessionStage(tx: Tx, id: string, stage: SessionStage, now: Date): Promise<void> {
  await tx.updateTable('sessions').set({ stage, last_seen_at: now }).where('id', '=', id).execute();
}

export async function touchSession(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
}

export async function revokeSession(tx: Tx, id: string, now: Date): Promise<void> {
  await tx.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Ends every session of a user (disabled, password or MFA reset), except one to keep. */
export async function revokeUserSessions(tx: Tx, userId: string, now: Date, except?: string): Promise<void> {
  let query = tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (except) query = query.where('id', '<>', except);
  await query.execute();
}

// API keys ------------------------------------------------------------------------------------

export type ApiKeyRow = Selectable<ApiKeysTable>;

export interface ApiKeyLookup {
  key_id: string;
  name: string;
  secret_hash: Buffer;
  scopes: string[];
  allowed_ips: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  tenant_id: string;
  tenant_name: string;
  tenant_status: TenantStatus;
  tenant_status_reason: string | null;
}

export async function lookupApiKey(db: Queryable, prefix: string): Promise<ApiKeyLookup | undefined> {
  const { rows } = await sql<ApiKeyLookup>`select key_id, name, secret_hash, scopes, allowed_ips::text[] as allowed_ips, expires_at, revoked_at,
      last_used_at, tenant_id, tenant_name, tenant_status, tenant_status_reason from auth_api_key_by_prefix(${prefix})`.execute(db);
  return rows[0];
}

const API_KEY_COLUMNS = ['id', 'tenant_id', 'name', 'prefix', 'scopes', 'expires_at', 'revoked_at', 'revoked_by', 'last_used_at', 'last_used_ip', 'created_by', 'created_at'] as const;
export type ApiKeyRecord = Omit<ApiKeyRow, 'secret_hash'>;

export async function listApiKeys(tx: Tx, tenantId: string): Promise<ApiKeyRecord[]> {
  return tx
    .selectFrom('api_keys')
    .select([...API_KEY_COLUMNS, sql<string[]>`allowed_ips::text[]`.as('allowed_ips')])
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function insertApiKey(
  tx: Tx,
  key: { tenantId: string; name: string; prefix: string; secretHash: Buffer; scopes: string[]; allowedIps: string[]; expiresAt: Date | null; createdBy: string | null },
): Promise<ApiKeyRecord> {
  return tx
    .insertInto('api_keys')
    .values({
      tenant_id: key.tenantId,
      name: key.name,
      prefix: key.prefix,
      secret_hash: key.secretHash,
      scopes: key.scopes,
      allowed_ips: sql`${key.allowedIps}::cidr[]` as never,
      expires_at: key.expiresAt,
      created_by: key.createdBy,
    })
    .returning([...API_KEY_COLUMNS, sql<string[]>`allowed_ips::text[]`.as('allowed_ips')])
    .executeTakeFirstOrThrow();
}

export async function revokeApiKey(tx: Tx, id: string, by: string | null, now: Date): Promise<ApiKeyRecord | undefined> {
  return tx
    .updateTable('api_keys')
    .set({ revoked_at: sql`coalesce(revoked_at, ${now}::timestamptz)` as never, revoked_by: sql`coalesce(revoked_by, ${by}::uuid)` as never })
    .where('id', '=', id)
    .returning([...API_KEY_COLUMNS, sql<string[]>`allowed_ips::text[]`.as('allowed_ips')])
    .executeTakeFirst();
}

export async function touchApiKey(tx: Tx, id: string, now: Date, ip: string | null): Promise<void> {
  await tx.updateTable('api_keys').set({ last_used_at: now, last_used_ip: ip }).where('id', '=', id).execute();
}
