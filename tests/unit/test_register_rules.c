#include "check.h"
#include "register/rules.h"

static kr_date d(const char *text) {
  kr_date v = 0;
  date_parse(text, &v);
  return v;
}

static const char *status(const reg_facts *f, const char *on) {
  return register_status_name(register_status_on(f, d(on)));
}

int main(void) {
  reg_period periods[] = {{d("2020-01-01"), d("2024-12-31")}};
  reg_facts f = {STATE_REGISTERED, false, 0, periods, 1, NULL, 0};
  /* Period boundaries: the day before, of and after. */
  CHECK_STR(status(&f, "2019-12-31"), "applied");
  CHECK_STR(status(&f, "2020-01-01"), "registered");
  CHECK_STR(status(&f, "2024-12-31"), "registered");
  CHECK_STR(status(&f, "2025-01-01"), "expired");

  /* A suspension runs from its start to its end, inclusive; ended early, it stops the day before. */
  reg_measure suspension[] = {{MEASURE_SUSPENSION, d("2021-03-01"), true, d("2021-03-31"), false, 0}};
  f.measures = suspension;
  f.measure_count = 1;
  CHECK_STR(status(&f, "2021-02-28"), "registered");
  CHECK_STR(status(&f, "2021-03-01"), "suspended");
  CHECK_STR(status(&f, "2021-03-31"), "suspended");
  CHECK_STR(status(&f, "2021-04-01"), "registered");
  suspension[0].has_ended_on = true;
  suspension[0].ended_on = d("2021-03-15");
  CHECK_STR(status(&f, "2021-03-14"), "suspended");
  CHECK_STR(status(&f, "2021-03-15"), "registered");

  /* A conditional suspension changes nothing; striking off from its start. */
  reg_measure conditional[] = {{MEASURE_CONDITIONAL_SUSPENSION, d("2021-03-01"), true, d("2021-06-30"), false, 0},
                               {MEASURE_STRIKING_OFF, d("2022-05-01"), false, 0, false, 0}};
  f.measures = conditional;
  f.measure_count = 2;
  CHECK_STR(status(&f, "2021-04-01"), "registered");
  CHECK_STR(status(&f, "2022-04-30"), "registered");
  CHECK_STR(status(&f, "2022-05-01"), "struck_off");
  CHECK_STR(status(&f, "2030-01-01"), "struck_off");

  /* Deregistration from its date. */
  reg_facts left = {STATE_DEREGISTERED, true, d("2023-06-01"), periods, 1, NULL, 0};
  CHECK_STR(status(&left, "2023-05-31"), "registered");
  CHECK_STR(status(&left, "2023-06-01"), "deregistered");
  reg_facts applied = {STATE_APPLIED, false, 0, NULL, 0, NULL, 0};
  CHECK_STR(status(&applied, "2023-06-01"), "applied");
  reg_facts rejected = {STATE_REJECTED, false, 0, NULL, 0, NULL, 0};
  CHECK_STR(status(&rejected, "2023-06-01"), "rejected");

  /* Periods and windows. */
  CHECK(register_period_end(d("2020-01-01"), 5) == d("2024-12-31"));
  CHECK(register_period_end(d("2020-02-29"), 5) == d("2025-02-27"));
  CHECK(register_window_opens(d("2024-12-31"), 12) == d("2024-10-08"));
  reg_period two[] = {{d("2015-01-01"), d("2019-12-31")}, {d("2020-01-01"), d("2024-12-31")}};
  CHECK(register_period_on(two, 2, d("2019-12-31")) == 0);
  CHECK(register_period_on(two, 2, d("2020-01-01")) == 1);
  CHECK(register_period_on(two, 2, d("2026-01-01")) == 1);
  CHECK(register_period_on(two, 2, d("2014-01-01")) == -1);

  /* Hours: positive, at most two decimals. */
  int64_t h;
  CHECK(register_hours_parse(1.25, 1000, &h) && h == 125);
  CHECK(register_hours_parse(0.01, 1000, &h) && h == 1);
  CHECK(register_hours_parse(8.1, 1000, &h) && h == 810);
  CHECK(!register_hours_parse(1.255, 1000, &h));
  CHECK(!register_hours_parse(0, 1000, &h));
  CHECK(!register_hours_parse(-1, 1000, &h));
  CHECK(!register_hours_parse(1000.01, 1000, &h));

  /* Progress: caps, only completed activities inside the period. */
  reg_requirements req = {{6000, 5000, 0}, {false, false, true}, {0, 0, 5000}, 16000};
  reg_activity acts[] = {
      {0, true, d("2020-06-01"), 6000},  /* formal, inside */
      {1, true, d("2021-01-01"), 4000},  /* reflection, inside */
      {2, true, d("2022-01-01"), 7000},  /* informal: 70 h, 50 count */
      {1, true, d("2019-12-31"), 2000},  /* the day before the period: not counted */
      {1, true, d("2025-01-01"), 2000},  /* the day after: not counted */
      {1, false, d("2021-01-01"), 2000}, /* not completed */
  };
  reg_progress p;
  register_progress(&req, acts, 6, d("2020-01-01"), d("2024-12-31"), &p);
  CHECK(p.counted[2] == 7000 && p.credited[2] == 5000);
  CHECK(p.counted[1] == 4000 && p.missing[1] == 1000);
  CHECK(p.total_credited == 15000 && p.missing_total == 1000);
  CHECK(!p.met);
  acts[3].completed_on = d("2020-01-01"); /* the first day counts */
  register_progress(&req, acts, 6, d("2020-01-01"), d("2024-12-31"), &p);
  CHECK(p.met && p.missing[1] == 0 && p.missing_total == 0);
  return CHECK_DONE();
}
