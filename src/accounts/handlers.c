#include "accounts/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/rules.h"
#include "accounts/store.h"
#include "auth/password.h"
#include "auth/revocation.h"
#include "auth/store.h"
#include "core/log.h"
#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"

/* Answers a store failure. */
static void reply_error(http_ctx *ctx, kr_err e) { http_reply_problem(ctx, e, NULL, NULL, NULL); }

static void reply_account(http_ctx *ctx, int status, char *json) {
  http_reply_raw(ctx, status, "application/json", json, strlen(json));
  free(json);
}

void accounts_list(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "role", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *role_text = http_query(ctx, "role");
  if (role_text && !role_parse(role_text))
    field_error(errors, "role",
                "must be one of admin, professional, organisation, certifier, municipality");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *page;
  kr_err e = accounts_store_page(db, role_text, &after, limit, &page);
  if (e != KR_OK) {
    reply_error(ctx, e);
    return;
  }
  page_reply(ctx, page, limit);
  PQclear(page);
}

static const body_field new_account_fields[] = {
    {"username", FIELD_STRING, true, false, false},
    {"password", FIELD_STRING, true, false, false},
    {"role", FIELD_STRING, true, false, false},
    {"professionalId", FIELD_STRING, false, false, false},
    {"organisationId", FIELD_STRING, false, false, false},
    {"certifyingBodyId", FIELD_STRING, false, false, false},
    {"municipalityCode", FIELD_STRING, false, false, false},
    {"language", FIELD_STRING, false, false, false},
    {"id", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
};

/* Checks a new account in full: its members, the rules, and that its link names a party that
 * exists, so that every offending field is named at once. False after answering. */
static bool new_account_valid(http_ctx *ctx, const json_t *body, role *r) {
  json_t *errors = field_errors_new();
  body_check(body, new_account_fields, sizeof new_account_fields / sizeof new_account_fields[0],
             errors);
  account_check_new(body, errors, r);
  const char *language = body_string(body, "language");
  if (language && !account_language_valid(language)) field_error(errors, "language", "must be nl or en");
  const char *link_field = role_link_field(*r);
  const char *link = link_field ? body_string(body, link_field) : NULL;
  if (*r != ROLE_MUNICIPALITY && link && text_is_uuid(link)) {
    db_conn *db = http_db(ctx);
    bool exists = false;
    kr_err e = db ? accounts_store_link_exists(db, *r, link, &exists) : KR_UNAVAILABLE;
    if (e != KR_OK) {
      json_decref(errors);
      if (db) reply_error(ctx, e);
      return false;
    }
    if (!exists) field_error(errors, link_field, "names nothing that exists");
  }
  return !http_reply_if_invalid(ctx, errors);
}

void accounts_create(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  role r = 0;
  if (!new_account_valid(ctx, body, &r)) {
    json_decref(body);
    return;
  }
  const char *link_field = role_link_field(r);
  const char *link = link_field ? body_string(body, link_field) : NULL;
  db_conn *db = NULL;
  char hash[PASSWORD_HASH_MAX];
  account_new a = {body_string(body, "username"), hash, r, link, body_string(body, "language")};
  if (!password_hash(body_string(body, "password"), hash)) {
    reply_error(ctx, KR_INTERNAL);
  } else if ((db = http_db(ctx))) {
    char *json = NULL, id[37];
    kr_err e = accounts_store_create(db, &a, &json, id);
    if (e == KR_OK) {
      char location[64];
      snprintf(location, sizeof location, "/v1/accounts/%s", id);
      http_set_header(ctx, "Location", location);
      reply_account(ctx, 201, json);
    } else if (e == KR_VALIDATION && link_field) {
      /* The party was deleted between the check and the insert. */
      json_t *errors = field_errors_new();
      field_error(errors, link_field, "names nothing that exists");
      http_reply_if_invalid(ctx, errors);
    } else if (e == KR_CONFLICT) {
      http_reply_problem(ctx, KR_CONFLICT, "This username is already taken.", NULL, NULL);
    } else {
      reply_error(ctx, e);
    }
  }
  json_decref(body);
}

static void reply_account_by_id(http_ctx *ctx, const char *id) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  kr_err e = accounts_store_get(db, id, &json);
  if (e == KR_OK) reply_account(ctx, 200, json);
  else if (e == KR_NOT_FOUND) http_reply_problem(ctx, KR_NOT_FOUND, "There is no such account.", NULL, NULL);
  else reply_error(ctx, e);
}

void accounts_get(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "accountId");
  if (id) reply_account_by_id(ctx, id);
}

void accounts_get_me(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  reply_account_by_id(ctx, ctx->caller.account_id);
}

static const body_field password_change_fields[] = {
    {"currentPassword", FIELD_STRING, true, false, false},
    {"newPassword", FIELD_STRING, true, false, false},
};

void accounts_change_password(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, password_change_fields, 2, errors);
  const char *current = body_string(body, "currentPassword");
  const char *next = body_string(body, "newPassword");
  const char *why = next ? account_password_problem(next) : NULL;
  if (why) field_error(errors, "newPassword", why);
  if (http_reply_if_invalid(ctx, errors)) {
    json_decref(body);
    return;
  }
  db_conn *db = http_db(ctx);
  auth_account me;
  bool found = false;
  kr_err e = db ? auth_store_find_by_id(db, ctx->caller.account_id, &me, &found) : KR_UNAVAILABLE;
  char hash[PASSWORD_HASH_MAX];
  if (!db) {
    /* the 503 is sent */
  } else if (e != KR_OK) {
    reply_error(ctx, e);
  } else if (!found) {
    http_reply_problem(ctx, KR_NOT_FOUND, "There is no such account.", NULL, NULL);
  } else if (!password_verify(me.password_hash, current)) {
    errors = field_errors_new();
    field_error(errors, "currentPassword", "is not correct");
    http_reply_if_invalid(ctx, errors);
  } else if (!password_hash(next, hash)) {
    reply_error(ctx, KR_INTERNAL);
  } else if ((e = accounts_store_set_password(db, ctx->caller.account_id, hash)) != KR_OK) {
    reply_error(ctx, e);
  } else {
    http_reply_empty(ctx, 204);
  }
  json_decref(body);
}

/* ---- account control --------------------------------------------------------------------- */
/* The {accountId} as a UUID; NULL after answering 400. */
static void set_active(http_ctx *ctx, const char *id, bool active, const char *reason) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  kr_err e = accounts_store_set_active(db, id, active, reason, &json);
  if (e == KR_OK && !active && !auth_revocations_reload())
    log_msg(LOG_WARNING, "cannot reload the token revocations here; the notification will");
  if (e == KR_OK) reply_account(ctx, 200, json);
  else if (e == KR_NOT_FOUND) http_reply_problem(ctx, KR_NOT_FOUND, "There is no such account.", NULL, NULL);
  else if (e == KR_CONFLICT)
    http_reply_problem(ctx, KR_CONFLICT,
                       active ? "This account is active already." : "This account is deactivated already.",
                       NULL, NULL);
  else reply_error(ctx, e);
  if (e != KR_OK) free(json);
}

static const body_field deactivation_fields[] = {
    {"reason", FIELD_STRING, true, false, false},
};

void accounts_deactivate(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "accountId");
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, deactivation_fields, 1, errors);
  const char *reason = body_string(body, "reason");
  if (reason && !*reason) field_error(errors, "reason", "must not be empty");
  body_check_length(body, "reason", 500, errors);
  if (!http_reply_if_invalid(ctx, errors)) {
    if (strcmp(id, ctx->caller.account_id) == 0)
      http_reply_problem(ctx, KR_CONFLICT,
                         "An admin cannot deactivate their own account (another admin can).", NULL, NULL);
    else
      set_active(ctx, id, false, reason);
  }
  json_decref(body);
}

void accounts_reactivate(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "accountId");
  if (id) set_active(ctx, id, true, NULL);
}
