#include "label/notices.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/date.h"
#include "core/log.h"
#include "http/context.h"

#define EXPIRY_BATCH 200

static const db_statement decided = {"label_notice_decided", "SELECT kr_audit_decided_notice($1::uuid)"};
static const db_statement changed = {"label_notice_changed", "SELECT kr_certificate_change_notice($1::uuid, $2)"};
static const db_statement outcome = {"label_notice_outcome", "SELECT kr_outcome_submitted_notice($1::uuid, $2)"};
static const db_statement expiring = {"label_notice_expiring",
                                      "SELECT kr_certificate_expiry_notices($1::date, $2::int)"};

static const db_statement current_roll = {"label_current_roll",
                                         "SELECT kr_certification_current_roll($1::date, $2::int)"};

const db_statement *const label_notice_statements[] = {&decided, &changed, &outcome, &expiring,
                                                       &current_roll, NULL};

kr_err label_notice_decided(db_conn *db, const char *audit_id) {
  return db_run(db, &decided, 1, (const char *[]){audit_id});
}

kr_err label_notice_certificate_change(db_conn *db, const char *certificate_id, const char *type) {
  return db_run(db, &changed, 2, (const char *[]){certificate_id, type});
}

kr_err label_notice_outcome(db_conn *db, const config *cfg, const char *audit_id) {
  if (!cfg->label_office_email[0]) return KR_OK; /* nobody to tell */
  return db_run(db, &outcome, 2, (const char *[]){audit_id, cfg->label_office_email});
}

bool label_notices_task(void *arg) {
  const http_services *services = arg;
  db_conn *db = db_acquire(services->pool);
  if (!db) return false;
  char today[11], batch[16], *queued = NULL;
  date_format(date_today(), today);
  snprintf(batch, sizeof batch, "%d", EXPIRY_BATCH);
  /* The checks' rows of the spans that answer today, rolled past the spans that began (sql/0031):
   * until then a check of such a number reads the spans, as fast as before. */
  char *rolled = NULL;
  kr_err roll = db_fetch_text(db, &current_roll, 2, (const char *[]){today, batch}, &rolled);
  int rolled_count = roll == KR_OK ? atoi(rolled) : 0;
  free(rolled);
  if (roll != KR_OK) log_msg(LOG_WARNING, "rolling the checks' current spans failed: %s", kr_err_title(roll));
  /* Two replicas at once queue nothing twice: each cause is unique in the outbox. */
  kr_err e = db_fetch_text(db, &expiring, 2, (const char *[]){today, batch}, &queued);
  db_release(services->pool, db);
  int n = e == KR_OK ? atoi(queued) : 0;
  free(queued);
  if (e != KR_OK) log_msg(LOG_WARNING, "the certificate expiry notices scan failed: %s", kr_err_title(e));
  else if (n > 0) log_event(LOG_INFO, "certificate expiry notices queued", json_pack("{s:i}", "count", n));
  return (e == KR_OK && n == EXPIRY_BATCH) || rolled_count == EXPIRY_BATCH;
}
