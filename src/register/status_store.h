/* status_store.h (register): registration status timelines in PostgreSQL (registration_statuses,
 * sql/0007_registration_status.sql).
 *
 * Statuses are decided when they change, not when they are read. A write that can change a
 * professional's status locks the professional's row first (register_lock), reads the facts after
 * the lock (kr_registration_facts, read with register_facts_of), decides with the pure rules
 * (register/rules.h), writes, and calls register_statuses_store before it commits. Reads take the
 * status from the stored timeline, in SQL (kr_professional_view, kr_public_view). */
#ifndef KR_REGISTER_STATUS_STORE_H
#define KR_REGISTER_STATUS_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/pool.h"
#include "register/rules.h"

/* A professional's facts as the status rule needs them: state, periods, measures (not revoked).
 * At most 32 periods and 32 measures are read. */
typedef struct {
  reg_facts facts;
  reg_period periods[32];
  reg_measure measures[32];
} professional_facts;

/* Reads kr_registration_facts' JSON (state, deregisteredOn, periods, measures); false when the
 * JSON is not one. `out` points into itself: do not copy it. */
bool register_facts_of(const json_t *pro, professional_facts *out);

/* Locks the professional's row until the caller's transaction ends; KR_NOT_FOUND when there is
 * none. Facts read after it cannot change under the caller. */
kr_err register_lock(db_conn *db, const char *id);

/* Decides the professional's timeline from its facts as they are now, inside the caller's
 * transaction (after its writes, under its lock or on a row it has just inserted), and replaces
 * the stored timeline with it. */
kr_err register_statuses_store(db_conn *db, const char *id);

/* Gives every professional that has no timeline (rows loaded behind the service's back, or
 * migrated from before timelines existed) its timeline, 1,000 professionals per statement, in one
 * transaction under an advisory lock so that replicas starting together do not race. Runs its own
 * transaction: call it outside one. Needs register_statements prepared on `db`. */
kr_err register_backfill_statuses(db_conn *db);

#endif
