#include "municipal/rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *municipal_parse_url(const char *url, webhook_url *out) {
  memset(out, 0, sizeof *out);
  if (!url || strlen(url) > 2000) return "must be a URL of at most 2000 characters";
  const char *rest;
  if (strncmp(url, "https://", 8) == 0) out->https = true, rest = url + 8;
  else if (strncmp(url, "http://", 7) == 0) rest = url + 7;
  else return "must be an https URL";
  size_t authority = strcspn(rest, "/?#");
  if (memchr(rest, '@', authority)) return "may not hold a user name or password";
  if (strchr(url, '#')) return "may not hold a fragment";
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) return "must be a URL without spaces";
  const char *host = rest, *port = NULL;
  size_t host_len;
  if (*host == '[') {
    const char *close = memchr(host, ']', authority);
    if (!close) return "has a malformed host";
    host++;
    host_len = (size_t)(close - host);
    if (close[1] == ':') port = close + 2;
    else if ((size_t)(close + 1 - rest) != authority) return "has a malformed host";
  } else {
    const char *colon = memchr(host, ':', authority);
    host_len = colon ? (size_t)(colon - host) : authority;
    if (colon) port = colon + 1;
  }
  if (host_len == 0 || host_len >= sizeof out->host) return "has no host";
  memcpy(out->host, host, host_len);
  for (char *h = out->host; *h; h++) *h = (char)tolower((unsigned char)*h);
  out->port = out->https ? 443 : 80;
  if (port) {
    size_t digits = (size_t)(rest + authority - port);
    if (digits == 0 || digits > 5 || strspn(port, "0123456789") < digits) return "has a malformed port";
    out->port = atoi(port);
    if (out->port < 1 || out->port > 65535) return "has a malformed port";
  }
  return NULL;
}

static bool v4_forbidden(uint32_t a) {
  return (a >> 24) == 0 ||                 /* 0.0.0.0/8 "this network" */
         (a >> 24) == 10 ||                /* private */
         (a >> 24) == 127 ||               /* loopback */
         (a >> 16) == 0xA9FE ||            /* 169.254/16 link-local */
         (a >> 20) == 0xAC1 ||             /* 172.16/12 private */
         (a >> 16) == 0xC0A8 ||            /* 192.168/16 private */
         (a >> 22) == (100u << 2 | 1) ||   /* 100.64/10 carrier-grade NAT */
         (a >> 8) == 0xC00000 ||           /* 192.0.0/24 IETF protocol assignments */
         (a >> 28) >= 0xE;                 /* multicast, reserved, broadcast */
}

bool municipal_address_forbidden(const struct sockaddr *addr) {
  if (addr->sa_family == AF_INET)
    return v4_forbidden(ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr));
  if (addr->sa_family != AF_INET6) return true;
  const unsigned char *b = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(b, mapped, 12) == 0)
    return v4_forbidden((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
  bool zero_prefix = true;
  for (int i = 0; i < 15; i++) zero_prefix &= b[i] == 0;
  if (zero_prefix) return true;            /* :: and ::1 */
  return b[0] == 0xff ||                   /* multicast */
         (b[0] & 0xfe) == 0xfc ||          /* fc00::/7 unique local */
         (b[0] == 0xfe && (b[1] & 0xc0) == 0x80); /* fe80::/10 link-local */
}

long municipal_retry_delay(int attempts, int base_seconds, double jitter) {
  double delay = base_seconds;
  for (int i = 1; i < attempts && delay < 6 * 3600; i++) delay *= 2;
  if (delay > 6 * 3600) delay = 6 * 3600;
  return (long)(delay * (1.0 + 0.2 * jitter));
}
