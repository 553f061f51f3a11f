#include "voice/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACTS_COLUMNS                                                                           \
  "s.id, s.municipality_code, s.status, coalesce($2::uuid = ANY (s.organisation_ids), false),"  \
  " (SELECT count(*) FROM recommendations r WHERE r.session_id = s.id)"

static const db_statement session_facts = {
    "voice_session_facts", "SELECT " FACTS_COLUMNS " FROM listening_sessions s WHERE s.id = $1"};
static const db_statement session_facts_locked = {
    "voice_session_facts_locked",
    "SELECT " FACTS_COLUMNS " FROM listening_sessions s WHERE s.id = $1 FOR UPDATE"};
static const db_statement recommendation_facts = {
    "voice_recommendation_facts",
    "SELECT " FACTS_COLUMNS " FROM recommendations x JOIN listening_sessions s ON s.id = x.session_id"
    " WHERE x.id = $1"};
static const db_statement recommendation_facts_locked = {
    "voice_recommendation_facts_locked",
    "SELECT " FACTS_COLUMNS " FROM recommendations x JOIN listening_sessions s ON s.id = x.session_id"
    " WHERE x.id = $1 FOR UPDATE OF x"};

static const db_statement unknown_organisations = {
    "voice_unknown_organisations",
    "SELECT coalesce(string_agg(x, ', '), '') FROM json_array_elements_text($1::json) x"
    " WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = x::uuid)"};
static const db_statement unknown_topics = {
    "voice_unknown_topics",
    "SELECT coalesce(string_agg(x, ', '), '') FROM json_array_elements_text($1::json) x"
    " WHERE NOT EXISTS (SELECT 1 FROM voice_topics t WHERE t.code = x)"};
static const db_statement organisation_serves = {
    "voice_organisation_serves",
    "SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1 AND $2 = ANY (municipality_codes))"};

/* The writable members of a session, from the checked body j. */
#define SESSION_VALUES                                                                         \
  " j->>'municipalityCode', ARRAY(SELECT json_array_elements_text(j->'organisationIds'))::uuid[]," \
  " j->>'method', j->>'centralQuestion', (j->>'heldOn')::date,"                               \
  " ARRAY(SELECT json_array_elements_text(j->'facilitatorRoles')), j->>'participantBand',"    \
  " coalesce(j->>'status', 'planned')"

static const db_statement session_insert = {
    "voice_session_insert",
    "INSERT INTO listening_sessions AS s (municipality_code, organisation_ids, method, central_question,"
    " held_on, facilitator_roles, participant_band, status, created_by)"
    " SELECT" SESSION_VALUES ", $2::uuid FROM (SELECT $1::json AS j) input"
    " RETURNING kr_listening_session_json(s), s.id"};
static const db_statement session_get = {
    "voice_session_get", "SELECT kr_listening_session_json(s) FROM listening_sessions s WHERE s.id = $1"};
static const db_statement session_update = {
    "voice_session_update",
    "UPDATE listening_sessions s SET (municipality_code, organisation_ids, method, central_question,"
    " held_on, facilitator_roles, participant_band, status) = (SELECT" SESSION_VALUES "),"
    " updated_at = clock_timestamp()"
    " FROM (SELECT $2::json AS j) input WHERE s.id = $1 RETURNING kr_listening_session_json(s)"};
static const db_statement session_page = {
    "voice_session_page",
    "SELECT kr_listening_session_json(s), kr_sort_key(s.created_at), s.id FROM listening_sessions s"
    " WHERE ($1::text IS NULL OR s.municipality_code = $1)"
    "   AND ($2::uuid IS NULL OR s.organisation_ids @> ARRAY[$2::uuid])" /* the GIN index */
    "   AND ($3::text IS NULL OR s.municipality_code = $3) AND ($4::text IS NULL OR s.status = $4)"
    "   AND ($5::bigint IS NULL OR (kr_sort_key(s.created_at), s.id) > ($5::bigint, $6::uuid))"
    " ORDER BY kr_sort_key(s.created_at), s.id LIMIT $7"};

static const db_statement story_insert = {
    "voice_story_insert",
    "INSERT INTO stories AS t (session_id, text, topics, free_topics, language, channel, consent_form,"
    " created_by)"
    " SELECT $1, j->>'text', ARRAY(SELECT json_array_elements_text(coalesce(j->'topics', '[]'))),"
    "  ARRAY(SELECT json_array_elements_text(coalesce(j->'freeTopics', '[]'))), j->>'language',"
    "  j->>'channel', j->>'consentForm', $3::uuid FROM (SELECT $2::json AS j) input"
    " RETURNING kr_story_json(t), t.id"};
static const db_statement story_page = {
    "voice_story_page",
    "SELECT kr_story_json(t), kr_sort_key(t.created_at), t.id FROM stories t WHERE t.session_id = $1"
    "   AND ($2::bigint IS NULL OR (kr_sort_key(t.created_at), t.id) > ($2::bigint, $3::uuid))"
    " ORDER BY kr_sort_key(t.created_at), t.id LIMIT $4"};

static const db_statement recommendation_insert = {
    "voice_recommendation_insert",
    "INSERT INTO recommendations AS r (session_id, rank, text, topics, created_by)"
    " SELECT $1, (j->>'rank')::integer, j->>'text',"
    "  ARRAY(SELECT json_array_elements_text(coalesce(j->'topics', '[]'))), $3::uuid"
    " FROM (SELECT $2::json AS j) input RETURNING kr_recommendation_json(r), r.id"};
static const db_statement recommendation_list = {
    "voice_recommendation_list",
    "SELECT json_build_object('items', coalesce(json_agg(kr_recommendation_json(r) ORDER BY r.rank), '[]'),"
    " 'nextCursor', null) FROM recommendations r WHERE r.session_id = $1"};

static const db_statement response_add = {
    "voice_response_add",
    "SELECT r, r->>'id' FROM kr_response_add($1, $2::uuid, $3, $4::json, $5::uuid) r"};
static const db_statement response_page = {
    "voice_response_page",
    "SELECT kr_response_json(p), kr_sort_key(p.created_at), p.id FROM recommendation_responses p"
    " WHERE p.recommendation_id = $1"
    "   AND ($2::bigint IS NULL OR (kr_sort_key(p.created_at), p.id) > ($2::bigint, $3::uuid))"
    " ORDER BY kr_sort_key(p.created_at), p.id LIMIT $4"};

static const db_statement topic_list = {
    "voice_topic_list",
    "SELECT json_build_object('items', coalesce(json_agg(json_build_object('code', code, 'name', name)"
    " ORDER BY position), '[]'), 'nextCursor', null) FROM voice_topics"};
static const db_statement public_view = {"voice_public_view", "SELECT kr_residents_voice($1)"};

const db_statement *const voice_statements[] = {
    &session_facts,   &session_facts_locked, &recommendation_facts, &recommendation_facts_locked,
    &unknown_organisations, &unknown_topics, &organisation_serves,  &session_insert,
    &session_get,     &session_update,       &session_page,         &story_insert,
    &story_page,      &recommendation_insert, &recommendation_list, &response_add,
    &response_page,   &topic_list,           &public_view,          NULL};

static kr_err read_facts(db_conn *db, const db_statement *stmt, const char *id, const char *org,
                         voice_session_facts *out) {
  PGresult *r = db_exec(db, stmt, 2, (const char *[]){id, org});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    snprintf(out->id, sizeof out->id, "%s", PQgetvalue(r, 0, 0));
    snprintf(out->municipality_code, sizeof out->municipality_code, "%s", PQgetvalue(r, 0, 1));
    snprintf(out->status, sizeof out->status, "%s", PQgetvalue(r, 0, 2));
    out->involved = PQgetvalue(r, 0, 3)[0] == 't';
    out->recommendations = atoi(PQgetvalue(r, 0, 4));
  }
  PQclear(r);
  return e;
}

kr_err voice_session_facts_get(db_conn *db, const char *id, const char *org, bool lock,
                               voice_session_facts *out) {
  return read_facts(db, lock ? &session_facts_locked : &session_facts, id, org, out);
}

kr_err voice_recommendation_facts(db_conn *db, const char *id, const char *org, bool lock,
                                  voice_session_facts *out) {
  return read_facts(db, lock ? &recommendation_facts_locked : &recommendation_facts, id, org, out);
}

kr_err voice_unknown_organisations(db_conn *db, const char *ids_json, char **out) {
  return db_fetch_text(db, &unknown_organisations, 1, (const char *[]){ids_json}, out);
}

kr_err voice_unknown_topics(db_conn *db, const char *codes_json, char **out) {
  return db_fetch_text(db, &unknown_topics, 1, (const char *[]){codes_json}, out);
}

kr_err voice_organisation_serves(db_conn *db, const char *org, const char *code, bool *serves) {
  char *text = NULL;
  kr_err e = db_fetch_text(db, &organisation_serves, 2, (const char *[]){org, code}, &text);
  *serves = e == KR_OK && text[0] == 't';
  free(text);
  return e;
}

kr_err voice_session_create(db_conn *db, const char *obj_json, const char *account, char **json,
                            char id[37]) {
  return db_fetch_text_and_id(db, &session_insert, 2, (const char *[]){obj_json, account}, json, id);
}

kr_err voice_session_get(db_conn *db, const char *id, char **json) {
  return db_fetch_text(db, &session_get, 1, (const char *[]){id}, json);
}

kr_err voice_session_update(db_conn *db, const char *id, const char *obj_json, char **json) {
  return db_fetch_text(db, &session_update, 2, (const char *[]){id, obj_json}, json);
}

static void limit_text(int limit, char rows[16]) { snprintf(rows, 16, "%d", limit + 1); }

kr_err voice_session_page(db_conn *db, const char *only_code, const char *only_org, const char *code,
                          const char *status, const page_cursor *after, int limit, PGresult **out) {
  char rows[16];
  limit_text(limit, rows);
  const char *v[] = {only_code, only_org, code, status, after->present ? after->key : NULL,
                     after->present ? after->id : NULL, rows};
  return db_fetch_result(db, &session_page, 7, v, out);
}

/* A page of one parent's rows (stories of a session, responses to a recommendation). */
static kr_err child_page(db_conn *db, const db_statement *stmt, const char *parent,
                         const page_cursor *after, int limit, PGresult **out) {
  char rows[16];
  limit_text(limit, rows);
  const char *v[] = {parent, after->present ? after->key : NULL, after->present ? after->id : NULL, rows};
  return db_fetch_result(db, stmt, 4, v, out);
}

kr_err voice_story_create(db_conn *db, const char *session, const char *obj_json, const char *account,
                          char **json, char id[37]) {
  return db_fetch_text_and_id(db, &story_insert, 3, (const char *[]){session, obj_json, account}, json, id);
}

kr_err voice_story_page(db_conn *db, const char *session, const page_cursor *after, int limit,
                        PGresult **out) {
  return child_page(db, &story_page, session, after, limit, out);
}

kr_err voice_recommendation_create(db_conn *db, const char *session, const char *obj_json,
                                   const char *account, char **json, char id[37]) {
  return db_fetch_text_and_id(db, &recommendation_insert, 3, (const char *[]){session, obj_json, account},
                              json, id);
}

kr_err voice_recommendation_list(db_conn *db, const char *session, char **json) {
  return db_fetch_text(db, &recommendation_list, 1, (const char *[]){session}, json);
}

kr_err voice_response_add(db_conn *db, const char *recommendation, const char *org, const char *code,
                          const char *obj_json, const char *account, char **json, char id[37]) {
  const char *v[] = {recommendation, org, org ? NULL : code, obj_json, account};
  return db_fetch_text_and_id(db, &response_add, 5, v, json, id);
}

kr_err voice_response_page(db_conn *db, const char *recommendation, const page_cursor *after,
                           int limit, PGresult **out) {
  return child_page(db, &response_page, recommendation, after, limit, out);
}

kr_err voice_topic_list(db_conn *db, char **json) {
  return db_fetch_text(db, &topic_list, 0, NULL, json);
}

kr_err voice_public_view(db_conn *db, const char *code, char **json) {
  return db_fetch_text(db, &public_view, 1, (const char *[]){code}, json);
}
