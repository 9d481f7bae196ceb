import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { ServiceContext } from '../../platform/http/principal.ts';
import { authorize, tenantOf } from '../identity/index.ts';
import type { Connector, ConnectorStatus } from './connectors.ts';
import { checkSender } from './rules.ts';

export interface SenderView {
  sender: string;
  kind: string;
  status: string;
  createdAt: string;
}

/**
 * The tenant's senders: alphanumeric sender IDs it uses, and the numbers and short codes it owns.
 * A numeric `from` must be one of them (a number the tenant does not own is refused).
 */
export class SendersService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(ctx: ServiceContext): Promise<SenderView[]> {
    authorize(ctx.principal, 'messages:read');
    const tenantId = tenantOf(ctx.principal);
    const rows = await withTenant(this.db, tenantId, (tx) => tx.selectFrom('senders').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').execute());
    return rows.map(view);
  }

  async add(ctx: ServiceContext, input: { sender: string }): Promise<SenderView> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    const sender = input.sender.trim();
    const checked = checkSender(sender);
    if (!checked.ok) throw new AppError('invalid_sender', checked.message, { errors: [{ path: '/sender', message: checked.message }] });
    const kind = checked.kind === 'alphanumeric' ? 'alphanumeric' : sender.replace(/^\+/, '').length <= 6 ? 'short_code' : 'long_number';
    return withTenant(this.db, tenantId, async (tx) => {
      const row = await tx
        .insertInto('senders')
        .values({ tenant_id: tenantId, sender, kind })
        .onConflict((oc) => oc.columns(['tenant_id', 'sender']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AppError('conflict', 'This sender is already registered', { errors: [{ path: '/sender', message: 'already registered' }] });
      await recordAudit(tx, ctx, { tenantId, action: 'sender.added', target: { type: 'sender', id: sender }, summary: { kind }, at: this.clock.now() });
      return view(row);
    });
  }

  async remove(ctx: ServiceContext, sender: string): Promise<void> {
    authorize(ctx.principal, 'settings:manage');
    const tenantId = tenantOf(ctx.principal);
    await withTenant(this.db, tenantId, async (tx) => {
      const row = await tx.deleteFrom('senders').where('tenant_id', '=', tenantId).where('sender', '=', sender).returning('sender').executeTakeFirst();
      if (!row) throw notFound('Sender');
      await recordAudit(tx, ctx, { tenantId, action: 'sender.removed', target: { type: 'sender', id: sender }, at: this.clock.now() });
    });
  }
}

export interface RoutesHealth {
  connectors: ConnectorStatus[];
  /** The tenant's messages still to send, per channel and status. */
  backlog: Array<{ channel: string; status: string; count: number; oldest: string | null }>;
}

/** Routes and their health: the connectors of this process, and the tenant's own backlog. */
export async function routesHealth(db: Database, ctx: ServiceContext, connectors: Connector[]): Promise<RoutesHealth> {
  authorize(ctx.principal, 'messages:read');
  const tenantId = tenantOf(ctx.principal);
  const backlog = await withTenant(db, tenantId, (tx) =>
    tx
      .selectFrom('messages')
      .select((eb) => ['channel', 'status', eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest')])
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['queued', 'scheduled', 'sending', 'submitted'])
      .where('created_at', '>', new Date(Date.now() - 10 * 86_400_000))
      .groupBy(['channel', 'status'])
      .execute(),
  );
  return {
    connectors: connectors.map((c) => c.status()),
    backlog: backlog.map((b) => ({ channel: b.channel, status: b.status, count: Number(b.count), oldest: b.oldest ? new Date(b.oldest as unknown as string).toISOString() : null })),
  };
}

const view = (row: { sender: string; kind: string; status: string; created_at: Date }): SenderView => ({
  sender: row.sender,
  kind: row.kind,
  status: row.status,
  createdAt: row.created_at.toISOString(),
});
