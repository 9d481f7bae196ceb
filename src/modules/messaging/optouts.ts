import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import { addSuppression } from './inbound.ts';
import { normalisePhoneNumber } from './rules.ts';

export interface OptOutView {
  address: string;
  source: string;
  channel: string | null;
  detail: string | null;
  createdAt: string;
}

/** R-OPTOUT: the tenant's suppression list — listed, exported, added to by hand, and (audited) lifted. */
export class OptOutsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(ctx: ServiceContext, query: { limit: number; cursor?: string | undefined; q?: string | undefined }): Promise<{ data: OptOutView[]; nextCursor: string | null }> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => {
      let select = tx.selectFrom('suppressions').selectAll().where('tenant_id', '=', tenantId);
      if (query.q) select = select.where('address', 'like', `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      if (query.cursor) {
        const after = decodeCursor<{ createdAt: string; address: string }>(query.cursor);
        select = select.where((eb) => eb.or([eb('created_at', '<', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('address', '<', after.address)])]));
      }
      return select.orderBy('created_at', 'desc').orderBy('address', 'desc').limit(query.limit + 1).execute();
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { data: page.map(view), nextCursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at.toISOString(), address: last.address }) : null };
  }

  /** Every opt-out as CSV (R-REVERSIBILITY, and for the client's own CRM). */
  async exportCsv(ctx: ServiceContext): Promise<string> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => tx.selectFrom('suppressions').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute());
    const csvField = (value: string | null) => (value === null ? '' : /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    return ['address,source,channel,detail,created_at', ...rows.map((r) => [r.address, r.source, r.channel, r.detail, r.created_at.toISOString()].map(csvField).join(','))].join('\r\n') + '\r\n';
  }

  async add(ctx: ServiceContext, input: { address: string; reason?: string | undefined }): Promise<OptOutView> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const address = normaliseAddress(input.address);
    const now = this.clock.now();
    return withTenant(this.db, tenantId, async (tx) => {
      await addSuppression(tx, tenantId, address, ctx.principal.kind === 'api_key' ? 'api' : 'console', null, input.reason ?? null, now);
      await recordAudit(tx, ctx, { tenantId, action: 'optout.added', target: { type: 'address', id: address }, summary: { reason: input.reason ?? null }, at: now });
      const row = await tx.selectFrom('suppressions').selectAll().where('tenant_id', '=', tenantId).where('address', '=', address).executeTakeFirstOrThrow();
      return view(row);
    });
  }

  /** Lifting an opt-out needs the person's new consent: the reason is mandatory and audited. */
  async remove(ctx: ServiceContext, rawAddress: string, reason: string): Promise<void> {
    authorize(ctx.principal, 'contacts:write');
    const tenantId = tenantOf(ctx.principal);
    const address = normaliseAddress(rawAddress);
    await withTenant(this.db, tenantId, async (tx) => {
      const removed = await tx.deleteFrom('suppressions').where('tenant_id', '=', tenantId).where('address', '=', address).returning(['source', 'created_at']).executeTakeFirst();
      if (!removed) throw notFound('Opt-out');
      await recordAudit(tx, ctx, { tenantId, action: 'optout.removed', target: { type: 'address', id: address }, summary: { reason, source: removed.source, optedOutAt: removed.created_at.toISOString() }, at: this.clock.now() });
    });
  }
}

export function normaliseAddress(input: string): string {
  const trimmed = input.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  const phone = normalisePhoneNumber(trimmed);
  if ('error' in phone) throw new AppError('invalid_phone_number', phone.message, { errors: [{ path: '/address', message: phone.message }] });
  return phone.e164;
}

const view = (row: { address: string; source: string; channel: string | null; detail: string | null; created_at: Date }): OptOutView => ({
  address: row.address,
  source: row.source,
  channel: row.channel,
  detail: row.detail,
  createdAt: row.created_at.toISOString(),
});
