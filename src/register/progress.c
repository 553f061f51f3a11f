/* Progress towards re-registration, and re-registration itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/body.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/progress.h"
#include "register/view.h"

/* The periods with their frozen requirements. */
typedef struct {
  int number;
  kr_date starts_on, ends_on;
  reg_requirements req;
  int window_weeks, period_years;
} period_row;

static int64_t hundredths(const json_t *v) { return (int64_t)(json_number_value(v) * 100.0 + 0.5); }

static void read_requirements(const char *json, reg_requirements *req) {
  memset(req, 0, sizeof *req);
  json_t *r = json_loads(json, 0, NULL);
  size_t i;
  const json_t *c;
  json_array_foreach(json_object_get(r, "categories"), i, c) {
    int k = register_category_index(json_string_value(json_object_get(c, "category")));
    if (k < 0) continue;
    req->minimum[k] = hundredths(json_object_get(c, "minimumHours"));
    req->has_cap[k] = json_is_number(json_object_get(c, "capHours"));
    req->cap[k] = req->has_cap[k] ? hundredths(json_object_get(c, "capHours")) : 0;
  }
  req->total = hundredths(json_object_get(r, "totalHours"));
  json_decref(r);
}

/* The periods of a professional (at most 32); *n how many. */
static kr_err load_periods(db_conn *db, const char *id, period_row *rows, int *n) {
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, register_statement(REG_PERIODS), 1, (const char *[]){id}, &r);
  *n = 0;
  for (int i = 0; e == KR_OK && i < PQntuples(r) && i < 32; i++) {
    period_row *p = &rows[(*n)++];
    p->number = atoi(PQgetvalue(r, i, 0));
    date_parse(PQgetvalue(r, i, 1), &p->starts_on);
    date_parse(PQgetvalue(r, i, 2), &p->ends_on);
    read_requirements(PQgetvalue(r, i, 3), &p->req);
    p->window_weeks = atoi(PQgetvalue(r, i, 4));
    p->period_years = atoi(PQgetvalue(r, i, 5));
  }
  PQclear(r);
  return e;
}

static kr_err compute(db_conn *db, const char *id, const period_row *p, reg_progress *out) {
  char start[11], end[11];
  date_format(p->starts_on, start);
  date_format(p->ends_on, end);
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, register_statement(REG_COMPLETED_ACTIVITIES), 3, (const char *[]){id, start, end}, &r);
  int n = e == KR_OK ? PQntuples(r) : 0;
  reg_activity *acts = calloc(n ? (size_t)n : 1, sizeof *acts);
  if (e == KR_OK && !acts) e = KR_INTERNAL;
  for (int i = 0; e == KR_OK && i < n; i++) {
    acts[i].category = register_category_index(PQgetvalue(r, i, 0));
    acts[i].completed = true;
    date_parse(PQgetvalue(r, i, 1), &acts[i].completed_on);
    acts[i].hours = atoll(PQgetvalue(r, i, 2));
  }
  if (e == KR_OK) register_progress(&p->req, acts, (size_t)n, p->starts_on, p->ends_on, out);
  free(acts);
  PQclear(r);
  return e;
}

static json_t *hours(int64_t h) { return json_real((double)h / 100.0); }

static json_t *progress_json(const period_row *p, const reg_progress *g, kr_date on) {
  char on_text[11], start[11], end[11], opens[11];
  date_format(on, on_text);
  date_format(p->starts_on, start);
  date_format(p->ends_on, end);
  date_format(register_window_opens(p->ends_on, p->window_weeks), opens);
  json_t *categories = json_array(), *unmet = json_array();
  for (int c = 0; c < REGISTER_CATEGORIES; c++) {
    json_array_append_new(categories,
                          json_pack("{s:s, s:o, s:o, s:o, s:o}", "category", register_category_name(c), "countedHours",
                                    hours(g->counted[c]), "creditedHours", hours(g->credited[c]), "minimumHours",
                                    hours(p->req.minimum[c]), "capHours", p->req.has_cap[c] ? hours(p->req.cap[c]) : json_null()));
    if (g->missing[c] > 0)
      json_array_append_new(unmet, json_pack("{s:s, s:o}", "requirement", register_category_name(c), "missingHours",
                                             hours(g->missing[c])));
  }
  if (g->missing_total > 0)
    json_array_append_new(unmet, json_pack("{s:s, s:o}", "requirement", "total", "missingHours", hours(g->missing_total)));
  return json_pack("{s:s, s:i, s:s, s:s, s:o, s:o, s:o, s:b, s:o, s:s, s:s}", "on", on_text, "periodNumber", p->number,
                   "periodStart", start, "periodEnd", end, "categories", categories, "totalCreditedHours",
                   hours(g->total_credited), "totalRequiredHours", hours(p->req.total), "met", g->met, "unmet", unmet,
                   "windowOpensOn", opens, "windowClosesOn", end);
}

/* The period containing `on` (or the last one started); -1 after answering 409. */
static int period_for(http_ctx *ctx, const period_row *rows, int n, kr_date on) {
  reg_period spans[32];
  for (int i = 0; i < n; i++) spans[i] = (reg_period){rows[i].starts_on, rows[i].ends_on};
  int at = register_period_on(spans, (size_t)n, on);
  if (at < 0)
    http_reply_problem(ctx, KR_CONFLICT, "The professional has no registration period on that date.", NULL, NULL);
  return at;
}

void register_progress_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"on", NULL})) return;
  const char *id = register_professional_param(ctx);
  kr_date on;
  if (!id || !register_on_param(ctx, &on)) return;
  db_conn *db = http_db(ctx);
  char *exists = NULL;
  kr_err found = db ? register_fetch(db, REG_PRO_EXISTS, 1, (const char *[]){id}, &exists) : KR_UNAVAILABLE;
  free(exists);
  if (db && found != KR_OK) label_reply_error(ctx, found, "There is no such professional.");
  if (found != KR_OK) return;
  period_row rows[32];
  int n = 0, at;
  reg_progress g;
  kr_err e = load_periods(db, id, rows, &n);
  if (e != KR_OK) label_reply_error(ctx, e, NULL);
  else if ((at = period_for(ctx, rows, n, on)) >= 0) {
    if ((e = compute(db, id, &rows[at], &g)) != KR_OK) label_reply_error(ctx, e, NULL);
    else http_reply_json(ctx, 200, progress_json(&rows[at], &g, on));
  }
}

void register_reregistration_handler(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  if (!id) return;
  db_conn *db = http_db(ctx);
  json_t *pro = NULL;
  professional_facts f;
  if (!db || db_begin(db) != KR_OK || !register_load(ctx, db, id, true, &pro, &f)) {
    if (db && ctx->status == 0) label_reply_error(ctx, KR_UNAVAILABLE, NULL);
    if (db) db_rollback(db);
    return;
  }
  kr_date today = date_today();
  reg_status status = register_status_on(&f.facts, today);
  period_row rows[32];
  int n = 0;
  reg_progress g;
  kr_err e = load_periods(db, id, rows, &n);
  const period_row *last = n > 0 ? &rows[n - 1] : NULL;
  if (e != KR_OK) {
    label_reply_error(ctx, e, NULL);
  } else if (!last || (status != REG_REGISTERED && status != REG_SUSPENDED && status != REG_EXPIRED)) {
    http_reply_problem(ctx, KR_CONFLICT, "Only a current registration can be renewed.", NULL, NULL);
  } else if (today < register_window_opens(last->ends_on, last->window_weeks) || today > last->ends_on) {
    /* After the period's end the registration has expired: the window is closed for good. */
    json_t *errors = field_errors_new();
    char opens[11], message[96];
    date_format(register_window_opens(last->ends_on, last->window_weeks), opens);
    snprintf(message, sizeof message, "re-registration is open from %s to the end of the period", opens);
    field_error(errors, "window", message);
    http_reply_problem(ctx, KR_CONFLICT, "Re-registration is not open now.", errors, NULL);
  } else if ((e = compute(db, id, last, &g)) != KR_OK) {
    label_reply_error(ctx, e, NULL);
  } else if (!g.met) {
    json_t *errors = field_errors_new();
    char field[64], message[96];
    for (int c = 0; c <= REGISTER_CATEGORIES; c++) {
      int64_t missing = c < REGISTER_CATEGORIES ? g.missing[c] : g.missing_total;
      if (missing <= 0) continue;
      snprintf(field, sizeof field, "requirements.%s", c < REGISTER_CATEGORIES ? register_category_name(c) : "total");
      snprintf(message, sizeof message, "%.2f hours are still missing", (double)missing / 100.0);
      field_error(errors, field, message);
    }
    http_reply_problem(ctx, KR_CONFLICT, "The requirements of this period are not met yet.", errors, NULL);
  } else {
    char number[12], start[11], end[11];
    kr_date next = last->ends_on + 1;
    /* The next period takes the profile's current length and requirements. */
    int years = 0;
    e = register_profile_years(db, json_string_value(json_object_get(pro, "profile")), &years);
    snprintf(number, sizeof number, "%d", last->number + 1);
    date_format(next, start);
    date_format(register_period_end(next, years), end);
    if (e == KR_OK) e = register_run(db, REG_NEXT_PERIOD, 4, (const char *[]){id, number, start, end});
    if (e == KR_OK) e = register_history(ctx, db, id, "period_started", next, end);
    if (e == KR_OK) e = register_statuses_store(db, id);
    if (e == KR_OK) e = db_commit(db);
    if (e != KR_OK) label_reply_error(ctx, e, NULL);
    else register_reply_professional(ctx, db, id, today, 200);
  }
  db_rollback(db);
  json_decref(pro);
}

kr_err register_last_period_met(db_conn *db, const char *professional_id, bool *met) {
  period_row rows[32];
  int n = 0;
  reg_progress g;
  *met = false;
  kr_err e = load_periods(db, professional_id, rows, &n);
  if (e == KR_OK && n == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) e = compute(db, professional_id, &rows[n - 1], &g);
  if (e == KR_OK) *met = g.met;
  return e;
}
