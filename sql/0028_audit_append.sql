-- The audit trail's row is appended by one function whose transaction commits without waiting
-- for the WAL flush (synchronous_commit off for that transaction alone). The row follows a write
-- that was itself committed durably, or a read; PostgreSQL still writes it in order, and a crash
-- of the database (not of the service) can lose at most the last wal_writer_delay of rows.
-- Measured (bench/read-path, outcome PUT at 16 connections): the separate durable commit of the
-- row cost more PostgreSQL time than the row itself.
CREATE FUNCTION kr_audit_append(account uuid, account_role text, http_method text, route_template text,
                                objects text[], answer_status smallint, request text)
  RETURNS void
  LANGUAGE sql AS $$
    SELECT set_config('synchronous_commit', 'off', true);
    INSERT INTO audit_trail (account_id, role, method, route, object_ids, status, request_id)
      VALUES (account, account_role, http_method, route_template, objects, answer_status, request);
  $$;
