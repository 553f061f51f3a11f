#include <string.h>

#include "check.h"
#include "core/error.h"

int main(void) {
  CHECK(kr_err_status(KR_VALIDATION) == 400);
  CHECK(kr_err_status(KR_UNAUTHORIZED) == 401);
  CHECK(kr_err_status(KR_UNAVAILABLE) == 503);
  CHECK(kr_err_status(KR_NOT_BUILT) == 503);
  CHECK_STR(kr_err_slug(KR_NOT_FOUND), "not-found");
  /* Out-of-range codes fall back to the internal error instead of reading past the table. */
  CHECK(kr_err_status((kr_err)1000) == 500);
  /* Every slug is unique, lower-case kebab. */
  for (int i = 0; i < KR_ERR_COUNT; i++) {
    for (const char *c = kr_err_slug((kr_err)i); *c; c++) CHECK((*c >= 'a' && *c <= 'z') || *c == '-');
    for (int j = i + 1; j < KR_ERR_COUNT; j++) CHECK(strcmp(kr_err_slug((kr_err)i), kr_err_slug((kr_err)j)) != 0);
  }
  return CHECK_DONE();
}
