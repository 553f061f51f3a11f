#include "register/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "label/view.h"

const char *register_professional_param(http_ctx *ctx) {
  const char *id = label_uuid_param(ctx, "professionalId");
  if (id && ctx->caller.role != ROLE_ADMIN && strcmp(ctx->caller.link, id) != 0) {
    label_reply_error(ctx, KR_NOT_FOUND, "There is no such professional.");
    return NULL;
  }
  return id;
}

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

static json_t *public_view(json_t *pro, reg_status status, const char *on_text) {
  json_t *periods = json_array(), *measures = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(pro, "periods"), i, v)
    json_array_append_new(periods, json_pack("{s:O, s:O}", "startsOn", json_object_get(v, "startsOn"),
                                             "endsOn", json_object_get(v, "endsOn")));
  json_array_foreach(json_object_get(pro, "measures"), i, v)
    if (json_is_true(json_object_get(v, "public")))
      json_array_append_new(measures, json_pack("{s:O, s:O, s:O}", "type", json_object_get(v, "type"),
                                                "startsOn", json_object_get(v, "startsOn"), "endsOn",
                                                json_object_get(v, "endsOn")));
  return json_pack("{s:O, s:O, s:O, s:O, s:s, s:s, s:o, s:o}", "registrationNumber",
                   json_object_get(pro, "registrationNumber"), "givenName", json_object_get(pro, "givenName"),
                   "familyName", json_object_get(pro, "familyName"), "profile", json_object_get(pro, "profile"),
                   "status", register_status_name(status), "statusOn", on_text, "periods", periods, "measures",
                   measures);
}

char *register_professional_view(const char *json, kr_date on, bool public, reg_status *status) {
  json_t *pro = json_loads(json, 0, NULL);
  professional_facts f;
  if (!pro || !register_facts_of(pro, &f)) {
    json_decref(pro);
    return NULL;
  }
  *status = register_status_on(&f.facts, on);
  char on_text[11];
  date_format(on, on_text);
  json_t *view;
  if (public) {
    view = public_view(pro, *status, on_text);
  } else {
    view = json_incref(pro);
    int period = register_period_on(f.periods, f.facts.period_count, on);
    char start[11], end[11];
    if (period >= 0) {
      date_format(f.periods[period].starts_on, start);
      date_format(f.periods[period].ends_on, end);
    }
    json_object_set_new(view, "status", json_string(register_status_name(*status)));
    json_object_set_new(view, "statusOn", json_string(on_text));
    json_object_set_new(view, "periodStart", period >= 0 ? json_string(start) : json_null());
    json_object_set_new(view, "periodEnd", period >= 0 ? json_string(end) : json_null());
    json_object_del(view, "state");
    json_object_del(view, "periods");
    json_object_del(view, "measures");
  }
  char *out = view ? json_dumps(view, JSON_COMPACT) : NULL;
  json_decref(view);
  json_decref(pro);
  return out;
}

kr_err register_fetch(db_conn *db, register_stmt which, int n, const char *const *values, char **out) {
  return db_fetch_text(db, register_statement(which), n, values, out);
}

kr_err register_run(db_conn *db, register_stmt which, int n, const char *const *values) {
  return db_run(db, register_statement(which), n, values);
}

bool register_load(http_ctx *ctx, db_conn *db, const char *id, bool lock, json_t **pro, professional_facts *f) {
  char *json = NULL;
  kr_err e = register_fetch(db, lock ? REG_PRO_GET_LOCKED : REG_PRO_GET, 1, (const char *[]){id}, &json);
  *pro = e == KR_OK ? json_loads(json, 0, NULL) : NULL;
  free(json);
  if (e == KR_OK && (!*pro || !register_facts_of(*pro, f))) e = KR_INTERNAL;
  if (e != KR_OK) {
    json_decref(*pro);
    *pro = NULL;
    label_reply_error(ctx, e, "There is no such professional.");
  }
  return e == KR_OK;
}

kr_err register_history(http_ctx *ctx, db_conn *db, const char *professional, const char *type,
                        kr_date on, const char *detail) {
  char date[11];
  date_format(on, date);
  const char *v[] = {professional, type, date, detail, ctx->signed_in ? ctx->caller.account_id : NULL};
  return register_run(db, REG_HISTORY_ADD, 5, v);
}

const char *register_file_type(http_ctx *ctx) {
  const unsigned char *b = ctx->req->binary_body;
  size_t n = ctx->req->binary_body_length;
  const char *found = NULL;
  if (n >= 5 && memcmp(b, "%PDF-", 5) == 0) found = "application/pdf";
  else if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) found = "image/jpeg";
  else if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) found = "image/png";
  if (found && text_media_type_is(http_header(ctx, "Content-Type"), found)) return found;
  json_t *errors = field_errors_new();
  field_error(errors, "Content-Type", found ? "does not match the file's contents" : "the file is not a PDF, JPEG or PNG");
  http_reply_problem(ctx, KR_UNSUPPORTED_MEDIA_TYPE, "The file must be a PDF, JPEG or PNG, sent with its own type.",
                     errors, NULL);
  return NULL;
}

bool register_on_param(http_ctx *ctx, kr_date *on) {
  *on = date_today();
  const char *text = http_query(ctx, "on");
  if (!text || date_parse(text, on)) return true;
  json_t *errors = field_errors_new();
  field_error(errors, "on", "must be a date (YYYY-MM-DD)");
  http_reply_if_invalid(ctx, errors);
  return false;
}

kr_err register_profile_years(db_conn *db, const char *profile, int *years) {
  char *json = NULL;
  kr_err e = register_fetch(db, REG_PROFILE_GET, 1, (const char *[]){profile}, &json);
  json_t *p = e == KR_OK ? json_loads(json, 0, NULL) : NULL;
  *years = (int)json_integer_value(json_object_get(p, "periodYears"));
  if (e == KR_OK && *years < 1) e = KR_INTERNAL;
  json_decref(p);
  free(json);
  return e;
}

void register_conflict(http_ctx *ctx, const char *detail, const char *field, const char *message) {
  json_t *why = field_errors_new();
  field_error(why, field, message);
  http_reply_problem(ctx, KR_CONFLICT, detail, why, NULL);
}

/* `attachment` with an ASCII fallback name and the exact name in RFC 8187 form (UTF-8,
 * percent-encoded), so that a name like "verklaring-é.pdf" survives the header. */
static void content_disposition(const char *name, size_t len, char *out, size_t size) {
  char ascii[201], encoded[601];
  size_t a = 0, e = 0;
  for (size_t i = 0; i < len && a < sizeof ascii - 1; i++) {
    unsigned char c = (unsigned char)name[i];
    if ((c & 0xC0) != 0x80) ascii[a++] = c < 0x80 && c >= 0x20 ? (char)c : '_';
  }
  ascii[a] = '\0';
  for (size_t i = 0; i < len && e + 4 < sizeof encoded; i++) {
    unsigned char c = (unsigned char)name[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c)) encoded[e++] = (char)c;
    else e += (size_t)snprintf(encoded + e, sizeof encoded - e, "%%%02X", c);
  }
  encoded[e] = '\0';
  snprintf(out, size, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, encoded);
}

void register_send_file(http_ctx *ctx, db_conn *db, register_stmt which, int n, const char *const *values,
                        const char *not_found) {
  PGresult *r = db_exec_binary(db, register_statement(which), n, values, NULL, NULL, true);
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e != KR_OK) {
    label_reply_error(ctx, e, not_found);
  } else {
    char type[64], disposition[1200];
    snprintf(type, sizeof type, "%.*s", PQgetlength(r, 0, 0), PQgetvalue(r, 0, 0));
    if (PQnfields(r) > 2) {
      content_disposition(PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2), disposition, sizeof disposition);
      http_set_header(ctx, "Content-Disposition", disposition);
    }
    http_reply_raw(ctx, 200, type, PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
  }
  PQclear(r);
}
