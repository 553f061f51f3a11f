"""KvK number changes: only the label office changes an organisation's number, with a reason; the
change is in the organisation's history, and each running certificate gets a kvk_number_changed
event that the feed and the checks show (the old number no longer answers certified)."""

import uuid

import pytest

import label_helpers as L
import municipal_helpers as M
from kr_helpers import assert_problem

ORGS, CERTS = L.ORGS, L.CERTS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def change(client, token, org_id, kvk, reason="Fusie; nieuwe rechtspersoon"):
    return client.post(f"{ORGS}/{org_id}/kvk-number-changes", token=token, json={"kvkNumber": kvk, "reason": reason})


def test_an_organisation_cannot_move_its_certificate_to_another_number(client, lb):
    """The hole: an organisation's own PATCH of kvkNumber made the check for another company's
    number say certified, with no event."""
    c = lb.certified("2019")
    org = c["org"]
    _, own = lb.org_account(org["id"])
    other = L.random_kvk()
    r = client.request("PATCH", f"{ORGS}/{org['id']}", token=own, json={"kvkNumber": other})
    assert_problem(r, 400, slug="validation-error", fields={"kvkNumber"})
    _, muni = lb.municipality(L.random_gm())
    r = client.get("/v1/certification-checks", token=muni, params={"kvkNumber": other})
    assert r.json()["certified"] is False and r.json()["organisation"] is None
    assert_problem(change(client, own, org["id"], other), 403)


def test_the_office_changes_the_number_with_a_reason(client, lb, sql):
    c = lb.certified("2019")
    org, number = c["org"], c["number"]
    old, new = org["kvkNumber"], L.random_kvk()
    _, muni = lb.municipality(L.random_gm())
    start = M.max_event_id(sql)
    r = change(client, lb.admin, org["id"], new, reason="Fusie met Welzijn Oost")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["field"], body["previousValue"], body["value"], body["reason"]) == \
        ("kvkNumber", old, new, "Fusie met Welzijn Oost")
    assert body["effectiveOn"] == L.today().isoformat() and len(body["certificateEventIds"]) == 1
    assert r.headers["Location"] == f"/v1/organisations/{org['id']}/history"
    # The history keeps it, for the office and the organisation itself.
    _, own = lb.org_account(org["id"])
    for token in (lb.admin, own):
        h = client.get(f"{ORGS}/{org['id']}/history", token=token)
        assert h.status_code == 200, h.content
        assert [(e["previousValue"], e["value"]) for e in h.json()["items"]] == [(old, new)]
    # The feed tells municipalities, with both numbers.
    feed = client.get("/v1/certificate-events", token=muni, params={"after": str(start)}).json()["items"]
    mine = [e for e in feed if e["certificateNumber"] == number]
    assert [(e["type"], e["kvkNumber"], e["previousKvkNumber"]) for e in mine] == \
        [("kvk_number_changed", new, old)], mine
    # The certificate follows the organisation: certified under the new number, not the old one.
    now_new = client.get("/v1/certification-checks", token=muni, params={"kvkNumber": new}).json()
    assert now_new["certified"] is True and now_new["certificate"]["certificateNumber"] == number
    assert [x["type"] for x in now_new["certificate"]["changes"]] == ["issued", "kvk_number_changed"]
    now_old = client.get("/v1/certification-checks", token=muni, params={"kvkNumber": old}).json()
    assert now_old["certified"] is False and now_old["organisation"] is None
    assert client.get(f"{CERTS}/{number}").json()["organisation"]["kvkNumber"] == new
    # Earlier events keep the number they were recorded under.
    kept = sql(f"SELECT kvk_number FROM certificate_events e JOIN certificates c ON c.id = e.certificate_id "
               f"WHERE c.certificate_number = '{number}' AND e.type = 'issued'")
    assert kept == [(old,)]
    # The status did not change.
    assert lb.get_cert(number)["status"] == "valid"


def test_change_refusals(client, lb):
    a, b = lb.create_org(), lb.create_org()
    assert_problem(change(client, lb.admin, b["id"], a["kvkNumber"]), 409)
    assert_problem(change(client, lb.admin, b["id"], b["kvkNumber"]), 400, slug="validation-error",
                   fields={"kvkNumber"})
    r = client.post(f"{ORGS}/{b['id']}/kvk-number-changes", token=lb.admin, json={"kvkNumber": "123"})
    assert_problem(r, 400, slug="validation-error", fields={"kvkNumber", "reason"})
    r = client.post(f"{ORGS}/{b['id']}/kvk-number-changes", token=lb.admin,
                    json={"kvkNumber": L.random_kvk(), "reason": "x" * 2001, "extra": 1})
    assert_problem(r, 400, slug="validation-error", fields={"reason", "extra"})
    assert_problem(change(client, lb.admin, str(uuid.uuid4()), L.random_kvk()), 404)
    assert_problem(change(client, lb.admin, "not-a-uuid", L.random_kvk()), 400)
    assert_problem(client.get(f"{ORGS}/{uuid.uuid4()}/history", token=lb.admin), 404)
    _, own_a = lb.org_account(a["id"])
    assert_problem(client.get(f"{ORGS}/{b['id']}/history", token=own_a), 404)
    assert client.get(f"{ORGS}/{b['id']}/history", token=lb.admin).json() == {"items": [], "nextCursor": None}
