-- GET /v1/certificates/{certificateNumber} without a token: the service's SQL (label_cert_get in
-- src/label/certificate_store.c: the certificate and its status span for today, whose public
-- view was built when the span was stored).
-- pgbench -M prepared -D n=<size of the list> -D today=YYYY-MM-DD; the first statement picks the
-- next id from the rotating list bench_ids (a primary-key lookup that the HTTP runs do not pay).
\set i random(1, :n)
SELECT value AS number FROM bench_ids WHERE list = 'certificate' AND i = :i \gset
SELECT CASE WHEN true THEN s.public_view ELSE s.full_view END, s.status, c.organisation_id,
  c.certifying_body_id, c.id, c.valid_from - date '1970-01-01', c.valid_until - date '1970-01-01'
  FROM certificates c JOIN certificate_statuses s ON s.certificate_id = c.id
   AND s.from_on <= :today::date AND :today::date < s.until_on
  WHERE c.certificate_number = :number;
