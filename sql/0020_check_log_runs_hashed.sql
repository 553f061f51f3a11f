-- An indexing run of the check log (0017) grouped its (number, log row) pairs by sorting: a
-- de-duplicating hash per log row, then a sort of every pair that spilled to disk (360,000 pairs
-- for the 3,600 bulk checks of five seconds), then a sort per number for the order of its ids.
-- EXPLAIN ANALYZE of one such run: 474 ms at scale 1 and 619 ms at scale 10, about 150 us of
-- PostgreSQL CPU for each bulk check it indexed. Now the pairs are grouped by one hash in memory:
-- 296-315 ms at scale 1, 335-436 ms at scale 10.
--
-- A run's first_ids are therefore in no particular order, and hold a log row twice when that check
-- asked the number twice; readers order them and take each once (src/municipal/store.c). Runs
-- written by 0017 (newest first, each once) read the same.
CREATE OR REPLACE FUNCTION kr_check_log_index(max_rows integer) RETURNS integer
  LANGUAGE plpgsql
  SET work_mem = '64MB'
  AS $$
  DECLARE
    done bigint;
    horizon bigint;
    indexed integer;
  BEGIN
    SELECT indexed_through INTO done FROM certification_check_log_indexed FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN 0;
    END IF;
    LOCK TABLE certification_check_log IN SHARE MODE;
    SELECT max(first_id), count(*) INTO horizon, indexed
      FROM (SELECT first_id FROM certification_check_log WHERE first_id > done
            ORDER BY first_id LIMIT max_rows) r;
    IF horizon IS NULL THEN
      RETURN 0;
    END IF;
    INSERT INTO certification_check_log_kvk (kvk_number, run_after, first_ids)
      SELECT k.kvk, done, array_agg(l.first_id)
      FROM certification_check_log l CROSS JOIN LATERAL unnest(l.kvk_numbers) k (kvk)
      WHERE l.first_id > done AND l.first_id <= horizon
      GROUP BY k.kvk;
    UPDATE certification_check_log_indexed SET indexed_through = horizon;
    RETURN indexed;
  END $$;
