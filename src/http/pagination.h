/* pagination.h: keyset pagination: ?limit= (1..100, default 20) and an opaque ?cursor=.
 *
 * A cursor is the sort key of the last row a page showed: a 64-bit number (for example
 * microseconds since the epoch) and a UUID tie-breaker, base64url-encoded. Lists answer
 * {"items": [...], "nextCursor": "..." | null}. */
#ifndef KR_HTTP_PAGINATION_H
#define KR_HTTP_PAGINATION_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "core/text.h"
#include "http/context.h"

#define PAGE_DEFAULT_LIMIT 20
#define PAGE_MAX_LIMIT 100

typedef struct {
  bool present;
  char key[24]; /* decimal text of the 64-bit sort key, ready to bind */
  char id[37];
} page_cursor;

/* Encodes key and id into out (at least 96 bytes). */
void page_cursor_encode(const char *key, const char *id, char *out, size_t out_size);
/* Decodes a cursor; false when it is not one we made. */
bool page_cursor_decode(const char *text, page_cursor *out);

/* Reads ?limit= and ?cursor=, adding a field error for each bad one. */
void page_params(const http_ctx *ctx, int *limit, page_cursor *cursor, json_t *errors);
/* For a list that takes no other query parameter: reads limit and cursor; false after answering
 * 400 (an unknown parameter, or a bad limit or cursor). */
bool page_query_only(http_ctx *ctx, int *limit, page_cursor *cursor);

/* Builds a list answer item by item: {"items": [...], "nextCursor": ...}. */
typedef struct {
  text_buf out;
  int count;
  bool ok;
} page_builder;

void page_begin(page_builder *b);
/* Adds one item, JSON text. */
void page_add(page_builder *b, const char *item_json, size_t len);
/* Answers 200 (next_cursor NULL: null), or 500 when building ran out of memory; frees b. */
void page_finish(http_ctx *ctx, page_builder *b, const char *next_cursor);

/* Answers 200 with a page from r, whose rows are (item JSON text, sort key, id) in order and
 * whose query asked for limit+1 rows: the extra row only says that another page exists. */
void page_reply(http_ctx *ctx, const PGresult *r, int limit);

#endif
