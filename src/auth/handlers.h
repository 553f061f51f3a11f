/* handlers.h (auth): the OAuth 2.0 token endpoint and token revocation (RFC 6749, RFC 7009). */
#ifndef KR_AUTH_HANDLERS_H
#define KR_AUTH_HANDLERS_H

#include "http/context.h"

void auth_token_create(http_ctx *ctx); /* POST /v1/auth/token */
void auth_token_revoke(http_ctx *ctx); /* POST /v1/auth/revocation */


#endif
