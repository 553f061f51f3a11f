"""Development plan, development activities (CRUD, derived category, validation, filters, keyset
pagination) and evidence files."""

import json
import re

import pytest

import kr_helpers as H
import register_helpers as R
from kr_helpers import assert_problem

PROFS = R.PROFS


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def p(rg):
    return rg.registered(R.days(-400))


def acts(p):
    return f"{PROFS}/{p['id']}/development-activities"


def plan_path(p):
    return f"{PROFS}/{p['id']}/development-plan"


# ------------------------------------------------------------------ development plan


def test_plan_never_saved(client, rg):
    p = rg.new()
    r = client.get(plan_path(p), token=p["token"])
    assert r.status_code == 200, r.content
    assert r.json() == {"goals": [], "updatedAt": None}


def test_plan_replace_and_read(client, rg, p):
    code = rg.create_competence(kind="life_domain", life_domain="Wonen")["code"]
    goals = [
        {"title": "Signalen herkennen", "description": "", "targetDate": R.days(100), "competenceCodes": ["G04"]},
        {"title": "Schulden", "description": "d" * 4000, "targetDate": R.days(300),
         "competenceCodes": ["L-FIN", code, "G01"]},
    ]
    r = client.put(plan_path(p), token=p["token"], json={"goals": goals})
    assert r.status_code == 200, r.content
    saved = r.json()
    assert saved["goals"] == goals
    R.check_timestamp(saved["updatedAt"])
    for tok in (p["token"], rg.admin):
        g = client.get(plan_path(p), token=tok)
        assert g.status_code == 200 and g.json() == saved
    # admin replaces it; an empty plan is a plan too
    r = client.put(plan_path(p), token=rg.admin, json={"goals": []})
    assert r.status_code == 200 and r.json()["goals"] == [] and r.json()["updatedAt"] is not None


def test_plan_unknown_competence_codes_named(client, rg, p):
    goals = [
        {"title": "a", "description": "", "targetDate": R.days(10), "competenceCodes": ["G01"]},
        {"title": "b", "description": "", "targetDate": R.days(10), "competenceCodes": ["G02", "G03", "NOPE-1"]},
        {"title": "c", "description": "", "targetDate": R.days(10), "competenceCodes": ["NOPE-2"]},
    ]
    r = client.put(plan_path(p), token=p["token"], json={"goals": goals})
    assert_problem(r, 400, slug="validation-error",
                   fields={"goals[1].competenceCodes[2]", "goals[2].competenceCodes[0]"}, exact_fields=True)
    assert client.get(plan_path(p), token=p["token"]).json()["updatedAt"] is None


def _goal(**over):
    g = {"title": "Doel", "description": "", "targetDate": R.days(30), "competenceCodes": ["G01"]}
    g.update(over)
    return g


@pytest.mark.parametrize("goals,field", [
    ([_goal(title="")], "goals[0].title"),
    ([_goal(), _goal(title="t" * 201)], "goals[1].title"),
    ([_goal(description="d" * 4001)], "goals[0].description"),
    ([_goal(targetDate="2023-02-30")], "goals[0].targetDate"),
    ([_goal(competenceCodes="G01")], "goals[0].competenceCodes"),
    ([_goal(priority=1)], "goals[0].priority"),
    ([_goal() for _ in range(51)], "goals"),
    ("nope", "goals"),
])
def test_bad_plans(client, rg, goals, field):
    p = rg.new()
    r = client.put(plan_path(p), token=p["token"], json={"goals": goals})
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_plan_with_fifty_goals(client, rg):
    p = rg.new()
    r = client.put(plan_path(p), token=p["token"], json={"goals": [_goal(title=f"Doel {i}") for i in range(50)]})
    assert r.status_code == 200, r.content
    assert len(r.json()["goals"]) == 50


def test_plan_read_only_and_unknown_members(client, rg):
    p = rg.new()
    assert_problem(client.put(plan_path(p), token=p["token"], json={"goals": [], "updatedAt": None}), 400,
                   slug="validation-error", fields={"updatedAt"})
    assert_problem(client.put(plan_path(p), token=p["token"], json={}), 400, slug="validation-error",
                   fields={"goals"})


def test_plan_of_another_professional_404(client, rg):
    a, b = rg.new(), rg.new()
    assert_problem(client.get(plan_path(b), token=a["token"]), 404)
    assert_problem(client.put(plan_path(b), token=a["token"], json={"goals": []}), 404)
    assert client.get(plan_path(b), token=b["token"]).json()["updatedAt"] is None


# ------------------------------------------------------------------ activities: CRUD


def test_activity_crud(client, rg, p):
    body = rg.activity_body(type_="e_learning", hours=12.25, started_on=R.days(-20), completed_on=R.days(-2),
                            competenceCodes=["G01", "L-WON"], reflection="Veel geleerd", provider="LOI")
    r = client.post(acts(p), token=p["token"], json=body)
    assert r.status_code == 201, r.content
    a = r.json()
    assert R.location_path(r) == f"{acts(p)}/{a['id']}"
    assert H.UUID_RE.match(a["id"])
    assert a["category"] == "formal_learning" and a["status"] == "completed" and a["evidence"] == []
    for k in ("type", "title", "provider", "startedOn", "completedOn", "hours", "competenceCodes", "reflection",
              "supervisedBy"):
        assert a[k] == body[k], k
    R.check_timestamp(a["createdAt"])
    R.check_timestamp(a["updatedAt"])
    g = client.get(f"{acts(p)}/{a['id']}", token=rg.admin)
    assert g.status_code == 200 and g.json() == a
    # PUT replaces: a new type brings a new category
    new = rg.activity_body(type_="supervision", hours=3, started_on=R.days(-5), completed_on=R.days(-1),
                           title="Supervisie", provider=None, supervisedBy="J. de Boer")
    r = client.put(f"{acts(p)}/{a['id']}", token=p["token"], json=new)
    assert r.status_code == 200, r.content
    u = r.json()
    assert u["id"] == a["id"] and u["category"] == "reflection" and u["type"] == "supervision"
    assert u["hours"] == 3 and u["provider"] is None and u["supervisedBy"] == "J. de Boer"
    assert u["createdAt"] == a["createdAt"]
    assert client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json() == u
    # DELETE
    d = client.delete(f"{acts(p)}/{a['id']}", token=p["token"])
    assert d.status_code == 204 and d.content == b""
    assert_problem(client.get(f"{acts(p)}/{a['id']}", token=p["token"]), 404)
    assert_problem(client.delete(f"{acts(p)}/{a['id']}", token=p["token"]), 404)
    assert_problem(client.put(f"{acts(p)}/{a['id']}", token=p["token"], json=new), 404)


def test_category_derived_from_every_type(client, rg):
    p = rg.new()  # any professional with a record may log activities
    for type_, category in R.CATEGORY_OF.items():
        a = rg.add_activity(p, type_=type_, completed_on=R.days(-1))
        assert a["category"] == category, (type_, a)


def test_admin_logs_for_a_professional(client, rg, p):
    a = rg.add_activity(p, token=rg.admin, completed_on=R.days(-1))
    assert client.get(f"{acts(p)}/{a['id']}", token=p["token"]).status_code == 200


def test_planned_and_in_progress(client, rg, p):
    a = rg.add_activity(p, status="planned", started_on=R.days(30))
    assert a["status"] == "planned" and a["completedOn"] is None
    b = rg.add_activity(p, status="in_progress", started_on=R.days(-3))
    assert b["status"] == "in_progress" and b["completedOn"] is None
    c = rg.add_activity(p, type_="intervision", status="completed", started_on=R.days(0), completed_on=R.days(0))
    assert c["completedOn"] == R.days(0), "completing today is not in the future"
    d = rg.add_activity(p, hours=1000, completed_on=R.days(-1))
    assert d["hours"] == 1000
    e = rg.add_activity(p, hours=0.01, completed_on=R.days(-1))
    assert e["hours"] == 0.01
    f = rg.add_activity(p, type_="coaching", status="planned", started_on=R.days(3))
    assert f["supervisedBy"] is None, "supervisedBy is needed only once a reflection activity is completed"


def _bad(**over):
    return over


@pytest.mark.parametrize("over,field", [
    (_bad(hours=-1), "hours"),
    (_bad(hours=0), "hours"),
    (_bad(hours="8"), "hours"),
    (_bad(hours="acht"), "hours"),
    (_bad(hours=None), "hours"),
    (_bad(hours=1.234), "hours"),
    (_bad(hours=2.001), "hours"),
    (_bad(hours=1000.01), "hours"),
    (_bad(startedOn="2023-02-30"), "startedOn"),
    (_bad(startedOn="2023-02-30", completedOn="2023-03-01"), "startedOn"),
    (_bad(startedOn="2023-03-01", completedOn="2023-02-29"), "completedOn"),
    (_bad(startedOn="2023-03-10", completedOn="2023-03-09"), "completedOn"),
    (_bad(startedOn=R.days(-1), completedOn=R.days(1)), "completedOn"),
    (_bad(startedOn="2023-03-10", completedOn=None), "completedOn"),
    (_bad(status="planned", startedOn="2023-03-10", completedOn="2023-03-11"), "completedOn"),
    (_bad(status="in_progress", startedOn="2023-03-10", completedOn="2023-03-11"), "completedOn"),
    (_bad(status="done"), "status"),
    (_bad(type="yoga"), "type"),
    (_bad(type=None), "type"),
    (_bad(title=""), "title"),
    (_bad(title="t" * 201), "title"),
    (_bad(category="reflection"), "category"),
    (_bad(id="00000000-0000-4000-8000-000000000000"), "id"),
    (_bad(evidence=[]), "evidence"),
    (_bad(colour="blue"), "colour"),
    (_bad(type="intervision", supervisedBy=None), "supervisedBy"),
])
def test_bad_activities(client, rg, p, over, field):
    body = rg.activity_body(type_="course", hours=4, started_on="2023-03-01", completed_on="2023-03-02")
    body.update(over)
    r = client.post(acts(p), token=p["token"], json=body)
    assert_problem(r, 400, slug="validation-error", fields={field})
    listed = client.get(acts(p), token=p["token"]).json()["items"]
    assert listed == []


def test_unknown_competence_code_in_activity(client, rg, p):
    body = rg.activity_body(completed_on=R.days(-1), competenceCodes=["G01", f"ZZ-{R.upper_tag(5)}"])
    b = assert_problem(client.post(acts(p), token=p["token"], json=body), 400, slug="validation-error")
    assert any(f in ("competenceCodes[1]", "competenceCodes") for f in R.field_list(b)), b


def test_put_validation_and_read_only(client, rg, p):
    a = rg.add_activity(p, completed_on=R.days(-1))
    bad = dict(rg.activity_body(completed_on=R.days(-1)), hours=1.005)
    assert_problem(client.put(f"{acts(p)}/{a['id']}", token=p["token"], json=bad), 400, slug="validation-error",
                   fields={"hours"})
    bad = dict(rg.activity_body(completed_on=R.days(-1)), category="formal_learning")
    assert_problem(client.put(f"{acts(p)}/{a['id']}", token=p["token"], json=bad), 400, slug="validation-error",
                   fields={"category"})
    assert client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json() == a


def test_activities_of_another_professional_404(client, rg, p):
    other = rg.registered(R.days(-10))
    a = rg.add_activity(other, completed_on=R.days(-1))
    body = rg.activity_body(completed_on=R.days(-1))
    for base in (acts(other), acts(p)):  # under the other's id, and the other's activity under one's own id
        assert_problem(client.get(f"{base}/{a['id']}", token=p["token"]), 404)
        assert_problem(client.put(f"{base}/{a['id']}", token=p["token"], json=body), 404)
        assert_problem(client.delete(f"{base}/{a['id']}", token=p["token"]), 404)
    assert_problem(client.get(acts(other), token=p["token"]), 404)
    assert_problem(client.get(f"{acts(p)}/{a['id']}", token=rg.admin), 404)
    assert client.get(f"{acts(other)}/{a['id']}", token=other["token"]).status_code == 200
    assert_problem(client.get(f"{acts(p)}/not-a-uuid", token=p["token"]), 400, slug="validation-error",
                   fields={"activityId"})


# ------------------------------------------------------------------ list: filters and pagination


def test_list_filters(client, rg):
    p = rg.registered(R.days(-400))
    start = p["start"]
    before = rg.add_activity(p, type_="course", started_on=R.shift(start, -10), completed_on=R.shift(start, -1))
    c1 = rg.add_activity(p, type_="course", started_on=R.shift(start, 5), completed_on=R.shift(start, 6))
    c2 = rg.add_activity(p, type_="webinar", started_on=R.shift(start, 7), completed_on=R.shift(start, 7))
    r1 = rg.add_activity(p, type_="intervision", started_on=R.days(-30), completed_on=R.days(-29))
    i1 = rg.add_activity(p, type_="literature", status="in_progress", started_on=R.days(-3))
    pl = rg.add_activity(p, type_="teaching", status="planned", started_on=R.days(20))

    def ids(**params):
        items, _ = R.collect(client, acts(p), token=p["token"], limit=100, **params)
        return [i["id"] for i in items]

    everything = ids()
    assert everything == [before["id"], c1["id"], c2["id"], r1["id"], i1["id"], pl["id"]], "ordered by startedOn"
    in_period = set(ids(period="1"))
    assert {c1["id"], c2["id"], r1["id"]} <= in_period, "completed inside period 1"
    assert before["id"] not in in_period, "completed the day before the period started"
    assert in_period <= {c1["id"], c2["id"], r1["id"], i1["id"], pl["id"]}
    assert set(ids(category="formal_learning")) == {before["id"], c1["id"], c2["id"]}
    assert ids(category="reflection") == [r1["id"]]
    assert set(ids(category="informal_learning")) == {i1["id"], pl["id"]}
    assert ids(type="webinar") == [c2["id"]]
    assert ids(type="course") == [before["id"], c1["id"]]
    assert set(ids(status="completed")) == {before["id"], c1["id"], c2["id"], r1["id"]}
    assert ids(status="in_progress") == [i1["id"]]
    assert ids(status="planned") == [pl["id"]]
    assert ids(category="formal_learning", status="completed", period="1") == [c1["id"], c2["id"]]


def test_pages_with_and_without_filters_agree(client, rg):
    """A page without filters and one whose filter every activity passes are read by two
    statements (store.c: reg_activity_page_plain, reg_activity_page): item for item, page for page,
    the same answer, evidence included, with cursors taken from either."""
    p = rg.registered(R.days(-400))
    made = [rg.add_activity(p, type_="course", started_on=R.days(-300 + 7 * (i % 5)), completed_on=R.days(-250))
            for i in range(7)]
    with_evidence = made[3]
    rg.upload_evidence(p["id"], with_evidence["id"], p["token"], R.pdf_bytes(), "application/pdf")
    plain, plain_pages = R.collect(client, acts(p), token=p["token"], limit=3)
    filtered, filtered_pages = R.collect(client, acts(p), token=p["token"], limit=3, status="completed")
    assert len(plain) == 7 and plain_pages == filtered_pages == 3
    assert plain == filtered
    assert [len(i["evidence"]) for i in plain if i["id"] == with_evidence["id"]] == [1]
    # a cursor from the filtered list continues the plain one where it stopped
    first = client.get(acts(p), token=p["token"], params={"limit": "3", "status": "completed"}).json()
    rest = client.get(acts(p), token=p["token"], params={"limit": "10", "cursor": first["nextCursor"]}).json()
    assert first["items"] + rest["items"] == plain


@pytest.mark.parametrize("params,field", [
    ({"limit": "101"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "-1"}, "limit"),
    ({"cursor": "garbage!"}, "cursor"), ({"category": "sports"}, "category"), ({"type": "yoga"}, "type"),
    ({"status": "done"}, "status"), ({"period": "one"}, "period"), ({"period": "0"}, "period"),
])
def test_bad_list_parameters(client, rg, p, params, field):
    assert_problem(client.get(acts(p), token=p["token"], params=params), 400, slug="validation-error",
                   fields={field})


def test_keyset_pagination(client, rg, p):
    made = []
    # several on the same startedOn: the id breaks the tie
    for i, day in enumerate([-50, -40, -40, -40, -30, -20, -20, -10, -5]):
        made.append(rg.add_activity(p, hours=i + 1, started_on=R.days(day), completed_on=R.days(day)))
    expected = sorted(made, key=lambda a: (a["startedOn"], a["id"].lower()))
    for limit in (1, 2, 4, 9, 100):
        items, pages = R.collect(client, acts(p), token=p["token"], limit=limit)
        assert [a["id"] for a in items] == [a["id"] for a in expected], f"limit {limit}"
        assert pages in (-(-9 // limit), -(-9 // limit) + 1), (limit, pages)
    # a page boundary inside the tie, then a new activity that sorts before the cursor
    r = client.get(acts(p), token=p["token"], params={"limit": "3"})
    first = r.json()
    rg.add_activity(p, started_on=R.days(-60), completed_on=R.days(-60))
    r = client.get(acts(p), token=p["token"], params={"limit": "100", "cursor": first["nextCursor"]})
    assert r.status_code == 200, r.content
    assert [a["id"] for a in r.json()["items"]] == [a["id"] for a in expected[3:]], "no gaps, no duplicates"
    # admin sees the same list
    items, _ = R.collect(client, acts(p), token=rg.admin, limit=100)
    assert len(items) == 10


# ------------------------------------------------------------------ evidence


def ev_path(p, aid, eid=None):
    base = f"{acts(p)}/{aid}/evidence"
    return f"{base}/{eid}" if eid else base


def test_evidence_upload_download_delete(client, rg, p):
    a = rg.add_activity(p, completed_on=R.days(-1))
    files = [(R.pdf_bytes(), "application/pdf", "bewijs.pdf"), (R.jpeg_bytes(), "image/jpeg", "foto.jpg"),
             (R.png_bytes(), "image/png", None)]
    evs = []
    for data, ct, name in files:
        r = rg.upload_evidence(p["id"], a["id"], p["token"], data, ct, file_name=name)
        e = r.json()
        assert e["contentType"] == ct and e["sizeBytes"] == len(data) and e["sha256"] == R.sha256_hex(data)
        assert e["fileName"] == (name or "evidence")
        R.check_timestamp(e["uploadedAt"])
        evs.append((e, data, ct))
    got = client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json()
    assert [e["id"] for e in got["evidence"]] == [e["id"] for e, _, _ in evs]
    for e, data, ct in evs:
        for tok in (p["token"], rg.admin):
            g = client.get(ev_path(p, a["id"], e["id"]), token=tok)
            assert g.status_code == 200, g.content[:300]
            assert g.content == data and H.media_base(g.headers["Content-Type"]) == ct
            cd = g.headers.get("Content-Disposition", "")
            assert cd.startswith("attachment") and f'filename="{e["fileName"]}"' in cd, cd
    d = client.delete(ev_path(p, a["id"], evs[0][0]["id"]), token=p["token"])
    assert d.status_code == 204 and d.content == b""
    assert_problem(client.get(ev_path(p, a["id"], evs[0][0]["id"]), token=p["token"]), 404)
    assert_problem(client.delete(ev_path(p, a["id"], evs[0][0]["id"]), token=p["token"]), 404)
    got = client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json()
    assert [e["id"] for e in got["evidence"]] == [evs[1][0]["id"], evs[2][0]["id"]]
    d = client.delete(ev_path(p, a["id"], evs[1][0]["id"]), token=rg.admin)
    assert d.status_code == 204


def test_at_most_five_evidence_files(client, rg, p):
    a = rg.add_activity(p, completed_on=R.days(-1))
    ids = [rg.upload_evidence(p["id"], a["id"], p["token"]).json()["id"] for _ in range(5)]
    assert_problem(rg.upload_evidence(p["id"], a["id"], p["token"], expect=None), 409)
    assert_problem(rg.upload_evidence(p["id"], a["id"], rg.admin, expect=None), 409)
    client.delete(ev_path(p, a["id"], ids[0]), token=p["token"])
    rg.upload_evidence(p["id"], a["id"], p["token"])
    assert len(client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json()["evidence"]) == 5


def test_evidence_deleted_with_the_activity(client, rg, p):
    a = rg.add_activity(p, completed_on=R.days(-1))
    e = rg.upload_evidence(p["id"], a["id"], p["token"]).json()
    assert client.delete(f"{acts(p)}/{a['id']}", token=p["token"]).status_code == 204
    assert_problem(client.get(ev_path(p, a["id"], e["id"]), token=p["token"]), 404)
    assert_problem(client.get(ev_path(p, a["id"], e["id"]), token=rg.admin), 404)
    export = client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json()
    assert e["id"] not in json.dumps(export)


@pytest.mark.parametrize("data,ct", [
    (R.png_bytes(), "application/pdf"),
    (R.pdf_bytes(), "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/png"),
    (R.pdf_bytes(), "text/plain"),
    (R.pdf_bytes(), "image/gif"),
])
def test_evidence_type_mismatch_415(client, rg, p, data, ct):
    a = rg.add_activity(p, completed_on=R.days(-1))
    assert_problem(rg.upload_evidence(p["id"], a["id"], p["token"], data, ct, expect=None), 415)
    assert client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json()["evidence"] == []


def test_evidence_too_large_413(client, rg, p):
    a = rg.add_activity(p, completed_on=R.days(-1))
    big = R.pdf_bytes(size=11 * R.MIB)
    r = client.raw("POST", ev_path(p, a["id"]), body=big,
                   headers={"Authorization": f"Bearer {p['token']}", "Content-Type": "application/pdf"})
    assert_problem(r, 413)
    ok = R.pdf_bytes(size=10 * R.MIB)
    r = client.raw("POST", ev_path(p, a["id"]), body=ok,
                   headers={"Authorization": f"Bearer {p['token']}", "Content-Type": "application/pdf"})
    assert r.status_code == 201, r.content[:300]
    e = r.json()
    assert e["sizeBytes"] == len(ok)
    assert client.get(ev_path(p, a["id"], e["id"]), token=p["token"]).content == ok
    assert len(client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json()["evidence"]) == 1


@pytest.mark.parametrize("name", ["", "n" * 201])
def test_evidence_bad_file_name(client, rg, p, name):
    a = rg.add_activity(p, completed_on=R.days(-1))
    r = rg.upload_evidence(p["id"], a["id"], p["token"], file_name=name, expect=None)
    assert_problem(r, 400, slug="validation-error", fields={"fileName"})


def test_evidence_of_another_professional(client, rg, p, kr):
    other = rg.registered(R.days(-10))
    a = rg.add_activity(other, completed_on=R.days(-1))
    e = rg.upload_evidence(other["id"], a["id"], other["token"]).json()
    assert_problem(rg.upload_evidence(other["id"], a["id"], p["token"], expect=None), 404)
    assert_problem(client.get(ev_path(other, a["id"], e["id"]), token=p["token"]), 404)
    assert_problem(client.delete(ev_path(other, a["id"], e["id"]), token=p["token"]), 404)
    # the other's evidence under one's own activity
    mine = rg.add_activity(p, completed_on=R.days(-1))
    assert_problem(client.get(ev_path(p, mine["id"], e["id"]), token=p["token"]), 404)
    assert_problem(client.get(ev_path(p, mine["id"], e["id"]), token=rg.admin), 404)
    org_tok = kr.token_for(kr.make_account("organisation"))
    r = client.get(ev_path(other, a["id"], e["id"]), token=org_tok)
    assert r.status_code in (403, 404), r.status_code
    assert_problem(r, r.status_code)
    assert_problem(client.get(ev_path(other, a["id"], e["id"])), 401)
    g = client.get(ev_path(other, a["id"], e["id"]), token=other["token"])
    assert g.status_code == 200


@pytest.mark.parametrize("name", ['rap"port.pdf', "a\r\nX-Injected: 1", "verslag\u00e9\u00fc.pdf", "../../etc/passwd"])
def test_evidence_file_names_cannot_break_headers(client, rg, p, name):
    a = rg.add_activity(p, completed_on=R.days(-1))
    r = rg.upload_evidence(p["id"], a["id"], p["token"], file_name=name, expect=None)
    if r.status_code == 400:
        assert_problem(r, 400, slug="validation-error", fields={"fileName"})
        return
    assert r.status_code == 201, r.content
    e = r.json()
    g = client.get(ev_path(p, a["id"], e["id"]), token=p["token"])
    assert g.status_code == 200
    assert "X-Injected" not in g.headers
    cd = g.headers.get("Content-Disposition", "")
    assert cd.startswith("attachment"), cd
    assert "\r" not in cd and "\n" not in cd
    m = re.match(r'^attachment; filename="((?:[^"\\]|\\.)*)"(;.*)?$', cd)
    assert m, f"malformed Content-Disposition {cd!r}"


def test_lengths_count_characters_not_bytes(client, rg, p):
    a = rg.add_activity(p, completed_on=R.days(-1), title="\u00e9" * 200)
    assert a["title"] == "\u00e9" * 200
    r = client.post(acts(p), token=p["token"], json=rg.activity_body(completed_on=R.days(-1), title="\u00e9" * 201))
    assert_problem(r, 400, slug="validation-error", fields={"title"})
    e = rg.upload_evidence(p["id"], a["id"], p["token"], file_name="\u00e9" * 200).json()
    assert e["fileName"] == "\u00e9" * 200
    r = rg.upload_evidence(p["id"], a["id"], p["token"], file_name="\u00e9" * 201, expect=None)
    assert_problem(r, 400, slug="validation-error", fields={"fileName"})


@pytest.mark.parametrize("hours", [4.35, 0.29, 1.15, 8.7, 0.57, 999.99])
def test_two_decimal_hours_survive_binary_floats(client, rg, p, hours):
    a = rg.add_activity(p, hours=hours, completed_on=R.days(-1))
    assert a["hours"] == hours
    assert client.get(f"{acts(p)}/{a['id']}", token=p["token"]).json()["hours"] == hours
