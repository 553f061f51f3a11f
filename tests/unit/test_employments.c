/* The employer links' pure rules (register/employments.h): which public counts are suppressed,
 * and when a professional is on track towards re-registration. */
#include "check.h"
#include "register/employments.h"

static kr_date d(const char *text) {
  kr_date v = 0;
  date_parse(text, &v);
  return v;
}

/* suppressed[] of (linked, registered, on track) as "LRT" letters for shown ones, "-" otherwise. */
static const char *shown(int64_t linked, int64_t registered, int64_t on_track) {
  static char out[4];
  int64_t counts[3] = {linked, registered, on_track};
  bool suppressed[3];
  register_workforce_suppress(counts, 3, suppressed);
  for (int i = 0; i < 3; i++) out[i] = suppressed[i] ? '-' : "LRT"[i];
  out[3] = '\0';
  return out;
}

static reg_requirements defaults(void) {
  reg_requirements req = {.minimum = {6000, 5000, 0}, .has_cap = {false, false, true}, .cap = {0, 0, 5000},
                          .total = 16000};
  return req;
}

/* on track with these credited hours (hundredths) per category, in a period of 5 years */
static bool on_track(int64_t formal, int64_t reflection, int64_t informal, const char *on) {
  reg_requirements req = defaults();
  kr_date start = d("2024-03-01"), end = d("2029-02-28");
  reg_activity acts[3] = {{0, true, start, formal}, {1, true, start, reflection}, {2, true, start, informal}};
  reg_progress g;
  register_progress(&req, acts, 3, start, end, &g);
  return register_on_track(&req, &g, start, end, d(on));
}

int main(void) {
  /* each count under 5 is suppressed, 0 too; 5 and more are shown */
  CHECK_STR(shown(4, 0, 0), "---");
  CHECK_STR(shown(0, 0, 0), "---");
  CHECK_STR(shown(5, 0, 0), "L--");
  CHECK_STR(shown(6, 0, 0), "L--");
  /* a difference under 5 of two shown counts suppresses the inner one */
  CHECK_STR(shown(9, 5, 0), "L--");  /* 9 - 5 = 4 would reveal the 4 unregistered */
  CHECK_STR(shown(10, 5, 0), "LR-"); /* 10 - 5 = 5 */
  CHECK_STR(shown(5, 5, 5), "L--");  /* a difference of 0 reveals a group of 0 */
  CHECK_STR(shown(20, 10, 7), "LR-"); /* 10 - 7 = 3 */
  CHECK_STR(shown(20, 10, 5), "LRT");
  CHECK_STR(shown(20, 17, 10), "L-T"); /* registered hidden (20 - 17); 20 - 10 is safe */
  CHECK_STR(shown(20, 17, 16), "L--"); /* and on track too, 20 - 16 = 4 */
  CHECK_STR(shown(30, 20, 3), "LR-");

  /* met: on track whenever */
  CHECK(on_track(6000, 5000, 5000, "2024-03-01"));
  CHECK(on_track(6000, 5000, 5000, "2030-01-01"));
  /* nothing credited: on track in the first year only */
  CHECK(on_track(0, 0, 0, "2024-03-01"));
  CHECK(on_track(0, 0, 0, "2025-02-28"));
  CHECK(!on_track(0, 0, 0, "2025-03-01"));
  /* after two whole years, two fifths of each minimum and of the total */
  CHECK(on_track(2400, 2000, 2000, "2026-03-01"));  /* 24 + 20 + 20 = 64 = 2/5 of 160 */
  CHECK(!on_track(2399, 2000, 2001, "2026-03-01")); /* formal learning short by 0.01 h */
  CHECK(!on_track(2400, 1999, 2001, "2026-03-01"));
  CHECK(!on_track(2400, 2000, 1999, "2026-03-01")); /* the total short */
  CHECK(on_track(2400, 2000, 1999, "2026-02-28"));  /* one whole year only: 32 h will do */
  /* a capped category counts up to its cap towards the total */
  CHECK(!on_track(2400, 2000, 9000, "2027-03-01")); /* 3/5: 36 formal needed */
  CHECK(on_track(3600, 3000, 9000, "2027-03-01"));  /* 36 + 30 + 50 (capped) = 116 >= 96 */
  /* after the period's end only met counts */
  CHECK(!on_track(5999, 5000, 5000, "2029-03-01"));
  return CHECK_DONE();
}
