/* refresh.h (monitor): keeps the programme monitor's monthly tables (sql/0035_monitor_months.sql)
 * up to date, from every replica.
 *
 * What the indicators read is built when it changes, not when it is read: what each professional
 * is in each kept month (MONITOR_MONTHS, 60 by default), and per municipality and month the
 * figures over the professionals tied to it. The statements that change what those hold append to
 * two change logs and notify `kr_monitor`; the task takes the logs in batches and computes the
 * months whose reference day moved (the current month's every day). One step is one transaction
 * in kr_monitor_refresh; one replica refreshes at a time (an advisory lock), the others find it
 * taken and look again later. Nothing is lost when a replica dies mid-step: the step rolls back
 * and its changes wait in the logs. */
#ifndef KR_MONITOR_REFRESH_H
#define KR_MONITOR_REFRESH_H

#include <stdbool.h>

#include "db/pool.h"

extern const db_statement *const monitor_refresh_statements[]; /* NULL-terminated, for the pool */

/* The channel the change triggers notify: a notification wakes the task. */
#define MONITOR_CHANNEL "kr_monitor"

/* The worker task (arg: http_services, whose pool is the monitor's own: a step holds its
 * connection for seconds): one step of the refresh; true when more waits. */
bool monitor_refresh_task(void *arg);

/* For a stopping service, before worker_stop: cancels the step in progress (a month computed
 * whole takes seconds, ten times as long at ten times the register), which rolls back and runs
 * again at the next start, and lets no step begin. Any thread. */
void monitor_refresh_cancel(void);

#endif
