"""/v1/professionals: diploma, code-of-conduct acceptance, approval and its preconditions,
registration numbers, rejection, deregistration, history, the GDPR export, the admin list, and
who may do what."""

import re

import pytest

import kr_helpers as H
import register_helpers as R
from kr_helpers import assert_problem

PROFS = R.PROFS
NUMBER_RE = re.compile(r"^RSW[0-9]{7}$")


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


# ------------------------------------------------------------------ diploma


@pytest.mark.parametrize("kind", ["pdf", "jpeg", "png"])
def test_diploma_upload_and_download(client, rg, kind):
    p = rg.new()
    data, ct = {"pdf": (R.pdf_bytes(), "application/pdf"), "jpeg": (R.jpeg_bytes(), "image/jpeg"),
                "png": (R.png_bytes(), "image/png")}[kind]
    r = rg.upload_diploma(p["id"], data, ct, token=p["token"])  # self while applied
    info = r.json()
    assert info["contentType"] == ct and info["sizeBytes"] == len(data) and info["sha256"] == R.sha256_hex(data)
    R.check_timestamp(info["uploadedAt"])
    for tok in (p["token"], rg.admin):
        g = client.get(f"{PROFS}/{p['id']}/diploma", token=tok)
        assert g.status_code == 200, g.content[:300]
        assert H.media_base(g.headers.get("Content-Type")) == ct
        assert g.content == data
    prof = rg.get(p["id"])
    assert prof["diploma"]["sha256"] == info["sha256"] and prof["diploma"]["sizeBytes"] == len(data)


def test_diploma_replaced_by_admin(client, rg):
    p = rg.new()
    rg.upload_diploma(p["id"], R.pdf_bytes(), token=p["token"])
    png = R.png_bytes()
    rg.upload_diploma(p["id"], png, "image/png")
    g = client.get(f"{PROFS}/{p['id']}/diploma", token=rg.admin)
    assert g.content == png and H.media_base(g.headers["Content-Type"]) == "image/png"


def test_no_diploma_404(client, rg):
    p = rg.new()
    assert_problem(client.get(f"{PROFS}/{p['id']}/diploma", token=p["token"]), 404)


@pytest.mark.parametrize("data,ct", [
    (R.png_bytes(), "application/pdf"),
    (R.pdf_bytes(), "image/png"),
    (R.jpeg_bytes(), "image/png"),
    (b"just some text, not a document", "application/pdf"),
    (R.pdf_bytes(), "text/plain"),
    (R.pdf_bytes(), "application/json"),
])
def test_diploma_type_mismatch_415(client, rg, data, ct):
    p = rg.new()
    r = rg.upload_diploma(p["id"], data, ct, token=p["token"], expect=None)
    assert_problem(r, 415)
    assert rg.get(p["id"])["diploma"] is None


def test_diploma_too_large_413(client, rg):
    p = rg.new()
    big = R.pdf_bytes(size=11 * R.MIB)
    r = client.raw("PUT", f"{PROFS}/{p['id']}/diploma",
                   headers={"Authorization": f"Bearer {p['token']}", "Content-Type": "application/pdf"}, body=big)
    assert_problem(r, 413)
    assert rg.get(p["id"])["diploma"] is None
    ok = R.pdf_bytes(size=10 * R.MIB)
    r = client.raw("PUT", f"{PROFS}/{p['id']}/diploma",
                   headers={"Authorization": f"Bearer {p['token']}", "Content-Type": "application/pdf"}, body=ok)
    assert r.status_code == 200, r.content[:500]
    assert client.get(f"{PROFS}/{p['id']}/diploma", token=rg.admin).content == ok


def test_diploma_of_another_professional_404(client, rg):
    a, b = rg.new(), rg.new()
    rg.upload_diploma(b["id"], token=b["token"])
    assert_problem(rg.upload_diploma(b["id"], token=a["token"], expect=None), 404)
    assert_problem(client.get(f"{PROFS}/{b['id']}/diploma", token=a["token"]), 404)
    assert_problem(client.get(f"{PROFS}/{b['id']}/diploma"), 401)


# ------------------------------------------------------------------ code of conduct


def test_code_of_conduct_acceptance(client, rg):
    p = rg.new()
    r = rg.accept_code(p, expect=201)
    body = r.json()
    assert body["version"] == R.CURRENT_CODE
    R.check_timestamp(body["acceptedAt"])
    again = rg.accept_code(p, expect=200)
    assert again.json()["version"] == R.CURRENT_CODE
    types = [h["type"] for h in rg.history(p["id"])]
    assert types.count("code_of_conduct_accepted") == 1, types
    bad = client.post(f"{PROFS}/{p['id']}/code-of-conduct-acceptances", token=p["token"],
                      json={"version": f"no-{R.tag()[:6]}"})
    assert_problem(bad, 400, slug="validation-error", fields={"version"})
    bad = client.post(f"{PROFS}/{p['id']}/code-of-conduct-acceptances", token=p["token"], json={})
    assert_problem(bad, 400, slug="validation-error", fields={"version"})
    other = rg.new()
    assert_problem(client.post(f"{PROFS}/{p['id']}/code-of-conduct-acceptances", token=other["token"],
                               json={"version": R.CURRENT_CODE}), 404)


# ------------------------------------------------------------------ approval


def test_approval_assigns_number_and_first_period(client, rg):
    p = rg.ready()
    r = rg.approve(p["id"])
    prof = r.json()
    today = R.today().isoformat()
    assert prof["status"] == "registered" and NUMBER_RE.match(prof["registrationNumber"]), prof
    assert prof["periodStart"] == today and prof["periodEnd"] == R.period_end(today, 5)
    assert prof["statusOn"] == today
    got = rg.get(p["id"], token=p["token"])
    assert got["registrationNumber"] == prof["registrationNumber"] and got["status"] == "registered"


def test_approval_with_period_start_in_the_past(client, rg):
    start = R.days(-400)
    p = rg.registered(start)
    assert p["start"] == start and p["end"] == R.period_end(start, 5)


def test_approval_uses_the_profile_period_length(client, rg):
    prof = rg.create_profile(period_years=3)
    p = rg.ready(profile=prof["code"])
    approved = rg.approve(p["id"], "2024-03-01").json()
    assert approved["periodEnd"] == "2027-02-28"


def test_approval_needs_accepted_current_code(client, rg):
    p = rg.new()
    rg.upload_diploma(p["id"])
    r = rg.approve(p["id"], expect=None)
    body = assert_problem(r, 409)
    text = R.text_of(r).lower()
    assert "2022" in text or "code" in text, f"409 does not name the code of conduct: {body}"
    # the previous code is not enough either
    rg.accept_code(p, version="2018")
    assert_problem(rg.approve(p["id"], expect=None), 409)
    rg.accept_code(p, version=R.CURRENT_CODE)
    assert rg.approve(p["id"]).json()["status"] == "registered"


def test_approval_needs_a_diploma(client, rg):
    p = rg.new()
    rg.accept_code(p)
    assert_problem(rg.approve(p["id"], expect=None), 409)
    assert rg.get(p["id"])["status"] == "applied"
    rg.upload_diploma(p["id"], R.jpeg_bytes(), "image/jpeg", token=p["token"])
    assert rg.approve(p["id"]).json()["status"] == "registered"


def test_approval_needs_applied(client, rg):
    p = rg.registered()
    assert_problem(rg.approve(p["id"], expect=None), 409)
    assert rg.get(p["id"])["registrationNumber"] == p["number"]
    q = rg.ready()
    rg.reject(q["id"])
    assert_problem(rg.approve(q["id"], expect=None), 409)
    assert rg.get(q["id"])["status"] == "rejected"


@pytest.mark.parametrize("body,field", [
    ({"periodStart": "2023-02-30"}, "periodStart"),
    ({"periodStart": "yesterday"}, "periodStart"),
    ({"periodStart": 20230101}, "periodStart"),
    ({"registrationNumber": "RSW0000001"}, "registrationNumber"),
])
def test_bad_approval_bodies(client, rg, body, field):
    p = rg.ready()
    r = client.post(f"{PROFS}/{p['id']}/approval", token=rg.admin, json=body)
    assert_problem(r, 400, slug="validation-error", fields={field})
    assert rg.get(p["id"])["status"] == "applied"


def test_registration_numbers_unique_and_never_reused(client, rg):
    numbers = []
    a = rg.registered()
    numbers.append(a["number"])
    rejected = rg.ready()
    rg.reject(rejected["id"])
    assert rg.get(rejected["id"])["registrationNumber"] is None
    b = rg.registered()
    numbers.append(b["number"])
    rg.deregister(a["id"])
    c = rg.registered()
    numbers.append(c["number"])
    assert all(NUMBER_RE.match(n) for n in numbers), numbers
    assert len(set(numbers)) == 3, numbers
    # the deregistered one keeps its number; nobody else got it
    assert rg.get(a["id"])["registrationNumber"] == a["number"]
    assert rg.get(a["id"])["status"] == "deregistered"
    # and in the whole register no number appears twice
    everyone, _ = R.collect(client, PROFS, token=rg.admin, limit=100)
    all_numbers = [x["registrationNumber"] for x in everyone if x["registrationNumber"]]
    assert set(numbers) <= set(all_numbers) and len(all_numbers) == len(set(all_numbers))


# ------------------------------------------------------------------ rejection


def test_rejection_with_reason(client, rg):
    p = rg.new()
    r = rg.reject(p["id"], reason="Opleiding niet verwant")
    prof = r.json()
    assert prof["status"] == "rejected" and prof["rejectionReason"] == "Opleiding niet verwant"
    assert prof["registrationNumber"] is None
    got = rg.get(p["id"], token=p["token"])
    assert got["status"] == "rejected" and got["rejectionReason"] == "Opleiding niet verwant"
    hist = rg.history(p["id"])
    rej = [h for h in hist if h["type"] == "rejected"]
    assert len(rej) == 1 and rej[0]["recordedBy"] == rg.admin_id()
    assert_problem(rg.reject(p["id"], expect=None), 409)


def test_rejection_only_when_applied(client, rg):
    p = rg.registered()
    assert_problem(rg.reject(p["id"], expect=None), 409)
    assert rg.get(p["id"])["status"] == "registered"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 2001}, {"reason": 5},
                                  {"reason": "ok", "extra": 1}])
def test_bad_rejection_bodies(client, rg, body):
    p = rg.new()
    r = client.post(f"{PROFS}/{p['id']}/rejection", token=rg.admin, json=body)
    b = assert_problem(r, 400, slug="validation-error")
    assert set(R.field_list(b)) & {"reason", "extra"}, b
    assert rg.get(p["id"])["status"] == "applied"


# ------------------------------------------------------------------ deregistration


def test_self_deregistration_today(client, rg):
    p = rg.registered(R.days(-100))
    r = rg.deregister(p["id"], token=p["token"], reason="Met pensioen")
    prof = r.json()
    today = R.today().isoformat()
    assert prof["status"] == "deregistered" and prof["deregisteredOn"] == today
    assert rg.status_on(p["id"], R.days(-1)) == "registered"
    assert rg.status_on(p["id"], today) == "deregistered"
    hist = rg.history(p["id"])
    d = [h for h in hist if h["type"] == "deregistered"]
    assert len(d) == 1 and d[0]["on"] == today and d[0]["recordedBy"] == p["account_id"]
    assert_problem(rg.deregister(p["id"], expect=None), 409)


def test_admin_deregistration_on_a_date(client, rg):
    p = rg.registered(R.days(-100))
    on = R.days(-10)
    prof = rg.deregister(p["id"], on=on).json()
    assert prof["deregisteredOn"] == on
    assert rg.status_on(p["id"], R.shift(on, -1)) == "registered"
    assert rg.status_on(p["id"], on) == "deregistered"
    assert rg.status_on(p["id"], R.today()) == "deregistered"


def test_deregistration_not_before_the_first_period(client, rg):
    p = rg.registered(R.days(-20))
    r = rg.deregister(p["id"], on=R.days(-21), expect=None)
    assert_problem(r, 400, slug="validation-error", fields={"on"})
    assert rg.get(p["id"])["status"] == "registered"
    assert_problem(rg.deregister(p["id"], on="2023-02-30", expect=None), 400, slug="validation-error",
                   fields={"on"})
    assert rg.deregister(p["id"], on=R.days(-20)).json()["status"] == "deregistered"


def test_deregistration_only_registered_or_suspended(client, rg):
    applied = rg.new()
    assert_problem(rg.deregister(applied["id"], expect=None), 409)
    assert_problem(rg.deregister(applied["id"], token=applied["token"], expect=None), 409)
    rejected = rg.new()
    rg.reject(rejected["id"])
    assert_problem(rg.deregister(rejected["id"], expect=None), 409)
    struck = rg.registered(R.days(-50))
    rg.impose(struck["id"], "striking_off", R.days(-1))
    assert_problem(rg.deregister(struck["id"], expect=None), 409)
    expired = rg.registered_until(R.days(-1))
    assert_problem(rg.deregister(expired["id"], token=expired["token"], expect=None), 409)
    suspended = rg.registered(R.days(-50))
    rg.impose(suspended["id"], "suspension", R.days(-5), R.days(30))
    assert rg.get(suspended["id"])["status"] == "suspended"
    assert rg.deregister(suspended["id"]).json()["status"] == "deregistered"


# ------------------------------------------------------------------ history


def test_history_entries_with_recorded_by(client, rg):
    admin_id = rg.admin_id()
    start = R.days(-30)
    p = rg.registered(start)
    m = rg.impose(p["id"], "warning", R.days(-2)).json()
    rg.revoke_measure(p["id"], m["id"])
    s = rg.impose(p["id"], "suspension", R.days(-1), R.days(20)).json()
    rg.end_measure(p["id"], s["id"], R.today())
    rg.deregister(p["id"], token=p["token"])
    r = client.get(f"{PROFS}/{p['id']}/history", token=p["token"])
    assert r.status_code == 200, r.content
    assert r.json()["nextCursor"] is None
    hist = r.json()["items"]
    ids = [h["id"] for h in hist]
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids) and len(set(ids)) == len(ids)
    types = [h["type"] for h in hist]
    expected_order = ["code_of_conduct_accepted", "approved", "period_started", "measure_imposed",
                      "measure_revoked", "measure_imposed", "measure_ended", "deregistered"]
    it = iter(types)
    assert all(t in it for t in expected_order), types  # subsequence, in this order
    by = {}
    for h in hist:
        by.setdefault(h["type"], []).append(h)
        R.check_timestamp(h["recordedAt"])
    assert by["code_of_conduct_accepted"][0]["recordedBy"] == p["account_id"]
    assert by["approved"][0]["recordedBy"] == admin_id
    assert by["period_started"][0]["on"] == start
    assert all(h["recordedBy"] == admin_id for h in by["measure_imposed"])
    assert by["measure_revoked"][0]["recordedBy"] == admin_id
    assert by["measure_ended"][0]["recordedBy"] == admin_id
    assert by["deregistered"][0]["recordedBy"] == p["account_id"]
    assert by["deregistered"][0]["on"] == R.today().isoformat()
    # admin sees the same list
    assert rg.history(p["id"]) == hist


# ------------------------------------------------------------------ export


def test_export_contains_everything(client, rg):
    p = rg.registered(R.days(-60))
    code = rg.create_competence()["code"]
    plan = {"goals": [{"title": "Gespreksvoering", "description": "Beter luisteren", "targetDate": R.days(200),
                       "competenceCodes": ["G01", code]}]}
    assert client.put(f"{PROFS}/{p['id']}/development-plan", token=p["token"], json=plan).status_code == 200
    act = rg.add_activity(p, type_="course", hours=12.5, completed_on=R.days(-3), title="Cursus X")
    ev = rg.upload_evidence(p["id"], act["id"], p["token"], file_name="certificaat.pdf").json()
    m = rg.impose(p["id"], "reprimand", R.days(-1), public=False, reason="Berisping om reden Y").json()
    for tok in (p["token"], rg.admin):
        r = client.get(f"{PROFS}/{p['id']}/export", token=tok)
        assert r.status_code == 200, r.content
        x = r.json()
        assert x["professional"]["id"] == p["id"] and x["professional"]["email"] == p["email"]
        assert x["professional"]["registrationNumber"] == p["number"]
        assert x["account"]["id"] == p["account_id"] and x["account"]["username"] == p["acct"]["username"]
        R.check_timestamp(x["account"]["createdAt"])
        assert not [k for k in x["account"] if "password" in k.lower()], x["account"]
        assert [per["number"] for per in x["periods"]] == [1]
        assert x["periods"][0]["startsOn"] == p["start"] and x["periods"][0]["endsOn"] == p["end"]
        assert x["periods"][0]["requirements"]["totalHours"] == 160
        assert {h["type"] for h in x["history"]} >= {"approved", "period_started", "measure_imposed",
                                                       "code_of_conduct_accepted"}
        assert [mm["id"] for mm in x["measures"]] == [m["id"]]
        assert x["measures"][0]["reason"] == "Berisping om reden Y"
        assert [c["version"] for c in x["codeOfConductAcceptances"]] == [R.CURRENT_CODE]
        assert x["developmentPlan"]["goals"][0]["competenceCodes"] == ["G01", code]
        assert [a["id"] for a in x["activities"]] == [act["id"]]
        assert x["activities"][0]["hours"] == 12.5
        evs = x["activities"][0]["evidence"]
        assert [e["id"] for e in evs] == [ev["id"]] and evs[0]["fileName"] == "certificaat.pdf"
        assert evs[0]["sha256"] == ev["sha256"]


def test_export_without_account(client, rg):
    prof = rg.create_professional()
    r = client.get(f"{PROFS}/{prof['id']}/export", token=rg.admin)
    assert r.status_code == 200, r.content
    x = r.json()
    assert x["account"] is None and x["periods"] == [] and x["activities"] == [] and x["measures"] == []
    assert x["professional"]["email"] == prof["email"]


# ------------------------------------------------------------------ admin list


def test_list_filters_and_accent_insensitive_q(client, rg):
    t = R.tag()
    a = rg.registered_until(R.days(10), familyName=f"Müller {t}")
    b = rg.registered_until(R.days(100), familyName=f"Muller {t}", profile="sociaal-werker-mbo")
    c = rg.new(familyName=f"MÜLLER {t}")
    d = rg.new(familyName=f"Mulder {t}")
    e = rg.registered_until(R.days(-5), familyName=f"Mulder {t}")  # expired: no reminder any more
    tok = rg.admin

    def ids(**params):
        items, _ = R.collect(client, PROFS, token=tok, limit=100, **params)
        return {i["id"] for i in items}

    assert ids(q=f"muller {t}") == {a["id"], b["id"], c["id"]}
    assert ids(q=f"MÜLLER {t}") == {a["id"], b["id"], c["id"]}
    assert ids(q=t) == {a["id"], b["id"], c["id"], d["id"], e["id"]}
    assert ids(q=t, status="registered") == {a["id"], b["id"]}
    assert ids(q=t, status="expired") == {e["id"]}
    assert ids(q=t, status="applied") == {c["id"], d["id"]}
    assert ids(q=t, profile="sociaal-werker-mbo") == {b["id"]}
    assert ids(q=t, periodEndsBefore=R.days(50)) == {a["id"]}
    assert ids(q=t, periodEndsBefore=R.days(10)) == set()
    assert ids(q=t, periodEndsBefore=R.days(11)) == {a["id"]}
    # every listed item is a full Professional
    items, _ = R.collect(client, PROFS, token=tok, limit=100, q=t, status="registered")
    assert all(i["status"] == "registered" and i["email"] for i in items)


def test_list_pagination_no_gaps_no_duplicates(client, rg):
    t = R.tag()
    made = {rg.create_professional(familyName=f"Pagina {t} {i}")["id"] for i in range(7)}
    items, pages = R.collect(client, PROFS, token=rg.admin, limit=2, q=t)
    got = [i["id"] for i in items]
    assert len(got) == len(set(got)) == 7 and set(got) == made
    assert pages == 4


def test_list_status_filter_gives_full_pages(client, rg):
    """The status filter runs in SQL before the page is cut: with applied records between the
    registered ones, a page of 2 registered holds 2 (it used to hold what was left of 2 rows)."""
    t = R.tag()
    registered = []
    for i in range(3):
        rg.new(familyName=f"Vol {t} a{i}")
        registered.append(rg.registered(R.days(-30), familyName=f"Vol {t} r{i}")["id"])
        rg.new(familyName=f"Vol {t} b{i}")
    r = client.get(PROFS, token=rg.admin, params={"q": t, "status": "registered", "limit": "2"})
    assert r.status_code == 200, r.content
    first = r.json()
    assert [i["id"] for i in first["items"]] == registered[:2] and first["nextCursor"], first
    assert all(i["status"] == "registered" for i in first["items"])
    r = client.get(PROFS, token=rg.admin,
                   params={"q": t, "status": "registered", "limit": "2", "cursor": first["nextCursor"]})
    assert r.status_code == 200, r.content
    assert [i["id"] for i in r.json()["items"]] == registered[2:] and r.json()["nextCursor"] is None
    items, pages = R.collect(client, PROFS, token=rg.admin, limit=1, q=t, status="applied")
    assert len(items) == pages == 6


@pytest.mark.parametrize("params,field", [
    ({"limit": "101"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"status": "sleeping"}, "status"),
    ({"periodEndsBefore": "2023-02-30"}, "periodEndsBefore"), ({"profile": "Bad Code!"}, "profile"),
])
def test_bad_list_parameters(client, rg, params, field):
    assert_problem(client.get(PROFS, token=rg.admin, params=params), 400, slug="validation-error", fields={field})


# ------------------------------------------------------------------ who may do what


def test_professional_sees_only_itself(client, rg):
    a, b = rg.registered(R.days(-10)), rg.registered(R.days(-10))
    tok = a["token"]
    assert rg.get(a["id"], token=tok)["id"] == a["id"]
    for path in ("", "/history", "/export", "/progress", "/development-plan", "/development-activities",
                 "/diploma"):
        assert_problem(client.get(f"{PROFS}/{b['id']}{path}", token=tok), 404)
    assert_problem(client.post(f"{PROFS}/{b['id']}/deregistration", token=tok, json={}), 404)
    assert_problem(client.post(f"{PROFS}/{b['id']}/reregistration", token=tok), 404)
    assert_problem(client.post(f"{PROFS}/{b['id']}/development-activities", token=tok,
                               json=rg.activity_body()), 404)
    assert rg.get(b["id"])["status"] == "registered"
    assert_problem(client.get(f"{PROFS}/00000000-0000-4000-8000-000000000000", token=rg.admin), 404)
    assert_problem(client.get(f"{PROFS}/not-a-uuid", token=rg.admin), 400, slug="validation-error",
                   fields={"professionalId"})


def test_professional_on_admin_routes_403(client, rg):
    p = rg.registered(R.days(-10))
    other = rg.ready()
    tok = p["token"]
    assert_problem(client.get(PROFS, token=tok), 403)
    assert_problem(client.post(PROFS, token=tok, json=rg.professional_body()), 403)
    for pid in (p["id"], other["id"]):
        assert_problem(client.post(f"{PROFS}/{pid}/approval", token=tok, json={}), 403)
        assert_problem(client.post(f"{PROFS}/{pid}/rejection", token=tok, json={"reason": "x"}), 403)
        assert_problem(client.post(f"{PROFS}/{pid}/measures", token=tok,
                                   json=rg.measure_body("warning", R.today())), 403)
        assert_problem(client.get(f"{PROFS}/{pid}/measures", token=tok), 403)
    assert rg.get(other["id"])["status"] == "applied"


def test_other_roles_and_anonymous(client, rg, kr):
    p = rg.registered(R.days(-10))
    org = kr.make_account("organisation")
    org_tok = kr.token_for(org)
    assert_problem(client.get(PROFS, token=org_tok), 403)
    assert_problem(client.get(f"{PROFS}/{p['id']}", token=org_tok), 403)
    assert_problem(client.get(f"{PROFS}/{p['id']}/history", token=org_tok), 403)
    for path in ("", "/history", "/export", "/progress", "/development-activities"):
        assert_problem(client.get(f"{PROFS}/{p['id']}{path}"), 401)
    assert_problem(client.get(PROFS), 401)


@pytest.mark.parametrize("q", ["%", "_", "%%%"])
def test_admin_q_wildcards_are_literal(client, rg, q):
    rg.create_professional(familyName=f"Jokers {R.tag()}")
    r = client.get(PROFS, token=rg.admin, params={"q": q, "limit": "100"})
    assert r.status_code == 200, r.content
    for item in r.json()["items"]:
        name = f"{item['givenName']} {item['familyName']}".lower()
        assert q in name, f"{q!r} matched {name!r}"


def test_method_and_trailing_slash(client, rg):
    p = rg.new()
    r = client.delete(f"{PROFS}/{p['id']}", token=rg.admin)
    assert_problem(r, 405)
    assert "GET" in r.headers.get("Allow", ""), r.headers.get("Allow")
    r = client.put(f"{PROFS}/{p['id']}/approval", token=rg.admin, json={})
    assert_problem(r, 405)
    assert "POST" in r.headers.get("Allow", "")
    assert_problem(client.get(f"{PROFS}/{p['id']}/", token=rg.admin), 404)
    assert_problem(client.get(f"{R.REGISTER}/"), 404)
    assert_problem(client.put(f"{R.PROFILES}/no-such-{R.tag()}", token=rg.admin,
                              json={"name": "x", "periodYears": 5, "windowWeeks": 12,
                                    "requirements": R.DEFAULT_REQUIREMENTS}), 404)
