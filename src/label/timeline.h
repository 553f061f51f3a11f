/* timeline.h (label): certificate statuses, decided when a certificate changes.
 *
 * Every write that can change a certificate's status calls label_statuses_derive in its own
 * transaction after it wrote: that reads the organisation's certificates and their changes
 * (after the organisation's row lock), runs the pure rules (label/rules.h) and stores their
 * result in certificate_statuses and organisation_certification (sql/0006). Reads then look a
 * status up by date. The stored spans also hold the answers that show them, so whatever those
 * answers show (an organisation's name, a certificate's changes) calls this again when it
 * changes. label_statuses_backfill fills the tables for rows written behind the
 * service's back (an older schema, a bulk load). */
#ifndef KR_LABEL_TIMELINE_H
#define KR_LABEL_TIMELINE_H

#include "db/pool.h"

extern const db_statement *const label_timeline_statements[];

/* Locks the organisation's row until the transaction ends: writers of its certificates (and of
 * their statuses) go one at a time. KR_NOT_FOUND when there is no such organisation. */
kr_err label_organisation_lock(db_conn *db, const char *organisation_id);

/* Recomputes and stores the statuses of every certificate of the organisation, and which one
 * stands for it when, inside the caller's transaction, which holds the organisation's lock. */
kr_err label_statuses_derive(db_conn *db, const char *organisation_id);

/* Locks the organisations in `organisations` (a PostgreSQL array literal of ids), in id order,
 * and derives their statuses, inside the caller's transaction. */
kr_err label_statuses_derive_all(db_conn *db, const char *organisations);

/* Derives the statuses of every organisation that has a certificate without them, in batches,
 * each batch one transaction under a lock that replicas starting together share. *derived
 * counts the organisations. Runs outside any transaction. */
kr_err label_statuses_backfill(db_conn *db, int *derived);

#endif
