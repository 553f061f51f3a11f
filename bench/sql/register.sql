-- GET /v1/register/{registrationNumber} without a token: the service's SQL per request,
-- reg_public_get in src/register/store.c (the status from the stored timeline and the public view
-- built by PostgreSQL). The rate limit writes nothing per request: each replica adds its counts
-- in one statement every RATE_LIMIT_SYNC_MILLISECONDS (ratelimit_sync in src/http/ratelimit.c),
-- a cost per interval, not per request, left out here.
-- pgbench -M prepared -D n=<size of the list> -D today=YYYY-MM-DD
\set i random(1, :n)
SELECT value AS number FROM bench_ids WHERE list = 'registration' AND i = :i \gset
SELECT kr_public_view(p.id, :today::date) FROM professionals p
  JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= :today::date AND :today::date < s.until_on
  WHERE p.registration_number = :number AND s.status NOT IN ('applied', 'rejected', 'deregistered');
