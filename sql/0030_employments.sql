-- Employer links (issue 12): a professional links their registration to an organisation that
-- employs them, the organisation confirms (or declines), and either side ends it. Consent is
-- explicit and revocable: nothing about a professional reaches an organisation without a
-- confirmed link, and a link that was declined or ended shows it nothing any more
-- (src/register/employments.h says who sees what).
--
-- States: proposed (by the professional, or the register office for them) -> confirmed or
-- declined (by the organisation, or the office) ; proposed or confirmed -> ended (by either side,
-- or the office). Declined and ended are final: a new proposal makes a new link.

CREATE TABLE employments (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  professional_id uuid NOT NULL REFERENCES professionals (id),
  organisation_id uuid NOT NULL REFERENCES organisations (id),
  -- the first and (optional) last day of the employment, inclusive
  from_on         date NOT NULL CHECK (from_on BETWEEN date '1900-01-01' AND date '9999-12-31'),
  until_on        date CHECK (until_on >= from_on AND until_on <= date '9999-12-31'),
  state           text NOT NULL DEFAULT 'proposed'
                  CHECK (state IN ('proposed', 'confirmed', 'declined', 'ended')),
  proposed_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  proposed_by     uuid NOT NULL REFERENCES accounts (id),
  confirmed_at    timestamptz,
  confirmed_by    uuid REFERENCES accounts (id),
  declined_at     timestamptz,
  declined_by     uuid REFERENCES accounts (id),
  ended_at        timestamptz,
  ended_by        uuid REFERENCES accounts (id),
  -- which side ended it (the office counts as its own side)
  ended_by_party  text CHECK (ended_by_party IN ('professional', 'organisation', 'admin')),
  CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL)),
  CHECK ((declined_at IS NULL) = (declined_by IS NULL)),
  CHECK ((ended_at IS NULL) = (ended_by IS NULL) AND (ended_at IS NULL) = (ended_by_party IS NULL)),
  CHECK (state <> 'proposed' OR (confirmed_at IS NULL AND declined_at IS NULL AND ended_at IS NULL)),
  CHECK (state <> 'confirmed' OR (confirmed_at IS NOT NULL AND declined_at IS NULL AND ended_at IS NULL)),
  CHECK (state <> 'declined' OR (declined_at IS NOT NULL AND confirmed_at IS NULL AND ended_at IS NULL)),
  -- an ended link was confirmed first, or withdrawn while proposed
  CHECK (state <> 'ended' OR (ended_at IS NOT NULL AND declined_at IS NULL))
);

-- One proposed-or-confirmed link per professional and organisation at a time.
CREATE UNIQUE INDEX employments_open ON employments (professional_id, organisation_id)
  WHERE state IN ('proposed', 'confirmed');
-- The professional's list, in the order they were proposed.
CREATE INDEX employments_professional_page ON employments (professional_id, kr_sort_key(proposed_at), id);
-- What an organisation reads: its proposed and confirmed links (its list, its professionals and
-- the public counts), walked in order without visiting the links it may no longer see.
CREATE INDEX employments_organisation_page ON employments (organisation_id, kr_sort_key(proposed_at), id)
  INCLUDE (state, from_on, until_on, professional_id) WHERE state IN ('proposed', 'confirmed');

-- A link as every party sees it: the professional as the organisation recognises them (name and
-- registration number, never contact data or the professional's id) and the organisation as the
-- professional recognises it. A SQL function without subqueries, so a page inlines it.
CREATE FUNCTION kr_employment_object(e employments, p professionals, o organisations) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT json_build_object('id', e.id,
          'professional', json_build_object('registrationNumber', p.registration_number,
                                            'givenName', p.given_name, 'familyName', p.family_name),
          'organisation', json_build_object('id', o.id, 'name', o.name, 'kvkNumber', o.kvk_number),
          'from', e.from_on, 'until', e.until_on, 'state', e.state,
          'proposedAt', kr_utc(e.proposed_at), 'confirmedAt', kr_utc(e.confirmed_at),
          'declinedAt', kr_utc(e.declined_at), 'endedAt', kr_utc(e.ended_at), 'endedBy', e.ended_by_party) $$;

CREATE FUNCTION kr_employment_json(e employments) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT kr_employment_object(e, p, o) FROM professionals p, organisations o
            WHERE p.id = e.professional_id AND o.id = e.organisation_id);
  END $$;

-- A proposal by professional `pro` to organisation `org` for [first_day, last_day] (last_day may
-- be NULL), on `today`, by account `actor`. Decides after locking the professional's row, so two
-- proposals of one professional never race: 'not_found' (no such professional),
-- 'unknown_organisation', 'too_late' (first_day more than a year after today), 'conflict' (a
-- proposed or confirmed link with that organisation exists: it is answered) or 'created'.
-- (Parameter names differ from every column of the tables read: in PL/pgSQL they would clash.)
CREATE FUNCTION kr_employment_propose(pro uuid, org uuid, first_day date, last_day date, today date, actor uuid)
  RETURNS TABLE (outcome text, employment_json json, employment_id uuid)
  LANGUAGE plpgsql AS $$
  DECLARE
    e employments;
  BEGIN
    PERFORM 1 FROM professionals p WHERE p.id = pro FOR NO KEY UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::json, NULL::uuid;
      RETURN;
    END IF;
    PERFORM 1 FROM organisations o WHERE o.id = org;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'unknown_organisation'::text, NULL::json, NULL::uuid;
      RETURN;
    END IF;
    IF first_day > (today + interval '1 year')::date THEN
      RETURN QUERY SELECT 'too_late'::text, NULL::json, NULL::uuid;
      RETURN;
    END IF;
    SELECT * INTO e FROM employments x
      WHERE x.professional_id = pro AND x.organisation_id = org AND x.state IN ('proposed', 'confirmed');
    IF FOUND THEN
      RETURN QUERY SELECT 'conflict'::text, kr_employment_json(e), e.id;
      RETURN;
    END IF;
    INSERT INTO employments (professional_id, organisation_id, from_on, until_on, proposed_by)
      VALUES (pro, org, first_day, last_day, actor) RETURNING * INTO e;
    RETURN QUERY SELECT 'created'::text, kr_employment_json(e), e.id;
  END $$;

-- The organisation's answer to link `link` (of organisation `org`): confirmed (confirm) or
-- declined, by account `actor`. Decides on the row read after its lock: 'not_found' (no such
-- link of that organisation), 'conflict' (not proposed any more: it is answered) or 'changed'.
CREATE FUNCTION kr_employment_decide(link uuid, org uuid, confirm boolean, actor uuid)
  RETURNS TABLE (outcome text, employment_json json)
  LANGUAGE plpgsql AS $$
  DECLARE
    e employments;
  BEGIN
    SELECT * INTO e FROM employments x WHERE x.id = link FOR UPDATE;
    IF NOT FOUND OR e.organisation_id <> org THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::json;
      RETURN;
    END IF;
    IF e.state <> 'proposed' THEN
      RETURN QUERY SELECT 'conflict'::text, kr_employment_json(e);
      RETURN;
    END IF;
    IF confirm THEN
      UPDATE employments x SET state = 'confirmed', confirmed_at = clock_timestamp(), confirmed_by = actor
        WHERE x.id = link RETURNING * INTO e;
    ELSE
      UPDATE employments x SET state = 'declined', declined_at = clock_timestamp(), declined_by = actor
        WHERE x.id = link RETURNING * INTO e;
    END IF;
    RETURN QUERY SELECT 'changed'::text, kr_employment_json(e);
  END $$;

-- Ends link `link` on `last_day` (NULL: today, but never before the link's first day nor after its
-- own last day), by account `actor` of `party` ('professional', 'organisation', 'admin'). `pro` and
-- `org` are the caller's own professional or organisation (NULL for the office): another party's
-- link is 'not_found'. Decides on the row read after its lock: 'not_found', 'conflict' (declined
-- or ended already: it is answered), 'bad_until' (last_day before the first day, after the link's
-- last day, or after today for a link that has begun) or 'changed'.
CREATE FUNCTION kr_employment_end(link uuid, pro uuid, org uuid, last_day date, today date, actor uuid, party text)
  RETURNS TABLE (outcome text, employment_json json)
  LANGUAGE plpgsql AS $$
  DECLARE
    e employments;
    latest date;
  BEGIN
    SELECT * INTO e FROM employments x WHERE x.id = link FOR UPDATE;
    IF NOT FOUND OR e.professional_id <> coalesce(pro, e.professional_id)
       OR e.organisation_id <> coalesce(org, e.organisation_id) THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::json;
      RETURN;
    END IF;
    IF e.state NOT IN ('proposed', 'confirmed') THEN
      RETURN QUERY SELECT 'conflict'::text, kr_employment_json(e);
      RETURN;
    END IF;
    -- the consent ends now; the employment's last day is today at the latest (its first day when
    -- it has not begun), and never after the last day it already had
    latest := least(greatest(today, e.from_on), coalesce(e.until_on, 'infinity'::date));
    IF last_day IS NOT NULL AND (last_day < e.from_on OR last_day > latest) THEN
      RETURN QUERY SELECT 'bad_until'::text, kr_employment_json(e);
      RETURN;
    END IF;
    UPDATE employments x SET state = 'ended', until_on = coalesce(last_day, latest), ended_at = clock_timestamp(),
        ended_by = actor, ended_by_party = party
      WHERE x.id = link RETURNING * INTO e;
    RETURN QUERY SELECT 'changed'::text, kr_employment_json(e);
  END $$;
