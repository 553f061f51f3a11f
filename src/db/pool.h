/* pool.h: a bounded pool of PostgreSQL connections with prepared statements.
 *
 * Each connection prepares every registered statement when it connects. A connection that
 * breaks is replaced in the background, so a request never waits on a reconnect: while no
 * healthy connection exists, db_acquire answers NULL at once (the caller sends a 503).
 * Parameters are always bound; SQL text never contains request data. */
#ifndef KR_DB_POOL_H
#define KR_DB_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* A named SQL statement, defined once (static) in the store module that owns it. */
typedef struct {
  const char *name;
  const char *sql;
} db_statement;

typedef struct db_pool db_pool;
typedef struct db_conn db_conn;

/* Connects `size` connections and prepares every statement of every NULL-terminated list in
 * `lists` (itself NULL-terminated). Returns NULL with a message in err when no connection could
 * be made or a statement failed to prepare. The pool owns its connections; db_pool_destroy
 * closes them. `lists` is kept, not copied (every reconnect prepares again): it must outlive the
 * pool, so make it static. */
db_pool *db_pool_create(const char *url, int size, int statement_timeout_ms,
                        const db_statement *const *const *lists, char *err, size_t err_size);
void db_pool_destroy(db_pool *pool);

/* Borrows a healthy connection, waiting at most about a second when all are busy; NULL when the
 * database is unreachable or the wait ran out. Give it back with db_release. */
db_conn *db_acquire(db_pool *pool);
/* Returns a connection; one left inside a transaction is rolled back, a broken one replaced. */
void db_release(db_pool *pool, db_conn *conn);

/* The libpq connection, for code that runs its own plain SQL (readiness, migrations). */
PGconn *db_conn_pg(db_conn *conn);

/* Runs a prepared statement. The result belongs to the caller (PQclear); never NULL-checked by
 * callers: pass it to db_result_error. values may contain NULL for SQL NULL. */
PGresult *db_exec(db_conn *conn, const db_statement *stmt, int n, const char *const *values);
/* The same with binary parameters (formats[i] == 1; lengths give their sizes) and, with
 * binary_result, the result in binary (for bytea columns read as raw bytes). */
PGresult *db_exec_binary(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                         const int *lengths, const int *formats, bool binary_result);

/* Runs SQL with no parameters (BEGIN, COMMIT, SELECT 1). */
PGresult *db_exec_plain(db_conn *conn, const char *sql);

/* KR_OK when r succeeded with a tuples or command result; otherwise the error it maps to
 * (23505 -> CONFLICT, 57014/08xxx/40001 -> UNAVAILABLE, ...), logged with its SQLSTATE.
 * Marks the connection broken when the failure was the connection's. */
kr_err db_result_error(db_conn *conn, const PGresult *r);
/* The SQLSTATE of a failed result, or "" */
const char *db_sqlstate(const PGresult *r);

/* Runs a statement for its effect only. */
kr_err db_run(db_conn *conn, const db_statement *stmt, int n, const char *const *values);

/* Runs a statement and hands over the first column of its first row as text the caller frees
 * with free(); KR_NOT_FOUND when there is no row. */
kr_err db_fetch_text(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                     char **out);

/* For a statement whose row is (text, id) — an INSERT ... RETURNING json, id: *out gets the
 * first column (free it), id the second. KR_NOT_FOUND when there is no row. */
kr_err db_fetch_text_and_id(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                            char **out, char id[37]);

/* Runs a statement and hands over its result when it succeeded (the caller PQclears it); on
 * failure *out is NULL. */
kr_err db_fetch_result(db_conn *conn, const db_statement *stmt, int n, const char *const *values,
                       PGresult **out);

kr_err db_begin(db_conn *conn);
kr_err db_commit(db_conn *conn);
void db_rollback(db_conn *conn);

/* Counts for /metrics and /readyz. */
void db_pool_stats(db_pool *pool, int *idle, int *busy, int *broken);

#endif
