#include "mail/message.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"

static bool ascii_printable(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) return false;
  return true;
}

/* A header value: as is when printable ASCII, else one or more RFC 2047 encoded words (each at
 * most 75 characters, split between UTF-8 sequences) folded onto continuation lines. */
static bool put_header_text(text_buf *b, const char *v) {
  if (ascii_printable(v)) return text_buf_puts(b, v);
  size_t n = strlen(v), at = 0;
  bool ok = true;
  while (ok && at < n) {
    size_t take = n - at > 45 ? 45 : n - at; /* 45 bytes -> 60 base64 characters */
    while (at + take < n && take > 0 && ((unsigned char)v[at + take] & 0xC0) == 0x80) take--;
    char word[64];
    if (take == 0 || b64_encode(v + at, take, word, sizeof word) == 0) return false;
    ok = (at == 0 || text_buf_puts(b, "\r\n ")) && text_buf_puts(b, "=?UTF-8?B?") && text_buf_puts(b, word) &&
         text_buf_puts(b, "?=");
    at += take;
  }
  return ok;
}

/* "Name <address>" with the name encoded when it must be; an address alone as is. */
static bool put_from(text_buf *b, const char *from) {
  const char *open = strrchr(from, '<');
  if (!open || ascii_printable(from)) return text_buf_puts(b, from);
  size_t name_len = (size_t)(open - from);
  while (name_len > 0 && from[name_len - 1] == ' ') name_len--;
  char *name = strndup(from, name_len);
  bool ok = name && put_header_text(b, name) && text_buf_puts(b, " ") && text_buf_puts(b, open);
  free(name);
  return ok;
}

/* A part's body in base64, 76 characters a line. */
static bool put_base64(text_buf *b, const char *data) {
  size_t n = strlen(data);
  char line[80];
  for (size_t at = 0; at < n; at += 57) { /* 57 bytes -> 76 characters */
    size_t take = n - at > 57 ? 57 : n - at;
    if (b64_encode(data + at, take, line, sizeof line) == 0 || !text_buf_puts(b, line) || !text_buf_puts(b, "\r\n"))
      return false;
  }
  return true;
}

static void format_date(time_t t, char out[40]) {
  static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *mail_message_build(const mail_message *m) {
  if (strpbrk(m->from, "\r\n") || strpbrk(m->to, "\r\n") || strpbrk(m->subject, "\r\n") ||
      strpbrk(m->message_id, "\r\n<>"))
    return NULL;
  char date[40], boundary[80];
  format_date(m->date, date);
  /* "=_" never occurs in base64, so no part can contain the boundary. */
  snprintf(boundary, sizeof boundary, "=_kr_%s", m->message_id);
  text_buf b = {0};
  bool ok = text_buf_puts(&b, "From: ") && put_from(&b, m->from) && text_buf_puts(&b, "\r\nTo: ") &&
            text_buf_puts(&b, m->to) && text_buf_puts(&b, "\r\nSubject: ") && put_header_text(&b, m->subject) &&
            text_buf_puts(&b, "\r\nDate: ") && text_buf_puts(&b, date) && text_buf_puts(&b, "\r\nMessage-ID: <") &&
            text_buf_puts(&b, m->message_id) &&
            text_buf_puts(&b, ">\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
                              "Content-Type: multipart/alternative; boundary=\"") &&
            text_buf_puts(&b, boundary) && text_buf_puts(&b, "\"\r\n\r\n--") && text_buf_puts(&b, boundary) &&
            text_buf_puts(&b, "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n") &&
            put_base64(&b, m->text) && text_buf_puts(&b, "--") && text_buf_puts(&b, boundary) &&
            text_buf_puts(&b, "\r\nContent-Type: text/html; charset=utf-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n") &&
            put_base64(&b, m->html) && text_buf_puts(&b, "--") && text_buf_puts(&b, boundary) &&
            text_buf_puts(&b, "--\r\n");
  if (!ok) {
    text_buf_free(&b);
    return NULL;
  }
  return b.data;
}
