-- 0001 — platform: tenants, users, sessions, API keys, audit trail.
-- R-TENANT: every tenant table carries tenant_id and a row-level-security policy; the application
-- connects as sofy_app (no superuser, no BYPASSRLS, owner of nothing), so the policies apply.
-- The tenant of a unit of work is the transaction-local setting app.tenant_id (withTenant);
-- SOFY operators act with app.operator_id set (withOperator), which is audited by the service.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sofy_app') THEN
    CREATE ROLE sofy_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO sofy_app;

CREATE FUNCTION app_tenant_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION app_is_operator() RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT coalesce(current_setting('app.operator_id', true), '') <> '' $$;

-- Tenants ------------------------------------------------------------------------------------
CREATE TABLE tenants (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status            text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'suspended_nonpayment', 'suspended_fraud', 'terminated')),
  status_reason     text,
  status_changed_at timestamptz,
  settings          jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_demo           boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
  USING (id = app_tenant_id() OR app_is_operator())
  WITH CHECK (id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON tenants TO sofy_app;

-- Users (tenant users and, with tenant_id NULL, SOFY operators) --------------------------------
CREATE TABLE users (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid REFERENCES tenants (id) ON DELETE CASCADE,
  email                text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
  name                 text NOT NULL,
  role                 text NOT NULL,
  password_hash        text NOT NULL,
  must_change_password boolean NOT NULL DEFAULT true,
  mfa_secret           text,            -- AES-256-GCM sealed (R-CRYPTO)
  mfa_pending_secret   text,            -- during enrolment, until a code confirms it
  mfa_enabled_at       timestamptz,
  mfa_last_step        bigint,          -- last TOTP time step accepted: a code is never accepted twice
  recovery_codes       text[] NOT NULL DEFAULT '{}', -- HMACs of unused recovery codes
  failed_logins        integer NOT NULL DEFAULT 0,
  locked_until         timestamptz,
  disabled_at          timestamptz,
  last_login_at        timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_role_matches_kind CHECK (
    (tenant_id IS NULL AND role IN ('sofy_admin', 'sofy_billing', 'sofy_support', 'sofy_security'))
    OR (tenant_id IS NOT NULL AND role IN ('owner', 'admin', 'marketer', 'agent', 'viewer')))
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_tenant_idx ON users (tenant_id, created_at, id);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
  USING (tenant_id = app_tenant_id() OR (tenant_id IS NULL AND app_is_operator()))
  WITH CHECK (tenant_id = app_tenant_id() OR (tenant_id IS NULL AND app_is_operator()));
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO sofy_app;

-- Console sessions ------------------------------------------------------------------------------
CREATE TABLE sessions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash   bytea NOT NULL UNIQUE,   -- SHA-256 of the cookie value; the value itself is never stored
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id    uuid REFERENCES tenants (id) ON DELETE CASCADE,
  stage        text NOT NULL CHECK (stage IN ('mfa_verify', 'password_change', 'mfa_enrol', 'active')),
  csrf_token   text NOT NULL,
  ip           text,
  user_agent   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
  USING (tenant_id = app_tenant_id() OR (tenant_id IS NULL AND app_is_operator()))
  WITH CHECK (tenant_id = app_tenant_id() OR (tenant_id IS NULL AND app_is_operator()));
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO sofy_app;

-- API keys (R-APIKEY) ---------------------------------------------------------------------------
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  prefix       text NOT NULL UNIQUE,    -- visible part, e.g. sofy_k3j5x9qa
  secret_hash  bytea NOT NULL,          -- SHA-256 of the whole key
  scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
  allowed_ips  cidr[] NOT NULL DEFAULT '{}',
  expires_at   timestamptz,
  revoked_at   timestamptz,
  revoked_by   uuid,
  last_used_at timestamptz,
  last_used_ip text,
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE ON api_keys TO sofy_app;

-- Audit trail (R-IAM): append-only, hash-chained per tenant (and one 'platform' chain) ------------
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chain       text NOT NULL,            -- tenant id, or 'platform'
  seq         bigint NOT NULL,
  tenant_id   uuid,                     -- no FK: the trail outlives a deleted tenant (R-DELETE allows keeping logs)
  at          timestamptz NOT NULL,     -- millisecond precision, part of the hash
  actor_type  text NOT NULL CHECK (actor_type IN ('user', 'operator', 'api_key', 'system', 'anonymous')),
  actor_id    text,
  actor_label text,
  action      text NOT NULL,
  target_type text,
  target_id   text,
  ip          text,
  request_id  text,
  summary     jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash   bytea,
  hash        bytea NOT NULL,
  UNIQUE (chain, seq)
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (tenant_id, action, id DESC);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
  USING (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT ON audit_log TO sofy_app;   -- no INSERT/UPDATE/DELETE: entries go through audit_append

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- The hash covers every field, in this order, joined by U+001F, NULL as empty, `at` as epoch
-- milliseconds and summary as PostgreSQL's canonical jsonb text. `sofy audit verify` recomputes it.
CREATE FUNCTION audit_append(
  p_tenant_id uuid, p_at timestamptz, p_actor_type text, p_actor_id text, p_actor_label text,
  p_action text, p_target_type text, p_target_id text, p_ip text, p_request_id text, p_summary jsonb)
RETURNS TABLE (id bigint, seq bigint, hash bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_chain text := coalesce(p_tenant_id::text, 'platform');
  v_prev audit_log%ROWTYPE;
  v_seq bigint;
  v_at timestamptz := date_trunc('milliseconds', coalesce(p_at, clock_timestamp()));
  v_summary jsonb := coalesce(p_summary, '{}'::jsonb);
  v_hash bytea;
BEGIN
  -- A caller writes its own tenant's chain, the platform chain, or (operators) any chain.
  IF p_tenant_id IS NOT NULL AND p_tenant_id IS DISTINCT FROM app_tenant_id() AND NOT app_is_operator() THEN
    RAISE EXCEPTION 'audit entry for another tenant' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('sofy.audit:' || v_chain, 0));
  SELECT * INTO v_prev FROM audit_log a WHERE a.chain = v_chain ORDER BY a.seq DESC LIMIT 1;
  v_seq := coalesce(v_prev.seq, 0) + 1;
  v_hash := sha256(convert_to(concat_ws(chr(31),
    'v1', v_chain, v_seq::text, coalesce(encode(v_prev.hash, 'hex'), ''),
    (extract(epoch FROM v_at) * 1000)::bigint::text,
    p_actor_type, coalesce(p_actor_id, ''), coalesce(p_actor_label, ''), p_action,
    coalesce(p_target_type, ''), coalesce(p_target_id, ''), coalesce(p_ip, ''),
    coalesce(p_request_id, ''), v_summary::text), 'UTF8'));
  RETURN QUERY
    INSERT INTO audit_log AS a (chain, seq, tenant_id, at, actor_type, actor_id, actor_label, action,
                                target_type, target_id, ip, request_id, summary, prev_hash, hash)
    VALUES (v_chain, v_seq, p_tenant_id, v_at, p_actor_type, p_actor_id, p_actor_label, p_action,
            p_target_type, p_target_id, p_ip, p_request_id, v_summary, v_prev.hash, v_hash)
    RETURNING a.id, a.seq, a.hash;
END $$;

-- Pre-authentication look-ups. Before a request's tenant is known, RLS hides every row; these
-- narrow SECURITY DEFINER functions answer exactly one question each, and nothing else.
CREATE FUNCTION auth_user_by_email(p_email text)
RETURNS TABLE (user_id uuid, tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.tenant_id FROM users u WHERE u.email = lower(p_email)
$$;

CREATE FUNCTION auth_session_by_token(p_token_hash bytea)
RETURNS TABLE (
  session_id uuid, stage text, csrf_token text, last_seen_at timestamptz, expires_at timestamptz,
  user_id uuid, email text, name text, role text, mfa_enabled boolean, user_disabled boolean,
  tenant_id uuid, tenant_name text, tenant_status text, tenant_status_reason text, tenant_locale text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.stage, s.csrf_token, s.last_seen_at, s.expires_at,
         u.id, u.email, u.name, u.role, u.mfa_enabled_at IS NOT NULL, u.disabled_at IS NOT NULL,
         t.id, t.name, t.status, t.status_reason, t.settings ->> 'locale'
    FROM sessions s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN tenants t ON t.id = s.tenant_id
   WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL
$$;

CREATE FUNCTION auth_api_key_by_prefix(p_prefix text)
RETURNS TABLE (
  key_id uuid, name text, secret_hash bytea, scopes text[], allowed_ips cidr[], expires_at timestamptz,
  revoked_at timestamptz, last_used_at timestamptz,
  tenant_id uuid, tenant_name text, tenant_status text, tenant_status_reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.id, k.name, k.secret_hash, k.scopes, k.allowed_ips, k.expires_at, k.revoked_at, k.last_used_at,
         t.id, t.name, t.status, t.status_reason
    FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
   WHERE k.prefix = p_prefix
$$;

REVOKE ALL ON FUNCTION audit_append, auth_user_by_email, auth_session_by_token, auth_api_key_by_prefix FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append, auth_user_by_email, auth_session_by_token, auth_api_key_by_prefix,
  app_tenant_id, app_is_operator TO sofy_app;
