/* handlers.h (accounts): accounts and the caller's own account. */
#ifndef KR_ACCOUNTS_HANDLERS_H
#define KR_ACCOUNTS_HANDLERS_H

#include "http/context.h"

void accounts_list(http_ctx *ctx);            /* GET /v1/accounts (admin) */
void accounts_create(http_ctx *ctx);          /* POST /v1/accounts (admin) */
void accounts_get(http_ctx *ctx);             /* GET /v1/accounts/{accountId} (admin) */
void accounts_get_me(http_ctx *ctx);          /* GET /v1/accounts/me */
void accounts_change_password(http_ctx *ctx); /* PUT /v1/accounts/me/password */
void accounts_deactivate(http_ctx *ctx);      /* POST /v1/accounts/{accountId}/deactivation (admin) */
void accounts_reactivate(http_ctx *ctx);      /* POST /v1/accounts/{accountId}/reactivation (admin) */

#endif
