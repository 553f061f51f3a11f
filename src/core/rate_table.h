/* rate_table.h: request counts per (bucket, client address) in fixed windows, in memory, for one
 * process; pure (no I/O, the caller passes the time) and thread-safe.
 *
 * A window starts at a client's first request in a bucket and lasts window_seconds. Each entry
 * keeps three numbers: `synced`, the count every replica together had reached at the last sync
 * (what the database answered); `sending`, hits of this process on their way to the database;
 * `pending`, hits of this process since. A request is allowed while synced + sending + pending
 * is below the limit, and then counted in pending: within one process the limit holds exactly.
 * The sync side (http/ratelimit.c) takes the pending hits (rate_table_take), adds them up in
 * the database and hands back what the database answered (rate_table_settle); the database's
 * window, when another replica started it, replaces this process's own.
 *
 * Memory is fixed at creation: at most `capacity` entries (about 112 bytes each), allocated up
 * front and touched as they are used, in 64 stripes that each have their own mutex, hash chains
 * and share of the capacity. An entry whose window has ended is freed by the next take, or when
 * its stripe needs room. When a stripe is full of running windows (very many client addresses
 * in one window), a new address takes the place of the entry with the fewest hits among a few
 * sampled ones: the flood of one-request addresses evicts itself, while an address near its
 * limit keeps its count. An evicted entry loses hits not yet synced; its address starts again
 * from the database's count at the next sync. The table never grows and never refuses an entry.
 *
 * Buckets are short names (at most 15 bytes), client addresses at most 47 bytes; longer ones
 * are cut. Only one thread may take and settle at a time (the sync thread); hits come from any
 * thread. */
#ifndef KR_CORE_RATE_TABLE_H
#define KR_CORE_RATE_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#define RATE_BUCKET_MAX 16
#define RATE_CLIENT_MAX 48

typedef struct rate_table rate_table;

/* One (bucket, client) as the sync carries it: out with take (hits = this process's new hits),
 * back with settle (hits = the count of all replicas in that window). */
typedef struct {
  char bucket[RATE_BUCKET_MAX];
  char client[RATE_CLIENT_MAX];
  int64_t window_end_ms; /* Unix time in milliseconds */
  int hits;
} rate_count;

/* A table for at most `capacity` entries (at least 64; rounded up to a multiple of 64). NULL when
 * out of memory. Free with rate_table_free (NULL is a no-op). */
rate_table *rate_table_new(int capacity);
void rate_table_free(rate_table *t);

/* Counts one request at now_ms. True when it is within `limit` for the client's window (it is
 * counted); false when the window is full (not counted): *retry_after gets the whole seconds
 * until the window ends, at least 1. */
bool rate_table_hit(rate_table *t, const char *bucket, const char *client, int limit,
                    int window_seconds, int64_t now_ms, int *retry_after);

/* The sync thread: frees entries whose window has ended and moves up to `max` entries' pending
 * hits into `out` (they count as sending until settled). Returns how many it wrote. Hits taken
 * by an earlier take that was never settled (the database failed) count as pending again first,
 * so a failed sync loses nothing. Successive takes start at different stripes, so when more
 * than `max` entries have pending hits none waits for long. */
int rate_table_take(rate_table *t, rate_count *out, int max, int64_t now_ms);

/* The sync thread, after the database answered for what take gave it: each row's count (all
 * replicas, this process's sent hits included) becomes the entry's synced count, and the
 * database's window its window. Rows whose entry is gone are skipped. */
void rate_table_settle(rate_table *t, const rate_count *rows, int n, int64_t now_ms);

/* Entries in use, and entries evicted (running windows pushed out for room) since creation. */
void rate_table_stats(rate_table *t, int *used, long *evicted);

#endif
