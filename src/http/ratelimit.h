/* ratelimit.h: request counts per client address in fixed windows, shared by every replica, for
 * the public routes that cost work or invite scraping.
 *
 * A request is decided in memory, with no database round trip: each process counts in its own
 * table (core/rate_table.h) and a thread of its own adds this process's new hits to the table
 * rate_limit_windows in PostgreSQL every RATE_LIMIT_SYNC_MILLISECONDS, in one statement over one
 * connection of its own, reading back the count of all replicas for those addresses. A request
 * is allowed while (the count of all replicas at the last sync) + (this process's hits since)
 * stays below the limit. A window starts at the address's first request (in whichever replica
 * synced it first) and lasts the window's length; Retry-After on the 429 is the whole seconds
 * until it ends.
 *
 * How far over the limit replicas can go: within one replica the limit holds exactly. Each
 * replica learns the other replicas' hits only at its own syncs, so between two syncs each may
 * serve an address up to (limit - the count it last read). An address that spreads its requests
 * over N replicas can therefore get up to about limit + (N - 1) x (what one replica serves it in
 * one sync interval plus one statement) in a window, and never more than N x limit (each replica
 * stops at the limit on its own). A replica that has not yet seen an address in this window
 * knows nothing of its count elsewhere until its next sync. Clocks of replicas are assumed to
 * agree (NTP): a window's end is a wall-clock time.
 *
 * When the database is away the limiter goes on deciding with what it last read plus its own
 * hits, which it keeps and syncs once the database is back; it never answers 503. Memory is
 * bounded (RATE_LIMIT_MAX_CLIENTS entries, about 112 bytes each; see rate_table.h for what a
 * full table does). Rows of windows that ended are deleted by every replica about once a minute.
 *
 * Ownership: the module owns its table, connection and thread, from http_rate_limit_start to
 * http_rate_limit_stop; callers own nothing of it. */
#ifndef KR_HTTP_RATELIMIT_H
#define KR_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "http/context.h"

/* Starts the limiter before the HTTP server: the table, its database connection (prepared with
 * the module's statements) and the sync thread. False with a message in err when it could not. */
bool http_rate_limit_start(const config *cfg, char *err, size_t err_size);
/* After the HTTP server stopped: stops the sync thread, syncs a last time (so a replica that is
 * replaced hands its counts on), closes the connection and frees the table. A no-op when not
 * started. */
void http_rate_limit_stop(void);

/* Counts this request in `bucket` (a short constant name, at most 15 bytes) for the client's
 * address. False after answering 429 with Retry-After when the address has used up `limit`
 * requests in its window of window_seconds. Not started (no `serve`): always true. */
bool http_rate_limit(http_ctx *ctx, const char *bucket, int limit, int window_seconds);
/* The same for the signed-in caller's account, wherever it calls from (expensive routes are
 * bounded per account); use a bucket of its own. */
bool http_rate_limit_account(http_ctx *ctx, const char *bucket, int limit, int window_seconds);

#endif
