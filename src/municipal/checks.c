/* Certification checks: is KvK number X certified on date D? For municipalities and the label
 * office; every municipality's check is logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/body.h"
#include "http/pagination.h"
#include "label/view.h"
#include "municipal/handlers.h"
#include "municipal/rules.h"
#include "municipal/store.h"

#define BULK_MAX 1000

static bool kvk_valid(const char *k) { return k && strlen(k) == 8 && strspn(k, "0123456789") == 8; }

/* Builds the check answer from kr_check_subject's JSON; *certified is the verdict. New
 * reference, NULL when out of memory. */
static json_t *answer(const char *kvk, kr_date on, const char *subject_json, bool *certified) {
  json_t *subject = json_loads(subject_json, 0, NULL);
  json_t *certs = json_object_get(subject, "certificates");
  size_t n = json_array_size(certs);
  check_candidate *candidates = calloc(n ? n : 1, sizeof *candidates);
  for (size_t i = 0; candidates && i < n; i++) {
    char *text = json_dumps(json_array_get(certs, i), JSON_COMPACT);
    if (text) label_certificate_facts(text, on, &candidates[i].status, &candidates[i].valid_from,
                                      &candidates[i].valid_until);
    free(text);
  }
  int pick = candidates ? municipal_pick_certificate(candidates, n, on) : -1;
  *certified = pick >= 0 && candidates[pick].status == CERT_VALID;
  char on_text[11];
  date_format(on, on_text);
  json_t *result = json_pack("{s:s, s:s, s:b, s:O?}", "kvkNumber", kvk, "on", on_text, "certified",
                             *certified, "organisation", json_object_get(subject, "organisation"));
  json_t *shown = json_null();
  if (pick >= 0) {
    /* The municipality's view: the status on `on`, and every recorded change with its date. */
    json_t *c = json_deep_copy(json_array_get(certs, (size_t)pick));
    json_t *events = json_incref(json_object_get(c, "events"));
    static const char *const dropped[] = {"changes", "events", "organisation", "auditId", "issuedAt",
                                          "previousCertificateNumber"};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) json_object_del(c, dropped[i]);
    json_object_set_new(c, "status", json_string(label_cert_status_name(candidates[pick].status)));
    json_object_set_new(c, "changes", events);
    shown = c;
  }
  if (result) json_object_set_new(result, "certificate", shown);
  else json_decref(shown);
  free(candidates);
  json_decref(subject);
  return result;
}

/* Logs the checks of a municipality account inside the open transaction. */
static kr_err log_checks(http_ctx *ctx, db_conn *db, kr_date on, const json_t *entries) {
  if (ctx->caller.role != ROLE_MUNICIPALITY) return KR_OK;
  char on_text[11];
  date_format(on, on_text);
  char *text = json_dumps(entries, JSON_COMPACT);
  kr_err e = text ? municipal_log_checks(db, ctx->caller.account_id, ctx->caller.link, on_text, text)
                  : KR_INTERNAL;
  free(text);
  return e;
}

/* Reads `on` (a date, default today), naming it when malformed. */
static kr_date date_or_today(const char *text, json_t *errors) {
  kr_date on = date_today();
  if (text && !date_parse(text, &on)) field_error(errors, "on", "must be a date (YYYY-MM-DD)");
  return on;
}

void municipal_check_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"kvkNumber", "on", NULL})) return;
  json_t *errors = field_errors_new();
  const char *kvk = http_query(ctx, "kvkNumber");
  if (!kvk) field_error(errors, "kvkNumber", "is required");
  else if (!kvk_valid(kvk)) field_error(errors, "kvkNumber", "must be 8 digits");
  kr_date on = date_or_today(http_query(ctx, "on"), errors);
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *subject = NULL;
  bool certified = false;
  json_t *result = NULL;
  kr_err e = db_begin(db);
  if (e == KR_OK) e = municipal_check_subject(db, kvk, &subject);
  if (e == KR_OK && !(result = answer(kvk, on, subject, &certified))) e = KR_INTERNAL;
  if (e == KR_OK) {
    json_t *entries = json_pack("[{s:s, s:b}]", "kvkNumber", kvk, "certified", certified);
    e = log_checks(ctx, db, on, entries);
    json_decref(entries);
  }
  if (e == KR_OK) e = db_commit(db);
  db_rollback(db);
  free(subject);
  if (e == KR_OK) http_reply_json(ctx, 200, result);
  else {
    json_decref(result);
    label_reply_error(ctx, e, NULL);
  }
}

void municipal_bulk_check_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"kvkNumbers", FIELD_ARRAY, true, false, false},
                                      {"on", FIELD_STRING, false, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 2, errors);
  const json_t *numbers = json_object_get(body, "kvkNumbers");
  size_t count = json_array_size(numbers);
  if (json_is_array(numbers) && (count < 1 || count > BULK_MAX))
    field_error(errors, "kvkNumbers", "must hold 1 to 1000 KvK numbers");
  size_t i;
  const json_t *k;
  char field[40];
  json_array_foreach(numbers, i, k) {
    if (kvk_valid(json_string_value(k))) continue;
    snprintf(field, sizeof field, "kvkNumbers[%zu]", i);
    field_error(errors, field, "must be 8 digits");
  }
  kr_date on = date_or_today(json_is_string(json_object_get(body, "on")) ? body_string(body, "on") : NULL, errors);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *text = json_dumps(numbers, JSON_COMPACT);
    PGresult *rows = NULL;
    json_t *results = json_array(), *log = json_array();
    /* One snapshot for every number (the answers agree with each other), and the log written
     * in the same transaction. */
    kr_err e = db_begin(db);
    if (e == KR_OK) {
      PGresult *r = db_exec_plain(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      e = db_result_error(db, r);
      PQclear(r);
    }
    if (e == KR_OK) e = text ? municipal_check_subjects(db, text, &rows) : KR_INTERNAL;
    for (int row = 0; e == KR_OK && row < PQntuples(rows); row++) {
      bool certified = false;
      json_t *one = answer(PQgetvalue(rows, row, 0), on, PQgetvalue(rows, row, 1), &certified);
      if (!one) e = KR_INTERNAL;
      json_array_append_new(results, one);
      json_array_append_new(log, json_pack("{s:s, s:b}", "kvkNumber", PQgetvalue(rows, row, 0),
                                           "certified", certified));
    }
    if (e == KR_OK) e = log_checks(ctx, db, on, log);
    if (e == KR_OK) e = db_commit(db);
    db_rollback(db);
    char on_text[11];
    date_format(on, on_text);
    if (e == KR_OK) http_reply_json(ctx, 200, json_pack("{s:s, s:O}", "on", on_text, "results", results));
    else label_reply_error(ctx, e, NULL);
    json_decref(results);
    json_decref(log);
    PQclear(rows);
    free(text);
  }
  json_decref(body);
}

void municipal_check_log_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "municipalityCode", "kvkNumber", NULL}))
    return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *municipality = http_query(ctx, "municipalityCode"), *kvk = http_query(ctx, "kvkNumber");
  if (municipality && (strlen(municipality) != 6 || strncmp(municipality, "GM", 2) != 0 ||
                       strspn(municipality + 2, "0123456789") != 4))
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
  if (kvk && !kvk_valid(kvk)) field_error(errors, "kvkNumber", "must be 8 digits");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *page = NULL;
  kr_err e = municipal_log_page(db, municipality, kvk, after.present ? after.key : NULL, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}
