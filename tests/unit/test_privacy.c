/* What an erasure does to a registration (register/privacy.h): register_erasure_effect_on. */
#include "check.h"
#include "register/privacy.h"

static kr_date d(const char *text) {
  kr_date v = 0;
  date_parse(text, &v);
  return v;
}

int main(void) {
  reg_period period = {d("2024-01-01"), d("2028-12-31")};
  reg_facts f = {.state = STATE_APPLIED};
  kr_date today = d("2026-06-15");

  /* an open application is closed; a rejected one stays rejected */
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_CLOSES_APPLICATION);
  f.state = STATE_REJECTED;
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_KEEPS_STATUS);

  /* a registration that runs ends, suspended or not */
  f = (reg_facts){.state = STATE_REGISTERED, .periods = &period, .period_count = 1};
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_ENDS_REGISTRATION);
  reg_measure suspension = {.type = MEASURE_SUSPENSION, .starts_on = d("2026-06-01"), .has_ends_on = true,
                            .ends_on = d("2026-07-01")};
  f.measures = &suspension;
  f.measure_count = 1;
  CHECK(register_status_on(&f, today) == REG_SUSPENDED);
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_ENDS_REGISTRATION);

  /* one whose first period is still to start ends too */
  f.measure_count = 0;
  CHECK(register_erasure_effect_on(&f, d("2023-12-31")) == ERASURE_ENDS_REGISTRATION);

  /* expired and struck off stay so: the register keeps showing them */
  CHECK(register_erasure_effect_on(&f, d("2029-01-01")) == ERASURE_KEEPS_STATUS);
  reg_measure striking_off = {.type = MEASURE_STRIKING_OFF, .starts_on = d("2026-01-01")};
  f.measures = &striking_off;
  f.measure_count = 1;
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_KEEPS_STATUS);
  CHECK(register_erasure_effect_on(&f, d("2025-12-31")) == ERASURE_ENDS_REGISTRATION);

  /* deregistered: already so, or brought forward to the day of the erasure */
  f = (reg_facts){.state = STATE_DEREGISTERED, .has_deregistered_on = true, .deregistered_on = d("2026-03-01"),
                  .periods = &period, .period_count = 1};
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_KEEPS_STATUS);
  f.deregistered_on = d("2026-09-01");
  CHECK(register_erasure_effect_on(&f, today) == ERASURE_ENDS_REGISTRATION);
  return CHECK_DONE();
}
