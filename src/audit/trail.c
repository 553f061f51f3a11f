#include "audit/trail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/log.h"
#include "core/text.h"
#include "http/pagination.h"
#include "http/routes.h"

static const db_statement append_row = {
    "audit_append",
    "SELECT kr_audit_append($1::uuid, $2, $3, $4, $5::text[], $6::smallint, $7)"};

/* Pages newest first. The time range and the cursor are written as ranges of the sort key, with
 * open ends filled in, so that each statement walks one index backwards; one statement a
 * filter, because a generic plan of "$1 IS NULL OR ..." cannot pick the index that fits. */
#define PAGE_SELECT "SELECT kr_audit_entry_json(t), kr_sort_key(t.at), t.id FROM audit_trail t WHERE "
#define PAGE_RANGE                                                                                 \
  " AND kr_sort_key(t.at) >= coalesce(kr_sort_key($2::timestamptz), -9223372036854775807)"       \
  " AND kr_sort_key(t.at) < coalesce(kr_sort_key($3::timestamptz), 9223372036854775807)"         \
  " AND (kr_sort_key(t.at), t.id) < (coalesce($4::bigint, 9223372036854775807),"                 \
  "      coalesce($5::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))"                              \
  " ORDER BY kr_sort_key(t.at) DESC, t.id DESC LIMIT $6"

/* $1 is always NULL here: it keeps the three statements' parameters the same, so one values
 * array serves them all. */
static const db_statement page_all = {"audit_page_all", PAGE_SELECT "$1::text IS NULL" PAGE_RANGE};
static const db_statement page_by_account = {
    "audit_page_account",
    PAGE_SELECT "t.account_id = $1::uuid AND ($7::text IS NULL OR t.object_ids @> ARRAY[$7::text])" PAGE_RANGE};
static const db_statement page_by_object = {
    "audit_page_object", PAGE_SELECT "t.object_ids @> ARRAY[$1::text]" PAGE_RANGE};

const db_statement *const audit_statements[] = {&append_row, &page_all, &page_by_account,
                                                &page_by_object, NULL};

bool audit_wanted(const char *method, unsigned route_flags, bool signed_in, int status) {
  bool read = strcmp(method, "GET") == 0;
  if (read ? !(route_flags & ROUTE_AUDIT_READ) : (route_flags & ROUTE_NOT_AUDITED) != 0) return false;
  /* A 5xx did nothing and read nothing; a 429 was refused before anything was looked at. */
  if (status >= 500 || status == 429) return false;
  return status < 400 || signed_in;
}

/* Appends value to a PostgreSQL array literal, quoted: {"a","b"}. */
static void array_add(text_buf *b, const char *value) {
  text_buf_puts(b, b->len > 1 ? ",\"" : "\"");
  for (const char *c = value; *c; c++) {
    if (*c == '"' || *c == '\\') text_buf_append(b, "\\", 1);
    text_buf_append(b, c, 1);
  }
  text_buf_puts(b, "\"");
}

/* The object a 201 created: the last segment of its Location. */
static void created_object(const http_ctx *ctx, char *out, size_t size) {
  out[0] = '\0';
  const char *location = ctx->status == 201 ? u_map_get(ctx->resp->map_header, "Location") : NULL;
  const char *last = location ? strrchr(location, '/') : NULL;
  if (!last || !last[1]) return;
  size_t n = strcspn(last + 1, "?#");
  if (n >= size) return;
  memcpy(out, last + 1, n);
  out[n] = '\0';
}

/* A read whose row could not be written gives nothing away. */
static void withdraw_answer(http_ctx *ctx) {
  static const char *const kept_back[] = {"ETag", "Last-Modified", "Content-Disposition", "Location"};
  for (size_t i = 0; i < sizeof kept_back / sizeof kept_back[0]; i++)
    u_map_remove_from_key(ctx->resp->map_header, kept_back[i]);
  http_reply_problem(ctx, KR_UNAVAILABLE, "The read could not be recorded in the audit trail; try again.",
                     NULL, NULL);
}

void audit_after_request(http_ctx *ctx, db_pool *pool) {
  const http_route *route = ctx->route;
  if (!route || !audit_wanted(route->entry.method, route->flags, ctx->signed_in, ctx->status)) return;
  text_buf objects = {0};
  text_buf_puts(&objects, "{");
  for (int i = 0; i < ctx->match.param_count; i++)
    if (strcmp(ctx->match.param_names[i], "token") != 0) array_add(&objects, ctx->match.params[i]);
  char created[ROUTER_PARAM_MAX];
  created_object(ctx, created, sizeof created);
  if (created[0]) array_add(&objects, created);
  bool built = text_buf_puts(&objects, "}");

  char status[8];
  snprintf(status, sizeof status, "%d", ctx->status);
  const char *values[] = {
      ctx->signed_in ? ctx->caller.account_id : NULL,
      ctx->signed_in ? role_name(ctx->caller.role) : NULL,
      route->entry.method,
      route->entry.path,
      objects.data,
      status,
      ctx->request_id,
  };
  if (!ctx->db) ctx->db = db_acquire(pool); /* released by the edge */
  kr_err e = KR_UNAVAILABLE;
  if (ctx->db && built) {
    db_rollback(ctx->db); /* a handler that answered from inside a failed transaction */
    /* a transaction of its own (sql/0028): the handler's has ended */
    e = db_run(ctx->db, &append_row, 7, values);
  }
  text_buf_free(&objects);
  if (e == KR_OK) return;
  log_msg(LOG_ERROR, "request %s: %s %s could not be written to the audit trail", ctx->request_id,
          route->entry.method, route->entry.path);
  if (strcmp(route->entry.method, "GET") == 0 && ctx->status < 400) withdraw_answer(ctx);
}

/* RFC 3339 date-time, e.g. 2026-11-30T12:00:00Z or 2026-11-30T13:00:00.5+01:00. Checked in full
 * here, so that PostgreSQL never sees a value it would refuse. */
static bool timestamp_valid(const char *s) {
  size_t n = strlen(s);
  kr_date day;
  char date[11];
  if (n < 20 || n > 35) return false;
  memcpy(date, s, 10);
  date[10] = '\0';
  if (!date_parse(date, &day) || s[10] != 'T') return false;
  const char *t = s + 11;
  for (int i = 0; i < 8; i++)
    if ((i == 2 || i == 5) ? t[i] != ':' : !isdigit((unsigned char)t[i])) return false;
  if (atoi(t) > 23 || atoi(t + 3) > 59 || atoi(t + 6) > 59) return false;
  const char *z = t + 8;
  if (*z == '.') {
    int digits = 0;
    while (isdigit((unsigned char)z[1 + digits])) digits++;
    if (digits < 1 || digits > 6) return false;
    z += 1 + digits;
  }
  if (strcmp(z, "Z") == 0) return true;
  if ((z[0] != '+' && z[0] != '-') || strlen(z) != 6 || z[3] != ':') return false;
  for (int i = 1; i < 6; i++)
    if (i != 3 && !isdigit((unsigned char)z[i])) return false;
  return atoi(z + 1) <= 23 && atoi(z + 4) <= 59;
}

void audit_trail_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "accountId", "objectId", "from",
                                                  "to", NULL}))
    return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *account = http_query(ctx, "accountId");
  const char *object = http_query(ctx, "objectId");
  const char *from = http_query(ctx, "from");
  const char *to = http_query(ctx, "to");
  if (account && !text_is_uuid(account)) field_error(errors, "accountId", "must be a UUID");
  if (object && (!*object || strlen(object) >= ROUTER_PARAM_MAX))
    field_error(errors, "objectId", "must be 1 to 255 bytes");
  if (from && !timestamp_valid(from))
    field_error(errors, "from", "must be an RFC 3339 date-time, e.g. 2026-11-30T12:00:00Z");
  if (to && !timestamp_valid(to))
    field_error(errors, "to", "must be an RFC 3339 date-time, e.g. 2026-11-30T12:00:00Z");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char rows[12];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const db_statement *stmt = account ? &page_by_account : object ? &page_by_object : &page_all;
  const char *values[] = {account ? account : object, from, to,
                          after.present ? after.key : NULL, after.present ? after.id : NULL,
                          rows, object};
  PGresult *page = NULL;
  kr_err e = db_fetch_result(db, stmt, stmt == &page_by_account ? 7 : 6, values, &page);
  if (e != KR_OK) {
    http_reply_problem(ctx, e, NULL, NULL, NULL);
    return;
  }
  page_reply(ctx, page, limit);
  PQclear(page);
}
