#include "db/listen.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

struct db_listener {
  pthread_t thread;
  atomic_bool stopping;
  char *url;
  char channel[64];
  void (*on_notify)(void *arg);
  void *arg;
};

static PGconn *connect_listening(db_listener *l) {
  const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
  const char *vals[] = {l->url, "2", "kwaliteitsregister-listen", NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  char sql[96];
  snprintf(sql, sizeof sql, "LISTEN %s", l->channel); /* a fixed identifier of ours, never input */
  PGresult *r = PQstatus(pg) == CONNECTION_OK ? PQexec(pg, sql) : NULL;
  bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok) {
    PQfinish(pg);
    return NULL;
  }
  return pg;
}

static void *run(void *arg) {
  db_listener *l = arg;
  PGconn *pg = NULL;
  while (!atomic_load(&l->stopping)) {
    if (!pg && !(pg = connect_listening(l))) {
      for (int i = 0; i < 10 && !atomic_load(&l->stopping); i++) usleep(100000); /* retry in 1 s */
      continue;
    }
    /* Short polls, so that a stop is noticed within 200 ms. */
    struct pollfd p = {.fd = PQsocket(pg), .events = POLLIN};
    if (poll(&p, 1, 200) > 0 && !PQconsumeInput(pg)) {
      log_msg(LOG_WARNING, "LISTEN %s: connection lost, reconnecting", l->channel);
      PQfinish(pg);
      pg = NULL;
      l->on_notify(l->arg); /* notices may have been missed: look now */
      continue;
    }
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(pg))) {
      any = true;
      PQfreemem(n);
    }
    if (any) l->on_notify(l->arg);
  }
  PQfinish(pg);
  return NULL;
}

db_listener *db_listen_start(const char *url, const char *channel, void (*on_notify)(void *arg), void *arg) {
  db_listener *l = calloc(1, sizeof *l);
  if (!l || !(l->url = strdup(url))) {
    free(l);
    return NULL;
  }
  snprintf(l->channel, sizeof l->channel, "%s", channel);
  l->on_notify = on_notify;
  l->arg = arg;
  if (pthread_create(&l->thread, NULL, run, l) != 0) {
    free(l->url);
    free(l);
    return NULL;
  }
  return l;
}

void db_listen_stop(db_listener *l) {
  if (!l) return;
  atomic_store(&l->stopping, true);
  pthread_join(l->thread, NULL);
  free(l->url);
  free(l);
}
