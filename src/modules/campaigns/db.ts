import type { ColumnType, Transaction } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';

/**
 * Row types of the campaign tables (migration 0013). Like billing/db.ts, the module keeps them
 * here and widens a transaction with `campaignsTx`, so its queries are checked at compile time.
 */

type Created = ColumnType<Date, Date | string | undefined, never>;
type Updated = ColumnType<Date, Date | string | undefined, Date | string>;
type Moment = ColumnType<Date, Date | string, Date | string>;
type NullableMoment = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export interface CampaignsTable {
  tenant_id: string;
  id: string;
  name: string;
  channel: string;
  status: string;
  content: Json<Record<string, unknown>>;
  links: ColumnType<string[], string[] | undefined, string[]>;
  audience: Json<Record<string, unknown>>;
  ab: NullableJson<Record<string, unknown>>;
  throttle_per_minute: number | null;
  scheduled_at: NullableMoment;
  phase: string | null;
  winner_variant: string | null;
  winner_at: NullableMoment;
  test_started_at: NullableMoment;
  estimate: NullableJson<Record<string, unknown>>;
  rejection_reason: string | null;
  created_by: string | null;
  submitted_by: string | null;
  submitted_at: NullableMoment;
  approved_by: string | null;
  approved_at: NullableMoment;
  started_at: NullableMoment;
  paused_at: NullableMoment;
  completed_at: NullableMoment;
  cancelled_at: NullableMoment;
  fanout_owner: string | null;
  fanout_lease_until: NullableMoment;
  fanout_done_at: NullableMoment;
  last_send_at: NullableMoment;
  created_at: Created;
  updated_at: Updated;
}

export interface CampaignFanoutLanesTable {
  tenant_id: string;
  campaign_id: string;
  phase: string;
  lane: number;
  lanes: number;
  lower_id: string | null;
  upper_id: string | null;
  cursor_id: string | null;
  made: ColumnType<number, number | undefined, number>;
  skipped: ColumnType<number, number | undefined, number>;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  last_send_at: NullableMoment;
  updated_at: Updated;
}

export interface CampaignRecipientsTable {
  tenant_id: string;
  campaign_id: string;
  contact_id: string;
  variant: string;
  phase: string;
  address: string;
  message_id: string | null;
  message_created_at: NullableMoment;
  token: string | null;
  skip_reason: string | null;
  created_at: Moment;
}

export interface LinkClicksTable {
  tenant_id: string;
  campaign_id: string;
  contact_id: string;
  variant: string;
  link: number;
  url: string;
  at: Moment;
  user_agent: string | null;
}

export interface CampaignPausedOutboxTable {
  tenant_id: string;
  campaign_id: string;
  message_id: string;
  message_created_at: Moment;
  channel: string;
  route: string | null;
  priority: number;
  due_at: Moment;
}

export type CampaignTables = {
  campaigns: CampaignsTable;
  campaign_fanout_lanes: CampaignFanoutLanesTable;
  campaign_recipients: CampaignRecipientsTable;
  link_clicks: LinkClicksTable;
  campaign_paused_outbox: CampaignPausedOutboxTable;
};

export type CampaignsDB = DB & CampaignTables;
export type CampTx = Transaction<CampaignsDB>;

/** The same transaction, seeing the campaign tables too. */
export const campaignsTx = (tx: Tx): CampTx => tx.withTables<CampaignTables>() as unknown as CampTx;
