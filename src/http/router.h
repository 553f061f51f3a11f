/* router.h: matching a raw request path against path templates ("/v1/accounts/{accountId}").
 *
 * Pure: no I/O, no allocation. Segments are compared literally; a "{name}" segment takes any
 * non-empty segment, percent-decoded. Literal segments win over parameters, so
 * "/v1/accounts/me" beats "/v1/accounts/{accountId}". A trailing slash or an empty segment
 * matches nothing. */
#ifndef KR_HTTP_ROUTER_H
#define KR_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_PARAM_MAX 256

typedef struct {
  const char *method; /* "GET", "POST", ... */
  const char *path;   /* template */
} router_entry;

typedef enum { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD } router_result;

typedef struct {
  int index; /* of the matching entry when FOUND */
  int param_count;
  char param_names[ROUTER_MAX_PARAMS][64];
  char params[ROUTER_MAX_PARAMS][ROUTER_PARAM_MAX];
  char allow[128]; /* "GET, POST" when the path exists (FOUND or NO_METHOD) */
} router_match;

/* Matches method and raw path (no query string) against entries[0..n), whose stride in bytes is
 * `stride` (so that a table of larger structs that begin with a router_entry can be passed). */
router_result router_find(const void *entries, size_t n, size_t stride, const char *method,
                          const char *path, router_match *out);

#endif
