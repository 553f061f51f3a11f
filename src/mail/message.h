/* message.h: an RFC 5322 message, ready for SMTP, from a rendered text and HTML.
 *
 * multipart/alternative with a text/plain and a text/html part, both UTF-8 in base64 (lines of
 * 76), CRLF line ends throughout; a subject or sender name that is not ASCII is an RFC 2047
 * encoded word. The Message-ID is given by the caller and stays the same for every attempt of
 * one outbox row, so a receiver can recognise a message sent twice. Pure. */
#ifndef KR_MAIL_MESSAGE_H
#define KR_MAIL_MESSAGE_H

#include <time.h>

typedef struct {
  const char *from;       /* MAIL_FROM as configured: "Name <address>" or "address" */
  const char *to;         /* one address */
  const char *subject;    /* no line breaks (template.h guarantees it) */
  const char *text, *html;
  const char *message_id; /* without <>, e.g. "mail-42@kwaliteitsregister" */
  time_t date;
} mail_message;

/* The whole message as a malloc'ed NUL-terminated string; NULL when out of memory or when a
 * header value holds a line break. */
char *mail_message_build(const mail_message *m);

#endif
