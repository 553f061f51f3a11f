-- An erased record (sql/0026) takes no new personal data: a development plan, an activity (or an
-- activity's text other than the erasure's own '[erased]'), evidence or a code-of-conduct
-- acceptance for an erased professional is refused (SQLSTATE 23503, answered 409 like a write
-- whose object no longer stands), by whoever tries, the register office included.
CREATE FUNCTION kr_erased_record_closed() RETURNS trigger
  LANGUAGE plpgsql AS $$
  DECLARE
    owner uuid;
  BEGIN
    IF TG_TABLE_NAME = 'evidence_files' THEN
      SELECT a.professional_id INTO owner FROM development_activities a WHERE a.id = NEW.activity_id;
    ELSE
      owner := NEW.professional_id;
    END IF;
    IF TG_TABLE_NAME = 'development_activities' AND TG_OP = 'UPDATE' THEN
      -- (nested: PL/pgSQL resolves NEW.title when the expression runs, and only this table has it)
      IF NEW.title = '[erased]' THEN
        RETURN NEW; -- the erasure's own anonymisation
      END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM professionals p WHERE p.id = owner AND p.erased_at IS NOT NULL) THEN
      RAISE EXCEPTION 'the professional''s record is erased' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
  END $$;

CREATE TRIGGER erased_record_closed BEFORE INSERT OR UPDATE ON development_plans
  FOR EACH ROW EXECUTE FUNCTION kr_erased_record_closed();
CREATE TRIGGER erased_record_closed BEFORE INSERT OR UPDATE ON development_activities
  FOR EACH ROW EXECUTE FUNCTION kr_erased_record_closed();
CREATE TRIGGER erased_record_closed BEFORE INSERT ON evidence_files
  FOR EACH ROW EXECUTE FUNCTION kr_erased_record_closed();
CREATE TRIGGER erased_record_closed BEFORE INSERT ON code_of_conduct_acceptances
  FOR EACH ROW EXECUTE FUNCTION kr_erased_record_closed();
