/* log.h: JSON lines on standard output, one object per event.
 *
 * Never pass passwords, tokens or request bodies in here. */
#ifndef KR_CORE_LOG_H
#define KR_CORE_LOG_H

#include <jansson.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR } log_level;

/* Parses "debug", "info", "warning", "error"; returns -1 for anything else. */
int log_level_parse(const char *text);
void log_set_level(log_level level);
int log_enabled(log_level level);

/* Writes {"time","level","msg", ...fields}. Steals the reference to fields (may be NULL). */
void log_event(log_level level, const char *msg, json_t *fields);
/* printf-style message with no extra fields. */
void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
