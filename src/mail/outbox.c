#include "mail/outbox.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/rand.h"
#include "core/worker.h"
#include "db/listen.h"
#include "db/pool.h"
#include "mail/message.h"
#include "mail/template.h"

#define SEND_BATCH 50       /* messages a task run sends before it yields to its own next run */
#define RESET_BATCH 20      /* reset requests turned into messages in one transaction */
#define RESET_LIFE_SECONDS 1800
#define RESETS_PER_HOUR 3   /* per account: more requests for its address are dropped */
#define MAX_DELAY_SECONDS 21600
#define STR_(x) #x
#define STR(x) STR_(x)

static const db_statement claim_message = {
    "mail_claim",
    "SELECT id, template, to_address, language, vars::text, attempts FROM mail_outbox"
    " WHERE state = 'queued' AND next_attempt_at <= clock_timestamp()"
    " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"};

/* $2: 'sent', 'queued' (try again after $3 seconds) or 'failed'. */
static const db_statement record_attempt = {
    "mail_record",
    "WITH m AS (UPDATE mail_outbox SET attempts = attempts + 1, state = $2,"
    "  sent_at = CASE WHEN $2 = 'sent' THEN clock_timestamp() END,"
    "  vars = CASE WHEN $2 = 'queued' THEN vars END,"
    "  next_attempt_at = clock_timestamp() + make_interval(secs => $3::int), last_error = $4"
    "  WHERE id = $1::bigint RETURNING attempts)"
    " INSERT INTO mail_deliveries (message_id, attempt, outcome, error, milliseconds)"
    " SELECT $1::bigint, m.attempts, CASE $2 WHEN 'queued' THEN 'retry' ELSE $2 END, $4, $5::int FROM m"};

static const db_statement claim_resets = {
    "mail_claim_resets",
    "DELETE FROM password_reset_requests WHERE id IN (SELECT id FROM password_reset_requests"
    " ORDER BY id LIMIT " STR(RESET_BATCH) " FOR UPDATE SKIP LOCKED) RETURNING email"};

static const db_statement issue_reset = {
    "mail_issue_reset", "SELECT kr_password_reset_issue($1, $2, $3, $4::int, $5::int)"};

static const db_statement *const sender_statements[] = {&claim_message, &record_attempt, &claim_resets,
                                                        &issue_reset, NULL};
static const db_statement *const *const statement_lists[] = {sender_statements, NULL};

static struct {
  const config *cfg;
  db_pool *pool;
  worker *sender;
  db_listener *wakeups;
  CURL *curl;  /* the sender thread's; keeps its SMTP connection between messages */
  char domain[256]; /* of MAIL_FROM, for Message-IDs */
} mail;

/* ---- SMTP -------------------------------------------------------------------------------- */

typedef struct {
  const char *data;
  size_t left;
} payload;

static size_t read_payload(char *buf, size_t size, size_t n, void *arg) {
  payload *p = arg;
  size_t take = size * n < p->left ? size * n : p->left;
  memcpy(buf, p->data, take);
  p->data += take;
  p->left -= take;
  return take;
}

/* True for smtp://127.x, smtp://localhost and smtp://[::1]: no STARTTLS needed on loopback. */
static bool loopback(const char *url) {
  const char *host = strstr(url, "://");
  host = host ? host + 3 : url;
  const char *at = strchr(host, '@'), *slash = strchr(host, '/');
  if (at && (!slash || at < slash)) host = at + 1;
  return strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost", 9) == 0 || strncmp(host, "[::1]", 5) == 0;
}

typedef enum { SENT, RETRY, FAILED } outcome;

static outcome smtp_send(const char *to, const char *message, char *error, size_t error_size) {
  const config *cfg = mail.cfg;
  if (!mail.curl && !(mail.curl = curl_easy_init())) {
    snprintf(error, error_size, "cannot start libcurl");
    return RETRY;
  }
  CURL *c = mail.curl;
  char from[300], rcpt[300];
  snprintf(from, sizeof from, "<%s>", cfg->mail_from_address);
  snprintf(rcpt, sizeof rcpt, "<%s>", to);
  struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
  payload p = {message, strlen(message)};
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(strncmp(cfg->smtp_url, "smtps://", 8) == 0 || !loopback(cfg->smtp_url)
                                                   ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  if (cfg->smtp_username[0]) {
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_username);
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_payload);
  curl_easy_setopt(c, CURLOPT_READDATA, &p);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
  CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpts);
  if (rc == CURLE_OK) return SENT;
  snprintf(error, error_size, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
  /* The server refused this message or recipient for good; anything else may pass later. */
  return code >= 550 && code <= 554 ? FAILED : RETRY;
}

/* ---- the outbox -------------------------------------------------------------------------- */

/* Renders and sends the claimed row r; error gets why it was not sent. */
static outcome deliver(PGresult *r, char *error, size_t error_size) {
  const char *id = PQgetvalue(r, 0, 0), *template = PQgetvalue(r, 0, 1), *to = PQgetvalue(r, 0, 2),
             *language = PQgetvalue(r, 0, 3);
  json_t *vars = PQgetisnull(r, 0, 4) ? NULL : json_loads(PQgetvalue(r, 0, 4), 0, NULL);
  if (!json_is_object(vars)) {
    json_decref(vars);
    snprintf(error, error_size, "the message has no values to show");
    return FAILED;
  }
  json_object_set_new(vars, "webUrl", json_string(mail.cfg->public_web_url));
  mail_rendered text;
  outcome o = FAILED;
  if (mail_render(template, language, vars, &text, error, error_size)) {
    char message_id[300];
    snprintf(message_id, sizeof message_id, "mail-%s@%s", id, mail.domain);
    mail_message m = {mail.cfg->mail_from, to, text.subject, text.text, text.html, message_id, time(NULL)};
    char *wire = mail_message_build(&m);
    if (wire) o = smtp_send(to, wire, error, error_size);
    else snprintf(error, error_size, "the message could not be built"), o = RETRY;
    free(wire);
    mail_rendered_free(&text);
  }
  json_decref(vars);
  return o;
}

static long retry_delay(int attempts) {
  long delay = mail.cfg->mail_retry_base;
  for (int i = 1; i < attempts && delay < MAX_DELAY_SECONDS; i++) delay *= 2;
  return delay < MAX_DELAY_SECONDS ? delay : MAX_DELAY_SECONDS;
}

/* Sends one due message in a transaction of its own. False when none was due (or the database
 * failed). */
static bool send_one(db_conn *db) {
  if (db_begin(db) != KR_OK) return false;
  PGresult *r = db_exec(db, &claim_message, 0, NULL);
  if (db_result_error(db, r) != KR_OK || PQntuples(r) == 0) {
    PQclear(r);
    db_rollback(db);
    return false;
  }
  char error[400] = "";
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  outcome o = deliver(r, error, sizeof error);
  clock_gettime(CLOCK_MONOTONIC, &end);
  int attempts = atoi(PQgetvalue(r, 0, 5)) + 1;
  if (o == RETRY && attempts >= mail.cfg->mail_max_attempts) o = FAILED;
  char id[24], delay[24], ms[24];
  snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
  snprintf(delay, sizeof delay, "%ld", o == RETRY ? retry_delay(attempts) : 0L);
  snprintf(ms, sizeof ms, "%ld", (long)((end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000));
  const char *state = o == SENT ? "sent" : o == RETRY ? "queued" : "failed";
  kr_err e = db_run(db, &record_attempt, 5, (const char *[]){id, state, delay, error[0] ? error : NULL, ms});
  if (e == KR_OK) e = db_commit(db);
  db_rollback(db);
  if (e != KR_OK && o == SENT)
    log_event(LOG_ERROR, "mail sent but not recorded: it will be sent again", json_pack("{s:s}", "messageId", id));
  log_event(o == SENT ? LOG_INFO : LOG_WARNING, "mail delivery",
            json_pack("{s:s, s:s, s:i, s:s, s:s}", "messageId", id, "template", PQgetvalue(r, 0, 1), "attempt",
                      attempts, "outcome", o == SENT ? "sent" : o == RETRY ? "retry" : "failed", "error", error));
  PQclear(r);
  return e == KR_OK;
}

/* Turns up to RESET_BATCH stored reset requests into tokens and messages, in one transaction.
 * True when there may be more. */
static bool issue_resets(db_conn *db) {
  if (db_begin(db) != KR_OK) return false;
  PGresult *r = db_exec(db, &claim_resets, 0, NULL);
  kr_err e = db_result_error(db, r);
  int n = e == KR_OK ? PQntuples(r) : 0;
  char life[16], per_hour[16];
  snprintf(life, sizeof life, "%d", RESET_LIFE_SECONDS);
  snprintf(per_hour, sizeof per_hour, "%d", RESETS_PER_HOUR);
  for (int i = 0; i < n && e == KR_OK; i++) {
    char token[64], hash[65];
    if (!rand_token(token, sizeof token, 32)) {
      e = KR_INTERNAL;
      break;
    }
    hash_sha256_hex(token, strlen(token), hash);
    e = db_run(db, &issue_reset, 5, (const char *[]){PQgetvalue(r, i, 0), hash, token, life, per_hour});
  }
  PQclear(r);
  if (e == KR_OK && n > 0) e = db_commit(db);
  db_rollback(db);
  return e == KR_OK && n == RESET_BATCH;
}

static bool sender_task(void *unused) {
  (void)unused;
  db_conn *db = db_acquire(mail.pool);
  if (!db) return false;
  bool more = issue_resets(db);
  if (mail.cfg->smtp_url[0]) {
    int sent = 0;
    while (sent < SEND_BATCH && send_one(db)) sent++;
    more = more || sent == SEND_BATCH;
  }
  db_release(mail.pool, db);
  return more;
}

static void wake(void *unused) {
  (void)unused;
  mail_wake();
}

void mail_wake(void) {
  if (mail.sender) worker_wake(mail.sender);
}

bool mail_start(const config *cfg, char *err, size_t err_size) {
  char why[512];
  mail.cfg = cfg;
  const char *at = strrchr(cfg->mail_from_address, '@');
  snprintf(mail.domain, sizeof mail.domain, "%s", at ? at + 1 : "localhost");
  mail.pool = db_pool_create(cfg->database_url, 1, cfg->statement_timeout_ms, statement_lists, why, sizeof why);
  if (!mail.pool) {
    snprintf(err, err_size, "mail: %s", why);
    return false;
  }
  if (!cfg->smtp_url[0]) log_msg(LOG_WARNING, "mail is off (no SMTP_URL): messages stay queued");
  mail.sender = worker_start("mail", cfg->mail_poll_ms, sender_task, NULL);
  mail.wakeups = mail.sender ? db_listen_start(cfg->database_url, "kr_mail", wake, NULL) : NULL;
  if (!mail.wakeups) {
    snprintf(err, err_size, "mail: cannot start its threads");
    mail_stop();
    return false;
  }
  return true;
}

void mail_stop(void) {
  db_listen_stop(mail.wakeups);
  worker_stop(mail.sender);
  mail.wakeups = NULL;
  mail.sender = NULL;
  if (mail.curl) curl_easy_cleanup(mail.curl);
  mail.curl = NULL;
  db_pool_destroy(mail.pool);
  mail.pool = NULL;
}
