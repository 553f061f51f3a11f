"""PUT /v1/audits/{id}/outcome and POST /v1/audits/{id}/decision: norm codes, thresholds at their
edges, framework agreements, Idempotency-Key, who may submit, what a decision needs."""

import time
import uuid

import pytest

import label_helpers as L
from kr_helpers import assert_problem

AUDITS = L.AUDITS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def external_audit(lb, version="2019", party=None, org=None, planned_on=None):
    org = org or lb.create_org()
    party = party or lb.body_with_certifier()
    audit = lb.create_audit(org["id"], version, party["body"]["id"], planned_on=planned_on)
    return org, party, audit


# ------------------------------------------------------------------ thresholds


@pytest.mark.parametrize("version,partially,not_met,passes", [
    ("2019", 8, 3, True),
    ("2019", 9, 0, False),
    ("2019", 0, 4, False),
    ("2019", 9, 3, False),
    ("2019", 8, 4, False),
    ("2019", 0, 0, True),
    ("2017", 10, 5, True),
    ("2017", 11, 0, False),
    ("2017", 0, 6, False),
    ("2017", 11, 5, False),
])
def test_threshold_edges(client, lb, version, partially, not_met, passes):
    org, party, audit = external_audit(lb, version)
    r = lb.put_outcome(audit["id"], lb.outcome_body(version, partially=partially, not_met=not_met), party["token"])
    assert r.status_code == 200, r.content
    out = r.json()
    total = L.SEEDED[version]["normCount"]
    assert out["counts"] == {"met": total - partially - not_met, "partiallyMet": partially, "notMet": not_met}
    assert out["meetsThreshold"] is passes
    r = lb.decide(audit["id"], True)
    if passes:
        assert r.status_code == 201, r.content
        assert L.CERT_RE.match(r.json()["certificateNumber"] or "")
        assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "granted"
    else:
        assert_problem(r, 409)
        assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "outcome_submitted"
        r = client.get(L.CERTS, token=lb.admin, params={"kvkNumber": org["kvkNumber"]})
        assert r.status_code == 200 and r.json()["items"] == [], "a refused grant issued a certificate"
        # a refusal is still possible
        r = lb.decide(audit["id"], False, note="Drempel niet gehaald")
        assert r.status_code == 201, r.content
        assert r.json()["granted"] is False and r.json()["certificateNumber"] is None
        assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "refused"


def test_negative_advice_blocks_a_grant(client, lb):
    _, party, audit = external_audit(lb)
    out = lb.put_outcome(audit["id"], lb.outcome_body("2019", advice="negative"), party["token"], expect=200).json()
    assert out["meetsThreshold"] is True and out["advice"] == "negative"
    assert_problem(lb.decide(audit["id"], True), 409)
    assert lb.decide(audit["id"], False).status_code == 201


def test_correction_recomputes_counts(client, lb):
    _, party, audit = external_audit(lb)
    first = lb.put_outcome(audit["id"], lb.outcome_body("2019", partially=9), party["token"], expect=200).json()
    assert first["meetsThreshold"] is False
    second = lb.put_outcome(audit["id"], lb.outcome_body("2019", partially=8), party["token"], expect=200).json()
    assert second["meetsThreshold"] is True and second["counts"]["partiallyMet"] == 8
    assert L.check_timestamp(second["updatedAt"]) >= L.check_timestamp(first["updatedAt"])
    g = client.get(f"{AUDITS}/{audit['id']}/outcome", token=lb.admin)
    assert g.status_code == 200 and g.json()["counts"]["partiallyMet"] == 8
    assert lb.decide(audit["id"], True).status_code == 201


# ------------------------------------------------------------------ norm codes


def test_missing_duplicate_and_foreign_codes_each_named(client, lb):
    _, party, audit = external_audit(lb)
    body = lb.outcome_body("2019")
    body["scores"] = [s for s in body["scores"] if s["normCode"] not in ("V03", "D05")]  # 47 left
    body["scores"].append({"normCode": "V01", "score": "met", "finding": "dubbel"})         # [47]
    body["scores"].append({"normCode": "O20", "score": "met", "finding": "2017-norm"})      # [48]
    body["scores"].append({"normCode": "Z99", "score": "met", "finding": "onbekend"})       # [49]
    r = lb.put_outcome(audit["id"], body, party["token"])
    prob = assert_problem(r, 400, slug="validation-error",
                          fields={"scores", "scores[47].normCode", "scores[48].normCode", "scores[49].normCode"})
    missing = L.messages_for(prob, "scores")
    assert any("V03" in m for m in missing) and any("D05" in m for m in missing), prob
    assert_problem(client.get(f"{AUDITS}/{audit['id']}/outcome", token=lb.admin), 404)
    assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "planned"


@pytest.mark.parametrize("version,foreign", [("2019", "D15"), ("2019", "O20"), ("2017", "D17"), ("2017", "v01")])
def test_foreign_code_replacing_a_norm(client, lb, version, foreign):
    _, party, audit = external_audit(lb, version)
    body = lb.outcome_body(version)
    victim = body["scores"][5]["normCode"]
    body["scores"][5]["normCode"] = foreign
    prob = assert_problem(lb.put_outcome(audit["id"], body, party["token"]), 400, slug="validation-error",
                          fields={"scores", "scores[5].normCode"})
    assert any(victim in m for m in L.messages_for(prob, "scores")), prob


def test_empty_scores_names_every_missing_norm(client, lb):
    _, party, audit = external_audit(lb)
    body = lb.outcome_body("2019")
    body["scores"] = []
    prob = assert_problem(lb.put_outcome(audit["id"], body, party["token"]), 400, slug="validation-error",
                          fields={"scores"})
    text = " ".join(L.messages_for(prob, "scores"))
    assert all(code in text for code in lb.norm_codes("2019")), prob


@pytest.mark.parametrize("mutate,field", [
    (lambda b: b.update(advice="neutral"), "advice"),
    (lambda b: b.update(advice=None), "advice"),
    (lambda b: b.update(auditors=[]), "auditors"),
    (lambda b: b.update(auditors=[f"A{i}" for i in range(11)]), "auditors"),
    (lambda b: b.update(auditors=["A. de Vries", ""]), "auditors[1]"),
    (lambda b: b.update(auditors="A. de Vries"), "auditors"),
    (lambda b: b.update(reportReference=""), "reportReference"),
    (lambda b: b.update(reportReference="x" * 201), "reportReference"),
    (lambda b: b.update(auditedOn="2024-13-01"), "auditedOn"),
    (lambda b: b.update(auditedOn=None), "auditedOn"),
    (lambda b: b.pop("scores"), "scores"),
    (lambda b: b["scores"][0].update(score="good"), "scores[0].score"),
    (lambda b: b["scores"][1].update(finding=5), "scores[1].finding"),
    (lambda b: b["scores"][2].update(note="x"), "scores[2].note"),
    (lambda b: b.update(meetsThreshold=True), "meetsThreshold"),
    (lambda b: b.update(counts={"met": 49, "partiallyMet": 0, "notMet": 0}), "counts"),
    (lambda b: b.update(submittedAt="2024-01-01T00:00:00Z"), "submittedAt"),
    (lambda b: b.update(extra=1), "extra"),
    (lambda b: b.update(learningReport="alleen intercollegiaal"), "learningReport"),
])
def test_bad_outcome_bodies(client, lb, mutate, field):
    _, party, audit = external_audit(lb)
    body = lb.outcome_body("2019")
    mutate(body)
    prob = assert_problem(lb.put_outcome(audit["id"], body, party["token"]), 400, slug="validation-error",
                          fields=None if field.startswith("auditors[") else {field})
    if field.startswith("auditors["):  # an item of an array: its own name (auditors[1]) or the array's (auditors)
        names = [e.get("field") for e in prob.get("errors") or []]
        assert field in names or field.split("[")[0] in names, prob
    assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "planned"


def test_audited_on_not_in_the_future(client, lb):
    _, party, audit = external_audit(lb)
    prob = assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(1)), party["token"]),
                          400, slug="validation-error", fields={"auditedOn"}, exact_fields=True)
    assert prob
    r = lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(0)), party["token"])
    assert r.status_code == 200 and r.json()["auditedOn"] == L.days(0), r.content


def test_outcome_body_must_be_json(client, lb):
    _, party, audit = external_audit(lb)
    r = client.put(f"{AUDITS}/{audit['id']}/outcome", token=party["token"], data=b"{not json",
                   headers={"Content-Type": "application/json"})
    assert_problem(r, 400, slug="malformed-json")
    r = client.put(f"{AUDITS}/{audit['id']}/outcome", token=party["token"], data=b"{}",
                   headers={"Content-Type": "text/plain"})
    assert_problem(r, 415)


# ------------------------------------------------------------------ framework agreement


def test_expired_agreement(client, lb):
    party = lb.body_with_certifier(valid_from="2019-01-01", valid_until=L.days(-30))
    _, _, audit = external_audit(lb, party=party, planned_on=L.days(-60))
    prob = assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(-5)), party["token"]),
                          400, slug="validation-error", fields={"auditedOn"}, exact_fields=True)
    assert L.messages_for(prob, "auditedOn")[0].strip()
    # within the old agreement it is fine (the agreement covers the audit date, not today)
    r = lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(-31)), party["token"])
    assert r.status_code == 200, r.content
    # a new agreement covering the date makes the later date fine as well
    lb.add_agreement(party["body"]["id"], L.days(-29), None)
    r = lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(-5)), party["token"])
    assert r.status_code == 200 and r.json()["auditedOn"] == L.days(-5), r.content


def test_agreement_last_day_is_inclusive(client, lb):
    party = lb.body_with_certifier(valid_from="2019-01-01", valid_until=L.days(-5))
    _, _, audit = external_audit(lb, party=party, planned_on=L.days(-60))
    r = lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(-5)), party["token"])
    assert r.status_code == 200, r.content
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(-4)), party["token"]),
                   400, slug="validation-error", fields={"auditedOn"})


def test_agreement_not_yet_started(client, lb):
    party = lb.body_with_certifier(valid_from=L.days(-3), valid_until=None)
    _, _, audit = external_audit(lb, party=party, planned_on=L.days(-60))
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019", audited_on=L.days(-4)), party["token"]),
                   400, slug="validation-error", fields={"auditedOn"})


def test_body_without_agreement(client, lb):
    party = lb.body_with_certifier(agreement=False)
    _, _, audit = external_audit(lb, party=party)
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"]),
                   400, slug="validation-error", fields={"auditedOn"})


# ------------------------------------------------------------------ who


def test_another_bodys_certifier_gets_404(client, lb):
    _, party, audit = external_audit(lb)
    other = lb.body_with_certifier()
    aid = audit["id"]
    assert_problem(client.get(f"{AUDITS}/{aid}", token=other["token"]), 404)
    assert_problem(lb.put_outcome(aid, lb.outcome_body("2019"), other["token"]), 404)
    assert_problem(client.get(f"{AUDITS}/{aid}/outcome", token=other["token"]), 404)
    lb.put_outcome(aid, lb.outcome_body("2019"), party["token"], expect=200)
    assert_problem(client.get(f"{AUDITS}/{aid}/outcome", token=other["token"]), 404)
    assert_problem(lb.put_outcome(aid, lb.outcome_body("2019"), other["token"]), 404)
    assert client.get(f"{AUDITS}/{aid}/outcome", token=party["token"]).status_code == 200


def test_second_certifier_of_the_same_body_may_submit(client, lb):
    _, party, audit = external_audit(lb)
    _, tok2 = lb.certifier(party["body"]["id"])
    assert lb.put_outcome(audit["id"], lb.outcome_body("2019"), tok2).status_code == 200


def test_another_organisation_gets_404(client, lb):
    _, party, audit = external_audit(lb)
    lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], expect=200)
    other = lb.create_org()
    _, other_tok = lb.org_account(other["id"])
    for path in (f"{AUDITS}/{audit['id']}", f"{AUDITS}/{audit['id']}/outcome",
                 f"{AUDITS}/{audit['id']}/self-evaluation"):
        assert_problem(client.get(path, token=other_tok), 404)


def test_organisation_reads_own_outcome(client, lb):
    org, party, audit = external_audit(lb)
    _, tok = lb.org_account(org["id"])
    assert_problem(client.get(f"{AUDITS}/{audit['id']}/outcome", token=tok), 404)  # none yet
    lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], expect=200)
    g = client.get(f"{AUDITS}/{audit['id']}/outcome", token=tok)
    assert g.status_code == 200 and g.json()["auditId"] == audit["id"]


def test_municipality_may_not_submit_or_read(client, lb):
    _, party, audit = external_audit(lb)
    _, muni = lb.municipality()
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019"), muni), 403)
    assert_problem(client.get(f"{AUDITS}/{audit['id']}/outcome", token=muni), 403)
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019"), None), 401)


def test_unknown_audit(client, lb):
    party = lb.body_with_certifier()
    assert_problem(lb.put_outcome(str(uuid.uuid4()), lb.outcome_body("2019"), party["token"]), 404)
    assert_problem(lb.decide(str(uuid.uuid4()), False), 404)


# ------------------------------------------------------------------ Idempotency-Key


def test_idempotency_key_replay_mismatch_and_new_key(client, lb):
    _, party, audit = external_audit(lb)
    aid, tok = audit["id"], party["token"]
    key1 = f"k-{uuid.uuid4()}"
    body1 = lb.outcome_body("2019", partially=1)
    r1 = lb.put_outcome(aid, body1, tok, key=key1)
    assert r1.status_code == 200, r1.content
    time.sleep(1.1)
    r2 = lb.put_outcome(aid, body1, tok, key=key1)
    assert r2.status_code == r1.status_code and r2.json() == r1.json(), "a replay must answer the first response"
    # same key, another body
    body2 = dict(body1, advice="negative")
    assert_problem(lb.put_outcome(aid, body2, tok, key=key1), 422, slug="unprocessable")
    assert client.get(f"{AUDITS}/{aid}/outcome", token=lb.admin).json()["advice"] == "positive"
    # a different key is processed anew
    r3 = lb.put_outcome(aid, body2, tok, key=f"k-{uuid.uuid4()}")
    assert r3.status_code == 200, r3.content
    assert r3.json()["advice"] == "negative"
    assert L.check_timestamp(r3.json()["updatedAt"]) > L.check_timestamp(r1.json()["updatedAt"])
    assert client.get(f"{AUDITS}/{aid}/outcome", token=lb.admin).json()["advice"] == "negative"
    # the first key still replays its first response, not the current state
    r4 = lb.put_outcome(aid, body1, tok, key=key1)
    assert r4.status_code == 200 and r4.json() == r1.json()
    assert client.get(f"{AUDITS}/{aid}/outcome", token=lb.admin).json()["advice"] == "negative", \
        "a replay must not write"


def test_idempotency_key_is_scoped_to_the_account(client, lb):
    _, party, audit = external_audit(lb)
    _, tok2 = lb.certifier(party["body"]["id"])
    key = f"k-{uuid.uuid4()}"
    r1 = lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], key=key)
    assert r1.status_code == 200, r1.content
    r2 = lb.put_outcome(audit["id"], lb.outcome_body("2019", advice="negative"), tok2, key=key)
    assert r2.status_code == 200, r2.content
    assert r2.json()["advice"] == "negative"


def test_idempotent_replay_after_the_decision(client, lb):
    _, party, audit = external_audit(lb)
    key = f"k-{uuid.uuid4()}"
    body = lb.outcome_body("2019")
    r1 = lb.put_outcome(audit["id"], body, party["token"], key=key)
    assert r1.status_code == 200
    lb.decide(audit["id"], True, expect=201)
    r2 = lb.put_outcome(audit["id"], body, party["token"], key=key)
    assert r2.status_code == 200 and r2.json() == r1.json(), "a retry of a delivered outcome replays it"
    assert_problem(lb.put_outcome(audit["id"], body, party["token"], key=f"k-{uuid.uuid4()}"), 409)
    assert_problem(lb.put_outcome(audit["id"], body, party["token"]), 409)


# ------------------------------------------------------------------ decision


def test_decision_needs_an_outcome(client, lb):
    _, _, audit = external_audit(lb)
    assert_problem(lb.decide(audit["id"], True), 409)
    assert_problem(lb.decide(audit["id"], False), 409)


def test_decision_only_by_admin(client, lb):
    org, party, audit = external_audit(lb)
    lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], expect=200)
    _, org_tok = lb.org_account(org["id"])
    _, muni = lb.municipality()
    for tok in (party["token"], org_tok, muni):
        assert_problem(lb.decide(audit["id"], True, token=tok), 403)
    assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "outcome_submitted"


@pytest.mark.parametrize("payload,field", [
    ({"granted": "yes", "note": "x"}, "granted"), ({"note": "x"}, "granted"), ({"granted": True}, "note"),
    ({"granted": True, "note": ""}, "note"), ({"granted": True, "note": "x" * 2001}, "note"),
    ({"granted": True, "note": "x", "decidedOn": "2020-01-01"}, "decidedOn"),
])
def test_decision_bad_bodies(client, lb, payload, field):
    _, party, audit = external_audit(lb)
    lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], expect=200)
    r = client.post(f"{AUDITS}/{audit['id']}/decision", token=lb.admin, json=payload)
    assert_problem(r, 400, slug="validation-error", fields={field})
    assert client.get(f"{AUDITS}/{audit['id']}", token=lb.admin).json()["status"] == "outcome_submitted"


def test_outcome_after_refusal_is_409(client, lb):
    _, party, audit = external_audit(lb)
    lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"], expect=200)
    assert lb.decide(audit["id"], False).status_code == 201
    assert_problem(lb.put_outcome(audit["id"], lb.outcome_body("2019"), party["token"]), 409)
    assert_problem(lb.decide(audit["id"], True), 409)
