-- 0002 — housekeeping of console sessions (nightly job `identity.sessions.purge`).
-- Sessions of every tenant expire; deleting them is platform maintenance, not tenant work, so it
-- is one narrow SECURITY DEFINER function rather than an RLS bypass. It removes only sessions that
-- ended (revoked or expired) before the given instant, and returns how many.
CREATE FUNCTION purge_ended_sessions(p_before timestamptz) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (
    DELETE FROM sessions
     WHERE (revoked_at IS NOT NULL AND revoked_at < p_before)
        OR expires_at < p_before
        OR (last_seen_at < p_before - interval '1 day' AND stage <> 'active')
    RETURNING 1)
  SELECT count(*)::int FROM gone
$$;
REVOKE ALL ON FUNCTION purge_ended_sessions FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_ended_sessions TO sofy_app;
