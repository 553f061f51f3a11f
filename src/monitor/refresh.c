/* One step of the monitor's refresh a call (monitor/refresh.h). */
#include "monitor/refresh.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "core/log.h"
#include "http/context.h"

/* Changed professionals a step computes again (each in every kept month: a few ms each); a
 * step takes a fiftieth as many municipalities (each up to ~0.3 s at 50,000 professionals). */
#define REFRESH_BATCH 500
/* A month computed whole reads every professional's running period and hours: about 4 s at
 * 50,000 professionals on two cores, so the pool's statement timeout (for requests) is lifted
 * for the step's transaction. */
#define REFRESH_TIMEOUT "600s"
/* How long a replica that found the refresh taken waits before it looks again. */
#define BUSY_PAUSE_MS 500

static const db_statement timeout = {"mon_refresh_timeout", "SELECT set_config('statement_timeout', $1, true)"};
static const db_statement step = {"mon_refresh_step",
                                  "SELECT kr_monitor_refresh($1::date, $2::integer, $3::integer, $4::integer)"};

const db_statement *const monitor_refresh_statements[] = {&timeout, &step, NULL};

/* The step in progress, so that a stopping service need not wait for it (monitor_refresh_cancel). */
static pthread_mutex_t running_lock = PTHREAD_MUTEX_INITIALIZER;
static PGcancel *running;
static bool cancelled;

void monitor_refresh_cancel(void) {
  pthread_mutex_lock(&running_lock);
  cancelled = true;
  char err[256];
  if (running && !PQcancel(running, err, sizeof err)) log_msg(LOG_WARNING, "cancelling the monitor's refresh: %s", err);
  pthread_mutex_unlock(&running_lock);
}

/* Registers the step about to run on db; false once cancelled. */
static bool step_begins(db_conn *db) {
  pthread_mutex_lock(&running_lock);
  bool go = !cancelled;
  if (go) running = PQgetCancel(db_conn_pg(db));
  pthread_mutex_unlock(&running_lock);
  return go;
}

static void step_ends(void) {
  pthread_mutex_lock(&running_lock);
  PQfreeCancel(running);
  running = NULL;
  pthread_mutex_unlock(&running_lock);
}

bool monitor_refresh_task(void *arg) {
  const http_services *services = arg;
  db_conn *db = db_acquire(services->pool);
  if (!db) return false;
  char today[11], kept[16], batch[16], national[16], *done = NULL;
  date_format(date_today(), today);
  snprintf(kept, sizeof kept, "%d", services->cfg->monitor_months);
  snprintf(national, sizeof national, "%d", services->cfg->monitor_national_interval);
  snprintf(batch, sizeof batch, "%d", REFRESH_BATCH);
  if (!step_begins(db)) {
    db_release(services->pool, db);
    return false;
  }
  kr_err e = db_begin(db);
  if (e == KR_OK) e = db_run(db, &timeout, 1, (const char *[]){REFRESH_TIMEOUT});
  if (e == KR_OK) e = db_fetch_text(db, &step, 4, (const char *[]){today, kept, batch, national}, &done);
  if (e == KR_OK) e = db_commit(db);
  else db_rollback(db);
  step_ends();
  db_release(services->pool, db);
  bool busy = e == KR_OK && done && strcmp(done, "busy") == 0, more = e == KR_OK && done && done[0] && !busy;
  pthread_mutex_lock(&running_lock);
  bool stopping = cancelled;
  pthread_mutex_unlock(&running_lock);
  if (stopping) {
    if (e != KR_OK) log_msg(LOG_INFO, "the monitor's refresh step was cancelled: the service stops (it runs again later)");
    free(done);
    return false;
  }
  if (e != KR_OK) log_msg(LOG_WARNING, "the monitor's refresh failed: %s", kr_err_title(e));
  else if (more) log_event(LOG_DEBUG, "monitor refreshed", json_pack("{s:s}", "step", done));
  free(done);
  if (busy) {
    /* Another replica refreshes (perhaps what woke this one): look again shortly, as what woke
     * this one may have come after the other's step began. */
    struct timespec pause = {BUSY_PAUSE_MS / 1000, (BUSY_PAUSE_MS % 1000) * 1000000L};
    nanosleep(&pause, NULL);
    return true;
  }
  return more;
}
