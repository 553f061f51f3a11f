-- An audit outcome stored in one round trip: the outcome row, its scores and the audit's status,
-- answered as kr_outcome_json. A score is rewritten only when it changed, so that a certifying
-- body's retry of the same outcome writes one row, not 98 (49 deletions and 49 insertions).
CREATE FUNCTION kr_outcome_put(audit uuid, body json, met integer, partially_met integer,
                               not_met integer, meets boolean, account uuid) RETURNS json
  LANGUAGE plpgsql
  AS $$
  DECLARE
    stored audit_outcomes;
  BEGIN
    INSERT INTO audit_outcomes AS o (audit_id, audited_on, auditors, advice, report_reference,
                                     learning_report, met, partially_met, not_met, meets_threshold,
                                     submitted_by)
    VALUES (audit, (body->>'auditedOn')::date, ARRAY(SELECT json_array_elements_text(body->'auditors')),
            body->>'advice', body->>'reportReference', body->>'learningReport', met, partially_met,
            not_met, meets, account)
    ON CONFLICT (audit_id) DO UPDATE SET audited_on = excluded.audited_on,
      auditors = excluded.auditors, advice = excluded.advice,
      report_reference = excluded.report_reference, learning_report = excluded.learning_report,
      met = excluded.met, partially_met = excluded.partially_met, not_met = excluded.not_met,
      meets_threshold = excluded.meets_threshold, submitted_by = excluded.submitted_by,
      updated_at = clock_timestamp()
    RETURNING * INTO stored;
    WITH given AS (
      SELECT s.value->>'normCode' AS norm_code, s.ordinality::integer AS position,
             s.value->>'score' AS score, s.value->>'finding' AS finding
      FROM json_array_elements(body->'scores') WITH ORDINALITY s),
    gone AS (
      DELETE FROM audit_outcome_scores x WHERE x.audit_id = audit
        AND NOT EXISTS (SELECT 1 FROM given g WHERE g.norm_code = x.norm_code))
    INSERT INTO audit_outcome_scores AS x (audit_id, norm_code, position, score, finding)
      SELECT audit, g.norm_code, g.position, g.score, g.finding FROM given g
    ON CONFLICT (audit_id, norm_code) DO UPDATE
      SET position = excluded.position, score = excluded.score, finding = excluded.finding
      WHERE (x.position, x.score, x.finding) IS DISTINCT FROM (excluded.position, excluded.score, excluded.finding);
    UPDATE audits SET status = 'outcome_submitted' WHERE id = audit AND status <> 'outcome_submitted';
    RETURN kr_outcome_json(stored);
  END $$;
