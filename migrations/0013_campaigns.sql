-- 0013 — SoReach campaigns (issue 4; R-CONSENT, R-OPTOUT, R-QUIET, R-STOP, R-3RD).
-- A campaign is prepared by a marketer, approved by an admin or owner when the tenant asks for it,
-- then fanned out into the messaging outbox by a background job: in batches of contacts taken in
-- id order (keyset pagination, listmonk style), each batch in one transaction with its checkpoint,
-- so a crash resumes without duplicates (campaign_recipients has one row per campaign and contact)
-- or gaps (the checkpoint only moves with the rows it covers).

CREATE TABLE campaigns (
  tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                  uuid NOT NULL,
  name                text NOT NULL,
  channel             text NOT NULL CHECK (channel IN ('sms', 'rcs', 'email')),
  status              text NOT NULL CHECK (status IN ('draft', 'pending_approval', 'scheduled', 'running', 'testing',
                                                      'paused', 'completed', 'cancelled')),
  -- {sender, subject?, variants: [{key, split, text?, subject?, html?, suggestions?}], rcsFallback}
  content             jsonb NOT NULL,
  -- The targets of the {{link:…}} merge fields of every variant, in order: /r/{token}{index}.
  links               text[] NOT NULL DEFAULT '{}',
  -- {include: [segment ids], exclude: [segment ids]}; no include = every contact of the tenant.
  audience            jsonb NOT NULL,
  -- A/B test: {winner: {metric: 'click_rate' | 'delivery_rate', afterHours}} or null (plain split).
  ab                  jsonb,
  throttle_per_minute integer CHECK (throttle_per_minute IS NULL OR throttle_per_minute > 0),
  scheduled_at        timestamptz,           -- null: as soon as approved
  phase               text CHECK (phase IN ('all', 'test', 'winner')),
  winner_variant      text,
  winner_at           timestamptz,
  test_started_at     timestamptz,
  estimate            jsonb,                 -- recipients and cost when it was submitted
  rejection_reason    text,
  created_by          text,
  submitted_by        text,
  submitted_at        timestamptz,
  approved_by         text,
  approved_at         timestamptz,
  started_at          timestamptz,
  paused_at           timestamptz,
  completed_at        timestamptz,
  cancelled_at        timestamptz,
  -- The fan-out job's lease: another worker takes a fan-out over only when it ran out.
  fanout_owner        text,
  fanout_lease_until  timestamptz,
  fanout_done_at      timestamptz,
  last_send_at        timestamptz,           -- the latest sendAt of its messages: running until then
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX campaigns_tenant_created_idx ON campaigns (tenant_id, created_at DESC, id DESC);
-- The scheduler's scan: campaigns with work to do, across tenants.
CREATE INDEX campaigns_due_idx ON campaigns (status, scheduled_at) WHERE status IN ('scheduled', 'running', 'testing');
ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON campaigns TO sofy_app;

-- Fan-out progress of a phase: the contact id space is cut into lanes (one for small audiences)
-- that run side by side; each keeps its keyset cursor (the last contact id it covered) and the
-- number of messages it made (their ordinal drives the throttle).
CREATE TABLE campaign_fanout_lanes (
  tenant_id    uuid NOT NULL,
  campaign_id  uuid NOT NULL,
  phase        text NOT NULL,
  lane         integer NOT NULL,
  lanes        integer NOT NULL,
  lower_id     uuid,                  -- exclusive; null: from the first contact
  upper_id     uuid,                  -- inclusive; null: to the last contact
  cursor_id    uuid,                  -- last contact id covered (exclusive lower bound of the next batch)
  made         bigint NOT NULL DEFAULT 0,
  skipped      bigint NOT NULL DEFAULT 0,
  done         boolean NOT NULL DEFAULT false,
  last_send_at timestamptz,           -- the latest sendAt this lane gave a message
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, campaign_id, phase, lane),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE campaign_fanout_lanes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_fanout_lanes USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON campaign_fanout_lanes TO sofy_app;

-- One row per contact a campaign reached (or skipped, with the reason): the idempotency key of the
-- fan-out, the variant of the A/B test, the message, and the token of its tracked links.
CREATE TABLE campaign_recipients (
  tenant_id           uuid NOT NULL,
  campaign_id         uuid NOT NULL,
  contact_id          uuid NOT NULL,
  variant             text NOT NULL,
  phase               text NOT NULL,
  address             text NOT NULL,
  message_id          uuid,
  message_created_at  timestamptz,
  token               text,                  -- /r/{token}{link}, /o/{token}.gif
  skip_reason         text,                  -- no message: why (invalid_phone_number, text_too_long…)
  created_at          timestamptz NOT NULL,
  -- No foreign key to campaigns: its check would cost ~5 µs per row of a million-row fan-out (and
  -- lock the campaign row for each); the trigger below deletes them with their campaign.
  PRIMARY KEY (tenant_id, campaign_id, contact_id),
  CHECK ((message_id IS NULL) = (skip_reason IS NOT NULL))
);
CREATE UNIQUE INDEX campaign_recipients_token_key ON campaign_recipients (token) WHERE token IS NOT NULL;
ALTER TABLE campaign_recipients ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_recipients USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON campaign_recipients TO sofy_app;

-- Without the foreign key, a campaign's recipients go with it (a draft has none; a tenant's
-- deletion cascades to its campaigns, R-DELETE).
CREATE FUNCTION campaign_recipients_cleanup() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM campaign_recipients WHERE tenant_id = OLD.tenant_id AND campaign_id = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER campaign_recipients_cleanup AFTER DELETE ON campaigns
  FOR EACH ROW EXECUTE FUNCTION campaign_recipients_cleanup();

-- Every click on a tracked link (total); unique clicks are distinct contacts.
CREATE TABLE link_clicks (
  tenant_id    uuid NOT NULL,
  campaign_id  uuid NOT NULL,
  contact_id   uuid NOT NULL,
  variant      text NOT NULL,
  link         integer NOT NULL,
  url          text NOT NULL,
  at           timestamptz NOT NULL,
  user_agent   text,
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX link_clicks_campaign_idx ON link_clicks (tenant_id, campaign_id, contact_id);
ALTER TABLE link_clicks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON link_clicks USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON link_clicks TO sofy_app;

-- Outbox rows of a paused campaign, taken out so no dispatcher sends them; put back on resume.
CREATE TABLE campaign_paused_outbox (
  tenant_id           uuid NOT NULL,
  campaign_id         uuid NOT NULL,
  message_id          uuid NOT NULL,
  message_created_at  timestamptz NOT NULL,
  channel             text NOT NULL,
  route               text,
  priority            smallint NOT NULL,
  due_at              timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, message_id),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_paused_outbox_campaign_idx ON campaign_paused_outbox (tenant_id, campaign_id);
ALTER TABLE campaign_paused_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_paused_outbox USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON campaign_paused_outbox TO sofy_app;

-- The scheduler's work across tenants (job `campaigns.tick`, every minute): campaigns due to
-- start, fan-outs to (re)start (never started, or their worker's lease ran out: it died), A/B
-- tests whose winner is due, and campaigns whose last message's time has passed. Only ids and
-- the kind of work leave this function; the work itself runs in the tenant's context.
CREATE FUNCTION campaign_due_work(p_now timestamptz) RETURNS TABLE (tenant_id uuid, campaign_id uuid, work text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT c.tenant_id, c.id,
         CASE WHEN c.status = 'scheduled' THEN 'start'
              WHEN c.fanout_done_at IS NULL THEN 'fanout'
              WHEN c.status = 'testing' THEN 'winner'
              ELSE 'complete' END
    FROM campaigns c
    JOIN tenants t ON t.id = c.tenant_id AND t.status = 'active'
   WHERE c.status IN ('scheduled', 'running', 'testing')
     AND ((c.status = 'scheduled' AND coalesce(c.scheduled_at, '-infinity') <= p_now)
       OR (c.status IN ('running', 'testing') AND c.fanout_done_at IS NULL
           AND (c.fanout_lease_until IS NULL OR c.fanout_lease_until < p_now))
       OR (c.status = 'testing' AND c.fanout_done_at IS NOT NULL
           AND c.test_started_at + make_interval(hours => coalesce((c.ab -> 'winner' ->> 'afterHours')::integer, 0)) <= p_now)
       OR (c.status = 'running' AND c.fanout_done_at IS NOT NULL AND coalesce(c.last_send_at, '-infinity') <= p_now))
   ORDER BY c.scheduled_at NULLS FIRST
   LIMIT 500
$$;
REVOKE ALL ON FUNCTION campaign_due_work FROM PUBLIC;
GRANT EXECUTE ON FUNCTION campaign_due_work TO sofy_app;

-- Tracking (public routes) ----------------------------------------------------------------------
-- /r/{token}{link} and the open pixel come without a tenant: these functions find the recipient by
-- its token (unique across tenants), record the event in that tenant's rows and return what the
-- route needs. Nothing else of the tenant is readable through them.
CREATE FUNCTION campaign_link_click(p_token text, p_link integer, p_at timestamptz, p_user_agent text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_tenant uuid;
  v_campaign uuid;
  v_contact uuid;
  v_variant text;
  v_message uuid;
  v_channel text;
  v_url text;
BEGIN
  SELECT r.tenant_id, r.campaign_id, r.contact_id, r.variant, r.message_id, c.channel, c.links[p_link + 1]
    INTO v_tenant, v_campaign, v_contact, v_variant, v_message, v_channel, v_url
    FROM campaign_recipients r
    JOIN campaigns c ON c.tenant_id = r.tenant_id AND c.id = r.campaign_id
   WHERE r.token = p_token;
  IF v_url IS NULL THEN RETURN NULL; END IF;
  INSERT INTO link_clicks (tenant_id, campaign_id, contact_id, variant, link, url, at, user_agent)
  VALUES (v_tenant, v_campaign, v_contact, v_variant, p_link, v_url, p_at, left(p_user_agent, 300));
  -- The contact may have been erased since (R-DSR): the click still counts for the campaign.
  INSERT INTO contact_activity (tenant_id, contact_id, kind, channel, campaign_id, message_id, at)
  SELECT v_tenant, v_contact, 'clicked', v_channel, v_campaign, v_message, p_at
   WHERE EXISTS (SELECT 1 FROM contacts WHERE tenant_id = v_tenant AND id = v_contact);
  UPDATE contacts SET last_activity_at = greatest(coalesce(last_activity_at, p_at), p_at)
   WHERE tenant_id = v_tenant AND id = v_contact;
  RETURN v_url;
END $$;

CREATE FUNCTION campaign_email_open(p_token text, p_at timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_tenant uuid;
  v_campaign uuid;
  v_contact uuid;
  v_message uuid;
BEGIN
  SELECT r.tenant_id, r.campaign_id, r.contact_id, r.message_id INTO v_tenant, v_campaign, v_contact, v_message
    FROM campaign_recipients r
   WHERE r.token = p_token;
  IF v_tenant IS NULL THEN RETURN false; END IF;
  INSERT INTO contact_activity (tenant_id, contact_id, kind, channel, campaign_id, message_id, at)
  SELECT v_tenant, v_contact, 'opened', 'email', v_campaign, v_message, p_at
   WHERE EXISTS (SELECT 1 FROM contacts WHERE tenant_id = v_tenant AND id = v_contact);
  RETURN true;
END $$;

REVOKE ALL ON FUNCTION campaign_link_click, campaign_email_open FROM PUBLIC;
GRANT EXECUTE ON FUNCTION campaign_link_click, campaign_email_open TO sofy_app;

-- Consent and opt-out win over messages already fanned out -----------------------------------
-- A campaign message can wait in the outbox for hours (throttle, R-QUIET hold until 08:00, a
-- retry after an operator error). If its recipient opts out (R-OPTOUT) or withdraws consent
-- (R-CONSENT) meanwhile, it must not leave: its outbox row is removed and the message recorded as
-- `suppressed`, in the transaction that records the opt-out. A message a dispatcher holds at that
-- very moment (leased, being submitted) is already on its way.
CREATE FUNCTION campaign_cancel_pending(p_tenant uuid, p_ids uuid[], p_created timestamptz[], p_code text, p_message text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_count integer;
BEGIN
  WITH candidates AS (
    SELECT * FROM unnest(p_ids, p_created) AS c(id, created_at)
  ), unqueued AS (
    DELETE FROM outbox o USING candidates c
     WHERE o.message_id = c.id AND o.lease_until IS NULL
    RETURNING o.message_id, o.message_created_at
  ), unpaused AS (
    DELETE FROM campaign_paused_outbox p USING candidates c
     WHERE p.tenant_id = p_tenant AND p.message_id = c.id
    RETURNING p.message_id, p.message_created_at
  ), stopped AS (
    UPDATE messages m
       SET status = 'suppressed', error_code = p_code, error_message = p_message, attribution = 'recipient',
           done_at = now(), updated_at = now()
      FROM (SELECT * FROM unqueued UNION SELECT * FROM unpaused) s
     WHERE m.id = s.message_id AND m.created_at = s.message_created_at AND m.status IN ('queued', 'scheduled')
    RETURNING m.tenant_id, m.id, m.created_at
  ), events AS (
    INSERT INTO message_events (tenant_id, message_id, at, status, detail)
    SELECT tenant_id, id, now(), 'suppressed', jsonb_build_object('errorCode', p_code) FROM stopped
  )
  SELECT count(*) INTO v_count FROM stopped;
  RETURN v_count;
END $$;
REVOKE ALL ON FUNCTION campaign_cancel_pending FROM PUBLIC;

CREATE FUNCTION campaign_on_suppression() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ids uuid[];
  v_created timestamptz[];
BEGIN
  SELECT array_agg(m.id), array_agg(m.created_at) INTO v_ids, v_created
    FROM messages m
   WHERE m.tenant_id = NEW.tenant_id AND m.recipient = NEW.address
     AND m.campaign_id IS NOT NULL AND m.status IN ('queued', 'scheduled');
  IF v_ids IS NOT NULL THEN
    PERFORM campaign_cancel_pending(NEW.tenant_id, v_ids, v_created, 'recipient_opted_out',
      'The recipient opted out of this account''s marketing before the message left (R-OPTOUT)');
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER campaign_on_suppression AFTER INSERT ON suppressions
  FOR EACH ROW EXECUTE FUNCTION campaign_on_suppression();

CREATE FUNCTION campaign_on_consent_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_ids uuid[];
  v_created timestamptz[];
  v_sms boolean := true;
  v_rcs boolean := true;
  v_email boolean := true;
BEGIN
  -- The channels this change takes consent away from (an erasure takes every one).
  IF TG_OP = 'UPDATE' THEN
    v_sms := NEW.consent_sms <> 'granted';
    v_rcs := NEW.consent_rcs <> 'granted';
    v_email := NEW.consent_email <> 'granted';
  END IF;
  -- The contact's waiting campaign messages, found by its address (the messages' own index).
  SELECT array_agg(m.id), array_agg(m.created_at) INTO v_ids, v_created
    FROM messages m
   WHERE m.tenant_id = OLD.tenant_id AND m.recipient IN (OLD.phone, OLD.email)
     AND m.campaign_id IS NOT NULL AND m.status IN ('queued', 'scheduled')
     AND ((m.channel = 'sms' AND v_sms) OR (m.channel = 'rcs' AND v_rcs) OR (m.channel = 'email' AND v_email));
  IF v_ids IS NOT NULL THEN
    PERFORM campaign_cancel_pending(OLD.tenant_id, v_ids, v_created,
      CASE WHEN TG_OP = 'DELETE' THEN 'contact_erased' ELSE 'consent_withdrawn' END,
      CASE WHEN TG_OP = 'DELETE' THEN 'The contact was erased before the message left (R-DSR)'
           ELSE 'The contact withdrew consent for this channel before the message left (R-CONSENT)' END);
  END IF;
  RETURN NULL;
END $$;
-- Row triggers with a WHEN clause: a bulk update (an import) pays only a comparison per row; the
-- function runs for the contacts that lose a consent.
CREATE TRIGGER campaign_on_consent_change AFTER UPDATE ON contacts
  FOR EACH ROW
  WHEN ((OLD.consent_sms = 'granted' AND NEW.consent_sms <> 'granted')
     OR (OLD.consent_rcs = 'granted' AND NEW.consent_rcs <> 'granted')
     OR (OLD.consent_email = 'granted' AND NEW.consent_email <> 'granted'))
  EXECUTE FUNCTION campaign_on_consent_change();
CREATE TRIGGER campaign_on_contact_erased AFTER DELETE ON contacts
  FOR EACH ROW EXECUTE FUNCTION campaign_on_consent_change();
