/* view.h (label): small pieces the label's handlers share. */
#ifndef KR_LABEL_VIEW_H
#define KR_LABEL_VIEW_H

#include <stdbool.h>

#include "core/date.h"
#include "http/context.h"
#include "label/rules.h"

/* The end of a validation that needed the database: true when db is there, e is KR_OK and
 * errors is empty (errors is freed). Otherwise answers — 503 (already sent by http_db), the
 * store error, or the 400 naming every field — and gives false. */
bool label_checks_passed(http_ctx *ctx, db_conn *db, kr_err e, json_t *errors);

/* Answers a store error; KR_NOT_FOUND gets `not_found` as its detail. */
void label_reply_error(http_ctx *ctx, kr_err e, const char *not_found);

/* Answers a store call's outcome: 200 with its JSON (freed) when e is KR_OK, else the error. */
void label_reply_result(http_ctx *ctx, kr_err e, char *json, const char *not_found);

/* Answers a create: 201 with Location collection/id and the JSON (freed), or the error. */
void label_reply_created(http_ctx *ctx, kr_err e, char *json, const char *collection, const char *id,
                         const char *not_found);

/* Answers 200/201 with JSON text the store made, and frees it. */
void label_reply_json_text(http_ctx *ctx, int status, char *json);

/* Checks an optional string member: a string of min..max characters. */
void label_check_text(const json_t *obj, const char *name, size_t min, size_t max, json_t *errors);
/* Checks a date member ("YYYY-MM-DD", a real date); *out gets it when valid. */
bool label_check_date(const json_t *obj, const char *name, bool required, json_t *errors, kr_date *out);

#endif
