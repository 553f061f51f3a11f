/* The public register: anyone may check that a social worker is registered. Public fields only;
 * never contact data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/pagination.h"
#include "http/ratelimit.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/view.h"

#define PUBLIC_LIMIT 120 /* requests per client address per minute */

static bool listed(reg_status s) { return s != REG_APPLIED && s != REG_REJECTED && s != REG_DEREGISTERED; }

/* A public search item: the public view today, for those the public register lists. */
static char *public_view(const char *row, void *unused) {
  (void)unused;
  reg_status s;
  char *view = register_professional_view(row, date_today(), true, &s);
  if (view && !listed(s)) {
    free(view);
    view = NULL;
  }
  return view;
}

void register_public_search_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"q", "limit", "cursor", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *q = http_query(ctx, "q");
  size_t chars = 0;
  for (const char *c = q; c && *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
  if (!q) field_error(errors, "q", "is required");
  else if (chars < 3 || chars > 100) field_error(errors, "q", "must have 3 to 100 characters");
  if (http_reply_if_invalid(ctx, errors) || !http_rate_limit(ctx, "register", PUBLIC_LIMIT, 60)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *v[] = {q, after.present ? after.key : NULL, after.present ? after.id : NULL, rows};
  PGresult *page = NULL;
  kr_err e = db_fetch_result(db, register_statement(REG_PUBLIC_SEARCH), 4, v, &page);
  if (e != KR_OK) {
    label_reply_error(ctx, e, NULL);
    return;
  }
  page_reply_mapped(ctx, page, limit, public_view, NULL);
  PQclear(page);
}

void register_public_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"on", NULL})) return;
  const char *number = http_path_param(ctx, "registrationNumber");
  if (!number || strlen(number) != 10 || strncmp(number, "RSW", 3) != 0 || strspn(number + 3, "0123456789") != 7) {
    json_t *errors = field_errors_new();
    field_error(errors, "registrationNumber", "must look like RSW0000123");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  kr_date on;
  if (!register_on_param(ctx, &on) || !http_rate_limit(ctx, "register", PUBLIC_LIMIT, 60)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *json = NULL;
  kr_err e = register_fetch(db, REG_PUBLIC_GET, 1, (const char *[]){number}, &json);
  reg_status s = REG_APPLIED;
  char *view = e == KR_OK ? register_professional_view(json, on, true, &s) : NULL;
  free(json);
  if (e == KR_OK && !view) e = KR_INTERNAL;
  if (e == KR_OK && !listed(s)) e = KR_NOT_FOUND;
  if (e == KR_OK) label_reply_json_text(ctx, 200, view);
  else {
    free(view);
    label_reply_error(ctx, e, "There is no such registration.");
  }
}
