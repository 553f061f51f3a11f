"""Client authentication with HTTP Basic at the token endpoint (RFC 6749 section 2.3.1)."""

import base64
import urllib.parse

import kr_helpers as H
from kr_helpers import assert_problem

TOKEN = "/v1/auth/token"


def basic(client_id, secret):
    raw = f"{urllib.parse.quote_plus(client_id)}:{urllib.parse.quote_plus(secret)}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def test_client_credentials_in_basic_header(client, kr):
    acct = kr.make_account("municipality")
    r = client.post(TOKEN, data={"grant_type": "client_credentials"},
                    headers={"Authorization": basic(acct["username"], acct["password"])})
    assert r.status_code == 200, r.content
    body = r.json()
    assert "refresh_token" not in body
    claims = H.decode_jwt(body["access_token"])[1]
    assert claims["sub"] == acct["account"]["id"] and claims["role"] == "municipality"


def test_wrong_basic_secret_is_401_with_basic_challenge(client, kr):
    acct = kr.make_account("municipality")
    r = client.post(TOKEN, data={"grant_type": "client_credentials"},
                    headers={"Authorization": basic(acct["username"], acct["password"] + "x")})
    assert_problem(r, 401, slug="invalid-client", error="invalid_client")
    assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_credentials_in_header_and_body_is_400(client, kr):
    acct = kr.make_account("municipality")
    r = client.post(TOKEN, json={"grant_type": "client_credentials", "client_id": acct["username"],
                                 "client_secret": acct["password"]},
                    headers={"Authorization": basic(acct["username"], acct["password"])})
    assert_problem(r, 400, error="invalid_request", fields={"Authorization"})


def test_malformed_basic_header_is_400(client):
    for value in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic "):
        r = client.post(TOKEN, data={"grant_type": "client_credentials"}, headers={"Authorization": value})
        assert_problem(r, 400, error="invalid_request", fields={"Authorization"})
