"""HTTP edge behaviour: routing, body decoding, limits, media types, common headers, CORS."""

import json
import re

import pytest

import kr_helpers as H
from kr_helpers import assert_problem

API_CSP = {"default-src 'none'", "frame-ancestors 'none'"}


def csp_directives(value):
    return {" ".join(d.split()) for d in (value or "").split(";") if d.strip()}


# ------------------------------------------------------------------ routing


@pytest.mark.parametrize("path", ["/v1/nope", "/nope", "/v1", "/v1/accounts/me/nope", "/v2/accounts",
                                  "/v1/auth/token/extra", "/docs/nope/deeper"])
def test_unknown_path_is_404_problem(client, admin_token, path):
    r = client.get(path, token=admin_token)
    assert_problem(r, 404)


@pytest.mark.parametrize("path", ["/v1/accounts/", "/v1/accounts/me/", "/healthz/", "/readyz/",
                                  "/v1/openapi.json/"])
def test_trailing_slash_is_404(client, admin_token, path):
    r = client.get(path, token=admin_token)
    assert_problem(r, 404)


def test_trailing_slash_without_token_is_404(client):
    assert_problem(client.get("/v1/accounts/"), 404)


@pytest.mark.parametrize("method,path,template", [
    ("DELETE", "/v1/accounts/me", "/v1/accounts/me"),
    ("PUT", "/healthz", "/healthz"),
    ("POST", "/readyz", "/readyz"),
    ("DELETE", "/v1/accounts", "/v1/accounts"),
    ("PATCH", "/v1/accounts/me/password", "/v1/accounts/me/password"),
    ("GET", "/v1/auth/token", "/v1/auth/token"),
    ("POST", "/v1/openapi.json", "/v1/openapi.json"),
])
def test_wrong_method_is_405_with_allow(client, contract, admin_token, method, path, template):
    r = client.request(method, path, token=admin_token)
    assert_problem(r, 405)
    allow = r.headers.get("Allow")
    assert allow is not None, "405 without Allow header"
    got = {m.strip().upper() for m in allow.split(",") if m.strip()}
    assert got == contract.methods_for(template), f"Allow: {allow!r}, documented {contract.methods_for(template)}"


def test_wrong_method_on_parameterised_path(client, contract, admin_token):
    r = client.request("DELETE", "/v1/accounts/00000000-0000-4000-8000-000000000000", token=admin_token)
    assert_problem(r, 405)
    got = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert got == contract.methods_for("/v1/accounts/{accountId}")


# ------------------------------------------------------------------ JSON decoding


def _post_accounts_raw(client, token, body, content_type="application/json", validate=True):
    headers = {"Authorization": f"Bearer {token}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post("/v1/accounts", data=body, headers=headers, validate=validate)


@pytest.mark.parametrize("body", [
    b'{"username":', b"{'username': 'x'}", b"not json", b'{"a":1} trailing', b"\xff\xfe{}",
    b'{"username":"x",}',
])
def test_malformed_json_is_400(client, admin_token, body):
    r = _post_accounts_raw(client, admin_token, body)
    assert_problem(r, 400, slug="malformed-json")


@pytest.mark.parametrize("body", [b"[]", b'[{"username":"x"}]', b"42", b'"text"', b"null", b"true"])
def test_non_object_json_is_400(client, admin_token, body):
    r = _post_accounts_raw(client, admin_token, body)
    assert_problem(r, 400, slug="malformed-json")


def test_empty_json_body_is_400(client, admin_token):
    r = _post_accounts_raw(client, admin_token, b"")
    assert_problem(r, 400, slug="malformed-json")


def test_duplicate_keys_are_400(client, admin_token):
    body = (b'{"username":"dupkey1","username":"dupkey2","password":"long-enough-password",'
            b'"role":"admin"}')
    r = _post_accounts_raw(client, admin_token, body)
    assert_problem(r, 400, slug="malformed-json")


def test_duplicate_keys_on_token_endpoint_are_400(client):
    body = b'{"grant_type":"password","username":"admin","username":"x","password":"whatever-pass"}'
    r = client.post("/v1/auth/token", data=body, headers={"Content-Type": "application/json"})
    body = assert_problem(r, 400, slug="malformed-json")
    assert "error" in body


def test_json_with_charset_parameter_is_accepted(client, admin_token):
    r = _post_accounts_raw(client, admin_token, b'{"username":"x"}', content_type="application/json; charset=utf-8")
    # not a 415: the body is decoded and validated
    assert_problem(r, 400, slug="validation-error", fields={"username", "password", "role"})


# ------------------------------------------------------------------ size limits

TWO_MIB = 2 * 1024 * 1024


def _big_json(size):
    prefix, suffix = b'{"username":"', b'"}'
    return prefix + b"a" * (size - len(prefix) - len(suffix)) + suffix


def test_body_over_limit_with_content_length_is_413(client, admin_token):
    body = _big_json(TWO_MIB)
    r = client.raw("POST", "/v1/accounts", body=body, headers={
        "Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"})
    assert_problem(r, 413)


def test_body_over_limit_chunked_is_413(client, admin_token):
    body = _big_json(TWO_MIB)
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    r = client.raw("POST", "/v1/accounts", chunks=chunks, headers={
        "Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"})
    assert_problem(r, 413)


def test_body_over_limit_on_token_endpoint_is_413(client):
    body = _big_json(TWO_MIB)
    r = client.raw("POST", "/v1/auth/token", body=body, headers={"Content-Type": "application/json"})
    assert_problem(r, 413)


def test_body_just_under_limit_is_decoded(client, admin_token):
    body = _big_json(1000 * 1000)
    r = client.raw("POST", "/v1/accounts", body=body, headers={
        "Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"})
    assert_problem(r, 400, slug="validation-error", fields={"username"})


# ------------------------------------------------------------------ media types


def test_text_plain_is_415(client, admin_token):
    r = _post_accounts_raw(client, admin_token, b'{"username":"x"}', content_type="text/plain")
    assert_problem(r, 415)


def test_form_body_on_json_only_route_is_415(client, admin_token):
    r = _post_accounts_raw(client, admin_token, b"username=x&password=y",
                           content_type="application/x-www-form-urlencoded")
    assert_problem(r, 415)


def test_missing_content_type_is_415(client, admin_token):
    r = _post_accounts_raw(client, admin_token, b'{"username":"x"}', content_type=None)
    assert "Content-Type" not in r.request.headers
    assert_problem(r, 415)


def test_text_plain_on_token_endpoint_is_415(client):
    r = client.post("/v1/auth/token", data=b"grant_type=password", headers={"Content-Type": "text/plain"})
    assert_problem(r, 415)


def test_wrong_content_type_on_password_change_is_415(client, kr):
    acct = kr.make_account("professional")
    tok = kr.token_for(acct)
    r = client.put("/v1/accounts/me/password", token=tok, data=b'{"currentPassword":"x"}',
                   headers={"Content-Type": "text/plain"})
    assert_problem(r, 415)


# ------------------------------------------------------------------ common headers


def _sample_responses(client, admin_token):
    """(label, response) pairs covering successes and errors on API, ops and docs routes."""
    acct_tok = admin_token
    out = [
        ("healthz 200", client.get("/healthz")),
        ("readyz 200", client.get("/readyz")),
        ("metrics 200", client.get("/metrics")),
        ("openapi 200", client.get("/v1/openapi.json")),
        ("me 200", client.get("/v1/accounts/me", token=acct_tok)),
        ("list 200", client.get("/v1/accounts", token=acct_tok)),
        ("me 401", client.get("/v1/accounts/me")),
        ("unknown 404", client.get("/v1/nope")),
        ("method 405", client.request("PUT", "/healthz")),
        ("malformed 400", client.post("/v1/accounts", token=acct_tok, data=b"{",
                                      headers={"Content-Type": "application/json"})),
        ("validation 400", client.get("/v1/accounts", token=acct_tok, params={"limit": "0"})),
        ("media 415", client.post("/v1/accounts", token=acct_tok, data=b"{}",
                                  headers={"Content-Type": "text/plain"})),
        ("token 400", client.post("/v1/auth/token", json={"grant_type": "nope"})),
    ]
    return out


def test_security_headers_on_every_response(client, admin_token):
    bad = []
    for label, r in _sample_responses(client, admin_token):
        h = r.headers
        cc = h.get("Cache-Control", "")
        if "no-store" not in [x.strip().lower() for x in cc.split(",")]:
            bad.append(f"{label}: Cache-Control {cc!r}")
        if h.get("X-Content-Type-Options", "").lower() != "nosniff":
            bad.append(f"{label}: X-Content-Type-Options {h.get('X-Content-Type-Options')!r}")
        if h.get("X-Frame-Options", "").upper() != "DENY":
            bad.append(f"{label}: X-Frame-Options {h.get('X-Frame-Options')!r}")
        if h.get("Referrer-Policy", "").lower() != "no-referrer":
            bad.append(f"{label}: Referrer-Policy {h.get('Referrer-Policy')!r}")
        if csp_directives(h.get("Content-Security-Policy")) != API_CSP:
            bad.append(f"{label}: Content-Security-Policy {h.get('Content-Security-Policy')!r}")
        if h.get("API-Version") != client.contract.version:
            bad.append(f"{label}: API-Version {h.get('API-Version')!r}")
        if not h.get("X-Request-Id"):
            bad.append(f"{label}: no X-Request-Id")
    assert not bad, "missing/wrong common headers:\n" + "\n".join(bad)


def test_docs_page_has_security_headers(client):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert r.headers.get("X-Content-Type-Options", "").lower() == "nosniff"
    assert r.headers.get("X-Frame-Options", "").upper() == "DENY"
    csp = csp_directives(r.headers.get("Content-Security-Policy"))
    assert "frame-ancestors 'none'" in csp, csp
    assert r.headers.get("API-Version") == client.contract.version


@pytest.mark.parametrize("rid", ["abc-123.XYZ_9", "a" * 128, "0", "req.id_with-all.allowed_chars-09"])
def test_valid_request_id_is_echoed(client, rid):
    r = client.get("/healthz", headers={"X-Request-Id": rid})
    assert r.headers.get("X-Request-Id") == rid


def test_valid_request_id_is_echoed_on_errors(client):
    r = client.get("/v1/nope", headers={"X-Request-Id": "err-req-1"})
    assert_problem(r, 404)
    assert r.headers.get("X-Request-Id") == "err-req-1"


@pytest.mark.parametrize("rid", ["has space", "a" * 129, "slash/inside", "semi;colon", "", "quote\"d", "{x}"])
def test_invalid_request_id_is_replaced_by_uuid(client, rid):
    r = client.get("/healthz", headers={"X-Request-Id": rid})
    got = r.headers.get("X-Request-Id")
    assert got != rid
    assert got and H.UUID_RE.match(got), f"X-Request-Id {got!r} is not a UUID"


def test_missing_request_id_gets_fresh_uuid(client):
    ids = {client.get("/healthz").headers.get("X-Request-Id") for _ in range(3)}
    assert len(ids) == 3
    for i in ids:
        assert i and H.UUID_RE.match(i), i


# ------------------------------------------------------------------ CORS


def test_openapi_document_is_open_to_any_origin(client):
    for origin in (H.FOREIGN_ORIGIN, H.ALLOWED_ORIGIN, None):
        r = client.get("/v1/openapi.json", headers={"Origin": origin} if origin else {})
        assert r.status_code == 200
        assert r.headers.get("Access-Control-Allow-Origin") == "*", f"Origin {origin}: {r.headers}"


def test_allowed_origin_is_echoed_with_vary(client, admin_token):
    r = client.get("/v1/accounts/me", token=admin_token, headers={"Origin": H.ALLOWED_ORIGIN})
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") == H.ALLOWED_ORIGIN
    vary = {v.strip().lower() for v in r.headers.get("Vary", "").split(",")}
    assert "origin" in vary, f"Vary: {r.headers.get('Vary')!r}"


def test_allowed_origin_is_echoed_on_errors_too(client):
    r = client.get("/v1/accounts/me", headers={"Origin": H.ALLOWED_ORIGIN})
    assert_problem(r, 401)
    assert r.headers.get("Access-Control-Allow-Origin") == H.ALLOWED_ORIGIN


@pytest.mark.parametrize("origin", [H.FOREIGN_ORIGIN, "null", H.ALLOWED_ORIGIN + ".evil.test",
                                    "http://app.example.test", H.ALLOWED_ORIGIN + ":8443"])
def test_foreign_origin_gets_no_acao(client, admin_token, origin):
    r = client.get("/v1/accounts/me", token=admin_token, headers={"Origin": origin})
    assert r.status_code == 200
    acao = r.headers.get("Access-Control-Allow-Origin")
    assert acao is None, f"Origin {origin!r} got Access-Control-Allow-Origin {acao!r}"


def test_preflight_from_allowed_origin(client):
    r = client.options("/v1/accounts", validate=False, headers={
        "Origin": H.ALLOWED_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    })
    assert r.status_code == 204, f"{r.status_code} {r.content[:300]!r}"
    assert r.content == b""
    assert r.headers.get("Access-Control-Allow-Origin") == H.ALLOWED_ORIGIN
    methods = {m.strip().upper() for m in r.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert {"GET", "POST"} <= methods, r.headers.get("Access-Control-Allow-Methods")
    allow_headers = {m.strip().lower() for m in r.headers.get("Access-Control-Allow-Headers", "").split(",")}
    assert {"authorization", "content-type"} <= allow_headers, r.headers.get("Access-Control-Allow-Headers")
    assert r.headers.get("API-Version") == client.contract.version


def test_preflight_for_token_endpoint(client):
    r = client.options("/v1/auth/token", validate=False, headers={
        "Origin": H.ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers.get("Access-Control-Allow-Origin") == H.ALLOWED_ORIGIN
    assert "POST" in r.headers.get("Access-Control-Allow-Methods", "").upper()


def test_preflight_from_foreign_origin_gets_no_acao(client):
    r = client.options("/v1/accounts", validate=False, headers={
        "Origin": H.FOREIGN_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert r.headers.get("Access-Control-Allow-Origin") is None
    assert r.headers.get("API-Version") == client.contract.version
