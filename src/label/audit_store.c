#include "label/audit_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const db_statement started_before = {
    "label_audit_started_before",
    "SELECT EXISTS (SELECT 1 FROM audits WHERE organisation_id = $1 AND framework_version = $2"
    " AND planned_on < $3::date AND status <> 'cancelled')"};

static const db_statement audit_insert = {
    "label_audit_insert",
    "INSERT INTO audits AS a (organisation_id, certifying_body_id, kind, type, framework_version,"
    " planned_on, scope, created_by)"
    " SELECT (j->>'organisationId')::uuid, (j->>'certifyingBodyId')::uuid, j->>'kind', j->>'type',"
    " j->>'frameworkVersion', (j->>'plannedOn')::date,"
    /* the scope with its defaults: no parts, no business-critical volunteers */
    " jsonb_build_object('wholeOrganisation', j->'scope'->'wholeOrganisation',"
    "  'parts', coalesce(j->'scope'->'parts', '[]'), 'employees', j->'scope'->'employees',"
    "  'businessCriticalVolunteers', coalesce(j->'scope'->'businessCriticalVolunteers', '0')), $2::uuid"
    " FROM (SELECT $1::json AS j) input RETURNING kr_audit_json(a), a.id"};

static const db_statement audit_facts_stmt = {
    "label_audit_facts",
    "SELECT id, organisation_id, coalesce(certifying_body_id::text, ''), kind, status,"
    " framework_version FROM audits WHERE id = $1"};
static const db_statement audit_facts_locked = {
    "label_audit_facts_locked",
    "SELECT id, organisation_id, coalesce(certifying_body_id::text, ''), kind, status,"
    " framework_version FROM audits WHERE id = $1 FOR UPDATE"};

static const db_statement audit_get = {
    "label_audit_get", "SELECT kr_audit_json(a) FROM audits a WHERE a.id = $1"};

static const db_statement audit_page = {
    "label_audit_page",
    "SELECT kr_audit_json(a), kr_sort_key(a.created_at), a.id FROM audits a"
    " WHERE ($1::uuid IS NULL OR a.organisation_id = $1) AND ($2::uuid IS NULL OR a.certifying_body_id = $2)"
    "   AND ($3::text IS NULL OR a.status = $3) AND ($4::uuid IS NULL OR a.organisation_id = $4)"
    "   AND ($5::bigint IS NULL OR (kr_sort_key(a.created_at), a.id) > ($5::bigint, $6::uuid))"
    " ORDER BY kr_sort_key(a.created_at), a.id LIMIT $7"};

static const db_statement audit_cancel = {
    "label_audit_cancel",
    "UPDATE audits a SET status = 'cancelled', cancellation_reason = $2 WHERE a.id = $1"
    " RETURNING kr_audit_json(a)"};

#define SELF_EVALUATION_JSON                                                                    \
  "json_build_object('auditId', s.audit_id, 'status', s.status, 'scores', s.scores,"           \
  " 'updatedAt', kr_utc(s.updated_at), 'submittedAt', kr_utc(s.submitted_at))"

static const db_statement self_get = {
    "label_self_get", "SELECT " SELF_EVALUATION_JSON " FROM self_evaluations s WHERE s.audit_id = $1"};

static const db_statement self_put = {
    "label_self_put",
    "INSERT INTO self_evaluations AS s (audit_id, status, scores, submitted_at)"
    " VALUES ($1, $2, $3::jsonb, CASE WHEN $2 = 'submitted' THEN clock_timestamp() END)"
    " ON CONFLICT (audit_id) DO UPDATE SET status = excluded.status, scores = excluded.scores,"
    "  updated_at = clock_timestamp(), submitted_at = excluded.submitted_at"
    " WHERE s.status = 'draft' RETURNING " SELF_EVALUATION_JSON};

static const db_statement outcome_get = {
    "label_outcome_get", "SELECT kr_outcome_json(o) FROM audit_outcomes o WHERE o.audit_id = $1"};

static const db_statement outcome_put = {
    "label_outcome_put", "SELECT kr_outcome_put($1, $2::json, $3, $4, $5, $6, $7::uuid)"};

static const db_statement outcome_verdict = {
    "label_outcome_verdict",
    "SELECT advice = 'positive', meets_threshold FROM audit_outcomes WHERE audit_id = $1"};

/* Residents' voice cited as evidence: the citations ({field, kind, id}) that name no session or
 * recommendation, or one of a municipality the organisation does not serve. */
static const db_statement evidence_problems = {
    "label_evidence_problems",
    "SELECT x.field, x.id, s.id IS NULL FROM json_to_recordset($2::json) AS x(field text, kind text, id uuid)"
    " LEFT JOIN recommendations r ON x.kind = 'recommendation' AND r.id = x.id"
    " LEFT JOIN listening_sessions s ON s.id = CASE WHEN x.kind = 'session' THEN x.id ELSE r.session_id END"
    " WHERE s.id IS NULL OR NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = $1"
    "   AND s.municipality_code = ANY (o.municipality_codes))"};

/* ---- decisions and the certificates they issue ---------------------------------------------- */
static const db_statement decision_insert = {
    "label_decision_insert",
    "INSERT INTO audit_decisions (audit_id, granted, note, decided_on, decided_by)"
    " VALUES ($1, $2, $3, $4, $5::uuid)"};

static const db_statement audit_mark_decided = {
    "label_audit_mark_decided",
    "UPDATE audits SET status = CASE WHEN $2::boolean THEN 'granted' ELSE 'refused' END WHERE id = $1"};

static const db_statement cert_insert = {
    "label_cert_insert",
    "WITH issued AS ("
    " INSERT INTO certificates (certificate_number, organisation_id, audit_id, framework_version,"
    "  certifying_body_id, valid_from, valid_until, previous_certificate_id)"
    " SELECT 'KSW-' || to_char($4::date, 'YYYY') || '-' || lpad(nextval('certificate_number_seq')::text, 6, '0'),"
    "  a.organisation_id, a.id, a.framework_version, a.certifying_body_id, $2::date, $3::date,"
    "  (SELECT p.id FROM certificates p WHERE p.certificate_number = $5)"
    " FROM audits a WHERE a.id = $1 RETURNING id, certificate_number, valid_from),"
    " event AS (INSERT INTO certificate_events (certificate_id, type, effective_on, recorded_by)"
    "  SELECT id, 'issued', valid_from, $6::uuid FROM issued)"
    " SELECT certificate_number FROM issued"};

static const db_statement decision_get = {
    "label_decision_get",
    "SELECT json_build_object('auditId', d.audit_id, 'granted', d.granted, 'note', d.note,"
    " 'decidedOn', d.decided_on, 'decidedAt', kr_utc(d.decided_at), 'certificateNumber',"
    " (SELECT c.certificate_number FROM certificates c WHERE c.audit_id = d.audit_id))"
    " FROM audit_decisions d WHERE d.audit_id = $1"};

const db_statement *const label_audit_statements[] = {
    &started_before, &audit_insert,     &audit_facts_stmt, &audit_facts_locked,  &audit_get,
    &audit_page,     &audit_cancel,     &self_get,         &self_put,            &outcome_get,
    &outcome_put,     &evidence_problems,
    &outcome_verdict, &decision_insert, &audit_mark_decided, &cert_insert, &decision_get, NULL};

kr_err label_audit_started_before(db_conn *db, const char *org, const char *version,
                                  const char *date, bool *started) {
  PGresult *r = db_exec(db, &started_before, 3, (const char *[]){org, version, date});
  kr_err e = db_result_error(db, r);
  *started = e == KR_OK && PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  return e;
}

kr_err label_audit_create(db_conn *db, const char *obj_json, const char *account, char **json,
                          char id[37]) {
  return db_fetch_text_and_id(db, &audit_insert, 2, (const char *[]){obj_json, account}, json, id);
}

kr_err label_audit_facts(db_conn *db, const char *id, bool lock, audit_facts *out) {
  PGresult *r = db_exec(db, lock ? &audit_facts_locked : &audit_facts_stmt, 1, (const char *[]){id});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    snprintf(out->id, sizeof out->id, "%s", PQgetvalue(r, 0, 0));
    snprintf(out->organisation_id, sizeof out->organisation_id, "%s", PQgetvalue(r, 0, 1));
    snprintf(out->body_id, sizeof out->body_id, "%s", PQgetvalue(r, 0, 2));
    snprintf(out->kind, sizeof out->kind, "%s", PQgetvalue(r, 0, 3));
    snprintf(out->status, sizeof out->status, "%s", PQgetvalue(r, 0, 4));
    snprintf(out->framework, sizeof out->framework, "%s", PQgetvalue(r, 0, 5));
  }
  PQclear(r);
  return e;
}

kr_err label_audit_get(db_conn *db, const char *id, char **json) {
  return db_fetch_text(db, &audit_get, 1, (const char *[]){id}, json);
}

kr_err label_audit_page(db_conn *db, const char *only_org, const char *only_body,
                        const char *status, const char *org_filter, const page_cursor *after,
                        int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *v[] = {only_org, only_body, status, org_filter, after->present ? after->key : NULL,
                     after->present ? after->id : NULL, rows};
  return db_fetch_result(db, &audit_page, 7, v, out);
}

kr_err label_audit_cancel(db_conn *db, const char *id, const char *reason, char **json) {
  return db_fetch_text(db, &audit_cancel, 2, (const char *[]){id, reason}, json);
}

kr_err label_self_evaluation_get(db_conn *db, const char *audit, char **json) {
  return db_fetch_text(db, &self_get, 1, (const char *[]){audit}, json);
}

kr_err label_self_evaluation_put(db_conn *db, const char *audit, const char *status,
                                 const char *scores_json, char **json) {
  kr_err e = db_fetch_text(db, &self_put, 3, (const char *[]){audit, status, scores_json}, json);
  return e == KR_NOT_FOUND ? KR_CONFLICT : e; /* no row: the stored one is submitted */
}

kr_err label_outcome_get(db_conn *db, const char *audit, char **json) {
  return db_fetch_text(db, &outcome_get, 1, (const char *[]){audit}, json);
}

kr_err label_outcome_put(db_conn *db, const char *audit, const char *obj_json, score_counts c,
                         bool meets, const char *account, char **json) {
  char met[12], partially[12], not_met[12];
  snprintf(met, sizeof met, "%d", c.met);
  snprintf(partially, sizeof partially, "%d", c.partially_met);
  snprintf(not_met, sizeof not_met, "%d", c.not_met);
  const char *v[] = {audit, obj_json, met, partially, not_met, meets ? "true" : "false", account};
  return db_fetch_text(db, &outcome_put, 7, v, json);
}

kr_err label_evidence_problems(db_conn *db, const char *org, const char *citations_json, PGresult **out) {
  return db_fetch_result(db, &evidence_problems, 2, (const char *[]){org, citations_json}, out);
}

kr_err label_outcome_verdict(db_conn *db, const char *audit, bool *positive, bool *meets) {
  PGresult *r = db_exec(db, &outcome_verdict, 1, (const char *[]){audit});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    *positive = PQgetvalue(r, 0, 0)[0] == 't';
    *meets = PQgetvalue(r, 0, 1)[0] == 't';
  }
  PQclear(r);
  return e;
}

kr_err label_decide(db_conn *db, const char *audit, bool granted, const char *note,
                    const char *decided_on, const char *account, const char *valid_from,
                    const char *valid_until, const char *previous, char **json) {
  const char *g = granted ? "true" : "false";
  kr_err e = db_run(db, &decision_insert, 5, (const char *[]){audit, g, note, decided_on, account});
  if (e == KR_OK) e = db_run(db, &audit_mark_decided, 2, (const char *[]){audit, g});
  if (e == KR_OK && granted) {
    const char *v[] = {audit, valid_from, valid_until, decided_on, previous, account};
    e = db_run(db, &cert_insert, 6, v);
  }
  if (e == KR_OK) e = db_fetch_text(db, &decision_get, 1, (const char *[]){audit}, json);
  return e;
}

