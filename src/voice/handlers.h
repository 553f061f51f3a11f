/* handlers.h (voice): residents' voice routes. Thin: decode and validate, authorise per
 * session, call the store, answer.
 *
 * Who writes: the session's municipality (an account with its CBS code), the organisations
 * involved in it, and the admin. Sessions and recommendations are public through the
 * municipality's residents' voice view, so a party that is not a writer gets a 403 (never a 404
 * that would pretend a public object does not exist). */
#ifndef KR_VOICE_HANDLERS_H
#define KR_VOICE_HANDLERS_H

#include "http/context.h"

void voice_topic_list_handler(http_ctx *ctx);       /* GET /v1/listening-topics */
void voice_session_create_handler(http_ctx *ctx);   /* POST /v1/listening-sessions */
void voice_session_list_handler(http_ctx *ctx);     /* GET /v1/listening-sessions */
void voice_session_get_handler(http_ctx *ctx);      /* GET /v1/listening-sessions/{sessionId} */
void voice_session_replace_handler(http_ctx *ctx);  /* PUT /v1/listening-sessions/{sessionId} */
void voice_public_view_handler(http_ctx *ctx); /* GET /v1/municipalities/{municipalityCode}/residents-voice */

void voice_story_create_handler(http_ctx *ctx);     /* POST .../{sessionId}/stories */
void voice_story_list_handler(http_ctx *ctx);       /* GET .../{sessionId}/stories */
void voice_recommendation_create_handler(http_ctx *ctx); /* POST .../{sessionId}/recommendations */
void voice_recommendation_list_handler(http_ctx *ctx);   /* GET .../{sessionId}/recommendations */
void voice_response_create_handler(http_ctx *ctx);  /* POST /v1/recommendations/{recommendationId}/responses */
void voice_response_list_handler(http_ctx *ctx);    /* GET /v1/recommendations/{recommendationId}/responses */

#endif
