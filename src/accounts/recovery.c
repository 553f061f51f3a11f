/* E-mail verification and password reset: the request side. Tokens are 32 random bytes in
 * base64url (43 characters); the database keeps only their SHA-256, the raw token travels in the
 * queued message (mail/outbox.h) and is erased from it once sent. */
#include <stdio.h>
#include <string.h>

#include "accounts/handlers.h"
#include "accounts/rules.h"
#include "accounts/store.h"
#include "auth/password.h"
#include "auth/revocation.h"
#include "core/rand.h"
#include "core/text.h"
#include "http/body.h"
#include "http/ratelimit.h"
#include "mail/outbox.h"
#include "register/view.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43
#define VERIFICATION_LIFE_SECONDS (24 * 3600)

/* The token path parameter's hash into hash; a 400 naming `token` when it does not have a
 * token's shape. */
static bool token_param(http_ctx *ctx, char hash[65]) {
  const char *token = http_path_param(ctx, "token");
  if (!token || !text_chars_in(token, TOKEN_CHARS, TOKEN_CHARS, TEXT_LOWER TEXT_UPPER TEXT_DIGITS "-_")) {
    json_t *errors = field_errors_new();
    field_error(errors, "token", "must be 43 base64url characters");
    http_reply_if_invalid(ctx, errors);
    return false;
  }
  hash_sha256_hex(token, TOKEN_CHARS, hash);
  return true;
}

/* A new token and its hash; false when the generator failed. */
static bool new_token(char token[64], char hash[65]) {
  if (!rand_token(token, 64, TOKEN_BYTES)) return false;
  hash_sha256_hex(token, strlen(token), hash);
  return true;
}

/* The body {"email": an address}, checked; NULL after answering 400. The caller json_decrefs
 * *body when it is set. */
static const char *email_body(http_ctx *ctx, json_t **body) {
  static const body_field fields[] = {{"email", FIELD_STRING, true, false, false}};
  if (!(*body = http_body_object(ctx))) return NULL;
  json_t *errors = field_errors_new();
  body_check(*body, fields, 1, errors);
  account_check_email_member(*body, "email", errors);
  return http_reply_if_invalid(ctx, errors) ? NULL : body_string(*body, "email");
}

kr_err accounts_verification_begin(db_conn *db, const char *professional_id) {
  char token[64], hash[65];
  if (!new_token(token, hash)) return KR_INTERNAL;
  /* Its commit notifies every replica's sender (kr_mail_enqueue). */
  return accounts_store_verification_start(db, professional_id, hash, token, VERIFICATION_LIFE_SECONDS);
}

void accounts_verification_resend(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  if (!id || !http_rate_limit(ctx, "verifications", 10, 3600)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  kr_err e = db_begin(db);
  if (e == KR_OK) e = accounts_verification_begin(db, id);
  if (e == KR_OK) e = db_commit(db);
  db_rollback(db);
  if (e == KR_OK) http_reply_empty(ctx, 202);
  else if (e == KR_CONFLICT)
    http_reply_problem(ctx, KR_CONFLICT, "The e-mail address is verified already.", NULL, NULL);
  else if (e == KR_NOT_FOUND) http_reply_problem(ctx, KR_NOT_FOUND, "There is no such professional.", NULL, NULL);
  else http_reply_problem(ctx, e, NULL, NULL, NULL);
}

void accounts_email_change(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  if (!id || !http_rate_limit(ctx, "email-changes", 10, 3600)) return;
  json_t *body = NULL;
  const char *email = email_body(ctx, &body);
  db_conn *db = NULL;
  char token[64], hash[65];
  if (email && (db = http_db(ctx))) {
    bool same = false;
    kr_err e = new_token(token, hash) ? db_begin(db) : KR_INTERNAL;
    if (e == KR_OK) e = accounts_store_email_change(db, id, email, hash, token, VERIFICATION_LIFE_SECONDS, &same);
    if (e == KR_OK) e = db_commit(db);
    db_rollback(db);
    if (e == KR_OK) {
      http_reply_empty(ctx, 202);
    } else if (e == KR_CONFLICT) {
      /* Never say whose address it is. */
      register_conflict(ctx, same ? "This is the current address already." : "This address cannot be used.", "email",
                        same ? "is the current address" : "cannot be used");
    } else if (e == KR_NOT_FOUND) {
      http_reply_problem(ctx, KR_NOT_FOUND, "There is no such professional.", NULL, NULL);
    } else {
      http_reply_problem(ctx, e, NULL, NULL, NULL);
    }
  }
  json_decref(body);
}

void accounts_email_verify(http_ctx *ctx) {
  char hash[65];
  /* Not rate-limited: a token cannot be guessed, and a request is one index lookup. */
  if (!token_param(ctx, hash)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  kr_err e = db_begin(db);
  if (e == KR_OK) e = accounts_store_verify_email(db, hash);
  if (e == KR_OK) e = db_commit(db);
  db_rollback(db);
  if (e == KR_OK) http_reply_empty(ctx, 204);
  else if (e == KR_NOT_FOUND) http_reply_problem(ctx, KR_NOT_FOUND, "There is no such link.", NULL, NULL);
  else if (e == KR_GONE)
    http_reply_problem(ctx, KR_GONE, "This link has been used, has expired, or is for an address that changed since.",
                       NULL, NULL);
  else http_reply_problem(ctx, e, NULL, NULL, NULL);
}

void accounts_reset_request(http_ctx *ctx) {
  if (!http_rate_limit(ctx, "password-resets", 10, 3600)) return;
  json_t *body = NULL;
  const char *email = email_body(ctx, &body);
  db_conn *db = NULL;
  if (email && (db = http_db(ctx))) {
    /* The same work and the same answer whether the address is known or not: the sender thread
     * looks it up later (mail/outbox.h). */
    kr_err e = accounts_store_reset_request(db, email);
    if (e == KR_OK) {
      mail_wake();
      http_reply_empty(ctx, 202);
    } else {
      http_reply_problem(ctx, e, NULL, NULL, NULL);
    }
  }
  json_decref(body);
}

void accounts_reset_complete(http_ctx *ctx) {
  static const body_field fields[] = {{"password", FIELD_STRING, true, false, false}};
  char hash[65];
  if (!http_rate_limit(ctx, "reset-links", 30, 3600) || !token_param(ctx, hash)) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, fields, 1, errors);
  const char *password = body_string(body, "password");
  const char *why = password ? account_password_problem(password) : NULL;
  if (why) field_error(errors, "password", why);
  char password_hashed[PASSWORD_HASH_MAX];
  db_conn *db = NULL;
  kr_err e = KR_OK;
  if (http_reply_if_invalid(ctx, errors) || !(db = http_db(ctx))) {
    /* answered */
  } else {
    /* A link that cannot be used is answered before the password is hashed (argon2id's time
     * and memory are for real resets only); the use decides again under its locks. */
    e = accounts_store_reset_state(db, hash);
    if (e == KR_OK && !password_hash(password, password_hashed)) e = KR_INTERNAL;
    if (e == KR_OK) e = db_begin(db);
    if (e == KR_OK) e = accounts_store_reset_use(db, hash, password_hashed);
    if (e == KR_OK) e = db_commit(db);
    db_rollback(db);
    if (e == KR_OK) {
      auth_revocations_reload(); /* this replica's next request must not wait for the notification */
      http_reply_empty(ctx, 204);
    } else if (e == KR_NOT_FOUND) {
      http_reply_problem(ctx, KR_NOT_FOUND, "There is no such link.", NULL, NULL);
    } else if (e == KR_GONE) {
      http_reply_problem(ctx, KR_GONE, "This link has been used or has expired; ask for a new one.", NULL, NULL);
    } else {
      http_reply_problem(ctx, e, NULL, NULL, NULL);
    }
  }
  json_decref(body);
}
