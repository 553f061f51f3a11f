"""Resource limits: sign-in throttling per address and per (username, address), storage quotas
per professional, a per-account limit on expensive requests, and refusals sent on the headers.

Each test runs its own server with small limits; client addresses other than 127.0.0.1 come
from binding the client socket to 127.0.0.2-9 (loopback only)."""

import time

import pytest
from requests.adapters import HTTPAdapter

import kr_helpers as H
import register_helpers as R
from kr_helpers import assert_problem

TOKEN = "/v1/auth/token"


class _SourceAdapter(HTTPAdapter):
    def __init__(self, source, **kw):
        self._source = source
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self._source, 0)
        super().init_poolmanager(*args, **kw)


def from_address(srv, contract, source):
    """An ApiClient for srv whose connections come from the loopback address `source`."""
    c = H.ApiClient(srv.base_url, contract)
    c.session.mount("http://", _SourceAdapter(source))
    return c


def _password(c, username, password):
    return c.post(TOKEN, json={"grant_type": "password", "username": username, "password": password})


def test_wrong_passwords_lock_one_address_not_the_owner(spawn_server, contract, kr):
    srv, _ = spawn_server({"LOGIN_FAILURE_LIMIT": 5, "LOGIN_ADDRESS_FAILURE_LIMIT": 10})
    attacker, owner = from_address(srv, contract, "127.0.0.2"), from_address(srv, contract, "127.0.0.3")
    victim = kr.make_account("professional")
    for i in range(5):
        assert_problem(_password(attacker, victim["username"], f"wrong-{i}"), 400, error="invalid_grant")
    r = _password(attacker, victim["username"], victim["password"])
    assert_problem(r, 429, error="temporarily_unavailable")
    assert 0 < int(r.headers["Retry-After"]) <= 900
    # the owner, from another address, still signs in
    r = _password(owner, victim["username"], victim["password"])
    assert r.status_code == 200, r.content[:300]


def test_machine_client_cannot_be_locked_out_by_others(spawn_server, contract, kr):
    srv, _ = spawn_server({"LOGIN_FAILURE_LIMIT": 5, "LOGIN_ADDRESS_FAILURE_LIMIT": 10})
    attacker, system = from_address(srv, contract, "127.0.0.4"), from_address(srv, contract, "127.0.0.5")
    machine = kr.make_account("municipality")
    body = {"grant_type": "client_credentials", "client_id": machine["username"]}
    for i in range(8):
        attacker.post(TOKEN, json={**body, "client_secret": f"wrong-{i}"})
    r = system.post(TOKEN, json={**body, "client_secret": machine["password"]})
    assert r.status_code == 200, r.content[:300]


def test_many_usernames_from_one_address_are_throttled(spawn_server, contract):
    srv, _ = spawn_server({"LOGIN_FAILURE_LIMIT": 5, "LOGIN_ADDRESS_FAILURE_LIMIT": 10})
    guesser = from_address(srv, contract, "127.0.0.6")
    statuses = [_password(guesser, H.unique_name("guess"), "wrong-password").status_code for _ in range(40)]
    assert statuses[:10] == [400] * 10, statuses
    assert statuses[10:] == [429] * 30, statuses
    # another address is not affected
    other = from_address(srv, contract, "127.0.0.7")
    assert _password(other, H.unique_name("guess"), "wrong-password").status_code == 400


# ------------------------------------------------------------------ storage quotas


def test_evidence_only_for_registered_records(spawn_server, kr):
    srv, c = spawn_server()
    rg = R.Register(c, kr)
    applicant = rg.new()
    a = rg.add_activity(applicant, completed_on=R.days(-1))
    r = rg.upload_evidence(applicant["id"], a["id"], applicant["token"], expect=None)
    body = assert_problem(r, 409)
    assert "registered" in body["detail"]


def test_evidence_bytes_quota(spawn_server, kr):
    srv, c = spawn_server({"EVIDENCE_BYTES_PER_PROFESSIONAL": 1048576})
    rg = R.Register(c, kr)
    p = rg.registered(R.days(-30))
    a = rg.add_activity(p, completed_on=R.days(-1))
    b = rg.add_activity(p, completed_on=R.days(-2))
    rg.upload_evidence(p["id"], a["id"], p["token"], R.pdf_bytes(600 * 1024))
    r = rg.upload_evidence(p["id"], b["id"], p["token"], R.pdf_bytes(600 * 1024), expect=None)
    body = assert_problem(r, 413)
    assert "1048576 bytes of evidence" in body["detail"]


def test_activities_per_period_quota(spawn_server, kr):
    srv, c = spawn_server({"MAX_ACTIVITIES_PER_PERIOD": 3})
    rg = R.Register(c, kr)
    p = rg.registered(R.days(-30))
    for i in range(3):
        rg.add_activity(p, completed_on=R.days(-1 - i))
    r = rg.add_activity(p, completed_on=R.days(-5), expect=None)
    body = assert_problem(r, 409)
    assert "at most 3 development activities" in body["detail"]


# ------------------------------------------------------------------ expensive requests per account


def test_exports_of_one_account_do_not_starve_public_reads(spawn_server, contract, kr, sql):
    """16 parallel export loops of one professional (1,000 activities) for a bounded time, each
    waiting Retry-After when refused; the public framework read stays fast."""
    import threading

    import requests

    srv, c = spawn_server({"HTTP_THREADS": 4, "DB_POOL_SIZE": 8})
    rg = R.Register(c, kr)
    p = rg.registered(R.days(-30))
    sql(f"INSERT INTO development_activities (professional_id, type, title, started_on, hours, status)"
        f" SELECT '{p['id']}', 'course', 'Cursus ' || i, current_date - 10, 2, 'planned'"
        f" FROM generate_series(1, 1000) i")
    url = f"{srv.base_url}/v1/professionals/{p['id']}/export"
    stop = time.monotonic() + 8
    counts = {}
    lock = threading.Lock()

    def loop():
        s = requests.Session()
        s.trust_env = False
        for _ in range(10000):  # bounded in count and time
            if time.monotonic() > stop:
                break
            r = s.get(url, headers={"Authorization": f"Bearer {p['token']}"}, timeout=30)
            with lock:
                counts[r.status_code] = counts.get(r.status_code, 0) + 1
            if r.status_code == 429:  # a client that honours Retry-After
                assert r.headers.get("Retry-After") == "1"
                time.sleep(1)
        s.close()

    threads = [threading.Thread(target=loop) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(1)
    reader = requests.Session()
    reader.trust_env = False
    timings = []
    for _ in range(200):
        if time.monotonic() > stop - 0.5:
            break
        t0 = time.monotonic()
        r = reader.get(f"{srv.base_url}/v1/norm-frameworks/2019", timeout=30)
        timings.append(time.monotonic() - t0)
        assert r.status_code == 200
        time.sleep(0.02)
    for t in threads:
        t.join(60)
    reader.close()
    timings.sort()
    p99 = timings[max(0, int(len(timings) * 0.99) - 1)]
    print(f"public p99 {p99 * 1000:.1f} ms over {len(timings)} reads; export answers {counts}")
    assert counts.get(200, 0) > 0 and counts.get(429, 0) > 0, counts
    # Speed is the benchmark's to measure, not a test's: this bound only catches starvation (the
    # public read took 15.7 s under this load before the limit; about 40 ms after it on a quiet
    # machine, and a few hundred when the whole suite shares the two cores).
    assert p99 < 1.0, f"public p99 {p99 * 1000:.1f} ms; export answers {counts}"
