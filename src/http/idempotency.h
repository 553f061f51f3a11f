/* idempotency.h: Idempotency-Key for writes by machine clients (IETF httpapi draft).
 *
 * The key is scoped to the calling account. The first request with a key runs, and its answer
 * is stored in the same transaction as its writes; a retry with the same key and the same
 * request gets that answer again, with another request a 422; while the first is still running,
 * a 409. Keys are kept 24 hours. Without the header a write simply runs in one transaction. */
#ifndef KR_HTTP_IDEMPOTENCY_H
#define KR_HTTP_IDEMPOTENCY_H

#include <stdbool.h>

#include "http/context.h"

extern const db_statement *const idempotency_statements[]; /* NULL-terminated, for the pool */

typedef struct {
  bool keyed;
  char key[256];
  char request_hash[65];
} idem_state;

/* Opens the request's transaction. True: go on and write, then call idem_finish. False: the
 * answer is sent already (a replay, 409, 422, 400 for a malformed key, or a database error). */
bool idem_begin(http_ctx *ctx, db_conn *db, idem_state *st);

/* After the handler answered: with commit, stores that answer under the key (answers below 500)
 * and commits; without, rolls back. A failed commit replaces the answer with a problem. */
void idem_finish(http_ctx *ctx, db_conn *db, const idem_state *st, bool commit);

#endif
