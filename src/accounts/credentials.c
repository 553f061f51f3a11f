/* credentials.c: an admin's second factor (TOTP enrolment, confirmation with recovery codes,
 * removal by another admin) and a machine client's secret rotation with an overlap. The rules
 * that decide under the row lock are in sql/0027; the code arithmetic in auth/totp.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/handlers.h"
#include "auth/password.h"
#include "auth/totp.h"
#include "core/rand.h"
#include "http/body.h"

static const db_statement totp_begin = {
    "credentials_totp_begin",
    "SELECT outcome, confirm_before, account_name FROM kr_totp_begin($1, decode($2, 'hex'), $3::int)"};
static const db_statement totp_pending = {
    "credentials_totp_pending",
    "SELECT totp_secret IS NOT NULL, encode(totp_pending_secret, 'hex') FROM accounts WHERE id = $1"
    " AND (totp_secret IS NOT NULL OR totp_pending_until > clock_timestamp())"};
static const db_statement totp_confirm = {
    "credentials_totp_confirm",
    "SELECT kr_totp_confirm($1, decode($2, 'hex'), $3::bigint, $4::text[])"};
static const db_statement totp_remove = {"credentials_totp_remove", "SELECT kr_totp_remove($1)"};
static const db_statement secret_rotate = {
    "credentials_secret_rotate",
    "SELECT outcome, account_json FROM kr_client_secret_rotate($1, $2, $3::int)"};

const db_statement *const credentials_statements[] = {&totp_begin, &totp_pending, &totp_confirm,
                                                      &totp_remove, &secret_rotate, NULL};

/* A pending secret must be confirmed within this time. */
#define TOTP_PENDING_SECONDS 600
/* The longest overlap of a rotated client secret (30 days) and the one taken when none is set. */
#define ROTATION_OVERLAP_MAX 2592000
#define ROTATION_OVERLAP_DEFAULT 86400
#define ISSUER "Kwaliteitsregister"

static void reply_error(http_ctx *ctx, kr_err e) { http_reply_problem(ctx, e, NULL, NULL, NULL); }

/* The otpauth:// URI that authenticator apps read from a QR code (the de-facto Key Uri Format):
 * the username's characters are [A-Za-z0-9._@-], of which only '@' needs escaping. */
static void otpauth_uri(const char *username, const char *secret, char *out, size_t size) {
  char label[200];
  size_t n = 0;
  for (const char *c = username; *c && n + 4 < sizeof label; c++) {
    if (*c == '@') n += (size_t)snprintf(label + n, sizeof label - n, "%%40");
    else label[n++] = *c;
  }
  label[n] = '\0';
  snprintf(out, size,
           "otpauth://totp/" ISSUER ":%s?secret=%s&issuer=" ISSUER "&algorithm=SHA1&digits=%d&period=%d",
           label, secret, TOTP_DIGITS, TOTP_STEP_SECONDS);
}

void accounts_totp_begin(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  uint8_t secret[TOTP_SECRET_BYTES];
  char hex[2 * TOTP_SECRET_BYTES + 1];
  if (!rand_bytes(secret, sizeof secret)) {
    reply_error(ctx, KR_INTERNAL);
    return;
  }
  totp_secret_to_hex(secret, hex);
  db_conn *db = http_db(ctx);
  if (!db) return;
  char lifetime[16];
  snprintf(lifetime, sizeof lifetime, "%d", TOTP_PENDING_SECONDS);
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, &totp_begin, 3, (const char *[]){ctx->caller.account_id, hex, lifetime}, &r);
  if (e == KR_OK && PQntuples(r) != 1) e = KR_NOT_FOUND;
  if (e != KR_OK) {
    PQclear(r);
    reply_error(ctx, e);
    return;
  }
  if (strcmp(PQgetvalue(r, 0, 0), "enabled") == 0) {
    PQclear(r);
    http_reply_problem(ctx, KR_CONFLICT,
                       "This account has a second factor already; another admin can remove it.", NULL,
                       NULL);
    return;
  }
  char base32[TOTP_SECRET_BASE32], uri[512];
  totp_base32(secret, sizeof secret, base32, sizeof base32);
  otpauth_uri(PQgetvalue(r, 0, 2), base32, uri, sizeof uri);
  json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "secret", base32, "otpauthUri", uri,
                           "algorithm", "SHA1", "digits", TOTP_DIGITS, "period", TOTP_STEP_SECONDS,
                           "confirmBefore", PQgetvalue(r, 0, 1));
  PQclear(r);
  explicit_bzero(secret, sizeof secret);
  http_reply_json(ctx, 200, body);
}

static const body_field confirmation_fields[] = {{"code", FIELD_STRING, true, false, false}};

void accounts_totp_confirm(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, confirmation_fields, 1, errors);
  const char *text = body_string(body, "code");
  uint32_t code = 0;
  if (text && !totp_parse_code(text, &code)) field_error(errors, "code", "must be the app's code of six digits");
  json_decref(body);
  if (http_reply_if_invalid(ctx, errors)) return;

  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, &totp_pending, 1, (const char *[]){ctx->caller.account_id}, &r);
  if (e != KR_OK) {
    reply_error(ctx, e);
    return;
  }
  bool enabled = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
  uint8_t secret[TOTP_SECRET_BYTES];
  bool pending = PQntuples(r) == 1 && !enabled && totp_secret_from_hex(PQgetvalue(r, 0, 1), secret);
  char hex[2 * TOTP_SECRET_BYTES + 1] = "";
  if (pending) snprintf(hex, sizeof hex, "%s", PQgetvalue(r, 0, 1));
  PQclear(r);
  if (enabled || !pending) {
    http_reply_problem(ctx, KR_CONFLICT,
                       enabled ? "This account has a second factor already."
                               : "No enrolment is waiting (or it expired): start with POST /v1/accounts/me/totp.",
                       NULL, NULL);
    return;
  }
  uint64_t step = totp_match(secret, (long)time(NULL), 0, code);
  explicit_bzero(secret, sizeof secret);
  if (!step) {
    errors = field_errors_new();
    field_error(errors, "code", "is not the app's current code; check the device's clock");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  /* Ten recovery codes, shown once; only their hashes are kept. */
  json_t *codes = json_array();
  char hashes[TOTP_RECOVERY_COUNT * 68 + 4] = "{";
  for (int i = 0; i < TOTP_RECOVERY_COUNT; i++) {
    uint8_t random[7];
    char shown[TOTP_RECOVERY_CHARS + 2], plain[TOTP_RECOVERY_CHARS + 1], hash[65];
    if (!rand_bytes(random, sizeof random)) {
      json_decref(codes);
      reply_error(ctx, KR_INTERNAL);
      return;
    }
    totp_recovery_format(random, shown);
    totp_recovery_normalize(shown, plain);
    hash_sha256_hex(plain, strlen(plain), hash);
    json_array_append_new(codes, json_string(shown));
    strcat(hashes, i ? "," : "");
    strcat(hashes, hash);
  }
  strcat(hashes, "}");
  char step_text[24];
  snprintf(step_text, sizeof step_text, "%llu", (unsigned long long)step);
  char *outcome = NULL;
  e = db_fetch_text(db, &totp_confirm, 4, (const char *[]){ctx->caller.account_id, hex, step_text, hashes},
                    &outcome);
  if (e != KR_OK || strcmp(outcome, "confirmed") != 0) {
    json_decref(codes);
    if (e == KR_OK)
      http_reply_problem(ctx, KR_CONFLICT, "The enrolment changed meanwhile; start again.", NULL, NULL);
    else
      reply_error(ctx, e);
    free(outcome);
    return;
  }
  free(outcome);
  http_reply_json(ctx, 200, json_pack("{s:b, s:o}", "totpEnabled", 1, "recoveryCodes", codes));
}

void accounts_totp_remove(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "accountId");
  if (!id) return;
  if (strcmp(id, ctx->caller.account_id) == 0) {
    http_reply_problem(ctx, KR_CONFLICT,
                       "An admin cannot remove their own second factor (another admin can).", NULL, NULL);
    return;
  }
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *outcome = NULL;
  kr_err e = db_fetch_text(db, &totp_remove, 1, (const char *[]){id}, &outcome);
  if (e != KR_OK) reply_error(ctx, e);
  else if (strcmp(outcome, "not_found") == 0) reply_error(ctx, KR_NOT_FOUND);
  else if (strcmp(outcome, "not_admin") == 0)
    http_reply_problem(ctx, KR_CONFLICT, "Only admin accounts have a second factor.", NULL, NULL);
  else if (strcmp(outcome, "none") == 0)
    http_reply_problem(ctx, KR_CONFLICT, "This account has no second factor.", NULL, NULL);
  else http_reply_empty(ctx, 204);
  free(outcome);
}

static const body_field rotation_fields[] = {{"overlapSeconds", FIELD_INTEGER, false, false, false}};

void accounts_secret_rotate(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "accountId");
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, rotation_fields, 1, errors);
  json_t *given = json_object_get(body, "overlapSeconds");
  json_int_t overlap = json_is_integer(given) ? json_integer_value(given) : ROTATION_OVERLAP_DEFAULT;
  if (json_is_integer(given) && (overlap < 0 || overlap > ROTATION_OVERLAP_MAX))
    field_error(errors, "overlapSeconds", "must be from 0 to 2592000 (30 days)");
  json_decref(body);
  if (http_reply_if_invalid(ctx, errors)) return;

  char secret[64], hash[PASSWORD_HASH_MAX], overlap_text[16];
  if (!rand_token(secret, sizeof secret, 32) || !password_hash(secret, hash)) {
    reply_error(ctx, KR_INTERNAL);
    return;
  }
  snprintf(overlap_text, sizeof overlap_text, "%lld", (long long)overlap);
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, &secret_rotate, 3, (const char *[]){id, hash, overlap_text}, &r);
  const char *outcome = e == KR_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
  if (e != KR_OK) reply_error(ctx, e);
  else if (strcmp(outcome, "rotated") != 0 && strcmp(outcome, "not_machine") != 0)
    reply_error(ctx, KR_NOT_FOUND);
  else if (strcmp(outcome, "not_machine") == 0)
    http_reply_problem(ctx, KR_CONFLICT,
                       "Only machine clients (certifier, municipality) have a client secret; people change "
                       "their password.",
                       NULL, NULL);
  else {
    json_error_t parse_error;
    json_t *account = json_loads(PQgetvalue(r, 0, 1), 0, &parse_error);
    json_t *answer = account ? json_pack("{s:s, s:o}", "clientSecret", secret, "account", account) : NULL;
    if (answer) http_reply_json(ctx, 200, answer);
    else reply_error(ctx, KR_INTERNAL);
  }
  explicit_bzero(secret, sizeof secret);
  PQclear(r);
}
