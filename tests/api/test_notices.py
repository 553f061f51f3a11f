"""Notices queued in the outbox (sql/0022, sql/0023), read where the session's server leaves them
(it has no SMTP_URL): which message, to whom, with which values, once per cause. Sending and
rendering are tested in test_mail.py and tests/unit/test_mail.c."""

import json
import time
import uuid

import pytest

import kr_helpers as H
import label_helpers as L

OFFICE = H.LABEL_OFFICE_EMAIL


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def queued(sql, address, cause_prefix=""):
    return [(t, json.loads(v) if v else None, c) for t, v, c in sql(
        "select template, vars::text, cause from mail_outbox"
        f" where to_address = '{address}' and coalesce(cause, '') like '{cause_prefix}%' order by id")]


def wait_queued(sql, address, count, cause_prefix="", seconds=8.0):
    deadline = time.monotonic() + seconds
    while True:
        rows = queued(sql, address, cause_prefix)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_contact_addresses_are_checked_shown_and_changed(client, lb):
    email = f"kwaliteit.{uuid.uuid4().hex[:8]}@example.test"
    org = lb.create_org(contactEmail=email)
    assert org["contactEmail"] == email
    assert lb.create_org()["contactEmail"] is None
    r = client.post(L.ORGS, token=lb.admin, json=lb.org_body(contactEmail="not an address"))
    H.assert_problem(r, 400, fields=["contactEmail"])
    r = client.request("PATCH", f"{L.ORGS}/{org['id']}", token=lb.admin, json={"contactEmail": None})
    assert r.status_code == 200 and r.json()["contactEmail"] is None, r.text


def test_label_notices_go_once_to_the_contact_address_and_the_office(client, lb, sql):
    email = f"kwaliteit.{uuid.uuid4().hex[:8]}@example.test"
    org = lb.create_org(contactEmail=email)
    flow = lb.certified(org=org)
    audit, number = flow["audit"]["id"], flow["number"]
    office = queued(sql, OFFICE, f"outcome_submitted:{audit}")
    assert [(t, v["organisationName"], v["kvkNumber"]) for t, v, _ in office] == \
        [("outcome_submitted", org["name"], org["kvkNumber"])]
    for action in ("suspension", "reinstatement", "withdrawal"):
        lb.cert_action(number, action, reason=f"Reden: {action} <&>", expect=200)
    rows = queued(sql, email)
    assert [t for t, _, _ in rows] == ["audit_granted", "certificate_suspended", "certificate_reinstated",
                                      "certificate_withdrawn"]
    granted = rows[0][1]
    assert granted["organisationName"] == org["name"] and granted["certificateNumber"] == number
    assert granted["validUntil"].count("-") == 2 and len(granted["validUntil"]) == 10  # DD-MM-YYYY
    assert rows[1][1]["reason"] == "Reden: suspension <&>" and rows[1][1]["certificateNumber"] == number
    assert len({c for _, _, c in rows}) == 4
    # a second outcome PUT before a decision, elsewhere, does not announce the first audit again
    assert len(queued(sql, OFFICE, f"outcome_submitted:{audit}")) == 1


def test_a_refusal_is_announced_and_an_organisation_without_address_gets_nothing(client, lb, sql):
    email = f"kwaliteit.{uuid.uuid4().hex[:8]}@example.test"
    org = lb.create_org(contactEmail=email)
    party = lb.body_with_certifier()
    audit = lb.create_audit(org["id"], "2019", party["body"]["id"])
    lb.put_outcome(audit["id"], lb.outcome_body("2019", advice="negative"), party["token"], expect=200)
    lb.decide(audit["id"], False, note="Onvoldoende onderbouwd", expect=201)
    rows = queued(sql, email)
    assert [(t, v["note"]) for t, v, _ in rows] == [("audit_refused", "Onvoldoende onderbouwd")]
    silent = lb.certified()
    assert sql("select count(*) from mail_outbox m join organisations o on o.name = "
               f"'{silent['org']['name']}' where m.cause like 'audit_decided:{silent['audit']['id']}'")[0][0] == "0"


def test_a_certificate_expiring_within_3_months_is_announced_once(client, lb, sql):
    """The session's server looks for due notices every second (NOTICE_INTERVAL_SECONDS)."""
    email = f"kwaliteit.{uuid.uuid4().hex[:8]}@example.test"
    flow = lb.certified(org=lb.create_org(contactEmail=email))
    assert queued(sql, email, "certificate_expiring") == []
    sql(f"update certificates set valid_until = current_date + 40 where certificate_number = '{flow['number']}'")
    rows = wait_queued(sql, email, 1, "certificate_expiring")
    assert [(t, v["certificateNumber"]) for t, v, _ in rows] == [("certificate_expiring", flow["number"])]
    time.sleep(2.5)
    assert len(queued(sql, email, "certificate_expiring")) == 1
