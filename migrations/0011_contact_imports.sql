-- 0011 — contact imports (issue 4): CSV/XLSX files of up to 1,000,000 rows, streamed. The file
-- itself is kept in the database in chunks, so any worker can process or resume it (no shared
-- disk); `checkpoint` says how far it got, so a crash resumes without duplicates or gaps: each
-- batch of rows is written in one transaction with the checkpoint after it.
-- `run_id` and `heartbeat_at` are the lease of the worker processing it: another worker takes
-- the import over only when the heartbeat is stale (the first worker died).

CREATE TABLE contact_imports (
  tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id              uuid NOT NULL,
  status          text NOT NULL CHECK (status IN ('uploading', 'uploaded', 'queued', 'running', 'completed', 'failed', 'cancelled')),
  filename        text NOT NULL,
  format          text NOT NULL CHECK (format IN ('csv', 'xlsx')),
  size_bytes      bigint NOT NULL,
  encoding        text,                 -- detected or chosen: utf-8, windows-1252…
  delimiter       text,
  has_header      boolean NOT NULL DEFAULT true,
  columns         jsonb,                -- column names (unique), from the header or `Colonne n`
  preview         jsonb,                -- the first rows, as the wizard shows them
  mapping         jsonb,                -- column → contact field
  merge_policy    text CHECK (merge_policy IN ('skip', 'update', 'overwrite')),
  consent         jsonb,                -- {channels, status, source, proof}: required (R-CONSENT)
  total_rows      integer,              -- an estimate (line count) until the import ends
  processed_rows  integer NOT NULL DEFAULT 0,
  inserted        integer NOT NULL DEFAULT 0,
  updated         integer NOT NULL DEFAULT 0,
  skipped         integer NOT NULL DEFAULT 0,
  failed          integer NOT NULL DEFAULT 0,
  warnings        integer NOT NULL DEFAULT 0,   -- rows imported with a remark (line repaired, phone not allocated…)
  checkpoint      jsonb,                -- {offset, line} (CSV) or {row} (XLSX), and the bytes read
  run_id          text,
  heartbeat_at    timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  error           text,
  created_by      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contact_imports_created_idx ON contact_imports (tenant_id, created_at DESC);
ALTER TABLE contact_imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_imports USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON contact_imports TO sofy_app;

CREATE TABLE contact_import_chunks (
  tenant_id  uuid NOT NULL,
  import_id  uuid NOT NULL,
  seq        integer NOT NULL,
  data       bytea NOT NULL,
  PRIMARY KEY (tenant_id, import_id, seq),
  FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);
-- Stored as is: compressing 1 MiB chunks costs the upload and every read more CPU than the
-- space is worth for a file deleted when the import ends.
ALTER TABLE contact_import_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
ALTER TABLE contact_import_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_import_chunks USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON contact_import_chunks TO sofy_app;

-- Rows refused (severity `error`) or imported with a remark (`warning`), with their line and
-- reason (downloadable as CSV).
CREATE TABLE contact_import_errors (
  tenant_id  uuid NOT NULL,
  import_id  uuid NOT NULL,
  line       integer NOT NULL,
  reason     text NOT NULL,
  severity   text NOT NULL DEFAULT 'error' CHECK (severity IN ('error', 'warning')),
  field      text,
  message    text,
  raw        text,
  PRIMARY KEY (tenant_id, import_id, line, reason),
  FOREIGN KEY (tenant_id, import_id) REFERENCES contact_imports (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE contact_import_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_import_errors USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON contact_import_errors TO sofy_app;

-- The imports a worker should be processing but no live worker is: queued or running with a
-- heartbeat older than `p_stale` (the job was lost, or its worker died). The recovery job runs
-- across tenants, where RLS shows no row: one narrow SECURITY DEFINER question instead of a bypass.
CREATE INDEX contact_imports_active_idx ON contact_imports (heartbeat_at) WHERE status IN ('queued', 'running');
CREATE FUNCTION contact_imports_to_resume(p_stale interval)
RETURNS TABLE (tenant_id uuid, import_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.tenant_id, i.id FROM contact_imports i
   WHERE i.status IN ('queued', 'running') AND (i.heartbeat_at IS NULL OR i.heartbeat_at < now() - p_stale)
   ORDER BY i.heartbeat_at NULLS FIRST
   LIMIT 100
$$;
REVOKE ALL ON FUNCTION contact_imports_to_resume(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION contact_imports_to_resume(interval) TO sofy_app;
