/* What a listening session yields: the anonymous stories told in it, the ranked recommendations
 * it hands over, and the responses of the organisations and the municipality to them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "http/body.h"
#include "http/idempotency.h"
#include "http/pagination.h"
#include "label/view.h"
#include "voice/handlers.h"
#include "voice/rules.h"
#include "voice/view.h"

/* A write under a session (or a recommendation's session): loads and locks it for a writer,
 * validates the body with `check` (which may use the database), then stores it with `store`,
 * all in one transaction that honours Idempotency-Key. */
typedef kr_err (*contribution_check)(http_ctx *ctx, db_conn *db, const voice_session_facts *s,
                                     const json_t *body, json_t *errors, const char **conflict);
typedef kr_err (*contribution_store)(http_ctx *ctx, db_conn *db, const voice_session_facts *s,
                                     const char *body_json, char **json, char id[37]);

static void contribute(http_ctx *ctx, bool recommendation, contribution_check check,
                       contribution_store store) {
  db_conn *db = http_db(ctx);
  if (!db) return;
  json_t *body = http_body_object(ctx);
  if (!body) return;
  idem_state st;
  voice_session_facts s;
  if (!idem_begin(ctx, db, &st)) {
    json_decref(body);
    return;
  }
  if (voice_load(ctx, db, recommendation, true, &s)) {
    json_t *errors = field_errors_new();
    const char *conflict = NULL;
    kr_err e = check(ctx, db, &s, body, errors, &conflict);
    if (e == KR_OK && json_array_size(errors) == 0 && conflict) {
      json_decref(errors);
      http_reply_problem(ctx, KR_CONFLICT, conflict, NULL, NULL);
    } else if (label_checks_passed(ctx, db, e, errors)) {
      char *text = json_dumps(body, JSON_COMPACT), *json = NULL, id[37] = "";
      e = text ? store(ctx, db, &s, text, &json, id) : KR_INTERNAL;
      free(text);
      if (e == KR_OK) {
        label_reply_json_text(ctx, 201, json); /* listed under its parent: no Location of its own */
      } else {
        free(json);
        if (e == KR_CONFLICT)
          http_reply_problem(ctx, KR_CONFLICT, "The rank is taken: each recommendation of a session has its own.",
                             NULL, NULL);
        else label_reply_error(ctx, e, NULL);
      }
    }
  }
  idem_finish(ctx, db, &st, ctx->status < 500);
  json_decref(body);
}

/* A page of what belongs to a session or a recommendation, for its writers. */
typedef kr_err (*child_pager)(db_conn *db, const char *parent, const page_cursor *after, int limit,
                              PGresult **out);

static void list_children(http_ctx *ctx, bool recommendation, child_pager pager) {
  int limit;
  page_cursor after;
  if (!page_query_only(ctx, &limit, &after)) return;
  db_conn *db = http_db(ctx);
  voice_session_facts s;
  if (!db || !voice_load(ctx, db, recommendation, false, &s)) return;
  PGresult *page = NULL;
  const char *parent = recommendation ? http_path_param(ctx, "recommendationId") : s.id;
  kr_err e = pager(db, parent, &after, limit, &page);
  if (e == KR_OK) page_reply(ctx, page, limit);
  else label_reply_error(ctx, e, NULL);
  PQclear(page);
}

static const char TOPIC_UNKNOWN[] = "not on the topic list (GET /v1/listening-topics)";

/* ---- stories ------------------------------------------------------------------------------ */
static const body_field story_fields[] = {
    {"text", FIELD_STRING, true, false, false},
    {"topics", FIELD_ARRAY, false, false, false},
    {"freeTopics", FIELD_ARRAY, false, false, false},
    {"language", FIELD_STRING, true, false, false},
    {"channel", FIELD_STRING, true, false, false},
    {"consentGiven", FIELD_BOOLEAN, true, false, false},
    {"consentForm", FIELD_STRING, true, false, false},
    {"id", FIELD_STRING, false, false, true},
    {"sessionId", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
};

static bool language_code(const char *s) {
  size_t n = s ? strlen(s) : 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < 'a' || s[i] > 'z') return false;
  return n == 2 || n == 3;
}

static kr_err check_story(http_ctx *ctx, db_conn *db, const voice_session_facts *s, const json_t *body,
                          json_t *errors, const char **conflict) {
  (void)ctx;
  body_check(body, story_fields, sizeof story_fields / sizeof story_fields[0], errors);
  label_check_text(body, "text", 1, 5000, errors);
  voice_check_anonymous(body, "text", errors);
  voice_check_strings(body, "topics", 10, 40, false, errors);
  voice_check_strings(body, "freeTopics", 5, 60, true, errors);
  if (json_array_size(json_object_get(body, "topics")) + json_array_size(json_object_get(body, "freeTopics")) == 0)
    field_error(errors, "topics", "the teller chooses at least one topic (from the list or in freeTopics)");
  const char *language = body_string(body, "language");
  if (language && !language_code(language))
    field_error(errors, "language", "must be an ISO 639 language code in lower case, like nl, ar or tr");
  const char *channel = body_string(body, "channel");
  if (channel && !text_one_of(channel, (const char *const[]){"interview", "story_table", "digital", NULL}))
    field_error(errors, "channel", "must be interview, story_table or digital");
  const char *form = body_string(body, "consentForm");
  if (form && !text_one_of(form, (const char *const[]){"oral", "written", "digital", NULL}))
    field_error(errors, "consentForm", "must be oral, written or digital");
  const json_t *consent = json_object_get(body, "consentGiven");
  if (json_is_false(consent)) field_error(errors, "consentGiven", "must be true: a story is kept only with the teller's consent");
  if (strcmp(s->status, "held") != 0)
    *conflict = strcmp(s->status, "planned") == 0 ? "The session has not been held yet: mark it held first."
                                                 : "The session is reported: it takes no more stories.";
  return voice_check_known(db, body, "topics", voice_unknown_topics, TOPIC_UNKNOWN, errors);
}

static kr_err store_story(http_ctx *ctx, db_conn *db, const voice_session_facts *s, const char *body_json,
                          char **json, char id[37]) {
  return voice_story_create(db, s->id, body_json, ctx->caller.account_id, json, id);
}

void voice_story_create_handler(http_ctx *ctx) {
  contribute(ctx, false, check_story, store_story);
}

void voice_story_list_handler(http_ctx *ctx) { list_children(ctx, false, voice_story_page); }

/* ---- recommendations ---------------------------------------------------------------------- */
static const body_field recommendation_fields[] = {
    {"rank", FIELD_INTEGER, true, false, false},
    {"text", FIELD_STRING, true, false, false},
    {"topics", FIELD_ARRAY, false, false, false},
    {"id", FIELD_STRING, false, false, true},
    {"sessionId", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
};

static kr_err check_recommendation(http_ctx *ctx, db_conn *db, const voice_session_facts *s,
                                   const json_t *body, json_t *errors, const char **conflict) {
  (void)ctx;
  body_check(body, recommendation_fields, sizeof recommendation_fields / sizeof recommendation_fields[0], errors);
  const json_t *rank = json_object_get(body, "rank");
  if (json_is_integer(rank) && (json_integer_value(rank) < 1 || json_integer_value(rank) > VOICE_MAX_RECOMMENDATIONS))
    field_error(errors, "rank", "must be 1 to 5");
  label_check_text(body, "text", 1, 2000, errors);
  voice_check_anonymous(body, "text", errors);
  voice_check_strings(body, "topics", 10, 40, false, errors);
  if (strcmp(s->status, "held") != 0)
    *conflict = strcmp(s->status, "planned") == 0 ? "The session has not been held yet: mark it held first."
                                                 : "The session is reported: its recommendations are final.";
  else if (s->recommendations >= VOICE_MAX_RECOMMENDATIONS)
    *conflict = "The session has its five recommendations already: a session hands over a top five.";
  return voice_check_known(db, body, "topics", voice_unknown_topics, TOPIC_UNKNOWN, errors);
}

static kr_err store_recommendation(http_ctx *ctx, db_conn *db, const voice_session_facts *s,
                                   const char *body_json, char **json, char id[37]) {
  return voice_recommendation_create(db, s->id, body_json, ctx->caller.account_id, json, id);
}

void voice_recommendation_create_handler(http_ctx *ctx) {
  contribute(ctx, false, check_recommendation, store_recommendation);
}

void voice_recommendation_list_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  db_conn *db = http_db(ctx);
  voice_session_facts s;
  if (!db || !voice_load(ctx, db, false, false, &s)) return;
  char *json = NULL;
  kr_err e = voice_recommendation_list(db, s.id, &json);
  label_reply_result(ctx, e, json, NULL);
}

/* ---- responses ---------------------------------------------------------------------------- */
static const body_field response_fields[] = {
    {"status", FIELD_STRING, true, false, false},
    {"text", FIELD_STRING, true, false, false},
    {"followUpOn", FIELD_STRING, false, true, false},
    {"id", FIELD_STRING, false, false, true},
    {"recommendationId", FIELD_STRING, false, false, true},
    {"organisationId", FIELD_STRING, false, false, true},
    {"municipalityCode", FIELD_STRING, false, false, true},
    {"current", FIELD_BOOLEAN, false, false, true},
    {"supersededBy", FIELD_STRING, false, false, true},
    {"createdAt", FIELD_STRING, false, false, true},
};

static kr_err check_response(http_ctx *ctx, db_conn *db, const voice_session_facts *s, const json_t *body,
                             json_t *errors, const char **conflict) {
  (void)db;
  (void)s;
  (void)conflict;
  (void)ctx;
  body_check(body, response_fields, sizeof response_fields / sizeof response_fields[0], errors);
  const char *status = body_string(body, "status");
  if (status && !text_one_of(status, (const char *const[]){"adopted", "partly_adopted", "not_adopted",
                                                      "under_consideration", NULL}))
    field_error(errors, "status", "must be adopted, partly_adopted, not_adopted or under_consideration");
  label_check_text(body, "text", 1, 2000, errors);
  voice_check_anonymous(body, "text", errors);
  kr_date follow_up;
  label_check_date(body, "followUpOn", false, errors, &follow_up);
  return KR_OK;
}

static kr_err store_response(http_ctx *ctx, db_conn *db, const voice_session_facts *s, const char *body_json,
                             char **json, char id[37]) {
  const char *org = ctx->caller.role == ROLE_ORGANISATION ? ctx->caller.link : NULL;
  return voice_response_add(db, http_path_param(ctx, "recommendationId"), org, s->municipality_code,
                            body_json, ctx->caller.account_id, json, id);
}

void voice_response_create_handler(http_ctx *ctx) {
  /* The route lets organisations and municipalities in; voice_load lets only the session's own
   * through: its municipality and the organisations involved. */
  contribute(ctx, true, check_response, store_response);
}

void voice_response_list_handler(http_ctx *ctx) { list_children(ctx, true, voice_response_page); }
