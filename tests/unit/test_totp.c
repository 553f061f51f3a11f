/* RFC 6238's and RFC 4226's test vectors, the one-use window, code parsing and base32. */
#include <string.h>

#include "auth/totp.h"
#include "check.h"

static const uint8_t rfc_key[] = "12345678901234567890"; /* the RFCs' SHA-1 secret */

int main(void) {
  /* RFC 4226 appendix D: HOTP of counters 0 and 9 */
  CHECK(totp_hotp(rfc_key, 20, 0, 6) == 755224);
  CHECK(totp_hotp(rfc_key, 20, 9, 6) == 520489);
  /* RFC 6238 appendix B (SHA1, 8 digits) */
  CHECK(totp_hotp(rfc_key, 20, totp_step(59), 8) == 94287082);
  CHECK(totp_hotp(rfc_key, 20, totp_step(1111111109), 8) == 7081804);
  CHECK(totp_hotp(rfc_key, 20, totp_step(2000000000), 8) == 69279037);

  /* a code matches its step, the one before and the one after, and only once */
  long now = 1111111109;
  uint64_t step = totp_step(now);
  uint32_t current = totp_hotp(rfc_key, 20, step, 6);
  CHECK(totp_match(rfc_key, now, 0, current) == step);
  CHECK(totp_match(rfc_key, now, step, current) == 0); /* reused */
  CHECK(totp_match(rfc_key, now + 30, 0, current) == step);
  CHECK(totp_match(rfc_key, now - 30, 0, current) == step);
  CHECK(totp_match(rfc_key, now + 90, 0, current) == 0); /* too old */
  CHECK(totp_match(rfc_key, now, 0, (current + 1) % 1000000) == 0);
  uint32_t next = totp_hotp(rfc_key, 20, step + 1, 6);
  CHECK(totp_match(rfc_key, now, step, next) == step + 1); /* a later step after a used one */

  uint32_t code;
  CHECK(totp_parse_code("287082", &code) && code == 287082);
  CHECK(totp_parse_code("287 082", &code) && code == 287082);
  CHECK(totp_parse_code("012345", &code) && code == 12345);
  CHECK(!totp_parse_code("28708", &code));
  CHECK(!totp_parse_code("2870821", &code));
  CHECK(!totp_parse_code("28708a", &code));
  CHECK(!totp_parse_code(" 287082", &code));
  CHECK(!totp_parse_code("287082 ", &code));
  CHECK(!totp_parse_code("", &code));

  char text[TOTP_SECRET_BASE32];
  totp_base32(rfc_key, 20, text, sizeof text);
  CHECK_STR(text, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  totp_base32((const uint8_t *)"f", 1, text, sizeof text);
  CHECK_STR(text, "MY");
  totp_base32((const uint8_t *)"fooba", 5, text, sizeof text);
  CHECK_STR(text, "MZXW6YTB");
  uint8_t back[TOTP_SECRET_BYTES];
  char hex[2 * TOTP_SECRET_BYTES + 1];
  totp_secret_to_hex(rfc_key, hex);
  CHECK_STR(hex, "3132333435363738393031323334353637383930");
  CHECK(totp_secret_from_hex(hex, back) && memcmp(back, rfc_key, TOTP_SECRET_BYTES) == 0);
  CHECK(!totp_secret_from_hex("31323334", back));
  CHECK(!totp_secret_from_hex("zz32333435363738393031323334353637383930", back));
  char plain[TOTP_RECOVERY_CHARS + 1], shown[TOTP_RECOVERY_CHARS + 2];
  totp_recovery_format((const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07", shown);
  CHECK(strlen(shown) == 11 && shown[5] == '-');
  CHECK(totp_recovery_normalize(shown, plain) && strlen(plain) == 10 && plain[5] == shown[6]);
  CHECK(totp_recovery_normalize("abcde fghij", plain));
  CHECK_STR(plain, "ABCDEFGHIJ");
  CHECK(!totp_recovery_normalize("ABCDE-FGHI1", plain)); /* 1 is not base32 */
  CHECK(!totp_recovery_normalize("ABCDE-FGHIJK", plain));
  CHECK(!totp_recovery_normalize("ABCDE", plain));
  return CHECK_DONE();
}
