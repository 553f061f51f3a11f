#include "register/notices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/log.h"
#include "http/context.h"
#include "register/progress.h"
#include "register/view.h"

#define DUE_BATCH 200

kr_err register_notice(db_conn *db, const char *professional_id, const char *kind, const char *about,
                       const char *detail) {
  return register_run(db, REG_NOTICE, 4, (const char *[]){professional_id, kind, about, detail});
}

/* One due notice: queued, or, for the 4-weeks reminder of a professional whose requirements are
 * met by the C rules (register/rules.h), recorded as needing none. */
static kr_err queue_due(db_conn *db, const char *id, const char *kind, const char *cause, int *queued) {
  if (strcmp(kind, "reregistration_requirements_unmet") == 0) {
    bool met = false;
    kr_err e = register_last_period_met(db, id, &met);
    if (e != KR_OK || met) return e == KR_OK ? register_run(db, REG_NOTICE_SKIP, 1, (const char *[]){cause}) : e;
  }
  (*queued)++;
  /* the cause is kind:professional:period; the notice's own "about" is professional:period */
  return register_run(db, REG_NOTICE, 4, (const char *[]){id, kind, strchr(cause, ':') + 1, NULL});
}

bool register_notices_task(void *arg) {
  const http_services *services = arg;
  db_conn *db = db_acquire(services->pool);
  if (!db) return false;
  char today[11], batch[16], *locked = NULL;
  date_format(date_today(), today);
  snprintf(batch, sizeof batch, "%d", DUE_BATCH);
  int n = 0, queued = 0;
  kr_err e = db_begin(db);
  if (e == KR_OK) e = register_fetch(db, REG_NOTICES_LOCK, 0, NULL, &locked);
  if (e == KR_OK && strcmp(locked, "t") == 0) {
    PGresult *due = NULL;
    e = db_fetch_result(db, register_statement(REG_NOTICES_DUE), 2, (const char *[]){today, batch}, &due);
    n = e == KR_OK ? PQntuples(due) : 0;
    for (int i = 0; i < n && e == KR_OK; i++)
      e = queue_due(db, PQgetvalue(due, i, 0), PQgetvalue(due, i, 1), PQgetvalue(due, i, 2), &queued);
    PQclear(due);
    if (e == KR_OK) e = db_commit(db);
  }
  db_rollback(db);
  db_release(services->pool, db);
  free(locked);
  if (e != KR_OK) log_msg(LOG_WARNING, "the register notices scan failed: %s", kr_err_title(e));
  else if (queued > 0) log_event(LOG_INFO, "register notices queued", json_pack("{s:i}", "count", queued));
  return e == KR_OK && n == DUE_BATCH;
}
