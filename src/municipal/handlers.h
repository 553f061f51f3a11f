/* handlers.h (municipal): what municipalities use: checks, the event feed, webhooks and
 * attestations; and the background work behind them. */
#ifndef KR_MUNICIPAL_HANDLERS_H
#define KR_MUNICIPAL_HANDLERS_H

#include <stdbool.h>

#include "http/context.h"

void municipal_check_handler(http_ctx *ctx);      /* GET /v1/certification-checks */
void municipal_bulk_check_handler(http_ctx *ctx); /* POST /v1/certification-checks */
void municipal_check_log_handler(http_ctx *ctx);  /* GET /v1/certification-check-log */
void municipal_feed_handler(http_ctx *ctx);       /* GET /v1/certificate-events */

void municipal_subscription_create_handler(http_ctx *ctx); /* POST /v1/webhook-subscriptions */
void municipal_subscription_list_handler(http_ctx *ctx);   /* GET /v1/webhook-subscriptions */
void municipal_subscription_get_handler(http_ctx *ctx);    /* GET .../{subscriptionId} */
void municipal_subscription_delete_handler(http_ctx *ctx); /* DELETE .../{subscriptionId} */
void municipal_delivery_list_handler(http_ctx *ctx);       /* GET .../deliveries */
void municipal_delivery_replay_handler(http_ctx *ctx);     /* POST .../deliveries/{deliveryId}/replay */

void municipal_attestation_handler(http_ctx *ctx); /* GET /v1/certificates/{certificateNumber}/attestation */
void municipal_keys_handler(http_ctx *ctx);        /* GET /v1/attestation-keys */

/* Background work, one task each, run by core/worker (arg: the http_services). */
bool municipal_expiry_task(void *services);
bool municipal_delivery_task(void *services);

/* Attestation keys: loaded once at start-up from ATTESTATION_KEYS_DIR. False with a message
 * when a key cannot be read. */
bool municipal_keys_load(const config *cfg, char *err, size_t err_size);
void municipal_keys_free(void);

#endif
