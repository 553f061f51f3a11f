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

static void timestamp(char stamp[40]) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm tm;
  gmtime_r(&now.tv_sec, &tm);
  size_t n = strftime(stamp, 40, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(stamp + n, 40 - n, ".%03ldZ", now.tv_nsec / 1000000);
}

static void write_line(const char *text, size_t len) {
  pthread_mutex_lock(&out_lock);
  fwrite(text, 1, len, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

void log_event(log_level level, const char *msg, json_t *fields) {
  if (!log_enabled(level)) {
    json_decref(fields);
    return;
  }
  char stamp[40];
  timestamp(stamp);

  json_t *line = json_pack("{s:s, s:s, s:s}", "time", stamp, "level", level_names[level], "msg", msg);
  if (line && fields) json_object_update(line, fields);
  json_decref(fields);
  char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
  json_decref(line);
  if (!text) return;
  write_line(text, strlen(text));
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

/* Appends raw text; false (and nothing appended) when it does not fit with room for the end. */
static bool put(log_line *line, const char *text, size_t n) {
  if (line->truncated || line->len + n + 24 > sizeof line->buf) {
    line->truncated = true;
    return false;
  }
  memcpy(line->buf + line->len, text, n);
  line->len += n;
  return true;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p) {
  size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3
           : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 2 && p[0] < 0xC2) return 0; /* overlong */
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xC0) != 0x80) return 0;
  return n;
}

/* Appends "value" as a JSON string, escaping what JSON requires; bytes that are not UTF-8 (a
 * request path can hold anything) become U+FFFD, so that every line stays valid JSON. */
static bool put_string(log_line *line, const char *value) {
  char tmp[sizeof line->buf];
  size_t n = 0;
  tmp[n++] = '"';
  for (const unsigned char *p = (const unsigned char *)value; *p;) {
    if (n + 8 >= sizeof tmp) return false;
    size_t seq = utf8_sequence(p);
    if (*p == '"' || *p == '\\') {
      tmp[n++] = '\\';
      tmp[n++] = (char)*p;
    } else if (*p < 0x20) {
      n += (size_t)snprintf(tmp + n, sizeof tmp - n, "\\u%04x", *p);
    } else if (seq == 0) {
      memcpy(tmp + n, "\\ufffd", 6);
      n += 6;
      seq = 1;
    } else {
      memcpy(tmp + n, p, seq);
      n += seq;
    }
    p += seq ? seq : 1;
  }
  tmp[n++] = '"';
  return put(line, tmp, n);
}

static void put_key(log_line *line, const char *key) {
  put(line, ",", 1);
  put_string(line, key);
  put(line, ":", 1);
}

bool log_line_begin(log_line *line, log_level level, const char *msg) {
  line->len = 0;
  line->truncated = false;
  line->level = level;
  if (!log_enabled(level)) return false;
  char stamp[40];
  timestamp(stamp);
  put(line, "{\"time\":", 8);
  put_string(line, stamp);
  put(line, ",\"level\":", 9);
  put_string(line, level_names[level]);
  put(line, ",\"msg\":", 7);
  put_string(line, msg);
  return true;
}

void log_line_str(log_line *line, const char *key, const char *value) {
  size_t mark = line->len;
  put_key(line, key);
  if (!put_string(line, value ? value : "")) line->len = mark, line->truncated = true;
}

/* Appends "key": number, the number already formatted; nothing when it does not fit. */
static void put_number(log_line *line, const char *key, const char *num, int n) {
  size_t mark = line->len;
  put_key(line, key);
  if (n < 0 || !put(line, num, (size_t)n)) line->len = mark;
}

void log_line_int(log_line *line, const char *key, long value) {
  char num[32];
  put_number(line, key, num, snprintf(num, sizeof num, "%ld", value));
}

void log_line_ms(log_line *line, const char *key, double milliseconds) {
  char num[32];
  put_number(line, key, num, snprintf(num, sizeof num, "%.3f", milliseconds));
}

void log_line_end(log_line *line) {
  if (!log_enabled(line->level)) return;
  /* put() always leaves 24 bytes for this. */
  static const char cut[] = ",\"truncated\":true}";
  if (line->truncated) {
    memcpy(line->buf + line->len, cut, sizeof cut - 1);
    line->len += sizeof cut - 1;
  } else {
    line->buf[line->len++] = '}';
  }
  write_line(line->buf, line->len);
}
