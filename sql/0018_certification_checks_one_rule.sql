-- kr_certification_checks (0012), kept for replicas of the previous version during a rolling
-- update, repeated the answering query of kr_certification_answers (0016): two copies of one rule
-- in the database. Now it answers through kr_certification_answers and logs as it did.
CREATE OR REPLACE FUNCTION kr_certification_checks(numbers text[], on_date date, account uuid,
                                                   municipality text, bulk boolean) RETURNS json
  LANGUAGE plpgsql
  AS $$
  DECLARE
    given record;
  BEGIN
    SELECT * INTO given FROM kr_certification_answers(numbers, on_date, bulk);
    IF municipality IS NOT NULL THEN
      PERFORM set_config('synchronous_commit', 'off', true);
      INSERT INTO certification_check_log (account_id, municipality_code, on_date, kvk_numbers, certified)
        VALUES (account, municipality, on_date, numbers, given.certified);
    END IF;
    RETURN given.answer;
  END $$;
