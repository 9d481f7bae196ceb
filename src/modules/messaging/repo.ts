import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.ts';
import type { PreparedMessage } from './prepare.ts';

/**
 * Inserts prepared messages, their first history entry and their outbox rows in ONE statement
 * (one round trip for 1 or 1,000 messages). The suppression list is applied here, in the same
 * snapshot: a marketing message to a suppressed address is stored as `suppressed` and never
 * enters the outbox (R-OPTOUT).
 */
export async function insertMessages(tx: Tx, messages: PreparedMessage[]): Promise<Map<string, string>> {
  if (!messages.length) return new Map();
  const column = <T>(pick: (m: PreparedMessage) => T) => messages.map(pick);
  const { rows } = await sql<{ id: string; status: string }>`
    with input as (
      select * from unnest(
        ${column((m) => m.id)}::uuid[], ${column((m) => m.createdAt.toISOString())}::timestamptz[], ${column((m) => m.tenantId)}::uuid[],
        ${column((m) => m.channel)}::text[], ${column((m) => m.route)}::text[], ${column((m) => m.status)}::text[],
        ${column((m) => m.sender)}::text[], ${column((m) => m.recipient)}::text[], ${column((m) => m.country)}::text[],
        ${column((m) => JSON.stringify(m.content))}::jsonb[], ${column((m) => m.encoding)}::text[], ${column((m) => m.segments)}::int[],
        ${column((m) => m.characters)}::int[], ${column((m) => m.priceMillicents)}::bigint[], ${column((m) => m.sendAt.toISOString())}::timestamptz[],
        ${column((m) => m.expiresAt.toISOString())}::timestamptz[], ${column((m) => m.fallback)}::text[], ${column((m) => (m.metadata ? JSON.stringify(m.metadata) : null))}::jsonb[],
        ${column((m) => m.apiKeyId)}::uuid[], ${column((m) => m.suppressible)}::boolean[], ${column((m) => m.priority)}::smallint[],
        ${column((m) => `{${m.warnings.map((w) => JSON.stringify(w)).join(',')}}`)}::text[]
      ) as i(id, created_at, tenant_id, channel, route, status, sender, recipient, country, content, encoding, segments,
             characters, price_millicents, send_at, expires_at, fallback, metadata, api_key_id, suppressible, priority, warnings)
    ), decided as (
      select i.*, case when i.suppressible and exists (
                    select 1 from suppressions s where s.tenant_id = i.tenant_id and s.address = i.recipient)
                  then 'suppressed' else i.status end as final_status
        from input i
    ), inserted as (
      insert into messages (id, created_at, tenant_id, channel, route, status, sender, recipient, country, content, encoding,
                            segments, characters, price_millicents, send_at, expires_at, fallback, metadata, api_key_id, warnings,
                            error_code, error_message, attribution, done_at)
      select id, created_at, tenant_id, channel, route, final_status, sender, recipient, country, content, encoding, segments,
             characters, price_millicents, send_at, expires_at, fallback, metadata, api_key_id, warnings::text[],
             case when final_status = 'suppressed' then 'recipient_opted_out' end,
             case when final_status = 'suppressed' then 'The recipient opted out of this account''s marketing (R-OPTOUT)' end,
             case when final_status = 'suppressed' then 'recipient' end,
             case when final_status = 'suppressed' then created_at end
        from decided
      returning id, status, tenant_id, created_at
    ), events as (
      insert into message_events (tenant_id, message_id, at, status, detail)
      select tenant_id, id, created_at, status, '{}'::jsonb from inserted
    ), queued as (
      insert into outbox (message_id, message_created_at, tenant_id, channel, route, priority, due_at)
      select d.id, d.created_at, d.tenant_id, d.channel, d.route, d.priority, d.send_at
        from decided d where d.final_status <> 'suppressed'
    )
    select id, status from inserted`.execute(tx);
  return new Map(rows.map((row) => [row.id, row.status]));
}
