/* Privacy: the erasure of a professional's personal data, and the retention task. */
#include "register/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/log.h"
#include "http/body.h"
#include "label/view.h"
#include "register/view.h"

/* Rows of each kind a run of the task handles in one statement (one transaction). */
#define RETENTION_BATCH 50

static const char missing[] = "There is no such professional.";

static const db_statement erase = {"register_privacy_erase",
                                   "SELECT kr_professional_erase($1::uuid, $2, $3::uuid, $4::date)"};
static const db_statement retention = {
    "register_privacy_retention",
    "SELECT applications_erased, evidence_deleted FROM kr_retention_apply($1::date, $2::int)"};

const db_statement *const register_privacy_statements[] = {&erase, &retention, NULL};

register_erasure_effect register_erasure_effect_on(const reg_facts *f, kr_date today) {
  if (f->state == STATE_APPLIED) return ERASURE_CLOSES_APPLICATION;
  if (f->state != STATE_REGISTERED && f->state != STATE_DEREGISTERED) return ERASURE_KEEPS_STATUS;
  reg_status now = register_status_on(f, today);
  bool runs = now == REG_REGISTERED || now == REG_SUSPENDED || now == REG_APPLIED;
  return runs ? ERASURE_ENDS_REGISTRATION : ERASURE_KEEPS_STATUS;
}

/* The erasure's effect on the registration, written with the register's own statements. */
static kr_err end_registration(http_ctx *ctx, db_conn *db, const char *id, const professional_facts *f) {
  kr_date today = date_today();
  switch (register_erasure_effect_on(&f->facts, today)) {
  case ERASURE_CLOSES_APPLICATION: {
    kr_err e = register_run(db, REG_REJECT, 2, (const char *[]){id, NULL});
    return e == KR_OK ? register_history(ctx, db, id, "rejected", today, "The application was closed by the erasure.")
                      : e;
  }
  case ERASURE_ENDS_REGISTRATION: {
    char day[11];
    date_format(today, day);
    kr_err e = register_run(db, REG_DEREGISTER, 2, (const char *[]){id, day});
    return e == KR_OK
               ? register_history(ctx, db, id, "deregistered", today, "The registration was ended by the erasure.")
               : e;
  }
  case ERASURE_KEEPS_STATUS:
    break;
  }
  return KR_OK;
}

/* Under the professional's row lock: erases, ends the registration, stores the new timeline,
 * commits and answers. */
static void erase_locked(http_ctx *ctx, db_conn *db, const char *id, const char *reason, const professional_facts *f) {
  char today[11], *outcome = NULL;
  date_format(date_today(), today);
  kr_err e = db_fetch_text(db, &erase, 4, (const char *[]){id, reason, ctx->caller.account_id, today}, &outcome);
  bool before = e == KR_OK && strcmp(outcome, "erased_before") == 0;
  if (e == KR_OK && strcmp(outcome, "not_found") == 0) e = KR_NOT_FOUND;
  else if (e == KR_OK && !before && strcmp(outcome, "erased") != 0) e = KR_INTERNAL;
  free(outcome);
  if (before) {
    http_reply_problem(ctx, KR_CONFLICT, "The professional's personal data was erased before.", NULL, NULL);
    return;
  }
  if (e == KR_OK) e = end_registration(ctx, db, id, f);
  if (e == KR_OK) e = register_statuses_store(db, id);
  if (e == KR_OK) e = db_commit(db);
  if (e == KR_OK) register_reply_professional(ctx, db, id, date_today(), 200);
  else label_reply_error(ctx, e, missing);
}

void register_erasure_handler(http_ctx *ctx) {
  static const body_field fields[] = {{"reason", FIELD_STRING, true, false, false}};
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, fields, 1, errors);
  label_check_text(body, "reason", 1, REGISTER_ERASURE_REASON_MAX, errors);
  db_conn *db = NULL;
  json_t *pro = NULL;
  professional_facts f;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    kr_err e = db_begin(db);
    if (e != KR_OK) label_reply_error(ctx, e, NULL);
    else if (register_load(ctx, db, id, true, &pro, &f)) erase_locked(ctx, db, id, body_string(body, "reason"), &f);
    db_rollback(db);
  }
  json_decref(pro);
  json_decref(body);
}

bool register_retention_task(void *arg) {
  const http_services *services = arg;
  db_conn *db = db_acquire(services->pool);
  if (!db) return false;
  char today[11], batch[16];
  date_format(date_today(), today);
  snprintf(batch, sizeof batch, "%d", RETENTION_BATCH);
  /* One statement, so one transaction: a batch is done whole or not at all. */
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, &retention, 2, (const char *[]){today, batch}, &r);
  int erased = 0, deleted = 0;
  if (e == KR_OK && PQntuples(r) == 1) {
    erased = atoi(PQgetvalue(r, 0, 0));
    deleted = atoi(PQgetvalue(r, 0, 1));
  }
  PQclear(r);
  db_release(services->pool, db);
  if (e != KR_OK)
    log_msg(LOG_WARNING, "the retention rules could not be applied: %s", kr_err_title(e));
  else if (erased > 0 || deleted > 0)
    log_event(LOG_INFO, "retention rules applied",
              json_pack("{s:i, s:i}", "applicationsErased", erased, "evidenceDeleted", deleted));
  return e == KR_OK && (erased == RETENTION_BATCH || deleted == RETENTION_BATCH);
}
