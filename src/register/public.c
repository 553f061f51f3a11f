/* The public register: anyone may check that a social worker is registered. Public fields only;
 * never contact data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/pagination.h"
#include "http/ratelimit.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/view.h"

/* Lookups and searches share one count per client address (REGISTER_RATE_LIMIT requests per
 * REGISTER_RATE_WINDOW_SECONDS). */
static bool public_rate_limit(http_ctx *ctx) {
  const config *cfg = ctx->services->cfg;
  return http_rate_limit(ctx, "register", cfg->register_rate_limit, cfg->register_rate_window);
}

void register_public_search_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"q", "limit", "cursor", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *q = http_query(ctx, "q");
  size_t chars = text_utf8_length(q);
  if (!q) field_error(errors, "q", "is required");
  else if (chars < 3 || chars > 100) field_error(errors, "q", "must have 3 to 100 characters");
  if (http_reply_if_invalid(ctx, errors) || !public_rate_limit(ctx)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char rows[16], today[11];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  date_format(date_today(), today);
  const char *v[] = {q, after.present ? after.key : NULL, after.present ? after.id : NULL, rows, today};
  PGresult *page = NULL;
  /* Only those the register lists today, chosen in SQL: every page but the last is full. */
  kr_err e = db_fetch_result(db, register_statement(REG_PUBLIC_SEARCH), 5, v, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
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
  if (!register_on_param(ctx, &on) || !public_rate_limit(ctx)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char day[11], *json = NULL;
  date_format(on, day);
  /* Not listed on that day (applied, rejected, deregistered): no row, so a 404. */
  kr_err e = register_fetch(db, REG_PUBLIC_GET, 2, (const char *[]){number, day}, &json);
  label_reply_result(ctx, e, json, "There is no such registration.");
}
