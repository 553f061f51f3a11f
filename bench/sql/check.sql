-- GET /v1/certification-checks?kvkNumber= by a municipality: the service's SQL (municipal_check_one
-- and municipal_log_checks in src/municipal/store.c) in one transaction, as the handler runs it.
-- pgbench -M prepared -D n=<size of the list> -D account=<municipality account id> -D code=GM0001 -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS kvk, extra AS entries FROM bench_ids WHERE list = 'kvk' AND i = :i \gset
BEGIN;
SELECT kr_check_subject(:kvk);
INSERT INTO certification_check_log (account_id, municipality_code, kvk_number, on_date, certified)
  SELECT :account, :code, e->>'kvkNumber', :today::date, (e->>'certified')::boolean
  FROM json_array_elements(:entries::json) e;
COMMIT;
