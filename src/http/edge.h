/* edge.h: what every request passes through, in order: request id, client address, common
 * headers, routing (404, 405 with Allow, CORS preflight), authentication and roles (401, 403),
 * body size and media type (413, 415), the route's handler, then the log line and metrics. */
#ifndef KR_HTTP_EDGE_H
#define KR_HTTP_EDGE_H

#include <stdbool.h>
#include <ulfius.h>

#include "http/context.h"

/* Services handed to every handler; must outlive the server. */
void http_edge_init(const http_services *services);

/* The ulfius default endpoint: every request comes through here. */
int http_dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data);

/* Shutdown: while draining, /readyz says 503 and answers ask clients to close. */
void http_edge_set_draining(bool draining);
bool http_edge_draining(void);
/* Requests being handled right now. */
int http_edge_in_flight(void);

#endif
