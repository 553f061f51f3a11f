#include "http/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/slots.h"

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])
#define STATUSES_PER_ROUTE 12

typedef struct {
  int status; /* 0: unused slot */
  unsigned long count;
  unsigned long buckets[BUCKETS]; /* cumulative counts are computed when rendering */
  double sum;
} series;

typedef struct {
  pthread_mutex_t lock;
  series by_status[STATUSES_PER_ROUTE];
} route_series;

static route_series *table;
static size_t slots; /* route_count + 1; the last slot is "unmatched" */

bool metrics_init(size_t route_count) {
  slots = route_count + 1;
  table = calloc(slots, sizeof *table);
  if (!table) return false;
  for (size_t i = 0; i < slots; i++) pthread_mutex_init(&table[i].lock, NULL);
  return true;
}

void metrics_free(void) {
  for (size_t i = 0; table && i < slots; i++) pthread_mutex_destroy(&table[i].lock);
  free(table);
  table = NULL;
}

void metrics_observe(int route, int status, double seconds) {
  if (!table) return;
  route_series *rs = &table[route >= 0 && (size_t)route < slots - 1 ? (size_t)route : slots - 1];
  pthread_mutex_lock(&rs->lock);
  series *s = NULL;
  for (int i = 0; i < STATUSES_PER_ROUTE && !s; i++)
    if (rs->by_status[i].status == status || rs->by_status[i].status == 0) s = &rs->by_status[i];
  if (!s) s = &rs->by_status[STATUSES_PER_ROUTE - 1]; /* overflow: counted with the last one */
  if (s->status == 0) s->status = status;
  s->count++;
  s->sum += seconds;
  for (size_t b = 0; b < BUCKETS; b++)
    if (seconds <= bucket_bounds[b]) {
      s->buckets[b]++;
      break;
    }
  pthread_mutex_unlock(&rs->lock);
}

static void appendf(text_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void appendf(text_buf *out, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > 0) text_buf_append(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void metrics_render(text_buf *out, const char *(*route_method)(int), const char *(*route_path)(int),
                    db_pool *pool, int pool_size) {
  text_buf_puts(out,
                "# HELP http_requests_total HTTP requests answered, by route and status.\n"
                "# TYPE http_requests_total counter\n");
  text_buf hist = {0};
  text_buf_puts(&hist,
                "# HELP http_request_duration_seconds Time from request to answer.\n"
                "# TYPE http_request_duration_seconds histogram\n");
  for (size_t r = 0; table && r < slots; r++) {
    bool unmatched = r == slots - 1;
    const char *method = unmatched ? "*" : route_method((int)r);
    const char *path = unmatched ? "unmatched" : route_path((int)r);
    pthread_mutex_lock(&table[r].lock);
    for (int i = 0; i < STATUSES_PER_ROUTE; i++) {
      const series *s = &table[r].by_status[i];
      if (!s->status) continue;
      appendf(out, "http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lu\n", method,
              path, s->status, s->count);
      unsigned long cumulative = 0;
      for (size_t b = 0; b < BUCKETS; b++) {
        cumulative += s->buckets[b];
        appendf(&hist,
                "http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",status=\"%d\","
                "le=\"%g\"} %lu\n",
                method, path, s->status, bucket_bounds[b], cumulative);
      }
      appendf(&hist,
              "http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",status=\"%d\","
              "le=\"+Inf\"} %lu\n",
              method, path, s->status, s->count);
      appendf(&hist,
              "http_request_duration_seconds_sum{method=\"%s\",route=\"%s\",status=\"%d\"} %.6f\n",
              method, path, s->status, s->sum);
      appendf(&hist,
              "http_request_duration_seconds_count{method=\"%s\",route=\"%s\",status=\"%d\"} %lu\n",
              method, path, s->status, s->count);
    }
    pthread_mutex_unlock(&table[r].lock);
  }
  if (hist.data) text_buf_append(out, hist.data, hist.len);
  text_buf_free(&hist);

  int idle = 0, busy = 0, broken = 0;
  if (pool) db_pool_stats(pool, &idle, &busy, &broken);
  appendf(out,
          "# HELP db_pool_connections PostgreSQL pool connections by state.\n"
          "# TYPE db_pool_connections gauge\n"
          "db_pool_connections{state=\"idle\"} %d\n"
          "db_pool_connections{state=\"busy\"} %d\n"
          "db_pool_connections{state=\"broken\"} %d\n"
          "# HELP db_pool_size Configured PostgreSQL pool size.\n"
          "# TYPE db_pool_size gauge\n"
          "db_pool_size %d\n",
          idle, busy, broken, pool_size);
  appendf(out,
          "# HELP http_connections_open HTTP connections open now.\n"
          "# TYPE http_connections_open gauge\n"
          "http_connections_open %d\n"
          "# HELP http_connections_cut_total HTTP connections cut for missing their deadline or to "
          "free slots for new clients.\n"
          "# TYPE http_connections_cut_total counter\n"
          "http_connections_cut_total %ld\n",
          http_slots_open(), http_slots_cut());
}
