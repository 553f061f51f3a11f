-- The quality label: organisations, norm frameworks, certifying bodies and their framework
-- agreements, audits (self-evaluation, outcome, decision) and certificates with their events.

-- Organisations get their full record. Existing rows (created before the label existed) keep
-- working: the new members have defaults, and a KvK number becomes required.
ALTER TABLE organisations
  ALTER COLUMN kvk_number SET NOT NULL,
  ADD COLUMN address text,
  ADD COLUMN postal_code text CHECK (postal_code ~ '^[1-9][0-9]{3} ?[A-Z]{2}$'),
  ADD COLUMN city text NOT NULL DEFAULT '',
  ADD COLUMN municipality_codes text[] NOT NULL DEFAULT '{}'
    CHECK (array_to_string(municipality_codes, ',', '?') ~ '^(GM[0-9]{4}(,GM[0-9]{4})*)?$'),
  ADD COLUMN employees_fte numeric(8, 1) NOT NULL DEFAULT 0 CHECK (employees_fte >= 0),
  ADD COLUMN volunteers integer NOT NULL DEFAULT 0 CHECK (volunteers >= 0),
  ADD COLUMN business_critical_volunteers integer NOT NULL DEFAULT 0
    CHECK (business_critical_volunteers >= 0 AND business_critical_volunteers <= volunteers),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ADD COLUMN revision integer NOT NULL DEFAULT 1;
CREATE INDEX organisations_page ON organisations (kr_sort_key(created_at), id);

-- Accent- and case-insensitive search text (unaccent is not in core: a fixed translation of the
-- Latin letters Dutch names use).
CREATE FUNCTION kr_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(translate(t,
    'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ',
    'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy')) $$;

CREATE FUNCTION kr_organisation_json(o organisations) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', o.id, 'name', o.name, 'kvkNumber', o.kvk_number, 'address', o.address,
      'postalCode', o.postal_code, 'city', o.city, 'municipalityCodes', o.municipality_codes,
      'employeesFte', o.employees_fte, 'volunteers', o.volunteers,
      'businessCriticalVolunteers', o.business_critical_volunteers,
      'createdAt', kr_utc(o.created_at), 'updatedAt', kr_utc(o.updated_at))
  $$;

CREATE TABLE norm_frameworks (
  version          text PRIMARY KEY CHECK (version ~ '^[0-9A-Za-z._-]{1,32}$'),
  title            text NOT NULL,
  open_from        date NOT NULL,
  open_until       date CHECK (open_until >= open_from),
  restricted_from  date,
  mandatory_from   date,
  max_partially_met integer NOT NULL CHECK (max_partially_met >= 0),
  max_not_met      integer NOT NULL CHECK (max_not_met >= 0),
  certificate_term_months integer NOT NULL CHECK (certificate_term_months BETWEEN 1 AND 120),
  business_critical_volunteers_in_scope boolean NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE norm_categories (
  framework_version text NOT NULL REFERENCES norm_frameworks (version),
  code     text NOT NULL,
  name     text NOT NULL,
  position integer NOT NULL,
  PRIMARY KEY (framework_version, code)
);

CREATE TABLE norms (
  framework_version text NOT NULL,
  code          text NOT NULL CHECK (code ~ '^[A-Z0-9-]{1,16}$'),
  category_code text NOT NULL,
  position      integer NOT NULL,
  text          text NOT NULL,
  text_is_placeholder boolean NOT NULL DEFAULT false,
  PRIMARY KEY (framework_version, code),
  FOREIGN KEY (framework_version, category_code) REFERENCES norm_categories (framework_version, code)
);

-- Every text a norm had before it was replaced: texts may be corrected while codes, categories
-- and thresholds of a framework in use never change.
CREATE TABLE norm_text_history (
  id                bigserial PRIMARY KEY,
  framework_version text NOT NULL,
  code              text NOT NULL,
  text              text NOT NULL,
  changed_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  changed_by        uuid REFERENCES accounts (id),
  FOREIGN KEY (framework_version, code) REFERENCES norms (framework_version, code)
);

INSERT INTO norm_frameworks (version, title, open_from, open_until, restricted_from, mandatory_from,
                             max_partially_met, max_not_met, certificate_term_months,
                             business_critical_volunteers_in_scope) VALUES
  ('2017', 'Normenkader Kwaliteitslabel Sociaal Werk 2017', '2017-01-01', '2019-12-31', '2019-05-01', NULL,
   10, 5, 24, false),
  ('2019', 'Normenkader Kwaliteitslabel Sociaal Werk 2019', '2019-05-01', NULL, NULL, '2020-01-01',
   8, 3, 24, true);

INSERT INTO norm_categories (framework_version, code, name, position) VALUES
  ('2017', 'vakmanschap', 'Vakmanschap', 1),
  ('2017', 'dienstverlening', 'Dienstverlening', 2),
  ('2017', 'organisatie-bestuur', 'Organisatie & bestuur', 3),
  ('2019', 'vakmanschap', 'Vakmanschap', 1),
  ('2019', 'dienstverlening', 'Dienstverlening', 2),
  ('2019', 'organisatie-bestuur', 'Organisatie & bestuur', 3);

INSERT INTO norms (framework_version, code, category_code, position, text, text_is_placeholder) VALUES
  ('2017', 'V01', 'vakmanschap', 1, '[placeholder] Norm V01 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V02', 'vakmanschap', 2, '[placeholder] Norm V02 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V03', 'vakmanschap', 3, '[placeholder] Norm V03 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V04', 'vakmanschap', 4, '[placeholder] Norm V04 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V05', 'vakmanschap', 5, '[placeholder] Norm V05 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V06', 'vakmanschap', 6, '[placeholder] Norm V06 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V07', 'vakmanschap', 7, '[placeholder] Norm V07 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V08', 'vakmanschap', 8, '[placeholder] Norm V08 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V09', 'vakmanschap', 9, '[placeholder] Norm V09 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V10', 'vakmanschap', 10, '[placeholder] Norm V10 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V11', 'vakmanschap', 11, '[placeholder] Norm V11 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V12', 'vakmanschap', 12, '[placeholder] Norm V12 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V13', 'vakmanschap', 13, '[placeholder] Norm V13 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V14', 'vakmanschap', 14, '[placeholder] Norm V14 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V15', 'vakmanschap', 15, '[placeholder] Norm V15 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'V16', 'vakmanschap', 16, '[placeholder] Norm V16 of framework 2017 (vakmanschap); the official text has not been loaded yet.', true),
  ('2017', 'D01', 'dienstverlening', 17, '[placeholder] Norm D01 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D02', 'dienstverlening', 18, '[placeholder] Norm D02 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D03', 'dienstverlening', 19, '[placeholder] Norm D03 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D04', 'dienstverlening', 20, '[placeholder] Norm D04 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D05', 'dienstverlening', 21, '[placeholder] Norm D05 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D06', 'dienstverlening', 22, '[placeholder] Norm D06 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D07', 'dienstverlening', 23, '[placeholder] Norm D07 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D08', 'dienstverlening', 24, '[placeholder] Norm D08 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D09', 'dienstverlening', 25, '[placeholder] Norm D09 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D10', 'dienstverlening', 26, '[placeholder] Norm D10 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D11', 'dienstverlening', 27, '[placeholder] Norm D11 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D12', 'dienstverlening', 28, '[placeholder] Norm D12 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D13', 'dienstverlening', 29, '[placeholder] Norm D13 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D14', 'dienstverlening', 30, '[placeholder] Norm D14 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D15', 'dienstverlening', 31, '[placeholder] Norm D15 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'D16', 'dienstverlening', 32, '[placeholder] Norm D16 of framework 2017 (dienstverlening); the official text has not been loaded yet.', true),
  ('2017', 'O01', 'organisatie-bestuur', 33, '[placeholder] Norm O01 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O02', 'organisatie-bestuur', 34, '[placeholder] Norm O02 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O03', 'organisatie-bestuur', 35, '[placeholder] Norm O03 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O04', 'organisatie-bestuur', 36, '[placeholder] Norm O04 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O05', 'organisatie-bestuur', 37, '[placeholder] Norm O05 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O06', 'organisatie-bestuur', 38, '[placeholder] Norm O06 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O07', 'organisatie-bestuur', 39, '[placeholder] Norm O07 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O08', 'organisatie-bestuur', 40, '[placeholder] Norm O08 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O09', 'organisatie-bestuur', 41, '[placeholder] Norm O09 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O10', 'organisatie-bestuur', 42, '[placeholder] Norm O10 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O11', 'organisatie-bestuur', 43, '[placeholder] Norm O11 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O12', 'organisatie-bestuur', 44, '[placeholder] Norm O12 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O13', 'organisatie-bestuur', 45, '[placeholder] Norm O13 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O14', 'organisatie-bestuur', 46, '[placeholder] Norm O14 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O15', 'organisatie-bestuur', 47, '[placeholder] Norm O15 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O16', 'organisatie-bestuur', 48, '[placeholder] Norm O16 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O17', 'organisatie-bestuur', 49, '[placeholder] Norm O17 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O18', 'organisatie-bestuur', 50, '[placeholder] Norm O18 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O19', 'organisatie-bestuur', 51, '[placeholder] Norm O19 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2017', 'O20', 'organisatie-bestuur', 52, '[placeholder] Norm O20 of framework 2017 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'V01', 'vakmanschap', 1, '[placeholder] Norm V01 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V02', 'vakmanschap', 2, '[placeholder] Norm V02 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V03', 'vakmanschap', 3, '[placeholder] Norm V03 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V04', 'vakmanschap', 4, '[placeholder] Norm V04 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V05', 'vakmanschap', 5, '[placeholder] Norm V05 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V06', 'vakmanschap', 6, '[placeholder] Norm V06 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V07', 'vakmanschap', 7, '[placeholder] Norm V07 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V08', 'vakmanschap', 8, '[placeholder] Norm V08 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V09', 'vakmanschap', 9, '[placeholder] Norm V09 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V10', 'vakmanschap', 10, '[placeholder] Norm V10 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V11', 'vakmanschap', 11, '[placeholder] Norm V11 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V12', 'vakmanschap', 12, '[placeholder] Norm V12 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V13', 'vakmanschap', 13, '[placeholder] Norm V13 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V14', 'vakmanschap', 14, '[placeholder] Norm V14 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V15', 'vakmanschap', 15, '[placeholder] Norm V15 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'V16', 'vakmanschap', 16, '[placeholder] Norm V16 of framework 2019 (vakmanschap); the official text has not been loaded yet.', true),
  ('2019', 'D01', 'dienstverlening', 17, '[placeholder] Norm D01 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D02', 'dienstverlening', 18, '[placeholder] Norm D02 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D03', 'dienstverlening', 19, '[placeholder] Norm D03 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D04', 'dienstverlening', 20, '[placeholder] Norm D04 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D05', 'dienstverlening', 21, '[placeholder] Norm D05 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D06', 'dienstverlening', 22, '[placeholder] Norm D06 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D07', 'dienstverlening', 23, '[placeholder] Norm D07 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D08', 'dienstverlening', 24, '[placeholder] Norm D08 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D09', 'dienstverlening', 25, '[placeholder] Norm D09 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D10', 'dienstverlening', 26, '[placeholder] Norm D10 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D11', 'dienstverlening', 27, '[placeholder] Norm D11 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D12', 'dienstverlening', 28, '[placeholder] Norm D12 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D13', 'dienstverlening', 29, '[placeholder] Norm D13 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'D14', 'dienstverlening', 30, '[placeholder] Norm D14 of framework 2019 (dienstverlening); the official text has not been loaded yet.', true),
  ('2019', 'O01', 'organisatie-bestuur', 31, '[placeholder] Norm O01 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O02', 'organisatie-bestuur', 32, '[placeholder] Norm O02 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O03', 'organisatie-bestuur', 33, '[placeholder] Norm O03 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O04', 'organisatie-bestuur', 34, '[placeholder] Norm O04 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O05', 'organisatie-bestuur', 35, '[placeholder] Norm O05 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O06', 'organisatie-bestuur', 36, '[placeholder] Norm O06 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O07', 'organisatie-bestuur', 37, '[placeholder] Norm O07 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O08', 'organisatie-bestuur', 38, '[placeholder] Norm O08 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O09', 'organisatie-bestuur', 39, '[placeholder] Norm O09 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O10', 'organisatie-bestuur', 40, '[placeholder] Norm O10 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O11', 'organisatie-bestuur', 41, '[placeholder] Norm O11 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O12', 'organisatie-bestuur', 42, '[placeholder] Norm O12 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O13', 'organisatie-bestuur', 43, '[placeholder] Norm O13 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O14', 'organisatie-bestuur', 44, '[placeholder] Norm O14 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O15', 'organisatie-bestuur', 45, '[placeholder] Norm O15 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O16', 'organisatie-bestuur', 46, '[placeholder] Norm O16 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O17', 'organisatie-bestuur', 47, '[placeholder] Norm O17 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O18', 'organisatie-bestuur', 48, '[placeholder] Norm O18 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true),
  ('2019', 'O19', 'organisatie-bestuur', 49, '[placeholder] Norm O19 of framework 2019 (organisatie-bestuur); the official text has not been loaded yet.', true);

CREATE TABLE certifying_body_agreements (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  certifying_body_id uuid NOT NULL REFERENCES certifying_bodies (id),
  valid_from         date NOT NULL,
  valid_until        date CHECK (valid_until >= valid_from),
  created_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX certifying_body_agreements_body ON certifying_body_agreements (certifying_body_id);
CREATE INDEX certifying_bodies_page ON certifying_bodies (kr_sort_key(created_at), id);

CREATE TABLE audits (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id    uuid NOT NULL REFERENCES organisations (id),
  certifying_body_id uuid REFERENCES certifying_bodies (id),
  kind               text NOT NULL CHECK (kind IN ('external', 'intercollegial', 'combined')),
  type               text NOT NULL CHECK (type IN ('initial', 'recertification')),
  framework_version  text NOT NULL REFERENCES norm_frameworks (version),
  planned_on         date NOT NULL,
  scope              jsonb NOT NULL,
  status             text NOT NULL DEFAULT 'planned'
                     CHECK (status IN ('planned', 'outcome_submitted', 'granted', 'refused', 'cancelled')),
  cancellation_reason text,
  created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by         uuid REFERENCES accounts (id),
  CHECK ((kind = 'intercollegial') = (certifying_body_id IS NULL))
);
CREATE INDEX audits_page ON audits (kr_sort_key(created_at), id);
CREATE INDEX audits_organisation ON audits (organisation_id, framework_version, planned_on);
CREATE INDEX audits_body ON audits (certifying_body_id);

CREATE FUNCTION kr_audit_json(a audits) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', a.id, 'organisationId', a.organisation_id, 'certifyingBodyId', a.certifying_body_id,
      'kind', a.kind, 'type', a.type, 'frameworkVersion', a.framework_version,
      'plannedOn', a.planned_on, 'scope', a.scope, 'status', a.status,
      'createdAt', kr_utc(a.created_at))
  $$;

-- A framework as the API shows it; inUse says an audit uses it (then its codes, categories and
-- thresholds are fixed).
CREATE FUNCTION kr_framework_json(f norm_frameworks, with_norms boolean) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object(
      'version', f.version, 'title', f.title, 'openFrom', f.open_from, 'openUntil', f.open_until,
      'restrictedFrom', f.restricted_from, 'mandatoryFrom', f.mandatory_from,
      'maxPartiallyMet', f.max_partially_met, 'maxNotMet', f.max_not_met,
      'certificateTermMonths', f.certificate_term_months,
      'businessCriticalVolunteersInScope', f.business_critical_volunteers_in_scope,
      'inUse', EXISTS (SELECT 1 FROM audits a WHERE a.framework_version = f.version),
      'normCount', (SELECT count(*) FROM norms n WHERE n.framework_version = f.version))::jsonb
      || CASE WHEN with_norms THEN jsonb_build_object('categories', (
           SELECT coalesce(jsonb_agg(jsonb_build_object('code', c.code, 'name', c.name, 'norms', (
             SELECT coalesce(jsonb_agg(jsonb_build_object('code', n.code, 'text', n.text,
                                        'textIsPlaceholder', n.text_is_placeholder)
                                       ORDER BY n.position), '[]')
             FROM norms n WHERE n.framework_version = c.framework_version AND n.category_code = c.code))
             ORDER BY c.position), '[]')
           FROM norm_categories c WHERE c.framework_version = f.version))
         ELSE '{}'::jsonb END);
  END $$;

CREATE TABLE self_evaluations (
  audit_id     uuid PRIMARY KEY REFERENCES audits (id),
  status       text NOT NULL CHECK (status IN ('draft', 'submitted')),
  scores       jsonb NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  submitted_at timestamptz
);

CREATE TABLE audit_outcomes (
  audit_id          uuid PRIMARY KEY REFERENCES audits (id),
  audited_on        date NOT NULL,
  auditors          text[] NOT NULL,
  advice            text NOT NULL CHECK (advice IN ('positive', 'negative')),
  report_reference  text NOT NULL,
  learning_report   text,
  met               integer NOT NULL,
  partially_met     integer NOT NULL,
  not_met           integer NOT NULL,
  meets_threshold   boolean NOT NULL,
  submitted_by      uuid REFERENCES accounts (id),
  submitted_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE audit_outcome_scores (
  audit_id  uuid NOT NULL REFERENCES audit_outcomes (audit_id) ON DELETE CASCADE,
  norm_code text NOT NULL,
  position  integer NOT NULL,
  score     text NOT NULL CHECK (score IN ('met', 'partially_met', 'not_met')),
  finding   text NOT NULL,
  PRIMARY KEY (audit_id, norm_code)
);

CREATE FUNCTION kr_outcome_json(o audit_outcomes) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object(
      'auditId', o.audit_id, 'auditedOn', o.audited_on, 'auditors', o.auditors,
      'advice', o.advice, 'reportReference', o.report_reference,
      'learningReport', o.learning_report,
      'scores', (SELECT coalesce(json_agg(json_build_object('normCode', s.norm_code,
                   'score', s.score, 'finding', s.finding) ORDER BY s.position), '[]')
                 FROM audit_outcome_scores s WHERE s.audit_id = o.audit_id),
      'counts', json_build_object('met', o.met, 'partiallyMet', o.partially_met, 'notMet', o.not_met),
      'meetsThreshold', o.meets_threshold,
      'submittedAt', kr_utc(o.submitted_at), 'updatedAt', kr_utc(o.updated_at)));
  END $$;

CREATE TABLE audit_decisions (
  audit_id   uuid PRIMARY KEY REFERENCES audits (id),
  granted    boolean NOT NULL,
  note       text NOT NULL,
  decided_on date NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  decided_by uuid REFERENCES accounts (id)
);

CREATE SEQUENCE certificate_number_seq;

CREATE TABLE certificates (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  certificate_number   text NOT NULL UNIQUE CHECK (certificate_number ~ '^KSW-[0-9]{4}-[0-9]{6}$'),
  organisation_id      uuid NOT NULL REFERENCES organisations (id),
  audit_id             uuid NOT NULL UNIQUE REFERENCES audits (id),
  framework_version    text NOT NULL REFERENCES norm_frameworks (version),
  certifying_body_id   uuid NOT NULL REFERENCES certifying_bodies (id),
  valid_from           date NOT NULL,
  valid_until          date NOT NULL CHECK (valid_until >= valid_from),
  previous_certificate_id uuid REFERENCES certificates (id),
  issued_at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX certificates_organisation ON certificates (organisation_id, valid_until);
CREATE INDEX certificates_page ON certificates (kr_sort_key(issued_at), id);

-- Every change of a certificate, in the order it was recorded: its history, and the feed that
-- municipalities read (ids only grow).
CREATE TABLE certificate_events (
  id             bigserial PRIMARY KEY,
  certificate_id uuid NOT NULL REFERENCES certificates (id),
  type           text NOT NULL CHECK (type IN ('issued', 'suspended', 'reinstated', 'withdrawn', 'expired')),
  effective_on   date NOT NULL,
  reason         text,
  recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  recorded_by    uuid REFERENCES accounts (id)
);
CREATE INDEX certificate_events_certificate ON certificate_events (certificate_id, id);

-- (Functions with subqueries are PL/pgSQL: it keeps their plans between calls; SQL functions that
-- cannot be inlined are planned again on every call.)
-- A certificate as the API shows it, without its status: the service computes the status from
-- `changes` (label/rules.c) and removes that member before answering.
CREATE FUNCTION kr_certificate_json(c certificates) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object(
      'certificateNumber', c.certificate_number, 'validFrom', c.valid_from,
      'validUntil', c.valid_until,
      'organisation', (SELECT json_build_object('id', o.id, 'name', o.name, 'kvkNumber', o.kvk_number,
                         'city', o.city, 'municipalityCodes', o.municipality_codes)
                       FROM organisations o WHERE o.id = c.organisation_id),
      'frameworkVersion', c.framework_version,
      'certifyingBody', (SELECT json_build_object('id', b.id, 'name', b.name)
                         FROM certifying_bodies b WHERE b.id = c.certifying_body_id),
      'auditId', c.audit_id, 'issuedAt', kr_utc(c.issued_at),
      'previousCertificateNumber', (SELECT p.certificate_number FROM certificates p
                                    WHERE p.id = c.previous_certificate_id),
      'changes', (SELECT coalesce(json_agg(json_build_array(e.type, e.effective_on) ORDER BY e.id), '[]')
                  FROM certificate_events e
                  WHERE e.certificate_id = c.id AND e.type IN ('suspended', 'reinstated', 'withdrawn'))));
  END $$;

-- Idempotency keys of machine clients' writes: the first response, replayed for a retry.
CREATE TABLE idempotency_keys (
  account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key            text NOT NULL,
  request_hash   text NOT NULL,
  status         integer NOT NULL,
  content_type   text,
  body           text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (account_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
