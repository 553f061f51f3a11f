"""/v1/norm-frameworks: the seeded 2017 and 2019 versions, creating versions, loading texts."""

import datetime

import pytest

import label_helpers as L
from kr_helpers import assert_problem

FW = L.FRAMEWORKS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def framework_body(version=None, **over):
    body = {
        "version": version or f"t-{L.tag()}",
        "title": "Testkader",
        "openFrom": "2020-01-01",
        "openUntil": None,
        "restrictedFrom": None,
        "mandatoryFrom": None,
        "maxPartiallyMet": 1,
        "maxNotMet": 0,
        "certificateTermMonths": 36,
        "businessCriticalVolunteersInScope": True,
        "categories": [
            {"code": "a", "name": "Categorie A", "norms": [{"code": "A01", "text": "Norm A01"},
                                                          {"code": "A02", "text": "Norm A02"}]},
            {"code": "b", "name": "Categorie B", "norms": [{"code": "B01", "text": "Norm B01"}]},
        ],
    }
    body.update(over)
    return body


# ------------------------------------------------------------------ seeded versions


def test_list_is_public_and_ordered(client):
    r = client.get(FW)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["nextCursor"] is None
    by_version = {f["version"]: f for f in body["items"]}
    assert {"2017", "2019"} <= set(by_version)
    opens = [f["openFrom"] for f in body["items"]]
    assert opens == sorted(opens), "not ordered by openFrom"
    for version, facts in L.SEEDED.items():
        f = by_version[version]
        assert "categories" not in f, "the list carries summaries"
        for k in ("normCount", "maxPartiallyMet", "maxNotMet", "openFrom", "openUntil", "restrictedFrom",
                  "mandatoryFrom", "certificateTermMonths", "businessCriticalVolunteersInScope"):
            assert f[k] == facts[k], (version, k, f[k], facts[k])
        assert isinstance(f["inUse"], bool)
        assert isinstance(f["title"], str) and f["title"]


@pytest.mark.parametrize("version", ["2017", "2019"])
def test_seeded_version_in_full(client, version):
    r = client.get(f"{FW}/{version}")
    assert r.status_code == 200, r.content
    fw = r.json()
    facts = L.SEEDED[version]
    assert fw["version"] == version
    assert fw["normCount"] == facts["normCount"]
    assert fw["maxPartiallyMet"] == facts["maxPartiallyMet"] and fw["maxNotMet"] == facts["maxNotMet"]
    cats = {c["code"]: c for c in fw["categories"]}
    assert set(cats) == set(facts["categories"])
    for code, (letter, n) in facts["categories"].items():
        got = [norm["code"] for norm in cats[code]["norms"]]
        assert got == [f"{letter}{i:02d}" for i in range(1, n + 1)], (code, got)
        assert cats[code]["name"]
    codes = [n["code"] for c in fw["categories"] for n in c["norms"]]
    assert len(codes) == facts["normCount"] == len(set(codes))
    for c in fw["categories"]:
        for n in c["norms"]:
            assert n["text"].startswith("[placeholder]"), n
            assert n["textIsPlaceholder"] is True, n


def test_unknown_version_is_404(client):
    assert_problem(client.get(f"{FW}/1999"), 404)


# ------------------------------------------------------------------ create


def test_create_and_read(client, lb):
    body = framework_body()
    r = client.post(FW, token=lb.admin, json=body)
    assert r.status_code == 201, r.content
    assert L.location_path(r) == f"{FW}/{body['version']}"
    fw = r.json()
    assert fw["version"] == body["version"] and fw["normCount"] == 3 and fw["inUse"] is False
    assert fw["certificateTermMonths"] == 36 and fw["maxPartiallyMet"] == 1
    g = client.get(f"{FW}/{body['version']}")
    assert g.status_code == 200
    assert [n["code"] for c in g.json()["categories"] for n in c["norms"]] == ["A01", "A02", "B01"]
    assert all(n["textIsPlaceholder"] is False for c in g.json()["categories"] for n in c["norms"])
    assert body["version"] in [f["version"] for f in client.get(FW).json()["items"]]


def test_create_duplicate_version_is_409(client, lb):
    body = framework_body()
    assert client.post(FW, token=lb.admin, json=body).status_code == 201
    assert_problem(client.post(FW, token=lb.admin, json=body), 409)
    assert_problem(client.post(FW, token=lb.admin, json=framework_body("2019")), 409)


def test_create_duplicate_norm_and_category_codes(client, lb):
    body = framework_body(categories=[
        {"code": "a", "name": "A", "norms": [{"code": "A01", "text": "x"}, {"code": "A01", "text": "y"}]},
        {"code": "a", "name": "A again", "norms": [{"code": "A02", "text": "z"}]},
    ])
    r = client.post(FW, token=lb.admin, json=body)
    assert_problem(r, 400, slug="validation-error", fields={"categories[0].norms[1].code", "categories[1].code"})


def test_create_norm_code_repeated_across_categories(client, lb):
    body = framework_body(categories=[
        {"code": "a", "name": "A", "norms": [{"code": "X01", "text": "x"}]},
        {"code": "b", "name": "B", "norms": [{"code": "X01", "text": "y"}]},
    ])
    assert_problem(client.post(FW, token=lb.admin, json=body), 400, slug="validation-error",
                   fields={"categories[1].norms[0].code"})


@pytest.mark.parametrize("over,field", [
    ({"categories": []}, "categories"),
    ({"openUntil": "2019-12-31"}, "openUntil"),
    ({"version": "has space"}, "version"),
    ({"version": "x" * 33}, "version"),
    ({"maxNotMet": -1}, "maxNotMet"),
    ({"maxPartiallyMet": "8"}, "maxPartiallyMet"),
    ({"certificateTermMonths": 0}, "certificateTermMonths"),
    ({"certificateTermMonths": 121}, "certificateTermMonths"),
    ({"openFrom": "2020-02-30"}, "openFrom"),
    ({"businessCriticalVolunteersInScope": "yes"}, "businessCriticalVolunteersInScope"),
    ({"inUse": False}, "inUse"),
    ({"normCount": 3}, "normCount"),
    ({"colour": "blue"}, "colour"),
])
def test_create_bad_values(client, lb, over, field):
    r = client.post(FW, token=lb.admin, json=framework_body(**over))
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_create_bad_norm_code_and_empty_category(client, lb):
    body = framework_body(categories=[
        {"code": "a", "name": "A", "norms": [{"code": "a01", "text": "x"}]},
        {"code": "b", "name": "B", "norms": []},
    ])
    assert_problem(client.post(FW, token=lb.admin, json=body), 400, slug="validation-error",
                   fields={"categories[0].norms[0].code", "categories[1].norms"})


def test_create_roles(client, lb):
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    party = lb.body_with_certifier()
    for tok in (org_tok, party["token"]):
        assert_problem(client.post(FW, token=tok, json=framework_body()), 403)
    assert_problem(client.post(FW, json=framework_body()), 401)


# ------------------------------------------------------------------ texts


def test_load_texts_and_history(client, lb):
    body = framework_body()
    v = body["version"]
    assert client.post(FW, token=lb.admin, json=body).status_code == 201
    h = client.get(f"{FW}/{v}/text-history", token=lb.admin)
    assert h.status_code == 200 and h.json()["items"] == [], h.content  # nothing changed yet
    r = client.put(f"{FW}/{v}/texts", token=lb.admin, json={"texts": [{"code": "A02", "text": "Tekst twee"}]})
    assert r.status_code == 200, r.content
    norms = {n["code"]: n for c in r.json()["categories"] for n in c["norms"]}
    assert norms["A02"]["text"] == "Tekst twee" and norms["A02"]["textIsPlaceholder"] is False
    assert norms["A01"]["text"] == "Norm A01", "other texts untouched"
    r = client.put(f"{FW}/{v}/texts", token=lb.admin, json={"texts": [{"code": "A02", "text": "Tekst drie"}]})
    assert r.status_code == 200, r.content
    h = client.get(f"{FW}/{v}/text-history", token=lb.admin)
    assert h.status_code == 200, h.content
    assert h.json()["nextCursor"] is None
    a02 = [e for e in h.json()["items"] if e["code"] == "A02"]
    texts = [e["text"] for e in a02]
    assert "Norm A02" in texts and "Tekst twee" in texts, f"earlier texts not kept: {a02}"
    admin_id = lb.admin_id()
    assert all(e["changedBy"] == admin_id for e in a02), a02
    for e in a02:
        L.check_timestamp(e["changedAt"])
    assert not [e for e in h.json()["items"] if e["code"] == "B01"], "an unchanged norm has no history"


def test_texts_may_change_while_in_use(client, lb):
    body = framework_body()
    v = body["version"]
    assert client.post(FW, token=lb.admin, json=body).status_code == 201
    org = lb.create_org()
    lb.create_audit(org["id"], v, kind="intercollegial", planned_on=L.days(-1))
    assert client.get(f"{FW}/{v}").json()["inUse"] is True
    r = client.put(f"{FW}/{v}/texts", token=lb.admin, json={"texts": [{"code": "B01", "text": "Officieel"}]})
    assert r.status_code == 200, r.content
    assert r.json()["inUse"] is True
    assert [n["text"] for c in r.json()["categories"] for n in c["norms"] if n["code"] == "B01"] == ["Officieel"]


def test_texts_unknown_code_named(client, lb):
    body = framework_body()
    v = body["version"]
    assert client.post(FW, token=lb.admin, json=body).status_code == 201
    r = client.put(f"{FW}/{v}/texts", token=lb.admin,
                   json={"texts": [{"code": "A01", "text": "ok"}, {"code": "Z99", "text": "nope"}]})
    assert_problem(r, 400, slug="validation-error", fields={"texts[1].code"})
    g = client.get(f"{FW}/{v}").json()
    assert [n["text"] for c in g["categories"] for n in c["norms"] if n["code"] == "A01"] == ["Norm A01"], \
        "a rejected update must change nothing"


def test_texts_bad_bodies_and_roles(client, lb):
    body = framework_body()
    v = body["version"]
    assert client.post(FW, token=lb.admin, json=body).status_code == 201
    assert_problem(client.put(f"{FW}/{v}/texts", token=lb.admin, json={"texts": [{"code": "A01"}]}), 400,
                   slug="validation-error", fields={"texts[0].text"})
    assert_problem(client.put(f"{FW}/{v}/texts", token=lb.admin, json={"text": []}), 400,
                   slug="validation-error", fields={"text"})
    assert_problem(client.put(f"{FW}/nope-{L.tag()}/texts", token=lb.admin,
                              json={"texts": [{"code": "A01", "text": "x"}]}), 404)
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    assert_problem(client.put(f"{FW}/{v}/texts", token=org_tok, json={"texts": []}), 403)
    assert_problem(client.get(f"{FW}/{v}/text-history", token=org_tok), 403)
    assert_problem(client.get(f"{FW}/{v}/text-history"), 401)


def test_audit_marks_version_in_use(client, lb):
    body = framework_body()
    v = body["version"]
    assert client.post(FW, token=lb.admin, json=body).status_code == 201
    summary = [f for f in client.get(FW).json()["items"] if f["version"] == v][0]
    assert summary["inUse"] is False
    org = lb.create_org()
    lb.create_audit(org["id"], v, kind="intercollegial", planned_on=datetime.date(2020, 1, 1))
    summary = [f for f in client.get(FW).json()["items"] if f["version"] == v][0]
    assert summary["inUse"] is True
