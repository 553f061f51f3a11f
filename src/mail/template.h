/* template.h: the messages' texts (src/mail/templates, compiled into the binary) filled in.
 *
 * A message is three files per template and language: `<name>.<lang>.txt` (the subject on the
 * first line, an empty line, then the plain-text body) and `<name>.<lang>.html`. `{{name}}` is
 * replaced by the value of that name in vars (a string as is, an integer in decimal); in the HTML
 * every value is escaped, and in the subject line breaks and other control characters become
 * spaces, so no value can add a header. A name missing from vars is an error, not an empty
 * string. Pure: no I/O beyond the embedded files. */
#ifndef KR_MAIL_TEMPLATE_H
#define KR_MAIL_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { MAIL_TEXT, MAIL_HTML, MAIL_HEADER } mail_escape;

/* A rendered message. Owned by the caller: free with mail_rendered_free. */
typedef struct {
  char *subject, *text, *html;
} mail_rendered;

/* Fills text[0..len) with vars. A malloc'ed NUL-terminated string, or NULL with a reason in err
 * (a name without a value, an unclosed {{, out of memory). */
char *mail_fill(const char *text, size_t len, const json_t *vars, mail_escape escape, char *err, size_t err_size);

/* Renders template `name` in `language` ("nl" or "en") with vars. False with a reason in err when
 * the template does not exist or cannot be filled; out is then all NULL. */
bool mail_render(const char *name, const char *language, const json_t *vars, mail_rendered *out, char *err,
                 size_t err_size);
void mail_rendered_free(mail_rendered *m);

#endif
