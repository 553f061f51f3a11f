/* ratelimit.h: request counts per client address in fixed windows, kept in PostgreSQL so that
 * every replica counts the same requests (public routes that cost work or invite scraping). */
#ifndef KR_HTTP_RATELIMIT_H
#define KR_HTTP_RATELIMIT_H

#include <stdbool.h>

#include "http/context.h"

extern const db_statement *const ratelimit_statements[];

/* Counts this request in `bucket` for the client's address. False after answering 429 with
 * Retry-After (or 503 when the database is away). */
bool http_rate_limit(http_ctx *ctx, const char *bucket, int limit, int window_seconds);

#endif
