/* store.h (label): the quality label's rows in PostgreSQL.
 *
 * JSON answers are built by PostgreSQL (kr_*_json in sql/0002_label.sql) and handed back as
 * text the caller frees with free(). Input objects are passed to SQL as JSON text and read
 * there with json functions, so that a record's columns are named in one place. Every function
 * that writes more than one row runs in the caller's transaction when one is open, or opens its
 * own. */
#ifndef KR_LABEL_STORE_H
#define KR_LABEL_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/date.h"
#include "db/pool.h"
#include "http/pagination.h"
#include "label/rules.h"

extern const db_statement *const label_statements[];       /* organisations, frameworks, bodies */
extern const db_statement *const label_audit_statements[]; /* audits, outcomes, certificates */

/* ---- organisations ------------------------------------------------------------------------ */
/* Inserts obj (members as the API names them). KR_CONFLICT for a taken KvK number. *json is the
 * new organisation, *revision its ETag number. */
kr_err label_org_create(db_conn *db, const char *obj_json, char **json, int *revision);
/* The organisation and its revision; lock=true takes a row lock (inside a transaction). */
kr_err label_org_get(db_conn *db, const char *id, bool lock, char **json, int *revision);
/* Replaces the writable members with obj's and bumps the revision. */
kr_err label_org_update(db_conn *db, const char *id, const char *obj_json, char **json, int *revision);
/* A page of (json, key, id) rows, limit+1 at most; kvk and q may be NULL. */
kr_err label_org_page(db_conn *db, const char *kvk, const char *q, const page_cursor *after,
                      int limit, PGresult **out);
kr_err label_org_exists(db_conn *db, const char *id, bool *exists);
/* Changes the KvK number of the organisation (locked in the caller's transaction) on `on`, by
 * `account`, with a reason: a history entry, and a kvk_number_changed event for each of its
 * certificates still running. *json is the history entry with its certificateEventIds.
 * KR_CONFLICT when another organisation has the number. The caller derives the statuses anew. */
kr_err label_org_change_kvk(db_conn *db, const char *id, const char *kvk, const char *reason,
                            const char *on, const char *account, char **json);
/* {items, nextCursor: null}: every recorded change of the organisation, oldest first. */
kr_err label_org_history(db_conn *db, const char *id, char **json);

/* ---- norm frameworks ---------------------------------------------------------------------- */
kr_err label_framework_list(db_conn *db, char **json);
kr_err label_framework_get(db_conn *db, const char *version, char **json);
/* Creates a framework with its categories and norms from the create body (JSON). */
kr_err label_framework_create(db_conn *db, const char *obj_json, char **json);
/* The framework's norm codes in order (the caller PQclears); KR_NOT_FOUND for no framework. */
kr_err label_framework_codes(db_conn *db, const char *version, PGresult **out);
/* Sets texts ([{code, text}] as JSON), keeping the old ones in history, by `account`. */
kr_err label_framework_set_texts(db_conn *db, const char *version, const char *texts_json,
                                 const char *account);
kr_err label_framework_text_history(db_conn *db, const char *version, char **json);

typedef struct {
  framework_window window;
  bool volunteers_in_scope;
  int max_partially_met, max_not_met, term_months;
} framework_facts;
kr_err label_framework_facts(db_conn *db, const char *version, framework_facts *out);

/* ---- certifying bodies -------------------------------------------------------------------- */
kr_err label_body_create(db_conn *db, const char *name, char **json, char id[37]);
kr_err label_body_get(db_conn *db, const char *id, char **json);
kr_err label_body_page(db_conn *db, const page_cursor *after, int limit, PGresult **out);
kr_err label_agreement_create(db_conn *db, const char *body_id, const char *valid_from,
                              const char *valid_until, char **json, char id[37]);
kr_err label_agreement_list(db_conn *db, const char *body_id, char **json);
/* Whether one of the body's agreements covers the date. */
kr_err label_agreement_covers(db_conn *db, const char *body_id, const char *date, bool *covered);

#endif
