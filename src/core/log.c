#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static log_level min_level = LOG_INFO;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"debug", "info", "warning", "error"};

int log_level_parse(const char *text) {
  for (int i = 0; i < 4; i++)
    if (text && strcmp(text, level_names[i]) == 0) return i;
  return -1;
}

void log_set_level(log_level level) { min_level = level; }
int log_enabled(log_level level) { return level >= min_level; }

void log_event(log_level level, const char *msg, json_t *fields) {
  if (!log_enabled(level)) {
    json_decref(fields);
    return;
  }
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm tm;
  gmtime_r(&now.tv_sec, &tm);
  char stamp[40];
  size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", now.tv_nsec / 1000000);

  json_t *line = json_pack("{s:s, s:s, s:s}", "time", stamp, "level", level_names[level], "msg", msg);
  if (line && fields) json_object_update(line, fields);
  json_decref(fields);
  char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
  json_decref(line);
  if (!text) return;
  pthread_mutex_lock(&out_lock);
  fputs(text, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
  free(text);
}

void log_msg(log_level level, const char *fmt, ...) {
  if (!log_enabled(level)) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_event(level, buf, NULL);
}
