import type { ColumnType, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/database.ts';

/**
 * Row types of the contact tables (migration 0010). Like billing/db.ts, the module keeps them
 * here and widens a transaction with `contactsTx`, so its queries are checked at compile time.
 */

type Created = ColumnType<Date, Date | string | undefined, never>;
type Updated = ColumnType<Date, Date | string | undefined, Date | string>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
type StatusColumn = ColumnType<string, string | undefined, string>;

export interface ContactsTable {
  tenant_id: string;
  id: string;
  phone: string | null;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  language: string | null;
  attributes: JsonDefault<Record<string, unknown>>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  point_of_sale: string | null;
  external_id: string | null;
  consent_sms: StatusColumn;
  consent_email: StatusColumn;
  consent_whatsapp: StatusColumn;
  consent_rcs: StatusColumn;
  created_at: Created;
  updated_at: Updated;
  last_activity_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ContactAttributeDefinitionsTable {
  tenant_id: string;
  key: string;
  label: string;
  type: string;
  choices: string[] | null;
  created_at: Created;
}

export interface ContactConsentsTable {
  tenant_id: string;
  contact_id: string;
  channel: string;
  status: string;
  source: string;
  at: Date | string;
  proof: JsonDefault<Record<string, unknown>>;
}

export interface ContactConsentEventsTable {
  tenant_id: string;
  contact_id: string;
  channel: string;
  status: string;
  source: string;
  at: Date | string;
  proof: JsonDefault<Record<string, unknown>>;
  actor: string | null;
}

export interface ContactActivityTable {
  tenant_id: string;
  contact_id: string;
  kind: string;
  channel: string | null;
  campaign_id: string | null;
  message_id: string | null;
  at: Date | string;
}

export type ContactTables = {
  contacts: ContactsTable;
  contact_attribute_definitions: ContactAttributeDefinitionsTable;
  contact_consents: ContactConsentsTable;
  contact_consent_events: ContactConsentEventsTable;
  contact_activity: ContactActivityTable;
};

export type ContactsDB = DB & ContactTables;
export type CTx = Transaction<ContactsDB>;

/** The same transaction, seeing the contact tables too. */
export const contactsTx = (tx: Tx): CTx => tx.withTables<ContactTables>() as unknown as CTx;
