"""The whole quality-label flow, end to end, for both framework versions; and the intercollegial
path, which never leads to a certificate."""

import pytest

import label_helpers as L
from kr_helpers import assert_problem

AUDITS, CERTS, ORGS, BODIES = L.AUDITS, L.CERTS, L.ORGS, L.BODIES


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


@pytest.mark.parametrize("version", ["2017", "2019"])
def test_whole_flow(client, lb, version):
    admin = lb.admin
    today = L.today().isoformat()
    # organisation
    t = L.tag()
    r = client.post(ORGS, token=admin, json={"name": f"Welzijn Flow {t}", "kvkNumber": L.random_kvk(),
                                             "city": f"Flowstad {t}", "municipalityCodes": ["GM0344"],
                                             "employeesFte": 20.5, "volunteers": 10,
                                             "businessCriticalVolunteers": 2})
    assert r.status_code == 201, r.content
    org = r.json()
    _, org_tok = lb.org_account(org["id"])
    # certifying body + agreement + certifier account
    r = client.post(BODIES, token=admin, json={"name": f"Flow Certificering {t}"})
    assert r.status_code == 201, r.content
    body = r.json()
    r = client.post(f"{BODIES}/{body['id']}/framework-agreements", token=admin,
                    json={"validFrom": "2017-01-01", "validUntil": None})
    assert r.status_code == 201, r.content
    cert_acct, cert_tok = lb.certifier(body["id"])
    # the organisation plans the audit
    planned = "2019-03-01" if version == "2017" else L.days(-10)
    audited = "2019-03-08" if version == "2017" else L.days(-2)
    scope = L.whole_scope(employees=21, volunteers=0 if version == "2017" else 2)
    r = client.post(AUDITS, token=org_tok, json={
        "organisationId": org["id"], "certifyingBodyId": body["id"], "kind": "external", "type": "initial",
        "frameworkVersion": version, "plannedOn": planned, "scope": scope})
    assert r.status_code == 201, r.content
    audit = r.json()
    assert audit["status"] == "planned"
    aid = audit["id"]
    # the norm codes, from the framework itself
    r = client.get(f"{L.FRAMEWORKS}/{version}")
    assert r.status_code == 200
    codes = [n["code"] for c in r.json()["categories"] for n in c["norms"]]
    assert len(codes) == L.SEEDED[version]["normCount"]
    # self-evaluation: draft, submitted, then final
    se_path = f"{AUDITS}/{aid}/self-evaluation"
    r = client.put(se_path, token=org_tok, json={"status": "draft",
                                                  "scores": [{"normCode": codes[0], "score": "met", "note": "ok"}]})
    assert r.status_code == 200 and r.json()["status"] == "draft", r.content
    all_met = [{"normCode": c, "score": "met"} for c in codes]
    r = client.put(se_path, token=org_tok, json={"status": "submitted", "scores": all_met})
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.content
    assert_problem(client.put(se_path, token=org_tok, json={"status": "submitted", "scores": all_met}), 409)
    # the certifier sees the audit and the self-evaluation, and submits the outcome
    assert client.get(f"{AUDITS}/{aid}", token=cert_tok).status_code == 200
    assert client.get(se_path, token=cert_tok).json()["status"] == "submitted"
    pm = 2
    scores = [{"normCode": c, "score": "partially_met" if i < pm else "not_met" if i == pm else "met",
               "finding": f"bevinding {c}"} for i, c in enumerate(codes)]
    outcome_in = {"auditedOn": audited, "auditors": ["C. Bakker"], "advice": "positive",
                  "reportReference": f"RAP-{t}", "scores": scores}
    r = client.put(f"{AUDITS}/{aid}/outcome", token=cert_tok, json=outcome_in)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["auditId"] == aid and out["auditedOn"] == audited and out["auditors"] == ["C. Bakker"]
    assert out["advice"] == "positive" and out["reportReference"] == f"RAP-{t}"
    assert out.get("learningReport") is None
    assert out["counts"] == {"met": len(codes) - 3, "partiallyMet": 2, "notMet": 1}
    assert out["meetsThreshold"] is True
    assert {s["normCode"]: (s["score"], s["finding"]) for s in out["scores"]} == \
        {s["normCode"]: (s["score"], s["finding"]) for s in scores}
    L.check_timestamp(out["submittedAt"])
    L.check_timestamp(out["updatedAt"])
    assert client.get(f"{AUDITS}/{aid}", token=org_tok).json()["status"] == "outcome_submitted"
    for reader in (admin, org_tok, cert_tok):
        g = client.get(f"{AUDITS}/{aid}/outcome", token=reader)
        assert g.status_code == 200 and g.json() == out
    # the decision issues the certificate
    r = client.post(f"{AUDITS}/{aid}/decision", token=admin, json={"granted": True, "note": "Voldoet aan het kader"})
    assert r.status_code == 201, r.content
    dec = r.json()
    assert dec["auditId"] == aid and dec["granted"] is True and dec["note"] == "Voldoet aan het kader"
    assert dec["decidedOn"] == today
    L.check_timestamp(dec["decidedAt"])
    m = L.CERT_RE.match(dec["certificateNumber"] or "")
    assert m, dec
    assert int(m.group(1)) == L.today().year
    number = dec["certificateNumber"]
    assert client.get(f"{AUDITS}/{aid}", token=admin).json()["status"] == "granted"
    # the certificate
    r = client.get(f"{CERTS}/{number}", token=admin)
    assert r.status_code == 200, r.content
    cert = r.json()
    assert cert["certificateNumber"] == number and cert["status"] == "valid"
    assert cert["validFrom"] == today and cert["validUntil"] == L.valid_until(today, 24)
    assert cert["frameworkVersion"] == version and cert["auditId"] == aid
    assert cert["previousCertificateNumber"] is None
    assert cert["organisation"] == {"id": org["id"], "name": org["name"], "kvkNumber": org["kvkNumber"],
                                    "city": org["city"], "municipalityCodes": ["GM0344"]}
    assert cert["certifyingBody"] == {"id": body["id"], "name": body["name"]}
    L.check_timestamp(cert["issuedAt"])
    for reader in (org_tok, cert_tok):
        g = client.get(f"{CERTS}/{number}", token=reader)
        assert g.status_code == 200 and g.json() == cert
    # public view
    r = client.get(f"{CERTS}/{number}")
    assert r.status_code == 200, r.content
    pub = r.json()
    assert pub["certificateNumber"] == number and pub["status"] == "valid" and pub["frameworkVersion"] == version
    assert pub["validFrom"] == today and pub["validUntil"] == cert["validUntil"]
    assert pub["organisation"] == {"name": org["name"], "kvkNumber": org["kvkNumber"], "city": org["city"],
                                   "municipalityCodes": ["GM0344"]}
    assert pub["certifyingBody"] == {"name": body["name"]}
    assert "auditId" not in pub and "issuedAt" not in pub
    # history: one issued event
    h = client.get(f"{CERTS}/{number}/history", token=admin)
    assert h.status_code == 200, h.content
    assert [e["type"] for e in h.json()["items"]] == ["issued"]
    assert h.json()["items"][0]["effectiveOn"] == today
    # after the decision: no more outcome, no second decision, no self-evaluation
    assert_problem(client.put(f"{AUDITS}/{aid}/outcome", token=cert_tok, json=outcome_in), 409)
    assert_problem(client.post(f"{AUDITS}/{aid}/decision", token=admin, json={"granted": True, "note": "nogmaals"}), 409)
    assert_problem(client.post(f"{AUDITS}/{aid}/decision", token=admin, json={"granted": False, "note": "toch niet"}), 409)
    # the organisation's certificate list has it
    r = client.get(CERTS, token=org_tok)
    assert r.status_code == 200
    assert [c["certificateNumber"] for c in r.json()["items"]] == [number]


def test_intercollegial_path(client, lb):
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    r = client.post(AUDITS, token=org_tok, json=lb.audit_body(org["id"], "2019", None, kind="intercollegial"))
    assert r.status_code == 201, r.content
    audit = r.json()
    assert audit["certifyingBodyId"] is None
    # the organisation submits on the peers' behalf, with a learning report; all met, positive
    body = lb.outcome_body("2019", learningReport="Wat wij van elkaar leerden")
    r = lb.put_outcome(audit["id"], body, org_tok)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["learningReport"] == "Wat wij van elkaar leerden" and out["meetsThreshold"] is True
    assert out["counts"] == {"met": 49, "partiallyMet": 0, "notMet": 0}
    # the admin may correct it too, until the decision
    body["advice"] = "positive"
    body["learningReport"] = "Herzien leerverslag"
    r = lb.put_outcome(audit["id"], body, lb.admin)
    assert r.status_code == 200 and r.json()["learningReport"] == "Herzien leerverslag", r.content
    # a certifier has nothing to do with it
    party = lb.body_with_certifier()
    assert_problem(client.get(f"{AUDITS}/{audit['id']}", token=party["token"]), 404)
    assert_problem(lb.put_outcome(audit["id"], body, party["token"]), 404)
    # a grant is refused, a refusal is fine
    r = lb.decide(audit["id"], True)
    assert_problem(r, 409)
    assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "outcome_submitted"
    r = lb.decide(audit["id"], False, note="Intercollegiale toets afgerond")
    assert r.status_code == 201, r.content
    assert r.json()["granted"] is False and r.json()["certificateNumber"] is None
    assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "refused"
    # never a certificate
    for tok in (lb.admin, org_tok):
        r = client.get(CERTS, token=tok, params={"kvkNumber": org["kvkNumber"]})
        assert r.status_code == 200 and r.json()["items"] == []
    assert_problem(lb.put_outcome(audit["id"], body, org_tok), 409)


def test_intercollegial_another_organisation_cannot_submit(client, lb):
    org, other = lb.create_org(), lb.create_org()
    _, other_tok = lb.org_account(other["id"])
    audit = lb.create_audit(org["id"], "2019", kind="intercollegial")
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019", learningReport="x"), other_tok), 404)
    assert_problem(client.get(f"{AUDITS}/{audit['id']}/outcome", token=lb.admin), 404)


def test_combined_audit_can_lead_to_a_certificate(client, lb):
    org = lb.create_org()
    party = lb.body_with_certifier()
    audit = lb.create_audit(org["id"], "2019", party["body"]["id"], kind="combined")
    lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], expect=200)
    dec = lb.decide(audit["id"], True, expect=201).json()
    assert L.CERT_RE.match(dec["certificateNumber"] or ""), dec
    assert lb.get_cert(dec["certificateNumber"])["auditId"] == audit["id"]
