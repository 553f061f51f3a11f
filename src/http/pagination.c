#include "http/pagination.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"

void page_cursor_encode(const char *key, const char *id, char *out, size_t out_size) {
  char raw[80];
  int n = snprintf(raw, sizeof raw, "%s.%s", key, id);
  if (n < 0 || (size_t)n >= sizeof raw || !b64url_encode(raw, (size_t)n, out, out_size))
    out[0] = '\0';
}

bool page_cursor_decode(const char *text, page_cursor *out) {
  memset(out, 0, sizeof *out);
  unsigned char raw[81];
  size_t len = strlen(text);
  if (len == 0 || len > 108) return false;
  long n = b64url_decode(text, len, raw, sizeof raw - 1);
  if (n <= 0) return false;
  raw[n] = '\0';
  char *dot = strchr((char *)raw, '.');
  if (!dot || (size_t)(dot - (char *)raw) >= sizeof out->key || dot == (char *)raw) return false;
  *dot = '\0';
  const char *key = (const char *)raw;
  for (const char *p = key + (key[0] == '-'); *p; p++)
    if (*p < '0' || *p > '9') return false;
  if (!text_is_uuid(dot + 1)) return false;
  strcpy(out->key, key);
  strcpy(out->id, dot + 1);
  out->present = true;
  return true;
}

void page_params(const http_ctx *ctx, int *limit, page_cursor *cursor, json_t *errors) {
  *limit = PAGE_DEFAULT_LIMIT;
  memset(cursor, 0, sizeof *cursor);
  const char *l = http_query(ctx, "limit");
  if (l) {
    char *end;
    long v = strtol(l, &end, 10);
    if (!*l || *end || v < 1 || v > PAGE_MAX_LIMIT)
      field_error(errors, "limit", "must be a whole number from 1 to 100");
    else *limit = (int)v;
  }
  const char *c = http_query(ctx, "cursor");
  if (c && !page_cursor_decode(c, cursor))
    field_error(errors, "cursor", "is not a cursor this list gave out");
}

bool page_query_only(http_ctx *ctx, int *limit, page_cursor *cursor) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", NULL})) return false;
  json_t *errors = field_errors_new();
  page_params(ctx, limit, cursor, errors);
  return !http_reply_if_invalid(ctx, errors);
}

void page_begin(page_builder *b) {
  memset(b, 0, sizeof *b);
  b->ok = text_buf_puts(&b->out, "{\"items\":[");
}

void page_add(page_builder *b, const char *item_json, size_t len) {
  b->ok = b->ok && (b->count == 0 || text_buf_puts(&b->out, ",")) &&
          text_buf_append(&b->out, item_json, len);
  b->count++;
}

void page_finish(http_ctx *ctx, page_builder *b, const char *next_cursor) {
  bool ok = b->ok && text_buf_puts(&b->out, "],\"nextCursor\":");
  if (next_cursor)
    ok = ok && text_buf_puts(&b->out, "\"") && text_buf_puts(&b->out, next_cursor) &&
         text_buf_puts(&b->out, "\"}");
  else
    ok = ok && text_buf_puts(&b->out, "null}");
  if (ok) http_reply_raw(ctx, 200, "application/json", b->out.data, b->out.len);
  else http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
  text_buf_free(&b->out);
}

void page_reply(http_ctx *ctx, const PGresult *r, int limit) {
  int rows = PQntuples(r);
  int shown = rows > limit ? limit : rows;
  page_builder b;
  page_begin(&b);
  for (int i = 0; i < shown; i++) page_add(&b, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
  char cursor[128];
  if (rows > limit && shown > 0)
    page_cursor_encode(PQgetvalue(r, shown - 1, 1), PQgetvalue(r, shown - 1, 2), cursor, sizeof cursor);
  page_finish(ctx, &b, rows > limit && shown > 0 ? cursor : NULL);
}
