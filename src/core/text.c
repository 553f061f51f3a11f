#include "core/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool text_is_uuid(const char *s) {
  if (!s || strlen(s) != 36) return false;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!isxdigit((unsigned char)s[i])) {
      return false;
    }
  }
  return true;
}

size_t text_utf8_length(const char *s) {
  size_t n = 0;
  for (; s && *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

bool text_one_of(const char *s, const char *const *options) {
  for (; s && *options; options++)
    if (strcmp(s, *options) == 0) return true;
  return false;
}

bool text_chars_in(const char *s, size_t min, size_t max, const char *allowed) {
  size_t n = s ? strlen(s) : 0;
  return n >= min && n <= max && strspn(s, allowed) == n;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    size_t more;
    unsigned int min, cp;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { more = 1; min = 0x80; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { more = 2; min = 0x800; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { more = 3; min = 0x10000; cp = c & 0x07; }
    else return false;
    if (n - i <= more) return false;
    for (size_t k = 1; k <= more; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += more + 1;
  }
  return true;
}

/* Decoded text is well-formed UTF-8 or refused: nothing else can name a resource, and
 * PostgreSQL answers invalid bytes with an error (it was a 500). */
bool text_percent_decode(const char *src, size_t len, char *out, bool plus_as_space) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    char c = src[i];
    if (c == '%') {
      if (i + 2 >= len) return false;
      int hi = hex_value(src[i + 1]), lo = hex_value(src[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = (char)(hi * 16 + lo);
      if (c == '\0') return false;
      i += 2;
    } else if (c == '+' && plus_as_space) {
      c = ' ';
    } else if (c == '\0') {
      return false;
    }
    out[o++] = c;
  }
  out[o] = '\0';
  return utf8_valid((const unsigned char *)out, o);
}

bool text_buf_append(text_buf *b, const char *data, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) return false;
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

bool text_buf_puts(text_buf *b, const char *s) { return text_buf_append(b, s, strlen(s)); }

void text_buf_free(text_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

bool text_media_type_is(const char *content_type, const char *type) {
  if (!content_type) return false;
  while (*content_type == ' ') content_type++;
  size_t n = strlen(type);
  if (strncasecmp(content_type, type, n) != 0) return false;
  char next = content_type[n];
  return next == '\0' || next == ';' || next == ' ';
}

bool text_utf8_valid(const char *s, size_t n) { return utf8_valid((const unsigned char *)s, n); }
