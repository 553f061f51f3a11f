/* date.h: calendar dates as whole days since 1970-01-01 (proleptic Gregorian). Pure, except
 * date_today, which reads the clock in Europe/Amsterdam (the register's calendar). */
#ifndef KR_CORE_DATE_H
#define KR_CORE_DATE_H

#include <stdbool.h>
#include <stdint.h>

typedef int32_t kr_date;

/* Parses exactly "YYYY-MM-DD" (years 1900..9999) into *out; false for anything else, including
 * impossible dates such as 2023-02-29. */
bool date_parse(const char *text, kr_date *out);
/* Writes "YYYY-MM-DD" into out[11]. */
void date_format(kr_date d, char out[11]);
kr_date date_from_ymd(int year, int month, int day);
void date_to_ymd(kr_date d, int *year, int *month, int *day);

/* d plus months, the day clamped to the end of a shorter month (31 Jan + 1 month = 28/29 Feb). */
kr_date date_add_months(kr_date d, int months);

/* Today in Europe/Amsterdam. */
kr_date date_today(void);

/* Sets the process's time zone to Europe/Amsterdam; false when the zone's data is missing
 * (the tzdata package), in which case dates would silently be UTC ones. */
bool date_use_amsterdam(void);

#endif
