#include "core/rate_table.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES 64 /* a power of two: the top bits of the hash choose the stripe */
#define STRIPE_BITS 6
#define SAMPLES 8  /* entries looked at to choose one to evict */

typedef struct {
  char bucket[RATE_BUCKET_MAX];
  char client[RATE_CLIENT_MAX];
  int64_t window_end_ms;
  int64_t sending_end_ms; /* the window the hits in `sending` were counted in */
  uint32_t hash;
  int32_t next; /* hash chain or free list: index + 1, 0 ends */
  int32_t synced, sending, pending;
  bool used;
} entry;

typedef struct {
  alignas(64) pthread_mutex_t lock;
  entry *entries;
  int32_t *heads; /* index + 1 of each chain's first entry, 0 when empty */
  uint32_t head_mask;
  int cap;
  int fresh;      /* entries[fresh..cap) have never been used */
  int32_t free_list;
  int used;
  int64_t next_end_ms; /* no entry's window ends before this */
  uint32_t rng;
  long evicted;
} stripe;

struct rate_table {
  stripe stripes[STRIPES];
  entry *entries;
  int32_t *heads;
  int take_from; /* the stripe the next take starts at */
};

static uint64_t key_hash(const char *bucket, const char *client) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)bucket; *p; p++) h = (h ^ *p) * 1099511628211ULL;
  h = (h ^ 0xff) * 1099511628211ULL; /* a separator no text byte of a name is */
  for (const unsigned char *p = (const unsigned char *)client; *p; p++) h = (h ^ *p) * 1099511628211ULL;
  h ^= h >> 29; /* FNV's high bits mix poorly: fold the low ones in before they choose the stripe */
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h;
}

/* The key as the table keeps it (cut to the field sizes), so that lookups hash what is stored. */
static void key_copy(char bucket[RATE_BUCKET_MAX], char client[RATE_CLIENT_MAX], const char *b,
                     const char *c) {
  size_t nb = strnlen(b, RATE_BUCKET_MAX - 1), nc = strnlen(c, RATE_CLIENT_MAX - 1);
  memcpy(bucket, b, nb);
  bucket[nb] = '\0';
  memcpy(client, c, nc);
  client[nc] = '\0';
}

static stripe *stripe_of(rate_table *t, uint64_t h) { return &t->stripes[h >> (64 - STRIPE_BITS)]; }

static int find(const stripe *s, uint32_t h, const char *bucket, const char *client) {
  for (int32_t i = s->heads[h & s->head_mask]; i; i = s->entries[i - 1].next) {
    const entry *e = &s->entries[i - 1];
    if (e->hash == h && strcmp(e->client, client) == 0 && strcmp(e->bucket, bucket) == 0) return i - 1;
  }
  return -1;
}

static void release(stripe *s, int idx) {
  entry *e = &s->entries[idx];
  int32_t *link = &s->heads[e->hash & s->head_mask];
  while (*link != idx + 1) link = &s->entries[*link - 1].next;
  *link = e->next;
  e->used = false;
  e->next = s->free_list;
  s->free_list = idx + 1;
  s->used--;
}

static void set_window(stripe *s, entry *e, int64_t end_ms) {
  e->window_end_ms = end_ms;
  if (end_ms < s->next_end_ms) s->next_end_ms = end_ms;
}

/* Frees every entry whose window has ended, unless none can have (next_end_ms). */
static void sweep(stripe *s, int64_t now_ms) {
  if (now_ms < s->next_end_ms) return;
  int64_t next = INT64_MAX;
  for (int i = 0; i < s->fresh; i++) {
    entry *e = &s->entries[i];
    if (!e->used) continue;
    if (e->window_end_ms <= now_ms) release(s, i);
    else if (e->window_end_ms < next) next = e->window_end_ms;
  }
  s->next_end_ms = next;
}

static int64_t count_of(const entry *e) {
  int64_t n = (int64_t)e->synced + e->pending;
  if (e->sending_end_ms == e->window_end_ms) n += e->sending;
  return n;
}

/* Makes room in a full stripe of running windows: of SAMPLES entries chosen at random, the one
 * with the fewest hits goes. */
static void evict(stripe *s) {
  int victim = -1;
  int64_t fewest = INT64_MAX;
  for (int k = 0; k < SAMPLES; k++) {
    s->rng ^= s->rng << 13; /* xorshift32 */
    s->rng ^= s->rng >> 17;
    s->rng ^= s->rng << 5;
    int i = (int)(s->rng % (uint32_t)s->cap);
    int64_t n = count_of(&s->entries[i]);
    if (n < fewest) {
      fewest = n;
      victim = i;
    }
  }
  release(s, victim);
  s->evicted++;
}

static int allocate(stripe *s, int64_t now_ms) {
  if (!s->free_list && s->fresh < s->cap) return s->fresh++;
  if (!s->free_list) sweep(s, now_ms);
  if (!s->free_list) evict(s);
  int idx = s->free_list - 1;
  s->free_list = s->entries[idx].next;
  return idx;
}

rate_table *rate_table_new(int capacity) {
  if (capacity < STRIPES) capacity = STRIPES;
  int per = (capacity + STRIPES - 1) / STRIPES;
  uint32_t heads = 1;
  while (heads < 2u * (uint32_t)per) heads <<= 1;
  rate_table *t = aligned_alloc(64, (sizeof *t + 63) / 64 * 64);
  if (!t) return NULL;
  memset(t, 0, sizeof *t);
  /* Zeroed pages are only made resident when touched: a table that stays small costs little. */
  t->entries = calloc((size_t)per * STRIPES, sizeof *t->entries);
  t->heads = calloc((size_t)heads * STRIPES, sizeof *t->heads);
  if (!t->entries || !t->heads) {
    free(t->entries);
    free(t->heads);
    free(t);
    return NULL;
  }
  for (int i = 0; i < STRIPES; i++) {
    stripe *s = &t->stripes[i];
    pthread_mutex_init(&s->lock, NULL);
    s->entries = t->entries + (size_t)i * per;
    s->heads = t->heads + (size_t)i * heads;
    s->head_mask = heads - 1;
    s->cap = per;
    s->next_end_ms = INT64_MAX;
    s->rng = 0x9e3779b9u ^ (uint32_t)(i * 2654435761u);
  }
  return t;
}

void rate_table_free(rate_table *t) {
  if (!t) return;
  for (int i = 0; i < STRIPES; i++) pthread_mutex_destroy(&t->stripes[i].lock);
  free(t->entries);
  free(t->heads);
  free(t);
}

bool rate_table_hit(rate_table *t, const char *bucket_name, const char *client_name, int limit,
                    int window_seconds, int64_t now_ms, int *retry_after) {
  char bucket[RATE_BUCKET_MAX], client[RATE_CLIENT_MAX];
  key_copy(bucket, client, bucket_name, client_name);
  uint64_t h64 = key_hash(bucket, client);
  uint32_t h = (uint32_t)h64;
  stripe *s = stripe_of(t, h64);
  int64_t window_ms = (int64_t)window_seconds * 1000;
  pthread_mutex_lock(&s->lock);
  int idx = find(s, h, bucket, client);
  entry *e;
  if (idx < 0) {
    idx = allocate(s, now_ms);
    e = &s->entries[idx];
    *e = (entry){.hash = h, .used = true, .next = s->heads[h & s->head_mask]};
    memcpy(e->bucket, bucket, sizeof bucket);
    memcpy(e->client, client, sizeof client);
    s->heads[h & s->head_mask] = idx + 1;
    s->used++;
    set_window(s, e, now_ms + window_ms);
  } else {
    e = &s->entries[idx];
    if (e->window_end_ms <= now_ms) { /* a new window; hits still sending belong to the old one */
      e->synced = e->pending = 0;
      set_window(s, e, now_ms + window_ms);
    }
  }
  bool allowed = count_of(e) < limit;
  if (allowed) e->pending++;
  else *retry_after = (int)((e->window_end_ms - now_ms + 999) / 1000);
  pthread_mutex_unlock(&s->lock);
  if (!allowed && *retry_after < 1) *retry_after = 1;
  return allowed;
}

int rate_table_take(rate_table *t, rate_count *out, int max, int64_t now_ms) {
  int n = 0;
  for (int k = 0; k < STRIPES && n < max; k++) {
    int si = (t->take_from + k) % STRIPES;
    stripe *s = &t->stripes[si];
    pthread_mutex_lock(&s->lock);
    int64_t next = INT64_MAX;
    for (int i = 0; i < s->fresh; i++) {
      entry *e = &s->entries[i];
      if (!e->used) continue;
      if (e->sending) { /* taken before and never settled: the database did not answer */
        if (e->sending_end_ms == e->window_end_ms) e->pending += e->sending;
        e->sending = 0;
      }
      if (e->window_end_ms <= now_ms) {
        release(s, i);
        continue;
      }
      if (e->window_end_ms < next) next = e->window_end_ms;
      if (e->pending > 0 && n < max) {
        rate_count *c = &out[n++];
        memcpy(c->bucket, e->bucket, sizeof c->bucket);
        memcpy(c->client, e->client, sizeof c->client);
        c->window_end_ms = e->window_end_ms;
        c->hits = e->pending;
        e->sending = e->pending;
        e->sending_end_ms = e->window_end_ms;
        e->pending = 0;
      }
    }
    s->next_end_ms = next;
    pthread_mutex_unlock(&s->lock);
    if (n == max) t->take_from = si; /* what did not fit goes first next time */
  }
  return n;
}

void rate_table_settle(rate_table *t, const rate_count *rows, int n, int64_t now_ms) {
  for (int k = 0; k < n; k++) {
    const rate_count *r = &rows[k];
    char bucket[RATE_BUCKET_MAX], client[RATE_CLIENT_MAX];
    key_copy(bucket, client, r->bucket, r->client);
    uint64_t h64 = key_hash(bucket, client);
    stripe *s = stripe_of(t, h64);
    pthread_mutex_lock(&s->lock);
    int idx = find(s, (uint32_t)h64, bucket, client);
    if (idx >= 0) {
      entry *e = &s->entries[idx];
      /* The database's window is the one every replica counts in. An answer about a window
       * that has ended adopts nothing; the hits sent were counted, and count here until the
       * entry's own window ends. */
      if (r->window_end_ms > now_ms) {
        set_window(s, e, r->window_end_ms);
        e->synced = r->hits;
      } else if (e->sending_end_ms == e->window_end_ms) {
        e->synced += e->sending;
      }
      e->sending = 0;
    }
    pthread_mutex_unlock(&s->lock);
  }
}

void rate_table_stats(rate_table *t, int *used, long *evicted) {
  *used = 0;
  *evicted = 0;
  for (int i = 0; i < STRIPES; i++) {
    stripe *s = &t->stripes[i];
    pthread_mutex_lock(&s->lock);
    *used += s->used;
    *evicted += s->evicted;
    pthread_mutex_unlock(&s->lock);
  }
}
