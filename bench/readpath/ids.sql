-- The rotating id lists that bench/read-path's wrk scripts, answer check and pgbench scripts
-- (bench/sql/*.sql) share: bench_ids(list, i, value, extra, owner), i = 1..count per list.
\set ON_ERROR_STOP on
SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date AS today \gset
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_ids;
CREATE TABLE bench_ids (list text NOT NULL, i integer NOT NULL, value text NOT NULL, extra text, owner text,
                        account text, day text, PRIMARY KEY (list, i));

-- Public certificate lookups: every certificate that is not withdrawn today (those answer 404).
INSERT INTO bench_ids (list, i, value)
SELECT 'certificate', row_number() OVER (ORDER BY md5(c.certificate_number)), c.certificate_number
FROM certificates c
WHERE NOT EXISTS (SELECT 1 FROM certificate_events w WHERE w.certificate_id = c.id AND w.type = 'withdrawn'
                  AND w.effective_on <= :'today'::date);

-- Single checks: every KvK number; extra is the check-log entry the service writes for it.
INSERT INTO bench_ids (list, i, value, extra)
SELECT 'kvk', row_number() OVER (ORDER BY md5(kvk_number)), kvk_number,
       json_build_array(json_build_object('kvkNumber', kvk_number, 'certified', true))::text
FROM organisations;

-- Bulk checks: 200 lists of 100 numbers (3 of every 100 unknown to the register).
INSERT INTO bench_ids (list, i, value, extra)
SELECT 'bulk', b, json_agg(k ORDER BY n)::text,
       json_agg(json_build_object('kvkNumber', k, 'certified', true) ORDER BY n)::text
FROM generate_series(1, 200) b
CROSS JOIN LATERAL (
  SELECT n, CASE WHEN n % 33 = 0 THEN lpad((90000000 + b * 100 + n)::text, 8, '0')
                 ELSE (SELECT value FROM bench_ids WHERE list = 'kvk'
                       AND i = 1 + ((b * 7919 + n * 104729) % (SELECT count(*) FROM bench_ids WHERE list = 'kvk'))::int)
            END AS k
  FROM generate_series(1, 100) n) x
GROUP BY b;

-- Activity pages: the professionals with an account (value: id, owner: username).
INSERT INTO bench_ids (list, i, value, owner)
SELECT 'professional', row_number() OVER (ORDER BY a.username), a.professional_id::text, a.username
FROM accounts a WHERE a.role = 'professional' AND a.username LIKE 'bench.pro.%';

-- Public register lookups: every registration the public register lists (deregistered ones
-- answer 404).
INSERT INTO bench_ids (list, i, value)
SELECT 'registration', row_number() OVER (ORDER BY md5(registration_number)), registration_number
FROM professionals WHERE registration_number IS NOT NULL AND state = 'registered';

-- Outcome PUTs: every audit awaiting a decision (owner: its certifying body, account: that body's
-- certifier account, day: auditedOn; extra: a body of 49 scores that meets the 2019 thresholds).
INSERT INTO bench_ids (list, i, value, extra, owner, account, day)
SELECT 'audit', row_number() OVER (ORDER BY md5(a.id::text)), a.id::text,
       json_build_object('auditedOn', a.planned_on, 'auditors', json_build_array('A. de Auditor', 'B. Bakker'),
         'advice', 'positive', 'reportReference', 'RAP-BENCH-' || left(a.id::text, 8),
         'scores', (SELECT json_agg(json_build_object('normCode', n.code,
                      'score', CASE WHEN n.position IN (3, 17, 40) THEN 'partially_met'
                                    WHEN n.position = 25 THEN 'not_met' ELSE 'met' END,
                      'finding', 'Bevinding bij ' || n.code || ': beoordeeld in de bench.') ORDER BY n.position)
                    FROM norms n WHERE n.framework_version = a.framework_version))::text,
       a.certifying_body_id::text, x.id::text, a.planned_on::text
FROM audits a JOIN accounts x ON x.certifying_body_id = a.certifying_body_id WHERE a.status = 'outcome_submitted' AND a.kind <> 'intercollegial';
