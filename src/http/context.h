/* context.h: one request as a handler sees it, and the ways to answer it.
 *
 * The edge (edge.c) builds an http_ctx per request, runs the route's handler with it, then
 * releases what the context holds (its database connection) and logs the request. Handlers
 * answer with exactly one http_reply_* call. */
#ifndef KR_HTTP_CONTEXT_H
#define KR_HTTP_CONTEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <ulfius.h>

#include "auth/principal.h"
#include "config.h"
#include "core/error.h"
#include "db/pool.h"
#include "http/router.h"

struct http_route;

typedef struct {
  const config *cfg;
  db_pool *pool;
} http_services;

typedef struct http_ctx {
  const struct _u_request *req;
  struct _u_response *resp;
  const struct http_route *route;
  const http_services *services;
  router_match match;
  bool signed_in;
  principal caller;
  char request_id[130];
  char client_ip[64];
  int status;      /* the answer's status, once replied */
  db_conn *db;     /* borrowed lazily by http_db; released by the edge */
} http_ctx;

/* Request side ----------------------------------------------------------------------------- */
const char *http_header(const http_ctx *ctx, const char *name);   /* NULL when absent */
const char *http_query(const http_ctx *ctx, const char *name);    /* decoded; NULL when absent */
const char *http_path_param(const http_ctx *ctx, const char *name); /* decoded; NULL when absent */
/* The path parameter `name` when it is a UUID; otherwise answers 400 naming it and gives NULL. */
const char *http_uuid_param(http_ctx *ctx, const char *name);

/* The request's database connection, borrowed on first use. NULL when the database is
 * unavailable: the 503 problem has then been sent already, so the handler just returns. */
db_conn *http_db(http_ctx *ctx);

/* Answers 400 naming each query parameter not in `allowed` (NULL-terminated); true when all
 * were allowed. */
bool http_query_only(http_ctx *ctx, const char *const *allowed);

/* Conditional requests: true to go on; answers 400 when If-Match is empty or longer than
 * HTTP_IF_MATCH_MAX characters, 412 when it names neither etag nor "*". */
#define HTTP_IF_MATCH_MAX 256
bool http_if_match(http_ctx *ctx, const char *etag);

/* Response side ---------------------------------------------------------------------------- */
void http_set_header(http_ctx *ctx, const char *name, const char *value);

/* JSON body; takes ownership of body. */
void http_reply_json(http_ctx *ctx, int status, json_t *body);
/* Body bytes as they are (copied), e.g. JSON built by PostgreSQL. */
void http_reply_raw(http_ctx *ctx, int status, const char *content_type, const char *data,
                    size_t len);
void http_reply_empty(http_ctx *ctx, int status);

/* A problem+json answer with the table's status, type and title. detail may be NULL (the title
 * is used); errors is an array of {field, message} or NULL and is taken over, as is extra (an
 * object whose members are merged in, e.g. OAuth's error and error_description). A 503 gets
 * Retry-After: 1 unless the handler set one. */
void http_reply_problem(http_ctx *ctx, kr_err err, const char *detail, json_t *errors,
                        json_t *extra);

/* Field errors: a JSON array of {field, message}. */
json_t *field_errors_new(void);
void field_error(json_t *errors, const char *field, const char *message);
/* If errors is non-empty, answers the 400 validation problem (taking errors) and returns
 * true; otherwise frees errors and returns false. */
bool http_reply_if_invalid(http_ctx *ctx, json_t *errors);

#endif
