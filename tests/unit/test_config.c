#include <string.h>

#include "check.h"
#include "config.h"

static const char *const *env;

static const char *from_table(const char *name) {
  for (const char *const *p = env; *p; p += 2)
    if (strcmp(p[0], name) == 0) return p[1];
  return NULL;
}

static bool load(const char *const *table, config *cfg, char *err) {
  env = table;
  return config_load(cfg, from_table, true, err, 2048);
}

int main(void) {
  config cfg;
  char err[2048];
  const char *good[] = {"DATABASE_URL", "postgresql:///x", "JWT_SECRET",
                        "0123456789abcdef0123456789abcdef", "CORS_ORIGINS",
                        " https://a.example , https://b.example", NULL};
  CHECK(load(good, &cfg, err));
  CHECK(cfg.port == 8080 && cfg.access_token_ttl == 900 && cfg.max_body_bytes == 1048576);
  CHECK_STR(cfg.listen_address, "127.0.0.1");
  CHECK(cfg.cors_origin_count == 2);
  CHECK(config_cors_allows(&cfg, "https://b.example"));
  CHECK(!config_cors_allows(&cfg, "https://c.example"));
  CHECK(!config_cors_allows(&cfg, NULL));

  /* Every problem is named at once. */
  const char *bad[] = {"JWT_SECRET", "too-short", "PORT", "99999", "LOG_LEVEL", "loud",
                       "ACCESS_TOKEN_TTL_SECONDS", "3600", "BOOTSTRAP_ADMIN_USERNAME", "root", NULL};
  CHECK(!load(bad, &cfg, err));
  CHECK(strstr(err, "DATABASE_URL") != NULL);
  CHECK(strstr(err, "JWT_SECRET") != NULL);
  CHECK(strstr(err, "PORT") != NULL);
  CHECK(strstr(err, "LOG_LEVEL") != NULL);
  CHECK(strstr(err, "ACCESS_TOKEN_TTL_SECONDS") != NULL);
  CHECK(strstr(err, "BOOTSTRAP_ADMIN_PASSWORD") != NULL);

  /* migrate needs no secret. */
  const char *migrate_only[] = {"DATABASE_URL", "postgresql:///x", NULL};
  env = migrate_only;
  CHECK(config_load(&cfg, from_table, false, err, sizeof err));
  CHECK(!config_load(&cfg, from_table, true, err, sizeof err));
  return CHECK_DONE();
}
