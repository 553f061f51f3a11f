-- bench/read-path's national-scale data set, loaded straight into PostgreSQL with set-based SQL.
-- psql variables: scale (integer), hash (an argon2id hash made by the service), admin (the
-- bootstrap admin's account id). Dates are anchored on today (Europe/Amsterdam), so the mix of
-- running, expired, suspended and withdrawn records is the same whenever it runs.
\set ON_ERROR_STOP on
SELECT (now() AT TIME ZONE 'Europe/Amsterdam')::date AS today \gset
SELECT 50000 * :scale AS n_pro, 1500 * :scale AS n_org \gset
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

BEGIN;
-- ---- the register ------------------------------------------------------------------------
-- One helper row per professional: its dates. Current period: the second one when the first
-- ended (every 50th professional did not re-register: expired).
CREATE TEMP TABLE bp ON COMMIT DROP AS
SELECT i, gen_random_uuid() AS id, s1, (s1 + interval '5 years')::date - 1 AS e1
FROM (SELECT i, :'today'::date - 1 - ((i::bigint * 7919) % 3600)::int AS s1
      FROM generate_series(1, :n_pro) i) x;
ALTER TABLE bp ADD COLUMN has2 boolean, ADD COLUMN cur_s date, ADD COLUMN cur_e date;
UPDATE bp SET has2 = e1 < :'today'::date AND i % 50 <> 17;
UPDATE bp SET cur_s = CASE WHEN has2 THEN e1 + 1 ELSE s1 END,
              cur_e = CASE WHEN has2 THEN (e1 + 1 + interval '5 years')::date - 1 ELSE e1 END;
CREATE INDEX ON bp (i);
ANALYZE bp;

INSERT INTO professionals (id, given_name, family_name, email, profile, education_level, state,
                           registration_number, deregistered_on, diploma, diploma_type, diploma_sha256,
                           diploma_uploaded_at, created_at, updated_at)
SELECT id,
       (ARRAY['Anna','Bram','Chantal','Daan','Emma','Fatima','Gijs','Hanna','Ilse','Jeroen','Kees',
              'Lotte','Mohamed','Noor','Olga','Pieter','Quinten','Rosa','Sanne','Tim'])[1 + i % 20],
       (ARRAY['de Vries','Jansen','van den Berg','Bakker','Visser','Smit','Meijer','de Boer','Mulder',
              'de Groot','Bos','Vos','Peters','Hendriks','van Leeuwen','Dekker','Brouwer','de Wit',
              'Dijkstra','Smits','Yılmaz','El Amrani','Öztürk','Janssens','Kok'])[1 + (i / 20) % 25]
         || CASE WHEN i % 7 = 0 THEN '-' || (ARRAY['Kramer','Vermeulen','Willems'])[1 + i % 3] ELSE '' END,
       'pro' || i || '@bench.example',
       CASE WHEN i % 2 = 0 THEN 'sociaal-werker-hbo' ELSE 'sociaal-werker-mbo' END,
       CASE WHEN i % 2 = 1 THEN 'mbo' WHEN i % 6 = 0 THEN 'associate_degree' ELSE 'hbo' END,
       CASE WHEN i % 200 = 5 THEN 'deregistered' ELSE 'registered' END,
       'RSW' || lpad(nextval('registration_number_seq')::text, 7, '0'),
       CASE WHEN i % 200 = 5 THEN s1 + (:'today'::date - s1) / 2 END,
       convert_to('%PDF-1.4 bench diploma', 'UTF8'), 'application/pdf',
       encode(sha256(convert_to('%PDF-1.4 bench diploma', 'UTF8')), 'hex'),
       (s1 - 20)::timestamp AT TIME ZONE 'Europe/Amsterdam',
       (s1 - 30)::timestamp AT TIME ZONE 'Europe/Amsterdam' + (i % 36000) * interval '1 second',
       (s1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
FROM bp ORDER BY i;

INSERT INTO registration_periods (professional_id, number, starts_on, ends_on, requirements, window_weeks)
SELECT bp.id, 1, s1, e1, f.requirements, f.window_weeks
FROM bp JOIN professionals p ON p.id = bp.id JOIN register_profiles f ON f.code = p.profile
UNION ALL
SELECT bp.id, 2, e1 + 1, cur_e, f.requirements, f.window_weeks
FROM bp JOIN professionals p ON p.id = bp.id JOIN register_profiles f ON f.code = p.profile WHERE has2;

INSERT INTO code_of_conduct_acceptances (professional_id, version, accepted_at)
SELECT id, '2018', (s1 - 25)::timestamp AT TIME ZONE 'Europe/Amsterdam' FROM bp WHERE s1 < date '2022-01-01'
UNION ALL
SELECT id, '2022', (greatest(s1, date '2022-01-01') - 25)::timestamp AT TIME ZONE 'Europe/Amsterdam' FROM bp;

-- Measures: running and past suspensions, strikings-off, warnings, conditional suspensions and
-- a revoked suspension; only some are public.
INSERT INTO measures (professional_id, type, starts_on, ends_on, reason, public, revoked_on,
                      revocation_reason, created_at, created_by)
SELECT id, m.type, m.starts_on, m.ends_on, 'Uitspraak tuchtcollege ' || i, m.public, m.revoked_on,
       CASE WHEN m.revoked_on IS NOT NULL THEN 'Herzien in hoger beroep' END,
       (m.starts_on - 1)::timestamp AT TIME ZONE 'Europe/Amsterdam', :'admin'::uuid
FROM bp, LATERAL (VALUES
  ('suspension', :'today'::date - 40, :'today'::date + 50, true, NULL::date, i % 200 = 7),
  ('suspension', :'today'::date - 400, :'today'::date - 300, true, NULL, i % 200 = 107),
  ('striking_off', :'today'::date - 100, NULL, true, NULL, i % 1000 = 13),
  ('warning', :'today'::date - 200, NULL, false, NULL, i % 50 = 3),
  ('reprimand', :'today'::date - 150, NULL, true, NULL, i % 150 = 9),
  ('conditional_suspension', :'today'::date - 90, :'today'::date + 275, true, NULL, i % 250 = 11),
  ('suspension', :'today'::date - 60, :'today'::date + 30, true, :'today'::date - 30, i % 500 = 21)
) AS m(type, starts_on, ends_on, public, revoked_on, applies)
WHERE m.applies;

INSERT INTO professional_history (professional_id, type, on_date, detail, recorded_at, recorded_by)
SELECT id, h.type, h.on_date, h.detail, h.on_date::timestamp AT TIME ZONE 'Europe/Amsterdam' + h.seq * interval '1 minute',
       CASE WHEN h.type IN ('approved', 'period_started', 'deregistered') THEN :'admin'::uuid END
FROM bp, LATERAL (VALUES
  (1, 'applied', s1 - 30, NULL, true),
  (2, 'code_of_conduct_accepted', greatest(s1, date '2022-01-01') - 25, '2022', true),
  (3, 'approved', s1, NULL, true),
  (4, 'period_started', s1, 'period 1', true),
  (5, 'period_started', e1 + 1, 'period 2', has2),
  (6, 'deregistered', s1 + (:'today'::date - s1) / 2, NULL, i % 200 = 5)
) AS h(seq, type, on_date, detail, applies)
WHERE h.applies ORDER BY h.on_date;
INSERT INTO professional_history (professional_id, type, on_date, detail, recorded_at, recorded_by)
SELECT professional_id, 'measure_imposed', starts_on, type, created_at, created_by FROM measures;

-- Development activities: 50 per professional (the table's secondary indexes are dropped for the
-- load and created again from their own definitions, whatever sql/ makes them)., every type (all three categories), 70% completed,
-- 15% in progress, 15% planned, spread over the current period up to today.
CREATE TEMP TABLE saved_indexes ON COMMIT DROP AS
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
WHERE indrelid = 'development_activities'::regclass AND NOT indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid);
SELECT 'DROP INDEX ' || name FROM saved_indexes \gexec
INSERT INTO development_activities (professional_id, type, title, provider, started_on, completed_on,
                                    hours, competence_codes, reflection, supervised_by, status,
                                    created_at, updated_at)
SELECT bp.id, t.type,
       (ARRAY['Motiverende gespreksvoering','Intervisie casus','Vakliteratuur','Training huiselijk geweld',
              'Webinar schulden','Supervisie','Congres sociaal werk','Coaching on the job'])[1 + (i + j) % 8]
         || ' ' || j,
       CASE WHEN j % 3 = 0 THEN NULL ELSE (ARRAY['Movisie','NJi','Hogeschool Utrecht','BPSW'])[1 + j % 4] END,
       a.started_on,
       CASE WHEN a.status = 'completed' THEN least(a.started_on + j % 5, :'today'::date) END,
       ((j % 8) + 1) * 1.5,
       CASE j % 4 WHEN 0 THEN '{}'::text[] WHEN 1 THEN ARRAY['G01'] WHEN 2 THEN ARRAY['G02','L-SOC']
                  ELSE ARRAY['G03','G04','L-FIN'] END,
       CASE WHEN j % 5 = 0 THEN 'Reflectie op activiteit ' || j || ': geleerd om beter aan te sluiten.' END,
       CASE WHEN t.category = 'reflection' THEN 'J. Supervisor' END,
       a.status,
       a.started_on::timestamp AT TIME ZONE 'Europe/Amsterdam' + j * interval '1 minute',
       a.started_on::timestamp AT TIME ZONE 'Europe/Amsterdam' + j * interval '1 minute'
FROM bp
CROSS JOIN generate_series(1, 50) j
CROSS JOIN LATERAL (SELECT CASE WHEN j % 20 < 14 THEN 'completed' WHEN j % 20 < 17 THEN 'in_progress'
                                ELSE 'planned' END AS status,
                           bp.cur_s + ((j - 1) * greatest(0, least(:'today'::date, bp.cur_e) - bp.cur_s)) / 50
                             + CASE WHEN j % 20 >= 17 THEN 30 ELSE 0 END AS started_on) a
JOIN activity_types t ON t.position = 1 + (i + j) % 16;
SELECT def FROM saved_indexes \gexec

-- ---- accounts: 200 professionals (spread over the register), certifiers, a municipality --------
INSERT INTO accounts (username, password_hash, role, professional_id, created_at)
SELECT 'bench.pro.' || i, :'hash', 'professional', id, (s1 - 30)::timestamp AT TIME ZONE 'Europe/Amsterdam'
FROM bp WHERE i % (:n_pro / 200) = 0;

-- Evidence for the completed ones among every tenth activity of those professionals.
INSERT INTO evidence_files (activity_id, file_name, content_type, content, size_bytes, sha256, uploaded_at)
SELECT a.id, 'bewijs-' || left(a.id::text, 8) || '.pdf', 'application/pdf',
       convert_to('%PDF-1.4 evidence ' || a.id, 'UTF8'), octet_length(convert_to('%PDF-1.4 evidence ' || a.id, 'UTF8')),
       encode(sha256(convert_to('%PDF-1.4 evidence ' || a.id, 'UTF8')), 'hex'), a.created_at + interval '1 hour'
FROM development_activities a JOIN accounts x ON x.professional_id = a.professional_id
WHERE a.status = 'completed' AND a.title LIKE '% _0';

COMMIT;

BEGIN;
-- ---- the label -----------------------------------------------------------------------------
INSERT INTO certifying_bodies (id, name, created_at)
SELECT ('00000000-0000-4000-8000-00000000000' || b)::uuid,
       (ARRAY['Kiwa Nederland','DNV Certificering','Lloyd''s Register','TÜV Nederland','Bureau Veritas',
              'QA Certificering'])[b] || ' B.V.', timestamptz '2017-01-01 09:00+01'
FROM generate_series(1, 6) b;
INSERT INTO certifying_body_agreements (certifying_body_id, valid_from, created_at)
SELECT id, date '2017-01-01', created_at FROM certifying_bodies;
INSERT INTO accounts (username, password_hash, role, certifying_body_id)
SELECT 'bench.certifier.' || right(id::text, 1), :'hash', 'certifier', id FROM certifying_bodies;

-- Organisations: 342 municipalities (GM0001..GM0342), each organisation serving 1 to 3 of them.
INSERT INTO organisations (name, kvk_number, address, postal_code, city, municipality_codes,
                           employees_fte, volunteers, business_critical_volunteers, created_at, updated_at)
SELECT (ARRAY['Stichting Welzijn','Sociaal Werk','Buurtwerk','Stichting Wijkteams','Welzijnsgroep'])[1 + i % 5]
         || ' ' || (ARRAY['Noord','Zuid','Oost','West','Centrum','Rivierenland','De Kempen','Het Gooi'])[1 + (i / 5) % 8]
         || ' ' || i,
       lpad((30000000 + i)::text, 8, '0'),
       'Dorpsstraat ' || (1 + i % 200),
       (1000 + i % 8999)::text || ' ' || chr(65 + i % 26) || chr(65 + (i / 26) % 26),
       (ARRAY['Amsterdam','Rotterdam','Utrecht','Zwolle','Groningen','Eindhoven','Tilburg','Almere',
              'Leeuwarden','Maastricht','Den Haag','Nijmegen'])[1 + i % 12],
       ARRAY(SELECT 'GM' || lpad((1 + (i * 17 + k * 101) % 342)::text, 4, '0') FROM generate_series(0, i % 3) k),
       10 + (i % 200) * 1.5, 20 + i % 100, (20 + i % 100) / 4,
       timestamptz '2018-01-01 09:00+01' + i * interval '1 hour', timestamptz '2018-01-01 09:00+01' + i * interval '1 hour'
FROM generate_series(1, :n_org) i;

-- Four audits per organisation (group g = i % 4, R = the start of the running certificate):
--   g0: initial granted (its certificate expired), two refused, one awaiting a decision
--   g1: initial granted, one refused, a granted recertification (running), one awaiting
--   g2: three granted (two expired, one running), one awaiting
--   g3: initial granted, granted recertification (running), one refused, one awaiting
CREATE TEMP TABLE bo ON COMMIT DROP AS
SELECT o.id AS org, i, i % 4 AS g, ('00000000-0000-4000-8000-00000000000' || (1 + i % 6))::uuid AS body,
       :'today'::date - 30 - (i * 7) % 600 AS r,
       :'today'::date - 760 - (i * 13) % 300 AS f0
FROM organisations o, LATERAL (SELECT (o.kvk_number::int - 30000000) AS i) x;

CREATE TEMP TABLE ba ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, bo.org, bo.i, bo.g, bo.body, x.k, x.type, x.status, x.planned_on,
       x.cert_from, x.renewal
FROM bo, LATERAL (VALUES
  -- k, type, status, planned_on, certificate valid from (granted), renewal of a running one
  (0, 'initial', 'granted',
      CASE bo.g WHEN 0 THEN bo.f0 WHEN 2 THEN (bo.r - interval '48 months')::date ELSE (bo.r - interval '24 months')::date END - 30,
      CASE bo.g WHEN 0 THEN bo.f0 WHEN 2 THEN (bo.r - interval '48 months')::date ELSE (bo.r - interval '24 months')::date END, false),
  (1, 'recertification', CASE WHEN bo.g IN (2, 3) THEN 'granted' ELSE 'refused' END,
      CASE bo.g WHEN 0 THEN bo.f0 + 600 WHEN 1 THEN (bo.r - interval '24 months')::date + 300
                WHEN 2 THEN (bo.r - interval '24 months')::date - 90 ELSE bo.r - 90 END,
      CASE bo.g WHEN 2 THEN (bo.r - interval '24 months')::date WHEN 3 THEN bo.r END, true),
  (2, 'recertification', CASE WHEN bo.g IN (1, 2) THEN 'granted' ELSE 'refused' END,
      CASE bo.g WHEN 0 THEN bo.f0 + 700 WHEN 3 THEN bo.r + 10 ELSE bo.r - 90 END,
      CASE WHEN bo.g IN (1, 2) THEN bo.r END, true),
  (3, 'recertification', 'outcome_submitted', :'today'::date - 5 - bo.i % 60, NULL::date, false)
) AS x(k, type, status, planned_on, cert_from, renewal);

INSERT INTO audits (id, organisation_id, certifying_body_id, kind, type, framework_version, planned_on,
                    scope, status, created_at, created_by)
SELECT ba.id, org, body, CASE WHEN i % 10 = 0 THEN 'combined' ELSE 'external' END, type, '2019', planned_on,
       jsonb_build_object('wholeOrganisation', true, 'parts', '[]'::jsonb, 'employees', o.employees_fte::int,
                          'businessCriticalVolunteers', o.business_critical_volunteers),
       status, (planned_on - 60)::timestamp AT TIME ZONE 'Europe/Amsterdam', :'admin'::uuid
FROM ba JOIN organisations o ON o.id = ba.org ORDER BY planned_on;

-- Every audit has its outcome with all 49 norms scored; refused ones miss the thresholds.
CREATE TEMP TABLE bs ON COMMIT DROP AS
SELECT id, i, status, planned_on,
       CASE WHEN status = 'refused' THEN 9 + i % 3 WHEN status = 'granted' THEN i % 6 ELSE i % 9 END AS pm,
       CASE WHEN status = 'refused' THEN 2 WHEN status = 'granted' THEN i % 3 ELSE i % 4 END AS nm
FROM ba;
INSERT INTO audit_outcomes (audit_id, audited_on, auditors, advice, report_reference, met, partially_met,
                            not_met, meets_threshold, submitted_by, submitted_at, updated_at)
SELECT bs.id, bs.planned_on, ARRAY['A. de Auditor', (ARRAY['B. Bakker','C. Claassen','D. Dijkman'])[1 + bs.i % 3]],
       CASE WHEN bs.status = 'refused' THEN 'negative' ELSE 'positive' END,
       'RAP-' || to_char(bs.planned_on, 'YYYY') || '-' || left(bs.id::text, 8),
       49 - bs.pm - bs.nm, bs.pm, bs.nm, bs.pm <= 8 AND bs.nm <= 3, x.id,
       (bs.planned_on + 2)::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '10 hours',
       (bs.planned_on + 2)::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '10 hours'
FROM bs JOIN audits a ON a.id = bs.id JOIN accounts x ON x.certifying_body_id = a.certifying_body_id;
INSERT INTO audit_outcome_scores (audit_id, norm_code, position, score, finding)
SELECT bs.id, n.code, n.position,
       CASE WHEN (n.position + bs.i) % 49 < bs.nm THEN 'not_met'
            WHEN (n.position + bs.i) % 49 < bs.nm + bs.pm THEN 'partially_met' ELSE 'met' END,
       'Bevinding bij ' || n.code || ': ' ||
       CASE WHEN (n.position + bs.i) % 49 < bs.nm + bs.pm THEN 'verbetering nodig.' ELSE 'in orde.' END
FROM bs CROSS JOIN norms n WHERE n.framework_version = '2019';

INSERT INTO audit_decisions (audit_id, granted, note, decided_on, decided_at, decided_by)
SELECT id, status = 'granted', CASE WHEN status = 'granted' THEN 'Toegekend' ELSE 'Afgewezen: normen niet gehaald' END,
       CASE WHEN renewal AND status = 'granted' THEN cert_from - 40 WHEN status = 'granted' THEN cert_from
            ELSE planned_on + 30 END,
       (CASE WHEN renewal AND status = 'granted' THEN cert_from - 40 WHEN status = 'granted' THEN cert_from
             ELSE planned_on + 30 END)::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '11 hours',
       :'admin'::uuid
FROM ba WHERE status IN ('granted', 'refused');

-- Certificates: one per granted audit, numbered in the order issued; a renewal follows the
-- running one without a gap and names it.
INSERT INTO certificates (certificate_number, organisation_id, audit_id, framework_version, certifying_body_id,
                          valid_from, valid_until, issued_at)
SELECT 'KSW-' || to_char(d.decided_on, 'YYYY') || '-' || lpad((row_number() OVER (ORDER BY d.decided_at, ba.id))::text, 6, '0'),
       ba.org, ba.id, '2019', ba.body, ba.cert_from, (ba.cert_from + interval '24 months')::date - 1, d.decided_at
FROM ba JOIN audit_decisions d ON d.audit_id = ba.id WHERE ba.status = 'granted';
SELECT setval('certificate_number_seq', (SELECT count(*) FROM certificates));
UPDATE certificates c SET previous_certificate_id = p.id
FROM audits a, ba, certificates p
WHERE a.id = c.audit_id AND ba.id = a.id AND ba.renewal AND p.organisation_id = c.organisation_id
  AND p.valid_until = c.valid_from - 1;

-- Events in the order they happened (ids grow with recorded_at): issued for every certificate;
-- on running certificates suspensions (some still running), reinstatements and withdrawals; an
-- old certificate withdrawn; and `expired` for each certificate whose validity ended (what the
-- service's expiry worker writes).
CREATE TEMP TABLE be ON COMMIT DROP AS
SELECT c.id AS certificate_id, 'issued' AS type, c.valid_from AS effective_on,
       c.issued_at + interval '1 minute' AS recorded_at, NULL::text AS reason
FROM certificates c
UNION ALL
SELECT c.id, x.type, x.on_date, x.on_date::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '9 hours', x.reason
FROM certificates c JOIN organisations o ON o.id = c.organisation_id,
     LATERAL (SELECT (o.kvk_number::int - 30000000) AS i) n,
     LATERAL (VALUES
       ('suspended', greatest(c.valid_from, :'today'::date - 5 - n.i % 20), 'Tekortkomingen bij tussentijdse audit',
        n.i % 10 = 1),
       ('suspended', c.valid_from + (:'today'::date - c.valid_from) / 4, 'Vervolgaudit nodig', n.i % 10 = 2),
       ('reinstated', c.valid_from + (:'today'::date - c.valid_from) / 2, 'Vervolgaudit voldoende', n.i % 10 = 2),
       ('withdrawn', greatest(c.valid_from, :'today'::date - 10), 'Organisatie opgeheven', n.i % 25 = 3),
       ('withdrawn', c.valid_from + 400, 'Ernstige tekortkomingen', n.i % 16 = 8)
     ) AS x(type, on_date, reason, applies)
WHERE x.applies AND (CASE WHEN x.type = 'withdrawn' AND n.i % 16 = 8
                          THEN c.valid_until < :'today'::date AND c.previous_certificate_id IS NULL
                          ELSE c.valid_from <= :'today'::date AND c.valid_until >= :'today'::date END);
INSERT INTO be
SELECT c.id, 'expired', c.valid_until + 1, (c.valid_until + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam' + interval '1 hour', NULL
FROM certificates c
WHERE c.valid_until < :'today'::date
  AND NOT EXISTS (SELECT 1 FROM be w WHERE w.certificate_id = c.id AND w.type = 'withdrawn' AND w.effective_on <= c.valid_until);
INSERT INTO certificate_events (certificate_id, type, effective_on, reason, recorded_at, recorded_by)
SELECT certificate_id, type, effective_on, reason, recorded_at, CASE WHEN type <> 'expired' THEN :'admin'::uuid END
FROM be ORDER BY recorded_at, certificate_id, type;
COMMIT;
