#include "core/error.h"

static const struct {
  int status;
  const char *slug;
  const char *title;
} kr_err_table[] = {
#define KR_ERR_ROW(name, status, slug, title) {status, slug, title},
    KR_ERR_MAP(KR_ERR_ROW)
#undef KR_ERR_ROW
};

static kr_err clamp(kr_err e) { return (e >= 0 && e < KR_ERR_COUNT) ? e : KR_INTERNAL; }

int kr_err_status(kr_err e) { return kr_err_table[clamp(e)].status; }
const char *kr_err_slug(kr_err e) { return kr_err_table[clamp(e)].slug; }
const char *kr_err_title(kr_err e) { return kr_err_table[clamp(e)].title; }
