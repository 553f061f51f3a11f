"""The audit trail: every write and every read of personal data appends who, what, when and the
request id; never a password, token or body; append-only for the service's own database role;
GET /v1/audit-trail for admin, filtered and keyset-paged."""

import uuid

import pytest

import register_helpers as R
from kr_helpers import assert_problem

TRAIL = "/v1/audit-trail"


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


def trail(client, token, expect=200, **params):
    r = client.get(TRAIL, token=token, params=params)
    assert r.status_code == expect, r.content[:500]
    return r.json()


def entries_for_request(client, admin, request_id, **params):
    items = trail(client, admin, limit=100, **params)["items"]
    return [e for e in items if e["requestId"] == request_id]


def test_reads_of_personal_data_name_who_what_and_request(client, kr, rg, admin_token):
    p = rg.new()
    rid = f"audit-read-{uuid.uuid4().hex[:12]}"
    r = client.get(f"{R.PROFS}/{p['id']}", token=admin_token, headers={"X-Request-Id": rid})
    assert r.status_code == 200
    admin_id = rg.admin_id()
    [entry] = entries_for_request(client, admin_token, rid, objectId=p["id"])
    assert entry["accountId"] == admin_id and entry["role"] == "admin"
    assert entry["method"] == "GET" and entry["route"] == "/v1/professionals/{professionalId}"
    assert entry["objectIds"] == [p["id"]] and entry["status"] == 200 and entry["at"]

    # the professional reading their own export, and another one trying: both are in it
    rid_own, rid_other = f"own-{uuid.uuid4().hex[:12]}", f"other-{uuid.uuid4().hex[:12]}"
    assert client.get(f"{R.PROFS}/{p['id']}/export", token=p["token"],
                      headers={"X-Request-Id": rid_own}).status_code == 200
    q = rg.new()
    refused = client.get(f"{R.PROFS}/{p['id']}/export", token=q["token"], headers={"X-Request-Id": rid_other})
    assert refused.status_code in (403, 404)
    [own] = entries_for_request(client, admin_token, rid_own, accountId=p["account_id"])
    assert own["role"] == "professional" and own["route"] == "/v1/professionals/{professionalId}/export"
    [other] = entries_for_request(client, admin_token, rid_other, objectId=p["id"])
    assert other["accountId"] == q["account_id"] and other["status"] == refused.status_code


def test_writes_are_kept_with_the_object_they_created(client, kr, rg, admin_token):
    prof = rg.create_professional()
    rid = f"audit-account-{uuid.uuid4().hex[:12]}"
    password = "Audit-trail-" + uuid.uuid4().hex
    r = client.post("/v1/accounts", token=admin_token, headers={"X-Request-Id": rid},
                    json={"username": f"audit.{uuid.uuid4().hex[:10]}", "password": password,
                          "role": "professional", "professionalId": prof["id"]})
    assert r.status_code == 201, r.content[:300]
    created = r.json()["id"]
    [entry] = entries_for_request(client, admin_token, rid, objectId=created)
    assert entry["role"] == "admin" and entry["accountId"] == rg.admin_id()
    assert entry["method"] == "POST" and entry["route"] == "/v1/accounts" and entry["status"] == 201
    assert entry["objectIds"] == [created]
    # no body: neither the password nor the name is anywhere in the trail
    rows = kr.sql("select count(*) from audit_trail t where row_to_json(t)::text like "
                  f"'%{password}%' or row_to_json(t)::text like '%{prof['familyName']}%'")
    assert rows == [("0",)]
    # a signed-in caller's refused write is kept too, with its status
    rid2 = f"audit-refused-{uuid.uuid4().hex[:12]}"
    assert client.post("/v1/accounts", token=admin_token, json={}, headers={"X-Request-Id": rid2}).status_code == 400
    [refused] = entries_for_request(client, admin_token, rid2, accountId=entry["accountId"])
    assert refused["status"] == 400 and refused["objectIds"] == []


def test_a_token_in_the_path_is_never_kept(client, kr, rg, admin_token):
    prof = rg.create_professional()
    rows = kr.sql("select vars->>'token' from mail_outbox where template = 'email_verification'"
                  f" and to_address = '{prof['email']}' order by id desc limit 1")
    token = rows[0][0]
    rid = f"audit-verify-{uuid.uuid4().hex[:12]}"
    assert client.post(f"/v1/email-verifications/{token}", headers={"X-Request-Id": rid}).status_code == 204
    [entry] = entries_for_request(client, admin_token, rid)
    assert entry["route"] == "/v1/email-verifications/{token}" and entry["objectIds"] == []
    assert "accountId" not in entry and "role" not in entry and entry["status"] == 204  # not signed in
    assert kr.sql(f"select count(*) from audit_trail t where row_to_json(t)::text like '%{token}%'") == [("0",)]


def test_public_reads_and_the_bulk_check_are_not_kept(client, kr, admin_token):
    rid = f"audit-public-{uuid.uuid4().hex[:12]}"
    assert client.get("/v1/certificates", headers={"X-Request-Id": rid}).status_code == 200
    rid2 = f"audit-bulk-{uuid.uuid4().hex[:12]}"
    r = client.post("/v1/certification-checks", token=admin_token, json={"kvkNumbers": ["12345678"]},
                    headers={"X-Request-Id": rid2})
    assert r.status_code == 200, r.content[:300]
    assert kr.sql(f"select count(*) from audit_trail where request_id in ('{rid}', '{rid2}')") == [("0",)]
    # anonymous failures are not kept either (they did nothing): an unknown verification link
    rid3 = f"audit-bad-{uuid.uuid4().hex[:12]}"
    assert client.post("/v1/email-verifications/" + "A" * 43, headers={"X-Request-Id": rid3}).status_code == 404
    assert kr.sql(f"select count(*) from audit_trail where request_id = '{rid3}'") == [("0",)]


def test_the_trail_is_append_only_for_the_service_role(kr, client, admin_token):
    client.get("/v1/accounts/me", token=admin_token)  # at least one row
    count_before = int(kr.sql("select count(*) from audit_trail")[0][0])
    assert count_before > 0
    for statement in ("update audit_trail set status = 200", "delete from audit_trail", "truncate audit_trail"):
        with pytest.raises(RuntimeError, match="append-only"):
            kr.sql(statement)
    assert int(kr.sql("select count(*) from audit_trail")[0][0]) >= count_before


def test_filters_and_pages(client, kr, rg, admin_token):
    p = rg.new()
    for _ in range(3):
        assert client.get(f"{R.PROFS}/{p['id']}/history", token=p["token"]).status_code == 200
    first = trail(client, admin_token, accountId=p["account_id"], objectId=p["id"], limit=2)
    assert len(first["items"]) == 2 and first["nextCursor"]
    second = trail(client, admin_token, accountId=p["account_id"], objectId=p["id"], limit=2,
                   cursor=first["nextCursor"])
    seen = [e["id"] for e in first["items"] + second["items"]]
    assert len(seen) == len(set(seen)) >= 3
    ats = [e["at"] for e in first["items"] + second["items"]]
    assert ats == sorted(ats, reverse=True)  # newest first
    assert all(e["accountId"] == p["account_id"] for e in first["items"] + second["items"])

    newest = first["items"][0]["at"]
    assert trail(client, admin_token, objectId=p["id"], **{"from": "2999-01-01T00:00:00Z"})["items"] == []
    assert trail(client, admin_token, objectId=p["id"], to="2000-01-01T00:00:00+01:00")["items"] == []
    window = trail(client, admin_token, objectId=p["id"], **{"from": "2000-01-01T00:00:00Z"},
                   to="2999-12-31T23:59:59.5Z")
    assert window["items"] and window["items"][0]["at"] == newest


@pytest.mark.parametrize("params,field", [
    ({"accountId": "nope"}, "accountId"),
    ({"objectId": ""}, "objectId"),
    ({"objectId": "x" * 300}, "objectId"),
    ({"from": "2026-13-01T00:00:00Z"}, "from"),
    ({"from": "2026-11-30"}, "from"),
    ({"to": "2026-11-30T25:00:00Z"}, "to"),
    ({"to": "2026-11-30T12:00:00+1:00"}, "to"),
    ({"limit": "0"}, "limit"),
    ({"cursor": "bogus"}, "cursor"),
    ({"sort": "asc"}, "sort"),
])
def test_bad_queries_are_named(client, admin_token, params, field):
    r = client.get(TRAIL, token=admin_token, params=params)
    assert_problem(r, 400)
    assert field in [e["field"] for e in r.json()["errors"]]


def test_only_admin_reads_the_trail(client, kr, rg):
    p = rg.new()
    assert_problem(client.get(TRAIL, token=p["token"]), 403)
    assert_problem(client.get(TRAIL), 401)


def test_a_read_that_cannot_be_recorded_is_not_answered(client, kr, rg, admin_token):
    p = rg.new()
    route = "/v1/professionals/{professionalId}/history"
    kr.sql("create function pg_temp_refuse() returns trigger language plpgsql as $$ begin "
           f"if new.route = '{route}' then raise exception 'refused by test'; end if; return new; end $$")
    kr.sql("create trigger audit_refuse_test before insert on audit_trail for each row "
           "execute function pg_temp_refuse()")
    try:
        r = client.get(f"{R.PROFS}/{p['id']}/history", token=p["token"])
        assert_problem(r, 503)
        assert "audit trail" in r.json()["detail"]
        # other reads still work
        assert client.get(f"{R.PROFS}/{p['id']}", token=p["token"]).status_code == 200
    finally:
        kr.sql("drop trigger audit_refuse_test on audit_trail")
        kr.sql("drop function pg_temp_refuse()")
    assert client.get(f"{R.PROFS}/{p['id']}/history", token=p["token"]).status_code == 200


def test_a_sign_in_names_the_account_and_a_failed_one_nobody(client, kr):
    acct = kr.make_account("organisation")
    rid, rid_bad = f"audit-signin-{uuid.uuid4().hex[:12]}", f"audit-bad-signin-{uuid.uuid4().hex[:12]}"
    body = {"grant_type": "password", "username": acct["username"], "password": acct["password"]}
    assert client.post("/v1/auth/token", json=body, headers={"X-Request-Id": rid}).status_code == 200
    assert client.post("/v1/auth/token", json=dict(body, password="wrong-password-x"),
                       headers={"X-Request-Id": rid_bad}).status_code == 400
    rows = kr.sql(f"select account_id, role, status from audit_trail where request_id = '{rid}'")
    assert rows == [(acct["account"]["id"], "organisation", "200")]
    assert kr.sql(f"select count(*) from audit_trail where request_id = '{rid_bad}'") == [("0",)]
