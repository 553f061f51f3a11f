#include "voice/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label/view.h"
#include "voice/rules.h"

bool voice_is_writer(const http_ctx *ctx, const voice_session_facts *s) {
  switch (ctx->caller.role) {
    case ROLE_ADMIN: return true;
    case ROLE_MUNICIPALITY: return strcmp(ctx->caller.link, s->municipality_code) == 0;
    case ROLE_ORGANISATION: return s->involved;
    default: return false;
  }
}

bool voice_load(http_ctx *ctx, db_conn *db, bool recommendation, bool lock, voice_session_facts *s) {
  const char *id = http_uuid_param(ctx, recommendation ? "recommendationId" : "sessionId");
  if (!id) return false;
  const char *org = ctx->caller.role == ROLE_ORGANISATION ? ctx->caller.link : NULL;
  kr_err e = recommendation ? voice_recommendation_facts(db, id, org, lock, s)
                            : voice_session_facts_get(db, id, org, lock, s);
  if (e != KR_OK) {
    label_reply_error(ctx, e, recommendation ? "There is no such recommendation." : "There is no such listening session.");
    return false;
  }
  if (!voice_is_writer(ctx, s)) {
    http_reply_problem(ctx, KR_FORBIDDEN,
                       "Only the session's municipality and the organisations involved in it (and the admin) may do this.",
                       NULL, NULL);
    return false;
  }
  return true;
}

void voice_check_anonymous(const json_t *obj, const char *name, json_t *errors) {
  voice_pii kind = voice_personal_data(json_string_value(json_object_get(obj, name)));
  if (kind != VOICE_PII_NONE) field_error(errors, name, voice_pii_message(kind));
}

void voice_check_strings(const json_t *obj, const char *name, size_t max, size_t max_chars,
                         bool anonymous, json_t *errors) {
  const json_t *list = json_object_get(obj, name);
  if (!json_is_array(list)) return;
  char message[96];
  if (json_array_size(list) > max) {
    snprintf(message, sizeof message, "must hold at most %zu items", max);
    field_error(errors, name, message);
    return;
  }
  size_t i, j;
  const json_t *v;
  json_array_foreach(list, i, v) {
    const char *s = json_string_value(v);
    json_t *one = json_pack("{s:O}", name, (json_t *)v);
    size_t before = json_array_size(errors);
    if (!s || !*s) field_error(errors, name, "must hold non-empty strings");
    else label_check_text(one, name, 1, max_chars, errors);
    for (j = 0; s && j < i; j++)
      if (json_equal(v, json_array_get(list, j))) field_error(errors, name, "must not list an item twice");
    if (anonymous && s) voice_check_anonymous(one, name, errors);
    json_decref(one);
    if (json_array_size(errors) > before) return; /* one error per member is enough */
  }
}

kr_err voice_check_known(db_conn *db, const json_t *obj, const char *name, voice_unknown_fn unknown,
                         const char *why, json_t *errors) {
  const json_t *list = json_object_get(obj, name);
  if (!json_is_array(list) || json_array_size(list) == 0) return KR_OK;
  size_t i;
  const json_t *v;
  json_array_foreach(list, i, v) if (!json_is_string(v)) return KR_OK; /* named already */
  json_array_foreach(errors, i, v) /* a malformed member (not a UUID, ...) was named already */
    if (strcmp(json_string_value(json_object_get(v, "field")), name) == 0) return KR_OK;
  char *text = json_dumps(list, JSON_COMPACT), *names = NULL;
  kr_err e = text ? unknown(db, text, &names) : KR_INTERNAL;
  if (e == KR_OK && *names) {
    char message[200];
    snprintf(message, sizeof message, "%.110s: %s", names, why);
    field_error(errors, name, message);
  }
  free(text);
  free(names);
  return e;
}
