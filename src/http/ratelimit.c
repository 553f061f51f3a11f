#include "http/ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/rate_table.h"
#include "core/worker.h"

/* This process's new hits added to the count of all replicas, and what they add up to. Rows are
 * taken in key order so that two replicas syncing the same addresses lock them in the same
 * order. A window that has ended in the table is replaced by the sender's. Times are Unix
 * milliseconds from the replicas' clocks ($5 is the sender's now). */
static const db_statement sync_counts = {
    "ratelimit_sync",
    "INSERT INTO rate_limit_windows AS w (bucket, client, window_end, hits)"
    " SELECT u.bucket, u.client, to_timestamp(u.window_end_ms / 1000.0), u.hits"
    "  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[]) AS u(bucket, client, window_end_ms, hits)"
    "  ORDER BY u.bucket, u.client"
    " ON CONFLICT (bucket, client) DO UPDATE SET"
    "  hits = CASE WHEN w.window_end > to_timestamp($5::bigint / 1000.0) THEN w.hits + excluded.hits"
    "         ELSE excluded.hits END,"
    "  window_end = CASE WHEN w.window_end > to_timestamp($5::bigint / 1000.0) THEN w.window_end"
    "               ELSE excluded.window_end END"
    " RETURNING bucket, client, round(extract(epoch FROM window_end) * 1000)::bigint, hits"};

/* Rows of windows that ended before $1 (a minute ago, so that no replica still counts in them),
 * at most CLEANUP_ROWS a run; rows a sync has locked are left for the next run. */
#define CLEANUP_ROWS 50000
#define TEXT_OF(x) #x
#define NUMBER_TEXT(x) TEXT_OF(x)
static const db_statement cleanup = {
    "ratelimit_cleanup",
    "DELETE FROM rate_limit_windows w USING ("
    "  SELECT bucket, client FROM rate_limit_windows WHERE window_end < to_timestamp($1::bigint / 1000.0)"
    "  LIMIT " NUMBER_TEXT(CLEANUP_ROWS) " FOR UPDATE SKIP LOCKED) old"
    " WHERE w.bucket = old.bucket AND w.client = old.client"};

static const db_statement *const ratelimit_statements[] = {&sync_counts, &cleanup, NULL};
/* The pool keeps this (it prepares the statements again on every reconnect). */
static const db_statement *const *const statement_lists[] = {ratelimit_statements, NULL};

#define SYNC_BATCH 8192          /* entries per sync statement at most */
#define CLEANUP_EVERY_MS 60000

static struct {
  rate_table *table;
  db_pool *pool;
  worker *sync;
  rate_count *batch;
  int batch_max;
  char *buckets, *clients, *ends, *hits; /* array literals for the statement */
  int64_t next_cleanup_ms;
  long evicted_reported;
} limiter;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A text element of an array literal, double-quoted with " and \ escaped. */
static char *put_text(char *p, const char *s) {
  *p++ = '"';
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') *p++ = '\\';
    *p++ = *s;
  }
  *p++ = '"';
  return p;
}

static void build_arrays(int n) {
  char *b = limiter.buckets, *c = limiter.clients, *e = limiter.ends, *h = limiter.hits;
  *b++ = *c++ = *e++ = *h++ = '{';
  for (int i = 0; i < n; i++) {
    if (i) *b++ = *c++ = *e++ = *h++ = ',';
    b = put_text(b, limiter.batch[i].bucket);
    c = put_text(c, limiter.batch[i].client);
    e += sprintf(e, "%lld", (long long)limiter.batch[i].window_end_ms);
    h += sprintf(h, "%d", limiter.batch[i].hits);
  }
  strcpy(b, "}");
  strcpy(c, "}");
  strcpy(e, "}");
  strcpy(h, "}");
}

/* Sends what was taken; on success settles the answered counts. On failure the hits stay
 * "sending" in the table (still counted) and the next take counts them as pending again. */
static void send_counts(db_conn *db, int n, int64_t now) {
  build_arrays(n);
  char at[24];
  snprintf(at, sizeof at, "%lld", (long long)now);
  PGresult *r = db_exec(db, &sync_counts, 5,
                        (const char *[]){limiter.buckets, limiter.clients, limiter.ends, limiter.hits, at});
  if (db_result_error(db, r) == KR_OK) {
    int rows = PQntuples(r) < limiter.batch_max ? PQntuples(r) : limiter.batch_max;
    for (int i = 0; i < rows; i++) {
      rate_count *row = &limiter.batch[i];
      snprintf(row->bucket, sizeof row->bucket, "%s", PQgetvalue(r, i, 0));
      snprintf(row->client, sizeof row->client, "%s", PQgetvalue(r, i, 1));
      row->window_end_ms = strtoll(PQgetvalue(r, i, 2), NULL, 10);
      row->hits = atoi(PQgetvalue(r, i, 3));
    }
    rate_table_settle(limiter.table, limiter.batch, rows, now_ms());
  }
  PQclear(r);
}

static void clean_up(db_conn *db, int64_t now) {
  char before[24];
  snprintf(before, sizeof before, "%lld", (long long)(now - 60000));
  PGresult *r = db_exec(db, &cleanup, 1, (const char *[]){before});
  bool ok = db_result_error(db, r) == KR_OK;
  /* A full run leaves more behind: go on at the next sync rather than in a minute. */
  limiter.next_cleanup_ms = ok && atoi(PQcmdTuples(r)) >= CLEANUP_ROWS ? now : now + CLEANUP_EVERY_MS;
  PQclear(r);
  int used;
  long evicted;
  rate_table_stats(limiter.table, &used, &evicted);
  if (evicted > limiter.evicted_reported)
    log_event(LOG_WARNING, "rate-limit table full: entries of running windows evicted",
              json_pack("{s:i, s:I}", "entries", used, "evicted", (json_int_t)(evicted - limiter.evicted_reported)));
  limiter.evicted_reported = evicted;
}

/* The sync thread's task: one statement with every address that has new hits (at most
 * SYNC_BATCH), and about once a minute the deletion of ended windows. */
static bool sync_task(void *arg) {
  (void)arg;
  int64_t now = now_ms();
  int n = rate_table_take(limiter.table, limiter.batch, limiter.batch_max, now);
  bool clean = now >= limiter.next_cleanup_ms;
  if (n == 0 && !clean) return false;
  db_conn *db = db_acquire(limiter.pool); /* NULL at once while the database is away */
  if (!db) return false;
  if (n > 0) send_counts(db, n, now);
  if (clean) clean_up(db, now);
  db_release(limiter.pool, db);
  return false;
}

void http_rate_limit_stop(void) {
  worker_stop(limiter.sync);
  if (limiter.pool && limiter.table) sync_task(NULL);
  db_pool_destroy(limiter.pool);
  rate_table_free(limiter.table);
  free(limiter.batch);
  free(limiter.buckets);
  free(limiter.clients);
  free(limiter.ends);
  free(limiter.hits);
  memset(&limiter, 0, sizeof limiter);
}

bool http_rate_limit_start(const config *cfg, char *err, size_t err_size) {
  /* Every entry with hits fits one statement when a stripe is large (rate_table takes a stripe
   * whole unless the batch is full). */
  int per_stripe = cfg->rate_limit_max_clients / 64 + 1;
  limiter.batch_max = per_stripe > SYNC_BATCH ? per_stripe : SYNC_BATCH;
  size_t n = (size_t)limiter.batch_max;
  limiter.table = rate_table_new(cfg->rate_limit_max_clients);
  limiter.batch = calloc(n, sizeof *limiter.batch);
  limiter.buckets = malloc(n * (2 * RATE_BUCKET_MAX + 1) + 2);
  limiter.clients = malloc(n * (2 * RATE_CLIENT_MAX + 1) + 2);
  limiter.ends = malloc(n * 22 + 2);
  limiter.hits = malloc(n * 13 + 2);
  if (!limiter.table || !limiter.batch || !limiter.buckets || !limiter.clients || !limiter.ends ||
      !limiter.hits) {
    snprintf(err, err_size, "rate limiter: out of memory");
    http_rate_limit_stop();
    return false;
  }
  char why[512];
  limiter.pool = db_pool_create(cfg->database_url, 1, cfg->statement_timeout_ms, statement_lists, why,
                                sizeof why);
  if (!limiter.pool) {
    snprintf(err, err_size, "rate limiter: %s", why);
    http_rate_limit_stop();
    return false;
  }
  limiter.next_cleanup_ms = now_ms() + CLEANUP_EVERY_MS;
  limiter.sync = worker_start("ratelimit", cfg->rate_limit_sync_ms, sync_task, NULL);
  if (!limiter.sync) {
    snprintf(err, err_size, "rate limiter: cannot start its sync thread");
    http_rate_limit_stop();
    return false;
  }
  return true;
}

/* Counts a request of `client` (an address or an account id) in bucket; 429 beyond the limit. */
static bool count_for(http_ctx *ctx, const char *bucket, const char *client, int limit, int window_seconds,
                      const char *detail) {
  if (!limiter.table) return true;
  int retry = 1;
  if (rate_table_hit(limiter.table, bucket, client, limit, window_seconds, now_ms(), &retry)) return true;
  char seconds[16];
  snprintf(seconds, sizeof seconds, "%d", retry);
  http_set_header(ctx, "Retry-After", seconds);
  http_reply_problem(ctx, KR_TOO_MANY_REQUESTS, detail, NULL, NULL);
  return false;
}

bool http_rate_limit(http_ctx *ctx, const char *bucket, int limit, int window_seconds) {
  return count_for(ctx, bucket, ctx->client_ip, limit, window_seconds,
                   "Too many requests from this address; wait before trying again.");
}

bool http_rate_limit_account(http_ctx *ctx, const char *bucket, int limit, int window_seconds) {
  return count_for(ctx, bucket, ctx->caller.account_id, limit, window_seconds,
                   "Too many requests from this account; wait before trying again.");
}
