/* Certification checks: is KvK number X certified on date D? For municipalities and the label
 * office; every municipality's check is logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/body.h"
#include "http/pagination.h"
#include "label/view.h"
#include "municipal/check_log.h"
#include "municipal/handlers.h"
#include "municipal/store.h"

/* The most numbers one check may hold. The check log (sql/0012) numbers a check's entries in a
 * block of 1000 ids and refuses longer checks: raising this needs a migration there too. */
#define BULK_MAX 1000

static bool kvk_valid(const char *k) { return k && strlen(k) == 8 && strspn(k, "0123456789") == 8; }

/* Answers checks of `numbers` (a PostgreSQL array literal of validated KvK numbers) on `on`:
 * one statement answers them all in input order; a municipality's check is logged
 * (municipal/check_log.h) before the answer leaves. */
static void answer(http_ctx *ctx, const char *numbers, kr_date on, bool bulk) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  char day[11];
  date_format(on, day);
  PGresult *r = NULL;
  kr_err e = municipal_certification_checks(db, numbers, day, bulk, &r);
  if (e == KR_OK && ctx->caller.role == ROLE_MUNICIPALITY)
    e = check_log_record(db, ctx->caller.account_id, ctx->caller.link, day, numbers, PQgetvalue(r, 0, 1));
  char *json = e == KR_OK ? strdup(PQgetvalue(r, 0, 0)) : NULL;
  PQclear(r);
  label_reply_result(ctx, e == KR_OK && !json ? KR_INTERNAL : e, json, NULL);
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
  char numbers[16];
  snprintf(numbers, sizeof numbers, "{%s}", kvk);
  answer(ctx, numbers, on, false);
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
  /* The numbers as a PostgreSQL array literal: nine bytes each (8 digits and a comma). */
  char *list = malloc(count * 9 + 3);
  size_t len = 0;
  if (list) list[len++] = '{';
  json_array_foreach(numbers, i, k) {
    const char *kvk = json_string_value(k);
    if (!kvk_valid(kvk)) {
      snprintf(field, sizeof field, "kvkNumbers[%zu]", i);
      field_error(errors, field, "must be 8 digits");
    } else if (list) {
      if (len > 1) list[len++] = ',';
      memcpy(list + len, kvk, 8);
      len += 8;
    }
  }
  kr_date on = date_or_today(json_is_string(json_object_get(body, "on")) ? body_string(body, "on") : NULL, errors);
  if (!http_reply_if_invalid(ctx, errors)) {
    if (!list) http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
    else {
      list[len++] = '}';
      list[len] = '\0';
      answer(ctx, list, on, true);
    }
  }
  free(list);
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
  kr_err e = check_log_flush(db); /* this replica's checks are in what the page reads */
  if (e == KR_OK)
    e = municipal_log_page(db, municipality, kvk, after.present ? after.key : NULL, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}
