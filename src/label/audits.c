/* Audits: planned by the label office or the organisation, self-evaluated by the organisation,
 * scored by the assigned certifying body (or, for an intercollegial audit, entered on the peers'
 * behalf), and decided by the label office, whose grant issues the certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "http/idempotency.h"
#include "http/pagination.h"
#include "label/audit_store.h"
#include "label/certificate_store.h"
#include "label/framework_rules.h"
#include "label/handlers.h"
#include "label/notices.h"
#include "label/timeline.h"
#include "label/view.h"

static const char not_found[] = "There is no such audit.";
#define SCOPE_PARTS_MAX 50
#define SCOPE_PEOPLE_MAX 1000000 /* employees, business-critical volunteers */

static bool is_own_organisation(const http_ctx *ctx, const char *org) {
  return ctx->caller.role == ROLE_ORGANISATION && strcmp(ctx->caller.link, org) == 0;
}

/* Who may see an audit: the office, its organisation, and the certifiers of its body. */
static bool audit_visible(const http_ctx *ctx, const audit_facts *a) {
  return ctx->caller.role == ROLE_ADMIN || is_own_organisation(ctx, a->organisation_id) ||
         (ctx->caller.role == ROLE_CERTIFIER && strcmp(ctx->caller.link, a->body_id) == 0);
}

/* Loads the {auditId} audit for the caller: false after answering 400/404/503. */
static bool load_audit(http_ctx *ctx, db_conn *db, bool lock, audit_facts *a) {
  const char *id = http_uuid_param(ctx, "auditId");
  if (!id) return false;
  kr_err e = label_audit_facts(db, id, lock, a);
  if (e == KR_OK && !audit_visible(ctx, a)) e = KR_NOT_FOUND;
  if (e != KR_OK) label_reply_error(ctx, e, not_found);
  return e == KR_OK;
}

static bool decided(const audit_facts *a) {
  return text_one_of(a->status, (const char *const[]){"granted", "refused", "cancelled", NULL});
}

/* ---- planning ----------------------------------------------------------------------------- */
static const body_field audit_fields[] = {
    {"organisationId", FIELD_STRING, true, false, false},
    {"certifyingBodyId", FIELD_STRING, false, true, false},
    {"kind", FIELD_STRING, true, false, false},
    {"type", FIELD_STRING, true, false, false},
    {"frameworkVersion", FIELD_STRING, true, false, false},
    {"plannedOn", FIELD_STRING, true, false, false},
    {"scope", FIELD_OBJECT, true, false, false},
    {"id", FIELD_STRING, false, false, true},
    {"status", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
};

static void check_scope(const json_t *scope, bool volunteers_in_scope, json_t *errors) {
  static const body_field fields[] = {
      {"wholeOrganisation", FIELD_BOOLEAN, true, false, false},
      {"parts", FIELD_ARRAY, false, false, false},
      {"employees", FIELD_INTEGER, true, false, false},
      {"businessCriticalVolunteers", FIELD_INTEGER, false, false, false}, /* default 0 */
  };
  json_t *inner = field_errors_new();
  body_check(scope, fields, 4, inner);
  const json_t *parts = json_object_get(scope, "parts");
  bool whole = json_is_true(json_object_get(scope, "wholeOrganisation"));
  if (json_is_boolean(json_object_get(scope, "wholeOrganisation"))) {
    if (!whole && json_array_size(parts) == 0)
      field_error(inner, "parts", "must name the parts audited when wholeOrganisation is false");
    if (whole && json_array_size(parts) > 0)
      field_error(inner, "parts", "must be empty when the whole organisation is audited");
  }
  if (json_array_size(parts) > SCOPE_PARTS_MAX) field_error(inner, "parts", "may hold at most 50 names");
  else body_check_string_items(parts, "parts", 1, 200, "names", inner);
  json_int_t employees = json_integer_value(json_object_get(scope, "employees"));
  if (employees < 0 || employees > SCOPE_PEOPLE_MAX) field_error(inner, "employees", "must be 0 to 1000000");
  json_int_t critical = json_integer_value(json_object_get(scope, "businessCriticalVolunteers"));
  if (critical < 0 || critical > SCOPE_PEOPLE_MAX)
    field_error(inner, "businessCriticalVolunteers", "must be 0 to 1000000");
  else if (critical > 0 && !volunteers_in_scope)
    field_error(inner, "businessCriticalVolunteers",
                "must be 0: this framework version has no volunteers in scope");
  /* Name them as members of scope. */
  size_t i;
  const json_t *e;
  char field[96];
  json_array_foreach(inner, i, e) {
    snprintf(field, sizeof field, "scope.%s", json_string_value(json_object_get(e, "field")));
    field_error(errors, field, json_string_value(json_object_get(e, "message")));
  }
  json_decref(inner);
}

/* The checks that need the database: the organisation, the body, and the framework's window. */
static kr_err check_references(db_conn *db, const json_t *body, json_t *errors) {
  const char *org = body_string(body, "organisationId");
  const char *cb = body_string(body, "certifyingBodyId");
  const char *version = body_string(body, "frameworkVersion");
  kr_date planned = 0;
  bool has_planned = date_parse(body_string(body, "plannedOn"), &planned);
  bool exists = false;
  kr_err e = KR_OK;
  if (org && text_is_uuid(org)) {
    e = label_org_exists(db, org, &exists);
    if (e == KR_OK && !exists) field_error(errors, "organisationId", "names no organisation");
  }
  if (e == KR_OK && cb && text_is_uuid(cb)) {
    char *json = NULL;
    e = label_body_get(db, cb, &json);
    free(json);
    if (e == KR_NOT_FOUND) {
      field_error(errors, "certifyingBodyId", "names no certifying body");
      e = KR_OK;
    }
  }
  framework_facts fw;
  if (version && !label_version_valid(version)) {
    field_error(errors, "frameworkVersion", "must be 1 to 32 letters, digits, . _ -");
  } else if (e == KR_OK && version) {
    e = label_framework_facts(db, version, &fw);
    if (e == KR_NOT_FOUND) {
      field_error(errors, "frameworkVersion", "is not a framework version");
      e = KR_OK;
    } else if (e == KR_OK) {
      const json_t *scope = json_object_get(body, "scope");
      if (json_is_object(scope)) check_scope(scope, fw.volunteers_in_scope, errors);
      bool started = false;
      if (has_planned && org && text_is_uuid(org))
        e = label_audit_started_before(db, org, version, body_string(body, "plannedOn"), &started);
      framework_openness open = label_framework_open_on(&fw.window, planned, started);
      if (e == KR_OK && has_planned && open != FRAMEWORK_OPEN)
        field_error(errors, "frameworkVersion", label_framework_refusal(open));
    }
  }
  return e;
}

void label_audit_create_handler(http_ctx *ctx) {
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  body_check(body, audit_fields, sizeof audit_fields / sizeof audit_fields[0], errors);
  const char *org = body_string(body, "organisationId");
  const char *kind = body_string(body, "kind");
  const char *cb = body_string(body, "certifyingBodyId");
  if (org && !text_is_uuid(org)) field_error(errors, "organisationId", "must be a UUID");
  if (cb && !text_is_uuid(cb)) field_error(errors, "certifyingBodyId", "must be a UUID");
  if (kind && !text_one_of(kind, (const char *const[]){"external", "intercollegial", "combined", NULL}))
    field_error(errors, "kind", "must be external, intercollegial or combined");
  else if (kind && strcmp(kind, "intercollegial") == 0 && cb)
    field_error(errors, "certifyingBodyId", "must be absent for an intercollegial audit");
  else if (kind && strcmp(kind, "intercollegial") != 0 && !cb)
    field_error(errors, "certifyingBodyId", "is required for an external or combined audit");
  const char *type = body_string(body, "type");
  if (type && !text_one_of(type, (const char *const[]){"initial", "recertification", NULL}))
    field_error(errors, "type", "must be initial or recertification");
  kr_date planned;
  label_check_date(body, "plannedOn", false, errors, &planned);
  if (ctx->caller.role == ROLE_ORGANISATION && org && !is_own_organisation(ctx, org)) {
    json_decref(errors);
    json_decref(body);
    http_reply_problem(ctx, KR_FORBIDDEN, "An organisation plans audits of its own only.", NULL, NULL);
    return;
  }
  db_conn *db = http_db(ctx);
  kr_err e = db ? check_references(db, body, errors) : KR_UNAVAILABLE;
  if (label_checks_passed(ctx, db, e, errors)) {
    char *text = json_dumps(body, JSON_COMPACT), *json = NULL, id[37] = "";
    e = text ? label_audit_create(db, text, ctx->caller.account_id, &json, id) : KR_INTERNAL;
    free(text);
    label_reply_created(ctx, e, json, "/v1/audits", id, not_found);
  }
  json_decref(body);
}

void label_audit_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "status", "organisationId", NULL})) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *status = http_query(ctx, "status"), *org = http_query(ctx, "organisationId");
  if (status && !text_one_of(status, (const char *const[]){"planned", "outcome_submitted", "granted", "refused",
                                                      "cancelled", NULL}))
    field_error(errors, "status", "must be planned, outcome_submitted, granted, refused or cancelled");
  if (org && !text_is_uuid(org)) field_error(errors, "organisationId", "must be a UUID");
  if (http_reply_if_invalid(ctx, errors)) return;
  db_conn *db = http_db(ctx);
  if (!db) return;
  const char *only_org = ctx->caller.role == ROLE_ORGANISATION ? ctx->caller.link : NULL;
  const char *only_body = ctx->caller.role == ROLE_CERTIFIER ? ctx->caller.link : NULL;
  PGresult *page = NULL;
  kr_err e = label_audit_page(db, only_org, only_body, status, org, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

void label_audit_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  audit_facts a;
  if (!db || !load_audit(ctx, db, false, &a)) return;
  char *json = NULL;
  kr_err e = label_audit_get(db, a.id, &json);
  label_reply_result(ctx, e, json, not_found);
}

void label_audit_cancel_handler(http_ctx *ctx) {
  db_conn *db = http_db(ctx);
  audit_facts a;
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"reason", FIELD_STRING, true, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 1, errors);
  label_check_text(body, "reason", 1, 2000, errors);
  kr_err e = db_begin(db);
  if (e != KR_OK) {
    json_decref(errors);
    label_reply_error(ctx, e, NULL);
  } else if (!load_audit(ctx, db, true, &a)) {
    json_decref(errors);
  } else if (ctx->caller.role == ROLE_CERTIFIER) {
    json_decref(errors);
    http_reply_problem(ctx, KR_FORBIDDEN, "Certifying bodies do not cancel audits.", NULL, NULL);
  } else if (!http_reply_if_invalid(ctx, errors)) {
    char *json = NULL;
    if (strcmp(a.status, "planned") != 0) {
      http_reply_problem(ctx, KR_CONFLICT, "Only a planned audit can be cancelled.", NULL, NULL);
    } else if ((e = label_audit_cancel(db, a.id, body_string(body, "reason"), &json)) == KR_OK &&
               (e = db_commit(db)) == KR_OK) {
      label_reply_json_text(ctx, 200, json);
      json = NULL;
    } else {
      label_reply_error(ctx, e, not_found);
    }
    free(json);
  }
  db_rollback(db);
  json_decref(body);
}

/* ---- scores ------------------------------------------------------------------------------- */
/* Residents' voice cited as evidence must be of a municipality the organisation serves: adds a
 * field error naming each citation that is not. */
static kr_err check_evidence(db_conn *db, const audit_facts *a, const json_t *scores, json_t *errors) {
  json_t *citations = label_score_citations(scores);
  kr_err e = KR_OK;
  if (json_array_size(citations) > 0) {
    char *text = json_dumps(citations, JSON_COMPACT), message[160];
    PGresult *bad = NULL;
    e = text ? label_evidence_problems(db, a->organisation_id, text, &bad) : KR_INTERNAL;
    for (int i = 0; e == KR_OK && i < PQntuples(bad); i++) {
      bool unknown = PQgetvalue(bad, i, 2)[0] == 't';
      snprintf(message, sizeof message, unknown ? "%s names no listening session or recommendation"
                                                : "%s is of a municipality the organisation does not serve",
               PQgetvalue(bad, i, 1));
      field_error(errors, PQgetvalue(bad, i, 0), message);
    }
    PQclear(bad);
    free(text);
  }
  json_decref(citations);
  return e;
}

void label_self_put_handler(http_ctx *ctx) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  audit_facts a;
  const framework_rules *fw = NULL;
  kr_err e = db_begin(db);
  if (e != KR_OK) label_reply_error(ctx, e, NULL);
  else if (!load_audit(ctx, db, true, &a)) { /* answered */ }
  else if (!is_own_organisation(ctx, a.organisation_id))
    label_reply_error(ctx, KR_NOT_FOUND, not_found);
  else if (decided(&a))
    http_reply_problem(ctx, KR_CONFLICT, "The audit is decided or cancelled.", NULL, NULL);
  else if ((e = label_framework_rules(db, a.framework, &fw)) != KR_OK)
    label_reply_error(ctx, e, not_found);
  else {
    static const body_field fields[] = {{"status", FIELD_STRING, true, false, false},
                                        {"scores", FIELD_ARRAY, true, false, false},
                                        {"auditId", FIELD_STRING, false, false, true},
                                        {"updatedAt", FIELD_STRING, false, false, true},
                                        {"submittedAt", FIELD_STRING, false, false, true}};
    json_t *errors = field_errors_new();
    body_check(body, fields, 5, errors);
    const char *status = body_string(body, "status");
    if (status && !text_one_of(status, (const char *const[]){"draft", "submitted", NULL}))
      field_error(errors, "status", "must be draft or submitted");
    score_counts counts;
    const json_t *scores = json_object_get(body, "scores");
    if (json_is_array(scores)) {
      label_check_scores(scores, fw->codes, fw->code_count, status && strcmp(status, "submitted") == 0,
                         (const char *const[]){"note", NULL}, NULL, errors, &counts);
      e = check_evidence(db, &a, scores, errors);
    }
    if (e != KR_OK) {
      json_decref(errors);
      label_reply_error(ctx, e, not_found);
    } else if (!http_reply_if_invalid(ctx, errors)) {
      char *text = json_dumps(scores, JSON_COMPACT), *json = NULL;
      e = text ? label_self_evaluation_put(db, a.id, status, text, &json) : KR_INTERNAL;
      free(text);
      if (e == KR_OK) e = db_commit(db);
      if (e == KR_OK) label_reply_json_text(ctx, 200, json);
      else {
        free(json);
        if (e == KR_CONFLICT)
          http_reply_problem(ctx, KR_CONFLICT, "The self-evaluation is submitted and final.", NULL, NULL);
        else label_reply_error(ctx, e, not_found);
      }
    }
  }
  db_rollback(db);
  json_decref(body);
}

void label_self_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  audit_facts a;
  if (!db || !load_audit(ctx, db, false, &a)) return;
  char *json = NULL;
  kr_err e = label_self_evaluation_get(db, a.id, &json);
  label_reply_result(ctx, e, json, "There is no self-evaluation for this audit yet.");
}

static const body_field outcome_fields[] = {
    {"auditedOn", FIELD_STRING, true, false, false},
    {"auditors", FIELD_ARRAY, true, false, false},
    {"advice", FIELD_STRING, true, false, false},
    {"reportReference", FIELD_STRING, true, false, false},
    {"learningReport", FIELD_STRING, false, true, false},
    {"scores", FIELD_ARRAY, true, false, false},
    {"auditId", FIELD_STRING, false, false, true},
    {"counts", FIELD_OBJECT, false, false, true},
    {"meetsThreshold", FIELD_BOOLEAN, false, false, true},
    {"submittedAt", FIELD_STRING, false, false, true},
    {"updatedAt", FIELD_STRING, false, false, true},
};

/* Who may enter the outcome: the assigned body's certifiers, or for an intercollegial audit the
 * organisation itself and the office on the peers' behalf. */
static bool may_enter_outcome(const http_ctx *ctx, const audit_facts *a) {
  if (strcmp(a->kind, "intercollegial") == 0)
    return ctx->caller.role == ROLE_ADMIN || is_own_organisation(ctx, a->organisation_id);
  return ctx->caller.role == ROLE_CERTIFIER && strcmp(ctx->caller.link, a->body_id) == 0;
}

/* Validates and stores the outcome inside the open transaction; answers either way. */
static void store_outcome(http_ctx *ctx, db_conn *db, const audit_facts *a, const json_t *body) {
  json_t *errors = field_errors_new();
  body_check(body, outcome_fields, sizeof outcome_fields / sizeof outcome_fields[0], errors);
  kr_date audited = 0;
  bool has_date = label_check_date(body, "auditedOn", false, errors, &audited);
  if (has_date && audited > date_today()) field_error(errors, "auditedOn", "may not be in the future");
  const json_t *auditors = json_object_get(body, "auditors");
  if (json_is_array(auditors) && (json_array_size(auditors) < 1 || json_array_size(auditors) > 10))
    field_error(errors, "auditors", "must name 1 to 10 auditors");
  body_check_string_items(auditors, "auditors", 1, 200, "names", errors);
  const char *advice = body_string(body, "advice");
  if (advice && !text_one_of(advice, (const char *const[]){"positive", "negative", NULL}))
    field_error(errors, "advice", "must be positive or negative");
  label_check_text(body, "reportReference", 1, 200, errors);
  label_check_text(body, "learningReport", 1, BODY_MAX_STRING, errors);
  bool intercollegial = strcmp(a->kind, "intercollegial") == 0;
  const json_t *report = json_object_get(body, "learningReport");
  if (report && !json_is_null(report) && !intercollegial)
    field_error(errors, "learningReport", "belongs to an intercollegial audit only");
  kr_err e = KR_OK;
  if (has_date && !intercollegial && audited <= date_today()) {
    bool covered = false;
    e = label_agreement_covers(db, a->body_id, body_string(body, "auditedOn"), &covered);
    if (e == KR_OK && !covered)
      field_error(errors, "auditedOn", "no framework agreement of the certifying body covers this date");
  }
  const framework_rules *fw = NULL;
  score_counts counts = {0, 0, 0};
  if (e == KR_OK) e = label_framework_rules(db, a->framework, &fw);
  if (e == KR_OK && json_is_array(json_object_get(body, "scores"))) {
    label_check_scores(json_object_get(body, "scores"), fw->codes, fw->code_count, true,
                       (const char *const[]){"finding", NULL}, "finding", errors, &counts);
    e = check_evidence(db, a, json_object_get(body, "scores"), errors);
  }
  if (e != KR_OK) {
    json_decref(errors);
    label_reply_error(ctx, e, not_found);
  } else if (!http_reply_if_invalid(ctx, errors)) {
    char *text = http_body_text(ctx), *json = NULL;
    bool meets = label_meets_threshold(counts, fw->facts.max_partially_met, fw->facts.max_not_met);
    e = text ? label_outcome_put(db, a->id, text, counts, meets, ctx->caller.account_id, &json) : KR_INTERNAL;
    if (e == KR_OK) e = label_notice_outcome(db, ctx->services->cfg, a->id);
    free(text);
    if (e == KR_OK) label_reply_json_text(ctx, 200, json);
    else {
      free(json);
      label_reply_error(ctx, e, not_found);
    }
  }
}

void label_outcome_put_handler(http_ctx *ctx) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  idem_state st;
  audit_facts a;
  if (!idem_begin(ctx, db, &st)) {
    json_decref(body);
    return;
  }
  if (!load_audit(ctx, db, true, &a)) {
    /* answered */
  } else if (!may_enter_outcome(ctx, &a)) {
    http_reply_problem(ctx, KR_FORBIDDEN,
                       strcmp(a.kind, "intercollegial") == 0
                           ? "The organisation or the label office enters an intercollegial outcome."
                           : "Only the assigned certifying body submits this outcome.",
                       NULL, NULL);
  } else if (decided(&a)) {
    http_reply_problem(ctx, KR_CONFLICT, "The audit is decided or cancelled: its outcome is frozen.", NULL, NULL);
  } else {
    store_outcome(ctx, db, &a, body);
  }
  idem_finish(ctx, db, &st, ctx->status < 500);
  json_decref(body);
}

void label_outcome_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  audit_facts a;
  if (!db || !load_audit(ctx, db, false, &a)) return;
  char *json = NULL;
  kr_err e = label_outcome_get(db, a.id, &json);
  label_reply_result(ctx, e, json, "There is no outcome for this audit yet.");
}

/* ---- decision ----------------------------------------------------------------------------- */
/* Why a grant is refused (static), or NULL. */
static const char *grant_refusal(db_conn *db, const audit_facts *a, kr_err *e) {
  if (strcmp(a->kind, "intercollegial") == 0) return "An intercollegial audit never leads to a certificate.";
  bool positive = false, meets = false;
  *e = label_outcome_verdict(db, a->id, &positive, &meets);
  if (*e != KR_OK) return NULL;
  if (!positive) return "The certifying body's advice is negative.";
  if (!meets) return "The outcome does not meet the framework's thresholds.";
  return NULL;
}

static kr_err decide(http_ctx *ctx, db_conn *db, const audit_facts *a, bool granted, const char *note,
                     char **json) {
  kr_date today = date_today();
  char today_text[11], from_text[11], until_text[11], previous[32] = "";
  date_format(today, today_text);
  kr_err e = KR_OK;
  if (granted) {
    framework_facts fw;
    bool runs = false;
    kr_date prev_until = 0;
    /* Grants for one organisation go one at a time: each sees the certificate the last issued. */
    e = label_organisation_lock(db, a->organisation_id);
    if (e == KR_OK) e = label_framework_facts(db, a->framework, &fw);
    if (e == KR_OK) e = label_running_certificate(db, a->organisation_id, today, &runs, &prev_until, previous);
    kr_date from = label_certificate_start(today, runs, prev_until);
    date_format(from, from_text);
    date_format(label_certificate_valid_until(from, fw.term_months), until_text);
    if (!runs) previous[0] = '\0';
  }
  if (e == KR_OK)
    e = label_decide(db, a->id, granted, note, today_text, ctx->caller.account_id,
                     granted ? from_text : NULL, granted ? until_text : NULL,
                     previous[0] ? previous : NULL, json);
  if (e == KR_OK && granted) e = label_statuses_derive(db, a->organisation_id);
  return e;
}

void label_decision_handler(http_ctx *ctx) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"granted", FIELD_BOOLEAN, true, false, false},
                                      {"note", FIELD_STRING, true, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 2, errors);
  label_check_text(body, "note", 1, 2000, errors);
  audit_facts a;
  kr_err e = KR_OK;
  const char *refusal = NULL;
  bool granted = json_is_true(json_object_get(body, "granted"));
  if (http_reply_if_invalid(ctx, errors)) {
    /* answered */
  } else if ((e = db_begin(db)) != KR_OK) {
    label_reply_error(ctx, e, NULL);
  } else if (!load_audit(ctx, db, true, &a)) {
    /* answered */
  } else if (strcmp(a.status, "outcome_submitted") != 0) {
    http_reply_problem(ctx, KR_CONFLICT,
                       strcmp(a.status, "planned") == 0 ? "The audit has no outcome yet."
                                                        : "The audit is decided or cancelled already.",
                       NULL, NULL);
  } else if (granted && ((refusal = grant_refusal(db, &a, &e)) || e != KR_OK)) {
    if (refusal) http_reply_problem(ctx, KR_CONFLICT, refusal, NULL, NULL);
    else label_reply_error(ctx, e, not_found);
  } else {
    char *json = NULL;
    e = decide(ctx, db, &a, granted, body_string(body, "note"), &json);
    if (e == KR_OK) e = label_notice_decided(db, a.id);
    if (e == KR_OK) e = db_commit(db);
    if (e == KR_OK) label_reply_json_text(ctx, 201, json);
    else {
      free(json);
      label_reply_error(ctx, e, not_found);
    }
  }
  db_rollback(db);
  json_decref(body);
}
