-- POST /v1/certification-checks with 100 KvK numbers by a municipality: the service's SQL
-- (municipal_checks in src/municipal/store.c): one statement over the input array answers all
-- (kr_certification_answers, sql/0016). The log row holding the 100 is written with the other
-- queued rows in one INSERT every 100 ms (src/municipal/check_log.h): in the service's PostgreSQL
-- CPU per request, not in this script. The list holds the numbers as JSON; turning them into the
-- array the service sends costs pgbench a little the service does not pay.
-- pgbench -M prepared -D n=<size of the list> -D account=<municipality account id> -D code=GM0001 -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS numbers FROM bench_ids WHERE list = 'bulk' AND i = :i \gset
SELECT answer, certified FROM kr_certification_answers(ARRAY(SELECT json_array_elements_text(:numbers::json)),
  :today::date, true);
