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
  CHECK(cfg.register_rate_limit == 120 && cfg.register_rate_window == 60);
  CHECK(cfg.rate_limit_sync_ms == 250 && cfg.rate_limit_max_clients == 65536);
  CHECK(cfg.admin_second_factor_required); /* secure unless said otherwise */

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

  /* The rate limiter's settings have bounds: the sync at least every 10 s, a table of at least
   * 1,024 entries. */
  const char *limits[] = {"DATABASE_URL", "postgresql:///x", "JWT_SECRET", "0123456789abcdef0123456789abcdef",
                          "RATE_LIMIT_SYNC_MILLISECONDS", "60000", "RATE_LIMIT_MAX_CLIENTS", "10",
                          "REGISTER_RATE_LIMIT", "0", "REGISTER_RATE_WINDOW_SECONDS", "2", NULL};
  CHECK(!load(limits, &cfg, err));
  CHECK(strstr(err, "RATE_LIMIT_SYNC_MILLISECONDS") != NULL);
  CHECK(strstr(err, "RATE_LIMIT_MAX_CLIENTS") != NULL);
  CHECK(strstr(err, "REGISTER_RATE_LIMIT") != NULL);
  CHECK(strstr(err, "REGISTER_RATE_WINDOW_SECONDS") == NULL);

  /* The monitor keeps 60 months by default, never fewer than a request may span (24); an
   * account reads the indicators 30 times a minute. */
  CHECK(load(good, &cfg, err));
  CHECK(cfg.monitor_months == 60 && cfg.monitor_interval == 60 && cfg.indicator_rate_limit == 30 &&
        cfg.monitor_national_interval == 600);
  const char *monitor[] = {"DATABASE_URL", "postgresql:///x", "JWT_SECRET", "0123456789abcdef0123456789abcdef",
                           "MONITOR_MONTHS", "23", "MONITOR_INTERVAL_SECONDS", "0", "INDICATOR_RATE_LIMIT", "0", NULL};
  CHECK(!load(monitor, &cfg, err));
  CHECK(strstr(err, "MONITOR_MONTHS") != NULL && strstr(err, "MONITOR_INTERVAL_SECONDS") != NULL &&
        strstr(err, "INDICATOR_RATE_LIMIT") != NULL);

  /* The admins' second factor is required or optional, nothing else. */
  const char *optional[] = {"DATABASE_URL", "postgresql:///x", "JWT_SECRET", "0123456789abcdef0123456789abcdef",
                            "ADMIN_SECOND_FACTOR", "optional", NULL};
  CHECK(load(optional, &cfg, err) && !cfg.admin_second_factor_required);
  const char *neither[] = {"DATABASE_URL", "postgresql:///x", "JWT_SECRET", "0123456789abcdef0123456789abcdef",
                           "ADMIN_SECOND_FACTOR", "off", NULL};
  CHECK(!load(neither, &cfg, err) && strstr(err, "ADMIN_SECOND_FACTOR") != NULL);

  /* migrate needs no secret. */
  const char *migrate_only[] = {"DATABASE_URL", "postgresql:///x", NULL};
  env = migrate_only;
  CHECK(config_load(&cfg, from_table, false, err, sizeof err));
  CHECK(!config_load(&cfg, from_table, true, err, sizeof err));
  return CHECK_DONE();
}
