"""Database outage and recovery (runs last: it stops and restarts the session's PostgreSQL)."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kr_helpers import assert_problem


def timed(fn):
    t0 = time.monotonic()
    r = fn()
    return r, time.monotonic() - t0


def test_restart_while_idle_leaves_no_stale_connection(spawn_server, pg, kr):
    """A database restart while a server idles: once /readyz says 200, no request gets a 503 from
    a pooled connection that the restart left behind (each must be found at checkout, not by a
    failed query)."""
    srv, c = spawn_server({"DB_POOL_SIZE": "6", "HTTP_THREADS": "6"})
    token = kr.admin_token()
    # use every pooled connection once, so each holds a session the restart will end
    with ThreadPoolExecutor(10) as ex:
        warm = list(ex.map(lambda _: c.get("/v1/accounts/me", token=token).status_code, range(60)))
    assert set(warm) == {200}, warm
    pg.stop("fast")
    pg.start()
    started = time.monotonic()
    while True:
        r = c.get("/readyz", timeout=10)
        if r.status_code == 200:
            break
        assert time.monotonic() - started < 15, f"/readyz not 200 within 15 s: {r.status_code}"
        time.sleep(0.05)

    def call(i):
        path = ("/v1/accounts/me", "/v1/norm-frameworks", "/v1/accounts?limit=1")[i % 3]
        return path, c.get(path, token=token, timeout=10).status_code

    with ThreadPoolExecutor(10) as ex:
        results = list(ex.map(call, range(240)))
    bad = [x for x in results if x[1] != 200]
    assert not bad, f"{len(bad)} of {len(results)} requests failed after /readyz said 200: {bad[:10]}"


def test_database_outage_and_recovery(client, pg, kr):
    token = kr.admin_token()
    assert client.get("/v1/accounts/me", token=token).status_code == 200
    assert client.get("/readyz").status_code == 200

    pg.stop("fast")
    try:
        stopped = time.monotonic()
        # readiness turns 503 within 2 s, every answer fast
        status = None
        while time.monotonic() - stopped < 2.0:
            r, dt = timed(lambda: client.get("/readyz", timeout=10))
            assert dt < 1.5, f"/readyz took {dt:.2f}s during the outage"
            status = r.status_code
            if status == 503:
                break
            time.sleep(0.05)
        assert status == 503, f"/readyz still {status} 2 s after the database stopped"
        assert_problem(r, 503)

        for _ in range(3):
            r, dt = timed(lambda: client.get("/v1/accounts/me", token=token, timeout=10))
            assert dt < 1.5, f"/v1/accounts/me took {dt:.2f}s during the outage"
            assert_problem(r, 503)
            assert r.headers.get("Retry-After") == "1"
            r, dt = timed(lambda: client.get("/readyz", timeout=10))
            assert dt < 1.5
            assert_problem(r, 503)

        r, dt = timed(lambda: client.get("/healthz", timeout=10))
        assert r.status_code == 200 and dt < 1.5, f"/healthz {r.status_code} in {dt:.2f}s during the outage"
        assert r.json() == {"status": "ok"}
    finally:
        if not pg.running():
            pg.start()

    started = time.monotonic()
    ready = me_ok = False
    last = None
    while time.monotonic() - started < 15.0:
        if not ready:
            last = client.get("/readyz", timeout=10)
            ready = last.status_code == 200
        if ready and not me_ok:
            last = client.get("/v1/accounts/me", token=token, timeout=10)
            me_ok = last.status_code == 200
        if ready and me_ok:
            break
        time.sleep(0.2)
    assert ready, f"/readyz not 200 within 15 s of the database restart: {last.status_code} {last.content[:300]!r}"
    assert me_ok, f"/v1/accounts/me not 200 within 15 s: {last.status_code} {last.content[:300]!r}"
    assert client.get("/readyz").json() == {"status": "ready", "database": "up", "schema": "current"}

    # every pooled connection has recovered (no stray 503s after recovery)
    statuses = [client.get("/v1/accounts/me", token=token).status_code for _ in range(20)]
    assert statuses == [200] * 20, statuses
    # and writes work again
    acct = kr.make_account("admin")
    assert client.get(f"/v1/accounts/{acct['account']['id']}", token=token).status_code == 200
