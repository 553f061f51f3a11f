-- The bulk check at scale 10 kept 0.87-0.89 of its scale-1 throughput. Profiled with perf beside
-- pgbench of its SQL at 16 connections, the difference was the probes: _bt_compare, page checks
-- and buffer lookups on index and heap pages that no longer stay in the CPU's cache once the
-- spans are ten times as many. Two changes here, each measured the same way.
--
-- 1. Spans found by the KvK number as an integer. The text index (kvk_number, from_on) had three
--    levels at scale 10 and a text comparison (collation lookup, detoast, memcmp) at each step; an
--    integer key makes entries of 16 bytes instead of 24, two levels, and a comparison of two
--    integers. KvK numbers are 8 digits (organisations' CHECK), so the integer is one-to-one.
--    pgbench, bulk check, 16 connections, scale 10: 742 -> 811 a second (medians of 5).
-- 2. The bulk answer and the single answer each built by their own statement: both were built by
--    one, whose CASE chose between two ordered aggregates that were both computed (each sorting
--    100 answers of 700 bytes). With 1: a loop of 600 bulk checks 1.14 s -> 0.92 s; pgbench at
--    16 connections 891 -> 1,105 a second at scale 1, 776 -> 983 at scale 10.
CREATE INDEX organisation_certification_number ON organisation_certification ((kvk_number::integer), from_on);
DROP INDEX organisation_certification_kvk;

-- One row per number: its position, the flag and the answer. Inlined into the caller below
-- (a single SQL SELECT), so each plans it as part of its own statement.
CREATE FUNCTION kr_certification_bodies(numbers text[], on_date date)
  RETURNS TABLE (n bigint, certified boolean, body json)
  LANGUAGE sql STABLE
  AS $$
    SELECT k.n, coalesce(t.status = 'valid', false), json_build_object(
      'kvkNumber', k.kvk, 'on', on_date, 'certified', coalesce(t.status = 'valid', false),
      'organisation', coalesce(t.organisation_view, o.summary), 'certificate', t.check_view)
    FROM unnest(numbers) WITH ORDINALITY k (kvk, n)
    CROSS JOIN LATERAL (SELECT CASE WHEN k.kvk ~ '^[0-9]{8}$' THEN k.kvk::integer END AS number) j
    LEFT JOIN LATERAL (
      SELECT s.status, s.check_view, s.organisation_view FROM organisation_certification s
      WHERE s.kvk_number::integer = j.number AND s.from_on <= on_date
      ORDER BY s.kvk_number::integer DESC, s.from_on DESC LIMIT 1) t ON true
    LEFT JOIN LATERAL (
      SELECT json_build_object('id', x.id, 'name', x.name, 'kvkNumber', x.kvk_number,
               'city', x.city, 'municipalityCodes', x.municipality_codes) AS summary
      FROM organisations x WHERE t.status IS NULL AND x.kvk_number = k.kvk LIMIT 1) o ON true
  $$;

-- The answers of checks of `numbers` on `on_date`, in input order, and the flag each gave (for the
-- log). `bulk` gives {on, results}; otherwise the answer for the first number. A number that is
-- not 8 digits (the service never sends one) is answered as unknown.
CREATE OR REPLACE FUNCTION kr_certification_answers(numbers text[], on_date date, bulk boolean,
                                                    OUT answer json, OUT certified boolean[])
  LANGUAGE plpgsql STABLE
  SET plan_cache_mode = force_generic_plan
  AS $$
  BEGIN
    IF bulk THEN
      SELECT json_build_object('on', on_date, 'results', json_agg(c.body ORDER BY c.n)),
             array_agg(c.certified ORDER BY c.n)
      INTO answer, certified
      FROM kr_certification_bodies(numbers, on_date) c;
    ELSE
      SELECT c.body, ARRAY[c.certified] INTO answer, certified
      FROM kr_certification_bodies(numbers[1:1], on_date) c;
    END IF;
  END $$;
