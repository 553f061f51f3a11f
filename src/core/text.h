/* text.h: small string helpers with no I/O. */
#ifndef KR_CORE_TEXT_H
#define KR_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* True for a canonical UUID text: 8-4-4-4-12 hex digits (either case). */
bool text_is_uuid(const char *s);

/* The characters (code points) of a NUL-terminated UTF-8 string, as JSON Schema's maxLength
 * counts them (bytes that are not continuation bytes); 0 for NULL. */
size_t text_utf8_length(const char *s);

/* True when s (not NULL) equals one of the NULL-terminated `options`. */
bool text_one_of(const char *s, const char *const *options);

/* True when s has min..max bytes, each one of `allowed`. For codes and versions, which are
 * ASCII (so bytes are characters), with these sets: */
bool text_chars_in(const char *s, size_t min, size_t max, const char *allowed);
#define TEXT_DIGITS "0123456789"
#define TEXT_LOWER "abcdefghijklmnopqrstuvwxyz"
#define TEXT_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define TEXT_CODE_LOWER TEXT_LOWER TEXT_DIGITS "-"         /* register profiles, norm categories */
#define TEXT_CODE_UPPER TEXT_UPPER TEXT_DIGITS "-"         /* competences, norms */
#define TEXT_VERSION TEXT_LOWER TEXT_UPPER TEXT_DIGITS "._-" /* frameworks, codes of conduct */

/* Percent-decodes src[0..len) into out (size >= len+1). With plus_as_space, '+' becomes ' '
 * (form encoding). Returns false on a malformed escape or an embedded NUL. */
bool text_percent_decode(const char *src, size_t len, char *out, bool plus_as_space);

/* A growable byte buffer. Zero-initialise it; text_buf_free releases it. Appends return false
 * on allocation failure (the buffer keeps what it had). */
typedef struct {
  char *data;
  size_t len;
  size_t cap;
} text_buf;

bool text_buf_append(text_buf *b, const char *data, size_t n);
bool text_buf_puts(text_buf *b, const char *s);
void text_buf_free(text_buf *b);

/* Case-insensitive prefix test of a media type: "application/json; charset=utf-8" has type
 * "application/json". */
bool text_media_type_is(const char *content_type, const char *type);

/* True when the n bytes at s are well-formed UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF). */
bool text_utf8_valid(const char *s, size_t n);

#endif
