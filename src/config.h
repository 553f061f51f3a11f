/* config.h: the environment, read once at start-up into one validated, read-only struct.
 *
 * Every setting the service has is here, with its default; README.md has the same table. */
#ifndef KR_CONFIG_H
#define KR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_LIST 16

typedef struct {
  char database_url[1024];
  int port;
  char listen_address[64];
  char jwt_secret[512];
  size_t jwt_secret_len;
  char jwt_issuer[256];
  char jwt_audience[256];
  int access_token_ttl;  /* seconds, 60..900 */
  int refresh_token_ttl; /* seconds */
  char bootstrap_admin_username[65];
  char bootstrap_admin_password[129];
  size_t max_body_bytes;
  int db_pool_size;
  int http_threads;
  char cors_origins[CONFIG_MAX_LIST][256];
  int cors_origin_count;
  char trusted_proxies[CONFIG_MAX_LIST][64];
  int trusted_proxy_count;
  int log_level; /* log_level */
  int statement_timeout_ms;
  int login_failure_limit;
  int login_failure_window;
  int login_address_failure_limit;
  int connection_timeout;
  int header_timeout;  /* seconds a connection may wait for its request's headers */
  int body_timeout;    /* seconds from a request's headers to the end of its body */
  int max_connections;
  int max_connections_per_ip;
  int max_activities_per_period;  /* development activities per professional per period */
  int evidence_bytes_per_professional;
  int expensive_per_account;      /* parallel expensive requests (exports) per account */
  int register_rate_limit;        /* public register requests per client address per window */
  int register_rate_window;       /* seconds */
  int rate_limit_sync_ms;         /* how often each replica adds its hits to the shared counts */
  int check_log_flush_ms;         /* how often each replica writes the check-log rows it queued */
  int check_log_queue_bytes;      /* how much of them it may hold */
  int check_log_index_seconds;    /* how often the log rows written since are indexed by KvK number */
  int rate_limit_max_clients;     /* (bucket, address) pairs each replica keeps in memory */
  int shutdown_grace;
  int expiry_interval;            /* seconds between scans for expired certificates */
  char webhook_allowed_hosts[CONFIG_MAX_LIST][256];
  int webhook_allowed_host_count;
  int webhook_poll_ms;
  int webhook_retry_base;         /* seconds */
  char attestation_keys_dir[512];
  char attestation_active_kid[65];
  int attestation_ttl;            /* seconds */
  char smtp_url[512];             /* "" = mail is off: messages stay queued */
  char smtp_username[256];
  char smtp_password[256];
  char mail_from[320];            /* "Name <address>" or "address" */
  char mail_from_address[256];    /* the address of mail_from, for the SMTP envelope */
  char public_web_url[512];       /* where the links in messages point (no trailing slash) */
  int mail_poll_ms;
  int mail_retry_base;            /* seconds */
  int mail_max_attempts;
  int notice_interval;            /* seconds between looks for the notices that dates made due */
  int retention_interval;         /* seconds between runs of the retention rules (register/privacy.h) */
  int monitor_months;             /* months the programme monitor keeps (monitor/refresh.h) */
  int monitor_interval;           /* seconds between the monitor's looks when nothing woke it */
  int monitor_national_interval;  /* the nation's figures computed again at most this often (seconds) */
  int indicator_rate_limit;       /* GET /v1/indicators a signed-in account may make a minute */
  char label_office_email[256];   /* where outcomes submitted are announced; "" = nowhere */
  /* ADMIN_SECOND_FACTOR=required (the default): an admin token without TOTP reaches only the
   * enrolment routes; optional: a second factor is needed once an admin enrolled one. */
  bool admin_second_factor_required;
} config;

/* Where settings come from: getenv in the service, a table in unit tests. */
typedef const char *(*config_source)(const char *name);

/* Fills cfg from the source. need_server is false for `migrate` (no JWT secret needed).
 * On failure returns false and writes every problem, one per line, into err. */
bool config_load(config *cfg, config_source get, bool need_server, char *err, size_t err_size);

/* The address in MAIL_FROM ("Name <a@b>" or "a@b") into address; false when there is none. */
bool config_mail_address(const char *from, char *address, size_t size);

/* True when origin is in CORS_ORIGINS. */
bool config_cors_allows(const config *cfg, const char *origin);
/* True when host (a name or an address, lower case) is in WEBHOOK_ALLOWED_HOSTS. */
bool config_webhook_host_allowed(const config *cfg, const char *host);

/* True when ip is in TRUSTED_PROXIES. */
bool config_proxy_trusted(const config *cfg, const char *ip);

#endif
