/* Certificates: the full record for the parties, a public view for anyone, their history, and
 * suspension, reinstatement and withdrawal by the label office or the issuing body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"
#include "label/audit_store.h"
#include "label/handlers.h"
#include "label/view.h"

static const char not_found[] = "There is no such certificate.";

/* Who sees the full certificate: the office and municipalities all, the organisation its own,
 * a certifier those its body issued. */
static bool entitled(const http_ctx *ctx, const certificate_row *c) {
  if (!ctx->signed_in) return false;
  switch (ctx->caller.role) {
    case ROLE_ADMIN:
    case ROLE_MUNICIPALITY: return true;
    case ROLE_ORGANISATION: return strcmp(ctx->caller.link, c->organisation_id) == 0;
    case ROLE_CERTIFIER: return strcmp(ctx->caller.link, c->body_id) == 0;
    default: return false;
  }
}

static bool number_valid(const char *n) {
  if (!n || strlen(n) != 15 || strncmp(n, "KSW-", 4) != 0 || n[8] != '-') return false;
  for (int i = 4; i < 15; i++)
    if (i != 8 && (n[i] < '0' || n[i] > '9')) return false;
  return true;
}

/* Loads {certificateNumber}; false after answering 400/404/503. */
static bool load(http_ctx *ctx, db_conn *db, bool lock, certificate_row *c) {
  const char *number = http_path_param(ctx, "certificateNumber");
  if (!number_valid(number)) {
    json_t *errors = field_errors_new();
    field_error(errors, "certificateNumber", "must look like KSW-2024-000123");
    http_reply_if_invalid(ctx, errors);
    return false;
  }
  kr_err e = label_certificate_get(db, number, lock, c);
  if (e != KR_OK) label_reply_error(ctx, e, not_found);
  return e == KR_OK;
}

static void reply_view(http_ctx *ctx, const char *json, bool public_view) {
  cert_status status;
  char *view = label_certificate_view(json, date_today(), public_view, &status);
  if (!view) http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
  else if (public_view && status == CERT_WITHDRAWN) {
    free(view);
    label_reply_error(ctx, KR_NOT_FOUND, not_found);
  } else label_reply_json_text(ctx, 200, view);
}

void label_cert_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  certificate_row c;
  if (!db || !load(ctx, db, false, &c)) return;
  /* Without a token anyone gets the public view; with one, another party's certificate is
   * not there at all. */
  if (ctx->signed_in && !entitled(ctx, &c)) label_reply_error(ctx, KR_NOT_FOUND, not_found);
  else reply_view(ctx, c.json, !ctx->signed_in);
  certificate_row_free(&c);
}

typedef struct {
  kr_date today;
  bool public_view;
  const char *status; /* NULL: any */
} list_filter;

/* A list item: the view today, unless the status filter or the public view leaves it out. */
static char *filtered_view(const char *row, void *arg) {
  const list_filter *f = arg;
  cert_status s;
  char *view = label_certificate_view(row, f->today, f->public_view, &s);
  bool hidden = f->public_view && (s == CERT_WITHDRAWN || s == CERT_NOT_YET_VALID);
  if (view && (hidden || (f->status && strcmp(label_cert_status_name(s), f->status) != 0))) {
    free(view);
    view = NULL;
  }
  return view;
}

static const char *const statuses[] = {"valid", "suspended", "withdrawn", "expired", "not_yet_valid", NULL};

void label_cert_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "q", "city", "municipalityCode",
                                                  "kvkNumber", "status", NULL}))
    return;
  if (ctx->signed_in && ctx->caller.role == ROLE_PROFESSIONAL) {
    http_reply_problem(ctx, KR_FORBIDDEN, "Use the public register without a token.", NULL, NULL);
    return;
  }
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *q = http_query(ctx, "q"), *city = http_query(ctx, "city");
  const char *municipality = http_query(ctx, "municipalityCode"), *kvk = http_query(ctx, "kvkNumber");
  const char *status = http_query(ctx, "status");
  if (q && (strlen(q) < 1 || strlen(q) > 100)) field_error(errors, "q", "must have 1 to 100 characters");
  if (city && (strlen(city) < 1 || strlen(city) > 100)) field_error(errors, "city", "must have 1 to 100 characters");
  if (municipality && (strlen(municipality) != 6 || strncmp(municipality, "GM", 2) != 0 ||
                       strspn(municipality + 2, "0123456789") != 4))
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
  if (kvk && (strlen(kvk) != 8 || strspn(kvk, "0123456789") != 8)) field_error(errors, "kvkNumber", "must be 8 digits");
  bool known_status = false;
  for (const char *const *s = statuses; status && *s; s++) known_status |= strcmp(*s, status) == 0;
  if (status && !known_status) field_error(errors, "status", "must be valid, suspended, withdrawn, expired or not_yet_valid");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  bool public_view = !ctx->signed_in;
  const char *only_org = ctx->signed_in && ctx->caller.role == ROLE_ORGANISATION ? ctx->caller.link : NULL;
  const char *only_body = ctx->signed_in && ctx->caller.role == ROLE_CERTIFIER ? ctx->caller.link : NULL;
  kr_date today = date_today();
  char today_text[11];
  date_format(today, today_text);
  PGresult *page = NULL;
  kr_err e = label_certificate_page(db, public_view, today_text, only_org, only_body, q, city,
                                    municipality, kvk, &after, limit, &page);
  if (e != KR_OK) {
    label_reply_error(ctx, e, NULL);
    return;
  }
  /* Statuses are computed here, so a status filter is applied after the query: a page may then
   * hold fewer than `limit` items, and the cursor still moves on past every row read. */
  list_filter filter = {today, public_view, status};
  page_reply_mapped(ctx, page, limit, filtered_view, &filter);
  PQclear(page);
}

void label_cert_history_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  certificate_row c;
  if (!db || !load(ctx, db, false, &c)) return;
  char *json = NULL;
  kr_err e = entitled(ctx, &c) ? label_certificate_history(db, c.id, &json) : KR_NOT_FOUND;
  label_reply_result(ctx, e, json, not_found);
  certificate_row_free(&c);
}

/* Suspension, reinstatement and withdrawal: one event each, checked against the status on the
 * day it takes effect. */
static void change(http_ctx *ctx, cert_change_type type) {
  static const char *const names[] = {"suspended", "reinstated", "withdrawn"};
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"reason", FIELD_STRING, true, false, false},
                                      {"effectiveOn", FIELD_STRING, false, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 2, errors);
  label_check_text(body, "reason", 1, 2000, errors);
  kr_date on = date_today();
  label_check_date(body, "effectiveOn", false, errors, &on);
  certificate_row c = {0};
  kr_err e = KR_OK;
  if (http_reply_if_invalid(ctx, errors)) {
    /* answered */
  } else if ((e = db_begin(db)) != KR_OK) {
    label_reply_error(ctx, e, NULL);
  } else if (!load(ctx, db, true, &c)) {
    /* answered */
  } else if (!(ctx->caller.role == ROLE_ADMIN ||
               (ctx->caller.role == ROLE_CERTIFIER && strcmp(ctx->caller.link, c.body_id) == 0))) {
    label_reply_error(ctx, KR_NOT_FOUND, not_found);
  } else {
    cert_status status;
    kr_date from, until;
    const char *refusal = NULL;
    if (!label_certificate_facts(c.json, on, &status, &from, &until)) {
      e = KR_INTERNAL;
    } else if (on < from || on > until) {
      errors = field_errors_new();
      field_error(errors, "effectiveOn", "must lie within the certificate's validity");
      http_reply_if_invalid(ctx, errors);
    } else if ((refusal = label_change_refusal(type, status))) {
      http_reply_problem(ctx, KR_CONFLICT, refusal, NULL, NULL);
    } else {
      char date[11];
      date_format(on, date);
      e = label_certificate_change(db, c.id, names[type], date, body_string(body, "reason"),
                                   ctx->caller.account_id);
      certificate_row after = {0};
      if (e == KR_OK) e = label_certificate_get(db, http_path_param(ctx, "certificateNumber"), false, &after);
      if (e == KR_OK) e = db_commit(db);
      if (e == KR_OK) reply_view(ctx, after.json, false);
      certificate_row_free(&after);
    }
    if (e != KR_OK) label_reply_error(ctx, e, not_found);
  }
  db_rollback(db);
  certificate_row_free(&c);
  json_decref(body);
}

void label_cert_suspend_handler(http_ctx *ctx) { change(ctx, CHANGE_SUSPENDED); }
void label_cert_reinstate_handler(http_ctx *ctx) { change(ctx, CHANGE_REINSTATED); }
void label_cert_withdraw_handler(http_ctx *ctx) { change(ctx, CHANGE_WITHDRAWN); }
