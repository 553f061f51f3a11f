"""/v1/audits: planning (framework windows, the 'wie al was begonnen' rule), visibility per role,
cancellation, and the organisation's self-evaluation."""

import uuid

import pytest

import kr_helpers as H
import label_helpers as L
from kr_helpers import assert_problem

AUDITS = L.AUDITS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


# ------------------------------------------------------------------ create


def test_create_by_admin_and_read(client, lb):
    org = lb.create_org()
    party = lb.body_with_certifier()
    payload = lb.audit_body(org["id"], "2019", party["body"]["id"], planned_on=L.days(-3),
                            scope={"wholeOrganisation": False, "parts": ["Jongerenwerk", "Buurtteam"],
                                   "employees": 12, "businessCriticalVolunteers": 4})
    r = client.post(AUDITS, token=lb.admin, json=payload)
    assert r.status_code == 201, r.content
    audit = r.json()
    assert H.UUID_RE.match(audit["id"])
    assert L.location_path(r) == f"{AUDITS}/{audit['id']}"
    for k in ("organisationId", "certifyingBodyId", "kind", "type", "frameworkVersion", "plannedOn", "scope"):
        assert audit[k] == payload[k], (k, audit)
    assert audit["status"] == "planned"
    L.check_timestamp(audit["createdAt"])
    for tok in (lb.admin, party["token"]):
        g = client.get(f"{AUDITS}/{audit['id']}", token=tok)
        assert g.status_code == 200 and g.json() == audit


def test_create_by_organisation_for_itself_only(client, lb):
    mine, other = lb.create_org(), lb.create_org()
    _, tok = lb.org_account(mine["id"])
    party = lb.body_with_certifier()
    r = client.post(AUDITS, token=tok, json=lb.audit_body(mine["id"], "2019", party["body"]["id"]))
    assert r.status_code == 201, r.content
    assert r.json()["organisationId"] == mine["id"]
    r = client.post(AUDITS, token=tok, json=lb.audit_body(other["id"], "2019", party["body"]["id"]))
    assert_problem(r, 403)


def test_create_forbidden_for_certifier_and_municipality(client, lb):
    org = lb.create_org()
    party = lb.body_with_certifier()
    _, muni = lb.municipality()
    for tok in (party["token"], muni):
        assert_problem(client.post(AUDITS, token=tok, json=lb.audit_body(org["id"], "2019", party["body"]["id"])), 403)
    assert_problem(client.post(AUDITS, json=lb.audit_body(org["id"], "2019", party["body"]["id"])), 401)


def test_intercollegial_without_body_and_combined_with_body(client, lb):
    org = lb.create_org()
    a = lb.create_audit(org["id"], "2019", kind="intercollegial")
    assert a["kind"] == "intercollegial" and a["certifyingBodyId"] is None
    party = lb.body_with_certifier()
    c = lb.create_audit(org["id"], "2019", party["body"]["id"], kind="combined", type_="recertification")
    assert c["kind"] == "combined" and c["type"] == "recertification"


def test_certifying_body_rules(client, lb):
    org = lb.create_org()
    body = lb.create_body()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2019", body["id"], kind="intercollegial"))
    assert_problem(r, 400, slug="validation-error", fields={"certifyingBodyId"}, exact_fields=True)
    for kind in ("external", "combined"):
        r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2019", None, kind=kind))
        assert_problem(r, 400, slug="validation-error", fields={"certifyingBodyId"}, exact_fields=True)
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2019", str(uuid.uuid4())))
    assert_problem(r, 400, slug="validation-error", fields={"certifyingBodyId"}, exact_fields=True)


def test_unknown_organisation_and_framework(client, lb):
    body = lb.create_body()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(str(uuid.uuid4()), "2019", body["id"]))
    assert_problem(r, 400, slug="validation-error", fields={"organisationId"}, exact_fields=True)
    org = lb.create_org()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2031", body["id"]))
    assert_problem(r, 400, slug="validation-error", fields={"frameworkVersion"}, exact_fields=True)


@pytest.mark.parametrize("member,value", [
    ("kind", "internal"), ("kind", None), ("type", "renewal"), ("type", 1), ("plannedOn", "2024-02-30"),
    ("plannedOn", 20240201), ("organisationId", "not-a-uuid"), ("frameworkVersion", 2019),
    ("scope", "whole"), ("status", "granted"), ("id", "00000000-0000-4000-8000-000000000000"),
    ("colour", "red"),
])
def test_bad_member_values(client, lb, member, value):
    org = lb.create_org()
    body = lb.create_body()
    payload = lb.audit_body(org["id"], "2019", body["id"])
    payload[member] = value
    assert_problem(client.post(AUDITS, token=lb.admin, json=payload), 400, slug="validation-error",
                   fields={member})


@pytest.mark.parametrize("scope,field", [
    ({"wholeOrganisation": False, "parts": [], "employees": 1, "businessCriticalVolunteers": 0}, "scope.parts"),
    ({"wholeOrganisation": True, "parts": ["Team A"], "employees": 1, "businessCriticalVolunteers": 0}, "scope.parts"),
    ({"wholeOrganisation": True, "parts": [], "employees": -1, "businessCriticalVolunteers": 0}, "scope.employees"),
    ({"wholeOrganisation": True, "parts": [], "employees": 1, "businessCriticalVolunteers": -2},
     "scope.businessCriticalVolunteers"),
    ({"wholeOrganisation": "yes", "parts": [], "employees": 1, "businessCriticalVolunteers": 0},
     "scope.wholeOrganisation"),
    ({"wholeOrganisation": True, "parts": [], "employees": 1, "businessCriticalVolunteers": 0, "x": 1}, "scope.x"),
])
def test_bad_scope(client, lb, scope, field):
    org = lb.create_org()
    body = lb.create_body()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2019", body["id"], scope=scope))
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_volunteers_only_in_scope_from_2019(client, lb):
    org = lb.create_org()
    body = lb.create_body()
    scope = L.whole_scope(employees=5, volunteers=3)
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2017", body["id"], scope=scope))
    assert_problem(r, 400, slug="validation-error", fields={"scope.businessCriticalVolunteers"})
    a = lb.create_audit(org["id"], "2019", body["id"], scope=scope)
    assert a["scope"]["businessCriticalVolunteers"] == 3


# ------------------------------------------------------------------ framework windows


def test_2017_closed_from_2020(client, lb):
    org = lb.create_org()
    body = lb.create_body()
    lb.create_audit(org["id"], "2017", body["id"], planned_on="2019-03-01")  # even a starter ...
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2017", body["id"], planned_on="2020-01-15"))
    body_ = assert_problem(r, 400, slug="validation-error", fields={"frameworkVersion"}, exact_fields=True)
    assert L.messages_for(body_, "frameworkVersion")[0].strip()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2017", body["id"], planned_on="2020-01-01"))
    assert_problem(r, 400, slug="validation-error", fields={"frameworkVersion"})


def test_2017_last_open_day_for_a_starter(client, lb):
    org = lb.create_org()
    body = lb.create_body()
    lb.create_audit(org["id"], "2017", body["id"], planned_on="2019-04-30")
    a = lb.create_audit(org["id"], "2017", body["id"], planned_on="2019-12-31")
    assert a["plannedOn"] == "2019-12-31"


def test_2017_restricted_for_newcomers(client, lb):
    newcomer = lb.create_org()
    body = lb.create_body()
    r = client.post(AUDITS, token=lb.admin,
                    json=lb.audit_body(newcomer["id"], "2017", body["id"], planned_on="2019-06-01"))
    assert_problem(r, 400, slug="validation-error", fields={"frameworkVersion"}, exact_fields=True)
    # the same date on 2019 is fine
    lb.create_audit(newcomer["id"], "2019", body["id"], planned_on="2019-06-01")


def test_2017_allowed_for_organisation_that_had_begun(client, lb):
    starter = lb.create_org()
    body = lb.create_body()
    lb.create_audit(starter["id"], "2017", body["id"], planned_on="2019-03-01")
    a = lb.create_audit(starter["id"], "2017", body["id"], planned_on="2019-06-01")
    assert a["frameworkVersion"] == "2017" and a["plannedOn"] == "2019-06-01"


def test_2017_audit_on_restriction_day_does_not_count_as_begun(client, lb):
    org = lb.create_org()
    body = lb.create_body()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], "2017", body["id"], planned_on="2019-05-01"))
    assert_problem(r, 400, slug="validation-error", fields={"frameworkVersion"})


@pytest.mark.parametrize("version,planned", [("2017", "2016-12-31"), ("2019", "2019-04-30")])
def test_before_open_from(client, lb, version, planned):
    org = lb.create_org()
    body = lb.create_body()
    r = client.post(AUDITS, token=lb.admin, json=lb.audit_body(org["id"], version, body["id"], planned_on=planned))
    assert_problem(r, 400, slug="validation-error", fields={"frameworkVersion"}, exact_fields=True)


def test_2019_first_open_day(client, lb):
    org = lb.create_org()
    body = lb.create_body()
    assert lb.create_audit(org["id"], "2019", body["id"], planned_on="2019-05-01")["plannedOn"] == "2019-05-01"


# ------------------------------------------------------------------ visibility


def test_visibility_per_role(client, lb):
    org_a, org_b = lb.create_org(), lb.create_org()
    p1, p2 = lb.body_with_certifier(), lb.body_with_certifier()
    a1 = lb.create_audit(org_a["id"], "2019", p1["body"]["id"])
    b2 = lb.create_audit(org_b["id"], "2019", p2["body"]["id"])
    _, tok_a = lb.org_account(org_a["id"])

    def ids(tok, **params):
        r = client.get(AUDITS, token=tok, params=dict({"limit": "100"}, **params))
        assert r.status_code == 200, r.content
        return r.json()["items"]

    items = ids(tok_a)
    assert a1["id"] in [x["id"] for x in items] and all(x["organisationId"] == org_a["id"] for x in items)
    items = ids(p1["token"])
    assert a1["id"] in [x["id"] for x in items]
    assert all(x["certifyingBodyId"] == p1["body"]["id"] for x in items)
    assert b2["id"] not in [x["id"] for x in items]
    items = ids(lb.admin, organisationId=org_b["id"])
    assert [x["id"] for x in items] == [b2["id"]]

    assert client.get(f"{AUDITS}/{a1['id']}", token=tok_a).status_code == 200
    assert_problem(client.get(f"{AUDITS}/{b2['id']}", token=tok_a), 404)
    assert_problem(client.get(f"{AUDITS}/{b2['id']}", token=p1["token"]), 404)
    assert client.get(f"{AUDITS}/{b2['id']}", token=p2["token"]).status_code == 200
    # an organisation filtering on another organisation sees nothing of it
    assert [x for x in ids(tok_a, organisationId=org_b["id"]) if x["id"] == b2["id"]] == []


def test_municipality_gets_403_on_audits(client, lb):
    org = lb.create_org()
    a = lb.create_audit(org["id"], "2019", kind="intercollegial")
    _, muni = lb.municipality()
    assert_problem(client.get(AUDITS, token=muni), 403)
    assert_problem(client.get(f"{AUDITS}/{a['id']}", token=muni), 403)
    assert_problem(client.get(AUDITS), 401)


def test_list_filter_status_and_pagination(client, lb):
    org = lb.create_org()
    made = [lb.create_audit(org["id"], "2019", kind="intercollegial")["id"] for _ in range(3)]
    r = client.post(f"{AUDITS}/{made[1]}/cancellation", token=lb.admin, json={"reason": "dubbel"})
    assert r.status_code == 200, r.content
    r = client.get(AUDITS, token=lb.admin, params={"organisationId": org["id"], "status": "cancelled"})
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["items"]] == [made[1]]
    seen, cursor = [], None
    for _ in range(10):
        params = {"organisationId": org["id"], "limit": "1"}
        if cursor:
            params["cursor"] = cursor
        r = client.get(AUDITS, token=lb.admin, params=params)
        assert r.status_code == 200, r.content
        seen += [x["id"] for x in r.json()["items"]]
        cursor = r.json()["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 3


@pytest.mark.parametrize("params,field", [({"status": "approved"}, "status"), ({"organisationId": "x"}, "organisationId"),
                                          ({"limit": "0"}, "limit"), ({"cursor": "!!"}, "cursor")])
def test_list_bad_query(client, lb, params, field):
    assert_problem(client.get(AUDITS, token=lb.admin, params=params), 400, slug="validation-error", fields={field})


def test_get_malformed_and_unknown(client, lb):
    assert_problem(client.get(f"{AUDITS}/nope", token=lb.admin), 400, slug="validation-error", fields={"auditId"})
    assert_problem(client.get(f"{AUDITS}/{uuid.uuid4()}", token=lb.admin), 404)


# ------------------------------------------------------------------ cancellation


def test_cancellation(client, lb):
    org = lb.create_org()
    _, tok = lb.org_account(org["id"])
    party = lb.body_with_certifier()
    a = lb.create_audit(org["id"], "2019", party["body"]["id"])
    other = lb.create_org()
    _, other_tok = lb.org_account(other["id"])
    assert_problem(client.post(f"{AUDITS}/{a['id']}/cancellation", token=other_tok, json={"reason": "x"}), 404)
    assert_problem(client.post(f"{AUDITS}/{a['id']}/cancellation", token=party["token"], json={"reason": "x"}), 403)
    assert_problem(client.post(f"{AUDITS}/{a['id']}/cancellation", token=tok, json={"reason": 5}), 400,
                   slug="validation-error", fields={"reason"})
    r = client.post(f"{AUDITS}/{a['id']}/cancellation", token=tok, json={"reason": "uitgesteld"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled" and r.json()["id"] == a["id"]
    assert client.get(f"{AUDITS}/{a['id']}", token=lb.admin).json()["status"] == "cancelled"
    assert_problem(client.post(f"{AUDITS}/{a['id']}/cancellation", token=lb.admin, json={"reason": "again"}), 409)
    # nothing more can happen to a cancelled audit
    assert_problem(lb.put_outcome(a["id"], lb.outcome_body("2019"), party["token"]), 409)
    assert_problem(client.put(f"{AUDITS}/{a['id']}/self-evaluation", token=tok,
                              json={"status": "draft", "scores": []}), 409)
    assert_problem(lb.decide(a["id"], False), 409)


def test_cancellation_only_while_planned(client, lb):
    org = lb.create_org()
    party = lb.body_with_certifier()
    a = lb.create_audit(org["id"], "2019", party["body"]["id"])
    lb.put_outcome(a["id"], lb.outcome_body("2019"), party["token"], expect=200)
    assert_problem(client.post(f"{AUDITS}/{a['id']}/cancellation", token=lb.admin, json={"reason": "te laat"}), 409)
    assert client.get(f"{AUDITS}/{a['id']}", token=lb.admin).json()["status"] == "outcome_submitted"


# ------------------------------------------------------------------ self-evaluation


def self_eval(lb, version, status, partially=0, codes=None):
    scores = lb.scores(version, partially, key="note", text="toelichting")
    if codes is not None:
        scores = [s for s in scores if s["normCode"] in codes]
    return {"status": status, "scores": scores}


@pytest.mark.parametrize("version", ["2017", "2019"])
def test_self_evaluation_draft_submit_then_final(client, lb, version):
    org = lb.create_org()
    _, tok = lb.org_account(org["id"])
    party = lb.body_with_certifier()
    a = lb.create_audit(org["id"], version, party["body"]["id"])
    path = f"{AUDITS}/{a['id']}/self-evaluation"
    assert_problem(client.get(path, token=tok), 404)
    r = client.put(path, token=tok, json=self_eval(lb, version, "draft", codes={"V01", "V02", "D03"}))
    assert r.status_code == 200, r.content
    se = r.json()
    assert se["auditId"] == a["id"] and se["status"] == "draft" and se["submittedAt"] is None
    assert sorted(s["normCode"] for s in se["scores"]) == ["D03", "V01", "V02"]
    L.check_timestamp(se["updatedAt"])
    r = client.put(path, token=tok, json=self_eval(lb, version, "draft", codes={"V01"}))
    assert r.status_code == 200 and [s["normCode"] for s in r.json()["scores"]] == ["V01"], "a draft is replaced"
    full = self_eval(lb, version, "submitted", partially=2)
    r = client.put(path, token=tok, json=full)
    assert r.status_code == 200, r.content
    se = r.json()
    assert se["status"] == "submitted"
    L.check_timestamp(se["submittedAt"])
    assert len(se["scores"]) == len(lb.norm_codes(version))
    assert {s["normCode"]: s["score"] for s in se["scores"]} == {s["normCode"]: s["score"] for s in full["scores"]}
    for again in (full, self_eval(lb, version, "draft", codes={"V01"})):
        assert_problem(client.put(path, token=tok, json=again), 409)
    for reader in (tok, lb.admin, party["token"]):
        g = client.get(path, token=reader)
        assert g.status_code == 200 and g.json() == se


def test_self_evaluation_submitted_needs_every_norm(client, lb):
    org = lb.create_org()
    _, tok = lb.org_account(org["id"])
    a = lb.create_audit(org["id"], "2019", kind="intercollegial")
    path = f"{AUDITS}/{a['id']}/self-evaluation"
    codes = set(lb.norm_codes("2019")) - {"V03"}
    r = client.put(path, token=tok, json=self_eval(lb, "2019", "submitted", codes=codes))
    body = assert_problem(r, 400, slug="validation-error", fields={"scores"})
    assert any("V03" in m for m in L.messages_for(body, "scores")), body
    assert_problem(client.get(path, token=tok), 404)


def test_self_evaluation_draft_rejects_unknown_and_duplicate_codes(client, lb):
    org = lb.create_org()
    _, tok = lb.org_account(org["id"])
    a = lb.create_audit(org["id"], "2019", kind="intercollegial")
    path = f"{AUDITS}/{a['id']}/self-evaluation"
    scores = [{"normCode": "V01", "score": "met"}, {"normCode": "O20", "score": "met"},
              {"normCode": "V01", "score": "not_met"}]
    r = client.put(path, token=tok, json={"status": "draft", "scores": scores})
    assert_problem(r, 400, slug="validation-error", fields={"scores[1].normCode", "scores[2].normCode"})


@pytest.mark.parametrize("payload,field", [
    ({"status": "final", "scores": []}, "status"),
    ({"status": "draft", "scores": [{"normCode": "V01", "score": "good"}]}, "scores[0].score"),
    ({"status": "draft", "scores": [{"normCode": "V01", "score": "met", "note": 3}]}, "scores[0].note"),
    ({"status": "draft", "scores": [{"normCode": "V01", "score": "met", "finding": "x"}]}, "scores[0].finding"),
    ({"status": "draft", "scores": {}}, "scores"),
    ({"status": "draft", "scores": [], "submittedAt": "2020-01-01T00:00:00Z"}, "submittedAt"),
    ({"scores": []}, "status"),
])
def test_self_evaluation_bad_bodies(client, lb, payload, field):
    org = lb.create_org()
    _, tok = lb.org_account(org["id"])
    a = lb.create_audit(org["id"], "2019", kind="intercollegial")
    r = client.put(f"{AUDITS}/{a['id']}/self-evaluation", token=tok, json=payload)
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_self_evaluation_access(client, lb):
    org, other = lb.create_org(), lb.create_org()
    _, tok = lb.org_account(org["id"])
    _, other_tok = lb.org_account(other["id"])
    mine, foreign = lb.body_with_certifier(), lb.body_with_certifier()
    _, muni = lb.municipality()
    a = lb.create_audit(org["id"], "2019", mine["body"]["id"])
    path = f"{AUDITS}/{a['id']}/self-evaluation"
    draft = {"status": "draft", "scores": [{"normCode": "V01", "score": "met"}]}
    assert_problem(client.put(path, token=other_tok, json=draft), 404)
    assert_problem(client.put(path, token=muni, json=draft), 403)
    assert client.put(path, token=tok, json=draft).status_code == 200
    assert_problem(client.get(path, token=other_tok), 404)
    assert_problem(client.get(path, token=foreign["token"]), 404)
    assert_problem(client.get(path, token=muni), 403)
    assert client.get(path, token=mine["token"]).status_code == 200


def test_scope_defaults_as_the_contract_says(client, lb):
    """businessCriticalVolunteers and parts are optional (default 0 and []); the answer always
    carries every scope member the contract requires."""
    org = lb.create_org()
    body = lb.create_body()
    audit = lb.create_audit(org["id"], "2019", body["id"], scope={"wholeOrganisation": True, "employees": 12})
    assert audit["scope"] == {"wholeOrganisation": True, "parts": [], "employees": 12,
                              "businessCriticalVolunteers": 0}, audit
    again = client.get(f"{L.AUDITS}/{audit['id']}", token=lb.admin).json()
    assert again["scope"] == audit["scope"]
