#include "http/body.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

json_t *form_parse(const char *data, size_t len) {
  json_t *obj = json_object();
  size_t i = 0;
  while (obj && i < len) {
    size_t end = i;
    while (end < len && data[end] != '&') end++;
    if (end > i) {
      const char *eq = memchr(data + i, '=', end - i);
      size_t name_len = eq ? (size_t)(eq - (data + i)) : end - i;
      size_t value_len = eq ? end - i - name_len - 1 : 0;
      char *name = malloc(name_len + 1), *value = malloc(value_len + 1);
      bool ok = name && value && name_len > 0 &&
                text_percent_decode(data + i, name_len, name, true) &&
                text_percent_decode(eq ? eq + 1 : "", value_len, value, true) &&
                !json_object_get(obj, name);
      json_t *str = ok ? json_string(value) : NULL; /* NULL as well for invalid UTF-8 */
      if (str) json_object_set_new(obj, name, str);
      free(name);
      free(value);
      if (!str) {
        json_decref(obj);
        return NULL;
      }
    }
    i = end + 1;
  }
  return obj;
}

static void malformed(http_ctx *ctx, const char *detail, const char *oauth_error) {
  json_t *extra = oauth_error ? json_pack("{s:s, s:s}", "error", oauth_error,
                                          "error_description", detail)
                              : NULL;
  http_reply_problem(ctx, KR_MALFORMED_JSON, detail, NULL, extra);
}

json_t *http_body_object(http_ctx *ctx) { return http_body_object_oauth(ctx, NULL); }

char *http_body_text(const http_ctx *ctx) {
  size_t len = ctx->req->binary_body_length;
  char *text = malloc(len + 1);
  if (!text) return NULL;
  if (len) memcpy(text, ctx->req->binary_body, len);
  text[len] = '\0';
  return text;
}

json_t *http_body_object_oauth(http_ctx *ctx, const char *oauth_error) {
  const char *data = ctx->req->binary_body ? ctx->req->binary_body : "";
  size_t len = ctx->req->binary_body_length;
  if (text_media_type_is(http_header(ctx, "Content-Type"), "application/x-www-form-urlencoded")) {
    json_t *form = form_parse(data, len);
    if (!form)
      malformed(ctx, "The form body is malformed or repeats a parameter.", oauth_error);
    return form;
  }
  json_error_t error;
  json_t *obj = json_loadb(data, len, JSON_REJECT_DUPLICATES, &error);
  if (!obj || !json_is_object(obj)) {
    char detail[256];
    if (obj) snprintf(detail, sizeof detail, "The body must be a JSON object.");
    else snprintf(detail, sizeof detail, "The body is not valid JSON: %s (line %d, column %d).",
                  error.text, error.line, error.column);
    json_decref(obj);
    malformed(ctx, detail, oauth_error);
    return NULL;
  }
  return obj;
}

static bool type_ok(const json_t *v, field_type t) {
  switch (t) {
    case FIELD_STRING: return json_is_string(v);
    case FIELD_INTEGER: return json_is_integer(v);
    case FIELD_NUMBER: return json_is_number(v);
    case FIELD_BOOLEAN: return json_is_boolean(v);
    case FIELD_OBJECT: return json_is_object(v);
    case FIELD_ARRAY: return json_is_array(v);
  }
  return false;
}

static const char *type_message(field_type t) {
  static const char *const messages[] = {"must be a string", "must be an integer",
                                         "must be a number", "must be true or false",
                                         "must be an object", "must be an array"};
  return messages[t];
}

void body_check(const json_t *obj, const body_field *fields, size_t n, json_t *errors) {
  for (size_t i = 0; i < n; i++) {
    const json_t *v = json_object_get(obj, fields[i].name);
    if (fields[i].read_only) {
      if (v) field_error(errors, fields[i].name, "is read-only");
    } else if (!v) {
      if (fields[i].required) field_error(errors, fields[i].name, "is required");
    } else if (json_is_null(v)) {
      if (!fields[i].nullable) field_error(errors, fields[i].name, "may not be null");
    } else if (!type_ok(v, fields[i].type)) {
      field_error(errors, fields[i].name, type_message(fields[i].type));
    } else if (fields[i].type == FIELD_STRING) {
      body_check_length(obj, fields[i].name, BODY_MAX_STRING, errors);
    } else if (fields[i].type == FIELD_INTEGER) {
      json_int_t number = json_integer_value(v);
      if (number < INT32_MIN || number > INT32_MAX)
        field_error(errors, fields[i].name, "is out of range (at most 2147483647)");
    }
  }
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)obj, key, value) {
    bool known = false;
    for (size_t i = 0; i < n && !known; i++) known = strcmp(fields[i].name, key) == 0;
    if (!known) field_error(errors, key, "is not a known field");
  }
}

void body_check_length(const json_t *obj, const char *name, size_t max, json_t *errors) {
  const char *s = json_string_value(json_object_get(obj, name));
  if (!s || text_utf8_length(s) <= max) return;
  char message[64];
  snprintf(message, sizeof message, "must be at most %zu characters", max);
  field_error(errors, name, message);
}

void body_check_string_items(const json_t *array, const char *name, size_t min, size_t max,
                             const char *what, json_t *errors) {
  size_t i;
  const json_t *item;
  json_array_foreach(array, i, item) {
    size_t n = text_utf8_length(json_string_value(item));
    if (!json_is_string(item) || n < min || n > max) {
      char message[96];
      snprintf(message, sizeof message, "must hold %s of %zu to %zu characters", what, min, max);
      field_error(errors, name, message);
      return;
    }
  }
}

const char *body_string(const json_t *obj, const char *name) {
  return json_string_value(json_object_get(obj, name));
}
