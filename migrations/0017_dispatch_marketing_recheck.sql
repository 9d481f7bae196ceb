-- 0017 — a marketing message is checked against the suppression list and the contact's consent
-- again when a dispatcher takes it, whatever path brought it there (issue 4, "must hold": a
-- contact without consent, or suppressed, never receives a marketing message, whatever the path —
-- campaign, API, retry).
--
-- Acceptance (migration 0007) and the campaign fan-out check both, and the triggers of migration
-- 0013 take waiting messages out when a STOP or a withdrawal arrives; what they could not cover:
-- a message a dispatcher held at that very moment and that came back for a retry, a message sent
-- through the API before the recipient became a contact who refused, a recovered lease. The claim
-- now says `blocked_by` ('opted_out' | 'no_consent') and the dispatcher records such a message as
-- `suppressed` (dispatch_complete's new outcome), never submitted, never billed.
--
-- The triggers of 0013 also take waiting API marketing messages out now (they looked at campaign
-- messages only), so a STOP frees the outbox at once, with a webhook-visible reason.

DROP FUNCTION dispatch_claim(text, integer, integer);

CREATE FUNCTION dispatch_claim(p_worker text, p_limit integer, p_lease_seconds integer)
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
         coalesce((SELECT (t.settings ->> 'avoidSundaysAndHolidays')::boolean FROM tenants t WHERE t.id = marked.tenant_id), false),
         -- R-OPTOUT and R-CONSENT at the moment of sending, for marketing only: the same two
         -- checks as acceptance (insert_prepared_messages, migration 0007), two index probes.
         CASE WHEN marked.route = 'marketing' THEN
           CASE WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.tenant_id = marked.tenant_id AND s.address = marked.recipient) THEN 'opted_out'
                WHEN contact_consent_blocks(marked.tenant_id, marked.channel, marked.recipient) THEN 'no_consent' END
         END
    FROM marked
$$;

REVOKE ALL ON FUNCTION dispatch_claim FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dispatch_claim TO sofy_app;

-- p_results outcomes: submitted | retry | failed | expired | suppressed (the send-time check above).
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
    -- Final failures (R-3RD: who failed is recorded), and messages the send-time check stopped.
    UPDATE messages m
       SET status = CASE r.outcome WHEN 'expired' THEN 'expired' WHEN 'suppressed' THEN 'suppressed' ELSE 'failed' END,
           error_code = r.error_code, error_message = r.error_message, attribution = r.attribution, done_at = now(), updated_at = now()
      FROM r
     WHERE r.outcome IN ('failed', 'expired', 'suppressed') AND m.id = r.id AND m.created_at = r.created_at
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


-- Waiting marketing messages of every origin leave the outbox with the opt-out or the withdrawal.
CREATE OR REPLACE FUNCTION campaign_on_suppression() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ids uuid[];
  v_created timestamptz[];
BEGIN
  SELECT array_agg(m.id), array_agg(m.created_at) INTO v_ids, v_created
    FROM messages m
   WHERE m.tenant_id = NEW.tenant_id AND m.recipient = NEW.address
     AND m.route = 'marketing' AND m.status IN ('queued', 'scheduled');
  IF v_ids IS NOT NULL THEN
    PERFORM campaign_cancel_pending(NEW.tenant_id, v_ids, v_created, 'recipient_opted_out',
      'The recipient opted out of this account''s marketing before the message left (R-OPTOUT)');
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION campaign_on_consent_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ids uuid[];
  v_created timestamptz[];
  v_sms boolean := true;
  v_rcs boolean := true;
  v_email boolean := true;
  v_whatsapp boolean := true;
BEGIN
  -- The channels this change takes consent away from (an erasure takes every one). A campaign
  -- needs `granted`; an API message is refused only by `refused`/`withdrawn` (R-CONSENT).
  IF TG_OP = 'UPDATE' THEN
    v_sms := NEW.consent_sms IS DISTINCT FROM OLD.consent_sms AND NEW.consent_sms <> 'granted';
    v_rcs := NEW.consent_rcs IS DISTINCT FROM OLD.consent_rcs AND NEW.consent_rcs <> 'granted';
    v_email := NEW.consent_email IS DISTINCT FROM OLD.consent_email AND NEW.consent_email <> 'granted';
    v_whatsapp := NEW.consent_whatsapp IS DISTINCT FROM OLD.consent_whatsapp AND NEW.consent_whatsapp <> 'granted';
  END IF;
  -- The contact's waiting marketing messages, found by its address (the messages' own index):
  -- a campaign's on any loss of consent, an API one when consent is refused or withdrawn.
  SELECT array_agg(m.id), array_agg(m.created_at) INTO v_ids, v_created
    FROM messages m
   WHERE m.tenant_id = OLD.tenant_id AND m.recipient IN (OLD.phone, OLD.email)
     AND m.route = 'marketing' AND m.status IN ('queued', 'scheduled')
     AND ((m.channel = 'sms' AND v_sms) OR (m.channel = 'rcs' AND v_rcs) OR (m.channel = 'email' AND v_email)
          OR (m.channel = 'whatsapp' AND v_whatsapp))
     AND (m.campaign_id IS NOT NULL OR TG_OP = 'DELETE'
          OR (CASE m.channel WHEN 'sms' THEN NEW.consent_sms WHEN 'rcs' THEN NEW.consent_rcs
                             WHEN 'email' THEN NEW.consent_email ELSE NEW.consent_whatsapp END) IN ('refused', 'withdrawn'));
  IF v_ids IS NOT NULL THEN
    PERFORM campaign_cancel_pending(OLD.tenant_id, v_ids, v_created,
      CASE WHEN TG_OP = 'DELETE' THEN 'contact_erased' ELSE 'consent_withdrawn' END,
      CASE WHEN TG_OP = 'DELETE' THEN 'The contact was erased before the message left (R-DSR)'
           ELSE 'The contact withdrew consent for this channel before the message left (R-CONSENT)' END);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER campaign_on_consent_change ON contacts;
CREATE TRIGGER campaign_on_consent_change AFTER UPDATE ON contacts
  FOR EACH ROW
  WHEN ((OLD.consent_sms = 'granted' AND NEW.consent_sms <> 'granted')
     OR (OLD.consent_rcs = 'granted' AND NEW.consent_rcs <> 'granted')
     OR (OLD.consent_email = 'granted' AND NEW.consent_email <> 'granted')
     OR (OLD.consent_whatsapp = 'granted' AND NEW.consent_whatsapp <> 'granted')
     OR (NEW.consent_sms IN ('refused', 'withdrawn') AND OLD.consent_sms IS DISTINCT FROM NEW.consent_sms)
     OR (NEW.consent_rcs IN ('refused', 'withdrawn') AND OLD.consent_rcs IS DISTINCT FROM NEW.consent_rcs)
     OR (NEW.consent_email IN ('refused', 'withdrawn') AND OLD.consent_email IS DISTINCT FROM NEW.consent_email)
     OR (NEW.consent_whatsapp IN ('refused', 'withdrawn') AND OLD.consent_whatsapp IS DISTINCT FROM NEW.consent_whatsapp))
  EXECUTE FUNCTION campaign_on_consent_change();
