-- GET /v1/professionals/{id}/development-activities?limit=20 by that professional: the service's
-- SQL (reg_pro_exists, then reg_activity_page in src/register/store.c, with the filters it
-- leaves NULL written as NULL and LIMIT 21).
-- pgbench -M prepared -D n=<size of the list>
\set i random(1, :n)
SELECT value AS id FROM bench_ids WHERE list = 'professional' AND i = :i \gset
SELECT id FROM professionals WHERE id = :id;
SELECT kr_activity_json(a), (a.started_on - date '1970-01-01')::bigint, a.id
  FROM development_activities a JOIN activity_types t ON t.type = a.type
  LEFT JOIN registration_periods r ON r.professional_id = a.professional_id AND r.number = NULL::int
  WHERE a.professional_id = :id
    AND (NULL::int IS NULL OR coalesce(a.completed_on, a.started_on) BETWEEN r.starts_on AND r.ends_on)
    AND (NULL::text IS NULL OR t.category = NULL::text) AND (NULL::text IS NULL OR a.type = NULL::text)
    AND (NULL::text IS NULL OR a.status = NULL::text)
    AND (NULL::bigint IS NULL OR ((a.started_on - date '1970-01-01')::bigint, a.id) > (NULL::bigint, NULL::uuid))
  ORDER BY a.started_on, a.id LIMIT 21;
