"""Rules that must hold under concurrent requests: unique registration numbers, at most five
evidence files per activity, one record per e-mail address, one re-registration per period, one
status change of a kind (each decided on the facts read after the professional's row lock)."""

import re
import threading

import pytest

import kr_helpers as H
import register_helpers as R
from kr_helpers import assert_problem

PROFS = R.PROFS


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


def in_parallel(server, contract, calls):
    """Run calls (each fn(client) -> response) at once, one client (connection) each."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i, fn):
        c = H.ApiClient(server.base_url, contract)
        try:
            barrier.wait(10)
            results[i] = fn(c)
        except BaseException as e:  # reported below
            results[i] = e
        finally:
            c.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def test_concurrent_approvals_get_distinct_numbers(server, contract, client, rg):
    ready = [rg.ready() for _ in range(8)]
    admin = rg.admin
    calls = [(lambda c, pid=p["id"]: c.post(f"{PROFS}/{pid}/approval", token=admin, json={})) for p in ready]
    results = in_parallel(server, contract, calls)
    assert [r.status_code for r in results] == [200] * 8, [r.content[:200] for r in results]
    numbers = [r.json()["registrationNumber"] for r in results]
    assert all(re.match(r"^RSW[0-9]{7}$", n) for n in numbers) and len(set(numbers)) == 8, numbers


def test_concurrent_approval_of_one_professional(server, contract, client, rg):
    p = rg.ready()
    admin = rg.admin
    results = in_parallel(server, contract,
                          [lambda c: c.post(f"{PROFS}/{p['id']}/approval", token=admin, json={})] * 4)
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409, 409], [r.content[:200] for r in results]
    for r in results:
        if r.status_code == 409:
            assert_problem(r, 409)
    hist = [h["type"] for h in rg.history(p["id"])]
    assert hist.count("approved") == 1 and hist.count("period_started") == 1, hist


def test_concurrent_evidence_uploads_stop_at_five(server, contract, client, rg):
    p = rg.registered(R.days(-10))
    a = rg.add_activity(p, completed_on=R.days(-1))
    path = f"{PROFS}/{p['id']}/development-activities/{a['id']}/evidence"
    tok = p["token"]
    calls = [(lambda c: c.post(path, token=tok, data=R.pdf_bytes(), headers={"Content-Type": "application/pdf"}))
             for _ in range(9)]
    results = in_parallel(server, contract, calls)
    codes = sorted(r.status_code for r in results)
    assert codes == [201] * 5 + [409] * 4, [r.content[:200] for r in results]
    got = client.get(f"{PROFS}/{p['id']}/development-activities/{a['id']}", token=tok).json()
    assert len(got["evidence"]) == 5


def test_concurrent_admin_creates_with_one_email(server, contract, client, rg):
    body = rg.professional_body()
    admin = rg.admin
    results = in_parallel(server, contract, [lambda c: c.post(PROFS, token=admin, json=body)] * 5)
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409, 409, 409, 409], [r.content[:200] for r in results]


def test_concurrent_reregistration_starts_one_period(server, contract, client, rg):
    p = rg.registered_until(R.days(20))
    rg.meet_requirements(p, R.days(-5))
    tok = p["token"]
    results = in_parallel(server, contract,
                          [lambda c: c.post(f"{PROFS}/{p['id']}/reregistration", token=tok)] * 4)
    codes = sorted(r.status_code for r in results)
    assert codes[0] == 200, [r.content[:200] for r in results]
    periods = client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()["periods"]
    assert [x["number"] for x in periods] == [1, 2], periods
    assert all(c in (200, 409) for c in codes), codes


def test_concurrent_deregistrations_of_one_professional(server, contract, client, rg):
    p = rg.registered(R.days(-30))
    admin = rg.admin
    on = R.days(1)
    results = in_parallel(server, contract,
                          [lambda c: c.post(f"{PROFS}/{p['id']}/deregistration", token=admin,
                                            json={"on": on, "reason": "Gestopt"})] * 8)
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * 7, [r.content[:200] for r in results]
    for r in results:
        if r.status_code == 409:
            assert_problem(r, 409)
    hist = [h["type"] for h in rg.history(p["id"])]
    assert hist.count("deregistered") == 1, hist
    assert rg.status_on(p["id"], R.days(0)) == "registered" and rg.status_on(p["id"], on) == "deregistered"


def test_concurrent_endings_of_one_suspension(server, contract, client, rg):
    p = rg.registered(R.days(-100))
    m = rg.impose(p["id"], "suspension", R.days(-10), R.days(10)).json()
    admin = rg.admin
    path = f"{PROFS}/{p['id']}/measures/{m['id']}/ending"
    results = in_parallel(server, contract, [lambda c: c.post(path, token=admin, json={"on": R.days(0)})] * 8)
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * 7, [r.content[:200] for r in results]
    hist = [h["type"] for h in rg.history(p["id"])]
    assert hist.count("measure_ended") == 1, hist
    assert rg.status_on(p["id"], R.days(-1)) == "suspended" and rg.status_on(p["id"], R.days(0)) == "registered"
