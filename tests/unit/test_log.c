#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/log.h"

/* Runs one log line into a temporary file standing in for stdout and parses it back. */
static json_t *logged(void (*write)(void)) {
  fflush(stdout);
  int saved = dup(fileno(stdout));
  FILE *tmp = tmpfile();
  dup2(fileno(tmp), fileno(stdout));
  write();
  fflush(stdout);
  dup2(saved, fileno(stdout));
  close(saved);
  rewind(tmp);
  char text[8192] = {0};
  size_t n = fread(text, 1, sizeof text - 1, tmp);
  fclose(tmp);
  CHECK(n > 0 && text[n - 1] == '\n');
  return json_loads(text, 0, NULL);
}

static void tricky(void) {
  log_line line;
  if (!log_line_begin(&line, LOG_INFO, "request")) return;
  log_line_str(&line, "path", "/v1/\"quoted\"\\back\nslash\x01");
  log_line_int(&line, "status", 404);
  log_line_ms(&line, "durationMs", 1.25);
  log_line_str(&line, "utf8", "Zoë");
  log_line_str(&line, "broken", "a\xff\xc3(b");
  log_line_end(&line);
}

static void oversized(void) {
  static char big[5000];
  memset(big, 'x', sizeof big - 1);
  log_line line;
  log_line_begin(&line, LOG_WARNING, "big");
  log_line_str(&line, "first", "kept");
  log_line_str(&line, "huge", big);
  log_line_int(&line, "after", 1);
  log_line_end(&line);
}

static void filtered(void) {
  log_line line;
  if (log_line_begin(&line, LOG_DEBUG, "hidden")) log_line_end(&line);
}

int main(void) {
  json_t *j = logged(tricky);
  CHECK(j != NULL);
  CHECK_STR(json_string_value(json_object_get(j, "path")), "/v1/\"quoted\"\\back\nslash\x01");
  CHECK(json_integer_value(json_object_get(j, "status")) == 404);
  CHECK(json_real_value(json_object_get(j, "durationMs")) == 1.25);
  CHECK_STR(json_string_value(json_object_get(j, "utf8")), "Zoë");
  CHECK_STR(json_string_value(json_object_get(j, "level")), "info");
  CHECK_STR(json_string_value(json_object_get(j, "broken")), "a\xef\xbf\xbd\xef\xbf\xbd(b");
  json_decref(j);

  j = logged(oversized); /* still one valid JSON object, marked as cut */
  CHECK(j != NULL);
  CHECK_STR(json_string_value(json_object_get(j, "first")), "kept");
  CHECK(json_object_get(j, "huge") == NULL);
  CHECK(json_is_true(json_object_get(j, "truncated")));
  json_decref(j);

  log_set_level(LOG_INFO);
  fflush(stdout);
  long before = ftell(stdout);
  filtered();
  CHECK(ftell(stdout) == before);
  return CHECK_DONE();
}
