/* Norm frameworks: anyone reads them; the label office creates versions and loads texts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "label/handlers.h"
#include "label/store.h"
#include "label/view.h"

static const char not_found[] = "There is no such framework version.";

void label_fw_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  char *json = NULL;
  kr_err e = db ? label_framework_list(db, &json) : KR_OK;
  if (!db) return;
  label_reply_result(ctx, e, json, not_found);
}

/* The {version} path parameter: 400 when malformed, so that it never reaches SQL unchecked. */
static const char *version_param(http_ctx *ctx) {
  const char *v = http_path_param(ctx, "version");
  if (label_version_valid(v)) return v;
  json_t *errors = field_errors_new();
  field_error(errors, "version", "must be 1 to 32 letters, digits, . _ -");
  http_reply_if_invalid(ctx, errors);
  return NULL;
}

void label_fw_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *version = version_param(ctx);
  db_conn *db = version ? http_db(ctx) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = label_framework_get(db, version, &json);
  label_reply_result(ctx, e, json, not_found);
}

static const body_field framework_fields[] = {
    {"version", FIELD_STRING, true, false, false},
    {"title", FIELD_STRING, true, false, false},
    {"openFrom", FIELD_STRING, true, false, false},
    {"openUntil", FIELD_STRING, false, true, false},
    {"restrictedFrom", FIELD_STRING, false, true, false},
    {"mandatoryFrom", FIELD_STRING, false, true, false},
    {"maxPartiallyMet", FIELD_INTEGER, true, false, false},
    {"maxNotMet", FIELD_INTEGER, true, false, false},
    {"certificateTermMonths", FIELD_INTEGER, true, false, false},
    {"businessCriticalVolunteersInScope", FIELD_BOOLEAN, true, false, false},
    {"categories", FIELD_ARRAY, true, false, false},
    {"inUse", FIELD_BOOLEAN, false, false, true},
    {"normCount", FIELD_INTEGER, false, false, true},
};

#define CATEGORIES_MAX 10
#define NORMS_MAX 100     /* per category: a version has at most LABEL_SCORES_MAX norms */
#define NORM_TEXT_MAX 4000

static bool code_valid(const char *c, bool upper) {
  return upper ? text_chars_in(c, 1, 16, TEXT_CODE_UPPER) : text_chars_in(c, 1, 40, TEXT_CODE_LOWER);
}

static bool norm_text_valid(const char *text) {
  return text && *text && text_utf8_length(text) <= NORM_TEXT_MAX;
}

/* Categories and their norms: shapes, codes, and no code twice. */
static void check_categories(const json_t *categories, json_t *errors) {
  if (json_array_size(categories) == 0) field_error(errors, "categories", "must have at least one category");
  if (json_array_size(categories) > CATEGORIES_MAX) {
    field_error(errors, "categories", "may have at most 10 categories");
    return;
  }
  json_t *category_codes = json_object(), *norm_codes = json_object();
  char field[96];
  size_t i, j;
  const json_t *cat, *norm;
  json_array_foreach(categories, i, cat) {
    const char *code = json_string_value(json_object_get(cat, "code"));
    snprintf(field, sizeof field, "categories[%zu]", i);
    if (!json_is_object(cat) || json_object_size(cat) != 3 || !json_is_string(json_object_get(cat, "name")) ||
        !json_is_array(json_object_get(cat, "norms"))) {
      field_error(errors, field, "must be {code, name, norms}");
      continue;
    }
    snprintf(field, sizeof field, "categories[%zu].name", i);
    if (!*json_string_value(json_object_get(cat, "name")) ||
        text_utf8_length(json_string_value(json_object_get(cat, "name"))) > 200)
      field_error(errors, field, "must have 1 to 200 characters");
    snprintf(field, sizeof field, "categories[%zu].code", i);
    if (!code_valid(code, false)) field_error(errors, field, "must be 1 to 40 lower-case letters, digits or -");
    else if (json_object_get(category_codes, code)) field_error(errors, field, "is used twice");
    else json_object_set_new(category_codes, code, json_true());
    const json_t *norms = json_object_get(cat, "norms");
    snprintf(field, sizeof field, "categories[%zu].norms", i);
    if (json_array_size(norms) == 0) field_error(errors, field, "must have at least one norm");
    if (json_array_size(norms) > NORMS_MAX) {
      field_error(errors, field, "may have at most 100 norms");
      continue;
    }
    json_array_foreach(norms, j, norm) {
      const char *ncode = json_string_value(json_object_get(norm, "code"));
      const char *text = json_string_value(json_object_get(norm, "text"));
      snprintf(field, sizeof field, "categories[%zu].norms[%zu]", i, j);
      if (!json_is_object(norm) || json_object_size(norm) != 2 || !norm_text_valid(text)) {
        field_error(errors, field, "must be {code, text} with a text of 1 to 4000 characters");
        continue;
      }
      snprintf(field, sizeof field, "categories[%zu].norms[%zu].code", i, j);
      if (!code_valid(ncode, true)) field_error(errors, field, "must be 1 to 16 capitals, digits or -");
      else if (json_object_get(norm_codes, ncode)) field_error(errors, field, "is used twice");
      else json_object_set_new(norm_codes, ncode, json_true());
    }
  }
  json_decref(category_codes);
  json_decref(norm_codes);
}

void label_fw_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, framework_fields, sizeof framework_fields / sizeof framework_fields[0], errors);
  const char *version = json_string_value(json_object_get(body, "version"));
  if (version && !label_version_valid(version)) field_error(errors, "version", "must be 1 to 32 letters, digits, . _ -");
  label_check_text(body, "title", 1, 200, errors);
  kr_date from = 0, until = 0, ignored;
  bool has_from = label_check_date(body, "openFrom", true, errors, &from);
  bool has_until = label_check_date(body, "openUntil", false, errors, &until);
  label_check_date(body, "restrictedFrom", false, errors, &ignored);
  label_check_date(body, "mandatoryFrom", false, errors, &ignored);
  if (has_from && has_until && until < from) field_error(errors, "openUntil", "is before openFrom");
  if (json_integer_value(json_object_get(body, "maxPartiallyMet")) < 0)
    field_error(errors, "maxPartiallyMet", "must be 0 or more");
  if (json_integer_value(json_object_get(body, "maxNotMet")) < 0) field_error(errors, "maxNotMet", "must be 0 or more");
  json_int_t term = json_integer_value(json_object_get(body, "certificateTermMonths"));
  if (json_object_get(body, "certificateTermMonths") && (term < 1 || term > 120))
    field_error(errors, "certificateTermMonths", "must be 1 to 120");
  if (json_is_array(json_object_get(body, "categories"))) check_categories(json_object_get(body, "categories"), errors);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *text = json_dumps(body, JSON_COMPACT), *json = NULL;
    kr_err e = text ? label_framework_create(db, text, &json) : KR_INTERNAL;
    free(text);
    if (e == KR_CONFLICT) http_reply_problem(ctx, KR_CONFLICT, "This framework version exists already.", NULL, NULL);
    else label_reply_created(ctx, e, json, "/v1/norm-frameworks", version, not_found);
  }
  json_decref(body);
}

void label_fw_texts_handler(http_ctx *ctx) {
  const char *version = version_param(ctx);
  if (!version) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"texts", FIELD_ARRAY, true, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 1, errors);
  const json_t *texts = json_object_get(body, "texts");
  if (json_array_size(texts) > LABEL_SCORES_MAX) {
    field_error(errors, "texts", "may hold at most 1000 texts");
    texts = NULL; /* not looked at one by one */
  }
  db_conn *db = http_db(ctx);
  PGresult *codes = NULL;
  kr_err e = db ? label_framework_codes(db, version, &codes) : KR_UNAVAILABLE;
  if (db && e != KR_OK) {
    json_decref(errors);
    label_reply_error(ctx, e, not_found);
  } else if (db) {
    size_t i;
    const json_t *t;
    char field[64];
    json_array_foreach(texts, i, t) {
      const char *code = json_string_value(json_object_get(t, "code"));
      const char *text = json_string_value(json_object_get(t, "text"));
      snprintf(field, sizeof field, "texts[%zu]", i);
      if (!json_is_object(t)) {
        field_error(errors, field, "must be {code, text}");
        continue;
      }
      static const body_field item[] = {{"code", FIELD_STRING, true, false, false},
                                        {"text", FIELD_STRING, true, false, false}};
      json_t *inner = field_errors_new();
      body_check(t, item, 2, inner);
      if (text && !norm_text_valid(text)) field_error(inner, "text", "must have 1 to 4000 characters");
      size_t k;
      const json_t *err;
      json_array_foreach(inner, k, err) {
        snprintf(field, sizeof field, "texts[%zu].%.24s", i, json_string_value(json_object_get(err, "field")));
        field_error(errors, field, json_string_value(json_object_get(err, "message")));
      }
      bool bad = json_array_size(inner) > 0;
      json_decref(inner);
      if (bad || !code) continue;
      bool known = false;
      for (int r = 0; r < PQntuples(codes) && !known; r++) known = strcmp(PQgetvalue(codes, r, 0), code) == 0;
      snprintf(field, sizeof field, "texts[%zu].code", i);
      if (!known) field_error(errors, field, "is not a norm of this framework version");
    }
    if (!http_reply_if_invalid(ctx, errors)) {
      char *texts_json = json_dumps(texts, JSON_COMPACT), *json = NULL;
      e = texts_json ? db_begin(db) : KR_INTERNAL;
      if (e == KR_OK) e = label_framework_set_texts(db, version, texts_json, ctx->caller.account_id);
      if (e == KR_OK) e = label_framework_get(db, version, &json);
      if (e == KR_OK) e = db_commit(db);
      db_rollback(db);
      free(texts_json);
      if (e == KR_OK) label_reply_json_text(ctx, 200, json);
      else {
        free(json);
        label_reply_error(ctx, e, not_found);
      }
    }
  }
  PQclear(codes);
  json_decref(body);
}

void label_fw_history_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *version = version_param(ctx);
  db_conn *db = version ? http_db(ctx) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = label_framework_text_history(db, version, &json);
  label_reply_result(ctx, e, json, not_found);
}
