/* The indicators' pure rules: suppression of small counts and of differences, content
 * negotiation, months. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "monitor/indicators.h"

/* Suppresses counts[0..n) and writes the pattern as a string of 'x' (suppressed) and '.'. */
static const char *pattern(const int64_t *counts, size_t n) {
  static char out[16];
  bool s[15];
  indicators_suppress(counts, n, s);
  for (size_t i = 0; i < n; i++) out[i] = s[i] ? 'x' : '.';
  out[n] = '\0';
  return out;
}

int main(void) {
  /* One count alone: under 5 (0 included) is suppressed, 5 and 6 are not. */
  CHECK_STR(pattern((int64_t[]){4}, 1), "x");
  CHECK_STR(pattern((int64_t[]){5}, 1), ".");
  CHECK_STR(pattern((int64_t[]){6}, 1), ".");
  CHECK_STR(pattern((int64_t[]){0}, 1), "x");

  /* A share's whole, part and rest: 6 of 10 leaves 4, so the 6 goes too (10 - 6 would reveal
   * the 4); 5 of 10 and 6 of 12 are published; 4 of 10 is not. */
  CHECK_STR(pattern((int64_t[]){10, 6, 4}, 3), ".xx");
  CHECK_STR(pattern((int64_t[]){10, 5, 5}, 3), "...");
  CHECK_STR(pattern((int64_t[]){12, 6, 6}, 3), "...");
  CHECK_STR(pattern((int64_t[]){10, 4, 6}, 3), ".xx");
  CHECK_STR(pattern((int64_t[]){4, 4, 0}, 3), "xxx");
  CHECK_STR(pattern((int64_t[]){5, 5, 0}, 3), ".xx");

  /* A total with its parts: exactly one part suppressed takes the smallest published part with it. */
  CHECK_STR(pattern((int64_t[]){20, 10, 6, 4}, 4), "..xx");
  /* Two suppressed parts that add up to 5 or more reveal no small group: nothing more goes. */
  CHECK_STR(pattern((int64_t[]){17, 10, 3, 4}, 4), "..xx");
  /* Two that add up to less than 5 do: the smallest published part goes too. */
  CHECK_STR(pattern((int64_t[]){23, 10, 11, 1, 1}, 5), ".x.xx");
  /* Zeros are small counts: a total of 12 that is all one status hides that status. */
  CHECK_STR(pattern((int64_t[]){12, 12, 0, 0, 0, 0}, 6), ".xxxxx");
  /* Every part published when each is 5 or more. */
  CHECK_STR(pattern((int64_t[]){21, 5, 6, 10}, 4), "....");
  /* A suppressed total: the parts are each judged alone (all under 5 then). */
  CHECK_STR(pattern((int64_t[]){4, 2, 2}, 3), "xxx");
  /* No difference of two published figures is ever under 5 (nor is a published one). */
  {
    int64_t c[4];
    bool s[4];
    for (c[1] = 0; c[1] < 12; c[1]++)
      for (c[2] = 0; c[2] < 12; c[2]++)
        for (c[3] = 0; c[3] < 12; c[3]++) {
          c[0] = c[1] + c[2] + c[3];
          indicators_suppress(c, 4, s);
          int64_t hidden = 0;
          int hidden_parts = 0;
          for (int i = 1; i < 4; i++) {
            if (!s[i]) CHECK(c[i] >= 5);
            if (s[i]) hidden += c[i], hidden_parts++;
          }
          if (!s[0]) CHECK(c[0] >= 5 && (hidden_parts == 0 || (hidden_parts > 1 && hidden >= 5)));
        }
  }

  /* Content negotiation. */
  CHECK(indicators_negotiate(NULL) == INDICATORS_JSON);
  CHECK(indicators_negotiate("") == INDICATORS_JSON);
  CHECK(indicators_negotiate("*/*") == INDICATORS_JSON);
  CHECK(indicators_negotiate("application/json") == INDICATORS_JSON);
  CHECK(indicators_negotiate("text/csv") == INDICATORS_CSV);
  CHECK(indicators_negotiate("TEXT/CSV; charset=utf-8") == INDICATORS_CSV);
  CHECK(indicators_negotiate("text/*") == INDICATORS_CSV);
  CHECK(indicators_negotiate("application/json;q=0.5, text/csv") == INDICATORS_CSV);
  CHECK(indicators_negotiate("text/csv;q=0.5, application/json") == INDICATORS_JSON);
  CHECK(indicators_negotiate("text/csv, application/json") == INDICATORS_JSON); /* a tie */
  CHECK(indicators_negotiate("application/xml") == INDICATORS_NONE);
  CHECK(indicators_negotiate("text/html, image/png") == INDICATORS_NONE);
  CHECK(indicators_negotiate("*/*;q=0") == INDICATORS_NONE);
  CHECK(indicators_negotiate("application/json;q=0, */*") == INDICATORS_CSV);
  CHECK(indicators_negotiate("text/csv;q=2") == INDICATORS_NONE);

  /* Months. */
  int m = 0;
  CHECK(indicators_month_parse("2026-01", &m) && m == 2026 * 12);
  CHECK(indicators_month_parse("2026-12", &m) && m == 2026 * 12 + 11);
  CHECK(!indicators_month_parse("2026-13", &m));
  CHECK(!indicators_month_parse("2026-00", &m));
  CHECK(!indicators_month_parse("2026-1", &m));
  CHECK(!indicators_month_parse("2026-01-01", &m));
  CHECK(!indicators_month_parse("1899-12", &m));
  CHECK(!indicators_month_parse("20x6-01", &m));
  CHECK(!indicators_month_parse(NULL, &m));
  return CHECK_DONE();
}
