-- Certification checks read one row a number from a table of the spans that answer today.
--
-- Measured (issue 8): the bulk check (100 random KvK numbers) kept 0.71-0.86 of its scale-1
-- throughput at scale 10 in pgbench of its SQL at 16 connections, 0.84-1.05 at one: a check
-- probes 100 random spans of ~700 bytes, and at scale 10 the spans (63,000 rows, 45 MB: every
-- past and future span of 15,000 organisations) no longer stay in the 32 MB CPU cache, while at
-- scale 1 (4.5 MB) they do. Almost every check asks about today, and then only the span that
-- answers today matters: one a number, 15,000 rows in 10 MB at scale 10. With this table the
-- same pgbench kept 0.92-1.00 (and both scales answered 13-15 % more a second).
--
-- certification_current holds, per KvK number, the span that answered on the day it was written
-- and the day the number's next span begins: a check on a date in [from_on, next_from_on) reads
-- it; any other date (the past, the future, or today once a later span began) falls back to the
-- spans, so an out-of-date row costs speed, never a wrong answer. It is written by triggers on
-- organisation_certification (kr_store_statuses deletes and inserts an organisation's spans),
-- and rows whose next span began are rolled forward by the label's background task from dates
-- (kr_certification_current_roll, src/label/notices.c).
CREATE TABLE certification_current (
  kvk               integer PRIMARY KEY,
  organisation_id   uuid NOT NULL,
  from_on           date NOT NULL,
  next_from_on      date NOT NULL CHECK (next_from_on > from_on),
  status            text NOT NULL,
  check_view        json NOT NULL,
  organisation_view json NOT NULL
);
CREATE INDEX certification_current_organisation ON certification_current (organisation_id);
CREATE INDEX certification_current_next ON certification_current (next_from_on);

-- Rewrites the rows of the numbers of `orgs` (the spans' current state) as of `today`.
CREATE FUNCTION kr_certification_current_write(orgs uuid[], today date) RETURNS integer
  LANGUAGE sql AS $$
    DELETE FROM certification_current WHERE organisation_id = ANY (orgs);
    INSERT INTO certification_current (kvk, organisation_id, from_on, next_from_on, status, check_view,
                                       organisation_view)
      SELECT DISTINCT ON (s.kvk) s.kvk, s.organisation_id, s.from_on, s.next_from_on, s.status,
             s.check_view, s.organisation_view
      FROM (SELECT x.kvk_number::integer AS kvk, x.organisation_id, x.from_on,
                   coalesce(lead(x.from_on) OVER (PARTITION BY x.kvk_number ORDER BY x.from_on),
                            'infinity') AS next_from_on,
                   x.status, x.check_view, x.organisation_view
            FROM organisation_certification x WHERE x.organisation_id = ANY (orgs)) s
      WHERE s.from_on <= today
      ORDER BY s.kvk, s.from_on DESC
      ON CONFLICT (kvk) DO NOTHING; -- one organisation a number (organisations' unique KvK number)
    SELECT count(*)::integer FROM certification_current WHERE organisation_id = ANY (orgs);
  $$;

CREATE FUNCTION kr_certification_current_changed() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      DELETE FROM certification_current c USING (SELECT DISTINCT organisation_id FROM gone) g
        WHERE c.organisation_id = g.organisation_id;
    ELSE
      PERFORM kr_certification_current_write(ARRAY(SELECT DISTINCT organisation_id FROM added), current_date);
    END IF;
    RETURN NULL;
  END $$;
CREATE TRIGGER certification_current_gone AFTER DELETE ON organisation_certification
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION kr_certification_current_changed();
CREATE TRIGGER certification_current_added AFTER INSERT ON organisation_certification
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION kr_certification_current_changed();

-- The background task's part: the rows whose next span began by `today` (and the numbers that
-- had no span answering yet), at most max_orgs organisations a call; answers how many.
CREATE FUNCTION kr_certification_current_roll(today date, max_orgs integer) RETURNS integer
  LANGUAGE plpgsql AS $$
  DECLARE
    due uuid[];
  BEGIN
    SELECT array_agg(d.organisation_id) INTO due FROM (
      SELECT c.organisation_id FROM certification_current c WHERE c.next_from_on <= today
      UNION
      SELECT s.organisation_id FROM organisation_certification s
      WHERE s.from_on <= today
        AND NOT EXISTS (SELECT 1 FROM certification_current c WHERE c.kvk = s.kvk_number::integer)
      LIMIT max_orgs) d;
    IF due IS NULL THEN
      RETURN 0;
    END IF;
    PERFORM kr_certification_current_write(due, today);
    RETURN cardinality(due);
  END $$;

SELECT kr_certification_current_write(ARRAY(SELECT DISTINCT organisation_id FROM organisation_certification),
                                      current_date);

-- One row per number: its position, the flag and the answer, now from the current row when it
-- answers on_date, else from the spans as before (sql/0019).
CREATE OR REPLACE FUNCTION kr_certification_bodies(numbers text[], on_date date)
  RETURNS TABLE (n bigint, certified boolean, body json)
  LANGUAGE sql STABLE
  AS $$
    SELECT k.n, coalesce(coalesce(c.status, t.status) = 'valid', false), json_build_object(
      'kvkNumber', k.kvk, 'on', on_date, 'certified', coalesce(coalesce(c.status, t.status) = 'valid', false),
      'organisation', coalesce(c.organisation_view, t.organisation_view, o.summary),
      'certificate', coalesce(c.check_view, t.check_view))
    FROM unnest(numbers) WITH ORDINALITY k (kvk, n)
    CROSS JOIN LATERAL (SELECT CASE WHEN k.kvk ~ '^[0-9]{8}$' THEN k.kvk::integer END AS number) j
    LEFT JOIN LATERAL (
      SELECT x.status, x.check_view, x.organisation_view FROM certification_current x
      WHERE x.kvk = j.number AND x.from_on <= on_date AND on_date < x.next_from_on) c ON true
    LEFT JOIN LATERAL (
      SELECT s.status, s.check_view, s.organisation_view FROM organisation_certification s
      WHERE c.status IS NULL AND s.kvk_number::integer = j.number AND s.from_on <= on_date
      ORDER BY s.kvk_number::integer DESC, s.from_on DESC LIMIT 1) t ON true
    LEFT JOIN LATERAL (
      SELECT json_build_object('id', x.id, 'name', x.name, 'kvkNumber', x.kvk_number,
               'city', x.city, 'municipalityCodes', x.municipality_codes) AS summary
      FROM organisations x WHERE c.status IS NULL AND t.status IS NULL AND x.kvk_number = k.kvk LIMIT 1) o ON true
  $$;
