/* server.h: the HTTP listener: libmicrohttpd's epoll thread pool with an access handler of our
 * own, so that the edge (edge.h) decides on a request's headers before its body is read; each
 * request travels as ulfius's request and response structures (the edge's http_exchange).
 * Connection deadlines and free slots: slots.h. */
#ifndef KR_HTTP_SERVER_H
#define KR_HTTP_SERVER_H

#include <stddef.h>

#include "config.h"

typedef struct http_server http_server;

/* Starts listening; NULL with a message in err on failure. http_edge_init must have run. */
http_server *http_server_start(const config *cfg, char *err, size_t err_size);
/* Stops accepting new connections; open ones are still served. */
void http_server_quiesce(http_server *server);
/* Closes every connection and frees the server. NULL is a no-op. */
void http_server_stop(http_server *server);

#endif
