#include "municipal/check_log.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/text.h"
#include "core/worker.h"

/* Rows in input order: each array holds one element per row; ids come from the table's
 * sequence in that order. */
static const db_statement write_rows = {
    "check_log_write",
    "INSERT INTO certification_check_log (account_id, municipality_code, on_date, kvk_numbers,"
    " certified, asked_at)"
    " SELECT r.account, r.municipality, r.on_date, r.numbers::text[], r.certified::boolean[],"
    "  timestamptz 'epoch' + r.asked * interval '1 microsecond'"
    " FROM unnest($1::uuid[], $2::text[], $3::date[], $4::text[], $5::text[], $6::bigint[])"
    "  WITH ORDINALITY r (account, municipality, on_date, numbers, certified, asked, n)"
    " ORDER BY r.n"};

/* One indexing run of the log rows by KvK number (sql/0017): returns how many rows it indexed. */
static const db_statement index_run = {"check_log_index", "SELECT kr_check_log_index($1::integer)"};
#define INDEX_RUN_ROWS 20000 /* a run stays well inside the statement timeout */

const db_statement *const check_log_statements[] = {&write_rows, &index_run, NULL};
static const db_statement *const *const statement_lists[] = {check_log_statements, NULL};

/* Rows as the six array literals of the INSERT, each "{e1,e2,..." until closed with "}". */
enum { ACCOUNTS, MUNICIPALITIES, DATES, NUMBERS, CERTIFIED, ASKED, COLUMNS };
typedef struct {
  text_buf column[COLUMNS];
  int rows;
  bool closed;
} row_batch;

static struct {
  pthread_mutex_t lock;       /* guards queued and the byte counts */
  pthread_mutex_t write_lock; /* guards sending: one writer at a time, so rows leave in order */
  row_batch queued, sending;
  size_t queued_bytes, sending_bytes, max_bytes; /* rows not yet written: both batches */
  bool unindexed; /* this replica wrote rows since its last indexing run */
  db_pool *pool;
  worker *flusher, *indexer;
} check_log = {.lock = PTHREAD_MUTEX_INITIALIZER, .write_lock = PTHREAD_MUTEX_INITIALIZER};

static void batch_clear(row_batch *b) {
  for (int c = 0; c < COLUMNS; c++) b->column[c].len = 0;
  b->rows = 0;
  b->closed = false;
}

static void batch_free(row_batch *b) {
  for (int c = 0; c < COLUMNS; c++) text_buf_free(&b->column[c]);
  memset(b, 0, sizeof *b);
}

/* Appends one row; on failure the batch is as before. A number list and a flag list are array
 * literals themselves (digits, t, f, braces and commas), quoted as elements. */
static bool batch_add(row_batch *b, const char *const value[COLUMNS]) {
  size_t before[COLUMNS];
  bool ok = true;
  for (int c = 0; c < COLUMNS; c++) before[c] = b->column[c].len;
  for (int c = 0; c < COLUMNS && ok; c++) {
    text_buf *t = &b->column[c];
    const char *quote = c == NUMBERS || c == CERTIFIED ? "\"" : "";
    ok = text_buf_puts(t, b->rows ? "," : "{") && text_buf_puts(t, quote) && text_buf_puts(t, value[c]) &&
         text_buf_puts(t, quote);
  }
  if (!ok) {
    for (int c = 0; c < COLUMNS; c++)
      if (b->column[c].data) b->column[c].data[b->column[c].len = before[c]] = '\0';
    return false;
  }
  b->rows++;
  return true;
}

/* Writes `sending` on db. Its rows stay for the next try when the database is away or busy; rows
 * it refuses for what they hold (not expected: every value was validated) are dropped with an
 * error in the log rather than block every later row. */
static kr_err write_sending(db_conn *db) {
  row_batch *b = &check_log.sending;
  if (b->rows == 0) return KR_OK;
  if (!b->closed) {
    for (int c = 0; c < COLUMNS; c++)
      if (!text_buf_puts(&b->column[c], "}")) return KR_INTERNAL;
    b->closed = true;
  }
  const char *v[COLUMNS];
  for (int c = 0; c < COLUMNS; c++) v[c] = b->column[c].data;
  PGresult *r = db_exec(db, &write_rows, COLUMNS, v);
  kr_err e = db_result_error(db, r);
  PQclear(r);
  if (e == KR_UNAVAILABLE) return e;
  if (e != KR_OK)
    log_event(LOG_ERROR, "check log rows refused by the database: dropped", json_pack("{s:i}", "rows", b->rows));
  batch_clear(b);
  pthread_mutex_lock(&check_log.lock);
  check_log.sending_bytes = 0;
  check_log.unindexed = check_log.unindexed || e == KR_OK;
  pthread_mutex_unlock(&check_log.lock);
  return KR_OK;
}

/* Writes what waits: first the rows a failed write left, then everything queued. The queue's
 * lock is held only to swap the batches, so checks go on queueing while this writes. */
static kr_err write_queue(db_conn *db) {
  pthread_mutex_lock(&check_log.write_lock);
  kr_err e = write_sending(db);
  if (e == KR_OK) {
    pthread_mutex_lock(&check_log.lock);
    row_batch emptied = check_log.sending; /* keeps its memory for the next rows */
    check_log.sending = check_log.queued;
    check_log.queued = emptied;
    check_log.sending_bytes = check_log.queued_bytes;
    check_log.queued_bytes = 0;
    pthread_mutex_unlock(&check_log.lock);
    e = write_sending(db);
  }
  pthread_mutex_unlock(&check_log.write_lock);
  return e;
}

static void drop_queue(void) {
  pthread_mutex_lock(&check_log.write_lock);
  pthread_mutex_lock(&check_log.lock);
  batch_clear(&check_log.queued);
  batch_clear(&check_log.sending);
  check_log.queued_bytes = check_log.sending_bytes = 0;
  pthread_mutex_unlock(&check_log.lock);
  pthread_mutex_unlock(&check_log.write_lock);
}

static bool flush_task(void *arg) {
  (void)arg;
  pthread_mutex_lock(&check_log.lock);
  bool idle = check_log.queued.rows == 0;
  pthread_mutex_unlock(&check_log.lock);
  pthread_mutex_lock(&check_log.write_lock);
  idle = idle && check_log.sending.rows == 0;
  pthread_mutex_unlock(&check_log.write_lock);
  if (idle) return false;
  db_conn *db = db_acquire(check_log.pool); /* NULL at once while the database is away */
  if (!db) return false;
  write_queue(db);
  db_release(check_log.pool, db);
  return false;
}

/* The indexing thread's task: a run over the rows written since the last one (in whichever
 * replica gets to it first); at once again when the run was full. A replica that wrote nothing
 * since its last run leaves it to those that did, so an idle register takes no lock. Rows a run
 * of another replica missed wait for this replica's next rows; until then a read scans them. */
static bool index_task(void *arg) {
  (void)arg;
  pthread_mutex_lock(&check_log.lock);
  bool due = check_log.unindexed;
  check_log.unindexed = false;
  pthread_mutex_unlock(&check_log.lock);
  if (!due) return false;
  db_conn *db = db_acquire(check_log.pool);
  char rows[16];
  snprintf(rows, sizeof rows, "%d", INDEX_RUN_ROWS);
  PGresult *r = db ? db_exec(db, &index_run, 1, (const char *[]){rows}) : NULL;
  bool ran = db && db_result_error(db, r) == KR_OK && PQntuples(r) == 1;
  bool full = ran && atoi(PQgetvalue(r, 0, 0)) >= INDEX_RUN_ROWS;
  PQclear(r);
  if (db) db_release(check_log.pool, db);
  if (!ran) { /* the database was away: try again at the next interval */
    pthread_mutex_lock(&check_log.lock);
    check_log.unindexed = true;
    pthread_mutex_unlock(&check_log.lock);
  }
  return full;
}

kr_err check_log_flush(db_conn *db) { return write_queue(db); }

kr_err check_log_record(db_conn *db, const char *account, const char *municipality, const char *on,
                        const char *numbers, const char *certified) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  char asked[24];
  snprintf(asked, sizeof asked, "%lld", (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000);
  const char *row[COLUMNS] = {account, municipality, on, numbers, certified, asked};
  size_t size = 2 * COLUMNS + 4; /* separators and quotes */
  for (int c = 0; c < COLUMNS; c++) size += strlen(row[c]);

  for (int attempt = 0; attempt < 2; attempt++) {
    pthread_mutex_lock(&check_log.lock);
    bool running = check_log.flusher != NULL;
    bool room = !running || check_log.queued_bytes + check_log.sending_bytes + size <= check_log.max_bytes;
    bool added = room && batch_add(&check_log.queued, row);
    if (added) check_log.queued_bytes += size;
    bool wake = added && check_log.queued_bytes >= check_log.max_bytes / 4;
    pthread_mutex_unlock(&check_log.lock);
    if (added && running) {
      if (wake) worker_wake(check_log.flusher);
      return KR_OK;
    }
    if (added) { /* not started (a command other than serve): the row now, or not at all */
      kr_err e = write_queue(db);
      if (e != KR_OK) drop_queue();
      return e;
    }
    if (!room && attempt == 0) { /* full: the database is slower than the checks */
      kr_err e = write_queue(db);
      if (e != KR_OK) return e;
      continue;
    }
    return room ? KR_INTERNAL : KR_UNAVAILABLE;
  }
  return KR_UNAVAILABLE;
}

void check_log_stop(void) {
  worker_stop(check_log.indexer);
  check_log.indexer = NULL;
  worker_stop(check_log.flusher);
  pthread_mutex_lock(&check_log.lock);
  check_log.flusher = NULL;
  pthread_mutex_unlock(&check_log.lock);
  if (check_log.pool) {
    db_conn *db = db_acquire(check_log.pool);
    if (db) {
      write_queue(db);
      db_release(check_log.pool, db);
    }
    int left = check_log.sending.rows + check_log.queued.rows;
    if (left) log_event(LOG_ERROR, "check log rows not written at stop", json_pack("{s:i}", "rows", left));
    db_pool_destroy(check_log.pool);
    check_log.pool = NULL;
  }
  batch_free(&check_log.queued);
  batch_free(&check_log.sending);
  check_log.queued_bytes = check_log.sending_bytes = 0;
}

bool check_log_start(const config *cfg, char *err, size_t err_size) {
  char why[512];
  check_log.pool =
      db_pool_create(cfg->database_url, 2, cfg->statement_timeout_ms, statement_lists, why, sizeof why);
  if (!check_log.pool) {
    snprintf(err, err_size, "check log: %s", why);
    return false;
  }
  check_log.max_bytes = (size_t)cfg->check_log_queue_bytes;
  worker *flusher = worker_start("check-log", cfg->check_log_flush_ms, flush_task, NULL);
  pthread_mutex_lock(&check_log.lock);
  check_log.flusher = flusher;
  pthread_mutex_unlock(&check_log.lock);
  check_log.indexer = flusher ? worker_start("check-log-index", cfg->check_log_index_seconds * 1000, index_task, NULL)
                              : NULL;
  if (!flusher || !check_log.indexer) {
    snprintf(err, err_size, "check log: cannot start its threads");
    check_log_stop();
    return false;
  }
  return true;
}
