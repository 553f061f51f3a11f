#include "label/timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "label/rules.h"

static const db_statement org_lock = {
    "label_org_lock", "SELECT 1 FROM organisations WHERE id = $1 FOR NO KEY UPDATE"};

/* Every certificate of the organisations, in the order the pick rule prefers on ties, with its
 * dates as days since 1970-01-01 and its changes as "s|r|w<day>" joined by commas, in the order
 * they were recorded. */
static const db_statement facts = {
    "label_status_facts",
    "SELECT c.organisation_id, c.id, c.valid_from - date '1970-01-01', c.valid_until - date '1970-01-01',"
    " coalesce(string_agg(left(e.type, 1) || (e.effective_on - date '1970-01-01'), ',' ORDER BY e.id)"
    "          FILTER (WHERE e.type IN ('suspended', 'reinstated', 'withdrawn')), '')"
    " FROM certificates c LEFT JOIN certificate_events e ON e.certificate_id = c.id"
    " WHERE c.organisation_id = ANY ($1::uuid[])"
    " GROUP BY c.id ORDER BY c.organisation_id, c.valid_from, c.issued_at, c.id"};

static const db_statement orgs_lock = {
    "label_orgs_lock",
    "SELECT id FROM organisations WHERE id = ANY ($1::uuid[]) ORDER BY id FOR NO KEY UPDATE"};

static const db_statement store = {
    "label_status_store", "SELECT kr_store_statuses($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};

/* Organisations with a certificate that has no stored statuses, locked, at most 500. */
static const db_statement backfill_batch = {
    "label_status_backfill_batch",
    "SELECT coalesce('{' || string_agg(o.id::text, ',') || '}', '{}') FROM ("
    " SELECT o.id FROM organisations o WHERE o.id IN ("
    "  SELECT c.organisation_id FROM certificates c"
    "  WHERE NOT EXISTS (SELECT 1 FROM certificate_statuses s WHERE s.certificate_id = c.id))"
    " ORDER BY o.id LIMIT 500 FOR NO KEY UPDATE) o"};

const db_statement *const label_timeline_statements[] = {&org_lock, &orgs_lock, &facts, &store, &backfill_batch, NULL};

kr_err label_organisation_lock(db_conn *db, const char *organisation_id) {
  PGresult *r = db_exec(db, &org_lock, 1, (const char *[]){organisation_id});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  PQclear(r);
  return e;
}

/* The columns kr_store_statuses takes, each but the first a PostgreSQL array literal being
 * written. */
enum { ORGS, CERT_ID, CERT_FROM, CERT_UNTIL, CERT_STATUS, ORG_ID, ORG_FROM, ORG_UNTIL, ORG_CERT, ORG_STATUS, COLUMNS };

typedef struct {
  text_buf column[COLUMNS];
  bool ok;
} store_args;

/* Appends one element (plain text that needs no quoting: UUIDs, dates, status names). */
static void add(store_args *a, int column, const char *value) {
  text_buf *b = &a->column[column];
  a->ok = a->ok && text_buf_puts(b, b->len ? "," : "{") && text_buf_puts(b, value);
}

static const char *day_text(kr_date d, char out[11]) {
  if (d == DATE_NEG_INF) return "-infinity";
  if (d == DATE_POS_INF) return "infinity";
  date_format(d, out);
  return out;
}

/* Reads "s123,r456" into changes (room for max); gives how many. */
static size_t parse_changes(const char *text, cert_change *changes, size_t max) {
  size_t n = 0;
  for (const char *p = text; *p && n < max;) {
    cert_change_type t = *p == 's' ? CHANGE_SUSPENDED : *p == 'r' ? CHANGE_REINSTATED : CHANGE_WITHDRAWN;
    char *end;
    long day = strtol(p + 1, &end, 10);
    changes[n++] = (cert_change){t, (kr_date)day};
    p = *end == ',' ? end + 1 : end;
  }
  return n;
}

static size_t count_changes(const char *text) {
  size_t n = *text ? 1 : 0;
  for (; *text; text++) n += *text == ',';
  return n;
}

/* Computes the timelines of one organisation's certificates, rows [first, end) of r. */
static void derive_one(const PGresult *r, int first, int end, store_args *a) {
  size_t n = (size_t)(end - first), total = 0;
  for (int row = first; row < end; row++) total += count_changes(PQgetvalue(r, row, 4));
  cert_facts *certs = calloc(n, sizeof *certs);
  cert_change *changes = calloc(total + 1, sizeof *changes);
  cert_span *spans = calloc(LABEL_SPANS_MAX(total), sizeof *spans);
  certification_span *org = calloc(LABEL_SPANS_MAX(total + 2 * n), sizeof *org);
  char from[11], until[11];
  if (!certs || !changes || !spans || !org) a->ok = false;
  for (size_t k = 0, used = 0; a->ok && k < n; k++) {
    int row = first + (int)k;
    size_t c = parse_changes(PQgetvalue(r, row, 4), changes + used, total - used);
    certs[k] = (cert_facts){(kr_date)atol(PQgetvalue(r, row, 2)), (kr_date)atol(PQgetvalue(r, row, 3)),
                            changes + used, c};
    used += c;
    size_t s = label_certificate_timeline(certs[k].valid_from, certs[k].valid_until, certs[k].changes, c, spans);
    for (size_t i = 0; i < s; i++) {
      add(a, CERT_ID, PQgetvalue(r, row, 1));
      add(a, CERT_FROM, day_text(spans[i].from, from));
      add(a, CERT_UNTIL, day_text(spans[i].until, until));
      add(a, CERT_STATUS, label_cert_status_name(spans[i].status));
    }
  }
  size_t s = a->ok ? label_certification_timeline(certs, n, org) : 0;
  for (size_t i = 0; i < s; i++) {
    add(a, ORG_ID, PQgetvalue(r, first, 0));
    add(a, ORG_FROM, day_text(org[i].from, from));
    add(a, ORG_UNTIL, day_text(org[i].until, until));
    add(a, ORG_CERT, PQgetvalue(r, first + org[i].shown, 1));
    add(a, ORG_STATUS, label_cert_status_name(org[i].status));
  }
  free(certs);
  free(changes);
  free(spans);
  free(org);
}

/* Derives and stores the statuses of the organisations in `orgs` (an array literal). */
static kr_err derive(db_conn *db, const char *orgs) {
  PGresult *r = db_exec(db, &facts, 1, (const char *[]){orgs});
  kr_err e = db_result_error(db, r);
  store_args a = {.ok = true};
  for (int first = 0, rows = e == KR_OK ? PQntuples(r) : 0; first < rows;) {
    int end = first + 1;
    while (end < rows && strcmp(PQgetvalue(r, end, 0), PQgetvalue(r, first, 0)) == 0) end++;
    derive_one(r, first, end, &a);
    first = end;
  }
  PQclear(r);
  const char *values[COLUMNS];
  values[ORGS] = orgs; /* as given */
  for (int i = ORGS + 1; i < COLUMNS; i++) {
    if (a.ok && !a.column[i].len) a.ok = text_buf_puts(&a.column[i], "{");
    a.ok = a.ok && text_buf_append(&a.column[i], "}", 2); /* closes the literal, with its NUL */
    values[i] = a.column[i].data;
  }
  if (e == KR_OK && !a.ok) e = KR_INTERNAL;
  if (e == KR_OK) e = db_run(db, &store, COLUMNS, values);
  for (int i = 0; i < COLUMNS; i++) text_buf_free(&a.column[i]);
  return e;
}

kr_err label_statuses_derive(db_conn *db, const char *organisation_id) {
  char orgs[40];
  snprintf(orgs, sizeof orgs, "{%s}", organisation_id);
  return derive(db, orgs);
}

kr_err label_statuses_derive_all(db_conn *db, const char *organisations) {
  kr_err e = db_run(db, &orgs_lock, 1, (const char *[]){organisations});
  return e == KR_OK ? derive(db, organisations) : e;
}

kr_err label_statuses_backfill(db_conn *db, int *derived) {
  *derived = 0;
  for (;;) {
    kr_err e = db_begin(db);
    PGresult *r = NULL;
    if (e == KR_OK) {
      /* One backfill at a time across replicas (the key is this module's own). */
      PGresult *l = db_exec_plain(db, "SELECT pg_advisory_xact_lock(727073690006)");
      e = db_result_error(db, l);
      PQclear(l);
    }
    if (e == KR_OK) {
      r = db_exec(db, &backfill_batch, 0, NULL);
      e = db_result_error(db, r);
    }
    const char *orgs = e == KR_OK ? PQgetvalue(r, 0, 0) : "{}";
    bool done = strcmp(orgs, "{}") == 0;
    if (e == KR_OK && !done) e = derive(db, orgs);
    if (e == KR_OK) e = db_commit(db);
    db_rollback(db);
    for (const char *p = orgs; !done && *p; p++) *derived += *p == ',';
    if (!done) (*derived)++;
    PQclear(r);
    if (e != KR_OK || done) return e;
  }
}
