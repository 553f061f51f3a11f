-- GET /v1/professionals/{id}/development-activities?limit=20 by that professional: the service's
-- SQL for a page without filters (reg_activity_page_plain in src/register/store.c: the
-- professional's existence and the page in one statement), no cursor (NULL) and LIMIT 21.
-- pgbench -M prepared -D n=<size of the list>
\set i random(1, :n)
SELECT value AS id FROM bench_ids WHERE list = 'professional' AND i = :i \gset
SELECT kr_activity_object(a, t.category, ev.evidence), (a.started_on - date '1970-01-01')::bigint, a.id FROM professionals p LEFT JOIN LATERAL ( SELECT x.* FROM development_activities x WHERE x.professional_id = :id AND (x.started_on, x.id) > (coalesce(CASE WHEN NULL::bigint IS NOT NULL THEN date '1970-01-01' + least(greatest(NULL::bigint, -1000000), 3000000)::int END, '-infinity'), coalesce(NULL::uuid, '00000000-0000-0000-0000-000000000000')) ORDER BY x.started_on, x.id LIMIT 21) a ON true LEFT JOIN activity_types t ON t.type = a.type LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', f.id, 'fileName', f.file_name, 'contentType', f.content_type, 'sizeBytes', f.size_bytes, 'sha256', f.sha256, 'uploadedAt', kr_utc(f.uploaded_at)) ORDER BY f.uploaded_at, f.id), '[]') AS evidence FROM evidence_files f WHERE f.activity_id = a.id) ev ON true WHERE p.id = :id ORDER BY a.started_on, a.id;
