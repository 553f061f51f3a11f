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
 * segments (more literal = more specific). Walks the template in place and stops at the first
 * segment that differs: most templates differ in their second segment. */
static int score(const char *t, const segments *path) {
  if (t[0] != '/') return -1;
  if (path->count == 0) return t[1] == '\0' ? 0 : -1;
  t++;
  int literal = 0;
  for (int i = 0; i < path->count; i++) {
    if (t[0] == '{') {
      while (*t && *t != '/') t++;
    } else {
      const char *p = path->start[i], *end = p + path->len[i];
      while (p < end && *t == *p) t++, p++; /* stops at the template's NUL or '/' too */
      if (p < end || (*t != '/' && *t != '\0')) return -1;
      literal++;
    }
    if (i == path->count - 1) return *t == '\0' ? literal : -1;
    if (*t != '/') return -1; /* the template is shorter */
    t++;
  }
  return -1;
}

static bool capture(const char *tmpl, const segments *path, router_match *out) {
  segments t;
  split(tmpl, &t);
  out->param_count = 0;
  for (int i = 0; i < t.count; i++) {
    if (t.start[i][0] != '{') continue;
    if (out->param_count == ROUTER_MAX_PARAMS || path->len[i] >= ROUTER_PARAM_MAX) return false;
    int k = out->param_count++;
    size_t name = t.len[i] - 2 < sizeof out->param_names[k] ? t.len[i] - 2 : sizeof out->param_names[k] - 1;
    memcpy(out->param_names[k], t.start[i] + 1, name);
    out->param_names[k][name] = '\0';
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
   * method picks among the entries with that template, which all matched. */
  enum { MAX_MATCHES = 32 };
  size_t matched[MAX_MATCHES];
  int matched_count = 0, best = -1;
  const char *best_tmpl = NULL;
  for (size_t i = 0; i < n; i++) {
    const router_entry *e = entry_at(entries, stride, i);
    int sc = score(e->path, &s);
    if (sc < 0) continue;
    if (sc > best) {
      best = sc;
      best_tmpl = e->path;
    }
    if (matched_count < MAX_MATCHES) matched[matched_count++] = i;
  }
  if (!best_tmpl) return ROUTER_NO_PATH;
  for (int m = 0; m < matched_count; m++) {
    const router_entry *e = entry_at(entries, stride, matched[m]);
    if (e->path != best_tmpl && strcmp(e->path, best_tmpl) != 0) continue;
    size_t used = strlen(out->allow);
    snprintf(out->allow + used, sizeof out->allow - used, "%s%s", used ? ", " : "", e->method);
    if (strcmp(e->method, method) == 0) out->index = (int)matched[m];
  }
  if (out->index < 0) return ROUTER_NO_METHOD;
  if (!capture(best_tmpl, &s, out)) {
    out->index = -1;
    return ROUTER_NO_PATH;
  }
  return ROUTER_FOUND;
}
