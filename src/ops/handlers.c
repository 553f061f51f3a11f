#include "ops/handlers.h"

#include <string.h>

#include "core/embed.h"
#include "core/text.h"
#include "db/migrate.h"
#include "http/edge.h"
#include "http/metrics.h"
#include "http/routes.h"

static bool no_query(http_ctx *ctx) { return http_query_only(ctx, (const char *const[]){NULL}); }

void ops_liveness(http_ctx *ctx) {
  if (!no_query(ctx)) return;
  static const char body[] = "{\"status\":\"ok\"}";
  http_reply_raw(ctx, 200, "application/json", body, sizeof body - 1);
}

void ops_readiness(http_ctx *ctx) {
  if (!no_query(ctx)) return;
  if (http_edge_draining()) {
    http_reply_problem(ctx, KR_UNAVAILABLE, "The service is shutting down.", NULL, NULL);
    return;
  }
  db_conn *db = http_db(ctx);
  if (!db) return;
  PGresult *r = db_exec_plain(db, "SELECT 1");
  kr_err e = db_result_error(db, r);
  PQclear(r);
  if (e != KR_OK) {
    http_reply_problem(ctx, KR_UNAVAILABLE, "The database is unreachable.", NULL, NULL);
  } else if (!db_schema_current(db_conn_pg(db))) {
    http_reply_problem(ctx, KR_UNAVAILABLE, "The database schema is not current.", NULL, NULL);
  } else {
    static const char body[] = "{\"status\":\"ready\",\"database\":\"up\",\"schema\":\"current\"}";
    http_reply_raw(ctx, 200, "application/json", body, sizeof body - 1);
  }
}

static const char *route_method(int i) { return http_routes[i].entry.method; }
static const char *route_path(int i) { return http_routes[i].entry.path; }

void ops_metrics(http_ctx *ctx) {
  if (!no_query(ctx)) return;
  text_buf out = {0};
  metrics_render(&out, route_method, route_path, ctx->services->pool,
                 ctx->services->cfg->db_pool_size);
  if (out.data) http_reply_raw(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
  else http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
  text_buf_free(&out);
}

static void reply_embedded(http_ctx *ctx, const char *name, const char *content_type) {
  const embed_file *f = embed_find(name);
  if (!f) {
    http_reply_problem(ctx, KR_NOT_FOUND, "There is no such file.", NULL, NULL);
    return;
  }
  http_reply_raw(ctx, 200, content_type, f->start, embed_size(f));
}

void ops_openapi(http_ctx *ctx) {
  if (!no_query(ctx)) return;
  reply_embedded(ctx, "openapi.json", "application/json");
}

/* The docs page runs swagger-ui from our own origin: scripts only from here, no inline script;
 * swagger-ui sets inline styles. */
static void docs_policy(http_ctx *ctx) {
  http_set_header(ctx, "Content-Security-Policy",
                  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}

/* swagger-ui comes from npm at build time; a build made without `npm ci` embeds none of it
 * (CMakeLists.txt). The page and those files then answer this, never an empty file. */
static void reply_docs_not_built(http_ctx *ctx) {
  http_reply_problem(ctx, KR_NOT_BUILT,
                     "The documentation assets were not built into this server: run `npm ci` in "
                     "the repository and build again. The contract is at /v1/openapi.json.",
                     NULL, NULL);
}

void ops_docs_page(http_ctx *ctx) {
  if (!no_query(ctx)) return;
  if (!embed_find("docs/swagger-ui-bundle.js") || !embed_find("docs/swagger-ui.css")) {
    reply_docs_not_built(ctx);
    return;
  }
  docs_policy(ctx);
  reply_embedded(ctx, "docs/index.html", "text/html; charset=utf-8");
}

void ops_docs_asset(http_ctx *ctx) {
  if (!no_query(ctx)) return;
  static const struct {
    const char *file;
    const char *type;
  } assets[] = {
      {"swagger-ui.css", "text/css; charset=utf-8"},
      {"swagger-ui-bundle.js", "application/javascript; charset=utf-8"},
      {"docs-init.js", "application/javascript; charset=utf-8"},
  };
  const char *file = http_path_param(ctx, "fileName");
  for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
    if (strcmp(file, assets[i].file) != 0) continue;
    char name[64];
    snprintf(name, sizeof name, "docs/%s", file);
    if (!embed_find(name)) {
      reply_docs_not_built(ctx);
      return;
    }
    docs_policy(ctx);
    reply_embedded(ctx, name, assets[i].type);
    return;
  }
  http_reply_problem(ctx, KR_NOT_FOUND, "There is no such docs file.", NULL, NULL);
}
