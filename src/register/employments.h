/* employments.h (register): employer links between professionals and organisations
 * (sql/0030_employments.sql), issue 12.
 *
 * A professional (or the register office for them) proposes a link to an organisation that
 * employs them; the organisation (or the office) confirms or declines it; either side (or the
 * office) ends it. Declined and ended are final. Consent is explicit and revocable: an
 * organisation learns nothing about a professional without a link, and only this:
 *   - a proposed or confirmed link: the professional's name and registration number (its list of
 *     employments); a declined or ended one is gone from its sight (404 when asked by id);
 *   - a confirmed link that runs today (from <= today, until absent or >= today): also the
 *     registration status today and progress towards re-registration (the period, whether the
 *     requirements are met, whether the professional is on track) - never activities, their
 *     content or evidence, nor contact data or the professional's id.
 * Anyone, with no token, gets per organisation counts only (GET .../workforce), with small counts
 * suppressed (register_workforce_suppress).
 *
 * Who may call: an organisation account only for its own organisation (another's is a 404), a
 * professional only for themself (another's is a 404), the office for all; other roles get the
 * route table's 403. An unknown organisationId in a proposal is a 400 naming it.
 *
 * The module owns its statements (register_employment_statements, prepared by the pool) and the
 * JSON it answers; every state change is decided by a SQL function on the row read after its
 * lock (kr_employment_propose, _decide, _end). The pure rules below have no I/O and are the unit
 * test's (tests/unit/test_employments.c). */
#ifndef KR_REGISTER_EMPLOYMENTS_H
#define KR_REGISTER_EMPLOYMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "db/pool.h"
#include "http/context.h"
#include "register/rules.h"

extern const db_statement *const register_employment_statements[]; /* NULL-terminated, for the pool */

/* How far ahead a link may start: at most this many months after today. */
#define EMPLOYMENT_MAX_MONTHS_AHEAD 12

/* Counts under this are published as null with suppressed: true. */
#define WORKFORCE_MIN_COUNT 5

/* Which of `n` nested counts (counts[0] contains counts[1] contains ... : linked professionals,
 * of them registered, of them on track) may be published. suppressed[i] is set when counts[i] is
 * under WORKFORCE_MIN_COUNT, and when a published outer count minus a published inner one is
 * under WORKFORCE_MIN_COUNT (0 included: it would reveal that small a group, e.g. linked minus
 * registered), the inner one is suppressed too, so that no difference of two published figures
 * reveals a small count. */
void register_workforce_suppress(const int64_t *counts, size_t n, bool *suppressed);

/* Whether a professional whose period runs [start, end] and whose progress on `on` is `g`
 * (register_progress over the period) is on track towards re-registration: the requirements are
 * met, or every requirement (each category's minimum and the total) is credited at least in
 * proportion to the whole years of the period that have passed on `on` (none in its first year;
 * a period shorter than a year counts as one year). */
bool register_on_track(const reg_requirements *req, const reg_progress *g, kr_date start, kr_date end, kr_date on);

/* POST /v1/professionals/{professionalId}/employments {organisationId, from, until?}: 201
 * proposed, with Location /v1/employments/{id}; 400 naming every bad field (an unknown
 * organisation too); 404 another's or no professional; 409 a proposed or confirmed link with
 * that organisation exists. */
void register_employment_propose_handler(http_ctx *ctx);
/* GET /v1/professionals/{professionalId}/employments?state=&limit=&cursor=: every link of the
 * professional, in the order proposed. */
void register_employment_list_handler(http_ctx *ctx);
/* GET /v1/employments/{employmentId}: the professional of it, its organisation (while proposed
 * or confirmed), the office. */
void register_employment_get_handler(http_ctx *ctx);
/* GET /v1/organisations/{organisationId}/employments?state=proposed|confirmed&limit=&cursor=. */
void register_org_employment_list_handler(http_ctx *ctx);
/* POST .../employments/{employmentId}/confirmation and /declination: 200, 409 when not proposed. */
void register_employment_confirm_handler(http_ctx *ctx);
void register_employment_decline_handler(http_ctx *ctx);
/* POST /v1/employments/{employmentId}/ending {until?}: 200 ended; 409 declined or ended already. */
void register_employment_end_handler(http_ctx *ctx);
/* GET /v1/organisations/{organisationId}/professionals?limit=&cursor=: the professionals with a
 * confirmed link that runs today, with status and progress. */
void register_org_professionals_handler(http_ctx *ctx);
/* GET /v1/organisations/{organisationId}/workforce (public): the organisation's name and KvK
 * number and three suppressed counts; rate-limited per client address like the public register. */
void register_org_workforce_handler(http_ctx *ctx);

#endif
