/* routes.h: the route table: every path and method the server answers, who may call it, and
 * what body it takes. The OpenAPI document must list exactly these (a test compares them). */
#ifndef KR_HTTP_ROUTES_H
#define KR_HTTP_ROUTES_H

#include <stdio.h>

#include "http/context.h"
#include "http/router.h"

typedef void (*http_handler)(http_ctx *ctx);

typedef enum {
  BODY_NONE,         /* no body and no Content-Type needed; a body is refused (415) */
  BODY_JSON,         /* application/json, at most MAX_BODY_BYTES */
  BODY_JSON_OR_FORM, /* also application/x-www-form-urlencoded (the OAuth endpoints) */
  BODY_FILE,         /* a raw PDF, JPEG or PNG of at most HTTP_FILE_MAX_BYTES (uploads) */
} body_kind;

/* Uploaded files (evidence, diplomas) may be larger than JSON bodies. */
#define HTTP_FILE_MAX_BYTES (10u * 1024u * 1024u)

typedef struct http_route {
  router_entry entry; /* first member: router_find reads the table through it */
  http_handler handler;
  int roles;          /* 0: public; otherwise the role bits that may call it */
  body_kind body;
  unsigned flags;     /* ROUTE_* below */
} http_route;

/* Access-Control-Allow-Origin: * (the public contract). */
#define ROUTE_CORS_ANY 1u
/* Public, but a token, when sent, must be valid and signs the caller in (the full view). */
#define ROUTE_AUTH_OPTIONAL 2u
/* A GET that reads personal data: each answer is written to the audit trail (audit/trail.h). */
#define ROUTE_AUDIT_READ 4u
/* A POST that only reads, and reads nothing personal (the bulk certification check): kept out
 * of the audit trail, which every other write is in. */
#define ROUTE_NOT_AUDITED 8u
/* Open to an admin whose token lacks the second factor while ADMIN_SECOND_FACTOR=required: what
 * it takes to enrol one (the own account, its password, the enrolment). */
#define ROUTE_ENROLMENT 16u

extern const http_route http_routes[];
extern const size_t http_route_count;

/* Writes the table as a JSON array of {"method","path"} (the `routes` subcommand). */
void routes_print_json(FILE *out);

#endif
