/* Listening sessions (Adviesvangers, Grootschalig luisteren and other ways of listening), the
 * topic list tellers choose from, and the public view of a municipality's residents' voice. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts/rules.h"
#include "core/date.h"
#include "core/text.h"
#include "http/body.h"
#include "http/idempotency.h"
#include "http/pagination.h"
#include "label/view.h"
#include "voice/handlers.h"
#include "voice/rules.h"
#include "voice/view.h"

static const char *const methods[] = {"advice_catchers", "large_scale_listening", "other", NULL};
static const char *const statuses[] = {"planned", "held", "reported", NULL};
static const char *const bands[] = {"1-9", "10-24", "25-49", "50+", NULL};
static const char *const facilitator_roles[] = {"experience_expert", "social_worker", "resident",
                                                "municipal_officer", "organisation_staff", "volunteer",
                                                "other", NULL};

static const body_field session_fields[] = {
    {"municipalityCode", FIELD_STRING, true, false, false},
    {"organisationIds", FIELD_ARRAY, true, false, false},
    {"method", FIELD_STRING, true, false, false},
    {"centralQuestion", FIELD_STRING, true, false, false},
    {"heldOn", FIELD_STRING, true, false, false},
    {"facilitatorRoles", FIELD_ARRAY, true, false, false},
    {"participantBand", FIELD_STRING, false, true, false},
    {"status", FIELD_STRING, false, false, false},
    {"id", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
    {"updatedAt", FIELD_STRING, false, false, true},
};
#define SESSION_FIELDS (sizeof session_fields / sizeof session_fields[0])

/* The rules on a session body that need no database. */
static void check_session(const json_t *body, json_t *errors) {
  body_check(body, session_fields, SESSION_FIELDS, errors);
  const char *code = body_string(body, "municipalityCode");
  if (code && !account_municipality_code_valid(code))
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
  const char *method = body_string(body, "method");
  if (method && !text_one_of(method, methods))
    field_error(errors, "method", "must be advice_catchers, large_scale_listening or other");
  label_check_text(body, "centralQuestion", 1, 1000, errors);
  voice_check_anonymous(body, "centralQuestion", errors);
  kr_date held = 0;
  bool dated = label_check_date(body, "heldOn", false, errors, &held);
  const char *status = body_string(body, "status");
  if (status && !text_one_of(status, statuses)) field_error(errors, "status", "must be planned, held or reported");
  const char *band = body_string(body, "participantBand");
  if (band && !text_one_of(band, bands)) field_error(errors, "participantBand", "must be 1-9, 10-24, 25-49 or 50+");
  if (status && strcmp(status, "planned") != 0 && text_one_of(status, statuses)) {
    if (!band) field_error(errors, "participantBand", "is required once the session is held");
    if (dated && held > date_today()) field_error(errors, "heldOn", "may not be in the future once the session is held");
  }
  const json_t *roles = json_object_get(body, "facilitatorRoles");
  if (json_is_array(roles)) {
    if (json_array_size(roles) < 1 || json_array_size(roles) > 20)
      field_error(errors, "facilitatorRoles", "must list 1 to 20 facilitators, by role");
    size_t i;
    const json_t *r;
    json_array_foreach(roles, i, r) if (!text_one_of(json_string_value(r), facilitator_roles)) {
      field_error(errors, "facilitatorRoles",
                  "must hold roles only (experience_expert, social_worker, resident, municipal_officer, "
                  "organisation_staff, volunteer, other), never names");
      break;
    }
  }
  const json_t *orgs = json_object_get(body, "organisationIds");
  if (json_is_array(orgs)) {
    size_t i, j;
    const json_t *o;
    if (json_array_size(orgs) > 50) field_error(errors, "organisationIds", "must hold at most 50 items");
    else json_array_foreach(orgs, i, o) {
      bool twice = false;
      for (j = 0; j < i; j++) twice = twice || json_equal(o, json_array_get(orgs, j));
      if (!text_is_uuid(json_string_value(o)) || twice) {
        field_error(errors, "organisationIds", twice ? "must not list an organisation twice" : "must hold UUIDs");
        break;
      }
    }
  }
}

/* The check that needs the database: every organisation exists. */
static kr_err check_organisations(db_conn *db, const json_t *body, json_t *errors) {
  return voice_check_known(db, body, "organisationIds", voice_unknown_organisations, "names no organisation", errors);
}

/* Whether the caller may write a session with these members: a municipality for its own code,
 * an organisation when it is involved. */
static bool may_write(const http_ctx *ctx, const json_t *body) {
  if (ctx->caller.role == ROLE_ADMIN) return true;
  if (ctx->caller.role == ROLE_MUNICIPALITY) {
    const char *code = body_string(body, "municipalityCode");
    return !code || strcmp(code, ctx->caller.link) == 0;
  }
  size_t i;
  const json_t *o;
  json_array_foreach(json_object_get(body, "organisationIds"), i, o) {
    const char *id = json_string_value(o);
    if (id && strcasecmp(id, ctx->caller.link) == 0) return true;
  }
  return false;
}

static const char not_writer[] =
    "A municipality writes sessions of its own municipality, an organisation sessions it is involved in.";

void voice_session_create_handler(http_ctx *ctx) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  check_session(body, errors);
  idem_state st;
  if (!may_write(ctx, body)) {
    json_decref(errors);
    http_reply_problem(ctx, KR_FORBIDDEN, not_writer, NULL, NULL);
  } else if (idem_begin(ctx, db, &st)) {
    kr_err e = check_organisations(db, body, errors);
    if (label_checks_passed(ctx, db, e, errors)) {
      char *text = json_dumps(body, JSON_COMPACT), *json = NULL, id[37] = "";
      e = text ? voice_session_create(db, text, ctx->caller.account_id, &json, id) : KR_INTERNAL;
      free(text);
      label_reply_created(ctx, e, json, "/v1/listening-sessions", id, NULL);
    }
    idem_finish(ctx, db, &st, ctx->status < 500);
  } else {
    json_decref(errors);
  }
  json_decref(body);
}

void voice_session_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "status", "municipalityCode", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *status = http_query(ctx, "status"), *code = http_query(ctx, "municipalityCode");
  if (status && !text_one_of(status, statuses)) field_error(errors, "status", "must be planned, held or reported");
  if (code && !account_municipality_code_valid(code))
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  const char *only_code = ctx->caller.role == ROLE_MUNICIPALITY ? ctx->caller.link : NULL;
  const char *only_org = ctx->caller.role == ROLE_ORGANISATION ? ctx->caller.link : NULL;
  PGresult *page = NULL;
  kr_err e = voice_session_page(db, only_code, only_org, code, status, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void voice_session_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  voice_session_facts s;
  if (!db || !voice_load(ctx, db, false, false, &s)) return;
  char *json = NULL;
  kr_err e = voice_session_get(db, s.id, &json);
  label_reply_result(ctx, e, json, "There is no such listening session.");
}

void voice_session_replace_handler(http_ctx *ctx) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  voice_session_facts s;
  json_t *errors = field_errors_new();
  check_session(body, errors);
  const char *code = body_string(body, "municipalityCode");
  const char *to = body_string(body, "status");
  if (!json_object_get(body, "status")) to = "planned"; /* a replacement: absent is the default */
  kr_err e = db_begin(db);
  if (e != KR_OK) {
    json_decref(errors);
    label_reply_error(ctx, e, NULL);
  } else if (!voice_load(ctx, db, false, true, &s)) {
    json_decref(errors);
  } else {
    if (code && strcmp(code, s.municipality_code) != 0 && account_municipality_code_valid(code))
      field_error(errors, "municipalityCode", "cannot be changed: a session belongs to one municipality");
    if (json_array_size(errors) > 0) {
      http_reply_if_invalid(ctx, errors);
    } else if (text_one_of(to, statuses) && !voice_status_change_allowed(s.status, to)) {
      json_decref(errors);
      http_reply_problem(ctx, KR_CONFLICT,
                         strcmp(s.status, "reported") == 0 ? "The session is reported: it is final."
                                                           : "A session's status moves forward only: planned, held, reported.",
                         NULL, NULL);
    } else if (label_checks_passed(ctx, db, (e = check_organisations(db, body, errors)), errors)) {
      char *text = json_dumps(body, JSON_COMPACT), *json = NULL;
      e = text ? voice_session_update(db, s.id, text, &json) : KR_INTERNAL;
      free(text);
      if (e == KR_OK) e = db_commit(db);
      label_reply_result(ctx, e, json, "There is no such listening session.");
    }
  }
  db_rollback(db);
  json_decref(body);
}

void voice_topic_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  kr_err e = voice_topic_list(db, &json);
  label_reply_result(ctx, e, json, NULL);
}

void voice_public_view_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *code = http_path_param(ctx, "municipalityCode");
  if (!account_municipality_code_valid(code)) {
    json_t *errors = field_errors_new();
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  kr_err e = voice_public_view(db, code, &json);
  label_reply_result(ctx, e, json, NULL);
}
