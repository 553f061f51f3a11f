/* revocation.h: access tokens cut before they expire.
 *
 * Access tokens are verified without the database (token.h). The accounts whose tokens are cut
 * (deactivated accounts: all their tokens; others: tokens issued up to a second, e.g. deactivated
 * and opened again) are few, so every replica holds them in memory: a sorted array, swapped whole
 * under a lock when PostgreSQL notifies channel kr_account_revocations (sent by the transaction
 * that cuts, sql/0015) and after the listener reconnects. A request asks the array, never the
 * database. This module owns the array and the listener. */
#ifndef KR_AUTH_REVOCATION_H
#define KR_AUTH_REVOCATION_H

#include <stdbool.h>

#include "db/pool.h"

extern const db_statement *const revocation_statements[]; /* NULL-terminated, for the pool */

/* Loads the cuts through pool (false when the database cannot be read) and starts listening on
 * database_url. token_life_seconds: the longest access-token life, after which a cut no longer
 * matters. */
bool auth_revocations_start(db_pool *pool, const char *database_url, int token_life_seconds);
void auth_revocations_stop(void);

/* Reloads now, on the caller's thread (after this replica cut tokens itself: its own next
 * request must not wait for the notification). False when the database cannot be read. */
bool auth_revocations_reload(void);

/* True when the token of account_id issued at issued_at (Unix seconds) has been cut. */
bool auth_token_revoked(const char *account_id, long issued_at);

#endif
