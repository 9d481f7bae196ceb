-- 0003 — messaging services (issue 3): messages and their history (partitioned by month), the
-- dispatch outbox, suppression list, usage records, idempotency keys, senders, inbound messages,
-- WhatsApp conversation windows, tenant price overrides, outgoing webhooks.
-- Dispatchers and receipt handlers are platform workers serving every tenant: they act only
-- through the SECURITY DEFINER functions of migration 0004, never with RLS switched off.

-- Messages -------------------------------------------------------------------------------------
-- id is a UUIDv7 and created_at is the instant it carries, so a message's partition is known from
-- its id (GET /v1/messages/{id} prunes to one partition).
CREATE TABLE messages (
  id              uuid NOT NULL,
  created_at      timestamptz NOT NULL,
  tenant_id       uuid NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('sms', 'rcs', 'whatsapp', 'email')),
  route           text CHECK (route IN ('marketing', 'alert')),
  status          text NOT NULL CHECK (status IN ('queued', 'scheduled', 'sending', 'submitted', 'delivered',
                                                   'undelivered', 'expired', 'failed', 'suppressed', 'read')),
  sender          text,
  recipient       text NOT NULL,
  country         text,
  content         jsonb NOT NULL,       -- text, subject/html, template, suggestions: what was sent
  encoding        text,
  segments        integer,
  characters      integer,
  price_millicents bigint,              -- estimate at acceptance; the usage record holds the billed amount
  send_at         timestamptz NOT NULL, -- when it may leave (scheduling, quiet hours)
  expires_at      timestamptz,
  fallback        text,                 -- 'sms' for RCS
  fell_back       boolean NOT NULL DEFAULT false,
  provider_id     text,
  connector       text,
  attempts        integer NOT NULL DEFAULT 0,
  error_code      text,
  error_message   text,
  attribution     text CHECK (attribution IN ('platform', 'operator', 'meta', 'google', 'recipient')),
  metadata        jsonb,
  api_key_id      uuid,
  campaign_id     uuid,
  warnings        text[] NOT NULL DEFAULT '{}',
  submitted_at    timestamptz,
  done_at         timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX messages_tenant_created_idx ON messages (tenant_id, created_at DESC, id DESC);
CREATE INDEX messages_tenant_recipient_idx ON messages (tenant_id, recipient, created_at DESC);
CREATE INDEX messages_provider_idx ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_recipient_idx ON messages (recipient, created_at DESC); -- inbound routing
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON messages USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON messages TO sofy_app;

CREATE TABLE message_events (
  tenant_id   uuid NOT NULL,
  message_id  uuid NOT NULL,
  at          timestamptz NOT NULL,
  status      text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb
) PARTITION BY RANGE (at);
CREATE INDEX message_events_message_idx ON message_events (message_id, at);
ALTER TABLE message_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON message_events USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON message_events TO sofy_app;

-- Monthly partitions, created ahead by `ensure_message_partitions` (at migration and nightly).
-- A default partition catches anything outside them, so no insert ever fails for want of one.
CREATE TABLE messages_default PARTITION OF messages DEFAULT;
CREATE TABLE message_events_default PARTITION OF message_events DEFAULT;

CREATE FUNCTION ensure_message_partitions(p_months_ahead integer DEFAULT 3) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_month date := date_trunc('month', now() - interval '1 month')::date;
  v_created integer := 0;
  v_table text;
BEGIN
  FOR i IN 0 .. p_months_ahead + 1 LOOP
    FOREACH v_table IN ARRAY ARRAY['messages', 'message_events'] LOOP
      IF to_regclass(format('%s_%s', v_table, to_char(v_month, 'YYYYMM'))) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
          format('%s_%s', v_table, to_char(v_month, 'YYYYMM')), v_table, v_month, (v_month + interval '1 month')::date);
        v_created := v_created + 1;
      END IF;
    END LOOP;
    v_month := (v_month + interval '1 month')::date;
  END LOOP;
  RETURN v_created;
END $$;
REVOKE ALL ON FUNCTION ensure_message_partitions FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_message_partitions TO sofy_app;
SELECT ensure_message_partitions(3);

-- The dispatch outbox: only work still to do; a row leaves when the message reaches an outcome.
CREATE TABLE outbox (
  message_id         uuid PRIMARY KEY,
  message_created_at timestamptz NOT NULL,
  tenant_id          uuid NOT NULL,
  channel            text NOT NULL,
  route              text,
  priority           smallint NOT NULL DEFAULT 5,   -- alerts (1) before marketing (5)
  due_at             timestamptz NOT NULL,
  attempts           integer NOT NULL DEFAULT 0,
  lease_until        timestamptz,                    -- claimed by a dispatcher until then
  leased_by          text,
  last_error         text
);
CREATE INDEX outbox_due_idx ON outbox (priority, due_at);
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON outbox TO sofy_app;

-- Receipts that arrive before the submit they confirm is recorded (the SMSC can be faster than
-- our batched commit): kept here and applied when the submit lands.
CREATE TABLE pending_receipts (
  provider_id text NOT NULL,
  connector   text NOT NULL,
  status      text NOT NULL,
  at          timestamptz NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, connector)
);
-- Platform table (no tenant data): only the dispatch functions touch it.

-- R-OPTOUT: suppression list, per tenant, for marketing.
CREATE TABLE suppressions (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  address     text NOT NULL,            -- E.164 phone or lower-case email
  source      text NOT NULL CHECK (source IN ('sms_stop', 'email_unsubscribe', 'whatsapp_optout', 'rcs_stop', 'api', 'console', 'import')),
  channel     text,                     -- where the opt-out came from
  detail      text,                     -- e.g. the STOP message text
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, address)
);
ALTER TABLE suppressions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON suppressions USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON suppressions TO sofy_app;

-- Usage for billing: one record per message that left (R-APIKEY: every message sent is billed).
CREATE TABLE usage_records (
  id               bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id        uuid NOT NULL,
  message_id       uuid NOT NULL,
  at               timestamptz NOT NULL,
  channel          text NOT NULL,
  route            text,
  country          text,
  segments         integer NOT NULL DEFAULT 1,
  price_millicents bigint NOT NULL,
  api_key_id       uuid,
  campaign_id      uuid,
  PRIMARY KEY (id),
  UNIQUE (message_id)                   -- billed once, whatever the retries
);
CREATE INDEX usage_records_tenant_idx ON usage_records (tenant_id, at);
ALTER TABLE usage_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_records USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT ON usage_records TO sofy_app;

-- Idempotency-Key: the response of the first request, replayed for the same key and body.
CREATE TABLE idempotency_keys (
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  status_code   integer NOT NULL,
  response      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO sofy_app;

-- Sender ids and numbers a tenant may send from.
CREATE TABLE senders (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  sender      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('alphanumeric', 'short_code', 'long_number', 'email_domain', 'whatsapp_number', 'rcs_agent')),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending', 'rejected')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sender)
);
ALTER TABLE senders ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON senders USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON senders TO sofy_app;

-- Messages received (SMS MO, WhatsApp, RCS, email replies): the conversation inbox builds on it.
CREATE TABLE inbound_messages (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL,
  channel     text NOT NULL,
  sender      text NOT NULL,            -- the recipient's phone or email
  recipient   text NOT NULL,            -- our number, sender id, WhatsApp number, agent
  text        text NOT NULL,
  provider_id text,
  received_at timestamptz NOT NULL,
  opt_out     boolean NOT NULL DEFAULT false
);
CREATE INDEX inbound_messages_tenant_idx ON inbound_messages (tenant_id, received_at DESC);
CREATE UNIQUE INDEX inbound_messages_provider_key ON inbound_messages (channel, provider_id) WHERE provider_id IS NOT NULL;
ALTER TABLE inbound_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inbound_messages USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT ON inbound_messages TO sofy_app;

-- WhatsApp customer-service window: free text only within 24 h of the contact's last message.
CREATE TABLE conversation_windows (
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel          text NOT NULL,
  contact          text NOT NULL,
  last_inbound_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, channel, contact)
);
ALTER TABLE conversation_windows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON conversation_windows USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON conversation_windows TO sofy_app;

-- WhatsApp templates and their approval status (Meta approves; we mirror).
CREATE TABLE whatsapp_templates (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  language    text NOT NULL,
  category    text NOT NULL DEFAULT 'MARKETING' CHECK (category IN ('MARKETING', 'UTILITY', 'AUTHENTICATION')),
  status      text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED')),
  components  jsonb NOT NULL DEFAULT '[]'::jsonb,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, name, language)
);
ALTER TABLE whatsapp_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON whatsapp_templates USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON whatsapp_templates TO sofy_app;

-- Negotiated prices (R-CONFID): override the default catalogue per channel, route, country.
CREATE TABLE tenant_prices (
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel          text NOT NULL,
  route            text NOT NULL DEFAULT '*',
  country          text NOT NULL DEFAULT '*',
  unit_millicents  bigint NOT NULL CHECK (unit_millicents >= 0),
  effective_from   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, channel, route, country, effective_from)
);
ALTER TABLE tenant_prices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_prices USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_prices TO sofy_app;

-- Outgoing webhooks (Standard Webhooks): endpoints and every delivery attempt.
CREATE TABLE webhook_endpoints (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  url         text NOT NULL,
  secret      text NOT NULL,            -- sealed with the platform key (R-CRYPTO)
  events      text[] NOT NULL,
  enabled     boolean NOT NULL DEFAULT true,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id);
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_endpoints USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO sofy_app;

CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY,
  tenant_id        uuid NOT NULL,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_tenant_idx ON webhook_deliveries (tenant_id, created_at DESC);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_deliveries USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO sofy_app;
