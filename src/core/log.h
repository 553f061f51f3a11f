/* log.h: JSON lines on standard output, one object per event.
 *
 * Never pass passwords, tokens or request bodies in here. */
#ifndef KR_CORE_LOG_H
#define KR_CORE_LOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR } log_level;

/* Parses "debug", "info", "warning", "error"; returns -1 for anything else. */
int log_level_parse(const char *text);
void log_set_level(log_level level);
int log_enabled(log_level level);

/* Writes {"time","level","msg", ...fields}. Steals the reference to fields (may be NULL). */
void log_event(log_level level, const char *msg, json_t *fields);
/* printf-style message with no extra fields. */
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A log line built in place, for the hot path (one per request): no allocation, no JSON tree.
 * Begin it, add members, end it (which writes it). A line that outgrows the buffer is cut
 * short at a member boundary and marked "truncated": true. */
typedef struct {
  char buf[2048];
  size_t len;
  bool truncated;
  log_level level;
} log_line;

/* False when the level is filtered out; then skip the rest. */
bool log_line_begin(log_line *line, log_level level, const char *msg);
void log_line_str(log_line *line, const char *key, const char *value);
void log_line_int(log_line *line, const char *key, long value);
void log_line_ms(log_line *line, const char *key, double milliseconds);
void log_line_end(log_line *line);

#endif
