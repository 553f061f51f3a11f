/* body.h: strict decoding of request bodies.
 *
 * JSON bodies must be one object without duplicate keys; members are checked against a field
 * list so that unknown and read-only members are named in a 400, never ignored. */
#ifndef KR_HTTP_BODY_H
#define KR_HTTP_BODY_H

#include <jansson.h>
#include <stdbool.h>

#include "http/context.h"

typedef enum {
  FIELD_STRING,
  FIELD_INTEGER,
  FIELD_NUMBER,
  FIELD_BOOLEAN,
  FIELD_OBJECT,
  FIELD_ARRAY,
} field_type;

typedef struct {
  const char *name;
  field_type type;
  bool required;
  bool nullable;
  bool read_only; /* in the resource, but not writable: named as an error when sent */
} body_field;

/* The longest string member body_check lets through (handlers bound shorter ones themselves):
 * the longest text the contract documents. Integer members always lie within PostgreSQL's
 * integer (32 bits). Nothing larger ever reaches the database. */
#define BODY_MAX_STRING 10000

/* Parses the request body as one JSON object (or, when the route allows it and the request is
 * application/x-www-form-urlencoded, a form whose values become strings). Returns a new
 * reference, or NULL after answering 400 (malformed-json / validation-error). */
json_t *http_body_object(http_ctx *ctx);
/* The raw JSON body as a NUL-terminated copy (free it), for SQL that reads a body which
 * http_body_object accepted and the handler checked: no second serialisation. NULL when out of
 * memory. */
char *http_body_text(const http_ctx *ctx);
/* The same for the OAuth endpoints: a malformed body's problem also carries RFC 6749's
 * error (oauth_error) and error_description members. */
json_t *http_body_object_oauth(http_ctx *ctx, const char *oauth_error);

/* Checks obj against fields[0..n): adds to errors every missing required member, every
 * member of the wrong type or out of bounds (a string over BODY_MAX_STRING characters, an
 * integer outside 32 bits), every read-only and every unknown member. */
void body_check(const json_t *obj, const body_field *fields, size_t n, json_t *errors);

/* Parses application/x-www-form-urlencoded text into an object of strings. Returns NULL when a
 * pair is malformed or a name repeats (RFC 6749: parameters must not be repeated). */
json_t *form_parse(const char *data, size_t len);

/* Adds "must be at most max characters" when the string member `name` is longer. */
void body_check_length(const json_t *obj, const char *name, size_t max, json_t *errors);

/* Adds "must hold <what> of min to max characters", naming `name`, when an item of `array` is
 * not a string of min..max characters (once, for the first such item). Not an array: nothing. */
void body_check_string_items(const json_t *array, const char *name, size_t min, size_t max,
                             const char *what, json_t *errors);

/* A string member, or NULL when absent or not a string. */
const char *body_string(const json_t *obj, const char *name);

#endif
