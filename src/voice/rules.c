#include "voice/rules.h"

#include <stddef.h>
#include <string.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_letter(char c) { return is_upper(c) || (c >= 'a' && c <= 'z'); }
static bool is_alnum(char c) { return is_digit(c) || is_letter(c); }
/* Bytes of multi-byte UTF-8 characters count as letters: "é1234" is no number start. */
static bool is_wordish(char c) { return is_alnum(c) || (unsigned char)c >= 0x80; }

/* ---- e-mail: local@domain.tld ------------------------------------------------------------- */
static bool local_char(char c) { return is_alnum(c) || strchr("._%+-", c); }
static bool domain_char(char c) { return is_alnum(c) || c == '-'; }

static bool email_at(const char *s, size_t at) {
  if (at == 0 || !local_char(s[at - 1])) return false;
  const char *p = s + at + 1;
  bool dotted = false;
  size_t label = 0, letters = 0;
  for (; *p; p++) {
    if (domain_char(*p)) {
      label++;
      letters = is_letter(*p) ? letters + 1 : 0;
    } else if (*p == '.' && label > 0 && domain_char(p[1])) {
      dotted = true;
      label = letters = 0;
    } else {
      break;
    }
  }
  return dotted && letters >= 2 && label == letters;
}

/* ---- numbers written with separators (phone numbers, BSNs) ------------------------------- */
static bool number_separator(char c) { return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')'; }

/* From a number's first digit (or its '+'), calls back at the end of every digit group with the
 * digits so far, until the number ends (two separators in a row or any other character). */
typedef bool (*group_check)(const char *digits, size_t count, bool plus, void *arg);

static bool scan_number(const char *s, group_check check, void *arg) {
  bool plus = *s == '+';
  if (plus) s++;
  char digits[16];
  size_t count = 0;
  while (is_digit(*s)) {
    while (is_digit(*s)) {
      if (count == sizeof digits) return false;
      digits[count++] = *s++;
    }
    if (!is_wordish(*s) && check(digits, count, plus, arg)) return true;
    if (is_wordish(*s)) return false; /* "12a", "3e": not a number */
    size_t seps = 0;
    while (number_separator(*s) && seps < 2) s++, seps++;
    if (seps == 0 || (seps == 2 && !(s[-1] == '(' || s[-2] == ')'))) return false;
  }
  return false;
}

static bool phone_group(const char *d, size_t n, bool plus, void *arg) {
  (void)arg;
  if (plus || (n >= 2 && d[0] == '0' && d[1] == '0')) return n >= 10 && n <= 15; /* international */
  return n == 10 && d[0] == '0' && d[1] != '0';                                  /* 06-, 020- */
}

bool voice_bsn_eleven_test(const char digits[9]) {
  int sum = 0;
  bool zero = true;
  for (int i = 0; i < 9; i++) {
    int v = digits[i] - '0';
    if (v < 0 || v > 9) return false;
    zero = zero && v == 0;
    sum += i < 8 ? v * (9 - i) : -v;
  }
  return !zero && sum % 11 == 0;
}

static bool bsn_group(const char *d, size_t n, bool plus, void *arg) {
  (void)arg;
  return !plus && n == 9 && voice_bsn_eleven_test(d);
}

/* ---- postcode with house number: "1234 AB 5", "1234ab 12", "Dorpsstraat 12, 1234 AB" ------ */
/* Length of a postcode at s (4 digits, the first not 0, then two letters: uppercase after a
 * space, either case without), or 0. */
static size_t postcode_at(const char *s) {
  if (s[0] < '1' || s[0] > '9' || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3])) return 0;
  if (s[4] == ' ' && is_upper(s[5]) && is_upper(s[6]) && !is_wordish(s[7])) return 7;
  if (is_letter(s[4]) && is_letter(s[5]) && !is_wordish(s[6])) return 6;
  return 0;
}

static bool house_number_after(const char *s) {
  for (int i = 0; i < 3 && (*s == ' ' || *s == ',' || *s == '-'); i++) s++;
  return is_digit(*s);
}

static bool house_number_before(const char *text, size_t at) {
  size_t i = at, skipped = 0;
  while (i > 0 && skipped < 3 && (text[i - 1] == ' ' || text[i - 1] == ',')) i--, skipped++;
  if (skipped == 0 || i == 0) return false;
  if (is_letter(text[i - 1]) && i >= 2 && is_digit(text[i - 2])) i--; /* "12a, 1234 AB" */
  return is_digit(text[i - 1]);
}

voice_pii voice_personal_data(const char *text) {
  if (!text) return VOICE_PII_NONE;
  voice_pii found = VOICE_PII_NONE;
  for (size_t i = 0; text[i] && found == VOICE_PII_NONE; i++) {
    char c = text[i];
    bool starts = i == 0 || !is_wordish(text[i - 1]);
    if (c == '@' && email_at(text, i)) {
      found = VOICE_PII_EMAIL;
    } else if (starts && (is_digit(c) || (c == '+' && is_digit(text[i + 1])))) {
      size_t pc = postcode_at(text + i);
      if (pc && (house_number_after(text + i + pc) || house_number_before(text, i)))
        found = VOICE_PII_ADDRESS;
      else if (scan_number(text + i, phone_group, NULL))
        found = VOICE_PII_PHONE;
      else if (c != '+' && scan_number(text + i, bsn_group, NULL))
        found = VOICE_PII_BSN;
    }
  }
  return found;
}

const char *voice_pii_message(voice_pii kind) {
  switch (kind) {
    case VOICE_PII_EMAIL: return "must not contain an e-mail address: stories are anonymous";
    case VOICE_PII_PHONE: return "must not contain a phone number: stories are anonymous";
    case VOICE_PII_BSN: return "must not contain a citizen service number (BSN): stories are anonymous";
    case VOICE_PII_ADDRESS: return "must not contain a postcode with a house number: stories are anonymous";
    case VOICE_PII_NONE: break;
  }
  return "contains no personal data";
}

static int status_order(const char *s) {
  if (!s) return -1;
  if (strcmp(s, "planned") == 0) return 0;
  if (strcmp(s, "held") == 0) return 1;
  if (strcmp(s, "reported") == 0) return 2;
  return -1;
}

bool voice_status_change_allowed(const char *from, const char *to) {
  int f = status_order(from), t = status_order(to);
  return f >= 0 && t >= 0 && f < 2 && t >= f;
}
