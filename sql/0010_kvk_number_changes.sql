-- A KvK number is the legal entity's identity, and a certificate follows its organisation's. Only
-- the label office changes the number, with a reason; the change is kept in the organisation's
-- history, and each certificate still running gets a `kvk_number_changed` event, so that
-- municipalities following the feed or a webhook learn the new number (and those following the
-- old one hear of it). Every event keeps the KvK number it was recorded under.

CREATE TABLE organisation_history (
  id               bigserial PRIMARY KEY,
  organisation_id  uuid NOT NULL REFERENCES organisations (id),
  field            text NOT NULL CHECK (field IN ('kvkNumber')),
  previous_value   text NOT NULL,
  value            text NOT NULL,
  reason           text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  effective_on     date NOT NULL,
  changed_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  changed_by       uuid REFERENCES accounts (id)
);
CREATE INDEX organisation_history_organisation ON organisation_history (organisation_id, id);

ALTER TABLE certificate_events DROP CONSTRAINT certificate_events_type_check;
ALTER TABLE certificate_events ADD CONSTRAINT certificate_events_type_check
  CHECK (type IN ('issued', 'suspended', 'reinstated', 'withdrawn', 'expired', 'kvk_number_changed'));
ALTER TABLE certificate_events ADD COLUMN kvk_number text, ADD COLUMN previous_kvk_number text;
UPDATE certificate_events e SET kvk_number = o.kvk_number
  FROM certificates c JOIN organisations o ON o.id = c.organisation_id WHERE c.id = e.certificate_id;
ALTER TABLE certificate_events ALTER COLUMN kvk_number SET NOT NULL,
  ADD CONSTRAINT certificate_events_previous_kvk
  CHECK ((type = 'kvk_number_changed') = (previous_kvk_number IS NOT NULL));

-- Ids in commit order (as in 0003), and the KvK number the event is recorded under.
CREATE OR REPLACE FUNCTION kr_certificate_event_id() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(727073690005);
    NEW.id := nextval('certificate_events_id_seq');
    IF NEW.kvk_number IS NULL THEN
      NEW.kvk_number := (SELECT o.kvk_number FROM certificates c JOIN organisations o ON o.id = c.organisation_id
                         WHERE c.id = NEW.certificate_id);
    END IF;
    RETURN NEW;
  END $$;

-- Deliveries by the number an event was recorded under, and for a change also by the old one.
CREATE OR REPLACE FUNCTION kr_fan_out_certificate_event() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO webhook_deliveries (subscription_id, event_id)
    SELECT s.id, NEW.id
    FROM webhook_subscriptions s
    WHERE s.active AND s.deleted_at IS NULL AND NEW.type = ANY (s.event_types)
      AND (cardinality(s.kvk_numbers) = 0 OR NEW.kvk_number = ANY (s.kvk_numbers)
           OR NEW.previous_kvk_number = ANY (s.kvk_numbers));
    IF FOUND THEN
      PERFORM pg_notify('kr_webhook_deliveries', '');
    END IF;
    RETURN NULL;
  END $$;
