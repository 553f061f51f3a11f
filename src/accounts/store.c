#include "accounts/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/store.h"

static const db_statement insert_account = {
    "accounts_insert",
    "INSERT INTO accounts (username, password_hash, role, language, professional_id, organisation_id,"
    " certifying_body_id, municipality_code)"
    " VALUES ($1, $2, $3, coalesce($5, 'nl'),"
    "  CASE WHEN $3 = 'professional' THEN $4::text::uuid END,"
    "  CASE WHEN $3 = 'organisation' THEN $4::text::uuid END,"
    "  CASE WHEN $3 = 'certifier' THEN $4::text::uuid END,"
    "  CASE WHEN $3 = 'municipality' THEN $4::text END)"
    " RETURNING kr_account_json(accounts), id"};

static const db_statement get_account = {
    "accounts_get", "SELECT kr_account_json(a) FROM accounts a WHERE a.id = $1"};

static const db_statement page_accounts = {
    "accounts_page",
    "SELECT kr_account_json(a), kr_sort_key(a.created_at), a.id FROM accounts a"
    " WHERE ($1::text IS NULL OR a.role = $1)"
    "   AND ($2::bigint IS NULL OR (kr_sort_key(a.created_at), a.id) > ($2::bigint, $3::uuid))"
    " ORDER BY kr_sort_key(a.created_at), a.id LIMIT $4"};

static const db_statement set_password = {
    "accounts_set_password",
    "UPDATE accounts SET password_hash = $2, password_changed_at = clock_timestamp()"
    " WHERE id = $1"};

static const db_statement admin_exists = {
    "accounts_admin_exists", "SELECT EXISTS (SELECT 1 FROM accounts WHERE role = 'admin')"};

static const db_statement insert_admin = {
    "accounts_insert_admin",
    "INSERT INTO accounts (username, password_hash, role)"
    " SELECT $1, $2, 'admin' WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'admin')"
    " ON CONFLICT DO NOTHING"};

static const db_statement link_exists = {
    "accounts_link_exists",
    "SELECT CASE $1"
    "  WHEN 'professional' THEN EXISTS (SELECT 1 FROM professionals WHERE id = $2::uuid)"
    "  WHEN 'organisation' THEN EXISTS (SELECT 1 FROM organisations WHERE id = $2::uuid)"
    "  WHEN 'certifier' THEN EXISTS (SELECT 1 FROM certifying_bodies WHERE id = $2::uuid)"
    "  ELSE true END"};

static const db_statement set_active = {
    "accounts_set_active", "SELECT outcome, account_json FROM kr_account_set_active($1, $2, $3)"};

/* Mail tokens (sql/0021): each SQL function decides after its row locks and answers one word. */
static const db_statement verification_start = {
    "accounts_verification_start", "SELECT kr_email_verification_start($1::uuid, $2, $3, $4::int)"};
static const db_statement verify_email = {"accounts_verify_email", "SELECT kr_email_verify($1)"};
static const db_statement email_change = {
    "accounts_email_change", "SELECT kr_email_change_start($1::uuid, $2, $3, $4, $5::int)"};
static const db_statement reset_request = {"accounts_reset_request", "SELECT kr_password_reset_request($1)"};
static const db_statement reset_use = {"accounts_reset_use", "SELECT kr_password_reset_use($1, $2)"};
static const db_statement reset_state = {
    "accounts_reset_state",
    "SELECT CASE WHEN r.used_at IS NULL AND r.expires_at > clock_timestamp() AND a.deactivated_at IS NULL"
    " THEN 'usable' ELSE 'gone' END FROM password_resets r JOIN accounts a ON a.id = r.account_id"
    " WHERE r.token_hash = $1"};

const db_statement *const accounts_statements[] = {
    &insert_account, &get_account,  &page_accounts, &set_password,       &admin_exists,
    &insert_admin,   &link_exists,  &set_active,    &verification_start, &verify_email,
    &reset_request,  &reset_use,    &reset_state,  &email_change, NULL};

/* Runs a statement whose one row is one word and maps the word: words[i] -> errs[i]; any other
 * word (or none) is KR_INTERNAL. */
static kr_err run_outcome(db_conn *db, const db_statement *stmt, int n, const char *const *values,
                          const char *const *words, const kr_err *errs) {
  char *word = NULL;
  kr_err e = db_fetch_text(db, stmt, n, values, &word);
  if (e == KR_OK) {
    e = KR_INTERNAL;
    for (int i = 0; words[i]; i++)
      if (strcmp(word, words[i]) == 0) e = errs[i];
  }
  free(word);
  return e;
}

kr_err accounts_store_verification_start(db_conn *db, const char *professional_id, const char *token_hash,
                                         const char *token, int life_seconds) {
  char life[16];
  snprintf(life, sizeof life, "%d", life_seconds);
  return run_outcome(db, &verification_start, 4, (const char *[]){professional_id, token_hash, token, life},
                     (const char *[]){"sent", "verified", "not_found", NULL},
                     (const kr_err[]){KR_OK, KR_CONFLICT, KR_NOT_FOUND});
}

kr_err accounts_store_email_change(db_conn *db, const char *professional_id, const char *email, const char *token_hash,
                                   const char *token, int life_seconds, bool *same) {
  char life[16];
  snprintf(life, sizeof life, "%d", life_seconds);
  char *word = NULL;
  kr_err e = db_fetch_text(db, &email_change, 5, (const char *[]){professional_id, email, token_hash, token, life}, &word);
  *same = e == KR_OK && strcmp(word, "same") == 0;
  if (e == KR_OK) {
    e = strcmp(word, "sent") == 0        ? KR_OK
        : strcmp(word, "not_found") == 0 ? KR_NOT_FOUND
        : strcmp(word, "same") == 0 || strcmp(word, "taken") == 0 ? KR_CONFLICT
                                                                      : KR_INTERNAL;
  }
  free(word);
  return e;
}

kr_err accounts_store_verify_email(db_conn *db, const char *token_hash) {
  return run_outcome(db, &verify_email, 1, (const char *[]){token_hash},
                     (const char *[]){"verified", "gone", "unknown", NULL},
                     (const kr_err[]){KR_OK, KR_GONE, KR_NOT_FOUND});
}

kr_err accounts_store_reset_request(db_conn *db, const char *email) {
  return db_run(db, &reset_request, 1, (const char *[]){email});
}

kr_err accounts_store_reset_state(db_conn *db, const char *token_hash) {
  return run_outcome(db, &reset_state, 1, (const char *[]){token_hash}, (const char *[]){"usable", "gone", NULL},
                     (const kr_err[]){KR_OK, KR_GONE});
}

kr_err accounts_store_reset_use(db_conn *db, const char *token_hash, const char *password_hash) {
  return run_outcome(db, &reset_use, 2, (const char *[]){token_hash, password_hash},
                     (const char *[]){"done", "gone", "unknown", NULL},
                     (const kr_err[]){KR_OK, KR_GONE, KR_NOT_FOUND});
}

kr_err accounts_store_set_active(db_conn *db, const char *id, bool active, const char *reason,
                                 char **json) {
  *json = NULL;
  PGresult *r = db_exec(db, &set_active, 3, (const char *[]){id, active ? "true" : "false", reason});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK) {
    const char *outcome = PQgetvalue(r, 0, 0);
    if (strcmp(outcome, "not_found") == 0) e = KR_NOT_FOUND;
    else if (!(*json = strdup(PQgetvalue(r, 0, 1)))) e = KR_INTERNAL;
    else if (strcmp(outcome, "unchanged") == 0) e = KR_CONFLICT;
  }
  PQclear(r);
  return e;
}

kr_err accounts_store_link_exists(db_conn *db, role r, const char *id, bool *exists) {
  PGresult *res = db_exec(db, &link_exists, 2, (const char *[]){role_name(r), id});
  kr_err e = db_result_error(db, res);
  *exists = e == KR_OK && PQgetvalue(res, 0, 0)[0] == 't';
  PQclear(res);
  return e;
}

kr_err accounts_store_create(db_conn *db, const account_new *a, char **json, char id[37]) {
  const char *values[] = {a->username, a->password_hash, role_name(a->role), a->link, a->language};
  PGresult *r = db_exec(db, &insert_account, 5, values);
  kr_err e = db_result_error(db, r);
  if (e == KR_CONFLICT && strcmp(db_sqlstate(r), "23503") == 0) e = KR_VALIDATION;
  if (e == KR_OK) {
    *json = strdup(PQgetvalue(r, 0, 0));
    snprintf(id, 37, "%s", PQgetvalue(r, 0, 1));
    if (!*json) e = KR_INTERNAL;
  }
  PQclear(r);
  return e;
}

kr_err accounts_store_get(db_conn *db, const char *id, char **json) {
  return db_fetch_text(db, &get_account, 1, (const char *[]){id}, json);
}

kr_err accounts_store_page(db_conn *db, const char *role_name, const page_cursor *after,
                           int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *values[] = {role_name, after->present ? after->key : NULL,
                          after->present ? after->id : NULL, rows};
  return db_fetch_result(db, &page_accounts, 4, values, out);
}

kr_err accounts_store_set_password(db_conn *db, const char *id, const char *password_hash) {
  kr_err e = db_begin(db);
  if (e == KR_OK) {
    PGresult *r = db_exec(db, &set_password, 2, (const char *[]){id, password_hash});
    e = db_result_error(db, r);
    if (e == KR_OK && strcmp(PQcmdTuples(r), "1") != 0) e = KR_NOT_FOUND;
    PQclear(r);
  }
  if (e == KR_OK) e = auth_store_revoke_account(db, id);
  if (e == KR_OK) e = db_commit(db);
  if (e != KR_OK) db_rollback(db);
  return e;
}

kr_err accounts_store_admin_exists(db_conn *db, bool *exists) {
  PGresult *r = db_exec(db, &admin_exists, 0, NULL);
  kr_err e = db_result_error(db, r);
  *exists = e == KR_OK && PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  return e;
}

kr_err accounts_store_bootstrap_admin(db_conn *db, const char *username, const char *password_hash,
                                      bool *created) {
  PGresult *r = db_exec(db, &insert_admin, 2, (const char *[]){username, password_hash});
  kr_err e = db_result_error(db, r);
  *created = e == KR_OK && strcmp(PQcmdTuples(r), "1") == 0;
  PQclear(r);
  return e;
}
