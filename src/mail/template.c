#include "mail/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/text.h"

/* Appends one value, escaped for where it goes. */
static bool put_value(text_buf *out, const char *v, size_t n, mail_escape escape) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    const char *entity = NULL;
    if (escape == MAIL_HTML) {
      entity = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
    } else if (escape == MAIL_HEADER && (c < 0x20 || c == 0x7f)) {
      entity = " ";
    }
    if (entity ? !text_buf_puts(out, entity) : !text_buf_append(out, (const char *)&c, 1)) return false;
  }
  return true;
}

char *mail_fill(const char *text, size_t len, const json_t *vars, mail_escape escape, char *err, size_t err_size) {
  text_buf out = {0};
  err[0] = '\0';
  const char *p = text, *end = text + len;
  bool ok = true;
  while (ok && p < end) {
    const char *open = memmem(p, (size_t)(end - p), "{{", 2);
    if (!open) {
      ok = text_buf_append(&out, p, (size_t)(end - p));
      break;
    }
    ok = text_buf_append(&out, p, (size_t)(open - p));
    const char *close = memmem(open + 2, (size_t)(end - open - 2), "}}", 2);
    if (!close || close - open - 2 > 64) {
      snprintf(err, err_size, "a {{ without its }}");
      ok = false;
      break;
    }
    char name[65];
    memcpy(name, open + 2, (size_t)(close - open - 2));
    name[close - open - 2] = '\0';
    const json_t *v = json_object_get(vars, name);
    char number[32];
    if (json_is_string(v)) {
      ok = ok && put_value(&out, json_string_value(v), json_string_length(v), escape);
    } else if (json_is_integer(v)) {
      snprintf(number, sizeof number, "%lld", (long long)json_integer_value(v));
      ok = ok && put_value(&out, number, strlen(number), escape);
    } else {
      snprintf(err, err_size, "no value for {{%s}}", name);
      ok = false;
    }
    p = close + 2;
  }
  if (!ok) {
    if (!err[0]) snprintf(err, err_size, "out of memory");
    text_buf_free(&out);
    return NULL;
  }
  if (!out.data && !text_buf_append(&out, "", 0)) { /* an empty text is "" */
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  return out.data;
}

bool mail_render(const char *name, const char *language, const json_t *vars, mail_rendered *out, char *err,
                 size_t err_size) {
  memset(out, 0, sizeof *out);
  err[0] = '\0';
  char path[128];
  snprintf(path, sizeof path, "mail/%s.%s.txt", name, language);
  const embed_file *txt = embed_find(path);
  snprintf(path, sizeof path, "mail/%s.%s.html", name, language);
  const embed_file *html = embed_find(path);
  if (!txt || !html) {
    snprintf(err, err_size, "no template %s in %s", name, language);
    return false;
  }
  /* The subject is the first line; the body starts after the empty line below it. */
  const char *start = txt->start, *nl = memchr(start, '\n', embed_size(txt));
  if (!nl || nl + 1 >= txt->end || nl[1] != '\n') {
    snprintf(err, err_size, "template %s.%s.txt has no subject line and empty line", name, language);
    return false;
  }
  out->subject = mail_fill(start, (size_t)(nl - start), vars, MAIL_HEADER, err, err_size);
  if (out->subject) out->text = mail_fill(nl + 2, (size_t)(txt->end - nl - 2), vars, MAIL_TEXT, err, err_size);
  if (out->text) out->html = mail_fill(html->start, embed_size(html), vars, MAIL_HTML, err, err_size);
  if (!out->html) {
    mail_rendered_free(out);
    return false;
  }
  return true;
}

void mail_rendered_free(mail_rendered *m) {
  free(m->subject);
  free(m->text);
  free(m->html);
  memset(m, 0, sizeof *m);
}
