/* Certificates: the full record for the parties, a public view for anyone, their history, and
 * suspension, reinstatement and withdrawal by the label office or the issuing body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"
#include "label/certificate_store.h"
#include "label/handlers.h"
#include "label/notices.h"
#include "label/timeline.h"
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

/* The path's {certificateNumber} when it is well formed; otherwise answers 400 and gives NULL. */
static const char *number_param(http_ctx *ctx) {
  const char *number = http_path_param(ctx, "certificateNumber");
  if (number_valid(number)) return number;
  json_t *errors = field_errors_new();
  field_error(errors, "certificateNumber", "must look like KSW-2024-000123");
  http_reply_if_invalid(ctx, errors);
  return NULL;
}

/* Loads {certificateNumber} as it stands on `on`; false after answering 400/404/503. */
static bool load(http_ctx *ctx, db_conn *db, kr_date on, bool public_view, certificate_row *c) {
  const char *number = number_param(ctx);
  kr_err e = number ? label_certificate_get(db, number, on, public_view, c) : KR_OK;
  if (e != KR_OK) label_reply_error(ctx, e, not_found);
  return number && e == KR_OK;
}

/* Answers the certificate as loaded; the public never sees a withdrawn one. */
static void reply_row(http_ctx *ctx, const certificate_row *c, bool public_view, int status) {
  if (public_view && c->status == CERT_WITHDRAWN) label_reply_error(ctx, KR_NOT_FOUND, not_found);
  else http_reply_raw(ctx, status, "application/json", c->json, strlen(c->json));
}

void label_cert_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  if (ctx->signed_in && ctx->caller.role == ROLE_PROFESSIONAL) {
    http_reply_problem(ctx, KR_FORBIDDEN, "Use the public certificate view without a token.", NULL, NULL);
    return;
  }
  db_conn *db = http_db(ctx);
  certificate_row c;
  /* Without a token anyone gets the public view; with one, another party's certificate is
   * not there at all. */
  if (!db || !load(ctx, db, date_today(), !ctx->signed_in, &c)) return;
  if (ctx->signed_in && !entitled(ctx, &c)) label_reply_error(ctx, KR_NOT_FOUND, not_found);
  else reply_row(ctx, &c, !ctx->signed_in, 200);
  certificate_row_free(&c);
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
  certificate_filter f = {
      .public_view = !ctx->signed_in,
      .only_org = ctx->signed_in && ctx->caller.role == ROLE_ORGANISATION ? ctx->caller.link : NULL,
      .only_body = ctx->signed_in && ctx->caller.role == ROLE_CERTIFIER ? ctx->caller.link : NULL,
      .status = http_query(ctx, "status"), .q = http_query(ctx, "q"), .city = http_query(ctx, "city"),
      .municipality = http_query(ctx, "municipalityCode"), .kvk = http_query(ctx, "kvkNumber")};
  if (f.q && (!*f.q || text_utf8_length(f.q) > 100)) field_error(errors, "q", "must have 1 to 100 characters");
  if (f.city && (!*f.city || text_utf8_length(f.city) > 100))
    field_error(errors, "city", "must have 1 to 100 characters");
  if (f.municipality && (strlen(f.municipality) != 6 || strncmp(f.municipality, "GM", 2) != 0 ||
                         strspn(f.municipality + 2, "0123456789") != 4))
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
  if (f.kvk && (strlen(f.kvk) != 8 || strspn(f.kvk, "0123456789") != 8))
    field_error(errors, "kvkNumber", "must be 8 digits");
  bool known_status = false;
  for (const char *const *s = statuses; f.status && *s; s++) known_status |= strcmp(*s, f.status) == 0;
  if (f.status && !known_status)
    field_error(errors, "status", "must be valid, suspended, withdrawn, expired or not_yet_valid");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *page = NULL;
  kr_err e = label_certificate_page(db, &f, date_today(), &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void label_cert_history_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  certificate_row c;
  if (!db || !load(ctx, db, date_today(), false, &c)) return;
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
  certificate_row c = {0}, now = {0};
  const char *number = NULL, *refusal = NULL;
  kr_err e = KR_OK;
  if (http_reply_if_invalid(ctx, errors) || !(number = number_param(ctx))) {
    /* answered */
  } else if ((e = db_begin(db)) != KR_OK || (e = label_certificate_lock(db, number, &c)) != KR_OK) {
    label_reply_error(ctx, e, not_found);
  } else if (!(ctx->caller.role == ROLE_ADMIN ||
               (ctx->caller.role == ROLE_CERTIFIER && strcmp(ctx->caller.link, c.body_id) == 0))) {
    label_reply_error(ctx, KR_NOT_FOUND, not_found);
  } else if ((e = label_certificate_get(db, number, on, false, &now)) != KR_OK) {
    /* Read after the lock: a change that committed while this one waited is seen. */
    label_reply_error(ctx, e, not_found);
  } else if (on < now.valid_from || on > now.valid_until) {
    errors = field_errors_new();
    field_error(errors, "effectiveOn", "must lie within the certificate's validity");
    http_reply_if_invalid(ctx, errors);
  } else if ((refusal = label_change_refusal(type, now.status))) {
    http_reply_problem(ctx, KR_CONFLICT, refusal, NULL, NULL);
  } else {
    char date[11];
    date_format(on, date);
    certificate_row after = {0};
    e = label_certificate_change(db, c.id, names[type], date, body_string(body, "reason"), ctx->caller.account_id);
    if (e == KR_OK) e = label_notice_certificate_change(db, c.id, names[type]);
    if (e == KR_OK) e = label_organisation_lock(db, c.organisation_id);
    if (e == KR_OK) e = label_statuses_derive(db, c.organisation_id);
    if (e == KR_OK) e = label_certificate_get(db, number, date_today(), false, &after);
    if (e == KR_OK) e = db_commit(db);
    if (e == KR_OK) reply_row(ctx, &after, false, 200);
    else label_reply_error(ctx, e, not_found);
    certificate_row_free(&after);
  }
  db_rollback(db);
  certificate_row_free(&now);
  json_decref(body);
}

void label_cert_suspend_handler(http_ctx *ctx) { change(ctx, CHANGE_SUSPENDED); }
void label_cert_reinstate_handler(http_ctx *ctx) { change(ctx, CHANGE_REINSTATED); }
void label_cert_withdraw_handler(http_ctx *ctx) { change(ctx, CHANGE_WITHDRAWN); }
