-- An erasure (sql/0026) ends the professional's proposed and confirmed employer links (sql/0030),
-- by the admin who erased, on the same commit: an organisation keeps no link to a person the
-- register no longer names. A constraint trigger deferred to the commit, so that it sees the
-- erasure's history row (who erased) whichever order kr_professional_erase writes in.
CREATE FUNCTION kr_erasure_ends_employments() RETURNS trigger
  LANGUAGE plpgsql AS $$
  DECLARE
    eraser uuid;
  BEGIN
    SELECT h.recorded_by INTO eraser FROM professional_history h
      WHERE h.professional_id = NEW.id AND h.type = 'erased' ORDER BY h.id DESC LIMIT 1;
    IF eraser IS NULL THEN
      RETURN NULL; -- no one to name: the links stay (the reads hide an erased professional)
    END IF;
    UPDATE employments SET state = 'ended', ended_at = clock_timestamp(), ended_by = eraser,
                           ended_by_party = 'admin',
                           until_on = CASE WHEN until_on IS NULL OR until_on > current_date
                                           THEN greatest(from_on, current_date) ELSE until_on END
      WHERE professional_id = NEW.id AND state IN ('proposed', 'confirmed');
    RETURN NULL;
  END $$;

CREATE CONSTRAINT TRIGGER erasure_ends_employments AFTER UPDATE OF erased_at ON professionals
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
  EXECUTE FUNCTION kr_erasure_ends_employments();
