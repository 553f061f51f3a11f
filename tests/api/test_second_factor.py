"""Admin accounts' second factor (TOTP, RFC 6238, with recovery codes) and machine clients'
secret rotation with an overlap."""

import base64
import hashlib
import hmac
import re
import struct
import time
import uuid

import pytest

from kr_helpers import assert_problem

ME_TOTP = "/v1/accounts/me/totp"
CONFIRM = "/v1/accounts/me/totp/confirmation"


def code_at(secret_b32, step):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1000000:06d}"


def step_now():
    return int(time.time()) // 30


def sign_in(kr, acct, totp=None):
    body = {"grant_type": "password", "username": acct["username"], "password": acct["password"]}
    if totp is not None:
        body["totp"] = totp
    return kr.token_request(body)


def enrol(client, kr):
    """A new admin with TOTP enabled: (account, secret, recovery codes, step its confirmation spent)."""
    acct = kr.make_account("admin")
    token = kr.token_for(acct)
    r = client.post(ME_TOTP, token=token)
    assert r.status_code == 200, r.content[:300]
    secret = r.json()["secret"]
    step = step_now()
    r = client.post(CONFIRM, token=token, json={"code": code_at(secret, step)})
    assert r.status_code == 200, r.content[:300]
    return acct, token, secret, r.json()["recoveryCodes"], step


def test_enrolment_shows_secret_and_needs_the_current_code(client, kr):
    acct = kr.make_account("admin")
    token = kr.token_for(acct)
    r = client.post(ME_TOTP, token=token)
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    assert body["digits"] == 6 and body["period"] == 30 and body["algorithm"] == "SHA1"
    assert body["otpauthUri"].startswith("otpauth://totp/Kwaliteitsregister:")
    assert f"secret={body['secret']}" in body["otpauthUri"] and "issuer=Kwaliteitsregister" in body["otpauthUri"]
    assert "no-store" in r.headers.get("Cache-Control", "")
    # a wrong code and a malformed one are named; nothing is enabled yet
    wrong = str((int(code_at(body["secret"], step_now())) + 1) % 1000000).zfill(6)
    assert_problem(client.post(CONFIRM, token=token, json={"code": wrong}), 400, fields=["code"])
    assert_problem(client.post(CONFIRM, token=token, json={"code": "12ab56"}), 400, fields=["code"])
    assert_problem(client.post(CONFIRM, token=token, json={}), 400, fields=["code"])
    assert client.get("/v1/accounts/me", token=token).json()["totpEnabled"] is False
    # the right one enables it and gives ten recovery codes, once
    r = client.post(CONFIRM, token=token, json={"code": code_at(body["secret"], step_now())})
    assert r.status_code == 200, r.content[:300]
    codes = r.json()["recoveryCodes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-7]{5}-[A-Z2-7]{5}", c) for c in codes)
    assert client.get("/v1/accounts/me", token=token).json()["totpEnabled"] is True
    assert_problem(client.post(ME_TOTP, token=token), 409)
    assert_problem(client.post(CONFIRM, token=token, json={"code": "123456"}), 409)
    # only hashes are kept
    rows = kr.sql(f"select count(*) from totp_recovery_codes where code_hash = '{codes[0]}'")
    assert rows == [("0",)]


def test_sign_in_needs_a_right_unused_code(client, kr):
    acct, _, secret, _, spent = enrol(client, kr)
    r = sign_in(kr, acct)
    assert_problem(r, 400, error="invalid_grant", fields=["totp"])
    assert "second factor" in r.json()["error_description"]
    wrong = str((int(code_at(secret, spent + 1)) + 7) % 1000000).zfill(6)
    assert_problem(sign_in(kr, acct, wrong), 400, error="invalid_grant", fields=["totp"])
    # the code the confirmation used is spent, and so is any earlier one
    assert_problem(sign_in(kr, acct, code_at(secret, spent)), 400, error="invalid_grant", fields=["totp"])
    # the next step's code (a clock one step ahead) works once
    later = code_at(secret, spent + 1)
    r = sign_in(kr, acct, later)
    assert r.status_code == 200, r.content[:300]
    assert client.get("/v1/accounts/me", token=r.json()["access_token"]).status_code == 200
    assert_problem(sign_in(kr, acct, later), 400, error="invalid_grant")
    # a wrong password with a right code says only that the credentials are wrong
    r = kr.token_request({"grant_type": "password", "username": acct["username"], "password": "not-it-at-all",
                          "totp": code_at(secret, spent + 1)})
    assert_problem(r, 400, error="invalid_grant")
    assert "totp" not in str(r.json().get("errors", []))


def test_recovery_codes_work_once(client, kr):
    acct, _, _, codes, _ = enrol(client, kr)
    r = sign_in(kr, acct, codes[3].lower().replace("-", " "))  # as a person might type it
    assert r.status_code == 200, r.content[:300]
    assert_problem(sign_in(kr, acct, codes[3]), 400, error="invalid_grant", fields=["totp"])
    assert sign_in(kr, acct, codes[4]).status_code == 200
    assert_problem(sign_in(kr, acct, "AAAAA-AAAAA"), 400, error="invalid_grant")
    assert_problem(sign_in(kr, acct, "x" * 33), 400, error="invalid_request", fields=["totp"])


def test_another_admin_removes_a_lost_second_factor(client, kr, admin_token):
    acct, token, _, _, _ = enrol(client, kr)
    assert_problem(client.delete(f"/v1/accounts/{acct['account']['id']}/totp", token=token), 409)  # own
    r = client.delete(f"/v1/accounts/{acct['account']['id']}/totp", token=admin_token)
    assert r.status_code == 204, r.content[:300]
    assert sign_in(kr, acct).status_code == 200
    assert_problem(client.delete(f"/v1/accounts/{acct['account']['id']}/totp", token=admin_token), 409)
    assert_problem(client.delete(f"/v1/accounts/{uuid.uuid4()}/totp", token=admin_token), 404)
    person = kr.make_account("organisation")
    assert_problem(client.delete(f"/v1/accounts/{person['account']['id']}/totp", token=admin_token), 409)
    assert_problem(client.delete("/v1/accounts/not-a-uuid/totp", token=admin_token), 400, fields=["accountId"])


def test_only_admins_enrol(client, kr):
    person = kr.make_account("professional")
    assert_problem(client.post(ME_TOTP, token=kr.token_for(person)), 403)
    assert_problem(client.post(ME_TOTP), 401)


# ------------------------------------------------------------------ client secret rotation


def rotation(account_id):
    return f"/v1/accounts/{account_id}/secret-rotation"


def test_rotation_keeps_the_old_secret_for_the_overlap(client, kr, admin_token):
    machine = kr.make_account("municipality")
    r = client.post(rotation(machine["account"]["id"]), token=admin_token, json={"overlapSeconds": 3})
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    new_secret = body["clientSecret"]
    assert len(new_secret) >= 43 and new_secret != machine["password"]
    assert body["account"]["id"] == machine["account"]["id"] and body["account"]["previousSecretValidUntil"]
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert kr.client_credentials(machine["username"], new_secret)["access_token"]
    assert kr.client_credentials(machine["username"], machine["password"])["access_token"]  # overlap
    time.sleep(3.5)
    r = kr.token_request({"grant_type": "client_credentials", "client_id": machine["username"],
                          "client_secret": machine["password"]})
    assert_problem(r, 401, slug="invalid-client", error="invalid_client")
    assert kr.client_credentials(machine["username"], new_secret)["access_token"]
    shown = client.get(f"/v1/accounts/{machine['account']['id']}", token=admin_token).json()
    assert "previousSecretValidUntil" not in shown


def test_rotation_without_overlap_and_twice(client, kr, admin_token):
    machine = kr.make_account("certifier")
    first = client.post(rotation(machine["account"]["id"]), token=admin_token, json={"overlapSeconds": 0})
    assert first.status_code == 200
    assert "previousSecretValidUntil" not in first.json()["account"]
    r = kr.token_request({"grant_type": "client_credentials", "client_id": machine["username"],
                          "client_secret": machine["password"]})
    assert_problem(r, 401, slug="invalid-client", error="invalid_client")
    # default overlap (a day): the first rotation's secret stays valid, the original does not
    second = client.post(rotation(machine["account"]["id"]), token=admin_token, json={})
    assert second.status_code == 200
    assert kr.client_credentials(machine["username"], first.json()["clientSecret"])["access_token"]
    assert kr.client_credentials(machine["username"], second.json()["clientSecret"])["access_token"]
    r = kr.token_request({"grant_type": "client_credentials", "client_id": machine["username"],
                          "client_secret": machine["password"]})
    assert_problem(r, 401, slug="invalid-client", error="invalid_client")


@pytest.mark.parametrize("body", [{"overlapSeconds": -1}, {"overlapSeconds": 2592001},
                                  {"overlapSeconds": "60"}, {"overlapSeconds": 1.5}, {"other": 1}])
def test_rotation_bad_bodies(client, kr, admin_token, body):
    machine = kr.make_account("municipality")
    r = client.post(rotation(machine["account"]["id"]), token=admin_token, json=body)
    assert_problem(r, 400, fields=[next(iter(body))])


def test_rotation_refusals(client, kr, admin_token):
    person = kr.make_account("organisation")
    assert_problem(client.post(rotation(person["account"]["id"]), token=admin_token, json={}), 409)
    assert_problem(client.post(rotation(str(uuid.uuid4())), token=admin_token, json={}), 404)
    machine = kr.make_account("municipality")
    assert_problem(client.post(rotation(machine["account"]["id"]), token=kr.token_for(machine), json={}), 403)


# ------------------------------------------------------------------ ADMIN_SECOND_FACTOR=required


def test_required_second_factor_leaves_only_enrolment_open(kr, spawn_server):
    _, strict = spawn_server({"ADMIN_SECOND_FACTOR": "required"})
    acct = kr.make_account("admin")
    tokens = sign_in(kr, acct).json()  # the password alone still signs in ...
    token = tokens["access_token"]
    r = strict.get("/v1/accounts", token=token)  # ... but reaches nothing else than enrolment
    assert_problem(r, 403)
    assert "second factor" in r.json()["detail"]
    assert strict.get("/v1/accounts/me", token=token).status_code == 200
    secret = strict.post(ME_TOTP, token=token).json()["secret"]
    step = step_now()
    r = strict.post(CONFIRM, token=token, json={"code": code_at(secret, step)})
    assert r.status_code == 200, r.content[:300]
    assert_problem(strict.get("/v1/accounts", token=token), 403)  # the old token stays limited
    full = sign_in(kr, acct, code_at(secret, step + 1)).json()
    assert strict.get("/v1/accounts", token=full["access_token"]).status_code == 200
    # a refreshed token keeps the second factor of the sign-in that began its family
    refreshed = kr.token_request({"grant_type": "refresh_token", "refresh_token": full["refresh_token"]}).json()
    assert strict.get("/v1/accounts", token=refreshed["access_token"]).status_code == 200
    old = kr.token_request({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}).json()
    assert_problem(strict.get("/v1/accounts", token=old["access_token"]), 403)
    # other roles are not concerned
    person = kr.make_account("organisation")
    assert strict.get("/v1/accounts/me", token=kr.token_for(person)).status_code == 200
