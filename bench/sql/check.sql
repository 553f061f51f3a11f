-- GET /v1/certification-checks?kvkNumber= by a municipality: the service's SQL (municipal_checks in
-- src/municipal/store.c): one statement answers the check and logs it (kr_certification_checks,
-- sql/0012), in its own transaction, as the handler runs it.
-- pgbench -M prepared -D n=<size of the list> -D account=<municipality account id> -D code=GM0001 -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS kvk FROM bench_ids WHERE list = 'kvk' AND i = :i \gset
SELECT kr_certification_checks(ARRAY[:kvk]::text[], :today::date, :account::uuid, :code, false);
