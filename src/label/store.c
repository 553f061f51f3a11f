#include "label/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- organisations ------------------------------------------------------------------------ */
#define ORG_COLUMNS_FROM_JSON                                                                  \
  " j->>'name', j->>'kvkNumber', j->>'address', j->>'postalCode', j->>'city',"                \
  " ARRAY(SELECT json_array_elements_text(j->'municipalityCodes')), j->>'contactEmail',"      \
  " coalesce((j->>'employeesFte')::numeric, 0), coalesce((j->>'volunteers')::integer, 0),"    \
  " coalesce((j->>'businessCriticalVolunteers')::integer, 0)"

static const db_statement org_insert = {
    "label_org_insert",
    "INSERT INTO organisations (name, kvk_number, address, postal_code, city, municipality_codes,"
    " contact_email, employees_fte, volunteers, business_critical_volunteers)"
    " SELECT" ORG_COLUMNS_FROM_JSON " FROM (SELECT $1::json AS j) input"
    " RETURNING kr_organisation_json(organisations), revision"};

#define ORG_HISTORY_JSON(h)                                                                        \
  "json_build_object('id', " h ".id, 'field', " h ".field, 'previousValue', " h ".previous_value,"    \
  " 'value', " h ".value, 'reason', " h ".reason, 'effectiveOn', " h ".effective_on,"                \
  " 'changedAt', kr_utc(" h ".changed_at), 'changedBy', " h ".changed_by)"

static const db_statement org_get = {
    "label_org_get", "SELECT kr_organisation_json(o), o.revision FROM organisations o WHERE o.id = $1"};

static const db_statement org_get_locked = {
    "label_org_get_locked",
    "SELECT kr_organisation_json(o), o.revision FROM organisations o WHERE o.id = $1 FOR UPDATE"};

static const db_statement org_update = {
    "label_org_update",
    "UPDATE organisations o SET (name, kvk_number, address, postal_code, city, municipality_codes,"
    " contact_email, employees_fte, volunteers, business_critical_volunteers) = (SELECT" ORG_COLUMNS_FROM_JSON
    " FROM (SELECT $2::json AS j) input), updated_at = clock_timestamp(), revision = revision + 1"
    " WHERE o.id = $1 RETURNING kr_organisation_json(o), o.revision"};

/* The number, its history entry, and a kvk_number_changed event for each certificate that still
 * runs on the day ($4): valid, suspended or not yet valid. */
static const db_statement org_kvk_change = {
    "label_org_kvk_change",
    "WITH old AS (SELECT kvk_number FROM organisations WHERE id = $1),"
    " changed AS (UPDATE organisations SET kvk_number = $2, updated_at = clock_timestamp(),"
    "  revision = revision + 1 WHERE id = $1 RETURNING id),"
    " entry AS (INSERT INTO organisation_history (organisation_id, field, previous_value, value, reason,"
    "  effective_on, changed_by) SELECT $1, 'kvkNumber', old.kvk_number, $2, $3, $4, $5::uuid"
    "  FROM old, changed RETURNING *),"
    " events AS (INSERT INTO certificate_events (certificate_id, type, effective_on, reason, recorded_by,"
    "  kvk_number, previous_kvk_number)"
    "  SELECT c.id, 'kvk_number_changed', $4, $3, $5::uuid, $2, old.kvk_number"
    "  FROM certificates c JOIN certificate_statuses s ON s.certificate_id = c.id"
    "   AND s.from_on <= $4::date AND $4::date < s.until_on, old, changed"
    "  WHERE c.organisation_id = $1 AND s.status IN ('valid', 'suspended', 'not_yet_valid')"
    "  ORDER BY c.valid_from, c.id RETURNING id)"
    " SELECT " ORG_HISTORY_JSON("h") "::jsonb || jsonb_build_object('certificateEventIds',"
    "  (SELECT coalesce(jsonb_agg(id ORDER BY id), '[]') FROM events)) FROM entry h"};

static const db_statement org_history = {
    "label_org_history",
    "SELECT json_build_object('items', coalesce(json_agg(" ORG_HISTORY_JSON("h") " ORDER BY h.id), '[]'),"
    " 'nextCursor', NULL) FROM organisation_history h WHERE h.organisation_id = $1"};

static const db_statement org_page = {
    "label_org_page",
    "SELECT kr_organisation_json(o), kr_sort_key(o.created_at), o.id FROM organisations o"
    " WHERE ($1::text IS NULL OR o.kvk_number = $1)"
    "   AND ($2::text IS NULL OR kr_fold(o.name) LIKE '%' || replace(replace(replace(kr_fold($2),"
    "        '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
    "   AND ($3::bigint IS NULL OR (kr_sort_key(o.created_at), o.id) > ($3::bigint, $4::uuid))"
    " ORDER BY kr_sort_key(o.created_at), o.id LIMIT $5"};

static const db_statement org_exists = {
    "label_org_exists", "SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)"};

/* One row with (json, revision): copies both out. */
static kr_err json_and_revision(db_conn *db, PGresult *r, char **json, int *revision) {
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    *json = strdup(PQgetvalue(r, 0, 0));
    *revision = atoi(PQgetvalue(r, 0, 1));
    if (!*json) e = KR_INTERNAL;
  }
  PQclear(r);
  return e;
}

kr_err label_org_create(db_conn *db, const char *obj_json, char **json, int *revision) {
  return json_and_revision(db, db_exec(db, &org_insert, 1, (const char *[]){obj_json}), json, revision);
}

kr_err label_org_get(db_conn *db, const char *id, bool lock, char **json, int *revision) {
  return json_and_revision(db, db_exec(db, lock ? &org_get_locked : &org_get, 1, (const char *[]){id}),
                           json, revision);
}

kr_err label_org_update(db_conn *db, const char *id, const char *obj_json, char **json, int *revision) {
  return json_and_revision(db, db_exec(db, &org_update, 2, (const char *[]){id, obj_json}), json,
                           revision);
}

kr_err label_org_change_kvk(db_conn *db, const char *id, const char *kvk, const char *reason,
                            const char *on, const char *account, char **json) {
  return db_fetch_text(db, &org_kvk_change, 5, (const char *[]){id, kvk, reason, on, account}, json);
}

kr_err label_org_history(db_conn *db, const char *id, char **json) {
  return db_fetch_text(db, &org_history, 1, (const char *[]){id}, json);
}

kr_err label_org_page(db_conn *db, const char *kvk, const char *q, const page_cursor *after,
                      int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *v[] = {kvk, q, after->present ? after->key : NULL, after->present ? after->id : NULL, rows};
  return db_fetch_result(db, &org_page, 5, v, out);
}

static kr_err fetch_bool(db_conn *db, const db_statement *s, int n, const char *const *v, bool *out) {
  PGresult *r = db_exec(db, s, n, v);
  kr_err e = db_result_error(db, r);
  *out = e == KR_OK && PQntuples(r) > 0 && PQgetvalue(r, 0, 0)[0] == 't';
  PQclear(r);
  return e;
}

kr_err label_org_exists(db_conn *db, const char *id, bool *exists) {
  return fetch_bool(db, &org_exists, 1, (const char *[]){id}, exists);
}

/* ---- norm frameworks ---------------------------------------------------------------------- */
static const db_statement fw_list = {
    "label_fw_list",
    "SELECT json_build_object('items', coalesce(json_agg(kr_framework_json(f, false)"
    " ORDER BY f.open_from, f.version), '[]'), 'nextCursor', NULL) FROM norm_frameworks f"};

static const db_statement fw_get = {
    "label_fw_get", "SELECT kr_framework_json(f, true) FROM norm_frameworks f WHERE f.version = $1"};

static const db_statement fw_insert = {
    "label_fw_insert",
    "INSERT INTO norm_frameworks (version, title, open_from, open_until, restricted_from,"
    " mandatory_from, max_partially_met, max_not_met, certificate_term_months,"
    " business_critical_volunteers_in_scope)"
    " SELECT j->>'version', j->>'title', (j->>'openFrom')::date, (j->>'openUntil')::date,"
    " (j->>'restrictedFrom')::date, (j->>'mandatoryFrom')::date, (j->>'maxPartiallyMet')::int,"
    " (j->>'maxNotMet')::int, (j->>'certificateTermMonths')::int,"
    " (j->>'businessCriticalVolunteersInScope')::boolean FROM (SELECT $1::json AS j) input"};

static const db_statement fw_insert_categories = {
    "label_fw_insert_categories",
    "INSERT INTO norm_categories (framework_version, code, name, position)"
    " SELECT $1::json->>'version', c.value->>'code', c.value->>'name', c.ordinality"
    " FROM json_array_elements($1::json->'categories') WITH ORDINALITY c"};

static const db_statement fw_insert_norms = {
    "label_fw_insert_norms",
    "INSERT INTO norms (framework_version, code, category_code, position, text)"
    " SELECT $1::json->>'version', n.value->>'code', c.value->>'code',"
    "  row_number() OVER (ORDER BY c.ordinality, n.ordinality), n.value->>'text'"
    " FROM json_array_elements($1::json->'categories') WITH ORDINALITY c,"
    "      json_array_elements(c.value->'norms') WITH ORDINALITY n"};

static const db_statement fw_codes = {
    "label_fw_codes",
    "SELECT n.code FROM norm_frameworks f LEFT JOIN norms n ON n.framework_version = f.version"
    " WHERE f.version = $1 ORDER BY n.position"};

static const db_statement fw_set_texts = {
    "label_fw_set_texts",
    "WITH input AS (SELECT t.code, t.text FROM json_to_recordset($2::json) AS t(code text, text text)),"
    " kept AS (INSERT INTO norm_text_history (framework_version, code, text, changed_by)"
    "   SELECT n.framework_version, n.code, n.text, $3::uuid FROM norms n JOIN input i ON i.code = n.code"
    "   WHERE n.framework_version = $1 AND n.text IS DISTINCT FROM i.text)"
    " UPDATE norms n SET text = i.text, text_is_placeholder = false FROM input i"
    " WHERE n.framework_version = $1 AND n.code = i.code"};

static const db_statement fw_text_history = {
    "label_fw_text_history",
    "SELECT json_build_object('items', coalesce(json_agg(json_build_object('code', h.code,"
    " 'text', h.text, 'changedAt', kr_utc(h.changed_at), 'changedBy', h.changed_by) ORDER BY h.id)"
    " FILTER (WHERE h.id IS NOT NULL)," /* a framework whose texts never changed: no items */
    " '[]'), 'nextCursor', NULL)"
    " FROM norm_frameworks f LEFT JOIN norm_text_history h ON h.framework_version = f.version"
    " WHERE f.version = $1 GROUP BY f.version"};

static const db_statement fw_facts = {
    "label_fw_facts",
    "SELECT open_from, open_until, restricted_from, business_critical_volunteers_in_scope,"
    " max_partially_met, max_not_met, certificate_term_months FROM norm_frameworks WHERE version = $1"};

kr_err label_framework_list(db_conn *db, char **json) { return db_fetch_text(db, &fw_list, 0, NULL, json); }

kr_err label_framework_get(db_conn *db, const char *version, char **json) {
  return db_fetch_text(db, &fw_get, 1, (const char *[]){version}, json);
}

kr_err label_framework_create(db_conn *db, const char *obj_json, char **json) {
  const char *v[] = {obj_json};
  kr_err e = db_begin(db);
  if (e == KR_OK) e = db_run(db, &fw_insert, 1, v);
  if (e == KR_OK) e = db_run(db, &fw_insert_categories, 1, v);
  if (e == KR_OK) e = db_run(db, &fw_insert_norms, 1, v);
  if (e == KR_OK) {
    json_t *obj = json_loads(obj_json, 0, NULL);
    e = db_fetch_text(db, &fw_get, 1, (const char *[]){json_string_value(json_object_get(obj, "version"))}, json);
    json_decref(obj);
  }
  if (e == KR_OK) e = db_commit(db);
  if (e != KR_OK) {
    db_rollback(db);
    free(*json);
    *json = NULL;
  }
  return e;
}

kr_err label_framework_codes(db_conn *db, const char *version, PGresult **out) {
  kr_err e = db_fetch_result(db, &fw_codes, 1, (const char *[]){version}, out);
  if (e == KR_OK && PQntuples(*out) == 0) {
    PQclear(*out);
    *out = NULL;
    e = KR_NOT_FOUND;
  }
  return e;
}

kr_err label_framework_set_texts(db_conn *db, const char *version, const char *texts_json,
                                 const char *account) {
  return db_run(db, &fw_set_texts, 3, (const char *[]){version, texts_json, account});
}

kr_err label_framework_text_history(db_conn *db, const char *version, char **json) {
  return db_fetch_text(db, &fw_text_history, 1, (const char *[]){version}, json);
}

kr_err label_framework_facts(db_conn *db, const char *version, framework_facts *out) {
  PGresult *r = db_exec(db, &fw_facts, 1, (const char *[]){version});
  kr_err e = db_result_error(db, r);
  if (e == KR_OK && PQntuples(r) == 0) e = KR_NOT_FOUND;
  if (e == KR_OK) {
    memset(out, 0, sizeof *out);
    date_parse(PQgetvalue(r, 0, 0), &out->window.open_from);
    out->window.has_open_until = !PQgetisnull(r, 0, 1);
    if (out->window.has_open_until) date_parse(PQgetvalue(r, 0, 1), &out->window.open_until);
    out->window.has_restricted_from = !PQgetisnull(r, 0, 2);
    if (out->window.has_restricted_from) date_parse(PQgetvalue(r, 0, 2), &out->window.restricted_from);
    out->volunteers_in_scope = PQgetvalue(r, 0, 3)[0] == 't';
    out->max_partially_met = atoi(PQgetvalue(r, 0, 4));
    out->max_not_met = atoi(PQgetvalue(r, 0, 5));
    out->term_months = atoi(PQgetvalue(r, 0, 6));
  }
  PQclear(r);
  return e;
}

/* ---- certifying bodies -------------------------------------------------------------------- */
#define BODY_JSON "json_build_object('id', b.id, 'name', b.name, 'createdAt', kr_utc(b.created_at))"
#define AGREEMENT_JSON                                                                          \
  "json_build_object('id', a.id, 'certifyingBodyId', a.certifying_body_id, 'validFrom',"       \
  " a.valid_from, 'validUntil', a.valid_until, 'createdAt', kr_utc(a.created_at))"

static const db_statement body_insert = {
    "label_body_insert",
    "INSERT INTO certifying_bodies AS b (name) VALUES ($1) RETURNING " BODY_JSON ", b.id"};
static const db_statement body_get = {
    "label_body_get", "SELECT " BODY_JSON " FROM certifying_bodies b WHERE b.id = $1"};
static const db_statement body_page = {
    "label_body_page",
    "SELECT " BODY_JSON ", kr_sort_key(b.created_at), b.id FROM certifying_bodies b"
    " WHERE ($1::bigint IS NULL OR (kr_sort_key(b.created_at), b.id) > ($1::bigint, $2::uuid))"
    " ORDER BY kr_sort_key(b.created_at), b.id LIMIT $3"};
static const db_statement agreement_insert = {
    "label_agreement_insert",
    "INSERT INTO certifying_body_agreements AS a (certifying_body_id, valid_from, valid_until)"
    " VALUES ($1, $2, $3) RETURNING " AGREEMENT_JSON ", a.id"};
static const db_statement agreement_list = {
    "label_agreement_list",
    "SELECT json_build_object('items', coalesce(json_agg(" AGREEMENT_JSON
    " ORDER BY a.valid_from, a.id) FILTER (WHERE a.id IS NOT NULL), '[]'), 'nextCursor', NULL)"
    " FROM certifying_bodies b LEFT JOIN certifying_body_agreements a ON a.certifying_body_id = b.id"
    " WHERE b.id = $1 GROUP BY b.id"};
static const db_statement agreement_covers = {
    "label_agreement_covers",
    "SELECT EXISTS (SELECT 1 FROM certifying_body_agreements WHERE certifying_body_id = $1"
    " AND valid_from <= $2::date AND (valid_until IS NULL OR valid_until >= $2::date))"};

kr_err label_body_create(db_conn *db, const char *name, char **json, char id[37]) {
  return db_fetch_text_and_id(db, &body_insert, 1, (const char *[]){name}, json, id);
}

kr_err label_body_get(db_conn *db, const char *id, char **json) {
  return db_fetch_text(db, &body_get, 1, (const char *[]){id}, json);
}

kr_err label_body_page(db_conn *db, const page_cursor *after, int limit, PGresult **out) {
  char rows[16];
  snprintf(rows, sizeof rows, "%d", limit + 1);
  const char *v[] = {after->present ? after->key : NULL, after->present ? after->id : NULL, rows};
  return db_fetch_result(db, &body_page, 3, v, out);
}

kr_err label_agreement_create(db_conn *db, const char *body_id, const char *valid_from,
                              const char *valid_until, char **json, char id[37]) {
  const char *v[] = {body_id, valid_from, valid_until};
  kr_err e = db_fetch_text_and_id(db, &agreement_insert, 3, v, json, id);
  return e == KR_CONFLICT ? KR_NOT_FOUND : e; /* 23503: no such body */
}

kr_err label_agreement_list(db_conn *db, const char *body_id, char **json) {
  return db_fetch_text(db, &agreement_list, 1, (const char *[]){body_id}, json);
}

kr_err label_agreement_covers(db_conn *db, const char *body_id, const char *date, bool *covered) {
  return fetch_bool(db, &agreement_covers, 2, (const char *[]){body_id, date}, covered);
}

const db_statement *const label_statements[] = {
    &org_insert,     &org_get,         &org_get_locked, &org_update,       &org_page,
    &org_exists,     &org_kvk_change,  &org_history,    &fw_list,          &fw_get,
    &fw_insert,      &fw_insert_categories, &fw_insert_norms, &fw_codes,   &fw_set_texts,
    &fw_text_history, &fw_facts,
    &body_insert,    &body_get,        &body_page,      &agreement_insert, &agreement_list,
    &agreement_covers, NULL};
