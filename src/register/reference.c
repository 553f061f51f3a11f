/* Reference data of the register: profiles, codes of conduct, competences, activity types.
 * Anyone reads them; the register office writes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/rules.h"
#include "register/view.h"

/* A path parameter of 1..max characters of `allowed`, checked before it reaches SQL. */
static const char *code_param(http_ctx *ctx, const char *name, const char *allowed, size_t max) {
  const char *v = http_path_param(ctx, name);
  if (text_chars_in(v, 1, max, allowed)) return v;
  json_t *errors = field_errors_new();
  field_error(errors, name, "is not a valid code");
  http_reply_if_invalid(ctx, errors);
  return NULL;
}

static void reply_fetch(http_ctx *ctx, register_stmt which, int n, const char *const *v, const char *not_found) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  kr_err e = register_fetch(db, which, n, v, &json);
  label_reply_result(ctx, e, json, not_found);
}

/* ---- profiles ----------------------------------------------------------------------------- */
static const char profile_missing[] = "There is no such register profile.";

void register_profile_list_handler(http_ctx *ctx) {
  if (http_query_only(ctx, (const char *const[]){NULL})) reply_fetch(ctx, REG_PROFILE_LIST, 0, NULL, NULL);
}

void register_profile_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *code = code_param(ctx, "profileCode", TEXT_CODE_LOWER, REGISTER_PROFILE_CODE_MAX);
  if (code) reply_fetch(ctx, REG_PROFILE_GET, 1, (const char *[]){code}, profile_missing);
}

static bool hours_valid(const json_t *v) {
  return json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= REGISTER_REQUIRED_HOURS_MAX;
}

/* Checks requirements: each category exactly once, with a minimum, a cap or null, and a total
 * of 0 to REGISTER_REQUIRED_HOURS_MAX hours. */
static void check_requirements(const json_t *req, json_t *errors) {
  static const body_field fields[] = {{"categories", FIELD_ARRAY, true, false, false},
                                      {"totalHours", FIELD_NUMBER, true, false, false}};
  json_t *inner = field_errors_new();
  body_check(req, fields, 2, inner);
  bool seen[REGISTER_CATEGORIES] = {false};
  size_t i;
  const json_t *c;
  char field[64];
  json_array_foreach(json_object_get(req, "categories"), i, c) {
    snprintf(field, sizeof field, "categories[%zu]", i);
    int index = register_category_index(json_string_value(json_object_get(c, "category")));
    const json_t *min = json_object_get(c, "minimumHours"), *cap = json_object_get(c, "capHours");
    if (!json_is_object(c) || json_object_size(c) != 3 || index < 0 || !hours_valid(min) || !cap ||
        !(json_is_null(cap) || hours_valid(cap)))
      field_error(inner, field,
                  "must be {category, minimumHours, capHours or null} with a known category and hours from 0 to 10000");
    else if (seen[index]) field_error(inner, field, "names its category twice");
    else seen[index] = true;
  }
  for (int k = 0; k < REGISTER_CATEGORIES; k++)
    if (json_is_array(json_object_get(req, "categories")) && !seen[k]) {
      snprintf(field, sizeof field, "no requirement for %s", register_category_name(k));
      field_error(inner, "categories", field);
    }
  const json_t *total = json_object_get(req, "totalHours");
  if (json_is_number(total) && !hours_valid(total)) field_error(inner, "totalHours", "must be 0 to 10000");
  json_array_foreach(inner, i, c) {
    snprintf(field, sizeof field, "requirements.%.40s", json_string_value(json_object_get(c, "field")));
    field_error(errors, field, json_string_value(json_object_get(c, "message")));
  }
  json_decref(inner);
}

static void write_profile(http_ctx *ctx, const char *code) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  body_field fields[] = {{"code", FIELD_STRING, code == NULL, false, code != NULL},
                         {"name", FIELD_STRING, true, false, false},
                         {"periodYears", FIELD_INTEGER, true, false, false},
                         {"windowWeeks", FIELD_INTEGER, true, false, false},
                         {"requirements", FIELD_OBJECT, true, false, false},
                         {"updatedAt", FIELD_STRING, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 6, errors);
  const char *new_code = body_string(body, "code");
  if (!code && new_code && !register_profile_code_valid(new_code))
    field_error(errors, "code", "must be 1 to 40 lower-case letters, digits or -");
  label_check_text(body, "name", 1, 200, errors);
  json_int_t years = json_integer_value(json_object_get(body, "periodYears"));
  json_int_t weeks = json_integer_value(json_object_get(body, "windowWeeks"));
  if (json_object_get(body, "periodYears") && (years < 1 || years > 10)) field_error(errors, "periodYears", "must be 1 to 10");
  if (json_object_get(body, "windowWeeks") && (weeks < 1 || weeks > 52)) field_error(errors, "windowWeeks", "must be 1 to 52");
  if (json_is_object(json_object_get(body, "requirements"))) check_requirements(json_object_get(body, "requirements"), errors);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *text = json_dumps(body, JSON_COMPACT), *json = NULL;
    kr_err e = !text ? KR_INTERNAL
               : code ? register_fetch(db, REG_PROFILE_UPDATE, 2, (const char *[]){code, text}, &json)
                      : register_fetch(db, REG_PROFILE_INSERT, 1, (const char *[]){text}, &json);
    free(text);
    if (e == KR_CONFLICT) http_reply_problem(ctx, KR_CONFLICT, "This profile code exists already.", NULL, NULL);
    else if (code) label_reply_result(ctx, e, json, profile_missing);
    else label_reply_created(ctx, e, json, "/v1/register-profiles", new_code, profile_missing);
  }
  json_decref(body);
}

void register_profile_create_handler(http_ctx *ctx) { write_profile(ctx, NULL); }

void register_profile_replace_handler(http_ctx *ctx) {
  const char *code = code_param(ctx, "profileCode", TEXT_CODE_LOWER, REGISTER_PROFILE_CODE_MAX);
  if (code) write_profile(ctx, code);
}

/* ---- codes of conduct --------------------------------------------------------------------- */
static const char code_missing[] = "There is no such code of conduct.";
#define CORE_VALUES_MAX 50

void register_code_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  char today[11];
  date_format(date_today(), today);
  reply_fetch(ctx, REG_CODE_LIST, 1, (const char *[]){today}, NULL);
}

void register_code_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *version = code_param(ctx, "version", TEXT_VERSION, REGISTER_VERSION_MAX);
  char today[11];
  date_format(date_today(), today);
  if (version) reply_fetch(ctx, REG_CODE_GET, 2, (const char *[]){version, today}, code_missing);
}

void register_code_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"version", FIELD_STRING, true, false, false},
                                      {"title", FIELD_STRING, true, false, false},
                                      {"inForceFrom", FIELD_STRING, true, false, false},
                                      {"coreValues", FIELD_ARRAY, true, false, false},
                                      {"current", FIELD_BOOLEAN, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 5, errors);
  const char *version = body_string(body, "version");
  if (version && !register_version_valid(version))
    field_error(errors, "version", "must be 1 to 32 letters, digits, . _ -");
  label_check_text(body, "title", 1, 200, errors);
  kr_date from;
  label_check_date(body, "inForceFrom", false, errors, &from);
  const json_t *values = json_object_get(body, "coreValues");
  if (json_array_size(values) > CORE_VALUES_MAX) field_error(errors, "coreValues", "may hold at most 50 texts");
  body_check_string_items(values, "coreValues", 1, 500, "texts", errors);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *text = json_dumps(body, JSON_COMPACT), *created = NULL, *json = NULL, today[11];
    date_format(date_today(), today);
    kr_err e = text ? register_fetch(db, REG_CODE_INSERT, 1, (const char *[]){text}, &created) : KR_INTERNAL;
    if (e == KR_OK) e = register_fetch(db, REG_CODE_GET, 2, (const char *[]){version, today}, &json);
    free(text);
    free(created);
    if (e == KR_CONFLICT) http_reply_problem(ctx, KR_CONFLICT, "This version exists already.", NULL, NULL);
    else label_reply_created(ctx, e, json, "/v1/codes-of-conduct", version, code_missing);
  }
  json_decref(body);
}

/* ---- competences -------------------------------------------------------------------------- */
static const char competence_missing[] = "There is no such competence.";

void register_competence_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"kind", NULL})) return;
  const char *kind = http_query(ctx, "kind");
  if (kind && strcmp(kind, "generic") != 0 && strcmp(kind, "life_domain") != 0) {
    json_t *errors = field_errors_new();
    field_error(errors, "kind", "must be generic or life_domain");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  reply_fetch(ctx, REG_COMPETENCE_LIST, 1, (const char *[]){kind}, NULL);
}

void register_competence_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *code = code_param(ctx, "code", TEXT_CODE_UPPER, REGISTER_COMPETENCE_CODE_MAX);
  if (code) reply_fetch(ctx, REG_COMPETENCE_GET, 1, (const char *[]){code}, competence_missing);
}

static void write_competence(http_ctx *ctx, const char *code) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  body_field fields[] = {{"code", FIELD_STRING, code == NULL, false, code != NULL},
                         {"name", FIELD_STRING, true, false, false},
                         {"kind", FIELD_STRING, true, false, false},
                         {"lifeDomain", FIELD_STRING, false, true, false},
                         {"nameIsPlaceholder", FIELD_BOOLEAN, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 5, errors);
  const char *new_code = code ? code : body_string(body, "code");
  if (!code && new_code && !register_competence_code_valid(new_code)) field_error(errors, "code", "must be 1 to 16 capitals, digits or -");
  label_check_text(body, "name", 1, 300, errors);
  label_check_text(body, "lifeDomain", 1, 100, errors);
  const char *kind = body_string(body, "kind"), *domain = body_string(body, "lifeDomain");
  if (kind && strcmp(kind, "generic") != 0 && strcmp(kind, "life_domain") != 0)
    field_error(errors, "kind", "must be generic or life_domain");
  else if (kind && (strcmp(kind, "life_domain") == 0) != (domain != NULL))
    field_error(errors, "lifeDomain", "is required for a life_domain competence and absent otherwise");
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    const char *v[] = {new_code, body_string(body, "name"), kind, domain};
    char *done = NULL, *json = NULL;
    kr_err e = register_fetch(db, code ? REG_COMPETENCE_UPDATE : REG_COMPETENCE_INSERT, 4, v, &done);
    if (e == KR_OK) e = register_fetch(db, REG_COMPETENCE_GET, 1, (const char *[]){new_code}, &json);
    free(done);
    if (e == KR_CONFLICT) http_reply_problem(ctx, KR_CONFLICT, "This competence code exists already.", NULL, NULL);
    else if (code) label_reply_result(ctx, e, json, competence_missing);
    else label_reply_created(ctx, e, json, "/v1/competences", new_code, competence_missing);
  }
  json_decref(body);
}

void register_competence_create_handler(http_ctx *ctx) { write_competence(ctx, NULL); }

void register_competence_replace_handler(http_ctx *ctx) {
  const char *code = code_param(ctx, "code", TEXT_CODE_UPPER, REGISTER_COMPETENCE_CODE_MAX);
  if (code) write_competence(ctx, code);
}

void register_activity_types_handler(http_ctx *ctx) {
  if (http_query_only(ctx, (const char *const[]){NULL})) reply_fetch(ctx, REG_ACTIVITY_TYPES, 0, NULL, NULL);
}
