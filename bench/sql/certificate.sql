-- GET /v1/certificates/{certificateNumber} without a token: the service's SQL (label_cert_get in
-- src/label/audit_store.c; the status and the public view are computed in C from its JSON).
-- pgbench -M prepared -D n=<size of the list>; the first statement picks the next id from the
-- rotating list bench_ids (a primary-key lookup that the HTTP runs do not pay).
\set i random(1, :n)
SELECT value AS number FROM bench_ids WHERE list = 'certificate' AND i = :i \gset
SELECT kr_certificate_json(c), c.organisation_id, c.certifying_body_id, c.id
  FROM certificates c WHERE c.certificate_number = :number;
