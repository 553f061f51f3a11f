-- The service foundation: accounts and what signing in needs.
-- The parties an account links to (professionals, organisations, certifying bodies) start here
-- with their identity only; the register and the label add their fields in later migrations.

-- RFC 3339 text in UTC with microseconds, the API's form for every timestamp.
CREATE FUNCTION kr_utc(t timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- A keyset sort key: microseconds since the epoch, exact (extract returns numeric).
CREATE FUNCTION kr_sort_key(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

CREATE TABLE professionals (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  given_name  text,
  family_name text,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE organisations (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  kvk_number text UNIQUE CHECK (kvk_number ~ '^[0-9]{8}$'),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE certifying_bodies (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE accounts (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username            text NOT NULL CHECK (username ~ '^[A-Za-z0-9._@-]{3,64}$'),
  password_hash       text NOT NULL,
  role                text NOT NULL
                      CHECK (role IN ('admin', 'professional', 'organisation', 'certifier', 'municipality')),
  professional_id     uuid REFERENCES professionals (id),
  organisation_id     uuid REFERENCES organisations (id),
  certifying_body_id  uuid REFERENCES certifying_bodies (id),
  municipality_code   text CHECK (municipality_code ~ '^GM[0-9]{4}$'),
  created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  password_changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- exactly the link of the account's role, and no other
  CHECK ((role = 'professional') = (professional_id IS NOT NULL)),
  CHECK ((role = 'organisation') = (organisation_id IS NOT NULL)),
  CHECK ((role = 'certifier') = (certifying_body_id IS NOT NULL)),
  CHECK ((role = 'municipality') = (municipality_code IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_username_key ON accounts (lower(username));
CREATE INDEX accounts_page ON accounts (kr_sort_key(created_at), id);
CREATE INDEX accounts_role_page ON accounts (role, kr_sort_key(created_at), id);

-- The account as the API shows it: only the link of its role appears.
CREATE FUNCTION kr_account_json(a accounts) RETURNS json
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
      'createdAt', kr_utc(a.created_at)))
  $$;

-- Refresh tokens are stored only as SHA-256 hashes. Each use spends the token and issues the
-- next one in the same family; presenting a spent one again revokes the whole family.
CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at  timestamptz NOT NULL,
  spent_at    timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id) WHERE revoked_at IS NULL;

-- Failed sign-ins per username (lower case) in a fixed window; in PostgreSQL so that every
-- replica counts the same attempts.
CREATE TABLE login_failures (
  username_key  text PRIMARY KEY,
  attempts      integer NOT NULL,
  window_start  timestamptz NOT NULL
);
