import { sql } from 'kysely';
import type { RbmSubscriptionChange } from '../../channels/rcs/index.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SecretKeyring } from '../../platform/crypto.ts';
import type { Database, Tx } from '../../platform/db/database.ts';
import { withTenant } from '../../platform/db/tenant-context.ts';
import { uuidv7 } from '../../platform/ids.ts';
import { channelAddressKind, consentColumn, contactsTx, recordContactActivity, recordOptOut } from '../contacts/index.ts';
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
 * How far back a reply looks for the campaign it answers (SoReach `replied` activity): the latest
 * campaign message that left for the same address on the same channel within this window. A week
 * covers a weekend promotion answered a few days later, while a reply weeks after is more likely
 * a new conversation than an answer to that campaign (it is still `replied`, without a campaign).
 */
export const REPLY_ATTRIBUTION_WINDOW_MS = 7 * 24 * 3_600_000;

/**
 * Messages from recipients (SMS MO, WhatsApp, RCS): stored for the tenant they answer, and a
 * STOP / ARRET takes effect at once (R-OPTOUT): the address joins the tenant's suppression list in
 * the same transaction, before anything else can be sent to it. START lifts a keyword opt-out.
 * Any other message from a contact of the tenant is SoReach behaviour: a `replied` activity,
 * attributed to the campaign it answers (segments "replied within N days / to campaign X", the
 * campaign report's replies). An RCS user who unsubscribes from the agent in Google Messages
 * (RBM `UNSUBSCRIBE` user event) is opted out exactly as by a STOP.
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
        await optOutAddress(tx, tenantId, message.from, message.channel, message.text.slice(0, 160), now);
      } else {
        // A reply (anything but an opt-out keyword) from a contact of the tenant: `replied`
        // activity, with the campaign it answers. An address that is no contact writes nothing.
        const answered = await answeredCampaignMessage(tx, tenantId, message.from, message.channel, message.receivedAt);
        await recordContactActivity(tx, tenantId, message.from, {
          kind: 'replied',
          channel: message.channel,
          campaignId: answered?.campaign_id ?? null,
          messageId: answered?.id ?? null,
          at: message.receivedAt,
        });
      }
      if (optIn) {
        await tx.deleteFrom('suppressions').where('tenant_id', '=', tenantId).where('address', '=', message.from).where('source', '=', STOP_SOURCE[message.channel]).execute();
      }
    });
    return { tenantId, optOut };
  }

  /**
   * An RBM subscription change. `UNSUBSCRIBE` (the user unsubscribed from the agent in Google
   * Messages: no more non-essential messages) is an opt-out like a STOP reply (R-OPTOUT): the
   * number joins the suppression list of the tenant it answers (source `rcs_stop`) and the
   * contact's RCS consent is withdrawn, in one transaction. Google's redelivery of the event, and
   * the "STOP" keyword Google Messages sends beside it, change nothing twice. `SUBSCRIBE` changes
   * nothing here: the keyword Google sends with it (START…) goes through `handle`, and otherwise
   * the opt-out is lifted by the tenant (a resubscription is never inferred from an event alone).
   */
  async handleRcsSubscription(change: RbmSubscriptionChange): Promise<{ tenantId: string; optOut: boolean } | null> {
    if (change.subscribed) return null;
    const { rows } = await sql<{ tenant_id: string | null }>`select inbound_tenant('rcs', ${change.msisdn}, ${change.agentId}) as tenant_id`.execute(this.db);
    const tenantId = rows[0]?.tenant_id;
    if (!tenantId) {
      this.unroutable++;
      this.log('RCS unsubscribe for no known tenant', { agentId: change.agentId, eventId: change.eventId });
      return null;
    }
    const now = this.clock.now();
    const optOut = await withTenant(this.db, tenantId, (tx) => optOutAddress(tx, tenantId, change.msisdn, 'rcs', 'RBM UNSUBSCRIBE (Google Messages)', now));
    return { tenantId, optOut };
  }
}

/**
 * R-OPTOUT for one address on one channel, in the caller's transaction: the suppression list
 * (which tells the tenant's webhooks), and the contact's consent for the channel withdrawn with an
 * `opted_out` activity (R-CONSENT). Idempotent: when the address was already suppressed and the
 * contact's consent for the channel already withdrawn (a redelivered event, a STOP repeated,
 * RBM's UNSUBSCRIBE beside its STOP keyword), nothing is written. Returns whether anything changed.
 */
async function optOutAddress(tx: Tx, tenantId: string, address: string, channel: InboundMessage['channel'], detail: string, now: Date): Promise<boolean> {
  const source = STOP_SOURCE[channel];
  const added = await addSuppression(tx, tenantId, address, source, channel, detail, now);
  // Two deliveries at once (UNSUBSCRIBE and its STOP keyword) wait for each other: on the
  // suppression's key when it is new, on the contact's row lock otherwise.
  const kind = channelAddressKind(channel);
  const column = consentColumn(channel);
  const contact = await contactsTx(tx)
    .selectFrom('contacts')
    .select(column)
    .where('tenant_id', '=', tenantId)
    .where(kind, '=', kind === 'email' ? address.toLowerCase() : address)
    .forUpdate()
    .executeTakeFirst();
  const repeated = !added && contact?.[column] === 'withdrawn';
  if (contact && !repeated) await recordOptOut(tx, tenantId, address, channel, source, now);
  return added || (contact !== undefined && !repeated);
}

/**
 * The campaign message a reply answers: the latest one that left for this address on this
 * channel within REPLY_ATTRIBUTION_WINDOW_MS before the reply (an RCS message that fell back to
 * SMS is an SMS by then, as the reply is). One probe of messages_tenant_recipient_idx, pruned to
 * the window's partitions.
 */
async function answeredCampaignMessage(tx: Tx, tenantId: string, address: string, channel: InboundMessage['channel'], at: Date): Promise<{ id: string; campaign_id: string | null } | undefined> {
  return tx
    .selectFrom('messages')
    .select(['id', 'campaign_id'])
    .where('tenant_id', '=', tenantId)
    .where('recipient', '=', address)
    .where('created_at', '>', new Date(at.getTime() - REPLY_ATTRIBUTION_WINDOW_MS))
    .where('created_at', '<=', at)
    .where('channel', '=', channel)
    .where('campaign_id', 'is not', null)
    .where('submitted_at', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
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
