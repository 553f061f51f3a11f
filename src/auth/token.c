#include "auth/token.h"

#include <errno.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"

char *token_issue(const token_keys *keys, const principal *p, long now) {
  jwt_t *jwt = NULL;
  char jti[37];
  if (!rand_uuid(jti) || jwt_new(&jwt) != 0) return NULL;
  const char *link_field = role_link_field(p->role);
  int failed = jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)keys->secret,
                           (int)keys->secret_len);
  failed |= jwt_add_grant(jwt, "iss", keys->issuer);
  failed |= jwt_add_grant(jwt, "aud", keys->audience);
  failed |= jwt_add_grant(jwt, "sub", p->account_id);
  failed |= jwt_add_grant(jwt, "jti", jti);
  failed |= jwt_add_grant(jwt, "role", role_name(p->role));
  failed |= jwt_add_grant_int(jwt, "iat", now);
  failed |= jwt_add_grant_int(jwt, "nbf", now);
  failed |= jwt_add_grant_int(jwt, "exp", now + keys->ttl_seconds);
  if (link_field) failed |= jwt_add_grant(jwt, link_field, p->link);
  char *encoded = failed ? NULL : jwt_encode_str(jwt);
  jwt_free(jwt);
  return encoded;
}

static long int_claim(jwt_t *jwt, const char *name, int *missing) {
  errno = 0;
  long v = jwt_get_grant_int(jwt, name);
  if (errno) *missing = 1;
  return v;
}

kr_err token_verify(const token_keys *keys, const char *text, long now, principal *out,
                    const char **why) {
  *why = "the token is malformed";
  if (!text || strlen(text) > 4096) return KR_UNAUTHORIZED;
  jwt_t *jwt = NULL;
  if (jwt_decode(&jwt, text, (const unsigned char *)keys->secret, (int)keys->secret_len) != 0) {
    *why = "the token's signature or format is not valid";
    return KR_UNAUTHORIZED;
  }
  kr_err result = KR_UNAUTHORIZED;
  int missing = 0;
  long exp = int_claim(jwt, "exp", &missing);
  long nbf = int_claim(jwt, "nbf", &missing);
  (void)int_claim(jwt, "iat", &missing);
  const char *iss = jwt_get_grant(jwt, "iss");
  const char *aud = jwt_get_grant(jwt, "aud");
  const char *sub = jwt_get_grant(jwt, "sub");
  role r = role_parse(jwt_get_grant(jwt, "role"));
  const char *link_field = role_link_field(r);
  const char *link = link_field ? jwt_get_grant(jwt, link_field) : "";

  /* The algorithm is pinned: a token that names another one is refused even when libjwt
   * verified it under that algorithm with our key. */
  if (jwt_get_alg(jwt) != JWT_ALG_HS256) *why = "the token's algorithm is not accepted";
  else if (missing || !sub || !r || !link || !jwt_get_grant(jwt, "jti"))
    *why = "the token lacks required claims";
  else if (!iss || strcmp(iss, keys->issuer) != 0) *why = "the token's issuer is not accepted";
  else if (!aud || strcmp(aud, keys->audience) != 0) *why = "the token's audience is not accepted";
  else if (now >= exp + TOKEN_LEEWAY_SECONDS) *why = "the token has expired";
  else if (now + TOKEN_LEEWAY_SECONDS < nbf) *why = "the token is not valid yet";
  else if (!text_is_uuid(sub) || strlen(link) >= sizeof out->link)
    *why = "the token's claims are malformed";
  else {
    memset(out, 0, sizeof *out);
    strcpy(out->account_id, sub);
    out->role = r;
    strcpy(out->link, link);
    *why = NULL;
    result = KR_OK;
  }
  jwt_free(jwt);
  return result;
}
