#include "label/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

bool label_version_valid(const char *version) { return text_chars_in(version, 1, 32, TEXT_VERSION); }

bool label_meets_threshold(score_counts c, int max_partially_met, int max_not_met) {
  return c.partially_met <= max_partially_met && c.not_met <= max_not_met;
}

static void add_error(json_t *errors, const char *field, const char *message) {
  json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

static int code_index(const char *code, const char *const *codes, size_t n) {
  for (size_t i = 0; code && i < n; i++)
    if (strcmp(codes[i], code) == 0) return (int)i;
  return -1;
}

/* Residents' voice cited as evidence for a norm: listening sessions and recommendations. */
static const char *const evidence_members[] = {"listeningSessionIds", "recommendationIds", NULL};

static bool is_evidence_member(const char *key) {
  for (const char *const *m = evidence_members; *m; m++)
    if (strcmp(*m, key) == 0) return true;
  return false;
}

/* An evidence member: an array of at most LABEL_MAX_EVIDENCE distinct UUIDs. */
static const char *evidence_problem(const json_t *ids) {
  if (!json_is_array(ids)) return "must be an array of ids";
  if (json_array_size(ids) > LABEL_MAX_EVIDENCE) return "may cite at most 10 ids";
  size_t i, j;
  const json_t *id;
  json_array_foreach(ids, i, id) {
    if (!text_is_uuid(json_string_value(id))) return "must hold UUIDs";
    for (j = 0; j < i; j++)
      if (strcasecmp(json_string_value(id), json_string_value(json_array_get(ids, j))) == 0)
        return "must not cite an id twice";
  }
  return NULL;
}

static bool member_allowed(const char *key, const char *const *members) {
  if (strcmp(key, "normCode") == 0 || strcmp(key, "score") == 0) return true;
  for (; members && *members; members++)
    if (strcmp(*members, key) == 0) return true;
  return false;
}

void label_check_scores(const json_t *scores, const char *const *codes, size_t code_count,
                        bool complete, const char *const *item_members, const char *required_member,
                        json_t *errors, score_counts *counts) {
  memset(counts, 0, sizeof *counts);
  if (json_array_size(scores) > LABEL_SCORES_MAX) {
    add_error(errors, "scores", "may hold at most 1000 scores");
    return;
  }
  char seen[code_count + 1]; /* a VLA: frameworks have tens of norms */
  memset(seen, 0, sizeof seen);
  char field[96], message[160];
  size_t i;
  const json_t *item;
  json_array_foreach(scores, i, item) {
    if (!json_is_object(item)) {
      snprintf(field, sizeof field, "scores[%zu]", i);
      add_error(errors, field, "must be an object");
      continue;
    }
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)item, key, value) {
      snprintf(field, sizeof field, "scores[%zu].%.40s", i, key);
      if (is_evidence_member(key)) {
        const char *problem = evidence_problem(value);
        if (problem) add_error(errors, field, problem);
      } else if (!member_allowed(key, item_members)) {
        add_error(errors, field, "is not a known field");
      } else if (!json_is_string(value)) {
        add_error(errors, field, "must be a string");
      } else if (strcmp(key, "normCode") != 0 && strcmp(key, "score") != 0 &&
                 text_utf8_length(json_string_value(value)) > LABEL_SCORE_TEXT_MAX) {
        add_error(errors, field, "must have at most 4000 characters");
      }
    }
    if (required_member && !json_object_get(item, required_member)) {
      snprintf(field, sizeof field, "scores[%zu].%s", i, required_member);
      add_error(errors, field, "is required");
    }
    const char *code = json_string_value(json_object_get(item, "normCode"));
    const char *score = json_string_value(json_object_get(item, "score"));
    snprintf(field, sizeof field, "scores[%zu].normCode", i);
    int at = code_index(code, codes, code_count);
    if (!json_object_get(item, "normCode")) {
      add_error(errors, field, "is required");
    } else if (code && at < 0) {
      snprintf(message, sizeof message, "%.40s is not a norm of this framework", code);
      add_error(errors, field, message);
    } else if (at >= 0 && seen[at]) {
      snprintf(message, sizeof message, "%.40s is scored more than once", code);
      add_error(errors, field, message);
    }
    if (at >= 0) seen[at] = 1;
    snprintf(field, sizeof field, "scores[%zu].score", i);
    if (!json_object_get(item, "score")) add_error(errors, field, "is required");
    else if (score && strcmp(score, "met") == 0) counts->met++;
    else if (score && strcmp(score, "partially_met") == 0) counts->partially_met++;
    else if (score && strcmp(score, "not_met") == 0) counts->not_met++;
    else if (score) add_error(errors, field, "must be met, partially_met or not_met");
  }
  for (size_t k = 0; complete && k < code_count; k++) {
    if (seen[k]) continue;
    snprintf(message, sizeof message, "no score for norm %.40s", codes[k]);
    add_error(errors, "scores", message);
  }
}

framework_openness label_framework_open_on(const framework_window *w, kr_date d,
                                           bool started_before_restriction) {
  if (d < w->open_from) return FRAMEWORK_NOT_YET_OPEN;
  if (w->has_open_until && d > w->open_until) return FRAMEWORK_CLOSED;
  if (w->has_restricted_from && d >= w->restricted_from && !started_before_restriction)
    return FRAMEWORK_RESTRICTED;
  return FRAMEWORK_OPEN;
}

const char *label_framework_refusal(framework_openness o) {
  switch (o) {
    case FRAMEWORK_NOT_YET_OPEN: return "this framework version does not take audits yet on the planned date";
    case FRAMEWORK_CLOSED: return "this framework version takes no new audits on the planned date";
    case FRAMEWORK_RESTRICTED:
      return "on the planned date this framework version only takes organisations that had "
             "already started on it; use the newer version";
    default: return NULL;
  }
}

kr_date label_certificate_valid_until(kr_date valid_from, int term_months) {
  return date_add_months(valid_from, term_months) - 1;
}

kr_date label_certificate_start(kr_date decided_on, bool previous_runs, kr_date previous_valid_until) {
  return previous_runs && previous_valid_until >= decided_on ? previous_valid_until + 1 : decided_on;
}

cert_status label_certificate_status(kr_date valid_from, kr_date valid_until,
                                     const cert_change *changes, size_t n, kr_date on) {
  for (size_t i = 0; i < n; i++)
    if (changes[i].type == CHANGE_WITHDRAWN && changes[i].effective_on <= on) return CERT_WITHDRAWN;
  if (on > valid_until) return CERT_EXPIRED;
  if (on < valid_from) return CERT_NOT_YET_VALID;
  const cert_change *latest = NULL;
  for (size_t i = 0; i < n; i++) {
    if (changes[i].type == CHANGE_WITHDRAWN || changes[i].effective_on > on) continue;
    if (!latest || changes[i].effective_on >= latest->effective_on) latest = &changes[i];
  }
  return latest && latest->type == CHANGE_SUSPENDED ? CERT_SUSPENDED : CERT_VALID;
}

static const char *const status_names[] = {"valid", "suspended", "withdrawn", "expired", "not_yet_valid"};

const char *label_cert_status_name(cert_status s) { return status_names[s]; }

bool label_cert_status_parse(const char *text, cert_status *out) {
  for (int i = 0; text && i < 5; i++)
    if (strcmp(status_names[i], text) == 0) {
      *out = (cert_status)i;
      return true;
    }
  return false;
}

bool label_cert_runs(cert_status s) {
  return s == CERT_VALID || s == CERT_SUSPENDED || s == CERT_NOT_YET_VALID;
}

const char *label_change_refusal(cert_change_type type, cert_status s) {
  if (s == CERT_WITHDRAWN) return "the certificate is withdrawn on that date";
  switch (type) {
    case CHANGE_SUSPENDED:
      return s == CERT_SUSPENDED ? "the certificate is already suspended on that date" : NULL;
    case CHANGE_REINSTATED:
      return s == CERT_SUSPENDED ? NULL : "the certificate is not suspended on that date";
    default:
      return NULL;
  }
}

bool label_change_type_parse(const char *text, cert_change_type *out) {
  static const char *const names[] = {"suspended", "reinstated", "withdrawn"};
  for (int i = 0; text && i < 3; i++)
    if (strcmp(names[i], text) == 0) {
      *out = (cert_change_type)i;
      return true;
    }
  return false;
}

/* ---- status timelines --------------------------------------------------------------------- */
static int date_order(const void *a, const void *b) {
  kr_date x = *(const kr_date *)a, y = *(const kr_date *)b;
  return (x > y) - (x < y);
}

/* Sorts the n boundary dates and drops repeats; gives how many remain. */
static size_t unique_dates(kr_date *d, size_t n) {
  qsort(d, n, sizeof *d, date_order);
  size_t kept = 0;
  for (size_t i = 0; i < n; i++)
    if (kept == 0 || d[i] != d[kept - 1]) d[kept++] = d[i];
  return kept;
}

/* Adds the dates on which a certificate's status can change: its first day, the day after its
 * last, and each change's effective date. */
static size_t add_boundaries(kr_date *d, size_t at, kr_date from, kr_date until,
                             const cert_change *changes, size_t n) {
  d[at++] = from;
  d[at++] = until + 1;
  for (size_t i = 0; i < n; i++) d[at++] = changes[i].effective_on;
  return at;
}

/* The days a status is evaluated on: one per span between consecutive boundaries b[0..n); the
 * span before b[0] is evaluated on b[0] - 1. */
static kr_date span_start(const kr_date *b, size_t i) { return i == 0 ? DATE_NEG_INF : b[i - 1]; }
static kr_date span_until(const kr_date *b, size_t n, size_t i) { return i == n ? DATE_POS_INF : b[i]; }
static kr_date span_day(const kr_date *b, size_t i) { return i == 0 ? b[0] - 1 : b[i - 1]; }

size_t label_certificate_timeline(kr_date valid_from, kr_date valid_until, const cert_change *changes,
                                  size_t n, cert_span *out) {
  kr_date *b = malloc((n + 2) * sizeof *b);
  if (!b) return 0;
  size_t bn = unique_dates(b, add_boundaries(b, 0, valid_from, valid_until, changes, n));
  size_t spans = 0;
  for (size_t i = 0; i <= bn; i++) {
    cert_status s = label_certificate_status(valid_from, valid_until, changes, n, span_day(b, i));
    if (spans > 0 && out[spans - 1].status == s) out[spans - 1].until = span_until(b, bn, i);
    else out[spans++] = (cert_span){span_start(b, i), span_until(b, bn, i), s};
  }
  free(b);
  return spans;
}

int label_pick_certificate(const cert_candidate *c, size_t n, kr_date on) {
  int covering = -1, started = -1, later = -1;
  for (size_t i = 0; i < n; i++) {
    if (c[i].status == CERT_VALID) return (int)i;
    if (c[i].valid_from <= on && on <= c[i].valid_until) {
      if (covering < 0) covering = (int)i;
    } else if (c[i].valid_from <= on) {
      if (started < 0 || c[i].valid_from >= c[started].valid_from) started = (int)i;
    } else if (later < 0 || c[i].valid_from < c[later].valid_from) {
      later = (int)i;
    }
  }
  return covering >= 0 ? covering : started >= 0 ? started : later;
}

size_t label_certification_timeline(const cert_facts *certs, size_t n, certification_span *out) {
  if (n == 0) return 0;
  size_t total = 0;
  for (size_t k = 0; k < n; k++) total += certs[k].change_count + 2;
  kr_date *b = malloc(total * sizeof *b);
  cert_candidate *cand = malloc(n * sizeof *cand);
  size_t spans = 0;
  if (b && cand) {
    size_t bn = 0;
    for (size_t k = 0; k < n; k++)
      bn = add_boundaries(b, bn, certs[k].valid_from, certs[k].valid_until, certs[k].changes,
                          certs[k].change_count);
    bn = unique_dates(b, bn);
    for (size_t i = 0; i <= bn; i++) {
      kr_date day = span_day(b, i);
      for (size_t k = 0; k < n; k++)
        cand[k] = (cert_candidate){certs[k].valid_from, certs[k].valid_until,
                                   label_certificate_status(certs[k].valid_from, certs[k].valid_until,
                                                            certs[k].changes, certs[k].change_count, day)};
      int shown = label_pick_certificate(cand, n, day);
      cert_status s = cand[shown].status;
      certification_span *last = spans > 0 ? &out[spans - 1] : NULL;
      if (last && last->shown == shown && last->status == s) last->until = span_until(b, bn, i);
      else out[spans++] = (certification_span){span_start(b, i), span_until(b, bn, i), shown, s};
    }
  }
  free(b);
  free(cand);
  return spans;
}

json_t *label_score_citations(const json_t *scores) {
  json_t *out = json_array();
  size_t i, k;
  const json_t *item, *id;
  char field[96];
  json_array_foreach(scores, i, item) {
    for (const char *const *m = evidence_members; *m; m++) {
      const json_t *ids = json_object_get(item, *m);
      if (evidence_problem(ids)) continue;
      snprintf(field, sizeof field, "scores[%zu].%s", i, *m);
      json_array_foreach(ids, k, id)
        json_array_append_new(out, json_pack("{s:s, s:s, s:O}", "field", field, "kind",
                                             strcmp(*m, "recommendationIds") == 0 ? "recommendation" : "session",
                                             "id", (json_t *)id));
    }
  }
  return out;
}
