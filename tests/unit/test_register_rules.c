#include "check.h"
#include "register/rules.h"

#include <stdbool.h>
#include <stdint.h>

static kr_date d(const char *text) {
  kr_date v = 0;
  date_parse(text, &v);
  return v;
}

static const char *status(const reg_facts *f, const char *on) {
  return register_status_name(register_status_on(f, d(on)));
}


/* The timeline agrees with register_status_on on every day of 2010..2040, runs without gaps
 * from -infinity to infinity, and never repeats a status in neighbouring spans. */
static bool timeline_agrees(const reg_facts *f) {
  reg_status_span spans[REG_TIMELINE_MAX(8, 8)];
  size_t n = register_status_timeline(f, spans, sizeof spans / sizeof spans[0]);
  if (n == 0 || n > REG_TIMELINE_MAX(f->period_count, f->measure_count) || n > sizeof spans / sizeof spans[0])
    return false;
  if (spans[0].from_on != REG_DATE_MIN || spans[n - 1].until_on != REG_DATE_MAX) return false;
  for (size_t i = 0; i < n; i++) {
    if (spans[i].from_on >= spans[i].until_on) return false;
    if (i > 0 && (spans[i].from_on != spans[i - 1].until_on || spans[i].status == spans[i - 1].status)) return false;
  }
  size_t at = 0;
  for (kr_date day = d("2010-01-01"); day <= d("2040-12-31"); day++) {
    while (spans[at].until_on <= day) at++;
    if (spans[at].from_on > day || spans[at].status != register_status_on(f, day)) return false;
  }
  return true;
}

/* A small deterministic generator (xorshift), so that a failure can be replayed. */
static uint32_t next_random(uint32_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

/* Random facts around 2015..2035: up to 3 periods (some with gaps), up to 8 measures of every
 * type (some open-ended, some ended early), a state and sometimes a deregistration date. */
static void random_facts(uint32_t *seed, reg_facts *f, reg_period *periods, reg_measure *measures) {
  kr_date base = d("2015-01-01") + (kr_date)(next_random(seed) % 1500);
  size_t np = next_random(seed) % 4, nm = next_random(seed) % 9;
  for (size_t i = 0; i < np; i++) {
    periods[i].starts_on = base;
    periods[i].ends_on = register_period_end(base, 1 + (int)(next_random(seed) % 5));
    base = periods[i].ends_on + 1 + (next_random(seed) % 3 == 0 ? (kr_date)(next_random(seed) % 400) : 0);
  }
  for (size_t i = 0; i < nm; i++) {
    reg_measure *m = &measures[i];
    m->type = (measure_type)(next_random(seed) % 5);
    m->starts_on = d("2014-06-01") + (kr_date)(next_random(seed) % 7000);
    m->has_ends_on = m->type == MEASURE_SUSPENSION || m->type == MEASURE_CONDITIONAL_SUSPENSION;
    m->ends_on = m->has_ends_on ? m->starts_on + (kr_date)(next_random(seed) % 400) : 0;
    m->has_ended_on = m->has_ends_on && next_random(seed) % 3 == 0;
    m->ended_on = m->has_ended_on ? m->starts_on + 1 + (kr_date)(next_random(seed) % 200) : 0;
  }
  f->state = (reg_state)(next_random(seed) % 4);
  f->has_deregistered_on = f->state == STATE_DEREGISTERED || next_random(seed) % 5 == 0;
  f->deregistered_on = d("2016-01-01") + (kr_date)(next_random(seed) % 6000);
  f->periods = periods;
  f->period_count = np;
  f->measures = measures;
  f->measure_count = nm;
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

  /* The timeline: one period with a suspension ended early, then expiry. */
  reg_measure ended[] = {{MEASURE_SUSPENSION, d("2021-03-01"), true, d("2021-03-31"), true, d("2021-03-15")}};
  reg_facts timed = {STATE_REGISTERED, false, 0, periods, 1, ended, 1};
  reg_status_span spans[8];
  size_t n = register_status_timeline(&timed, spans, 8);
  CHECK(n == 5);
  CHECK(spans[0].from_on == REG_DATE_MIN && spans[0].until_on == d("2020-01-01") && spans[0].status == REG_APPLIED);
  CHECK(spans[1].from_on == d("2020-01-01") && spans[1].until_on == d("2021-03-01") && spans[1].status == REG_REGISTERED);
  CHECK(spans[2].until_on == d("2021-03-15") && spans[2].status == REG_SUSPENDED);
  CHECK(spans[3].until_on == d("2025-01-01") && spans[3].status == REG_REGISTERED);
  CHECK(spans[4].until_on == REG_DATE_MAX && spans[4].status == REG_EXPIRED);
  /* Too small a buffer: the count still says how many there are. */
  CHECK(register_status_timeline(&timed, spans, 2) == 5 && spans[1].status == REG_REGISTERED);
  /* Without dates the status is one span over all time. */
  n = register_status_timeline(&applied, spans, 8);
  CHECK(n == 1 && spans[0].from_on == REG_DATE_MIN && spans[0].until_on == REG_DATE_MAX && spans[0].status == REG_APPLIED);
  CHECK(timeline_agrees(&f) && timeline_agrees(&left) && timeline_agrees(&rejected) && timeline_agrees(&timed));

  /* Many random fact sets: the timeline and register_status_on agree on every day. */
  uint32_t seed = 20261124;
  int disagreements = 0;
  for (int i = 0; i < 2000; i++) {
    reg_period random_periods[3];
    reg_measure random_measures[8];
    reg_facts rf;
    uint32_t replay = seed;
    random_facts(&seed, &rf, random_periods, random_measures);
    if (!timeline_agrees(&rf)) {
      if (disagreements++ < 5) fprintf(stderr, "timeline disagrees for the facts of seed %u\n", replay);
    }
  }
  CHECK(disagreements == 0);

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
  /* codes and versions, as the contract's patterns say */
  CHECK(register_profile_code_valid("sociaal-werker-hbo"));
  CHECK(register_profile_code_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));   /* 40 */
  CHECK(!register_profile_code_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 41 */
  CHECK(!register_profile_code_valid("Sociaal") && !register_profile_code_valid("") &&
        !register_profile_code_valid(NULL));
  CHECK(register_version_valid("2022.v1_b-2") && !register_version_valid("2022/1"));
  CHECK(!register_version_valid("123456789012345678901234567890123")); /* 33 */
  CHECK(register_competence_code_valid("L-FIN") && !register_competence_code_valid("l-fin"));
  CHECK(!register_competence_code_valid("G0123456789012345")); /* 17 */
  return CHECK_DONE();
}
