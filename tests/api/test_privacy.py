"""Privacy (sql/0026_privacy.sql, src/register/privacy.h): POST /v1/professionals/{id}/erasure
(admin) erases what the law allows and keeps what the register must; the retention rules
(retention_rules) erase rejected applications and delete the evidence of long-ended periods by a
task in every replica (run here by a server of its own, on a database of its own, every second:
RETENTION_INTERVAL_SECONDS=1), and take public measures out of the public register after their
term (decided by date when the register is read)."""

import json
import time
import uuid

import pytest

import municipal_helpers as M
import register_helpers as R
from kr_helpers import assert_problem
from register_helpers import proxied  # noqa: F401  (module-scoped fixture)

PROFS, REGISTER = R.PROFS, R.REGISTER
REASON = "Verzoek tot verwijdering ontvangen, zaak 2026-118."


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def pub(proxied):  # noqa: F811
    return proxied()


def erase(client, token, pid, reason=REASON, body=None):
    return client.post(f"{PROFS}/{pid}/erasure", token=token, json={"reason": reason} if body is None else body)


def q(text):
    return "'" + text.replace("'", "''") + "'"


def wait_for(probe, seconds=10.0, step=0.2):
    """probe() until it returns something true, or the time is up (then its last answer)."""
    deadline = time.monotonic() + seconds
    while True:
        got = probe()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(step)


def prepared(rg, client, p):
    """A development plan, an activity with every free-text member and evidence, for p."""
    goals = [{"title": "Schuldhulp leren", "description": "Mijn eigen doel", "targetDate": R.days(100),
              "competenceCodes": ["G01"]}]
    r = client.put(f"{PROFS}/{p['id']}/development-plan", token=p["token"], json={"goals": goals})
    assert r.status_code == 200, r.content
    act = rg.add_activity(p, type_="intervision", hours=6, started_on=R.days(-12), completed_on=R.days(-11),
                          title="Intervisie over cliënt K.", provider="Buurtteam Oost",
                          reflection="Wat ik leerde over mezelf", supervisedBy="M. de Supervisor")
    ev = rg.upload_evidence(p["id"], act["id"], p["token"]).json()
    return act, ev


# ------------------------------------------------------------------ erasure


def test_erasure_erases_the_person_and_keeps_the_register(client, rg, kr, sql, pub):
    p = rg.registered(R.days(-100), givenName="Mirjam", familyName=f"Verwijderd {R.tag()}")
    act, ev = prepared(rg, client, p)
    warning = rg.impose(p["id"], "warning", R.days(-5), reason="Berisping om reden Z").json()
    assert client.get(f"{PROFS}/{p['id']}", token=p["token"]).status_code == 200
    username, password = p["acct"]["username"], p["acct"]["password"]

    r = erase(client, rg.admin, p["id"])
    assert r.status_code == 200, r.content
    x = r.json()
    assert (x["givenName"], x["familyName"], x["email"], x["emailVerifiedAt"], x["diploma"]) == (None,) * 5
    assert x["registrationNumber"] == p["number"] and x["erasedAt"] is not None
    assert (x["periodStart"], x["periodEnd"]) == (p["start"], p["end"])
    # a registration that ran ends that day: nobody can verify it by name
    assert x["status"] == "deregistered" and x["deregisteredOn"] == R.today().isoformat()
    assert rg.get(p["id"]) == x

    # kept: measures with their reasons, the history (with the erasure and its reason)
    ms = client.get(f"{PROFS}/{p['id']}/measures", token=rg.admin).json()["items"]
    assert [(m["id"], m["reason"]) for m in ms] == [(warning["id"], "Berisping om reden Z")]
    hist = rg.history(p["id"])
    types = [h["type"] for h in hist]
    assert types[:2] == ["applied", "code_of_conduct_accepted"] and "approved" in types
    assert [h["detail"] for h in hist if h["type"] == "approved"] == [p["number"]]
    erased = [h for h in hist if h["type"] == "erased"]
    assert len(erased) == 1 and erased[0]["detail"] == REASON and erased[0]["recordedBy"] == rg.admin_id()
    assert types.index("erased") < types.index("deregistered")

    # erased: plan, the activities' free text, evidence, diploma; the hours stay
    plan = client.get(f"{PROFS}/{p['id']}/development-plan", token=rg.admin).json()
    assert plan == {"goals": [], "updatedAt": None}
    a = client.get(f"{PROFS}/{p['id']}/development-activities/{act['id']}", token=rg.admin).json()
    assert (a["title"], a["provider"], a["reflection"], a["supervisedBy"], a["evidence"]) == \
        ("[erased]", None, None, None, [])
    assert (a["hours"], a["type"], a["completedOn"], a["status"]) == (6, "intervision", R.days(-11), "completed")
    assert_problem(client.get(f"{PROFS}/{p['id']}/development-activities/{act['id']}/evidence/{ev['id']}",
                              token=rg.admin), 404)
    assert_problem(client.get(f"{PROFS}/{p['id']}/diploma", token=rg.admin), 404)
    export = json.dumps(client.get(f"{PROFS}/{p['id']}/export", token=rg.admin).json(), ensure_ascii=False)
    for gone in ("Mirjam", p["prof"]["familyName"], p["email"], "cliënt K.", "Buurtteam", "Mijn eigen doel",
                 "Supervisor", username):
        assert gone not in export, gone
    assert p["number"] in export and "Berisping om reden Z" in export

    # the account cannot sign in, and its live token stops working at once
    def refused():
        return client.get(f"{PROFS}/{p['id']}", token=p["token"]).status_code == 401
    assert wait_for(refused, 3.0, 0.05), "the erased professional's token still works"
    assert_problem(kr.token_request({"grant_type": "password", "username": username, "password": password}), 400,
                   slug=None, error="invalid_grant")
    acct = client.get(f"/v1/accounts/{p['account_id']}", token=rg.admin).json()
    assert acct["active"] is False and acct["username"].startswith("erased-") and username not in json.dumps(acct)

    # no row in the database still holds the address or the name
    email = p["email"].lower()
    assert sql(f"select count(*) from mail_outbox where lower(to_address) = {q(email)}")[0][0] == "0"
    assert sql(f"select count(*) from mail_outbox where vars::text like {q('%Mirjam%')}")[0][0] == "0"
    assert sql(f"select count(*) from email_verifications where professional_id = '{p['id']}'")[0][0] == "0"
    assert sql(f"select count(*) from professionals where lower(email) = {q(email)} or family_name = "
               f"{q(p['prof']['familyName'])}")[0][0] == "0"

    # the public register: not listed (deregistered), and no search by the old name finds it
    assert_problem(pub.get(f"{REGISTER}/{p['number']}"), 404)
    found = pub.get(REGISTER, params={"q": p["prof"]["familyName"]})
    assert found.status_code == 200 and found.json()["items"] == []

    # recorded in the audit trail
    rows = sql("select role, status from audit_trail where route = '/v1/professionals/{professionalId}/erasure'"
               f" and '{p['id']}' = any(object_ids)")
    assert rows == [("admin", "200")], rows


def test_a_struck_off_professional_stays_struck_off_without_a_name(client, rg, pub):
    family = f"Doorgehaald {R.tag()}"
    p = rg.registered(R.days(-200), familyName=family)
    rg.impose(p["id"], "striking_off", R.days(-3))
    before = pub.get(f"{REGISTER}/{p['number']}").json()
    assert before["familyName"] == family and before["status"] == "struck_off"
    r = erase(client, rg.admin, p["id"])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "struck_off" and r.json()["deregisteredOn"] is None
    after = pub.get(f"{REGISTER}/{p['number']}")
    assert after.status_code == 200, after.content
    body = after.json()
    assert (body["givenName"], body["familyName"]) == (None, None)
    assert body["status"] == "struck_off" and body["registrationNumber"] == p["number"]
    assert body["periods"] == before["periods"] and body["measures"] == before["measures"] != []
    assert pub.get(REGISTER, params={"q": family}).json()["items"] == []
    # a later measure is still recorded, and queues no message to the erased professional
    r = rg.impose(p["id"], "reprimand", R.days(-1), reason="Na verwijdering opgelegd")
    assert r.status_code == 201
    assert rg.kr.sql("select count(*) from mail_outbox where cause like "
                     f"'measure_imposed:{r.json()['id']}'")[0][0] == "0"


def test_an_open_application_is_closed_and_no_address_can_be_set(client, rg, pub):
    p = rg.ready()
    r = erase(client, rg.admin, p["id"])
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "rejected" and r.json()["registrationNumber"] is None
    assert [h["detail"] for h in rg.history(p["id"]) if h["type"] == "rejected"] == \
        ["The application was closed by the erasure."]
    assert_problem(rg.approve(p["id"], expect=None), 409)
    # nothing brings an address back to an erased record (both routes are limited per address: pub)
    r = pub.request("PUT", f"{PROFS}/{p['id']}/email", token=rg.admin, json={"email": f"terug.{R.tag()}@example.test"})
    assert_problem(r, 409, fields={"email"})
    assert_problem(pub.post(f"{PROFS}/{p['id']}/email-verification", token=rg.admin), 404)
    assert rg.get(p["id"])["email"] is None


def test_a_second_erasure_is_a_conflict(client, rg, sql):
    p = rg.new()
    assert erase(client, rg.admin, p["id"]).status_code == 200
    first = rg.get(p["id"])["erasedAt"]
    body = assert_problem(erase(client, rg.admin, p["id"], reason="Nog een keer"), 409)
    assert "erased before" in body["detail"]
    assert rg.get(p["id"])["erasedAt"] == first
    assert sql(f"select count(*) from professional_history where professional_id = '{p['id']}'"
               " and type = 'erased'")[0][0] == "1"


def test_unknown_professional_is_404(client, rg):
    assert_problem(erase(client, rg.admin, str(uuid.uuid4())), 404)
    assert_problem(erase(client, rg.admin, "not-a-uuid"), 400, fields={"professionalId"})


def test_only_admins_erase(client, rg, kr):
    p = rg.new()
    assert_problem(erase(client, p["token"], p["id"]), 403)
    org = kr.make_account("organisation")
    assert_problem(erase(client, kr.token_for(org), p["id"]), 403)
    assert_problem(erase(client, None, p["id"]), 401)
    assert rg.get(p["id"])["erasedAt"] is None


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "x" * 501}, {"reason": 5}, {"reason": None}])
def test_a_bad_reason_is_named(client, rg, body):
    p = rg.new()
    assert_problem(erase(client, rg.admin, p["id"], body=body), 400, fields={"reason"}, exact_fields=True)
    assert rg.get(p["id"])["erasedAt"] is None


def test_an_unknown_member_is_named_and_500_characters_are_enough(client, rg):
    p = rg.new()
    assert_problem(erase(client, rg.admin, p["id"], body={"reason": REASON, "hard": True}), 400, fields={"hard"})
    assert rg.get(p["id"])["erasedAt"] is None
    r = erase(client, rg.admin, p["id"], reason="é" * 500)
    assert r.status_code == 200 and r.json()["erasedAt"] is not None, r.content


# ------------------------------------------------------------------ public measures


def test_public_measures_leave_the_register_after_their_term(client, rg, pub):
    """Defaults: warning 1 year and reprimand 5 years from the start; conditional suspension 1 year
    and suspension 5 years after the last day; striking off as long as it stands."""
    p = rg.registered(R.days(-2500))
    old_warning = rg.impose(p["id"], "warning", R.days(-400)).json()
    rg.impose(p["id"], "warning", R.days(-300))
    rg.impose(p["id"], "reprimand", R.days(-1900))
    rg.impose(p["id"], "reprimand", R.days(-1700))
    rg.impose(p["id"], "suspension", R.days(-2400), R.days(-2000))
    rg.impose(p["id"], "suspension", R.days(-1900), R.days(-1800))
    rg.impose(p["id"], "conditional_suspension", R.days(-800), R.days(-400))
    rg.impose(p["id"], "conditional_suspension", R.days(-700), R.days(-300))
    rg.impose(p["id"], "striking_off", R.days(-200))
    body = pub.get(f"{REGISTER}/{p['number']}").json()
    shown = sorted((m["type"], m["startsOn"]) for m in body["measures"])
    assert shown == sorted([("warning", R.days(-300)), ("reprimand", R.days(-1700)),
                            ("suspension", R.days(-1900)), ("conditional_suspension", R.days(-700)),
                            ("striking_off", R.days(-200))])
    # on a day when it was still published, the old warning is there
    then = pub.get(f"{REGISTER}/{p['number']}", params={"on": R.days(-36)}).json()
    assert ("warning", old_warning["startsOn"]) in [(m["type"], m["startsOn"]) for m in then["measures"]]
    # the register office still sees every measure
    ms = client.get(f"{PROFS}/{p['id']}/measures", token=rg.admin).json()["items"]
    assert len(ms) == 9


# ------------------------------------------------------------------ retention (a server of its own)


@pytest.fixture
def retention_world(spawn_server, pg, scratch_db):
    """(client, Register, kr) on a database of its own, served by a server that applies the
    retention rules every second."""
    db = scratch_db()
    _, c = spawn_server({"RETENTION_INTERVAL_SECONDS": "1"}, db=db)
    kr = M.DbKr(c, pg, db)
    return c, R.Register(c, kr), kr


def test_retention_erases_rejected_applications_after_90_days(retention_world):
    client, rg, kr = retention_world
    old = rg.ready()
    rg.reject(old["id"], reason="Diploma niet erkend voor Jan Oud")
    recent = rg.ready()
    rg.reject(recent["id"])
    today = rg.ready()
    rg.reject(today["id"])
    kr.sql(f"update professional_history set on_date = '{R.days(-91)}' where professional_id = '{old['id']}'"
           " and type = 'rejected'")
    kr.sql(f"update professional_history set on_date = '{R.days(-89)}' where professional_id = '{recent['id']}'"
           " and type = 'rejected'")

    def erased():
        return kr.sql(f"select erased_at is not null from professionals where id = '{old['id']}'")[0][0] == "t"
    assert wait_for(erased), "the rejected application of 91 days ago was not erased"
    x = rg.get(old["id"])
    assert (x["givenName"], x["familyName"], x["email"], x["diploma"], x["rejectionReason"]) == (None,) * 5
    assert x["status"] == "rejected" and x["erasedAt"] is not None
    hist = rg.history(old["id"])
    assert [h["detail"] for h in hist if h["type"] == "rejected"] == [None]
    assert [h["detail"] for h in hist if h["type"] == "erased"] == \
        ["Retention: a rejected application is erased 90 days after the rejection."]
    acct = client.get(f"/v1/accounts/{old['account_id']}", token=rg.admin).json()
    assert acct["active"] is False and acct["username"].startswith("erased-")
    time.sleep(1.5)  # a few more runs: the newer ones stay
    for p in (recent, today):
        y = rg.get(p["id"])
        assert y["erasedAt"] is None and y["email"] == p["email"] and y["diploma"] is not None
        assert y["rejectionReason"] == "Diploma niet erkend"


def test_retention_deletes_evidence_two_years_after_its_period(retention_world):
    client, rg, kr = retention_world
    due = rg.registered_until(R.days(-731))
    edge = rg.registered_until(R.days(-730))
    current = rg.registered(R.days(-100))

    def with_evidence(p, completed_on):
        act = rg.add_activity(p, type_="course", hours=4, started_on=R.shift(completed_on, -1),
                              completed_on=completed_on)
        return act["id"], rg.upload_evidence(p["id"], act["id"], p["token"]).json()["id"]

    gone = with_evidence(due, R.shift(due["end"], -10))
    kept = [with_evidence(edge, R.shift(edge["end"], -10)), with_evidence(current, R.days(-5)),
            # an activity after the period ended lies in no period: its evidence stays
            with_evidence(due, R.shift(due["end"], 5))]

    def evidence_of(activity):
        return int(kr.sql(f"select count(*) from evidence_files where activity_id = '{activity}'")[0][0])
    assert wait_for(lambda: evidence_of(gone[0]) == 0), "the evidence of a period ended 731 days ago stays"
    a = client.get(f"{PROFS}/{due['id']}/development-activities/{gone[0]}", token=rg.admin).json()
    assert a["evidence"] == [] and a["hours"] == 4 and a["status"] == "completed"
    time.sleep(1.5)
    for activity, evidence in kept:
        assert evidence_of(activity) == 1, activity
    r = client.get(f"{PROFS}/{edge['id']}/development-activities/{kept[0][0]}/evidence/{kept[0][1]}",
                   token=rg.admin)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    # the professionals themselves are not erased
    assert rg.get(due["id"])["erasedAt"] is None and rg.get(due["id"])["email"] == due["email"]


def test_an_erased_record_takes_no_new_personal_data(client, rg, sql):
    p = rg.registered(R.days(-100))
    act, _ = prepared(rg, client, p)
    assert erase(client, rg.admin, p["id"]).status_code == 200
    admin = rg.admin
    goals = [{"title": "Nieuw doel", "description": "Over mij", "targetDate": R.days(100), "competenceCodes": ["G01"]}]
    assert_problem(client.put(f"{PROFS}/{p['id']}/development-plan", token=admin, json={"goals": goals}), 409)
    rg.add_activity(p, token=admin, expect=409, title="Een nieuwe activiteit")
    r = client.put(f"{PROFS}/{p['id']}/development-activities/{act['id']}", token=admin,
                   json=rg.activity_body(type_="intervision", hours=6, started_on=R.days(-12),
                                         completed_on=R.days(-11), title="Weer een naam"))
    assert_problem(r, 409)
    r = client.post(f"{PROFS}/{p['id']}/development-activities/{act['id']}/evidence", token=admin,
                    data=R.pdf_bytes(), headers={"Content-Type": "application/pdf"})
    assert_problem(r, 409)
    assert sql(f"select title from development_activities where id = '{act['id']}'") == [("[erased]",)]
    assert sql(f"select count(*) from development_plans where professional_id = '{p['id']}'") == [("0",)]
