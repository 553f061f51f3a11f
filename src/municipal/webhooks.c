/* Webhook subscriptions of municipalities, and their delivery logs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"
#include "label/view.h"
#include "municipal/handlers.h"
#include "municipal/store.h"
#include "municipal/target.h"

static const char not_found[] = "There is no such webhook subscription.";
static const char *const event_types[] = {"issued", "suspended", "reinstated", "withdrawn", "expired",
                                          "kvk_number_changed", NULL};

/* A municipality reaches its own subscriptions; the label office reads them all. */
static const char *owner_of(const http_ctx *ctx) {
  return ctx->caller.role == ROLE_ADMIN ? NULL : ctx->caller.account_id;
}

/* A list of distinct strings: event types from `allowed`, or (kvk) KvK numbers; at most `max`. */
static void check_string_set(const json_t *list, const char *name, const char *const *allowed,
                             bool kvk, bool non_empty, size_t max, json_t *errors) {
  if (!json_is_array(list)) return;
  if (non_empty && json_array_size(list) == 0) field_error(errors, name, "must name at least one");
  if (json_array_size(list) > max) {
    char message[48];
    snprintf(message, sizeof message, "may name at most %zu", max);
    field_error(errors, name, message);
    return;
  }
  size_t i, j;
  const json_t *v;
  char field[48];
  json_array_foreach(list, i, v) {
    snprintf(field, sizeof field, "%s[%zu]", name, i);
    const char *s = json_string_value(v);
    bool ok = s != NULL;
    if (ok && kvk) ok = strlen(s) == 8 && strspn(s, "0123456789") == 8;
    if (ok && allowed) {
      ok = false;
      for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(*a, s) == 0;
    }
    if (!ok) field_error(errors, field, kvk ? "must be 8 digits" : "must be issued, suspended, reinstated, withdrawn, expired or kvk_number_changed");
    for (j = 0; ok && j < i; j++)
      if (json_equal(v, json_array_get(list, j))) field_error(errors, field, "is listed twice");
  }
}

void municipal_subscription_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {
      {"targetUrl", FIELD_STRING, true, false, false}, {"eventTypes", FIELD_ARRAY, true, false, false},
      {"kvkNumbers", FIELD_ARRAY, false, false, false}, {"id", FIELD_STRING, false, false, true},
      {"active", FIELD_BOOLEAN, false, false, true},    {"secret", FIELD_STRING, false, false, true},
      {"createdAt", FIELD_STRING, false, false, true},  {"disabledReason", FIELD_STRING, false, true, true},
  };
  json_t *errors = field_errors_new();
  body_check(body, fields, sizeof fields / sizeof fields[0], errors);
  check_string_set(json_object_get(body, "eventTypes"), "eventTypes", event_types, false, true,
                   sizeof event_types / sizeof event_types[0] - 1, errors);
  check_string_set(json_object_get(body, "kvkNumbers"), "kvkNumbers", NULL, true, false, 1000, errors);
  const char *url = body_string(body, "targetUrl");
  vetted_target target;
  const char *why = url ? municipal_vet_target(ctx->services->cfg, url, &target) : NULL;
  if (why) field_error(errors, "targetUrl", why);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    /* The signing secret: shown in this answer only. */
    unsigned char raw[32];
    char secret[64] = "whsec_", *json = NULL, id[37] = "";
    bool made = rand_bytes(raw, sizeof raw);
    /* Standard base64 of the key (Standard Webhooks). */
    made = made && b64_encode(raw, sizeof raw, secret + 6, sizeof secret - 6) > 0;
    char *text = json_dumps(body, JSON_COMPACT);
    kr_err e = made && text ? municipal_subscription_create(db, ctx->caller.account_id, ctx->caller.link, text,
                                                            secret, &json, id)
                            : KR_INTERNAL;
    free(text);
    label_reply_created(ctx, e, json, "/v1/webhook-subscriptions", id, not_found);
  }
  json_decref(body);
}

void municipal_subscription_list_handler(http_ctx *ctx) {
  int limit;
  page_cursor after;
  db_conn *db = page_query_only(ctx, &limit, &after) ? http_db(ctx) : NULL;
  if (!db) return;
  PGresult *page = NULL;
  kr_err e = municipal_subscription_page(db, owner_of(ctx), &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void municipal_subscription_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "subscriptionId");
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = municipal_subscription_get(db, id, owner_of(ctx), &json);
  label_reply_result(ctx, e, json, not_found);
}

void municipal_subscription_delete_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "subscriptionId");
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  kr_err e = municipal_subscription_delete(db, id, owner_of(ctx));
  if (e == KR_OK) http_reply_empty(ctx, 204);
  else label_reply_error(ctx, e, not_found);
}

/* The subscription in the path, when the caller may reach it; false after answering. */
static bool own_subscription(http_ctx *ctx, db_conn *db, const char *id) {
  char *json = NULL;
  kr_err e = municipal_subscription_get(db, id, owner_of(ctx), &json);
  free(json);
  if (e != KR_OK) label_reply_error(ctx, e, not_found);
  return e == KR_OK;
}

void municipal_delivery_list_handler(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "subscriptionId");
  int limit;
  page_cursor after;
  db_conn *db = id && page_query_only(ctx, &limit, &after) ? http_db(ctx) : NULL;
  if (!db || !own_subscription(ctx, db, id)) return;
  PGresult *page = NULL;
  kr_err e = municipal_delivery_page(db, id, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void municipal_delivery_replay_handler(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "subscriptionId");
  const char *delivery = id ? http_uuid_param(ctx, "deliveryId") : NULL;
  db_conn *db = delivery ? http_db(ctx) : NULL;
  if (!db || !own_subscription(ctx, db, id)) return;
  char *json = NULL;
  kr_err e = municipal_delivery_replay(db, id, delivery, &json);
  if (e == KR_OK) label_reply_json_text(ctx, 202, json);
  else if (e == KR_CONFLICT)
    http_reply_problem(ctx, KR_CONFLICT, "This delivery is still queued or being delivered.", NULL, NULL);
  else label_reply_error(ctx, e, "There is no such delivery.");
}
