/* quota.h (register): what one professional may store: development activities per registration
 * period and evidence bytes in all (numbers from the configuration), and which record states
 * take evidence at all. Checks run inside the caller's transaction under a per-professional
 * transaction lock, so two parallel writes cannot both take the last unit. */
#ifndef KR_REGISTER_QUOTA_H
#define KR_REGISTER_QUOTA_H

#include <stdbool.h>
#include <stddef.h>

#include "http/context.h"

extern const db_statement *const register_quota_statements[]; /* NULL-terminated, for the pool */

/* Pure: true when a record in this stored state (applied, registered, rejected, deregistered)
 * may receive evidence. Evidence backs development towards re-registration, so only a record
 * that has been registered and has not left the register takes it. */
bool register_evidence_state_allows(const char *state);

/* In an open transaction: takes the professional's quota lock and checks that one more activity
 * starting on started_on (YYYY-MM-DD) fits its period's quota. False after answering
 * (409, or the database's error). */
bool register_quota_activity(http_ctx *ctx, db_conn *db, const char *professional,
                             const char *started_on);
/* In an open transaction: takes the professional's quota lock and checks that the record's
 * state takes evidence (409) and that `bytes` more fit the evidence quota (413). False after
 * answering. */
bool register_quota_evidence(http_ctx *ctx, db_conn *db, const char *professional, size_t bytes);

#endif
