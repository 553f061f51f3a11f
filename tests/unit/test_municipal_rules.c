#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "municipal/rules.h"

static bool forbidden(const char *ip) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (strchr(ip, ':')) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &a->sin6_addr);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a->sin_addr);
  }
  return municipal_address_forbidden((struct sockaddr *)&ss);
}

int main(void) {
  /* URLs. */
  webhook_url u;
  CHECK(municipal_parse_url("https://hooks.example.nl/kr?x=1", &u) == NULL && u.https && u.port == 443);
  CHECK_STR(u.host, "hooks.example.nl");
  CHECK(municipal_parse_url("http://127.0.0.1:8081/h", &u) == NULL && !u.https && u.port == 8081);
  CHECK(municipal_parse_url("https://[::1]:9443/h", &u) == NULL && u.port == 9443);
  CHECK_STR(u.host, "::1");
  CHECK(municipal_parse_url("https://user:pw@example.nl/", &u) != NULL);
  CHECK(municipal_parse_url("ftp://example.nl/", &u) != NULL);
  CHECK(municipal_parse_url("https://example.nl:99999/", &u) != NULL);
  CHECK(municipal_parse_url("https:///path", &u) != NULL);
  CHECK(municipal_parse_url("https://exa mple.nl/", &u) != NULL);
  CHECK(municipal_parse_url("https://example.nl/#frag", &u) != NULL);

  /* Addresses a webhook may not reach. */
  const char *bad[] = {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                       "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",
                       "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1", "::ffff:10.0.0.1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(forbidden(bad[i]));
  const char *good[] = {"93.184.216.34", "172.32.0.1", "100.128.0.1", "2001:db8::1", "::ffff:93.184.216.34"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) CHECK(!forbidden(good[i]));

  /* Retries: doubling from the base, with at most 20% jitter, capped at six hours. */
  CHECK(municipal_retry_delay(1, 5, 0.0) == 5);
  CHECK(municipal_retry_delay(2, 5, 0.0) == 10);
  CHECK(municipal_retry_delay(4, 5, 0.0) == 40);
  CHECK(municipal_retry_delay(4, 5, 0.99) <= 48 && municipal_retry_delay(4, 5, 0.99) >= 47);
  CHECK(municipal_retry_delay(40, 5, 0.0) == 6 * 3600);
  return CHECK_DONE();
}
