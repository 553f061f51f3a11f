#include "check.h"
#include "core/date.h"

static kr_date d(const char *text) {
  kr_date v = 0;
  CHECK(date_parse(text, &v));
  return v;
}

static const char *fmt(kr_date v) {
  static char out[11];
  date_format(v, out);
  return out;
}

int main(void) {
  CHECK(d("1970-01-01") == 0);
  CHECK(d("2000-03-01") - d("2000-02-28") == 2); /* 2000 is a leap year */
  CHECK(d("1900-03-01") - d("1900-02-28") == 1); /* 1900 is not */
  CHECK_STR(fmt(d("2024-02-29")), "2024-02-29");
  kr_date v;
  CHECK(!date_parse("2023-02-29", &v));
  CHECK(!date_parse("2024-13-01", &v));
  CHECK(!date_parse("2024-04-31", &v));
  CHECK(!date_parse("2024-4-01", &v));
  CHECK(!date_parse("2024-04-01T00:00", &v));
  CHECK(!date_parse("", &v));
  CHECK(!date_parse(NULL, &v));
  CHECK(!date_parse("+024-04-01", &v));

  /* Months keep the day, clamped to shorter months. */
  CHECK_STR(fmt(date_add_months(d("2024-01-31"), 1)), "2024-02-29");
  CHECK_STR(fmt(date_add_months(d("2023-01-31"), 1)), "2023-02-28");
  CHECK_STR(fmt(date_add_months(d("2019-05-01"), 24)), "2021-05-01");
  CHECK_STR(fmt(date_add_months(d("2024-11-30"), 3)), "2025-02-28");
  CHECK_STR(fmt(date_add_months(d("2024-03-15"), -3)), "2023-12-15");

  /* Round trips over four centuries. */
  int bad = 0;
  for (kr_date x = d("1900-01-01"); x < d("2300-01-01"); x += 7) {
    kr_date back;
    char text[11];
    date_format(x, text);
    if (!date_parse(text, &back) || back != x) bad++;
  }
  CHECK(bad == 0);
  CHECK(date_use_amsterdam());
  kr_date today = date_today();
  CHECK(today > d("2020-01-01"));
  return CHECK_DONE();
}
