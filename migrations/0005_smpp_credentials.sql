-- 0005 — SMPP gateway for clients (wholesale offer): tenants bind to SOFY as an SMSC with
-- credentials issued for one of their API keys, submit_sm through the same rules and pipeline as
-- POST /v1/messages, and get deliver_sm receipts back. See docs/smpp.md.

-- Credentials: one row per API key (system_id is the key's visible id, so it is unique for ever);
-- issuing again for the same key rotates the password and clears a revocation.
CREATE TABLE smpp_credentials (
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  api_key_id     uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
  system_id      text NOT NULL UNIQUE CHECK (system_id ~ '^[a-z2-7]{8}$'),
  password_hash  text NOT NULL,          -- argon2id of the 8-character password, shown once (R-APIKEY)
  quiet_hours    text NOT NULL DEFAULT 'defer' CHECK (quiet_hours IN ('defer', 'reject')),
  created_at     timestamptz NOT NULL DEFAULT now(),   -- when the current password was issued
  created_by     uuid,
  revoked_at     timestamptz,
  revoked_by     uuid,
  PRIMARY KEY (tenant_id, api_key_id),
  UNIQUE (api_key_id)
);
ALTER TABLE smpp_credentials ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON smpp_credentials
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON smpp_credentials TO sofy_app;

-- Pre-authentication look-up for bind (decision 0002): before the tenant is known, RLS hides
-- every row; this answers exactly what a bind needs about one system_id, and nothing else.
CREATE FUNCTION auth_smpp_credential(p_system_id text)
RETURNS TABLE (
  api_key_id uuid, system_id text, password_hash text, quiet_hours text, credential_revoked_at timestamptz,
  key_name text, key_prefix text, scopes text[], allowed_ips text[], key_expires_at timestamptz, key_revoked_at timestamptz,
  tenant_id uuid, tenant_name text, tenant_status text, tenant_status_reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT c.api_key_id, c.system_id, c.password_hash, c.quiet_hours, c.revoked_at,
         k.name, k.prefix, k.scopes, k.allowed_ips::text[], k.expires_at, k.revoked_at,
         t.id, t.name, t.status, t.status_reason
    FROM smpp_credentials c
    JOIN api_keys k ON k.id = c.api_key_id
    JOIN tenants t ON t.id = c.tenant_id
   WHERE c.system_id = lower(p_system_id)
$$;

-- Messages submitted through a bind that asked for a receipt (registered_delivery ≠ 0), and the
-- state of that receipt. A row is written by the gateway right after the message is accepted;
-- final_status is set by the trigger below when the message reaches an outcome, so the receipt
-- loop reads only ready rows (partial index), never the whole backlog of messages in flight.
CREATE TABLE smpp_submits (
  tenant_id           uuid NOT NULL,
  message_id          uuid NOT NULL,
  message_created_at  timestamptz NOT NULL,
  api_key_id          uuid NOT NULL,
  registered_delivery smallint NOT NULL,
  -- The addresses as the client submitted them: the receipt goes back with them swapped.
  source_ton          smallint NOT NULL DEFAULT 0,
  source_npi          smallint NOT NULL DEFAULT 0,
  source_addr         text NOT NULL DEFAULT '',
  dest_ton            smallint NOT NULL DEFAULT 0,
  dest_npi            smallint NOT NULL DEFAULT 0,
  dest_addr           text NOT NULL DEFAULT '',
  -- A concatenated submit: the ids answered for the parts other than the one that completed it.
  part_ids            text[] NOT NULL DEFAULT '{}',
  final_status        text,
  final_at            timestamptz,
  lease_until         timestamptz,         -- a gateway is delivering the receipt until then
  attempts            integer NOT NULL DEFAULT 0,
  receipt_done_at     timestamptz,
  receipt_outcome     text CHECK (receipt_outcome IN ('acked', 'skipped', 'dropped')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id)
);
CREATE INDEX smpp_submits_ready_idx ON smpp_submits (api_key_id, final_at)
  WHERE final_status IS NOT NULL AND receipt_done_at IS NULL;
CREATE INDEX smpp_submits_done_idx ON smpp_submits (receipt_done_at) WHERE receipt_done_at IS NOT NULL;
ALTER TABLE smpp_submits ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON smpp_submits
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON smpp_submits TO sofy_app;

-- When a message of an API key reaches an outcome, its SMPP receipt (if any) becomes ready, and
-- the gateways are woken (one notification per key and transaction: PostgreSQL folds duplicates).
-- Runs inside the dispatch and receipt functions, for any tenant: SECURITY DEFINER, one primary
-- key probe, and nothing at all for messages sent without an API key.
CREATE FUNCTION smpp_mark_final() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE smpp_submits s SET final_status = NEW.status, final_at = now()
   WHERE s.tenant_id = NEW.tenant_id AND s.message_id = NEW.id AND s.final_status IS NULL;
  IF FOUND THEN
    PERFORM pg_notify('sofy_smpp_receipts', NEW.api_key_id::text);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER messages_smpp_final
  AFTER UPDATE OF status ON messages
  FOR EACH ROW
  WHEN (NEW.api_key_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
        AND NEW.status IN ('delivered', 'undelivered', 'expired', 'failed', 'read'))
  EXECUTE FUNCTION smpp_mark_final();

-- Housekeeping (job `messaging.smpp_gateway.housekeeping`): receipts done over 3 days ago, and
-- rows whose message is older than any schedule allows.
CREATE FUNCTION smpp_gateway_housekeeping() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_done integer;
  v_stale integer;
BEGIN
  DELETE FROM smpp_submits WHERE receipt_done_at < now() - interval '3 days';
  GET DIAGNOSTICS v_done = ROW_COUNT;
  DELETE FROM smpp_submits WHERE receipt_done_at IS NULL AND message_created_at < now() - interval '400 days';
  GET DIAGNOSTICS v_stale = ROW_COUNT;
  RETURN jsonb_build_object('receiptsDone', v_done, 'stale', v_stale);
END $$;

REVOKE ALL ON FUNCTION auth_smpp_credential, smpp_mark_final, smpp_gateway_housekeeping FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_smpp_credential, smpp_gateway_housekeeping TO sofy_app;
