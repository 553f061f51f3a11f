/* target.h (municipal): vetting a webhook target: parse the URL, resolve its host once, and
 * refuse private, loopback and link-local addresses unless WEBHOOK_ALLOWED_HOSTS names the host
 * (server-side request forgery). The sender then connects to exactly the vetted address. */
#ifndef KR_MUNICIPAL_TARGET_H
#define KR_MUNICIPAL_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "municipal/rules.h"

typedef struct {
  webhook_url url;
  char address[64]; /* the vetted address, numeric */
} vetted_target;

/* NULL when the URL may be used (out filled), else why not (static text). */
const char *municipal_vet_target(const config *cfg, const char *url, vetted_target *out);

#endif
