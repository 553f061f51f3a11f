#include "auth/password.h"

#include <argon2.h>
#include <string.h>

#include "core/rand.h"

enum { T_COST = 2, M_COST_KIB = 19456, PARALLELISM = 1, SALT_BYTES = 16, HASH_BYTES = 32 };

bool password_hash(const char *password, char out[PASSWORD_HASH_MAX]) {
  unsigned char salt[SALT_BYTES];
  if (!rand_bytes(salt, sizeof salt)) return false;
  return argon2id_hash_encoded(T_COST, M_COST_KIB, PARALLELISM, password, strlen(password), salt,
                               sizeof salt, HASH_BYTES, out, PASSWORD_HASH_MAX) == ARGON2_OK;
}

/* The hash of a random password nobody knows, with the same parameters. */
static const char dummy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
    "Zl7aY0Jd1QYb0cH0uKmS3R0y0vXlZb3nq1oX0pW7Zx8";

bool password_verify(const char *hash, const char *password) {
  bool known = hash != NULL;
  int rc = argon2id_verify(known ? hash : dummy_hash, password, strlen(password));
  return known && rc == ARGON2_OK;
}
