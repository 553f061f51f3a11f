#include "accounts/rules.h"

#include <ctype.h>
#include <string.h>

#include "core/text.h"
#include "http/context.h"

const char *account_password_problem(const char *password) {
  size_t n = text_utf8_length(password);
  if (n < PASSWORD_MIN_CHARS) return "must have at least 12 characters";
  if (n > PASSWORD_MAX_CHARS) return "may have at most 128 characters";
  return NULL;
}

bool account_username_valid(const char *u) {
  size_t n = strlen(u);
  if (n < 3 || n > 64) return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)u[i]) && !strchr("._@-", u[i])) return false;
  return true;
}

bool account_municipality_code_valid(const char *c) {
  return strlen(c) == 6 && c[0] == 'G' && c[1] == 'M' && isdigit((unsigned char)c[2]) &&
         isdigit((unsigned char)c[3]) && isdigit((unsigned char)c[4]) &&
         isdigit((unsigned char)c[5]);
}

static const char *const link_fields[] = {"professionalId", "organisationId", "certifyingBodyId",
                                          "municipalityCode"};

void account_check_new(const json_t *body, json_t *errors, role *out_role) {
  const char *username = json_string_value(json_object_get(body, "username"));
  const char *password = json_string_value(json_object_get(body, "password"));
  const char *role_text = json_string_value(json_object_get(body, "role"));
  if (username && !account_username_valid(username))
    field_error(errors, "username", "must be 3 to 64 characters: letters, digits, . _ @ -");
  const char *why = password ? account_password_problem(password) : NULL;
  if (why) field_error(errors, "password", why);
  role r = role_text ? role_parse(role_text) : 0;
  if (role_text && !r)
    field_error(errors, "role",
                "must be one of admin, professional, organisation, certifier, municipality");
  *out_role = r;
  if (!r) return;

  const char *wanted = role_link_field(r);
  for (size_t i = 0; i < sizeof link_fields / sizeof link_fields[0]; i++) {
    const char *field = link_fields[i];
    const char *value = json_string_value(json_object_get(body, field));
    bool is_wanted = wanted && strcmp(wanted, field) == 0;
    if (!is_wanted) {
      if (json_object_get(body, field)) field_error(errors, field, "does not belong to this role");
      continue;
    }
    if (!json_object_get(body, field)) field_error(errors, field, "is required for this role");
    else if (!value) continue; /* the type error is already named */
    else if (strcmp(field, "municipalityCode") == 0 ? !account_municipality_code_valid(value)
                                                    : !text_is_uuid(value))
      field_error(errors, field,
                  strcmp(field, "municipalityCode") == 0 ? "must be a CBS code like GM0363"
                                                         : "must be a UUID");
  }
}

bool account_email_valid(const char *e) {
  const char *at = e ? strchr(e, '@') : NULL;
  size_t n = e ? strlen(e) : 0;
  return at && at > e && strchr(at + 1, '.') && at[1] != '.' && e[n - 1] != '.' && !strchr(at + 1, '@') &&
         strcspn(e, " \t\r\n<>\"(),;[]\\") == n;
}

void account_check_email_member(const json_t *obj, const char *field, json_t *errors) {
  const char *email = json_string_value(json_object_get(obj, field));
  if (email && (text_utf8_length(email) > EMAIL_MAX_CHARS || !account_email_valid(email)))
    field_error(errors, field, "must be an email address of at most 254 characters");
}

bool account_language_valid(const char *language) {
  return language && (strcmp(language, "nl") == 0 || strcmp(language, "en") == 0);
}
