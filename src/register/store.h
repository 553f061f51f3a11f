/* store.h (register): the professional register's rows in PostgreSQL.
 *
 * JSON comes from PostgreSQL (kr_*_json and kr_*_view in sql/) as text the caller frees with
 * free(), ready to send. Answers carry the status from the stored timeline on the date asked
 * (register/status_store.h); REG_PRO_FACTS is the record with the facts a writer decides on
 * (`state`, `periods`, `measures`). Statements that write run in the caller's transaction. */
#ifndef KR_REGISTER_STORE_H
#define KR_REGISTER_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "db/pool.h"
#include "http/pagination.h"

extern const db_statement *const register_statements[];

/* Statements by name, so that the handlers name what they run without SQL of their own. */
typedef enum {
  REG_PROFILE_LIST, REG_PROFILE_GET, REG_PROFILE_INSERT, REG_PROFILE_UPDATE,
  REG_CODE_LIST, REG_CODE_GET, REG_CODE_INSERT,
  REG_COMPETENCE_LIST, REG_COMPETENCE_GET, REG_COMPETENCE_INSERT, REG_COMPETENCE_UPDATE, REG_COMPETENCE_UNKNOWN,
  REG_ACTIVITY_TYPES, REG_ACTIVITY_CATEGORY,
  REG_PRO_INSERT, REG_PRO_EXISTS, REG_PRO_GET, REG_PRO_LOCK, REG_PRO_FACTS, REG_PRO_PAGE, REG_HISTORY_ADD, REG_HISTORY_LIST,
  REG_DIPLOMA_PUT, REG_DIPLOMA_GET, REG_ACCEPT, REG_CURRENT_CODE_ACCEPTED, REG_APPROVE, REG_FIRST_PERIOD,
  REG_REJECT, REG_DEREGISTER, REG_EXPORT,
  REG_MEASURE_INSERT, REG_MEASURE_LIST, REG_MEASURE_GET_LOCKED, REG_MEASURE_END, REG_MEASURE_REVOKE,
  REG_PLAN_GET, REG_PLAN_PUT,
  REG_ACTIVITY_INSERT, REG_ACTIVITY_GET, REG_ACTIVITY_UPDATE, REG_ACTIVITY_DELETE, REG_ACTIVITY_PAGE, REG_ACTIVITY_PAGE_PLAIN,
  REG_ACTIVITY_LOCK, REG_EVIDENCE_COUNT, REG_EVIDENCE_INSERT, REG_EVIDENCE_GET, REG_EVIDENCE_DELETE,
  REG_PERIODS, REG_COMPLETED_ACTIVITIES, REG_NEXT_PERIOD,
  REG_PUBLIC_SEARCH, REG_PUBLIC_GET,
  REG_STATUS_FACTS, REG_STATUS_CLEAR, REG_STATUS_INSERT, REG_BACKFILL_PATIENCE, REG_BACKFILL_ADVISORY_LOCK, REG_BACKFILL_LOCK_BATCH,
  REG_BACKFILL_FACTS,
  REG_NOTICE, REG_NOTICES_DUE, REG_NOTICE_SKIP, REG_NOTICES_LOCK,
  REG_STATEMENT_COUNT
} register_stmt;

const db_statement *register_statement(register_stmt which);

#endif
