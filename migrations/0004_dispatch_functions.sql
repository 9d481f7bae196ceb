-- 0004 — the dispatch path. Dispatchers, receipt and inbound handlers serve every tenant; these
-- set-based SECURITY DEFINER functions are their only way into tenant rows (decision 0002).
-- Each takes and returns batches, so one round trip moves hundreds of messages.

-- Events for outgoing webhooks: one delivery per subscribed endpoint.
CREATE FUNCTION enqueue_webhooks(p_tenant_id uuid, p_event_type text, p_payload jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload)
  SELECT gen_random_uuid(), e.tenant_id, e.id, p_event_type, p_payload
    FROM webhook_endpoints e
   WHERE e.tenant_id = p_tenant_id AND e.enabled
     AND (p_event_type = ANY (e.events) OR '*' = ANY (e.events)
          OR (split_part(p_event_type, '.', 1) || '.*') = ANY (e.events))
$$;

-- A message's status change: the row, its history, and the tenant's webhooks.
CREATE FUNCTION record_status(
  p_ids uuid[], p_created timestamptz[], p_status text[], p_detail jsonb[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH changes AS (
    SELECT * FROM unnest(p_ids, p_created, p_status, p_detail) AS c(id, created_at, status, detail)
  ), events AS (
    INSERT INTO message_events (tenant_id, message_id, at, status, detail)
    SELECT m.tenant_id, m.id, now(), c.status, c.detail
      FROM changes c JOIN messages m ON m.id = c.id AND m.created_at = c.created_at
    RETURNING tenant_id, message_id, status, detail
  )
  INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_type, payload)
  SELECT gen_random_uuid(), e.tenant_id, w.id, 'message.' || e.status,
         jsonb_build_object('type', 'message.' || e.status, 'timestamp', now(),
           'data', jsonb_build_object('id', e.message_id, 'status', e.status) || e.detail
                   || coalesce(jsonb_build_object('metadata', m.metadata), '{}'::jsonb))
    FROM events e
    JOIN webhook_endpoints w ON w.tenant_id = e.tenant_id AND w.enabled
     AND ('message.' || e.status = ANY (w.events) OR 'message.*' = ANY (w.events) OR '*' = ANY (w.events))
    JOIN messages m ON m.id = e.message_id
$$;

-- Claims due messages of active tenants (suspended tenants' sending stops), oldest first, alerts
-- before marketing. A row whose lease expired was claimed by a dispatcher that died: `recovered`
-- tells the caller its outcome is unknown (duplicate policy, see docs/messaging.md).
CREATE FUNCTION dispatch_claim(p_worker text, p_limit integer, p_lease_seconds integer)
RETURNS TABLE (
  message_id uuid, created_at timestamptz, tenant_id uuid, channel text, route text, sender text,
  recipient text, country text, content jsonb, encoding text, segments integer, send_at timestamptz,
  expires_at timestamptz, fallback text, fell_back boolean, attempts integer, recovered boolean,
  price_millicents bigint, api_key_id uuid, campaign_id uuid)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH due AS (
    SELECT o.message_id, o.lease_until IS NOT NULL AS recovered
      FROM outbox o
     WHERE o.due_at <= now() AND (o.lease_until IS NULL OR o.lease_until < now())
       AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = o.tenant_id AND t.status = 'active')
     ORDER BY o.priority, o.due_at
     LIMIT p_limit
     FOR UPDATE OF o SKIP LOCKED
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

-- Outcomes of a batch of sends. p_results: [{id, createdAt, outcome: submitted|retry|failed|expired,
-- providerId, connector, errorCode, errorMessage, attribution, retryAt, segments, priceMillicents,
-- fellBack, channel}].
CREATE FUNCTION dispatch_complete(p_results jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  -- A batch of hundreds joined to millions of rows by indexed keys: always index lookups, whatever
  -- the statistics say (a temp table is never analysed; a new partition has none).
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_pending jsonb;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS _results (
    id uuid, created_at timestamptz, outcome text, provider_id text, connector text, error_code text,
    error_message text, attribution text, retry_at timestamptz, segments integer, price_millicents bigint,
    fell_back boolean, channel text) ON COMMIT DROP;
  TRUNCATE _results;
  INSERT INTO _results
  SELECT r.id, r."createdAt", r.outcome, r."providerId", r.connector, r."errorCode", r."errorMessage", r.attribution,
         r."retryAt", r.segments, r."priceMillicents", coalesce(r."fellBack", false), r.channel
    FROM jsonb_to_recordset(p_results) AS r(id uuid, "createdAt" timestamptz, outcome text, "providerId" text,
         connector text, "errorCode" text, "errorMessage" text, attribution text, "retryAt" timestamptz,
         segments integer, "priceMillicents" bigint, "fellBack" boolean, channel text);

  -- Submitted: the provider has it. Billed once (usage_records.message_id is unique).
  UPDATE messages m
     SET status = 'submitted', provider_id = r.provider_id, connector = r.connector, submitted_at = now(),
         fell_back = m.fell_back OR r.fell_back, channel = coalesce(r.channel, m.channel),
         segments = coalesce(r.segments, m.segments), error_code = NULL, error_message = NULL, attribution = NULL, updated_at = now()
    FROM _results r
   WHERE r.outcome = 'submitted' AND m.id = r.id AND m.created_at = r.created_at;
  INSERT INTO usage_records (tenant_id, message_id, at, channel, route, country, segments, price_millicents, api_key_id, campaign_id)
  SELECT m.tenant_id, m.id, now(), m.channel, m.route, m.country, coalesce(m.segments, 1),
         coalesce(r.price_millicents, m.price_millicents, 0), m.api_key_id, m.campaign_id
    FROM _results r JOIN messages m ON m.id = r.id AND m.created_at = r.created_at
   WHERE r.outcome = 'submitted'
  ON CONFLICT (message_id) DO NOTHING;

  -- Retry later: back in the outbox with its back-off, status queued with the last error.
  UPDATE outbox o SET due_at = r.retry_at, lease_until = NULL, leased_by = NULL, last_error = r.error_code
    FROM _results r WHERE r.outcome = 'retry' AND o.message_id = r.id;
  UPDATE messages m
     SET status = 'queued', error_code = r.error_code, error_message = r.error_message, attribution = r.attribution, updated_at = now()
    FROM _results r
   WHERE r.outcome = 'retry' AND m.id = r.id AND m.created_at = r.created_at;

  -- Final failures (R-3RD: who failed is recorded).
  UPDATE messages m
     SET status = CASE WHEN r.outcome = 'expired' THEN 'expired' ELSE 'failed' END,
         error_code = r.error_code, error_message = r.error_message, attribution = r.attribution, done_at = now(), updated_at = now()
    FROM _results r
   WHERE r.outcome IN ('failed', 'expired') AND m.id = r.id AND m.created_at = r.created_at;

  DELETE FROM outbox o USING _results r WHERE o.message_id = r.id AND r.outcome <> 'retry';

  PERFORM record_status(
    array_agg(r.id), array_agg(r.created_at),
    array_agg(CASE r.outcome WHEN 'retry' THEN 'queued' WHEN 'submitted' THEN 'submitted' WHEN 'expired' THEN 'expired' ELSE 'failed' END),
    array_agg(jsonb_strip_nulls(jsonb_build_object(
      'providerId', r.provider_id, 'connector', r.connector, 'errorCode', r.error_code, 'errorMessage', r.error_message,
      'attribution', r.attribution, 'retryAt', r.retry_at, 'fellBack', CASE WHEN r.fell_back THEN true END,
      'channel', r.channel))))
    FROM _results r;

  -- Receipts that were faster than this commit. Taken and applied in one statement: a receipt
  -- is never deleted without being applied; one committed just after this waits for the sweep.
  WITH matched AS (
    DELETE FROM pending_receipts p
     USING _results r
     WHERE r.outcome = 'submitted' AND p.provider_id = r.provider_id AND p.connector = r.connector
    RETURNING p.provider_id, p.connector, p.status, p.at, p.detail
  )
  SELECT jsonb_agg(jsonb_build_object('providerId', provider_id, 'connector', connector, 'status', status, 'at', at) || detail)
    INTO v_pending FROM matched;
  IF v_pending IS NOT NULL THEN
    PERFORM apply_receipts(v_pending, false);
  END IF;
END $$;

-- Delivery receipts: [{providerId, connector, status: delivered|undelivered|expired|failed|read,
-- at, providerCode, attribution}]. A message only moves forward; unknown ids are kept for a while
-- in pending_receipts (p_keep_unmatched) and applied when their submit is recorded.
CREATE FUNCTION apply_receipts(p_receipts jsonb, p_keep_unmatched boolean DEFAULT true) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  -- A batch of hundreds joined to millions of rows by indexed keys: always index lookups, whatever
  -- the statistics say (a temp table is never analysed; a new partition has none).
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_matched integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS _receipts (
    provider_id text, connector text, status text, at timestamptz, provider_code text, attribution text,
    message_id uuid, created_at timestamptz) ON COMMIT DROP;
  TRUNCATE _receipts;
  INSERT INTO _receipts (provider_id, connector, status, at, provider_code, attribution)
  SELECT r."providerId", r.connector, r.status, coalesce(r.at, now()), r."providerCode", r.attribution
    FROM jsonb_to_recordset(p_receipts) AS r("providerId" text, connector text, status text, at timestamptz,
         "providerCode" text, attribution text);

  UPDATE _receipts x SET message_id = m.id, created_at = m.created_at
    FROM messages m
   WHERE m.provider_id = x.provider_id AND m.connector = x.connector
     AND m.created_at > now() - interval '10 days';

  IF p_keep_unmatched THEN
    INSERT INTO pending_receipts (provider_id, connector, status, at, detail)
    SELECT provider_id, connector, status, at,
           jsonb_strip_nulls(jsonb_build_object('providerCode', provider_code, 'attribution', attribution))
      FROM _receipts WHERE message_id IS NULL
    ON CONFLICT DO NOTHING;
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS _moved (id uuid, created_at timestamptz, status text, provider_code text, at timestamptz) ON COMMIT DROP;
  TRUNCATE _moved;

  -- An RCS message whose time to live ran out undelivered (Google revoked it) goes out as SMS when
  -- it has the fallback: back in the outbox as an SMS (the dispatcher applies quiet hours again).
  WITH fallen AS (
    UPDATE messages m
       SET channel = 'sms', fell_back = true, status = 'queued', provider_id = NULL, connector = NULL,
           sender = m.content -> 'fallbackSms' ->> 'sender', encoding = m.content -> 'fallbackSms' ->> 'encoding',
           segments = (m.content -> 'fallbackSms' ->> 'segments')::integer,
           content = jsonb_build_object('text', m.content -> 'fallbackSms' ->> 'text'), updated_at = now()
      FROM _receipts x
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
  WITH moved AS (
    UPDATE messages m
       SET status = x.status, done_at = coalesce(m.done_at, x.at), updated_at = now(),
           error_code = CASE WHEN x.status IN ('undelivered', 'expired', 'failed') THEN coalesce(x.provider_code, x.status) ELSE m.error_code END,
           attribution = CASE WHEN x.status IN ('undelivered', 'expired', 'failed') THEN coalesce(x.attribution, 'operator') ELSE m.attribution END
      FROM _receipts x
     WHERE x.message_id = m.id AND x.created_at = m.created_at
       AND (m.status IN ('submitted', 'sending') OR (m.status = 'delivered' AND x.status = 'read'))
    RETURNING m.id, m.created_at, x.status, x.provider_code, x.at
  )
  INSERT INTO _moved SELECT * FROM moved;
  GET DIAGNOSTICS v_matched = ROW_COUNT;

  PERFORM record_status(array_agg(v.id), array_agg(v.created_at), array_agg(v.status),
           array_agg(jsonb_strip_nulls(jsonb_build_object('providerCode', v.provider_code, 'at', v.at))))
     FROM _moved v;
  RETURN v_matched;
END $$;

-- Which tenant an inbound message belongs to: the tenant that owns the number or sender it was
-- sent to, else the tenant that last wrote to this person on this channel (30 days).
CREATE FUNCTION inbound_tenant(p_channel text, p_from text, p_to text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT tenant_id FROM (
    SELECT s.tenant_id, 1 AS rank, now() AS at FROM senders s WHERE s.sender = p_to AND s.status = 'active'
    UNION ALL
    SELECT m.tenant_id, 2, m.created_at FROM messages m
     WHERE m.recipient = p_from AND m.created_at > now() - interval '30 days'
       AND (m.channel = p_channel OR (p_channel = 'sms' AND m.channel = 'rcs'))
  ) candidates
  ORDER BY rank, at DESC
  LIMIT 1
$$;

REVOKE ALL ON FUNCTION enqueue_webhooks, record_status, dispatch_claim, dispatch_complete, apply_receipts, inbound_tenant FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enqueue_webhooks, record_status, dispatch_claim, dispatch_complete, apply_receipts, inbound_tenant TO sofy_app;

-- Outgoing webhook deliveries, claimed by webhook workers across tenants.
CREATE FUNCTION webhook_claim(p_worker text, p_limit integer, p_lease_seconds integer)
RETURNS TABLE (id uuid, tenant_id uuid, endpoint_id uuid, url text, secret text, event_type text, payload jsonb,
               attempts integer, created_at timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH due AS (
    SELECT d.id FROM webhook_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.lease_until IS NULL OR d.lease_until < now())
     ORDER BY d.next_attempt_at
     LIMIT p_limit
     FOR UPDATE OF d SKIP LOCKED
  ), claimed AS (
    UPDATE webhook_deliveries d
       SET lease_until = now() + make_interval(secs => p_lease_seconds), attempts = d.attempts + 1
      FROM due WHERE d.id = due.id
    RETURNING d.*
  )
  SELECT c.id, c.tenant_id, c.endpoint_id, e.url, e.secret, c.event_type, c.payload, c.attempts, c.created_at
    FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id
$$;

-- p_results: [{id, outcome: delivered|retry|failed, statusCode, error, retryAt}]
CREATE FUNCTION webhook_record(p_results jsonb) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE webhook_deliveries d
     SET status = CASE r.outcome WHEN 'delivered' THEN 'delivered' WHEN 'failed' THEN 'failed' ELSE 'pending' END,
         last_status_code = r."statusCode", last_error = r.error, lease_until = NULL,
         next_attempt_at = coalesce(r."retryAt", d.next_attempt_at),
         delivered_at = CASE WHEN r.outcome = 'delivered' THEN now() END
    FROM jsonb_to_recordset(p_results) AS r(id uuid, outcome text, "statusCode" integer, error text, "retryAt" timestamptz)
   WHERE d.id = r.id
$$;

REVOKE ALL ON FUNCTION webhook_claim, webhook_record FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook_claim, webhook_record TO sofy_app;

-- Nightly housekeeping (job `messaging.housekeeping`): partitions ahead, expired idempotency
-- keys (24 h), receipts never matched (3 days), webhook deliveries done over 30 days ago.
CREATE FUNCTION messaging_housekeeping() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_partitions integer := ensure_message_partitions(3);
  v_keys integer;
  v_receipts integer;
  v_deliveries integer;
BEGIN
  DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours';
  GET DIAGNOSTICS v_keys = ROW_COUNT;
  DELETE FROM pending_receipts WHERE received_at < now() - interval '3 days';
  GET DIAGNOSTICS v_receipts = ROW_COUNT;
  DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - interval '30 days';
  GET DIAGNOSTICS v_deliveries = ROW_COUNT;
  RETURN jsonb_build_object('partitionsCreated', v_partitions, 'idempotencyKeys', v_keys, 'pendingReceipts', v_receipts, 'webhookDeliveries', v_deliveries);
END $$;
REVOKE ALL ON FUNCTION messaging_housekeeping FROM PUBLIC;
GRANT EXECUTE ON FUNCTION messaging_housekeeping TO sofy_app;

-- A receipt can race its submit: applied while the submit's commit is still in flight, it finds
-- no message and waits in pending_receipts; if the submit then commits without seeing it, this
-- sweep (run by every dispatcher every few seconds) applies it. Cheap when nothing waits.
CREATE FUNCTION apply_pending_receipts() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  -- A batch of hundreds joined to millions of rows by indexed keys: always index lookups, whatever
  -- the statistics say (a temp table is never analysed; a new partition has none).
  SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_receipts jsonb;
BEGIN
  WITH matched AS (
    DELETE FROM pending_receipts p
     USING messages m
     WHERE m.provider_id = p.provider_id AND m.connector = p.connector AND m.created_at > now() - interval '10 days'
    RETURNING p.provider_id, p.connector, p.status, p.at, p.detail
  )
  SELECT jsonb_agg(jsonb_build_object('providerId', provider_id, 'connector', connector, 'status', status, 'at', at) || detail)
    INTO v_receipts FROM matched;
  IF v_receipts IS NULL THEN RETURN 0; END IF;
  RETURN apply_receipts(v_receipts, false);
END $$;
REVOKE ALL ON FUNCTION apply_pending_receipts FROM PUBLIC;
GRANT EXECUTE ON FUNCTION apply_pending_receipts TO sofy_app;
