#include "auth/revocation.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "db/listen.h"

#define ALL_TOKENS LONG_MAX /* a deactivated account: every token it was ever given */

typedef struct {
  char account_id[37];
  long not_after; /* tokens issued at or before this second are refused */
} cut;

static const db_statement load_cuts = {"revocation_load", "SELECT account_id, not_after FROM kr_token_cuts($1::int)"};
const db_statement *const revocation_statements[] = {&load_cuts, NULL};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static cut *cuts; /* sorted by account_id; guarded by lock */
static size_t cut_count;
static db_pool *cuts_pool;
static int token_life;
static db_listener *listener;

static int by_account(const void *a, const void *b) {
  return strcmp(((const cut *)a)->account_id, ((const cut *)b)->account_id);
}

/* Reads the cuts and swaps them in; false (keeping the old ones) when the database cannot. */
static bool reload(void);

bool auth_revocations_reload(void) { return reload(); }

static bool reload(void) {
  db_conn *db = db_acquire(cuts_pool);
  if (!db) return false;
  char life[16];
  snprintf(life, sizeof life, "%d", token_life);
  PGresult *r = db_exec(db, &load_cuts, 1, (const char *[]){life});
  bool ok = db_result_error(db, r) == KR_OK;
  size_t n = ok ? (size_t)PQntuples(r) : 0;
  cut *fresh = ok && n ? calloc(n, sizeof *fresh) : NULL;
  if (n && !fresh) ok = false;
  for (size_t i = 0; ok && i < n; i++) {
    snprintf(fresh[i].account_id, sizeof fresh[i].account_id, "%s", PQgetvalue(r, (int)i, 0));
    fresh[i].not_after = PQgetisnull(r, (int)i, 1) ? ALL_TOKENS : atol(PQgetvalue(r, (int)i, 1));
  }
  PQclear(r);
  db_release(cuts_pool, db);
  if (!ok) {
    free(fresh);
    return false;
  }
  if (n > 1) /* qsort's array may not be NULL, even empty (UBSan stopped the sanitized start-up) */
    qsort(fresh, n, sizeof *fresh, by_account); /* the same order as the query's, in C's terms */
  pthread_rwlock_wrlock(&lock);
  cut *old = cuts;
  cuts = fresh;
  cut_count = n;
  pthread_rwlock_unlock(&lock);
  free(old);
  return true;
}

/* On the listener's thread. A busy pool answers no connection at once: try again for a few
 * seconds rather than leave a deactivated account's tokens working. */
static void on_notify(void *unused) {
  (void)unused;
  for (int attempt = 0; attempt < 250; attempt++) {
    if (reload()) return;
    nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
  }
  log_msg(LOG_ERROR, "cannot reload the token revocations; keeping the last ones");
}

bool auth_revocations_start(db_pool *pool, const char *database_url, int token_life_seconds) {
  cuts_pool = pool;
  token_life = token_life_seconds;
  if (!reload()) return false;
  listener = db_listen_start(database_url, "kr_account_revocations", on_notify, NULL);
  return listener != NULL;
}

void auth_revocations_stop(void) {
  db_listen_stop(listener);
  listener = NULL;
  pthread_rwlock_wrlock(&lock);
  free(cuts);
  cuts = NULL;
  cut_count = 0;
  pthread_rwlock_unlock(&lock);
}

bool auth_token_revoked(const char *account_id, long issued_at) {
  cut key;
  snprintf(key.account_id, sizeof key.account_id, "%s", account_id);
  pthread_rwlock_rdlock(&lock);
  const cut *found = cut_count ? bsearch(&key, cuts, cut_count, sizeof *cuts, by_account) : NULL;
  bool revoked = found && issued_at <= found->not_after;
  pthread_rwlock_unlock(&lock);
  return revoked;
}
