/* busy.h: how many expensive requests (a full export) each account has running in this process,
 * so that one account cannot take every worker thread. Counted per replica, in memory: behind a
 * load balancer an account may run this many in each replica. */
#ifndef KR_HTTP_BUSY_H
#define KR_HTTP_BUSY_H

#include <stdbool.h>

#include "http/context.h"

/* Counts one more expensive request for the signed-in caller. False after answering 429 with
 * Retry-After when the account has EXPENSIVE_REQUESTS_PER_ACCOUNT running already; then do not
 * call http_busy_leave. */
bool http_busy_enter(http_ctx *ctx);
/* Ends what http_busy_enter counted. */
void http_busy_leave(http_ctx *ctx);

#endif
