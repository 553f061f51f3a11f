"""/v1/certificates: recertification dates, status by date, suspension/reinstatement/withdrawal,
history, the public register (withdrawn ones hidden), search, per-object authorisation."""

import uuid

import pytest

import kr_helpers as H
import label_helpers as L
from kr_helpers import assert_problem

CERTS, AUDITS = L.CERTS, L.AUDITS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def numbers(resp):
    assert resp.status_code == 200, resp.content
    return [c["certificateNumber"] for c in resp.json()["items"]]


def all_numbers(client, token=None, **params):
    out, cursor = [], None
    for _ in range(500):
        q = dict(params, limit="100")
        if cursor:
            q["cursor"] = cursor
        r = client.get(CERTS, token=token, params=q)
        assert r.status_code == 200, r.content
        out += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if cursor is None:
            return out
    raise AssertionError("pagination does not end")


# ------------------------------------------------------------------ dates


def test_fresh_certificate_dates(client, lb):
    c = lb.certified("2019")
    today = L.today().isoformat()
    assert c["cert"]["validFrom"] == today
    assert c["cert"]["validUntil"] == L.valid_until(today, 24)
    assert c["cert"]["status"] == "valid"
    assert c["decision"]["decidedOn"] == today


def test_recertification_starts_after_running_certificate(client, lb):
    first = lb.certified("2019")
    second = lb.certified("2019", org=first["org"], party=first["party"], type_="recertification")
    c1, c2 = first["cert"], second["cert"]
    assert second["number"] != first["number"]
    assert c2["validFrom"] == L.next_day(c1["validUntil"])
    assert c2["validUntil"] == L.valid_until(c2["validFrom"], 24)
    assert c2["status"] == "not_yet_valid"
    assert c2["previousCertificateNumber"] == first["number"]
    assert second["decision"]["decidedOn"] == L.today().isoformat()
    assert lb.get_cert(first["number"])["status"] == "valid", "the running certificate is untouched"
    if first["number"][4:8] == second["number"][4:8]:
        assert int(second["number"][-6:]) > int(first["number"][-6:]), "sequence must increase"


def test_recertification_while_suspended_still_follows_on(client, lb):
    first = lb.certified("2019")
    lb.cert_action(first["number"], "suspension", expect=200)
    assert lb.get_cert(first["number"])["status"] == "suspended"
    second = lb.certified("2019", org=first["org"], party=first["party"], type_="recertification")
    assert second["cert"]["validFrom"] == L.next_day(first["cert"]["validUntil"])


def test_new_certificate_after_withdrawal_starts_today(client, lb):
    first = lb.certified("2019")
    lb.cert_action(first["number"], "withdrawal", expect=200)
    second = lb.certified("2019", org=first["org"], party=first["party"], type_="recertification")
    assert second["cert"]["validFrom"] == L.today().isoformat()
    assert second["cert"]["status"] == "valid"


def test_another_organisations_certificate_does_not_delay(client, lb):
    first = lb.certified("2019")
    other = lb.certified("2019", party=first["party"])
    assert other["cert"]["validFrom"] == L.today().isoformat()


# ------------------------------------------------------------------ status changes


def test_future_suspension_leaves_it_valid_today(client, lb):
    c = lb.certified("2019")
    n = c["number"]
    r = lb.cert_action(n, "suspension", effective_on=L.days(10), reason="Onderzoek klacht")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "valid", "a suspension from a later date leaves it valid today"
    assert lb.get_cert(n)["status"] == "valid"
    pub = client.get(f"{CERTS}/{n}")
    assert pub.status_code == 200 and pub.json()["status"] == "valid"
    ev = client.get(f"{CERTS}/{n}/history", token=lb.admin).json()["items"]
    assert [e["type"] for e in ev] == ["issued", "suspended"]
    assert ev[1]["effectiveOn"] == L.days(10) and ev[1]["reason"] == "Onderzoek klacht"
    # on day 12 it is already suspended: a second suspension then is a conflict
    assert_problem(lb.cert_action(n, "suspension", effective_on=L.days(12)), 409)
    # a reinstatement from day 20 is fine (it is suspended then); today it stays valid
    r = lb.cert_action(n, "reinstatement", effective_on=L.days(20))
    assert r.status_code == 200 and r.json()["status"] == "valid", r.content


def test_reinstatement_needs_a_suspension(client, lb):
    c = lb.certified("2019")
    assert_problem(lb.cert_action(c["number"], "reinstatement"), 409)


def test_suspend_reinstate_withdraw_and_history(client, lb):
    c = lb.certified("2019")
    n, party = c["number"], c["party"]
    admin_id = lb.admin_id()
    cert_id = party["acct"]["account"]["id"]
    r = lb.cert_action(n, "suspension", token=party["token"], reason="Tekortkoming")
    assert r.status_code == 200 and r.json()["status"] == "suspended", r.content
    assert_problem(lb.cert_action(n, "suspension"), 409)
    r = lb.cert_action(n, "reinstatement", reason="Hersteld")
    assert r.status_code == 200 and r.json()["status"] == "valid", r.content
    r = lb.cert_action(n, "withdrawal", token=party["token"], reason="Ingetrokken")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.content
    assert_problem(lb.cert_action(n, "reinstatement"), 409)
    assert_problem(lb.cert_action(n, "withdrawal"), 409)
    assert_problem(lb.cert_action(n, "suspension"), 409)
    h = client.get(f"{CERTS}/{n}/history", token=lb.admin)
    assert h.status_code == 200, h.content
    assert h.json()["nextCursor"] is None
    ev = h.json()["items"]
    assert [e["type"] for e in ev] == ["issued", "suspended", "reinstated", "withdrawn"]
    ids = [e["id"] for e in ev]
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids) and len(set(ids)) == 4
    assert [e["recordedBy"] for e in ev] == [admin_id, cert_id, admin_id, cert_id]
    assert [e["reason"] for e in ev[1:]] == ["Tekortkoming", "Hersteld", "Ingetrokken"]
    assert all(e["effectiveOn"] == L.today().isoformat() for e in ev)
    for e in ev:
        L.check_timestamp(e["recordedAt"])


def test_effective_on_must_lie_within_validity(client, lb):
    c = lb.certified("2019")
    n = c["number"]
    before = L.days(-1)
    after = L.next_day(c["cert"]["validUntil"])
    for action in ("suspension", "withdrawal"):
        for day in (before, after):
            assert_problem(lb.cert_action(n, action, effective_on=day), 400, slug="validation-error",
                           fields={"effectiveOn"})
    r = lb.cert_action(n, "suspension", effective_on=c["cert"]["validUntil"])
    assert r.status_code == 200, "the last day is inside the validity"
    assert [e["type"] for e in client.get(f"{CERTS}/{n}/history", token=lb.admin).json()["items"]] == \
        ["issued", "suspended"]


@pytest.mark.parametrize("payload,field", [
    ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "x" * 2001}, "reason"), ({"reason": 1}, "reason"),
    ({"reason": "x", "effectiveOn": "2024-02-30"}, "effectiveOn"), ({"reason": "x", "effectiveOn": 1}, "effectiveOn"),
    ({"reason": "x", "status": "suspended"}, "status"),
])
def test_bad_action_bodies(client, lb, payload, field):
    c = lb.certified("2019")
    r = client.post(f"{CERTS}/{c['number']}/suspension", token=lb.admin, json=payload)
    assert_problem(r, 400, slug="validation-error", fields={field})
    assert lb.get_cert(c["number"])["status"] == "valid"


def test_who_may_change_status(client, lb):
    c = lb.certified("2019")
    n = c["number"]
    _, org_tok = lb.org_account(c["org"]["id"])
    _, muni = lb.municipality()
    other = lb.body_with_certifier()
    for tok in (org_tok, muni):
        for action in ("suspension", "reinstatement", "withdrawal"):
            assert_problem(lb.cert_action(n, action, token=tok), 403)
    for action in ("suspension", "reinstatement", "withdrawal"):
        assert_problem(lb.cert_action(n, action, token=other["token"]), 404)
        assert_problem(client.post(f"{CERTS}/{n}/{action}", json={"reason": "x"}), 401)
    assert_problem(lb.cert_action(f"KSW-{L.today().year}-999999", "suspension"), 404)
    assert lb.get_cert(n)["status"] == "valid"


def test_future_withdrawal_keeps_it_public_today(client, lb):
    c = lb.certified("2019")
    r = lb.cert_action(c["number"], "withdrawal", effective_on=L.days(5))
    assert r.status_code == 200 and r.json()["status"] == "valid", r.content
    assert client.get(f"{CERTS}/{c['number']}").status_code == 200
    assert_problem(lb.cert_action(c["number"], "withdrawal", effective_on=L.days(6)), 409)


# ------------------------------------------------------------------ public view


def test_public_view_hides_withdrawn(client, lb):
    c = lb.certified("2019")
    n, kvk = c["number"], c["org"]["kvkNumber"]
    _, muni = lb.municipality("GM0599")
    assert numbers(client.get(CERTS, params={"kvkNumber": kvk})) == [n]
    lb.cert_action(n, "withdrawal", expect=200)
    assert_problem(client.get(f"{CERTS}/{n}"), 404)
    assert numbers(client.get(CERTS, params={"kvkNumber": kvk})) == []
    assert numbers(client.get(CERTS, params={"q": c["org"]["name"]})) == []
    for tok in (lb.admin, muni):
        g = client.get(f"{CERTS}/{n}", token=tok)
        assert g.status_code == 200 and g.json()["status"] == "withdrawn", g.content
        r = client.get(CERTS, token=tok, params={"kvkNumber": kvk})
        assert numbers(r) == [n] and r.json()["items"][0]["status"] == "withdrawn"
        r = client.get(CERTS, token=tok, params={"kvkNumber": kvk, "status": "withdrawn"})
        assert numbers(r) == [n]


def test_public_view_shows_suspended(client, lb):
    c = lb.certified("2019")
    lb.cert_action(c["number"], "suspension", expect=200)
    r = client.get(f"{CERTS}/{c['number']}")
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    assert numbers(client.get(CERTS, params={"kvkNumber": c["org"]["kvkNumber"], "status": "suspended"})) == [c["number"]]
    assert numbers(client.get(CERTS, params={"kvkNumber": c["org"]["kvkNumber"], "status": "valid"})) == []


def test_public_items_carry_public_fields_only(client, lb):
    c = lb.certified("2019")
    r = client.get(CERTS, params={"kvkNumber": c["org"]["kvkNumber"]})
    assert numbers(r) == [c["number"]]
    item = r.json()["items"][0]
    for hidden in ("auditId", "issuedAt", "previousCertificateNumber"):
        assert hidden not in item, item
    assert "id" not in item["organisation"] and "id" not in item["certifyingBody"], item
    assert item["organisation"]["kvkNumber"] == c["org"]["kvkNumber"]


def test_public_search_by_name_city_and_municipality(client, lb):
    t = L.tag()
    gm = L.random_gm()
    city = f"Dorp {t}"
    org = lb.create_org(name=f"Zorg Müller {t}", city=city, municipalityCodes=["GM0363", gm])
    c = lb.certified("2019", org=org)
    n = c["number"]
    assert numbers(client.get(CERTS, params={"q": "muller", "city": city})) == [n]
    assert numbers(client.get(CERTS, params={"q": f"MULLER {t}"})) == [n]
    assert numbers(client.get(CERTS, params={"q": f"müller {t}"})) == [n]
    assert numbers(client.get(CERTS, params={"q": "zorg mul", "city": city})) == [n]
    assert numbers(client.get(CERTS, params={"city": city})) == [n]
    assert numbers(client.get(CERTS, params={"municipalityCode": gm, "city": city})) == [n]
    assert numbers(client.get(CERTS, params={"municipalityCode": "GM0363", "city": city})) == [n]
    assert numbers(client.get(CERTS, params={"municipalityCode": "GM0001", "city": city})) == []
    items = all_numbers(client, municipalityCode=gm)
    assert n in [i["certificateNumber"] for i in items]
    assert all(gm in i["organisation"]["municipalityCodes"] for i in items)
    items = all_numbers(client, q="müller")
    assert n in [i["certificateNumber"] for i in items]
    assert all("ller" in i["organisation"]["name"].lower() for i in items)


@pytest.mark.parametrize("params,field", [({"status": "revoked"}, "status"), ({"limit": "0"}, "limit"),
                                          ({"limit": "101"}, "limit"), ({"cursor": "~~~"}, "cursor")])
def test_list_bad_query(client, lb, params, field):
    assert_problem(client.get(CERTS, params=params), 400, slug="validation-error", fields={field})
    assert_problem(client.get(CERTS, token=lb.admin, params=params), 400, slug="validation-error", fields={field})


def test_unknown_certificate(client, lb):
    missing = f"KSW-{L.today().year}-999998"
    assert_problem(client.get(f"{CERTS}/{missing}"), 404)
    assert_problem(client.get(f"{CERTS}/{missing}", token=lb.admin), 404)
    assert_problem(client.get(f"{CERTS}/{missing}/history", token=lb.admin), 404)


# ------------------------------------------------------------------ authorisation


def test_per_object_authorisation(client, lb):
    a = lb.certified("2019")
    b = lb.certified("2019")
    na, nb = a["number"], b["number"]
    _, tok_a = lb.org_account(a["org"]["id"])
    _, muni = lb.municipality()
    # organisation: only its own
    assert numbers(client.get(CERTS, token=tok_a)) == [na]
    assert client.get(f"{CERTS}/{na}", token=tok_a).status_code == 200
    assert_problem(client.get(f"{CERTS}/{nb}", token=tok_a), 404)
    assert_problem(client.get(f"{CERTS}/{nb}/history", token=tok_a), 404)
    assert client.get(f"{CERTS}/{na}/history", token=tok_a).status_code == 200
    # certifier: those its body issued
    mine = [i["certificateNumber"] for i in all_numbers(client, a["party"]["token"])]
    assert mine == [na]
    assert_problem(client.get(f"{CERTS}/{nb}", token=a["party"]["token"]), 404)
    assert_problem(client.get(f"{CERTS}/{nb}/history", token=a["party"]["token"]), 404)
    assert client.get(f"{CERTS}/{na}/history", token=a["party"]["token"]).status_code == 200
    # municipality and admin: all
    for tok in (muni, lb.admin):
        got = numbers(client.get(CERTS, token=tok, params={"kvkNumber": b["org"]["kvkNumber"]}))
        assert got == [nb]
        assert client.get(f"{CERTS}/{na}", token=tok).json()["auditId"] == a["audit"]["id"]
        assert client.get(f"{CERTS}/{nb}/history", token=tok).status_code == 200
    # municipality: certificates yes, audits no
    assert_problem(client.get(AUDITS, token=muni), 403)
    # nobody without a token reads history
    assert_problem(client.get(f"{CERTS}/{na}/history"), 401)


def test_organisation_sees_only_own_audits(client, lb):
    a = lb.certified("2019")
    b = lb.certified("2019", party=a["party"])
    _, tok_a = lb.org_account(a["org"]["id"])
    r = client.get(AUDITS, token=tok_a, params={"limit": "100"})
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["items"]] == [a["audit"]["id"]]
    assert_problem(client.get(f"{AUDITS}/{b['audit']['id']}", token=tok_a), 404)
    assert_problem(client.get(f"{AUDITS}/{b['audit']['id']}/outcome", token=tok_a), 404)


def test_certificate_with_token_has_full_shape(client, lb):
    c = lb.certified("2017")
    cert = c["cert"]
    assert cert["frameworkVersion"] == "2017"
    assert cert["organisation"]["id"] == c["org"]["id"]
    assert cert["certifyingBody"]["id"] == c["party"]["body"]["id"]
    assert H.UUID_RE.match(cert["auditId"])
    assert uuid.UUID(cert["auditId"]) == uuid.UUID(c["audit"]["id"])


def test_a_professional_token_is_refused_with_403(client, lb, kr):
    """A role that may not use the route at all gets a 403 (the document says so), not a 404."""
    number = lb.certified("2019")["number"]
    acct = kr.make_account("professional")
    token = kr.token_for(acct)
    assert_problem(client.get(f"{CERTS}/{number}", token=token), 403)
    assert client.get(f"{CERTS}/{number}").status_code == 200
