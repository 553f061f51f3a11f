-- The professional register: reference data (register profiles, codes of conduct, competences,
-- activity types), professionals with their periods, history and measures, development plans,
-- development activities with evidence, and the per-address rate limits of public routes.

CREATE TABLE register_profiles (
  code          text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{1,40}$'),
  name          text NOT NULL,
  period_years  integer NOT NULL CHECK (period_years BETWEEN 1 AND 10),
  window_weeks  integer NOT NULL CHECK (window_weeks BETWEEN 1 AND 52),
  requirements  jsonb NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

INSERT INTO register_profiles (code, name, period_years, window_weeks, requirements) VALUES
  ('sociaal-werker-mbo', 'Sociaal werker (mbo)', 5, 12,
   '{"categories": [{"category": "formal_learning", "minimumHours": 60, "capHours": null},
                    {"category": "reflection", "minimumHours": 50, "capHours": null},
                    {"category": "informal_learning", "minimumHours": 0, "capHours": 50}],
     "totalHours": 160}'),
  ('sociaal-werker-hbo', 'Sociaal werker (hbo)', 5, 12,
   '{"categories": [{"category": "formal_learning", "minimumHours": 60, "capHours": null},
                    {"category": "reflection", "minimumHours": 50, "capHours": null},
                    {"category": "informal_learning", "minimumHours": 0, "capHours": 50}],
     "totalHours": 160}');

CREATE FUNCTION kr_profile_json(p register_profiles) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT json_build_object('code', p.code, 'name', p.name, 'periodYears', p.period_years,
          'windowWeeks', p.window_weeks, 'requirements', p.requirements, 'updatedAt', kr_utc(p.updated_at)) $$;

CREATE TABLE codes_of_conduct (
  version       text PRIMARY KEY CHECK (version ~ '^[0-9A-Za-z._-]{1,32}$'),
  title         text NOT NULL,
  in_force_from date NOT NULL,
  core_values   text[] NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

INSERT INTO codes_of_conduct (version, title, in_force_from, core_values) VALUES
  ('2018', 'Beroepscode voor de sociaal werker', '2018-01-01',
   '{"[placeholder] core values of the 2018 code; the official wording has not been loaded"}'),
  ('2022', 'Beroepscode voor professionals in het sociaal werk', '2022-01-01',
   '{"respect for human dignity and autonomy", "commitment and willingness to stand by people",
     "social justice and human rights", "expertise and care", "reliability and integrity"}');

CREATE TABLE competences (
  code               text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{1,16}$'),
  name               text NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('generic', 'life_domain')),
  life_domain        text,
  name_is_placeholder boolean NOT NULL DEFAULT false,
  position           integer NOT NULL DEFAULT 1000,
  CHECK ((kind = 'life_domain') = (life_domain IS NOT NULL))
);

-- Beroepscompetentieprofiel Sociaal Werker (2017). Where the official wording is not at hand,
-- the name says it is a placeholder.
INSERT INTO competences (code, name, kind, life_domain, name_is_placeholder, position) VALUES
  ('G01', 'Supporting self-direction (eigen regie)', 'generic', NULL, false, 1),
  ('G02', 'Connecting people', 'generic', NULL, false, 2),
  ('G03', 'Stimulating participation', 'generic', NULL, false, 3),
  ('G04', 'Recognising signals of (domestic) violence, neglect and loneliness', 'generic', NULL, false, 4),
  ('G05', '[placeholder] generic competence G05; the official wording has not been loaded', 'generic', NULL, true, 5),
  ('G06', '[placeholder] generic competence G06; the official wording has not been loaded', 'generic', NULL, true, 6),
  ('G07', '[placeholder] generic competence G07; the official wording has not been loaded', 'generic', NULL, true, 7),
  ('G08', '[placeholder] generic competence G08; the official wording has not been loaded', 'generic', NULL, true, 8),
  ('L-ZIN', 'Working on meaning (zingeving)', 'life_domain', 'zingeving', false, 11),
  ('L-FIN', 'Working on finances (financiën)', 'life_domain', 'financien', false, 12),
  ('L-LGZ', 'Working on physical health (lichamelijke gezondheid)', 'life_domain', 'lichamelijke-gezondheid', false, 13),
  ('L-PGZ', 'Working on mental health (psychische gezondheid)', 'life_domain', 'psychische-gezondheid', false, 14),
  ('L-SOC', 'Working on social relations (sociale relaties)', 'life_domain', 'sociale-relaties', false, 15),
  ('L-WON', '[placeholder] life domain housing (wonen); the official wording has not been loaded', 'life_domain', 'wonen', true, 16),
  ('L-WRK', '[placeholder] life domain work and daytime activities; the official wording has not been loaded', 'life_domain', 'werk-dagbesteding', true, 17);

CREATE TABLE activity_types (
  type     text PRIMARY KEY,
  category text NOT NULL CHECK (category IN ('formal_learning', 'reflection', 'informal_learning')),
  position integer NOT NULL
);
INSERT INTO activity_types (type, category, position) VALUES
  ('course', 'formal_learning', 1), ('training', 'formal_learning', 2), ('e_learning', 'formal_learning', 3),
  ('webinar', 'formal_learning', 4), ('congress', 'formal_learning', 5),
  ('intervision', 'reflection', 6), ('supervision', 'reflection', 7), ('peer_consultation', 'reflection', 8),
  ('case_discussion', 'reflection', 9), ('coaching', 'reflection', 10), ('mentoring', 'reflection', 11),
  ('literature', 'informal_learning', 12), ('work_based_learning', 'informal_learning', 13),
  ('teaching', 'informal_learning', 14), ('research', 'informal_learning', 15), ('other', 'informal_learning', 16);

-- Professionals get their register record. The stored state is what was decided; statuses that
-- depend on dates (expired, suspended, struck off) are computed when read (register/rules.c).
CREATE SEQUENCE registration_number_seq;
ALTER TABLE professionals
  ALTER COLUMN given_name SET NOT NULL,
  ALTER COLUMN family_name SET NOT NULL,
  ALTER COLUMN email SET NOT NULL,
  ADD COLUMN profile text NOT NULL REFERENCES register_profiles (code),
  ADD COLUMN education_level text NOT NULL CHECK (education_level IN ('mbo', 'associate_degree', 'hbo')),
  ADD COLUMN state text NOT NULL DEFAULT 'applied'
    CHECK (state IN ('applied', 'registered', 'rejected', 'deregistered')),
  ADD COLUMN registration_number text UNIQUE CHECK (registration_number ~ '^RSW[0-9]{7}$'),
  ADD COLUMN rejection_reason text,
  ADD COLUMN deregistered_on date,
  ADD COLUMN diploma bytea,
  ADD COLUMN diploma_type text,
  ADD COLUMN diploma_sha256 text,
  ADD COLUMN diploma_uploaded_at timestamptz,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE UNIQUE INDEX professionals_email_key ON professionals (lower(email));
CREATE INDEX professionals_page ON professionals (kr_sort_key(created_at), id);
CREATE INDEX professionals_name ON professionals (kr_fold(family_name || ' ' || given_name));

CREATE TABLE registration_periods (
  professional_id uuid NOT NULL REFERENCES professionals (id),
  number          integer NOT NULL,
  starts_on       date NOT NULL,
  ends_on         date NOT NULL CHECK (ends_on >= starts_on),
  requirements    jsonb NOT NULL,   -- frozen when the period starts
  window_weeks    integer NOT NULL,
  PRIMARY KEY (professional_id, number)
);

CREATE TABLE code_of_conduct_acceptances (
  professional_id uuid NOT NULL REFERENCES professionals (id),
  version         text NOT NULL REFERENCES codes_of_conduct (version),
  accepted_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (professional_id, version)
);

CREATE TABLE measures (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  professional_id   uuid NOT NULL REFERENCES professionals (id),
  type              text NOT NULL
                    CHECK (type IN ('warning', 'reprimand', 'conditional_suspension', 'suspension', 'striking_off')),
  starts_on         date NOT NULL,
  ends_on           date CHECK (ends_on >= starts_on),
  reason            text NOT NULL,
  public            boolean NOT NULL,
  ended_on          date,
  revoked_on        date,
  revocation_reason text,
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by        uuid REFERENCES accounts (id),
  CHECK ((type IN ('suspension', 'conditional_suspension')) = (ends_on IS NOT NULL))
);
CREATE INDEX measures_professional ON measures (professional_id, starts_on);

CREATE FUNCTION kr_measure_json(m measures) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT json_build_object('id', m.id, 'type', m.type, 'startsOn', m.starts_on, 'endsOn', m.ends_on,
          'reason', m.reason, 'public', m.public,
          'state', CASE WHEN m.revoked_on IS NOT NULL THEN 'revoked' WHEN m.ended_on IS NOT NULL THEN 'ended'
                   ELSE 'active' END,
          'endedOn', m.ended_on, 'revokedOn', m.revoked_on, 'revocationReason', m.revocation_reason,
          'createdAt', kr_utc(m.created_at)) $$;

CREATE TABLE professional_history (
  id              bigserial PRIMARY KEY,
  professional_id uuid NOT NULL REFERENCES professionals (id),
  type            text NOT NULL CHECK (type IN ('applied', 'approved', 'rejected', 'period_started',
                  'deregistered', 'measure_imposed', 'measure_ended', 'measure_revoked',
                  'code_of_conduct_accepted')),
  on_date         date NOT NULL,
  detail          text,
  recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  recorded_by     uuid REFERENCES accounts (id)
);
CREATE INDEX professional_history_professional ON professional_history (professional_id, id);

CREATE TABLE development_plans (
  professional_id uuid PRIMARY KEY REFERENCES professionals (id),
  goals           jsonb NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE development_activities (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  professional_id  uuid NOT NULL REFERENCES professionals (id),
  type             text NOT NULL REFERENCES activity_types (type),
  title            text NOT NULL,
  provider         text,
  started_on       date NOT NULL,
  completed_on     date CHECK (completed_on >= started_on),
  hours            numeric(7, 2) NOT NULL CHECK (hours > 0),
  competence_codes text[] NOT NULL DEFAULT '{}',
  reflection       text,
  supervised_by    text,
  status           text NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed')),
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((status = 'completed') = (completed_on IS NOT NULL))
);
CREATE INDEX development_activities_page ON development_activities (professional_id, started_on, id);

CREATE TABLE evidence_files (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  activity_id  uuid NOT NULL REFERENCES development_activities (id) ON DELETE CASCADE,
  file_name    text NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  content      bytea NOT NULL,
  size_bytes   integer NOT NULL,
  sha256       text NOT NULL,
  uploaded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX evidence_files_activity ON evidence_files (activity_id, uploaded_at);

CREATE FUNCTION kr_activity_json(a development_activities) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object('id', a.id, 'type', a.type,
      'category', (SELECT t.category FROM activity_types t WHERE t.type = a.type),
      'title', a.title, 'provider', a.provider, 'startedOn', a.started_on, 'completedOn', a.completed_on,
      'hours', a.hours, 'competenceCodes', a.competence_codes, 'reflection', a.reflection,
      'supervisedBy', a.supervised_by, 'status', a.status,
      'evidence', (SELECT coalesce(json_agg(json_build_object('id', f.id, 'fileName', f.file_name,
                     'contentType', f.content_type, 'sizeBytes', f.size_bytes, 'sha256', f.sha256,
                     'uploadedAt', kr_utc(f.uploaded_at)) ORDER BY f.uploaded_at, f.id), '[]')
                   FROM evidence_files f WHERE f.activity_id = a.id),
      'createdAt', kr_utc(a.created_at), 'updatedAt', kr_utc(a.updated_at)));
  END $$;

-- What the status arithmetic needs about a professional, and the record without its status:
-- the service computes `status` and the period on the date asked (register/rules.c).
CREATE FUNCTION kr_professional_json(p professionals) RETURNS json
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
      'state', p.state,
      'periods', (SELECT coalesce(json_agg(json_build_object('number', r.number, 'startsOn', r.starts_on,
                    'endsOn', r.ends_on) ORDER BY r.number), '[]')
                  FROM registration_periods r WHERE r.professional_id = p.id),
      'measures', (SELECT coalesce(json_agg(json_build_object('type', m.type, 'startsOn', m.starts_on,
                     'endsOn', m.ends_on, 'endedOn', m.ended_on, 'public', m.public) ORDER BY m.starts_on, m.id), '[]')
                   FROM measures m WHERE m.professional_id = p.id AND m.revoked_on IS NULL)));
  END $$;

-- Requests per client address in fixed windows, shared by every replica.
CREATE TABLE rate_limits (
  bucket       text NOT NULL,
  client       text NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL,
  PRIMARY KEY (bucket, client)
);
