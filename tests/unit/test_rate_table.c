/* core/rate_table: counts in fixed windows, the sync hand-over (take, settle) against a model of
 * the database's statement, two replicas sharing a count, a full table, and threads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/rate_table.h"

/* The database's statement (http/ratelimit.c) over an array: a running window adds the hits, an
 * ended one is replaced by the sender's. */
#define DB_ROWS 256
static rate_count db[DB_ROWS];
static int db_count;

static void db_sync(rate_table *t, int64_t now) {
  rate_count out[DB_ROWS];
  int n = rate_table_take(t, out, DB_ROWS, now);
  for (int i = 0; i < n; i++) {
    rate_count *row = NULL;
    for (int k = 0; k < db_count && !row; k++)
      if (strcmp(db[k].bucket, out[i].bucket) == 0 && strcmp(db[k].client, out[i].client) == 0) row = &db[k];
    if (!row) {
      row = &db[db_count++];
      *row = out[i];
    } else if (row->window_end_ms > now) {
      row->hits += out[i].hits;
    } else {
      row->window_end_ms = out[i].window_end_ms;
      row->hits = out[i].hits;
    }
    out[i] = *row;
  }
  rate_table_settle(t, out, n, now);
}

static int allowed_of(rate_table *t, const char *client, int tries, int limit, int64_t now) {
  int ok = 0, retry;
  for (int i = 0; i < tries; i++) ok += rate_table_hit(t, "register", client, limit, 60, now, &retry);
  return ok;
}

static void exact_in_one_process(void) {
  rate_table *t = rate_table_new(1024);
  int retry = -1;
  for (int i = 0; i < 5; i++) CHECK(rate_table_hit(t, "register", "10.0.0.1", 5, 60, 1000, &retry));
  CHECK(retry == -1);
  CHECK(!rate_table_hit(t, "register", "10.0.0.1", 5, 60, 1000, &retry));
  CHECK(retry == 60);
  CHECK(!rate_table_hit(t, "register", "10.0.0.1", 5, 60, 30500, &retry));
  CHECK(retry == 31); /* the window ends at 61000: 30.5 s, rounded up */
  CHECK(!rate_table_hit(t, "register", "10.0.0.1", 5, 60, 60999, &retry));
  CHECK(retry == 1);
  /* another address, another bucket: counts of their own */
  CHECK(rate_table_hit(t, "register", "10.0.0.2", 5, 60, 1000, &retry));
  CHECK(rate_table_hit(t, "applications", "10.0.0.1", 5, 60, 1000, &retry));
  /* the window ends: a new one, counted afresh */
  CHECK(allowed_of(t, "10.0.0.1", 10, 5, 61000) == 5);
  int used;
  long evicted;
  rate_table_stats(t, &used, &evicted);
  CHECK(used == 3 && evicted == 0);
  rate_table_free(t);
  rate_table_free(NULL);
}

/* Takes the one entry with pending hits (`sent` of them) and settles it 100 ms later as the
 * database answered: `hits` in the window ending at `end` (0: the window that was sent). */
static void answer(rate_table *t, int64_t now, int sent, int64_t end, int hits) {
  rate_count row;
  CHECK(rate_table_take(t, &row, 1, now) == 1 && row.hits == sent);
  if (end) row.window_end_ms = end;
  row.hits = hits;
  rate_table_settle(t, &row, 1, now + 100);
}

static void take_and_settle(void) {
  db_count = 0;
  rate_table *t = rate_table_new(1024);
  rate_count out[8];
  CHECK(allowed_of(t, "10.0.0.1", 3, 12, 1000) == 3);
  CHECK(rate_table_take(t, out, 8, 1100) == 1);
  CHECK_STR(out[0].bucket, "register");
  CHECK_STR(out[0].client, "10.0.0.1");
  CHECK(out[0].window_end_ms == 61000 && out[0].hits == 3);
  /* hits on their way count, and so do those since */
  CHECK(allowed_of(t, "10.0.0.1", 1, 12, 1200) == 1);
  /* the database failed (no settle): the next take sends the 3 again with the hit since; the
   * answer says other replicas had 6 in the same window, 10 in all: 2 more here */
  answer(t, 1300, 4, 0, 10);
  CHECK(allowed_of(t, "10.0.0.1", 5, 12, 1400) == 2);
  /* the database's window (started by another replica) replaces this process's own */
  answer(t, 1500, 2, 31000, 12);
  int retry = 0;
  CHECK(!rate_table_hit(t, "register", "10.0.0.1", 12, 60, 1600, &retry) && retry == 30);
  CHECK(allowed_of(t, "10.0.0.1", 1, 12, 31000) == 1);
  /* an answer about a window that has ended adopts nothing; the hits sent still count here */
  answer(t, 31100, 1, 20000, 50);
  CHECK(allowed_of(t, "10.0.0.1", 20, 12, 31200) == 11);
  /* ended windows are freed by the take */
  CHECK(rate_table_take(t, out, 8, 200000) == 0);
  int used;
  long evicted;
  rate_table_stats(t, &used, &evicted);
  CHECK(used == 0);
  rate_table_free(t);
}

/* Two processes on one database: the second learns the first's hits at its sync. */
static void two_replicas(void) {
  db_count = 0;
  rate_table *a = rate_table_new(1024), *b = rate_table_new(1024);
  CHECK(allowed_of(a, "10.0.0.9", 15, 20, 1000) == 15);
  db_sync(a, 1250);
  CHECK(allowed_of(b, "10.0.0.9", 1, 20, 1300) == 1); /* b knows nothing yet */
  db_sync(b, 1500);
  CHECK(allowed_of(b, "10.0.0.9", 10, 20, 1600) == 4);
  db_sync(b, 1750);
  db_sync(a, 1750); /* a sent nothing, so it read nothing back: its 15 is stale */
  CHECK(allowed_of(a, "10.0.0.9", 1, 20, 1800) == 1);
  db_sync(a, 2000);
  CHECK(allowed_of(a, "10.0.0.9", 3, 20, 2100) == 0);
  CHECK(db_count == 1 && db[0].hits == 21);
  /* both in the database's window: it ends at 61000 for both */
  int retry = 0;
  CHECK(!rate_table_hit(b, "register", "10.0.0.9", 20, 60, 1800, &retry) && retry == 60);
  CHECK(allowed_of(a, "10.0.0.9", 1, 20, 61000) == 1);
  CHECK(allowed_of(b, "10.0.0.9", 1, 20, 61000) == 1);
  /* bursts to both before either syncs: each stops at the limit on its own */
  CHECK(allowed_of(a, "10.0.0.10", 30, 20, 62000) == 20);
  CHECK(allowed_of(b, "10.0.0.10", 30, 20, 62000) == 20);
  db_sync(a, 62250);
  db_sync(b, 62250);
  db_sync(a, 62500);
  CHECK(allowed_of(a, "10.0.0.10", 1, 20, 62600) == 0 && allowed_of(b, "10.0.0.10", 1, 20, 62600) == 0);
  rate_table_free(a);
  rate_table_free(b);
}

/* A flood of addresses fills the table: it stays at its capacity, and an address near its limit
 * keeps its count against one-request addresses. */
static void full_table(void) {
  rate_table *t = rate_table_new(256);
  CHECK(allowed_of(t, "10.9.9.9", 150, 100, 1000) == 100);
  char client[32];
  int retry;
  for (int i = 0; i < 20000; i++) {
    snprintf(client, sizeof client, "172.16.%d.%d", i / 256, i % 256);
    CHECK(rate_table_hit(t, "register", client, 100, 60, 1000 + i / 100, &retry));
  }
  int used;
  long evicted;
  rate_table_stats(t, &used, &evicted);
  CHECK(used == 256);
  CHECK(evicted >= 20000 - 256);
  CHECK(allowed_of(t, "10.9.9.9", 1, 100, 2000) == 0);
  /* the windows end: the next take frees them all */
  rate_count out[64];
  CHECK(rate_table_take(t, out, 64, 100000) == 0);
  rate_table_stats(t, &used, &evicted);
  CHECK(used == 0);
  /* over-long names are cut, never overrun */
  char long_client[200];
  memset(long_client, '7', sizeof long_client - 1);
  long_client[sizeof long_client - 1] = '\0';
  CHECK(rate_table_hit(t, "a-bucket-name-longer-than-fifteen", long_client, 1, 60, 100000, &retry));
  CHECK(!rate_table_hit(t, "a-bucket-name-longer-than-fifteen", long_client, 1, 60, 100000, &retry));
  rate_table_free(t);
}

/* Eight threads hit one address while a ninth syncs: exactly `limit` are allowed. */
#define THREADS 8
#define LIMIT 3000
static rate_table *shared;
static int allowed_by[THREADS];
static volatile int hitting;
static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;

static void *hitter(void *arg) {
  int *ok = arg, retry;
  for (int i = 0; i < 1000; i++) {
    *ok += rate_table_hit(shared, "register", "10.1.1.1", LIMIT, 60, 5000, &retry);
    char other[32];
    snprintf(other, sizeof other, "10.2.%d.%d", i % 7, (int)(ok - allowed_by));
    rate_table_hit(shared, "register", other, LIMIT, 60, 5000, &retry);
  }
  return NULL;
}

static void *syncer(void *arg) {
  (void)arg;
  while (__atomic_load_n(&hitting, __ATOMIC_ACQUIRE)) {
    pthread_mutex_lock(&db_lock);
    db_sync(shared, 5000);
    pthread_mutex_unlock(&db_lock);
  }
  return NULL;
}

static void threads(void) {
  db_count = 0;
  shared = rate_table_new(4096);
  pthread_t t[THREADS], s;
  __atomic_store_n(&hitting, 1, __ATOMIC_RELEASE);
  pthread_create(&s, NULL, syncer, NULL);
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, hitter, &allowed_by[i]);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  __atomic_store_n(&hitting, 0, __ATOMIC_RELEASE);
  pthread_join(s, NULL);
  int total = 0;
  for (int i = 0; i < THREADS; i++) total += allowed_by[i];
  CHECK(total == LIMIT);
  db_sync(shared, 5000);
  int in_db = -1;
  for (int k = 0; k < db_count; k++)
    if (strcmp(db[k].client, "10.1.1.1") == 0) in_db = db[k].hits;
  CHECK(in_db == LIMIT);
  rate_table_free(shared);
}

int main(void) {
  exact_in_one_process();
  take_and_settle();
  two_replicas();
  full_table();
  threads();
  return CHECK_DONE();
}
