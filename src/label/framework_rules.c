#include "label/framework_rules.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Frameworks are few (one every few years): a list searched under a lock. It holds one entry
 * per version that exists (unknown versions are not kept), so it is as long as the table. */
typedef struct cached_rules {
  struct cached_rules *next;
  char version[33];
  framework_rules rules;
  char **codes;
} cached_rules;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cached_rules *cache;

static const cached_rules *find(const char *version) {
  for (const cached_rules *c = cache; c; c = c->next)
    if (strcmp(c->version, version) == 0) return c;
  return NULL;
}

static void release(cached_rules *c) {
  if (!c) return;
  for (size_t i = 0; c->codes && i < c->rules.code_count; i++) free(c->codes[i]);
  free(c->codes);
  free(c);
}

/* Reads a version's rules from the database into a new entry. */
static kr_err load(db_conn *db, const char *version, cached_rules **out) {
  *out = NULL;
  if (strlen(version) >= sizeof ((cached_rules *)0)->version) return KR_NOT_FOUND;
  cached_rules *c = calloc(1, sizeof *c);
  if (!c) return KR_INTERNAL;
  PGresult *codes = NULL;
  kr_err e = label_framework_facts(db, version, &c->rules.facts);
  if (e == KR_OK) e = label_framework_codes(db, version, &codes);
  int rows = e == KR_OK ? PQntuples(codes) : 0;
  if (e == KR_OK && !(c->codes = calloc((size_t)rows + 1, sizeof *c->codes))) e = KR_INTERNAL;
  for (int i = 0; e == KR_OK && i < rows; i++) {
    if (PQgetisnull(codes, i, 0)) continue; /* a framework without norms */
    if (!(c->codes[c->rules.code_count++] = strdup(PQgetvalue(codes, i, 0)))) e = KR_INTERNAL;
  }
  PQclear(codes);
  if (e != KR_OK) {
    release(c);
    return e;
  }
  strcpy(c->version, version);
  c->rules.codes = (const char *const *)c->codes;
  *out = c;
  return KR_OK;
}

kr_err label_framework_rules(db_conn *db, const char *version, const framework_rules **out) {
  pthread_mutex_lock(&lock);
  const cached_rules *hit = find(version);
  pthread_mutex_unlock(&lock);
  if (hit) {
    *out = &hit->rules;
    return KR_OK;
  }
  cached_rules *fresh;
  kr_err e = load(db, version, &fresh);
  if (e != KR_OK) return e;
  pthread_mutex_lock(&lock);
  hit = find(version); /* another thread may have read it meanwhile */
  if (!hit) {
    fresh->next = cache;
    cache = fresh;
    hit = fresh;
    fresh = NULL;
  }
  pthread_mutex_unlock(&lock);
  release(fresh);
  *out = &hit->rules;
  return KR_OK;
}
