/* handlers.h (label): the quality label's routes. Thin: decode and validate, authorise per
 * object, call the store, answer. */
#ifndef KR_LABEL_HANDLERS_H
#define KR_LABEL_HANDLERS_H

#include "http/context.h"

void label_org_create_handler(http_ctx *ctx);  /* POST /v1/organisations */
void label_org_list_handler(http_ctx *ctx);    /* GET /v1/organisations */
void label_org_get_handler(http_ctx *ctx);     /* GET /v1/organisations/{organisationId} */
void label_org_patch_handler(http_ctx *ctx);   /* PATCH /v1/organisations/{organisationId} */
void label_org_kvk_change_handler(http_ctx *ctx); /* POST .../{organisationId}/kvk-number-changes */
void label_org_history_handler(http_ctx *ctx);    /* GET .../{organisationId}/history */

void label_fw_list_handler(http_ctx *ctx);     /* GET /v1/norm-frameworks */
void label_fw_get_handler(http_ctx *ctx);      /* GET /v1/norm-frameworks/{version} */
void label_fw_create_handler(http_ctx *ctx);   /* POST /v1/norm-frameworks */
void label_fw_texts_handler(http_ctx *ctx);    /* PUT /v1/norm-frameworks/{version}/texts */
void label_fw_history_handler(http_ctx *ctx);  /* GET /v1/norm-frameworks/{version}/text-history */

void label_body_create_handler(http_ctx *ctx);      /* POST /v1/certifying-bodies */
void label_body_list_handler(http_ctx *ctx);        /* GET /v1/certifying-bodies */
void label_body_get_handler(http_ctx *ctx);         /* GET /v1/certifying-bodies/{certifyingBodyId} */
void label_agreement_create_handler(http_ctx *ctx); /* POST .../framework-agreements */
void label_agreement_list_handler(http_ctx *ctx);   /* GET .../framework-agreements */

void label_audit_create_handler(http_ctx *ctx);   /* POST /v1/audits */
void label_audit_list_handler(http_ctx *ctx);     /* GET /v1/audits */
void label_audit_get_handler(http_ctx *ctx);      /* GET /v1/audits/{auditId} */
void label_audit_cancel_handler(http_ctx *ctx);   /* POST /v1/audits/{auditId}/cancellation */
void label_self_put_handler(http_ctx *ctx);       /* PUT /v1/audits/{auditId}/self-evaluation */
void label_self_get_handler(http_ctx *ctx);       /* GET /v1/audits/{auditId}/self-evaluation */
void label_outcome_put_handler(http_ctx *ctx);    /* PUT /v1/audits/{auditId}/outcome */
void label_outcome_get_handler(http_ctx *ctx);    /* GET /v1/audits/{auditId}/outcome */
void label_decision_handler(http_ctx *ctx);       /* POST /v1/audits/{auditId}/decision */

void label_cert_list_handler(http_ctx *ctx);      /* GET /v1/certificates */
void label_cert_get_handler(http_ctx *ctx);       /* GET /v1/certificates/{certificateNumber} */
void label_cert_history_handler(http_ctx *ctx);   /* GET .../history */
void label_cert_suspend_handler(http_ctx *ctx);   /* POST .../suspension */
void label_cert_reinstate_handler(http_ctx *ctx); /* POST .../reinstatement */
void label_cert_withdraw_handler(http_ctx *ctx);  /* POST .../withdrawal */

#endif
