-- Account control (issue 10): the label office can shut an account at once and open it again.
-- A deactivated account cannot sign in or refresh, and its access tokens stop working on every
-- replica within a second: replicas keep the accounts whose tokens are cut in memory
-- (auth/revocation.h), reloaded when this channel is notified, so no request asks the database.
ALTER TABLE accounts
  ADD COLUMN deactivated_at timestamptz,
  ADD COLUMN deactivation_reason text CHECK (char_length(deactivation_reason) BETWEEN 1 AND 500),
  -- access tokens issued at or before this second are refused (deactivation; later a password
  -- reset)
  ADD COLUMN tokens_not_before timestamptz,
  ADD CHECK ((deactivated_at IS NULL) = (deactivation_reason IS NULL));

CREATE INDEX accounts_tokens_cut ON accounts (tokens_not_before)
  WHERE tokens_not_before IS NOT NULL OR deactivated_at IS NOT NULL;

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
      'active', a.deactivated_at IS NULL,
      'deactivatedAt', kr_utc(a.deactivated_at),
      'deactivationReason', a.deactivation_reason,
      'createdAt', kr_utc(a.created_at)))
  $$;

-- Deactivates (active false, with a reason) or reactivates an account. Decides after the row lock:
-- 'not_found', 'unchanged' (already so), or 'changed'. Deactivation cuts the account's tokens
-- (tokens_not_before) and revokes its refresh tokens; either way every replica is told to reload
-- its revocations, in the same transaction (the notification is sent at commit).
CREATE FUNCTION kr_account_set_active(target uuid, make_active boolean, reason text)
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
    IF (a.deactivated_at IS NULL) = make_active THEN
      RETURN QUERY SELECT 'unchanged'::text, kr_account_json(a);
      RETURN;
    END IF;
    IF make_active THEN
      UPDATE accounts SET deactivated_at = NULL, deactivation_reason = NULL
        WHERE id = target RETURNING * INTO a;
    ELSE
      UPDATE accounts SET deactivated_at = clock_timestamp(), deactivation_reason = reason,
                          tokens_not_before = clock_timestamp()
        WHERE id = target RETURNING * INTO a;
      UPDATE refresh_tokens SET revoked_at = clock_timestamp()
        WHERE account_id = target AND revoked_at IS NULL;
    END IF;
    PERFORM pg_notify('kr_account_revocations', '');
    RETURN QUERY SELECT 'changed'::text, kr_account_json(a);
  END $$;

-- What every replica holds in memory: the accounts whose tokens are cut, with the second up to
-- which they are (NULL: all of them, the account is deactivated). Cut-offs older than the longest
-- access token life ($1 seconds) no longer matter and are left out.
CREATE FUNCTION kr_token_cuts(token_life_seconds int) RETURNS TABLE (account_id uuid, not_after bigint)
  LANGUAGE sql STABLE AS $$
    SELECT id, CASE WHEN deactivated_at IS NULL THEN floor(extract(epoch FROM tokens_not_before))::bigint END
    FROM accounts
    WHERE deactivated_at IS NOT NULL
       OR tokens_not_before > now() - make_interval(secs => token_life_seconds)
    ORDER BY id
  $$;
