-- Certification for municipalities: the check log, an event feed that is safe to follow while
-- writes commit concurrently, `expired` events, webhook subscriptions and their deliveries.

-- Event ids must become visible in id order, or a client that follows the feed by "after the
-- last id I saw" can miss an event whose transaction committed late. Each insert takes one
-- transaction-scoped lock before it draws its id, so the transaction holding a lower id has
-- committed (and released the lock) before a higher id exists. Certificate changes are rare; the
-- lock is held only from the insert to the commit.
ALTER TABLE certificate_events ALTER COLUMN id DROP DEFAULT;

CREATE FUNCTION kr_certificate_event_id() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(727073690005);
    NEW.id := nextval('certificate_events_id_seq');
    RETURN NEW;
  END $$;

CREATE TRIGGER certificate_event_id BEFORE INSERT ON certificate_events
  FOR EACH ROW EXECUTE FUNCTION kr_certificate_event_id();

-- A certificate expires once.
CREATE UNIQUE INDEX certificate_events_expired_once ON certificate_events (certificate_id)
  WHERE type = 'expired';
CREATE INDEX certificates_valid_until ON certificates (valid_until);

-- A certificate's changes as a municipality sees them.
CREATE FUNCTION kr_certificate_changes(certificate uuid) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT coalesce(json_agg(json_build_object('type', e.type, 'effectiveOn', e.effective_on,
                                               'recordedAt', kr_utc(e.recorded_at)) ORDER BY e.id), '[]')
    FROM certificate_events e WHERE e.certificate_id = certificate);
  END $$;

-- Everything a check needs about one KvK number: the organisation (or null) and its
-- certificates, each as kr_certificate_json plus `events`.
CREATE FUNCTION kr_check_subject(kvk text) RETURNS json
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
  BEGIN
    RETURN (SELECT json_build_object(
      'organisation', (SELECT json_build_object('id', o.id, 'name', o.name, 'kvkNumber', o.kvk_number,
                         'city', o.city, 'municipalityCodes', o.municipality_codes)
                       FROM organisations o WHERE o.kvk_number = kvk),
      'certificates', (SELECT coalesce(json_agg((kr_certificate_json(c)::jsonb
                         || jsonb_build_object('events', kr_certificate_changes(c.id)))
                         ORDER BY c.valid_from, c.issued_at), '[]')
                       FROM certificates c JOIN organisations o ON o.id = c.organisation_id
                       WHERE o.kvk_number = kvk)));
  END $$;

CREATE TABLE certification_check_log (
  id                bigserial PRIMARY KEY,
  account_id        uuid NOT NULL REFERENCES accounts (id),
  municipality_code text NOT NULL,
  kvk_number        text NOT NULL,
  on_date           date NOT NULL,
  certified         boolean NOT NULL,
  asked_at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX certification_check_log_municipality ON certification_check_log (municipality_code, id);
CREATE INDEX certification_check_log_kvk ON certification_check_log (kvk_number, id);

CREATE TABLE webhook_subscriptions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id      uuid NOT NULL REFERENCES accounts (id),
  municipality_code text NOT NULL,
  target_url      text NOT NULL,
  event_types     text[] NOT NULL,
  kvk_numbers     text[] NOT NULL DEFAULT '{}',
  secret          text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  disabled_reason text,
  deleted_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webhook_subscriptions_page ON webhook_subscriptions (kr_sort_key(created_at), id);

CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions (id),
  event_id         bigint NOT NULL REFERENCES certificate_events (id),
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  first_attempt_at timestamptz,
  next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  lease_until      timestamptz,
  last_status_code integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (subscription_id, event_id)
  WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_page ON webhook_deliveries (subscription_id, kr_sort_key(created_at), id);

CREATE TABLE webhook_delivery_attempts (
  id           bigserial PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id),
  attempted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  status_code  integer,
  error        text,
  duration_ms  integer NOT NULL
);

-- Every event reaches the subscriptions that want it, in the transaction that writes it: an
-- event that commits is delivered at least once, whatever process stops when.
CREATE FUNCTION kr_fan_out_certificate_event() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO webhook_deliveries (subscription_id, event_id)
    SELECT s.id, NEW.id
    FROM webhook_subscriptions s
    JOIN certificates c ON c.id = NEW.certificate_id
    JOIN organisations o ON o.id = c.organisation_id
    WHERE s.active AND s.deleted_at IS NULL AND NEW.type = ANY (s.event_types)
      AND (cardinality(s.kvk_numbers) = 0 OR o.kvk_number = ANY (s.kvk_numbers));
    -- Wake the senders as soon as this commits (they also poll, should a notice be lost).
    IF FOUND THEN
      PERFORM pg_notify('kr_webhook_deliveries', '');
    END IF;
    RETURN NULL;
  END $$;

CREATE TRIGGER certificate_event_fan_out AFTER INSERT ON certificate_events
  FOR EACH ROW EXECUTE FUNCTION kr_fan_out_certificate_event();
