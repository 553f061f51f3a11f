"""Helpers for the quality-label API tests (organisations, norm frameworks, certifying bodies,
audits, self-evaluations, outcomes, decisions, certificates).

Plain Python on top of kr_helpers. Every helper asserts the status it needs, so a test that uses
it to build its preconditions fails loudly (with the server's answer) when a step fails.
Names and KvK numbers are random per call: tests are independent and may run in any order.
"""

import calendar
import datetime
import random
import re
import urllib.parse
import uuid
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")
ORGS = "/v1/organisations"
FRAMEWORKS = "/v1/norm-frameworks"
BODIES = "/v1/certifying-bodies"
AUDITS = "/v1/audits"
CERTS = "/v1/certificates"
CERT_RE = re.compile(r"^KSW-(\d{4})-(\d{6})$")
_rng = random.SystemRandom()

# Facts of the seeded frameworks (kr-label-spec "Norm frameworks").
SEEDED = {
    "2017": {"categories": {"vakmanschap": ("V", 16), "dienstverlening": ("D", 16), "organisatie-bestuur": ("O", 20)},
             "normCount": 52, "maxPartiallyMet": 10, "maxNotMet": 5, "openFrom": "2017-01-01",
             "openUntil": "2019-12-31", "restrictedFrom": "2019-05-01", "mandatoryFrom": None,
             "certificateTermMonths": 24, "businessCriticalVolunteersInScope": False},
    "2019": {"categories": {"vakmanschap": ("V", 16), "dienstverlening": ("D", 14), "organisatie-bestuur": ("O", 19)},
             "normCount": 49, "maxPartiallyMet": 8, "maxNotMet": 3, "openFrom": "2019-05-01",
             "openUntil": None, "restrictedFrom": None, "mandatoryFrom": "2020-01-01",
             "certificateTermMonths": 24, "businessCriticalVolunteersInScope": True},
}


def seeded_codes(version):
    out = []
    for _, (letter, n) in SEEDED[version]["categories"].items():
        out.extend(f"{letter}{i:02d}" for i in range(1, n + 1))
    return out


# ------------------------------------------------------------------ dates


def today():
    """The current calendar date in Europe/Amsterdam."""
    return datetime.datetime.now(AMS).date()


def d(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def days(n):
    """today + n days, as YYYY-MM-DD."""
    return (today() + datetime.timedelta(days=n)).isoformat()


def add_months(date, months):
    """Calendar month arithmetic, clamped to the month's last day (as PostgreSQL does)."""
    m = date.month - 1 + months
    y, m = date.year + m // 12, m % 12 + 1
    return datetime.date(y, m, min(date.day, calendar.monthrange(y, m)[1]))


def valid_until(valid_from, months=24):
    if isinstance(valid_from, str):
        valid_from = datetime.date.fromisoformat(valid_from)
    return (add_months(valid_from, months) - datetime.timedelta(days=1)).isoformat()


def next_day(date_str):
    return (datetime.date.fromisoformat(date_str) + datetime.timedelta(days=1)).isoformat()


# ------------------------------------------------------------------ small things


def tag():
    return uuid.uuid4().hex[:10]


def random_kvk():
    return f"{_rng.randrange(10 ** 8):08d}"


def random_gm():
    return f"GM{_rng.randrange(1000, 10000):04d}"


def location_path(resp):
    loc = resp.headers.get("Location")
    assert loc, f"201 without Location: {resp.content[:300]!r}"
    return urllib.parse.urlsplit(loc).path


def check_timestamp(value):
    assert isinstance(value, str), value
    dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert dt.utcoffset() == datetime.timedelta(0), f"{value!r} is not UTC"
    return dt


def messages_for(body, field):
    return [e.get("message", "") for e in (body.get("errors") or []) if e.get("field") == field]


def whole_scope(employees=10, volunteers=0):
    return {"wholeOrganisation": True, "parts": [], "employees": employees,
            "businessCriticalVolunteers": volunteers}


# ------------------------------------------------------------------ the helper object


class Label:
    """Builds label fixtures through the API (asserting each step) for one test."""

    def __init__(self, client, kr):
        self.client = client
        self.kr = kr
        self._codes = {}

    @property
    def admin(self):
        return self.kr.admin_token()

    def admin_id(self):
        r = self.client.get("/v1/accounts/me", token=self.admin)
        assert r.status_code == 200, r.content
        return r.json()["id"]

    # organisations
    def org_body(self, **over):
        t = tag()
        body = {"name": f"Stichting Welzijn {t}", "kvkNumber": random_kvk(), "city": f"Stad {t}",
                "municipalityCodes": ["GM0363"]}
        body.update(over)
        return body

    def create_org(self, **over):
        body = self.org_body(**over)
        for _ in range(5):
            r = self.client.post(ORGS, token=self.admin, json=body)
            if r.status_code == 409 and "kvkNumber" not in over:  # a random KvK collided: draw again
                body["kvkNumber"] = random_kvk()
                continue
            break
        assert r.status_code == 201, f"create organisation: {r.status_code} {r.content[:800]!r}"
        org = r.json()
        org["_etag"] = r.headers.get("ETag")
        return org

    def org_account(self, org_id):
        acct = self.kr.make_account("organisation", link=org_id)
        return acct, self.kr.token_for(acct)

    def municipality(self, code="GM0363"):
        acct = self.kr.make_account("municipality", link=code)
        return acct, self.kr.token_for(acct)

    # certifying bodies
    def create_body(self, name=None):
        r = self.client.post(BODIES, token=self.admin, json={"name": name or f"Certificering {tag()} B.V."})
        assert r.status_code == 201, f"create body: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def add_agreement(self, body_id, valid_from="2017-01-01", valid_until=None):
        r = self.client.post(f"{BODIES}/{body_id}/framework-agreements", token=self.admin,
                             json={"validFrom": d(valid_from), "validUntil": d(valid_until)})
        assert r.status_code == 201, f"create agreement: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def certifier(self, body_id):
        acct = self.kr.make_account("certifier", link=body_id)
        return acct, self.kr.token_for(acct)

    def body_with_certifier(self, valid_from="2017-01-01", valid_until=None, agreement=True):
        body = self.create_body()
        if agreement:
            self.add_agreement(body["id"], valid_from, valid_until)
        acct, token = self.certifier(body["id"])
        return {"body": body, "acct": acct, "token": token}

    # norm frameworks
    def norm_codes(self, version):
        if version not in self._codes:
            r = self.client.get(f"{FRAMEWORKS}/{version}")
            assert r.status_code == 200, f"GET framework {version}: {r.status_code} {r.content[:500]!r}"
            self._codes[version] = [n["code"] for c in r.json()["categories"] for n in c["norms"]]
        return list(self._codes[version])

    # audits
    def audit_body(self, org_id, version="2019", body_id=None, kind="external", planned_on=None,
                   type_="initial", scope=None):
        if planned_on is None:
            planned_on = "2019-03-01" if version == "2017" else days(-14)
        out = {"organisationId": org_id, "kind": kind, "type": type_, "frameworkVersion": version,
               "plannedOn": d(planned_on), "scope": scope or whole_scope()}
        if body_id is not None:
            out["certifyingBodyId"] = body_id
        return out

    def create_audit(self, org_id, version="2019", body_id=None, token=None, **kw):
        r = self.client.post(AUDITS, token=token or self.admin,
                             json=self.audit_body(org_id, version, body_id, **kw))
        assert r.status_code == 201, f"create audit: {r.status_code} {r.content[:800]!r}"
        return r.json()

    # scores and outcomes
    def scores(self, version, partially=0, not_met=0, key="finding", text="bevinding"):
        codes = self.norm_codes(version)
        assert partially + not_met <= len(codes)
        out = []
        for i, code in enumerate(codes):
            score = "partially_met" if i < partially else "not_met" if i < partially + not_met else "met"
            entry = {"normCode": code, "score": score}
            if key:
                entry[key] = f"{text} {code}"
            out.append(entry)
        return out

    def outcome_body(self, version="2019", audited_on=None, advice="positive", partially=0, not_met=0, **extra):
        if audited_on is None:
            audited_on = "2019-03-05" if version == "2017" else days(-7)
        body = {"auditedOn": d(audited_on), "auditors": ["A. de Vries", "B. Jansen"], "advice": advice,
                "reportReference": f"RPT-{tag()}", "scores": self.scores(version, partially, not_met)}
        body.update(extra)
        return body

    def put_outcome(self, audit_id, body, token, key=None, expect=None):
        headers = {"Idempotency-Key": key} if key else None
        r = self.client.put(f"{AUDITS}/{audit_id}/outcome", token=token, json=body, headers=headers)
        if expect is not None:
            assert r.status_code == expect, f"PUT outcome: {r.status_code} {r.content[:1500]!r}"
        return r

    def decide(self, audit_id, granted=True, note="Besluit van de beheercommissie", token=None, expect=None):
        r = self.client.post(f"{AUDITS}/{audit_id}/decision", token=token or self.admin,
                             json={"granted": granted, "note": note})
        if expect is not None:
            assert r.status_code == expect, f"POST decision: {r.status_code} {r.content[:1500]!r}"
        return r

    def get_cert(self, number, token=None, expect=200):
        r = self.client.get(f"{CERTS}/{number}", token=token or self.admin)
        assert r.status_code == expect, f"GET certificate: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def certified(self, version="2019", org=None, party=None, type_="initial"):
        """The whole external flow up to a granted decision. Returns a dict with org, party (body,
        certifier acct/token), audit, outcome, decision, number, cert."""
        org = org or self.create_org()
        party = party or self.body_with_certifier()
        audit = self.create_audit(org["id"], version, party["body"]["id"], type_=type_)
        outcome = self.put_outcome(audit["id"], self.outcome_body(version), party["token"], expect=200).json()
        assert outcome["meetsThreshold"] is True, outcome
        decision = self.decide(audit["id"], True, expect=201).json()
        number = decision["certificateNumber"]
        assert isinstance(number, str) and CERT_RE.match(number), decision
        cert = self.get_cert(number)
        return {"org": org, "party": party, "audit": audit, "outcome": outcome, "decision": decision,
                "number": number, "cert": cert}

    def cert_action(self, number, action, token=None, reason=None, effective_on=None, expect=None):
        body = {"reason": reason or f"{action} {tag()}"}
        if effective_on is not None:
            body["effectiveOn"] = d(effective_on)
        r = self.client.post(f"{CERTS}/{number}/{action}", token=token or self.admin, json=body)
        if expect is not None:
            assert r.status_code == expect, f"POST {action}: {r.status_code} {r.content[:800]!r}"
        return r
