-- 0012 — segments (issue 4): dynamic segments are a rule tree (AND/OR groups over attributes,
-- tags, consent, point of sale and behaviour) compiled to parameterised SQL at each use; static
-- lists keep their members.

CREATE TABLE segments (
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid NOT NULL,
  name         text NOT NULL,
  description  text,
  kind         text NOT NULL CHECK (kind IN ('dynamic', 'static')),
  definition   jsonb,                  -- the rule tree (dynamic)
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  last_count       integer,            -- the last exact count (dynamic), for the list; null when stale
  last_counted_at  timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name),
  CHECK ((kind = 'dynamic') = (definition IS NOT NULL))
);
ALTER TABLE segments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON segments USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON segments TO sofy_app;

CREATE TABLE segment_members (
  tenant_id   uuid NOT NULL,
  segment_id  uuid NOT NULL,
  contact_id  uuid NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, segment_id, contact_id),
  FOREIGN KEY (tenant_id, segment_id) REFERENCES segments (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX segment_members_contact_idx ON segment_members (tenant_id, contact_id);
ALTER TABLE segment_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON segment_members USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON segment_members TO sofy_app;

-- Behaviour conditions ("clicked within 30 days", "received at least 3 times") read activity by
-- kind and time and need only the contact id. With the contact id in the key, after the kind:
--  - every behaviour condition is answered from the index alone (index-only scan), never from
--    the heap of a table that grows by a row per message sent;
--  - "at least K times" groups rows that arrive already in contact order (a streaming
--    GroupAggregate into a merge join with the contacts' primary key) instead of hashing every
--    contact's activity once per parallel worker.
-- Measured on 1,000,000 contacts and 2,000,000 activity rows (bench/RESULTS.md, "Segment count").
CREATE INDEX contact_activity_kind_contact_idx ON contact_activity (tenant_id, kind, contact_id, at);
