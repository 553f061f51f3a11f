#include "http/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"

static const db_statement try_lock = {
    "idem_try_lock", "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ':' || $2, 7))"};

static const db_statement find_answer = {
    "idem_find",
    "SELECT request_hash, status, content_type, body FROM idempotency_keys"
    " WHERE account_id = $1 AND key = $2 AND created_at > now() - interval '24 hours'"};

static const db_statement store_answer = {
    "idem_store",
    "WITH expired AS (DELETE FROM idempotency_keys"
    "  WHERE account_id = $1 AND created_at <= now() - interval '24 hours')"
    " INSERT INTO idempotency_keys (account_id, key, request_hash, status, content_type, body)"
    " VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash,"
    "  status = excluded.status, content_type = excluded.content_type, body = excluded.body,"
    "  created_at = clock_timestamp()"};

const db_statement *const idempotency_statements[] = {&try_lock, &find_answer, &store_answer, NULL};

static bool key_ok(const char *key) {
  size_t n = strlen(key);
  if (n == 0 || n > 255) return false;
  for (size_t i = 0; i < n; i++)
    if (key[i] < 0x21 || key[i] > 0x7e) return false; /* visible ASCII */
  return true;
}

static void hash_request(const http_ctx *ctx, char out[65]) {
  text_buf b = {0};
  text_buf_puts(&b, ctx->req->http_verb);
  text_buf_puts(&b, " ");
  text_buf_puts(&b, ctx->req->url_path);
  text_buf_puts(&b, "\n");
  if (ctx->req->binary_body_length)
    text_buf_append(&b, ctx->req->binary_body, ctx->req->binary_body_length);
  hash_sha256_hex(b.data ? b.data : "", b.len, out);
  text_buf_free(&b);
}

/* Ends the transaction after an answer that was not a go-ahead. */
static bool stop(http_ctx *ctx, db_conn *db, kr_err e, const char *detail) {
  db_rollback(db);
  if (e != KR_OK) http_reply_problem(ctx, e, detail, NULL, NULL);
  return false;
}

bool idem_begin(http_ctx *ctx, db_conn *db, idem_state *st) {
  memset(st, 0, sizeof *st);
  const char *key = http_header(ctx, "Idempotency-Key");
  if (key && !key_ok(key)) {
    json_t *errors = field_errors_new();
    field_error(errors, "Idempotency-Key", "must be 1 to 255 visible ASCII characters");
    http_reply_if_invalid(ctx, errors);
    return false;
  }
  kr_err e = db_begin(db);
  if (e != KR_OK) return stop(ctx, db, e, NULL);
  if (!key) return true;
  st->keyed = true;
  snprintf(st->key, sizeof st->key, "%s", key);
  hash_request(ctx, st->request_hash);
  const char *who[] = {ctx->caller.account_id, st->key};
  PGresult *r = db_exec(db, &try_lock, 2, who);
  e = db_result_error(db, r);
  bool locked = e == KR_OK && PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  if (e != KR_OK) return stop(ctx, db, e, NULL);
  if (!locked)
    return stop(ctx, db, KR_CONFLICT, "A request with this Idempotency-Key is still being processed.");
  r = db_exec(db, &find_answer, 2, who);
  e = db_result_error(db, r);
  if (e != KR_OK || PQntuples(r) == 0) {
    PQclear(r);
    return e == KR_OK ? true : stop(ctx, db, e, NULL);
  }
  if (strcmp(PQgetvalue(r, 0, 0), st->request_hash) != 0) {
    PQclear(r);
    return stop(ctx, db, KR_UNPROCESSABLE,
                "This Idempotency-Key was used for another request; use a new key.");
  }
  /* A retry: the first answer again. */
  http_reply_raw(ctx, atoi(PQgetvalue(r, 0, 1)), PQgetisnull(r, 0, 2) ? NULL : PQgetvalue(r, 0, 2),
                 PQgetvalue(r, 0, 3), (size_t)PQgetlength(r, 0, 3));
  http_set_header(ctx, "Idempotency-Replayed", "true");
  PQclear(r);
  return stop(ctx, db, KR_OK, NULL);
}

void idem_finish(http_ctx *ctx, db_conn *db, const idem_state *st, bool commit) {
  if (!commit) {
    db_rollback(db);
    return;
  }
  kr_err e = KR_OK;
  if (st->keyed && ctx->status < 500) {
    char status[16];
    snprintf(status, sizeof status, "%d", ctx->status);
    const char *type = u_map_get(ctx->resp->map_header, "Content-Type");
    /* Answers are JSON text: store them as text (NUL-terminated copy). */
    char *body = strndup(ctx->resp->binary_body ? (const char *)ctx->resp->binary_body : "",
                         ctx->resp->binary_body_length);
    const char *values[] = {ctx->caller.account_id, st->key, st->request_hash, status, type, body};
    PGresult *r = body ? db_exec(db, &store_answer, 6, values) : NULL;
    e = body ? db_result_error(db, r) : KR_INTERNAL;
    PQclear(r);
    free(body);
  }
  if (e == KR_OK) e = db_commit(db);
  if (e != KR_OK) {
    db_rollback(db);
    http_reply_problem(ctx, e, "The change could not be saved; try again.", NULL, NULL);
  }
}
