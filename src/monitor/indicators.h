/* indicators.h (monitor): the programme monitor's indicators, GET /v1/indicators (issue 12).
 *
 * Per month for one municipality, or without municipalityCode for the nation (every
 * professional and organisation; no figures per organisation), read from the monthly tables the monitor keeps up to date (monitor/refresh.h,
 * sql/0035_monitor_months.sql: kr_monitor_indicators) for the figures over professionals, and
 * computed live for the organisations' and the sessions' (few rows). Each month has a reference
 * day: its last day, or today for the current month (the answer's referenceDays say which day
 * each month's figures hold: the current month's can be yesterday's for moments after midnight).
 * The answer's asOf says up to when it is complete: every change committed before it is in the
 * figures (the refresh follows within moments; the nation's at most every
 * MONITOR_NATIONAL_INTERVAL_SECONDS). Months not computed yet (just after the tables
 * were made) answer 503 with Retry-After; months before the kept ones (MONITOR_MONTHS) are a 400.
 * Professionals are tied to a municipality on a month's reference day through the organisations
 * that employ them: a confirmed link (confirmed, or confirmed and ended since) that runs that
 * day with an organisation whose municipalityCodes name the municipality.
 *
 * The series (indicator, labels; unit) and what each month's figure is:
 *   registeredProfessionals {profile, status}; count - professionals in scope with that status on
 *     the reference day (registered, suspended, struck_off, expired, deregistered; `all` is the
 *     five together: a total with its parts).
 *   reregistrationRate {}; share - of the periods of professionals in scope that ended in the
 *     month (up to the reference day), those followed by a next period.
 *   medianDevelopmentHours {category}; hours - over the professionals in scope registered on the
 *     reference day, the median of each one's hours of completed activities of the category
 *     completed in the month up to the reference day and inside their running period (0 when
 *     none; uncapped: caps apply to a whole period). Suppressed under 5 professionals.
 *   onTrackShare {}; share - of those registered professionals, the ones on track on the reference
 *     day (register_on_track over the credited hours of their running period up to that day).
 *   certifiedOrganisations {}; count - organisations serving the municipality (existing on the
 *     reference day) whose certification is `valid` on it.
 *   certifiedOrganisationsShare {}; share - the same of all organisations serving it.
 *   audits {kind, outcome}; count - audits of serving organisations decided in the month: external
 *     and combined by the decision's day (granted, refused), intercollegial (never decided) by
 *     their outcome's audit day (completed).
 *   listeningSessions {}; count - listening sessions of the municipality held in the month.
 *   recommendationResponseShare {}; share - of those sessions' recommendations, the ones with a
 *     response (any responder) by now.
 *   linkedRegisteredShare {organisationId, kvkNumber, organisationName}; share - for one
 *     municipality only, per serving organisation: of the professionals with a confirmed link
 *     running on the reference day, those registered then.
 * Without a token the public subset: everything but reregistrationRate, medianDevelopmentHours
 * and onTrackShare. Admins read any municipality; a municipality account its own
 * municipality only (the default; another's is a 403); other roles get a 403.
 *
 * Suppression (indicators_suppress): a count under INDICATOR_MIN_COUNT is null with suppressed:
 * true; a total with its parts (a profile's `all` and its statuses; a share's whole, its part
 * and the rest) never lets a difference reveal a small group; a share is published only when its
 * whole, its part and the rest all are; a median only over at least INDICATOR_MIN_COUNT people.
 *
 * The module owns its statement (monitor_indicator_statements, prepared by the pool) and the
 * text it answers. */
#ifndef KR_MONITOR_INDICATORS_H
#define KR_MONITOR_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/pool.h"
#include "http/context.h"

extern const db_statement *const monitor_indicator_statements[]; /* NULL-terminated, for the pool */

/* Counts under this are published as null with suppressed: true. */
#define INDICATOR_MIN_COUNT 5
/* The most months one request may span, and the months before the current one by default. */
#define INDICATOR_MAX_MONTHS 24
#define INDICATOR_DEFAULT_PAST_MONTHS 12

/* Which of a total and its parts may be published: counts[0] is the total, counts[1..n-1] the
 * parts, which add up to it (n >= 1). suppressed[i] is set for each count under
 * INDICATOR_MIN_COUNT; then, while the total is published and the suppressed parts are exactly
 * one or add up to less than INDICATOR_MIN_COUNT (the total minus the published parts would
 * reveal them), the smallest published part is suppressed too (the total itself when no part
 * is left). */
void indicators_suppress(const int64_t *counts, size_t n, bool *suppressed);

typedef enum { INDICATORS_JSON, INDICATORS_CSV, INDICATORS_NONE } indicators_format;
/* The answer's format for an Accept header (NULL or empty: JSON): the media type with the
 * highest quality, each taking the q of the most specific range that matches it
 * (application/json or text/csv, then application/any or text/any, then any/any); JSON on a tie;
 * NONE when neither is acceptable (q=0 or not named). */
indicators_format indicators_negotiate(const char *accept);

/* "YYYY-MM" (years 1900..9999) as a month number (year * 12 + month - 1); false otherwise. */
bool indicators_month_parse(const char *text, int *month);

/* GET /v1/indicators?municipalityCode=&from=&to= (public subset without a token). */
void monitor_indicators_handler(http_ctx *ctx);

#endif
