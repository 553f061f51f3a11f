"""/v1/certificates/{certificateNumber}/attestation and /v1/attestation-keys: ES256 attestations
signed with the active key (k2) of a server of this module's own (keys k1 and k2 made with the
openssl CLI), verified here independently with python3-cryptography (and python3-jwt), the JWK Set,
claims on a date, tampering, roles, and a server without keys."""

import os
import time

import pytest

import kr_helpers as H
import label_helpers as L
import municipal_helpers as M
from kr_helpers import assert_problem

KEYS, CERTS = M.KEYS, M.CERTS
TTL = 3600
JWK_KEYS = {"kty", "crv", "x", "y", "kid", "use", "alg"}
CLAIMS = {"iss", "iat", "exp", "jti", "sub", "certificateNumber", "kvkNumber", "organisationName", "on",
          "status", "certified", "validFrom", "validUntil", "frameworkVersion"}


@pytest.fixture(scope="module")
def att(pg, contract):
    keys_dir = M.make_ec_keys(["k1", "k2"])
    srv = None
    problems = []
    try:
        srv = M.ExtraServer(pg, contract, {"ATTESTATION_KEYS_DIR": keys_dir, "ATTESTATION_ACTIVE_KID": "k2",
                                           "ATTESTATION_TTL_SECONDS": str(TTL)}, name="attestation-server")
        srv.keys_dir = keys_dir
        yield srv
    finally:
        if srv is not None:
            problems = srv.close()
        M.remove_dir(keys_dir)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


@pytest.fixture
def muni_token(lb):
    return lb.municipality(L.random_gm())[1]


def jwks(c):
    r = c.get(KEYS)
    assert r.status_code == 200, f"GET {KEYS}: {r.status_code} {r.content[:500]!r}"
    return r.json()["keys"]


def attest(c, token, number, on=None):
    params = {"on": on} if on is not None else None
    r = c.get(f"{CERTS}/{number}/attestation", token=token, params=params)
    assert r.status_code == 200, f"attestation {number} on {on}: {r.status_code} {r.content[:800]!r}"
    body = r.json()
    assert set(body) == {"attestation", "kid", "expiresAt"}, body
    return body


def verified_claims(att_srv, body):
    """Header and claims of an attestation after independent verification with the published k2."""
    token = body["attestation"]
    header, claims = H.decode_jwt(token)
    assert header.get("alg") == "ES256" and header.get("typ") == "JWT" and header.get("kid") == "k2", header
    assert body["kid"] == "k2"
    keys = {k["kid"]: k for k in jwks(att_srv.client)}
    assert M.es256_verify(token, keys["k2"]), "the ES256 signature does not verify with the published k2"
    assert not M.es256_verify(token, keys["k1"]), "verifies with k1 too?"
    # a second, independent library: PyJWT (python3-jwt) with the public key from the JWK
    import jwt as pyjwt
    decoded = pyjwt.decode(token, key=M.jwk_public_key(keys["k2"]), algorithms=["ES256"],
                           options={"verify_aud": False, "verify_iss": False})
    assert decoded == claims
    assert set(claims) == CLAIMS, f"claims {sorted(claims)}"
    return header, claims


# ------------------------------------------------------------------ the JWK Set


def test_jwk_set_lists_every_key(att):
    r = att.client.get(KEYS, headers={"Origin": "https://gemeente.example.test"})
    assert r.status_code == 200, r.content
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    assert r.headers.get("Cache-Control") == "no-store"
    body = r.json()
    assert set(body) == {"keys"}
    keys = sorted(body["keys"], key=lambda k: k["kid"])
    assert [k["kid"] for k in keys] == ["k1", "k2"]
    for k in keys:
        assert set(k) == JWK_KEYS, f"JWK members {sorted(k)} (no private `d`!)"
        assert (k["kty"], k["crv"], k["use"], k["alg"]) == ("EC", "P-256", "sig", "ES256"), k
        assert "=" not in k["x"] + k["y"], "x and y are base64url without padding"
        assert len(H.b64url_decode(k["x"])) == 32 and len(H.b64url_decode(k["y"])) == 32, k
        x, y = M.pem_public_xy(os.path.join(att.keys_dir, f"{k['kid']}.pem"))
        assert (k["x"], k["y"]) == (x, y), f"{k['kid']}: the JWK is not the public half of {k['kid']}.pem"
        M.jwk_public_key(k)  # a point on the curve


# ------------------------------------------------------------------ attestations


def test_attestation_verifies_and_claims(att, lb, muni_token):
    c = lb.certified("2019")
    n, org, cert = c["number"], c["org"], c["cert"]
    today = L.today().isoformat()
    before = int(time.time())
    body = attest(att.client, muni_token, n, today)
    after = int(time.time())
    _, claims = verified_claims(att, body)
    assert claims["iss"] == H.JWT_ISSUER
    assert isinstance(claims["iat"], int) and before - 5 <= claims["iat"] <= after + 5, claims
    assert claims["exp"] == claims["iat"] + TTL, "exp = iat + ATTESTATION_TTL_SECONDS"
    assert claims["exp"] > claims["iat"]
    expires = L.check_timestamp(body["expiresAt"])
    assert abs(expires.timestamp() - claims["exp"]) < 1, (body["expiresAt"], claims["exp"])
    assert isinstance(claims["jti"], str) and claims["jti"]
    assert claims["sub"] == n == claims["certificateNumber"]
    assert claims["kvkNumber"] == org["kvkNumber"] and claims["organisationName"] == org["name"]
    assert (claims["on"], claims["status"], claims["certified"]) == (today, "valid", True)
    assert (claims["validFrom"], claims["validUntil"], claims["frameworkVersion"]) == \
        (cert["validFrom"], cert["validUntil"], "2019")
    # on defaults to today; every attestation has its own jti
    again = attest(att.client, lb.admin, n)
    _, claims2 = verified_claims(att, again)
    assert claims2["on"] == today and claims2["jti"] != claims["jti"]
    # tampering breaks the signature
    keys = {k["kid"]: k for k in jwks(att.client)}
    token = body["attestation"]
    for change in ({"certified": False}, {"status": "withdrawn"}, {"on": "2030-01-01"}, {"exp": claims["exp"] + 10 ** 6}):
        assert not M.es256_verify(M.tamper_payload(token, **change), keys["k2"]), f"tampered {change} verifies"
    h, p, s = token.split(".")
    sig = bytearray(H.b64url_decode(s))
    sig[10] ^= 0x01
    assert not M.es256_verify(f"{h}.{p}.{H.b64url(bytes(sig))}", keys["k2"])


def test_attestation_status_on_dates(att, lb, muni_token, sql):
    org = lb.create_org()
    body = lb.create_body()
    p = M.insert_certificate(sql, org["id"], body["id"], "2020-01-01", "2021-12-31")
    w = M.insert_certificate(sql, org["id"], body["id"], "2022-01-01", "2023-12-31")
    lb.cert_action(p["number"], "suspension", effective_on="2021-03-01", expect=200)
    lb.cert_action(w["number"], "withdrawal", effective_on="2022-05-01", expect=200)
    cases = [(p, "2019-12-31", "not_yet_valid", False), (p, "2020-06-01", "valid", True),
             (p, "2021-04-01", "suspended", False), (p, "2022-02-01", "expired", False),
             (w, "2022-03-01", "valid", True), (w, "2022-06-01", "withdrawn", False),
             (w, "2024-06-01", "withdrawn", False)]
    for cert, on, status, certified in cases:
        _, claims = verified_claims(att, attest(att.client, muni_token, cert["number"], on))
        assert (claims["on"], claims["status"], claims["certified"]) == (on, status, certified), \
            f"{cert['number']} on {on}: {claims}"
        assert (claims["validFrom"], claims["validUntil"]) == (cert["validFrom"], cert["validUntil"])
        assert claims["kvkNumber"] == org["kvkNumber"]


def test_attestation_errors_and_roles(att, lb, kr, muni_token):
    c = lb.certified("2019")
    n = c["number"]
    url = f"{CERTS}/{n}/attestation"
    assert_problem(att.client.get(f"{CERTS}/KSW-{L.today().year}-999999/attestation", token=muni_token), 404)
    assert_problem(att.client.get(f"{CERTS}/KSW-1999-000001/attestation", token=lb.admin), 404)
    for bad in ("2024-02-30", "yesterday", "20240101", ""):
        assert_problem(att.client.get(url, token=muni_token, params={"on": bad}), 400, slug="validation-error",
                       fields={"on"})
    _, org_tok = lb.org_account(c["org"]["id"])
    prof = kr.token_for(kr.make_account("professional"))
    for tok in (org_tok, c["party"]["token"], prof):
        assert_problem(att.client.get(url, token=tok), 403)
    assert_problem(att.client.get(url), 401)
    verified_claims(att, attest(att.client, lb.admin, n))


def test_server_without_keys(client, lb, muni_token):
    r = client.get(KEYS)
    assert r.status_code == 200, r.content
    assert r.json() == {"keys": []}
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    c = lb.certified("2019")
    r = client.get(f"{CERTS}/{c['number']}/attestation", token=muni_token)
    assert_problem(r, 503)
