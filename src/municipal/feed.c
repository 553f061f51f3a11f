/* The certificate event feed, and the background work that writes `expired` events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "http/pagination.h"
#include "label/view.h"
#include "municipal/handlers.h"
#include "municipal/store.h"

void municipal_feed_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"after", "limit", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor ignored;
  page_params(ctx, &limit, &ignored, errors);
  const char *after = http_query(ctx, "after");
  if (after && (!*after || strlen(after) > 18 || strspn(after, "0123456789") != strlen(after)))
    field_error(errors, "after", "must be an event id (a whole number from 0)");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *page = NULL;
  kr_err e = municipal_feed(db, after ? after : "0", limit, &page);
  if (e != KR_OK) {
    label_reply_error(ctx, e, NULL);
    return;
  }
  /* Event ids become visible in id order (see sql/0003): a client asking after the last id it
   * saw never misses one. nextCursor says that more are there right now. */
  int rows = PQntuples(page), shown = rows > limit ? limit : rows;
  page_builder b;
  page_begin(&b);
  for (int i = 0; i < shown; i++) page_add(&b, PQgetvalue(page, i, 0), (size_t)PQgetlength(page, i, 0));
  page_finish(ctx, &b, rows > limit ? PQgetvalue(page, shown - 1, 1) : NULL);
  PQclear(page);
}

bool municipal_expiry_task(void *arg) {
  const http_services *services = arg;
  db_conn *db = db_acquire(services->pool);
  if (!db) return false; /* the database is away: try at the next interval */
  char today[11];
  date_format(date_today(), today);
  int written = 0;
  kr_err e = municipal_expire(db, today, &written);
  db_release(services->pool, db);
  if (e != KR_OK) log_msg(LOG_WARNING, "the expiry scan failed: %s", kr_err_title(e));
  else if (written > 0) log_event(LOG_INFO, "certificates expired", json_pack("{s:i}", "count", written));
  return e == KR_OK && written > 0; /* a full batch may have left more */
}
