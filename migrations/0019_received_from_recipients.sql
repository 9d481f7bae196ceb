-- 0019 — a campaign's `received` behaviour is read from its recipients rows.
--
-- The fan-out wrote, for every message, a campaign_recipients row (the idempotency key: contact,
-- campaign, message, time) and a contact_activity `received` row saying the same thing. The
-- second one — a heap row and three index entries per message — was a sixth of the fan-out's
-- statement time (bench/RESULTS.md §7: 41–42 µs of PostgreSQL CPU per message without it, 46–52
-- with). Segments now read "received" from campaign_recipients (segments/compile.ts), so the
-- activity rows the fan-out wrote before are removed, or "received at least K times" would count
-- them twice.

DELETE FROM contact_activity WHERE kind = 'received' AND campaign_id IS NOT NULL;

-- "Received within N days": the messages a tenant's campaigns sent, by time.
CREATE INDEX campaign_recipients_received_idx ON campaign_recipients (tenant_id, created_at) INCLUDE (contact_id)
  WHERE message_id IS NOT NULL;
