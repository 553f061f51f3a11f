#include <string.h>

#include "check.h"
#include "voice/rules.h"

static voice_pii pii(const char *text) { return voice_personal_data(text); }

int main(void) {
  /* The eleven-test: 9x1 + 8x2 + ... + 2x8 - 1x9 divisible by 11. */
  CHECK(voice_bsn_eleven_test("111222333"));
  CHECK(voice_bsn_eleven_test("123456782"));
  CHECK(!voice_bsn_eleven_test("123456789"));
  CHECK(!voice_bsn_eleven_test("000000000"));
  CHECK(!voice_bsn_eleven_test("12345678a"));

  /* Clean stories pass, numbers of everyday life included. */
  CHECK(pii(NULL) == VOICE_PII_NONE);
  CHECK(pii("") == VOICE_PII_NONE);
  CHECK(pii("Ik woon al 12 jaar in de wijk en sinds 2019 op 5 hoog.") == VOICE_PII_NONE);
  CHECK(pii("Het kost 1.234.567,89 euro per jaar; 3 van de 10 mensen.") == VOICE_PII_NONE);
  CHECK(pii("Afspraak op 12-05-2019 om 10.30 uur.") == VOICE_PII_NONE);
  CHECK(pii("Mijn postcode is 1234 AB, verder zeg ik niets.") == VOICE_PII_NONE);
  CHECK(pii("Een nummer van 123456789 cijfers") == VOICE_PII_NONE);  /* fails the eleven-test */
  CHECK(pii("Het getal 1234567820 is lang") == VOICE_PII_NONE);      /* 10 digits, no phone */
  CHECK(pii("Twitter @gemeente of a@b") == VOICE_PII_NONE);
  CHECK(pii("Café 0612345678x") == VOICE_PII_NONE);                  /* a code, not a number */

  /* E-mail addresses. */
  CHECK(pii("mail me: jan.jansen@example.nl") == VOICE_PII_EMAIL);
  CHECK(pii("x+tag@sub.domein.org.") == VOICE_PII_EMAIL);

  /* Phone numbers, national and international, with separators. */
  CHECK(pii("bel 0612345678") == VOICE_PII_PHONE);
  CHECK(pii("bel 06-12345678 maar niet na 8") == VOICE_PII_PHONE);
  CHECK(pii("bel 06 12 34 56 78") == VOICE_PII_PHONE);
  CHECK(pii("(020) 123 4567") == VOICE_PII_PHONE);
  CHECK(pii("020-1234567") == VOICE_PII_PHONE);
  CHECK(pii("+31 6 12345678") == VOICE_PII_PHONE);
  CHECK(pii("+31612345678") == VOICE_PII_PHONE);
  CHECK(pii("0031 6 1234 5678") == VOICE_PII_PHONE);
  CHECK(pii("in 2020 0612345678 gebeld") == VOICE_PII_PHONE);

  /* BSN-shaped numbers. */
  CHECK(pii("mijn bsn is 111222333") == VOICE_PII_BSN);
  CHECK(pii("nummer 1234.56.782 staat op de brief") == VOICE_PII_BSN);
  CHECK(pii("nummer 123 456 782.") == VOICE_PII_BSN);

  /* Postcodes with a house number, in either order. */
  CHECK(pii("ik woon op 1234 AB 5") == VOICE_PII_ADDRESS);
  CHECK(pii("adres: 1234ab 12a") == VOICE_PII_ADDRESS);
  CHECK(pii("Dorpsstraat 12, 1234 AB Amsterdam") == VOICE_PII_ADDRESS);
  CHECK(pii("Dorpsstraat 12a, 1234 AB Amsterdam") == VOICE_PII_ADDRESS);
  CHECK(pii("sinds 2019 op 5 mei") == VOICE_PII_NONE); /* lowercase after a space: no postcode */

  CHECK(strstr(voice_pii_message(VOICE_PII_BSN), "BSN") != NULL);

  /* Session statuses only move forward; reported is final. */
  CHECK(voice_status_change_allowed("planned", "planned"));
  CHECK(voice_status_change_allowed("planned", "held"));
  CHECK(voice_status_change_allowed("held", "reported"));
  CHECK(voice_status_change_allowed("planned", "reported"));
  CHECK(!voice_status_change_allowed("held", "planned"));
  CHECK(!voice_status_change_allowed("reported", "reported"));
  CHECK(!voice_status_change_allowed("reported", "held"));
  CHECK(!voice_status_change_allowed("held", "bogus"));
  return CHECK_DONE();
}
