/* Employer links: proposals, confirmations, declinations, endings, and what an organisation and
 * the public may see of the professionals linked to it (register/employments.h). */
#include "register/employments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"
#include "http/ratelimit.h"
#include "label/store.h"
#include "label/view.h"
#include "register/view.h"

static const char no_professional[] = "There is no such professional.";
static const char no_organisation[] = "There is no such organisation.";
static const char no_employment[] = "There is no such employment.";

/* ---- statements ---------------------------------------------------------------------------- */

#define OBJECT_FROM \
  "SELECT kr_employment_object(e, p, o), kr_sort_key(e.proposed_at), e.id FROM employments e" \
  " JOIN professionals p ON p.id = e.professional_id JOIN organisations o ON o.id = e.organisation_id"
#define AFTER_CURSOR(key, id) \
  " AND (" key "::bigint IS NULL OR (kr_sort_key(e.proposed_at), e.id) > (" key "::bigint, " id "::uuid))" \
  " ORDER BY kr_sort_key(e.proposed_at), e.id"

/* The confirmed links of organisation $1 that run on $2, with each professional's status then and,
 * for a registration that runs (registered or suspended), its period with the frozen requirements
 * and the hours (hundredths) of the activities completed inside it per category: what progress is
 * computed from, never the activities themselves. Erased professionals are nobody's any more. */
#define CURRENT_LINKS \
  " FROM employments e JOIN professionals p ON p.id = e.professional_id" \
  " JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= $2::date AND $2::date < s.until_on" \
  " LEFT JOIN LATERAL (SELECT x.starts_on, x.ends_on, x.requirements FROM registration_periods x" \
  "   WHERE x.professional_id = p.id AND x.starts_on <= $2::date AND s.status IN ('registered', 'suspended')" \
  "   ORDER BY x.number DESC LIMIT 1) r ON true" \
  " LEFT JOIN LATERAL (SELECT json_object_agg(h.category, h.hundredths) AS hours FROM (" \
  "   SELECT t.category, sum((a.hours * 100)::bigint)::bigint AS hundredths FROM development_activities a" \
  "   JOIN activity_types t ON t.type = a.type WHERE r.starts_on IS NOT NULL AND a.professional_id = p.id" \
  "   AND a.status = 'completed' AND a.completed_on BETWEEN r.starts_on AND r.ends_on" \
  "   GROUP BY t.category) h) g ON true" \
  " WHERE e.organisation_id = $1 AND e.state = 'confirmed' AND e.from_on <= $2::date" \
  "   AND (e.until_on IS NULL OR e.until_on >= $2::date) AND p.erased_at IS NULL"
#define PROGRESS_FACTS \
  " CASE WHEN r.starts_on IS NOT NULL THEN json_build_object('startsOn', r.starts_on, 'endsOn', r.ends_on," \
  " 'requirements', r.requirements, 'hours', coalesce(g.hours, '{}'::json)) END"

static const db_statement propose = {
    "emp_propose", "SELECT outcome, employment_json, employment_id"
                   " FROM kr_employment_propose($1::uuid, $2::uuid, $3::date, $4::date, $5::date, $6::uuid)"};
static const db_statement decide = {
    "emp_decide",
    "SELECT outcome, employment_json FROM kr_employment_decide($1::uuid, $2::uuid, $3::boolean, $4::uuid)"};
static const db_statement end_link = {
    "emp_end", "SELECT outcome, employment_json"
               " FROM kr_employment_end($1::uuid, $2::uuid, $3::uuid, $4::date, $5::date, $6::uuid, $7)"};
static const db_statement get_one = {
    "emp_get", "SELECT kr_employment_object(e, p, o), e.professional_id, e.organisation_id,"
               " e.state IN ('proposed', 'confirmed') AND p.erased_at IS NULL FROM employments e"
               " JOIN professionals p ON p.id = e.professional_id JOIN organisations o ON o.id = e.organisation_id"
               " WHERE e.id = $1"};
static const db_statement professional_page = {
    "emp_professional_page",
    OBJECT_FROM " WHERE e.professional_id = $1 AND ($2::text IS NULL OR e.state = $2)"
                AFTER_CURSOR("$3", "$4") " LIMIT $5"};
static const db_statement organisation_page = {
    "emp_organisation_page",
    OBJECT_FROM " WHERE e.organisation_id = $1 AND e.state IN ('proposed', 'confirmed') AND p.erased_at IS NULL"
                " AND ($2::text IS NULL OR e.state = $2)" AFTER_CURSOR("$3", "$4") " LIMIT $5"};
static const db_statement professionals_page = {
    "emp_professionals_page",
    "SELECT json_build_object('employmentId', e.id, 'registrationNumber', p.registration_number,"
    " 'givenName', p.given_name, 'familyName', p.family_name, 'from', e.from_on, 'until', e.until_on,"
    " 'status', s.status), kr_sort_key(e.proposed_at), e.id," PROGRESS_FACTS CURRENT_LINKS
    AFTER_CURSOR("$3", "$4") " LIMIT $5"};
static const db_statement workforce = {"emp_workforce", "SELECT s.status," PROGRESS_FACTS CURRENT_LINKS};
static const db_statement organisation_public = {
    "emp_organisation_public",
    "SELECT json_build_object('name', o.name, 'kvkNumber', o.kvk_number) FROM organisations o WHERE o.id = $1"};

const db_statement *const register_employment_statements[] = {
    &propose, &decide, &end_link, &get_one, &professional_page, &organisation_page, &professionals_page,
    &workforce, &organisation_public, NULL};

/* ---- pure rules ---------------------------------------------------------------------------- */

void register_workforce_suppress(const int64_t *counts, size_t n, bool *suppressed) {
  for (size_t i = 0; i < n; i++) suppressed[i] = counts[i] < WORKFORCE_MIN_COUNT;
  /* Outer before inner: suppressing an inner count never makes a pair checked before unsafe. */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (!suppressed[i] && !suppressed[j] && counts[i] - counts[j] < WORKFORCE_MIN_COUNT) suppressed[j] = true;
}

/* Whole years from `start` until `day` (inclusive of the anniversary), at most `limit`. */
static int whole_years(kr_date start, kr_date day, int limit) {
  int years = 0;
  while (years < limit && date_add_months(start, 12 * (years + 1)) <= day) years++;
  return years;
}

bool register_on_track(const reg_requirements *req, const reg_progress *g, kr_date start, kr_date end, kr_date on) {
  if (g->met) return true;
  int years = whole_years(start, end + 1, 100);
  if (years < 1) years = 1;
  int passed = whole_years(start, on, years);
  for (int c = 0; c < REGISTER_CATEGORIES; c++)
    if (g->credited[c] * years < req->minimum[c] * passed) return false;
  return g->total_credited * years >= req->total * passed;
}

/* ---- progress facts (CURRENT_LINKS' PROGRESS_FACTS) ---------------------------------------- */

typedef struct {
  kr_date start, end;
  bool met, on_track;
} link_progress;

static int64_t hundredths(const json_t *v) { return (int64_t)(json_number_value(v) * 100.0 + 0.5); }

/* Reads a period's facts and decides its progress on `today`; false when there are none (the
 * registration does not run) or they are not what the statement makes. */
static bool progress_of(const char *text, kr_date today, link_progress *out) {
  json_t *facts = text && *text ? json_loads(text, 0, NULL) : NULL;
  const json_t *req_json = json_object_get(facts, "requirements"), *hours = json_object_get(facts, "hours");
  bool ok = facts && date_parse(json_string_value(json_object_get(facts, "startsOn")), &out->start) &&
            date_parse(json_string_value(json_object_get(facts, "endsOn")), &out->end) && json_is_object(req_json);
  if (ok) {
    reg_requirements req;
    memset(&req, 0, sizeof req);
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(req_json, "categories"), i, c) {
      int k = register_category_index(json_string_value(json_object_get(c, "category")));
      if (k < 0) continue;
      req.minimum[k] = hundredths(json_object_get(c, "minimumHours"));
      req.has_cap[k] = json_is_number(json_object_get(c, "capHours"));
      req.cap[k] = req.has_cap[k] ? hundredths(json_object_get(c, "capHours")) : 0;
    }
    req.total = hundredths(json_object_get(req_json, "totalHours"));
    /* One activity per category with the category's hours: the caps apply to the sums alike. */
    reg_activity acts[REGISTER_CATEGORIES];
    for (int k = 0; k < REGISTER_CATEGORIES; k++)
      acts[k] = (reg_activity){k, true, out->start,
                               json_integer_value(json_object_get(hours, register_category_name(k)))};
    reg_progress g;
    register_progress(&req, acts, REGISTER_CATEGORIES, out->start, out->end, &g);
    out->met = g.met;
    out->on_track = register_on_track(&req, &g, out->start, out->end, today);
  }
  json_decref(facts);
  return ok;
}

/* ---- shared pieces ------------------------------------------------------------------------- */

/* The {organisationId} the caller may reach (admin: any; an organisation: its own), else NULL
 * after answering 400/404. */
static const char *organisation_param(http_ctx *ctx) {
  const char *id = http_uuid_param(ctx, "organisationId");
  if (id && ctx->caller.role != ROLE_ADMIN && strcmp(ctx->caller.link, id) != 0) {
    label_reply_error(ctx, KR_NOT_FOUND, no_organisation);
    return NULL;
  }
  return id;
}

/* ?limit=, ?cursor= and ?state= (one of `states`, or absent); false after answering 400. */
static bool list_params(http_ctx *ctx, const char *const *states, const char *message, int *limit, page_cursor *after,
                        const char **state) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "state", NULL})) return false;
  json_t *errors = field_errors_new();
  page_params(ctx, limit, after, errors);
  *state = http_query(ctx, "state");
  if (*state && !text_one_of(*state, states)) field_error(errors, "state", message);
  return !http_reply_if_invalid(ctx, errors);
}

/* Runs a page statement ($1 owner, $2 state or today, $3/$4 cursor, $5 rows) into *out. */
static kr_err fetch_page(db_conn *db, const db_statement *stmt, const char *owner, const char *second,
                         const page_cursor *after, int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *v[] = {owner, second, after->present ? after->key : NULL, after->present ? after->id : NULL, rows};
  return db_fetch_result(db, stmt, 5, v, out);
}

/* Answers a state change's (outcome, json) row: `changed`/`created` with the link, or the refusal. */
static void reply_outcome(http_ctx *ctx, kr_err e, PGresult *r, const char *conflict) {
  const char *outcome = e == KR_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
  if (e != KR_OK) label_reply_error(ctx, e, no_employment);
  else if (strcmp(outcome, "changed") == 0)
    http_reply_raw(ctx, 200, "application/json", PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
  else if (strcmp(outcome, "not_found") == 0) label_reply_error(ctx, KR_NOT_FOUND, no_employment);
  else if (strcmp(outcome, "conflict") == 0) http_reply_problem(ctx, KR_CONFLICT, conflict, NULL, NULL);
  else label_reply_error(ctx, KR_INTERNAL, NULL);
}

/* ---- the professional's side --------------------------------------------------------------- */

static const body_field propose_fields[] = {
    {"organisationId", FIELD_STRING, true, false, false},
    {"from", FIELD_STRING, true, false, false},
    {"until", FIELD_STRING, false, true, false},
    {"id", FIELD_STRING, false, false, true},
    {"professional", FIELD_OBJECT, false, false, true},
    {"organisation", FIELD_OBJECT, false, false, true},
    {"state", FIELD_STRING, false, false, true},
    {"proposedAt", FIELD_STRING, false, false, true},
    {"confirmedAt", FIELD_STRING, false, false, true},
    {"declinedAt", FIELD_STRING, false, false, true},
    {"endedAt", FIELD_STRING, false, false, true},
    {"endedBy", FIELD_STRING, false, false, true},
};

/* The proposal's members beyond their types: a UUID, dates in order, a start at most a year on. */
static void check_proposal(const json_t *body, json_t *errors, kr_date *from, kr_date *until, bool *has_until) {
  const char *org = body_string(body, "organisationId");
  if (org && !text_is_uuid(org)) field_error(errors, "organisationId", "must be a UUID");
  bool has_from = label_check_date(body, "from", false, errors, from);
  *has_until = label_check_date(body, "until", false, errors, until);
  if (has_from && date_add_months(date_today(), EMPLOYMENT_MAX_MONTHS_AHEAD) < *from)
    field_error(errors, "from", "must be at most a year after today");
  if (has_from && *has_until && *until < *from) field_error(errors, "until", "must not be before from");
}

void register_employment_propose_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, propose_fields, sizeof propose_fields / sizeof propose_fields[0], errors);
  kr_date from = 0, until = 0;
  bool has_until = false;
  check_proposal(body, errors, &from, &until, &has_until);
  const char *org = body_string(body, "organisationId");
  db_conn *db = http_db(ctx);
  bool exists = true;
  /* An unknown organisation is one more bad field, named with the others. */
  kr_err e = db && org && text_is_uuid(org) ? label_org_exists(db, org, &exists) : KR_OK;
  if (!exists) field_error(errors, "organisationId", "is not an organisation");
  if (label_checks_passed(ctx, db, e, errors)) {
    char first[11], last[11], today[11];
    date_format(from, first);
    date_format(until, last);
    date_format(date_today(), today);
    const char *v[] = {id, org, first, has_until ? last : NULL, today, ctx->caller.account_id};
    PGresult *r = NULL;
    e = db_fetch_result(db, &propose, 6, v, &r);
    const char *outcome = e == KR_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    if (e == KR_CONFLICT || strcmp(outcome, "conflict") == 0) {
      http_reply_problem(ctx, KR_CONFLICT, "A proposed or confirmed link with this organisation exists already.", NULL,
                         NULL);
    } else if (e != KR_OK) {
      label_reply_error(ctx, e, no_professional);
    } else if (strcmp(outcome, "created") == 0) {
      char location[96];
      snprintf(location, sizeof location, "/v1/employments/%s", PQgetvalue(r, 0, 2));
      http_set_header(ctx, "Location", location);
      http_reply_raw(ctx, 201, "application/json", PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1));
    } else if (strcmp(outcome, "not_found") == 0) {
      label_reply_error(ctx, KR_NOT_FOUND, no_professional);
    } else {
      /* Decided again under the lock: the organisation or the date changed meanwhile. */
      errors = field_errors_new();
      if (strcmp(outcome, "unknown_organisation") == 0) field_error(errors, "organisationId", "is not an organisation");
      else if (strcmp(outcome, "too_late") == 0) field_error(errors, "from", "must be at most a year after today");
      if (!http_reply_if_invalid(ctx, errors)) label_reply_error(ctx, KR_INTERNAL, NULL);
    }
    PQclear(r);
  }
  json_decref(body);
}

static const char *const all_states[] = {"proposed", "confirmed", "declined", "ended", NULL};
static const char *const open_states[] = {"proposed", "confirmed", NULL};

void register_employment_list_handler(http_ctx *ctx) {
  int limit;
  page_cursor after;
  const char *state;
  const char *id = register_professional_param(ctx);
  if (!id || !list_params(ctx, all_states, "must be proposed, confirmed, declined or ended", &limit, &after, &state))
    return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  char *exists = NULL;
  PGresult *page = NULL;
  kr_err e = register_fetch(db, REG_PRO_EXISTS, 1, (const char *[]){id}, &exists);
  free(exists);
  if (e == KR_OK) e = fetch_page(db, &professional_page, id, state, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, no_professional);
  PQclear(page);
}

void register_employment_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "employmentId");
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, &get_one, 1, (const char *[]){id}, &r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    /* The office sees every link; a party only its own, and an organisation none it declined,
     * that was ended (the consent is gone) or whose professional was erased. */
    bool open = PQgetvalue(r, 0, 3)[0] == 't';
    bool mine = ctx->caller.role == ROLE_ADMIN ||
                (ctx->caller.role == ROLE_PROFESSIONAL && strcmp(ctx->caller.link, PQgetvalue(r, 0, 1)) == 0) ||
                (ctx->caller.role == ROLE_ORGANISATION && strcmp(ctx->caller.link, PQgetvalue(r, 0, 2)) == 0 && open);
    if (!mine) e = KR_NOT_FOUND;
  }
  if (e == KR_OK) http_reply_raw(ctx, 200, "application/json", PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
  else label_reply_error(ctx, e, no_employment);
  PQclear(r);
}

void register_employment_end_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "employmentId");
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"until", FIELD_STRING, false, true, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 1, errors);
  kr_date until = 0;
  bool has_until = label_check_date(body, "until", false, errors, &until);
  db_conn *db = NULL;
  if (!http_reply_if_invalid(ctx, errors) && (db = http_db(ctx))) {
    char last[11], today[11];
    date_format(until, last);
    date_format(date_today(), today);
    role who = ctx->caller.role;
    const char *party = who == ROLE_PROFESSIONAL ? "professional" : who == ROLE_ORGANISATION ? "organisation" : "admin";
    const char *v[] = {id, who == ROLE_PROFESSIONAL ? ctx->caller.link : NULL,
                       who == ROLE_ORGANISATION ? ctx->caller.link : NULL, has_until ? last : NULL, today,
                       ctx->caller.account_id, party};
    PGresult *r = NULL;
    kr_err e = db_fetch_result(db, &end_link, 7, v, &r);
    if (e == KR_OK && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "bad_until") == 0) {
      errors = field_errors_new();
      field_error(errors, "until",
                  "must lie between the link's from date and today (its from date when it has not begun), "
                  "and not after its until date");
      http_reply_if_invalid(ctx, errors);
    } else {
      reply_outcome(ctx, e, r, "The link was declined or ended already.");
    }
    PQclear(r);
  }
  json_decref(body);
}

/* ---- the organisation's side --------------------------------------------------------------- */

void register_org_employment_list_handler(http_ctx *ctx) {
  int limit;
  page_cursor after;
  const char *state;
  const char *id = organisation_param(ctx);
  if (!id || !list_params(ctx, open_states, "must be proposed or confirmed", &limit, &after, &state)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  bool exists = false;
  PGresult *page = NULL;
  kr_err e = label_org_exists(db, id, &exists);
  if (e == KR_OK && !exists) e = KR_NOT_FOUND;
  if (e == KR_OK) e = fetch_page(db, &organisation_page, id, state, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, no_organisation);
  PQclear(page);
}

static void decide_link(http_ctx *ctx, bool confirm) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *org = organisation_param(ctx);
  const char *id = org ? http_uuid_param(ctx, "employmentId") : NULL;
  db_conn *db = id ? http_db(ctx) : NULL;
  if (!db) return;
  PGresult *r = NULL;
  const char *v[] = {id, org, confirm ? "true" : "false", ctx->caller.account_id};
  kr_err e = db_fetch_result(db, &decide, 4, v, &r);
  reply_outcome(ctx, e, r,
                confirm ? "Only a proposed link can be confirmed." : "Only a proposed link can be declined.");
  PQclear(r);
}

void register_employment_confirm_handler(http_ctx *ctx) { decide_link(ctx, true); }
void register_employment_decline_handler(http_ctx *ctx) { decide_link(ctx, false); }

/* The item of a linked professional: the row's object with its progress (or null). */
static bool add_professional(page_builder *b, const PGresult *r, int row, kr_date today) {
  json_t *item = json_loads(PQgetvalue(r, row, 0), 0, NULL);
  link_progress p;
  json_t *progress = json_null();
  if (progress_of(PQgetisnull(r, row, 3) ? NULL : PQgetvalue(r, row, 3), today, &p)) {
    char start[11], end[11];
    date_format(p.start, start);
    date_format(p.end, end);
    progress = json_pack("{s:s, s:s, s:b, s:b}", "periodStart", start, "periodEnd", end, "requirementsMet", p.met,
                         "onTrack", p.on_track);
  }
  char *text = item && progress && json_object_set_new(item, "progress", progress) == 0
                   ? json_dumps(item, JSON_COMPACT) : NULL;
  if (text) page_add(b, text, strlen(text));
  free(text);
  json_decref(item);
  return text != NULL;
}

void register_org_professionals_handler(http_ctx *ctx) {
  int limit;
  page_cursor after;
  const char *id = organisation_param(ctx);
  if (!id || !page_query_only(ctx, &limit, &after)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  bool exists = false;
  PGresult *page = NULL;
  kr_date today = date_today();
  char day[11];
  date_format(today, day);
  kr_err e = label_org_exists(db, id, &exists);
  if (e == KR_OK && !exists) e = KR_NOT_FOUND;
  if (e == KR_OK) e = fetch_page(db, &professionals_page, id, day, &after, limit, &page);
  if (e != KR_OK) {
    label_reply_error(ctx, e, no_organisation);
  } else {
    int rows = PQntuples(page), shown = rows > limit ? limit : rows;
    page_builder b;
    page_begin(&b);
    for (int i = 0; i < shown; i++) b.ok = add_professional(&b, page, i, today) && b.ok;
    char cursor[128];
    bool more = rows > limit && shown > 0;
    if (more) page_cursor_encode(PQgetvalue(page, shown - 1, 1), PQgetvalue(page, shown - 1, 2), cursor, sizeof cursor);
    page_finish(ctx, &b, more ? cursor : NULL);
  }
  PQclear(page);
}

/* ---- the public counts --------------------------------------------------------------------- */

static json_t *figure(int64_t count, bool suppressed) {
  return json_pack("{s:o, s:b}", "count", suppressed ? json_null() : json_integer(count), "suppressed", suppressed);
}

void register_org_workforce_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = http_uuid_param(ctx, "organisationId");
  const config *cfg = ctx->services->cfg;
  if (!id || !http_rate_limit(ctx, "workforce", cfg->register_rate_limit, cfg->register_rate_window)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  kr_date today = date_today();
  char day[11], *organisation = NULL;
  date_format(today, day);
  PGresult *r = NULL;
  kr_err e = db_fetch_text(db, &organisation_public, 1, (const char *[]){id}, &organisation);
  if (e == KR_OK) e = db_fetch_result(db, &workforce, 2, (const char *[]){id, day}, &r);
  if (e != KR_OK) {
    label_reply_error(ctx, e, no_organisation);
  } else {
    /* linked professionals, of them registered (today), of them on track */
    int64_t counts[3] = {PQntuples(r), 0, 0};
    for (int i = 0; i < PQntuples(r); i++) {
      link_progress p;
      if (strcmp(PQgetvalue(r, i, 0), "registered") != 0) continue;
      counts[1]++;
      if (progress_of(PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1), today, &p) && p.on_track) counts[2]++;
    }
    bool suppressed[3];
    register_workforce_suppress(counts, 3, suppressed);
    http_reply_json(ctx, 200,
                    json_pack("{s:o, s:s, s:o, s:o, s:o}", "organisation", json_loads(organisation, 0, NULL), "on", day,
                              "linkedProfessionals", figure(counts[0], suppressed[0]), "registered",
                              figure(counts[1], suppressed[1]), "onTrack", figure(counts[2], suppressed[2])));
  }
  free(organisation);
  PQclear(r);
}
