"""Configuration from the environment, checked on extra servers (spawn_server) sharing kr_test."""

import json
import time

import pytest

import kr_helpers as H
from kr_helpers import assert_problem, decode_jwt


def test_cors_origins_list(spawn_server):
    a, b = "https://a.example.test", "https://b.example.test"
    srv, c = spawn_server({"CORS_ORIGINS": f"{a},{b}"})
    for origin in (a, b):
        r = c.get("/healthz", headers={"Origin": origin})
        assert r.headers.get("Access-Control-Allow-Origin") == origin
        assert "origin" in r.headers.get("Vary", "").lower()
    r = c.get("/healthz", headers={"Origin": H.ALLOWED_ORIGIN})
    assert r.headers.get("Access-Control-Allow-Origin") is None
    r = c.get("/v1/openapi.json", headers={"Origin": H.ALLOWED_ORIGIN})
    assert r.headers.get("Access-Control-Allow-Origin") == "*"


def test_no_cors_origins(spawn_server):
    srv, c = spawn_server({"CORS_ORIGINS": None})
    r = c.get("/healthz", headers={"Origin": H.ALLOWED_ORIGIN})
    assert r.status_code == 200
    assert r.headers.get("Access-Control-Allow-Origin") is None
    r = c.get("/v1/openapi.json", headers={"Origin": H.ALLOWED_ORIGIN})
    assert r.headers.get("Access-Control-Allow-Origin") == "*"


def test_max_body_bytes(spawn_server):
    srv, c = spawn_server({"MAX_BODY_BYTES": "2048"})
    big = b'{"grant_type":"password","username":"' + b"a" * 3000 + b'","password":"x"}'
    r = c.raw("POST", "/v1/auth/token", body=big, headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    small = b'{"grant_type":"password","username":"' + b"a" * 1500 + b'","password":"some-password-x"}'
    r = c.raw("POST", "/v1/auth/token", body=small, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.content
    assert r.json().get("error") in ("invalid_grant", "invalid_request")


def test_access_token_ttl(spawn_server):
    srv, c = spawn_server({"ACCESS_TOKEN_TTL_SECONDS": "60"})
    r = c.post("/v1/auth/token", json={"grant_type": "password", "username": H.ADMIN_USERNAME,
                                       "password": H.ADMIN_PASSWORD})
    assert r.status_code == 200, r.content
    assert r.json()["expires_in"] == 60
    _, claims = decode_jwt(r.json()["access_token"])
    assert claims["exp"] - claims["iat"] == 60


def test_issuer_and_audience_are_enforced_across_servers(spawn_server, client, kr):
    srv, c = spawn_server({"JWT_ISSUER": "other-issuer", "JWT_AUDIENCE": "other-audience"})
    r = c.post("/v1/auth/token", json={"grant_type": "password", "username": H.ADMIN_USERNAME,
                                       "password": H.ADMIN_PASSWORD})
    assert r.status_code == 200, r.content
    other = r.json()["access_token"]
    _, claims = decode_jwt(other)
    assert claims["iss"] == "other-issuer"
    assert claims["aud"] in ("other-audience", ["other-audience"])
    assert c.get("/v1/accounts/me", token=other).status_code == 200
    # same secret, different iss/aud: each server refuses the other's tokens
    assert_problem(client.get("/v1/accounts/me", token=other), 401)
    assert_problem(c.get("/v1/accounts/me", token=kr.admin_token()), 401)


def test_other_secret_refuses_tokens(spawn_server, kr):
    srv, c = spawn_server({"JWT_SECRET": "another-secret-for-a-second-server-0123456789"})
    assert_problem(c.get("/v1/accounts/me", token=kr.admin_token()), 401)


def test_listen_address_and_port(spawn_server):
    port = H.free_port()
    srv, c = spawn_server({"PORT": str(port)})
    assert srv.port == port
    assert c.get("/healthz").status_code == 200


@pytest.mark.parametrize("name,value", [
    ("ACCESS_TOKEN_TTL_SECONDS", "30"),
    ("ACCESS_TOKEN_TTL_SECONDS", "901"),
    ("ACCESS_TOKEN_TTL_SECONDS", "abc"),
    ("PORT", "abc"),
    ("PORT", "70000"),
    ("LOG_LEVEL", "verbose"),
    ("MAX_BODY_BYTES", "-1"),
    ("DB_POOL_SIZE", "0"),
    ("LISTEN_ADDRESS", "not-an-address"),
])
def test_invalid_setting_is_refused(run_binary, name, value):
    t0 = time.monotonic()
    r = run_binary(["serve"], env_overrides={name: value}, timeout=15)
    assert not r.timed_out, f"serve with {name}={value!r} kept running"
    assert r.returncode != 0, f"serve with {name}={value!r} exited 0"
    assert time.monotonic() - t0 < 10
    assert name in r.stdout + r.stderr, f"the error does not name {name}: {r.stdout[-600:]} {r.stderr[-600:]}"


def test_log_level_warning_hides_request_lines(spawn_server):
    srv, c = spawn_server({"LOG_LEVEL": "warning"})
    c.get("/healthz", headers={"X-Request-Id": "quiet-request"})
    time.sleep(0.5)
    for line, obj in srv.log_records():
        assert obj is not None, f"non-JSON stdout line: {line!r}"
        assert obj.get("requestId") != "quiet-request", f"info-level request line at LOG_LEVEL=warning: {line}"


def test_graceful_shutdown_exits_zero(spawn_server):
    srv, c = spawn_server({})
    assert c.get("/readyz").status_code == 200
    rc = srv.stop(20)
    assert rc == 0, srv.log_tails()
    assert srv.problems_after_stop() == []
    for line, obj in srv.log_records():
        assert obj is not None, f"non-JSON stdout line: {line!r}"
