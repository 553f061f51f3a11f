#include "http/routes.h"

#include "accounts/handlers.h"
#include "auth/handlers.h"
#include "label/handlers.h"
#include "municipal/handlers.h"
#include "ops/handlers.h"

#define PUBLIC 0

const http_route http_routes[] = {
    {{"POST", "/v1/auth/token"}, auth_token_create, PUBLIC, BODY_JSON_OR_FORM, 0},
    {{"POST", "/v1/auth/revocation"}, auth_token_revoke, PUBLIC, BODY_JSON_OR_FORM, 0},
    {{"GET", "/v1/accounts"}, accounts_list, ROLE_ADMIN, BODY_NONE, 0},
    {{"POST", "/v1/accounts"}, accounts_create, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/accounts/me"}, accounts_get_me, ROLE_ANY, BODY_NONE, 0},
    {{"PUT", "/v1/accounts/me/password"}, accounts_change_password, ROLE_ANY, BODY_JSON, 0},
    {{"GET", "/v1/accounts/{accountId}"}, accounts_get, ROLE_ADMIN, BODY_NONE, 0},
    {{"POST", "/v1/organisations"}, label_org_create_handler, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/organisations"}, label_org_list_handler, ROLE_ADMIN, BODY_NONE, 0},
    {{"GET", "/v1/organisations/{organisationId}"}, label_org_get_handler, ROLE_ADMIN | ROLE_ORGANISATION, BODY_NONE, 0},
    {{"PATCH", "/v1/organisations/{organisationId}"}, label_org_patch_handler, ROLE_ADMIN | ROLE_ORGANISATION, BODY_JSON, 0},
    {{"GET", "/v1/norm-frameworks"}, label_fw_list_handler, PUBLIC, BODY_NONE, 0},
    {{"POST", "/v1/norm-frameworks"}, label_fw_create_handler, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/norm-frameworks/{version}"}, label_fw_get_handler, PUBLIC, BODY_NONE, 0},
    {{"PUT", "/v1/norm-frameworks/{version}/texts"}, label_fw_texts_handler, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/norm-frameworks/{version}/text-history"}, label_fw_history_handler, ROLE_ADMIN, BODY_NONE, 0},
    {{"POST", "/v1/certifying-bodies"}, label_body_create_handler, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/certifying-bodies"}, label_body_list_handler, ROLE_ADMIN, BODY_NONE, 0},
    {{"GET", "/v1/certifying-bodies/{certifyingBodyId}"}, label_body_get_handler, ROLE_ADMIN | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"POST", "/v1/certifying-bodies/{certifyingBodyId}/framework-agreements"}, label_agreement_create_handler, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/certifying-bodies/{certifyingBodyId}/framework-agreements"}, label_agreement_list_handler, ROLE_ADMIN | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"POST", "/v1/audits"}, label_audit_create_handler, ROLE_ADMIN | ROLE_ORGANISATION, BODY_JSON, 0},
    {{"GET", "/v1/audits"}, label_audit_list_handler, ROLE_ADMIN | ROLE_ORGANISATION | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"GET", "/v1/audits/{auditId}"}, label_audit_get_handler, ROLE_ADMIN | ROLE_ORGANISATION | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"POST", "/v1/audits/{auditId}/cancellation"}, label_audit_cancel_handler, ROLE_ADMIN | ROLE_ORGANISATION, BODY_JSON, 0},
    {{"PUT", "/v1/audits/{auditId}/self-evaluation"}, label_self_put_handler, ROLE_ORGANISATION, BODY_JSON, 0},
    {{"GET", "/v1/audits/{auditId}/self-evaluation"}, label_self_get_handler, ROLE_ADMIN | ROLE_ORGANISATION | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"PUT", "/v1/audits/{auditId}/outcome"}, label_outcome_put_handler, ROLE_ADMIN | ROLE_ORGANISATION | ROLE_CERTIFIER, BODY_JSON, 0},
    {{"GET", "/v1/audits/{auditId}/outcome"}, label_outcome_get_handler, ROLE_ADMIN | ROLE_ORGANISATION | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"POST", "/v1/audits/{auditId}/decision"}, label_decision_handler, ROLE_ADMIN, BODY_JSON, 0},
    {{"GET", "/v1/certificates"}, label_cert_list_handler, PUBLIC, BODY_NONE, ROUTE_AUTH_OPTIONAL},
    {{"GET", "/v1/certificates/{certificateNumber}"}, label_cert_get_handler, PUBLIC, BODY_NONE, ROUTE_AUTH_OPTIONAL},
    {{"GET", "/v1/certificates/{certificateNumber}/history"}, label_cert_history_handler, ROLE_ADMIN | ROLE_MUNICIPALITY | ROLE_ORGANISATION | ROLE_CERTIFIER, BODY_NONE, 0},
    {{"POST", "/v1/certificates/{certificateNumber}/suspension"}, label_cert_suspend_handler, ROLE_ADMIN | ROLE_CERTIFIER, BODY_JSON, 0},
    {{"POST", "/v1/certificates/{certificateNumber}/reinstatement"}, label_cert_reinstate_handler, ROLE_ADMIN | ROLE_CERTIFIER, BODY_JSON, 0},
    {{"POST", "/v1/certificates/{certificateNumber}/withdrawal"}, label_cert_withdraw_handler, ROLE_ADMIN | ROLE_CERTIFIER, BODY_JSON, 0},
    {{"GET", "/v1/certificates/{certificateNumber}/attestation"}, municipal_attestation_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"GET", "/v1/attestation-keys"}, municipal_keys_handler, PUBLIC, BODY_NONE, ROUTE_CORS_ANY},
    {{"GET", "/v1/certification-checks"}, municipal_check_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"POST", "/v1/certification-checks"}, municipal_bulk_check_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_JSON, 0},
    {{"GET", "/v1/certification-check-log"}, municipal_check_log_handler, ROLE_ADMIN, BODY_NONE, 0},
    {{"GET", "/v1/certificate-events"}, municipal_feed_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"POST", "/v1/webhook-subscriptions"}, municipal_subscription_create_handler, ROLE_MUNICIPALITY, BODY_JSON, 0},
    {{"GET", "/v1/webhook-subscriptions"}, municipal_subscription_list_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"GET", "/v1/webhook-subscriptions/{subscriptionId}"}, municipal_subscription_get_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"DELETE", "/v1/webhook-subscriptions/{subscriptionId}"}, municipal_subscription_delete_handler, ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"GET", "/v1/webhook-subscriptions/{subscriptionId}/deliveries"}, municipal_delivery_list_handler, ROLE_ADMIN | ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"POST", "/v1/webhook-subscriptions/{subscriptionId}/deliveries/{deliveryId}/replay"}, municipal_delivery_replay_handler, ROLE_MUNICIPALITY, BODY_NONE, 0},
    {{"GET", "/v1/openapi.json"}, ops_openapi, PUBLIC, BODY_NONE, ROUTE_CORS_ANY},
    {{"GET", "/healthz"}, ops_liveness, PUBLIC, BODY_NONE, 0},
    {{"GET", "/readyz"}, ops_readiness, PUBLIC, BODY_NONE, 0},
    {{"GET", "/metrics"}, ops_metrics, PUBLIC, BODY_NONE, 0},
    {{"GET", "/docs"}, ops_docs_page, PUBLIC, BODY_NONE, 0},
    {{"GET", "/docs/{fileName}"}, ops_docs_asset, PUBLIC, BODY_NONE, 0},
};

const size_t http_route_count = sizeof http_routes / sizeof http_routes[0];

void routes_print_json(FILE *out) {
  fputs("[", out);
  for (size_t i = 0; i < http_route_count; i++)
    fprintf(out, "%s\n  {\"method\": \"%s\", \"path\": \"%s\"}", i ? "," : "",
            http_routes[i].entry.method, http_routes[i].entry.path);
  fputs("\n]\n", out);
}
