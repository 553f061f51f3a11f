/* Professionals: applications, the register office's records, diplomas, the code of conduct,
 * approval, rejection, deregistration, history and the GDPR export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/handlers.h"
#include "accounts/rules.h"
#include "accounts/store.h"
#include "auth/password.h"
#include "core/rand.h"
#include "core/text.h"
#include "http/busy.h"
#include "http/body.h"
#include "http/pagination.h"
#include "http/ratelimit.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/notices.h"
#include "register/view.h"

static const char missing[] = "There is no such professional.";

static const char *const levels[] = {"mbo", "associate_degree", "hbo", NULL};

/* The personal details every record has: names, email, profile, education level. */
static void check_person(const json_t *body, json_t *errors) {
  label_check_text(body, "givenName", 1, 100, errors);
  label_check_text(body, "familyName", 1, 100, errors);
  const char *email = body_string(body, "email");
  if (email && text_utf8_length(email) > EMAIL_MAX_CHARS) field_error(errors, "email", "must be at most 254 characters");
  else if (email && !account_email_valid(email)) field_error(errors, "email", "must be an email address");
  const char *level = body_string(body, "educationLevel");
  bool known = false;
  for (const char *const *l = levels; level && *l; l++) known |= strcmp(*l, level) == 0;
  if (level && !known) field_error(errors, "educationLevel", "must be mbo, associate_degree or hbo");
}

/* The profile must be a profile code, and exist: one more field error otherwise. */
static kr_err check_profile(db_conn *db, const json_t *body, json_t *errors) {
  const char *profile = body_string(body, "profile");
  if (!profile) return KR_OK;
  if (!register_profile_code_valid(profile)) {
    field_error(errors, "profile", "must be 1 to 40 lower-case letters, digits or -");
    return KR_OK;
  }
  char *json = NULL;
  kr_err e = register_fetch(db, REG_PROFILE_GET, 1, (const char *[]){profile}, &json);
  free(json);
  if (e == KR_NOT_FOUND) {
    field_error(errors, "profile", "is not a register profile");
    e = KR_OK;
  }
  return e;
}

static kr_err insert_professional(http_ctx *ctx, db_conn *db, const json_t *body, char id[37]) {
  const char *v[] = {body_string(body, "givenName"), body_string(body, "familyName"), body_string(body, "email"),
                     body_string(body, "profile"), body_string(body, "educationLevel")};
  char *made = NULL;
  kr_err e = register_fetch(db, REG_PRO_INSERT, 5, v, &made);
  if (e == KR_OK) snprintf(id, 37, "%s", made);
  free(made);
  if (e == KR_OK) e = register_history(ctx, db, id, "applied", date_today(), NULL);
  if (e == KR_OK) e = register_statuses_store(db, id);
  return e;
}

static const body_field application_fields[] = {
    {"givenName", FIELD_STRING, true, false, false}, {"familyName", FIELD_STRING, true, false, false},
    {"email", FIELD_STRING, true, false, false},     {"profile", FIELD_STRING, true, false, false},
    {"educationLevel", FIELD_STRING, true, false, false}, {"username", FIELD_STRING, true, false, false},
    {"password", FIELD_STRING, true, false, false}, {"language", FIELD_STRING, false, false, false},
};

void register_application_handler(http_ctx *ctx) {
  if (!http_rate_limit(ctx, "applications", 10, 3600)) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, application_fields, 8, errors);
  check_person(body, errors);
  const char *username = body_string(body, "username"), *password = body_string(body, "password");
  const char *language = body_string(body, "language");
  if (language && !account_language_valid(language)) field_error(errors, "language", "must be nl or en");
  if (username && !account_username_valid(username))
    field_error(errors, "username", "must be 3 to 64 characters: letters, digits, . _ @ -");
  const char *why = password ? account_password_problem(password) : NULL;
  if (why) field_error(errors, "password", why);
  db_conn *db = http_db(ctx);
  kr_err e = db ? check_profile(db, body, errors) : KR_UNAVAILABLE;
  char hash[PASSWORD_HASH_MAX];
  if (label_checks_passed(ctx, db, e, errors)) {
    /* The record, its account and the mail that verifies its address in one transaction. */
    char id[37] = "", account[37] = "", *account_json = NULL;
    e = password_hash(password, hash) ? db_begin(db) : KR_INTERNAL;
    if (e == KR_OK) e = insert_professional(ctx, db, body, id);
    account_new a = {username, hash, ROLE_PROFESSIONAL, id, language};
    if (e == KR_OK) e = accounts_store_create(db, &a, &account_json, account);
    if (e == KR_OK) e = accounts_verification_begin(db, id);
    if (e == KR_OK) e = db_commit(db);
    db_rollback(db);
    free(account_json);
    if (e == KR_CONFLICT) {
      /* Never say whose, or which of the two, is taken. */
      http_reply_problem(ctx, KR_CONFLICT, "An account or record with these details exists already.", NULL, NULL);
    } else if (e != KR_OK) {
      label_reply_error(ctx, e, NULL);
    } else {
      char location[80];
      snprintf(location, sizeof location, "/v1/professionals/%s", id);
      http_set_header(ctx, "Location", location);
      http_reply_json(ctx, 201, json_pack("{s:s, s:s, s:s}", "professionalId", id, "accountId", account,
                                          "status", "applied"));
    }
  }
  json_decref(body);
}

void register_professional_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, application_fields, 5, errors);
  check_person(body, errors);
  db_conn *db = http_db(ctx);
  kr_err e = db ? check_profile(db, body, errors) : KR_UNAVAILABLE;
  if (label_checks_passed(ctx, db, e, errors)) {
    char id[37] = "";
    e = db_begin(db);
    if (e == KR_OK) e = insert_professional(ctx, db, body, id);
    if (e == KR_OK) e = accounts_verification_begin(db, id);
    if (e == KR_OK) e = db_commit(db);
    db_rollback(db);
    if (e == KR_CONFLICT) http_reply_problem(ctx, KR_CONFLICT, "A record with this email exists already.", NULL, NULL);
    else if (e != KR_OK) label_reply_error(ctx, e, NULL);
    else {
      char location[80];
      snprintf(location, sizeof location, "/v1/professionals/%s", id);
      http_set_header(ctx, "Location", location);
      register_reply_professional(ctx, db, id, date_today(), 201);
    }
  }
  json_decref(body);
}

static const char *const statuses[] = {"applied", "registered", "suspended", "struck_off", "expired",
                                       "deregistered", "rejected", NULL};

void register_professional_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "status", "profile", "periodEndsBefore", "q", NULL}))
    return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *status = http_query(ctx, "status"), *profile = http_query(ctx, "profile");
  const char *before = http_query(ctx, "periodEndsBefore"), *q = http_query(ctx, "q");
  bool known = false;
  for (const char *const *s = statuses; status && *s; s++) known |= strcmp(*s, status) == 0;
  if (status && !known) field_error(errors, "status", "is not a registration status");
  kr_date ignored;
  if (before && !date_parse(before, &ignored)) field_error(errors, "periodEndsBefore", "must be a date (YYYY-MM-DD)");
  if (q && (!*q || text_utf8_length(q) > 100)) field_error(errors, "q", "must have 1 to 100 characters");
  db_conn *db = NULL;
  if (profile && json_array_size(errors) == 0 && (db = http_db(ctx))) {
    json_t *probe = json_pack("{s:s}", "profile", profile);
    kr_err e = check_profile(db, probe, errors);
    json_decref(probe);
    if (e != KR_OK) {
      json_decref(errors);
      label_reply_error(ctx, e, NULL);
      return;
    }
  }
  if (http_reply_if_invalid(ctx, errors)) return;
  if (!db && !(db = http_db(ctx))) return;
  char rows[16], today[11];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  date_format(date_today(), today);
  const char *v[] = {profile, before, q, after.present ? after.key : NULL, after.present ? after.id : NULL, rows,
                     status, today};
  PGresult *page = NULL;
  /* The status filter runs in SQL, on the stored timelines: every page but the last is full. */
  kr_err e = db_fetch_result(db, register_statement(REG_PRO_PAGE), 8, v, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void register_professional_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"on", NULL})) return;
  const char *id = register_professional_param(ctx);
  kr_date on;
  if (!id || !register_on_param(ctx, &on)) return;
  db_conn *db = http_db(ctx);
  if (db) register_reply_professional(ctx, db, id, on, 200);
}

void register_diploma_put_handler(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  const char *type = id ? register_file_type(ctx) : NULL;
  db_conn *db = type ? http_db(ctx) : NULL;
  json_t *pro = NULL;
  professional_facts f;
  if (!db || !register_load(ctx, db, id, false, &pro, &f)) return;
  if (ctx->caller.role != ROLE_ADMIN && f.facts.state != STATE_APPLIED) {
    http_reply_problem(ctx, KR_CONFLICT, "The diploma can only be changed while the application is open.", NULL, NULL);
  } else {
    char sha[65], size[16], *json = NULL;
    hash_sha256_hex(ctx->req->binary_body, ctx->req->binary_body_length, sha);
    snprintf(size, sizeof size, "%zu", ctx->req->binary_body_length);
    const char *v[] = {id, ctx->req->binary_body, type, sha};
    int lengths[] = {0, (int)ctx->req->binary_body_length, 0, 0}, formats[] = {0, 1, 0, 0};
    PGresult *r = db_exec_binary(db, register_statement(REG_DIPLOMA_PUT), 4, v, lengths, formats, false);
    kr_err e = db_result_error(db, r);
    if (e == KR_OK && !(json = strdup(PQgetvalue(r, 0, 0)))) e = KR_INTERNAL;
    PQclear(r);
    label_reply_result(ctx, e, json, missing);
  }
  json_decref(pro);
}

void register_diploma_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  register_send_file(ctx, db, REG_DIPLOMA_GET, 1, (const char *[]){id}, "There is no diploma for this professional.");
}

void register_acceptance_handler(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"version", FIELD_STRING, true, false, false},
                                      {"acceptedAt", FIELD_STRING, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 2, errors);
  const char *version = body_string(body, "version");
  if (version && !register_version_valid(version)) {
    field_error(errors, "version", "must be 1 to 32 letters, digits, . _ -");
    version = NULL; /* not looked up */
  }
  db_conn *db = http_db(ctx);
  char *code = NULL, today[11], *accepted = NULL;
  date_format(date_today(), today);
  kr_err e = db && version ? register_fetch(db, REG_CODE_GET, 2, (const char *[]){version, today}, &code) : KR_OK;
  free(code);
  if (e == KR_NOT_FOUND) {
    field_error(errors, "version", "is not a code of conduct");
    e = KR_OK;
  }
  json_t *pro = NULL;
  professional_facts f;
  if (!db || e != KR_OK) {
    json_decref(errors);
    if (db) label_reply_error(ctx, e, NULL);
  } else if (!http_reply_if_invalid(ctx, errors) && (e = db_begin(db)) == KR_OK &&
             register_load(ctx, db, id, true, &pro, &f)) {
    /* Accepting again changes nothing and answers the first acceptance. */
    PGresult *r = NULL;
    e = db_fetch_result(db, register_statement(REG_ACCEPT), 2, (const char *[]){id, version}, &r);
    bool fresh = e == KR_OK && PQgetvalue(r, 0, 1)[0] == 't';
    if (e == KR_OK && !(accepted = strdup(PQgetvalue(r, 0, 0)))) e = KR_INTERNAL;
    PQclear(r);
    if (e == KR_OK && fresh) e = register_history(ctx, db, id, "code_of_conduct_accepted", date_today(), version);
    if (e == KR_OK) e = db_commit(db);
    if (e == KR_OK)
      http_reply_json(ctx, fresh ? 201 : 200, json_pack("{s:s, s:s}", "version", version, "acceptedAt", accepted));
    else label_reply_error(ctx, e, missing);
  } else if (e != KR_OK) {
    label_reply_error(ctx, e, NULL);
  }
  if (db) db_rollback(db);
  free(accepted);
  json_decref(pro);
  json_decref(body);
}

/* Shared by approval, rejection and deregistration: body checks, then the locked professional. */
static json_t *begin_decision(http_ctx *ctx, const body_field *fields, size_t n, db_conn **db, json_t **pro,
                              professional_facts *f, const char **id) {
  *id = register_professional_param(ctx);
  if (!*id) return NULL;
  json_t *body = http_body_object(ctx);
  if (!body) return NULL;
  json_t *errors = field_errors_new();
  body_check(body, fields, n, errors);
  label_check_text(body, "reason", 1, 2000, errors);
  if (http_reply_if_invalid(ctx, errors) || !(*db = http_db(ctx)) || db_begin(*db) != KR_OK ||
      !register_load(ctx, *db, *id, true, pro, f)) {
    if (*db && ctx->status == 0) label_reply_error(ctx, KR_UNAVAILABLE, NULL);
    json_decref(body);
    return NULL;
  }
  return body;
}

/* The decision's writes are done: the new timeline, the commit, the answer. */
static void finish_decision(http_ctx *ctx, db_conn *db, const char *id, kr_err e) {
  if (e == KR_OK) e = register_statuses_store(db, id);
  if (e == KR_OK) e = db_commit(db);
  if (e == KR_OK) register_reply_professional(ctx, db, id, date_today(), 200);
  else if (ctx->status == 0) label_reply_error(ctx, e, missing);
  db_rollback(db);
}

void register_approval_handler(http_ctx *ctx) {
  static const body_field fields[] = {{"periodStart", FIELD_STRING, false, false, false}};
  db_conn *db = NULL;
  json_t *pro = NULL;
  professional_facts f;
  const char *id;
  json_t *body = begin_decision(ctx, fields, 1, &db, &pro, &f, &id);
  if (!body) return;
  kr_date start = date_today();
  json_t *errors = field_errors_new();
  label_check_date(body, "periodStart", false, errors, &start);
  char today[11], *accepted = NULL, *number = NULL;
  date_format(date_today(), today);
  kr_err e = KR_OK;
  if (http_reply_if_invalid(ctx, errors)) {
    /* answered */
  } else if (f.facts.state != STATE_APPLIED) {
    http_reply_problem(ctx, KR_CONFLICT, "Only an open application can be approved.", NULL, NULL);
  } else if ((e = register_fetch(db, REG_CURRENT_CODE_ACCEPTED, 2, (const char *[]){id, today}, &accepted)) == KR_OK &&
             strcmp(accepted, "t") != 0) {
    register_conflict(ctx, "The professional has not accepted the current code of conduct.", "codeOfConduct",
                      "the current code of conduct has not been accepted");
  } else if (e == KR_OK && !json_is_true(json_object_get(pro, "hasDiploma"))) {
    register_conflict(ctx, "The application has no diploma to review.", "diploma", "no diploma has been uploaded");
  } else if (e == KR_OK && !json_is_true(json_object_get(pro, "emailVerified"))) {
    register_conflict(ctx, "The applicant's e-mail address is not verified.", "email",
                      "the e-mail address has not been verified");
  } else if (e == KR_OK) {
    int years = 0;
    e = register_profile_years(db, json_string_value(json_object_get(pro, "profile")), &years);
    char from[11], until[11], *period = NULL;
    date_format(start, from);
    date_format(register_period_end(start, years), until);
    if (e == KR_OK) e = register_fetch(db, REG_APPROVE, 1, (const char *[]){id}, &number);
    if (e == KR_OK) e = register_fetch(db, REG_FIRST_PERIOD, 3, (const char *[]){id, from, until}, &period);
    if (e == KR_OK) e = register_history(ctx, db, id, "approved", date_today(), number);
    if (e == KR_OK) e = register_history(ctx, db, id, "period_started", start, until);
    if (e == KR_OK) e = register_notice(db, id, "application_approved", id, NULL);
    free(period);
    finish_decision(ctx, db, id, e);
  }
  if (e != KR_OK && ctx->status == 0) label_reply_error(ctx, e, missing);
  db_rollback(db);
  free(accepted);
  free(number);
  json_decref(pro);
  json_decref(body);
}

void register_rejection_handler(http_ctx *ctx) {
  static const body_field fields[] = {{"reason", FIELD_STRING, true, false, false}};
  db_conn *db = NULL;
  json_t *pro = NULL;
  professional_facts f;
  const char *id;
  json_t *body = begin_decision(ctx, fields, 1, &db, &pro, &f, &id);
  if (!body) return;
  if (f.facts.state != STATE_APPLIED) {
    http_reply_problem(ctx, KR_CONFLICT, "Only an open application can be rejected.", NULL, NULL);
  } else {
    const char *reason = body_string(body, "reason");
    kr_err e = register_run(db, REG_REJECT, 2, (const char *[]){id, reason});
    if (e == KR_OK) e = register_history(ctx, db, id, "rejected", date_today(), reason);
    if (e == KR_OK) e = register_notice(db, id, "application_rejected", id, reason);
    finish_decision(ctx, db, id, e);
  }
  db_rollback(db);
  json_decref(pro);
  json_decref(body);
}

void register_deregistration_handler(http_ctx *ctx) {
  static const body_field fields[] = {{"on", FIELD_STRING, false, false, false},
                                      {"reason", FIELD_STRING, false, false, false}};
  db_conn *db = NULL;
  json_t *pro = NULL;
  professional_facts f;
  const char *id;
  json_t *body = begin_decision(ctx, fields, 2, &db, &pro, &f, &id);
  if (!body) return;
  kr_date on = date_today();
  json_t *errors = field_errors_new();
  label_check_date(body, "on", false, errors, &on);
  reg_status now = register_status_on(&f.facts, date_today());
  if (json_array_size(errors) == 0 && f.facts.period_count > 0 && on < f.periods[0].starts_on)
    field_error(errors, "on", "is before the registration began");
  if (http_reply_if_invalid(ctx, errors)) {
    /* answered */
  } else if (f.facts.state != STATE_REGISTERED || (now != REG_REGISTERED && now != REG_SUSPENDED)) {
    http_reply_problem(ctx, KR_CONFLICT, "Only a current registration can be ended.", NULL, NULL);
  } else {
    char date[11];
    date_format(on, date);
    kr_err e = register_run(db, REG_DEREGISTER, 2, (const char *[]){id, date});
    if (e == KR_OK) e = register_history(ctx, db, id, "deregistered", on, body_string(body, "reason"));
    finish_decision(ctx, db, id, e);
  }
  db_rollback(db);
  json_decref(pro);
  json_decref(body);
}

static void reply_own(http_ctx *ctx, register_stmt which) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  char *exists = NULL, *json = NULL;
  kr_err e = register_fetch(db, REG_PRO_EXISTS, 1, (const char *[]){id}, &exists);
  free(exists);
  if (e == KR_OK) e = register_fetch(db, which, 1, (const char *[]){id}, &json);
  label_reply_result(ctx, e, json, missing);
}

void register_history_handler(http_ctx *ctx) { reply_own(ctx, REG_HISTORY_LIST); }

void register_export_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  if (!id || !http_busy_enter(ctx)) return;
  db_conn *db = http_db(ctx);
  if (!db) {
    http_busy_leave(ctx);
    return;
  }
  /* The record as the professional sees it (with its status today), like GET .../{id}. */
  char today[11], *json = NULL;
  date_format(date_today(), today);
  kr_err e = register_fetch(db, REG_EXPORT, 2, (const char *[]){id, today}, &json);
  label_reply_result(ctx, e, json, missing);
  http_busy_leave(ctx);
}
