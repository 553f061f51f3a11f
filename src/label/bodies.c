/* Certifying bodies and their framework agreements (the label office); a certifier's account
 * reads its own body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/body.h"
#include "http/pagination.h"
#include "label/handlers.h"
#include "label/store.h"
#include "label/view.h"

static const char not_found[] = "There is no such certifying body.";

/* The {certifyingBodyId} the caller may reach: admin any, a certifier only its own. */
static const char *body_param(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "certifyingBodyId");
  if (id && ctx->caller.role != ROLE_ADMIN && strcmp(ctx->caller.link, id) != 0) {
    label_reply_error(ctx, KR_NOT_FOUND, not_found);
    return NULL;
  }
  return id;
}

void label_body_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"name", FIELD_STRING, true, false, false},
                                      {"id", FIELD_STRING, false, false, true},
                                      {"createdAt", FIELD_STRING, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 3, errors);
  label_check_text(body, "name", 1, 200, errors);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *json = NULL, id[37] = "";
    kr_err e = label_body_create(db, body_string(body, "name"), &json, id);
    label_reply_created(ctx, e, json, "/v1/certifying-bodies", id, not_found);
  }
  json_decref(body);
}

void label_body_list_handler(http_ctx *ctx) {
  int limit;
  page_cursor after;
  if (!page_query_only(ctx, &limit, &after)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *page = NULL;
  kr_err e = label_body_page(db, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void label_body_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = body_param(ctx);
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = label_body_get(db, id, &json);
  label_reply_result(ctx, e, json, not_found);
}

void label_agreement_create_handler(http_ctx *ctx) {
  const char *id = body_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"validFrom", FIELD_STRING, true, false, false},
                                      {"validUntil", FIELD_STRING, false, true, false},
                                      {"id", FIELD_STRING, false, false, true},
                                      {"certifyingBodyId", FIELD_STRING, false, false, true},
                                      {"createdAt", FIELD_STRING, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 5, errors);
  kr_date from = 0, until = 0;
  bool has_from = label_check_date(body, "validFrom", true, errors, &from);
  bool has_until = label_check_date(body, "validUntil", false, errors, &until);
  if (has_from && has_until && until < from) field_error(errors, "validUntil", "is before validFrom");
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char *json = NULL, agreement[37] = "", collection[96];
    kr_err e = label_agreement_create(db, id, body_string(body, "validFrom"),
                                      has_until ? body_string(body, "validUntil") : NULL, &json, agreement);
    /* Agreements have no route of their own: the Location is the body's list. */
    snprintf(collection, sizeof collection, "/v1/certifying-bodies/%s", id);
    label_reply_created(ctx, e, json, collection, "framework-agreements", not_found);
  }
  json_decref(body);
}

void label_agreement_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = body_param(ctx);
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = label_agreement_list(db, id, &json);
  label_reply_result(ctx, e, json, not_found);
}
