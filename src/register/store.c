#include "register/store.h"

/* ---- reference data ----------------------------------------------------------------------- */
#define LIST(json_expr, from) \
  "SELECT json_build_object('items', coalesce(json_agg(" json_expr "), '[]'), 'nextCursor', NULL) FROM " from

/* The span of p's stored timeline that holds `day`, and the statuses the public register lists. */
#define STATUS_ON(day) \
  " JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= " day " AND " day " < s.until_on"
#define LISTED " s.status NOT IN ('applied', 'rejected', 'deregistered')"

static const db_statement statements[REG_STATEMENT_COUNT] = {
    [REG_PROFILE_LIST] = {"reg_profile_list",
                          LIST("kr_profile_json(p) ORDER BY p.code", "register_profiles p")},
    [REG_PROFILE_GET] = {"reg_profile_get", "SELECT kr_profile_json(p) FROM register_profiles p WHERE p.code = $1"},
    [REG_PROFILE_INSERT] = {"reg_profile_insert",
                            "INSERT INTO register_profiles AS p (code, name, period_years, window_weeks, requirements)"
                            " SELECT j->>'code', j->>'name', (j->>'periodYears')::int, (j->>'windowWeeks')::int,"
                            " (j->'requirements')::jsonb FROM (SELECT $1::json AS j) i RETURNING kr_profile_json(p)"},
    [REG_PROFILE_UPDATE] = {"reg_profile_update",
                            "UPDATE register_profiles p SET name = j->>'name', period_years = (j->>'periodYears')::int,"
                            " window_weeks = (j->>'windowWeeks')::int, requirements = (j->'requirements')::jsonb,"
                            " updated_at = clock_timestamp() FROM (SELECT $2::json AS j) i WHERE p.code = $1"
                            " RETURNING kr_profile_json(p)"},
    [REG_CODE_LIST] = {"reg_code_list",
                       LIST("json_build_object('version', c.version, 'title', c.title, 'inForceFrom', c.in_force_from,"
                            " 'coreValues', c.core_values, 'current', c.version = (SELECT x.version FROM codes_of_conduct x"
                            " WHERE x.in_force_from <= $1::date ORDER BY x.in_force_from DESC LIMIT 1))"
                            " ORDER BY c.in_force_from", "codes_of_conduct c")},
    [REG_CODE_GET] = {"reg_code_get",
                      "SELECT json_build_object('version', c.version, 'title', c.title, 'inForceFrom', c.in_force_from,"
                      " 'coreValues', c.core_values, 'current', c.version = (SELECT x.version FROM codes_of_conduct x"
                      " WHERE x.in_force_from <= $2::date ORDER BY x.in_force_from DESC LIMIT 1))"
                      " FROM codes_of_conduct c WHERE c.version = $1"},
    [REG_CODE_INSERT] = {"reg_code_insert",
                         "INSERT INTO codes_of_conduct (version, title, in_force_from, core_values)"
                         " SELECT j->>'version', j->>'title', (j->>'inForceFrom')::date,"
                         " ARRAY(SELECT json_array_elements_text(j->'coreValues')) FROM (SELECT $1::json AS j) i"
                         " RETURNING version"},
    [REG_COMPETENCE_LIST] = {"reg_competence_list",
                             LIST("json_build_object('code', c.code, 'name', c.name, 'kind', c.kind, 'lifeDomain',"
                                  " c.life_domain, 'nameIsPlaceholder', c.name_is_placeholder) ORDER BY c.position, c.code",
                                  "competences c WHERE $1::text IS NULL OR c.kind = $1")},
    [REG_COMPETENCE_GET] = {"reg_competence_get",
                            "SELECT json_build_object('code', c.code, 'name', c.name, 'kind', c.kind, 'lifeDomain',"
                            " c.life_domain, 'nameIsPlaceholder', c.name_is_placeholder) FROM competences c WHERE c.code = $1"},
    [REG_COMPETENCE_INSERT] = {"reg_competence_insert",
                               "INSERT INTO competences (code, name, kind, life_domain) VALUES ($1, $2, $3, $4) RETURNING code"},
    [REG_COMPETENCE_UPDATE] = {"reg_competence_update",
                               "UPDATE competences SET name = $2, kind = $3, life_domain = $4, name_is_placeholder = false"
                               " WHERE code = $1 RETURNING code"},
    [REG_COMPETENCE_UNKNOWN] = {"reg_competence_unknown",
                                "SELECT coalesce(json_agg(c), '[]') FROM json_array_elements_text($1::json) c"
                                " WHERE c NOT IN (SELECT code FROM competences)"},
    [REG_ACTIVITY_TYPES] = {"reg_activity_types",
                            LIST("json_build_object('type', t.type, 'category', t.category) ORDER BY t.position",
                                 "activity_types t")},
    [REG_ACTIVITY_CATEGORY] = {"reg_activity_category", "SELECT category FROM activity_types WHERE type = $1"},

    /* ---- professionals ---------------------------------------------------------------------- */
    [REG_PRO_INSERT] = {"reg_pro_insert",
                        "INSERT INTO professionals (given_name, family_name, email, profile, education_level)"
                        " VALUES ($1, $2, $3, $4, $5) RETURNING id"},
    [REG_PRO_EXISTS] = {"reg_pro_exists", "SELECT id FROM professionals WHERE id = $1"},
    [REG_PRO_GET] = {"reg_pro_get", "SELECT v FROM kr_professional_view($1::uuid, $2::date) v WHERE v IS NOT NULL"},
    [REG_PRO_LOCK] = {"reg_pro_lock", "SELECT id FROM professionals WHERE id = $1 FOR UPDATE"},
    [REG_PRO_FACTS] = {"reg_pro_facts",
                       "SELECT json_build_object('profile', p.profile, 'registrationNumber', p.registration_number,"
                       " 'hasDiploma', p.diploma IS NOT NULL, 'emailVerified', p.email_verified_at IS NOT NULL, 'facts', f.facts)"
                       " FROM professionals p CROSS JOIN LATERAL kr_registration_facts(p.id, p.id) f WHERE p.id = $1"},
    [REG_STATUS_FACTS] = {"reg_status_facts", "SELECT f.facts FROM kr_registration_facts($1::uuid, $1::uuid) f"},
    [REG_PRO_PAGE] = {"reg_pro_page",
                      "SELECT kr_professional_view(p.id, $8::date), kr_sort_key(p.created_at), p.id FROM professionals p"
                      STATUS_ON("$8::date")
                      " WHERE ($1::text IS NULL OR p.profile = $1) AND ($7::text IS NULL OR s.status = $7)"
                      "   AND ($2::date IS NULL OR (p.state = 'registered' AND (SELECT max(r.ends_on)"
                      "        FROM registration_periods r WHERE r.professional_id = p.id)"
                      "        BETWEEN (now() AT TIME ZONE 'Europe/Amsterdam')::date AND $2::date - 1))"
                      "   AND ($3::text IS NULL OR kr_fold(p.given_name || ' ' || p.family_name) LIKE '%' ||"
                      "        replace(replace(replace(kr_fold($3), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')"
                      "   AND ($4::bigint IS NULL OR (kr_sort_key(p.created_at), p.id) > ($4::bigint, $5::uuid))"
                      " ORDER BY kr_sort_key(p.created_at), p.id LIMIT $6"},
    [REG_HISTORY_ADD] = {"reg_history_add",
                         "INSERT INTO professional_history (professional_id, type, on_date, detail, recorded_by)"
                         " VALUES ($1, $2, $3::date, $4, $5::uuid)"},
    [REG_HISTORY_LIST] = {"reg_history_list",
                          LIST("json_build_object('id', h.id, 'type', h.type, 'on', h.on_date, 'detail', h.detail,"
                               " 'recordedAt', kr_utc(h.recorded_at), 'recordedBy', h.recorded_by) ORDER BY h.id",
                               "professional_history h WHERE h.professional_id = $1")},
    [REG_DIPLOMA_PUT] = {"reg_diploma_put",
                         "UPDATE professionals p SET diploma = $2::bytea, diploma_type = $3, diploma_sha256 = $4,"
                         " diploma_uploaded_at = clock_timestamp(), updated_at = clock_timestamp() WHERE p.id = $1"
                         " RETURNING json_build_object('contentType', p.diploma_type, 'sizeBytes',"
                         " octet_length(p.diploma), 'sha256', p.diploma_sha256, 'uploadedAt', kr_utc(p.diploma_uploaded_at))"},
    [REG_DIPLOMA_GET] = {"reg_diploma_get", "SELECT diploma_type, diploma FROM professionals WHERE id = $1 AND diploma IS NOT NULL"},
    [REG_ACCEPT] = {"reg_accept",
                    "INSERT INTO code_of_conduct_acceptances AS a (professional_id, version) VALUES ($1, $2)"
                    " ON CONFLICT (professional_id, version) DO UPDATE SET version = excluded.version"
                    " RETURNING kr_utc(a.accepted_at), a.xmax = 0"},
    [REG_CURRENT_CODE_ACCEPTED] = {"reg_current_code_accepted",
                                   "SELECT EXISTS (SELECT 1 FROM code_of_conduct_acceptances a WHERE a.professional_id = $1"
                                   " AND a.version = (SELECT x.version FROM codes_of_conduct x WHERE x.in_force_from <= $2::date"
                                   " ORDER BY x.in_force_from DESC LIMIT 1))"},
    [REG_APPROVE] = {"reg_approve",
                     "UPDATE professionals SET state = 'registered', updated_at = clock_timestamp(),"
                     " registration_number = 'RSW' || lpad(nextval('registration_number_seq')::text, 7, '0')"
                     " WHERE id = $1 RETURNING registration_number"},
    [REG_FIRST_PERIOD] = {"reg_first_period",
                          "INSERT INTO registration_periods (professional_id, number, starts_on, ends_on, requirements, window_weeks)"
                          " SELECT p.id, coalesce((SELECT max(number) FROM registration_periods r WHERE r.professional_id = p.id), 0) + 1,"
                          " $2::date, $3::date, f.requirements, f.window_weeks"
                          " FROM professionals p JOIN register_profiles f ON f.code = p.profile WHERE p.id = $1 RETURNING number"},
    [REG_REJECT] = {"reg_reject",
                    "UPDATE professionals SET state = 'rejected', rejection_reason = $2, updated_at = clock_timestamp() WHERE id = $1"},
    [REG_DEREGISTER] = {"reg_deregister",
                        "UPDATE professionals SET state = 'deregistered', deregistered_on = $2::date,"
                        " updated_at = clock_timestamp() WHERE id = $1"},
    [REG_EXPORT] = {"reg_export",
                    "SELECT json_build_object("
                    " 'professional', kr_professional_view(p.id, $2::date),"
                    " 'account', (SELECT json_build_object('id', a.id, 'username', a.username, 'createdAt', kr_utc(a.created_at))"
                    "   FROM accounts a WHERE a.professional_id = p.id),"
                    " 'periods', (SELECT coalesce(json_agg(json_build_object('number', r.number, 'startsOn', r.starts_on,"
                    "   'endsOn', r.ends_on, 'requirements', r.requirements) ORDER BY r.number), '[]')"
                    "   FROM registration_periods r WHERE r.professional_id = p.id),"
                    " 'history', (SELECT coalesce(json_agg(json_build_object('id', h.id, 'type', h.type, 'on', h.on_date,"
                    "   'detail', h.detail, 'recordedAt', kr_utc(h.recorded_at), 'recordedBy', h.recorded_by) ORDER BY h.id), '[]')"
                    "   FROM professional_history h WHERE h.professional_id = p.id),"
                    " 'measures', (SELECT coalesce(json_agg(kr_measure_json(m) ORDER BY m.starts_on, m.id), '[]')"
                    "   FROM measures m WHERE m.professional_id = p.id),"
                    " 'codeOfConductAcceptances', (SELECT coalesce(json_agg(json_build_object('version', c.version,"
                    "   'acceptedAt', kr_utc(c.accepted_at)) ORDER BY c.accepted_at), '[]')"
                    "   FROM code_of_conduct_acceptances c WHERE c.professional_id = p.id),"
                    " 'developmentPlan', (SELECT json_build_object('goals', d.goals, 'updatedAt', kr_utc(d.updated_at))"
                    "   FROM development_plans d WHERE d.professional_id = p.id),"
                    " 'activities', (SELECT coalesce(json_agg(kr_activity_json(a) ORDER BY a.started_on, a.id), '[]')"
                    "   FROM development_activities a WHERE a.professional_id = p.id))"
                    " FROM professionals p WHERE p.id = $1"},

    /* ---- measures --------------------------------------------------------------------------- */
    [REG_MEASURE_INSERT] = {"reg_measure_insert",
                            "INSERT INTO measures AS m (professional_id, type, starts_on, ends_on, reason, public, created_by)"
                            " VALUES ($1, $2, $3::date, $4::date, $5, $6::boolean, $7::uuid) RETURNING kr_measure_json(m), m.id"},
    [REG_MEASURE_LIST] = {"reg_measure_list",
                          LIST("kr_measure_json(m) ORDER BY m.starts_on, m.id", "measures m WHERE m.professional_id = $1")},
    [REG_MEASURE_GET_LOCKED] = {"reg_measure_get_locked",
                                "SELECT m.type, m.starts_on, m.ends_on, m.ended_on IS NOT NULL, m.revoked_on IS NOT NULL"
                                " FROM measures m WHERE m.id = $1 AND m.professional_id = $2 FOR UPDATE"},
    [REG_MEASURE_END] = {"reg_measure_end",
                         "UPDATE measures m SET ended_on = $2::date WHERE m.id = $1 RETURNING kr_measure_json(m)"},
    [REG_MEASURE_REVOKE] = {"reg_measure_revoke",
                            "UPDATE measures m SET revoked_on = $2::date, revocation_reason = $3 WHERE m.id = $1"
                            " RETURNING kr_measure_json(m)"},

    /* ---- development ------------------------------------------------------------------------ */
    [REG_PLAN_GET] = {"reg_plan_get",
                      "SELECT coalesce((SELECT json_build_object('goals', d.goals, 'updatedAt', kr_utc(d.updated_at))"
                      " FROM development_plans d WHERE d.professional_id = $1), json_build_object('goals', '[]'::json,"
                      " 'updatedAt', NULL))"},
    [REG_PLAN_PUT] = {"reg_plan_put",
                      "INSERT INTO development_plans AS d (professional_id, goals) VALUES ($1, $2::jsonb)"
                      " ON CONFLICT (professional_id) DO UPDATE SET goals = excluded.goals, updated_at = clock_timestamp()"
                      " RETURNING json_build_object('goals', d.goals, 'updatedAt', kr_utc(d.updated_at))"},
    [REG_ACTIVITY_INSERT] = {"reg_activity_insert",
                             "INSERT INTO development_activities AS a (professional_id, type, title, provider, started_on,"
                             " completed_on, hours, competence_codes, reflection, supervised_by, status)"
                             " SELECT $1, j->>'type', j->>'title', j->>'provider', (j->>'startedOn')::date,"
                             " (j->>'completedOn')::date, (j->>'hours')::numeric,"
                             " ARRAY(SELECT json_array_elements_text(coalesce(j->'competenceCodes', '[]'))),"
                             " j->>'reflection', j->>'supervisedBy', j->>'status' FROM (SELECT $2::json AS j) i"
                             " RETURNING kr_activity_json(a), a.id"},
    [REG_ACTIVITY_GET] = {"reg_activity_get",
                          "SELECT kr_activity_json(a) FROM development_activities a WHERE a.id = $1 AND a.professional_id = $2"},
    [REG_ACTIVITY_UPDATE] = {"reg_activity_update",
                             "UPDATE development_activities a SET type = j->>'type', title = j->>'title', provider = j->>'provider',"
                             " started_on = (j->>'startedOn')::date, completed_on = (j->>'completedOn')::date,"
                             " hours = (j->>'hours')::numeric,"
                             " competence_codes = ARRAY(SELECT json_array_elements_text(coalesce(j->'competenceCodes', '[]'))),"
                             " reflection = j->>'reflection', supervised_by = j->>'supervisedBy', status = j->>'status',"
                             " updated_at = clock_timestamp() FROM (SELECT $3::json AS j) i"
                             " WHERE a.id = $1 AND a.professional_id = $2 RETURNING kr_activity_json(a)"},
    [REG_ACTIVITY_DELETE] = {"reg_activity_delete",
                             "DELETE FROM development_activities WHERE id = $1 AND professional_id = $2 RETURNING id"},
    /* One statement: the professional (no row: there is none; one row of NULLs: an empty page) and
     * the page: its ids from development_activities_page alone, in order from the cursor on, then
     * each item built for the rows on the page only. The cursor's key is days since 1970, clamped. */
    [REG_ACTIVITY_PAGE] = {"reg_activity_page",
                           "SELECT kr_activity_object(a, t.category, ev.evidence), k.key, k.id"
                           " FROM professionals p LEFT JOIN LATERAL ("
                           " SELECT x.id, x.started_on, (x.started_on - date '1970-01-01')::bigint AS key"
                           " FROM development_activities x"
                           " WHERE x.professional_id = $1 AND (x.started_on, x.id) > (coalesce(CASE WHEN $6::bigint IS NOT NULL"
                           "   THEN date '1970-01-01' + least(greatest($6::bigint, -1000000), 3000000)::int END, '-infinity'),"
                           "   coalesce($7::uuid, '00000000-0000-0000-0000-000000000000'))"
                           "   AND ($2::int IS NULL OR coalesce(x.completed_on, x.started_on) BETWEEN"
                           "     (SELECT r.starts_on FROM registration_periods r WHERE r.professional_id = $1 AND r.number = $2)"
                           "     AND (SELECT r.ends_on FROM registration_periods r WHERE r.professional_id = $1 AND r.number = $2))"
                           "   AND ($3::text IS NULL OR x.type IN (SELECT c.type FROM activity_types c WHERE c.category = $3))"
                           "   AND ($4::text IS NULL OR x.type = $4) AND ($5::text IS NULL OR x.status = $5)"
                           " ORDER BY x.started_on, x.id LIMIT $8) k ON true"
                           " LEFT JOIN development_activities a ON a.id = k.id LEFT JOIN activity_types t ON t.type = a.type"
                           /* the evidence inline, not a function call per row (one SPI query each) */
                           " LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', f.id, 'fileName', f.file_name,"
                           "   'contentType', f.content_type, 'sizeBytes', f.size_bytes, 'sha256', f.sha256,"
                           "   'uploadedAt', kr_utc(f.uploaded_at)) ORDER BY f.uploaded_at, f.id), '[]') AS evidence"
                           "  FROM evidence_files f WHERE f.activity_id = a.id) ev ON true"
                           " WHERE p.id = $1 ORDER BY k.started_on, k.id"},
    /* The same page without filters (what every app shows first): the rows come straight from
     * the walk of development_activities_page, one heap visit each, instead of their ids from the
     * index alone and then a primary-key probe each (21 random descents of the largest index of
     * the register: 184 buffers a page against 87, and the reason the page slowed at scale 10). */
    [REG_ACTIVITY_PAGE_PLAIN] = {"reg_activity_page_plain",
                                 "SELECT kr_activity_object(a, t.category, ev.evidence),"
                                 " (a.started_on - date '1970-01-01')::bigint, a.id"
                                 " FROM professionals p LEFT JOIN LATERAL ("
                                 " SELECT x.* FROM development_activities x"
                                 " WHERE x.professional_id = $1 AND (x.started_on, x.id) > (coalesce(CASE WHEN $2::bigint IS NOT NULL"
                                 "   THEN date '1970-01-01' + least(greatest($2::bigint, -1000000), 3000000)::int END, '-infinity'),"
                                 "   coalesce($3::uuid, '00000000-0000-0000-0000-000000000000'))"
                                 " ORDER BY x.started_on, x.id LIMIT $4) a ON true"
                                 " LEFT JOIN activity_types t ON t.type = a.type"
                                 " LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', f.id, 'fileName', f.file_name,"
                                 "   'contentType', f.content_type, 'sizeBytes', f.size_bytes, 'sha256', f.sha256,"
                                 "   'uploadedAt', kr_utc(f.uploaded_at)) ORDER BY f.uploaded_at, f.id), '[]') AS evidence"
                                 "  FROM evidence_files f WHERE f.activity_id = a.id) ev ON true"
                                 " WHERE p.id = $1 ORDER BY a.started_on, a.id"},
    [REG_ACTIVITY_LOCK] = {"reg_activity_lock",
                           "SELECT id FROM development_activities WHERE id = $1 AND professional_id = $2 FOR UPDATE"},
    [REG_EVIDENCE_COUNT] = {"reg_evidence_count", "SELECT count(*) FROM evidence_files WHERE activity_id = $1"},
    [REG_EVIDENCE_INSERT] = {"reg_evidence_insert",
                             "INSERT INTO evidence_files AS f (activity_id, file_name, content_type, content, size_bytes, sha256)"
                             " VALUES ($1, $2, $3, $4::bytea, $5::int, $6) RETURNING json_build_object('id', f.id,"
                             " 'fileName', f.file_name, 'contentType', f.content_type, 'sizeBytes', f.size_bytes,"
                             " 'sha256', f.sha256, 'uploadedAt', kr_utc(f.uploaded_at)), f.id"},
    [REG_EVIDENCE_GET] = {"reg_evidence_get",
                          "SELECT f.content_type, f.content, f.file_name FROM evidence_files f"
                          " WHERE f.id = $1 AND f.activity_id = $2"},
    [REG_EVIDENCE_DELETE] = {"reg_evidence_delete",
                             "DELETE FROM evidence_files WHERE id = $1 AND activity_id = $2 RETURNING id"},

    /* ---- progress and re-registration ------------------------------------------------------- */
    /* ---- notices (sql/0022) ------------------------------------------------------------------ */
    [REG_NOTICE] = {"reg_notice", "SELECT kr_professional_notice($1::uuid, $2, $2 || ':' || $3, $4)"},
    [REG_NOTICES_DUE] = {"reg_notices_due", "SELECT professional_id, kind, cause FROM kr_register_notices_due($1::date, $2::int)"},
    [REG_NOTICE_SKIP] = {"reg_notice_skip", "INSERT INTO register_notices_skipped (cause) VALUES ($1) ON CONFLICT DO NOTHING"},
    /* One replica at a time looks for due notices (the key spells "notices"). */
    [REG_NOTICES_LOCK] = {"reg_notices_lock", "SELECT pg_try_advisory_xact_lock(7164126599947501939)"},
    [REG_PERIODS] = {"reg_periods",
                     "SELECT r.number, r.starts_on, r.ends_on, r.requirements, r.window_weeks, f.period_years"
                     " FROM registration_periods r JOIN professionals p ON p.id = r.professional_id"
                     " JOIN register_profiles f ON f.code = p.profile WHERE r.professional_id = $1 ORDER BY r.number"},
    [REG_COMPLETED_ACTIVITIES] = {"reg_completed_activities",
                                  "SELECT t.category, a.completed_on, (a.hours * 100)::bigint FROM development_activities a"
                                  " JOIN activity_types t ON t.type = a.type WHERE a.professional_id = $1"
                                  " AND a.status = 'completed' AND a.completed_on BETWEEN $2::date AND $3::date"},
    [REG_NEXT_PERIOD] = {"reg_next_period",
                         "INSERT INTO registration_periods (professional_id, number, starts_on, ends_on, requirements, window_weeks)"
                         " SELECT p.id, $2::int, $3::date, $4::date, f.requirements, f.window_weeks"
                         " FROM professionals p JOIN register_profiles f ON f.code = p.profile WHERE p.id = $1"},

    /* ---- public register -------------------------------------------------------------------- */
    [REG_PUBLIC_SEARCH] = {"reg_public_search",
                           "SELECT kr_public_view(p.id, $5::date), kr_sort_key(p.created_at), p.id FROM professionals p"
                           STATUS_ON("$5::date")
                           " WHERE p.registration_number IS NOT NULL AND" LISTED
                           "   AND kr_fold(p.given_name || ' ' || p.family_name) LIKE '%' || replace(replace(replace("
                           "       kr_fold($1), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
                           "   AND ($2::bigint IS NULL OR (kr_sort_key(p.created_at), p.id) > ($2::bigint, $3::uuid))"
                           " ORDER BY kr_sort_key(p.created_at), p.id LIMIT $4"},
    [REG_PUBLIC_GET] = {"reg_public_get",
                        "SELECT kr_public_view(p.id, $2::date) FROM professionals p" STATUS_ON("$2::date")
                        " WHERE p.registration_number = $1 AND" LISTED},

    /* ---- status timelines (register/status_store.c) ---------------------------------------- */
    [REG_STATUS_CLEAR] = {"reg_status_clear", "DELETE FROM registration_statuses WHERE professional_id = $1"},
    [REG_STATUS_INSERT] = {"reg_status_insert",
                           "INSERT INTO registration_statuses (professional_id, from_on, until_on, status)"
                           " SELECT * FROM unnest($1::uuid[], $2::date[], $3::date[], $4::text[])"},
    [REG_BACKFILL_PATIENCE] = {"reg_backfill_patience",
                               "SELECT set_config('statement_timeout', '600000', true),"
                               " set_config('lock_timeout', '600000', true), set_config('jit', 'off', true)"},
    /* An arbitrary constant that names "registration status backfill" among advisory locks. */
    [REG_BACKFILL_ADVISORY_LOCK] = {"reg_backfill_advisory_lock", "SELECT pg_advisory_xact_lock(727073690007)"},
    /* The lateral probe keeps this a nested loop: a merge anti-join would read every stored span. */
    [REG_BACKFILL_LOCK_BATCH] = {"reg_backfill_lock_batch",
                                 "SELECT p.id FROM professionals p LEFT JOIN LATERAL (SELECT 1 AS found FROM"
                                 " registration_statuses s WHERE s.professional_id = p.id LIMIT 1) s ON true"
                                 " WHERE p.id > $1::uuid AND s.found IS NULL ORDER BY p.id LIMIT $2::int FOR UPDATE OF p"},
    /* After the lock, in a new snapshot: the batch's range, less those with a timeline (others
     * in the range, or one a writer stored meanwhile). */
    [REG_BACKFILL_FACTS] = {"reg_backfill_facts",
                            "SELECT f.id, f.facts FROM kr_registration_facts($1::uuid, $2::uuid) f"
                            " WHERE NOT EXISTS (SELECT 1 FROM registration_statuses s WHERE s.professional_id = f.id)"},
};

_Static_assert(REG_STATEMENT_COUNT == 65, "list every statement above");

const db_statement *const register_statements[] = {
#define S(i) &statements[i]
    S(0), S(1), S(2), S(3), S(4), S(5), S(6), S(7), S(8), S(9), S(10), S(11), S(12),
    S(13), S(14), S(15), S(16), S(17), S(18), S(19), S(20), S(21), S(22), S(23), S(24), S(25),
    S(26), S(27), S(28), S(29), S(30), S(31), S(32), S(33), S(34), S(35), S(36), S(37), S(38),
    S(39), S(40), S(41), S(42), S(43), S(44), S(45), S(46), S(47), S(48), S(49), S(50), S(51),
    S(52), S(53), S(54), S(55), S(56), S(57), S(58), S(59), S(60), S(61), S(62), S(63), S(64), NULL
#undef S
};
_Static_assert(sizeof register_statements / sizeof *register_statements == REG_STATEMENT_COUNT + 1,
               "register_statements must name every statement (the pool prepares only these)");

const db_statement *register_statement(register_stmt which) { return &statements[which]; }
