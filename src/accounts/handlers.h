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


/* E-mail verification and password reset (recovery.c). */
void accounts_verification_resend(http_ctx *ctx); /* POST /v1/professionals/{professionalId}/email-verification */
void accounts_email_verify(http_ctx *ctx);        /* POST /v1/email-verifications/{token} */
void accounts_reset_request(http_ctx *ctx);       /* POST /v1/password-resets */
void accounts_reset_complete(http_ctx *ctx);      /* PUT /v1/password-resets/{token} */
void accounts_email_change(http_ctx *ctx);        /* PUT /v1/professionals/{professionalId}/email */

/* Second factor and client secrets (credentials.c). */
extern const db_statement *const credentials_statements[]; /* NULL-terminated, for the pool */
void accounts_totp_begin(http_ctx *ctx);    /* POST /v1/accounts/me/totp (admin) */
void accounts_totp_confirm(http_ctx *ctx);  /* POST /v1/accounts/me/totp/confirmation (admin) */
void accounts_totp_remove(http_ctx *ctx);   /* DELETE /v1/accounts/{accountId}/totp (admin) */
void accounts_secret_rotate(http_ctx *ctx); /* POST /v1/accounts/{accountId}/secret-rotation (admin) */

/* Starts the verification of a professional's current address inside the caller's transaction
 * (an application, a record made by the office): a new token and its message. KR_CONFLICT when
 * the address is verified already; KR_NOT_FOUND. */
kr_err accounts_verification_begin(db_conn *db, const char *professional_id);

#endif
