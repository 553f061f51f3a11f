#include "label/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

bool label_checks_passed(http_ctx *ctx, db_conn *db, kr_err e, json_t *errors) {
  if (!db || e != KR_OK) {
    json_decref(errors);
    if (db) label_reply_error(ctx, e, NULL);
    return false;
  }
  return !http_reply_if_invalid(ctx, errors);
}

void label_reply_error(http_ctx *ctx, kr_err e, const char *not_found) {
  http_reply_problem(ctx, e, e == KR_NOT_FOUND ? not_found : NULL, NULL, NULL);
}

void label_reply_result(http_ctx *ctx, kr_err e, char *json, const char *not_found) {
  if (e == KR_OK) {
    label_reply_json_text(ctx, 200, json);
  } else {
    free(json);
    label_reply_error(ctx, e, not_found);
  }
}

void label_reply_created(http_ctx *ctx, kr_err e, char *json, const char *collection, const char *id,
                         const char *not_found) {
  if (e != KR_OK) {
    label_reply_result(ctx, e, json, not_found);
    return;
  }
  char location[256];
  snprintf(location, sizeof location, "%s/%s", collection, id);
  http_set_header(ctx, "Location", location);
  label_reply_json_text(ctx, 201, json);
}

void label_reply_json_text(http_ctx *ctx, int status, char *json) {
  http_reply_raw(ctx, status, "application/json", json, strlen(json));
  free(json);
}

void label_check_text(const json_t *obj, const char *name, size_t min, size_t max, json_t *errors) {
  const char *v = json_string_value(json_object_get(obj, name));
  if (!v) return;
  size_t n = text_utf8_length(v);
  char message[96];
  if (n < min || n > max) {
    snprintf(message, sizeof message, "must have %zu to %zu characters", min, max);
    field_error(errors, name, message);
  }
}

bool label_check_date(const json_t *obj, const char *name, bool required, json_t *errors, kr_date *out) {
  const json_t *v = json_object_get(obj, name);
  if (!v || json_is_null(v)) {
    if (required && !v) field_error(errors, name, "is required");
    return false;
  }
  if (!json_is_string(v) || !date_parse(json_string_value(v), out)) {
    field_error(errors, name, "must be a date (YYYY-MM-DD)");
    return false;
  }
  return true;
}
