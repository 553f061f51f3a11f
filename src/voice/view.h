/* view.h (voice): the checks and authorisation the residents' voice handlers share. */
#ifndef KR_VOICE_VIEW_H
#define KR_VOICE_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "http/context.h"
#include "voice/store.h"

/* Whether the caller writes (and reads the stories of) the session. */
bool voice_is_writer(const http_ctx *ctx, const voice_session_facts *s);

/* Loads the session named by the path parameter {sessionId} (or, with recommendation true, the
 * session of {recommendationId}) for a writer: false after answering 400, 403, 404 or 503. */
bool voice_load(http_ctx *ctx, db_conn *db, bool recommendation, bool lock, voice_session_facts *s);

/* Checks an optional string member with the personal-data detector (naming it). */
void voice_check_anonymous(const json_t *obj, const char *name, json_t *errors);
/* Checks an optional array member of at most max distinct strings of 1..max_chars characters;
 * with anonymous, each is also checked for personal data. */
void voice_check_strings(const json_t *obj, const char *name, size_t max, size_t max_chars,
                         bool anonymous, json_t *errors);
/* Adds an error naming `name` when members of its array of strings are not known: `unknown`
 * gives them comma-separated (voice_unknown_topics, voice_unknown_organisations), `why` ends
 * the message. Nothing is asked when the array holds a non-string or errors name it already. */
typedef kr_err (*voice_unknown_fn)(db_conn *db, const char *json_array, char **out);
kr_err voice_check_known(db_conn *db, const json_t *obj, const char *name, voice_unknown_fn unknown,
                         const char *why, json_t *errors);

#endif
