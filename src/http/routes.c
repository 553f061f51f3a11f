#include "http/routes.h"

#include "accounts/handlers.h"
#include "auth/handlers.h"
#include "ops/handlers.h"

#define PUBLIC 0

const http_route http_routes[] = {
    {{"POST", "/v1/auth/token"}, auth_token_create, PUBLIC, BODY_JSON_OR_FORM, false},
    {{"POST", "/v1/auth/revocation"}, auth_token_revoke, PUBLIC, BODY_JSON_OR_FORM, false},
    {{"GET", "/v1/accounts"}, accounts_list, ROLE_ADMIN, BODY_NONE, false},
    {{"POST", "/v1/accounts"}, accounts_create, ROLE_ADMIN, BODY_JSON, false},
    {{"GET", "/v1/accounts/me"}, accounts_get_me, ROLE_ANY, BODY_NONE, false},
    {{"PUT", "/v1/accounts/me/password"}, accounts_change_password, ROLE_ANY, BODY_JSON, false},
    {{"GET", "/v1/accounts/{accountId}"}, accounts_get, ROLE_ADMIN, BODY_NONE, false},
    {{"GET", "/v1/openapi.json"}, ops_openapi, PUBLIC, BODY_NONE, true},
    {{"GET", "/healthz"}, ops_liveness, PUBLIC, BODY_NONE, false},
    {{"GET", "/readyz"}, ops_readiness, PUBLIC, BODY_NONE, false},
    {{"GET", "/metrics"}, ops_metrics, PUBLIC, BODY_NONE, false},
    {{"GET", "/docs"}, ops_docs_page, PUBLIC, BODY_NONE, false},
    {{"GET", "/docs/{fileName}"}, ops_docs_asset, PUBLIC, BODY_NONE, false},
};

const size_t http_route_count = sizeof http_routes / sizeof http_routes[0];

void routes_print_json(FILE *out) {
  fputs("[", out);
  for (size_t i = 0; i < http_route_count; i++)
    fprintf(out, "%s\n  {\"method\": \"%s\", \"path\": \"%s\"}", i ? "," : "",
            http_routes[i].entry.method, http_routes[i].entry.path);
  fputs("\n]\n", out);
}
