import { recordAudit, type RequestContext } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { auditAdminKeyRead } from './audit-reads.ts';
import { authorize, tenantOf } from './authorize.ts';
import * as repo from './repo.ts';
import { canAssignRole, isOperatorRole, isTenantRole, type TenantRole } from './rules.ts';
import { generateOneTimePassword, hashPassword } from './secrets.ts';
import { type UserView, userView } from './views.ts';

export interface NewUser {
  email: string;
  name: string;
  role: string;
}

/**
 * Creates a user with a one-time password (changed at first login), inside the caller's
 * transaction and tenant context. Shared by the users API, tenant creation and the CLI.
 */
export async function createUserInTx(
  tx: Tx,
  context: RequestContext,
  tenantId: string | null,
  input: NewUser,
  now: Date,
): Promise<{ user: repo.UserRow; oneTimePassword: string }> {
  const email = input.email.trim().toLowerCase();
  if (tenantId ? !isTenantRole(input.role) : !isOperatorRole(input.role)) {
    throw new AppError('validation_failed', `Unknown role ${input.role}`, { errors: [{ path: '/role', message: 'is not a known role' }] });
  }
  const oneTimePassword = generateOneTimePassword();
  const passwordHash = await hashPassword(oneTimePassword);
  let user: repo.UserRow;
  try {
    user = await repo.insertUser(tx, { tenantId, email, name: input.name.trim(), role: input.role, passwordHash, mustChangePassword: true });
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError('email_taken', 'A user with this email already exists', { errors: [{ path: '/email', message: 'is already used' }] });
    }
    throw error;
  }
  await recordAudit(tx, context, {
    tenantId,
    action: 'user.created',
    target: { type: 'user', id: user.id },
    summary: { email, role: input.role },
    at: now,
  });
  return { user, oneTimePassword };
}

export class UsersService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(ctx: ServiceContext, options: { limit: number; cursor?: string | undefined }): Promise<{ data: UserView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'users:read');
    const tenantId = tenantOf(ctx.principal);
    const after = options.cursor ? decodeCursor<{ createdAt: string; id: string }>(options.cursor) : undefined;
    const now = this.clock.now();
    const rows = await withTenant(this.db, tenantId, async (tx) => {
      await auditAdminKeyRead(tx, ctx, tenantId, 'users', now);
      return repo.listUsers(tx, tenantId, options.limit + 1, after ? { createdAt: new Date(after.createdAt), id: after.id } : undefined);
    });
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => userView(row, now)),
      nextCursor: rows.length > options.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id }) : null,
    };
  }

  async create(ctx: ServiceContext, input: NewUser): Promise<{ user: UserView; oneTimePassword: string }> {
    authorize(ctx.principal, 'users:manage');
    const actorRole = actingRole(ctx);
    if (!isTenantRole(input.role) || !canAssignRole(actorRole, null, input.role)) {
      throw new AppError('forbidden', `You cannot create a user with the role ${input.role}`, { errors: [{ path: '/role', message: 'not allowed for you' }] });
    }
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const created = await withTenant(this.db, tenantId, (tx) => createUserInTx(tx, ctx, tenantId, input, now));
    return { user: userView(created.user, now), oneTimePassword: created.oneTimePassword };
  }

  async update(ctx: ServiceContext, userId: string, changes: { name?: string; role?: string; disabled?: boolean }): Promise<UserView> {
    authorize(ctx.principal, 'users:manage');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const actorRole = actingRole(ctx);
    return withTenant(this.db, tenantId, async (tx) => {
      const user = await repo.findUserForUpdate(tx, userId);
      if (!user) throw notFound('User');
      const currentRole = user.role as TenantRole;
      const newRole = changes.role ?? currentRole;
      if (!isTenantRole(newRole)) throw new AppError('validation_failed', 'Unknown role', { errors: [{ path: '/role', message: 'is not a known role' }] });
      const touchesAccess = changes.role !== undefined || changes.disabled !== undefined;
      if (touchesAccess && !canAssignRole(actorRole, currentRole, newRole)) {
        throw new AppError('forbidden', 'Only an owner can change an owner or make someone owner');
      }
      if (ctx.principal.kind !== 'api_key' && user.id === ctx.principal.userId && touchesAccess) {
        throw new AppError('forbidden', 'You cannot change your own role or disable yourself');
      }
      const losesOwner = currentRole === 'owner' && (newRole !== 'owner' || changes.disabled === true);
      if (losesOwner && (await repo.countActiveOwners(tx, tenantId)) <= 1) {
        throw new AppError('last_owner', 'The account must keep at least one active owner');
      }
      const updated = await repo.updateUser(tx, user.id, {
        ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
        ...(changes.role !== undefined ? { role: newRole } : {}),
        ...(changes.disabled !== undefined ? { disabled_at: changes.disabled ? (user.disabled_at ?? now) : null } : {}),
      });
      if (changes.disabled || (changes.role !== undefined && changes.role !== currentRole)) await repo.revokeUserSessions(tx, user.id, now);
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'user.updated',
        target: { type: 'user', id: user.id },
        summary: diff({ name: user.name, role: user.role, disabled: user.disabled_at !== null }, { name: updated.name, role: updated.role, disabled: updated.disabled_at !== null }),
        at: now,
      });
      return userView(updated, now);
    });
  }

  async resetPassword(ctx: ServiceContext, userId: string): Promise<{ oneTimePassword: string }> {
    const oneTimePassword = generateOneTimePassword();
    const passwordHash = await hashPassword(oneTimePassword);
    await this.#adminAction(ctx, userId, 'user.password_reset', (tx, user, now) =>
      repo.updateUser(tx, user.id, { password_hash: passwordHash, must_change_password: true, failed_logins: 0, locked_until: null }).then(() =>
        repo.revokeUserSessions(tx, user.id, now),
      ),
    );
    return { oneTimePassword };
  }

  async resetMfa(ctx: ServiceContext, userId: string): Promise<UserView> {
    return this.#adminAction(ctx, userId, 'user.mfa_reset', async (tx, user, now) => {
      const updated = await repo.updateUser(tx, user.id, { mfa_secret: null, mfa_pending_secret: null, mfa_enabled_at: null, mfa_last_step: null, recovery_codes: [] });
      await repo.revokeUserSessions(tx, user.id, now);
      return userView(updated, now);
    });
  }

  async #adminAction<T>(ctx: ServiceContext, userId: string, action: string, work: (tx: Tx, user: repo.UserRow, now: Date) => Promise<T>): Promise<T> {
    authorize(ctx.principal, 'users:manage');
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    const actorRole = actingRole(ctx);
    return withTenant(this.db, tenantId, async (tx) => {
      const user = await repo.findUserForUpdate(tx, userId);
      if (!user) throw notFound('User');
      if (!canAssignRole(actorRole, user.role as TenantRole, user.role as TenantRole)) throw new AppError('forbidden', 'Only an owner can do this to an owner');
      const result = await work(tx, user, now);
      await recordAudit(tx, ctx, { tenantId, action, target: { type: 'user', id: user.id }, summary: { email: user.email }, at: now });
      return result;
    });
  }
}

/** The role that decides what a caller may do to users: an `admin`-scoped key acts as an admin. */
const actingRole = (ctx: ServiceContext): string => (ctx.principal.kind === 'api_key' ? 'admin' : ctx.principal.role);

/** The fields that changed, as {field: [before, after]}, for the audit trail. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = [before[key], after[key]];
  }
  return changes;
}
