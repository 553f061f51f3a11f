/* rules.h (voice): residents' voice rules that need no database. Pure: no I/O.
 *
 * The personal-data detector keeps stories anonymous: a text that carries an e-mail address, a
 * phone number, a BSN-shaped number (9 digits passing the eleven-test) or a postcode with a house
 * number is refused. It errs on the side of refusing: a teller can always say it otherwise. */
#ifndef KR_VOICE_RULES_H
#define KR_VOICE_RULES_H

#include <stdbool.h>

typedef enum {
  VOICE_PII_NONE,
  VOICE_PII_EMAIL,
  VOICE_PII_PHONE,
  VOICE_PII_BSN,
  VOICE_PII_ADDRESS, /* a postcode with a house number */
} voice_pii;

/* The first kind of personal data found in text (UTF-8), or VOICE_PII_NONE. */
voice_pii voice_personal_data(const char *text);
/* The field error message for a kind ("must not contain an e-mail address", ...); static. */
const char *voice_pii_message(voice_pii kind);
/* True when the 9 digits pass the eleven-test of a BSN (and are not all zero). */
bool voice_bsn_eleven_test(const char digits[9]);

/* Session statuses move forward only: planned -> held -> reported; reported is final. True when
 * a session in `from` may be stored with `to` (the same status included, reported excepted). */
bool voice_status_change_allowed(const char *from, const char *to);

/* Most recommendations a session hands over (its top five), ranked 1..VOICE_MAX_RECOMMENDATIONS. */
#define VOICE_MAX_RECOMMENDATIONS 5

#endif
