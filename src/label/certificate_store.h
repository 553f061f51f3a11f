/* certificate_store.h (label): certificates as the API shows them, their history and their
 * changes. Statuses come from the timelines stored at write time (label/timeline.h): every read
 * here names the date it asks about, and PostgreSQL builds the whole answer, status included. */
#ifndef KR_LABEL_CERTIFICATE_STORE_H
#define KR_LABEL_CERTIFICATE_STORE_H

#include "label/store.h"

extern const db_statement *const label_certificate_statements[];

/* One certificate on a date: its JSON (the full view, or the public one), its status then, and
 * what authorisation needs. `json` lives in `result`; certificate_row_free releases both. */
typedef struct {
  const char *json;
  PGresult *result;
  cert_status status;
  kr_date valid_from, valid_until;
  char organisation_id[37];
  char body_id[37];
  char id[37];
} certificate_row;

/* The certificate numbered `number` as it stands on `on`; KR_NOT_FOUND when there is none. */
kr_err label_certificate_get(db_conn *db, const char *number, kr_date on, bool public_view,
                             certificate_row *out);
/* Locks the certificate's row until the transaction ends and fills its ids (json stays NULL). */
kr_err label_certificate_lock(db_conn *db, const char *number, certificate_row *out);
void certificate_row_free(certificate_row *row);

/* Whether one of the organisation's certificates still runs on `on` (label_cert_runs), and then
 * the latest validUntil among them and that certificate's number. */
kr_err label_running_certificate(db_conn *db, const char *organisation_id, kr_date on, bool *runs,
                                 kr_date *until, char number[32]);

/* A page of certificates as (json, key, id), each as it stands on `on`: the public view leaves out
 * the withdrawn and those not yet valid; only_org / only_body restrict; status, q, city,
 * municipality and kvk filter (NULL: any). */
typedef struct {
  bool public_view;
  const char *only_org, *only_body, *status, *q, *city, *municipality, *kvk;
} certificate_filter;
kr_err label_certificate_page(db_conn *db, const certificate_filter *f, kr_date on,
                              const page_cursor *after, int limit, PGresult **out);

kr_err label_certificate_history(db_conn *db, const char *certificate_id, char **json);
/* Records a change (an event with an increasing id). The caller derives the statuses anew. */
kr_err label_certificate_change(db_conn *db, const char *certificate_id, const char *type,
                                const char *effective_on, const char *reason, const char *account);

#endif
