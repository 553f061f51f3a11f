#include "register/rules.h"

#include <math.h>
#include <string.h>

#include "core/text.h"

static const char *const status_names[] = {"applied", "registered", "suspended", "struck_off",
                                           "expired", "deregistered", "rejected"};
static const char *const state_names[] = {"applied", "registered", "rejected", "deregistered"};
static const char *const measure_names[] = {"warning", "reprimand", "conditional_suspension", "suspension",
                                            "striking_off"};
static const char *const category_names[] = {"formal_learning", "reflection", "informal_learning"};

const char *register_status_name(reg_status s) { return status_names[s]; }

static int index_of(const char *text, const char *const *names, int n) {
  for (int i = 0; text && i < n; i++)
    if (strcmp(names[i], text) == 0) return i;
  return -1;
}

bool register_state_parse(const char *text, reg_state *out) {
  int i = index_of(text, state_names, 4);
  if (i >= 0) *out = (reg_state)i;
  return i >= 0;
}

bool register_measure_type_parse(const char *text, measure_type *out) {
  int i = index_of(text, measure_names, 5);
  if (i >= 0) *out = (measure_type)i;
  return i >= 0;
}

bool register_profile_code_valid(const char *code) {
  return text_chars_in(code, 1, REGISTER_PROFILE_CODE_MAX, TEXT_CODE_LOWER);
}

bool register_version_valid(const char *version) {
  return text_chars_in(version, 1, REGISTER_VERSION_MAX, TEXT_VERSION);
}

bool register_competence_code_valid(const char *code) {
  return text_chars_in(code, 1, REGISTER_COMPETENCE_CODE_MAX, TEXT_CODE_UPPER);
}

int register_category_index(const char *category) { return index_of(category, category_names, 3); }
const char *register_category_name(int index) { return category_names[index]; }

reg_status register_status_on(const reg_facts *f, kr_date on) {
  if (f->state == STATE_APPLIED) return REG_APPLIED;
  if (f->state == STATE_REJECTED) return REG_REJECTED;
  for (size_t i = 0; i < f->measure_count; i++)
    if (f->measures[i].type == MEASURE_STRIKING_OFF && f->measures[i].starts_on <= on) return REG_STRUCK_OFF;
  if (f->state == STATE_DEREGISTERED && f->has_deregistered_on && f->deregistered_on <= on)
    return REG_DEREGISTERED;
  if (f->period_count == 0 || on < f->periods[0].starts_on) return REG_APPLIED;
  if (on > f->periods[f->period_count - 1].ends_on) return REG_EXPIRED;
  for (size_t i = 0; i < f->measure_count; i++) {
    const reg_measure *m = &f->measures[i];
    if (m->type != MEASURE_SUSPENSION || on < m->starts_on) continue;
    kr_date last = m->has_ends_on ? m->ends_on : on;
    if (m->has_ended_on && m->ended_on - 1 < last) last = m->ended_on - 1;
    if (on <= last) return REG_SUSPENDED;
  }
  return REG_REGISTERED;
}

/* The first date after `after` on which register_status_on's answer may change; REG_DATE_MAX
 * when there is none. Every comparison with `on` in register_status_on has its date here. */
static kr_date next_change(const reg_facts *f, kr_date after) {
  kr_date next = REG_DATE_MAX;
#define CONSIDER(date)                              \
  do {                                              \
    kr_date d_ = (date);                            \
    if (d_ > after && d_ < next) next = d_;         \
  } while (0)
  for (size_t i = 0; i < f->period_count; i++) {
    CONSIDER(f->periods[i].starts_on);
    CONSIDER(f->periods[i].ends_on + 1);
  }
  for (size_t i = 0; i < f->measure_count; i++) {
    const reg_measure *m = &f->measures[i];
    CONSIDER(m->starts_on);
    if (m->has_ends_on) CONSIDER(m->ends_on + 1);
    if (m->has_ended_on) CONSIDER(m->ended_on);
  }
  if (f->has_deregistered_on) CONSIDER(f->deregistered_on);
#undef CONSIDER
  return next;
}

size_t register_status_timeline(const reg_facts *f, reg_status_span *out, size_t max) {
  size_t n = 0;
  kr_date from = REG_DATE_MIN;
  reg_status status = register_status_on(f, REG_DATE_MIN);
  for (kr_date at = next_change(f, from); at != REG_DATE_MAX; at = next_change(f, at)) {
    reg_status then = register_status_on(f, at);
    if (then == status) continue;
    if (n < max) out[n] = (reg_status_span){from, at, status};
    n++;
    from = at;
    status = then;
  }
  if (n < max) out[n] = (reg_status_span){from, REG_DATE_MAX, status};
  return n + 1;
}

int register_period_on(const reg_period *periods, size_t n, kr_date on) {
  int last_started = -1;
  for (size_t i = 0; i < n; i++) {
    if (periods[i].starts_on <= on && on <= periods[i].ends_on) return (int)i;
    if (periods[i].starts_on <= on) last_started = (int)i;
  }
  return last_started;
}

kr_date register_period_end(kr_date starts_on, int years) { return date_add_months(starts_on, 12 * years) - 1; }

kr_date register_window_opens(kr_date period_end, int window_weeks) { return period_end - 7 * window_weeks; }

bool register_hours_parse(double value, int max_hours, int64_t *hundredths) {
  if (!(value > 0) || value > max_hours) return false;
  double scaled = value * 100.0;
  double rounded = round(scaled);
  if (fabs(scaled - rounded) > 1e-6) return false;
  *hundredths = (int64_t)rounded;
  return *hundredths > 0;
}

void register_progress(const reg_requirements *req, const reg_activity *acts, size_t n, kr_date start,
                       kr_date end, reg_progress *out) {
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n; i++) {
    const reg_activity *a = &acts[i];
    if (!a->completed || a->category < 0 || a->category >= REGISTER_CATEGORIES) continue;
    if (a->completed_on < start || a->completed_on > end) continue;
    out->counted[a->category] += a->hours;
  }
  out->met = true;
  for (int c = 0; c < REGISTER_CATEGORIES; c++) {
    out->credited[c] = req->has_cap[c] && out->counted[c] > req->cap[c] ? req->cap[c] : out->counted[c];
    out->total_credited += out->credited[c];
    out->missing[c] = req->minimum[c] > out->credited[c] ? req->minimum[c] - out->credited[c] : 0;
    if (out->missing[c] > 0) out->met = false;
  }
  out->missing_total = req->total > out->total_credited ? req->total - out->total_credited : 0;
  if (out->missing_total > 0) out->met = false;
}
