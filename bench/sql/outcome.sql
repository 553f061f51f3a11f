-- PUT /v1/audits/{auditId}/outcome with 49 scores by the assigned certifier: the service's SQL in
-- the order the handler runs it (src/label/audits.c; statements from src/label/audit_store.c and
-- src/label/store.c): lock the audit, the agreement, the framework's codes and thresholds, then
-- upsert, replace the 49 scores, mark the audit, read the outcome back. The counts (45 met,
-- 3 partially met, 1 not met) are what the C code computes for the body in bench_ids.
-- pgbench -M prepared -D n=<size of the list>
\set i random(1, :n)
SELECT value AS audit, extra AS body, owner AS body_id, account, day FROM bench_ids WHERE list = 'audit' AND i = :i \gset
BEGIN;
SELECT id, organisation_id, coalesce(certifying_body_id::text, ''), kind, status, framework_version
  FROM audits WHERE id = :audit FOR UPDATE;
SELECT EXISTS (SELECT 1 FROM certifying_body_agreements WHERE certifying_body_id = :body_id
  AND valid_from <= :day::date AND (valid_until IS NULL OR valid_until >= :day::date));
SELECT n.code FROM norm_frameworks f LEFT JOIN norms n ON n.framework_version = f.version
  WHERE f.version = '2019' ORDER BY n.position;
SELECT open_from, open_until, restricted_from, business_critical_volunteers_in_scope,
  max_partially_met, max_not_met, certificate_term_months FROM norm_frameworks WHERE version = '2019';
INSERT INTO audit_outcomes AS o (audit_id, audited_on, auditors, advice, report_reference,
  learning_report, met, partially_met, not_met, meets_threshold, submitted_by)
  SELECT :audit, (j->>'auditedOn')::date, ARRAY(SELECT json_array_elements_text(j->'auditors')),
  j->>'advice', j->>'reportReference', j->>'learningReport', 45, 3, 1, true, :account::uuid
  FROM (SELECT :body::json AS j) input
  ON CONFLICT (audit_id) DO UPDATE SET audited_on = excluded.audited_on,
  auditors = excluded.auditors, advice = excluded.advice,
  report_reference = excluded.report_reference, learning_report = excluded.learning_report,
  met = excluded.met, partially_met = excluded.partially_met, not_met = excluded.not_met,
  meets_threshold = excluded.meets_threshold, submitted_by = excluded.submitted_by,
  updated_at = clock_timestamp();
DELETE FROM audit_outcome_scores WHERE audit_id = :audit;
INSERT INTO audit_outcome_scores (audit_id, norm_code, position, score, finding)
  SELECT :audit, s.value->>'normCode', s.ordinality, s.value->>'score', s.value->>'finding'
  FROM json_array_elements(:body::json->'scores') WITH ORDINALITY s;
UPDATE audits SET status = 'outcome_submitted' WHERE id = :audit;
SELECT kr_outcome_json(o) FROM audit_outcomes o WHERE o.audit_id = :audit;
COMMIT;
