#include "register/status_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/text.h"
#include "register/store.h"

#define BACKFILL_BATCH "1000"

static bool date_of(const json_t *obj, const char *name, kr_date *out) {
  return date_parse(json_string_value(json_object_get(obj, name)), out);
}

bool register_facts_of(const json_t *pro, professional_facts *out) {
  memset(out, 0, sizeof *out);
  reg_facts *f = &out->facts;
  if (!register_state_parse(json_string_value(json_object_get(pro, "state")), &f->state)) return false;
  f->has_deregistered_on = date_of(pro, "deregisteredOn", &f->deregistered_on);
  size_t i;
  const json_t *v;
  json_array_foreach(json_object_get(pro, "periods"), i, v) {
    if (f->period_count == 32) break;
    reg_period *p = &out->periods[f->period_count];
    if (date_of(v, "startsOn", &p->starts_on) && date_of(v, "endsOn", &p->ends_on)) f->period_count++;
  }
  json_array_foreach(json_object_get(pro, "measures"), i, v) {
    if (f->measure_count == 32) break;
    reg_measure *m = &out->measures[f->measure_count];
    if (!register_measure_type_parse(json_string_value(json_object_get(v, "type")), &m->type) ||
        !date_of(v, "startsOn", &m->starts_on))
      continue;
    m->has_ends_on = date_of(v, "endsOn", &m->ends_on);
    m->has_ended_on = date_of(v, "endedOn", &m->ended_on);
    f->measure_count++;
  }
  f->periods = out->periods;
  f->measures = out->measures;
  return true;
}

kr_err register_lock(db_conn *db, const char *id) {
  char *locked = NULL;
  kr_err e = db_fetch_text(db, register_statement(REG_PRO_LOCK), 1, (const char *[]){id}, &locked);
  free(locked);
  return e;
}

/* Timeline rows for one INSERT, as PostgreSQL array literals (columns of unnest). */
typedef struct {
  text_buf ids, from, until, status;
  size_t rows;
  bool ok;
} span_rows;

static void day_text(kr_date d, char out[12]) {
  if (d == REG_DATE_MIN) snprintf(out, 12, "-infinity");
  else if (d == REG_DATE_MAX) snprintf(out, 12, "infinity");
  else date_format(d, out);
}

static void append(text_buf *b, bool first, const char *item, bool *ok) {
  *ok = *ok && text_buf_puts(b, first ? "{" : ",") && text_buf_puts(b, item);
}

/* Adds the timeline of one professional's facts. */
static void add_timeline(span_rows *r, const char *id, const json_t *facts_json) {
  professional_facts f;
  reg_status_span spans[REG_TIMELINE_MAX(32, 32)];
  size_t n = r->ok && register_facts_of(facts_json, &f)
                 ? register_status_timeline(&f.facts, spans, sizeof spans / sizeof spans[0])
                 : 0;
  r->ok = r->ok && n > 0 && n <= sizeof spans / sizeof spans[0];
  for (size_t i = 0; r->ok && i < n; i++, r->rows++) {
    char from[12], until[12];
    day_text(spans[i].from_on, from);
    day_text(spans[i].until_on, until);
    append(&r->ids, r->rows == 0, id, &r->ok);
    append(&r->from, r->rows == 0, from, &r->ok);
    append(&r->until, r->rows == 0, until, &r->ok);
    append(&r->status, r->rows == 0, register_status_name(spans[i].status), &r->ok);
  }
}

/* Inserts the rows with one statement, and frees them. */
static kr_err insert_timelines(db_conn *db, span_rows *r) {
  text_buf *columns[] = {&r->ids, &r->from, &r->until, &r->status};
  for (int i = 0; i < 4; i++) r->ok = r->ok && (r->rows == 0 || text_buf_puts(columns[i], "}"));
  kr_err e = r->ok ? KR_OK : KR_INTERNAL;
  if (e == KR_OK && r->rows > 0)
    e = db_run(db, register_statement(REG_STATUS_INSERT), 4,
               (const char *[]){r->ids.data, r->from.data, r->until.data, r->status.data});
  for (int i = 0; i < 4; i++) text_buf_free(columns[i]);
  return e;
}

kr_err register_statuses_store(db_conn *db, const char *id) {
  char *text = NULL;
  kr_err e = db_fetch_text(db, register_statement(REG_STATUS_FACTS), 1, (const char *[]){id}, &text);
  json_t *facts = e == KR_OK ? json_loads(text, 0, NULL) : NULL;
  free(text);
  span_rows rows = {.ok = facts != NULL};
  if (e == KR_OK) add_timeline(&rows, id, facts);
  if (e == KR_OK) e = db_run(db, register_statement(REG_STATUS_CLEAR), 1, (const char *[]){id});
  kr_err inserted = insert_timelines(db, &rows);
  json_decref(facts);
  return e != KR_OK ? e : inserted;
}

/* One batch: locks up to 1,000 professionals after `after` that have no timeline, reads their facts
 * after the lock, and inserts their timelines. *count gets how many; `after` moves on. */
static kr_err backfill_batch(db_conn *db, char after[37], size_t *count) {
  PGresult *locked = NULL, *facts = NULL;
  kr_err e = db_fetch_result(db, register_statement(REG_BACKFILL_LOCK_BATCH), 2,
                             (const char *[]){after, BACKFILL_BATCH}, &locked);
  int n = e == KR_OK ? PQntuples(locked) : 0;
  char first[37] = "";
  if (n > 0) {
    snprintf(first, sizeof first, "%s", PQgetvalue(locked, 0, 0));
    snprintf(after, 37, "%s", PQgetvalue(locked, n - 1, 0));
  }
  PQclear(locked);
  *count = 0;
  if (e != KR_OK || n == 0) return e;
  e = db_fetch_result(db, register_statement(REG_BACKFILL_FACTS), 2, (const char *[]){first, after}, &facts);
  span_rows rows = {.ok = true};
  for (int i = 0; e == KR_OK && i < PQntuples(facts); i++) {
    json_t *one = json_loads(PQgetvalue(facts, i, 1), 0, NULL);
    add_timeline(&rows, PQgetvalue(facts, i, 0), one);
    json_decref(one);
    (*count)++;
  }
  PQclear(facts);
  kr_err inserted = insert_timelines(db, &rows);
  return e != KR_OK ? e : inserted;
}

kr_err register_backfill_statuses(db_conn *db) {
  struct timespec started, ended;
  clock_gettime(CLOCK_MONOTONIC, &started);
  /* Another replica may hold the lock while it fills in a large register: wait for it. */
  kr_err e = db_begin(db);
  if (e == KR_OK) e = db_run(db, register_statement(REG_BACKFILL_PATIENCE), 0, NULL);
  if (e == KR_OK) e = db_run(db, register_statement(REG_BACKFILL_ADVISORY_LOCK), 0, NULL);
  char after[37] = "00000000-0000-0000-0000-000000000000";
  size_t total = 0, count = 1;
  while (e == KR_OK && count > 0) {
    e = backfill_batch(db, after, &count);
    total += count;
  }
  if (e == KR_OK) e = db_commit(db);
  db_rollback(db);
  clock_gettime(CLOCK_MONOTONIC, &ended);
  if (e == KR_OK && total > 0)
    log_msg(LOG_INFO, "derived the registration statuses of %zu professionals in %.0f ms", total,
            (double)(ended.tv_sec - started.tv_sec) * 1e3 + (double)(ended.tv_nsec - started.tv_nsec) / 1e6);
  return e;
}
