#include "http/slots.h"

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"

/* How often the watchdog looks, and how long a connection must have waited before it may be
 * cut to free a slot (a client that just connected is about to send its request; the oldest
 * waiting go first anyway). A full server does not accept: a new client waits in the kernel's
 * backlog until a sweep frees slots, so these two bound that wait (it was 850 ms with a second's
 * grace). */
#define SWEEP_MS 50
#define MIN_WAIT_BEFORE_CUT_MS 200

typedef struct slot {
  struct slot *prev, *next; /* the open connections; guarded by lock */
  int fd;
  bool cut;                 /* shut down by the watchdog, not yet closed; guarded by lock */
  _Atomic int phase;        /* slot_phase; written by the connection's thread */
  _Atomic long long since_ms;
  max_align_t request_memory[]; /* request_size bytes */
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static slot *open_slots;
static int open_count, cut_count; /* cut_count: cut and not yet closed */
static atomic_long cut_total;
static bool running, stopping;
static pthread_t watchdog;
static int high_water, low_water, header_ms, body_ms;
static size_t request_size;

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void http_slots_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                       enum MHD_ConnectionNotificationCode code) {
  (void)cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    slot *s = calloc(1, sizeof *s + request_size);
    if (!s || !info) {
      free(s);
      return; /* without a record the connection still has libmicrohttpd's own timeout */
    }
    s->fd = info->connect_fd;
    atomic_init(&s->phase, SLOT_WAITING);
    atomic_init(&s->since_ms, now_ms());
    pthread_mutex_lock(&lock);
    s->next = open_slots;
    if (open_slots) open_slots->prev = s;
    open_slots = s;
    open_count++;
    pthread_mutex_unlock(&lock);
    *socket_context = s;
    return;
  }
  /* Closed: libmicrohttpd closes the socket after this returns, so the watchdog, which only
   * touches sockets of listed slots under the lock, never shuts down a reused descriptor. */
  slot *s = *socket_context;
  if (!s) return;
  pthread_mutex_lock(&lock);
  if (s->prev) s->prev->next = s->next;
  else open_slots = s->next;
  if (s->next) s->next->prev = s->prev;
  open_count--;
  if (s->cut) cut_count--;
  pthread_mutex_unlock(&lock);
  free(s);
  *socket_context = NULL;
}

static slot *slot_of(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info ? info->socket_context : NULL;
}

void *http_slots_request_memory(struct MHD_Connection *connection) {
  slot *s = slot_of(connection);
  return s ? s->request_memory : NULL;
}

void http_slots_enter(struct MHD_Connection *connection, slot_phase phase) {
  slot *s = slot_of(connection);
  if (!s) return;
  atomic_store(&s->since_ms, now_ms());
  atomic_store(&s->phase, (int)phase);
}

/* Under lock. */
static void cut(slot *s) {
  shutdown(s->fd, SHUT_RDWR);
  s->cut = true;
  cut_count++;
  atomic_fetch_add(&cut_total, 1);
}

static int oldest_first(const void *a, const void *b) {
  long long x = atomic_load(&(*(slot *const *)a)->since_ms);
  long long y = atomic_load(&(*(slot *const *)b)->since_ms);
  return (x > y) - (x < y);
}

/* Under lock: frees slots down to low_water, cutting the connections that have waited longest
 * for a request. */
static void free_slots(long long now) {
  slot **waiting = malloc((size_t)open_count * sizeof *waiting);
  if (!waiting) return;
  int n = 0;
  for (slot *s = open_slots; s; s = s->next)
    if (!s->cut && atomic_load(&s->phase) == SLOT_WAITING &&
        now - atomic_load(&s->since_ms) >= MIN_WAIT_BEFORE_CUT_MS)
      waiting[n++] = s;
  qsort(waiting, (size_t)n, sizeof *waiting, oldest_first);
  for (int i = 0; i < n && open_count - cut_count > low_water; i++) cut(waiting[i]);
  free(waiting);
}

static void sweep(void) {
  long long now = now_ms();
  pthread_mutex_lock(&lock);
  int before = cut_count;
  for (slot *s = open_slots; s; s = s->next) {
    if (s->cut) continue;
    int phase = atomic_load(&s->phase);
    long long waited = now - atomic_load(&s->since_ms);
    if ((phase == SLOT_WAITING && waited > header_ms) || (phase == SLOT_BODY && waited > body_ms))
      cut(s);
  }
  int late = cut_count - before;
  if (open_count - cut_count > high_water) free_slots(now);
  int freed = cut_count - before - late;
  int open = open_count;
  pthread_mutex_unlock(&lock);
  if (late || freed)
    log_msg(LOG_WARNING, "cut %d connection(s) past their deadline and %d to free slots (%d open)",
            late, freed, open);
}

static void *watch(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  while (!stopping) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += SWEEP_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&wake, &lock, &until);
    if (stopping) break;
    pthread_mutex_unlock(&lock);
    sweep();
    pthread_mutex_lock(&lock);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

bool http_slots_start(int max_connections, int header_timeout_ms, int body_timeout_ms,
                      size_t request_memory) {
  request_size = request_memory;
  high_water = max_connections - max_connections / 8;
  low_water = max_connections - max_connections / 4;
  header_ms = header_timeout_ms;
  body_ms = body_timeout_ms;
  stopping = false;
  running = pthread_create(&watchdog, NULL, watch, NULL) == 0;
  return running;
}

void http_slots_stop(void) {
  if (!running) return;
  pthread_mutex_lock(&lock);
  stopping = true;
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&lock);
  pthread_join(watchdog, NULL);
  running = false;
}

int http_slots_open(void) {
  pthread_mutex_lock(&lock);
  int n = open_count;
  pthread_mutex_unlock(&lock);
  return n;
}

long http_slots_cut(void) { return atomic_load(&cut_total); }
