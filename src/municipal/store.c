#include "municipal/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label/timeline.h"

static const db_statement checks = {
    "municipal_checks",
    "SELECT answer, certified FROM kr_certification_answers($1::text[], $2::date, $3::boolean)"};

/* The check log holds one row per check request (sql/0012); its numbers are the entries first_id,
 * first_id + 1, ... in input order. A page is rows newest first, their entries unnested and
 * ordered within (ids of two rows never interleave: a row spans at most 1000 ids). */
#define LOG_ENTRIES                                                                               \
  "SELECT json_build_object('id', e.id, 'accountId', l.account_id,"                               \
  " 'municipalityCode', l.municipality_code, 'kvkNumber', e.kvk_number, 'on', l.on_date,"         \
  " 'certified', e.certified, 'askedAt', kr_utc(l.asked_at)),"                                   \
  " e.id, '00000000-0000-0000-0000-000000000000'"                                                \
  " FROM certification_check_log l"                                                               \
  " CROSS JOIN LATERAL (SELECT l.first_id + u.n - 1 AS id, u.kvk_number, u.certified"            \
  "   FROM unnest(l.kvk_numbers, l.certified) WITH ORDINALITY u (kvk_number, certified, n)) e"

/* Every entry, or one municipality's ($1): by index, newest rows first. */
static const db_statement log_page = {
    "municipal_log_page",
    LOG_ENTRIES
    " WHERE ($1::text IS NULL OR l.municipality_code = $1)"
    "   AND ($2::bigint IS NULL OR (l.first_id < $2 AND e.id < $2))"
    " ORDER BY l.first_id DESC, e.id DESC LIMIT $3"};

/* One KvK number's entries ($2; of one municipality when $1), newest first. The log rows holding
 * it are the indexed ones (certification_check_log_kvk, sql/0017: runs walked newest first, the
 * ids of each put in order and taken once (sql/0020), so the walk stops after $4 + 1 rows) and those written since the last run (a scan
 * of the rows after indexed_through, a few seconds' worth). A page costs in proportion to how
 * often that number was checked, never to the log. One row more than entries asked: the row the
 * cursor points into may have none of them left. */
static const db_statement log_page_kvk = {
    "municipal_log_page_kvk",
    "WITH recent AS MATERIALIZED ("
    " SELECT l.first_id FROM certification_check_log l"
    " WHERE l.first_id > (SELECT indexed_through FROM certification_check_log_indexed)"
    "   AND l.kvk_numbers @> ARRAY[$2::text] AND ($1::text IS NULL OR l.municipality_code = $1)"
    "   AND ($3::bigint IS NULL OR l.first_id < $3)"
    " ORDER BY l.first_id DESC LIMIT $4 + 1),"
    " indexed AS MATERIALIZED ("
    " SELECT u.first_id FROM certification_check_log_kvk i"
    " CROSS JOIN LATERAL (SELECT DISTINCT unnest(i.first_ids)) u (first_id)"
    " JOIN certification_check_log l ON l.first_id = u.first_id"
    " WHERE i.kvk_number = $2 AND ($3::bigint IS NULL OR (i.run_after < $3 AND u.first_id < $3))"
    "   AND ($1::text IS NULL OR l.municipality_code = $1)"
    " ORDER BY i.run_after DESC, u.first_id DESC LIMIT $4 + 1),"
    " newest AS (SELECT first_id FROM recent UNION ALL SELECT first_id FROM indexed"
    "  ORDER BY first_id DESC LIMIT $4 + 1) "
    LOG_ENTRIES
    " JOIN newest ON newest.first_id = l.first_id"
    " WHERE e.kvk_number = $2 AND ($3::bigint IS NULL OR e.id < $3)"
    " ORDER BY l.first_id DESC, e.id DESC LIMIT $4"};

static const db_statement feed = {
    "municipal_feed",
    "SELECT json_build_object('id', e.id, 'type', e.type, 'certificateNumber', c.certificate_number,"
    " 'organisationId', c.organisation_id, 'kvkNumber', e.kvk_number,"
    " 'previousKvkNumber', e.previous_kvk_number, 'effectiveOn', e.effective_on,"
    " 'recordedAt', kr_utc(e.recorded_at)), e.id"
    " FROM certificate_events e JOIN certificates c ON c.id = e.certificate_id"
    " WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2"};

static const db_statement expire = {
    "municipal_expire",
    "WITH due AS ("
    " SELECT c.id, c.valid_until FROM certificates c"
    " WHERE c.valid_until < $1::date"
    "   AND NOT EXISTS (SELECT 1 FROM certificate_events e WHERE e.certificate_id = c.id AND e.type = 'expired')"
    "   AND NOT EXISTS (SELECT 1 FROM certificate_events w WHERE w.certificate_id = c.id"
    "                   AND w.type = 'withdrawn' AND w.effective_on <= c.valid_until)"
    " ORDER BY c.valid_until, c.id LIMIT 100 FOR UPDATE OF c SKIP LOCKED),"
    " written AS (INSERT INTO certificate_events (certificate_id, type, effective_on)"
    "  SELECT id, 'expired', valid_until + 1 FROM due"
    "  ON CONFLICT (certificate_id) WHERE type = 'expired' DO NOTHING RETURNING certificate_id)"
    " SELECT count(*), coalesce('{' || string_agg(DISTINCT c.organisation_id::text, ',') || '}', '{}')"
    " FROM written w JOIN certificates c ON c.id = w.certificate_id"};

#define SUBSCRIPTION_JSON                                                                       \
  "json_build_object('id', s.id, 'targetUrl', s.target_url, 'eventTypes', s.event_types,"      \
  " 'kvkNumbers', s.kvk_numbers, 'active', s.active, 'disabledReason', s.disabled_reason,"     \
  " 'createdAt', kr_utc(s.created_at))"

static const db_statement sub_insert = {
    "municipal_sub_insert",
    "INSERT INTO webhook_subscriptions AS s (account_id, municipality_code, target_url, event_types,"
    " kvk_numbers, secret)"
    " SELECT $1, $2, j->>'targetUrl', ARRAY(SELECT json_array_elements_text(j->'eventTypes')),"
    " ARRAY(SELECT json_array_elements_text(coalesce(j->'kvkNumbers', '[]'))), $4"
    " FROM (SELECT $3::json AS j) input"
    " RETURNING (" SUBSCRIPTION_JSON "::jsonb || jsonb_build_object('secret', s.secret))::json, s.id"};

static const db_statement sub_get = {
    "municipal_sub_get",
    "SELECT " SUBSCRIPTION_JSON " FROM webhook_subscriptions s"
    " WHERE s.id = $1 AND s.deleted_at IS NULL AND ($2::uuid IS NULL OR s.account_id = $2)"};

static const db_statement sub_page = {
    "municipal_sub_page",
    "SELECT " SUBSCRIPTION_JSON ", kr_sort_key(s.created_at), s.id FROM webhook_subscriptions s"
    " WHERE s.deleted_at IS NULL AND ($1::uuid IS NULL OR s.account_id = $1)"
    "   AND ($2::bigint IS NULL OR (kr_sort_key(s.created_at), s.id) > ($2::bigint, $3::uuid))"
    " ORDER BY kr_sort_key(s.created_at), s.id LIMIT $4"};

static const db_statement sub_delete = {
    "municipal_sub_delete",
    "WITH gone AS (UPDATE webhook_subscriptions SET deleted_at = clock_timestamp(), active = false"
    "   WHERE id = $1 AND deleted_at IS NULL AND ($2::uuid IS NULL OR account_id = $2) RETURNING id),"
    " stopped AS (UPDATE webhook_deliveries d SET status = 'failed', last_error = 'subscription deleted',"
    "   lease_until = NULL FROM gone WHERE d.subscription_id = gone.id AND d.status IN ('pending', 'delivering'))"
    " SELECT count(*) FROM gone"};

#define DELIVERY_JSON                                                                           \
  "json_build_object('id', d.id, 'eventId', d.event_id, 'eventType', e.type, 'status', d.status," \
  " 'attempts', d.attempts, 'lastStatusCode', d.last_status_code, 'lastError', d.last_error,"    \
  " 'nextAttemptAt', CASE WHEN d.status = 'pending' THEN kr_utc(d.next_attempt_at) END,"         \
  " 'deliveredAt', kr_utc(d.delivered_at), 'createdAt', kr_utc(d.created_at))"

static const db_statement delivery_page = {
    "municipal_delivery_page",
    "SELECT " DELIVERY_JSON ", kr_sort_key(d.created_at), d.id FROM webhook_deliveries d"
    " JOIN certificate_events e ON e.id = d.event_id WHERE d.subscription_id = $1"
    "   AND ($2::bigint IS NULL OR (kr_sort_key(d.created_at), d.id) < ($2::bigint, $3::uuid))"
    " ORDER BY kr_sort_key(d.created_at) DESC, d.id DESC LIMIT $4"};

static const db_statement delivery_replay = {
    "municipal_delivery_replay",
    "WITH target AS (SELECT d.id, d.status FROM webhook_deliveries d WHERE d.id = $2 AND d.subscription_id = $1"
    "   FOR UPDATE),"
    " queued AS (UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = clock_timestamp(),"
    "   first_attempt_at = NULL, lease_until = NULL FROM target"
    "   WHERE d.id = target.id AND target.status IN ('delivered', 'failed') RETURNING d.*)"
    " SELECT (SELECT status FROM target),"
    "  (SELECT " DELIVERY_JSON " FROM queued d JOIN certificate_events e ON e.id = d.event_id)"};

/* The oldest open delivery of each active subscription, when due (or its lease ran out). */
static const db_statement claim = {
    "municipal_claim",
    "WITH heads AS ("
    "  SELECT DISTINCT ON (d.subscription_id) d.id FROM webhook_deliveries d"
    "  JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active"
    "  WHERE d.status IN ('pending', 'delivering') ORDER BY d.subscription_id, d.event_id),"
    " due AS ("
    "  SELECT d.id FROM webhook_deliveries d JOIN heads h ON h.id = d.id"
    "  WHERE (d.status = 'pending' AND d.next_attempt_at <= clock_timestamp())"
    "     OR (d.status = 'delivering' AND d.lease_until < clock_timestamp())"
    "  LIMIT $2 FOR UPDATE OF d SKIP LOCKED)"
    " UPDATE webhook_deliveries d SET status = 'delivering', attempts = d.attempts + 1,"
    "  first_attempt_at = coalesce(d.first_attempt_at, clock_timestamp()),"
    "  lease_until = clock_timestamp() + make_interval(secs => $1)"
    " FROM due, webhook_subscriptions s, certificate_events e, certificates c"
    " WHERE d.id = due.id AND s.id = d.subscription_id AND e.id = d.event_id"
    "   AND c.id = e.certificate_id"
    " RETURNING d.id, d.subscription_id, s.target_url, s.secret, d.attempts,"
    "  extract(epoch FROM clock_timestamp() - d.first_attempt_at)::bigint,"
    "  json_build_object('type', 'certificate.' || e.type, 'timestamp', kr_utc(e.recorded_at),"
    "   'data', json_build_object('eventId', e.id, 'certificateNumber', c.certificate_number,"
    "   'organisationId', c.organisation_id, 'kvkNumber', e.kvk_number,"
    "   'previousKvkNumber', e.previous_kvk_number, 'effectiveOn', e.effective_on))"};

static const db_statement record_attempt = {
    "municipal_record_attempt",
    "WITH attempt AS (INSERT INTO webhook_delivery_attempts (delivery_id, status_code, error, duration_ms)"
    "   VALUES ($1, $3::integer, $4, $6::integer)),"
    " gone AS (UPDATE webhook_subscriptions SET active = false,"
    "   disabled_reason = 'the target answered 410 Gone' WHERE $2 = 'gone'"
    "   AND id = (SELECT subscription_id FROM webhook_deliveries WHERE id = $1))"
    " UPDATE webhook_deliveries SET"
    "  status = CASE $2 WHEN 'delivered' THEN 'delivered' WHEN 'retry' THEN 'pending' ELSE 'failed' END,"
    "  last_status_code = $3::integer, last_error = $4, lease_until = NULL,"
    "  delivered_at = CASE WHEN $2 = 'delivered' THEN clock_timestamp() END,"
    "  next_attempt_at = CASE WHEN $2 = 'retry' THEN clock_timestamp() + make_interval(secs => $5::double precision)"
    "                    ELSE next_attempt_at END"
    " WHERE id = $1"};

const db_statement *const municipal_statements[] = {
    &checks, &log_page, &log_page_kvk, &feed, &expire, &sub_insert, &sub_get,
    &sub_page, &sub_delete, &delivery_page, &delivery_replay, &claim, &record_attempt, NULL};

kr_err municipal_certification_checks(db_conn *db, const char *numbers, const char *on, bool bulk,
                                     PGresult **out) {
  return db_fetch_result(db, &checks, 3, (const char *[]){numbers, on, bulk ? "true" : "false"}, out);
}

kr_err municipal_log_page(db_conn *db, const char *municipality, const char *kvk,
                          const char *before_id, int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  if (kvk)
    return db_fetch_result(db, &log_page_kvk, 4, (const char *[]){municipality, kvk, before_id, rows}, out);
  return db_fetch_result(db, &log_page, 3, (const char *[]){municipality, before_id, rows}, out);
}

kr_err municipal_feed(db_conn *db, const char *after, int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  return db_fetch_result(db, &feed, 2, (const char *[]){after, rows}, out);
}

kr_err municipal_expire(db_conn *db, const char *today, int *written) {
  *written = 0;
  kr_err e = db_begin(db);
  PGresult *r = NULL;
  if (e == KR_OK) {
    r = db_exec(db, &expire, 1, (const char *[]){today});
    e = db_result_error(db, r);
  }
  if (e == KR_OK) *written = atoi(PQgetvalue(r, 0, 0));
  /* The check views show each certificate's changes: store them anew with the expiry. */
  if (e == KR_OK && *written > 0) e = label_statuses_derive_all(db, PQgetvalue(r, 0, 1));
  if (e == KR_OK) e = db_commit(db);
  db_rollback(db);
  if (e != KR_OK) *written = 0;
  PQclear(r);
  return e;
}

kr_err municipal_subscription_create(db_conn *db, const char *account, const char *municipality,
                                     const char *obj_json, const char *secret, char **json, char id[37]) {
  return db_fetch_text_and_id(db, &sub_insert, 4, (const char *[]){account, municipality, obj_json, secret},
                              json, id);
}

kr_err municipal_subscription_get(db_conn *db, const char *id, const char *owner, char **json) {
  return db_fetch_text(db, &sub_get, 2, (const char *[]){id, owner}, json);
}

static kr_err page(db_conn *db, const db_statement *s, const char *first, const page_cursor *after,
                   int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *v[] = {first, after->present ? after->key : NULL, after->present ? after->id : NULL, rows};
  return db_fetch_result(db, s, 4, v, out);
}

kr_err municipal_subscription_page(db_conn *db, const char *owner, const page_cursor *after, int limit,
                                   PGresult **out) {
  return page(db, &sub_page, owner, after, limit, out);
}

kr_err municipal_delivery_page(db_conn *db, const char *subscription, const page_cursor *after, int limit,
                               PGresult **out) {
  return page(db, &delivery_page, subscription, after, limit, out);
}

kr_err municipal_subscription_delete(db_conn *db, const char *id, const char *owner) {
  char *count = NULL;
  kr_err e = db_fetch_text(db, &sub_delete, 2, (const char *[]){id, owner}, &count);
  if (e == KR_OK && strcmp(count, "0") == 0) e = KR_NOT_FOUND;
  free(count);
  return e;
}

kr_err municipal_delivery_replay(db_conn *db, const char *subscription, const char *delivery, char **json) {
  PGresult *r = db_exec(db, &delivery_replay, 2, (const char *[]){subscription, delivery});
  kr_err e = db_result_error(db, r);
  *json = NULL;
  if (e == KR_OK && PQgetisnull(r, 0, 0)) e = KR_NOT_FOUND;
  else if (e == KR_OK && PQgetisnull(r, 0, 1)) e = KR_CONFLICT;
  else if (e == KR_OK && !(*json = strdup(PQgetvalue(r, 0, 1)))) e = KR_INTERNAL;
  PQclear(r);
  return e;
}

kr_err municipal_claim_deliveries(db_conn *db, int lease_seconds, claimed_delivery *out, int max, int *n) {
  char lease[16], limit[16];
  snprintf(lease, sizeof lease, "%d", lease_seconds);
  snprintf(limit, sizeof limit, "%d", max);
  PGresult *r = db_exec(db, &claim, 2, (const char *[]){lease, limit});
  kr_err e = db_result_error(db, r);
  *n = 0;
  for (int i = 0; e == KR_OK && i < PQntuples(r) && i < max; i++) {
    claimed_delivery *d = &out[(*n)++];
    snprintf(d->id, sizeof d->id, "%s", PQgetvalue(r, i, 0));
    snprintf(d->subscription_id, sizeof d->subscription_id, "%s", PQgetvalue(r, i, 1));
    snprintf(d->target_url, sizeof d->target_url, "%s", PQgetvalue(r, i, 2));
    snprintf(d->secret, sizeof d->secret, "%s", PQgetvalue(r, i, 3));
    d->attempts = atoi(PQgetvalue(r, i, 4));
    d->seconds_since_first = atol(PQgetvalue(r, i, 5));
    d->body = strdup(PQgetvalue(r, i, 6));
  }
  PQclear(r);
  return e;
}

kr_err municipal_record_attempt(db_conn *db, const claimed_delivery *d, delivery_result result,
                                long status_code, const char *error, long retry_seconds, long duration_ms) {
  static const char *const names[] = {"delivered", "retry", "failed", "gone"};
  char code[16], retry[24], duration[24];
  snprintf(code, sizeof code, "%ld", status_code);
  snprintf(retry, sizeof retry, "%ld", retry_seconds);
  snprintf(duration, sizeof duration, "%ld", duration_ms);
  const char *v[] = {d->id, names[result], status_code > 0 ? code : NULL, error, retry, duration};
  return db_run(db, &record_attempt, 6, v);
}
