/* rules.h (label): the quality label's arithmetic. Pure: no I/O, unit-tested.
 *
 * Thresholds, which framework versions take new audits on a date, certificate terms and
 * recertification, certificate status on a date, and which status changes are allowed. */
#ifndef KR_LABEL_RULES_H
#define KR_LABEL_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"

/* A framework version's name: 1..32 of A-Z a-z 0-9 . _ - (checked before it reaches SQL). */
bool label_version_valid(const char *version);

/* ---- scores and thresholds ---------------------------------------------------------------- */
/* The most norms a framework version has, so the most scores an audit gets. */
#define LABEL_SCORES_MAX 1000
/* The longest note or finding of a score (characters). */
#define LABEL_SCORE_TEXT_MAX 4000

typedef struct {
  int met, partially_met, not_met;
} score_counts;

/* A framework's thresholds: at most this many norms partly met, and not met. */
bool label_meets_threshold(score_counts counts, int max_partially_met, int max_not_met);

/* Checks scores, a JSON array of objects with "normCode" and "score" (other members are the
 * caller's to check), against a framework's norm codes: adds a {field, message} to errors for
 * more than LABEL_SCORES_MAX entries (and looks no further), each unknown or repeated code, each
 * invalid score and, when complete is true, each norm without a score. Fills counts from the
 * valid entries. `item_members` names the members an entry may have besides normCode and score
 * (NULL-terminated), each a string of at most LABEL_SCORE_TEXT_MAX characters;
 * `required_member`, if not NULL, must be present in every entry. Every entry may also cite
 * residents' voice as evidence: `listeningSessionIds` and `recommendationIds`, arrays of at most
 * LABEL_MAX_EVIDENCE distinct UUIDs (whether they name what the organisation may cite is the
 * caller's to check). */
#define LABEL_MAX_EVIDENCE 10
void label_check_scores(const json_t *scores, const char *const *codes, size_t code_count,
                        bool complete, const char *const *item_members, const char *required_member,
                        json_t *errors, score_counts *counts);

/* The well-formed evidence citations of scores, as a new JSON array of {field, kind, id}:
 * field names the member ("scores[3].listeningSessionIds"), kind is "session" or
 * "recommendation". The caller owns it. */
json_t *label_score_citations(const json_t *scores);

/* ---- framework windows -------------------------------------------------------------------- */
typedef struct {
  kr_date open_from;
  bool has_open_until;
  kr_date open_until;      /* last day new audits may be planned */
  bool has_restricted_from;
  kr_date restricted_from; /* from then, only organisations that had started on this version */
} framework_window;

typedef enum { FRAMEWORK_OPEN, FRAMEWORK_NOT_YET_OPEN, FRAMEWORK_CLOSED, FRAMEWORK_RESTRICTED } framework_openness;

/* Whether a new audit may be planned on `planned_on`; started_before_restriction says the
 * organisation had an audit on this version planned before restricted_from. */
framework_openness label_framework_open_on(const framework_window *w, kr_date planned_on,
                                           bool started_before_restriction);
/* A sentence for a refusal (static), or NULL for FRAMEWORK_OPEN. */
const char *label_framework_refusal(framework_openness o);

/* ---- certificates ------------------------------------------------------------------------- */
/* The last day of a certificate valid from valid_from for term_months (end dates are inclusive). */
kr_date label_certificate_valid_until(kr_date valid_from, int term_months);

/* A recertification follows the running certificate without a gap: it starts the day after the
 * previous validUntil when one still runs on the decision date, otherwise on the decision date. */
kr_date label_certificate_start(kr_date decided_on, bool previous_runs, kr_date previous_valid_until);

typedef enum { CERT_VALID, CERT_SUSPENDED, CERT_WITHDRAWN, CERT_EXPIRED, CERT_NOT_YET_VALID } cert_status;
typedef enum { CHANGE_SUSPENDED, CHANGE_REINSTATED, CHANGE_WITHDRAWN } cert_change_type;

typedef struct {
  cert_change_type type;
  kr_date effective_on;
} cert_change; /* in the order they were recorded */

/* The status on `on`: withdrawn once a withdrawal took effect; else expired after validUntil;
 * else not yet valid before validFrom; else suspended when the latest suspension or
 * reinstatement in effect (by effective date, then by recording order) is a suspension. */
cert_status label_certificate_status(kr_date valid_from, kr_date valid_until,
                                     const cert_change *changes, size_t n, kr_date on);
const char *label_cert_status_name(cert_status s); /* "valid", "suspended", ... */
/* Parses a status name; false for anything else. */
bool label_cert_status_parse(const char *text, cert_status *out);
/* True for a status under which a certificate "still runs" (for recertification). */
bool label_cert_runs(cert_status s);

/* ---- status timelines -------------------------------------------------------------------
 * Statuses are decided when a certificate changes, not when it is read: the writer computes a
 * timeline with these functions under the organisation's row lock and stores it, and "status on
 * D" becomes an index lookup. A timeline is consecutive spans [from, until) from minus to plus
 * infinity (DATE_NEG_INF, DATE_POS_INF: PostgreSQL's -infinity and infinity), equal neighbours
 * merged. Each span's status is label_certificate_status on its days, so the two cannot
 * disagree. */
#define DATE_NEG_INF INT32_MIN
#define DATE_POS_INF INT32_MAX

typedef struct {
  kr_date from, until;
  cert_status status;
} cert_span;

/* How many spans a timeline of n changes (or of certificates with n changes and c certificates
 * in all: LABEL_SPANS_MAX(n + 2 * c)) can have. */
#define LABEL_SPANS_MAX(changes) (2 * (size_t)(changes) + 6)

/* A certificate's statuses over all time into out (LABEL_SPANS_MAX(n) of room); gives the
 * number of spans. */
size_t label_certificate_timeline(kr_date valid_from, kr_date valid_until, const cert_change *changes,
                                  size_t n, cert_span *out);

/* One certificate of an organisation, with its status on the date asked. */
typedef struct {
  kr_date valid_from, valid_until;
  cert_status status;
} cert_candidate;

/* Which certificate stands for the organisation on `on` (index into c[0..n)), or -1 when it has
 * none: one valid on the date; else one whose validity covers it (suspended or withdrawn);
 * else the latest that started on or before it; else the earliest that starts later. */
int label_pick_certificate(const cert_candidate *c, size_t n, kr_date on);

/* A certificate's facts, as recorded. */
typedef struct {
  kr_date valid_from, valid_until;
  const cert_change *changes;
  size_t change_count;
} cert_facts;

typedef struct {
  kr_date from, until;
  int shown;          /* index of the certificate that stands for the organisation */
  cert_status status; /* that certificate's status in the span (certified: CERT_VALID) */
} certification_span;

/* An organisation's certification over all time from its certificates (in the order
 * label_pick_certificate prefers on ties: by validFrom, then issue): which certificate stands for
 * it, and with which status, span by span. out has room for LABEL_SPANS_MAX(all changes +
 * 2 * n); gives the number of spans, 0 when n is 0. */
size_t label_certification_timeline(const cert_facts *certs, size_t n, certification_span *out);

/* Why a change with this status on its effective date is refused (static text), or NULL when it
 * is allowed: suspend a valid one; reinstate a suspended one; withdraw anything not withdrawn. */
const char *label_change_refusal(cert_change_type type, cert_status status_on_effective_date);

/* Parses "suspended", "reinstated", "withdrawn"; false for anything else. */
bool label_change_type_parse(const char *text, cert_change_type *out);

#endif
