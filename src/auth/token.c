#include "auth/token.h"

#include <errno.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"

token_keys token_keys_from(const config *cfg) {
  return (token_keys){cfg->jwt_secret, cfg->jwt_secret_len, cfg->jwt_issuer, cfg->jwt_audience,
                      cfg->access_token_ttl};
}

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
  /* RFC 8176 authentication methods, for people: a password, and a one-time code when the
   * sign-in used the second factor. */
  if (!(p->role & ROLE_MACHINES))
    failed |= jwt_add_grants_json(jwt, p->second_factor ? "{\"amr\":[\"pwd\",\"otp\"]}"
                                                         : "{\"amr\":[\"pwd\"]}");
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

/* Verified tokens, per thread: a client sends the same token for up to 15 minutes, and libjwt
 * spends about 100,000 instructions on each verification (JSON parsing, base64, HMAC setup).
 * A slot holds a token that verified, compared in full on lookup (no hash collisions to fear);
 * the time checks still run on every use. Keys never change while the process runs. */
#define CACHE_SLOTS 64
#define CACHE_TOKEN_MAX 1024
typedef struct {
  size_t len; /* 0: empty */
  char token[CACHE_TOKEN_MAX];
  principal who;
  long exp, nbf;
} cache_slot;
static _Thread_local cache_slot cache[CACHE_SLOTS];

static cache_slot *cache_slot_for(const char *text, size_t len) {
  unsigned h = 2166136261u; /* FNV-1a over the signature's end: cheap and well spread */
  for (size_t i = len > 32 ? len - 32 : 0; i < len; i++) h = (h ^ (unsigned char)text[i]) * 16777619u;
  return &cache[h % CACHE_SLOTS];
}

/* KR_OK or KR_UNAUTHORIZED for the time window alone. */
static kr_err check_times(long now, long nbf, long exp, const char **why) {
  if (now >= exp + TOKEN_LEEWAY_SECONDS) *why = "the token has expired";
  else if (now + TOKEN_LEEWAY_SECONDS < nbf) *why = "the token is not valid yet";
  else return KR_OK;
  return KR_UNAUTHORIZED;
}

static kr_err verify_with_libjwt(const token_keys *keys, const char *text, long now,
                                 principal *out, long *exp_out, long *nbf_out, const char **why);

kr_err token_verify(const token_keys *keys, const char *text, long now, principal *out,
                    const char **why) {
  *why = "the token is malformed";
  size_t len = text ? strlen(text) : 0;
  if (!text || len > 4096) return KR_UNAUTHORIZED;
  cache_slot *slot = len < CACHE_TOKEN_MAX ? cache_slot_for(text, len) : NULL;
  if (slot && slot->len == len && memcmp(slot->token, text, len) == 0) {
    if (check_times(now, slot->nbf, slot->exp, why) != KR_OK) return KR_UNAUTHORIZED;
    *out = slot->who;
    *why = NULL;
    return KR_OK;
  }
  long exp = 0, nbf = 0;
  kr_err e = verify_with_libjwt(keys, text, now, out, &exp, &nbf, why);
  if (e == KR_OK && slot) {
    memcpy(slot->token, text, len);
    slot->len = len;
    slot->who = *out;
    slot->exp = exp;
    slot->nbf = nbf;
  }
  return e;
}

static kr_err verify_with_libjwt(const token_keys *keys, const char *text, long now,
                                 principal *out, long *exp_out, long *nbf_out, const char **why) {
  jwt_t *jwt = NULL;
  if (jwt_decode(&jwt, text, (const unsigned char *)keys->secret, (int)keys->secret_len) != 0) {
    *why = "the token's signature or format is not valid";
    return KR_UNAUTHORIZED;
  }
  kr_err result = KR_UNAUTHORIZED;
  int missing = 0;
  long exp = int_claim(jwt, "exp", &missing);
  long nbf = int_claim(jwt, "nbf", &missing);
  long iat = int_claim(jwt, "iat", &missing);
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
  else if (check_times(now, nbf, exp, why) != KR_OK) { /* why is set */ }
  else if (!text_is_uuid(sub) || strlen(link) >= sizeof out->link)
    *why = "the token's claims are malformed";
  else {
    memset(out, 0, sizeof *out);
    strcpy(out->account_id, sub);
    out->role = r;
    strcpy(out->link, link);
    out->issued_at = iat;
    char *amr = jwt_get_grants_json(jwt, "amr");
    out->second_factor = amr && strstr(amr, "\"otp\"") != NULL;
    free(amr);
    *exp_out = exp;
    *nbf_out = nbf;
    *why = NULL;
    result = KR_OK;
  }
  jwt_free(jwt);
  return result;
}
