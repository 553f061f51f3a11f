/* outbox.h: sending the mail outbox (sql/0021), in every replica.
 *
 * A message is queued by the transaction of the change that causes it (kr_mail_enqueue), which
 * also notifies channel kr_mail. Each replica's sender thread wakes on that notification (and
 * every MAIL_POLL_MILLISECONDS), and then, on a connection of its own:
 * - turns stored password-reset requests into tokens and messages (kr_password_reset_issue);
 * - sends every due message, one transaction each: the row is claimed FOR UPDATE SKIP LOCKED
 *   (one replica sends it), rendered (mail/template.h), handed to the SMTP server over libcurl,
 *   and its outcome stored in the same transaction. A sender killed before the server accepted
 *   the message leaves the row unclaimed and queued (its transaction ends with its connection):
 *   another sender delivers it; none is lost. The row is marked sent in the commit right after
 *   the server's acceptance; only a death in that instant can send it a second time, and then
 *   with the same Message-ID (mail-<row id>@<sender domain>), which a receiver recognises.
 * A message the server refuses for good (550-554) fails at once; any other failure is retried
 * after MAIL_RETRY_BASE_SECONDS, doubling each time (at most 6 hours), until MAIL_MAX_ATTEMPTS.
 * Without SMTP_URL mail is off: messages stay queued, and a log line at start says so.
 *
 * smtps:// is TLS from the start; smtp:// to any host but loopback requires STARTTLS.
 * The module owns its connection, thread, listener and curl handle from mail_start to
 * mail_stop. */
#ifndef KR_MAIL_OUTBOX_H
#define KR_MAIL_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

bool mail_start(const config *cfg, char *err, size_t err_size);
void mail_stop(void);

/* Runs the sender now (after this replica queued something; the notification also does). */
void mail_wake(void);

#endif
