-- 0006 — the dispatch path, made cheaper per message (bench/RESULTS.md §3, issue 3's figures).
-- Measured before: ~235 µs of PostgreSQL CPU per message, of which the temp tables of
-- apply_receipts/dispatch_complete (created, truncated and dropped on every call: catalog writes),
-- non-HOT updates of `messages` (provider_id was indexed: every update wrote 5 index entries), a
-- per-row trigger for SMPP-gateway receipts, and a claim that sorted the whole outbox.
--
-- What changes, and why:
-- 1. A receipt finds its message through `message_provider_refs` (provider id → message), so
--    `messages.provider_id` needs no index and every status update of a message can be HOT
--    (no indexed column changes; `fillfactor` leaves room on the page for the new versions).
-- 2. Batches travel as arrays of composite types (no temp tables); every join is by index,
--    whatever the statistics say (a new monthly partition has none).
-- 3. `record_status` takes the tenant ids the callers already have, and marks SMPP-gateway
--    receipts ready set-based (the row trigger of 0005 is dropped).
-- 4. The claim walks an index of unleased due rows and stops at its limit; expired leases (a
--    dispatcher died) are taken from a second index.

-- 1. Provider id → message ------------------------------------------------------------------------
CREATE TABLE message_provider_refs (
  provider_id        text NOT NULL,
  connector          text NOT NULL,
  message_id         uuid NOT NULL,
  message_created_at timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, connector)
);
-- Appended in time order: a BRIN index costs next to nothing per insert and serves the purge.
CREATE INDEX message_provider_refs_created_brin ON message_provider_refs USING brin (created_at);
-- Platform table (no tenant data): only the dispatch functions touch it.

INSERT INTO message_provider_refs (provider_id, connector, message_id, message_created_at)
SELECT DISTINCT ON (provider_id, connector) provider_id, connector, id, created_at
  FROM messages
 WHERE provider_id IS NOT NULL AND connector IS NOT NULL AND created_at > now() - interval '10 days'
 ORDER BY provider_id, connector, created_at DESC;

DROP INDEX messages_provider_idx;

-- Room for HOT updates (queued → sending → submitted → delivered on the same page).
CREATE OR REPLACE FUNCTION ensure_message_partitions(p_months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_month date := date_trunc('month', now() - interval '1 month')::date;
  v_created integer := 0;
  v_table text;
BEGIN
  FOR i IN 0 .. p_months_ahead + 1 LOOP
    FOREACH v_table IN ARRAY ARRAY['messages', 'message_events'] LOOP
      IF to_regclass(format('%s_%s', v_table, to_char(v_month, 'YYYYMM'))) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)%s',
          format('%s_%s', v_table, to_char(v_month, 'YYYYMM')), v_table, v_month, (v_month + interval '1 month')::date,
          CASE WHEN v_table = 'messages' THEN ' WITH (fillfactor = 60)' ELSE '' END);
        v_created := v_created + 1;
      END IF;
    END LOOP;
    v_month := (v_month + interval '1 month')::date;
  END LOOP;
  RETURN v_created;
END $$;

DO $$
DECLARE v_partition regclass;
BEGIN
  FOR v_partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'messages'::regclass LOOP
    EXECUTE format('ALTER TABLE %s SET (fillfactor = 60)', v_partition);
  END LOOP;
END $$;

-- 2. Batch types -----------------------------------------------------------------------------------
CREATE TYPE dispatch_result AS (
  id uuid, created_at timestamptz, outcome text, provider_id text, connector text, error_code text,
  error_message text, attribution text, retry_at timestamptz, segments integer, price_millicents bigint,
  fell_back boolean, channel text);

CREATE TYPE receipt_match AS (
  message_id uuid, created_at timestamptz, status text, at timestamptz, provider_code text, attribution text);

-- 3. Status changes ---------------------------------------------------------------------------------
DROP TRIGGER messages_smpp_final ON messages;
DROP FUNCTION smpp_mark_final();
DROP FUNCTION record_status(uuid[], timestamptz[], text[], jsonb[]);

-- A batch of status changes: history, the tenant's webhooks, and the SMPP-gateway receipts that
-- become ready (a message submitted by a tenant's SMPP client reached an outcome).
CREATE FUNCTION record_status(
  p_tenant_ids uuid[], p_ids uuid[], p_created timestamptz[], p_status text[], p_detail jsonb[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_keys uuid[];
BEGIN
  IF p_ids IS NULL THEN RETURN; END IF;
  INSERT INTO message_events (tenant_id, message_id, at, status, detail)
  SELECT c.tenant_id, c.id, now(), c.status, c.detail
    FROM unnest(p_tenant_ids, p_ids, p_status, p_detail) AS c(tenant_id, id, status, detail);

  -- Webhooks: only tenants with an endpoint for the event pay for the payload.
  INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload)
  SELECT gen_random_uuid(), c.tenant_id, w.id, 'message.' || c.status,
         jsonb_build_object('type', 'message.' || c.status, 'timestamp', now(),
           'data', jsonb_build_object('id', c.id, 'status', c.status) || c.detail
                   || coalesce(jsonb_build_object('metadata', m.metadata), '{}'::jsonb))
    FROM unnest(p_tenant_ids, p_ids, p_created, p_status, p_detail) AS c(tenant_id, id, created_at, status, detail)
    JOIN webhook_endpoints w ON w.tenant_id = c.tenant_id AND w.enabled
     AND ('message.' || c.status = ANY (w.events) OR 'message.*' = ANY (w.events) OR '*' = ANY (w.events))
    JOIN messages m ON m.id = c.id AND m.created_at = c.created_at;

  -- The SMPP gateway's receipt for this message (if a client asked for one) is now ready; its
  -- gateways are woken once per API key (PostgreSQL folds duplicate notifications).
  WITH ready AS (
    UPDATE smpp_submits s SET final_status = c.status, final_at = now()
      FROM unnest(p_tenant_ids, p_ids, p_status) AS c(tenant_id, id, status)
     WHERE c.status IN ('delivered', 'undelivered', 'expired', 'failed', 'read')
       AND s.tenant_id = c.tenant_id AND s.message_id = c.id AND s.final_status IS NULL
    RETURNING s.api_key_id
  )
  SELECT array_agg(DISTINCT api_key_id) INTO v_keys FROM ready;
  IF v_keys IS NOT NULL THEN
    PERFORM pg_notify('sofy_smpp_receipts', k::text) FROM unnest(v_keys) AS k;
  END IF;
END $$;

-- 4. Claim ------------------------------------------------------------------------------------------
-- Unleased due rows, in the order they are taken; a leased row leaves this index, so a claim
-- never wades through the batches other dispatchers hold.
CREATE INDEX outbox_ready_idx ON outbox (priority, due_at) WHERE lease_until IS NULL;
CREATE INDEX outbox_lease_idx ON outbox (lease_until) WHERE lease_until IS NOT NULL;
DROP INDEX outbox_due_idx;

CREATE OR REPLACE FUNCTION dispatch_claim(p_worker text, p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
  message_id uuid, created_at timestamptz, tenant_id uuid, channel text, route text, sender text,
  recipient text, country text, content jsonb, encoding text, segments integer, send_at timestamptz,
  expires_at timestamptz, fallback text, fell_back boolean, attempts integer, recovered boolean,
  price_millicents bigint, api_key_id uuid, campaign_id uuid)
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
         send_at, expires_at, fallback, fell_back, attempts, recovered, price_millicents, api_key_id, campaign_id
    FROM marked
$$;

-- 5. Outcomes ---------------------------------------------------------------------------------------
-- p_results: [{id, createdAt, outcome: submitted|retry|failed|expired, providerId, connector,
-- errorCode, errorMessage, attribution, retryAt, segments, priceMillicents, fellBack, channel}].
CREATE OR REPLACE FUNCTION dispatch_complete(p_results jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_results dispatch_result[];
  v_tenants uuid[];
  v_ids uuid[];
  v_created timestamptz[];
  v_status text[];
  v_detail jsonb[];
  v_pending jsonb;
BEGIN
  SELECT array_agg(ROW(r.id, r."createdAt", r.outcome, r."providerId", r.connector, r."errorCode", r."errorMessage",
         r.attribution, r."retryAt", r.segments, r."priceMillicents", coalesce(r."fellBack", false), r.channel)::dispatch_result)
    INTO v_results
    FROM jsonb_to_recordset(p_results) AS r(id uuid, "createdAt" timestamptz, outcome text, "providerId" text,
         connector text, "errorCode" text, "errorMessage" text, attribution text, "retryAt" timestamptz,
         segments integer, "priceMillicents" bigint, "fellBack" boolean, channel text);
  IF v_results IS NULL THEN RETURN; END IF;

  -- One statement: each outcome updates its own messages (disjoint), submitted ones are billed
  -- once (usage_records.message_id is unique) and become findable by their provider id.
  WITH r AS (
    SELECT * FROM unnest(v_results)
  ), submitted AS (
    UPDATE messages m
       SET status = 'submitted', provider_id = r.provider_id, connector = r.connector, submitted_at = now(),
           fell_back = m.fell_back OR r.fell_back, channel = coalesce(r.channel, m.channel),
           segments = coalesce(r.segments, m.segments), error_code = NULL, error_message = NULL, attribution = NULL, updated_at = now()
      FROM r
     WHERE r.outcome = 'submitted' AND m.id = r.id AND m.created_at = r.created_at
    RETURNING m.tenant_id, m.id, m.created_at, m.channel, m.route, m.country, m.segments, m.api_key_id, m.campaign_id,
              coalesce(r.price_millicents, m.price_millicents, 0) AS billed, r.provider_id, r.connector, r.fell_back,
              r.channel AS new_channel
  ), billed AS (
    INSERT INTO usage_records (tenant_id, message_id, at, channel, route, country, segments, price_millicents, api_key_id, campaign_id)
    SELECT tenant_id, id, now(), channel, route, country, coalesce(segments, 1), billed, api_key_id, campaign_id FROM submitted
    ON CONFLICT (message_id) DO NOTHING
  ), findable AS (
    INSERT INTO message_provider_refs (provider_id, connector, message_id, message_created_at)
    SELECT provider_id, connector, id, created_at FROM submitted WHERE provider_id IS NOT NULL AND connector IS NOT NULL
    ON CONFLICT (provider_id, connector) DO UPDATE SET message_id = EXCLUDED.message_id,
      message_created_at = EXCLUDED.message_created_at, created_at = EXCLUDED.created_at
  ), retried AS (
    -- Retry later: status queued with the last error; the outbox row gets its back-off below.
    UPDATE messages m
       SET status = 'queued', error_code = r.error_code, error_message = r.error_message, attribution = r.attribution, updated_at = now()
      FROM r
     WHERE r.outcome = 'retry' AND m.id = r.id AND m.created_at = r.created_at
    RETURNING m.tenant_id, m.id, m.created_at, r.error_code, r.error_message, r.attribution, r.retry_at
  ), ended AS (
    -- Final failures (R-3RD: who failed is recorded).
    UPDATE messages m
       SET status = CASE WHEN r.outcome = 'expired' THEN 'expired' ELSE 'failed' END,
           error_code = r.error_code, error_message = r.error_message, attribution = r.attribution, done_at = now(), updated_at = now()
      FROM r
     WHERE r.outcome IN ('failed', 'expired') AND m.id = r.id AND m.created_at = r.created_at
    RETURNING m.tenant_id, m.id, m.created_at, m.status, r.error_code, r.error_message, r.attribution
  ), requeued AS (
    UPDATE outbox o SET due_at = r.retry_at, lease_until = NULL, leased_by = NULL, last_error = r.error_code
      FROM r WHERE r.outcome = 'retry' AND o.message_id = r.id
  ), done AS (
    DELETE FROM outbox o USING r WHERE o.message_id = r.id AND r.outcome <> 'retry'
  ), changes AS (
    SELECT tenant_id, id, created_at, 'submitted' AS status,
           jsonb_strip_nulls(jsonb_build_object('providerId', provider_id, 'connector', connector,
             'fellBack', CASE WHEN fell_back THEN true END, 'channel', new_channel)) AS detail
      FROM submitted
    UNION ALL
    SELECT tenant_id, id, created_at, 'queued',
           jsonb_strip_nulls(jsonb_build_object('errorCode', error_code, 'errorMessage', error_message,
             'attribution', attribution, 'retryAt', retry_at))
      FROM retried
    UNION ALL
    SELECT tenant_id, id, created_at, status,
           jsonb_strip_nulls(jsonb_build_object('errorCode', error_code, 'errorMessage', error_message, 'attribution', attribution))
      FROM ended
  )
  SELECT array_agg(tenant_id), array_agg(id), array_agg(created_at), array_agg(status), array_agg(detail)
    INTO v_tenants, v_ids, v_created, v_status, v_detail
    FROM changes;
  PERFORM record_status(v_tenants, v_ids, v_created, v_status, v_detail);

  -- Receipts that were faster than this commit. Taken and applied in one statement: a receipt
  -- is never deleted without being applied; one committed just after this waits for the sweep.
  IF EXISTS (SELECT 1 FROM pending_receipts) THEN
    WITH matched AS (
      DELETE FROM pending_receipts p
       USING unnest(v_results) r
       WHERE r.outcome = 'submitted' AND p.provider_id = r.provider_id AND p.connector = r.connector
      RETURNING p.provider_id, p.connector, p.status, p.at, p.detail
    )
    SELECT jsonb_agg(jsonb_build_object('providerId', provider_id, 'connector', connector, 'status', status, 'at', at) || detail)
      INTO v_pending FROM matched;
    IF v_pending IS NOT NULL THEN
      PERFORM apply_receipts(v_pending, false);
    END IF;
  END IF;
END $$;

-- 6. Receipts ---------------------------------------------------------------------------------------
-- [{providerId, connector, status: delivered|undelivered|expired|failed|read, at, providerCode,
-- attribution}]. A message only moves forward; unknown ids wait in pending_receipts
-- (p_keep_unmatched) and are applied when their submit is recorded.
CREATE OR REPLACE FUNCTION apply_receipts(p_receipts jsonb, p_keep_unmatched boolean DEFAULT true) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_matches receipt_match[];
  v_moved integer;
  v_tenants uuid[];
  v_ids uuid[];
  v_created timestamptz[];
  v_status text[];
  v_detail jsonb[];
BEGIN
  WITH r AS (
    SELECT x."providerId" AS provider_id, x.connector, x.status, coalesce(x.at, now()) AS at,
           x."providerCode" AS provider_code, x.attribution
      FROM jsonb_to_recordset(p_receipts) AS x("providerId" text, connector text, status text, at timestamptz,
           "providerCode" text, attribution text)
  ), looked_up AS (
    SELECT r.*, f.message_id, f.message_created_at
      FROM r LEFT JOIN message_provider_refs f ON f.provider_id = r.provider_id AND f.connector = r.connector
  ), kept AS (
    INSERT INTO pending_receipts (provider_id, connector, status, at, detail)
    SELECT provider_id, connector, status, at,
           jsonb_strip_nulls(jsonb_build_object('providerCode', provider_code, 'attribution', attribution))
      FROM looked_up WHERE message_id IS NULL AND p_keep_unmatched
    ON CONFLICT DO NOTHING
  )
  SELECT array_agg(ROW(message_id, message_created_at, status, at, provider_code, attribution)::receipt_match)
    INTO v_matches
    FROM looked_up WHERE message_id IS NOT NULL;
  IF v_matches IS NULL THEN RETURN 0; END IF;

  -- An RCS message whose time to live ran out undelivered (Google revoked it) goes out as SMS when
  -- it has the fallback: back in the outbox as an SMS (the dispatcher applies quiet hours again).
  IF EXISTS (SELECT 1 FROM unnest(v_matches) x WHERE x.status = 'expired') THEN
    WITH fallen AS (
      UPDATE messages m
         SET channel = 'sms', fell_back = true, status = 'queued', provider_id = NULL, connector = NULL,
             sender = m.content -> 'fallbackSms' ->> 'sender', encoding = m.content -> 'fallbackSms' ->> 'encoding',
             segments = (m.content -> 'fallbackSms' ->> 'segments')::integer,
             content = jsonb_build_object('text', m.content -> 'fallbackSms' ->> 'text'), updated_at = now()
        FROM unnest(v_matches) x
       WHERE x.message_id = m.id AND x.created_at = m.created_at AND x.status = 'expired'
         AND m.channel = 'rcs' AND m.fallback = 'sms' AND NOT m.fell_back AND m.status IN ('submitted', 'sending')
         AND m.content ? 'fallbackSms'
      RETURNING m.id, m.created_at, m.tenant_id, m.route
    ), requeued AS (
      INSERT INTO outbox (message_id, message_created_at, tenant_id, channel, route, priority, due_at)
      SELECT id, created_at, tenant_id, 'sms', route, CASE WHEN route = 'alert' THEN 1 ELSE 5 END, now() FROM fallen
      ON CONFLICT (message_id) DO NOTHING
      RETURNING message_id
    )
    INSERT INTO message_events (tenant_id, message_id, at, status, detail)
    SELECT tenant_id, id, now(), 'queued', '{"fallback": "sms", "reason": "rcs_ttl_expired"}'::jsonb FROM fallen;
  END IF;

  WITH moved AS (
    UPDATE messages m
       SET status = x.status, done_at = coalesce(m.done_at, x.at), updated_at = now(),
           error_code = CASE WHEN x.status IN ('undelivered', 'expired', 'failed') THEN coalesce(x.provider_code, x.status) ELSE m.error_code END,
           attribution = CASE WHEN x.status IN ('undelivered', 'expired', 'failed') THEN coalesce(x.attribution, 'operator') ELSE m.attribution END
      FROM unnest(v_matches) x
     WHERE x.message_id = m.id AND x.created_at = m.created_at
       AND (m.status IN ('submitted', 'sending') OR (m.status = 'delivered' AND x.status = 'read'))
    RETURNING m.tenant_id, m.id, m.created_at, x.status, x.provider_code, x.at
  )
  SELECT count(*), array_agg(tenant_id), array_agg(id), array_agg(created_at), array_agg(status),
         array_agg(jsonb_strip_nulls(jsonb_build_object('providerCode', provider_code, 'at', at)))
    INTO v_moved, v_tenants, v_ids, v_created, v_status, v_detail
    FROM moved;
  PERFORM record_status(v_tenants, v_ids, v_created, v_status, v_detail);
  RETURN v_moved;
END $$;

-- The sweep for receipts that raced their submit's commit (see 0004).
CREATE OR REPLACE FUNCTION apply_pending_receipts() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_receipts jsonb;
BEGIN
  WITH matched AS (
    DELETE FROM pending_receipts p
     USING message_provider_refs f
     WHERE f.provider_id = p.provider_id AND f.connector = p.connector
    RETURNING p.provider_id, p.connector, p.status, p.at, p.detail
  )
  SELECT jsonb_agg(jsonb_build_object('providerId', provider_id, 'connector', connector, 'status', status, 'at', at) || detail)
    INTO v_receipts FROM matched;
  IF v_receipts IS NULL THEN RETURN 0; END IF;
  RETURN apply_receipts(v_receipts, false);
END $$;

-- Housekeeping also forgets provider ids after the 10 days a receipt may take.
CREATE OR REPLACE FUNCTION messaging_housekeeping() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_partitions integer := ensure_message_partitions(3);
  v_keys integer;
  v_receipts integer;
  v_deliveries integer;
  v_refs integer;
BEGIN
  DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours';
  GET DIAGNOSTICS v_keys = ROW_COUNT;
  DELETE FROM pending_receipts WHERE received_at < now() - interval '3 days';
  GET DIAGNOSTICS v_receipts = ROW_COUNT;
  DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - interval '30 days';
  GET DIAGNOSTICS v_deliveries = ROW_COUNT;
  DELETE FROM message_provider_refs WHERE created_at < now() - interval '10 days';
  GET DIAGNOSTICS v_refs = ROW_COUNT;
  RETURN jsonb_build_object('partitionsCreated', v_partitions, 'idempotencyKeys', v_keys, 'pendingReceipts', v_receipts,
                            'webhookDeliveries', v_deliveries, 'providerRefs', v_refs);
END $$;

REVOKE ALL ON FUNCTION record_status, dispatch_claim, dispatch_complete, apply_receipts, apply_pending_receipts,
  messaging_housekeeping, ensure_message_partitions FROM PUBLIC;
GRANT EXECUTE ON FUNCTION record_status, dispatch_claim, dispatch_complete, apply_receipts, apply_pending_receipts,
  messaging_housekeeping, ensure_message_partitions TO sofy_app;
