-- Mail (issue 10): an outbox written in the transaction of the change that causes a message, sent
-- by claimed background work in every replica (src/mail/outbox.h); e-mail verification and
-- password reset on top of it.

-- The language an account's messages are written in.
ALTER TABLE accounts ADD COLUMN language text NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en'));

-- When the professional's current address was verified (NULL: not yet, or changed since).
ALTER TABLE professionals ADD COLUMN email_verified_at timestamptz;

-- One message to send. `vars` are the values its template shows (src/mail/templates); they may
-- hold a one-time token, so they are erased once the message is sent or given up. `cause`, when
-- set, makes the message once-only: a second message for the same cause is not queued.
CREATE TABLE mail_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  template        text NOT NULL CHECK (template ~ '^[a-z_]{1,40}$'),
  to_address      text NOT NULL CHECK (char_length(to_address) BETWEEN 3 AND 254 AND to_address !~ '[\s<>,;"]'),
  language        text NOT NULL CHECK (language IN ('nl', 'en')),
  vars            json CHECK (vars IS NULL OR json_typeof(vars) = 'object'),
  cause           text CHECK (char_length(cause) BETWEEN 1 AND 200),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  state           text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at         timestamptz,
  last_error      text CHECK (char_length(last_error) <= 500),
  CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
  CHECK (state = 'queued' OR vars IS NULL)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, id) WHERE state = 'queued';
CREATE UNIQUE INDEX mail_outbox_cause ON mail_outbox (cause) WHERE cause IS NOT NULL;

-- Every attempt to hand a message to the mail server, and what came of it.
CREATE TABLE mail_deliveries (
  message_id   bigint NOT NULL REFERENCES mail_outbox (id),
  attempt      integer NOT NULL CHECK (attempt >= 1),
  attempted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  outcome      text NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed')),
  error        text CHECK (char_length(error) <= 500),
  milliseconds integer NOT NULL CHECK (milliseconds >= 0),
  PRIMARY KEY (message_id, attempt)
);

-- Queues a message; NULL when its cause was queued before. Replicas' senders are woken.
CREATE FUNCTION kr_mail_enqueue(kind text, address text, lang text, shown json, once_for text)
  RETURNS bigint
  LANGUAGE plpgsql AS $$
  DECLARE
    queued bigint;
  BEGIN
    INSERT INTO mail_outbox (template, to_address, language, vars, cause)
      VALUES (kind, address, lang, shown, once_for)
      ON CONFLICT (cause) WHERE cause IS NOT NULL DO NOTHING
      RETURNING id INTO queued;
    IF queued IS NOT NULL THEN
      PERFORM pg_notify('kr_mail', '');
    END IF;
    RETURN queued;
  END $$;

-- E-mail verification: a token (stored only as its SHA-256) for the address the professional had
-- when it was made; it verifies that address only, once, within its life.
CREATE TABLE email_verifications (
  token_hash      text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  professional_id uuid NOT NULL REFERENCES professionals (id),
  email           text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz
);
CREATE INDEX email_verifications_professional ON email_verifications (professional_id, created_at);

-- Starts a verification of the professional's current address: stores the token's hash and
-- queues the message that carries the token. 'not_found', 'verified' (already), or 'sent'.
CREATE FUNCTION kr_email_verification_start(professional uuid, hash text, token text,
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

-- Uses a verification token: 'unknown', 'gone' (used, expired, or the address changed since),
-- or 'verified'. Decides after the token's and the professional's row locks.
CREATE FUNCTION kr_email_verify(hash text) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    v email_verifications;
    p professionals;
  BEGIN
    SELECT * INTO v FROM email_verifications WHERE token_hash = hash FOR UPDATE;
    IF NOT FOUND THEN
      RETURN 'unknown';
    END IF;
    SELECT * INTO p FROM professionals WHERE id = v.professional_id FOR UPDATE;
    IF v.used_at IS NOT NULL OR v.expires_at <= clock_timestamp() OR lower(p.email) <> lower(v.email) THEN
      RETURN 'gone';
    END IF;
    UPDATE email_verifications SET used_at = clock_timestamp() WHERE token_hash = hash;
    UPDATE professionals SET email_verified_at = coalesce(email_verified_at, clock_timestamp())
      WHERE id = p.id;
    RETURN 'verified';
  END $$;

-- Password resets. A request is stored as it comes, known address or not (the answer and the
-- work on the request path are the same for both); the mail sender turns each into a token and a
-- message when the address belongs to an active account, at most `per_hour` an hour per account.
CREATE TABLE password_reset_requests (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email        text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  requested_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE password_resets (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  account_id uuid NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX password_resets_account ON password_resets (account_id, created_at);

CREATE FUNCTION kr_password_reset_request(address text) RETURNS void
  LANGUAGE sql AS $$
    INSERT INTO password_reset_requests (email) VALUES (address);
    SELECT pg_notify('kr_mail', '');
  $$;

-- Turns one request into a token and a message: 'none' (no active account has that address),
-- 'limited' (the account had `per_hour` resets in the last hour), or 'sent'.
CREATE FUNCTION kr_password_reset_issue(address text, hash text, token text, life_seconds integer,
                                        per_hour integer) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    a accounts;
    p professionals;
  BEGIN
    SELECT x.* INTO a FROM professionals y JOIN accounts x ON x.professional_id = y.id
      WHERE lower(y.email) = lower(address) AND x.deactivated_at IS NULL
      ORDER BY x.created_at LIMIT 1 FOR UPDATE OF x;
    IF NOT FOUND THEN
      RETURN 'none';
    END IF;
    IF (SELECT count(*) FROM password_resets r
        WHERE r.account_id = a.id AND r.created_at > clock_timestamp() - interval '1 hour') >= per_hour THEN
      RETURN 'limited';
    END IF;
    SELECT * INTO p FROM professionals WHERE id = a.professional_id;
    INSERT INTO password_resets (token_hash, account_id, expires_at)
      VALUES (hash, a.id, clock_timestamp() + make_interval(secs => life_seconds));
    PERFORM kr_mail_enqueue('password_reset', p.email, a.language,
                            json_build_object('givenName', p.given_name, 'username', a.username,
                                              'token', token, 'minutes', life_seconds / 60), NULL);
    RETURN 'sent';
  END $$;

-- Sets a new password with a reset token: 'unknown', 'gone' (used, expired, or the account
-- deactivated), or 'done'. The account's other reset tokens, its refresh tokens and every access
-- token issued before now stop working; every replica is told (as in kr_account_set_active).
CREATE FUNCTION kr_password_reset_use(hash text, new_password_hash text) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    r password_resets;
    a accounts;
  BEGIN
    SELECT * INTO r FROM password_resets WHERE token_hash = hash FOR UPDATE;
    IF NOT FOUND THEN
      RETURN 'unknown';
    END IF;
    SELECT * INTO a FROM accounts WHERE id = r.account_id FOR UPDATE;
    IF r.used_at IS NOT NULL OR r.expires_at <= clock_timestamp() OR a.deactivated_at IS NOT NULL THEN
      RETURN 'gone';
    END IF;
    UPDATE password_resets SET used_at = clock_timestamp() WHERE account_id = a.id AND used_at IS NULL;
    UPDATE accounts SET password_hash = new_password_hash, password_changed_at = clock_timestamp(),
                        tokens_not_before = clock_timestamp()
      WHERE id = a.id;
    UPDATE refresh_tokens SET revoked_at = clock_timestamp() WHERE account_id = a.id AND revoked_at IS NULL;
    PERFORM pg_notify('kr_account_revocations', '');
    RETURN 'done';
  END $$;

-- The account as the API shows it, now with its language.
CREATE OR REPLACE FUNCTION kr_account_json(a accounts) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_strip_nulls(json_build_object(
      'id', a.id,
      'username', a.username,
      'role', a.role,
      'professionalId', a.professional_id,
      'organisationId', a.organisation_id,
      'certifyingBodyId', a.certifying_body_id,
      'municipalityCode', a.municipality_code,
      'language', a.language,
      'active', a.deactivated_at IS NULL,
      'deactivatedAt', kr_utc(a.deactivated_at),
      'deactivationReason', a.deactivation_reason,
      'createdAt', kr_utc(a.created_at)))
  $$;

-- The professional as the API answers it, now with when the address was verified.
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
      'createdAt', kr_utc(p.created_at),
      'status', s.status, 'statusOn', on_date, 'periodStart', r.starts_on, 'periodEnd', r.ends_on)
      FROM professionals p
      JOIN registration_statuses s ON s.professional_id = p.id AND s.from_on <= on_date AND on_date < s.until_on
      LEFT JOIN LATERAL (SELECT x.starts_on, x.ends_on FROM registration_periods x
                         WHERE x.professional_id = p.id AND x.starts_on <= on_date
                         ORDER BY x.number DESC LIMIT 1) r ON true
      WHERE p.id = kr_professional_view.id);
  END $$;
