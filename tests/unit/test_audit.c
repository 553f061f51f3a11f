/* Which answers go into the audit trail (audit/trail.h): every write, reads of personal data,
 * and of callers not signed in only what succeeded. */
#include "audit/trail.h"
#include "check.h"
#include "http/routes.h"

int main(void) {
  /* writes: kept whatever the route, unless it is flagged as a read in POST's clothes */
  CHECK(audit_wanted("POST", 0, true, 201));
  CHECK(audit_wanted("PUT", 0, true, 200));
  CHECK(audit_wanted("DELETE", 0, true, 204));
  CHECK(audit_wanted("PATCH", 0, false, 200));
  CHECK(!audit_wanted("POST", ROUTE_NOT_AUDITED, true, 200));
  /* reads: only those of personal data */
  CHECK(!audit_wanted("GET", 0, true, 200));
  CHECK(!audit_wanted("GET", ROUTE_AUTH_OPTIONAL, true, 200));
  CHECK(audit_wanted("GET", ROUTE_AUDIT_READ, true, 200));
  /* a signed-in caller's refusals are kept; an anonymous caller's are not */
  CHECK(audit_wanted("GET", ROUTE_AUDIT_READ, true, 403));
  CHECK(audit_wanted("POST", 0, true, 409));
  CHECK(!audit_wanted("POST", 0, false, 400));
  CHECK(!audit_wanted("POST", 0, false, 404));
  CHECK(audit_wanted("POST", 0, false, 204));
  /* what did nothing: 5xx and 429 */
  CHECK(!audit_wanted("POST", 0, true, 500));
  CHECK(!audit_wanted("GET", ROUTE_AUDIT_READ, true, 503));
  CHECK(!audit_wanted("POST", 0, true, 429));
  return CHECK_DONE();
}
