-- 0010 — SoReach contacts and consent (issue 4; R-CONSENT, R-OPTOUT, R-DSR, R-REVERSIBILITY).
-- One row per person per tenant; phone (E.164) and email are each unique per tenant. The current
-- consent per channel is kept on the contact (segment counts filter on it over a million rows);
-- how and when it was given is in contact_consents, and every change in contact_consent_events.

CREATE TABLE contacts (
  tenant_id         uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                uuid NOT NULL,
  phone             text,                          -- E.164
  email             text,                          -- lower case
  first_name        text,
  last_name         text,
  language          text,                          -- ISO 639-1: fr, en…
  attributes        jsonb NOT NULL DEFAULT '{}'::jsonb,  -- typed custom fields (contact_attribute_definitions)
  tags              text[] NOT NULL DEFAULT '{}',
  point_of_sale     text,                          -- preferred point of sale (its code)
  external_id       text,                          -- the client's own id (CRM, loyalty card)
  consent_sms       text NOT NULL DEFAULT 'unknown',
  consent_email     text NOT NULL DEFAULT 'unknown',
  consent_whatsapp  text NOT NULL DEFAULT 'unknown',
  consent_rcs       text NOT NULL DEFAULT 'unknown',
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  last_activity_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK (phone IS NOT NULL OR email IS NOT NULL),
  CHECK (consent_sms IN ('unknown', 'granted', 'refused', 'withdrawn')),
  CHECK (consent_email IN ('unknown', 'granted', 'refused', 'withdrawn')),
  CHECK (consent_whatsapp IN ('unknown', 'granted', 'refused', 'withdrawn')),
  CHECK (consent_rcs IN ('unknown', 'granted', 'refused', 'withdrawn'))
);
CREATE UNIQUE INDEX contacts_phone_key ON contacts (tenant_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX contacts_email_key ON contacts (tenant_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_external_key ON contacts (tenant_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX contacts_created_idx ON contacts (tenant_id, created_at DESC, id DESC);
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags);
CREATE INDEX contacts_attributes_idx ON contacts USING gin (attributes jsonb_path_ops);
CREATE INDEX contacts_last_name_idx ON contacts (tenant_id, lower(last_name) text_pattern_ops);
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contacts USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON contacts TO sofy_app;

-- Typed custom fields: what `attributes` may hold, for validation, import mapping and segments.
CREATE TABLE contact_attribute_definitions (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  label       text NOT NULL,
  type        text NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean', 'choice')),
  choices     text[],                               -- for `choice`
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
ALTER TABLE contact_attribute_definitions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_attribute_definitions USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON contact_attribute_definitions TO sofy_app;

-- The consent in force per channel: how it was obtained (R-CONSENT: source, date, proof).
CREATE TABLE contact_consents (
  tenant_id   uuid NOT NULL,
  contact_id  uuid NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('sms', 'email', 'whatsapp', 'rcs')),
  status      text NOT NULL CHECK (status IN ('granted', 'refused', 'withdrawn')),
  source      text NOT NULL CHECK (source IN ('form', 'import', 'api', 'in_store', 'console', 'opt_out')),
  at          timestamptz NOT NULL,
  proof       jsonb NOT NULL DEFAULT '{}'::jsonb,   -- text shown, IP, user agent, operator, import id…
  PRIMARY KEY (tenant_id, contact_id, channel),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE contact_consents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_consents USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON contact_consents TO sofy_app;

-- Every consent change, never updated: the history a data-protection audit asks for.
CREATE TABLE contact_consent_events (
  tenant_id   uuid NOT NULL,
  contact_id  uuid NOT NULL,
  channel     text NOT NULL,
  status      text NOT NULL,
  source      text NOT NULL,
  at          timestamptz NOT NULL,
  proof       jsonb NOT NULL DEFAULT '{}'::jsonb,
  actor       text,                                 -- user id, API key id, `import:<id>`, `inbound`
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_consent_events_contact_idx ON contact_consent_events (tenant_id, contact_id, at);
ALTER TABLE contact_consent_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_consent_events USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON contact_consent_events TO sofy_app;

-- Behaviour, for segments and the contact timeline: received, clicked, replied, opted_out, with
-- the campaign when there is one. Appended by fan-out, click tracking, inbound and opt-outs.
CREATE TABLE contact_activity (
  tenant_id    uuid NOT NULL,
  contact_id   uuid NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('received', 'clicked', 'opened', 'replied', 'opted_out')),
  channel      text,
  campaign_id  uuid,
  message_id   uuid,
  at           timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_activity_contact_idx ON contact_activity (tenant_id, contact_id, at DESC);
CREATE INDEX contact_activity_kind_idx ON contact_activity (tenant_id, kind, at);
CREATE INDEX contact_activity_campaign_idx ON contact_activity (tenant_id, campaign_id, kind) WHERE campaign_id IS NOT NULL;
ALTER TABLE contact_activity ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_activity USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON contact_activity TO sofy_app;

-- R-CONSENT on the send path (issue 3 and 4): a known contact whose consent for the channel is
-- refused or withdrawn gets no marketing; the messaging insert stores such a message as
-- `suppressed`, as it does for the suppression list. One indexed probe (contacts_phone_key or
-- contacts_email_key) per message; SECURITY INVOKER, so RLS keeps it inside the tenant.
CREATE FUNCTION contact_consent_blocks(p_tenant_id uuid, p_channel text, p_address text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_channel = 'email' THEN EXISTS (
      SELECT 1 FROM contacts c
       WHERE c.tenant_id = p_tenant_id AND c.email = lower(p_address) AND c.consent_email IN ('refused', 'withdrawn'))
    WHEN p_channel IN ('sms', 'whatsapp', 'rcs') THEN EXISTS (
      SELECT 1 FROM contacts c
       WHERE c.tenant_id = p_tenant_id AND c.phone = p_address
         AND (CASE p_channel WHEN 'sms' THEN c.consent_sms WHEN 'whatsapp' THEN c.consent_whatsapp ELSE c.consent_rcs END) IN ('refused', 'withdrawn'))
    ELSE false
  END
$$;
REVOKE ALL ON FUNCTION contact_consent_blocks FROM PUBLIC;
GRANT EXECUTE ON FUNCTION contact_consent_blocks TO sofy_app;
