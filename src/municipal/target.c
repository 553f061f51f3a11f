#include "municipal/target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

const char *municipal_vet_target(const config *cfg, const char *url, vetted_target *out) {
  memset(out, 0, sizeof *out);
  const char *why = municipal_parse_url(url, &out->url);
  if (why) return why;
  bool allowed = config_webhook_host_allowed(cfg, out->url.host);
  if (!out->url.https && !allowed) return "must be an https URL";
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
  if (getaddrinfo(out->url.host, NULL, &hints, &found) != 0 || !found) return "names a host that does not resolve";
  /* Every address the name has must be acceptable: the sender uses the first. */
  const char *refusal = NULL;
  for (struct addrinfo *a = found; a && !refusal; a = a->ai_next)
    if (!allowed && municipal_address_forbidden(a->ai_addr))
      refusal = "points at a private, loopback or link-local address";
  if (!refusal) {
    const void *raw = found->ai_family == AF_INET
                          ? (const void *)&((struct sockaddr_in *)found->ai_addr)->sin_addr
                          : (const void *)&((struct sockaddr_in6 *)found->ai_addr)->sin6_addr;
    inet_ntop(found->ai_family, raw, out->address, sizeof out->address);
  }
  freeaddrinfo(found);
  return refusal;
}
