#include <jansson.h>
#include <string.h>

#include "accounts/rules.h"
#include "check.h"
#include "http/body.h"

/* The fields named in an errors array, comma-separated. */
static const char *fields_of(json_t *errors, char *buf, size_t size) {
  buf[0] = '\0';
  size_t i;
  json_t *e;
  json_array_foreach(errors, i, e) {
    if (i) strncat(buf, ",", size - strlen(buf) - 1);
    strncat(buf, json_string_value(json_object_get(e, "field")), size - strlen(buf) - 1);
  }
  return buf;
}

static const char *check_new(const char *json, role *r, char *buf) {
  json_t *body = json_loads(json, 0, NULL);
  json_t *errors = json_array();
  account_check_new(body, errors, r);
  fields_of(errors, buf, 256);
  json_decref(errors);
  json_decref(body);
  return buf;
}

int main(void) {
  char buf[256];
  role r;
  CHECK_STR(check_new("{\"username\":\"anna\",\"password\":\"twelve chars\",\"role\":\"admin\"}", &r, buf), "");
  CHECK(r == ROLE_ADMIN);
  CHECK_STR(check_new("{\"username\":\"gm\",\"password\":\"short\",\"role\":\"municipality\","
                      "\"municipalityCode\":\"0363\",\"professionalId\":\"x\"}", &r, buf),
            "username,password,professionalId,municipalityCode");
  CHECK_STR(check_new("{\"username\":\"body1\",\"password\":\"twelve chars\",\"role\":\"certifier\"}", &r, buf),
            "certifyingBodyId");
  CHECK_STR(check_new("{\"username\":\"p1\",\"password\":\"twelve chars\",\"role\":\"professional\","
                      "\"professionalId\":\"not-a-uuid\"}", &r, buf),
            "username,professionalId");
  CHECK_STR(check_new("{\"username\":\"x1x\",\"password\":\"twelve chars\",\"role\":\"king\"}", &r, buf), "role");
  CHECK(r == 0);

  CHECK(account_password_problem("elf chars!!") != NULL);
  CHECK(account_password_problem("twelve chars") == NULL);
  /* Characters, not bytes: twelve two-byte characters are enough. */
  CHECK(account_password_problem("éééééééééééé") == NULL);
  CHECK(account_password_problem("ééééééééééé") != NULL);
  CHECK(account_username_valid("a.b_c@d-e"));
  CHECK(!account_username_valid("ab"));
  CHECK(!account_username_valid("with space"));
  CHECK(account_municipality_code_valid("GM0363"));
  CHECK(!account_municipality_code_valid("GM363"));
  CHECK(!account_municipality_code_valid("gm0363"));

  /* Unknown, read-only, missing and mistyped members are each named. */
  body_field fields[] = {{"a", FIELD_STRING, true, false, false},
                         {"b", FIELD_INTEGER, false, false, false},
                         {"id", FIELD_STRING, false, false, true}};
  json_t *body = json_loads("{\"b\":\"1\",\"id\":\"x\",\"zz\":1}", 0, NULL);
  json_t *errors = json_array();
  body_check(body, fields, 3, errors);
  CHECK_STR(fields_of(errors, buf, sizeof buf), "a,b,id,zz");
  json_decref(errors);
  json_decref(body);
  return CHECK_DONE();
}
