#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

typedef struct {
  char *err;
  size_t size;
  bool ok;
} problems;

static void problem(problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(problems *p, const char *fmt, ...) {
  size_t used = strlen(p->err);
  if (used + 2 >= p->size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err + used, p->size - used - 1, fmt, ap);
  va_end(ap);
  strncat(p->err, "\n", p->size - strlen(p->err) - 1);
  p->ok = false;
}

static const char *value_or(config_source get, const char *name, const char *fallback) {
  const char *v = get(name);
  return (v && *v) ? v : fallback;
}

static void read_int(problems *p, config_source get, const char *name, long fallback, long min,
                     long max, int *out) {
  const char *v = get(name);
  if (!v || !*v) {
    *out = (int)fallback;
    return;
  }
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || *end || n < min || n > max) {
    problem(p, "%s must be a whole number from %ld to %ld (got \"%s\")", name, min, max, v);
    return;
  }
  *out = (int)n;
}

static void read_text(problems *p, config_source get, const char *name, const char *fallback,
                      char *out, size_t size) {
  const char *v = value_or(get, name, fallback);
  if (strlen(v) >= size) {
    problem(p, "%s is longer than %zu characters", name, size - 1);
    return;
  }
  strcpy(out, v);
}

/* Splits a comma-separated list, trimming blanks. */
static int read_list(problems *p, const char *name, const char *v, char *out, int max,
                     size_t item_size) {
  int count = 0;
  while (v && *v) {
    while (*v == ' ' || *v == ',') v++;
    if (!*v) break;
    const char *end = strchr(v, ',');
    size_t len = end ? (size_t)(end - v) : strlen(v);
    while (len && v[len - 1] == ' ') len--;
    if (count == max || len >= item_size) {
      problem(p, "%s has too many or too long entries", name);
      return count;
    }
    char *dst = out + (size_t)count * item_size;
    memcpy(dst, v, len);
    dst[len] = '\0';
    count++;
    v = end ? end + 1 : "";
  }
  return count;
}

bool config_load(config *cfg, config_source get, bool need_server, char *err, size_t err_size) {
  memset(cfg, 0, sizeof *cfg);
  err[0] = '\0';
  problems p = {err, err_size, true};

  read_text(&p, get, "DATABASE_URL", "", cfg->database_url, sizeof cfg->database_url);
  if (!cfg->database_url[0]) problem(&p, "DATABASE_URL is required (a libpq connection string)");

  read_int(&p, get, "PORT", 8080, 1, 65535, &cfg->port);
  read_text(&p, get, "LISTEN_ADDRESS", "127.0.0.1", cfg->listen_address, sizeof cfg->listen_address);
  struct in_addr addr;
  if (inet_pton(AF_INET, cfg->listen_address, &addr) != 1)
    problem(&p, "LISTEN_ADDRESS must be an IPv4 address (got \"%s\")", cfg->listen_address);

  const char *secret = get("JWT_SECRET");
  cfg->jwt_secret_len = secret ? strlen(secret) : 0;
  if (need_server) {
    if (cfg->jwt_secret_len < 32)
      problem(&p, "JWT_SECRET must be set to at least 32 bytes (HS256 key; it has %zu)",
              cfg->jwt_secret_len);
    else if (cfg->jwt_secret_len >= sizeof cfg->jwt_secret)
      problem(&p, "JWT_SECRET is longer than %zu bytes", sizeof cfg->jwt_secret - 1);
    else
      memcpy(cfg->jwt_secret, secret, cfg->jwt_secret_len + 1);
  }
  read_text(&p, get, "JWT_ISSUER", "kwaliteitsregister", cfg->jwt_issuer, sizeof cfg->jwt_issuer);
  read_text(&p, get, "JWT_AUDIENCE", "kwaliteitsregister-api", cfg->jwt_audience,
            sizeof cfg->jwt_audience);
  read_int(&p, get, "ACCESS_TOKEN_TTL_SECONDS", 900, 60, 900, &cfg->access_token_ttl);
  read_int(&p, get, "REFRESH_TOKEN_TTL_SECONDS", 30 * 86400, 300, 365 * 86400,
           &cfg->refresh_token_ttl);

  read_text(&p, get, "BOOTSTRAP_ADMIN_USERNAME", "", cfg->bootstrap_admin_username,
            sizeof cfg->bootstrap_admin_username);
  read_text(&p, get, "BOOTSTRAP_ADMIN_PASSWORD", "", cfg->bootstrap_admin_password,
            sizeof cfg->bootstrap_admin_password);
  if (!cfg->bootstrap_admin_username[0] != !cfg->bootstrap_admin_password[0])
    problem(&p, "BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither");
  else if (cfg->bootstrap_admin_username[0] &&
           (strlen(cfg->bootstrap_admin_username) < 3 ||
            strspn(cfg->bootstrap_admin_username,
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") !=
                strlen(cfg->bootstrap_admin_username)))
    problem(&p, "BOOTSTRAP_ADMIN_USERNAME must be 3 to 64 characters: letters, digits, . _ @ -");
  else if (cfg->bootstrap_admin_password[0] && strlen(cfg->bootstrap_admin_password) < 12)
    problem(&p, "BOOTSTRAP_ADMIN_PASSWORD must have at least 12 characters");

  int body = 0;
  read_int(&p, get, "MAX_BODY_BYTES", 1048576, 1024, 64 * 1048576, &body);
  cfg->max_body_bytes = (size_t)body;
  read_int(&p, get, "DB_POOL_SIZE", 8, 1, 256, &cfg->db_pool_size);
  read_int(&p, get, "HTTP_THREADS", 4, 1, 256, &cfg->http_threads);
  cfg->cors_origin_count = read_list(&p, "CORS_ORIGINS", get("CORS_ORIGINS"), &cfg->cors_origins[0][0],
                                     CONFIG_MAX_LIST, sizeof cfg->cors_origins[0]);
  cfg->trusted_proxy_count =
      read_list(&p, "TRUSTED_PROXIES", get("TRUSTED_PROXIES"), &cfg->trusted_proxies[0][0],
                CONFIG_MAX_LIST, sizeof cfg->trusted_proxies[0]);
  for (int i = 0; i < cfg->trusted_proxy_count; i++)
    if (inet_pton(AF_INET, cfg->trusted_proxies[i], &addr) != 1)
      problem(&p, "TRUSTED_PROXIES entry \"%s\" is not an IPv4 address", cfg->trusted_proxies[i]);

  const char *level = value_or(get, "LOG_LEVEL", "info");
  cfg->log_level = log_level_parse(level);
  if (cfg->log_level < 0) problem(&p, "LOG_LEVEL must be debug, info, warning or error");

  read_int(&p, get, "STATEMENT_TIMEOUT_MS", 5000, 100, 600000, &cfg->statement_timeout_ms);
  read_int(&p, get, "LOGIN_FAILURE_LIMIT", 5, 1, 1000, &cfg->login_failure_limit);
  read_int(&p, get, "LOGIN_ADDRESS_FAILURE_LIMIT", 50, 1, 100000, &cfg->login_address_failure_limit);
  read_int(&p, get, "LOGIN_FAILURE_WINDOW_SECONDS", 900, 1, 86400, &cfg->login_failure_window);
  read_int(&p, get, "CONNECTION_TIMEOUT_SECONDS", 30, 1, 3600, &cfg->connection_timeout);
  read_int(&p, get, "HEADER_TIMEOUT_SECONDS", 10, 1, 3600, &cfg->header_timeout);
  read_int(&p, get, "BODY_TIMEOUT_SECONDS", 60, 1, 3600, &cfg->body_timeout);
  read_int(&p, get, "MAX_CONNECTIONS", 1024, 1, 100000, &cfg->max_connections);
  read_int(&p, get, "MAX_CONNECTIONS_PER_IP", 256, 1, 100000, &cfg->max_connections_per_ip);
  read_int(&p, get, "MAX_ACTIVITIES_PER_PERIOD", 1000, 1, 1000000, &cfg->max_activities_per_period);
  read_int(&p, get, "EVIDENCE_BYTES_PER_PROFESSIONAL", 100 * 1048576, 1048576, 2147483647,
           &cfg->evidence_bytes_per_professional);
  read_int(&p, get, "EXPENSIVE_REQUESTS_PER_ACCOUNT", 2, 1, 256, &cfg->expensive_per_account);
  read_int(&p, get, "REGISTER_RATE_LIMIT", 120, 1, 1000000, &cfg->register_rate_limit);
  read_int(&p, get, "REGISTER_RATE_WINDOW_SECONDS", 60, 1, 86400, &cfg->register_rate_window);
  read_int(&p, get, "RATE_LIMIT_SYNC_MILLISECONDS", 250, 50, 10000, &cfg->rate_limit_sync_ms);
  read_int(&p, get, "CHECK_LOG_FLUSH_MILLISECONDS", 100, 10, 5000, &cfg->check_log_flush_ms);
  read_int(&p, get, "CHECK_LOG_INDEX_SECONDS", 5, 1, 3600, &cfg->check_log_index_seconds);
  read_int(&p, get, "CHECK_LOG_QUEUE_BYTES", 4 << 20, 16 << 10, 256 << 20, &cfg->check_log_queue_bytes);
  read_int(&p, get, "RATE_LIMIT_MAX_CLIENTS", 65536, 1024, 1048576, &cfg->rate_limit_max_clients);
  read_int(&p, get, "SHUTDOWN_GRACE_SECONDS", 10, 0, 300, &cfg->shutdown_grace);
  read_int(&p, get, "EXPIRY_INTERVAL_SECONDS", 300, 1, 86400, &cfg->expiry_interval);
  cfg->webhook_allowed_host_count =
      read_list(&p, "WEBHOOK_ALLOWED_HOSTS", get("WEBHOOK_ALLOWED_HOSTS"),
                &cfg->webhook_allowed_hosts[0][0], CONFIG_MAX_LIST, sizeof cfg->webhook_allowed_hosts[0]);
  read_int(&p, get, "WEBHOOK_POLL_MILLISECONDS", 1000, 50, 60000, &cfg->webhook_poll_ms);
  read_int(&p, get, "WEBHOOK_RETRY_BASE_SECONDS", 5, 1, 3600, &cfg->webhook_retry_base);
  read_text(&p, get, "ATTESTATION_KEYS_DIR", "", cfg->attestation_keys_dir, sizeof cfg->attestation_keys_dir);
  read_text(&p, get, "ATTESTATION_ACTIVE_KID", "", cfg->attestation_active_kid,
            sizeof cfg->attestation_active_kid);
  if (!cfg->attestation_keys_dir[0] != !cfg->attestation_active_kid[0])
    problem(&p, "ATTESTATION_KEYS_DIR and ATTESTATION_ACTIVE_KID go together: set both or neither");
  read_int(&p, get, "ATTESTATION_TTL_SECONDS", 30 * 86400, 60, 3 * 365 * 86400, &cfg->attestation_ttl);

  read_text(&p, get, "SMTP_URL", "", cfg->smtp_url, sizeof cfg->smtp_url);
  if (cfg->smtp_url[0] && strncmp(cfg->smtp_url, "smtp://", 7) != 0 && strncmp(cfg->smtp_url, "smtps://", 8) != 0)
    problem(&p, "SMTP_URL must start with smtp:// or smtps:// (got \"%s\")", cfg->smtp_url);
  read_text(&p, get, "SMTP_USERNAME", "", cfg->smtp_username, sizeof cfg->smtp_username);
  read_text(&p, get, "SMTP_PASSWORD", "", cfg->smtp_password, sizeof cfg->smtp_password);
  read_text(&p, get, "MAIL_FROM", "Register Sociaal Werk <noreply@localhost>", cfg->mail_from, sizeof cfg->mail_from);
  if (!config_mail_address(cfg->mail_from, cfg->mail_from_address, sizeof cfg->mail_from_address))
    problem(&p, "MAIL_FROM must be an address, or a name and an address in <>, without line breaks (got \"%s\")",
            cfg->mail_from);
  read_text(&p, get, "PUBLIC_WEB_URL", "http://localhost:3000", cfg->public_web_url, sizeof cfg->public_web_url);
  size_t web = strlen(cfg->public_web_url);
  while (web > 0 && cfg->public_web_url[web - 1] == '/') cfg->public_web_url[--web] = '\0';
  if ((strncmp(cfg->public_web_url, "https://", 8) != 0 && strncmp(cfg->public_web_url, "http://", 7) != 0) ||
      strpbrk(cfg->public_web_url, " \t\r\n\"'<>#?"))
    problem(&p, "PUBLIC_WEB_URL must be an http(s) URL without query or fragment (got \"%s\")", cfg->public_web_url);
  read_int(&p, get, "MAIL_POLL_MILLISECONDS", 5000, 50, 600000, &cfg->mail_poll_ms);
  read_int(&p, get, "MAIL_RETRY_BASE_SECONDS", 60, 1, 86400, &cfg->mail_retry_base);
  read_int(&p, get, "MAIL_MAX_ATTEMPTS", 10, 1, 100, &cfg->mail_max_attempts);
  read_int(&p, get, "NOTICE_INTERVAL_SECONDS", 3600, 1, 86400, &cfg->notice_interval);
  read_int(&p, get, "RETENTION_INTERVAL_SECONDS", 3600, 1, 86400, &cfg->retention_interval);
  read_int(&p, get, "MONITOR_MONTHS", 60, 24, 240, &cfg->monitor_months);
  read_int(&p, get, "MONITOR_INTERVAL_SECONDS", 60, 1, 86400, &cfg->monitor_interval);
  read_int(&p, get, "MONITOR_NATIONAL_INTERVAL_SECONDS", 600, 0, 86400, &cfg->monitor_national_interval);
  read_int(&p, get, "INDICATOR_RATE_LIMIT", 30, 1, 1000000, &cfg->indicator_rate_limit);
  read_text(&p, get, "LABEL_OFFICE_EMAIL", "", cfg->label_office_email, sizeof cfg->label_office_email);
  const char *second_factor = value_or(get, "ADMIN_SECOND_FACTOR", "required");
  cfg->admin_second_factor_required = strcmp(second_factor, "optional") != 0;
  if (strcmp(second_factor, "required") != 0 && strcmp(second_factor, "optional") != 0)
    problem(&p, "ADMIN_SECOND_FACTOR must be required or optional (got \"%s\")", second_factor);
  char office[256];
  if (cfg->label_office_email[0] &&
      (!config_mail_address(cfg->label_office_email, office, sizeof office) || strcmp(office, cfg->label_office_email) != 0))
    problem(&p, "LABEL_OFFICE_EMAIL must be one e-mail address (got \"%s\")", cfg->label_office_email);
  return p.ok;
}

bool config_mail_address(const char *from, char *address, size_t size) {
  if (!from[0] || strpbrk(from, "\r\n")) return false;
  const char *open = strrchr(from, '<'), *start = from, *end = from + strlen(from);
  if (open) {
    const char *close = strchr(open, '>');
    if (!close || close[1] != '\0') return false;
    start = open + 1, end = close;
  }
  size_t n = (size_t)(end - start);
  if (n < 3 || n >= size || memchr(start, '@', n) == NULL) return false;
  for (const char *c = start; c < end; c++)
    if (*c <= ' ' || strchr("<>,;\"()[]\\", *c)) return false;
  memcpy(address, start, n);
  address[n] = '\0';
  return true;
}

bool config_cors_allows(const config *cfg, const char *origin) {
  if (!origin) return false;
  for (int i = 0; i < cfg->cors_origin_count; i++)
    if (strcmp(cfg->cors_origins[i], origin) == 0) return true;
  return false;
}

bool config_webhook_host_allowed(const config *cfg, const char *host) {
  for (int i = 0; i < cfg->webhook_allowed_host_count; i++)
    if (strcasecmp(cfg->webhook_allowed_hosts[i], host) == 0) return true;
  return false;
}

bool config_proxy_trusted(const config *cfg, const char *ip) {
  for (int i = 0; i < cfg->trusted_proxy_count; i++)
    if (strcmp(cfg->trusted_proxies[i], ip) == 0) return true;
  return false;
}
