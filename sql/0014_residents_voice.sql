-- Residents' voice: listening sessions (Adviesvangers, Grootschalig luisteren), the anonymous
-- stories told in them with the topics the tellers chose, the ranked recommendations a session
-- hands over, and the responses of the organisations and the municipality, with their history.

-- The topic list tellers choose from: data, not code. Codes never change once used; names may.
CREATE TABLE voice_topics (
  code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$' AND code <> 'free_topics'),
  name     text NOT NULL,
  position integer NOT NULL UNIQUE
);
INSERT INTO voice_topics (code, name, position) VALUES
  ('housing', 'Wonen', 1),
  ('money_and_debts', 'Geld en schulden', 2),
  ('work_and_income', 'Werk en inkomen', 3),
  ('loneliness', 'Eenzaamheid en contact', 4),
  ('health', 'Gezondheid', 5),
  ('safety', 'Veiligheid', 6),
  ('youth', 'Jeugd', 7),
  ('parenting', 'Opvoeden en gezin', 8),
  ('care_and_support', 'Zorg en ondersteuning', 9),
  ('neighbourhood', 'Buurt en leefomgeving', 10),
  ('language_and_literacy', 'Taal en laaggeletterdheid', 11),
  ('transport', 'Vervoer en bereikbaarheid', 12),
  ('access_to_services', 'Toegang tot hulp en informatie', 13),
  ('participation', 'Meedoen en vrijwilligerswerk', 14);

CREATE TABLE listening_sessions (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  municipality_code text NOT NULL CHECK (municipality_code ~ '^GM[0-9]{4}$'),
  organisation_ids  uuid[] NOT NULL DEFAULT '{}',
  method            text NOT NULL CHECK (method IN ('advice_catchers', 'large_scale_listening', 'other')),
  central_question  text NOT NULL,
  held_on           date NOT NULL,
  facilitator_roles text[] NOT NULL,
  participant_band  text CHECK (participant_band IN ('1-9', '10-24', '25-49', '50+')),
  status            text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'held', 'reported')),
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by        uuid REFERENCES accounts (id),
  updated_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX listening_sessions_page ON listening_sessions (kr_sort_key(created_at), id);
CREATE INDEX listening_sessions_municipality ON listening_sessions (municipality_code, held_on);
CREATE INDEX listening_sessions_organisations ON listening_sessions USING gin (organisation_ids);

CREATE TABLE stories (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id   uuid NOT NULL REFERENCES listening_sessions (id),
  text         text NOT NULL,
  topics       text[] NOT NULL,
  free_topics  text[] NOT NULL,
  language     text NOT NULL CHECK (language ~ '^[a-z]{2,3}$'),
  channel      text NOT NULL CHECK (channel IN ('interview', 'story_table', 'digital')),
  consent_form text NOT NULL CHECK (consent_form IN ('oral', 'written', 'digital')),
  created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by   uuid REFERENCES accounts (id)
);
CREATE INDEX stories_page ON stories (session_id, kr_sort_key(created_at), id);

CREATE TABLE recommendations (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES listening_sessions (id),
  rank       integer NOT NULL CHECK (rank BETWEEN 1 AND 5),
  text       text NOT NULL,
  topics     text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by uuid REFERENCES accounts (id),
  UNIQUE (session_id, rank)
);

-- A responder answers a recommendation again and again; the newest answer is the current one,
-- the older ones stay with superseded_by pointing to their successor.
CREATE TABLE recommendation_responses (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  recommendation_id uuid NOT NULL REFERENCES recommendations (id),
  organisation_id   uuid REFERENCES organisations (id),
  municipality_code text CHECK (municipality_code ~ '^GM[0-9]{4}$'),
  status            text NOT NULL
                    CHECK (status IN ('adopted', 'partly_adopted', 'not_adopted', 'under_consideration')),
  text              text NOT NULL,
  follow_up_on      date,
  superseded_by     uuid REFERENCES recommendation_responses (id) DEFERRABLE INITIALLY DEFERRED,
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_by        uuid REFERENCES accounts (id),
  CHECK ((organisation_id IS NULL) <> (municipality_code IS NULL))
);
CREATE INDEX recommendation_responses_page
  ON recommendation_responses (recommendation_id, kr_sort_key(created_at), id);
CREATE UNIQUE INDEX recommendation_responses_current
  ON recommendation_responses (recommendation_id, coalesce(organisation_id::text, municipality_code))
  WHERE superseded_by IS NULL;

CREATE FUNCTION kr_listening_session_json(s listening_sessions) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', s.id, 'municipalityCode', s.municipality_code, 'organisationIds', s.organisation_ids,
      'method', s.method, 'centralQuestion', s.central_question, 'heldOn', s.held_on,
      'facilitatorRoles', s.facilitator_roles, 'participantBand', s.participant_band,
      'status', s.status, 'createdAt', kr_utc(s.created_at), 'updatedAt', kr_utc(s.updated_at))
  $$;

CREATE FUNCTION kr_story_json(t stories) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', t.id, 'sessionId', t.session_id, 'text', t.text, 'topics', t.topics,
      'freeTopics', t.free_topics, 'language', t.language, 'channel', t.channel,
      'consentGiven', true, 'consentForm', t.consent_form, 'createdAt', kr_utc(t.created_at))
  $$;

CREATE FUNCTION kr_recommendation_json(r recommendations) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', r.id, 'sessionId', r.session_id, 'rank', r.rank, 'text', r.text, 'topics', r.topics,
      'createdAt', kr_utc(r.created_at))
  $$;

CREATE FUNCTION kr_response_json(p recommendation_responses) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', p.id, 'recommendationId', p.recommendation_id, 'organisationId', p.organisation_id,
      'municipalityCode', p.municipality_code, 'status', p.status, 'text', p.text,
      'followUpOn', p.follow_up_on, 'current', p.superseded_by IS NULL,
      'supersededBy', p.superseded_by, 'createdAt', kr_utc(p.created_at))
  $$;

-- Stores a response and supersedes the responder's previous one (superseded_by names the new
-- one, whose row follows in the same statement group: the reference is checked at commit). The
-- caller holds the recommendation's row lock, so a responder never has two current responses.
CREATE FUNCTION kr_response_add(recommendation uuid, organisation uuid, municipality text,
                                body json, account uuid) RETURNS json
  LANGUAGE plpgsql
  AS $$
  DECLARE
    new_id uuid := gen_random_uuid();
    stored recommendation_responses;
  BEGIN
    UPDATE recommendation_responses SET superseded_by = new_id
     WHERE recommendation_id = recommendation AND superseded_by IS NULL
       AND coalesce(organisation_id::text, municipality_code) = coalesce(organisation::text, municipality);
    INSERT INTO recommendation_responses (id, recommendation_id, organisation_id, municipality_code,
                                          status, text, follow_up_on, created_by)
    VALUES (new_id, recommendation, organisation, municipality, body->>'status', body->>'text',
            (body->>'followUpOn')::date, account)
    RETURNING * INTO stored;
    RETURN kr_response_json(stored);
  END $$;

-- The public view of a municipality's residents' voice: its sessions with their recommendations
-- and each responder's current response, and for stories only how many told of each topic per
-- quarter (of the session's date). Story text never leaves; a count under 5 is null and
-- suppressed, so that no single teller can be singled out.
CREATE FUNCTION kr_residents_voice(code text) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'municipalityCode', code,
      'sessions', (SELECT coalesce(json_agg(json_build_object(
          'id', s.id, 'organisationIds', s.organisation_ids, 'method', s.method,
          'centralQuestion', s.central_question, 'heldOn', s.held_on,
          'facilitatorRoles', s.facilitator_roles, 'participantBand', s.participant_band,
          'status', s.status,
          'recommendations', (SELECT coalesce(json_agg(json_build_object(
              'id', r.id, 'rank', r.rank, 'text', r.text, 'topics', r.topics,
              'responses', (SELECT coalesce(json_agg(json_build_object(
                  'id', p.id, 'organisationId', p.organisation_id,
                  'municipalityCode', p.municipality_code, 'status', p.status, 'text', p.text,
                  'followUpOn', p.follow_up_on, 'createdAt', kr_utc(p.created_at))
                  ORDER BY p.created_at, p.id), '[]')
                FROM recommendation_responses p
                WHERE p.recommendation_id = r.id AND p.superseded_by IS NULL))
              ORDER BY r.rank), '[]')
            FROM recommendations r WHERE r.session_id = s.id))
          ORDER BY s.held_on DESC, s.id), '[]')
        FROM listening_sessions s WHERE s.municipality_code = code),
      'storyTopicTrend', (SELECT coalesce(json_agg(json_build_object(
          'quarter', t.quarter, 'topic', t.topic,
          'stories', CASE WHEN t.n >= 5 THEN t.n END, 'suppressed', t.n < 5)
          ORDER BY t.quarter, t.topic), '[]')
        FROM (SELECT to_char(s.held_on, 'YYYY-"Q"Q') AS quarter, x.topic, count(*)::integer AS n
                FROM listening_sessions s
                JOIN stories st ON st.session_id = s.id
                CROSS JOIN LATERAL (
                  SELECT unnest(st.topics) AS topic
                  UNION SELECT 'free_topics' WHERE cardinality(st.free_topics) > 0) x
               WHERE s.municipality_code = code
               GROUP BY 1, 2) t))
  $$;

-- The link to the label: an audit's self-evaluation and outcome scores may cite listening
-- sessions and recommendations as evidence for a norm (the service checks that each is of a
-- municipality the organisation serves). Self-evaluation scores keep them in their JSON; outcome
-- scores get two columns. Both are shown with their scores and gathered on the audit.
ALTER TABLE audit_outcome_scores
  ADD COLUMN listening_session_ids uuid[] NOT NULL DEFAULT '{}',
  ADD COLUMN recommendation_ids uuid[] NOT NULL DEFAULT '{}';

-- An outcome score as the API shows it: the evidence members only when some was cited.
CREATE FUNCTION kr_outcome_score_json(s audit_outcome_scores) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT jsonb_build_object('normCode', s.norm_code, 'score', s.score, 'finding', s.finding)
      || CASE WHEN cardinality(s.listening_session_ids) > 0
              THEN jsonb_build_object('listeningSessionIds', s.listening_session_ids) ELSE '{}' END
      || CASE WHEN cardinality(s.recommendation_ids) > 0
              THEN jsonb_build_object('recommendationIds', s.recommendation_ids) ELSE '{}' END
  $$;

CREATE OR REPLACE FUNCTION kr_outcome_json(o audit_outcomes) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object(
      'auditId', o.audit_id, 'auditedOn', o.audited_on, 'auditors', o.auditors,
      'advice', o.advice, 'reportReference', o.report_reference,
      'learningReport', o.learning_report,
      'scores', (SELECT coalesce(json_agg(kr_outcome_score_json(s) ORDER BY s.position), '[]')
                 FROM audit_outcome_scores s WHERE s.audit_id = o.audit_id),
      'counts', json_build_object('met', o.met, 'partiallyMet', o.partially_met, 'notMet', o.not_met),
      'meetsThreshold', o.meets_threshold,
      'submittedAt', kr_utc(o.submitted_at), 'updatedAt', kr_utc(o.updated_at)));
  END $$;

-- As in 0008, with the cited evidence stored beside each score.
CREATE OR REPLACE FUNCTION kr_outcome_put(audit uuid, body json, met integer, partially_met integer,
                                          not_met integer, meets boolean, account uuid) RETURNS json
  LANGUAGE plpgsql
  AS $$
  DECLARE
    stored audit_outcomes;
  BEGIN
    INSERT INTO audit_outcomes AS o (audit_id, audited_on, auditors, advice, report_reference,
                                     learning_report, met, partially_met, not_met, meets_threshold,
                                     submitted_by)
    VALUES (audit, (body->>'auditedOn')::date, ARRAY(SELECT json_array_elements_text(body->'auditors')),
            body->>'advice', body->>'reportReference', body->>'learningReport', met, partially_met,
            not_met, meets, account)
    ON CONFLICT (audit_id) DO UPDATE SET audited_on = excluded.audited_on,
      auditors = excluded.auditors, advice = excluded.advice,
      report_reference = excluded.report_reference, learning_report = excluded.learning_report,
      met = excluded.met, partially_met = excluded.partially_met, not_met = excluded.not_met,
      meets_threshold = excluded.meets_threshold, submitted_by = excluded.submitted_by,
      updated_at = clock_timestamp()
    RETURNING * INTO stored;
    WITH given AS (
      SELECT s.value->>'normCode' AS norm_code, s.ordinality::integer AS position,
             s.value->>'score' AS score, s.value->>'finding' AS finding,
             ARRAY(SELECT json_array_elements_text(coalesce(s.value->'listeningSessionIds', '[]')))::uuid[] AS sessions,
             ARRAY(SELECT json_array_elements_text(coalesce(s.value->'recommendationIds', '[]')))::uuid[] AS recommendations
      FROM json_array_elements(body->'scores') WITH ORDINALITY s),
    gone AS (
      DELETE FROM audit_outcome_scores x WHERE x.audit_id = audit
        AND NOT EXISTS (SELECT 1 FROM given g WHERE g.norm_code = x.norm_code))
    INSERT INTO audit_outcome_scores AS x (audit_id, norm_code, position, score, finding,
                                           listening_session_ids, recommendation_ids)
      SELECT audit, g.norm_code, g.position, g.score, g.finding, g.sessions, g.recommendations FROM given g
    ON CONFLICT (audit_id, norm_code) DO UPDATE
      SET position = excluded.position, score = excluded.score, finding = excluded.finding,
          listening_session_ids = excluded.listening_session_ids,
          recommendation_ids = excluded.recommendation_ids
      WHERE (x.position, x.score, x.finding, x.listening_session_ids, x.recommendation_ids)
            IS DISTINCT FROM (excluded.position, excluded.score, excluded.finding,
                              excluded.listening_session_ids, excluded.recommendation_ids);
    UPDATE audits SET status = 'outcome_submitted' WHERE id = audit AND status <> 'outcome_submitted';
    RETURN kr_outcome_json(stored);
  END $$;

-- The audit shows the residents' voice its scores cite: per source and norm, the sessions and
-- recommendations (self-evaluation first, then the outcome, each in norm order).
CREATE FUNCTION kr_audit_evidence_json(audit uuid) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT coalesce(json_agg(e.item ORDER BY e.source_order, e.position), '[]') FROM (
      SELECT 1 AS source_order, x.ordinality AS position,
             jsonb_build_object('source', 'self_evaluation', 'normCode', x.value->>'normCode',
                                'listeningSessionIds', ARRAY(SELECT jsonb_array_elements_text(
                                  coalesce(x.value->'listeningSessionIds', '[]')))::uuid[],
                                'recommendationIds', ARRAY(SELECT jsonb_array_elements_text(
                                  coalesce(x.value->'recommendationIds', '[]')))::uuid[]) AS item
        FROM self_evaluations se, jsonb_array_elements(se.scores) WITH ORDINALITY x
       WHERE se.audit_id = audit
         AND (jsonb_array_length(coalesce(x.value->'listeningSessionIds', '[]')) > 0
              OR jsonb_array_length(coalesce(x.value->'recommendationIds', '[]')) > 0)
      UNION ALL
      SELECT 2, s.position,
             jsonb_build_object('source', 'outcome', 'normCode', s.norm_code,
                                'listeningSessionIds', s.listening_session_ids,
                                'recommendationIds', s.recommendation_ids)
        FROM audit_outcome_scores s
       WHERE s.audit_id = audit
         AND (cardinality(s.listening_session_ids) > 0 OR cardinality(s.recommendation_ids) > 0)) e
  $$;

CREATE OR REPLACE FUNCTION kr_audit_json(a audits) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_build_object(
      'id', a.id, 'organisationId', a.organisation_id, 'certifyingBodyId', a.certifying_body_id,
      'kind', a.kind, 'type', a.type, 'frameworkVersion', a.framework_version,
      'plannedOn', a.planned_on, 'scope', a.scope, 'status', a.status,
      'createdAt', kr_utc(a.created_at), 'residentsVoiceEvidence', kr_audit_evidence_json(a.id))
  $$;
