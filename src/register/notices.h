/* notices.h (register): the messages a professional receives (sql/0022; the outbox and its
 * sender: mail/outbox.h). Each is queued once per cause: a decision's notice by the decision's
 * own transaction; the re-registration and lapse notices by a background task in every replica
 * that, one replica at a time (an advisory lock), queues what the dates have made due. */
#ifndef KR_REGISTER_NOTICES_H
#define KR_REGISTER_NOTICES_H

#include <stdbool.h>

#include "db/pool.h"

/* Queues notice `kind` (application_approved, application_rejected, measure_imposed) to the
 * professional inside the caller's transaction, once for (kind, about): about is what the notice
 * is about (the professional, a measure). detail: the rejection's reason, the measure's type. */
kr_err register_notice(db_conn *db, const char *professional_id, const char *kind, const char *about,
                       const char *detail);

/* The worker task (arg: http_services): queues the notices due today. True when more may wait. */
bool register_notices_task(void *arg);

#endif
