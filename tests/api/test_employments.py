"""Employer links (issue 12): a professional proposes a link to an organisation, the organisation
confirms or declines it, either side ends it; what the organisation sees (names and registration
numbers of proposed and confirmed links, status and progress of confirmed current ones, never
activities), and the public counts per organisation with small counts suppressed."""

import json
import uuid

import pytest

import label_helpers as L
import register_helpers as R
from kr_helpers import assert_problem

PROFS = R.PROFS
ORGS = L.ORGS
EMPLOYMENTS = "/v1/employments"


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


# ------------------------------------------------------------------ helpers


def propose(client, p, org_id, from_=None, until=None, token=None, expect=201):
    body = {"organisationId": org_id, "from": from_ or R.days(0)}
    if until is not None:
        body["until"] = until
    r = client.post(f"{PROFS}/{p['id']}/employments", token=token or p["token"], json=body)
    assert r.status_code == expect, f"propose: {r.status_code} {r.content[:800]!r}"
    return r.json() if expect == 201 else r


def decide(client, org_id, eid, token, action="confirmation", expect=200):
    r = client.post(f"{ORGS}/{org_id}/employments/{eid}/{action}", token=token)
    assert r.status_code == expect, f"{action}: {r.status_code} {r.content[:800]!r}"
    return r


def end(client, eid, token, body=None, expect=200):
    r = client.post(f"{EMPLOYMENTS}/{eid}/ending", token=token, json={} if body is None else body)
    assert r.status_code == expect, f"ending: {r.status_code} {r.content[:800]!r}"
    return r


def org_professionals(client, org_id, token):
    items, _ = R.collect(client, f"{ORGS}/{org_id}/professionals", token=token, limit=100)
    return items


def org_employments(client, org_id, token, **params):
    items, _ = R.collect(client, f"{ORGS}/{org_id}/employments", token=token, limit=100, **params)
    return items


def workforce(client, org_id):
    r = client.get(f"{ORGS}/{org_id}/workforce")
    assert r.status_code == 200, r.content
    return r.json()


def org_with_account(lb):
    org = lb.create_org()
    _, token = lb.org_account(org["id"])
    return org, token


def linked(client, rg, org_id, org_token, p=None, **register_kw):
    """A professional (registered unless p is given) with a confirmed link to org_id from today."""
    p = p or rg.registered(**register_kw)
    e = propose(client, p, org_id)
    decide(client, org_id, e["id"], org_token)
    p["employment"] = e["id"]
    return p


def expected_suppression(linked_n, registered_n, on_track_n):
    """The rule, counted independently: under 5 suppressed; an inner count whose difference with a
    shown outer one is under 5 suppressed too."""
    counts = [linked_n, registered_n, on_track_n]
    hidden = [c < 5 for c in counts]
    for i in range(3):
        for j in range(i + 1, 3):
            if not hidden[i] and not hidden[j] and counts[i] - counts[j] < 5:
                hidden[j] = True
    return [None if h else c for c, h in zip(counts, hidden)]


def published(w):
    out = []
    for name in ("linkedProfessionals", "registered", "onTrack"):
        fig = w[name]
        assert set(fig) == {"count", "suppressed"}, fig
        assert (fig["count"] is None) == fig["suppressed"], fig
        out.append(fig["count"])
    return out


# ------------------------------------------------------------------ the flow


def test_propose_confirm_and_what_each_side_sees(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    r = client.post(f"{PROFS}/{p['id']}/employments", token=p["token"],
                    json={"organisationId": org["id"], "from": R.days(-3)})
    assert r.status_code == 201, r.content
    e = r.json()
    assert R.location_path(r) == f"{EMPLOYMENTS}/{e['id']}"
    assert e["state"] == "proposed" and e["from"] == R.days(-3) and e["until"] is None
    assert e["professional"] == {"registrationNumber": p["number"], "givenName": p["prof"]["givenName"],
                                 "familyName": p["prof"]["familyName"]}
    assert e["organisation"] == {"id": org["id"], "name": org["name"], "kvkNumber": org["kvkNumber"]}
    assert e["confirmedAt"] is None and e["endedAt"] is None and e["endedBy"] is None
    L.check_timestamp(e["proposedAt"])
    assert client.get(R.location_path(r), token=p["token"]).json() == e

    # proposed: only in the organisation's list of employments, by name and number
    listed = org_employments(client, org["id"], org_token)
    assert [x["id"] for x in listed] == [e["id"]]
    assert "email" not in json.dumps(listed) and p["id"] not in json.dumps(listed)
    assert org_employments(client, org["id"], org_token, state="confirmed") == []
    assert org_professionals(client, org["id"], org_token) == []
    assert client.get(f"{EMPLOYMENTS}/{e['id']}", token=org_token).json()["state"] == "proposed"

    c = decide(client, org["id"], e["id"], org_token).json()
    assert c["state"] == "confirmed"
    L.check_timestamp(c["confirmedAt"])
    pros = org_professionals(client, org["id"], org_token)
    assert len(pros) == 1
    item = pros[0]
    assert set(item) == {"employmentId", "registrationNumber", "givenName", "familyName", "from", "until",
                         "status", "progress"}
    assert item["employmentId"] == e["id"] and item["registrationNumber"] == p["number"]
    assert item["status"] == "registered"
    assert item["progress"] == {"periodStart": p["start"], "periodEnd": p["end"], "requirementsMet": False,
                                "onTrack": True}, "nobody is behind in a period's first year"

    # the professional sees the same link, confirmed
    mine, _ = R.collect(client, f"{PROFS}/{p['id']}/employments", token=p["token"])
    assert [(x["id"], x["state"]) for x in mine] == [(e["id"], "confirmed")]
    only, _ = R.collect(client, f"{PROFS}/{p['id']}/employments", token=p["token"], state="proposed")
    assert only == []


def test_progress_shows_behind_and_met(client, rg, lb):
    org, org_token = org_with_account(lb)
    behind = linked(client, rg, org["id"], org_token, period_start=R.days(-800))  # two whole years passed
    met = rg.registered(R.days(-800))
    rg.meet_requirements(met, R.days(-10))
    linked(client, rg, org["id"], org_token, p=met)
    pace = rg.registered(R.days(-800))  # 2/5 of every requirement: 24 + 20 + 20 = 64 h
    rg.completed(pace, "formal_learning", 24, R.days(-5))
    rg.completed(pace, "reflection", 20, R.days(-5))
    rg.completed(pace, "informal_learning", 20, R.days(-5))
    linked(client, rg, org["id"], org_token, p=pace)
    applied = linked(client, rg, org["id"], org_token, p=rg.new())
    got = {x["employmentId"]: x for x in org_professionals(client, org["id"], org_token)}
    assert got[behind["employment"]]["progress"]["onTrack"] is False
    assert got[behind["employment"]]["progress"]["requirementsMet"] is False
    assert got[met["employment"]]["progress"]["requirementsMet"] is True
    assert got[met["employment"]]["progress"]["onTrack"] is True
    assert got[pace["employment"]]["progress"] == {"periodStart": pace["start"], "periodEnd": pace["end"],
                                                   "requirementsMet": False, "onTrack": True}
    assert got[applied["employment"]]["status"] == "applied"
    assert got[applied["employment"]]["progress"] is None
    assert got[applied["employment"]]["registrationNumber"] is None


def test_decline_is_final_and_hides_the_link(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    e = propose(client, p, org["id"])
    d = decide(client, org["id"], e["id"], org_token, "declination").json()
    assert d["state"] == "declined" and d["declinedAt"] and d["confirmedAt"] is None
    assert org_employments(client, org["id"], org_token) == []
    assert_problem(client.get(f"{EMPLOYMENTS}/{e['id']}", token=org_token), 404)
    assert client.get(f"{EMPLOYMENTS}/{e['id']}", token=p["token"]).json()["state"] == "declined"
    for action in ("confirmation", "declination"):
        assert_problem(decide(client, org["id"], e["id"], org_token, action, expect=409), 409)
    assert_problem(end(client, e["id"], p["token"], expect=409), 409)
    # a new proposal to the same organisation is a new link
    again = propose(client, p, org["id"])
    assert again["id"] != e["id"] and again["state"] == "proposed"


@pytest.mark.parametrize("side", ["professional", "organisation", "admin"])
def test_either_side_ends_the_link(client, rg, lb, side):
    org, org_token = org_with_account(lb)
    p = linked(client, rg, org["id"], org_token)
    assert len(org_professionals(client, org["id"], org_token)) == 1
    token = {"professional": p["token"], "organisation": org_token, "admin": lb.admin}[side]
    ended = end(client, p["employment"], token).json()
    assert ended["state"] == "ended" and ended["endedBy"] == side
    assert ended["until"] == R.days(0), "the default last day is today"
    L.check_timestamp(ended["endedAt"])
    assert ended["confirmedAt"], "an ended link keeps when it was confirmed"
    # consent is gone: the organisation sees nothing of the professional any more
    assert org_professionals(client, org["id"], org_token) == []
    assert org_employments(client, org["id"], org_token) == []
    assert_problem(client.get(f"{EMPLOYMENTS}/{p['employment']}", token=org_token), 404)
    assert client.get(f"{EMPLOYMENTS}/{p['employment']}", token=p["token"]).json()["state"] == "ended"
    for t in (p["token"], lb.admin):
        assert_problem(end(client, p["employment"], t, expect=409), 409)
    assert_problem(decide(client, org["id"], p["employment"], org_token, expect=409), 409)


def test_a_proposal_can_be_withdrawn(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    e = propose(client, p, org["id"], from_=R.days(30))
    ended = end(client, e["id"], p["token"]).json()
    assert ended["state"] == "ended" and ended["confirmedAt"] is None
    assert ended["until"] == R.days(30), "a link that has not begun ends on its first day"
    assert org_employments(client, org["id"], org_token) == []


def test_ending_until_rules(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    e = propose(client, p, org["id"], from_=R.days(-100), until=R.days(200))
    decide(client, org["id"], e["id"], org_token)
    for bad in (R.days(-101), R.days(1)):
        b = assert_problem(end(client, e["id"], p["token"], {"until": bad}, expect=400), 400, fields={"until"})
        assert R.messages_for(b, "until")
    assert client.get(f"{EMPLOYMENTS}/{e['id']}", token=p["token"]).json()["state"] == "confirmed"
    ended = end(client, e["id"], org_token, {"until": R.days(-10)}).json()
    assert ended["until"] == R.days(-10) and ended["endedBy"] == "organisation"
    # a link whose own last day has passed ends on that day by default
    f = propose(client, p, org["id"], from_=R.days(-50), until=R.days(-20))
    decide(client, org["id"], f["id"], org_token)
    assert end(client, f["id"], p["token"]).json()["until"] == R.days(-20)


def test_only_current_confirmed_links_show_status(client, rg, lb):
    org, org_token = org_with_account(lb)
    current = linked(client, rg, org["id"], org_token)
    lapsed, future = rg.registered(), rg.registered()
    e1 = propose(client, lapsed, org["id"], from_=R.days(-100), until=R.days(-1))
    decide(client, org["id"], e1["id"], org_token)
    e2 = propose(client, future, org["id"], from_=R.days(10))
    decide(client, org["id"], e2["id"], org_token)
    shown = [x["employmentId"] for x in org_professionals(client, org["id"], org_token)]
    assert shown == [current["employment"]]
    # both stay in the organisation's list of (confirmed) links, by name and number only
    assert {x["id"] for x in org_employments(client, org["id"], org_token)} == {current["employment"], e1["id"], e2["id"]}


def test_conflicts(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    e = propose(client, p, org["id"])
    b = assert_problem(propose(client, p, org["id"], expect=409), 409)
    assert "link" in b["detail"]
    decide(client, org["id"], e["id"], org_token)
    assert_problem(propose(client, p, org["id"], from_=R.days(5), expect=409), 409)
    assert_problem(decide(client, org["id"], e["id"], org_token, expect=409), 409)
    assert_problem(decide(client, org["id"], e["id"], org_token, "declination", expect=409), 409)
    # another organisation is another link
    other, _ = org_with_account(lb)
    assert propose(client, p, other["id"])["state"] == "proposed"


def test_admin_acts_for_either_side(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    e = propose(client, p, org["id"], token=lb.admin)
    assert e["state"] == "proposed"
    assert decide(client, org["id"], e["id"], lb.admin).json()["state"] == "confirmed"
    assert [x["employmentId"] for x in org_professionals(client, org["id"], lb.admin)] == [e["id"]]
    assert [x["id"] for x in org_employments(client, org["id"], lb.admin)] == [e["id"]]
    mine, _ = R.collect(client, f"{PROFS}/{p['id']}/employments", token=lb.admin)
    assert [x["id"] for x in mine] == [e["id"]]


def test_professional_list_pages_in_order(client, rg, lb):
    p = rg.registered()
    made = [propose(client, p, lb.create_org()["id"])["id"] for _ in range(3)]
    items, pages = R.collect(client, f"{PROFS}/{p['id']}/employments", token=p["token"], limit=2)
    assert [x["id"] for x in items] == made and pages == 2


# ------------------------------------------------------------------ consent


def test_organisation_never_sees_unlinked_professionals_or_activities(client, rg, lb):
    org, org_token = org_with_account(lb)
    marker = f"geheim-{uuid.uuid4().hex[:8]}"
    p = rg.registered()
    act = rg.add_activity(p, type_="intervision", hours=3, started_on=R.days(-3), completed_on=R.days(-2),
                          title=f"Intervisie {marker}", reflection=f"Reflectie {marker}")
    rg.upload_evidence(p["id"], act["id"], p["token"])
    linked(client, rg, org["id"], org_token, p=p)
    unlinked = rg.registered()
    proposed_elsewhere = rg.registered()
    other, other_token = org_with_account(lb)
    propose(client, proposed_elsewhere, other["id"])
    declined = rg.registered()
    d = propose(client, declined, org["id"])
    decide(client, org["id"], d["id"], org_token, "declination")

    texts = []
    for path in (f"{ORGS}/{org['id']}/professionals", f"{ORGS}/{org['id']}/employments",
                 f"{EMPLOYMENTS}/{p['employment']}"):
        r = client.get(path, token=org_token)
        assert r.status_code == 200, r.content
        texts.append(r.text)
    seen = "\n".join(texts)
    assert p["number"] in seen
    for absent in (unlinked["number"], proposed_elsewhere["number"], declined["number"], marker, act["id"],
                   p["email"], p["id"], "evidence", "hours"):
        assert absent not in seen, f"{absent!r} reached the organisation"
    # and the register's own routes stay closed to it
    for path in (f"{PROFS}/{p['id']}", f"{PROFS}/{p['id']}/development-activities",
                 f"{PROFS}/{p['id']}/development-activities/{act['id']}", f"{PROFS}/{p['id']}/progress",
                 f"{PROFS}/{p['id']}/employments"):
        assert_problem(client.get(path, token=org_token), 403)


def test_wrong_parties_are_refused(client, rg, lb):
    org, org_token = org_with_account(lb)
    other, other_token = org_with_account(lb)
    p = rg.registered()
    q = rg.registered()
    e = propose(client, p, org["id"])
    _, muni_token = lb.municipality()

    # another organisation: its own path or the right one, always a 404
    for path in (f"{ORGS}/{org['id']}/employments", f"{ORGS}/{org['id']}/professionals"):
        assert_problem(client.get(path, token=other_token), 404)
    for org_id in (org["id"], other["id"]):
        for action in ("confirmation", "declination"):
            assert_problem(decide(client, org_id, e["id"], other_token, action, expect=404), 404)
    assert_problem(client.get(f"{EMPLOYMENTS}/{e['id']}", token=other_token), 404)
    assert_problem(end(client, e["id"], other_token, expect=404), 404)

    # another professional
    assert_problem(propose(client, p, org["id"], token=q["token"], expect=404), 404)
    assert_problem(client.get(f"{PROFS}/{p['id']}/employments", token=q["token"]), 404)
    assert_problem(client.get(f"{EMPLOYMENTS}/{e['id']}", token=q["token"]), 404)
    assert_problem(end(client, e["id"], q["token"], expect=404), 404)

    # roles the routes are not for
    assert_problem(client.post(f"{PROFS}/{p['id']}/employments", token=org_token,
                               json={"organisationId": org["id"], "from": R.days(0)}), 403)
    assert_problem(client.get(f"{ORGS}/{org['id']}/employments", token=p["token"]), 403)
    assert_problem(decide(client, org["id"], e["id"], p["token"], expect=403), 403)
    for path in (f"{ORGS}/{org['id']}/employments", f"{ORGS}/{org['id']}/professionals",
                 f"{PROFS}/{p['id']}/employments", f"{EMPLOYMENTS}/{e['id']}"):
        assert_problem(client.get(path, token=muni_token), 403)
    assert_problem(decide(client, org["id"], e["id"], muni_token, expect=403), 403)
    assert_problem(end(client, e["id"], muni_token, expect=403), 403)
    assert_problem(client.post(f"{PROFS}/{p['id']}/employments", token=muni_token,
                               json={"organisationId": org["id"], "from": R.days(0)}), 403)
    assert_problem(client.get(f"{ORGS}/{org['id']}/employments"), 401)

    # nothing changed
    assert client.get(f"{EMPLOYMENTS}/{e['id']}", token=p["token"]).json()["state"] == "proposed"
    # unknown objects
    assert_problem(client.get(f"{EMPLOYMENTS}/{uuid.uuid4()}", token=lb.admin), 404)
    assert_problem(client.get(f"{PROFS}/{uuid.uuid4()}/employments", token=lb.admin), 404)
    assert_problem(client.get(f"{ORGS}/{uuid.uuid4()}/employments", token=lb.admin), 404)
    assert_problem(client.get(f"{ORGS}/{uuid.uuid4()}/professionals", token=lb.admin), 404)
    assert_problem(decide(client, org["id"], uuid.uuid4(), org_token, expect=404), 404)


# ------------------------------------------------------------------ bad input


def test_every_bad_member_is_named(client, rg, lb):
    p = rg.new()
    path = f"{PROFS}/{p['id']}/employments"
    r = client.post(path, token=p["token"], json={"organisationId": "org-1", "from": "2026-13-01", "until": 5,
                                                   "state": "confirmed", "salary": 1})
    b = assert_problem(r, 400, fields={"organisationId", "from", "until", "state", "salary"})
    assert "must be a UUID" in R.messages_for(b, "organisationId")
    assert "is read-only" in R.messages_for(b, "state")
    # an unknown organisation is named with the other bad members, at once
    r = client.post(path, token=p["token"], json={"organisationId": str(uuid.uuid4()), "from": R.days(10),
                                                   "until": R.days(9)})
    b = assert_problem(r, 400, fields={"organisationId", "until"}, exact_fields=True)
    assert "is not an organisation" in R.messages_for(b, "organisationId")
    org = lb.create_org()
    r = client.post(path, token=p["token"], json={"organisationId": org["id"], "from": R.days(400)})
    b = assert_problem(r, 400, fields={"from"}, exact_fields=True)
    assert "year" in R.messages_for(b, "from")[0]
    assert_problem(client.post(path, token=p["token"], json={}), 400, fields={"organisationId", "from"})
    assert_problem(client.post(path, token=p["token"], data=b"[1]", headers={"Content-Type": "application/json"}),
                   400, slug="malformed-json")
    assert_problem(client.post(path, token=p["token"], data=b"organisationId=x",
                               headers={"Content-Type": "text/plain"}), 415)
    assert_problem(client.post(f"{PROFS}/not-a-uuid/employments", token=lb.admin,
                               json={"organisationId": org["id"], "from": R.days(0)}), 400, fields={"professionalId"})
    # nothing was made
    items, _ = R.collect(client, path, token=p["token"])
    assert items == []
    # at most a year ahead is fine
    assert propose(client, p, org["id"], from_=L.add_months(R.today(), 12).isoformat())["state"] == "proposed"


def test_bad_query_and_path_parameters(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = rg.registered()
    e = propose(client, p, org["id"])
    assert_problem(client.get(f"{PROFS}/{p['id']}/employments", token=p["token"], params={"state": "open"}), 400,
                   fields={"state"})
    assert_problem(client.get(f"{ORGS}/{org['id']}/employments", token=org_token, params={"state": "ended"}), 400,
                   fields={"state"})
    assert_problem(client.get(f"{ORGS}/{org['id']}/employments", token=org_token,
                              params={"limit": "0", "cursor": "nope", "q": "x"}), 400, fields={"q"})
    assert_problem(client.get(f"{ORGS}/{org['id']}/employments", token=org_token,
                              params={"limit": "101", "cursor": "nope"}), 400, fields={"limit", "cursor"})
    assert_problem(client.get(f"{ORGS}/{org['id']}/professionals", token=org_token, params={"state": "confirmed"}),
                   400, fields={"state"})
    assert_problem(client.get(f"{ORGS}/{org['id']}/workforce", params={"on": R.days(0)}), 400, fields={"on"})
    assert_problem(client.get(f"{EMPLOYMENTS}/{e['id']}", token=p["token"], params={"x": "1"}), 400, fields={"x"})
    assert_problem(client.get(f"{EMPLOYMENTS}/nope", token=p["token"]), 400, fields={"employmentId"})
    assert_problem(client.get(f"{ORGS}/nope/workforce"), 400, fields={"organisationId"})
    assert_problem(client.get(f"{ORGS}/nope/professionals", token=lb.admin), 400, fields={"organisationId"})
    assert_problem(decide(client, org["id"], "nope", org_token, expect=400), 400, fields={"employmentId"})
    assert_problem(client.post(f"{EMPLOYMENTS}/{e['id']}/ending", token=p["token"],
                               json={"until": "yesterday", "reason": "x"}), 400, fields={"until", "reason"})
    assert_problem(client.post(f"{EMPLOYMENTS}/{e['id']}/ending", token=p["token"], data=b"",
                               headers={"Content-Type": "application/json"}), 400, slug="malformed-json")
    assert_problem(client.post(f"{ORGS}/{org['id']}/employments/{e['id']}/confirmation", token=org_token,
                               json={"note": "x"}), 415)
    assert client.get(f"{EMPLOYMENTS}/{e['id']}", token=p["token"]).json()["state"] == "proposed"


# ------------------------------------------------------------------ public counts


def test_public_counts_are_suppressed_under_five(client, rg, lb):
    org, org_token = org_with_account(lb)
    w = workforce(client, org["id"])
    assert w["organisation"] == {"name": org["name"], "kvkNumber": org["kvkNumber"]}
    assert w["on"] == R.days(0)
    assert published(w) == [None, None, None]
    # links that do not count: proposed, declined, ended, not begun, lapsed
    noise = [rg.registered() for _ in range(5)]
    propose(client, noise[0], org["id"])
    d = propose(client, noise[1], org["id"])
    decide(client, org["id"], d["id"], org_token, "declination")
    linked(client, rg, org["id"], org_token, p=noise[2])
    end(client, noise[2]["employment"], noise[2]["token"])
    f = propose(client, noise[3], org["id"], from_=R.days(20))
    decide(client, org["id"], f["id"], org_token)
    g = propose(client, noise[4], org["id"], from_=R.days(-40), until=R.days(-1))
    decide(client, org["id"], g["id"], org_token)

    for _ in range(4):
        linked(client, rg, org["id"], org_token)
    assert len(org_professionals(client, org["id"], org_token)) == 4
    w = workforce(client, org["id"])
    assert published(w) == [None, None, None], "4 linked professionals: every count suppressed"
    assert w["linkedProfessionals"] == {"count": None, "suppressed": True}

    linked(client, rg, org["id"], org_token)
    w = workforce(client, org["id"])
    assert w["linkedProfessionals"] == {"count": 5, "suppressed": False}
    # 5 registered of 5 linked: the difference (0) would reveal that every one is registered
    assert w["registered"] == {"count": None, "suppressed": True}
    assert published(w) == expected_suppression(5, 5, 5)

    linked(client, rg, org["id"], org_token)
    w = workforce(client, org["id"])
    assert w["linkedProfessionals"] == {"count": 6, "suppressed": False}
    assert published(w) == [6, None, None]

    # a token changes nothing: the same counts for anyone
    assert client.get(f"{ORGS}/{org['id']}/workforce", token=org_token).json() == w
    assert_problem(client.get(f"{ORGS}/{uuid.uuid4()}/workforce"), 404)


def test_public_counts_difference_rule(client, rg, lb):
    org, org_token = org_with_account(lb)
    on_track = [linked(client, rg, org["id"], org_token) for _ in range(5)]
    behind = [linked(client, rg, org["id"], org_token, period_start=R.days(-800)) for _ in range(5)]
    applied = [linked(client, rg, org["id"], org_token, p=rg.new()) for _ in range(5)]

    def counted():
        """The counts made independently from the organisation's own view of its professionals."""
        pros = org_professionals(client, org["id"], lb.admin)
        reg = [x for x in pros if x["status"] == "registered"]
        return len(pros), len(reg), sum(1 for x in reg if x["progress"]["onTrack"])

    assert counted() == (15, 10, 5)
    assert published(workforce(client, org["id"])) == [15, 10, 5]

    # one on-track link ends: 14 linked, 9 registered, 4 on track (suppressed)
    end(client, on_track[0]["employment"], on_track[0]["token"])
    assert counted() == (14, 9, 4)
    assert published(workforce(client, org["id"])) == [14, 9, None] == expected_suppression(14, 9, 4)

    # one unregistered link ends: 13 - 9 = 4 would reveal the unregistered, so registered goes too
    end(client, applied[0]["employment"], org_token)
    assert counted() == (13, 9, 4)
    w = workforce(client, org["id"])
    assert w["registered"] == {"count": None, "suppressed": True}, "9 >= 5, suppressed by the difference"
    assert published(w) == [13, None, None] == expected_suppression(13, 9, 4)

    # two behind links end: 11 linked, 7 registered, 4 on track -> 11 - 7 = 4
    for p in behind[:2]:
        end(client, p["employment"], p["token"])
    assert counted() == (11, 7, 4)
    assert published(workforce(client, org["id"])) == [11, None, None]

    # bring registered and on track apart again: 3 more applied (14 linked, 7 registered)
    for _ in range(3):
        linked(client, rg, org["id"], org_token, p=rg.new())
    assert counted() == (14, 7, 4)
    assert published(workforce(client, org["id"])) == [14, 7, None] == expected_suppression(14, 7, 4)


def test_an_erased_professional_is_nobody_to_the_organisation(client, rg, lb):
    org, org_token = org_with_account(lb)
    p = linked(client, rg, org["id"], org_token)
    r = client.post(f"{PROFS}/{p['id']}/erasure", token=lb.admin, json={"reason": "Verzoek tot verwijdering (AVG)"})
    assert r.status_code == 200, r.content
    assert org_professionals(client, org["id"], org_token) == []
    assert org_employments(client, org["id"], org_token) == []
    assert_problem(client.get(f"{EMPLOYMENTS}/{p['employment']}", token=org_token), 404)
    kept = client.get(f"{EMPLOYMENTS}/{p['employment']}", token=lb.admin).json()
    assert kept["professional"]["givenName"] is None and kept["professional"]["registrationNumber"] == p["number"]


def test_erasure_ends_the_links_by_the_admin_who_erased(client, kr, rg, lb):
    org, org_token = org_with_account(lb)
    other, other_token = org_with_account(lb)
    p = rg.new()
    confirmed = propose(client, p, org["id"])
    decide(client, org["id"], confirmed["id"], org_token)
    proposed = propose(client, p, other["id"], from_=R.days(30))
    r = client.post(f"{PROFS}/{p['id']}/erasure", token=rg.admin, json={"reason": "Verzoek tot wissen (AVG art. 17)"})
    assert r.status_code == 200, r.content[:300]
    rows = kr.sql("select state, ended_by_party, ended_by = (select id from accounts where username = 'admin'),"
                  " until_on::text from employments where professional_id = '%s' order by from_on" % p["id"])
    assert rows == [("ended", "admin", "t", R.days(0)), ("ended", "admin", "t", R.days(30))]
    assert org_professionals(client, org["id"], org_token) == []
    assert [e for e in org_employments(client, other["id"], other_token) if e["id"] == proposed["id"]] == []
