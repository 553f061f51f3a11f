/* handlers.h (ops): liveness, readiness, metrics, the contract and its docs page. */
#ifndef KR_OPS_HANDLERS_H
#define KR_OPS_HANDLERS_H

#include "http/context.h"

void ops_liveness(http_ctx *ctx);   /* GET /healthz */
void ops_readiness(http_ctx *ctx);  /* GET /readyz: database reachable, schema current */
void ops_metrics(http_ctx *ctx);    /* GET /metrics */
void ops_openapi(http_ctx *ctx);    /* GET /v1/openapi.json */
void ops_docs_page(http_ctx *ctx);  /* GET /docs */
void ops_docs_asset(http_ctx *ctx); /* GET /docs/{fileName} */

#endif
