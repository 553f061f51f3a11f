/* Disciplinary measures (tuchtrecht), imposed, ended early and revoked by the register office. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/notices.h"
#include "register/view.h"

static const char missing[] = "There is no such measure.";

void register_measure_create_handler(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {
      {"type", FIELD_STRING, true, false, false},   {"startsOn", FIELD_STRING, true, false, false},
      {"endsOn", FIELD_STRING, false, true, false}, {"reason", FIELD_STRING, true, false, false},
      {"public", FIELD_BOOLEAN, true, false, false}, {"id", FIELD_STRING, false, false, true},
      {"state", FIELD_STRING, false, false, true},  {"endedOn", FIELD_STRING, false, false, true},
      {"revokedOn", FIELD_STRING, false, false, true}, {"revocationReason", FIELD_STRING, false, false, true},
      {"createdAt", FIELD_STRING, false, false, true}};
  json_t *errors = field_errors_new();
  body_check(body, fields, sizeof fields / sizeof fields[0], errors);
  measure_type type = MEASURE_WARNING;
  const char *type_text = body_string(body, "type");
  bool typed = type_text && register_measure_type_parse(type_text, &type);
  if (type_text && !typed)
    field_error(errors, "type", "must be warning, reprimand, conditional_suspension, suspension or striking_off");
  kr_date starts = 0, ends = 0;
  bool has_start = label_check_date(body, "startsOn", true, errors, &starts);
  bool has_end = label_check_date(body, "endsOn", false, errors, &ends);
  bool needs_end = typed && (type == MEASURE_SUSPENSION || type == MEASURE_CONDITIONAL_SUSPENSION);
  const json_t *end_member = json_object_get(body, "endsOn");
  if (typed && needs_end && (!end_member || json_is_null(end_member)))
    field_error(errors, "endsOn", "is required for a (conditional) suspension");
  else if (typed && !needs_end && has_end) field_error(errors, "endsOn", "belongs to a (conditional) suspension only");
  else if (has_start && has_end && ends < starts) field_error(errors, "endsOn", "is before startsOn");
  label_check_text(body, "reason", 1, 2000, errors);
  db_conn *db = NULL;
  json_t *pro = NULL;
  professional_facts f;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx)) && db_begin(db) == KR_OK &&
      register_load(ctx, db, id, true, &pro, &f)) {
    if (json_is_null(json_object_get(pro, "registrationNumber"))) {
      http_reply_problem(ctx, KR_CONFLICT, "Measures apply to registered professionals only.", NULL, NULL);
    } else {
      const char *v[] = {id, type_text, body_string(body, "startsOn"), has_end ? body_string(body, "endsOn") : NULL,
                         body_string(body, "reason"), json_is_true(json_object_get(body, "public")) ? "true" : "false",
                         ctx->caller.account_id};
      char *json = NULL, measure[37] = "", collection[96];
      kr_err e = db_fetch_text_and_id(db, register_statement(REG_MEASURE_INSERT), 7, v, &json, measure);
      if (e == KR_OK) e = register_history(ctx, db, id, "measure_imposed", starts, type_text);
      if (e == KR_OK) e = register_notice(db, id, "measure_imposed", measure, type_text);
      if (e == KR_OK) e = register_statuses_store(db, id);
      if (e == KR_OK) e = db_commit(db);
      snprintf(collection, sizeof collection, "/v1/professionals/%s/measures", id);
      label_reply_created(ctx, e, json, collection, measure, missing);
    }
  } else if (db && ctx->status == 0) {
    label_reply_error(ctx, KR_UNAVAILABLE, NULL);
  }
  if (db) db_rollback(db);
  json_decref(pro);
  json_decref(body);
}

void register_measure_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  char *exists = NULL, *json = NULL;
  kr_err e = register_fetch(db, REG_PRO_EXISTS, 1, (const char *[]){id}, &exists);
  free(exists);
  if (e == KR_OK) e = register_fetch(db, REG_MEASURE_LIST, 1, (const char *[]){id}, &json);
  label_reply_result(ctx, e, json, "There is no such professional.");
}

/* Ending early and revoking: the locked professional and measure, the checks, one update, a
 * history entry and the new timeline. */
static void change(http_ctx *ctx, bool revoke) {
  const char *id = register_professional_param(ctx);
  const char *measure = id ? http_uuid_param(ctx, "measureId") : NULL;
  if (!measure) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field end_fields[] = {{"on", FIELD_STRING, true, false, false}};
  static const body_field revoke_fields[] = {{"reason", FIELD_STRING, true, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, revoke ? revoke_fields : end_fields, 1, errors);
  kr_date on = date_today();
  if (revoke) label_check_text(body, "reason", 1, 2000, errors);
  else label_check_date(body, "on", false, errors, &on);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    /* The professional's row first, as every write that can change its status does. */
    kr_err e = db_begin(db);
    if (e == KR_OK) e = register_lock(db, id);
    PGresult *r = NULL;
    if (e == KR_OK) e = db_fetch_result(db, register_statement(REG_MEASURE_GET_LOCKED), 2, (const char *[]){measure, id}, &r);
    if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
    const char *refusal = NULL;
    if (e == KR_OK) {
      kr_date starts = 0, ends = 0;
      date_parse(PQgetvalue(r, 0, 1), &starts);
      bool has_end = date_parse(PQgetvalue(r, 0, 2), &ends);
      bool ended = PQgetvalue(r, 0, 3)[0] == 't', revoked = PQgetvalue(r, 0, 4)[0] == 't';
      if (revoked) refusal = "The measure is revoked already.";
      else if (!revoke && strcmp(PQgetvalue(r, 0, 0), "suspension") != 0) refusal = "Only a suspension can be ended early.";
      else if (!revoke && ended) refusal = "The suspension has been ended already.";
      else if (!revoke && (on <= starts || (has_end && on > ends)))
        refusal = "A suspension can be ended only on a day after it began and before it ends.";
    }
    PQclear(r);
    char *json = NULL, date[11];
    date_format(on, date);
    if (refusal) {
      http_reply_problem(ctx, KR_CONFLICT, refusal, NULL, NULL);
    } else if (e == KR_OK) {
      e = revoke ? register_fetch(db, REG_MEASURE_REVOKE, 3, (const char *[]){measure, date, body_string(body, "reason")}, &json)
                 : register_fetch(db, REG_MEASURE_END, 2, (const char *[]){measure, date}, &json);
      if (e == KR_OK)
        e = register_history(ctx, db, id, revoke ? "measure_revoked" : "measure_ended", on,
                             revoke ? body_string(body, "reason") : NULL);
      if (e == KR_OK) e = register_statuses_store(db, id);
      if (e == KR_OK) e = db_commit(db);
      label_reply_result(ctx, e, json, missing);
    } else {
      label_reply_error(ctx, e, missing);
    }
    db_rollback(db);
  }
  json_decref(body);
}

void register_measure_end_handler(http_ctx *ctx) { change(ctx, false); }
void register_measure_revoke_handler(http_ctx *ctx) { change(ctx, true); }
