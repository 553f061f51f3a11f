"""The per-address rate limit of the public register (src/http/ratelimit.h): decided in each
process's memory, shared by every replica through rate_limit_windows, which each process syncs
every RATE_LIMIT_SYNC_MILLISECONDS.

Each test runs its own servers (trusting 127.0.0.1 as a proxy, so X-Forwarded-For names the
client) with a small limit, and a fresh client address. Lookups of a registration number that
does not exist answer 404 once the limiter let them through, 429 when it did not."""

import concurrent.futures
import subprocess
import time

import requests

import kr_helpers as H
import register_helpers as R
from kr_helpers import assert_problem

UNKNOWN = f"{R.REGISTER}/RSW9999999"


def limited_server(spawn_server, limit, window=60, db="kr_test", **extra):
    env = {"TRUSTED_PROXIES": "127.0.0.1", "REGISTER_RATE_LIMIT": limit,
           "REGISTER_RATE_WINDOW_SECONDS": window, "RATE_LIMIT_SYNC_MILLISECONDS": 100, **extra}
    return spawn_server(env, db=db)


def lookup(c, address):
    return c.get(UNKNOWN, headers={"X-Forwarded-For": address})


def outcomes(c, address, n):
    """n lookups one after another: (passed, list of 429 responses)."""
    passed, limited = 0, []
    for _ in range(n):
        r = lookup(c, address)
        if r.status_code == 429:
            limited.append(r)
        else:
            assert r.status_code == 404, r.content
            passed += 1
    return passed, limited


def assert_retry_after(r, window):
    assert_problem(r, 429)
    retry = r.headers.get("Retry-After")
    assert retry is not None and retry.isdigit() and 1 <= int(retry) <= window, retry
    return int(retry)


def stored_hits(pg, address, db="kr_test"):
    rows = pg.psql(f"SELECT hits FROM rate_limit_windows WHERE bucket = 'register' AND client = '{address}'", db=db)
    return int(rows[0][0]) if rows else 0


def wait_for_hits(pg, address, hits, db="kr_test", timeout=10):
    deadline = time.monotonic() + timeout
    while stored_hits(pg, address, db) != hits:
        assert time.monotonic() < deadline, f"rate_limit_windows has {stored_hits(pg, address, db)} hits " \
                                            f"for {address}, expected {hits}"
        time.sleep(0.05)


def parallel(base_url, address, n, workers=8):
    """n lookups at once over `workers` connections: the list of statuses."""
    def one(_):
        with requests.Session() as s:
            s.trust_env = False
            return s.get(base_url + UNKNOWN, headers={"X-Forwarded-For": address}, timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        return list(ex.map(one, range(n)))


def test_the_limit_holds_exactly_within_one_replica(spawn_server):
    srv, c = limited_server(spawn_server, 30)
    address = R.fresh_address()
    statuses = parallel(srv.base_url, address, 60)
    assert statuses.count(404) == 30 and statuses.count(429) == 30, statuses
    # the search counts in the same window; another address has a window of its own
    r = c.get(R.REGISTER, params={"q": "abcdef"}, headers={"X-Forwarded-For": address})
    assert_retry_after(r, 60)
    assert outcomes(c, R.fresh_address(), 30)[0] == 30


def test_two_replicas_share_the_limit(spawn_server, pg):
    a_srv, a = limited_server(spawn_server, 20)
    b_srv, b = limited_server(spawn_server, 20)
    address = R.fresh_address()
    assert outcomes(a, address, 15) == (15, [])
    wait_for_hits(pg, address, 15)
    # b has not seen the address: its first lookup passes, and its sync reads back all 16
    assert outcomes(b, address, 1) == (1, [])
    wait_for_hits(pg, address, 16)
    time.sleep(0.3)  # b settles the count it read back right after the statement
    passed, limited = outcomes(b, address, 10)
    assert passed == 4, f"b let {passed} of 10 through with 16 of 20 used on both"
    assert_retry_after(limited[0], 60)
    wait_for_hits(pg, address, 20)
    # a learns the rest at its next sync: within the documented tolerance (what a serves until
    # then), then 429 on both
    passed_a, _ = outcomes(a, address, 1)
    time.sleep(0.5)
    assert outcomes(a, address, 3)[0] == 0 and outcomes(b, address, 3)[0] == 0
    assert stored_hits(pg, address) == 20 + passed_a


def test_bursts_to_two_replicas_at_once_stay_within_the_tolerance(spawn_server, pg):
    a_srv, a = limited_server(spawn_server, 20)
    b_srv, b = limited_server(spawn_server, 20)
    address = R.fresh_address()
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        runs = list(ex.map(lambda srv: parallel(srv.base_url, address, 40, workers=4), [a_srv, b_srv]))
    served = [statuses.count(404) for statuses in runs]
    # each replica stops at the limit on its own: never more than replicas x limit in all
    assert all(n <= 20 for n in served) and 20 <= sum(served) <= 40, served
    wait_for_hits(pg, address, sum(served))
    time.sleep(0.3)
    assert outcomes(a, address, 2)[0] == 0 and outcomes(b, address, 2)[0] == 0


def test_retry_after_and_the_next_window(spawn_server, pg):
    srv, c = limited_server(spawn_server, 3, window=2)
    address = R.fresh_address()
    started = time.monotonic()
    passed, limited = outcomes(c, address, 4)
    assert passed == 3 and len(limited) == 1
    retry = assert_retry_after(limited[0], 2)
    # the window started with the first lookup: it ends at most 2 s after it
    time.sleep(max(retry, 2 - (time.monotonic() - started)) + 0.1)
    passed, limited = outcomes(c, address, 4)
    assert passed == 3 and len(limited) == 1, "a new window counts from zero"
    assert_retry_after(limited[0], 2)
    # the stored count is that of the new window
    wait_for_hits(pg, address, 3)


def test_requests_never_wait_for_the_shared_count(spawn_server, pg, scratch_db):
    """While the shared table is locked (its sync times out), lookups are answered at once and
    the limit holds locally; afterwards the hits reach the table, counted once."""
    db = scratch_db()
    srv, c = limited_server(spawn_server, 5, db=db, STATEMENT_TIMEOUT_MS=500)
    address = R.fresh_address()
    args = [str(H.PG_BIN / "psql"), "-X", "-q", "-h", pg.dir, "-p", str(pg.port), "-U", "postgres", "-d", db,
            "-v", "ON_ERROR_STOP=1", "-c",
            "BEGIN; LOCK TABLE rate_limit_windows; SELECT pg_sleep(3); COMMIT;"]
    holder = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 5
        while not pg.psql("SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                          "WHERE c.relname = 'rate_limit_windows' AND l.mode = 'AccessExclusiveLock' "
                          "AND l.granted", db=db):
            assert time.monotonic() < deadline, "the lock was not taken"
            time.sleep(0.02)
        t0 = time.monotonic()
        passed, limited = outcomes(c, address, 8)
        took = time.monotonic() - t0
        assert holder.poll() is None, "the lock ended before the lookups did"
        assert passed == 5 and len(limited) == 3
        assert took < 2.5, f"8 lookups took {took:.1f} s while the table was locked"
    finally:
        _, err = holder.communicate(timeout=15)
    assert holder.returncode == 0, err
    wait_for_hits(pg, address, 5, db=db)
    time.sleep(0.3)
    assert stored_hits(pg, address, db) == 5
