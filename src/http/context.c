#include "http/context.h"

#include <string.h>

#include "core/text.h"
#include "http/routes.h"

const char *http_header(const http_ctx *ctx, const char *name) {
  return u_map_get_case(ctx->req->map_header, name);
}

const char *http_query(const http_ctx *ctx, const char *name) {
  return u_map_get(ctx->req->map_url, name);
}

const char *http_path_param(const http_ctx *ctx, const char *name) {
  for (int i = 0; i < ctx->match.param_count; i++)
    if (strcmp(ctx->match.param_names[i], name) == 0) return ctx->match.params[i];
  return NULL;
}

const char *http_uuid_param(http_ctx *ctx, const char *name) {
  const char *v = http_path_param(ctx, name);
  if (text_is_uuid(v)) return v;
  json_t *errors = field_errors_new();
  field_error(errors, name, "must be a UUID");
  http_reply_if_invalid(ctx, errors);
  return NULL;
}

db_conn *http_db(http_ctx *ctx) {
  if (!ctx->db) ctx->db = db_acquire(ctx->services->pool);
  if (!ctx->db)
    http_reply_problem(ctx, KR_UNAVAILABLE, "The database is unavailable; try again shortly.",
                       NULL, NULL);
  return ctx->db;
}

bool http_query_only(http_ctx *ctx, const char *const *allowed) {
  json_t *errors = field_errors_new();
  const char **keys = u_map_enum_keys(ctx->req->map_url);
  for (int i = 0; keys && keys[i]; i++) {
    bool known = false;
    for (const char *const *a = allowed; *a && !known; a++) known = strcmp(*a, keys[i]) == 0;
    if (!known) field_error(errors, keys[i], "is not a known query parameter");
  }
  return !http_reply_if_invalid(ctx, errors);
}

bool http_if_match(http_ctx *ctx, const char *etag) {
  const char *wanted = http_header(ctx, "If-Match");
  if (!wanted) return true;
  if (!*wanted || text_utf8_length(wanted) > HTTP_IF_MATCH_MAX) {
    json_t *errors = field_errors_new();
    field_error(errors, "If-Match", "must have 1 to 256 characters");
    http_reply_if_invalid(ctx, errors);
    return false;
  }
  /* A comma-separated list of entity tags; weak ones never match (RFC 9110 13.1.1). */
  size_t n = strlen(etag);
  for (const char *p = wanted; *p;) {
    while (*p == ' ' || *p == ',') p++;
    if (*p == '*') return true;
    if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' ')) return true;
    while (*p && *p != ',') p++;
  }
  http_reply_problem(ctx, KR_PRECONDITION_FAILED,
                     "The resource has changed since you read it: read it again (If-Match).",
                     NULL, NULL);
  return false;
}

void http_set_header(http_ctx *ctx, const char *name, const char *value) {
  u_map_put(ctx->resp->map_header, name, value);
}

void http_reply_raw(http_ctx *ctx, int status, const char *content_type, const char *data,
                    size_t len) {
  ctx->status = status;
  if (content_type) http_set_header(ctx, "Content-Type", content_type);
  if (len == 0) {
    ulfius_set_empty_body_response(ctx->resp, (unsigned int)status);
  } else if (ulfius_set_binary_body_response(ctx->resp, (unsigned int)status, data, len) != U_OK) {
    ctx->status = 500; /* out of memory for the copy: an empty 500 is all that is left */
    ulfius_set_empty_body_response(ctx->resp, 500);
  }
}

void http_reply_json(http_ctx *ctx, int status, json_t *body) {
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (!text) {
    http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
    return;
  }
  http_reply_raw(ctx, status, "application/json", text, strlen(text));
  free(text);
}

void http_reply_empty(http_ctx *ctx, int status) {
  ctx->status = status;
  ulfius_set_empty_body_response(ctx->resp, (unsigned int)status);
}

void http_reply_problem(http_ctx *ctx, kr_err err, const char *detail, json_t *errors,
                        json_t *extra) {
  char type[96];
  snprintf(type, sizeof type, "urn:kwaliteitsregister:problem:%s", kr_err_slug(err));
  json_t *body = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", kr_err_title(err),
                           "status", kr_err_status(err), "detail",
                           detail ? detail : kr_err_title(err));
  if (body && ctx->req->url_path) json_object_set_new(body, "instance", json_string(ctx->req->url_path));
  if (body && errors && json_array_size(errors) > 0) json_object_set(body, "errors", errors);
  if (body && extra) json_object_update(body, extra);
  json_decref(errors);
  json_decref(extra);
  /* The pool reconnects in the background within about a second (a handler that knows better
   * sets its own Retry-After first). */
  if (err == KR_UNAVAILABLE && !u_map_has_key_case(ctx->resp->map_header, "Retry-After"))
    http_set_header(ctx, "Retry-After", "1");
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  static const char fallback[] =
      "{\"type\":\"urn:kwaliteitsregister:problem:internal-error\",\"title\":\"Internal server "
      "error\",\"status\":500,\"detail\":\"Internal server error\"}";
  int status = text ? kr_err_status(err) : 500;
  http_reply_raw(ctx, status, "application/problem+json", text ? text : fallback,
                 text ? strlen(text) : sizeof fallback - 1);
  free(text);
}

json_t *field_errors_new(void) { return json_array(); }

void field_error(json_t *errors, const char *field, const char *message) {
  json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

bool http_reply_if_invalid(http_ctx *ctx, json_t *errors) {
  if (json_array_size(errors) == 0) {
    json_decref(errors);
    return false;
  }
  const char *detail = json_array_size(errors) == 1
                           ? "One field is invalid; see errors."
                           : "Several fields are invalid; see errors.";
  http_reply_problem(ctx, KR_VALIDATION, detail, errors, NULL);
  return true;
}
