-- PUT /v1/audits/{auditId}/outcome with 49 scores by the assigned certifier: the service's SQL in
-- the order the handler runs it (src/label/audits.c; statements from src/label/audit_store.c and
-- src/label/store.c): lock the audit, the agreement, then kr_outcome_put (sql/0008: upsert, the
-- scores that changed, the audit's status, the answer). The framework's codes and thresholds
-- are read once per process, not per request. The counts (45 met,
-- 3 partially met, 1 not met) are what the C code computes for the body in bench_ids.
-- pgbench -M prepared -D n=<size of the list>
\set i random(1, :n)
SELECT value AS audit, extra AS body, owner AS body_id, account, day FROM bench_ids WHERE list = 'audit' AND i = :i \gset
BEGIN;
SELECT id, organisation_id, coalesce(certifying_body_id::text, ''), kind, status, framework_version
  FROM audits WHERE id = :audit FOR UPDATE;
SELECT EXISTS (SELECT 1 FROM certifying_body_agreements WHERE certifying_body_id = :body_id
  AND valid_from <= :day::date AND (valid_until IS NULL OR valid_until >= :day::date));
SELECT kr_outcome_put(:audit, :body::json, 45, 3, 1, true, :account::uuid);
COMMIT;
