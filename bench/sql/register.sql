-- GET /v1/register/{registrationNumber} without a token: the service's SQL (ratelimit_hit in
-- src/http/ratelimit.c for bucket 'register', 120 a minute, with a rotating client address,
-- then reg_public_get in src/register/store.c: the status from the stored timeline and the
-- public view built by PostgreSQL).
-- pgbench -M prepared -D n=<size of the list> -D today=YYYY-MM-DD
\set i random(1, :n)
\set a random(0, 65535)
\set x :a / 256
\set y :a % 256
SELECT value AS number FROM bench_ids WHERE list = 'registration' AND i = :i \gset
INSERT INTO rate_limits AS r (bucket, client, window_start, hits)
  VALUES ('register', '10.200.' || :x || '.' || :y, now(), 1)
  ON CONFLICT (bucket, client) DO UPDATE SET
  hits = CASE WHEN r.window_start + make_interval(secs => 60) <= now() THEN 1 ELSE r.hits + 1 END,
  window_start = CASE WHEN r.window_start + make_interval(secs => 60) <= now() THEN now()
  ELSE r.window_start END
  RETURNING hits,
  greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => 60) - now())))::int;
SELECT kr_public_view(p.id, :today::date) FROM professionals p
  JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= :today::date AND :today::date < s.until_on
  WHERE p.registration_number = :number AND s.status NOT IN ('applied', 'rejected', 'deregistered');
