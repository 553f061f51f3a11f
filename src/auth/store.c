#include "auth/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/totp.h"
#include "core/rand.h"

static const db_statement find_by_username = {
    "auth_find_by_username",
    "SELECT id, role, coalesce(professional_id::text, organisation_id::text,"
    " certifying_body_id::text, municipality_code, ''), password_hash, deactivated_at IS NOT NULL,"
    " totp_secret IS NOT NULL,"
    " CASE WHEN previous_secret_valid_until > now() THEN previous_password_hash ELSE '' END"
    " FROM accounts WHERE lower(username) = lower($1)"};

static const db_statement find_by_id = {
    "auth_find_by_id",
    "SELECT id, role, coalesce(professional_id::text, organisation_id::text,"
    " certifying_body_id::text, municipality_code, ''), password_hash, deactivated_at IS NOT NULL,"
    " totp_secret IS NOT NULL,"
    " CASE WHEN previous_secret_valid_until > now() THEN previous_password_hash ELSE '' END"
    " FROM accounts WHERE id = $1"};

/* One statement counts the attempt twice: for the (username, address) pair and for the address.
 * Row 1 is the pair, row 2 the address. */
static const db_statement count_attempt = {
    "auth_count_attempt",
    "WITH counted AS ("
    " INSERT INTO login_failures AS l (username_key, client, attempts, window_start)"
    " VALUES ('user:' || lower($1), $2, 1, now()), ('address', $2, 1, now())"
    " ON CONFLICT (username_key, client) DO UPDATE SET"
    "  attempts = CASE WHEN l.window_start + make_interval(secs => $3) <= now()"
    "                  THEN 1 ELSE l.attempts + 1 END,"
    "  window_start = CASE WHEN l.window_start + make_interval(secs => $3) <= now()"
    "                  THEN now() ELSE l.window_start END"
    " RETURNING username_key <> 'address' AS pair, attempts,"
    "  greatest(1, ceil(extract(epoch FROM window_start + make_interval(secs => $3) - now())))::int AS retry)"
    " SELECT attempts, retry FROM counted ORDER BY pair DESC"};

/* After a correct secret: the pair starts over, and the address gets its attempt back. */
static const db_statement clear_attempts = {
    "auth_clear_attempts",
    "WITH pair AS (DELETE FROM login_failures WHERE username_key = 'user:' || lower($1) AND client = $2)"
    " UPDATE login_failures SET attempts = greatest(attempts - 1, 0)"
    " WHERE username_key = 'address' AND client = $2"};

static const db_statement refresh_insert = {
    "auth_refresh_insert",
    "INSERT INTO refresh_tokens (account_id, family_id, token_hash, expires_at, second_factor)"
    " VALUES ($1, coalesce($2::uuid, gen_random_uuid()), $3, now() + make_interval(secs => $4), $5)"};

static const db_statement refresh_lock = {
    "auth_refresh_lock",
    "SELECT r.family_id, r.spent_at IS NOT NULL,"
    " r.revoked_at IS NOT NULL OR r.expires_at <= now() OR a.deactivated_at IS NOT NULL,"
    " a.id, a.role, coalesce(a.professional_id::text, a.organisation_id::text,"
    " a.certifying_body_id::text, a.municipality_code, ''), r.second_factor"
    " FROM refresh_tokens r JOIN accounts a ON a.id = r.account_id"
    " WHERE r.token_hash = $1 FOR UPDATE OF r FOR SHARE OF a"}; /* a deactivation and a rotation serialise */

static const db_statement account_usable = {
    "auth_account_usable", "SELECT deactivated_at IS NULL FROM accounts WHERE id = $1 FOR SHARE"};

/* The second factor is checked under the account's row lock, so that a code is spent once even
 * when two sign-ins race with it. */
static const db_statement second_factor_lock = {
    "auth_second_factor_lock",
    "SELECT deactivated_at IS NULL, encode(totp_secret, 'hex'), totp_last_step FROM accounts"
    " WHERE id = $1 FOR UPDATE"};
static const db_statement totp_spend_step = {
    "auth_totp_spend_step", "UPDATE accounts SET totp_last_step = $2 WHERE id = $1"};
static const db_statement recovery_spend = {
    "auth_recovery_spend",
    "UPDATE totp_recovery_codes SET used_at = now()"
    " WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL"};

static const db_statement refresh_spend = {
    "auth_refresh_spend", "UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1"};

static const db_statement revoke_family = {
    "auth_revoke_family",
    "UPDATE refresh_tokens SET revoked_at = now()"
    " WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)"
    " AND revoked_at IS NULL"};

static const db_statement revoke_account = {
    "auth_revoke_account",
    "UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL"};

const db_statement *const auth_statements[] = {
    &find_by_username, &find_by_id,    &count_attempt,  &clear_attempts, &refresh_insert,
    &refresh_lock,     &refresh_spend, &revoke_family,  &revoke_account, &account_usable,
    &second_factor_lock, &totp_spend_step, &recovery_spend, NULL};

kr_err auth_store_account_usable(db_conn *db, const char *account_id, bool *usable) {
  PGresult *r = db_exec(db, &account_usable, 1, (const char *[]){account_id});
  kr_err e = db_result_error(db, r);
  *usable = e == KR_OK && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  return e;
}

/* Runs a statement and keeps the result only when it succeeded. */
static kr_err run(db_conn *db, const db_statement *s, int n, const char *const *v, PGresult **out) {
  PGresult *r = db_exec(db, s, n, v);
  kr_err e = db_result_error(db, r);
  if (e != KR_OK || !out) {
    PQclear(r);
    r = NULL;
  }
  if (out) *out = r;
  return e;
}

static void fill_principal(const PGresult *r, int row, int col, principal *who) {
  memset(who, 0, sizeof *who);
  snprintf(who->account_id, sizeof who->account_id, "%s", PQgetvalue(r, row, col));
  who->role = role_parse(PQgetvalue(r, row, col + 1));
  snprintf(who->link, sizeof who->link, "%s", PQgetvalue(r, row, col + 2));
}

static kr_err find_account(db_conn *db, const db_statement *s, const char *key,
                           auth_account *out, bool *found) {
  PGresult *r;
  kr_err e = run(db, s, 1, (const char *[]){key}, &r);
  *found = e == KR_OK && PQntuples(r) == 1;
  if (*found) {
    fill_principal(r, 0, 0, &out->who);
    snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 3));
    out->deactivated = PQgetvalue(r, 0, 4)[0] == 't';
    out->totp_enabled = PQgetvalue(r, 0, 5)[0] == 't';
    snprintf(out->previous_hash, sizeof out->previous_hash, "%s", PQgetvalue(r, 0, 6));
  }
  PQclear(r);
  return e;
}

kr_err auth_store_find_by_username(db_conn *db, const char *username, auth_account *out,
                                   bool *found) {
  return find_account(db, &find_by_username, username, out, found);
}

kr_err auth_store_find_by_id(db_conn *db, const char *account_id, auth_account *out, bool *found) {
  return find_account(db, &find_by_id, account_id, out, found);
}

kr_err auth_store_count_attempt(db_conn *db, const char *username, const char *client,
                                int window_seconds, auth_attempts *out) {
  char window[16];
  snprintf(window, sizeof window, "%d", window_seconds);
  PGresult *r;
  kr_err e = run(db, &count_attempt, 3, (const char *[]){username, client, window}, &r);
  if (e == KR_OK && PQntuples(r) == 2) {
    out->pair = atoi(PQgetvalue(r, 0, 0));
    out->pair_retry_after = atoi(PQgetvalue(r, 0, 1));
    out->address = atoi(PQgetvalue(r, 1, 0));
    out->address_retry_after = atoi(PQgetvalue(r, 1, 1));
  } else if (e == KR_OK) {
    e = KR_INTERNAL;
  }
  PQclear(r);
  return e;
}

kr_err auth_store_clear_attempts(db_conn *db, const char *username, const char *client) {
  return run(db, &clear_attempts, 2, (const char *[]){username, client}, NULL);
}

static kr_err insert_refresh(db_conn *db, const char *account_id, const char *family,
                             int ttl_seconds, bool second_factor, char token[REFRESH_TOKEN_SIZE]) {
  char hash[65], ttl[16];
  if (!rand_token(token, REFRESH_TOKEN_SIZE, 32)) return KR_INTERNAL;
  hash_sha256_hex(token, strlen(token), hash);
  snprintf(ttl, sizeof ttl, "%d", ttl_seconds);
  return run(db, &refresh_insert, 5,
             (const char *[]){account_id, family, hash, ttl, second_factor ? "true" : "false"}, NULL);
}

kr_err auth_store_refresh_issue(db_conn *db, const char *account_id, int ttl_seconds,
                                bool second_factor, char token[REFRESH_TOKEN_SIZE]) {
  return insert_refresh(db, account_id, NULL, ttl_seconds, second_factor, token);
}

kr_err auth_store_refresh_rotate(db_conn *db, const char *token, int ttl_seconds,
                                 refresh_outcome *outcome, principal *who,
                                 char new_token[REFRESH_TOKEN_SIZE]) {
  char hash[65];
  hash_sha256_hex(token, strlen(token), hash);
  *outcome = REFRESH_INVALID;
  kr_err e = db_begin(db);
  PGresult *r = NULL;
  if (e == KR_OK) e = run(db, &refresh_lock, 1, (const char *[]){hash}, &r);
  if (e == KR_OK && PQntuples(r) == 1) {
    bool spent = PQgetvalue(r, 0, 1)[0] == 't';
    bool dead = PQgetvalue(r, 0, 2)[0] == 't';
    if (spent) {
      /* A spent token came back: someone holds a copy. Revoke the family, and keep that
       * revocation although the answer is an error. */
      e = run(db, &revoke_family, 1, (const char *[]){hash}, NULL);
      if (e == KR_OK) *outcome = REFRESH_REUSED;
    } else if (!dead) {
      fill_principal(r, 0, 3, who);
      who->second_factor = PQgetvalue(r, 0, 6)[0] == 't';
      char family[37];
      snprintf(family, sizeof family, "%s", PQgetvalue(r, 0, 0));
      e = run(db, &refresh_spend, 1, (const char *[]){hash}, NULL);
      if (e == KR_OK)
        e = insert_refresh(db, who->account_id, family, ttl_seconds, who->second_factor, new_token);
      if (e == KR_OK) *outcome = REFRESH_ROTATED;
    }
  }
  PQclear(r);
  if (e == KR_OK) e = db_commit(db);
  if (e != KR_OK) {
    db_rollback(db);
    *outcome = REFRESH_INVALID;
  }
  return e;
}

kr_err auth_store_refresh_revoke(db_conn *db, const char *token) {
  char hash[65];
  hash_sha256_hex(token, strlen(token), hash);
  return run(db, &revoke_family, 1, (const char *[]){hash}, NULL);
}

kr_err auth_store_revoke_account(db_conn *db, const char *account_id) {
  return run(db, &revoke_account, 1, (const char *[]){account_id}, NULL);
}

kr_err auth_store_second_factor(db_conn *db, const char *account_id, const char *given, long now,
                                second_factor_outcome *outcome) {
  *outcome = SECOND_FACTOR_WRONG;
  PGresult *r;
  kr_err e = run(db, &second_factor_lock, 1, (const char *[]){account_id}, &r);
  if (e != KR_OK) return e;
  if (PQntuples(r) != 1 || PQgetvalue(r, 0, 0)[0] != 't') {
    *outcome = SECOND_FACTOR_DEACTIVATED;
    PQclear(r);
    return KR_OK;
  }
  uint8_t key[TOTP_SECRET_BYTES];
  bool has_key = totp_secret_from_hex(PQgetvalue(r, 0, 1), key);
  uint64_t last_step = strtoull(PQgetvalue(r, 0, 2), NULL, 10);
  PQclear(r);
  uint32_t code;
  char recovery[TOTP_RECOVERY_CHARS + 1];
  if (has_key && totp_parse_code(given, &code)) {
    uint64_t step = totp_match(key, now, last_step, code);
    if (step) {
      char step_text[24];
      snprintf(step_text, sizeof step_text, "%llu", (unsigned long long)step);
      e = db_run(db, &totp_spend_step, 2, (const char *[]){account_id, step_text});
      if (e == KR_OK) *outcome = SECOND_FACTOR_OK;
    }
  } else if (has_key && totp_recovery_normalize(given, recovery)) {
    char hash[65];
    hash_sha256_hex(recovery, strlen(recovery), hash);
    PGresult *spent = db_exec(db, &recovery_spend, 2, (const char *[]){account_id, hash});
    e = db_result_error(db, spent);
    if (e == KR_OK && strcmp(PQcmdTuples(spent), "1") == 0) *outcome = SECOND_FACTOR_OK;
    PQclear(spent);
  }
  explicit_bzero(key, sizeof key);
  return e;
}
