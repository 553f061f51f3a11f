/* check_log.h: the log of municipalities' certification checks, written in batches.
 *
 * A check answers from a read (kr_certification_answers); its log row (one per check request,
 * sql/0012) is queued in this process's memory and written with the rows of every other check
 * queued since, in one INSERT, by a thread of the module's own every CHECK_LOG_FLUSH_MILLISECONDS
 * (sooner when much is queued). Writing the row in the check's own transaction halved a single
 * check's throughput (sql/0016).
 *
 * What can be lost: the log records reads, never decides an answer. A process that is killed or
 * crashes loses the rows queued and not yet written: the checks of at most the last flush
 * interval (plus one INSERT in flight). A stop by SIGTERM writes everything queued before it
 * exits. No answer a client received changes.
 *
 * Order and reading: rows get their ids (first_id) when written, in the order they were queued
 * within a replica; asked_at is the time the check was answered. A read of the log
 * (GET /v1/certification-check-log) first writes what this replica has queued, so a client sees
 * its own checks at once; rows queued by other replicas appear within their flush interval.
 *
 * Finding a KvK number's checks: every CHECK_LOG_INDEX_SECONDS a thread of the module runs
 * kr_check_log_index (sql/0017), which indexes every log row written since the last run, in one
 * statement, in whichever replica gets to it first; a read by KvK number scans only the rows
 * written since. Indexing each number of each row as it was written (a GIN index) cost the bulk
 * check a sixth of its throughput at 15,000 organisations.
 *
 * Bounds: a replica holds at most CHECK_LOG_QUEUE_BYTES of rows not yet written (4 MiB). A check that finds it full
 * writes the queue itself on its own connection before answering (the back-pressure of a slow
 * database reaches the checks, not the memory); when that fails too, the check is refused with a
 * 503: no municipality's check is answered that cannot be logged.
 *
 * Ownership: the module owns its queue, connections and threads from check_log_start to
 * check_log_stop; callers pass strings it copies. */
#ifndef KR_MUNICIPAL_CHECK_LOG_H
#define KR_MUNICIPAL_CHECK_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "core/error.h"
#include "db/pool.h"

/* The INSERT, prepared on the request pool as well (a check that finds the queue full, and a
 * read of the log, write the queue on their own connection). */
extern const db_statement *const check_log_statements[];

/* Starts the flush and indexing threads and their connections. False with a message in err when it could not. */
bool check_log_start(const config *cfg, char *err, size_t err_size);
/* After the HTTP server stopped: stops the thread, writes what is queued, closes the connection.
 * A no-op when not started. */
void check_log_stop(void);

/* Queues the log row of one check: the account and municipality that asked, the date asked
 * about (YYYY-MM-DD), the numbers as a PostgreSQL array literal of 8-digit numbers and the
 * answers as PostgreSQL printed the boolean[] ({t,f,...}), in input order. When the queue is
 * full, writes it on db first; when the module is not started, writes the row at once on db.
 * KR_OK when the row is queued or written; otherwise the error, and the row is not kept. */
kr_err check_log_record(db_conn *db, const char *account, const char *municipality, const char *on,
                        const char *numbers, const char *certified);

/* Writes everything queued so far on db (before a read of the log). */
kr_err check_log_flush(db_conn *db);

#endif
