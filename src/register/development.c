/* A professional's development plan and activities, with evidence files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"
#include "label/view.h"
#include "register/handlers.h"
#include "register/quota.h"
#include "register/view.h"

#define MAX_GOALS 50
#define MAX_EVIDENCE 5
#define MAX_COMPETENCE_CODES 50 /* per goal or activity */
#define ACTIVITY_TYPE_MAX 32    /* longer is no activity type: not looked up */

static const char activity_missing[] = "There is no such development activity.";

/* The professional must exist (the caller may reach it already): 404 otherwise. */
static db_conn *own_db(http_ctx *ctx, const char *id) {
  db_conn *db = http_db(ctx);
  char *json = NULL;
  kr_err e = db ? register_fetch(db, REG_PRO_EXISTS, 1, (const char *[]){id}, &json) : KR_UNAVAILABLE;
  free(json);
  if (db && e != KR_OK) {
    label_reply_error(ctx, e, "There is no such professional.");
    return NULL;
  }
  return db;
}

/* Names each item of `codes` (a JSON array) that is not a competence code as field[j], or the
 * list when it is too long; when all are codes, names each that does not exist. */
static kr_err check_competences(db_conn *db, const json_t *codes, const char *field, json_t *errors) {
  if (!json_is_array(codes) || json_array_size(codes) == 0) return KR_OK;
  if (json_array_size(codes) > MAX_COMPETENCE_CODES) {
    field_error(errors, field, "may hold at most 50 competence codes");
    return KR_OK;
  }
  size_t j;
  const json_t *c;
  char name[96];
  bool all_codes = true;
  json_array_foreach(codes, j, c) {
    if (!register_competence_code_valid(json_string_value(c))) {
      snprintf(name, sizeof name, "%s[%zu]", field, j);
      field_error(errors, name, "must be a competence code: 1 to 16 capitals, digits or -");
      all_codes = false;
    }
  }
  if (!all_codes) return KR_OK;
  char *text = json_dumps(codes, JSON_COMPACT), *unknown = NULL;
  kr_err e = text ? register_fetch(db, REG_COMPETENCE_UNKNOWN, 1, (const char *[]){text}, &unknown) : KR_INTERNAL;
  json_t *list = e == KR_OK ? json_loads(unknown, 0, NULL) : NULL;
  json_array_foreach(codes, j, c) {
    size_t k;
    const json_t *u;
    json_array_foreach(list, k, u) {
      if (!json_equal(c, u)) continue;
      snprintf(name, sizeof name, "%s[%zu]", field, j);
      field_error(errors, name, "is not a known competence code");
      break;
    }
  }
  json_decref(list);
  free(text);
  free(unknown);
  return e;
}

void register_plan_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  db_conn *db = id ? own_db(ctx, id) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = register_fetch(db, REG_PLAN_GET, 1, (const char *[]){id}, &json);
  label_reply_result(ctx, e, json, NULL);
}

void register_plan_put_handler(http_ctx *ctx) {
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  static const body_field fields[] = {{"goals", FIELD_ARRAY, true, false, false},
                                      {"updatedAt", FIELD_STRING, false, true, true}};
  static const body_field goal_fields[] = {{"title", FIELD_STRING, true, false, false},
                                           {"description", FIELD_STRING, false, false, false},
                                           {"targetDate", FIELD_STRING, true, false, false},
                                           {"competenceCodes", FIELD_ARRAY, true, false, false}};
  json_t *errors = field_errors_new();
  body_check(body, fields, 2, errors);
  const json_t *goals = json_object_get(body, "goals");
  if (json_array_size(goals) > MAX_GOALS) field_error(errors, "goals", "may hold at most 50 goals");
  db_conn *db = own_db(ctx, id);
  kr_err e = KR_OK;
  size_t i;
  const json_t *g;
  char prefix[48], name[96];
  json_array_foreach(goals, i, g) {
    snprintf(prefix, sizeof prefix, "goals[%zu]", i);
    if (!json_is_object(g)) {
      field_error(errors, prefix, "must be an object");
      continue;
    }
    json_t *inner = field_errors_new();
    body_check(g, goal_fields, 4, inner);
    label_check_text(g, "title", 1, 200, inner);
    label_check_text(g, "description", 0, 4000, inner);
    kr_date target;
    label_check_date(g, "targetDate", false, inner, &target);
    size_t k;
    const json_t *err;
    json_array_foreach(inner, k, err) {
      snprintf(name, sizeof name, "%s.%.40s", prefix, json_string_value(json_object_get(err, "field")));
      field_error(errors, name, json_string_value(json_object_get(err, "message")));
    }
    json_decref(inner);
    snprintf(name, sizeof name, "%s.competenceCodes", prefix);
    if (db && e == KR_OK) e = check_competences(db, json_object_get(g, "competenceCodes"), name, errors);
  }
  if (label_checks_passed(ctx, db, e, errors)) {
    char *text = json_dumps(goals, JSON_COMPACT), *json = NULL;
    e = text ? register_fetch(db, REG_PLAN_PUT, 2, (const char *[]){id, text}, &json) : KR_INTERNAL;
    free(text);
    label_reply_result(ctx, e, json, NULL);
  }
  json_decref(body);
}

/* ---- activities --------------------------------------------------------------------------- */
static const body_field activity_fields[] = {
    {"type", FIELD_STRING, true, false, false},        {"title", FIELD_STRING, true, false, false},
    {"provider", FIELD_STRING, false, true, false},    {"startedOn", FIELD_STRING, true, false, false},
    {"completedOn", FIELD_STRING, false, true, false}, {"hours", FIELD_NUMBER, true, false, false},
    {"competenceCodes", FIELD_ARRAY, false, false, false}, {"reflection", FIELD_STRING, false, true, false},
    {"supervisedBy", FIELD_STRING, false, true, false}, {"status", FIELD_STRING, true, false, false},
    {"id", FIELD_STRING, false, false, true},          {"category", FIELD_STRING, false, false, true},
    {"evidence", FIELD_ARRAY, false, false, true},     {"createdAt", FIELD_STRING, false, false, true},
    {"updatedAt", FIELD_STRING, false, false, true},
};

/* Validates an activity body in full; the derived category goes to *category. */
static kr_err check_activity(db_conn *db, const json_t *body, json_t *errors) {
  body_check(body, activity_fields, sizeof activity_fields / sizeof activity_fields[0], errors);
  label_check_text(body, "title", 1, 200, errors);
  label_check_text(body, "provider", 1, 200, errors);
  label_check_text(body, "reflection", 1, 10000, errors);
  label_check_text(body, "supervisedBy", 1, 200, errors);
  const json_t *hours = json_object_get(body, "hours");
  int64_t hundredths;
  if (json_is_number(hours) && !register_hours_parse(json_number_value(hours), 1000, &hundredths))
    field_error(errors, "hours", "must be a positive number of at most 1000 with at most two decimals");
  kr_date started = 0, completed = 0;
  bool has_start = label_check_date(body, "startedOn", false, errors, &started);
  bool has_done = label_check_date(body, "completedOn", false, errors, &completed);
  const char *status = body_string(body, "status");
  bool is_completed = status && strcmp(status, "completed") == 0;
  if (status && !is_completed && strcmp(status, "planned") != 0 && strcmp(status, "in_progress") != 0)
    field_error(errors, "status", "must be planned, in_progress or completed");
  if (is_completed && !has_done && !json_is_string(json_object_get(body, "completedOn")))
    field_error(errors, "completedOn", "is required for a completed activity");
  if (status && !is_completed && has_done) field_error(errors, "completedOn", "belongs to a completed activity only");
  if (has_start && has_done && completed < started) field_error(errors, "completedOn", "is before startedOn");
  if (is_completed && has_done && completed > date_today()) field_error(errors, "completedOn", "may not be in the future");
  const char *type = body_string(body, "type");
  char *category = NULL;
  kr_err e = type && strlen(type) > ACTIVITY_TYPE_MAX ? KR_NOT_FOUND
             : type ? register_fetch(db, REG_ACTIVITY_CATEGORY, 1, (const char *[]){type}, &category)
                    : KR_OK;
  if (e == KR_NOT_FOUND) {
    field_error(errors, "type", "is not an activity type");
    e = KR_OK;
  }
  if (e == KR_OK && category && strcmp(category, "reflection") == 0 && is_completed &&
      !json_is_string(json_object_get(body, "supervisedBy")))
    field_error(errors, "supervisedBy", "names who supervised or co-signed a completed reflection activity");
  free(category);
  if (e == KR_OK) e = check_competences(db, json_object_get(body, "competenceCodes"), "competenceCodes", errors);
  return e;
}

static void write_activity(http_ctx *ctx, const char *activity) {
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  json_t *errors = field_errors_new();
  db_conn *db = own_db(ctx, id);
  kr_err e = db ? check_activity(db, body, errors) : KR_UNAVAILABLE;
  if (label_checks_passed(ctx, db, e, errors)) {
    char *text = json_dumps(body, JSON_COMPACT), *json = NULL, made[37] = "", collection[96];
    if (activity) {
      e = text ? register_fetch(db, REG_ACTIVITY_UPDATE, 3, (const char *[]){activity, id, text}, &json) : KR_INTERNAL;
      label_reply_result(ctx, e, json, activity_missing);
    } else {
      /* Counted and inserted under the professional's quota lock. */
      e = text ? db_begin(db) : KR_INTERNAL;
      if (e == KR_OK && !register_quota_activity(ctx, db, id, body_string(body, "startedOn"))) {
        db_rollback(db);
      } else {
        if (e == KR_OK)
          e = db_fetch_text_and_id(db, register_statement(REG_ACTIVITY_INSERT), 2, (const char *[]){id, text}, &json, made);
        if (e == KR_OK) e = db_commit(db);
        else db_rollback(db);
        snprintf(collection, sizeof collection, "/v1/professionals/%s/development-activities", id);
        label_reply_created(ctx, e, json, collection, made, activity_missing);
      }
    }
    free(text);
  }
  json_decref(body);
}

void register_activity_create_handler(http_ctx *ctx) { write_activity(ctx, NULL); }

void register_activity_replace_handler(http_ctx *ctx) {
  const char *activity = http_uuid_param(ctx, "activityId");
  if (activity) write_activity(ctx, activity);
}

void register_activity_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  const char *activity = id ? http_uuid_param(ctx, "activityId") : NULL;
  db_conn *db = activity ? http_db(ctx) : NULL;
  if (!db) return;
  char *json = NULL;
  kr_err e = register_fetch(db, REG_ACTIVITY_GET, 2, (const char *[]){activity, id}, &json);
  label_reply_result(ctx, e, json, activity_missing);
}

void register_activity_delete_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  const char *id = register_professional_param(ctx);
  const char *activity = id ? http_uuid_param(ctx, "activityId") : NULL;
  db_conn *db = activity ? http_db(ctx) : NULL;
  if (!db) return;
  char *gone = NULL;
  /* Its evidence goes with it (ON DELETE CASCADE), in the same statement. */
  kr_err e = register_fetch(db, REG_ACTIVITY_DELETE, 2, (const char *[]){activity, id}, &gone);
  free(gone);
  if (e == KR_OK) http_reply_empty(ctx, 204);
  else label_reply_error(ctx, e, activity_missing);
}

void register_activity_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"limit", "cursor", "period", "category", "type", "status", NULL}))
    return;
  const char *id = register_professional_param(ctx);
  if (!id) return;
  json_t *errors = field_errors_new();
  int limit;
  page_cursor after;
  page_params(ctx, &limit, &after, errors);
  const char *period = http_query(ctx, "period"), *category = http_query(ctx, "category");
  const char *type = http_query(ctx, "type"), *status = http_query(ctx, "status");
  if (period && (!*period || strlen(period) > 3 || strspn(period, "0123456789") != strlen(period) || atoi(period) < 1))
    field_error(errors, "period", "must be a period number (1, 2, ...)");
  if (category && register_category_index(category) < 0)
    field_error(errors, "category", "must be formal_learning, reflection or informal_learning");
  if (status && strcmp(status, "planned") != 0 && strcmp(status, "in_progress") != 0 && strcmp(status, "completed") != 0)
    field_error(errors, "status", "must be planned, in_progress or completed");
  db_conn *db = http_db(ctx);
  if (!db) {
    json_decref(errors);
    return;
  }
  char *category_of_type = NULL;
  kr_err known = type && strlen(type) > ACTIVITY_TYPE_MAX ? KR_NOT_FOUND
                 : type ? register_fetch(db, REG_ACTIVITY_CATEGORY, 1, (const char *[]){type}, &category_of_type)
                        : KR_OK;
  free(category_of_type);
  if (known == KR_NOT_FOUND) field_error(errors, "type", "is not an activity type");
  else if (known != KR_OK) {
    json_decref(errors);
    label_reply_error(ctx, known, NULL);
    return;
  }
  if (http_reply_if_invalid(ctx, errors)) return;
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *key = after.present ? after.key : NULL, *key_id = after.present ? after.id : NULL;
  PGresult *page = NULL;
  /* One round trip: whether the professional exists, and the page. */
  kr_err e = period || category || type || status
                 ? db_fetch_result(db, register_statement(REG_ACTIVITY_PAGE), 8,
                                   (const char *[]){id, period, category, type, status, key, key_id, rows}, &page)
                 : db_fetch_result(db, register_statement(REG_ACTIVITY_PAGE_PLAIN), 4,
                                   (const char *[]){id, key, key_id, rows}, &page);
  if (e == KR_OK && PQntuples(page) == 0) e = KR_NOT_FOUND;
  if (e != KR_OK) {
    label_reply_error(ctx, e, "There is no such professional.");
  } else if (PQgetisnull(page, 0, 2)) { /* the professional, without activities on this page */
    page_builder empty;
    page_begin(&empty);
    page_finish(ctx, &empty, NULL);
  } else {
    page_reply(ctx, page, limit);
  }
  PQclear(page);
}

/* ---- evidence ----------------------------------------------------------------------------- */
/* The {activityId} of the professional the caller may reach; NULL after answering. */
static const char *own_activity(http_ctx *ctx, db_conn **db, const char **professional) {
  *professional = register_professional_param(ctx);
  const char *activity = *professional ? http_uuid_param(ctx, "activityId") : NULL;
  *db = activity ? http_db(ctx) : NULL;
  if (!*db) return NULL;
  char *json = NULL;
  kr_err e = register_fetch(*db, REG_ACTIVITY_GET, 2, (const char *[]){activity, *professional}, &json);
  free(json);
  if (e != KR_OK) {
    label_reply_error(ctx, e, activity_missing);
    return NULL;
  }
  return activity;
}

void register_evidence_upload_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"fileName", NULL})) return;
  const char *name = http_query(ctx, "fileName");
  size_t chars = text_utf8_length(name); /* characters, not bytes */
  if (name && (chars < 1 || chars > 200 || strpbrk(name, "\"\\/\r\n"))) {
    json_t *errors = field_errors_new();
    field_error(errors, "fileName", "must be 1 to 200 characters without quotes, slashes or line breaks");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  const char *type = register_file_type(ctx);
  db_conn *db;
  const char *professional;
  const char *activity = type ? own_activity(ctx, &db, &professional) : NULL;
  if (!activity) return;
  char *count = NULL, *json = NULL, made[37] = "", sha[65], size[16], collection[160];
  kr_err e = db_begin(db);
  if (e == KR_OK && !register_quota_evidence(ctx, db, professional, ctx->req->binary_body_length)) {
    db_rollback(db);
    return;
  }
  /* Count under the activity's row lock, so that two uploads cannot both be the fifth. */
  char *locked = NULL;
  if (e == KR_OK) e = register_fetch(db, REG_ACTIVITY_LOCK, 2, (const char *[]){activity, professional}, &locked);
  free(locked);
  if (e == KR_OK) e = register_fetch(db, REG_EVIDENCE_COUNT, 1, (const char *[]){activity}, &count);
  if (e == KR_OK && atoi(count) >= MAX_EVIDENCE) {
    http_reply_problem(ctx, KR_CONFLICT, "An activity holds at most 5 evidence files.", NULL, NULL);
  } else if (e == KR_OK) {
    hash_sha256_hex(ctx->req->binary_body, ctx->req->binary_body_length, sha);
    snprintf(size, sizeof size, "%zu", ctx->req->binary_body_length);
    const char *v[] = {activity, name ? name : "evidence", type, ctx->req->binary_body, size, sha};
    int lengths[] = {0, 0, 0, (int)ctx->req->binary_body_length, 0, 0}, formats[] = {0, 0, 0, 1, 0, 0};
    PGresult *r = db_exec_binary(db, register_statement(REG_EVIDENCE_INSERT), 6, v, lengths, formats, false);
    e = db_result_error(db, r);
    if (e == KR_OK) {
      snprintf(made, sizeof made, "%s", PQgetvalue(r, 0, 1));
      if (!(json = strdup(PQgetvalue(r, 0, 0)))) e = KR_INTERNAL;
    }
    PQclear(r);
    if (e == KR_OK) e = db_commit(db);
    snprintf(collection, sizeof collection, "/v1/professionals/%s/development-activities/%s/evidence", professional, activity);
    label_reply_created(ctx, e, json, collection, made, activity_missing);
  }
  if (e != KR_OK && ctx->status == 0) label_reply_error(ctx, e, activity_missing);
  db_rollback(db);
  free(count);
}

void register_evidence_get_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db;
  const char *professional;
  const char *activity = own_activity(ctx, &db, &professional);
  const char *evidence = activity ? http_uuid_param(ctx, "evidenceId") : NULL;
  if (!evidence) return;
  register_send_file(ctx, db, REG_EVIDENCE_GET, 2, (const char *[]){evidence, activity},
                     "There is no such evidence file.");
}

void register_evidence_delete_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db;
  const char *professional;
  const char *activity = own_activity(ctx, &db, &professional);
  const char *evidence = activity ? http_uuid_param(ctx, "evidenceId") : NULL;
  if (!evidence) return;
  char *gone = NULL;
  kr_err e = register_fetch(db, REG_EVIDENCE_DELETE, 2, (const char *[]){evidence, activity}, &gone);
  free(gone);
  if (e == KR_OK) http_reply_empty(ctx, 204);
  else label_reply_error(ctx, e, "There is no such evidence file.");
}
