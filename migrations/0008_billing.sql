-- 0008 — contracts and billing (issue 5): catalogue and price lists, order forms, contracts, POI
-- licence amendments, termination notices, SYNTEC and legal-rate tables, price revisions, invoice
-- series, invoices and credit notes (immutable once issued), payments and allocations, bank
-- statement imports, SEPA direct-debit batches, dunning cases and their timeline, and the outbox
-- of billing emails (formal notices, SEPA pre-notifications).
--
-- RLS (R-TENANT, R-CONFID): every tenant row carries tenant_id; a client sees its own rows only.
-- SOFY operators (sofy_billing, sofy_admin) act through withOperator — app.operator_id set, the
-- change audited by the service — which these policies accept for any tenant: the billing
-- workspace lists every client's invoices. Platform tables (catalogue, SYNTEC, legal rates,
-- invoice series, bank imports, SEPA batches) are visible to operators only.
-- Money: bigint cents; messaging unit prices in millicents (1/1000 c€), as usage_records.

-- Catalogue and price lists (R-ORDER, R-PRICE) --------------------------------------------------
CREATE TABLE billing_products (
  code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,40}$'),
  name        text NOT NULL,
  unit        text NOT NULL CHECK (unit IN ('poi_month', 'month', 'one_off', 'message', 'at_cost')),
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_products ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_products USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_products TO sofy_app;

INSERT INTO billing_products (code, name, unit, description) VALUES
  ('soview', 'SoView', 'poi_month', 'Gestion de la présence locale, par point de vente et par mois'),
  ('soconnect', 'SoConnect', 'poi_month', 'Messagerie conversationnelle, par point de vente et par mois'),
  ('soreach', 'SoReach — forfait plateforme', 'month', 'Campagnes omnicanales, forfait mensuel'),
  ('onboarding', 'Frais de mise en service', 'one_off', 'Onboarding, facturé en totalité à la signature (R-ONBOARD)'),
  ('messaging', 'Services de messagerie', 'message', 'SMS, RCS, WhatsApp, email : prix unitaire par canal, route et pays');

-- A price list has versions; each version applies from its effective date (the newest version
-- whose date is on or before the day priced). Items of a version never change once created.
CREATE TABLE billing_price_lists (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code           text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_-]{1,40}$'),
  version        integer NOT NULL CHECK (version >= 1),
  name           text NOT NULL,
  effective_from date NOT NULL,
  created_by     text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (code, version),
  UNIQUE (code, effective_from)
);
ALTER TABLE billing_price_lists ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_price_lists USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT ON billing_price_lists TO sofy_app;

CREATE TABLE billing_price_list_items (
  price_list_id    uuid NOT NULL REFERENCES billing_price_lists (id) ON DELETE CASCADE,
  product_code     text NOT NULL REFERENCES billing_products (code),
  channel          text NOT NULL DEFAULT '*',
  route            text NOT NULL DEFAULT '*',
  country          text NOT NULL DEFAULT '*',
  -- Subscriptions and fees in cents; messaging unit prices in millicents (exactly one is set).
  unit_cents       bigint CHECK (unit_cents >= 0),
  unit_millicents  bigint CHECK (unit_millicents >= 0),
  CHECK ((unit_cents IS NULL) <> (unit_millicents IS NULL)),
  PRIMARY KEY (price_list_id, product_code, channel, route, country)
);
ALTER TABLE billing_price_list_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_price_list_items USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT ON billing_price_list_items TO sofy_app;

WITH list AS (
  INSERT INTO billing_price_lists (code, version, name, effective_from, created_by)
  VALUES ('standard', 1, 'Tarif standard 2026', '2026-01-01', 'migration')
  RETURNING id)
INSERT INTO billing_price_list_items (price_list_id, product_code, channel, route, country, unit_cents, unit_millicents)
SELECT list.id, i.product_code, i.channel, i.route, i.country, i.unit_cents, i.unit_millicents
  FROM list, (VALUES
    ('soview', '*', '*', '*', 2900::bigint, NULL::bigint),
    ('soconnect', '*', '*', '*', 1900, NULL),
    ('soreach', '*', '*', '*', 9900, NULL),
    ('onboarding', '*', '*', '*', 49000, NULL),
    ('messaging', 'sms', 'marketing', 'FR', NULL, 4500),
    ('messaging', 'sms', 'alert', 'FR', NULL, 4000),
    ('messaging', 'rcs', 'marketing', '*', NULL, 5500),
    ('messaging', 'rcs', 'alert', '*', NULL, 5000),
    ('messaging', 'whatsapp', 'marketing', '*', NULL, 7000),
    ('messaging', 'whatsapp', 'alert', '*', NULL, 3500),
    ('messaging', 'email', 'marketing', '*', NULL, 100),
    ('messaging', 'email', 'alert', '*', NULL, 100)
  ) AS i(product_code, channel, route, country, unit_cents, unit_millicents);

-- Index tables maintained by operators --------------------------------------------------------
-- SYNTEC index (R-PRICE): one value per month of publication.
CREATE TABLE billing_syntec_indices (
  month       date PRIMARY KEY CHECK (extract(day FROM month) = 1),
  value       numeric(8, 1) NOT NULL CHECK (value > 0),
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_syntec_indices ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_syntec_indices USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_syntec_indices TO sofy_app;

-- Legal interest rate for professional creditors, per semester (R-LATE).
CREATE TABLE billing_legal_rates (
  effective_from date PRIMARY KEY CHECK (extract(day FROM effective_from) = 1 AND extract(month FROM effective_from) IN (1, 7)),
  rate_percent   numeric(6, 2) NOT NULL CHECK (rate_percent >= 0 AND rate_percent < 100),
  created_by     text,
  created_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_legal_rates ENABLE ROW LEVEL SECURITY;
-- Public law, not a tariff: every client reads it (its invoices' late penalties); operators write it.
CREATE POLICY everyone_reads ON billing_legal_rates FOR SELECT USING (true);
CREATE POLICY operators_write ON billing_legal_rates USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_legal_rates TO sofy_app;
INSERT INTO billing_legal_rates (effective_from, rate_percent, created_by) VALUES ('2026-01-01', 2.62, 'migration');

-- VIES answers, kept as proof of the VAT treatment (R-VAT) --------------------------------------
CREATE TABLE billing_vies_checks (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  country_code       text NOT NULL,
  vat_number         text NOT NULL,
  checked_at         timestamptz NOT NULL,
  outcome            text NOT NULL CHECK (outcome IN ('valid', 'invalid', 'unavailable')),
  request_identifier text,
  trader_name        text,
  trader_address     text,
  response           jsonb NOT NULL,       -- the service's answer as received
  created_by         text,
  recorded_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX billing_vies_checks_tenant_idx ON billing_vies_checks (tenant_id, checked_at DESC);
ALTER TABLE billing_vies_checks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_vies_checks
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_vies_checks TO sofy_app;

-- Order forms (R-ORDER) ---------------------------------------------------------------------------
CREATE TABLE billing_order_forms (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed', 'cancelled')),
  legal_name           text NOT NULL,
  legal_form           text,
  siren                text CHECK (siren ~ '^[0-9]{9}$'),
  address_line         text NOT NULL,
  postal_code          text NOT NULL,
  city                 text NOT NULL,
  country              text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  vat_number           text,
  vies_check_id        uuid REFERENCES billing_vies_checks (id),
  billing_email        text NOT NULL,
  price_list_id        uuid REFERENCES billing_price_lists (id),
  -- [{product, unitCents}] for subscriptions; messaging prices [{channel, route, country, unitMillicents}]
  items                jsonb NOT NULL,
  messaging_prices     jsonb NOT NULL DEFAULT '[]'::jsonb,
  poi_count            integer NOT NULL CHECK (poi_count >= 0),
  term_months          integer NOT NULL CHECK (term_months IN (12, 24, 36)),
  start_date           date NOT NULL,
  onboarding_fee_cents bigint NOT NULL CHECK (onboarding_fee_cents >= 0),
  payment_method       text NOT NULL CHECK (payment_method IN ('sepa', 'transfer')),
  sepa_rum             text,
  sepa_iban            text,
  sepa_bic             text,
  sepa_signed_on       date,
  CHECK (payment_method <> 'sepa' OR (sepa_rum IS NOT NULL AND sepa_iban IS NOT NULL AND sepa_bic IS NOT NULL AND sepa_signed_on IS NOT NULL)),
  signed_on            date,
  signatory_name       text,
  created_by           text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_order_forms_tenant_idx ON billing_order_forms (tenant_id, created_at DESC);
ALTER TABLE billing_order_forms ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_order_forms
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_order_forms TO sofy_app;

-- Contracts (R-TERM, R-POI, R-PRICE) ----------------------------------------------------------------
CREATE TABLE billing_contracts (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id            uuid NOT NULL REFERENCES tenants (id),
  order_form_id        uuid NOT NULL UNIQUE REFERENCES billing_order_forms (id),
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'terminating', 'ended')),
  legal_name           text NOT NULL,
  legal_form           text,
  siren                text,
  address_line         text NOT NULL,
  postal_code          text NOT NULL,
  city                 text NOT NULL,
  country              text NOT NULL,
  vat_number           text,
  vies_check_id        uuid REFERENCES billing_vies_checks (id),
  billing_email        text NOT NULL,
  start_date           date NOT NULL,
  term_months          integer NOT NULL CHECK (term_months IN (12, 24, 36)),
  licensed_poi         integer NOT NULL CHECK (licensed_poi >= 0),
  payment_method       text NOT NULL CHECK (payment_method IN ('sepa', 'transfer')),
  sepa_rum             text,
  sepa_iban            text,
  sepa_bic             text,
  sepa_signed_on       date,
  sepa_last_collection_on date,                          -- FRST until a first collection, RCUR after
  end_date             date,                             -- set by a timely termination notice
  signed_on            date NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX billing_contracts_one_live ON billing_contracts (tenant_id) WHERE status <> 'ended';
ALTER TABLE billing_contracts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_contracts
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_contracts TO sofy_app;

-- The recurring products of a contract and their current prices (revised by SYNTEC).
CREATE TABLE billing_subscriptions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  contract_id  uuid NOT NULL REFERENCES billing_contracts (id),
  product_code text NOT NULL REFERENCES billing_products (code),
  per_poi      boolean NOT NULL,
  unit_cents   bigint NOT NULL CHECK (unit_cents >= 0),
  UNIQUE (contract_id, product_code)
);
ALTER TABLE billing_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_subscriptions
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_subscriptions TO sofy_app;

-- POI licence amendments (R-POI): a raise applies (and is billed prorated) from its date; a
-- reduction is scheduled for the end of the current period, without refund.
CREATE TABLE billing_poi_amendments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  contract_id  uuid NOT NULL REFERENCES billing_contracts (id),
  kind         text NOT NULL CHECK (kind IN ('raise', 'reduce')),
  from_count   integer NOT NULL CHECK (from_count >= 0),
  to_count     integer NOT NULL CHECK (to_count >= 0),
  requested_on date NOT NULL,
  effective_on date NOT NULL,
  status       text NOT NULL CHECK (status IN ('scheduled', 'applied', 'cancelled')),
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_poi_amendments_contract_idx ON billing_poi_amendments (contract_id, effective_on);
ALTER TABLE billing_poi_amendments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_poi_amendments
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_poi_amendments TO sofy_app;

-- Termination notices (R-TERM): date and channel as received; whether they were in time.
CREATE TABLE billing_termination_notices (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  contract_id     uuid NOT NULL REFERENCES billing_contracts (id),
  received_on     date NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('registered_letter', 'email')),
  reference       text,
  anniversary     date NOT NULL,        -- the anniversary it ends the contract at
  deadline        date NOT NULL,        -- last day a notice was in time for that anniversary
  created_by      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_termination_notices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_termination_notices
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_termination_notices TO sofy_app;

-- The history of a contract: signature, renewals, SYNTEC revisions, licence changes, notices.
CREATE TABLE billing_contract_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  contract_id uuid NOT NULL REFERENCES billing_contracts (id),
  on_date     date NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('signed', 'renewed', 'price_revised', 'poi_raised', 'poi_reduction_scheduled',
                                            'poi_reduced', 'notice_received', 'ended')),
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_contract_events_contract_idx ON billing_contract_events (contract_id, on_date, id);
CREATE UNIQUE INDEX billing_contract_events_once ON billing_contract_events (contract_id, kind, on_date)
  WHERE kind IN ('renewed', 'price_revised');   -- an anniversary is processed once
ALTER TABLE billing_contract_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_contract_events
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_contract_events TO sofy_app;

-- Invoice numbering: one counter row per series and year, incremented by UPDATE … RETURNING in
-- the issuing transaction. The row lock serialises issuers until commit; a rolled-back issue
-- gives its number back with its transaction, so the sequence has no gap (CGI 242 nonies A).
CREATE TABLE billing_invoice_series (
  series      text NOT NULL CHECK (series ~ '^[A-Z]{1,4}$'),
  year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
  last_number bigint NOT NULL DEFAULT 0 CHECK (last_number >= 0),
  PRIMARY KEY (series, year)
);
ALTER TABLE billing_invoice_series ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_invoice_series USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_invoice_series TO sofy_app;

-- Monthly invoice runs: a preview (drafts) that an operator issues.
CREATE TABLE billing_invoice_runs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  period_start date NOT NULL UNIQUE CHECK (extract(day FROM period_start) = 1),
  status       text NOT NULL DEFAULT 'preview' CHECK (status IN ('preview', 'issued')),
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  refreshed_at timestamptz NOT NULL DEFAULT now(),
  issued_at    timestamptz,
  issued_by    text
);
ALTER TABLE billing_invoice_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_invoice_runs USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_invoice_runs TO sofy_app;

-- Invoices and credit notes (avoirs). A draft can change or go; an issued document is frozen
-- (trigger below): only its payment status moves. `document` is the complete legal content as
-- issued (seller, buyer, lines, totals, mentions), from which the PDF and Factur-X are rendered.
CREATE TABLE billing_invoices (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id              uuid NOT NULL REFERENCES tenants (id),
  contract_id            uuid REFERENCES billing_contracts (id),
  kind                   text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
  origin                 text NOT NULL CHECK (origin IN ('onboarding', 'monthly', 'manual', 'credit')),
  status                 text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
  series                 text NOT NULL,
  number                 text,
  sequence               bigint,
  invoice_run_id         uuid REFERENCES billing_invoice_runs (id),
  credited_invoice_id    uuid REFERENCES billing_invoices (id),
  period_start           date,
  period_end             date,
  issue_date             date,
  due_date               date,
  discount_deadline      date,
  vat_regime             text NOT NULL,          -- rules/vat.ts decision, with its rate, mention and reason
  vat_rate_bp            integer NOT NULL CHECK (vat_rate_bp >= 0),
  vat_mention            text,
  vat_explanation        text NOT NULL,
  vies_check_id          uuid REFERENCES billing_vies_checks (id),   -- the VIES answer relied on (R-VAT proof)
  total_ht_cents         bigint NOT NULL DEFAULT 0,
  total_vat_cents        bigint NOT NULL DEFAULT 0,
  total_ttc_cents        bigint NOT NULL DEFAULT 0,
  discount_ht_cents      bigint NOT NULL DEFAULT 0,   -- the 1 % early-payment discount offered (R-PAYMENT)
  discount_ttc_cents     bigint NOT NULL DEFAULT 0,
  payment_method         text NOT NULL CHECK (payment_method IN ('sepa', 'transfer')),
  notes                  text[] NOT NULL DEFAULT '{}',
  document               jsonb,
  created_by             text,
  created_at             timestamptz NOT NULL DEFAULT now(),
  issued_at              timestamptz,
  -- Payment state: the only columns that change after issue.
  payment_status         text NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('unpaid', 'partially_paid', 'paid')),
  amount_paid_cents      bigint NOT NULL DEFAULT 0,
  amount_credited_cents  bigint NOT NULL DEFAULT 0,
  discount_taken_cents   bigint NOT NULL DEFAULT 0,
  paid_on                date,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'issued') = (number IS NOT NULL AND sequence IS NOT NULL AND issue_date IS NOT NULL AND document IS NOT NULL)),
  CHECK ((kind = 'credit_note') = (credited_invoice_id IS NOT NULL)),
  UNIQUE (series, sequence)
);
CREATE UNIQUE INDEX billing_invoices_number_key ON billing_invoices (number) WHERE number IS NOT NULL;
-- Idempotency of the monthly run: one invoice per tenant and period, draft or issued.
CREATE UNIQUE INDEX billing_invoices_monthly_once ON billing_invoices (tenant_id, period_start) WHERE origin = 'monthly';
CREATE UNIQUE INDEX billing_invoices_onboarding_once ON billing_invoices (contract_id) WHERE origin = 'onboarding';
CREATE INDEX billing_invoices_tenant_idx ON billing_invoices (tenant_id, created_at DESC);
CREATE INDEX billing_invoices_open_idx ON billing_invoices (due_date) WHERE status = 'issued' AND payment_status <> 'paid';
ALTER TABLE billing_invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_invoices
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE, DELETE ON billing_invoices TO sofy_app;

CREATE FUNCTION billing_invoice_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_payment text[] := ARRAY['payment_status', 'amount_paid_cents', 'amount_credited_cents', 'discount_taken_cents', 'paid_on', 'updated_at'];
BEGIN
  IF OLD.status = 'issued' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'issued invoice % cannot be deleted: issue a credit note', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (to_jsonb(NEW) - v_payment) IS DISTINCT FROM (to_jsonb(OLD) - v_payment) THEN
      RAISE EXCEPTION 'issued invoice % is immutable: issue a credit note', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER billing_invoices_frozen BEFORE UPDATE OR DELETE ON billing_invoices
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_frozen();

CREATE TABLE billing_invoice_lines (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  invoice_id            uuid NOT NULL REFERENCES billing_invoices (id) ON DELETE CASCADE,
  position              integer NOT NULL,
  kind                  text NOT NULL CHECK (kind IN ('subscription', 'proration', 'usage', 'onboarding', 'passthrough',
                                                      'af2m_fine', 'af2m_fee', 'manual', 'credit')),
  product_code          text,
  description           text NOT NULL,
  period_start          date,
  period_end            date,
  quantity              numeric(14, 3) NOT NULL,
  unit_price_millicents bigint NOT NULL,
  amount_ht_cents       bigint NOT NULL,
  vat_rate_bp           integer NOT NULL CHECK (vat_rate_bp >= 0),
  detail                jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (invoice_id, position)
);
ALTER TABLE billing_invoice_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_invoice_lines
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, DELETE ON billing_invoice_lines TO sofy_app;

CREATE FUNCTION billing_invoice_line_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM billing_invoices i WHERE i.id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.invoice_id ELSE OLD.invoice_id END)
                                                AND i.status = 'issued') THEN
    RAISE EXCEPTION 'the lines of an issued invoice are immutable' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER billing_invoice_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON billing_invoice_lines
  FOR EACH ROW EXECUTE FUNCTION billing_invoice_line_frozen();

-- Lines waiting for the next invoice: pass-through taxes (R-PASSTHRU), AF2M fines (R-AF2M) and
-- manual lines added by sofy_billing, and POI raises (R-POI) billed from their date.
CREATE TABLE billing_pending_charges (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  kind                  text NOT NULL CHECK (kind IN ('passthrough', 'af2m_fine', 'af2m_fee', 'manual', 'proration')),
  description           text NOT NULL,
  on_date               date NOT NULL,
  quantity              numeric(14, 3) NOT NULL DEFAULT 1,
  unit_price_millicents bigint NOT NULL,
  amount_ht_cents       bigint NOT NULL,
  detail                jsonb NOT NULL DEFAULT '{}'::jsonb,
  invoice_id            uuid REFERENCES billing_invoices (id) ON DELETE SET NULL,
  created_by            text,
  created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_pending_charges_tenant_idx ON billing_pending_charges (tenant_id, on_date) WHERE invoice_id IS NULL;
ALTER TABLE billing_pending_charges ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_pending_charges
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE, DELETE ON billing_pending_charges TO sofy_app;

-- Payments (R-PAYMENT) ------------------------------------------------------------------------------
-- Bank statement imports (CSV from the bank, sepa/bank-statement.ts). Each credit line is kept by
-- its fingerprint: importing the same statement twice, or two overlapping exports, adds nothing twice.
CREATE TABLE billing_bank_imports (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  filename     text,
  encoding     text,
  lines        integer NOT NULL,      -- credit lines read
  fresh        integer NOT NULL,      -- of which never imported before
  matched      integer NOT NULL,
  errors       jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_bank_imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_bank_imports USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT ON billing_bank_imports TO sofy_app;

CREATE TABLE billing_bank_lines (
  fingerprint  text PRIMARY KEY,
  import_id    uuid NOT NULL REFERENCES billing_bank_imports (id),
  line         integer NOT NULL,
  on_date      date NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  label        text NOT NULL,
  reference    text,
  counterparty text,
  status       text NOT NULL CHECK (status IN ('matched', 'unmatched', 'ignored')),
  reason       text,                  -- why it did not match (no_invoice_reference, invoice_not_open, ambiguous)
  candidates   uuid[] NOT NULL DEFAULT '{}',
  matched_at   timestamptz
);
CREATE INDEX billing_bank_lines_unmatched_idx ON billing_bank_lines (on_date) WHERE status = 'unmatched';
ALTER TABLE billing_bank_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_bank_lines USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_bank_lines TO sofy_app;

CREATE TABLE billing_sepa_batches (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  message_id       text NOT NULL UNIQUE,
  collection_date  date NOT NULL,
  total_cents      bigint NOT NULL,
  count            integer NOT NULL,
  xml              text NOT NULL,
  created_by       text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE billing_sepa_batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY operators_only ON billing_sepa_batches USING (app_is_operator()) WITH CHECK (app_is_operator());
GRANT SELECT, INSERT ON billing_sepa_batches TO sofy_app;

CREATE TABLE billing_sepa_batch_items (
  batch_id       uuid NOT NULL REFERENCES billing_sepa_batches (id),
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  invoice_id     uuid NOT NULL REFERENCES billing_invoices (id),
  amount_cents   bigint NOT NULL CHECK (amount_cents > 0),
  sequence_type  text NOT NULL CHECK (sequence_type IN ('FRST', 'RCUR')),
  end_to_end_id  text NOT NULL,
  mandate_rum    text NOT NULL,
  PRIMARY KEY (batch_id, invoice_id)
);
CREATE UNIQUE INDEX billing_sepa_batch_items_invoice ON billing_sepa_batch_items (invoice_id);
ALTER TABLE billing_sepa_batch_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_sepa_batch_items
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_sepa_batch_items TO sofy_app;

CREATE TABLE billing_payments (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  method          text NOT NULL CHECK (method IN ('transfer', 'sepa', 'other')),
  amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
  received_on     date NOT NULL,
  reference       text,
  bank_line       text REFERENCES billing_bank_lines (fingerprint),
  sepa_batch_id   uuid REFERENCES billing_sepa_batches (id),
  created_by      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_payments_tenant_idx ON billing_payments (tenant_id, received_on DESC);
ALTER TABLE billing_payments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_payments
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_payments TO sofy_app;

-- How a payment settles invoices (partial payments: several allocations per invoice).
CREATE TABLE billing_payment_allocations (
  payment_id      uuid NOT NULL REFERENCES billing_payments (id),
  invoice_id      uuid NOT NULL REFERENCES billing_invoices (id),
  tenant_id       uuid NOT NULL REFERENCES tenants (id),
  amount_cents    bigint NOT NULL CHECK (amount_cents > 0),
  discount_cents  bigint NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),   -- R-PAYMENT: 1 % taken when paid within 8 days
  PRIMARY KEY (payment_id, invoice_id)
);
ALTER TABLE billing_payment_allocations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_payment_allocations
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_payment_allocations TO sofy_app;

-- Dunning (R-DUNNING): one open case per tenant, its timeline, and its emails ----------------------
CREATE TABLE billing_dunning_cases (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  -- The state of rules/dunning.ts, for the tenant's overdue invoices taken together.
  status                  text NOT NULL CHECK (status IN ('current', 'overdue', 'notice_sent', 'suspension_eligible',
                                                          'suspended_nonpayment', 'paid', 'reactivated')),
  due_date                date NOT NULL,      -- the oldest overdue invoice's
  last_event_on           date NOT NULL,
  opened_on               date NOT NULL,
  notice_sent_on          date,
  notice_acknowledged_on  date,
  regularisation_deadline date,               -- notice + 5 French business days: last day to pay
  suspension_eligible_on  date,
  suspended_on            date,
  paid_on                 date,
  reactivated_on          date,
  closed_at               timestamptz,        -- paid (and reactivated when it was suspended)
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX billing_dunning_cases_open ON billing_dunning_cases (tenant_id) WHERE closed_at IS NULL;
ALTER TABLE billing_dunning_cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_dunning_cases
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_dunning_cases TO sofy_app;

CREATE TABLE billing_dunning_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id),
  case_id    uuid NOT NULL REFERENCES billing_dunning_cases (id),
  at         timestamptz NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('opened', 'overdue', 'invoice_added', 'notice_sent', 'notice_delivered', 'notice_failed',
                                          'notice_acknowledged', 'suspension_eligible', 'suspended', 'paid', 'reactivated', 'note')),
  detail     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX billing_dunning_events_case_idx ON billing_dunning_events (case_id, id);
ALTER TABLE billing_dunning_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_dunning_events
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT ON billing_dunning_events TO sofy_app;

-- Periods during which a tenant's services were suspended (R-DUNNING): caused by the client
-- (nonpayment, fraud: subscriptions keep accruing, the invoice says why) or by SOFY alone
-- (nothing is billed for the downtime).
CREATE TABLE billing_suspensions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  cause       text NOT NULL CHECK (cause IN ('nonpayment', 'fraud', 'sofy')),
  from_date   date NOT NULL,
  to_date     date,                     -- last day suspended; NULL while it lasts
  reason      text NOT NULL,
  case_id     uuid REFERENCES billing_dunning_cases (id),
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (to_date IS NULL OR to_date >= from_date)
);
CREATE INDEX billing_suspensions_tenant_idx ON billing_suspensions (tenant_id, from_date);
ALTER TABLE billing_suspensions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_suspensions
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_suspensions TO sofy_app;

-- Outbox of billing emails, sent through SMTP by the `billing.emails` job; a formal notice
-- carries an acknowledgement link (token stored hashed).
CREATE TABLE billing_emails (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  kind             text NOT NULL CHECK (kind IN ('formal_notice', 'sepa_prenotification', 'invoice_issued', 'reactivated')),
  case_id          uuid REFERENCES billing_dunning_cases (id),
  to_addresses     text[] NOT NULL CHECK (cardinality(to_addresses) > 0),
  subject          text NOT NULL,
  body_text        text NOT NULL,
  ack_token_hash   bytea UNIQUE,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  provider_id      text,
  sent_at          timestamptz,
  acknowledged_at  timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_emails_pending_idx ON billing_emails (created_at) WHERE status = 'pending';
ALTER TABLE billing_emails ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_emails
  USING (tenant_id = app_tenant_id() OR app_is_operator()) WITH CHECK (tenant_id = app_tenant_id() OR app_is_operator());
GRANT SELECT, INSERT, UPDATE ON billing_emails TO sofy_app;
