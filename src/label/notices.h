/* notices.h (label): the messages of the quality label (sql/0023; the outbox and its sender:
 * mail/outbox.h), each queued once per cause. To the organisation, at its contact address when it
 * has one: its audit decided, a certificate suspended, reinstated or withdrawn (all queued by the
 * deciding transaction), and a certificate expiring within 3 months (queued by a background task
 * from dates). To the label office (LABEL_OFFICE_EMAIL, when set): an outcome submitted. */
#ifndef KR_LABEL_NOTICES_H
#define KR_LABEL_NOTICES_H

#include <stdbool.h>

#include "config.h"
#include "db/pool.h"

extern const db_statement *const label_notice_statements[]; /* NULL-terminated, for the pool */

/* Inside the caller's transaction, after the change was written. */
kr_err label_notice_decided(db_conn *db, const char *audit_id);
kr_err label_notice_certificate_change(db_conn *db, const char *certificate_id, const char *type);
kr_err label_notice_outcome(db_conn *db, const config *cfg, const char *audit_id);

/* The worker task (arg: http_services), the label's upkeep from dates: rolls the certification
 * checks' current spans past the spans that began (sql/0031) and queues the expiry notices due
 * today. True when more may wait. */
bool label_notices_task(void *arg);

#endif
