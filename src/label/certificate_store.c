#include "label/certificate_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The certificates with their status on the date in parameter `on`, and the answers stored with
 * it (sql/0006); `pub` is the parameter that asks for the public view. */
#define CERT_VIEW(pub) "CASE WHEN " pub "::boolean THEN s.public_view ELSE s.full_view END"
#define CERT_ROWS(on)                                                                              \
  " FROM certificates c JOIN certificate_statuses s ON s.certificate_id = c.id"                   \
  "  AND s.from_on <= " on "::date AND " on "::date < s.until_on"

static const db_statement cert_get = {
    "label_cert_get",
    "SELECT " CERT_VIEW("$3") ", s.status, c.organisation_id, c.certifying_body_id, c.id,"
    " c.valid_from - date '1970-01-01', c.valid_until - date '1970-01-01'" CERT_ROWS("$2")
    " WHERE c.certificate_number = $1"};

static const db_statement cert_lock = {
    "label_cert_lock",
    "SELECT c.organisation_id, c.certifying_body_id, c.id FROM certificates c"
    " WHERE c.certificate_number = $1 FOR NO KEY UPDATE"};

static const db_statement certs_on = {
    "label_certs_on",
    "SELECT c.certificate_number, c.valid_until - date '1970-01-01', s.status FROM certificates c"
    " JOIN certificate_statuses s ON s.certificate_id = c.id AND s.from_on <= $2::date AND $2::date < s.until_on"
    " WHERE c.organisation_id = $1 ORDER BY c.valid_from, c.issued_at"};

static const db_statement cert_page = {
    "label_cert_page",
    "SELECT " CERT_VIEW("$1") ", kr_sort_key(c.issued_at), c.id" CERT_ROWS("$2")
    " JOIN organisations o ON o.id = c.organisation_id"
    " WHERE (NOT $1::boolean OR s.status NOT IN ('withdrawn', 'not_yet_valid'))"
    "   AND ($12::text IS NULL OR s.status = $12)"
    "   AND ($3::uuid IS NULL OR c.organisation_id = $3) AND ($4::uuid IS NULL OR c.certifying_body_id = $4)"
    "   AND ($5::text IS NULL OR kr_fold(o.name) LIKE '%' || replace(replace(replace(kr_fold($5),"
    "        '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
    "   AND ($6::text IS NULL OR kr_fold(o.city) = kr_fold($6))"
    "   AND ($7::text IS NULL OR $7 = ANY (o.municipality_codes))"
    "   AND ($8::text IS NULL OR o.kvk_number = $8)"
    "   AND ($9::bigint IS NULL OR (kr_sort_key(c.issued_at), c.id) > ($9::bigint, $10::uuid))"
    " ORDER BY kr_sort_key(c.issued_at), c.id LIMIT $11"};

static const db_statement cert_history = {
    "label_cert_history",
    "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', e.id, 'type', e.type,"
    " 'effectiveOn', e.effective_on, 'reason', e.reason, 'recordedAt', kr_utc(e.recorded_at),"
    " 'recordedBy', e.recorded_by) ORDER BY e.id), '[]'), 'nextCursor', NULL)"
    " FROM certificate_events e WHERE e.certificate_id = $1"};

static const db_statement cert_change_insert = {
    "label_cert_change",
    "INSERT INTO certificate_events (certificate_id, type, effective_on, reason, recorded_by)"
    " VALUES ($1, $2, $3, $4, $5::uuid)"};

const db_statement *const label_certificate_statements[] = {
    &cert_get, &cert_lock, &certs_on, &cert_page, &cert_history, &cert_change_insert, NULL};

static void copy_id(char out[37], const char *value) { snprintf(out, 37, "%s", value); }

kr_err label_certificate_get(db_conn *db, const char *number, kr_date on, bool public_view,
                             certificate_row *out) {
  memset(out, 0, sizeof *out);
  char day[11];
  date_format(on, day);
  PGresult *r = db_exec(db, &cert_get, 3, (const char *[]){number, day, public_view ? "true" : "false"});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK && !label_cert_status_parse(PQgetvalue(r, 0, 1), &out->status)) e = KR_INTERNAL;
  if (e == KR_OK) {
    copy_id(out->organisation_id, PQgetvalue(r, 0, 2));
    copy_id(out->body_id, PQgetvalue(r, 0, 3));
    copy_id(out->id, PQgetvalue(r, 0, 4));
    out->valid_from = (kr_date)atol(PQgetvalue(r, 0, 5));
    out->valid_until = (kr_date)atol(PQgetvalue(r, 0, 6));
    out->json = PQgetvalue(r, 0, 0); /* sent as PostgreSQL wrote it: no copy */
    out->result = r;
    return e;
  }
  PQclear(r);
  return e;
}

kr_err label_certificate_lock(db_conn *db, const char *number, certificate_row *out) {
  memset(out, 0, sizeof *out);
  PGresult *r = db_exec(db, &cert_lock, 1, (const char *[]){number});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    copy_id(out->organisation_id, PQgetvalue(r, 0, 0));
    copy_id(out->body_id, PQgetvalue(r, 0, 1));
    copy_id(out->id, PQgetvalue(r, 0, 2));
  }
  PQclear(r);
  return e;
}

void certificate_row_free(certificate_row *row) {
  PQclear(row->result);
  row->result = NULL;
  row->json = NULL;
}

kr_err label_running_certificate(db_conn *db, const char *organisation_id, kr_date on, bool *runs,
                                 kr_date *until, char number[32]) {
  char day[11];
  date_format(on, day);
  PGresult *r = db_exec(db, &certs_on, 2, (const char *[]){organisation_id, day});
  kr_err e = db_result_error(db, r);
  *runs = false;
  for (int row = 0; e == KR_OK && row < PQntuples(r); row++) {
    cert_status s;
    kr_date to = (kr_date)atol(PQgetvalue(r, row, 1));
    if (label_cert_status_parse(PQgetvalue(r, row, 2), &s) && label_cert_runs(s) && (!*runs || to > *until)) {
      *runs = true;
      *until = to;
      snprintf(number, 32, "%s", PQgetvalue(r, row, 0));
    }
  }
  PQclear(r);
  return e;
}

kr_err label_certificate_page(db_conn *db, const certificate_filter *f, kr_date on,
                              const page_cursor *after, int limit, PGresult **out) {
  char rows[16], day[11];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  date_format(on, day);
  const char *v[] = {f->public_view ? "true" : "false", day, f->only_org, f->only_body, f->q, f->city,
                     f->municipality, f->kvk, after->present ? after->key : NULL,
                     after->present ? after->id : NULL, rows, f->status};
  return db_fetch_result(db, &cert_page, 12, v, out);
}

kr_err label_certificate_history(db_conn *db, const char *certificate_id, char **json) {
  return db_fetch_text(db, &cert_history, 1, (const char *[]){certificate_id}, json);
}

kr_err label_certificate_change(db_conn *db, const char *certificate_id, const char *type,
                                const char *effective_on, const char *reason, const char *account) {
  return db_run(db, &cert_change_insert, 5, (const char *[]){certificate_id, type, effective_on, reason, account});
}
