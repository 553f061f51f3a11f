#include "register/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "label/view.h"

const char *register_professional_param(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "professionalId");
  if (id && ctx->caller.role != ROLE_ADMIN && strcmp(ctx->caller.link, id) != 0) {
    label_reply_error(ctx, KR_NOT_FOUND, "There is no such professional.");
    return NULL;
  }
  return id;
}

void register_reply_professional(http_ctx *ctx, db_conn *db, const char *id, kr_date on, int status) {
  char day[11], *json = NULL;
  date_format(on, day);
  kr_err e = register_fetch(db, REG_PRO_GET, 2, (const char *[]){id, day}, &json);
  if (e == KR_OK) label_reply_json_text(ctx, status, json);
  else label_reply_error(ctx, e, "There is no such professional.");
}

kr_err register_fetch(db_conn *db, register_stmt which, int n, const char *const *values, char **out) {
  return db_fetch_text(db, register_statement(which), n, values, out);
}

kr_err register_run(db_conn *db, register_stmt which, int n, const char *const *values) {
  return db_run(db, register_statement(which), n, values);
}

bool register_load(http_ctx *ctx, db_conn *db, const char *id, bool lock, json_t **pro, professional_facts *f) {
  char *json = NULL;
  kr_err e = lock ? register_lock(db, id) : KR_OK;
  if (e == KR_OK) e = register_fetch(db, REG_PRO_FACTS, 1, (const char *[]){id}, &json);
  *pro = e == KR_OK ? json_loads(json, 0, NULL) : NULL;
  free(json);
  if (e == KR_OK && (!*pro || !register_facts_of(json_object_get(*pro, "facts"), f))) e = KR_INTERNAL;
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
