-- The check log finds a KvK number's checks without a GIN index on every number of every check.
--
-- The GIN index of 0012 took each number of each check as an entry and merged its pending
-- entries into the posting lists one key at a time: with 15,000 organisations (scale 10) the
-- bulk check of 100 wrote 21 KB of WAL a request against 5.6 KB at scale 1, a merge of 134,000
-- entries took 770 ms, and the bulk check kept 0.83 of its scale-1 throughput (0.96 without the
-- index). Now the numbers are indexed in runs: every CHECK_LOG_INDEX_SECONDS one replica indexes,
-- in one statement, every log row written since the last run, as one row per KvK number holding
-- the ids of the log rows that asked about it (src/municipal/check_log.h). A read by KvK number
-- takes the indexed rows from these and scans only the rows written since the last run.

DROP INDEX certification_check_log_kvk;

-- One row per KvK number and run: the log rows of that run that hold the number, newest first.
-- A run covers the log rows with ids above run_after (and at most up to the next run's).
CREATE TABLE certification_check_log_kvk (
  kvk_number text NOT NULL,
  run_after  bigint NOT NULL,
  first_ids  bigint[] NOT NULL,
  PRIMARY KEY (kvk_number, run_after)
);

-- Every log row with first_id <= indexed_through is in certification_check_log_kvk.
CREATE TABLE certification_check_log_indexed (
  only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  indexed_through bigint NOT NULL
);

-- The rows logged so far, in runs of 100,000 log rows (first_id steps by 1000).
INSERT INTO certification_check_log_kvk (kvk_number, run_after, first_ids)
  SELECT k.kvk, (l.first_id - 1) / 100000000 * 100000000, array_agg(l.first_id ORDER BY l.first_id DESC)
  FROM certification_check_log l CROSS JOIN LATERAL (SELECT DISTINCT unnest(l.kvk_numbers)) k (kvk)
  GROUP BY 1, 2;
INSERT INTO certification_check_log_indexed (indexed_through)
  SELECT coalesce(max(first_id), 0) FROM certification_check_log;

-- One run: indexes up to max_rows log rows after indexed_through and returns how many. One
-- replica at a time (the others skip). The SHARE lock waits for every insert into the log that is
-- in progress and keeps new ones out until the run commits, so no row can later commit with an
-- id at or below the new indexed_through (ids are drawn inside the inserting statement, after its
-- lock). Only the log writers (each replica's flush thread) wait; checks and reads do not.
CREATE FUNCTION kr_check_log_index(max_rows integer) RETURNS integer
  LANGUAGE plpgsql
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
      SELECT k.kvk, done, array_agg(l.first_id ORDER BY l.first_id DESC)
      FROM certification_check_log l CROSS JOIN LATERAL (SELECT DISTINCT unnest(l.kvk_numbers)) k (kvk)
      WHERE l.first_id > done AND l.first_id <= horizon
      GROUP BY k.kvk;
    UPDATE certification_check_log_indexed SET indexed_through = horizon;
    RETURN indexed;
  END $$;
