/* rules.h (accounts): what a valid new account and a valid password look like. Pure: no I/O. */
#ifndef KR_ACCOUNTS_RULES_H
#define KR_ACCOUNTS_RULES_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/principal.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 128

/* NULL when the password is acceptable, else why not (a static message). */
const char *account_password_problem(const char *password);
/* True for 3..64 characters of A-Z a-z 0-9 . _ @ - */
bool account_username_valid(const char *username);
#define EMAIL_MAX_CHARS 254 /* RFC 5321's path limit */

/* True for an address that looks deliverable: one @ with text before it, a dot in the domain,
 * no blanks, quotes or angle brackets (it goes into message headers). */
bool account_email_valid(const char *email);
/* Adds "must be an email address of at most 254 characters" naming `field` when the string
 * member `field` of obj is not such an address (absent or not a string: nothing). */
void account_check_email_member(const json_t *obj, const char *field, json_t *errors);
/* True for "nl" or "en", the languages of the messages an account receives. */
bool account_language_valid(const char *language);

/* True for a CBS municipality code: "GM" and four digits. */
bool account_municipality_code_valid(const char *code);

/* Checks a POST /v1/accounts body whose member types were already checked: username,
 * password, role and the role's link (and no other link). Adds a field error for each
 * problem; *out_role is the parsed role or 0. */
void account_check_new(const json_t *body, json_t *errors, role *out_role);

#endif
