#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "check.h"
#include "core/rand.h"

static const char secret[] = "0123456789abcdef0123456789abcdef-unit";
static const token_keys keys = {secret, sizeof secret - 1, "iss-a", "aud-a", 900};

/* Signs arbitrary claims with libjwt, to forge tokens the service must refuse. */
static char *forge(jwt_alg_t alg, const char *key, const char *iss, const char *aud, long nbf,
                   long exp) {
  jwt_t *jwt;
  jwt_new(&jwt);
  jwt_set_alg(jwt, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0);
  jwt_add_grant(jwt, "iss", iss);
  jwt_add_grant(jwt, "aud", aud);
  jwt_add_grant(jwt, "sub", "6f1d2c1e-0000-4000-8000-000000000001");
  jwt_add_grant(jwt, "jti", "j");
  jwt_add_grant(jwt, "role", "admin");
  jwt_add_grant_int(jwt, "iat", nbf);
  jwt_add_grant_int(jwt, "nbf", nbf);
  jwt_add_grant_int(jwt, "exp", exp);
  char *s = jwt_encode_str(jwt);
  jwt_free(jwt);
  return s;
}

static kr_err verify(const char *t, long now) {
  principal p;
  const char *why;
  return token_verify(&keys, t, now, &p, &why);
}

int main(void) {
  long now = 1800000000;
  principal me = {"6f1d2c1e-0000-4000-8000-000000000002", ROLE_MUNICIPALITY, "GM0363", 0, false};
  char *t = token_issue(&keys, &me, now);
  CHECK(t != NULL);
  principal got;
  const char *why = "unset";
  CHECK(token_verify(&keys, t, now, &got, &why) == KR_OK && why == NULL);
  CHECK_STR(got.account_id, me.account_id);
  CHECK(got.issued_at == now); /* what a revocation is compared with (auth/revocation.h) */
  CHECK(got.role == ROLE_MUNICIPALITY);
  CHECK_STR(got.link, "GM0363");
  /* Valid until exp plus the leeway, not after. */
  CHECK(verify(t, now + 900 + TOKEN_LEEWAY_SECONDS - 1) == KR_OK);
  CHECK(verify(t, now + 900 + TOKEN_LEEWAY_SECONDS) == KR_UNAUTHORIZED);
  /* Not before nbf minus the leeway. */
  CHECK(verify(t, now - TOKEN_LEEWAY_SECONDS - 1) == KR_UNAUTHORIZED);

  /* Same signature, changed payload: lands in the same cache slot, and must still be refused. */
  char *swapped = strdup(t);
  char *dot = strchr(swapped, '.');
  dot[3] = dot[3] == 'A' ? 'B' : 'A';
  CHECK(verify(swapped, now) == KR_UNAUTHORIZED);
  free(swapped);
  CHECK(verify(t, now) == KR_OK); /* and the original, cached, still verifies */

  /* A changed signature byte. */
  char *bad = strdup(t);
  bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
  CHECK(verify(bad, now) == KR_UNAUTHORIZED);
  free(bad);
  free(t);

  /* Forged tokens: each differs from a valid one in one respect. */
  static const struct {
    jwt_alg_t alg;
    const char *key, *iss, *aud;
    kr_err expected;
  } forgeries[] = {
      {JWT_ALG_HS256, "another-secret-another-secret-0123", "iss-a", "aud-a", KR_UNAUTHORIZED},
      {JWT_ALG_HS512, secret, "iss-a", "aud-a", KR_UNAUTHORIZED}, /* not the pinned algorithm */
      {JWT_ALG_NONE, NULL, "iss-a", "aud-a", KR_UNAUTHORIZED},
      {JWT_ALG_HS256, secret, "iss-b", "aud-a", KR_UNAUTHORIZED},
      {JWT_ALG_HS256, secret, "iss-a", "aud-b", KR_UNAUTHORIZED},
      {JWT_ALG_HS256, secret, "iss-a", "aud-a", KR_OK}, /* the control: right key and claims */
  };
  for (size_t i = 0; i < sizeof forgeries / sizeof forgeries[0]; i++) {
    char *forged = forge(forgeries[i].alg, forgeries[i].key, forgeries[i].iss, forgeries[i].aud,
                         now, now + 60);
    CHECK(verify(forged, now) == forgeries[i].expected);
    free(forged);
  }

  CHECK(verify("garbage", now) == KR_UNAUTHORIZED);
  CHECK(verify("", now) == KR_UNAUTHORIZED);
  CHECK(verify("a.b.c", now) == KR_UNAUTHORIZED);
  /* people's tokens carry amr; a second factor used shows as "otp" and survives verification */
  principal admin = {"6f1d2c1e-0000-4000-8000-000000000003", ROLE_ADMIN, "", 0, true};
  char *with_otp = token_issue(&keys, &admin, now);
  CHECK(with_otp && token_verify(&keys, with_otp, now, &got, &why) == KR_OK && got.second_factor);
  admin.second_factor = false;
  admin.account_id[35] = '4';
  char *without = token_issue(&keys, &admin, now);
  CHECK(without && token_verify(&keys, without, now, &got, &why) == KR_OK && !got.second_factor);
  free(with_otp);
  free(without);
  return CHECK_DONE();
}
