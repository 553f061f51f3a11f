/* kwaliteitsregister: the API service of the Register Sociaal Werk and the Kwaliteitslabel
 * Sociaal Werk. Subcommands: serve (default), migrate, routes; --help, --version. */
#include <malloc.h>
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accounts/handlers.h"
#include "accounts/store.h"
#include "api_version.h"
#include "audit/trail.h"
#include "auth/password.h"
#include "auth/revocation.h"
#include "auth/token.h"
#include "auth/store.h"
#include "config.h"
#include "core/date.h"
#include "core/log.h"
#include "db/migrate.h"
#include "db/pool.h"
#include "http/edge.h"
#include "http/idempotency.h"
#include "label/certificate_store.h"
#include "label/store.h"
#include "label/timeline.h"
#include "municipal/handlers.h"
#include "municipal/store.h"
#include "http/ratelimit.h"
#include "mail/outbox.h"
#include "label/notices.h"
#include "register/employments.h"
#include "monitor/indicators.h"
#include "monitor/refresh.h"
#include "register/notices.h"
#include "register/privacy.h"
#include "municipal/check_log.h"
#include "register/quota.h"
#include "register/status_store.h"
#include "register/store.h"
#include "voice/store.h"
#include "core/worker.h"
#include "db/listen.h"
#include <curl/curl.h>
#include "http/metrics.h"
#include "http/routes.h"
#include "http/server.h"

static const char usage[] =
    "usage: kwaliteitsregister [serve | migrate | routes | --help | --version]\n"
    "\n"
    "  serve      migrate the database, then serve the API (the default)\n"
    "  migrate    apply pending database migrations and exit\n"
    "  routes     print the routes the server answers, as JSON\n"
    "\n"
    "Configuration comes from the environment; README.md lists every variable.\n"
    "Required: DATABASE_URL; for serve also JWT_SECRET (at least 32 bytes).\n";

static const char *from_environment(const char *name) { return getenv(name); }

static bool load_config(config *cfg, bool need_server) {
  char err[4096];
  if (!config_load(cfg, from_environment, need_server, err, sizeof err)) {
    fprintf(stderr, "kwaliteitsregister: configuration error:\n%s", err);
    return false;
  }
  log_set_level((log_level)cfg->log_level);
  return true;
}

/* Every prepared statement of every module. */
static const db_statement *const *const statement_lists[] = {
    auth_statements,      accounts_statements,         idempotency_statements,    label_statements,
    label_audit_statements, label_certificate_statements, label_timeline_statements, municipal_statements,
    register_statements,  register_quota_statements,   revocation_statements,     voice_statements,
    check_log_statements, label_notice_statements, audit_statements, credentials_statements,
    register_privacy_statements, register_employment_statements, monitor_indicator_statements, NULL};

/* The monitor's refresh holds its connection for seconds (a month computed whole), so it has one
 * of its own: the requests keep the whole pool. */
static const db_statement *const *const monitor_statement_lists[] = {monitor_refresh_statements, NULL};

/* Statuses are stored when they change (label/timeline.h, register/status_store.h); rows that
 * got none (loaded behind the service's back, or from before the timelines) get theirs here, on
 * one connection of their own, before anything reads them. */
static bool derive_statuses(const config *cfg) {
  char err[1024];
  db_pool *pool = db_pool_create(cfg->database_url, 1, 0, statement_lists, err, sizeof err);
  db_conn *db = pool ? db_acquire(pool) : NULL;
  int organisations = 0;
  kr_err e = db ? label_statuses_backfill(db, &organisations) : KR_UNAVAILABLE;
  if (e == KR_OK) e = register_backfill_statuses(db);
  if (db) db_release(pool, db);
  db_pool_destroy(pool);
  if (e != KR_OK) {
    fprintf(stderr, "kwaliteitsregister: cannot derive the stored statuses: %s\n", pool ? kr_err_title(e) : err);
    return false;
  }
  if (organisations > 0)
    log_msg(LOG_INFO, "derived the certificate statuses of %d organisation%s", organisations,
            organisations == 1 ? "" : "s");
  return true;
}

static bool migrate(const config *cfg) {
  char err[1024];
  int applied = 0;
  if (!db_migrate(cfg->database_url, &applied, err, sizeof err)) {
    fprintf(stderr, "kwaliteitsregister: migration failed: %s\n", err);
    return false;
  }
  log_msg(LOG_INFO, "database schema is current (%d migration%s applied now, %d in all)", applied,
          applied == 1 ? "" : "s", db_migration_count());
  return derive_statuses(cfg);
}

static bool bootstrap_admin(const config *cfg, db_pool *pool) {
  db_conn *db = db_acquire(pool);
  if (!db) return false;
  bool exists = false, created = false;
  kr_err e = accounts_store_admin_exists(db, &exists);
  if (e == KR_OK && !exists && cfg->bootstrap_admin_username[0]) {
    char hash[PASSWORD_HASH_MAX];
    e = password_hash(cfg->bootstrap_admin_password, hash)
            ? accounts_store_bootstrap_admin(db, cfg->bootstrap_admin_username, hash, &created)
            : KR_INTERNAL;
    /* Not created: another replica was first, or the name belongs to another account. */
    if (e == KR_OK && !created) e = accounts_store_admin_exists(db, &exists);
    if (e == KR_OK && !created && !exists) {
      fprintf(stderr, "kwaliteitsregister: BOOTSTRAP_ADMIN_USERNAME \"%s\" belongs to an account "
                      "that is not an admin; choose another name\n", cfg->bootstrap_admin_username);
      db_release(pool, db);
      return false;
    }
  }
  db_release(pool, db);
  if (e != KR_OK) {
    fprintf(stderr, "kwaliteitsregister: cannot check or create the bootstrap admin (%s)\n",
            kr_err_title(e));
    return false;
  }
  if (created)
    log_event(LOG_INFO, "created the bootstrap admin",
              json_pack("{s:s}", "username", cfg->bootstrap_admin_username));
  else if (!exists)
    log_msg(LOG_WARNING, "no admin account exists; set BOOTSTRAP_ADMIN_USERNAME and "
                         "BOOTSTRAP_ADMIN_PASSWORD to create one");
  return true;
}

static void wake_worker(void *w) { worker_wake(w); }

/* Waits until no request is in flight or the grace period ends. */
static void drain(int grace_seconds) {
  struct timespec step = {0, 20 * 1000000L};
  for (int waited_ms = 0; http_edge_in_flight() > 0 && waited_ms < grace_seconds * 1000; waited_ms += 20)
    nanosleep(&step, NULL);
}

static int serve(void) {
  struct timespec started;
  clock_gettime(CLOCK_MONOTONIC, &started);
  /* glibc gives every thread that allocates under contention an arena of its own and returns
   * little of it: under 64 connections of bulk checks that took the process from 13 to 53 MiB.
   * Two arenas keep it at 15 MiB at the same throughput (measured, bench/README.md). A fixed
   * mmap threshold keeps each sign-in's 19 MiB argon2id buffer out of the arenas (glibc's
   * adaptive threshold would keep it resident after the first one is freed). */
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  /* Every HTTP connection is a descriptor: MAX_CONNECTIONS (1,024 by default) and the pool do
   * not fit the usual soft limit of 1,024, so take what the hard limit allows. */
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  config cfg;
  if (!load_config(&cfg, true)) return 2;
  if (!migrate(&cfg)) return 1;

  /* Signals are blocked before any thread starts, so that only sigwait below receives them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  char err[1024];
  db_pool *pool = db_pool_create(cfg.database_url, cfg.db_pool_size, cfg.statement_timeout_ms,
                                 statement_lists, err, sizeof err);
  if (!pool) {
    fprintf(stderr, "kwaliteitsregister: %s\n", err);
    return 1;
  }
  db_pool *monitor_pool = db_pool_create(cfg.database_url, 1, cfg.statement_timeout_ms, monitor_statement_lists, err,
                                         sizeof err);
  if (!monitor_pool) {
    fprintf(stderr, "kwaliteitsregister: %s\n", err);
    db_pool_destroy(pool);
    return 1;
  }
  int rc = 1;
  http_server *server = NULL;
  http_services services = {&cfg, pool}, monitor_services = {&cfg, monitor_pool};
  worker *expiry = NULL, *deliveries = NULL, *notices = NULL, *label_notices = NULL, *retention = NULL,
         *monitor = NULL;
  db_listener *delivery_wakeups = NULL, *monitor_wakeups = NULL;
  if (!municipal_keys_load(&cfg, err, sizeof err)) {
    fprintf(stderr, "kwaliteitsregister: %s\n", err);
  } else if (!auth_revocations_start(pool, cfg.database_url, cfg.access_token_ttl + TOKEN_LEEWAY_SECONDS)) {
    fprintf(stderr, "kwaliteitsregister: cannot read the token revocations\n");
  } else if (!http_rate_limit_start(&cfg, err, sizeof err)) {
    fprintf(stderr, "kwaliteitsregister: %s\n", err);
  } else if (!check_log_start(&cfg, err, sizeof err)) {
    fprintf(stderr, "kwaliteitsregister: %s\n", err);
  } else if (!mail_start(&cfg, err, sizeof err)) {
    fprintf(stderr, "kwaliteitsregister: %s\n", err);
  } else if (bootstrap_admin(&cfg, pool) && metrics_init(http_route_count)) {
    http_edge_init(&services);
    server = http_server_start(&cfg, err, sizeof err);
    if (!server) fprintf(stderr, "kwaliteitsregister: %s\n", err);
  }
  if (server) {
    /* Background work in every replica; each piece of work is claimed once in PostgreSQL. */
    expiry = worker_start("expiry", cfg.expiry_interval * 1000, municipal_expiry_task, &services);
    deliveries = worker_start("webhooks", cfg.webhook_poll_ms, municipal_delivery_task, &services);
    notices = worker_start("notices", cfg.notice_interval * 1000, register_notices_task, &services);
    label_notices = worker_start("label-notices", cfg.notice_interval * 1000, label_notices_task, &services);
    retention = worker_start("retention", cfg.retention_interval * 1000, register_retention_task, &services);
    /* A new delivery wakes the sender at once; the poll remains as the fallback. */
    delivery_wakeups = db_listen_start(cfg.database_url, "kr_webhook_deliveries", wake_worker, deliveries);
    /* The monitor's tables follow the register's changes within moments (monitor/refresh.h). */
    monitor = worker_start("monitor", cfg.monitor_interval * 1000, monitor_refresh_task, &monitor_services);
    monitor_wakeups = db_listen_start(cfg.database_url, MONITOR_CHANNEL, wake_worker, monitor);
  }
  if (server) {
    struct timespec ready;
    clock_gettime(CLOCK_MONOTONIC, &ready);
    double startup_ms = (double)(ready.tv_sec - started.tv_sec) * 1e3 +
                        (double)(ready.tv_nsec - started.tv_nsec) / 1e6;
    log_event(LOG_INFO, "listening",
              json_pack("{s:s, s:i, s:s, s:i, s:i, s:f}", "address", cfg.listen_address, "port",
                        cfg.port, "apiVersion", KR_API_VERSION, "httpThreads", cfg.http_threads,
                        "dbPoolSize", cfg.db_pool_size, "startupMs", startup_ms));
    int sig = 0;
    sigwait(&stop_signals, &sig);
    log_msg(LOG_INFO, "received %s: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_edge_set_draining(true);
    monitor_refresh_cancel(); /* a month computed whole takes seconds: it runs again at the next start */
    http_server_quiesce(server);
    drain(cfg.shutdown_grace);
    http_server_stop(server);
    db_listen_stop(delivery_wakeups);
    db_listen_stop(monitor_wakeups);
    worker_stop(expiry);
    worker_stop(deliveries);
    worker_stop(notices);
    worker_stop(label_notices);
    worker_stop(retention);
    worker_stop(monitor);
    log_msg(LOG_INFO, "stopped");
    rc = 0;
  }
  mail_stop();
  check_log_stop();
  http_rate_limit_stop();
  auth_revocations_stop();
  db_pool_destroy(monitor_pool);
  db_pool_destroy(pool);
  metrics_free();
  municipal_keys_free();
  return rc;
}

int main(int argc, char **argv) {
  const char *command = argc > 1 ? argv[1] : "serve";
  if (argc > 2) {
    fputs(usage, stderr);
    return 2;
  }
  if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(command, "--version") == 0) {
    printf("kwaliteitsregister %s (API %s)\n", KR_VERSION, KR_API_VERSION);
    return 0;
  }
  if (strcmp(command, "routes") == 0) {
    routes_print_json(stdout);
    return 0;
  }
  if (strcmp(command, "migrate") == 0) {
    config cfg;
    if (!load_config(&cfg, false)) return 2;
    return migrate(&cfg) ? 0 : 1;
  }
  if (strcmp(command, "serve") == 0) {
    /* Dates are Europe/Amsterdam calendar dates (core/date.h); log times are UTC regardless. */
    if (!date_use_amsterdam()) {
      fputs("kwaliteitsregister: the Europe/Amsterdam time zone is missing (install tzdata)\n", stderr);
      return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before any thread starts */
    int rc = serve();
    curl_global_cleanup();
    return rc;
  }
  fprintf(stderr, "kwaliteitsregister: unknown command \"%s\"\n\n%s", command, usage);
  return 2;
}
