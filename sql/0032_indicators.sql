-- The programme monitor's indicators (issue 12): GET /v1/indicators, per month, nationally or for
-- one municipality. Computed by one statement over the live data (no materialised table yet:
-- src/monitor/indicators.h says what each figure is, and which are public). This function
-- gives the raw figures of every series and month; the service suppresses small counts
-- (monitor/indicators.c, indicators_suppress) and writes the answer.
--
-- Each month has a reference day: its last day, or today for the current month. Professionals
-- are tied to a municipality on a month's reference day through the organisations that employ
-- them: a confirmed link (confirmed now, or confirmed and ended since) that runs on that day,
-- with an organisation whose municipality_codes name it. Nationally (code NULL) every
-- professional and every organisation counts.
--
-- Not materialised yet. Measured once on a 2-core machine with 50,000 professionals (10
-- activities each), 1,500 organisations over 300 municipalities and a confirmed link each, 24
-- months, psql included: one municipality about 0.3 s with every figure and 0.07 s for the
-- public subset; the nation's public subset about 3 s, and its full view over a minute (the
-- per-professional progress of 1.2 million professional-months). The national figures, and the
-- progress per professional and month, are the ones to keep in a monthly table refreshed by
-- claimed background work; the pool's statement_timeout bounds a request meanwhile.

-- Whole years from `start` until `day`, each anniversary counted on its day (29 February's on
-- 28 February, as date_add_months in C): register_on_track's whole_years. One expression, so
-- that a query inlines it.
CREATE FUNCTION kr_whole_years(start date, day date) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT greatest(0, extract(year FROM age(day, start))::integer)
               + CASE WHEN (start + make_interval(years => greatest(0, extract(year FROM age(day, start))::integer) + 1))::date
                           <= day THEN 1 ELSE 0 END $$;

-- Confirmed links by the day they run, for the municipality's tie.
CREATE INDEX employments_confirmed ON employments (organisation_id, from_on)
  INCLUDE (until_on, professional_id) WHERE confirmed_at IS NOT NULL;
-- Decisions and outcomes by the day they were made.
CREATE INDEX audit_decisions_decided ON audit_decisions (decided_on);
CREATE INDEX audit_outcomes_audited ON audit_outcomes (audited_on);

-- Every figure of `month_count` months from `first_month` (a first day), with `today` the
-- reference day of the current month, for municipality `code` (NULL: national); `full_view`
-- adds the figures that are not public. One row per series and month, in the order the answer
-- lists them: rank orders the indicators, the label columns the series, pos the months.
--   unit 'count': n is the figure; 'share': n of d (value = n / d, 4 decimals);
--   'hours': value is the median over d professionals (2 decimals).
CREATE FUNCTION kr_indicators(code text, first_month date, month_count integer, today date, full_view boolean)
  RETURNS TABLE (rank integer, indicator text, unit text, pos integer, profile text, status text, category text,
                 kind text, outcome text, organisation_id uuid, kvk_number text, organisation_name text,
                 n bigint, d bigint, value text)
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
  WITH months AS (
    SELECT g.pos, (first_month + make_interval(months => g.pos))::date AS first_day,
           least((first_month + make_interval(months => g.pos + 1))::date - 1, today) AS ref_day
    FROM generate_series(0, month_count - 1) AS g (pos)),
  serving AS (
    SELECT o.id, o.name, o.kvk_number, (o.created_at AT TIME ZONE 'Europe/Amsterdam')::date AS since
    FROM organisations o WHERE code IS NULL OR o.municipality_codes @> ARRAY[code]),
  -- the professionals tied to the municipality in each month (nationally: everyone, unlisted)
  scope AS (
    SELECT DISTINCT m.pos, e.professional_id FROM months m
    JOIN employments e ON e.confirmed_at IS NOT NULL AND e.state IN ('confirmed', 'ended')
      AND e.from_on <= m.ref_day AND (e.until_on IS NULL OR e.until_on >= m.ref_day)
    JOIN serving o ON o.id = e.organisation_id
    WHERE code IS NOT NULL),
  -- the status of each professional in scope on each reference day
  statuses AS (
    SELECT m.pos, r.professional_id, r.status FROM months m
    JOIN registration_statuses r ON r.from_on <= m.ref_day AND m.ref_day < r.until_on
    WHERE code IS NULL
    UNION ALL
    SELECT s.pos, s.professional_id, r.status FROM scope s JOIN months m ON m.pos = s.pos
    JOIN registration_statuses r ON r.professional_id = s.professional_id AND r.from_on <= m.ref_day
      AND m.ref_day < r.until_on),
  status_counts AS (
    SELECT st.pos, p.profile, st.status, count(*) AS n FROM statuses st JOIN professionals p ON p.id = st.professional_id
    GROUP BY st.pos, p.profile, st.status),
  -- registered on the reference day, with the period that runs then
  registered AS (
    SELECT st.pos, st.professional_id, m.first_day, m.ref_day, x.starts_on, x.ends_on, x.requirements, x.years,
           least(x.years, kr_whole_years(x.starts_on, m.ref_day)) AS passed
    FROM statuses st JOIN months m ON m.pos = st.pos
    JOIN LATERAL (SELECT y.starts_on, y.ends_on, y.requirements,
                         greatest(1, kr_whole_years(y.starts_on, y.ends_on + 1)) AS years FROM registration_periods y
                  WHERE y.professional_id = st.professional_id AND y.starts_on <= m.ref_day
                    AND m.ref_day <= y.ends_on ORDER BY y.number DESC LIMIT 1) x ON true
    WHERE st.status = 'registered' AND full_view),
  hours AS (
    SELECT g.pos, g.professional_id, t.category,
           sum(a.hours) FILTER (WHERE a.completed_on >= g.first_day) AS month_hours, sum(a.hours) AS period_hours
    FROM registered g
    JOIN development_activities a ON a.professional_id = g.professional_id AND a.status = 'completed'
      AND a.completed_on BETWEEN g.starts_on AND g.ref_day
    JOIN activity_types t ON t.type = a.type
    GROUP BY g.pos, g.professional_id, t.category),
  per_category AS (
    SELECT g.pos, g.professional_id, c.category, g.requirements, g.years, g.passed,
           coalesce(h.month_hours, 0) AS month_hours,
           least(coalesce(h.period_hours, 0), coalesce(q.cap, coalesce(h.period_hours, 0))) AS credited,
           coalesce(q.minimum, 0) AS minimum
    FROM registered g
    CROSS JOIN (VALUES ('formal_learning'), ('reflection'), ('informal_learning')) AS c (category)
    LEFT JOIN hours h ON h.pos = g.pos AND h.professional_id = g.professional_id AND h.category = c.category
    LEFT JOIN LATERAL (SELECT (j->>'minimumHours')::numeric AS minimum, (j->>'capHours')::numeric AS cap
                       FROM jsonb_array_elements(g.requirements->'categories') j
                       WHERE j->>'category' = c.category LIMIT 1) q ON true),
  -- register_on_track: every minimum and the total credited in proportion to the whole years
  -- of the period passed on the reference day (none in its first year)
  progress AS (
    SELECT f.pos, f.professional_id,
           bool_and(f.credited * f.years >= f.minimum * f.passed)
             AND sum(f.credited) * min(f.years) >= coalesce((min(f.requirements->>'totalHours'))::numeric, 0) * min(f.passed)
             AS on_track
    FROM per_category f
    GROUP BY f.pos, f.professional_id),
  register_statuses AS (
    SELECT * FROM (VALUES ('all'), ('registered'), ('suspended'), ('struck_off'), ('expired'), ('deregistered'))
      AS v (status)),
  figures AS (
    -- registered professionals by profile and status ('all': the five together)
    SELECT 1 AS rank, 'registeredProfessionals' AS indicator, 'count' AS unit, m.pos, rp.code AS profile,
           v.status, NULL::text AS category, NULL::text AS kind, NULL::text AS outcome, NULL::uuid AS organisation_id,
           NULL::text AS kvk_number, NULL::text AS organisation_name,
           coalesce(sum(sc.n), 0)::bigint AS n, NULL::bigint AS d, NULL::numeric AS median
    FROM months m CROSS JOIN register_profiles rp CROSS JOIN register_statuses v
    LEFT JOIN status_counts sc ON sc.pos = m.pos AND sc.profile = rp.code
      AND (sc.status = v.status OR (v.status = 'all' AND sc.status NOT IN ('applied', 'rejected')))
    GROUP BY m.pos, rp.code, v.status
    UNION ALL
    -- re-registration: periods ending in the month (up to the reference day), followed by another
    SELECT 2, 'reregistrationRate', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(x.professional_id) FILTER (WHERE EXISTS (SELECT 1 FROM registration_periods z
             WHERE z.professional_id = x.professional_id AND z.number = x.number + 1)),
           count(x.professional_id), NULL
    FROM months m LEFT JOIN (
      SELECT s.pos, y.professional_id, y.number, y.ends_on FROM scope s
      JOIN registration_periods y ON y.professional_id = s.professional_id
      UNION ALL
      SELECT n.pos, y.professional_id, y.number, y.ends_on FROM months n
      JOIN registration_periods y ON y.ends_on BETWEEN n.first_day AND n.ref_day WHERE code IS NULL) x
      ON x.pos = m.pos AND x.ends_on BETWEEN m.first_day AND m.ref_day
    WHERE full_view GROUP BY m.pos
    UNION ALL
    SELECT 3, 'medianDevelopmentHours', 'hours', m.pos, NULL, NULL, c.category, NULL, NULL, NULL, NULL, NULL,
           count(pc.professional_id), count(pc.professional_id),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY pc.month_hours)::numeric
    FROM months m CROSS JOIN (VALUES ('formal_learning'), ('reflection'), ('informal_learning')) AS c (category)
    LEFT JOIN per_category pc ON pc.pos = m.pos AND pc.category = c.category
    WHERE full_view GROUP BY m.pos, c.category
    UNION ALL
    SELECT 4, 'onTrackShare', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(g.professional_id) FILTER (WHERE g.on_track), count(g.professional_id), NULL
    FROM months m LEFT JOIN progress g ON g.pos = m.pos
    WHERE full_view GROUP BY m.pos
    UNION ALL
    -- organisations serving the municipality (existing on the reference day), certified then
    SELECT 5, 'certifiedOrganisations', 'count', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(c.organisation_id), NULL, NULL
    FROM months m LEFT JOIN (serving o JOIN organisation_certification c ON c.organisation_id = o.id
                             AND c.status = 'valid') ON o.since <= m.ref_day AND c.from_on <= m.ref_day
                                                        AND m.ref_day < c.until_on
    GROUP BY m.pos
    UNION ALL
    SELECT 6, 'certifiedOrganisationsShare', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(c.organisation_id), count(o.id), NULL
    FROM months m LEFT JOIN serving o ON o.since <= m.ref_day
    LEFT JOIN organisation_certification c ON c.organisation_id = o.id AND c.status = 'valid'
      AND c.from_on <= m.ref_day AND m.ref_day < c.until_on
    GROUP BY m.pos
    UNION ALL
    -- audits of serving organisations: external and combined by their decision's day, granted or
    -- refused; intercollegial ones (never decided) by their outcome's audit day
    SELECT 7, 'audits', 'count', m.pos, NULL, NULL, NULL, k.kind, k.outcome, NULL, NULL, NULL,
           CASE WHEN k.kind = 'intercollegial' THEN
             (SELECT count(*) FROM audit_outcomes u JOIN audits a ON a.id = u.audit_id JOIN serving o ON o.id = a.organisation_id
              WHERE a.kind = k.kind AND u.audited_on BETWEEN m.first_day AND m.ref_day)
           ELSE
             (SELECT count(*) FROM audit_decisions x JOIN audits a ON a.id = x.audit_id JOIN serving o ON o.id = a.organisation_id
              WHERE a.kind = k.kind AND x.granted = (k.outcome = 'granted') AND x.decided_on BETWEEN m.first_day AND m.ref_day)
           END, NULL, NULL
    FROM months m CROSS JOIN (VALUES ('external', 'granted'), ('external', 'refused'), ('combined', 'granted'),
                                     ('combined', 'refused'), ('intercollegial', 'completed')) AS k (kind, outcome)
    UNION ALL
    -- listening sessions held in the month (held or reported)
    SELECT 8, 'listeningSessions', 'count', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           (SELECT count(*) FROM listening_sessions l WHERE (code IS NULL OR l.municipality_code = code)
              AND l.status IN ('held', 'reported') AND l.held_on BETWEEN m.first_day AND m.ref_day), NULL, NULL
    FROM months m
    UNION ALL
    -- their recommendations, and those with a response by now (any responder)
    SELECT 9, 'recommendationResponseShare', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(r.id) FILTER (WHERE EXISTS (SELECT 1 FROM recommendation_responses x WHERE x.recommendation_id = r.id)),
           count(r.id), NULL
    FROM months m LEFT JOIN (listening_sessions l JOIN recommendations r ON r.session_id = l.id)
      ON (code IS NULL OR l.municipality_code = code) AND l.status IN ('held', 'reported')
         AND l.held_on BETWEEN m.first_day AND m.ref_day
    GROUP BY m.pos
    UNION ALL
    -- per serving organisation (for one municipality only): professionals with a confirmed link
    -- running on the reference day, and of them those registered then
    SELECT 10, 'linkedRegisteredShare', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, o.id, o.kvk_number, o.name,
           count(DISTINCT e.professional_id) FILTER (WHERE r.status = 'registered'), count(DISTINCT e.professional_id),
           NULL
    FROM months m CROSS JOIN serving o
    LEFT JOIN employments e ON e.organisation_id = o.id AND e.confirmed_at IS NOT NULL
      AND e.state IN ('confirmed', 'ended') AND e.from_on <= m.ref_day AND (e.until_on IS NULL OR e.until_on >= m.ref_day)
    LEFT JOIN registration_statuses r ON r.professional_id = e.professional_id AND r.from_on <= m.ref_day
      AND m.ref_day < r.until_on
    WHERE code IS NOT NULL GROUP BY m.pos, o.id, o.kvk_number, o.name)
  SELECT f.rank, f.indicator, f.unit, f.pos, f.profile, f.status, f.category, f.kind, f.outcome, f.organisation_id,
         f.kvk_number, f.organisation_name, f.n, f.d,
         CASE f.unit
           WHEN 'count' THEN f.n::text
           WHEN 'share' THEN CASE WHEN f.d > 0 THEN round(f.n::numeric / f.d, 4)::text END
           ELSE round(f.median, 2)::text
         END
  FROM figures f
  ORDER BY f.rank, f.profile, array_position(ARRAY['all', 'registered', 'suspended', 'struck_off', 'expired',
           'deregistered'], f.status), f.kind, f.outcome, f.category, f.organisation_name, f.organisation_id, f.pos
  $$;
