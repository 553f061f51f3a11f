/* error.h: the service's error codes, one table for every layer.
 *
 * Store and resource functions return a kr_err; the HTTP edge turns it into a problem+json
 * response with the status, problem type slug and title from this table. */
#ifndef KR_CORE_ERROR_H
#define KR_CORE_ERROR_H

/* X(name, http status, problem type slug, title) */
#define KR_ERR_MAP(X)                                                                        \
  X(OK, 200, "ok", "OK")                                                                     \
  X(MALFORMED_JSON, 400, "malformed-json", "The request body is not a JSON object")          \
  X(VALIDATION, 400, "validation-error", "The request has invalid or unknown fields")        \
  X(INVALID_GRANT, 400, "invalid-grant", "The credentials or grant are not valid")           \
  X(UNAUTHORIZED_CLIENT, 400, "unauthorized-client", "This account may not use this grant")  \
  X(UNSUPPORTED_TOKEN_TYPE, 400, "unsupported-token-type", "This token cannot be revoked")   \
  X(UNAUTHORIZED, 401, "unauthorized", "Authentication is required")                         \
  X(INVALID_CLIENT, 401, "invalid-client", "Client authentication failed")                   \
  X(FORBIDDEN, 403, "forbidden", "This account may not use this operation")                 \
  X(NOT_FOUND, 404, "not-found", "Not found")                                                \
  X(METHOD_NOT_ALLOWED, 405, "method-not-allowed", "Method not allowed")                     \
  X(NOT_ACCEPTABLE, 406, "not-acceptable", "None of the accepted media types can be given")    \
  X(CONFLICT, 409, "conflict", "The request conflicts with the current state")               \
  X(GONE, 410, "gone", "The link has been used or has expired")                              \
  X(PRECONDITION_FAILED, 412, "precondition-failed", "The resource has changed")             \
  X(PAYLOAD_TOO_LARGE, 413, "payload-too-large", "The request body is too large")            \
  X(URI_TOO_LONG, 414, "uri-too-long", "The request's URI is too long")                     \
  X(UNSUPPORTED_MEDIA_TYPE, 415, "unsupported-media-type", "Unsupported Content-Type")       \
  X(UNPROCESSABLE, 422, "unprocessable", "The request cannot be processed")                  \
  X(TOO_MANY_REQUESTS, 429, "too-many-requests", "Too many requests")                        \
  X(HEADERS_TOO_LARGE, 431, "header-fields-too-large", "The request's header fields are too large") \
  X(INTERNAL, 500, "internal-error", "Internal server error")                                \
  X(UNAVAILABLE, 503, "service-unavailable", "The service is temporarily unavailable")       \
  X(NOT_BUILT, 503, "not-built", "This part of the service was not built")

typedef enum {
#define KR_ERR_ENUM(name, status, slug, title) KR_##name,
  KR_ERR_MAP(KR_ERR_ENUM)
#undef KR_ERR_ENUM
  KR_ERR_COUNT
} kr_err;

int kr_err_status(kr_err e);
const char *kr_err_slug(kr_err e);  /* static string */
const char *kr_err_title(kr_err e); /* static string */

#endif
