#include "auth/handlers.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/password.h"
#include "auth/revocation.h"
#include "auth/store.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/text.h"
#include "http/body.h"

/* Every failure of these endpoints is a problem that also carries RFC 6749's error members. */
static void oauth_problem(http_ctx *ctx, kr_err err, const char *error, const char *description,
                          json_t *errors) {
  json_t *extra = json_pack("{s:s, s:s}", "error", error, "error_description", description);
  http_reply_problem(ctx, err, description, errors, extra);
}

/* Store failures keep their own status (503 stays 503), with OAuth's server_error code. */
static void oauth_store_failure(http_ctx *ctx, kr_err err) {
  oauth_problem(ctx, err,
                err == KR_UNAVAILABLE ? "temporarily_unavailable" : "server_error",
                err == KR_UNAVAILABLE ? "The service is temporarily unavailable."
                                      : "The request could not be completed.",
                NULL);
}

/* Answers the token response: an access token, and a refresh token when one is given. */
/* issued_at is read before the transaction that let the sign-in through commits: a deactivation
 * that waited for that transaction cuts tokens up to a later second, so this one with them. */
static void reply_tokens(http_ctx *ctx, const principal *who, const char *refresh, long issued_at) {
  token_keys keys = token_keys_from(ctx->services->cfg);
  char *access = token_issue(&keys, who, issued_at);
  if (!access) {
    oauth_store_failure(ctx, KR_INTERNAL);
    return;
  }
  json_t *body = json_pack("{s:s, s:s, s:i}", "access_token", access, "token_type", "Bearer",
                           "expires_in", keys.ttl_seconds);
  /* From here the request is the account's: the request log and the audit trail name who signed
   * in (or refreshed). */
  ctx->caller = *who;
  ctx->signed_in = true;
  free(access);
  if (body && refresh) json_object_set_new(body, "refresh_token", json_string(refresh));
  http_set_header(ctx, "Pragma", "no-cache");
  http_reply_json(ctx, 200, body);
}

/* A person's second factor is missing or wrong: invalid_grant naming `totp`. */
static void second_factor_problem(http_ctx *ctx, const char *description, const char *message) {
  json_t *errors = field_errors_new();
  field_error(errors, "totp", message);
  oauth_problem(ctx, KR_INVALID_GRANT, "invalid_grant", description, errors);
}

/* Password and client-credentials grants share this: count the attempt, check the secret (a
 * machine client's previous one too while its rotation's overlap lasts), the role's right to
 * the grant, then, in the transaction that issues the tokens, the second factor of an account
 * that has one. `machine` says which grant this is; totp may be NULL. */
static void grant_with_secret(http_ctx *ctx, const char *name, const char *secret, bool machine,
                              const char *totp) {
  const config *cfg = ctx->services->cfg;
  db_conn *db = http_db(ctx);
  if (!db) return;
  auth_attempts counted;
  kr_err e = auth_store_count_attempt(db, name, ctx->client_ip, cfg->login_failure_window, &counted);
  if (e != KR_OK) {
    oauth_store_failure(ctx, e);
    return;
  }
  bool pair_over = counted.pair > cfg->login_failure_limit;
  if (pair_over || counted.address > cfg->login_address_failure_limit) {
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d",
             pair_over ? counted.pair_retry_after : counted.address_retry_after);
    http_set_header(ctx, "Retry-After", seconds);
    oauth_problem(ctx, KR_TOO_MANY_REQUESTS, "temporarily_unavailable",
                  pair_over ? "Too many failed sign-ins for this account from this address; wait "
                              "before trying again."
                            : "Too many failed sign-ins from this address; wait before trying again.",
                  NULL);
    return;
  }
  auth_account account;
  bool found = false;
  e = auth_store_find_by_username(db, name, &account, &found);
  if (e != KR_OK) {
    oauth_store_failure(ctx, e);
    return;
  }
  /* Verify even for an unknown name (against a dummy hash): same time, same answer. */
  bool valid = password_verify(found ? account.password_hash : NULL, secret);
  if (!valid && found && machine && account.previous_hash[0])
    valid = password_verify(account.previous_hash, secret);
  if (!valid) {
    if (machine && http_header(ctx, "Authorization"))
      http_set_header(ctx, "WWW-Authenticate", "Basic realm=\"kwaliteitsregister\"");
    if (machine)
      oauth_problem(ctx, KR_INVALID_CLIENT, "invalid_client", "The client credentials are not valid.",
                    NULL);
    else
      oauth_problem(ctx, KR_INVALID_GRANT, "invalid_grant", "The username or password is not valid.",
                    NULL);
    return;
  }
  bool is_machine_role = (account.who.role & ROLE_MACHINES) != 0;
  if (is_machine_role != machine) {
    oauth_problem(ctx, KR_UNAUTHORIZED_CLIENT, "unauthorized_client",
                  machine ? "People sign in with grant_type=password."
                          : "Machine clients sign in with grant_type=client_credentials.",
                  NULL);
    return;
  }
  bool second_factor = !machine && account.totp_enabled;
  if (second_factor && (!totp || !*totp)) {
    second_factor_problem(ctx,
                          "This account signs in with a second factor: send totp, the code of its "
                          "authenticator app or one of its recovery codes.",
                          "is required for this account");
    return;
  }
  /* The attempt above is committed on its own (a failed sign-in must count, a wrong second
   * factor too); what a successful one writes is one transaction. */
  char refresh[REFRESH_TOKEN_SIZE];
  bool usable = false;
  long issued_at = 0;
  /* Tokens are cut up to the second a password reset happened in (auth/revocation.h): a sign-in
   * with the new password within that second waits for the next one, or its token would be cut
   * too. (A deactivated account is cut for all time and is refused below, without waiting.) */
  struct timespec tick = {0, 50 * 1000000L};
  for (int i = 0; i < 25 && auth_token_revoked(account.who.account_id, (long)time(NULL)) &&
                  !auth_token_revoked(account.who.account_id, (long)time(NULL) + 2);
       i++)
    nanosleep(&tick, NULL);
  e = db_begin(db);
  /* The account's row is read again under a share lock: a deactivation running now either
   * commits first (and this sign-in is refused) or waits for this one (and cuts its token). */
  second_factor_outcome factor = SECOND_FACTOR_OK;
  if (e == KR_OK && second_factor) {
    e = auth_store_second_factor(db, account.who.account_id, totp, (long)time(NULL), &factor);
    usable = factor != SECOND_FACTOR_DEACTIVATED;
  } else if (e == KR_OK) {
    e = auth_store_account_usable(db, account.who.account_id, &usable);
  }
  if (e == KR_OK && usable && factor == SECOND_FACTOR_WRONG) {
    db_rollback(db);
    second_factor_problem(ctx, "The second factor is not valid: a code works once, a recovery code too.",
                          "is not a current, unused code or an unused recovery code");
    return;
  }
  if (e == KR_OK && !usable) {
    db_rollback(db);
    if (machine)
      oauth_problem(ctx, KR_INVALID_CLIENT, "invalid_client", "This client's account is deactivated.", NULL);
    else
      oauth_problem(ctx, KR_INVALID_GRANT, "invalid_grant", "This account is deactivated.", NULL);
    return;
  }
  issued_at = (long)time(NULL);
  if (e == KR_OK) e = auth_store_clear_attempts(db, name, ctx->client_ip);
  if (e == KR_OK && !machine)
    e = auth_store_refresh_issue(db, account.who.account_id, cfg->refresh_token_ttl, second_factor,
                                 refresh);
  if (e == KR_OK) e = db_commit(db);
  if (e != KR_OK) {
    db_rollback(db);
    oauth_store_failure(ctx, e);
    return;
  }
  account.who.second_factor = second_factor;
  reply_tokens(ctx, &account.who, machine ? NULL : refresh, issued_at);
}

static void grant_refresh(http_ctx *ctx, const char *token) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  refresh_outcome outcome;
  principal who;
  char next[REFRESH_TOKEN_SIZE];
  long issued_at = (long)time(NULL); /* before the rotation commits (see reply_tokens) */
  kr_err e = auth_store_refresh_rotate(db, token, ctx->services->cfg->refresh_token_ttl, &outcome,
                                       &who, next);
  if (e != KR_OK) {
    oauth_store_failure(ctx, e);
    return;
  }
  if (outcome == REFRESH_REUSED)
    log_event(LOG_WARNING, "refresh token reused; its family is revoked", NULL);
  if (outcome != REFRESH_ROTATED) {
    oauth_problem(ctx, KR_INVALID_GRANT, "invalid_grant",
                  "The refresh token is not valid (unknown, expired, revoked or already used).",
                  NULL);
    return;
  }
  reply_tokens(ctx, &who, next, issued_at);
}

static const body_field token_fields[] = {
    {"grant_type", FIELD_STRING, false, false, false},
    {"username", FIELD_STRING, false, false, false},
    {"password", FIELD_STRING, false, false, false},
    {"client_id", FIELD_STRING, false, false, false},
    {"client_secret", FIELD_STRING, false, false, false},
    {"refresh_token", FIELD_STRING, false, false, false},
    {"scope", FIELD_STRING, false, false, false},
    {"totp", FIELD_STRING, false, false, false},
};

/* Adds "is required" for each named member that is missing or empty. */
static void require(const json_t *body, json_t *errors, const char *const *names) {
  for (; *names; names++) {
    const char *v = body_string(body, *names);
    if (!v || !*v) field_error(errors, *names, "is required for this grant_type");
  }
}

/* RFC 6749 section 2.3.1: a client may send client_id and client_secret in an HTTP Basic
 * Authorization header instead of the body, each form-urlencoded. Moves them into the body;
 * false after answering when the header is malformed or the body has them too. */
static bool take_basic_credentials(http_ctx *ctx, json_t *body) {
  const char *auth = http_header(ctx, "Authorization");
  if (!auth || strncasecmp(auth, "Basic ", 6) != 0) return true;
  json_t *errors = field_errors_new();
  if (json_object_get(body, "client_id") || json_object_get(body, "client_secret"))
    field_error(errors, "Authorization", "client credentials go in the header or the body, not both");
  unsigned char decoded[512];
  char id[512], secret[512];
  const char *colon = NULL;
  if (json_array_size(errors) == 0) {
    long n = b64_decode(auth + 6, decoded, sizeof decoded);
    colon = n > 0 ? memchr(decoded, ':', (size_t)n) : NULL;
    if (!colon || strlen((char *)decoded) != (size_t)n ||
        !text_percent_decode((char *)decoded, (size_t)(colon - (char *)decoded), id, true) ||
        !text_percent_decode(colon + 1, strlen(colon + 1), secret, true))
      field_error(errors, "Authorization", "must be Basic base64(client_id:client_secret)");
  }
  if (json_array_size(errors) > 0) {
    oauth_problem(ctx, KR_VALIDATION, "invalid_request", "The client authentication is malformed.",
                  errors);
    return false;
  }
  json_decref(errors);
  json_object_set_new(body, "client_id", json_string(id));
  json_object_set_new(body, "client_secret", json_string(secret));
  return true;
}

void auth_token_create(http_ctx *ctx) {
  json_t *body = http_body_object_oauth(ctx, "invalid_request");
  if (!body) return;
  if (!take_basic_credentials(ctx, body)) {
    json_decref(body);
    return;
  }
  json_t *errors = field_errors_new();
  body_check(body, token_fields, sizeof token_fields / sizeof token_fields[0], errors);
  /* Names are looked up and counted (login_failures) by index: bound them before any SQL. */
  body_check_length(body, "username", 64, errors);
  body_check_length(body, "client_id", 64, errors);
  body_check_length(body, "password", 128, errors);
  body_check_length(body, "client_secret", 128, errors);
  body_check_length(body, "refresh_token", 512, errors);
  body_check_length(body, "scope", 1000, errors);
  body_check_length(body, "totp", 32, errors);
  const char *grant = body_string(body, "grant_type");
  enum { PASSWORD, CLIENT, REFRESH, UNKNOWN } kind = UNKNOWN;
  if (!grant) {
    if (!json_object_get(body, "grant_type")) field_error(errors, "grant_type", "is required");
  } else if (strcmp(grant, "password") == 0) {
    kind = PASSWORD;
    require(body, errors, (const char *[]){"username", "password", NULL});
  } else if (strcmp(grant, "client_credentials") == 0) {
    kind = CLIENT;
    require(body, errors, (const char *[]){"client_id", "client_secret", NULL});
  } else if (strcmp(grant, "refresh_token") == 0) {
    kind = REFRESH;
    require(body, errors, (const char *[]){"refresh_token", NULL});
  }
  if (json_array_size(errors) > 0) {
    oauth_problem(ctx, KR_VALIDATION, "invalid_request",
                  "The token request is missing members or has unknown ones; see errors.", errors);
  } else if (kind == UNKNOWN) {
    json_decref(errors);
    errors = field_errors_new();
    field_error(errors, "grant_type", "must be password, client_credentials or refresh_token");
    oauth_problem(ctx, KR_VALIDATION, "unsupported_grant_type",
                  "This grant_type is not supported.", errors);
  } else {
    json_decref(errors);
    if (kind == PASSWORD)
      grant_with_secret(ctx, body_string(body, "username"), body_string(body, "password"), false,
                        body_string(body, "totp"));
    else if (kind == CLIENT)
      grant_with_secret(ctx, body_string(body, "client_id"), body_string(body, "client_secret"),
                        true, NULL);
    else
      grant_refresh(ctx, body_string(body, "refresh_token"));
  }
  json_decref(body);
}

static const body_field revocation_fields[] = {
    {"token", FIELD_STRING, true, false, false},
    {"token_type_hint", FIELD_STRING, false, false, false},
};

void auth_token_revoke(http_ctx *ctx) {
  json_t *body = http_body_object_oauth(ctx, "invalid_request");
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, revocation_fields, 2, errors);
  const char *token = body_string(body, "token");
  const char *hint = body_string(body, "token_type_hint");
  if (token && !*token) field_error(errors, "token", "may not be empty");
  if (hint && strcmp(hint, "refresh_token") != 0 && strcmp(hint, "access_token") != 0)
    field_error(errors, "token_type_hint", "must be refresh_token or access_token");
  if (json_array_size(errors) > 0) {
    oauth_problem(ctx, KR_VALIDATION, "invalid_request", "The revocation request is not valid.",
                  errors);
    json_decref(body);
    return;
  }
  json_decref(errors);
  /* Access tokens are self-contained and short-lived: they cannot be revoked here. */
  token_keys keys = token_keys_from(ctx->services->cfg);
  principal who;
  const char *why;
  if (token_verify(&keys, token, (long)time(NULL), &who, &why) == KR_OK) {
    oauth_problem(ctx, KR_UNSUPPORTED_TOKEN_TYPE, "unsupported_token_type",
                  "Access tokens expire by themselves; revoke the refresh token to sign out.", NULL);
    json_decref(body);
    return;
  }
  db_conn *db = http_db(ctx);
  if (db) {
    kr_err e = auth_store_refresh_revoke(db, token);
    if (e == KR_OK) http_reply_empty(ctx, 200);
    else oauth_store_failure(ctx, e);
  }
  json_decref(body);
}
