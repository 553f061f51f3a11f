/* worker.h: a background thread that runs a task every interval until stopped.
 *
 * The task runs once at start; a task that reports more work (returns true) runs again at
 * once. worker_stop wakes the thread, waits for the task in progress and joins it. */
#ifndef KR_CORE_WORKER_H
#define KR_CORE_WORKER_H

#include <stdbool.h>

typedef struct worker worker;

/* task(arg) returns true when it should run again right away. NULL when no thread could start. */
worker *worker_start(const char *name, int interval_ms, bool (*task)(void *arg), void *arg);
/* Runs the task now instead of at the end of the interval (callable from any thread). */
void worker_wake(worker *w);
/* Stops and frees; NULL is a no-op. */
void worker_stop(worker *w);

#endif
