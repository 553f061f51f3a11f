/* privacy.h (register): what the register forgets, and when (sql/0026_privacy.sql).
 *
 * Owns the erasure of a professional's personal data, POST /v1/professionals/{professionalId}/erasure
 * (admin): kr_professional_erase erases what the law allows and keeps what the register must (the
 * migration's table says what, column by column); this handler also ends a registration that runs
 * (deregistered that day) or closes an open application (rejected), decided with the status rules.
 * The audit trail records the request like every write (audit/trail.h).
 *
 * Owns the retention task too: the retention rules are rows (retention_rules), applied by a
 * background task in every replica in batches claimed with FOR UPDATE SKIP LOCKED, so replicas
 * share the work and never do one row twice: rejected applications erased, evidence of periods
 * long ended deleted. How long a public measure stays in the public register is no task: the
 * public register reads it from the rules by date (kr_public_view). */
#ifndef KR_REGISTER_PRIVACY_H
#define KR_REGISTER_PRIVACY_H

#include <stdbool.h>

#include "core/date.h"
#include "db/pool.h"
#include "http/context.h"
#include "register/rules.h"

/* The longest reason of an erasure, in characters (kept in the professional's history). */
#define REGISTER_ERASURE_REASON_MAX 500

extern const db_statement *const register_privacy_statements[]; /* NULL-terminated, for the pool */

/* What an erasure on `today` does to the registration (pure; the unit test's): an open
 * application is closed (rejected); a registration that runs, or whose first period is still to
 * start, ends that day (deregistered), since nobody can verify or renew a registration without a
 * name; struck off, expired, rejected and deregistered stay as they are. */
typedef enum { ERASURE_KEEPS_STATUS, ERASURE_CLOSES_APPLICATION, ERASURE_ENDS_REGISTRATION } register_erasure_effect;
register_erasure_effect register_erasure_effect_on(const reg_facts *f, kr_date today);

/* POST /v1/professionals/{professionalId}/erasure, body {"reason"}: 200 with the erased record;
 * 400 naming bad fields, 404 unknown, 409 erased before. */
void register_erasure_handler(http_ctx *ctx);

/* The worker task (arg: http_services): applies the retention rules today, one batch of each
 * kind. True when a batch was full (more may wait). */
bool register_retention_task(void *arg);

#endif
