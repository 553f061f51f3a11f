"""Status arithmetic from dates (`?on=`): the period end, suspensions (also ended early), striking
off, revoked measures, deregistration; measures and their validation; the same on the public
lookup GET /v1/register/{registrationNumber}?on=."""

import pytest

import register_helpers as R
from kr_helpers import assert_problem
from register_helpers import proxied  # noqa: F401  (module-scoped fixture)

PROFS, REGISTER = R.PROFS, R.REGISTER


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def pub(proxied):  # noqa: F811
    return proxied()


def statuses(rg, pid, dates):
    return {d: rg.status_on(pid, d) for d in dates}


def public_status(pub, number, on):
    r = pub.get(f"{REGISTER}/{number}", params={"on": on})
    assert r.status_code == 200, f"public lookup on {on}: {r.status_code} {r.content[:500]!r}"
    body = r.json()
    assert body["statusOn"] == on
    return body["status"]


# ------------------------------------------------------------------ the period


def test_period_end_boundary(client, rg, pub):
    end = R.days(-20)
    p = rg.registered_until(end)
    start = p["start"]
    assert rg.status_on(p["id"], start) == "registered"
    assert rg.status_on(p["id"], R.shift(end, -1)) == "registered"
    assert rg.status_on(p["id"], end) == "registered"
    after = rg.get(p["id"], on=R.shift(end, 1))
    assert after["status"] == "expired" and after["statusOn"] == R.shift(end, 1)
    assert after["periodStart"] == start and after["periodEnd"] == end, "the last period is shown"
    today = rg.get(p["id"], token=p["token"])
    assert today["status"] == "expired" and today["statusOn"] == R.today().isoformat()
    assert public_status(pub, p["number"], end) == "registered"
    assert public_status(pub, p["number"], R.shift(end, 1)) == "expired"


def test_period_end_in_the_future(client, rg, pub):
    end = R.days(3)
    p = rg.registered_until(end)
    assert rg.get(p["id"])["status"] == "registered"
    assert rg.status_on(p["id"], end) == "registered"
    assert rg.status_on(p["id"], R.shift(end, 1)) == "expired"
    assert public_status(pub, p["number"], R.shift(end, 1)) == "expired"
    assert public_status(pub, p["number"], R.today().isoformat()) == "registered"


def test_status_on_defaults_to_today(client, rg):
    p = rg.registered(R.days(-5))
    got = rg.get(p["id"])
    assert got["statusOn"] == R.today().isoformat() and got["status"] == "registered"


@pytest.mark.parametrize("on", ["2023-02-30", "2023-13-01", "tomorrow", "20230101"])
def test_bad_on_parameter(client, rg, pub, on):
    p = rg.registered(R.days(-5))
    assert_problem(client.get(f"{PROFS}/{p['id']}", token=rg.admin, params={"on": on}), 400,
                   slug="validation-error", fields={"on"})
    assert_problem(pub.get(f"{REGISTER}/{p['number']}", params={"on": on}), 400, slug="validation-error",
                   fields={"on"})


# ------------------------------------------------------------------ suspensions


def test_suspension_boundaries(client, rg, pub):
    p = rg.registered(R.days(-100))
    s, e = R.days(-10), R.days(10)
    m = rg.impose(p["id"], "suspension", s, e).json()
    assert m["type"] == "suspension" and m["startsOn"] == s and m["endsOn"] == e and m["state"] == "active"
    assert m["endedOn"] is None and m["revokedOn"] is None and m["revocationReason"] is None
    R.check_timestamp(m["createdAt"])
    want = {R.shift(s, -1): "registered", s: "suspended", R.days(0): "suspended", e: "suspended",
            R.shift(e, 1): "registered"}
    assert statuses(rg, p["id"], want) == want
    for on, status in want.items():
        assert public_status(pub, p["number"], on) == status


def test_future_suspension(client, rg):
    p = rg.registered(R.days(-100))
    s, e = R.days(5), R.days(6)
    rg.impose(p["id"], "suspension", s, e)
    want = {R.days(0): "registered", R.days(4): "registered", s: "suspended", e: "suspended",
            R.days(7): "registered"}
    assert statuses(rg, p["id"], want) == want


def test_suspension_ended_early(client, rg, pub):
    p = rg.registered(R.days(-100))
    s, e = R.days(-10), R.days(10)
    m = rg.impose(p["id"], "suspension", s, e).json()
    today = R.days(0)
    ended = rg.end_measure(p["id"], m["id"], today).json()
    assert ended["state"] == "ended" and ended["endedOn"] == today and ended["endsOn"] == e
    want = {R.shift(s, -1): "registered", s: "suspended", R.days(-1): "suspended", today: "registered",
            R.days(1): "registered", e: "registered"}
    assert statuses(rg, p["id"], want) == want
    for on, status in want.items():
        assert public_status(pub, p["number"], on) == status
    # ending again, or revoking then ending, is a conflict
    assert_problem(rg.end_measure(p["id"], m["id"], today, expect=None), 409)


def test_ending_only_a_running_suspension(client, rg):
    p = rg.registered(R.days(-100))
    w = rg.impose(p["id"], "warning", R.days(-3)).json()
    assert_problem(rg.end_measure(p["id"], w["id"], R.today(), expect=None), 409)
    c = rg.impose(p["id"], "conditional_suspension", R.days(-3), R.days(30)).json()
    assert_problem(rg.end_measure(p["id"], c["id"], R.today(), expect=None), 409)
    s = rg.impose(p["id"], "suspension", R.days(-3), R.days(30)).json()
    rg.revoke_measure(p["id"], s["id"])
    assert_problem(rg.end_measure(p["id"], s["id"], R.today(), expect=None), 409)


def test_conditional_suspension_changes_no_status(client, rg):
    p = rg.registered(R.days(-100))
    rg.impose(p["id"], "conditional_suspension", R.days(-5), R.days(5))
    for d in (R.days(-5), R.days(0), R.days(5)):
        assert rg.status_on(p["id"], d) == "registered"


def test_warning_and_reprimand_change_no_status(client, rg):
    p = rg.registered(R.days(-100))
    w = rg.impose(p["id"], "warning", R.days(-5)).json()
    assert w["endsOn"] is None
    rg.impose(p["id"], "reprimand", R.days(-4))
    assert rg.get(p["id"])["status"] == "registered"


def test_revoked_suspension_has_no_effect(client, rg, pub):
    p = rg.registered(R.days(-100))
    m = rg.impose(p["id"], "suspension", R.days(-10), R.days(10)).json()
    assert rg.get(p["id"])["status"] == "suspended"
    rev = rg.revoke_measure(p["id"], m["id"], reason="Beroep toegewezen").json()
    assert rev["state"] == "revoked" and rev["revokedOn"] == R.today().isoformat()
    assert rev["revocationReason"] == "Beroep toegewezen"
    for d in (R.days(-10), R.days(0), R.days(10)):
        assert rg.status_on(p["id"], d) == "registered"
        assert public_status(pub, p["number"], d) == "registered"
    assert_problem(rg.revoke_measure(p["id"], m["id"], expect=None), 409)


# ------------------------------------------------------------------ striking off


def test_striking_off_from_its_start(client, rg, pub):
    p = rg.registered(R.days(-100))
    s = R.days(-7)
    m = rg.impose(p["id"], "striking_off", s).json()
    assert m["endsOn"] is None
    want = {R.shift(s, -1): "registered", s: "struck_off", R.days(0): "struck_off", R.days(300): "struck_off"}
    assert statuses(rg, p["id"], want) == want
    for on in (R.shift(s, -1), s, R.days(0)):
        assert public_status(pub, p["number"], on) == want[on]


def test_future_striking_off(client, rg, pub):
    p = rg.registered(R.days(-100))
    s = R.days(4)
    rg.impose(p["id"], "striking_off", s)
    assert rg.get(p["id"])["status"] == "registered"
    assert rg.status_on(p["id"], R.days(3)) == "registered"
    assert rg.status_on(p["id"], s) == "struck_off"
    assert public_status(pub, p["number"], s) == "struck_off"


def test_revoked_striking_off_has_no_effect(client, rg):
    p = rg.registered(R.days(-100))
    m = rg.impose(p["id"], "striking_off", R.days(-7)).json()
    assert rg.get(p["id"])["status"] == "struck_off"
    rg.revoke_measure(p["id"], m["id"])
    for d in (R.days(-7), R.days(0), R.days(30)):
        assert rg.status_on(p["id"], d) == "registered"


# ------------------------------------------------------------------ deregistration date


def test_deregistration_on_its_date(client, rg):
    p = rg.registered(R.days(-100))
    on = R.days(-30)
    rg.deregister(p["id"], on=on)
    want = {R.shift(on, -1): "registered", on: "deregistered", R.days(0): "deregistered"}
    assert statuses(rg, p["id"], want) == want


def test_future_deregistration(client, rg):
    p = rg.registered(R.days(-100))
    on = R.days(14)
    prof = rg.deregister(p["id"], on=on).json()
    assert prof["deregisteredOn"] == on
    want = {R.days(0): "registered", R.days(13): "registered", on: "deregistered"}
    assert statuses(rg, p["id"], want) == want


# ------------------------------------------------------------------ measures: list and validation


def test_measures_list(client, rg):
    p = rg.registered(R.days(-100))
    a = rg.impose(p["id"], "warning", R.days(-9), public=False).json()
    b = rg.impose(p["id"], "suspension", R.days(-8), R.days(8)).json()
    r = client.get(f"{PROFS}/{p['id']}/measures", token=rg.admin)
    assert r.status_code == 200, r.content
    got = {m["id"]: m for m in r.json()["items"]}
    assert set(got) == {a["id"], b["id"]}
    assert got[a["id"]]["public"] is False and got[b["id"]]["public"] is True
    assert got[b["id"]]["state"] == "active"


def test_measure_needs_a_registration_number(client, rg):
    p = rg.new()
    assert_problem(rg.impose(p["id"], "warning", R.today(), expect=None), 409)
    q = rg.new()
    rg.reject(q["id"])
    assert_problem(rg.impose(q["id"], "warning", R.today(), expect=None), 409)
    assert rg.get(p["id"])["status"] == "applied"


@pytest.mark.parametrize("body,field", [
    ({"type": "suspension", "startsOn": "2024-01-01"}, "endsOn"),
    ({"type": "conditional_suspension", "startsOn": "2024-01-01"}, "endsOn"),
    ({"type": "suspension", "startsOn": "2024-01-10", "endsOn": "2024-01-09"}, "endsOn"),
    ({"type": "suspension", "startsOn": "2023-02-30", "endsOn": "2024-01-09"}, "startsOn"),
    ({"type": "fine", "startsOn": "2024-01-01"}, "type"),
    ({"type": "warning"}, "startsOn"),
    ({"type": "warning", "startsOn": "2024-01-01", "public": "yes"}, "public"),
    ({"type": "warning", "startsOn": "2024-01-01", "state": "ended"}, "state"),
    ({"type": "warning", "startsOn": "2024-01-01", "reason": 7}, "reason"),
])
def test_bad_measure_bodies(client, rg, body, field):
    p = rg.registered(R.days(-1000))
    full = {"reason": "Tuchtzaak", "public": True}
    full.update(body)
    r = client.post(f"{PROFS}/{p['id']}/measures", token=rg.admin, json=full)
    assert_problem(r, 400, slug="validation-error", fields={field})
    assert client.get(f"{PROFS}/{p['id']}/measures", token=rg.admin).json()["items"] == []


def test_measure_actions_unknown_ids(client, rg):
    p = rg.registered(R.days(-10))
    other = rg.registered(R.days(-10))
    m = rg.impose(other["id"], "suspension", R.days(-1), R.days(3)).json()
    # the measure of another professional is not found under this one
    assert_problem(rg.end_measure(p["id"], m["id"], R.today(), expect=None), 404)
    assert_problem(rg.revoke_measure(p["id"], m["id"], expect=None), 404)
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(rg.revoke_measure(p["id"], missing, expect=None), 404)
    assert_problem(rg.impose(missing, "warning", R.today(), expect=None), 404)
    assert rg.get(other["id"])["status"] == "suspended"


@pytest.mark.parametrize("body,field", [({}, "on"), ({"on": "2023-02-30"}, "on"), ({"on": 5}, "on")])
def test_bad_ending_bodies(client, rg, body, field):
    p = rg.registered(R.days(-100))
    m = rg.impose(p["id"], "suspension", R.days(-1), R.days(30)).json()
    r = client.post(f"{PROFS}/{p['id']}/measures/{m['id']}/ending", token=rg.admin, json=body)
    assert_problem(r, 400, slug="validation-error", fields={field})
    assert rg.get(p["id"])["status"] == "suspended"
