#include "http/ratelimit.h"

#include <stdio.h>
#include <stdlib.h>

static const db_statement hit = {
    "ratelimit_hit",
    "INSERT INTO rate_limits AS r (bucket, client, window_start, hits) VALUES ($1, $2, now(), 1)"
    " ON CONFLICT (bucket, client) DO UPDATE SET"
    "  hits = CASE WHEN r.window_start + make_interval(secs => $3) <= now() THEN 1 ELSE r.hits + 1 END,"
    "  window_start = CASE WHEN r.window_start + make_interval(secs => $3) <= now() THEN now()"
    "                 ELSE r.window_start END"
    " RETURNING hits,"
    "  greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now())))::int"};

const db_statement *const ratelimit_statements[] = {&hit, NULL};

bool http_rate_limit(http_ctx *ctx, const char *bucket, int limit, int window_seconds) {
  db_conn *db = http_db(ctx);
  if (!db) return false;
  char window[16];
  snprintf(window, sizeof window, "%d", window_seconds);
  PGresult *r = db_exec(db, &hit, 3, (const char *[]){bucket, ctx->client_ip, window});
  kr_err e = db_result_error(db, r);
  int hits = e == KR_OK ? atoi(PQgetvalue(r, 0, 0)) : 0;
  int retry = e == KR_OK ? atoi(PQgetvalue(r, 0, 1)) : 0;
  PQclear(r);
  if (e != KR_OK) {
    http_reply_problem(ctx, e, NULL, NULL, NULL);
    return false;
  }
  if (hits <= limit) return true;
  char seconds[16];
  snprintf(seconds, sizeof seconds, "%d", retry);
  http_set_header(ctx, "Retry-After", seconds);
  http_reply_problem(ctx, KR_TOO_MANY_REQUESTS, "Too many requests from this address; wait before trying again.",
                     NULL, NULL);
  return false;
}
