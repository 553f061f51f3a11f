/* rules.h (municipal): pure decisions for checks, webhook targets and retries. No I/O. */
#ifndef KR_MUNICIPAL_RULES_H
#define KR_MUNICIPAL_RULES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/date.h"
#include "label/rules.h"

/* A webhook target URL taken apart. */
typedef struct {
  bool https;
  char host[256]; /* without brackets */
  int port;
} webhook_url;

/* Parses an absolute http(s) URL without userinfo or fragment; NULL on success, else why not. */
const char *municipal_parse_url(const char *url, webhook_url *out);

/* True for addresses a webhook may not reach unless allowlisted: private, loopback, link-local,
 * multicast, unspecified, carrier-grade NAT, IPv4-mapped forms of those, unique-local IPv6. */
bool municipal_address_forbidden(const struct sockaddr *addr);

/* Seconds until the next attempt after `attempts` failed ones: base * 2^(attempts-1), capped at
 * six hours, plus jitter (a fraction 0..0.2 of it, from `jitter` in [0,1)). */
long municipal_retry_delay(int attempts, int base_seconds, double jitter);

/* Webhook deliveries are retried for three days after the first attempt. */
#define WEBHOOK_RETRY_WINDOW_SECONDS (3L * 24 * 3600)

#endif
