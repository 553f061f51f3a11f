/* store.h (voice): listening sessions, stories, recommendations and responses in PostgreSQL.
 *
 * JSON answers are built by PostgreSQL (kr_*_json in sql/0014_residents_voice.sql) and handed
 * back as text the caller frees with free(). Input objects are passed as JSON text that the
 * handler checked. Writes run in the caller's transaction. */
#ifndef KR_VOICE_STORE_H
#define KR_VOICE_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "db/pool.h"
#include "http/pagination.h"

extern const db_statement *const voice_statements[]; /* NULL-terminated, for the pool */

/* What authorisation and the flow need to know of a session (or of a recommendation's). */
typedef struct {
  char id[37];            /* the session's id */
  char municipality_code[7];
  char status[12];
  bool involved;          /* the organisation asked about is one of the session's */
  int recommendations;    /* how many it has */
} voice_session_facts;

/* The session; `org` (may be NULL) is the organisation whose involvement is asked; lock takes
 * the session's row lock. KR_NOT_FOUND when there is none. */
kr_err voice_session_facts_get(db_conn *db, const char *id, const char *org, bool lock,
                               voice_session_facts *out);
/* The same for the session of a recommendation, locking the recommendation. */
kr_err voice_recommendation_facts(db_conn *db, const char *id, const char *org, bool lock,
                                  voice_session_facts *out);

/* Comma-separated members of a JSON array of UUIDs / topic codes that name no organisation / no
 * listed topic, "" when all do (free *out). */
kr_err voice_unknown_organisations(db_conn *db, const char *ids_json, char **out);
kr_err voice_unknown_topics(db_conn *db, const char *codes_json, char **out);
/* Whether the organisation serves the municipality (municipalityCodes holds it). */
kr_err voice_organisation_serves(db_conn *db, const char *org, const char *code, bool *serves);

kr_err voice_session_create(db_conn *db, const char *obj_json, const char *account, char **json,
                            char id[37]);
kr_err voice_session_get(db_conn *db, const char *id, char **json);
kr_err voice_session_update(db_conn *db, const char *id, const char *obj_json, char **json);
/* A page of (json, key, id) rows: only_code / only_org restrict to what the caller may see,
 * code and status filter; each may be NULL. */
kr_err voice_session_page(db_conn *db, const char *only_code, const char *only_org, const char *code,
                          const char *status, const page_cursor *after, int limit, PGresult **out);

kr_err voice_story_create(db_conn *db, const char *session, const char *obj_json, const char *account,
                          char **json, char id[37]);
kr_err voice_story_page(db_conn *db, const char *session, const page_cursor *after, int limit,
                        PGresult **out);

/* KR_CONFLICT when the rank is taken. */
kr_err voice_recommendation_create(db_conn *db, const char *session, const char *obj_json,
                                   const char *account, char **json, char id[37]);
/* {items, nextCursor: null}: the session's recommendations by rank. */
kr_err voice_recommendation_list(db_conn *db, const char *session, char **json);

/* Stores a response by the organisation or (org NULL) the municipality `code`, superseding the
 * responder's current one. */
kr_err voice_response_add(db_conn *db, const char *recommendation, const char *org, const char *code,
                          const char *obj_json, const char *account, char **json, char id[37]);
kr_err voice_response_page(db_conn *db, const char *recommendation, const page_cursor *after,
                           int limit, PGresult **out);

/* {items, nextCursor: null}: the topic list. */
kr_err voice_topic_list(db_conn *db, char **json);
/* The public view of the municipality's residents' voice. */
kr_err voice_public_view(db_conn *db, const char *code, char **json);

#endif
