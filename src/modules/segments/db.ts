import type { ColumnType, Transaction } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import { type ContactTables, contactsTx } from '../contacts/index.ts';
import type { DB } from '../../platform/db/schema.ts';

/**
 * Row types of the segment tables (migration 0012). Like billing/db.ts and contacts/db.ts, the
 * module keeps them here and widens a transaction with `segmentsTx`; it sees the contact tables
 * (from the contacts module's own types) too, since every segment is a query over them.
 */

type Created = ColumnType<Date, Date | string | undefined, never>;
type Updated = ColumnType<Date, Date | string | undefined, Date | string>;

export interface SegmentsTable {
  tenant_id: string;
  id: string;
  name: string;
  description: string | null;
  kind: 'dynamic' | 'static';
  /** The rule tree (dynamic), as stored JSON. Written as JSON text. */
  definition: ColumnType<unknown | null, string | null, string | null>;
  created_by: string | null;
  created_at: Created;
  updated_at: Updated;
  last_count: number | null;
  last_counted_at: Date | null;
}

export interface SegmentMembersTable {
  tenant_id: string;
  segment_id: string;
  contact_id: string;
  added_at: Created;
}

export type SegmentTables = ContactTables & {
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
};

export type SegmentsDB = DB & SegmentTables;
export type STx = Transaction<SegmentsDB>;

/** The same transaction, seeing the contact and segment tables too. */
export const segmentsTx = (tx: Tx): STx => (contactsTx(tx) as unknown as Tx).withTables<SegmentTables>() as unknown as STx;
