"""Progress towards re-registration (hours per category, caps, only completed activities inside the
period, met/unmet) and re-registration (window, unmet requirements, the next period)."""

import re

import pytest

import register_helpers as R
from kr_helpers import assert_problem
from register_helpers import proxied  # noqa: F401  (module-scoped fixture)

PROFS = R.PROFS
approx = pytest.approx


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


def check_shape(prog, p, on=None):
    assert prog["periodStart"] == p["start"] and prog["periodEnd"] == p["end"]
    assert prog["windowClosesOn"] == p["end"]
    assert prog["windowOpensOn"] == R.window_opens(p["end"], 12)
    assert prog["on"] == (on or R.today().isoformat())


# ------------------------------------------------------------------ arithmetic


def test_caps_and_missing_hours(client, rg):
    p = rg.registered(R.days(-400))
    on = R.days(-100)
    rg.completed(p, "formal_learning", 25, on, type_="course")
    rg.completed(p, "formal_learning", 15, on, type_="congress")
    rg.completed(p, "reflection", 30, on, type_="supervision")
    rg.completed(p, "informal_learning", 40, on, type_="literature")
    rg.completed(p, "informal_learning", 30, on, type_="research")
    # planned and in-progress activities do not count
    rg.add_activity(p, type_="course", hours=100, status="planned", started_on=R.days(10))
    rg.add_activity(p, type_="intervision", hours=100, status="in_progress", started_on=R.days(-5))
    for tok in (p["token"], rg.admin):
        prog = rg.progress(p["id"], token=tok)
        check_shape(prog, p)
        assert prog["periodNumber"] == 1
        cats = R.by_category(prog)
        assert set(cats) == {"formal_learning", "reflection", "informal_learning"}
        assert cats["formal_learning"]["countedHours"] == approx(40) and cats["formal_learning"]["creditedHours"] == approx(40)
        assert cats["reflection"]["countedHours"] == approx(30) and cats["reflection"]["creditedHours"] == approx(30)
        assert cats["informal_learning"]["countedHours"] == approx(70)
        assert cats["informal_learning"]["creditedHours"] == approx(50), "informal learning counts up to 50 h"
        assert cats["formal_learning"]["minimumHours"] == 60 and cats["formal_learning"]["capHours"] is None
        assert cats["reflection"]["minimumHours"] == 50 and cats["reflection"]["capHours"] is None
        assert cats["informal_learning"]["minimumHours"] == 0 and cats["informal_learning"]["capHours"] == 50
        assert prog["totalCreditedHours"] == approx(120) and prog["totalRequiredHours"] == 160
        assert prog["met"] is False
        assert R.unmet_map(prog) == {"formal_learning": approx(20), "reflection": approx(20), "total": approx(40)}


def test_met_exactly_with_capped_informal_learning(client, rg):
    p = rg.registered(R.days(-400))
    on = R.days(-10)
    rg.completed(p, "formal_learning", 60, on)
    rg.completed(p, "reflection", 50, on)
    rg.completed(p, "informal_learning", 70, on)
    prog = rg.progress(p["id"])
    assert prog["totalCreditedHours"] == approx(160)
    assert prog["met"] is True and prog["unmet"] == []


def test_only_the_total_missing(client, rg):
    p = rg.registered(R.days(-400))
    on = R.days(-10)
    rg.completed(p, "formal_learning", 60, on)
    rg.completed(p, "reflection", 50, on)
    rg.completed(p, "informal_learning", 20, on)
    prog = rg.progress(p["id"])
    assert prog["totalCreditedHours"] == approx(130)
    assert prog["met"] is False and R.unmet_map(prog) == {"total": approx(30)}


def test_decimal_hours(client, rg):
    p = rg.registered(R.days(-400))
    on = R.days(-10)
    for h in (0.1, 0.2, 10.35, 49.35):
        rg.completed(p, "formal_learning", h, on)
    rg.completed(p, "reflection", 50.25, on)
    rg.completed(p, "informal_learning", 49.99, on)
    prog = rg.progress(p["id"])
    cats = R.by_category(prog)
    assert cats["formal_learning"]["countedHours"] == approx(60.0)
    assert cats["reflection"]["countedHours"] == approx(50.25)
    assert cats["informal_learning"]["creditedHours"] == approx(49.99)
    assert prog["totalCreditedHours"] == approx(160.24)
    assert prog["met"] is True and prog["unmet"] == []


def test_only_completed_activities_inside_the_period_count(client, rg):
    end = R.days(-40)
    p = rg.registered_until(end)
    start = p["start"]
    rg.completed(p, "formal_learning", 1, R.shift(start, -1))   # the day before: no
    rg.completed(p, "formal_learning", 2, start)                # the first day: yes
    rg.add_activity(p, type_="course", hours=4, started_on=R.shift(start, -30),
                    completed_on=R.shift(start, 3))              # started before, completed inside: yes
    rg.completed(p, "formal_learning", 8, end)                  # the last day: yes
    rg.completed(p, "formal_learning", 16, R.shift(end, 1))     # the day after: no
    rg.completed(p, "reflection", 32, R.shift(end, 10))         # after: no
    for on in (end, start, None):
        prog = rg.progress(p["id"], on=on)
        assert prog["periodStart"] == start and prog["periodEnd"] == end and prog["periodNumber"] == 1
        cats = R.by_category(prog)
        assert cats["formal_learning"]["countedHours"] == approx(14), on
        assert cats["reflection"]["countedHours"] == approx(0), on
        assert R.unmet_map(prog)["formal_learning"] == approx(46)


def test_progress_before_approval_409(client, rg):
    p = rg.new()
    rg.add_activity(p, completed_on=R.days(-1))
    r = client.get(f"{PROFS}/{p['id']}/progress", token=p["token"])
    assert_problem(r, 409)


@pytest.mark.parametrize("on", ["2023-02-30", "x"])
def test_progress_bad_on(client, rg, on):
    p = rg.registered(R.days(-10))
    assert_problem(client.get(f"{PROFS}/{p['id']}/progress", token=p["token"], params={"on": on}), 400,
                   slug="validation-error", fields={"on"})


# ------------------------------------------------------------------ requirements change


def test_running_period_keeps_its_requirements(client, rg):
    prof = rg.create_profile(R.requirements(formal=10, reflection=5, informal_cap=5, total=20))
    p = rg.registered_until(R.days(30), profile=prof["code"])
    on = R.days(-20)
    rg.completed(p, "formal_learning", 10, on)
    rg.completed(p, "reflection", 5, on)
    rg.completed(p, "informal_learning", 8, on)
    before = rg.progress(p["id"])
    assert before["met"] is True and before["totalRequiredHours"] == 20
    new_req = R.requirements(formal=100, reflection=100, informal_cap=10, total=300)
    r = client.put(f"{R.PROFILES}/{prof['code']}", token=rg.admin,
                   json={"name": prof["name"], "periodYears": 2, "windowWeeks": 12, "requirements": new_req})
    assert r.status_code == 200, r.content
    after = rg.progress(p["id"])
    assert after == before, "a running period keeps the requirements it started with"
    assert rg.get(p["id"])["periodEnd"] == p["end"]
    # re-registration is judged against the period's own requirements; the next period takes the new ones
    r = rg.reregister(p)
    assert r.status_code == 200, r.content
    new_start = R.shift(p["end"], 1)
    nxt = rg.progress(p["id"], on=new_start)
    assert nxt["periodNumber"] == 2 and nxt["periodStart"] == new_start
    assert nxt["periodEnd"] == R.period_end(new_start, 2)
    cats = R.by_category(nxt)
    assert cats["formal_learning"]["minimumHours"] == 100 and cats["informal_learning"]["capHours"] == 10
    assert nxt["totalRequiredHours"] == 300
    assert cats["formal_learning"]["countedHours"] == 0, "period 1's activities do not count for period 2"
    export = client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()
    periods = {x["number"]: x for x in export["periods"]}
    assert periods[1]["requirements"]["totalHours"] == 20 and periods[2]["requirements"]["totalHours"] == 300


# ------------------------------------------------------------------ re-registration


def test_reregistration_outside_the_window_409(client, rg):
    p = rg.registered(R.days(-365))
    rg.meet_requirements(p, R.days(-5))
    assert rg.progress(p["id"])["met"] is True
    body = assert_problem(rg.reregister(p), 409, fields={"window"})
    assert not [f for f in R.field_list(body) if f.startswith("requirements.")], body
    assert len(client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()["periods"]) == 1


def test_window_opens_exactly_windowweeks_before_the_end(client, rg):
    closed = rg.registered_until(R.days(85))
    rg.meet_requirements(closed, R.days(-5))
    prog = rg.progress(closed["id"])
    assert prog["windowOpensOn"] == R.days(1)
    assert_problem(rg.reregister(closed), 409, fields={"window"})
    opening = rg.registered_until(R.days(84))
    rg.meet_requirements(opening, R.days(-5))
    assert rg.progress(opening["id"])["windowOpensOn"] == R.days(0)
    r = rg.reregister(opening)
    assert r.status_code == 200, r.content


def test_window_closes_after_period_end(client, rg):
    last_day = rg.registered_until(R.days(0))
    rg.meet_requirements(last_day, R.days(-5))
    r = rg.reregister(last_day)
    assert r.status_code == 200, r.content
    assert rg.status_on(last_day["id"], R.days(1)) == "registered"
    gone = rg.registered_until(R.days(-1))
    rg.meet_requirements(gone, R.days(-5))
    assert rg.get(gone["id"])["status"] == "expired"
    assert_problem(rg.reregister(gone), 409, fields={"window"})
    assert rg.get(gone["id"])["status"] == "expired"


def test_unmet_requirements_named(client, rg):
    p = rg.registered_until(R.days(30))
    on = R.days(-20)
    rg.completed(p, "formal_learning", 40, on)
    rg.completed(p, "reflection", 37.5, on)
    rg.completed(p, "informal_learning", 70, on)
    body = assert_problem(rg.reregister(p), 409,
                          fields={"requirements.formal_learning", "requirements.reflection", "requirements.total"},
                          exact_fields=True)
    missing = {"requirements.formal_learning": 20, "requirements.reflection": 12.5, "requirements.total": 32.5}
    for field, hours in missing.items():
        msgs = R.messages_for(body, field)
        said = [float(n) for m in msgs for n in re.findall(r"\d+(?:\.\d+)?", m)]
        assert hours in said, f"{field}: message does not say {hours} hours missing: {msgs}"
    assert len(client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()["periods"]) == 1


def test_successful_reregistration_starts_next_period(client, rg, proxied):  # noqa: F811
    end = R.days(40)
    p = rg.registered_until(end)
    rg.meet_requirements(p, R.days(-30))
    r = rg.reregister(p)
    assert r.status_code == 200, r.content
    prof = r.json()
    assert prof["id"] == p["id"] and prof["status"] == "registered"
    assert prof["registrationNumber"] == p["number"]
    new_start, new_end = R.shift(end, 1), R.period_end(R.shift(end, 1), 5)
    # the current period today is still the first; on the new start the second
    assert rg.get(p["id"])["periodEnd"] == end
    nxt = rg.get(p["id"], on=new_start)
    assert nxt["status"] == "registered" and nxt["periodStart"] == new_start and nxt["periodEnd"] == new_end
    assert rg.status_on(p["id"], new_end) == "registered"
    assert rg.status_on(p["id"], R.shift(new_end, 1)) == "expired"
    hist = rg.history(p["id"], token=p["token"])
    starts = [h for h in hist if h["type"] == "period_started"]
    assert [h["on"] for h in starts] == [p["start"], new_start]
    assert starts[1]["recordedBy"] == p["account_id"]
    export = client.get(f"{PROFS}/{p['id']}/export", token=p["token"]).json()
    assert [(x["number"], x["startsOn"], x["endsOn"]) for x in export["periods"]] == \
        [(1, p["start"], end), (2, new_start, new_end)]
    pub = proxied().get(f"{R.REGISTER}/{p['number']}")
    assert pub.status_code == 200, pub.content
    assert pub.json()["periods"] == [{"startsOn": p["start"], "endsOn": end},
                                     {"startsOn": new_start, "endsOn": new_end}]
    prog = rg.progress(p["id"], on=new_start)
    assert prog["periodNumber"] == 2 and prog["windowClosesOn"] == new_end


def test_reregistration_is_for_the_professional(client, rg):
    p = rg.registered_until(R.days(30))
    rg.meet_requirements(p, R.days(-5))
    assert_problem(rg.reregister(p, token=rg.admin), 403)
    other = rg.registered_until(R.days(30))
    assert_problem(rg.reregister(p, token=other["token"]), 404)
    applied = rg.new()
    assert_problem(rg.reregister(applied), 409)
    assert len(client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()["periods"]) == 1


def test_window_length_comes_from_the_profile(client, rg):
    prof = rg.create_profile(R.requirements(formal=1, reflection=1, informal_cap=None, total=2), window_weeks=4)
    closed = rg.registered_until(R.days(29), profile=prof["code"])
    rg.completed(closed, "formal_learning", 1, R.days(-3))
    rg.completed(closed, "reflection", 1, R.days(-3))
    prog = rg.progress(closed["id"])
    assert prog["met"] is True and prog["windowOpensOn"] == R.days(1) and prog["windowClosesOn"] == R.days(29)
    assert_problem(rg.reregister(closed), 409, fields={"window"})
    opening = rg.registered_until(R.days(28), profile=prof["code"])
    rg.completed(opening, "formal_learning", 1, R.days(-3))
    rg.completed(opening, "reflection", 1, R.days(-3))
    assert rg.progress(opening["id"])["windowOpensOn"] == R.days(0)
    r = rg.reregister(opening)
    assert r.status_code == 200, r.content


def test_caps_and_minimums_of_any_category(client, rg):
    reqs = R.requirements(formal=10, formal_cap=15, reflection=0, informal_min=5, informal_cap=None, total=30)
    prof = rg.create_profile(reqs)
    p = rg.registered_until(R.days(10), profile=prof["code"])
    rg.completed(p, "formal_learning", 40, R.days(-3))
    rg.completed(p, "informal_learning", 2, R.days(-3))
    prog = rg.progress(p["id"])
    cats = R.by_category(prog)
    assert cats["formal_learning"]["countedHours"] == approx(40) and cats["formal_learning"]["creditedHours"] == approx(15)
    assert cats["formal_learning"]["capHours"] == 15 and cats["informal_learning"]["capHours"] is None
    assert cats["informal_learning"]["creditedHours"] == approx(2)
    assert prog["totalCreditedHours"] == approx(17) and prog["totalRequiredHours"] == 30
    assert R.unmet_map(prog) == {"informal_learning": approx(3), "total": approx(13)}
    assert_problem(rg.reregister(p), 409, fields={"requirements.informal_learning", "requirements.total"},
                   exact_fields=True)


@pytest.mark.parametrize("how", ["deregistered", "struck_off"])
def test_no_reregistration_after_leaving_the_register(client, rg, how):
    p = rg.registered_until(R.days(20))
    rg.meet_requirements(p, R.days(-5))
    if how == "deregistered":
        rg.deregister(p["id"], token=p["token"])
    else:
        rg.impose(p["id"], "striking_off", R.days(-1))
    assert rg.get(p["id"])["status"] == how
    assert_problem(rg.reregister(p), 409)
    assert len(client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()["periods"]) == 1
