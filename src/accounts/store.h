/* store.h (accounts): account rows in PostgreSQL. JSON answers are built by PostgreSQL
 * (kr_account_json) and handed back as text the caller frees with free(). */
#ifndef KR_ACCOUNTS_STORE_H
#define KR_ACCOUNTS_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "auth/principal.h"
#include "db/pool.h"
#include "http/pagination.h"

extern const db_statement *const accounts_statements[]; /* NULL-terminated, for the pool */

typedef struct {
  const char *username;
  const char *password_hash;
  role role;
  const char *link; /* the role's link value, or NULL for admin */
  const char *language; /* "nl" or "en"; NULL: "nl" */
} account_new;

/* Inserts an account. KR_CONFLICT for a taken username; KR_VALIDATION when the link names no
 * existing party. *json receives the new account's JSON and *id its id (37 bytes). */
kr_err accounts_store_create(db_conn *db, const account_new *a, char **json, char id[37]);

/* Whether the party a new account of role r would link to exists (id is a UUID). */
kr_err accounts_store_link_exists(db_conn *db, role r, const char *id, bool *exists);

/* The account's JSON, or KR_NOT_FOUND. */
kr_err accounts_store_get(db_conn *db, const char *id, char **json);

/* One page, ordered by creation: rows (json, sort key, id), at most limit+1 of them. role_name
 * may be NULL for every role. The result is the caller's (PQclear). */
kr_err accounts_store_page(db_conn *db, const char *role_name, const page_cursor *after,
                           int limit, PGresult **out);

/* Sets a new password hash and revokes the account's refresh tokens, in one transaction. */
kr_err accounts_store_set_password(db_conn *db, const char *id, const char *password_hash);

/* Deactivates (active false; reason 1-500 characters) or reactivates the account, deciding after
 * its row lock; a deactivation cuts its tokens and refresh tokens, and every replica hears of it
 * (auth/revocation.h). KR_NOT_FOUND; KR_CONFLICT when it is so already (*json is then the
 * account as it is). *json: the account's JSON, the caller's to free. */
kr_err accounts_store_set_active(db_conn *db, const char *id, bool active, const char *reason,
                                 char **json);

/* E-mail verification and password reset (sql/0021). Tokens reach the store as their SHA-256
 * (hex); the raw token only goes into the queued message. */

/* Stores a verification token for the professional's current address and queues its message, in
 * the caller's transaction. KR_NOT_FOUND; KR_CONFLICT when the address is verified already. */
kr_err accounts_store_verification_start(db_conn *db, const char *professional_id, const char *token_hash,
                                         const char *token, int life_seconds);
/* Starts a change of the professional's address to email: a token for the new address, and the
 * message with its link, sent there (sql/0024); the record keeps its address until the link is
 * used. KR_NOT_FOUND; KR_CONFLICT when email is the current address (*same) or another
 * professional's. */
kr_err accounts_store_email_change(db_conn *db, const char *professional_id, const char *email, const char *token_hash,
                                   const char *token, int life_seconds, bool *same);
/* Uses a verification token: KR_OK (verified), KR_NOT_FOUND (no such token), KR_GONE (used,
 * expired, or the address changed since). */
kr_err accounts_store_verify_email(db_conn *db, const char *token_hash);
/* Stores a password-reset request for an address, known or not (mail/outbox.h handles it). */
kr_err accounts_store_reset_request(db_conn *db, const char *email);
/* Whether a reset token can be used now (read without locks, before the costly password hash):
 * KR_OK, KR_NOT_FOUND, KR_GONE. accounts_store_reset_use decides again under the locks. */
kr_err accounts_store_reset_state(db_conn *db, const char *token_hash);
/* Sets the password with a reset token: KR_OK, KR_NOT_FOUND, KR_GONE (used, expired, or the
 * account deactivated). Cuts the account's tokens like a deactivation does. */
kr_err accounts_store_reset_use(db_conn *db, const char *token_hash, const char *password_hash);

/* Creates the first admin when no admin exists yet; *created says whether it did. */
kr_err accounts_store_bootstrap_admin(db_conn *db, const char *username, const char *password_hash,
                                      bool *created);
/* True when some admin account exists. */
kr_err accounts_store_admin_exists(db_conn *db, bool *exists);

#endif
