#include "http/busy.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Open addressing over account ids; a slot is free again when its count drops to 0. More
 * accounts running expensive requests at once than slots is answered 429 too. */
#define BUSY_SLOTS 256

static struct {
  char account[40];
  int running;
} slots[BUSY_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The slot of account, or a free one to take; -1 when the table is full. Under lock. */
static int find(const char *account) {
  int free_slot = -1;
  for (unsigned i = 0, h = hash(account); i < BUSY_SLOTS; i++) {
    int at = (int)((h + i) % BUSY_SLOTS);
    if (slots[at].running > 0 && strcmp(slots[at].account, account) == 0) return at;
    if (slots[at].running == 0 && free_slot < 0) free_slot = at;
  }
  return free_slot;
}

bool http_busy_enter(http_ctx *ctx) {
  const char *account = ctx->caller.account_id;
  pthread_mutex_lock(&lock);
  int at = find(account);
  bool ok = at >= 0 && slots[at].running < ctx->services->cfg->expensive_per_account;
  if (ok && slots[at].running++ == 0)
    snprintf(slots[at].account, sizeof slots[at].account, "%s", account);
  pthread_mutex_unlock(&lock);
  if (!ok) {
    http_set_header(ctx, "Retry-After", "1");
    http_reply_problem(ctx, KR_TOO_MANY_REQUESTS,
                       "This account has as many exports running as it may; wait for one to end.",
                       NULL, NULL);
  }
  return ok;
}

void http_busy_leave(http_ctx *ctx) {
  pthread_mutex_lock(&lock);
  int at = find(ctx->caller.account_id);
  if (at >= 0 && slots[at].running > 0) slots[at].running--;
  pthread_mutex_unlock(&lock);
}
