/* check.h: the smallest test harness that says what failed and where.
 *
 * CHECK(cond) records a failure and goes on; the test's main ends with CHECK_DONE(), which
 * prints "N passed, N failed" and returns the exit status ctest reads. */
#ifndef KR_TEST_CHECK_H
#define KR_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                          \
  do {                                                                       \
    if (cond) {                                                              \
      check_passed++;                                                        \
    } else {                                                                 \
      check_failed++;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                        \
  } while (0)

#define CHECK_STR(actual, expected)                                                          \
  do {                                                                                       \
    const char *a_ = (actual), *e_ = (expected);                                             \
    if (a_ && e_ && strcmp(a_, e_) == 0) {                                                   \
      check_passed++;                                                                        \
    } else {                                                                                 \
      check_failed++;                                                                        \
      fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__,            \
              e_ ? e_ : "(null)", a_ ? a_ : "(null)");                                       \
    }                                                                                        \
  } while (0)

#define CHECK_DONE()                                                  \
  (printf("%d passed, %d failed\n", check_passed, check_failed), \
   check_failed ? 1 : 0)

#endif
