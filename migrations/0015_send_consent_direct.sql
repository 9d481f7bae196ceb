-- 0015 — R-CONSENT on the send path without a look-up per message. Migration 0007 had to call
-- contact_consent_blocks through a run-time existence check (to_regprocedure on every marketing
-- message) because the contacts arrived later, in 0010; now that 0010 always precedes this, the
-- wrapper is a plain SQL function the planner can inline into insert_prepared_messages.
CREATE OR REPLACE FUNCTION send_consent_blocks(p_tenant uuid, p_channel text, p_address text) RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER AS $$
  SELECT contact_consent_blocks(p_tenant, p_channel, p_address)
$$;
