/* store.h (municipal): checks and their log, the event feed, expiry, webhook subscriptions and
 * deliveries. JSON comes from PostgreSQL as text the caller frees with free(). */
#ifndef KR_MUNICIPAL_STORE_H
#define KR_MUNICIPAL_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "db/pool.h"
#include "http/pagination.h"

extern const db_statement *const municipal_statements[];

/* Checks KvK numbers on a date (kr_certification_answers): numbers is a PostgreSQL array literal
 * of 8-digit numbers. One row: the answer (bulk: {on, results} in input order, else the one
 * answer) and the flags it gave ({t,f,...}, for the check log). */
kr_err municipal_certification_checks(db_conn *db, const char *numbers, const char *on, bool bulk,
                                     PGresult **out);
/* Newest first: rows (json, id, nil uuid) for page_reply; before_id may be NULL. */
kr_err municipal_log_page(db_conn *db, const char *municipality, const char *kvk,
                          const char *before_id, int limit, PGresult **out);

/* Events after `after`, at most limit+1 rows of (json, id). */
kr_err municipal_feed(db_conn *db, const char *after, int limit, PGresult **out);

/* Writes `expired` events for up to 100 certificates whose validity ended before today;
 * *written says how many. Claims each certificate exactly once across replicas. */
kr_err municipal_expire(db_conn *db, const char *today, int *written);

/* ---- webhooks ----------------------------------------------------------------------------- */
kr_err municipal_subscription_create(db_conn *db, const char *account, const char *municipality,
                                     const char *obj_json, const char *secret, char **json, char id[37]);
/* owner NULL: any (admin). KR_NOT_FOUND when not there or not the owner's. */
kr_err municipal_subscription_get(db_conn *db, const char *id, const char *owner, char **json);
kr_err municipal_subscription_page(db_conn *db, const char *owner, const page_cursor *after, int limit,
                                   PGresult **out);
kr_err municipal_subscription_delete(db_conn *db, const char *id, const char *owner);
kr_err municipal_delivery_page(db_conn *db, const char *subscription, const page_cursor *after, int limit,
                               PGresult **out);
/* KR_CONFLICT when the delivery is pending or being delivered. */
kr_err municipal_delivery_replay(db_conn *db, const char *subscription, const char *delivery, char **json);

/* A claimed delivery: everything the sender needs. */
typedef struct {
  char id[37];
  char subscription_id[37];
  char target_url[2048];
  char secret[128];
  char *body; /* the JSON payload; free() */
  int attempts; /* including this one */
  long seconds_since_first; /* since the first attempt */
} claimed_delivery;

/* Claims up to `max` due deliveries, the oldest pending one of each subscription, for a lease of
 * lease_seconds; *n says how many. Deliveries whose lease ran out are claimed again. */
kr_err municipal_claim_deliveries(db_conn *db, int lease_seconds, claimed_delivery *out, int max, int *n);
/* Records an attempt's result: delivered, retry after retry_seconds, failed, or (gone) the
 * subscription disabled. */
typedef enum { DELIVERY_DELIVERED, DELIVERY_RETRY, DELIVERY_FAILED, DELIVERY_GONE } delivery_result;
kr_err municipal_record_attempt(db_conn *db, const claimed_delivery *d, delivery_result result,
                                long status_code, const char *error, long retry_seconds, long duration_ms);

#endif
