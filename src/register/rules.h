/* rules.h (register): the register's arithmetic. Pure: no I/O, unit-tested.
 *
 * A registration's status on a date, its period on a date, progress towards re-registration
 * (hours per category with caps, counted only inside the period) and the re-registration
 * window. Hours are kept in hundredths so that sums are exact. */
#ifndef KR_REGISTER_RULES_H
#define KR_REGISTER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"

typedef enum { STATE_APPLIED, STATE_REGISTERED, STATE_REJECTED, STATE_DEREGISTERED } reg_state;
typedef enum {
  REG_APPLIED, REG_REGISTERED, REG_SUSPENDED, REG_STRUCK_OFF, REG_EXPIRED, REG_DEREGISTERED, REG_REJECTED
} reg_status;

typedef struct {
  kr_date starts_on, ends_on;
} reg_period;

typedef enum { MEASURE_WARNING, MEASURE_REPRIMAND, MEASURE_CONDITIONAL_SUSPENSION, MEASURE_SUSPENSION,
               MEASURE_STRIKING_OFF } measure_type;

typedef struct {
  measure_type type;
  kr_date starts_on;
  bool has_ends_on;
  kr_date ends_on;
  bool has_ended_on; /* ended early: no effect from that day */
  kr_date ended_on;
} reg_measure; /* revoked measures are left out by the caller */

typedef struct {
  reg_state state;
  bool has_deregistered_on;
  kr_date deregistered_on;
  const reg_period *periods; /* in order */
  size_t period_count;
  const reg_measure *measures;
  size_t measure_count;
} reg_facts;

/* The status on `on`: struck off from a striking-off's start; deregistered from its date;
 * before the first period, applied; after the last period, expired; suspended while a
 * suspension runs; else registered. */
reg_status register_status_on(const reg_facts *f, kr_date on);
const char *register_status_name(reg_status s);

/* The first and last representable dates stand for -infinity and infinity (PostgreSQL's). */
#define REG_DATE_MIN INT32_MIN
#define REG_DATE_MAX INT32_MAX

/* A span of days [from_on, until_on) with one status. */
typedef struct {
  kr_date from_on, until_on;
  reg_status status;
} reg_status_span;

/* The most spans a timeline can have: one more than the dates where a status may change. */
#define REG_TIMELINE_MAX(periods, measures) (2 * (size_t)(periods) + 3 * (size_t)(measures) + 2)

/* The status over all time, built by asking register_status_on at every date where its answer
 * can change (period starts and the days after period ends; measure starts, the days after
 * their ends, their early ends; the deregistration date). Spans follow each other without gaps
 * from REG_DATE_MIN to REG_DATE_MAX, and neighbours differ. Writes at most `max` spans into
 * `out` and returns how many there are (at most REG_TIMELINE_MAX). */
size_t register_status_timeline(const reg_facts *f, reg_status_span *out, size_t max);
bool register_state_parse(const char *text, reg_state *out);
bool register_measure_type_parse(const char *text, measure_type *out);

/* The period containing `on`, else the last one that started before it, else -1. */
int register_period_on(const reg_period *periods, size_t n, kr_date on);

/* The last day of a period of `years` starting on `starts_on`. */
kr_date register_period_end(kr_date starts_on, int years);
/* The first day of the re-registration window (it closes on the period's last day). */
kr_date register_window_opens(kr_date period_end, int window_weeks);

/* Codes and versions of the register's reference data, checked before they reach SQL. */
#define REGISTER_PROFILE_CODE_MAX 40    /* 1..40 of a-z 0-9 - */
#define REGISTER_VERSION_MAX 32         /* a code of conduct's: 1..32 of A-Z a-z 0-9 . _ - */
#define REGISTER_COMPETENCE_CODE_MAX 16 /* 1..16 of A-Z 0-9 - */
bool register_profile_code_valid(const char *code);
bool register_version_valid(const char *version);
bool register_competence_code_valid(const char *code);

/* The most hours a register profile may require (a minimum, a cap or the total). */
#define REGISTER_REQUIRED_HOURS_MAX 10000

/* Hours as hundredths: a positive JSON number with at most two decimals, at most `max_hours`. */
bool register_hours_parse(double value, int max_hours, int64_t *hundredths);

/* Progress over one period. Categories are indexed by register_category_index. */
#define REGISTER_CATEGORIES 3
int register_category_index(const char *category); /* -1 when unknown */
const char *register_category_name(int index);

typedef struct {
  int64_t minimum[REGISTER_CATEGORIES]; /* hundredths */
  bool has_cap[REGISTER_CATEGORIES];
  int64_t cap[REGISTER_CATEGORIES];
  int64_t total;
} reg_requirements;

typedef struct {
  int category;
  bool completed;
  kr_date completed_on;
  int64_t hours; /* hundredths */
} reg_activity;

typedef struct {
  int64_t counted[REGISTER_CATEGORIES], credited[REGISTER_CATEGORIES];
  int64_t total_credited;
  int64_t missing[REGISTER_CATEGORIES], missing_total;
  bool met;
} reg_progress;

/* Counts completed activities whose completion date lies in [start, end], caps each category,
 * and compares with the requirements. */
void register_progress(const reg_requirements *req, const reg_activity *acts, size_t n, kr_date start,
                       kr_date end, reg_progress *out);

#endif
