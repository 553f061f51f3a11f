-- Notices of the quality label (issue 10), each queued once per cause (mail_outbox.cause): to the
-- organisation (at its contact address, when it has one) its audit decided, a certificate
-- suspended, reinstated or withdrawn, and a certificate that expires within 3 months; to the
-- label office (LABEL_OFFICE_EMAIL) an outcome submitted. The first ones by the transaction that
-- makes the change; the expiring one by claimed background work from dates (label/notices.h).

-- Where the label office and the register write to about the organisation's audits and
-- certificates; without one the organisation gets no messages.
ALTER TABLE organisations
  ADD COLUMN contact_email text CHECK (char_length(contact_email) BETWEEN 3 AND 254 AND contact_email !~ '[\s<>,;"]');

CREATE OR REPLACE FUNCTION kr_organisation_json(o organisations) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', o.id, 'name', o.name, 'kvkNumber', o.kvk_number, 'address', o.address,
      'postalCode', o.postal_code, 'city', o.city, 'municipalityCodes', o.municipality_codes,
      'contactEmail', o.contact_email,
      'employeesFte', o.employees_fte, 'volunteers', o.volunteers,
      'businessCriticalVolunteers', o.business_critical_volunteers,
      'createdAt', kr_utc(o.created_at), 'updatedAt', kr_utc(o.updated_at))
  $$;

-- Queues notice `kind` to the organisation, once for `cause`, with `shown` (an object) beside its
-- name. NULL when it has no contact address or the cause was queued before. Its messages are in
-- the language of its (first) account, else Dutch.
CREATE FUNCTION kr_organisation_notice(organisation uuid, kind text, cause text, shown jsonb) RETURNS bigint
  LANGUAGE plpgsql AS $$
  DECLARE
    o organisations;
    lang text;
  BEGIN
    SELECT * INTO o FROM organisations WHERE id = organisation;
    IF NOT FOUND OR o.contact_email IS NULL THEN
      RETURN NULL;
    END IF;
    SELECT a.language INTO lang FROM accounts a WHERE a.organisation_id = o.id ORDER BY a.created_at LIMIT 1;
    RETURN kr_mail_enqueue(kind, o.contact_email, coalesce(lang, 'nl'),
                           (jsonb_build_object('organisationName', o.name) || shown)::json, cause);
  END $$;

-- The decision of `audit`, to its organisation.
CREATE FUNCTION kr_audit_decided_notice(audit uuid) RETURNS bigint
  LANGUAGE sql AS $$
    SELECT kr_organisation_notice(a.organisation_id,
      CASE WHEN d.granted THEN 'audit_granted' ELSE 'audit_refused' END, 'audit_decided:' || a.id,
      jsonb_build_object('note', d.note, 'plannedOn', to_char(a.planned_on, 'DD-MM-YYYY'),
        'certificateNumber', coalesce(c.certificate_number, ''),
        'validUntil', coalesce(to_char(c.valid_until, 'DD-MM-YYYY'), '')))
    FROM audits a JOIN audit_decisions d ON d.audit_id = a.id
    LEFT JOIN certificates c ON c.audit_id = a.id
    WHERE a.id = audit
  $$;

-- The newest event of `type` (suspended, reinstated, withdrawn) of `certificate`, to its organisation.
CREATE FUNCTION kr_certificate_change_notice(certificate uuid, type text) RETURNS bigint
  LANGUAGE sql AS $$
    SELECT kr_organisation_notice(c.organisation_id, 'certificate_' || e.type, 'certificate_' || e.type || ':' || e.id,
      jsonb_build_object('certificateNumber', c.certificate_number, 'reason', coalesce(e.reason, ''),
        'effectiveOn', to_char(e.effective_on, 'DD-MM-YYYY')))
    FROM certificates c
    JOIN LATERAL (SELECT * FROM certificate_events x WHERE x.certificate_id = c.id AND x.type = kr_certificate_change_notice.type
                  ORDER BY x.id DESC LIMIT 1) e ON true
    WHERE c.id = certificate
  $$;

-- An outcome submitted for `audit`, to the label office at `office` (a parameter name no joined
-- table has as a column: in a SQL function the column would win).
CREATE FUNCTION kr_outcome_submitted_notice(audit uuid, office text) RETURNS bigint
  LANGUAGE sql AS $$
    SELECT kr_mail_enqueue('outcome_submitted', office, 'nl',
      json_build_object('organisationName', o.name, 'kvkNumber', o.kvk_number, 'auditId', a.id::text,
        'plannedOn', to_char(a.planned_on, 'DD-MM-YYYY'), 'certifyingBody', coalesce(b.name, 'intercollegiaal')),
      'outcome_submitted:' || a.id)
    FROM audits a JOIN organisations o ON o.id = a.organisation_id
    LEFT JOIN certifying_bodies b ON b.id = a.certifying_body_id
    WHERE a.id = audit
  $$;

-- Queues the notices of certificates that run on `today` (valid, by the stored spans), expire
-- within 3 months and have no successor, of organisations with a contact address, whose notice
-- was not queued yet: at most `max_rows`; answers how many (label/notices.c). Found through the

CREATE FUNCTION kr_certificate_expiry_notices(today date, max_rows integer) RETURNS integer
  LANGUAGE sql AS $$
    WITH due AS (
      SELECT c.id, c.organisation_id, c.certificate_number, c.valid_until FROM certificates c
      JOIN organisations o ON o.id = c.organisation_id AND o.contact_email IS NOT NULL
      JOIN certificate_statuses s ON s.certificate_id = c.id AND s.from_on <= today AND today < s.until_on
      WHERE c.valid_until BETWEEN today AND (today + interval '3 months')::date AND s.status = 'valid'
        AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.cause = 'certificate_expiring:' || c.id)
        AND NOT EXISTS (SELECT 1 FROM certificates n WHERE n.previous_certificate_id = c.id)
      ORDER BY c.valid_until, c.id LIMIT max_rows)
    SELECT count(kr_organisation_notice(due.organisation_id, 'certificate_expiring', 'certificate_expiring:' || due.id,
             jsonb_build_object('certificateNumber', due.certificate_number,
                                'validUntil', to_char(due.valid_until, 'DD-MM-YYYY'))))::integer
    FROM due
  $$;
