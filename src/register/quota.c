#include "register/quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label/view.h"

/* The lock serialises quota checks of one professional (and nothing else); the state comes with
 * it. No row lock: status changes of the record are not held up by uploads. */
static const db_statement quota_lock = {
    "reg_quota_lock",
    "SELECT p.state FROM (SELECT pg_advisory_xact_lock(hashtextextended('kr-quota:' || $1::text, 0))) l,"
    " professionals p WHERE p.id = $1::uuid"};

/* Activities whose startedOn falls in the same registration period as $2 (or, outside every
 * period, those outside every period too). */
static const db_statement activity_count = {
    "reg_quota_activities",
    "WITH periods AS (SELECT number, starts_on, ends_on FROM registration_periods WHERE professional_id = $1::uuid)"
    " SELECT count(*) FROM development_activities a WHERE a.professional_id = $1::uuid"
    " AND coalesce((SELECT number FROM periods WHERE a.started_on BETWEEN starts_on AND ends_on LIMIT 1), 0)"
    "   = coalesce((SELECT number FROM periods WHERE $2::date BETWEEN starts_on AND ends_on LIMIT 1), 0)"};

static const db_statement evidence_bytes = {
    "reg_quota_evidence_bytes",
    "SELECT coalesce(sum(f.size_bytes), 0)::bigint FROM evidence_files f"
    " JOIN development_activities a ON a.id = f.activity_id WHERE a.professional_id = $1::uuid"};

const db_statement *const register_quota_statements[] = {&quota_lock, &activity_count,
                                                         &evidence_bytes, NULL};

bool register_evidence_state_allows(const char *state) {
  return state && strcmp(state, "registered") == 0;
}

/* Takes the lock; *state gets the stored state (caller frees). False after answering. */
static bool lock(http_ctx *ctx, db_conn *db, const char *professional, char **state) {
  kr_err e = db_fetch_text(db, &quota_lock, 1, (const char *[]){professional}, state);
  if (e == KR_OK) return true;
  label_reply_error(ctx, e, "There is no such professional.");
  return false;
}

static bool count(http_ctx *ctx, db_conn *db, const db_statement *s, int n, const char *const *v,
                  long long *out) {
  char *text = NULL;
  kr_err e = db_fetch_text(db, s, n, v, &text);
  if (e == KR_OK) *out = atoll(text);
  else label_reply_error(ctx, e, NULL);
  free(text);
  return e == KR_OK;
}

bool register_quota_activity(http_ctx *ctx, db_conn *db, const char *professional,
                             const char *started_on) {
  char *state = NULL;
  if (!lock(ctx, db, professional, &state)) return false;
  free(state);
  long long held = 0;
  if (!count(ctx, db, &activity_count, 2, (const char *[]){professional, started_on}, &held))
    return false;
  int limit = ctx->services->cfg->max_activities_per_period;
  if (held < limit) return true;
  char detail[192];
  snprintf(detail, sizeof detail,
           "A professional may log at most %d development activities per registration period; "
           "this period holds %lld.", limit, held);
  http_reply_problem(ctx, KR_CONFLICT, detail, NULL, NULL);
  return false;
}

bool register_quota_evidence(http_ctx *ctx, db_conn *db, const char *professional, size_t bytes) {
  char *state = NULL;
  if (!lock(ctx, db, professional, &state)) return false;
  bool allowed = register_evidence_state_allows(state);
  char detail[224];
  if (!allowed) {
    snprintf(detail, sizeof detail,
             "Evidence is kept for registered professionals only; this record is %.20s.", state);
    http_reply_problem(ctx, KR_CONFLICT, detail, NULL, NULL);
  }
  free(state);
  if (!allowed) return false;
  long long held = 0;
  if (!count(ctx, db, &evidence_bytes, 1, (const char *[]){professional}, &held)) return false;
  long long limit = ctx->services->cfg->evidence_bytes_per_professional;
  if (held + (long long)bytes <= limit) return true;
  snprintf(detail, sizeof detail,
           "A professional may keep at most %lld bytes of evidence; %lld are left. Delete evidence "
           "that is no longer needed first.", limit, held < limit ? limit - held : 0);
  http_reply_problem(ctx, KR_PAYLOAD_TOO_LARGE, detail, NULL, NULL);
  return false;
}
