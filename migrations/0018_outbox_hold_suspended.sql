-- 0018 — the outbox rows of a suspended tenant step aside.
--
-- The claim walks the index of ready rows in (priority, due_at) order and skips the rows of
-- tenants that are not active. A tenant suspended with a backlog (a campaign of a million
-- messages, say, when its payment fails, R-SUSPEND) left those rows in that index: every claim of
-- every dispatcher walked past all of them before reaching anybody else's messages. Measured in
-- bench:campaign, whose first measure leaves a suspended tenant's million messages in the outbox:
-- the other tenant's campaign was dispatched at 1.0–1.5k msg/s instead of ~6k.
--
-- Now a row of a tenant that is not active is `held`, outside the claim's index: held when the
-- tenant leaves `active` (and when a row is written for a tenant that is not active), released
-- when it comes back. Nothing is lost or reordered: the rows keep their due time.

ALTER TABLE outbox ADD COLUMN held boolean NOT NULL DEFAULT false;

CREATE INDEX outbox_ready_unheld_idx ON outbox (priority, due_at) WHERE lease_until IS NULL AND NOT held;
DROP INDEX outbox_ready_idx;
-- For the (rare) hold and release of one tenant's rows.
CREATE INDEX outbox_held_tenant_idx ON outbox (tenant_id) WHERE held;

CREATE FUNCTION outbox_hold_on_tenant_status() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status = 'active' THEN
    UPDATE outbox SET held = false WHERE tenant_id = NEW.id AND held;
  ELSE
    UPDATE outbox SET held = true WHERE tenant_id = NEW.id AND NOT held;
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION outbox_hold_on_tenant_status FROM PUBLIC;
CREATE TRIGGER outbox_hold_on_tenant_status AFTER UPDATE OF status ON tenants
  FOR EACH ROW WHEN ((OLD.status = 'active') IS DISTINCT FROM (NEW.status = 'active'))
  EXECUTE FUNCTION outbox_hold_on_tenant_status();

-- Rows written while their tenant is not active (a fan-out batch already under way when the
-- suspension came) are held at once: one look-up per statement and tenant, not per row.
CREATE FUNCTION outbox_hold_new_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  -- The common case (every tenant active) stops at this check: the few tenants that are not
  -- active, against the statement's rows.
  IF EXISTS (SELECT 1 FROM tenants t WHERE t.status <> 'active' AND t.id IN (SELECT tenant_id FROM added)) THEN
    UPDATE outbox o SET held = true
      FROM added a
     WHERE o.message_id = a.message_id
       AND a.tenant_id IN (SELECT t.id FROM tenants t WHERE t.status <> 'active');
  END IF;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION outbox_hold_new_rows FROM PUBLIC;
CREATE TRIGGER outbox_hold_new_rows AFTER INSERT ON outbox
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_hold_new_rows();

-- The claim reads only rows that are not held (the rest as in migration 0017).
CREATE OR REPLACE FUNCTION dispatch_claim(p_worker text, p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
  message_id uuid, created_at timestamptz, tenant_id uuid, channel text, route text, sender text,
  recipient text, country text, content jsonb, encoding text, segments integer, send_at timestamptz,
  expires_at timestamptz, fallback text, fell_back boolean, attempts integer, recovered boolean,
  price_millicents bigint, api_key_id uuid, campaign_id uuid, avoid_closed_days boolean, blocked_by text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
  -- Walk the index in order and stop at the limit: never sort the whole outbox.
  SET enable_hashjoin = off SET enable_mergejoin = off SET enable_sort = off AS $$
  WITH fresh AS (
    SELECT o.message_id, false AS recovered
      FROM outbox o
     WHERE o.lease_until IS NULL AND NOT o.held AND o.due_at <= now()
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
         coalesce((SELECT (t.settings ->> 'avoidSundaysAndHolidays')::boolean FROM tenants t WHERE t.id = marked.tenant_id), false),
         -- R-OPTOUT and R-CONSENT at the moment of sending, for marketing only: the same two
         -- checks as acceptance (insert_prepared_messages, migration 0007), two index probes.
         CASE WHEN marked.route = 'marketing' THEN
           CASE WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = marked.tenant_id AND s.address = marked.recipient) THEN 'opted_out'
                WHEN contact_consent_blocks(marked.tenant_id, marked.channel, marked.recipient) THEN 'no_consent' END
         END
    FROM marked
$$;
