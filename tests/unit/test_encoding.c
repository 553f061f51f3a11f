#include <string.h>

#include "check.h"
#include "core/rand.h"
#include "core/text.h"
#include "http/body.h"
#include "http/pagination.h"

int main(void) {
  char out[64];
  unsigned char raw[64];
  /* base64url round trips, no padding, and rejects what it would never produce. */
  CHECK(b64url_encode("\xfb\xff", 2, out, sizeof out) == 3);
  CHECK_STR(out, "-_8");
  CHECK(b64url_decode("-_8", 3, raw, sizeof raw) == 2 && raw[0] == 0xfb && raw[1] == 0xff);
  CHECK(b64url_decode("-_9", 3, raw, sizeof raw) == -1); /* non-zero leftover bits */
  CHECK(b64url_decode("a", 1, raw, sizeof raw) == -1);
  CHECK(b64url_decode("ab+/", 4, raw, sizeof raw) == -1);
  CHECK(b64url_encode("abc", 3, out, 4) == 0); /* too small for the NUL */

  char hex[65];
  hash_sha256_hex("abc", 3, hex);
  CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  char id[37];
  CHECK(rand_uuid(id) && text_is_uuid(id) && id[14] == '4');
  CHECK(!text_is_uuid("6f1d2c1e-0000-4000-8000-00000000000"));
  CHECK(!text_is_uuid("6f1d2c1e_0000-4000-8000-000000000001"));
  CHECK(text_utf8_length("abc") == 3);
  CHECK(text_utf8_length("\xc3\xa9t\xc3\xa9") == 3); /* "été": 5 bytes, 3 characters */
  CHECK(text_utf8_length("\xf0\x9f\x98\x80") == 1);  /* one emoji, 4 bytes */
  CHECK(text_utf8_length("") == 0 && text_utf8_length(NULL) == 0);

  char dec[32];
  CHECK(text_percent_decode("a+b%41", 6, dec, true));
  CHECK_STR(dec, "a bA");
  CHECK(text_percent_decode("a+b", 3, dec, false));
  CHECK_STR(dec, "a+b");
  CHECK(!text_percent_decode("%4", 2, dec, false));
  CHECK(!text_percent_decode("%zz", 3, dec, false));

  CHECK(text_media_type_is("application/json; charset=utf-8", "application/json"));
  CHECK(text_media_type_is("Application/JSON", "application/json"));
  CHECK(!text_media_type_is("application/jsonx", "application/json"));
  CHECK(!text_media_type_is(NULL, "application/json"));

  CHECK(text_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
  CHECK(!text_utf8_valid("\xff", 1));
  CHECK(!text_utf8_valid("\xc0\xaf", 2));         /* overlong */
  CHECK(!text_utf8_valid("\xed\xa0\x80", 3));     /* a surrogate */
  CHECK(!text_utf8_valid("\xc3", 1));             /* cut short */

  /* Forms: decoded values, repeated names refused (RFC 6749 section 3.2). */
  const char *text = "grant_type=password&username=a%40b&password=x+y";
  json_t *form = form_parse(text, strlen(text));
  CHECK(form && strcmp(json_string_value(json_object_get(form, "username")), "a@b") == 0);
  CHECK(form && strcmp(json_string_value(json_object_get(form, "password")), "x y") == 0);
  json_decref(form);
  CHECK(form_parse("a=1&a=2", 7) == NULL);
  CHECK(form_parse("=1", 2) == NULL);
  CHECK(form_parse("a=%ff", 5) == NULL); /* not UTF-8 */
  CHECK(form_parse("a=1", 4) == NULL);   /* an embedded NUL */

  /* Cursors decode only what encode made. */
  char cursor[128];
  page_cursor_encode("1732412345123456", "6f1d2c1e-0000-4000-8000-000000000001", cursor,
                     sizeof cursor);
  page_cursor c;
  CHECK(page_cursor_decode(cursor, &c) && c.present);
  CHECK_STR(c.key, "1732412345123456");
  CHECK_STR(c.id, "6f1d2c1e-0000-4000-8000-000000000001");
  CHECK(!page_cursor_decode("abc", &c));
  CHECK(!page_cursor_decode("", &c));
  page_cursor_encode("12x", "6f1d2c1e-0000-4000-8000-000000000001", cursor, sizeof cursor);
  CHECK(!page_cursor_decode(cursor, &c));
  /* text_one_of: a member of a NULL-terminated list; NULL is none. */
  const char *const kinds[] = {"external", "combined", NULL};
  CHECK(text_one_of("combined", kinds) && !text_one_of("intercollegial", kinds) && !text_one_of(NULL, kinds));
  CHECK(!text_one_of("external", (const char *const[]){NULL}));
  return CHECK_DONE();
}
