#include "db/pool.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

typedef enum { CONN_IDLE, CONN_BUSY, CONN_BROKEN, CONN_CONNECTING } conn_state;

struct db_conn {
  PGconn *pg;
  conn_state state;
  bool failed; /* set while busy when the connection itself failed */
};

struct db_pool {
  char *url;
  char timeout_option[64];
  const db_statement *const *const *lists;
  int size;
  db_conn *conns;
  pthread_mutex_t lock;
  pthread_cond_t available;
  pthread_cond_t wake_keeper;
  pthread_t keeper;
  bool stopping;
};

static PGconn *connect_and_prepare(db_pool *pool, char *err, size_t err_size) {
  /* Over TCP, a server that stops answering (rather than closing) is noticed within seconds:
   * unacknowledged data times out after 2 s, idle connections are probed. */
  const char *keys[] = {"dbname",           "connect_timeout", "application_name", "options",
                        "tcp_user_timeout", "keepalives",      "keepalives_idle",  "keepalives_interval",
                        "keepalives_count", NULL};
  const char *vals[] = {pool->url, "2", "kwaliteitsregister", pool->timeout_option, "2000", "1", "10",
                        "2", "2", NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, err_size, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
    PQfinish(pg);
    return NULL;
  }
  for (const db_statement *const *const *list = pool->lists; list && *list; list++) {
    for (const db_statement *const *s = *list; *s; s++) {
      PGresult *r = PQprepare(pg, (*s)->name, (*s)->sql, 0, NULL);
      bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      if (!ok)
        snprintf(err, err_size, "cannot prepare statement %s: %s", (*s)->name,
                 PQresultErrorMessage(r));
      PQclear(r);
      if (!ok) {
        PQfinish(pg);
        return NULL;
      }
    }
  }
  return pg;
}

static bool sweep_idle(db_pool *pool);

/* The keeper replaces broken connections in the background, so no request thread ever blocks
 * in PQconnectdb. */
static void *keeper_main(void *arg) {
  db_pool *pool = arg;
  pthread_mutex_lock(&pool->lock);
  while (!pool->stopping) {
    int target = -1;
    for (int i = 0; i < pool->size; i++)
      if (pool->conns[i].state == CONN_BROKEN) {
        target = i;
        break;
      }
    if (target < 0) {
      /* Nothing to repair: look at the idle connections again in a second. */
      struct timespec tick;
      clock_gettime(CLOCK_REALTIME, &tick);
      tick.tv_sec += 1;
      pthread_cond_timedwait(&pool->wake_keeper, &pool->lock, &tick);
      sweep_idle(pool);
      continue;
    }
    db_conn *c = &pool->conns[target];
    c->state = CONN_CONNECTING;
    PGconn *old = c->pg;
    c->pg = NULL;
    pthread_mutex_unlock(&pool->lock);

    PQfinish(old);
    char err[512];
    PGconn *pg = connect_and_prepare(pool, err, sizeof err);

    pthread_mutex_lock(&pool->lock);
    c->pg = pg;
    c->state = pg ? CONN_IDLE : CONN_BROKEN;
    if (pg) {
      log_msg(LOG_INFO, "database connection %d restored", target);
      pthread_cond_signal(&pool->available);
    } else if (!pool->stopping) {
      /* Wait a little before the next try; a stop or a signal cuts it short. */
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_nsec += 250 * 1000000L;
      if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&pool->wake_keeper, &pool->lock, &until);
    }
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

typedef struct {
  db_pool *pool;
  db_conn *conn;
  pthread_t thread;
  bool threaded; /* false: opened on the calling thread */
  char err[256];
} opener;

static void *open_one(void *arg) {
  opener *o = arg;
  o->conn->pg = connect_and_prepare(o->pool, o->err, sizeof o->err);
  o->conn->state = o->conn->pg ? CONN_IDLE : CONN_BROKEN;
  return NULL;
}

/* Opens every connection at once: start-up waits for one round of connects, not `size`. */
static bool connect_all(db_pool *pool, char *err, size_t err_size) {
  opener *openers = calloc((size_t)pool->size, sizeof *openers);
  if (!openers) {
    snprintf(err, err_size, "out of memory");
    return false;
  }
  for (int i = 0; i < pool->size; i++) {
    openers[i] = (opener){.pool = pool, .conn = &pool->conns[i]};
    openers[i].threaded = pthread_create(&openers[i].thread, NULL, open_one, &openers[i]) == 0;
    if (!openers[i].threaded) open_one(&openers[i]); /* no thread to spare: connect here */
  }
  bool ok = true;
  for (int i = 0; i < pool->size; i++)
    if (openers[i].threaded) pthread_join(openers[i].thread, NULL);
  for (int i = 0; ok && i < pool->size; i++) {
    if (!pool->conns[i].pg) {
      snprintf(err, err_size, "%s", openers[i].err);
      ok = false;
    }
  }
  free(openers);
  return ok;
}

db_pool *db_pool_create(const char *url, int size, int statement_timeout_ms,
                        const db_statement *const *const *lists, char *err, size_t err_size) {
  db_pool *pool = calloc(1, sizeof *pool);
  if (!pool) return NULL;
  pool->url = strdup(url);
  pool->conns = calloc((size_t)size, sizeof *pool->conns);
  pool->size = size;
  pool->lists = lists;
  snprintf(pool->timeout_option, sizeof pool->timeout_option,
           "-c statement_timeout=%d -c lock_timeout=%d", statement_timeout_ms,
           statement_timeout_ms);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->available, NULL);
  pthread_cond_init(&pool->wake_keeper, NULL);
  if (!pool->url || !pool->conns) {
    snprintf(err, err_size, "out of memory");
    db_pool_destroy(pool);
    return NULL;
  }
  if (!connect_all(pool, err, err_size)) {
    db_pool_destroy(pool);
    return NULL;
  }
  if (pthread_create(&pool->keeper, NULL, keeper_main, pool) != 0) {
    snprintf(err, err_size, "cannot start the pool keeper thread");
    pool->keeper = 0;
    db_pool_destroy(pool);
    return NULL;
  }
  return pool;
}

void db_pool_destroy(db_pool *pool) {
  if (!pool) return;
  pthread_mutex_lock(&pool->lock);
  pool->stopping = true;
  pthread_cond_broadcast(&pool->wake_keeper);
  pthread_mutex_unlock(&pool->lock);
  if (pool->keeper) pthread_join(pool->keeper, NULL);
  for (int i = 0; pool->conns && i < pool->size; i++) PQfinish(pool->conns[i].pg);
  pthread_cond_destroy(&pool->available);
  pthread_cond_destroy(&pool->wake_keeper);
  pthread_mutex_destroy(&pool->lock);
  free(pool->conns);
  free(pool->url);
  free(pool);
}

/* An idle connection has nothing to read: the server speaks only when asked, and these
 * connections LISTEN on nothing. A readable socket on an idle connection therefore means the
 * server said something on its own, which in practice is its goodbye: a FATAL notice
 * ("terminating connection due to administrator command") before it closed the socket, as on a
 * database restart. libpq would read that notice, take it for a mere warning and leave the
 * connection CONNECTION_OK until the next query fails on it, so such a connection is judged
 * broken here without a round trip and replaced, never handed to a request. */
static bool still_alive(PGconn *pg) {
  if (!pg || PQstatus(pg) != CONNECTION_OK) return false;
  struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
  if (p.fd < 0) return false;
  int ready = poll(&p, 1, 0);
  if (ready < 0) return errno == EINTR;
  if (ready == 0) return true;
  return false; /* unsolicited input, an end of file or a socket error */
}

/* Marks every idle connection that is no longer alive as broken; true when any was. Called
 * with the lock held, by the keeper on each tick, so that connections left stale by a database
 * restart are replaced even while no request comes. */
static bool sweep_idle(db_pool *pool) {
  bool any = false;
  for (int i = 0; i < pool->size; i++) {
    db_conn *c = &pool->conns[i];
    if (c->state == CONN_IDLE && !still_alive(c->pg)) {
      c->state = CONN_BROKEN;
      any = true;
    }
  }
  return any;
}

static bool any_healthy(const db_pool *pool) {
  for (int i = 0; i < pool->size; i++)
    if (pool->conns[i].state == CONN_IDLE || pool->conns[i].state == CONN_BUSY) return true;
  return false;
}

db_conn *db_acquire(db_pool *pool) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 1;
  pthread_mutex_lock(&pool->lock);
  for (;;) {
    for (int i = 0; i < pool->size; i++) {
      db_conn *c = &pool->conns[i];
      if (c->state != CONN_IDLE) continue;
      if (!still_alive(c->pg)) {
        c->state = CONN_BROKEN;
        pthread_cond_signal(&pool->wake_keeper);
        continue;
      }
      c->state = CONN_BUSY;
      c->failed = false;
      pthread_mutex_unlock(&pool->lock);
      return c;
    }
    if (!any_healthy(pool) || pool->stopping) break;
    if (pthread_cond_timedwait(&pool->available, &pool->lock, &until) == ETIMEDOUT) break;
  }
  pthread_mutex_unlock(&pool->lock);
  return NULL;
}

void db_release(db_pool *pool, db_conn *conn) {
  if (!conn) return;
  bool broken = conn->failed || PQstatus(conn->pg) != CONNECTION_OK;
  if (!broken && PQtransactionStatus(conn->pg) != PQTRANS_IDLE) {
    PGresult *r = PQexec(conn->pg, "ROLLBACK");
    broken = PQresultStatus(r) != PGRES_COMMAND_OK;
    PQclear(r);
  }
  pthread_mutex_lock(&pool->lock);
  conn->state = broken ? CONN_BROKEN : CONN_IDLE;
  if (broken) pthread_cond_signal(&pool->wake_keeper);
  else pthread_cond_signal(&pool->available);
  pthread_mutex_unlock(&pool->lock);
}

PGconn *db_conn_pg(db_conn *conn) { return conn->pg; }

PGresult *db_exec(db_conn *conn, const db_statement *stmt, int n, const char *const *values) {
  return PQexecPrepared(conn->pg, stmt->name, n, values, NULL, NULL, 0);
}

PGresult *db_exec_binary(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                         const int *lengths, const int *formats, bool binary_result) {
  return PQexecPrepared(conn->pg, stmt->name, n, values, lengths, formats, binary_result ? 1 : 0);
}

PGresult *db_exec_plain(db_conn *conn, const char *sql) { return PQexec(conn->pg, sql); }

const char *db_sqlstate(const PGresult *r) {
  const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  return s ? s : "";
}

kr_err db_result_error(db_conn *conn, const PGresult *r) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return KR_OK;
  const char *state = db_sqlstate(r);
  if (PQstatus(conn->pg) != CONNECTION_OK || state[0] == '\0' || strncmp(state, "08", 2) == 0 ||
      strncmp(state, "57P", 3) == 0) {
    conn->failed = true;
    log_msg(LOG_WARNING, "database connection failed: %s", PQerrorMessage(conn->pg));
    return KR_UNAVAILABLE;
  }
  kr_err e = KR_INTERNAL;
  if (strcmp(state, "23505") == 0) e = KR_CONFLICT;
  else if (strcmp(state, "23503") == 0 || strcmp(state, "23P01") == 0) e = KR_CONFLICT;
  else if (strcmp(state, "23514") == 0 || strcmp(state, "22P02") == 0) e = KR_VALIDATION;
  else if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0 ||
           strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
    e = KR_UNAVAILABLE;
  const char *message = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  log_event(e == KR_INTERNAL ? LOG_ERROR : LOG_INFO, "database error",
            json_pack("{s:s, s:s}", "sqlstate", state, "error", message ? message : ""));
  return e;
}

kr_err db_run(db_conn *conn, const db_statement *stmt, int n, const char *const *values) {
  PGresult *r = db_exec(conn, stmt, n, values);
  kr_err e = db_result_error(conn, r);
  PQclear(r);
  return e;
}

kr_err db_fetch_text(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                     char **out) {
  *out = NULL;
  PGresult *r = db_exec(conn, stmt, n, values);
  kr_err e = db_result_error(conn, r);
  if (e == KR_OK && (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))) e = KR_NOT_FOUND;
  if (e == KR_OK && !(*out = strdup(PQgetvalue(r, 0, 0)))) e = KR_INTERNAL;
  PQclear(r);
  return e;
}

kr_err db_fetch_text_and_id(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                            char **out, char id[37]) {
  *out = NULL;
  PGresult *r = db_exec(conn, stmt, n, values);
  kr_err e = db_result_error(conn, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    snprintf(id, 37, "%s", PQgetvalue(r, 0, 1));
    if (!(*out = strdup(PQgetvalue(r, 0, 0)))) e = KR_INTERNAL;
  }
  PQclear(r);
  return e;
}

kr_err db_fetch_result(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                       PGresult **out) {
  PGresult *r = db_exec(conn, stmt, n, values);
  kr_err e = db_result_error(conn, r);
  if (e != KR_OK) {
    PQclear(r);
    r = NULL;
  }
  *out = r;
  return e;
}

static kr_err exec_command(db_conn *conn, const char *sql) {
  PGresult *r = PQexec(conn->pg, sql);
  kr_err e = db_result_error(conn, r);
  PQclear(r);
  return e;
}

kr_err db_begin(db_conn *conn) { return exec_command(conn, "BEGIN"); }
kr_err db_commit(db_conn *conn) { return exec_command(conn, "COMMIT"); }
void db_rollback(db_conn *conn) {
  if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE) (void)exec_command(conn, "ROLLBACK");
}

void db_pool_stats(db_pool *pool, int *idle, int *busy, int *broken) {
  *idle = *busy = *broken = 0;
  pthread_mutex_lock(&pool->lock);
  for (int i = 0; i < pool->size; i++) {
    switch (pool->conns[i].state) {
      case CONN_IDLE: (*idle)++; break;
      case CONN_BUSY: (*busy)++; break;
      default: (*broken)++; break;
    }
  }
  pthread_mutex_unlock(&pool->lock);
}
