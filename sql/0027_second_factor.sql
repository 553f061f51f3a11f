-- Admin accounts' second factor, and machine clients' secret rotation (issue 10).
--
-- TOTP (RFC 6238, auth/totp.h): an admin enrols with POST /v1/accounts/me/totp (a pending secret
-- that lives 10 minutes) and confirms it with a code; from then on a password sign-in needs a
-- `totp` (a code, or one of ten recovery codes). A code is accepted once: totp_last_step is the
-- newest step used, and only later steps match. Recovery codes are stored as SHA-256 hashes
-- (they are 50 random bits each, and spent at the first use).
ALTER TABLE accounts
  ADD COLUMN totp_secret bytea CHECK (octet_length(totp_secret) = 20),
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0,
  ADD COLUMN totp_pending_secret bytea CHECK (octet_length(totp_pending_secret) = 20),
  ADD COLUMN totp_pending_until timestamptz,
  ADD CHECK ((totp_secret IS NULL) = (totp_enabled_at IS NULL)),
  ADD CHECK ((totp_pending_secret IS NULL) = (totp_pending_until IS NULL)),
  -- Machine clients: after a rotation the previous secret keeps working until this moment.
  ADD COLUMN previous_password_hash text,
  ADD COLUMN previous_secret_valid_until timestamptz,
  ADD CHECK ((previous_password_hash IS NULL) = (previous_secret_valid_until IS NULL)),
  ADD CHECK (previous_password_hash IS NULL OR role IN ('certifier', 'municipality'));

CREATE TABLE totp_recovery_codes (
  account_id uuid NOT NULL REFERENCES accounts (id),
  code_hash  text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  used_at    timestamptz,
  PRIMARY KEY (account_id, code_hash)
);

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
      'totpEnabled', CASE WHEN a.role = 'admin' THEN a.totp_secret IS NOT NULL END,
      'previousSecretValidUntil',
        kr_utc(CASE WHEN a.previous_secret_valid_until > now() THEN a.previous_secret_valid_until END),
      'createdAt', kr_utc(a.created_at)))
  $$;

-- Starts an enrolment: a new pending secret, unless one is enabled already. 'enabled' or
-- 'pending' (with the secret's deadline and the username the app shows).
CREATE FUNCTION kr_totp_begin(target uuid, new_secret bytea, lifetime_seconds int)
  RETURNS TABLE (outcome text, confirm_before text, account_name text)
  LANGUAGE plpgsql AS $$
  DECLARE
    a accounts;
  BEGIN
    SELECT * INTO a FROM accounts WHERE id = target FOR UPDATE;
    IF a.totp_secret IS NOT NULL THEN
      RETURN QUERY SELECT 'enabled'::text, NULL::text, NULL::text;
      RETURN;
    END IF;
    UPDATE accounts SET totp_pending_secret = new_secret,
                        totp_pending_until = clock_timestamp() + make_interval(secs => lifetime_seconds)
      WHERE id = target RETURNING * INTO a;
    RETURN QUERY SELECT 'pending'::text, kr_utc(a.totp_pending_until), a.username;
  END $$;

-- Confirms an enrolment: the caller has checked the code against the pending secret (read by
-- kr_totp_pending under the same lock) and gives the step it matched and the recovery codes'
-- hashes. 'none' (nothing pending, or it expired), 'enabled' (already), or 'confirmed'.
CREATE FUNCTION kr_totp_confirm(target uuid, matched_secret bytea, matched_step bigint,
                                recovery_hashes text[])
  RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    a accounts;
  BEGIN
    SELECT * INTO a FROM accounts WHERE id = target FOR UPDATE;
    IF a.totp_secret IS NOT NULL THEN
      RETURN 'enabled';
    END IF;
    IF a.totp_pending_secret IS DISTINCT FROM matched_secret OR a.totp_pending_until <= clock_timestamp() THEN
      RETURN 'none';
    END IF;
    UPDATE accounts SET totp_secret = a.totp_pending_secret, totp_enabled_at = clock_timestamp(),
                        totp_last_step = matched_step,
                        totp_pending_secret = NULL, totp_pending_until = NULL
      WHERE id = target;
    DELETE FROM totp_recovery_codes WHERE account_id = target;
    INSERT INTO totp_recovery_codes (account_id, code_hash)
      SELECT target, h FROM unnest(recovery_hashes) AS h;
    RETURN 'confirmed';
  END $$;

-- Turns the second factor off (admin, for another admin who lost the device and the codes).
-- 'not_found', 'not_admin', 'none' (not enrolled) or 'removed'.
CREATE FUNCTION kr_totp_remove(target uuid) RETURNS text
  LANGUAGE plpgsql AS $$
  DECLARE
    a accounts;
  BEGIN
    SELECT * INTO a FROM accounts WHERE id = target FOR UPDATE;
    IF NOT FOUND THEN
      RETURN 'not_found';
    END IF;
    IF a.role <> 'admin' THEN
      RETURN 'not_admin';
    END IF;
    IF a.totp_secret IS NULL THEN
      RETURN 'none';
    END IF;
    UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = 0,
                        totp_pending_secret = NULL, totp_pending_until = NULL
      WHERE id = target;
    DELETE FROM totp_recovery_codes WHERE account_id = target;
    RETURN 'removed';
  END $$;

-- Rotates a machine client's secret: the current hash becomes the previous one, valid for
-- overlap_seconds more (0: not at all). 'not_found', 'not_machine' or 'rotated' with the
-- account as the API shows it.
CREATE FUNCTION kr_client_secret_rotate(target uuid, new_hash text, overlap_seconds int)
  RETURNS TABLE (outcome text, account_json json)
  LANGUAGE plpgsql AS $$
  DECLARE
    a accounts;
  BEGIN
    SELECT * INTO a FROM accounts WHERE id = target FOR UPDATE;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::json;
      RETURN;
    END IF;
    IF a.role NOT IN ('certifier', 'municipality') THEN
      RETURN QUERY SELECT 'not_machine'::text, NULL::json;
      RETURN;
    END IF;
    UPDATE accounts SET
        previous_password_hash = CASE WHEN overlap_seconds > 0 THEN a.password_hash END,
        previous_secret_valid_until =
          CASE WHEN overlap_seconds > 0 THEN clock_timestamp() + make_interval(secs => overlap_seconds) END,
        password_hash = new_hash, password_changed_at = clock_timestamp()
      WHERE id = target RETURNING * INTO a;
    RETURN QUERY SELECT 'rotated'::text, kr_account_json(a);
  END $$;
