import { sql } from 'kysely';
import type { Database, Tx } from '../../platform/db/database.ts';
import type { PreparedMessage } from './prepare.ts';

/**
 * Inserts prepared messages of the current tenant, their first history entry and their outbox
 * rows in ONE statement (`insert_prepared_messages`, migration 0007: one round trip for 1 or
 * 1,000 messages, its plan kept by the session). The suppression list and consent are applied
 * there, in the same snapshot: marketing to a suppressed address (R-OPTOUT) or to a contact who
 * refused consent (R-CONSENT) is stored as `suppressed` and never enters the outbox. Returns the
 * ids stored as `suppressed`; the others keep the status they were prepared with.
 *
 * The rows travel as one JSON document of tuples, in the order the function reads them:
 * serialising 22 PostgreSQL arrays cost ~16 µs per message in the driver, one JSON.stringify
 * ~6 µs (measured; PostgreSQL spends ~2.5 µs more per message reading JSON than arrays).
 */
export async function insertMessages(tx: Tx, messages: readonly PreparedMessage[]): Promise<Set<string>> {
  if (!messages.length) return new Set();
  const { tenantId, rows } = messageRows(messages);
  const { rows: suppressed } = await sql<{ id: string }>`select id from insert_prepared_messages(${tenantId}, ${rows}::jsonb) as id`.execute(tx);
  return new Set(suppressed.map((row) => row.id));
}

/** An Idempotency-Key of a single send, for `storeMessages`. */
export interface KeyClaim {
  key: string;
  hash: string;
  /** The request's message (its index in `messages`, its answers as it may be stored), or null when it was refused. */
  message: { index: number; id: string; queued: unknown; suppressed: unknown } | null;
}

export type StoreResult = { stale: true } | { stale: false; suppressed: Set<string>; replays: Map<string, StoredAnswer> };

/**
 * Stores prepared messages of a tenant in one statement that is its own transaction
 * (`store_messages`, migration 0007): one round trip, and the commit, before it returns. Nothing
 * is done when the tenant's sending context is no longer `version` (`stale`): prepare again with
 * the current one. With no message, it only checks the version (refusals made with a stale
 * context must be made again too). Idempotency-Keys are claimed in the same statement: the
 * message of a key that was not new is not stored, and its stored answer comes back in `replays`.
 */
export async function storeMessages(db: Database, tenantId: string, version: number, messages: readonly PreparedMessage[], keys: readonly KeyClaim[] = []): Promise<StoreResult> {
  const { tenantId: owner, rows } = messages.length ? messageRows(messages) : { tenantId, rows: '[]' };
  if (owner !== tenantId) throw new Error('messages of another tenant');
  const claims = keys.map((k) => ({ key: k.key, hash: k.hash, idx: k.message?.index ?? null, id: k.message?.id ?? null, queued: k.message?.queued ?? null, suppressed: k.message?.suppressed ?? null }));
  const result = await sql<{ stale: boolean; suppressed: string[]; replays: Array<{ key: string; hash: string; status: number; response: unknown }> }>`
    select stale, suppressed, replays from store_messages(${tenantId}, ${version}, ${rows}::jsonb, ${JSON.stringify(claims)}::jsonb)`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('store_messages returned no row');
  if (row.stale) return { stale: true };
  return {
    stale: false,
    suppressed: new Set(row.suppressed),
    replays: new Map(row.replays.map((r) => [r.key, { key: r.key, request_hash: r.hash, status_code: r.status, response: r.response }])),
  };
}

/** The messages as the JSON tuples the 0007 functions read, all of one tenant. */
function messageRows(messages: readonly PreparedMessage[]): { tenantId: string; rows: string } {
  const tenantId = (messages[0] as PreparedMessage).tenantId;
  const rows = new Array<unknown[]>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as PreparedMessage;
    if (m.tenantId !== tenantId) throw new Error('messages of one tenant only');
    rows[i] = [
      m.id,
      m.createdAt.toISOString(),
      m.channel,
      m.route,
      m.status,
      m.sender,
      m.recipient,
      m.country,
      m.content,
      m.encoding,
      m.segments,
      m.characters,
      m.priceMillicents,
      m.sendAt.toISOString(),
      m.expiresAt.toISOString(),
      m.fallback,
      m.metadata,
      m.apiKeyId,
      m.suppressible,
      m.priority,
      m.warnings,
    ];
  }
  return { tenantId, rows: JSON.stringify(rows) };
}

export interface SendingBase {
  /** Moves with every change of the three below (migration 0007). */
  version: number;
  settings: Record<string, unknown>;
  prices: Array<{ channel: string; route: string; country: string; unit: number; from: string }>;
  numbers: string[];
  /** When the next price of the tenant takes effect, if one is scheduled. */
  next_price_change: Date | null;
}

/**
 * Opens the tenant's context for the rest of the transaction (R-TENANT: `app.tenant_id`,
 * transaction-local, as withTenant sets it) and reads its settings, its prices in effect and the
 * numbers it owns: one round trip (`send_context`, migration 0007). Must be the transaction's
 * first statement; outside a transaction, it is one of its own (a read for the context cache).
 */
export async function enterSendContext(tx: Tx | Database, tenantId: string, now: Date): Promise<SendingBase> {
  const { rows } = await sql<SendingBase>`select version, settings, prices, numbers, next_price_change from send_context(${tenantId}, ${now})`.execute(tx);
  const row = rows[0];
  if (!row) throw new Error(`tenant ${tenantId} not found`);
  return row;
}

export interface StoredAnswer {
  key: string;
  request_hash: string;
  status_code: number;
  response: unknown;
}

/**
 * Claims Idempotency-Keys for this transaction; returns those that were new. Keys are locked in
 * sorted order, so two transactions claiming overlapping keys cannot deadlock; a key another
 * transaction holds makes this wait for it (then it is not new).
 */
export async function claimKeys(tx: Tx, tenantId: string, claims: ReadonlyArray<{ key: string; hash: string }>): Promise<Set<string>> {
  const sorted = [...claims].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const { rows } = await sql<{ key: string }>`
    insert into idempotency_keys (tenant_id, key, request_hash, status_code, response)
    select ${tenantId}, c.key, c.hash, 0, 'null'::jsonb
      from unnest(${sorted.map((c) => c.key)}::text[], ${sorted.map((c) => c.hash)}::text[]) with ordinality as c(key, hash, n)
     order by c.n
    on conflict (tenant_id, key) do nothing
    returning key`.execute(tx);
  return new Set(rows.map((row) => row.key));
}

/** The stored answers of keys that were not new. */
export async function storedAnswers(tx: Tx, tenantId: string, keys: readonly string[]): Promise<Map<string, StoredAnswer>> {
  const rows = await tx.selectFrom('idempotency_keys').select(['key', 'request_hash', 'status_code', 'response']).where('tenant_id', '=', tenantId).where('key', 'in', keys).execute();
  return new Map(rows.map((row) => [row.key, row as StoredAnswer]));
}

/** Stores the answers of claimed keys, and drops the claims of refused requests (a refusal is not replayed). */
export async function settleKeys(tx: Tx, tenantId: string, answers: ReadonlyArray<{ key: string; statusCode: number; body: unknown }>, released: readonly string[]): Promise<void> {
  await sql`
    with stored as (
      update idempotency_keys k
         set status_code = a.status_code, response = a.response
        from unnest(${answers.map((a) => a.key)}::text[], ${answers.map((a) => a.statusCode)}::int[], ${answers.map((a) => JSON.stringify(a.body))}::jsonb[]) as a(key, status_code, response)
       where k.tenant_id = ${tenantId} and k.key = a.key
    )
    delete from idempotency_keys where tenant_id = ${tenantId} and key = any(${released as string[]}::text[])`.execute(tx);
}
