-- The audit trail (issue 10): who did what, and who read whose personal data. The edge
-- (http/edge.c, audit/trail.h) appends one row for every write and every read of personal data,
-- before the answer leaves the service. A row names the account and its role (NULL for a caller
-- that is not signed in), the route's template and method, the objects the path names (and the
-- object a write created), the answer's status and the request id. It never holds a password, a
-- token (a {token} path segment is left out) or a body.
--
-- Append-only: the service's database role has no UPDATE, DELETE or TRUNCATE on it, and a trigger
-- refuses them for every role (a superuser included) short of one that drops the trigger.
CREATE TABLE audit_trail (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  account_id  uuid,
  role        text CHECK (role IN ('admin', 'professional', 'organisation', 'certifier', 'municipality')),
  method      text NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
  route       text NOT NULL CHECK (char_length(route) BETWEEN 1 AND 200),
  object_ids  text[] NOT NULL DEFAULT '{}'
              CHECK (cardinality(object_ids) <= 5 AND array_position(object_ids, NULL) IS NULL),
  status      smallint NOT NULL CHECK (status BETWEEN 100 AND 599),
  request_id  text NOT NULL CHECK (char_length(request_id) BETWEEN 1 AND 128),
  CHECK ((account_id IS NULL) = (role IS NULL))
);
-- Newest first, for the whole trail, one account's, or a time range; GIN for "who touched X".
CREATE INDEX audit_trail_page ON audit_trail (kr_sort_key(at), id);
CREATE INDEX audit_trail_account ON audit_trail (account_id, kr_sort_key(at), id);
CREATE INDEX audit_trail_objects ON audit_trail USING gin (object_ids);

CREATE FUNCTION kr_audit_trail_refuse() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
  END $$;
CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON audit_trail
  FOR EACH ROW EXECUTE FUNCTION kr_audit_trail_refuse();
CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail
  FOR EACH STATEMENT EXECUTE FUNCTION kr_audit_trail_refuse();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_trail FROM PUBLIC;
DO $$ BEGIN
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_trail FROM %I', current_user);
END $$;

CREATE FUNCTION kr_audit_entry_json(t audit_trail) RETURNS json
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT json_strip_nulls(json_build_object(
      'id', t.id,
      'at', kr_utc(t.at),
      'accountId', t.account_id,
      'role', t.role,
      'method', t.method,
      'route', t.route,
      'objectIds', t.object_ids,
      'status', t.status,
      'requestId', t.request_id))
  $$;
