-- POST /v1/certification-checks with 100 KvK numbers by a municipality: the service's SQL
-- (municipal_check_many and municipal_log_checks in src/municipal/store.c), one REPEATABLE READ
-- transaction as the handler runs it.
-- pgbench -M prepared -D n=<size of the list> -D account=<municipality account id> -D code=GM0001 -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS numbers, extra AS entries FROM bench_ids WHERE list = 'bulk' AND i = :i \gset
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
SELECT k.kvk, kr_check_subject(k.kvk)
  FROM json_array_elements_text(:numbers::json) WITH ORDINALITY k(kvk, ord) ORDER BY k.ord;
INSERT INTO certification_check_log (account_id, municipality_code, kvk_number, on_date, certified)
  SELECT :account, :code, e->>'kvkNumber', :today::date, (e->>'certified')::boolean
  FROM json_array_elements(:entries::json) e;
COMMIT;
