/* edge.h: what every request passes through, in order: request id, client address, common
 * headers, routing (404, 405 with Allow, CORS preflight), authentication and roles (401, 403),
 * body size and media type (413, 415), the route's handler, then the log line and metrics. */
#ifndef KR_HTTP_EDGE_H
#define KR_HTTP_EDGE_H

#include <stdbool.h>
#include <time.h>
#include <ulfius.h>

#include "http/context.h"

/* Services handed to every handler; must outlive the server. */
void http_edge_init(const http_services *services);

/* One request from its headers to its answer. The server (server.c) owns it: it allocates one
 * when a request line arrives, fills req, hands it to http_edge_begin once the headers are in
 * and to http_edge_finish once the body is, sends resp, and frees it all when the answer is
 * sent or the connection is gone. */
typedef struct http_exchange {
  struct _u_request req;
  struct _u_response resp;
  http_ctx ctx;
  struct timespec start;
  size_t header_bytes;    /* the request line and header fields as received */
  size_t body_limit;      /* the most body bytes the route takes; the server keeps one more */
  size_t body_capacity;   /* bytes allocated at req.binary_body */
  char bad_query[64];     /* a query parameter whose value is not UTF-8, if any */
  int stage;              /* the server's: where the request is (server.c) */
  bool own_memory;        /* the server's: allocated for this request alone */
} http_exchange;

/* The headers are in. Answers what the headers alone decide, before a byte of body is read:
 * 414 and 431, routing (404, 405, CORS preflight), 401/403, 413 on the declared length and 415.
 * True when the body is wanted; false when the answer is ready. Either way http_edge_finish
 * follows (or http_edge_abandon when the client goes away first). */
bool http_edge_begin(http_exchange *x);
/* The body is in (at most body_limit + 1 bytes kept): checks it, runs the route's handler unless
 * the answer was decided on the headers, releases the request's database connection, logs and
 * counts the request. */
void http_edge_finish(http_exchange *x);
/* The client went away after http_edge_begin and before its body was complete. */
void http_edge_abandon(http_exchange *x);

/* Bounds on what a request line and its header fields may hold: 414 and 431 beyond them. */
#define HTTP_URL_MAX_BYTES (4 * 1024)
#define HTTP_HEADERS_MAX_BYTES (8 * 1024)

/* Shutdown: while draining, /readyz says 503 and answers ask clients to close. */
void http_edge_set_draining(bool draining);
bool http_edge_draining(void);
/* Requests being handled right now. */
int http_edge_in_flight(void);

#endif
