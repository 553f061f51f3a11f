-- POST /v1/certification-checks with 100 KvK numbers by a municipality: the service's SQL
-- (municipal_checks in src/municipal/store.c): one statement over the input array answers all
-- and logs them as one row (kr_certification_checks, sql/0012). The list holds the numbers as JSON; turning them into the array the service
-- sends costs pgbench a little the service does not pay.
-- pgbench -M prepared -D n=<size of the list> -D account=<municipality account id> -D code=GM0001 -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS numbers FROM bench_ids WHERE list = 'bulk' AND i = :i \gset
SELECT kr_certification_checks(ARRAY(SELECT json_array_elements_text(:numbers::json)), :today::date,
  :account::uuid, :code, true);
