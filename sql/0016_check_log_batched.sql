-- A municipality's check answers from a read; its log row is written afterwards, in batches, by
-- the replica that answered (src/municipal/check_log.h: every 100 ms, one INSERT for every check
-- answered since). Measured with pgbench at scale 1 and 10: writing the log row in the check's
-- own transaction halved the single check's throughput (5,100 against 10,000 a second), and for
-- a check of 100 numbers it cost 7 % at scale 1 and 24 % at scale 10.
--
-- The answers of checks of `numbers` on `on_date`, in input order, as kr_certification_checks
-- (0012) gave them, and the flag each answer gave, for the log. Always the generic plan (0006).
CREATE FUNCTION kr_certification_answers(numbers text[], on_date date, bulk boolean,
                                         OUT answer json, OUT certified boolean[])
  LANGUAGE plpgsql STABLE
  SET plan_cache_mode = force_generic_plan
  AS $$
  BEGIN
    SELECT CASE WHEN bulk THEN json_build_object('on', on_date, 'results', json_agg(c.body ORDER BY c.n))
                ELSE (array_agg(c.body ORDER BY c.n))[1] END,
           array_agg(c.certified ORDER BY c.n)
    INTO answer, certified
    FROM (
      SELECT k.n, coalesce(t.status = 'valid', false) AS certified, json_build_object(
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
    ) c;
  END $$;

-- kr_certification_checks (answer and log in one statement) stays for replicas of the previous
-- version while a rolling update runs; a later migration drops it.
