-- Changing a professional's address (issue 10): the new address is verified before it is used.
-- A change stores a verification for the new address (purpose 'change') and mails its link there;
-- the record keeps its current address until the link is used, which then replaces it (verified)
-- and tells the old address.

ALTER TABLE email_verifications
  ADD COLUMN purpose text NOT NULL DEFAULT 'confirm' CHECK (purpose IN ('confirm', 'change'));

-- Starts a change of the professional's address to `address`: 'not_found', 'same' (it is the
-- current address), 'taken' (another professional has it), or 'sent'.
CREATE FUNCTION kr_email_change_start(professional uuid, address text, hash text, token text,
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

-- Uses a verification token: 'unknown', 'gone' (used, expired, or for an address the record no
-- longer has or, for a change, that another professional took meanwhile), or 'verified'. A
-- change's token replaces the address. Decides after the token's and the professional's locks.
CREATE OR REPLACE FUNCTION kr_email_verify(hash text) RETURNS text
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
    IF v.used_at IS NOT NULL OR v.expires_at <= clock_timestamp() THEN
      RETURN 'gone';
    END IF;
    IF v.purpose = 'change' THEN
      IF EXISTS (SELECT 1 FROM professionals x WHERE lower(x.email) = lower(v.email) AND x.id <> p.id) THEN
        RETURN 'gone';
      END IF;
      UPDATE email_verifications SET used_at = clock_timestamp() WHERE token_hash = hash;
      UPDATE professionals SET email = v.email, email_verified_at = clock_timestamp() WHERE id = p.id;
      -- the old address hears of it: a change its owner did not make does not go unnoticed
      PERFORM kr_mail_enqueue('email_changed', p.email,
                              coalesce((SELECT a.language FROM accounts a WHERE a.professional_id = p.id
                                        ORDER BY a.created_at LIMIT 1), 'nl'),
                              json_build_object('givenName', p.given_name, 'newAddress', v.email), NULL);
      RETURN 'verified';
    END IF;
    IF lower(p.email) <> lower(v.email) THEN
      RETURN 'gone';
    END IF;
    UPDATE email_verifications SET used_at = clock_timestamp() WHERE token_hash = hash;
    UPDATE professionals SET email_verified_at = coalesce(email_verified_at, clock_timestamp())
      WHERE id = p.id;
    RETURN 'verified';
  END $$;
