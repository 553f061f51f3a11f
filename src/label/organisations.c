/* Organisations: the label office manages them; an organisation's account reads and updates its
 * own record. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/rules.h"
#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"
#include "label/handlers.h"
#include "label/store.h"
#include "label/timeline.h"
#include "label/view.h"

#define MUNICIPALITIES_MAX 400 /* the Netherlands has 342 municipalities (2024) */
#define PEOPLE_MAX 1000000     /* volunteers, business-critical volunteers */

static const body_field organisation_fields[] = {
    {"name", FIELD_STRING, true, false, false},
    {"kvkNumber", FIELD_STRING, true, false, false},
    {"address", FIELD_STRING, false, true, false},
    {"postalCode", FIELD_STRING, false, true, false},
    {"city", FIELD_STRING, true, false, false},
    {"municipalityCodes", FIELD_ARRAY, true, false, false},
    {"contactEmail", FIELD_STRING, false, true, false},
    {"employeesFte", FIELD_NUMBER, false, false, false},
    {"volunteers", FIELD_INTEGER, false, false, false},
    {"businessCriticalVolunteers", FIELD_INTEGER, false, false, false},
    {"id", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
    {"updatedAt", FIELD_STRING, false, false, true},
};
#define ORGANISATION_FIELDS (sizeof organisation_fields / sizeof organisation_fields[0])

static bool digits(const char *s, size_t n) {
  if (strlen(s) != n) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

static bool postal_code_valid(const char *s) {
  /* 1234 AB or 1234AB */
  size_t n = strlen(s);
  if (n != 6 && n != 7) return false;
  if (s[0] < '1' || s[0] > '9' || !digits((char[]){s[1], s[2], s[3], 0}, 3)) return false;
  const char *letters = s + (n == 7 ? 5 : 4);
  if (n == 7 && s[4] != ' ') return false;
  return letters[0] >= 'A' && letters[0] <= 'Z' && letters[1] >= 'A' && letters[1] <= 'Z';
}

/* The rules on a whole organisation (after defaults or a merge), beyond member types. */
static void check_values(const json_t *o, json_t *errors) {
  label_check_text(o, "name", 1, 200, errors);
  label_check_text(o, "city", 1, 100, errors);
  label_check_text(o, "address", 1, 200, errors);
  account_check_email_member(o, "contactEmail", errors);
  const char *kvk = json_string_value(json_object_get(o, "kvkNumber"));
  if (kvk && !digits(kvk, 8)) field_error(errors, "kvkNumber", "must be 8 digits");
  const char *pc = json_string_value(json_object_get(o, "postalCode"));
  if (pc && !postal_code_valid(pc)) field_error(errors, "postalCode", "must be a Dutch postal code like 3511 AB");
  const json_t *codes = json_object_get(o, "municipalityCodes");
  if (json_is_array(codes)) {
    if (json_array_size(codes) == 0) field_error(errors, "municipalityCodes", "must name at least one municipality");
    if (json_array_size(codes) > MUNICIPALITIES_MAX) {
      field_error(errors, "municipalityCodes", "may name at most 400 municipalities");
      codes = NULL; /* not compared pairwise */
    }
    size_t i, j;
    const json_t *c;
    char field[48];
    json_array_foreach(codes, i, c) {
      snprintf(field, sizeof field, "municipalityCodes[%zu]", i);
      const char *code = json_string_value(c);
      if (!code || !account_municipality_code_valid(code))
        field_error(errors, field, "must be a CBS municipality code like GM0363");
      for (j = 0; code && j < i; j++)
        if (json_equal(c, json_array_get(codes, j))) field_error(errors, field, "is listed twice");
    }
  }
  const json_t *fte = json_object_get(o, "employeesFte");
  if (json_is_number(fte)) {
    double v = json_number_value(fte);
    if (v < 0 || v > 1e6 || fabs(v * 10 - round(v * 10)) > 1e-6)
      field_error(errors, "employeesFte", "must be a number from 0 to 1000000 with at most one decimal");
  }
  json_int_t vol = json_integer_value(json_object_get(o, "volunteers"));
  json_int_t critical = json_integer_value(json_object_get(o, "businessCriticalVolunteers"));
  if (vol < 0 || vol > PEOPLE_MAX) field_error(errors, "volunteers", "must be 0 to 1000000");
  if (critical < 0 || critical > PEOPLE_MAX) field_error(errors, "businessCriticalVolunteers", "must be 0 to 1000000");
  else if (vol >= 0 && critical > vol)
    field_error(errors, "businessCriticalVolunteers", "cannot exceed the number of volunteers");
}

/* An organisation's account may only reach its own record; others get a 404 from the caller. */
static bool may_see(const http_ctx *ctx, const char *id) {
  return ctx->caller.role == ROLE_ADMIN ||
         (ctx->caller.role == ROLE_ORGANISATION && strcmp(ctx->caller.link, id) == 0);
}

static void reply_organisation(http_ctx *ctx, int status, char *json, int revision) {
  char etag[24];
  snprintf(etag, sizeof etag, "\"r%d\"", revision);
  http_set_header(ctx, "ETag", etag);
  label_reply_json_text(ctx, status, json);
}

static void reply_write_error(http_ctx *ctx, kr_err e) {
  if (e == KR_CONFLICT)
    http_reply_problem(ctx, KR_CONFLICT, "An organisation with this KvK number exists already.", NULL, NULL);
  else label_reply_error(ctx, e, "There is no such organisation.");
}

void label_org_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, organisation_fields, ORGANISATION_FIELDS, errors);
  check_values(body, errors);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *text = json_dumps(body, JSON_COMPACT), *json = NULL;
    int revision = 0;
    kr_err e = text ? label_org_create(db, text, &json, &revision) : KR_INTERNAL;
    free(text);
    if (e == KR_OK) {
      json_t *created = json_loads(json, 0, NULL);
      char location[80];
      snprintf(location, sizeof location, "/v1/organisations/%s",
               json_string_value(json_object_get(created, "id")));
      json_decref(created);
      http_set_header(ctx, "Location", location);
      reply_organisation(ctx, 201, json, revision);
    } else {
      reply_write_error(ctx, e);
    }
  }
  json_decref(body);
}

void label_org_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "kvkNumber", "q", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *kvk = http_query(ctx, "kvkNumber"), *q = http_query(ctx, "q");
  if (kvk && !digits(kvk, 8)) field_error(errors, "kvkNumber", "must be 8 digits");
  if (q && (!*q || text_utf8_length(q) > 100)) field_error(errors, "q", "must have 1 to 100 characters");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  PGresult *page = NULL;
  kr_err e = db ? label_org_page(db, kvk, q, &after, limit, &page) : KR_OK;
  if (!db) return;
  if (e != KR_OK) label_reply_error(ctx, e, NULL);
  else page_reply(ctx, page, limit);
  PQclear(page);
}

void label_org_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "organisationId");
  if (!id) return;
  if (!may_see(ctx, id)) {
    label_reply_error(ctx, KR_NOT_FOUND, "There is no such organisation.");
    return;
  }
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  int revision = 0;
  kr_err e = label_org_get(db, id, false, &json, &revision);
  if (e == KR_OK) reply_organisation(ctx, 200, json, revision);
  else label_reply_error(ctx, e, "There is no such organisation.");
}

/* RFC 7396: members of the patch replace those of the record; null removes an optional one. */
static json_t *merge(const char *current, const json_t *patch) {
  json_t *merged = json_loads(current, 0, NULL);
  static const char *const read_only[] = {"id", "createdAt", "updatedAt"};
  for (size_t i = 0; merged && i < 3; i++) json_object_del(merged, read_only[i]);
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)patch, key, value) {
    if (json_is_null(value)) json_object_set_new(merged, key, json_null());
    else json_object_set(merged, key, value);
  }
  return merged;
}

void label_org_patch_handler(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "organisationId");
  if (!id) return;
  if (!may_see(ctx, id)) {
    label_reply_error(ctx, KR_NOT_FOUND, "There is no such organisation.");
    return;
  }
  json_t *patch = http_body_object(ctx);
  if (!patch) return;
  /* Every member is optional in a patch; the whole record is checked after the merge. */
  body_field optional[ORGANISATION_FIELDS];
  memcpy(optional, organisation_fields, sizeof optional);
  for (size_t i = 0; i < ORGANISATION_FIELDS; i++) optional[i].required = false;
  json_t *errors = field_errors_new();
  body_check(patch, optional, ORGANISATION_FIELDS, errors);
  if (http_reply_if_invalid(ctx, errors)) {
    json_decref(patch);
    return;
  }
  db_conn *db = http_db(ctx);
  char *current = NULL, *json = NULL;
  int revision = 0;
  kr_err e = db ? db_begin(db) : KR_UNAVAILABLE;
  if (e == KR_OK) e = label_org_get(db, id, true, &current, &revision);
  char etag[24];
  snprintf(etag, sizeof etag, "\"r%d\"", revision);
  if (!db) {
    /* answered */
  } else if (e != KR_OK) {
    label_reply_error(ctx, e, "There is no such organisation.");
  } else if (http_if_match(ctx, etag)) {
    json_t *merged = merge(current, patch);
    errors = field_errors_new();
    body_check(merged, organisation_fields, ORGANISATION_FIELDS, errors); /* nulls, required */
    check_values(merged, errors);
    json_t *stored = json_loads(current, 0, NULL);
    if (!json_equal(json_object_get(merged, "kvkNumber"), json_object_get(stored, "kvkNumber")))
      field_error(errors, "kvkNumber",
                  "is the legal entity's identity: the label office changes it, with a reason, through "
                  "POST /v1/organisations/{organisationId}/kvk-number-changes");
    json_decref(stored);
    if (!http_reply_if_invalid(ctx, errors)) {
      char *text = json_dumps(merged, JSON_COMPACT);
      e = text ? label_org_update(db, id, text, &json, &revision) : KR_INTERNAL;
      /* Certificates' stored answers show the organisation: store them anew. */
      if (e == KR_OK) e = label_statuses_derive(db, id);
      free(text);
      if (e == KR_OK) e = db_commit(db);
      if (e == KR_OK) {
        reply_organisation(ctx, 200, json, revision);
        json = NULL; /* the answer took it */
      } else {
        reply_write_error(ctx, e);
      }
    }
    json_decref(merged);
  }
  if (db) db_rollback(db);
  free(current);
  free(json);
  json_decref(patch);
}

/* POST /v1/organisations/{organisationId}/kvk-number-changes: the label office changes the KvK
 * number with a reason; municipalities following the organisation's certificates hear of it. */
void label_org_kvk_change_handler(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "organisationId");
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"kvkNumber", FIELD_STRING, true, false, false},
                                      {"reason", FIELD_STRING, true, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 2, errors);
  const char *kvk = body_string(body, "kvkNumber");
  if (kvk && !digits(kvk, 8)) field_error(errors, "kvkNumber", "must be 8 digits");
  label_check_text(body, "reason", 1, 2000, errors);
  db_conn *db = NULL;
  char *current = NULL, *json = NULL;
  int revision = 0;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    kr_err e = db_begin(db);
    if (e == KR_OK) e = label_org_get(db, id, true, &current, &revision);
    json_t *stored = e == KR_OK ? json_loads(current, 0, NULL) : NULL;
    const char *now = json_string_value(json_object_get(stored, "kvkNumber"));
    char today[11];
    date_format(date_today(), today);
    if (e == KR_OK && now && strcmp(now, kvk) == 0) {
      errors = field_errors_new();
      field_error(errors, "kvkNumber", "is the organisation's number already");
      http_reply_if_invalid(ctx, errors);
    } else {
      if (e == KR_OK) e = label_org_change_kvk(db, id, kvk, body_string(body, "reason"), today,
                                               ctx->caller.account_id, &json);
      if (e == KR_OK) e = label_statuses_derive(db, id);
      if (e == KR_OK) e = db_commit(db);
      if (e == KR_OK) {
        char location[96];
        snprintf(location, sizeof location, "/v1/organisations/%s/history", id);
        http_set_header(ctx, "Location", location);
        label_reply_json_text(ctx, 201, json);
        json = NULL;
      } else {
        reply_write_error(ctx, e);
      }
    }
    json_decref(stored);
    db_rollback(db);
  }
  free(current);
  free(json);
  json_decref(body);
}

/* GET /v1/organisations/{organisationId}/history: the label office, and the organisation itself. */
void label_org_history_handler(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "organisationId");
  if (!id || !http_query_only(ctx, (const char *const[]){NULL})) return;
  if (!may_see(ctx, id)) {
    label_reply_error(ctx, KR_NOT_FOUND, "There is no such organisation.");
    return;
  }
  db_conn *db = http_db(ctx);
  if (!db) return;
  bool exists = false;
  char *json = NULL;
  kr_err e = label_org_exists(db, id, &exists);
  if (e == KR_OK && !exists) e = KR_NOT_FOUND;
  if (e == KR_OK) e = label_org_history(db, id, &json);
  label_reply_result(ctx, e, json, "There is no such organisation.");
}
