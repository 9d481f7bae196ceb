-- 0014 — the dispatcher re-checks R-QUIET at send time (a retry, a fallback or a backlog must not
-- let a marketing SMS leave at night); it now also knows the tenant's setting to avoid Sundays and
-- public holidays, so a message held at 20:00 on a Saturday waits for Monday 08:00, not Sunday's.
-- Same claim as migration 0006, plus `avoid_closed_days` (a changed result type needs a new function).

DROP FUNCTION dispatch_claim(text, integer, integer);

CREATE FUNCTION dispatch_claim(p_worker text, p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
  message_id uuid, created_at timestamptz, tenant_id uuid, channel text, route text, sender text,
  recipient text, country text, content jsonb, encoding text, segments integer, send_at timestamptz,
  expires_at timestamptz, fallback text, fell_back boolean, attempts integer, recovered boolean,
  price_millicents bigint, api_key_id uuid, campaign_id uuid, avoid_closed_days boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
  -- Walk the index in order and stop at the limit: never sort the whole outbox.
  SET enable_hashjoin = off SET enable_mergejoin = off SET enable_sort = off AS $$
  WITH fresh AS (
    SELECT o.message_id, false AS recovered
      FROM outbox o
     WHERE o.lease_until IS NULL AND o.due_at <= now()
       AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = o.tenant_id AND t.status = 'active')
     ORDER BY o.priority, o.due_at
     LIMIT p_limit
     FOR UPDATE OF o SKIP LOCKED
  ), orphaned AS (
    -- Leases that ran out: their dispatcher died (duplicate policy, docs/messaging.md).
    SELECT o.message_id, true AS recovered
      FROM outbox o
     WHERE o.lease_until < now()
       AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = o.tenant_id AND t.status = 'active')
     ORDER BY o.lease_until
     LIMIT p_limit
     FOR UPDATE OF o SKIP LOCKED
  ), due AS (
    SELECT * FROM fresh UNION ALL SELECT * FROM orphaned
  ), claimed AS (
    UPDATE outbox o
       SET lease_until = now() + make_interval(secs => p_lease_seconds), leased_by = p_worker, attempts = o.attempts + 1
      FROM due
     WHERE o.message_id = due.message_id
    RETURNING o.message_id, o.message_created_at, o.attempts, due.recovered
  ), marked AS (
    UPDATE messages m
       SET status = 'sending', attempts = c.attempts, updated_at = now()
      FROM claimed c
     WHERE m.id = c.message_id AND m.created_at = c.message_created_at
    RETURNING m.*, c.recovered
  )
  SELECT id, created_at, tenant_id, channel, route, sender, recipient, country, content, encoding, segments,
         send_at, expires_at, fallback, fell_back, attempts, recovered, price_millicents, api_key_id, campaign_id,
         coalesce((SELECT (t.settings ->> 'avoidSundaysAndHolidays')::boolean FROM tenants t WHERE t.id = marked.tenant_id), false)
    FROM marked
$$;

REVOKE ALL ON FUNCTION dispatch_claim FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dispatch_claim TO sofy_app;
