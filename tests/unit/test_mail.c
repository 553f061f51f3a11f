/* The mail texts (mail/template.h) and the message around them (mail/message.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/embed.h"
#include "mail/message.h"
#include "mail/template.h"

static char *fill(const char *text, const json_t *vars, mail_escape escape) {
  char err[128];
  return mail_fill(text, strlen(text), vars, escape, err, sizeof err);
}

int main(void) {
  json_t *vars = json_pack("{s:s, s:i, s:s}", "name", "<b>Anna & \"Jo\"</b>", "hours", 24, "evil",
                           "Hi\r\nBcc: x@example.test");
  char err[128], *s;

  /* Values as they are in text, escaped in HTML, without line breaks in a header. */
  CHECK_STR(s = fill("Dear {{name}}, {{hours}} hours", vars, MAIL_TEXT), "Dear <b>Anna & \"Jo\"</b>, 24 hours");
  free(s);
  CHECK_STR(s = fill("<p>{{name}}</p>", vars, MAIL_HTML), "<p>&lt;b&gt;Anna &amp; &quot;Jo&quot;&lt;/b&gt;</p>");
  free(s);
  CHECK_STR(s = fill("Re: {{evil}}", vars, MAIL_HEADER), "Re: Hi  Bcc: x@example.test");
  free(s);
  CHECK_STR(s = fill("", vars, MAIL_TEXT), "");
  free(s);
  CHECK_STR(s = fill("no names at all", vars, MAIL_TEXT), "no names at all");
  free(s);
  /* A name without a value, and an unclosed {{, are errors, not empty strings. */
  CHECK(mail_fill("{{missing}}", 11, vars, MAIL_TEXT, err, sizeof err) == NULL && strstr(err, "missing"));
  CHECK(mail_fill("{{name", 6, vars, MAIL_TEXT, err, sizeof err) == NULL);

  /* Every template exists in both languages and fills with the values its sender gives. */
  json_t *given = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "givenName", "Anna", "token", "T0K3N", "username",
                            "anna.b", "hours", 24, "minutes", 30, "webUrl", "https://register.example");
  const char *templates[] = {"email_verification", "password_reset"}, *languages[] = {"nl", "en"};
  for (int t = 0; t < 2; t++)
    for (int l = 0; l < 2; l++) {
      mail_rendered m;
      bool ok = mail_render(templates[t], languages[l], given, &m, err, sizeof err);
      CHECK(ok);
      if (!ok) {
        fprintf(stderr, "%s.%s: %s\n", templates[t], languages[l], err);
        continue;
      }
      CHECK(m.subject[0] && !strpbrk(m.subject, "\r\n"));
      CHECK(strstr(m.text, "https://register.example/") && strstr(m.text, "#token=T0K3N"));
      CHECK(strstr(m.html, "#token=T0K3N") && strstr(m.html, "<html lang=\"") && strstr(m.html, languages[l]));
      CHECK(!strstr(m.text, "{{") && !strstr(m.html, "{{"));
      mail_rendered_free(&m);
    }
  /* Every template the binary holds renders in both languages with the values its senders give
   * (sql/0021-0023), with no name left unfilled. */
  json_t *all = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "givenName", "Anna", "token", "T0K3N", "username", "anna.b", "hours", 24, "minutes", 30,
                          "webUrl", "https://register.example", "registrationNumber", "RSW0000042", "periodEnd",
                          "31-12-2027", "detail", "een berisping", "organisationName", "Zorggroep Noord",
                          "certificateNumber", "KSW-2025-000001", "validUntil", "31-12-2027", "note", "Toelichting",
                          "plannedOn", "01-02-2025", "reason", "Reden", "effectiveOn", "01-03-2025", "kvkNumber",
                          "12345678", "auditId", "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "certifyingBody", "Certificering BV");
  json_object_set_new(all, "newAddress", json_string("nieuw@example.test"));
  int rendered = 0;
  for (const embed_file *f = embed_files; f->name; f++) {
    size_t n = strlen(f->name);
    if (strncmp(f->name, "mail/", 5) != 0 || n < 12 || strcmp(f->name + n - 7, ".nl.txt") != 0) continue;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(n - 12), f->name + 5);
    for (int l = 0; l < 2; l++) {
      mail_rendered m;
      bool ok = mail_render(name, languages[l], all, &m, err, sizeof err);
      CHECK(ok);
      if (!ok) {
        fprintf(stderr, "%s.%s: %s\n", name, languages[l], err);
        continue;
      }
      CHECK(!strstr(m.subject, "{{") && !strstr(m.text, "{{") && !strstr(m.html, "{{"));
      rendered++;
      mail_rendered_free(&m);
    }
  }
  CHECK(rendered == 2 * 17); /* the templates of sql/0021 (2), 0022 (6), 0023 (7) and 0024 (2) */
  json_decref(all);

  mail_rendered dummy;
  CHECK(!mail_render("email_verification", "de", given, &dummy, err, sizeof err) && dummy.subject == NULL);
  CHECK(!mail_render("no_such_template", "nl", given, &dummy, err, sizeof err));

  /* The message: headers, the encoded subject, both parts in base64 under one boundary. */
  mail_message m = {"Register Sociaal Werk <noreply@register.example>", "anna@example.test",
                    "Bevestig uw e-mailadres – één keer", "tekst", "<p>html</p>", "mail-42@register.example",
                    1796112000};
  char *wire = mail_message_build(&m);
  CHECK(wire != NULL);
  if (wire) {
    const char *head = "From: Register Sociaal Werk <noreply@register.example>\r\nTo: anna@example.test\r\n";
    CHECK(strncmp(wire, head, strlen(head)) == 0);
    CHECK(strstr(wire, "\r\nSubject: =?UTF-8?B?") != NULL);
    CHECK(strstr(wire, "\r\nDate: Tue, 01 Dec 2026 08:00:00 +0000\r\n") != NULL);
    CHECK(strstr(wire, "\r\nMessage-ID: <mail-42@register.example>\r\n") != NULL);
    CHECK(strstr(wire, "boundary=\"=_kr_mail-42@register.example\"") != NULL);
    CHECK(strstr(wire, "\r\n\r\ndGVrc3Q=\r\n") != NULL);       /* "tekst" */
    CHECK(strstr(wire, "\r\n\r\nPHA+aHRtbDwvcD4=\r\n") != NULL); /* "<p>html</p>" */
    CHECK(strstr(wire, "--=_kr_mail-42@register.example--\r\n") != NULL);
    /* No bare LF: every line ends with CRLF. */
    bool crlf = true;
    for (const char *p = wire; *p; p++)
      if (*p == '\n' && (p == wire || p[-1] != '\r')) crlf = false;
    CHECK(crlf);
  }
  free(wire);
  mail_message injected = m;
  injected.to = "anna@example.test\r\nBcc: x@example.test";
  CHECK(mail_message_build(&injected) == NULL);

  json_decref(vars);
  json_decref(given);
  return CHECK_DONE();
}
