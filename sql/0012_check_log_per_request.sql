-- The check log holds one row per check request instead of one per KvK number: a bulk check of
-- 100 numbers wrote 100 rows, each with three index entries and a foreign-key check, which was
-- about half of the PostgreSQL time of the check (1.5 ms of 2.8 ms for 100 numbers). Now it writes
-- one row holding the numbers and the answers as arrays, in input order.
--
-- The log still shows one entry per number, as before (GET /v1/certification-check-log): entry k
-- (1-based, input order) of a row has the id first_id + k - 1. first_id comes from a sequence that
-- steps by 1000, the most numbers one check may hold (BULK_MAX in src/municipal/checks.c), so every
-- entry keeps a unique id, increasing with each check and in input order within one.
-- Reads: the newest entries (primary key), a municipality's (municipality_code, first_id) and a
-- KvK number's (a GIN index on the numbers: the rows holding it, then its places in them).
--
-- The GIN index keeps fastupdate (its default): new entries go to a pending list that is merged
-- into the index when it passes 4 MB (gin_pending_list_limit), by autovacuum or by the insert that
-- finds it full. Measured with 100 numbers a check: without fastupdate every check rewrites 100
-- posting lists, 1.1 ms more at the median over HTTP (2.8 against 1.7 ms in the handler); with it,
-- about one check in 1,300 pays the merge, 40-100 ms (more distinct numbers, longer).

-- The per-number table, kept until its rows are copied.
ALTER TABLE certification_check_log RENAME TO certification_check_log_0003;
ALTER INDEX certification_check_log_pkey RENAME TO certification_check_log_0003_pkey;
DROP INDEX certification_check_log_municipality, certification_check_log_kvk;

CREATE SEQUENCE certification_check_log_first_id INCREMENT BY 1000;

CREATE TABLE certification_check_log (
  first_id          bigint PRIMARY KEY DEFAULT nextval('certification_check_log_first_id'),
  account_id        uuid NOT NULL REFERENCES accounts (id),
  municipality_code text NOT NULL,
  on_date           date NOT NULL,
  kvk_numbers       text[] NOT NULL,  -- as asked, in input order (repeats kept)
  certified         boolean[] NOT NULL,  -- the answer given for each number
  asked_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (cardinality(kvk_numbers) BETWEEN 1 AND 1000 AND array_ndims(kvk_numbers) = 1
         AND cardinality(certified) = cardinality(kvk_numbers) AND array_ndims(certified) = 1)
);
ALTER SEQUENCE certification_check_log_first_id OWNED BY certification_check_log.first_id;

-- Each logged number becomes a row of its own with its id: every entry reads as it did.
INSERT INTO certification_check_log (first_id, account_id, municipality_code, on_date, kvk_numbers,
                                     certified, asked_at)
  SELECT id, account_id, municipality_code, on_date, ARRAY[kvk_number], ARRAY[certified], asked_at
  FROM certification_check_log_0003;
-- New ids follow every id the old sequence gave out.
SELECT setval('certification_check_log_first_id',
              greatest((SELECT max(id) FROM certification_check_log_0003),
                       (SELECT CASE WHEN is_called THEN last_value ELSE 0 END
                        FROM certification_check_log_id_seq)) + 1, false);
DROP TABLE certification_check_log_0003;

CREATE INDEX certification_check_log_municipality ON certification_check_log (municipality_code, first_id);
CREATE INDEX certification_check_log_kvk ON certification_check_log USING gin (kvk_numbers);

-- As in 0006, but the log is one row: the answers are built first, then logged (for a
-- municipality) with the flags they gave, in the same transaction. The log records reads: a
-- municipality's check commits it asynchronously (synchronous_commit off for that transaction
-- only), so a crash can lose the log rows of the last fraction of a second, never change an answer
-- that was given. Always the generic plan (see 0006).
CREATE OR REPLACE FUNCTION kr_certification_checks(numbers text[], on_date date, account uuid,
                                                   municipality text, bulk boolean) RETURNS json
  LANGUAGE plpgsql
  SET plan_cache_mode = force_generic_plan
  AS $$
  DECLARE
    answer json;
    answers boolean[];
  BEGIN
    -- Each number is looked up by index on its own (LATERAL ... LIMIT 1): the plan must not
    -- depend on how many numbers come, nor grow with the number of organisations. A certified
    -- (or once certified) organisation is one lookup of its span by KvK number; only the others
    -- are looked up among the organisations.
    SELECT CASE WHEN bulk THEN json_build_object('on', on_date, 'results', json_agg(c.body ORDER BY c.n))
                ELSE (array_agg(c.body ORDER BY c.n))[1] END,
           array_agg(c.certified ORDER BY c.n)
    INTO answer, answers
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
    IF municipality IS NOT NULL THEN
      PERFORM set_config('synchronous_commit', 'off', true);
      INSERT INTO certification_check_log (account_id, municipality_code, on_date, kvk_numbers, certified)
        VALUES (account, municipality, on_date, numbers, answers);
    END IF;
    RETURN answer;
  END $$;
