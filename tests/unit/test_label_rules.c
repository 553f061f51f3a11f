#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "label/rules.h"

static kr_date d(const char *text) {
  kr_date v = 0;
  date_parse(text, &v);
  return v;
}

static const char *status(kr_date from, kr_date until, const cert_change *c, size_t n, const char *on) {
  return label_cert_status_name(label_certificate_status(from, until, c, n, d(on)));
}

static json_t *scores_of(const char *const *codes, size_t n, int partially, int not_met) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) {
    const char *score = (int)i < partially ? "partially_met" : (int)i < partially + not_met ? "not_met" : "met";
    json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "normCode", codes[i], "score", score, "finding", "f"));
  }
  return a;
}


/* A small deterministic generator, so that every run checks the same cases. */
static unsigned next_random(unsigned *state) {
  *state = *state * 1103515245u + 12345u;
  return (*state >> 8) & 0xffffff;
}

/* The span of a timeline that holds `day`. */
static const cert_span *span_of(const cert_span *s, size_t n, kr_date day) {
  for (size_t i = 0; i < n; i++)
    if (s[i].from <= day && day < s[i].until) return &s[i];
  return NULL;
}

/* Timelines agree with the status rule on every day, cover all time without gaps or overlaps,
 * and merge equal neighbours; the organisation's timeline agrees with the pick rule. */
static void check_timelines(void) {
  unsigned seed = 20261130;
  kr_date base = d("2020-01-01");
  for (int round = 0; round < 300; round++) {
    cert_change changes[3][6];
    cert_facts facts[3];
    size_t certs = 1 + next_random(&seed) % 3, all_changes = 0;
    for (size_t k = 0; k < certs; k++) {
      kr_date from = base + (kr_date)(next_random(&seed) % 900);
      facts[k] = (cert_facts){from, from + 30 + (kr_date)(next_random(&seed) % 700), changes[k],
                              next_random(&seed) % 6};
      for (size_t i = 0; i < facts[k].change_count; i++)
        changes[k][i] = (cert_change){(cert_change_type)(next_random(&seed) % 3),
                                      from - 20 + (kr_date)(next_random(&seed) % 800)};
      all_changes += facts[k].change_count;
    }
    cert_span spans[LABEL_SPANS_MAX(6)];
    size_t n = label_certificate_timeline(facts[0].valid_from, facts[0].valid_until, facts[0].changes,
                                          facts[0].change_count, spans);
    bool joined = n > 0 && spans[0].from == DATE_NEG_INF && spans[n - 1].until == DATE_POS_INF;
    for (size_t i = 1; i < n; i++)
      joined = joined && spans[i].from == spans[i - 1].until && spans[i].status != spans[i - 1].status &&
               spans[i].from < spans[i].until;
    CHECK(joined);
    bool agrees = true, org_agrees = true;
    certification_span org[LABEL_SPANS_MAX(18 + 6)];
    size_t on = label_certification_timeline(facts, certs, org);
    for (kr_date day = base - 40; day < base + 1700; day++) {
      const cert_span *s = span_of(spans, n, day);
      agrees = agrees && s && s->status == label_certificate_status(facts[0].valid_from, facts[0].valid_until,
                                                                   facts[0].changes, facts[0].change_count, day);
      cert_candidate cand[3];
      for (size_t k = 0; k < certs; k++)
        cand[k] = (cert_candidate){facts[k].valid_from, facts[k].valid_until,
                                   label_certificate_status(facts[k].valid_from, facts[k].valid_until,
                                                            facts[k].changes, facts[k].change_count, day)};
      int pick = label_pick_certificate(cand, certs, day);
      const certification_span *o = NULL;
      for (size_t i = 0; i < on; i++)
        if (org[i].from <= day && day < org[i].until) o = &org[i];
      org_agrees = org_agrees && o && o->shown == pick && o->status == cand[pick].status;
    }
    CHECK(agrees);
    CHECK(org_agrees);
    CHECK(on >= 1 && on <= LABEL_SPANS_MAX(all_changes + 2 * certs));
  }
  /* A plain certificate: not yet valid, valid, expired. */
  cert_span plain[LABEL_SPANS_MAX(0)];
  CHECK(label_certificate_timeline(d("2025-01-01"), d("2026-12-31"), NULL, 0, plain) == 3);
  CHECK(plain[0].status == CERT_NOT_YET_VALID && plain[0].until == d("2025-01-01"));
  CHECK(plain[1].status == CERT_VALID && plain[1].until == d("2027-01-01"));
  CHECK(plain[2].status == CERT_EXPIRED && plain[2].until == DATE_POS_INF);
  CHECK(label_certification_timeline(NULL, 0, NULL) == 0);
}

int main(void) {
  /* Which certificate a check shows. */
  cert_candidate old = {d("2020-01-01"), d("2021-12-31"), CERT_EXPIRED};
  cert_candidate cur = {d("2022-01-01"), d("2023-12-31"), CERT_VALID};
  cert_candidate next = {d("2024-01-01"), d("2025-12-31"), CERT_NOT_YET_VALID};
  cert_candidate three[] = {old, cur, next};
  CHECK(label_pick_certificate(three, 3, d("2022-06-01")) == 1);
  cert_candidate suspended_one = {d("2022-01-01"), d("2023-12-31"), CERT_SUSPENDED};
  cert_candidate with_suspended[] = {old, suspended_one, next};
  CHECK(label_pick_certificate(with_suspended, 3, d("2022-06-01")) == 1); /* covers the date */
  cert_candidate expired_pair[] = {old, {d("2022-01-01"), d("2023-12-31"), CERT_EXPIRED}};
  CHECK(label_pick_certificate(expired_pair, 2, d("2024-06-01")) == 1); /* the latest started */
  cert_candidate future[] = {next, {d("2026-01-01"), d("2027-12-31"), CERT_NOT_YET_VALID}};
  CHECK(label_pick_certificate(future, 2, d("2023-06-01")) == 0); /* the earliest to come */
  CHECK(label_pick_certificate(NULL, 0, d("2023-06-01")) == -1);

  check_timelines();

  /* Thresholds: 2019 allows 8 partly met and 3 not met; 2017 allows 10 and 5. */
  CHECK(label_meets_threshold((score_counts){38, 8, 3}, 8, 3));
  CHECK(!label_meets_threshold((score_counts){37, 9, 3}, 8, 3));
  CHECK(!label_meets_threshold((score_counts){37, 8, 4}, 8, 3));
  CHECK(label_meets_threshold((score_counts){37, 10, 5}, 10, 5));
  CHECK(!label_meets_threshold((score_counts){36, 11, 5}, 10, 5));
  CHECK(!label_meets_threshold((score_counts){36, 10, 6}, 10, 5));

  /* Scores: every norm once; unknown, repeated and missing codes are each named. */
  const char *codes[] = {"V01", "V02", "V03", "D01"};
  json_t *errors = json_array();
  score_counts c;
  const char *const finding[] = {"finding", NULL};
  json_t *all = scores_of(codes, 4, 1, 1);
  label_check_scores(all, codes, 4, true, finding, "finding", errors, &c);
  CHECK(json_array_size(errors) == 0 && c.met == 2 && c.partially_met == 1 && c.not_met == 1);
  json_decref(all);
  json_t *bad = json_loads("[{\"normCode\":\"V01\",\"score\":\"met\",\"finding\":\"x\"},"
                           "{\"normCode\":\"V01\",\"score\":\"met\",\"finding\":\"x\"},"
                           "{\"normCode\":\"X99\",\"score\":\"met\",\"finding\":\"x\"},"
                           "{\"normCode\":\"V02\",\"score\":\"great\",\"extra\":\"y\"}]", 0, NULL);
  label_check_scores(bad, codes, 4, true, finding, "finding", errors, &c);
  char text[2048];
  char *dumped = json_dumps(errors, JSON_COMPACT);
  strncpy(text, dumped, sizeof text - 1);
  free(dumped);
  CHECK(strstr(text, "\"scores[1].normCode\"") && strstr(text, "V01 is scored more than once"));
  CHECK(strstr(text, "X99 is not a norm"));
  CHECK(strstr(text, "\"scores[3].score\"") && strstr(text, "\"scores[3].extra\""));
  CHECK(strstr(text, "\"scores[3].finding\""));
  CHECK(strstr(text, "no score for norm V03") && strstr(text, "no score for norm D01"));
  CHECK(!strstr(text, "no score for norm V02")); /* V02 was scored, if badly */
  json_decref(bad);
  json_decref(errors);
  /* A draft may be partial. */
  errors = json_array();
  json_t *partial = scores_of(codes, 2, 0, 0);
  label_check_scores(partial, codes, 4, false, NULL, NULL, errors, &c);
  CHECK(json_array_size(errors) == 2); /* each entry's finding member, not allowed here */
  json_decref(partial);
  json_decref(errors);
  /* Residents' voice cited as evidence: arrays of distinct UUIDs, gathered for the store's check. */
  errors = json_array();
  json_t *cited = json_loads(
      "[{\"normCode\":\"V01\",\"score\":\"met\",\"listeningSessionIds\":[\"3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f\"],"
      "\"recommendationIds\":[\"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a\",\"5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b\"]},"
      "{\"normCode\":\"V02\",\"score\":\"met\",\"listeningSessionIds\":\"x\"},"
      "{\"normCode\":\"V03\",\"score\":\"met\",\"recommendationIds\":[\"nope\"]},"
      "{\"normCode\":\"D01\",\"score\":\"met\",\"listeningSessionIds\":[\"3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f\","
      "\"3C4D5E6F-7A8B-4C9D-8E0F-1A2B3C4D5E6F\"]}]", 0, NULL);
  label_check_scores(cited, codes, 4, true, NULL, NULL, errors, &c);
  dumped = json_dumps(errors, JSON_COMPACT);
  CHECK(json_array_size(errors) == 3 && strstr(dumped, "\"scores[1].listeningSessionIds\"") &&
        strstr(dumped, "\"scores[2].recommendationIds\"") && strstr(dumped, "cite an id twice"));
  free(dumped);
  json_t *citations = label_score_citations(cited);
  CHECK(json_array_size(citations) == 3); /* the malformed ones are left to the errors above */
  CHECK_STR(json_string_value(json_object_get(json_array_get(citations, 0), "field")), "scores[0].listeningSessionIds");
  CHECK_STR(json_string_value(json_object_get(json_array_get(citations, 0), "kind")), "session");
  CHECK_STR(json_string_value(json_object_get(json_array_get(citations, 2), "kind")), "recommendation");
  json_decref(citations);
  json_decref(cited);
  json_decref(errors);
  /* A finding of at most LABEL_SCORE_TEXT_MAX characters; at most LABEL_SCORES_MAX scores. */
  errors = json_array();
  json_t *one = scores_of(codes, 1, 0, 0);
  char *long_text = malloc(2 * LABEL_SCORE_TEXT_MAX + 3);
  for (int i = 0; i < LABEL_SCORE_TEXT_MAX; i++) memcpy(long_text + 2 * i, "\xc3\xa9", 2); /* é */
  long_text[2 * LABEL_SCORE_TEXT_MAX] = '\0';
  json_object_set_new(json_array_get(one, 0), "finding", json_string(long_text));
  label_check_scores(one, codes, 4, false, finding, "finding", errors, &c);
  CHECK(json_array_size(errors) == 0); /* 4000 characters (8000 bytes) */
  strcpy(long_text + 2 * LABEL_SCORE_TEXT_MAX, "x");
  json_object_set_new(json_array_get(one, 0), "finding", json_string(long_text));
  label_check_scores(one, codes, 4, false, finding, "finding", errors, &c);
  CHECK(json_array_size(errors) == 1 &&
        strcmp(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "scores[0].finding") == 0);
  free(long_text);
  json_decref(errors);
  errors = json_array();
  json_t *many = json_array();
  for (int i = 0; i <= LABEL_SCORES_MAX; i++) json_array_append(many, json_array_get(one, 0));
  label_check_scores(many, codes, 4, false, finding, "finding", errors, &c);
  CHECK(json_array_size(errors) == 1 &&
        strcmp(json_string_value(json_object_get(json_array_get(errors, 0), "field")), "scores") == 0);
  json_decref(many);
  json_decref(one);
  json_decref(errors);
  CHECK(label_version_valid("2019") && label_version_valid("v2.0_rc-1"));
  CHECK(!label_version_valid("") && !label_version_valid("2019/1") &&
        !label_version_valid("123456789012345678901234567890123"));

  /* Framework windows: 2017 until 2019-12-31, and from 2019-05-01 only for those who started. */
  framework_window v2017 = {d("2017-01-01"), true, d("2019-12-31"), true, d("2019-05-01")};
  CHECK(label_framework_open_on(&v2017, d("2019-04-30"), false) == FRAMEWORK_OPEN);
  CHECK(label_framework_open_on(&v2017, d("2019-05-01"), false) == FRAMEWORK_RESTRICTED);
  CHECK(label_framework_open_on(&v2017, d("2019-12-31"), true) == FRAMEWORK_OPEN);
  CHECK(label_framework_open_on(&v2017, d("2020-01-01"), true) == FRAMEWORK_CLOSED);
  CHECK(label_framework_open_on(&v2017, d("2016-12-31"), true) == FRAMEWORK_NOT_YET_OPEN);
  framework_window v2019 = {d("2019-05-01"), false, 0, false, 0};
  CHECK(label_framework_open_on(&v2019, d("2019-04-30"), false) == FRAMEWORK_NOT_YET_OPEN);
  CHECK(label_framework_open_on(&v2019, d("2030-01-01"), false) == FRAMEWORK_OPEN);
  CHECK(label_framework_refusal(FRAMEWORK_OPEN) == NULL);
  CHECK(label_framework_refusal(FRAMEWORK_CLOSED) != NULL);

  /* Terms end the day before the anniversary; recertification follows without a gap. */
  CHECK(label_certificate_valid_until(d("2024-03-01"), 24) == d("2026-02-28"));
  CHECK(label_certificate_valid_until(d("2024-02-29"), 12) == d("2025-02-27"));
  CHECK(label_certificate_start(d("2025-06-01"), true, d("2025-12-31")) == d("2026-01-01"));
  CHECK(label_certificate_start(d("2025-06-01"), false, d("2025-12-31")) == d("2025-06-01"));
  CHECK(label_certificate_start(d("2025-06-01"), true, d("2025-05-31")) == d("2025-06-01"));

  /* Status on the day before, of and after each boundary. */
  kr_date from = d("2025-01-01"), until = d("2026-12-31");
  CHECK_STR(status(from, until, NULL, 0, "2024-12-31"), "not_yet_valid");
  CHECK_STR(status(from, until, NULL, 0, "2025-01-01"), "valid");
  CHECK_STR(status(from, until, NULL, 0, "2026-12-31"), "valid");
  CHECK_STR(status(from, until, NULL, 0, "2027-01-01"), "expired");
  cert_change suspended[] = {{CHANGE_SUSPENDED, d("2025-03-01")}, {CHANGE_REINSTATED, d("2025-04-01")}};
  CHECK_STR(status(from, until, suspended, 2, "2025-02-28"), "valid");
  CHECK_STR(status(from, until, suspended, 2, "2025-03-01"), "suspended");
  CHECK_STR(status(from, until, suspended, 2, "2025-03-31"), "suspended");
  CHECK_STR(status(from, until, suspended, 2, "2025-04-01"), "valid");
  /* Suspended at the end of the term: expired wins after validUntil. */
  cert_change late[] = {{CHANGE_SUSPENDED, d("2026-12-01")}};
  CHECK_STR(status(from, until, late, 1, "2027-01-01"), "expired");
  /* Withdrawal is final from its date, whatever follows. */
  cert_change withdrawn[] = {{CHANGE_WITHDRAWN, d("2025-06-01")}, {CHANGE_REINSTATED, d("2025-07-01")}};
  CHECK_STR(status(from, until, withdrawn, 2, "2025-05-31"), "valid");
  CHECK_STR(status(from, until, withdrawn, 2, "2025-06-01"), "withdrawn");
  CHECK_STR(status(from, until, withdrawn, 2, "2030-01-01"), "withdrawn");
  /* Same effective date: the later recorded change wins. */
  cert_change same_day[] = {{CHANGE_SUSPENDED, d("2025-05-01")}, {CHANGE_REINSTATED, d("2025-05-01")}};
  CHECK_STR(status(from, until, same_day, 2, "2025-05-01"), "valid");

  CHECK(label_change_refusal(CHANGE_SUSPENDED, CERT_VALID) == NULL);
  CHECK(label_change_refusal(CHANGE_SUSPENDED, CERT_SUSPENDED) != NULL);
  CHECK(label_change_refusal(CHANGE_REINSTATED, CERT_SUSPENDED) == NULL);
  CHECK(label_change_refusal(CHANGE_REINSTATED, CERT_VALID) != NULL);
  CHECK(label_change_refusal(CHANGE_REINSTATED, CERT_WITHDRAWN) != NULL);
  CHECK(label_change_refusal(CHANGE_WITHDRAWN, CERT_SUSPENDED) == NULL);
  CHECK(label_change_refusal(CHANGE_WITHDRAWN, CERT_WITHDRAWN) != NULL);
  return CHECK_DONE();
}
