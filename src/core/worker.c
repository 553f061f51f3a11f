#include "core/worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

struct worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stopping;
  bool woken;
  int interval_ms;
  bool (*task)(void *arg);
  void *arg;
  char name[32];
};

static void *run(void *arg) {
  worker *w = arg;
  pthread_mutex_lock(&w->lock);
  while (!w->stopping) {
    pthread_mutex_unlock(&w->lock);
    bool more = w->task(w->arg);
    pthread_mutex_lock(&w->lock);
    if (more || w->stopping || w->woken) {
      w->woken = false;
      continue;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += w->interval_ms / 1000;
    until.tv_nsec += (long)(w->interval_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&w->wake, &w->lock, &until);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

worker *worker_start(const char *name, int interval_ms, bool (*task)(void *arg), void *arg) {
  worker *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->wake, NULL);
  w->interval_ms = interval_ms;
  w->task = task;
  w->arg = arg;
  strncpy(w->name, name, sizeof w->name - 1);
  if (pthread_create(&w->thread, NULL, run, w) != 0) {
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  log_msg(LOG_INFO, "worker %s started (every %d ms)", w->name, interval_ms);
  return w;
}

void worker_wake(worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->woken = true;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
}

void worker_stop(worker *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->stopping = true;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}
