-- 0016 — consent, consent history and activity rows keep their contact without a row-by-row
-- foreign key.
--
-- Why: each of these foreign keys checks its contact per inserted row and takes a FOR KEY SHARE
-- lock on it (a heap write and a WAL record per contact). Measured (bench/RESULTS.md §5 and §7):
-- ~48 % of the PostgreSQL time of a contact import (5 checks per contact with two consent
-- channels) and 29 ms of the 42 µs-per-message statement time of a 5,000-message campaign batch.
--
-- What replaces them, so that no row outlives its contact (R-DSR erasure, R-DELETE):
--  * every writer makes sure the contact exists in its own transaction: the import inserts new
--    contacts with their consents in one statement; recordConsent and recordContactActivity update
--    (so lock) the contact row first; the click and open tracking below lock it FOR KEY SHARE as
--    the foreign key did; the campaign fan-out, which reads thousands of contacts per batch, holds
--    the tenant's erasure lock in shared mode while an erasure takes it exclusively
--    (contacts/repo.ts, lockContactsAgainstErasure), so an erasure waits for the batches in flight
--    and later batches no longer see the contact;
--  * one statement-level trigger deletes a deleted contact's rows set-based (an erasure, or a
--    tenant's deletion cascading to its contacts).

ALTER TABLE contact_consents DROP CONSTRAINT contact_consents_tenant_id_contact_id_fkey;
ALTER TABLE contact_consent_events DROP CONSTRAINT contact_consent_events_tenant_id_contact_id_fkey;
ALTER TABLE contact_activity DROP CONSTRAINT contact_activity_tenant_id_contact_id_fkey;

CREATE FUNCTION contacts_delete_dependants() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM contact_consents c USING gone g WHERE c.tenant_id = g.tenant_id AND c.contact_id = g.id;
  DELETE FROM contact_consent_events e USING gone g WHERE e.tenant_id = g.tenant_id AND e.contact_id = g.id;
  DELETE FROM contact_activity a USING gone g WHERE a.tenant_id = g.tenant_id AND a.contact_id = g.id;
  RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION contacts_delete_dependants FROM PUBLIC;
CREATE TRIGGER contacts_delete_dependants AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION contacts_delete_dependants();

-- Tracking: a click or an open after the contact's erasure still counts for the campaign, but
-- writes no activity; the contact row is locked as the foreign key did, so an erasure running at
-- the same moment cannot leave the activity behind.
CREATE OR REPLACE FUNCTION campaign_link_click(p_token text, p_link integer, p_at timestamptz, p_user_agent text)
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
  PERFORM 1 FROM contacts WHERE tenant_id = v_tenant AND id = v_contact FOR KEY SHARE;
  IF FOUND THEN
    INSERT INTO contact_activity (tenant_id, contact_id, kind, channel, campaign_id, message_id, at)
    VALUES (v_tenant, v_contact, 'clicked', v_channel, v_campaign, v_message, p_at);
    UPDATE contacts SET last_activity_at = greatest(coalesce(last_activity_at, p_at), p_at)
     WHERE tenant_id = v_tenant AND id = v_contact;
  END IF;
  RETURN v_url;
END $$;

CREATE OR REPLACE FUNCTION campaign_email_open(p_token text, p_at timestamptz) RETURNS boolean
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
  PERFORM 1 FROM contacts WHERE tenant_id = v_tenant AND id = v_contact FOR KEY SHARE;
  IF FOUND THEN
    INSERT INTO contact_activity (tenant_id, contact_id, kind, channel, campaign_id, message_id, at)
    VALUES (v_tenant, v_contact, 'opened', 'email', v_campaign, v_message, p_at);
  END IF;
  RETURN true;
END $$;
