/* trail.h: the audit trail (sql/0025): who did what, and who read whose personal data.
 *
 * The edge calls audit_after_request once a request's answer is decided and before it leaves:
 * every write (a route whose method is not GET, unless flagged ROUTE_NOT_AUDITED) and every read
 * of personal data (a GET flagged ROUTE_AUDIT_READ) appends one row: the caller's account and
 * role, the method and route template, the objects its path names (and, for a 201, the object
 * it created), the status and the request id. Answers of callers that are not signed in are
 * kept only when they succeeded; a signed-in caller's refusals are kept too (someone tried).
 * Never a password, a token or a body: a {token} path segment is left out.
 *
 * The row is written after the handler's own transaction, in one of its own that does not wait
 * for the WAL flush (sql/0028): a write stands even when its row could not be written (logged as
 * an error), but a read of personal data whose row could not be written is answered 503
 * instead, so that nothing is read without a trace.
 *
 * Personal data read (ROUTE_AUDIT_READ, issue 10's list): a professional's record (one or the
 * admin's list), diploma, evidence, history and export; the certification check log; the trail
 * itself. */
#ifndef KR_AUDIT_TRAIL_H
#define KR_AUDIT_TRAIL_H

#include <stdbool.h>

#include "db/pool.h"
#include "http/context.h"

extern const db_statement *const audit_statements[]; /* NULL-terminated, for the pool */

/* Whether a request to this route with this answer is kept (pure; the unit test's). */
bool audit_wanted(const char *method, unsigned route_flags, bool signed_in, int status);

/* Appends ctx's row when audit_wanted says so, on ctx's connection (borrowed from pool when the
 * handler took none; the edge releases it). */
void audit_after_request(http_ctx *ctx, db_pool *pool);

/* GET /v1/audit-trail (admin): keyset-paged, newest first, by accountId, objectId, from, to. */
void audit_trail_list_handler(http_ctx *ctx);

#endif
