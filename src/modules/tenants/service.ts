import { recordAudit, type RequestContext } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import type { TenantStatus } from '../../platform/db/schema.ts';
import { enterTenant, withOperator, withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { type AuditEntryView, queryAuditLog } from '../audit/index.ts';
import {
  type ApiKeyView,
  apiKeyView,
  auditAdminKeyRead,
  authorize,
  createApiKeyInTx,
  createUserInTx,
  diff,
  listApiKeys,
  listUsers,
  notifyAuthChange,
  tenantOf,
  type UserView,
  userView,
} from '../identity/index.ts';
import * as repo from './repo.ts';
import { DEFAULT_SETTINGS, settingsOf, settingsProblems, statusChangeProblem, type SuspensionKind, suspendedStatus, type TenantSettings } from './rules.ts';

export interface TenantView {
  id: string;
  name: string;
  status: TenantStatus;
  statusReason: string | null;
  statusChangedAt: string | null;
  settings: TenantSettings;
  isDemo: boolean;
  createdAt: string;
}

export const tenantView = (row: repo.TenantRow): TenantView => ({
  id: row.id,
  name: row.name,
  status: row.status,
  statusReason: row.status_reason,
  statusChangedAt: row.status_changed_at?.toISOString() ?? null,
  settings: settingsOf(row.settings),
  isDemo: row.is_demo,
  createdAt: row.created_at.toISOString(),
});

/** Every tenant scope: the key given with a new tenant can do anything its owner can through the API. */
const ALL_SCOPES = ['messages:marketing', 'messages:alert', 'messages:read', 'contacts:read', 'contacts:write', 'campaigns:write', 'admin'];

export interface NewTenant {
  name: string;
  adminEmail?: string | undefined;
  adminName?: string | undefined;
  isDemo?: boolean;
}

export interface CreatedTenant {
  tenant: TenantView;
  admin: { id: string; email: string; oneTimePassword: string };
  apiKey: string;
}

/**
 * Operator-side account actions. `operatorId` marks the operator context (RLS); `context` says who
 * acts in the audit trail (an operator through the console, or `system` through the CLI).
 */
export class TenantAdministration {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** Called after a status change: cached credentials carry the tenant's status. */
    private readonly onAuthChange: () => void = () => {},
  ) {}

  /** A tenant, its owner (one-time password) and an all-scopes API key, in one transaction. */
  async create(context: RequestContext, operatorId: string, input: NewTenant): Promise<CreatedTenant> {
    const now = this.clock.now();
    return withOperator(this.db, operatorId, async (tx) => {
      const tenant = await repo.insertTenant(tx, { name: input.name.trim(), settings: DEFAULT_SETTINGS as unknown as Record<string, unknown>, isDemo: input.isDemo ?? false });
      await enterTenant(tx, tenant.id);
      await recordAudit(tx, context, { tenantId: tenant.id, action: 'tenant.created', target: { type: 'tenant', id: tenant.id }, summary: { name: tenant.name }, at: now });
      const adminEmail = input.adminEmail ?? `admin+${tenant.id.slice(0, 8)}@${slug(tenant.name)}.sofy.test`;
      const admin = await createUserInTx(tx, context, tenant.id, { email: adminEmail, name: input.adminName ?? 'Administrateur', role: 'owner' }, now);
      const key = await createApiKeyInTx(tx, context, tenant.id, { name: 'Clé initiale', scopes: ALL_SCOPES }, null, now);
      return { tenant: tenantView(tenant), admin: { id: admin.user.id, email: admin.user.email, oneTimePassword: admin.oneTimePassword }, apiKey: key.secret };
    });
  }

  async list(operatorId: string, filter: { status?: TenantStatus | undefined; q?: string | undefined }): Promise<TenantView[]> {
    const rows = await withOperator(this.db, operatorId, (tx) => repo.listTenants(tx, filter));
    return rows.map(tenantView);
  }

  /** Suspends (nonpayment or fraud) or reactivates; the tenant's trail says who, when and why. */
  async changeStatus(context: RequestContext, operatorId: string, tenantId: string, to: TenantStatus, reason: string): Promise<TenantView> {
    const now = this.clock.now();
    const changed = await withOperator(
      this.db,
      operatorId,
      async (tx) => {
        const tenant = await repo.findTenant(tx, tenantId, true);
        if (!tenant) throw notFound('Tenant');
        const problem = statusChangeProblem(tenant.status, to);
        if (problem) throw new AppError('invalid_state', `Cannot change status: ${problem}`);
        const updated = await repo.setStatus(tx, tenantId, to, to === 'active' ? null : reason, now);
        await recordAudit(tx, context, {
          tenantId,
          action: to === 'active' ? 'tenant.reactivated' : 'tenant.suspended',
          target: { type: 'tenant', id: tenantId },
          summary: { from: tenant.status, to, reason },
          at: now,
        });
        await notifyAuthChange(tx, `tenant:${tenantId}`);
        return tenantView(updated);
      },
      tenantId,
    );
    this.onAuthChange();
    return changed;
  }

  async suspend(context: RequestContext, operatorId: string, tenantId: string, kind: SuspensionKind, reason: string): Promise<TenantView> {
    return this.changeStatus(context, operatorId, tenantId, suspendedStatus(kind), reason);
  }

  async hasAnyTenant(operatorId: string): Promise<boolean> {
    return withOperator(this.db, operatorId, (tx) => repo.hasAnyTenant(tx));
  }
}

export interface OpenedTenant {
  tenant: TenantView;
  users: UserView[];
  apiKeys: ApiKeyView[];
  audit: AuditEntryView[];
}

/** The tenant's own view of its account, and the operators' console. */
export class TenantsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly admin: TenantAdministration,
  ) {}

  async get(ctx: ServiceContext): Promise<TenantView> {
    authorize(ctx.principal, 'tenant:read');
    const tenantId = tenantOf(ctx.principal);
    return withTenant(this.db, tenantId, async (tx) => {
      await auditAdminKeyRead(tx, ctx, tenantId, 'tenant', this.clock.now());
      const row = await repo.findTenant(tx, tenantId);
      if (!row) throw notFound('Tenant');
      return tenantView(row);
    });
  }

  async updateSettings(ctx: ServiceContext, patch: Partial<TenantSettings>): Promise<TenantView> {
    authorize(ctx.principal, 'settings:manage');
    const problems = settingsProblems(patch);
    if (problems.length) {
      throw new AppError('validation_failed', 'Some settings are invalid', { errors: problems.map(([path, message]) => ({ path, message })) });
    }
    const tenantId = tenantOf(ctx.principal);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await repo.findTenant(tx, tenantId, true);
      if (!row) throw notFound('Tenant');
      const before = settingsOf(row.settings);
      const after = { ...before, ...patch };
      const updated = await repo.updateSettings(tx, tenantId, after as unknown as Record<string, unknown>);
      await recordAudit(tx, ctx, {
        tenantId,
        action: 'tenant.settings_updated',
        target: { type: 'tenant', id: tenantId },
        summary: diff(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>),
        at: now,
      });
      return tenantView(updated);
    });
  }

  async operatorList(ctx: ServiceContext, filter: { status?: TenantStatus | undefined; q?: string | undefined }): Promise<TenantView[]> {
    const operatorId = operatorOf(ctx, 'tenants:read');
    return this.admin.list(operatorId, filter);
  }

  async operatorCreate(ctx: ServiceContext, input: NewTenant): Promise<CreatedTenant> {
    const operatorId = operatorOf(ctx, 'tenants:create');
    return this.admin.create(ctx, operatorId, { ...input, isDemo: false });
  }

  /**
   * An operator opens a tenant's data: the access is written to the tenant's own trail first,
   * with the reason, in the same transaction as the reads (no read without its record).
   */
  async operatorOpen(ctx: ServiceContext, tenantId: string, reason: string): Promise<OpenedTenant> {
    const operatorId = operatorOf(ctx, 'tenants:open');
    const now = this.clock.now();
    return withOperator(
      this.db,
      operatorId,
      async (tx) => {
        const tenant = await repo.findTenant(tx, tenantId);
        if (!tenant) throw notFound('Tenant');
        await recordAudit(tx, ctx, { tenantId, action: 'operator.tenant_opened', target: { type: 'tenant', id: tenantId }, summary: { reason }, at: now });
        const users = await listUsers(tx, tenantId, 200);
        const keys = await listApiKeys(tx, tenantId);
        const audit = await queryAuditLog(tx, tenantId, { limit: 50 });
        return { tenant: tenantView(tenant), users: users.map((u) => userView(u, now)), apiKeys: keys.map(apiKeyView), audit: audit.data };
      },
      tenantId,
    );
  }

  async operatorSuspend(ctx: ServiceContext, tenantId: string, kind: SuspensionKind, reason: string): Promise<TenantView> {
    const operatorId = operatorOf(ctx, kind === 'fraud' ? 'fraud:manage' : 'tenants:suspend');
    return this.admin.suspend(ctx, operatorId, tenantId, kind, reason);
  }

  async operatorReactivate(ctx: ServiceContext, tenantId: string, reason: string): Promise<TenantView> {
    const operatorId = operatorOf(ctx, 'tenants:suspend');
    return this.admin.changeStatus(ctx, operatorId, tenantId, 'active', reason);
  }
}

function operatorOf(ctx: ServiceContext, permission: Parameters<typeof authorize>[1]): string {
  if (ctx.principal.kind !== 'operator') throw new AppError('forbidden', 'This is for SOFY operators');
  authorize(ctx.principal, permission);
  return ctx.principal.userId;
}

const slug = (name: string): string =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30) || 'tenant';
