"""Account control: the label office deactivates an account at once (no sign-in, no refresh, its
access tokens refused on every replica within a second) and reactivates it."""

import time

import pytest

from kr_helpers import assert_problem

REASON = "Accreditation withdrawn by the Raad voor Accreditatie."


def deactivation(account_id):
    return f"/v1/accounts/{account_id}/deactivation"


def reactivation(account_id):
    return f"/v1/accounts/{account_id}/reactivation"


def _me(c, token):
    return c.get("/v1/accounts/me", token=token)


def test_deactivation_cuts_tokens_sign_in_and_refresh(client, kr, admin_token):
    acct = kr.make_account("professional")
    tokens = kr.login(acct["username"], acct["password"])
    assert _me(client, tokens["access_token"]).status_code == 200

    r = client.post(deactivation(acct["account"]["id"]), token=admin_token, json={"reason": REASON})
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    assert body["active"] is False and body["deactivationReason"] == REASON and body["deactivatedAt"]

    r = _me(client, tokens["access_token"])
    assert_problem(r, 401)
    assert "revoked" in r.headers["WWW-Authenticate"]
    r = kr.token_request({"grant_type": "password", "username": acct["username"], "password": acct["password"]})
    assert_problem(r, 400, error="invalid_grant")
    assert "deactivated" in r.json()["error_description"]
    r = kr.token_request({"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]})
    assert_problem(r, 400, error="invalid_grant")
    # a wrong password still says only that the credentials are wrong
    r = kr.token_request({"grant_type": "password", "username": acct["username"], "password": "wrong-password-x"})
    assert "deactivated" not in r.json()["error_description"]

    again = client.post(deactivation(acct["account"]["id"]), token=admin_token, json={"reason": REASON})
    assert_problem(again, 409)
    shown = client.get(f"/v1/accounts/{acct['account']['id']}", token=admin_token).json()
    assert shown["active"] is False and shown["deactivationReason"] == REASON


def test_reactivation_opens_sign_in_but_not_old_tokens(client, kr, admin_token):
    acct = kr.make_account("organisation")
    old = kr.login(acct["username"], acct["password"])["access_token"]
    assert client.post(deactivation(acct["account"]["id"]), token=admin_token,
                       json={"reason": REASON}).status_code == 200
    r = client.post(reactivation(acct["account"]["id"]), token=admin_token)
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    assert body["active"] is True and "deactivatedAt" not in body and "deactivationReason" not in body
    assert_problem(client.post(reactivation(acct["account"]["id"]), token=admin_token), 409)
    assert_problem(_me(client, old), 401)
    time.sleep(1.1)  # tokens are cut to the second: a new one is issued in a later one
    new = kr.login(acct["username"], acct["password"])["access_token"]
    assert _me(client, new).status_code == 200


def test_deactivated_machine_client_cannot_sign_in(client, kr, admin_token):
    machine = kr.make_account("municipality")
    assert client.post(deactivation(machine["account"]["id"]), token=admin_token,
                       json={"reason": REASON}).status_code == 200
    r = kr.token_request({"grant_type": "client_credentials", "client_id": machine["username"],
                          "client_secret": machine["password"]})
    assert_problem(r, 401, slug="invalid-client", error="invalid_client")


def test_second_replica_refuses_within_a_second(client, kr, admin_token, spawn_server):
    _, other = spawn_server()
    acct = kr.make_account("certifier")
    token = kr.token_for(acct)
    assert _me(other, token).status_code == 200
    assert client.post(deactivation(acct["account"]["id"]), token=admin_token,
                       json={"reason": REASON}).status_code == 200
    started = time.monotonic()
    while _me(other, token).status_code == 200:
        assert time.monotonic() - started < 1.0, "the other replica still accepts the token"
        time.sleep(0.02)
    print(f"\nanother replica refused the token {(time.monotonic() - started) * 1000:.0f} ms after the deactivation")
    assert_problem(_me(other, token), 401)


def test_admin_cannot_deactivate_self(client, kr):
    admin = kr.make_account("admin")
    token = kr.login(admin["username"], admin["password"])["access_token"]
    r = client.post(deactivation(admin["account"]["id"]), token=token, json={"reason": REASON})
    assert_problem(r, 409)
    assert _me(client, token).status_code == 200


@pytest.mark.parametrize("body,field", [
    ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "x" * 501}, "reason"),
    ({"reason": 5}, "reason"), ({"reason": REASON, "until": "2027-01-01"}, "until"),
])
def test_bad_deactivation_bodies(client, kr, admin_token, body, field):
    acct = kr.make_account("professional")
    r = client.post(deactivation(acct["account"]["id"]), token=admin_token, json=body)
    problem = assert_problem(r, 400)
    assert field in [e["field"] for e in problem["errors"]]
    assert client.get(f"/v1/accounts/{acct['account']['id']}", token=admin_token).json()["active"] is True


def test_deactivation_needs_admin_and_an_account(client, kr, admin_token):
    acct = kr.make_account("professional")
    own = kr.login(acct["username"], acct["password"])["access_token"]
    assert_problem(client.post(deactivation(acct["account"]["id"]), token=own, json={"reason": REASON}), 403)
    assert_problem(client.post(reactivation(acct["account"]["id"]), token=own), 403)
    assert_problem(client.post(deactivation(acct["account"]["id"]), json={"reason": REASON}), 401)
    missing = "6f1d2c1e-0000-4000-8000-00000000dead"
    assert_problem(client.post(deactivation(missing), token=admin_token, json={"reason": REASON}), 404)
    assert_problem(client.post(reactivation(missing), token=admin_token), 404)
    problem = assert_problem(client.post(deactivation("nope"), token=admin_token, json={"reason": REASON}), 400)
    assert [e["field"] for e in problem["errors"]] == ["accountId"]
