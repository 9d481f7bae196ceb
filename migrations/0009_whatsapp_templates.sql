-- 0009 — the WhatsApp template registry (issue 3): templates are created at Meta through the API
-- (`/v1/whatsapp/templates`), and their approval status follows Meta's
-- `message_template_status_update` webhooks. The send path keeps reading `status` from this table
-- (only APPROVED templates are sent: `template_not_approved`).

ALTER TABLE whatsapp_templates
  -- The WABA the template was created in, and Meta's id of it (`hsm_id`, `message_template_id`).
  ADD COLUMN business_account_id text,
  ADD COLUMN provider_id text,
  -- Why Meta rejected it (INVALID_FORMAT, ABUSIVE_CONTENT, PROMOTIONAL…), and what it explained.
  ADD COLUMN rejection_reason text,
  ADD COLUMN status_detail jsonb,
  ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
  -- Actor labels, as in the audit trail (a user's email, an API key's prefix, `Meta`).
  ADD COLUMN created_by text,
  ADD COLUMN updated_by text;

-- One row per template at Meta, whoever owns it.
CREATE UNIQUE INDEX whatsapp_templates_provider_key ON whatsapp_templates (business_account_id, provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX whatsapp_templates_name_idx ON whatsapp_templates (business_account_id, name, language);

-- Meta's status webhook names a WABA and a template, not a tenant, and RLS hides every tenant's
-- rows from a connection that has not entered one: this function (as 0004's inbound_tenant) is
-- the webhook's only way to learn which tenant owns the template. The template id decides; the
-- name and language serve while the id is not stored yet (a webhook faster than the create call's
-- own commit). Rows from before this migration carry no WABA and match any.
CREATE FUNCTION whatsapp_template_tenant(p_business_account_id text, p_provider_id text, p_name text, p_language text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT tenant_id FROM (
    SELECT t.tenant_id, 1 AS rank, t.updated_at FROM whatsapp_templates t
     WHERE t.provider_id = p_provider_id AND t.business_account_id = p_business_account_id
    UNION ALL
    SELECT t.tenant_id, 2, t.updated_at FROM whatsapp_templates t
     WHERE t.name = p_name AND t.language = p_language
       AND (t.business_account_id = p_business_account_id OR t.business_account_id IS NULL)
       AND (t.provider_id IS NULL OR t.provider_id = p_provider_id)
  ) candidates
  ORDER BY rank, updated_at DESC
  LIMIT 1
$$;

REVOKE ALL ON FUNCTION whatsapp_template_tenant FROM PUBLIC;
GRANT EXECUTE ON FUNCTION whatsapp_template_tenant TO sofy_app;
