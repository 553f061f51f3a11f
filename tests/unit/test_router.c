#include "check.h"
#include "http/router.h"

static const router_entry table[] = {
    {"GET", "/v1/accounts"},
    {"POST", "/v1/accounts"},
    {"GET", "/v1/accounts/me"},
    {"GET", "/v1/accounts/{accountId}"},
    {"PUT", "/v1/accounts/me/password"},
    {"GET", "/healthz"},
};
#define N (sizeof table / sizeof table[0])

static router_result find(const char *method, const char *path, router_match *m) {
  return router_find(table, N, sizeof table[0], method, path, m);
}

int main(void) {
  router_match m;
  CHECK(find("GET", "/v1/accounts", &m) == ROUTER_FOUND && m.index == 0);
  CHECK_STR(m.allow, "GET, POST");
  CHECK(find("POST", "/v1/accounts", &m) == ROUTER_FOUND && m.index == 1);

  /* A literal segment beats a parameter. */
  CHECK(find("GET", "/v1/accounts/me", &m) == ROUTER_FOUND && m.index == 2);
  CHECK(find("GET", "/v1/accounts/3f1c", &m) == ROUTER_FOUND && m.index == 3);
  CHECK(m.param_count == 1);
  CHECK_STR(m.param_names[0], "accountId");
  CHECK_STR(m.params[0], "3f1c");

  /* Parameters are percent-decoded; a bad escape matches nothing. */
  CHECK(find("GET", "/v1/accounts/a%20b", &m) == ROUTER_FOUND);
  CHECK_STR(m.params[0], "a b");
  CHECK(find("GET", "/v1/accounts/a%2", &m) == ROUTER_NO_PATH);
  CHECK(find("GET", "/v1/accounts/%00", &m) == ROUTER_NO_PATH);

  /* Trailing slashes, empty segments and unknown paths match nothing. */
  CHECK(find("GET", "/v1/accounts/", &m) == ROUTER_NO_PATH);
  CHECK(find("GET", "/healthz/", &m) == ROUTER_NO_PATH);
  CHECK(find("GET", "/v1//accounts", &m) == ROUTER_NO_PATH);
  CHECK(find("GET", "/v1/nothing", &m) == ROUTER_NO_PATH);
  CHECK(find("GET", "", &m) == ROUTER_NO_PATH);
  CHECK(find("GET", "/", &m) == ROUTER_NO_PATH);

  /* A known path with another method: 405 material, with the path's methods. */
  CHECK(find("DELETE", "/v1/accounts/me", &m) == ROUTER_NO_METHOD);
  CHECK_STR(m.allow, "GET");
  CHECK(find("GET", "/v1/accounts/me/password", &m) == ROUTER_NO_METHOD);
  CHECK_STR(m.allow, "PUT");
  /* Methods are case-sensitive (RFC 9110). */
  CHECK(find("get", "/healthz", &m) == ROUTER_NO_METHOD);
  return CHECK_DONE();
}
