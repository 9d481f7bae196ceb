import { sql } from 'kysely';
import type { InboundMessage } from '../../channels/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SecretKeyring } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { recordOptOut } from '../contacts/index.ts';
import { enqueueWebhookEvent } from '../webhooks/index.ts';
import { isOptInKeyword, isOptOutKeyword } from './rules.ts';

export type SuppressionSource = 'sms_stop' | 'email_unsubscribe' | 'whatsapp_optout' | 'rcs_stop' | 'api' | 'console' | 'import';

const STOP_SOURCE: Record<InboundMessage['channel'], SuppressionSource> = {
  sms: 'sms_stop',
  rcs: 'rcs_stop',
  whatsapp: 'whatsapp_optout',
  email: 'email_unsubscribe',
};

/**
 * Messages from recipients (SMS MO, WhatsApp, RCS): stored for the tenant they answer, and a
 * STOP / ARRET takes effect at once (R-OPTOUT): the address joins the tenant's suppression list in
 * the same transaction, before anything else can be sent to it. START lifts a keyword opt-out.
 */
export class InboundHandler {
  unroutable = 0;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: (line: string, fields?: Record<string, unknown>) => void = () => {},
  ) {}

  async handle(message: InboundMessage): Promise<{ tenantId: string; optOut: boolean } | null> {
    const { rows } = await sql<{ tenant_id: string | null }>`select inbound_tenant(${message.channel}, ${message.from}, ${message.to}) as tenant_id`.execute(this.db);
    const tenantId = rows[0]?.tenant_id;
    if (!tenantId) {
      this.unroutable++;
      this.log('inbound message for no known tenant', { channel: message.channel, to: message.to });
      return null;
    }
    const optOut = message.channel !== 'email' && isOptOutKeyword(message.text);
    const optIn = !optOut && message.channel !== 'email' && isOptInKeyword(message.text);
    const now = this.clock.now();
    await withTenant(this.db, tenantId, async (tx) => {
      const inserted = await tx
        .insertInto('inbound_messages')
        .values({ id: uuidv7(now), tenant_id: tenantId, channel: message.channel, sender: message.from, recipient: message.to, text: message.text, provider_id: message.providerId || null, received_at: message.receivedAt, opt_out: optOut })
        .onConflict((oc) => oc.columns(['channel', 'provider_id']).where('provider_id', 'is not', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return; // a provider retry of a message we already have
      if (message.channel === 'whatsapp' || message.channel === 'rcs') {
        await tx
          .insertInto('conversation_windows')
          .values({ tenant_id: tenantId, channel: message.channel, contact: message.from, last_inbound_at: message.receivedAt })
          .onConflict((oc) => oc.columns(['tenant_id', 'channel', 'contact']).doUpdateSet({ last_inbound_at: message.receivedAt }))
          .execute();
      }
      await enqueueWebhookEvent(tx, tenantId, 'message.inbound', { id: inserted.id, channel: message.channel, from: message.from, to: message.to, text: message.text, optOut }, now);
      if (optOut) {
        await addSuppression(tx, tenantId, message.from, STOP_SOURCE[message.channel], message.channel, message.text.slice(0, 160), now);
        // R-CONSENT: the contact with this address gets its consent withdrawn, in the same transaction.
        await recordOptOut(tx, tenantId, message.from, message.channel, STOP_SOURCE[message.channel], now);
      }
      if (optIn) {
        await tx.deleteFrom('suppressions').where('tenant_id', '=', tenantId).where('address', '=', message.from).where('source', '=', STOP_SOURCE[message.channel]).execute();
      }
    });
    return { tenantId, optOut };
  }
}

/** Adds an address to the suppression list (idempotent) and tells the tenant's webhooks. */
export async function addSuppression(
  tx: Parameters<typeof enqueueWebhookEvent>[0],
  tenantId: string,
  address: string,
  source: SuppressionSource,
  channel: string | null,
  detail: string | null,
  now: Date,
): Promise<boolean> {
  const inserted = await tx
    .insertInto('suppressions')
    .values({ tenant_id: tenantId, address, source, channel, detail })
    .onConflict((oc) => oc.columns(['tenant_id', 'address']).doNothing())
    .returning('address')
    .executeTakeFirst();
  if (inserted) await enqueueWebhookEvent(tx, tenantId, 'optout.created', { address, source, channel }, now);
  return inserted !== undefined;
}

/**
 * RFC 8058 one-click unsubscribe links: the token names the tenant and the address and is
 * signed, so nobody can unsubscribe someone else by guessing URLs.
 */
export class UnsubscribeTokens {
  constructor(private readonly keyring: SecretKeyring) {}

  create(tenantId: string, address: string): string {
    const payload = Buffer.from(`${tenantId}|${address}`).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  read(token: string): { tenantId: string; address: string } | null {
    const [payload, mac] = token.split('.');
    if (!payload || !mac || mac !== this.#mac(payload)) return null;
    const [tenantId, address] = Buffer.from(payload, 'base64url').toString('utf8').split('|');
    return tenantId && address ? { tenantId, address } : null;
  }

  #mac(payload: string): string {
    return this.keyring.hmac('unsubscribe-link', payload).subarray(0, 16).toString('base64url');
  }
}
