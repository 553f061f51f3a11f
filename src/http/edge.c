#include "http/edge.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_version.h"
#include "audit/trail.h"
#include "auth/revocation.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/text.h"
#include "http/metrics.h"
#include "http/routes.h"

static const http_services *services;
static atomic_bool draining;
static atomic_int in_flight;

void http_edge_init(const http_services *s) { services = s; }
void http_edge_set_draining(bool d) { atomic_store(&draining, d); }
bool http_edge_draining(void) { return atomic_load(&draining); }
int http_edge_in_flight(void) { return atomic_load(&in_flight); }

static bool request_id_ok(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n > 128) return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)id[i]) && id[i] != '.' && id[i] != '_' && id[i] != '-')
      return false;
  return true;
}

/* The peer's address; behind a trusted proxy, the right-most X-Forwarded-For entry that is not
 * itself a trusted proxy. */
static void find_client_ip(http_ctx *ctx) {
  const struct sockaddr *sa = ctx->req->client_address;
  strcpy(ctx->client_ip, "unknown");
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ctx->client_ip,
              sizeof ctx->client_ip);
  const config *cfg = services->cfg;
  const char *xff = http_header(ctx, "X-Forwarded-For");
  if (!xff || !config_proxy_trusted(cfg, ctx->client_ip)) return;
  char list[512];
  snprintf(list, sizeof list, "%s", xff);
  for (;;) {
    char *comma = strrchr(list, ',');
    char *entry = comma ? comma + 1 : list;
    while (*entry == ' ') entry++;
    struct in_addr addr;
    if (inet_pton(AF_INET, entry, &addr) != 1) return;
    snprintf(ctx->client_ip, sizeof ctx->client_ip, "%.63s", entry);
    if (!config_proxy_trusted(cfg, entry) || !comma) return;
    *comma = '\0';
  }
}

static void common_headers(http_ctx *ctx) {
  http_set_header(ctx, "API-Version", KR_API_VERSION);
  http_set_header(ctx, "X-Request-Id", ctx->request_id);
  http_set_header(ctx, "Cache-Control", "no-store");
  http_set_header(ctx, "X-Content-Type-Options", "nosniff");
  http_set_header(ctx, "X-Frame-Options", "DENY");
  http_set_header(ctx, "Referrer-Policy", "no-referrer");
  http_set_header(ctx, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  if (atomic_load(&draining)) http_set_header(ctx, "Connection", "close");
}

static void cors_headers(http_ctx *ctx, const http_route *route, bool preflight,
                         const char *allow) {
  const char *origin = http_header(ctx, "Origin");
  bool any = route && (route->flags & ROUTE_CORS_ANY);
  if (!any) {
    http_set_header(ctx, "Vary", "Origin");
    if (!config_cors_allows(services->cfg, origin)) return;
  }
  http_set_header(ctx, "Access-Control-Allow-Origin", any ? "*" : origin);
  http_set_header(ctx, "Access-Control-Expose-Headers",
                  "API-Version, X-Request-Id, Location, ETag, Retry-After");
  if (preflight) {
    http_set_header(ctx, "Access-Control-Allow-Methods", allow);
    http_set_header(ctx, "Access-Control-Allow-Headers",
                    "Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-Id");
    http_set_header(ctx, "Access-Control-Max-Age", "600");
  }
}

static void unauthorized(http_ctx *ctx, const char *why) {
  char challenge[256];
  if (why)
    snprintf(challenge, sizeof challenge,
             "Bearer realm=\"kwaliteitsregister\", error=\"invalid_token\", "
             "error_description=\"%s\"",
             why);
  else
    snprintf(challenge, sizeof challenge, "Bearer realm=\"kwaliteitsregister\"");
  http_set_header(ctx, "WWW-Authenticate", challenge);
  http_reply_problem(ctx, KR_UNAUTHORIZED,
                     why ? why : "This operation needs an access token (Authorization: Bearer).",
                     NULL, NULL);
}

/* 401/403; true when the caller may go on. */
static bool authenticate(http_ctx *ctx, const http_route *route) {
  const char *auth = http_header(ctx, "Authorization");
  if (route->roles == 0 && !((route->flags & ROUTE_AUTH_OPTIONAL) && auth)) return true;
  if (!auth) {
    unauthorized(ctx, NULL);
    return false;
  }
  if (strncasecmp(auth, "Bearer ", 7) != 0) {
    unauthorized(ctx, "the Authorization header must use the Bearer scheme");
    return false;
  }
  const char *jwt = auth + 7;
  while (*jwt == ' ') jwt++;
  token_keys keys = token_keys_from(services->cfg);
  const char *why = NULL;
  if (token_verify(&keys, jwt, (long)time(NULL), &ctx->caller, &why) != KR_OK) {
    unauthorized(ctx, why);
    return false;
  }
  if (auth_token_revoked(ctx->caller.account_id, ctx->caller.issued_at)) {
    unauthorized(ctx, "the token has been revoked");
    return false;
  }
  ctx->signed_in = true;
  if (route->roles != 0 && !(route->roles & (int)ctx->caller.role)) {
    http_reply_problem(ctx, KR_FORBIDDEN, "Your role may not use this operation.", NULL, NULL);
    return false;
  }
  if (ctx->caller.role == ROLE_ADMIN && !ctx->caller.second_factor &&
      services->cfg->admin_second_factor_required && !(route->flags & ROUTE_ENROLMENT)) {
    http_reply_problem(ctx, KR_FORBIDDEN,
                       "Admin accounts work with a second factor: enrol one (POST /v1/accounts/me/totp, "
                       "then its confirmation) and sign in again with totp.",
                       NULL, NULL);
    return false;
  }
  return true;
}

static size_t body_limit(const http_route *route) {
  return route->body == BODY_FILE ? HTTP_FILE_MAX_BYTES : services->cfg->max_body_bytes;
}

static void body_too_large(http_ctx *ctx, size_t limit) {
  char detail[128];
  snprintf(detail, sizeof detail, "The body may be at most %zu bytes.", limit);
  http_reply_problem(ctx, KR_PAYLOAD_TOO_LARGE, detail, NULL, NULL);
}

/* 413 on the declared length and 415, on the headers alone; true when the body may be read. A
 * chunked body's length is known only at its end (http_edge_finish). */
static bool body_acceptable(http_ctx *ctx, const http_route *route) {
  size_t limit = body_limit(route);
  const char *declared = http_header(ctx, "Content-Length");
  if (declared && strtoull(declared, NULL, 10) > limit) {
    body_too_large(ctx, limit);
    return false;
  }
  const char *type = http_header(ctx, "Content-Type");
  bool has_body = declared ? strtoull(declared, NULL, 10) > 0
                           : http_header(ctx, "Transfer-Encoding") != NULL;
  bool ok;
  const char *expected;
  switch (route->body) {
    case BODY_NONE:
      ok = !has_body;
      expected = "This operation takes no request body.";
      break;
    case BODY_JSON:
      ok = text_media_type_is(type, "application/json") ||
           (strcmp(ctx->req->http_verb, "PATCH") == 0 &&
            text_media_type_is(type, "application/merge-patch+json"));
      expected = "Send the body as application/json.";
      break;
    case BODY_FILE:
      ok = text_media_type_is(type, "application/pdf") || text_media_type_is(type, "image/jpeg") ||
           text_media_type_is(type, "image/png");
      expected = "Send the file as application/pdf, image/jpeg or image/png.";
      break;
    default:
      ok = text_media_type_is(type, "application/json") ||
           text_media_type_is(type, "application/x-www-form-urlencoded");
      expected = "Send the body as application/json or application/x-www-form-urlencoded.";
      break;
  }
  if (!ok) {
    json_t *errors = field_errors_new();
    field_error(errors, "Content-Type", type ? "is not accepted here" : "is missing");
    http_reply_problem(ctx, KR_UNSUPPORTED_MEDIA_TYPE, expected, errors, NULL);
  }
  return ok;
}

/* Routing, CORS, authentication and the body's headers; true when the route's handler is to
 * run once the body is in. */
static bool route_and_admit(http_ctx *ctx) {
  const char *method = ctx->req->http_verb;
  router_result found = router_find(http_routes, http_route_count, sizeof(http_route), method,
                                    ctx->req->url_path, &ctx->match);
  bool preflight = strcmp(method, "OPTIONS") == 0;
  if (found == ROUTER_NO_PATH) {
    http_reply_problem(ctx, KR_NOT_FOUND, "There is nothing at this path.", NULL, NULL);
    return false;
  }
  if (preflight) {
    /* CORS machinery: any path that exists answers its preflight, with the CORS policy of
     * the path's first route. */
    char first_method[16];
    router_match probe;
    sscanf(ctx->match.allow, "%15[A-Z]", first_method);
    const http_route *first =
        router_find(http_routes, http_route_count, sizeof(http_route), first_method,
                    ctx->req->url_path, &probe) == ROUTER_FOUND
            ? &http_routes[probe.index]
            : NULL;
    http_set_header(ctx, "Allow", ctx->match.allow);
    cors_headers(ctx, first, true, ctx->match.allow);
    http_reply_empty(ctx, 204);
    return false;
  }
  if (found == ROUTER_NO_METHOD) {
    http_set_header(ctx, "Allow", ctx->match.allow);
    char detail[192];
    snprintf(detail, sizeof detail, "This path answers %s.", ctx->match.allow);
    http_reply_problem(ctx, KR_METHOD_NOT_ALLOWED, detail, NULL, NULL);
    return false;
  }
  const http_route *route = &http_routes[ctx->match.index];
  ctx->route = route;
  /* UUIDs are case-insensitive (RFC 9562): an id in capitals names the same object, so every
   * handler sees the canonical lower-case form that it compares with the caller's link. */
  for (int i = 0; i < ctx->match.param_count; i++)
    if (text_is_uuid(ctx->match.params[i]))
      for (char *c = ctx->match.params[i]; *c; c++) *c = (char)tolower((unsigned char)*c);
  cors_headers(ctx, route, false, NULL);
  return authenticate(ctx, route) && body_acceptable(ctx, route);
}

static void log_request(const http_ctx *ctx, double seconds) {
  log_line line;
  if (!log_line_begin(&line, ctx->status >= 500 ? LOG_ERROR : LOG_INFO, "request")) return;
  log_line_str(&line, "requestId", ctx->request_id);
  log_line_str(&line, "method", ctx->req->http_verb);
  log_line_str(&line, "route", ctx->route ? ctx->route->entry.path : "");
  log_line_str(&line, "path", ctx->req->url_path);
  log_line_int(&line, "status", ctx->status);
  log_line_ms(&line, "durationMs", seconds * 1000.0);
  log_line_str(&line, "remoteAddr", ctx->client_ip);
  if (ctx->signed_in) log_line_str(&line, "accountId", ctx->caller.account_id);
  log_line_end(&line);
}

bool http_edge_begin(http_exchange *x) {
  clock_gettime(CLOCK_MONOTONIC, &x->start);
  atomic_fetch_add(&in_flight, 1);
  http_ctx *ctx = &x->ctx; /* zeroed with the exchange */
  ctx->req = &x->req;
  ctx->resp = &x->resp;
  ctx->services = services;
  const char *given = http_header(ctx, "X-Request-Id");
  if (request_id_ok(given)) snprintf(ctx->request_id, sizeof ctx->request_id, "%s", given);
  else if (!rand_uuid(ctx->request_id)) strcpy(ctx->request_id, "unavailable");
  find_client_ip(ctx);
  common_headers(ctx);

  if (strlen(x->req.http_url) > HTTP_URL_MAX_BYTES) {
    char detail[96];
    snprintf(detail, sizeof detail, "The path and query may be at most %d bytes.", HTTP_URL_MAX_BYTES);
    http_reply_problem(ctx, KR_URI_TOO_LONG, detail, NULL, NULL);
    return false;
  }
  if (x->header_bytes > HTTP_HEADERS_MAX_BYTES) {
    char detail[96];
    snprintf(detail, sizeof detail, "The header fields may be at most %d bytes together.",
             HTTP_HEADERS_MAX_BYTES);
    http_reply_problem(ctx, KR_HEADERS_TOO_LARGE, detail, NULL, NULL);
    return false;
  }
  if (!route_and_admit(ctx)) return false;
  x->body_limit = body_limit(ctx->route);
  return true;
}

static void run_handler(http_exchange *x) {
  http_ctx *ctx = &x->ctx;
  if (x->req.binary_body_length > x->body_limit) {
    body_too_large(ctx, x->body_limit);
    return;
  }
  if (x->bad_query[0]) {
    json_t *errors = field_errors_new();
    field_error(errors, x->bad_query, "is not valid UTF-8");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  ctx->route->handler(ctx);
  if (ctx->status == 0) {
    log_msg(LOG_ERROR, "handler for %s %s sent no answer", ctx->route->entry.method,
            ctx->route->entry.path);
    http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
  }
}

static double seconds_since(const struct timespec *start) {
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  return (double)(end.tv_sec - start->tv_sec) + (double)(end.tv_nsec - start->tv_nsec) / 1e9;
}

void http_edge_finish(http_exchange *x) {
  http_ctx *ctx = &x->ctx;
  if (ctx->status == 0) run_handler(x);
  audit_after_request(ctx, services->pool);
  if (ctx->db) db_release(services->pool, ctx->db);
  ctx->db = NULL;
  double seconds = seconds_since(&x->start);
  log_request(ctx, seconds);
  metrics_observe(ctx->route ? ctx->match.index : -1, ctx->status, seconds);
  atomic_fetch_sub(&in_flight, 1);
}

void http_edge_abandon(http_exchange *x) {
  http_ctx *ctx = &x->ctx;
  if (ctx->db) db_release(services->pool, ctx->db);
  ctx->db = NULL;
  log_msg(LOG_INFO, "request %s: the client went away before its body was complete", ctx->request_id);
  atomic_fetch_sub(&in_flight, 1);
}
