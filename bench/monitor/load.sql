-- bench/monitor's additions to bench/read-path's data set at scale 1 (bench/readpath/load.sql:
-- 50,000 professionals with 50 activities each, 1,500 organisations over 342 municipalities, their
-- audits and certificates): what the programme monitor reads besides. psql variable: admin (an
-- account id, the links' proposer and confirmer). Loaded once: a data set with links is left as it is.
--   employer links: every professional one confirmed link, from the start of their first period or
--     three years ago (the later); every 7th ended 200 days ago and followed by a link with another
--     organisation from the next day; every 11th also a second, part-time link
--   listening sessions: in every municipality one a quarter for two years (8), three
--     recommendations each, the first two answered by the municipality
\set ON_ERROR_STOP on
SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date AS today \gset
SET synchronous_commit = off;
SET work_mem = '64MB';

BEGIN;
SELECT EXISTS (SELECT 1 FROM employments) AS loaded \gset
\if :loaded
\echo 'bench/monitor: links already loaded'
\else
CREATE TEMP TABLE bm ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY p.registration_number) AS i, p.id,
       greatest(min(y.starts_on), :'today'::date - 3 * 365) AS from_on
FROM professionals p JOIN registration_periods y ON y.professional_id = p.id
GROUP BY p.id, p.registration_number;
CREATE TEMP TABLE bo ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY kvk_number) - 1 AS k, id FROM organisations;
ANALYZE bm;
ANALYZE bo;

INSERT INTO employments (professional_id, organisation_id, from_on, until_on, state, proposed_at, proposed_by,
                         confirmed_at, confirmed_by, ended_at, ended_by, ended_by_party)
SELECT bm.id, o.id, x.from_on, x.until_on, CASE WHEN x.until_on IS NULL THEN 'confirmed' ELSE 'ended' END,
       x.from_on::timestamp AT TIME ZONE 'Europe/Amsterdam', :'admin'::uuid,
       (x.from_on + 2)::timestamp AT TIME ZONE 'Europe/Amsterdam', :'admin'::uuid,
       CASE WHEN x.until_on IS NOT NULL THEN x.until_on::timestamp AT TIME ZONE 'Europe/Amsterdam' END,
       CASE WHEN x.until_on IS NOT NULL THEN :'admin'::uuid END,
       CASE WHEN x.until_on IS NOT NULL THEN 'organisation' END
FROM bm CROSS JOIN LATERAL (VALUES
  (bm.i % 1500, least(bm.from_on, :'today'::date - 400), CASE WHEN bm.i % 7 = 0 THEN :'today'::date - 200 END),
  ((bm.i + 500) % 1500, :'today'::date - 199, NULL::date),
  ((bm.i + 1000) % 1500, bm.from_on, NULL::date)) AS x (k, from_on, until_on)
JOIN bo o ON o.k = x.k
WHERE x.k = bm.i % 1500 OR (x.k = (bm.i + 500) % 1500 AND bm.i % 7 = 0) OR (x.k = (bm.i + 1000) % 1500 AND bm.i % 11 = 0);

CREATE TEMP TABLE bs ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, 'GM' || lpad(m::text, 4, '0') AS code, q,
       :'today'::date - 20 - q * 91 - m % 60 AS held_on
FROM generate_series(1, 342) m, generate_series(0, 7) q;
INSERT INTO listening_sessions (id, municipality_code, method, central_question, held_on, facilitator_roles,
                                participant_band, status, created_at, created_by, updated_at)
SELECT id, code, CASE WHEN q % 2 = 0 THEN 'advice_catchers' ELSE 'large_scale_listening' END,
       'Wat heeft u nodig van het sociaal werk in uw wijk?', held_on, ARRAY['resident'], '10-24', 'reported',
       (held_on - 30)::timestamp AT TIME ZONE 'Europe/Amsterdam', :'admin'::uuid,
       (held_on + 7)::timestamp AT TIME ZONE 'Europe/Amsterdam'
FROM bs;
CREATE TEMP TABLE br ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, bs.id AS session_id, bs.code, bs.held_on, r AS rank
FROM bs, generate_series(1, 3) r;
INSERT INTO recommendations (id, session_id, rank, text, topics, created_at, created_by)
SELECT id, session_id, rank, 'Aanbeveling ' || rank, ARRAY['toegankelijkheid'],
       (held_on + 7)::timestamp AT TIME ZONE 'Europe/Amsterdam', :'admin'::uuid
FROM br;
INSERT INTO recommendation_responses (recommendation_id, municipality_code, status, text, created_at, created_by)
SELECT id, code, 'adopted', 'Wij nemen dit over.', (held_on + 40)::timestamp AT TIME ZONE 'Europe/Amsterdam',
       :'admin'::uuid
FROM br WHERE rank <= 2;
\endif
COMMIT;
ANALYZE employments;
ANALYZE listening_sessions;
ANALYZE recommendations;
ANALYZE recommendation_responses;
