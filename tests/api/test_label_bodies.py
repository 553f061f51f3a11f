"""/v1/certifying-bodies and their framework agreements."""

import uuid

import pytest

import kr_helpers as H
import label_helpers as L
from kr_helpers import assert_problem

BODIES = L.BODIES


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def test_create_read_list(client, lb):
    name = f"Keurmerk {L.tag()} B.V."
    r = client.post(BODIES, token=lb.admin, json={"name": name})
    assert r.status_code == 201, r.content
    body = r.json()
    assert H.UUID_RE.match(body["id"]) and body["name"] == name
    L.check_timestamp(body["createdAt"])
    assert L.location_path(r) == f"{BODIES}/{body['id']}"
    g = client.get(f"{BODIES}/{body['id']}", token=lb.admin)
    assert g.status_code == 200 and g.json() == body
    found, cursor = False, None
    for _ in range(200):
        params = {"limit": "100"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(BODIES, token=lb.admin, params=params)
        assert page.status_code == 200, page.content
        found = found or body["id"] in [b["id"] for b in page.json()["items"]]
        cursor = page.json()["nextCursor"]
        if cursor is None:
            break
    assert found, "new body not in the list"


@pytest.mark.parametrize("payload,field", [({}, "name"), ({"name": ""}, "name"), ({"name": 5}, "name"),
                                           ({"name": "X", "kvk": "1"}, "kvk"),
                                           ({"name": "X", "id": str(uuid.uuid4())}, "id")])
def test_create_bad_bodies(client, lb, payload, field):
    assert_problem(client.post(BODIES, token=lb.admin, json=payload), 400, slug="validation-error",
                   fields={field}, exact_fields=True)


def test_roles(client, lb):
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    _, muni_tok = lb.municipality()
    party = lb.body_with_certifier()
    for tok in (org_tok, muni_tok, party["token"]):
        assert_problem(client.post(BODIES, token=tok, json={"name": "X"}), 403)
        assert_problem(client.post(f"{BODIES}/{party['body']['id']}/framework-agreements", token=tok,
                                   json={"validFrom": "2020-01-01", "validUntil": None}), 403)
    for tok in (org_tok, muni_tok, party["token"]):
        assert_problem(client.get(BODIES, token=tok), 403)
    assert_problem(client.get(BODIES), 401)


def test_certifier_sees_only_its_own_body(client, lb):
    mine = lb.body_with_certifier(valid_from="2018-01-01")
    other = lb.body_with_certifier()
    r = client.get(f"{BODIES}/{mine['body']['id']}", token=mine["token"])
    assert r.status_code == 200 and r.json()["id"] == mine["body"]["id"]
    assert_problem(client.get(f"{BODIES}/{other['body']['id']}", token=mine["token"]), 404)
    r = client.get(f"{BODIES}/{mine['body']['id']}/framework-agreements", token=mine["token"])
    assert r.status_code == 200
    assert [a["validFrom"] for a in r.json()["items"]] == ["2018-01-01"]
    assert_problem(client.get(f"{BODIES}/{other['body']['id']}/framework-agreements", token=mine["token"]), 404)


def test_unknown_and_malformed_body(client, lb):
    assert_problem(client.get(f"{BODIES}/{uuid.uuid4()}", token=lb.admin), 404)
    assert_problem(client.get(f"{BODIES}/xyz", token=lb.admin), 400, slug="validation-error",
                   fields={"certifyingBodyId"})
    assert_problem(client.post(f"{BODIES}/{uuid.uuid4()}/framework-agreements", token=lb.admin,
                               json={"validFrom": "2020-01-01", "validUntil": None}), 404)


def test_agreements_create_and_list(client, lb):
    body = lb.create_body()
    path = f"{BODIES}/{body['id']}/framework-agreements"
    r = client.post(path, token=lb.admin, json={"validFrom": "2018-01-01", "validUntil": "2019-12-31"})
    assert r.status_code == 201, r.content
    a1 = r.json()
    assert a1["certifyingBodyId"] == body["id"] and a1["validFrom"] == "2018-01-01" and a1["validUntil"] == "2019-12-31"
    assert H.UUID_RE.match(a1["id"])
    L.check_timestamp(a1["createdAt"])
    r = client.post(path, token=lb.admin, json={"validFrom": "2020-01-01", "validUntil": None})
    assert r.status_code == 201, r.content
    assert r.json()["validUntil"] is None
    r = client.post(path, token=lb.admin, json={"validFrom": "2021-01-01"})
    assert r.status_code == 201, "validUntil is optional (open-ended)"
    lst = client.get(path, token=lb.admin)
    assert lst.status_code == 200
    assert [a["validFrom"] for a in lst.json()["items"]] == ["2018-01-01", "2020-01-01", "2021-01-01"]


def test_agreement_single_day_allowed(client, lb):
    body = lb.create_body()
    r = client.post(f"{BODIES}/{body['id']}/framework-agreements", token=lb.admin,
                    json={"validFrom": "2020-05-05", "validUntil": "2020-05-05"})
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("payload,field", [
    ({"validFrom": "2020-01-02", "validUntil": "2020-01-01"}, "validUntil"),
    ({"validUntil": "2020-01-01"}, "validFrom"),
    ({"validFrom": "2020-13-01", "validUntil": None}, "validFrom"),
    ({"validFrom": 20200101, "validUntil": None}, "validFrom"),
    ({"validFrom": "2020-01-01", "validUntil": "someday"}, "validUntil"),
    ({"validFrom": "2020-01-01", "validUntil": None, "frameworkVersion": "2019"}, "frameworkVersion"),
])
def test_agreement_bad_bodies(client, lb, payload, field):
    body = lb.create_body()
    r = client.post(f"{BODIES}/{body['id']}/framework-agreements", token=lb.admin, json=payload)
    assert_problem(r, 400, slug="validation-error", fields={field})
