/* view.h (register): what the register's handlers share: who may reach a professional, the
 * professional's answer, loading a professional's facts for a decision, and file checks. */
#ifndef KR_REGISTER_VIEW_H
#define KR_REGISTER_VIEW_H

#include <jansson.h>
#include <stdbool.h>

#include "core/date.h"
#include "http/context.h"
#include "register/rules.h"
#include "register/status_store.h"
#include "register/store.h"

/* The {professionalId} the caller may reach (admin: any; a professional: itself), else NULL
 * after answering 400/404. */
const char *register_professional_param(http_ctx *ctx);

/* Answers the professional as of `on` with `status` (200/201), its JSON made by PostgreSQL with
 * the status from the stored timeline; 404 when there is none. */
void register_reply_professional(http_ctx *ctx, db_conn *db, const char *id, kr_date on, int status);

/* Loads what a writer decides on — {profile, registrationNumber, hasDiploma, emailVerified, facts} with the facts
 * of kr_registration_facts — and reads the facts into *f; with `lock`, locks the professional's row
 * first, so that they are read after the lock (inside the caller's transaction). False after
 * answering 404/503. The caller json_decrefs *pro. */
bool register_load(http_ctx *ctx, db_conn *db, const char *id, bool lock, json_t **pro, professional_facts *f);

/* Runs one register statement for its first column as text (KR_NOT_FOUND: no row). */
kr_err register_fetch(db_conn *db, register_stmt which, int n, const char *const *values, char **out);
kr_err register_run(db_conn *db, register_stmt which, int n, const char *const *values);

/* Appends a history entry inside the caller's transaction. */
kr_err register_history(http_ctx *ctx, db_conn *db, const char *professional, const char *type,
                        kr_date on, const char *detail);

/* The uploaded file's type from its own bytes ("application/pdf", "image/jpeg", "image/png"), or
 * NULL; answers 415 when it differs from the declared Content-Type (or is none of them). */
const char *register_file_type(http_ctx *ctx);

/* Sends a stored file: the statement's row is (content type, content[, file name]), read as
 * binary; with a name, Content-Disposition says it (RFC 8187 for any characters). */
void register_send_file(http_ctx *ctx, db_conn *db, register_stmt which, int n, const char *const *values,
                        const char *not_found);

/* The period length in years of a register profile (its current setting). */
kr_err register_profile_years(db_conn *db, const char *profile, int *years);

/* Answers 409 with one field error naming why. */
void register_conflict(http_ctx *ctx, const char *detail, const char *field, const char *message);

/* ?on= (default today), naming `on` when malformed. */
bool register_on_param(http_ctx *ctx, kr_date *on);

#endif
