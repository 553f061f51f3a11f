-- The programme monitor's monthly tables (issue 12). sql/0032 computed every figure live: one
-- municipality's 24 months took 0.3 s (10 activities a professional) to 2.2 s (50) at 50,000
-- professionals (nearly all of it each professional's progress in each month: their running
-- period's hours up to the reference day), the nation's one month 15 s. Now each answer is
-- built when what it depends on changes, in two layers, by background work (kr_monitor_refresh,
-- called by the monitor worker of every replica: src/monitor/refresh.h):
--   monitor_professional_months  what each professional is in each kept month (status, profile,
--       on track, the month's hours, periods ended and followed). A month is computed whole when
--       it enters the kept months and again when its reference day moves (the current month's
--       every day; a month's last day once it has ended); a professional again in every kept
--       month when their statuses, periods, profile or activities change (the writing statement
--       appends their id to monitor_changes).
--   monitor_municipality_months  per municipality and month, the figures over the professionals
--       tied to it then (counts by profile and status, re-registration, median hours, on track,
--       registered share per organisation), and the same over every professional under the code
--       'NL' (the nation). Computed again from the first layer for the municipalities a change
--       touches (monitor_municipality_changes): those of the organisations a recomputed
--       professional was ever linked to, of a link confirmed, ended or changed, of an
--       organisation whose municipalities changed, and every municipality (from that month) when
--       a month was computed; the nation after any of the first layer's changes, at most once
--       every `national_every` seconds (its 60 months are millions of rows).
-- A request (kr_monitor_indicators) reads its municipality's rows and computes the few
-- organisation and session figures live. Both change logs are append-only: a writer never waits
-- for the refresh. One replica refreshes at a time (an advisory lock; the others try later), so
-- no row is written by two transactions at once. An answer says up to when it is complete:
-- every change committed before `as_of` is in it (the oldest change not yet taken).

-- The months kept, each with the reference day its rows hold (NULL: not computed yet).
CREATE TABLE monitor_months (
  month       date PRIMARY KEY CHECK (extract(day FROM month) = 1),
  ref_day     date CHECK (ref_day >= month AND ref_day < month + interval '1 month'),
  computed_at timestamptz
);

-- Each professional with a register status (not only applied or rejected) on a kept month's
-- reference day: that status and profile; when registered, whether on track then and the hours
-- of completed activities of each category completed in the month (up to the reference day,
-- inside the running period); the periods that ended in the month and those followed by another.
CREATE TABLE monitor_professional_months (
  month            date NOT NULL REFERENCES monitor_months (month) ON DELETE CASCADE,
  professional_id  uuid NOT NULL,
  profile          text NOT NULL,
  status           text NOT NULL,
  on_track         boolean,
  formal_hours     numeric,
  reflection_hours numeric,
  informal_hours   numeric,
  periods_ended    smallint NOT NULL,
  periods_followed smallint NOT NULL,
  -- a municipality's refresh reads each professional's months together, from the index alone
  PRIMARY KEY (professional_id, month) INCLUDE (profile, status, on_track, formal_hours, reflection_hours,
                                                informal_hours, periods_ended, periods_followed)
);
CREATE INDEX monitor_professional_months_month ON monitor_professional_months (month);

-- Per municipality and kept month, the figures over the professionals tied to it on the month's
-- reference day (ref_day, as the month was when these rows were computed). rank as in
-- kr_monitor_indicators: 0 the month computed (every month has one), 1 registered professionals (profile, status; `all` the five together),
-- 2 re-registration (n followed of d ended), 3 median hours (category; median over d), 4 on track
-- (n of d registered), 10 registered share (organisation; n registered of d linked). Counts that
-- are 0 have no row.
CREATE TABLE monitor_municipality_months (
  code            text NOT NULL,
  month           date NOT NULL,
  ref_day         date NOT NULL,
  rank            smallint NOT NULL,
  profile         text,
  status          text,
  category        text,
  organisation_id uuid,
  n               bigint NOT NULL,
  d               bigint,
  median          double precision
);
CREATE INDEX monitor_municipality_months_code ON monitor_municipality_months (code, month);
-- The organisations serving a municipality, for its indicators and its refresh.
CREATE INDEX organisations_municipalities ON organisations USING gin (municipality_codes);

-- When the nation's figures were last computed (one row).
CREATE TABLE monitor_national (
  one         boolean PRIMARY KEY DEFAULT true CHECK (one),
  computed_at timestamptz NOT NULL
);
INSERT INTO monitor_national (computed_at) VALUES ('-infinity');

-- Professionals to compute again, appended by the statements that change what their rows hold.
CREATE TABLE monitor_changes (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  professional_id uuid NOT NULL,
  changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX monitor_changes_at ON monitor_changes (changed_at);

-- Municipalities ('NL': the nation) to compute again from from_month (NULL: every kept month).
CREATE TABLE monitor_municipality_changes (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code       text NOT NULL,
  from_month date,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX monitor_municipality_changes_code ON monitor_municipality_changes (code, changed_at);

-- The statement triggers: the changed rows' professionals (statuses, periods, activities), or the
-- municipalities of the organisations of changed confirmed links. A notification wakes the
-- monitor workers (at most one per transaction reaches them).
CREATE FUNCTION kr_monitor_changed() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      INSERT INTO monitor_changes (professional_id) SELECT DISTINCT professional_id FROM new_rows;
    END IF;
    IF TG_OP = 'DELETE' THEN
      INSERT INTO monitor_changes (professional_id) SELECT DISTINCT professional_id FROM old_rows;
    ELSIF TG_OP = 'UPDATE' THEN
      INSERT INTO monitor_changes (professional_id)
        SELECT DISTINCT professional_id FROM old_rows EXCEPT SELECT professional_id FROM new_rows;
    END IF;
    PERFORM pg_notify('kr_monitor', '');
    RETURN NULL;
  END $$;


CREATE FUNCTION kr_monitor_profile_changed() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO monitor_changes (professional_id) VALUES (NEW.id);
    PERFORM pg_notify('kr_monitor', '');
    RETURN NULL;
  END $$;
CREATE TRIGGER monitor_profile_changed AFTER UPDATE OF profile ON professionals
  FOR EACH ROW WHEN (OLD.profile IS DISTINCT FROM NEW.profile) EXECUTE FUNCTION kr_monitor_profile_changed();

CREATE FUNCTION kr_monitor_links_changed() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
      INSERT INTO monitor_municipality_changes (code)
        SELECT DISTINCT c FROM (SELECT DISTINCT organisation_id FROM new_rows WHERE confirmed_at IS NOT NULL) r
        JOIN organisations o ON o.id = r.organisation_id CROSS JOIN unnest(o.municipality_codes) c;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
      INSERT INTO monitor_municipality_changes (code)
        SELECT DISTINCT c FROM (SELECT DISTINCT organisation_id FROM old_rows WHERE confirmed_at IS NOT NULL) r
        JOIN organisations o ON o.id = r.organisation_id CROSS JOIN unnest(o.municipality_codes) c;
    END IF;
    PERFORM pg_notify('kr_monitor', '');
    RETURN NULL;
  END $$;

-- The statement triggers of both, on every insert, update and delete, with the rows it changed.
DO $$
  DECLARE
    t record;
  BEGIN
    FOR t IN SELECT * FROM (VALUES ('development_activities', 'activities', 'kr_monitor_changed'),
                                   ('registration_periods', 'periods', 'kr_monitor_changed'),
                                   ('registration_statuses', 'statuses', 'kr_monitor_changed'),
                                   ('employments', 'links', 'kr_monitor_links_changed')) AS v (tab, name, fn) LOOP
      EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                     ' FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'monitor_' || t.name || '_inserted', t.tab, t.fn);
      EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                     ' FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'monitor_' || t.name || '_updated', t.tab, t.fn);
      EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                     ' FOR EACH STATEMENT EXECUTE FUNCTION %I()', 'monitor_' || t.name || '_deleted', t.tab, t.fn);
    END LOOP;
  END $$;

CREATE FUNCTION kr_monitor_served_changed() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
  BEGIN
    INSERT INTO monitor_municipality_changes (code)
      SELECT DISTINCT c FROM unnest(OLD.municipality_codes || NEW.municipality_codes) c;
    PERFORM pg_notify('kr_monitor', '');
    RETURN NULL;
  END $$;
CREATE TRIGGER monitor_served_changed AFTER UPDATE OF municipality_codes ON organisations
  FOR EACH ROW WHEN (OLD.municipality_codes IS DISTINCT FROM NEW.municipality_codes)
  EXECUTE FUNCTION kr_monitor_served_changed();

-- The professionals' activities by the day they were completed, for the hours of a period.
CREATE INDEX development_activities_completed ON development_activities (professional_id, completed_on)
  INCLUDE (type, hours) WHERE status = 'completed';

-- What every professional of `ids` (NULL: everyone) is in the month beginning `first_day`, on its
-- reference day `ref`: the rows of monitor_professional_months. On track is register_on_track
-- (register/rules.h): every category's credited hours (capped) and their total at least its
-- minimum in proportion to the whole years of the period passed on the day (none in its first
-- year), the period's requirements frozen when it started.
CREATE FUNCTION kr_monitor_facts(first_day date, ref date, ids uuid[])
  RETURNS TABLE (professional_id uuid, profile text, status text, on_track boolean, formal_hours numeric,
                 reflection_hours numeric, informal_hours numeric, periods_ended smallint, periods_followed smallint)
  LANGUAGE sql STABLE
  AS $$
  WITH st AS (
    SELECT r.professional_id, r.status FROM registration_statuses r
    WHERE r.from_on <= ref AND ref < r.until_on AND r.status NOT IN ('applied', 'rejected')
      AND (ids IS NULL OR r.professional_id = ANY (ids))),
  reg AS (
    SELECT DISTINCT ON (y.professional_id) y.professional_id, y.starts_on, y.requirements,
           greatest(1, kr_whole_years(y.starts_on, y.ends_on + 1)) AS years,
           least(greatest(1, kr_whole_years(y.starts_on, y.ends_on + 1)), kr_whole_years(y.starts_on, ref)) AS passed
    FROM st JOIN registration_periods y ON y.professional_id = st.professional_id AND y.starts_on <= ref
      AND ref <= y.ends_on
    WHERE st.status = 'registered'
    ORDER BY y.professional_id, y.number DESC),
  -- each period's requirements read once per distinct value (a handful: one per profile and version)
  req AS (
    SELECT q.requirements, c.category, coalesce((j.rule->>'minimumHours')::numeric, 0) AS minimum,
           (j.rule->>'capHours')::numeric AS cap, coalesce((q.requirements->>'totalHours')::numeric, 0) AS total
    FROM (SELECT DISTINCT requirements FROM reg) q
    CROSS JOIN (VALUES ('formal_learning'), ('reflection'), ('informal_learning')) AS c (category)
    LEFT JOIN LATERAL (SELECT e AS rule FROM jsonb_array_elements(q.requirements->'categories') e
                       WHERE e->>'category' = c.category LIMIT 1) j ON true),
  hours AS (
    SELECT g.professional_id, t.category, sum(a.hours) FILTER (WHERE a.completed_on >= first_day) AS month_hours,
           sum(a.hours) AS period_hours
    FROM reg g
    JOIN development_activities a ON a.professional_id = g.professional_id AND a.status = 'completed'
      AND a.completed_on BETWEEN g.starts_on AND ref
    JOIN activity_types t ON t.type = a.type
    GROUP BY g.professional_id, t.category),
  progress AS (
    SELECT g.professional_id,
           bool_and(least(coalesce(h.period_hours, 0), coalesce(q.cap, 'Infinity')) * g.years >= q.minimum * g.passed)
             AND sum(least(coalesce(h.period_hours, 0), coalesce(q.cap, 'Infinity'))) * min(g.years)
                 >= min(q.total) * min(g.passed) AS on_track,
           coalesce(sum(h.month_hours) FILTER (WHERE q.category = 'formal_learning'), 0) AS formal,
           coalesce(sum(h.month_hours) FILTER (WHERE q.category = 'reflection'), 0) AS reflection,
           coalesce(sum(h.month_hours) FILTER (WHERE q.category = 'informal_learning'), 0) AS informal
    FROM reg g JOIN req q ON q.requirements = g.requirements
    LEFT JOIN hours h ON h.professional_id = g.professional_id AND h.category = q.category
    GROUP BY g.professional_id),
  ended AS (
    SELECT y.professional_id, count(*) AS ended,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registration_periods z
                                          WHERE z.professional_id = y.professional_id AND z.number = y.number + 1)) AS followed
    FROM registration_periods y
    WHERE y.ends_on BETWEEN first_day AND ref AND (ids IS NULL OR y.professional_id = ANY (ids))
    GROUP BY y.professional_id)
  SELECT st.professional_id, p.profile, st.status, g.on_track, g.formal, g.reflection, g.informal,
         coalesce(e.ended, 0)::smallint, coalesce(e.followed, 0)::smallint
  FROM st JOIN professionals p ON p.id = st.professional_id
  LEFT JOIN progress g ON g.professional_id = st.professional_id
  LEFT JOIN ended e ON e.professional_id = st.professional_id
  $$;

-- The rows of monitor_municipality_months of municipality `muni` ('NL': the nation, every
-- professional) for the computed kept months from `first_month` on. Professionals are tied to a
-- municipality on a month's reference day through the organisations that employ them: a
-- confirmed link (confirmed, or confirmed and ended since) running that day with an organisation
-- whose municipality_codes name it.
CREATE FUNCTION kr_monitor_municipality_figures(muni text, first_month date)
  RETURNS TABLE (month date, ref_day date, rank smallint, profile text, status text, category text,
                 organisation_id uuid, n bigint, d bigint, median double precision)
  LANGUAGE sql STABLE
  AS $$
  WITH months AS (
    SELECT m.month, m.ref_day FROM monitor_months m WHERE m.month >= first_month AND m.ref_day IS NOT NULL),
  links AS (
    SELECT DISTINCT m.month, m.ref_day, e.organisation_id, e.professional_id FROM months m
    JOIN employments e ON e.confirmed_at IS NOT NULL AND e.state IN ('confirmed', 'ended')
      AND e.from_on <= m.ref_day AND (e.until_on IS NULL OR e.until_on >= m.ref_day)
    JOIN organisations o ON o.id = e.organisation_id AND o.municipality_codes @> ARRAY[muni]),
  facts AS (
    SELECT f.*, s.ref_day FROM (SELECT DISTINCT l.month, l.ref_day, l.professional_id FROM links l) s
    JOIN monitor_professional_months f ON f.professional_id = s.professional_id AND f.month = s.month
    UNION ALL
    SELECT f.*, m.ref_day FROM months m JOIN monitor_professional_months f ON f.month = m.month WHERE muni = 'NL')
  -- every month computed has a row (rank 0), figures or none
  SELECT m.month, m.ref_day, 0::smallint, NULL, NULL, NULL, NULL::uuid, 0::bigint, NULL::bigint, NULL::double precision
  FROM months m
  UNION ALL
  SELECT f.month, min(f.ref_day), 1, f.profile, coalesce(f.status, 'all'), NULL, NULL, count(*), NULL, NULL
  FROM facts f GROUP BY GROUPING SETS ((f.month, f.profile, f.status), (f.month, f.profile))
  UNION ALL
  SELECT f.month, min(f.ref_day), 2, NULL, NULL, NULL, NULL, sum(f.periods_followed), sum(f.periods_ended), NULL
  FROM facts f GROUP BY f.month HAVING sum(f.periods_ended) > 0
  UNION ALL
  SELECT f.month, min(f.ref_day), 3, NULL, NULL, x.category, NULL, count(*), count(*),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY x.hours)
  FROM facts f CROSS JOIN LATERAL (VALUES ('formal_learning', f.formal_hours), ('reflection', f.reflection_hours),
                                          ('informal_learning', f.informal_hours)) AS x (category, hours)
  WHERE f.status = 'registered' GROUP BY f.month, x.category
  UNION ALL
  SELECT f.month, min(f.ref_day), 4, NULL, NULL, NULL, NULL, count(*) FILTER (WHERE f.on_track), count(*), NULL
  FROM facts f WHERE f.status = 'registered' GROUP BY f.month
  UNION ALL
  SELECT l.month, min(l.ref_day), 10, NULL, NULL, NULL, l.organisation_id,
         count(*) FILTER (WHERE f.status = 'registered'), count(*), NULL
  FROM links l LEFT JOIN facts f ON f.month = l.month AND f.professional_id = l.professional_id
  GROUP BY l.month, l.organisation_id
  $$;

-- One step of the refresh, in the caller's transaction: '' when nothing waits (or only the
-- nation, computed less than `national_every` seconds ago), 'busy' when another replica
-- refreshes now, else what it did. Keeps the `kept` months up to today's; then the first of: the
-- professionals of up to `batch` changes, in every computed month; the newest month whose
-- reference day is not the one it should hold (the current month's moves every day); up to
-- `batch` / 50 municipalities with changes, from the earliest month they name.
CREATE FUNCTION kr_monitor_refresh(today date, kept integer, batch integer, national_every integer) RETURNS text
  LANGUAGE plpgsql
  SET work_mem = '64MB' -- a month's aggregates over 50,000 professionals stay in memory
  SET jit = off         -- compiling took longer than it saved: a month 6.9 s with it, 4.5 s without
  AS $$
  DECLARE
    this_month constant date := date_trunc('month', today)::date;
    oldest constant date := (date_trunc('month', today) - make_interval(months => kept - 1))::date;
    ids uuid[];
    codes text[];
    froms date[];
    due record;
  BEGIN
    IF NOT pg_try_advisory_xact_lock(7335001) THEN
      RETURN 'busy';
    END IF;
    INSERT INTO monitor_months (month)
      SELECT (this_month - make_interval(months => g))::date FROM generate_series(0, kept - 1) g
      ON CONFLICT DO NOTHING;
    DELETE FROM monitor_months WHERE month < oldest;
    IF FOUND THEN -- a month left the kept ones (its professionals' rows went with it)
      DELETE FROM monitor_municipality_months WHERE month < oldest;
    END IF;

    -- Deleted first, computed after: each statement sees at least what the deleted rows announced.
    WITH taken AS (
      DELETE FROM monitor_changes WHERE id IN (SELECT id FROM monitor_changes ORDER BY id LIMIT batch)
      RETURNING professional_id)
    SELECT array_agg(DISTINCT professional_id) INTO ids FROM taken;
    IF ids IS NOT NULL THEN
      DELETE FROM monitor_professional_months f USING monitor_months m
        WHERE f.month = m.month AND m.ref_day IS NOT NULL AND f.professional_id = ANY (ids);
      INSERT INTO monitor_professional_months
        SELECT m.month, x.* FROM monitor_months m CROSS JOIN LATERAL kr_monitor_facts(m.month, m.ref_day, ids) x
        WHERE m.ref_day IS NOT NULL;
      INSERT INTO monitor_municipality_changes (code)
        SELECT DISTINCT c FROM employments e JOIN organisations o ON o.id = e.organisation_id
        CROSS JOIN unnest(o.municipality_codes) c
        WHERE e.professional_id = ANY (ids) AND e.confirmed_at IS NOT NULL
        UNION SELECT 'NL';
      RETURN 'professionals ' || cardinality(ids);
    END IF;

    SELECT m.month, least((m.month + interval '1 month')::date - 1, today) AS ref INTO due FROM monitor_months m
      WHERE m.ref_day IS DISTINCT FROM least((m.month + interval '1 month')::date - 1, today)
      ORDER BY m.month DESC LIMIT 1;
    IF FOUND THEN
      DELETE FROM monitor_professional_months WHERE month = due.month;
      INSERT INTO monitor_professional_months SELECT due.month, x.* FROM kr_monitor_facts(due.month, due.ref, NULL) x;
      UPDATE monitor_months SET ref_day = due.ref, computed_at = now() WHERE month = due.month;
      INSERT INTO monitor_municipality_changes (code, from_month)
        SELECT DISTINCT c, due.month FROM organisations o CROSS JOIN unnest(o.municipality_codes) c
        UNION SELECT 'NL', due.month;
      RETURN 'month ' || due.month;
    END IF;

    WITH chosen AS (
      SELECT c.code FROM monitor_municipality_changes c
      WHERE c.code <> 'NL' OR (SELECT n.computed_at FROM monitor_national n) <= now() - make_interval(secs => national_every)
      GROUP BY c.code ORDER BY min(c.id)
      LIMIT greatest(1, batch / 50)),
    taken AS (
      DELETE FROM monitor_municipality_changes c USING chosen WHERE c.code = chosen.code
      RETURNING c.code, c.from_month)
    SELECT array_agg(t.code), array_agg(t.from_month) INTO codes, froms
      FROM (SELECT code, min(greatest(coalesce(from_month, oldest), oldest)) AS from_month FROM taken GROUP BY code) t;
    IF codes IS NOT NULL THEN
      FOR i IN 1 .. cardinality(codes) LOOP
        DELETE FROM monitor_municipality_months WHERE code = codes[i] AND month >= froms[i];
        INSERT INTO monitor_municipality_months
          SELECT codes[i], x.* FROM kr_monitor_municipality_figures(codes[i], froms[i]) x;
        IF codes[i] = 'NL' THEN
          UPDATE monitor_national SET computed_at = now();
        END IF;
      END LOOP;
      RETURN 'municipalities ' || cardinality(codes);
    END IF;
    RETURN '';
  END $$;

-- Every figure of `month_count` months from `first_month` (a first day) for municipality `muni`,
-- or for the nation (`nationwide`, without the figures per organisation);
-- `full_view` adds the figures that are not public (muni, not `code`: register_profiles has a
-- column of that name). One row per series and month, in the order
-- the answer lists them (as kr_indicators did, which this replaces): rank orders the indicators,
-- the label columns the series, pos the months. ref_day is the reference day of the month's
-- figures (NULL: not computed yet); as_of the time before which every change is in them.
--   unit 'count': n is the figure; 'share': n of d (value = n / d, 4 decimals);
--   'hours': value is the median over d professionals (2 decimals).
CREATE FUNCTION kr_monitor_indicators_of(muni text, nationwide boolean, first_month date, month_count integer,
                                         full_view boolean)
  RETURNS TABLE (rank integer, indicator text, unit text, pos integer, profile text, status text, category text,
                 kind text, outcome text, organisation_id uuid, kvk_number text, organisation_name text,
                 n bigint, d bigint, value text, ref_day date, as_of timestamptz)
  LANGUAGE sql STABLE
  AS $$
  WITH pending AS (
    SELECT least((SELECT min(c.changed_at) FROM monitor_changes c),
                 (SELECT min(c.changed_at) FROM monitor_municipality_changes c
                  WHERE c.code = coalesce(muni, 'NL'))) AS since),
  stored AS (
    SELECT x.* FROM monitor_municipality_months x WHERE x.code = coalesce(muni, 'NL') AND x.month >= first_month
      AND x.month < first_month + make_interval(months => month_count)),
  -- a month's reference day: its figures' (a month never computed for this code: the month's,
  -- unless changes wait for the code)
  months AS (
    SELECT g.pos, g.first_day,
           coalesce(sd.ref_day, CASE WHEN NOT EXISTS (SELECT 1 FROM monitor_municipality_changes c
                                                      WHERE c.code = coalesce(muni, 'NL'))
                                     THEN mm.ref_day END) AS ref_day
    FROM (SELECT p, (first_month + make_interval(months => p))::date FROM generate_series(0, month_count - 1) p)
      AS g (pos, first_day)
    LEFT JOIN monitor_months mm ON mm.month = g.first_day
    LEFT JOIN stored sd ON sd.rank = 0 AND sd.month = g.first_day),
  -- (each of the two below a branch for a municipality, found by index, and one for the nation:
  -- a plan made once for both must not read every row for a municipality)
  serving AS (
    SELECT o.id, o.name, o.kvk_number, (o.created_at AT TIME ZONE 'Europe/Amsterdam')::date AS since
    FROM organisations o WHERE o.municipality_codes @> ARRAY[muni]
    UNION ALL
    SELECT o.id, o.name, o.kvk_number, (o.created_at AT TIME ZONE 'Europe/Amsterdam')::date
    FROM organisations o WHERE nationwide),
  sessions AS (
    SELECT l.id, l.held_on FROM listening_sessions l
    WHERE l.municipality_code = muni AND l.status IN ('held', 'reported')
    UNION ALL
    SELECT l.id, l.held_on FROM listening_sessions l WHERE nationwide AND l.status IN ('held', 'reported')),
  register_statuses AS (
    SELECT * FROM (VALUES ('all'), ('registered'), ('suspended'), ('struck_off'), ('expired'), ('deregistered'))
      AS v (status)),
  -- per month: the serving organisations whose certification is valid on the reference day (n), of
  -- those existing then (d)
  certified AS (
    SELECT m.pos, count(c.organisation_id) AS n, count(o.id) AS d
    FROM months m LEFT JOIN serving o ON o.since <= m.ref_day
    LEFT JOIN organisation_certification c ON c.organisation_id = o.id AND c.status = 'valid'
      AND c.from_on <= m.ref_day AND m.ref_day < c.until_on
    GROUP BY m.pos),
  figures AS (
    -- registered professionals by profile and status ('all': the five together)
    SELECT 1 AS rank, 'registeredProfessionals' AS indicator, 'count' AS unit, m.pos, rp.code AS profile,
           v.status, NULL::text AS category, NULL::text AS kind, NULL::text AS outcome, NULL::uuid AS organisation_id,
           NULL::text AS kvk_number, NULL::text AS organisation_name,
           coalesce(s.n, 0) AS n, NULL::bigint AS d, NULL::double precision AS median
    FROM months m CROSS JOIN register_profiles rp CROSS JOIN register_statuses v
    LEFT JOIN stored s ON s.rank = 1 AND s.month = m.first_day AND s.profile = rp.code AND s.status = v.status
    UNION ALL
    -- re-registration (periods ending in the month up to the reference day, followed by another)
    -- and on track (of the registered)
    SELECT k.rank, k.indicator, 'share', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           coalesce(s.n, 0), coalesce(s.d, 0), NULL
    FROM months m CROSS JOIN (VALUES (2, 'reregistrationRate'), (4, 'onTrackShare')) AS k (rank, indicator)
    LEFT JOIN stored s ON s.rank = k.rank AND s.month = m.first_day
    WHERE full_view
    UNION ALL
    SELECT 3, 'medianDevelopmentHours', 'hours', m.pos, NULL, NULL, c.category, NULL, NULL, NULL, NULL, NULL,
           coalesce(s.n, 0), coalesce(s.d, 0), s.median
    FROM months m CROSS JOIN (VALUES ('formal_learning'), ('reflection'), ('informal_learning')) AS c (category)
    LEFT JOIN stored s ON s.rank = 3 AND s.month = m.first_day AND s.category = c.category
    WHERE full_view
    UNION ALL
    -- organisations serving the municipality (existing on the reference day), certified then
    SELECT 5, 'certifiedOrganisations', 'count', c.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.n, NULL, NULL
    FROM certified c
    UNION ALL
    SELECT 6, 'certifiedOrganisationsShare', 'share', c.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c.n, c.d, NULL
    FROM certified c
    UNION ALL
    -- audits of serving organisations: external and combined by their decision's day, granted or
    -- refused; intercollegial ones (never decided) by their outcome's audit day
    SELECT 7, 'audits', 'count', m.pos, NULL, NULL, NULL, k.kind, k.outcome, NULL, NULL, NULL,
           count(x.audit_id), NULL, NULL
    FROM months m CROSS JOIN (VALUES ('external', 'granted'), ('external', 'refused'), ('combined', 'granted'),
                                     ('combined', 'refused'), ('intercollegial', 'completed')) AS k (kind, outcome)
    LEFT JOIN (SELECT a.kind, CASE WHEN x.granted THEN 'granted' ELSE 'refused' END AS outcome, x.audit_id,
                      x.decided_on AS day
               FROM serving o JOIN audits a ON a.organisation_id = o.id JOIN audit_decisions x ON x.audit_id = a.id
               WHERE a.kind <> 'intercollegial'
               UNION ALL
               SELECT a.kind, 'completed', u.audit_id, u.audited_on
               FROM serving o JOIN audits a ON a.organisation_id = o.id AND a.kind = 'intercollegial'
               JOIN audit_outcomes u ON u.audit_id = a.id) x
      ON x.kind = k.kind AND x.outcome = k.outcome AND x.day BETWEEN m.first_day AND m.ref_day
    GROUP BY m.pos, k.kind, k.outcome
    UNION ALL
    -- listening sessions held in the month (held or reported)
    SELECT 8, 'listeningSessions', 'count', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(l.id), NULL, NULL
    FROM months m LEFT JOIN sessions l ON l.held_on BETWEEN m.first_day AND m.ref_day
    GROUP BY m.pos
    UNION ALL
    -- their recommendations, and those with a response by now (any responder)
    SELECT 9, 'recommendationResponseShare', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           count(r.id) FILTER (WHERE x.answered), count(r.id), NULL
    FROM months m LEFT JOIN (sessions l JOIN recommendations r ON r.session_id = l.id)
      ON l.held_on BETWEEN m.first_day AND m.ref_day
    -- (probed per recommendation: a plan for any municipality must not read every response)
    LEFT JOIN LATERAL (SELECT true AS answered FROM recommendation_responses x WHERE x.recommendation_id = r.id
                       LIMIT 1) x ON true
    GROUP BY m.pos
    UNION ALL
    -- per serving organisation: professionals with a confirmed link running on the reference
    -- day, and of them those registered then
    SELECT 10, 'linkedRegisteredShare', 'share', m.pos, NULL, NULL, NULL, NULL, NULL, o.id, o.kvk_number, o.name,
           coalesce(s.n, 0), coalesce(s.d, 0), NULL
    FROM months m CROSS JOIN serving o
    LEFT JOIN stored s ON s.rank = 10 AND s.month = m.first_day AND s.organisation_id = o.id
    WHERE NOT nationwide)
  SELECT f.rank, f.indicator, f.unit, f.pos, f.profile, f.status, f.category, f.kind, f.outcome, f.organisation_id,
         f.kvk_number, f.organisation_name, f.n, f.d,
         CASE f.unit
           WHEN 'count' THEN f.n::text
           WHEN 'share' THEN CASE WHEN f.d > 0 THEN round(f.n::numeric / f.d, 4)::text END
           ELSE round(f.median::numeric, 2)::text
         END,
         m.ref_day, coalesce((SELECT p.since FROM pending p), now())
  FROM figures f JOIN months m ON m.pos = f.pos
  ORDER BY f.rank, f.profile, array_position(ARRAY['all', 'registered', 'suspended', 'struck_off', 'expired',
           'deregistered'], f.status), f.kind, f.outcome, f.category, f.organisation_name, f.organisation_id, f.pos
  $$;


-- kr_monitor_indicators_of for municipality `muni`, or the nation when it is NULL. Each branch is
-- a statement planned once a connection with its `nationwide` a constant, so that a municipality's
-- plan never counts on the nation's rows (when one plan served both, a municipality took 12 to
-- 27 ms instead of 6).
CREATE FUNCTION kr_monitor_indicators(muni text, first_month date, month_count integer, full_view boolean)
  RETURNS TABLE (rank integer, indicator text, unit text, pos integer, profile text, status text, category text,
                 kind text, outcome text, organisation_id uuid, kvk_number text, organisation_name text,
                 n bigint, d bigint, value text, ref_day date, as_of timestamptz)
  LANGUAGE plpgsql STABLE
  -- planned once a connection: a plan made for each call took 3.4 ms of its 11 at 50,000
  -- professionals, and no parameter changes which plan is best
  SET plan_cache_mode = force_generic_plan
  -- a generic plan's estimates can pass jit_above_cost, and compiling took 1.8 s of a 2 s call
  SET jit = off
  AS $$
  BEGIN
    IF muni IS NULL THEN
      RETURN QUERY SELECT * FROM kr_monitor_indicators_of(NULL, true, first_month, month_count, full_view);
    ELSE
      RETURN QUERY SELECT * FROM kr_monitor_indicators_of(muni, false, first_month, month_count, full_view);
    END IF;
  END $$;

DROP FUNCTION kr_indicators(text, date, integer, date, boolean);
