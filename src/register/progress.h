/* progress.h (register): progress towards re-registration, for code outside its handlers. */
#ifndef KR_REGISTER_PROGRESS_H
#define KR_REGISTER_PROGRESS_H

#include <stdbool.h>

#include "db/pool.h"

/* Whether the professional's last period's requirements are met today (the C rules of
 * register/rules.h over the completed activities); KR_NOT_FOUND without a period. */
kr_err register_last_period_met(db_conn *db, const char *professional_id, bool *met);

#endif
