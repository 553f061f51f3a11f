#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

#define MAX_SEGMENTS 16

typedef struct {
  const char *start[MAX_SEGMENTS];
  size_t len[MAX_SEGMENTS];
  int count;
} segments;

/* Splits "/a/b" into segments; false for a path that cannot match any route. */
static bool split(const char *path, segments *s) {
  s->count = 0;
  if (path[0] != '/') return false;
  if (path[1] == '\0') return true;
  const char *p = path + 1;
  for (;;) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    if (len == 0 || s->count == MAX_SEGMENTS) return false; /* "//", trailing "/" */
    s->start[s->count] = p;
    s->len[s->count++] = len;
    if (!slash) return true;
    p = slash + 1;
  }
}

static const router_entry *entry_at(const void *entries, size_t stride, size_t i) {
  return (const router_entry *)((const char *)entries + i * stride);
}

/* Scores how well a template matches: -1 for no match, otherwise the number of literal
 * segments (more literal = more specific). */
static int score(const char *tmpl, const segments *path) {
  segments t;
  if (!split(tmpl, &t) || t.count != path->count) return -1;
  int literal = 0;
  for (int i = 0; i < t.count; i++) {
    if (t.start[i][0] == '{') continue;
    if (t.len[i] != path->len[i] || memcmp(t.start[i], path->start[i], t.len[i]) != 0) return -1;
    literal++;
  }
  return literal;
}

static bool capture(const char *tmpl, const segments *path, router_match *out) {
  segments t;
  split(tmpl, &t);
  out->param_count = 0;
  for (int i = 0; i < t.count; i++) {
    if (t.start[i][0] != '{') continue;
    if (out->param_count == ROUTER_MAX_PARAMS || path->len[i] >= ROUTER_PARAM_MAX) return false;
    int k = out->param_count++;
    snprintf(out->param_names[k], sizeof out->param_names[k], "%.*s", (int)t.len[i] - 2,
             t.start[i] + 1);
    if (!text_percent_decode(path->start[i], path->len[i], out->params[k], false)) return false;
  }
  return true;
}

router_result router_find(const void *entries, size_t n, size_t stride, const char *method,
                          const char *path, router_match *out) {
  memset(out, 0, sizeof *out);
  out->index = -1;
  segments s;
  if (!split(path, &s)) return ROUTER_NO_PATH;

  /* The most specific template that matches the path decides which path this is; then the
   * method picks among the entries with that template. */
  int best = -1;
  const char *best_tmpl = NULL;
  for (size_t i = 0; i < n; i++) {
    const router_entry *e = entry_at(entries, stride, i);
    int sc = score(e->path, &s);
    if (sc > best) {
      best = sc;
      best_tmpl = e->path;
    }
  }
  if (!best_tmpl) return ROUTER_NO_PATH;
  for (size_t i = 0; i < n; i++) {
    const router_entry *e = entry_at(entries, stride, i);
    if (strcmp(e->path, best_tmpl) != 0) continue;
    size_t used = strlen(out->allow);
    snprintf(out->allow + used, sizeof out->allow - used, "%s%s", used ? ", " : "", e->method);
    if (strcmp(e->method, method) == 0) out->index = (int)i;
  }
  if (out->index < 0) return ROUTER_NO_METHOD;
  if (!capture(best_tmpl, &s, out)) {
    out->index = -1;
    return ROUTER_NO_PATH;
  }
  return ROUTER_FOUND;
}
