-- GET /v1/certification-checks?kvkNumber= by a municipality: the service's SQL (municipal_checks in
-- src/municipal/store.c): one statement answers the check (kr_certification_answers, sql/0016).
-- Its log row is not written per request: the service queues it and writes every replica's queued
-- rows in one INSERT every 100 ms (src/municipal/check_log.h), a cost per interval that shows in
-- the service's PostgreSQL CPU per request, not in this script.
-- pgbench -M prepared -D n=<size of the list> -D account=<municipality account id> -D code=GM0001 -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS kvk FROM bench_ids WHERE list = 'kvk' AND i = :i \gset
SELECT answer, certified FROM kr_certification_answers(ARRAY[:kvk]::text[], :today::date, false);
