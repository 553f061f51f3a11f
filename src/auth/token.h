/* token.h: access tokens: JWTs signed with HS256, the algorithm pinned.
 *
 * libjwt 1.10 takes the algorithm from the token and checks no claims, so token_verify checks
 * the algorithm, iss, aud, exp, nbf (with a small leeway) and the claims we need itself.
 * No I/O: `now` comes from the caller. */
#ifndef KR_AUTH_TOKEN_H
#define KR_AUTH_TOKEN_H

#include <stddef.h>

#include "auth/principal.h"
#include "config.h"
#include "core/error.h"

typedef struct {
  const char *secret;
  size_t secret_len;
  const char *issuer;
  const char *audience;
  int ttl_seconds;
} token_keys;

/* The signing settings of the configuration (which must outlive the result). */
token_keys token_keys_from(const config *cfg);

/* Seconds of clock skew tolerated on exp and nbf. */
#define TOKEN_LEEWAY_SECONDS 30

/* A signed access token for p, valid from now for keys->ttl_seconds, with RFC 8176's amr for
 * people (["pwd"], or ["pwd","otp"] when p->second_factor); NULL on failure.
 * The caller frees it with free(). */
char *token_issue(const token_keys *keys, const principal *p, long now);

/* KR_OK and *out filled when jwt is a token we issued and it is valid at `now`; otherwise
 * KR_UNAUTHORIZED and a short static reason in *why (never the token itself). Tokens that
 * verified are remembered per thread, so a token used again costs a comparison; keys must not
 * change while the process runs. */
kr_err token_verify(const token_keys *keys, const char *jwt, long now, principal *out,
                    const char **why);

#endif
