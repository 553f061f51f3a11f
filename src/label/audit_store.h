/* audit_store.h (label): audits, self-evaluations, outcomes, decisions and certificates. */
#ifndef KR_LABEL_AUDIT_STORE_H
#define KR_LABEL_AUDIT_STORE_H

#include "label/store.h"

/* What authorisation and the flow need to know of an audit. */
typedef struct {
  char id[37];
  char organisation_id[37];
  char body_id[37]; /* "" for an intercollegial audit */
  char kind[16];
  char status[24];
  char framework[33];
} audit_facts;

/* Whether the organisation had a (not cancelled) audit on this version planned before `date`. */
kr_err label_audit_started_before(db_conn *db, const char *org, const char *version,
                                  const char *date, bool *started);
kr_err label_audit_create(db_conn *db, const char *obj_json, const char *account, char **json,
                          char id[37]);
kr_err label_audit_facts(db_conn *db, const char *id, bool lock, audit_facts *out);
kr_err label_audit_get(db_conn *db, const char *id, char **json);
/* Visible audits only: org and body (may be NULL) restrict to one organisation or body. */
kr_err label_audit_page(db_conn *db, const char *only_org, const char *only_body,
                        const char *status, const char *org_filter, const page_cursor *after,
                        int limit, PGresult **out);
kr_err label_audit_cancel(db_conn *db, const char *id, const char *reason, char **json);

kr_err label_self_evaluation_get(db_conn *db, const char *audit, char **json);
/* *submitted says whether the stored one was already submitted (then nothing is written). */
kr_err label_self_evaluation_put(db_conn *db, const char *audit, const char *status,
                                 const char *scores_json, char **json);

kr_err label_outcome_get(db_conn *db, const char *audit, char **json);
/* Stores the outcome (replacing an earlier one) and marks the audit outcome_submitted. */
kr_err label_outcome_put(db_conn *db, const char *audit, const char *obj_json, score_counts c,
                         bool meets, const char *account, char **json);
/* The stored outcome's advice and threshold verdict; KR_NOT_FOUND when none. */
kr_err label_outcome_verdict(db_conn *db, const char *audit, bool *positive, bool *meets);

/* Rows (field, id, unknown) of the citations (JSON [{field, kind, id}], see
 * label_score_citations) that name no listening session or recommendation (unknown 't') or one
 * of a municipality the organisation does not serve ('f'). The caller PQclears *out. */
kr_err label_evidence_problems(db_conn *db, const char *org, const char *citations_json, PGresult **out);

/* ---- decisions ---------------------------------------------------------------------------- */
/* Records the decision; for a grant also issues the certificate (valid_from..valid_until,
 * following `previous` when not NULL) and its `issued` event. */
kr_err label_decide(db_conn *db, const char *audit, bool granted, const char *note,
                    const char *decided_on, const char *account, const char *valid_from, const char *valid_until, const char *previous,
                    char **json);
#endif
