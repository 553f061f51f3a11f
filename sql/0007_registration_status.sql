-- Registration statuses are decided when they change, not when they are read. Every write that can
-- change one locks the professional's row, reads the facts (state, periods, measures), runs the
-- C rule over them (register_status_timeline in register/rules.c) and stores the timeline here in
-- the same transaction. The spans [from_on, until_on) cover all time, from -infinity to infinity,
-- and neighbours differ: expiry is just the last span, known from the period's dates. The service
-- fills in the timelines of rows loaded behind its back when it migrates (register/status_store.c).
CREATE TABLE registration_statuses (
  professional_id uuid NOT NULL REFERENCES professionals (id) ON DELETE CASCADE,
  from_on         date NOT NULL,
  until_on        date NOT NULL CHECK (until_on > from_on),
  status          text NOT NULL CHECK (status IN ('applied', 'registered', 'suspended', 'struck_off', 'expired',
                                                  'deregistered', 'rejected')),
  PRIMARY KEY (professional_id, from_on)
);

-- The professional as the API answers it on `on_date`: the record, its status then, and the
-- period containing that day (else the last one started before it; periods never overlap).
-- NULL when there is no such professional (or it has no timeline yet).
CREATE FUNCTION kr_professional_view(id uuid, on_date date) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object('id', p.id, 'givenName', p.given_name, 'familyName', p.family_name,
      'email', p.email, 'profile', p.profile, 'educationLevel', p.education_level,
      'registrationNumber', p.registration_number,
      'diploma', CASE WHEN p.diploma IS NULL THEN NULL ELSE json_build_object('contentType', p.diploma_type,
                  'sizeBytes', octet_length(p.diploma), 'sha256', p.diploma_sha256,
                  'uploadedAt', kr_utc(p.diploma_uploaded_at)) END,
      'rejectionReason', p.rejection_reason, 'deregisteredOn', p.deregistered_on,
      'createdAt', kr_utc(p.created_at),
      'status', s.status, 'statusOn', on_date, 'periodStart', r.starts_on, 'periodEnd', r.ends_on)
      FROM professionals p
      JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= on_date AND on_date < s.until_on
      LEFT JOIN LATERAL (SELECT x.starts_on, x.ends_on FROM registration_periods x
                         WHERE x.professional_id = p.id AND x.starts_on <= on_date
                         ORDER BY x.number DESC LIMIT 1) r ON true
      WHERE p.id = kr_professional_view.id);
  END $$;

-- The public register's view on `on_date`: public fields, the periods and the public measures
-- that were not revoked. NULL when there is no such professional.
CREATE FUNCTION kr_public_view(id uuid, on_date date) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object('registrationNumber', p.registration_number, 'givenName', p.given_name,
      'familyName', p.family_name, 'profile', p.profile, 'status', s.status, 'statusOn', on_date,
      'periods', (SELECT coalesce(json_agg(json_build_object('startsOn', r.starts_on, 'endsOn', r.ends_on)
                    ORDER BY r.number), '[]') FROM registration_periods r WHERE r.professional_id = p.id),
      'measures', (SELECT coalesce(json_agg(json_build_object('type', m.type, 'startsOn', m.starts_on,
                     'endsOn', m.ends_on) ORDER BY m.starts_on, m.id), '[]')
                   FROM measures m WHERE m.professional_id = p.id AND m.revoked_on IS NULL AND m.public))
      FROM professionals p
      JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= on_date AND on_date < s.until_on
      WHERE p.id = kr_public_view.id);
  END $$;

-- The facts a registration's status follows from, for the professionals whose ids lie in
-- [first_id, last_id] (one, or a batch read in id order): the state, the deregistration date, the
-- periods and the measures that were not revoked (read in C by register_facts_of). The one source
-- the stored timelines are derived from. A range, not a list, so that each table is read with one
-- index range scan.
CREATE FUNCTION kr_registration_facts(first_id uuid, last_id uuid) RETURNS TABLE (id uuid, facts json)
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  SELECT p.id, json_build_object('state', p.state, 'deregisteredOn', p.deregistered_on,
    'periods', coalesce(r.periods, '[]'), 'measures', coalesce(m.measures, '[]'))
  FROM professionals p
  LEFT JOIN (SELECT x.professional_id, json_agg(json_build_object('startsOn', x.starts_on, 'endsOn', x.ends_on)
               ORDER BY x.number) AS periods
             FROM registration_periods x WHERE x.professional_id BETWEEN first_id AND last_id
             GROUP BY x.professional_id) r ON r.professional_id = p.id
  LEFT JOIN (SELECT x.professional_id, json_agg(json_build_object('type', x.type, 'startsOn', x.starts_on,
               'endsOn', x.ends_on, 'endedOn', x.ended_on) ORDER BY x.starts_on, x.id) AS measures
             FROM measures x WHERE x.professional_id BETWEEN first_id AND last_id AND x.revoked_on IS NULL
             GROUP BY x.professional_id) m ON m.professional_id = p.id
  WHERE p.id BETWEEN first_id AND last_id $$;

-- A development activity as the API answers it, from its row, its category and its evidence. A SQL
-- function without subqueries, so PostgreSQL inlines it: an activity page builds its items inside
-- its own plan (the category comes from the page's join), for the rows on the page only.
CREATE FUNCTION kr_activity_object(a development_activities, category text, evidence json) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT json_build_object('id', a.id, 'type', a.type, 'category', category,
          'title', a.title, 'provider', a.provider, 'startedOn', a.started_on, 'completedOn', a.completed_on,
          'hours', a.hours, 'competenceCodes', a.competence_codes, 'reflection', a.reflection,
          'supervisedBy', a.supervised_by, 'status', a.status, 'evidence', evidence,
          'createdAt', kr_utc(a.created_at), 'updatedAt', kr_utc(a.updated_at)) $$;

-- An activity's evidence files, in upload order.
CREATE FUNCTION kr_evidence_json(activity uuid) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT coalesce(json_agg(json_build_object('id', f.id, 'fileName', f.file_name,
              'contentType', f.content_type, 'sizeBytes', f.size_bytes, 'sha256', f.sha256,
              'uploadedAt', kr_utc(f.uploaded_at)) ORDER BY f.uploaded_at, f.id), '[]')
            FROM evidence_files f WHERE f.activity_id = activity);
  END $$;

-- One activity (its writes, GET, the export): the same object.
CREATE OR REPLACE FUNCTION kr_activity_json(a development_activities) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN kr_activity_object(a, (SELECT t.category FROM activity_types t WHERE t.type = a.type), kr_evidence_json(a.id));
  END $$;

-- An activity page walks this index in order from its cursor and stops after `limit` rows. With
-- the filters' columns included it does so from the index alone, whatever PostgreSQL guesses about
-- how many activities the professional has (its generic plan takes every professional for one
-- with ten, and read and sorted all thousand of a busy one for a page of twenty).
DROP INDEX development_activities_page;
CREATE INDEX development_activities_page ON development_activities (professional_id, started_on, id)
  INCLUDE (type, status, completed_on);

-- Writers read kr_registration_facts (register/status_store.h), readers kr_professional_view: the
-- record with the facts the status used to be computed from on every read is gone.
DROP FUNCTION kr_professional_json(professionals);
