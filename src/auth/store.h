/* store.h (auth): sign-in data in PostgreSQL: accounts by username, sign-in attempt counters,
 * and refresh tokens (stored as SHA-256 hashes only). */
#ifndef KR_AUTH_STORE_H
#define KR_AUTH_STORE_H

#include <stdbool.h>

#include "auth/password.h"
#include "auth/principal.h"
#include "db/pool.h"

extern const db_statement *const auth_statements[]; /* NULL-terminated, for the pool */

/* Refresh tokens: 32 random bytes as base64url (43 characters). */
#define REFRESH_TOKEN_SIZE 48

typedef struct {
  principal who;
  char password_hash[PASSWORD_HASH_MAX];
  bool deactivated; /* shut by the label office: no sign-in */
  bool totp_enabled; /* a password sign-in needs a second factor too */
  /* A machine client's previous secret while its rotation's overlap lasts; "" otherwise. */
  char previous_hash[PASSWORD_HASH_MAX];
} auth_account;

/* Looks an account up by username (case-insensitively). *found is false when there is none. */
kr_err auth_store_find_by_username(db_conn *db, const char *username, auth_account *out,
                                   bool *found);
/* Looks an account up by id. */
kr_err auth_store_find_by_id(db_conn *db, const char *account_id, auth_account *out, bool *found);

/* Inside a transaction: whether the account may still sign in (not deactivated), read under a
 * share lock on its row, so that a deactivation and a sign-in of the same account serialise. */
kr_err auth_store_account_usable(db_conn *db, const char *account_id, bool *usable);

typedef enum {
  SECOND_FACTOR_OK,          /* the code or recovery code was right, and is spent now */
  SECOND_FACTOR_WRONG,       /* not a current unused code, nor an unused recovery code */
  SECOND_FACTOR_DEACTIVATED, /* the account was shut meanwhile */
} second_factor_outcome;

/* Inside a transaction, instead of auth_store_account_usable for an account with TOTP: locks the
 * account's row, checks `given` (a 6-digit code or a recovery code) and spends it. */
kr_err auth_store_second_factor(db_conn *db, const char *account_id, const char *given, long now,
                                second_factor_outcome *outcome);

/* Sign-in attempts counted inside a window: for a (username, address) pair and for the address
 * alone, each with the seconds until its window ends. */
typedef struct {
  int pair, pair_retry_after;
  int address, address_retry_after;
} auth_attempts;

/* Counts one sign-in attempt for username from client (an address) inside a window of
 * window_seconds; the counts include this one. Never counted per username alone, so that no one
 * can lock an account's owner out from another address. */
kr_err auth_store_count_attempt(db_conn *db, const char *username, const char *client,
                                int window_seconds, auth_attempts *out);
/* After a successful sign-in: forgets the pair's attempts and gives the address this one back. */
kr_err auth_store_clear_attempts(db_conn *db, const char *username, const char *client);

/* Issues a refresh token for account_id in a new family, valid for ttl_seconds; second_factor
 * says whether the sign-in used TOTP (its refreshed access tokens say so too). */
kr_err auth_store_refresh_issue(db_conn *db, const char *account_id, int ttl_seconds,
                                bool second_factor, char token[REFRESH_TOKEN_SIZE]);

typedef enum {
  REFRESH_ROTATED, /* *who and new_token are filled */
  REFRESH_INVALID, /* unknown, expired or revoked */
  REFRESH_REUSED,  /* already spent: its whole family has now been revoked */
} refresh_outcome;

/* Spends a refresh token and issues its successor in one transaction. */
kr_err auth_store_refresh_rotate(db_conn *db, const char *token, int ttl_seconds,
                                 refresh_outcome *outcome, principal *who,
                                 char new_token[REFRESH_TOKEN_SIZE]);

/* Revokes the family of a refresh token (sign-out). Unknown tokens are no error. */
kr_err auth_store_refresh_revoke(db_conn *db, const char *token);
/* Revokes every refresh token of an account (after a password change). */
kr_err auth_store_revoke_account(db_conn *db, const char *account_id);

#endif
