-- Notices to professionals (issue 10), each queued once per cause (mail_outbox.cause, sql/0021):
-- the application approved or rejected and a measure imposed, by the transaction that decides
-- them; the re-registration window opening, 4 weeks before it closes with requirements unmet,
-- and the registration lapsed, by claimed background work from dates (src/register/notices.h).

-- Queues notice `kind` (a template) to the professional, once for `cause`. `detail` is the
-- decision's text (a rejection's reason; a measure's type, shown by its name). NULL when the
-- cause was queued before.
CREATE FUNCTION kr_professional_notice(professional uuid, kind text, cause text, detail text) RETURNS bigint
  LANGUAGE plpgsql AS $$
  DECLARE
    p professionals;
    lang text;
    last registration_periods;
    shown text;
  BEGIN
    SELECT * INTO p FROM professionals WHERE id = professional;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
    SELECT a.language INTO lang FROM accounts a WHERE a.professional_id = p.id ORDER BY a.created_at LIMIT 1;
    lang := coalesce(lang, 'nl');
    SELECT * INTO last FROM registration_periods r WHERE r.professional_id = p.id ORDER BY r.number DESC LIMIT 1;
    shown := coalesce(detail, '');
    IF kind = 'measure_imposed' THEN
      shown := CASE WHEN lang = 'en' THEN
                 CASE detail WHEN 'warning' THEN 'a warning' WHEN 'reprimand' THEN 'a reprimand'
                   WHEN 'conditional_suspension' THEN 'a conditional suspension' WHEN 'suspension' THEN 'a suspension'
                   ELSE 'striking off the register' END
               ELSE
                 CASE detail WHEN 'warning' THEN 'een waarschuwing' WHEN 'reprimand' THEN 'een berisping'
                   WHEN 'conditional_suspension' THEN 'een voorwaardelijke schorsing' WHEN 'suspension' THEN 'een schorsing'
                   ELSE 'doorhaling in het register' END
               END;
    END IF;
    RETURN kr_mail_enqueue(kind, p.email, lang,
      json_build_object('givenName', p.given_name, 'registrationNumber', coalesce(p.registration_number, ''),
                        'periodEnd', coalesce(to_char(last.ends_on, 'DD-MM-YYYY'), ''), 'detail', shown),
      cause);
  END $$;

-- The notices due from dates on `today` that were not queued yet, at most `max_rows`: each
-- registered professional's last period, whose window has opened (`reregistration_window_open`),
-- which closes within 4 weeks (`reregistration_requirements_unmet`: the service queues it only
-- when its C rules find requirements unmet), or which ended within the last 30 days without a
-- next one (`registration_lapsed`, the status then being `expired`). Found through the periods'
-- end dates, never a scan of every professional.
CREATE INDEX registration_periods_ends ON registration_periods (ends_on);

-- Causes looked at and found to need no message (requirements met 4 weeks before the end).
CREATE TABLE register_notices_skipped (
  cause      text PRIMARY KEY CHECK (char_length(cause) <= 200),
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION kr_register_notices_due(today date, max_rows integer)
  RETURNS TABLE (professional_id uuid, kind text, cause text)
  LANGUAGE sql STABLE AS $$
    SELECT r.professional_id, k.kind, k.kind || ':' || r.professional_id || ':' || r.number
    FROM registration_periods r
    JOIN registration_statuses s ON s.professional_id = r.professional_id AND s.from_on <= today AND today < s.until_on
    CROSS JOIN LATERAL (VALUES
      ('reregistration_window_open', r.ends_on - r.window_weeks * 7 <= today AND today <= r.ends_on
                                     AND s.status IN ('registered', 'suspended')),
      ('reregistration_requirements_unmet', r.ends_on - 28 <= today AND today <= r.ends_on
                                            AND s.status IN ('registered', 'suspended')),
      ('registration_lapsed', r.ends_on < today AND s.status = 'expired')) k (kind, due)
    WHERE r.ends_on BETWEEN today - 30 AND today + 52 * 7
      AND k.due
      AND NOT EXISTS (SELECT 1 FROM registration_periods later
                      WHERE later.professional_id = r.professional_id AND later.number > r.number)
      AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.cause = k.kind || ':' || r.professional_id || ':' || r.number)
      AND NOT EXISTS (SELECT 1 FROM register_notices_skipped x
                      WHERE x.cause = k.kind || ':' || r.professional_id || ':' || r.number)
    ORDER BY r.ends_on, r.professional_id, k.kind
    LIMIT max_rows
  $$;
