"""Reference data of the register: register profiles, codes of conduct, competences and the
activity types (anyone reads; admin writes)."""

import pytest

import register_helpers as R
from kr_helpers import assert_problem

PROFILES, CODES, COMPETENCES = R.PROFILES, R.CODES, R.COMPETENCES


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def prof_token(rg):
    return rg.new()["token"]


# ------------------------------------------------------------------ activity types


def test_activity_types_are_fixed_by_the_design(client):
    r = client.get(R.ACTIVITY_TYPES)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["nextCursor"] is None
    got = {i["type"]: i["category"] for i in body["items"]}
    assert got == R.CATEGORY_OF
    assert len(body["items"]) == len(R.CATEGORY_OF)


# ------------------------------------------------------------------ register profiles


def test_seeded_profiles(client):
    r = client.get(PROFILES)
    assert r.status_code == 200, r.content
    assert r.json()["nextCursor"] is None
    codes = [p["code"] for p in r.json()["items"]]
    for code in R.SEEDED_PROFILES:
        assert code in codes
        g = client.get(f"{PROFILES}/{code}")
        assert g.status_code == 200, g.content
        p = g.json()
        assert p["code"] == code and p["periodYears"] == 5 and p["windowWeeks"] == 12
        cats = {c["category"]: c for c in p["requirements"]["categories"]}
        assert set(cats) == {"formal_learning", "reflection", "informal_learning"}
        assert cats["formal_learning"]["minimumHours"] == 60 and cats["formal_learning"]["capHours"] is None
        assert cats["reflection"]["minimumHours"] == 50 and cats["reflection"]["capHours"] is None
        assert cats["informal_learning"]["minimumHours"] == 0 and cats["informal_learning"]["capHours"] == 50
        assert p["requirements"]["totalHours"] == 160
        R.check_timestamp(p["updatedAt"])


def test_unknown_profile_404(client):
    assert_problem(client.get(f"{PROFILES}/no-such-profile-{R.tag()}"), 404)


def test_create_and_replace_profile(client, rg):
    p = rg.create_profile(R.requirements(formal=10, reflection=5, informal_cap=None, total=20), period_years=3,
                          window_weeks=4)
    assert p["periodYears"] == 3 and p["windowWeeks"] == 4
    g = client.get(f"{PROFILES}/{p['code']}")
    assert g.status_code == 200 and g.json()["requirements"]["totalHours"] == 20
    assert p["code"] in [x["code"] for x in client.get(PROFILES).json()["items"]]
    new_req = R.requirements(formal=12.5, reflection=6, informal_cap=30, total=40)
    r = client.put(f"{PROFILES}/{p['code']}", token=rg.admin,
                   json={"name": "Nieuwe naam", "periodYears": 4, "windowWeeks": 8, "requirements": new_req})
    assert r.status_code == 200, r.content
    got = client.get(f"{PROFILES}/{p['code']}").json()
    assert got["name"] == "Nieuwe naam" and got["periodYears"] == 4 and got["windowWeeks"] == 8
    cats = {c["category"]: c for c in got["requirements"]["categories"]}
    assert cats["formal_learning"]["minimumHours"] == 12.5
    assert cats["informal_learning"]["capHours"] == 30
    assert got["requirements"]["totalHours"] == 40


def test_duplicate_profile_409(client, rg):
    p = rg.create_profile()
    body = {"code": p["code"], "name": "x", "periodYears": 5, "windowWeeks": 12,
            "requirements": R.DEFAULT_REQUIREMENTS}
    assert_problem(client.post(PROFILES, token=rg.admin, json=body), 409)


@pytest.mark.parametrize("over,field", [
    ({"code": "Has Capitals"}, "code"),
    ({"code": ""}, "code"),
    ({"periodYears": 0}, "periodYears"),
    ({"periodYears": 11}, "periodYears"),
    ({"periodYears": "5"}, "periodYears"),
    ({"windowWeeks": 0}, "windowWeeks"),
    ({"windowWeeks": 53}, "windowWeeks"),
    ({"name": None}, "name"),
    ({"unknownField": 1}, "unknownField"),
])
def test_bad_profile_bodies(client, rg, over, field):
    body = {"code": f"bad-{R.tag()}", "name": "Slecht", "periodYears": 5, "windowWeeks": 12,
            "requirements": R.DEFAULT_REQUIREMENTS}
    body.update(over)
    r = client.post(PROFILES, token=rg.admin, json=body)
    body_ = assert_problem(r, 400, slug="validation-error")
    assert any(f == field or f.startswith(field) for f in R.field_list(body_)), body_


@pytest.mark.parametrize("reqs", [
    {"categories": [{"category": "formal_learning", "minimumHours": 1, "capHours": None}], "totalHours": 1},
    {"categories": R.DEFAULT_REQUIREMENTS["categories"] + [
        {"category": "formal_learning", "minimumHours": 1, "capHours": None}], "totalHours": 1},
    {"categories": [{"category": "dancing", "minimumHours": 1, "capHours": None}]
     + R.DEFAULT_REQUIREMENTS["categories"], "totalHours": 1},
    R.requirements(formal=-1),
    R.requirements(total=-5),
])
def test_bad_profile_requirements(client, rg, reqs):
    body = {"code": f"bad-{R.tag()}", "name": "Slecht", "periodYears": 5, "windowWeeks": 12, "requirements": reqs}
    r = client.post(PROFILES, token=rg.admin, json=body)
    b = assert_problem(r, 400, slug="validation-error")
    assert any(f.startswith("requirements") for f in R.field_list(b)), b


def test_profile_writes_need_admin(client, rg, prof_token):
    body = {"code": f"x-{R.tag()}", "name": "x", "periodYears": 5, "windowWeeks": 12,
            "requirements": R.DEFAULT_REQUIREMENTS}
    assert_problem(client.post(PROFILES, token=prof_token, json=body), 403)
    assert_problem(client.post(PROFILES, json=body), 401)
    put = {k: v for k, v in body.items() if k != "code"}
    assert_problem(client.put(f"{PROFILES}/{R.DEFAULT_PROFILE}", token=prof_token, json=put), 403)


# ------------------------------------------------------------------ codes of conduct


def test_seeded_codes_of_conduct(client):
    r = client.get(CODES)
    assert r.status_code == 200, r.content
    items = {c["version"]: c for c in r.json()["items"]}
    assert {"2018", "2022"} <= set(items)
    assert items["2018"]["inForceFrom"] == "2018-01-01" and items["2018"]["current"] is False
    assert items["2022"]["inForceFrom"] == "2022-01-01" and items["2022"]["current"] is True
    assert items["2022"]["title"] == "Beroepscode voor professionals in het sociaal werk"
    assert items["2018"]["title"] == "Beroepscode voor de sociaal werker"
    assert items["2022"]["coreValues"] == [
        "respect for human dignity and autonomy", "commitment and willingness to stand by people",
        "social justice and human rights", "expertise and care", "reliability and integrity"]
    assert items["2018"]["coreValues"] and all("[placeholder]" in v for v in items["2018"]["coreValues"])
    assert sum(1 for c in items.values() if c["current"]) == 1
    g = client.get(f"{CODES}/2022")
    assert g.status_code == 200 and g.json()["current"] is True
    assert_problem(client.get(f"{CODES}/no-such-{R.tag()}"), 404)


def test_future_code_of_conduct_is_not_current(client, rg):
    version = f"2099-{R.tag()[:6]}"
    r = client.post(CODES, token=rg.admin, json={"version": version, "title": "Toekomstige code",
                                                   "inForceFrom": "2099-01-01", "coreValues": ["een", "twee"]})
    assert r.status_code == 201, r.content
    assert r.json()["current"] is False
    assert client.get(f"{CODES}/{version}").json()["current"] is False
    assert client.get(f"{CODES}/2022").json()["current"] is True
    again = client.post(CODES, token=rg.admin, json={"version": version, "title": "x", "inForceFrom": "2099-01-01",
                                                      "coreValues": []})
    assert_problem(again, 409)


@pytest.mark.parametrize("over,field", [
    ({"version": "has space"}, "version"),
    ({"version": "x" * 33}, "version"),
    ({"inForceFrom": "2099-02-30"}, "inForceFrom"),
    ({"current": True}, "current"),
    ({"coreValues": "respect"}, "coreValues"),
])
def test_bad_code_of_conduct(client, rg, over, field):
    body = {"version": f"v-{R.tag()[:8]}", "title": "x", "inForceFrom": "2099-01-01", "coreValues": ["a"]}
    body.update(over)
    assert_problem(client.post(CODES, token=rg.admin, json=body), 400, slug="validation-error", fields={field})


def test_code_of_conduct_write_needs_admin(client, prof_token):
    body = {"version": f"v-{R.tag()[:8]}", "title": "x", "inForceFrom": "2099-01-01", "coreValues": ["a"]}
    assert_problem(client.post(CODES, token=prof_token, json=body), 403)
    assert_problem(client.post(CODES, json=body), 401)


# ------------------------------------------------------------------ competences


def listed(client, **params):
    r = client.get(COMPETENCES, params=params or None)
    assert r.status_code == 200, r.content
    assert r.json()["nextCursor"] is None
    return r.json()["items"]


def test_seeded_competences(client):
    items = listed(client)
    by = {c["code"]: c for c in items}
    for code in ["G01", "G02", "G03", "G04", "G05", "G06", "G07", "G08"]:
        assert by[code]["kind"] == "generic" and by[code]["lifeDomain"] is None, by.get(code)
    for code in ["G01", "G02", "G03", "G04"]:
        assert by[code]["nameIsPlaceholder"] is False
    for code in ["G05", "G06", "G07", "G08"]:
        assert by[code]["nameIsPlaceholder"] is True
    life = ["L-ZIN", "L-FIN", "L-LGZ", "L-PGZ", "L-SOC", "L-WON", "L-WRK"]
    for code in life:
        assert by[code]["kind"] == "life_domain" and isinstance(by[code]["lifeDomain"], str), by.get(code)
    gen = listed(client, kind="generic")
    assert all(c["kind"] == "generic" for c in gen) and {"G01", "G08"} <= {c["code"] for c in gen}
    ld = listed(client, kind="life_domain")
    assert all(c["kind"] == "life_domain" for c in ld) and set(life) <= {c["code"] for c in ld}
    g = client.get(f"{COMPETENCES}/G01")
    assert g.status_code == 200 and g.json()["code"] == "G01"
    assert_problem(client.get(f"{COMPETENCES}/ZZ-{R.upper_tag(6)}"), 404)
    assert_problem(client.get(COMPETENCES, params={"kind": "bogus"}), 400, slug="validation-error", fields={"kind"})


def test_create_and_update_competence(client, rg, prof_token):
    c = rg.create_competence(kind="life_domain", life_domain="Testdomein")
    assert c["kind"] == "life_domain" and c["lifeDomain"] == "Testdomein"
    body = {"name": "Hernoemd", "kind": "generic", "lifeDomain": None}
    assert_problem(client.put(f"{COMPETENCES}/{c['code']}", token=prof_token, json=body), 403)
    r = client.put(f"{COMPETENCES}/{c['code']}", token=rg.admin, json=body)
    assert r.status_code == 200, r.content
    got = client.get(f"{COMPETENCES}/{c['code']}").json()
    assert got["name"] == "Hernoemd" and got["kind"] == "generic" and got["lifeDomain"] is None
    dup = client.post(COMPETENCES, token=rg.admin, json={"code": c["code"], "name": "x", "kind": "generic",
                                                         "lifeDomain": None})
    assert_problem(dup, 409)
    bad = client.post(COMPETENCES, token=rg.admin, json={"code": "lower-case", "name": "x", "kind": "generic",
                                                         "lifeDomain": None})
    assert_problem(bad, 400, slug="validation-error", fields={"code"})
    bad = client.post(COMPETENCES, token=rg.admin, json={"code": f"T-{R.upper_tag(6)}", "name": "x",
                                                         "kind": "cooking", "lifeDomain": None})
    assert_problem(bad, 400, slug="validation-error", fields={"kind"})
    assert_problem(client.post(COMPETENCES, token=prof_token, json={"code": f"T-{R.upper_tag(6)}", "name": "x",
                                                                    "kind": "generic", "lifeDomain": None}), 403)
