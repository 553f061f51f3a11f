-- Certificate statuses are decided when a certificate changes, not when it is read. Each write
-- that can change one (a grant, a suspension, a reinstatement, a withdrawal) runs the label's C
-- rules (label/rules.c) under the organisation's row lock and stores their result here, in the
-- same transaction: "status on D" is then an index lookup for one certificate, a list filter,
-- a check of one KvK number or of a thousand. The tables hold results only: the one version of
-- each rule is the C one. Spans are [from_on, until_on), from -infinity to infinity.
--
-- Each span also holds the answers that show it, built once when it is stored: a certificate's
-- public view, its full view and the view a certification check shows (with its changes).
-- Whatever they show is rewritten with them: a certificate's change or expiry, and a change of
-- its organisation (kr_store_statuses below is called for each).

-- Each certificate's status over time, with its answers.
CREATE TABLE certificate_statuses (
  certificate_id uuid NOT NULL REFERENCES certificates (id),
  from_on        date NOT NULL,
  until_on       date NOT NULL CHECK (until_on > from_on),
  status         text NOT NULL CHECK (status IN ('valid', 'suspended', 'withdrawn', 'expired', 'not_yet_valid')),
  public_view    json NOT NULL,
  full_view      json NOT NULL,
  check_view     json NOT NULL,
  PRIMARY KEY (certificate_id, from_on)
);

-- For each organisation with certificates, over time: the certificate that stands for it (the
-- one a certification check shows), that certificate's status (certified means 'valid') and its
-- check view.
CREATE TABLE organisation_certification (
  organisation_id   uuid NOT NULL REFERENCES organisations (id),
  from_on           date NOT NULL,
  until_on          date NOT NULL CHECK (until_on > from_on),
  certificate_id    uuid NOT NULL REFERENCES certificates (id),
  status            text NOT NULL CHECK (status IN ('valid', 'suspended', 'withdrawn', 'expired', 'not_yet_valid')),
  check_view        json NOT NULL,
  -- what a check by KvK number needs without visiting the organisation: its number (rewritten
  -- with a KvK number change) and the organisation as a check shows it
  kvk_number        text NOT NULL,
  organisation_view json NOT NULL,
  PRIMARY KEY (organisation_id, from_on)
);
CREATE INDEX organisation_certification_kvk ON organisation_certification (kvk_number, from_on);

-- Certification checks, one KvK number or many, answered and logged by one statement over the
-- input array (in its order, one snapshot). `bulk` gives {on, results}; otherwise the one answer.
-- The log records reads: a municipality's check commits it asynchronously (synchronous_commit
-- off for that transaction only), so a crash can lose the log rows of the last fraction of a
-- second, never change an answer that was given.
-- The plan is the generic one always: a custom plan for each call would be planned anew every
-- time (the planner thinks an array of unknown length worth it), which tripled a check's cost.
CREATE FUNCTION kr_certification_checks(numbers text[], on_date date, account uuid,
                                        municipality text, bulk boolean) RETURNS json
  LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan
  AS $$
  DECLARE
    answer json;
  BEGIN
    IF municipality IS NOT NULL THEN
      PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    -- Each number is looked up by index on its own (LATERAL ... LIMIT 1): the plan must not
    -- depend on how many numbers come, nor grow with the number of organisations. A certified
    -- (or once certified) organisation is one lookup of its span by KvK number; only the others
    -- are looked up among the organisations.
    WITH checked AS (
      SELECT k.n, k.kvk, coalesce(t.status = 'valid', false) AS certified, json_build_object(
        'kvkNumber', k.kvk, 'on', on_date, 'certified', coalesce(t.status = 'valid', false),
        'organisation', coalesce(t.organisation_view, o.summary), 'certificate', t.check_view) AS body
      FROM unnest(numbers) WITH ORDINALITY k (kvk, n)
      LEFT JOIN LATERAL (
        SELECT s.status, s.check_view, s.organisation_view FROM organisation_certification s
        WHERE s.kvk_number = k.kvk AND s.from_on <= on_date
        ORDER BY s.from_on DESC LIMIT 1) t ON true
      LEFT JOIN LATERAL (
        SELECT json_build_object('id', x.id, 'name', x.name, 'kvkNumber', x.kvk_number,
                 'city', x.city, 'municipalityCodes', x.municipality_codes) AS summary
        FROM organisations x WHERE t.status IS NULL AND x.kvk_number = k.kvk LIMIT 1) o ON true
    ),
    logged AS (
      INSERT INTO certification_check_log (account_id, municipality_code, kvk_number, on_date, certified)
      SELECT account, municipality, checked.kvk, on_date, checked.certified FROM checked
      WHERE municipality IS NOT NULL ORDER BY checked.n)
    SELECT CASE WHEN bulk THEN json_build_object('on', on_date, 'results', json_agg(checked.body ORDER BY checked.n))
                ELSE (array_agg(checked.body ORDER BY checked.n))[1] END
    INTO answer FROM checked;
    RETURN answer;
  END $$;

-- Replaced by the stored spans and their answers.
DROP FUNCTION kr_check_subject(text);
DROP FUNCTION kr_certificate_changes(uuid);
DROP FUNCTION kr_certificate_json(certificates);

-- Replaces the stored statuses of the organisations `orgs` (all their certificates) with the
-- spans the service computed, and builds each span's answers: one round trip for a write, or for
-- a batch of a backfill.
CREATE FUNCTION kr_store_statuses(orgs uuid[], cert_ids uuid[], cert_from date[], cert_until date[],
                                  cert_status text[], org_ids uuid[], org_from date[], org_until date[],
                                  org_cert uuid[], org_status text[]) RETURNS void
  LANGUAGE plpgsql
  AS $$
  BEGIN
    DELETE FROM organisation_certification WHERE organisation_id = ANY (orgs);
    DELETE FROM certificate_statuses s USING certificates c
      WHERE c.id = s.certificate_id AND c.organisation_id = ANY (orgs);
    INSERT INTO certificate_statuses (certificate_id, from_on, until_on, status, public_view, full_view, check_view)
      SELECT c.id, u.from_on, u.until_on, u.status,
        json_build_object('certificateNumber', c.certificate_number, 'validFrom', c.valid_from,
          'validUntil', c.valid_until, 'organisation', json_build_object('name', o.name,
            'kvkNumber', o.kvk_number, 'city', o.city, 'municipalityCodes', o.municipality_codes),
          'frameworkVersion', c.framework_version, 'certifyingBody', json_build_object('name', b.name),
          'status', u.status),
        json_build_object('certificateNumber', c.certificate_number, 'validFrom', c.valid_from,
          'validUntil', c.valid_until, 'organisation', json_build_object('id', o.id, 'name', o.name,
            'kvkNumber', o.kvk_number, 'city', o.city, 'municipalityCodes', o.municipality_codes),
          'frameworkVersion', c.framework_version,
          'certifyingBody', json_build_object('id', b.id, 'name', b.name), 'auditId', c.audit_id,
          'issuedAt', kr_utc(c.issued_at), 'previousCertificateNumber', p.certificate_number,
          'status', u.status),
        json_build_object('certificateNumber', c.certificate_number, 'validFrom', c.valid_from,
          'validUntil', c.valid_until, 'frameworkVersion', c.framework_version,
          'certifyingBody', json_build_object('id', b.id, 'name', b.name), 'status', u.status,
          'changes', (SELECT coalesce(json_agg(json_build_object('type', e.type,
                        'effectiveOn', e.effective_on, 'recordedAt', kr_utc(e.recorded_at)) ORDER BY e.id), '[]')
                      FROM certificate_events e WHERE e.certificate_id = c.id))
      FROM unnest(cert_ids, cert_from, cert_until, cert_status) u (id, from_on, until_on, status)
      JOIN certificates c ON c.id = u.id
      JOIN organisations o ON o.id = c.organisation_id
      JOIN certifying_bodies b ON b.id = c.certifying_body_id
      LEFT JOIN certificates p ON p.id = c.previous_certificate_id;
    INSERT INTO organisation_certification (organisation_id, from_on, until_on, certificate_id, status,
                                            check_view, kvk_number, organisation_view)
      SELECT u.organisation_id, u.from_on, u.until_on, u.certificate_id, u.status, s.check_view,
        o.kvk_number, json_build_object('id', o.id, 'name', o.name, 'kvkNumber', o.kvk_number,
          'city', o.city, 'municipalityCodes', o.municipality_codes)
      FROM unnest(org_ids, org_from, org_until, org_cert, org_status)
             u (organisation_id, from_on, until_on, certificate_id, status)
      JOIN organisations o ON o.id = u.organisation_id
      JOIN certificate_statuses s
        ON s.certificate_id = u.certificate_id AND s.from_on <= u.from_on AND u.from_on < s.until_on;
  END $$;
