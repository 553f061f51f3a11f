"""Fixtures for the kwaliteitsregister API tests.

Session: a throwaway PostgreSQL 15 cluster (`pg`), one server (`server`), a validating
client (`client`), and `kr` (logins, accounts, link rows). Function: `spawn_server` for extra
servers with modified environments, `run_binary` for one-shot runs of the binary, `route_world`
for a server of its own with an object behind every path parameter (route_bodies.py).
Run: cd /work/main && /usr/bin/python3 -m pytest -q tests/api
"""

import os
import uuid

import pytest

import kr_helpers as H
import route_bodies


@pytest.fixture(scope="session")
def contract():
    if not H.OPENAPI_PATH.is_file():
        pytest.fail(f"OpenAPI document {H.OPENAPI_PATH} not found")
    return H.Contract(H.load_openapi_yaml(H.OPENAPI_PATH))


@pytest.fixture(scope="session")
def pg():
    cluster = H.PgCluster()
    try:
        cluster.init()
        cluster.start()
        cluster.createdb("kr_test")
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="session")
def jwt_secret():
    return H.JWT_SECRET


@pytest.fixture(scope="session")
def admin_credentials():
    return H.ADMIN_USERNAME, H.ADMIN_PASSWORD


@pytest.fixture(scope="session")
def server(pg, contract):
    try:
        H.require_binary()
    except FileNotFoundError as e:
        pytest.fail(str(e))
    srv = H.ServerProcess(pg, name="server")
    try:
        srv.wait_ready(60)
    except Exception as e:
        srv.stop()
        pytest.fail(str(e))
    yield srv
    srv.stop(20)
    problems = srv.problems_after_stop()
    if problems:
        pytest.fail("\n\n".join(problems) + f"\n(server logs kept in {srv.workdir})", pytrace=False)
    srv.cleanup_files()


@pytest.fixture(scope="session")
def client(server, contract):
    c = H.ApiClient(server.base_url, contract)
    yield c
    c.close()


@pytest.fixture(scope="session")
def kr(client, pg):
    return H.Kr(client, pg)


@pytest.fixture
def sql(kr):
    """sql(query, db="kr_test") -> list of row tuples (strings)."""
    return kr.sql


@pytest.fixture
def admin_token(kr):
    return kr.admin_token()


@pytest.fixture
def login(kr):
    """login(username, password, expect=200) -> token response dict."""
    return kr.login


@pytest.fixture
def make_account(kr):
    """make_account(role, username=None, password=None, link=<new row>) -> dict."""
    return kr.make_account


@pytest.fixture
def forge_jwt():
    """forge_jwt(header, claims, secret=JWT_SECRET, alg=None) -> compact JWS string."""
    return H.forge_jwt


@pytest.fixture
def spawn_server(pg, contract):
    """spawn_server(env_overrides, db="kr_test", binary=None) -> (ServerProcess, ApiClient), ready.

    binary: another build of the server (default KR_SERVER_BIN). Every server spawned here is
    stopped with SIGTERM at the end of the test; a non-zero exit or a sanitizer report fails the
    test."""
    started = []

    def _spawn(env_overrides=None, db="kr_test", wait=True, binary=None):
        srv = H.ServerProcess(pg, env_overrides=env_overrides, db=db, name=f"extra-server-{len(started) + 1}",
                              binary=binary)
        c = H.ApiClient(srv.base_url, contract)
        started.append((srv, c))
        if wait:
            srv.wait_ready(60)
        return srv, c

    yield _spawn
    problems = []
    for srv, c in started:
        c.close()
        try:
            srv.stop(20)
            problems.extend(srv.problems_after_stop())
        except AssertionError as e:
            problems.append(str(e))
        finally:
            srv.cleanup_files()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def run_binary(pg):
    """run_binary(args, env_overrides=None, db="kr_test", timeout=30) -> CompletedProcess
    (stdout/stderr text, .timed_out). Asserts no sanitizer report on stderr."""

    def _run(args, env_overrides=None, db="kr_test", timeout=30):
        env = H.server_env(pg, H.free_port(), db=db, **(env_overrides or {}))
        r = H.run_binary(args, env, timeout=timeout)
        rep = H.sanitizer_report(r.stderr)
        assert rep is None, f"sanitizer report running {args}:\n{rep}"
        return r

    return _run


@pytest.fixture
def scratch_db(pg):
    """A fresh, empty database (dropped afterwards): scratch_db() -> name."""
    made = []

    def _make():
        name = "kr_scratch_" + uuid.uuid4().hex[:10]
        pg.createdb(name)
        made.append(name)
        return name

    yield _make
    for name in made:
        pg.dropdb(name)


@pytest.fixture
def route_world(spawn_server, pg, scratch_db):
    """(client, path values, tokens): a server of its own with real objects for every path
    parameter and a token per role, for tests that send a request to every route (see
    route_bodies.world)."""
    yield from route_bodies.world(spawn_server, pg, scratch_db)
