-- Privacy (issue 10): retention as data, and the erasure of a professional's personal data.
--
-- Retention rules are rows of retention_rules, read when they are applied: a rejected
-- application's personal data and diploma are erased, and evidence files of a period that ended
-- are deleted, by kr_retention_apply, which a background task in every replica runs in bounded
-- batches claimed with FOR UPDATE SKIP LOCKED (src/register/privacy.h); how long a public measure
-- stays in the public register is decided from dates when the register is read (kr_public_view),
-- like statuses, never by a task that may not have run (so `?on=` answers as published that day).
--
-- POST /v1/professionals/{professionalId}/erasure (admin) runs kr_professional_erase, which erases
-- what the law allows and keeps what the register must. What it does with each place that holds
-- something of a professional:
--
-- | where                                              | decision  | why                                   |
-- |----------------------------------------------------|-----------|---------------------------------------|
-- | professionals: given_name, family_name, email      | erase     | they identify the person (NULL after) |
-- | professionals: email_verified_at                   | erase     | about the erased address              |
-- | professionals: diploma, its type, hash, upload time| erase     | a document about the person           |
-- | professionals: rejection_reason                    | erase     | the office's free text about them     |
-- | professionals: registration_number, profile,      | keep      | the register's record: a number is    |
-- |   education_level, state, deregistered_on, dates   |           | never reused and still looked up      |
-- | professionals: erased_at                           | set       | when it was erased                    |
-- | registration_periods, registration_statuses        | keep      | the register must keep the periods    |
-- | measures (reason included)                         | keep      | disciplinary decisions are kept       |
-- | professional_history rows                          | keep      | the record of what was decided; the   |
-- |                                                    |           | free text of `rejected` and           |
-- |                                                    |           | `deregistered` rows is erased (a      |
-- |                                                    |           | reason about or by the person); an    |
-- |                                                    |           | `erased` row is added with the reason |
-- | code_of_conduct_acceptances                        | keep      | version and time: part of approval    |
-- | development_plans                                  | erase     | the person's own goals (row deleted)  |
-- | development_activities                             | anonymise | type, dates, hours, competences and   |
-- |                                                    |           | status stay (what re-registrations    |
-- |                                                    |           | rested on); title becomes '[erased]', |
-- |                                                    |           | provider, reflection, supervisedBy    |
-- |                                                    |           | (a third person's name) NULL          |
-- | evidence_files                                     | erase     | documents (rows deleted)              |
-- | accounts (the professional's)                      | anonymise | kept because history and the audit    |
-- |                                                    |           | trail name its id: username becomes   |
-- |                                                    |           | erased-<id>, the password unusable,   |
-- |                                                    |           | deactivated, tokens cut on every      |
-- |                                                    |           | replica (kr_account_revocations)      |
-- | refresh_tokens of that account                     | revoke    |                                       |
-- | password_resets, login_failures of that account    | erase     | tokens' hashes; its old username      |
-- | email_verifications                                | erase     | they hold (new) addresses             |
-- | password_reset_requests for its addresses          | erase     | they hold the address                 |
-- | mail_outbox rows to its addresses                  | anonymise | the delivery log stays: address       |
-- |                                                    |           | 'erased@invalid', values cleared, a   |
-- |                                                    |           | message still queued is given up      |
-- | mail_deliveries of those messages                  | anonymise | an error text may quote the address   |
-- | audit_trail                                        | keep      | append-only, and ids only             |
-- | idempotency_keys, rate_limits, check log, voice    | -         | hold nothing of a professional        |
--
-- What an erasure does to the registration is decided in C with the status rules (the handler,
-- src/register/privacy.c): a registration that runs (or is still to start) ends on the day of the
-- erasure (`deregistered`: nobody can verify a registration without a name, and nobody can
-- re-register it), an open application is closed (`rejected`); struck off stays struck off and
-- expired stays expired. The public register keeps answering a lookup by registration number for
-- the statuses it lists (struck off, suspended, expired, registered) with the number, profile,
-- status, periods and public measures, and `givenName`/`familyName` null; a search by name cannot
-- find an erased professional.

-- ---- erasure ---------------------------------------------------------------------------------
ALTER TABLE professionals
  ALTER COLUMN given_name DROP NOT NULL,
  ALTER COLUMN family_name DROP NOT NULL,
  ALTER COLUMN email DROP NOT NULL,
  ADD COLUMN erased_at timestamptz,
  -- only an erasure empties them, and nothing comes back after one
  ADD CONSTRAINT professionals_person_check
    CHECK (erased_at IS NOT NULL OR (given_name IS NOT NULL AND family_name IS NOT NULL AND email IS NOT NULL)),
  ADD CONSTRAINT professionals_erased_check
    CHECK (erased_at IS NULL OR (given_name IS NULL AND family_name IS NULL AND email IS NULL AND diploma IS NULL));

ALTER TABLE professional_history
  DROP CONSTRAINT professional_history_type_check,
  ADD CONSTRAINT professional_history_type_check
    CHECK (type IN ('applied', 'approved', 'rejected', 'period_started', 'deregistered', 'measure_imposed',
                    'measure_ended', 'measure_revoked', 'code_of_conduct_accepted', 'erased'));

-- The messages to an address, found without reading the whole outbox.
CREATE INDEX mail_outbox_address ON mail_outbox (lower(to_address));

-- Erases the professional's personal data (the table above), records `erased_at` and an `erased`
-- history row (`why`, on `on_day`, by `actor`; NULL for the retention task). Decides after the
-- professional's row lock: 'not_found', 'erased_before', or 'erased'. Runs in the caller's
-- transaction; the revocation notice goes out at its commit.
CREATE FUNCTION kr_professional_erase(target uuid, why text, actor uuid, on_day date) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    p professionals;
    addresses text[];
  BEGIN
    SELECT * INTO p FROM professionals WHERE id = target FOR UPDATE;
    IF NOT FOUND THEN
      RETURN 'not_found';
    END IF;
    IF p.erased_at IS NOT NULL THEN
      RETURN 'erased_before';
    END IF;
    -- every address the professional had or asked for: the current one and its verifications'
    SELECT coalesce(array_agg(DISTINCT lower(x.address)), '{}') INTO addresses
      FROM (SELECT p.email AS address
            UNION ALL
            SELECT v.email FROM email_verifications v WHERE v.professional_id = target) x
      WHERE x.address IS NOT NULL;
    DELETE FROM password_reset_requests r WHERE lower(r.email) = ANY (addresses);
    DELETE FROM email_verifications v WHERE v.professional_id = target;
    WITH changed AS (
      UPDATE mail_outbox m SET to_address = 'erased@invalid', vars = NULL,
          state = CASE WHEN m.state = 'queued' THEN 'failed' ELSE m.state END,
          last_error = CASE WHEN m.state = 'queued' THEN 'the recipient was erased' END
        WHERE lower(m.to_address) = ANY (addresses)
        RETURNING m.id)
    UPDATE mail_deliveries d SET error = NULL FROM changed c WHERE d.message_id = c.id AND d.error IS NOT NULL;

    -- the account: kept (history and the audit trail name it), but nobody's and unusable
    DELETE FROM login_failures f
      WHERE f.username_key IN (SELECT lower(a.username) FROM accounts a WHERE a.professional_id = target);
    DELETE FROM password_resets r
      WHERE r.account_id IN (SELECT a.id FROM accounts a WHERE a.professional_id = target);
    UPDATE refresh_tokens t SET revoked_at = clock_timestamp()
      WHERE t.account_id IN (SELECT a.id FROM accounts a WHERE a.professional_id = target) AND t.revoked_at IS NULL;
    UPDATE accounts a SET username = 'erased-' || replace(a.id::text, '-', ''),
        password_hash = '!erased', -- no argon2id hash: no password verifies against it
        deactivated_at = coalesce(a.deactivated_at, clock_timestamp()),
        deactivation_reason = 'The professional''s personal data was erased.',
        tokens_not_before = clock_timestamp()
      WHERE a.professional_id = target;
    IF FOUND THEN
      PERFORM pg_notify('kr_account_revocations', '');
    END IF;

    DELETE FROM development_plans d WHERE d.professional_id = target;
    DELETE FROM evidence_files f USING development_activities a
      WHERE f.activity_id = a.id AND a.professional_id = target;
    UPDATE development_activities a SET title = '[erased]', provider = NULL, reflection = NULL,
        supervised_by = NULL, updated_at = clock_timestamp()
      WHERE a.professional_id = target;
    UPDATE professional_history h SET detail = NULL
      WHERE h.professional_id = target AND h.type IN ('rejected', 'deregistered') AND h.detail IS NOT NULL;
    UPDATE professionals SET given_name = NULL, family_name = NULL, email = NULL, email_verified_at = NULL,
        diploma = NULL, diploma_type = NULL, diploma_sha256 = NULL, diploma_uploaded_at = NULL,
        rejection_reason = NULL, erased_at = clock_timestamp(), updated_at = clock_timestamp()
      WHERE id = target;
    INSERT INTO professional_history (professional_id, type, on_date, detail, recorded_by)
      VALUES (target, 'erased', on_day, why, actor);
    RETURN 'erased';
  END $$;

-- The professional as the API answers it, now with when it was erased.
CREATE OR REPLACE FUNCTION kr_professional_view(id uuid, on_date date) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object('id', p.id, 'givenName', p.given_name, 'familyName', p.family_name,
      'email', p.email, 'emailVerifiedAt', kr_utc(p.email_verified_at),
      'profile', p.profile, 'educationLevel', p.education_level,
      'registrationNumber', p.registration_number,
      'diploma', CASE WHEN p.diploma IS NULL THEN NULL ELSE json_build_object('contentType', p.diploma_type,
                  'sizeBytes', octet_length(p.diploma), 'sha256', p.diploma_sha256,
                  'uploadedAt', kr_utc(p.diploma_uploaded_at)) END,
      'rejectionReason', p.rejection_reason, 'deregisteredOn', p.deregistered_on,
      'erasedAt', kr_utc(p.erased_at),
      'createdAt', kr_utc(p.created_at),
      'status', s.status, 'statusOn', on_date, 'periodStart', r.starts_on, 'periodEnd', r.ends_on)
      FROM professionals p
      JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= on_date AND on_date < s.until_on
      LEFT JOIN LATERAL (SELECT x.starts_on, x.ends_on FROM registration_periods x
                         WHERE x.professional_id = p.id AND x.starts_on <= on_date
                         ORDER BY x.number DESC LIMIT 1) r ON true
      WHERE p.id = kr_professional_view.id);
  END $$;

-- An erased professional has no address: no notice is queued for it (NULL, as for a cause queued
-- before), and the notices due from dates leave it out (else it would stay due for ever).
CREATE OR REPLACE FUNCTION kr_professional_notice(professional uuid, kind text, cause text, detail text) RETURNS bigint
  LANGUAGE plpgsql AS $$
  DECLARE
    p professionals;
    lang text;
    last registration_periods;
    shown text;
  BEGIN
    SELECT * INTO p FROM professionals WHERE id = professional;
    IF NOT FOUND OR p.erased_at IS NOT NULL THEN
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

CREATE OR REPLACE FUNCTION kr_register_notices_due(today date, max_rows integer)
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
      AND NOT EXISTS (SELECT 1 FROM professionals e WHERE e.id = r.professional_id AND e.erased_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.cause = k.kind || ':' || r.professional_id || ':' || r.number)
      AND NOT EXISTS (SELECT 1 FROM register_notices_skipped x
                      WHERE x.cause = k.kind || ':' || r.professional_id || ':' || r.number)
    ORDER BY r.ends_on, r.professional_id, k.kind
    LIMIT max_rows
  $$;

-- No address is verified or set on an erased record: a verification is 'not_found' (the person is
-- gone; 404) and a change of address 'taken' (409 naming email: no address can be used).
CREATE OR REPLACE FUNCTION kr_email_verification_start(professional uuid, hash text, token text,
                                                       life_seconds integer) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    p professionals;
    lang text;
  BEGIN
    SELECT * INTO p FROM professionals WHERE id = professional FOR UPDATE;
    IF NOT FOUND OR p.erased_at IS NOT NULL THEN
      RETURN 'not_found';
    END IF;
    IF p.email_verified_at IS NOT NULL THEN
      RETURN 'verified';
    END IF;
    SELECT a.language INTO lang FROM accounts a WHERE a.professional_id = p.id ORDER BY a.created_at LIMIT 1;
    INSERT INTO email_verifications (token_hash, professional_id, email, expires_at)
      VALUES (hash, p.id, p.email, clock_timestamp() + make_interval(secs => life_seconds));
    PERFORM kr_mail_enqueue('email_verification', p.email, coalesce(lang, 'nl'),
                            json_build_object('givenName', p.given_name, 'token', token,
                                              'hours', life_seconds / 3600), NULL);
    RETURN 'sent';
  END $$;

CREATE OR REPLACE FUNCTION kr_email_change_start(professional uuid, address text, hash text, token text,
                                                 life_seconds integer) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    p professionals;
    lang text;
  BEGIN
    SELECT * INTO p FROM professionals WHERE id = professional FOR UPDATE;
    IF NOT FOUND THEN
      RETURN 'not_found';
    END IF;
    IF p.erased_at IS NOT NULL THEN
      RETURN 'taken';
    END IF;
    IF lower(p.email) = lower(address) THEN
      RETURN 'same';
    END IF;
    IF EXISTS (SELECT 1 FROM professionals x WHERE lower(x.email) = lower(address)) THEN
      RETURN 'taken';
    END IF;
    SELECT a.language INTO lang FROM accounts a WHERE a.professional_id = p.id ORDER BY a.created_at LIMIT 1;
    INSERT INTO email_verifications (token_hash, professional_id, email, expires_at, purpose)
      VALUES (hash, p.id, address, clock_timestamp() + make_interval(secs => life_seconds), 'change');
    PERFORM kr_mail_enqueue('email_change', address, coalesce(lang, 'nl'),
                            json_build_object('givenName', p.given_name, 'token', token,
                                              'hours', life_seconds / 3600), NULL);
    RETURN 'sent';
  END $$;

-- ---- retention rules -------------------------------------------------------------------------
-- One row per kind (per measure type for public measures). `days` NULL: no limit (kept, or
-- published, as long as it stands). Defaults (the register office changes them here):
--   rejected_application   90 days after the rejection (the history's `rejected` day): time to
--                          object and appeal; then the applicant's personal data and diploma are
--                          erased as by an erasure (the account too).
--   evidence_after_period  730 days (2 years) after the last day of the registration period the
--                          activity falls in (its completion day, else its start day): time for a
--                          check of the re-registration or a dispute; then the evidence files are
--                          deleted (the activity, its hours and dates stay). Evidence of an
--                          activity in no period (before the first, after the last) is kept.
--   public_measure         per measure type, how long after it the measure stays in the public
--                          register, counted from the start of a warning or a reprimand (they have
--                          no duration) and from the last day a (conditional) suspension or a
--                          striking off had effect (its end, or the day before it was ended early):
--                          warning 1 year, reprimand 5 years, conditional suspension 1 year after
--                          its probation, suspension 5 years after it, striking off as long as it
--                          stands (shaped like the BIG-register's publication terms).
CREATE TABLE retention_rules (
  kind       text NOT NULL CHECK (kind IN ('rejected_application', 'evidence_after_period', 'public_measure')),
  subject    text NOT NULL DEFAULT '',
  days       integer CHECK (days BETWEEN 0 AND 36500),
  note       text NOT NULL CHECK (char_length(note) BETWEEN 1 AND 500),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (kind, subject),
  CHECK ((kind = 'public_measure') =
         (subject IN ('warning', 'reprimand', 'conditional_suspension', 'suspension', 'striking_off'))),
  CHECK (kind = 'public_measure' OR subject = '')
);

INSERT INTO retention_rules (kind, subject, days, note) VALUES
  ('rejected_application', '', 90,
   'The personal data and diploma of a rejected applicant are erased 90 days after the rejection.'),
  ('evidence_after_period', '', 730,
   'Evidence files are deleted 2 years after the registration period their activity falls in ends.'),
  ('public_measure', 'warning', 365, 'A public warning is published for 1 year from its start.'),
  ('public_measure', 'reprimand', 1826, 'A public reprimand is published for 5 years from its start.'),
  ('public_measure', 'conditional_suspension', 365,
   'A public conditional suspension is published while its probation runs and 1 year after.'),
  ('public_measure', 'suspension', 1826, 'A public suspension is published while it runs and 5 years after.'),
  ('public_measure', 'striking_off', NULL, 'A public striking off is published as long as it stands.');

-- The last day a public measure is in the public register; NULL: no end (no rule, no limit, or a
-- measure that still has effect without an end).
CREATE FUNCTION kr_measure_published_until(m measures) RETURNS date
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT CASE WHEN m.type IN ('warning', 'reprimand') THEN m.starts_on
                ELSE least(m.ends_on, m.ended_on - 1) END + r.days
    FROM retention_rules r WHERE r.kind = 'public_measure' AND r.subject = m.type
  $$;

-- The public register's view on `on_date`, now with each public measure only while it is published.
CREATE OR REPLACE FUNCTION kr_public_view(id uuid, on_date date) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object('registrationNumber', p.registration_number, 'givenName', p.given_name,
      'familyName', p.family_name, 'profile', p.profile, 'status', s.status, 'statusOn', on_date,
      'periods', (SELECT coalesce(json_agg(json_build_object('startsOn', r.starts_on, 'endsOn', r.ends_on)
                    ORDER BY r.number), '[]') FROM registration_periods r WHERE r.professional_id = p.id),
      'measures', (SELECT coalesce(json_agg(json_build_object('type', m.type, 'startsOn', m.starts_on,
                     'endsOn', m.ends_on) ORDER BY m.starts_on, m.id), '[]')
                   FROM measures m WHERE m.professional_id = p.id AND m.revoked_on IS NULL AND m.public
                     AND on_date <= coalesce(kr_measure_published_until(m), 'infinity')))
      FROM professionals p
      JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= on_date AND on_date < s.until_on
      WHERE p.id = kr_public_view.id);
  END $$;

-- Rejected applications not erased yet: the retention task's candidates, never a scan of everyone.
CREATE INDEX professionals_rejected_unerased ON professionals (id) WHERE state = 'rejected' AND erased_at IS NULL;

-- Applies the retention rules on `today`: erases at most `batch_size` rejected applications whose
-- rule has run out and deletes at most `batch_size` evidence files of periods whose rule has run
-- out. Rows are claimed with FOR UPDATE SKIP LOCKED, so replicas running it at once share the work
-- and never do one row twice; a row a request holds is left for the next run. Answers how many of
-- each it did: a full batch means more may wait.
CREATE FUNCTION kr_retention_apply(today date, batch_size integer)
  RETURNS TABLE (applications_erased integer, evidence_deleted integer)
  LANGUAGE plpgsql AS $$
  DECLARE
    keep_days integer;
    claimed uuid;
    erased integer := 0;
    deleted integer := 0;
  BEGIN
    SELECT x.days INTO keep_days FROM retention_rules x WHERE x.kind = 'rejected_application' AND x.subject = '';
    IF keep_days IS NOT NULL THEN
      FOR claimed IN
        SELECT p.id FROM professionals p
        WHERE p.state = 'rejected' AND p.erased_at IS NULL
          AND coalesce((SELECT max(h.on_date) FROM professional_history h
                        WHERE h.professional_id = p.id AND h.type = 'rejected'),
                       (p.updated_at AT TIME ZONE 'Europe/Amsterdam')::date) <= today - keep_days
        ORDER BY p.id
        LIMIT batch_size
        FOR UPDATE OF p SKIP LOCKED
      LOOP
        PERFORM kr_professional_erase(claimed,
          format('Retention: a rejected application is erased %s days after the rejection.', keep_days),
          NULL, today);
        erased := erased + 1;
      END LOOP;
    END IF;

    keep_days := NULL;
    SELECT x.days INTO keep_days FROM retention_rules x WHERE x.kind = 'evidence_after_period' AND x.subject = '';
    IF keep_days IS NOT NULL THEN
      WITH due AS (
        SELECT f.id FROM evidence_files f
        JOIN development_activities a ON a.id = f.activity_id
        WHERE EXISTS (SELECT 1 FROM registration_periods r
                      WHERE r.professional_id = a.professional_id
                        AND coalesce(a.completed_on, a.started_on) BETWEEN r.starts_on AND r.ends_on
                        AND r.ends_on < today - keep_days)
        LIMIT batch_size
        FOR UPDATE OF f SKIP LOCKED)
      DELETE FROM evidence_files x USING due WHERE x.id = due.id;
      GET DIAGNOSTICS deleted = ROW_COUNT;
    END IF;
    RETURN QUERY SELECT erased, deleted;
  END $$;
