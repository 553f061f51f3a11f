#include "core/date.h"

#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

/* Days from civil and back: the well-known era-based algorithm (H. Hinnant), exact for every
 * Gregorian date. */
kr_date date_from_ymd(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (kr_date)(era * 146097 + doe - 719468);
}

void date_to_ymd(kr_date z, int *year, int *month, int *day) {
  int zz = z + 719468;
  int era = (zz >= 0 ? zz : zz - 146096) / 146097;
  int doe = zz - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = yoe + era * 400 + (*month <= 2);
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

bool date_parse(const char *t, kr_date *out) {
  if (!t || strlen(t) != 10 || t[4] != '-' || t[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9')) return false;
  int y = atoi(t), m = atoi(t + 5), d = atoi(t + 8);
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return false;
  *out = date_from_ymd(y, m, d);
  return true;
}

void date_format(kr_date d, char out[11]) {
  int y, m, day;
  date_to_ymd(d, &y, &m, &day);
  /* Digits by hand: every part is in range, and the compiler cannot prove it for printf. */
  unsigned yy = (unsigned)y % 10000u;
  out[0] = (char)('0' + yy / 1000), out[1] = (char)('0' + yy / 100 % 10);
  out[2] = (char)('0' + yy / 10 % 10), out[3] = (char)('0' + yy % 10), out[4] = '-';
  out[5] = (char)('0' + m / 10), out[6] = (char)('0' + m % 10), out[7] = '-';
  out[8] = (char)('0' + day / 10), out[9] = (char)('0' + day % 10), out[10] = '\0';
}

kr_date date_add_months(kr_date d, int months) {
  int y, m, day;
  date_to_ymd(d, &y, &m, &day);
  int index = y * 12 + (m - 1) + months;
  y = index / 12;
  m = index % 12 + 1;
  int last = days_in_month(y, m);
  return date_from_ymd(y, m, day > last ? last : day);
}

bool date_use_amsterdam(void) {
  setenv("TZ", "Europe/Amsterdam", 1);
  tzset();
  /* 2024-07-01 00:00 UTC is 02:00 in Amsterdam (summer time), 2024-01-01 00:00 UTC is 01:00. */
  struct tm summer, winter;
  time_t july = 1719792000, january = 1704067200;
  localtime_r(&july, &summer);
  localtime_r(&january, &winter);
  return summer.tm_hour == 2 && winter.tm_hour == 1;
}

kr_date date_today(void) {
  /* The process's TZ is set to Europe/Amsterdam at start-up (main.c); logs use UTC explicitly. */
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}
