/* metrics.h: request counters and latency histograms per route, method and status, in
 * Prometheus text format. Thread-safe; fixed memory after metrics_init. */
#ifndef KR_HTTP_METRICS_H
#define KR_HTTP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/text.h"
#include "db/pool.h"

/* Sizes the table for route indexes 0..route_count-1 plus one slot for unmatched requests. */
bool metrics_init(size_t route_count);
void metrics_free(void);

/* route: index into the route table, or -1 when no route matched (404/405). */
void metrics_observe(int route, int status, double seconds);

/* Appends the exposition text; route_label(i) gives the method and template of route i. */
void metrics_render(text_buf *out, const char *(*route_method)(int), const char *(*route_path)(int),
                    db_pool *pool, int pool_size);

#endif
