"""Helpers for the professional-register API tests (applications, professionals, approval,
measures, development plan and activities, evidence, progress, re-registration, the public
register).

Plain Python on top of kr_helpers and label_helpers. Every helper that builds a precondition
asserts the status it needs, so a failing step fails loudly with the server's answer. Names,
e-mail addresses, usernames and codes are random per call: tests are independent.

Time travel: a professional is put at a chosen point of the calendar by approving with an
explicit `periodStart` in the past (period = periodStart .. periodStart + periodYears - 1 day)
and by logging activities with past dates.

Rate limits: applications (10 per hour) and the public register (120 per minute) count per
client address, in PostgreSQL. Tests that use them talk to an extra server started with
TRUSTED_PROXIES=127.0.0.1 and send a fresh X-Forwarded-For address per test (`proxied`
fixture below, imported by the test modules that need it).
"""

import datetime
import hashlib
import itertools
import random
import struct
import urllib.parse
import uuid
import zlib

import pytest

import kr_helpers as H
import label_helpers as L

PROFS = "/v1/professionals"
APPS = "/v1/applications"
PROFILES = "/v1/register-profiles"
CODES = "/v1/codes-of-conduct"
COMPETENCES = "/v1/competences"
ACTIVITY_TYPES = "/v1/activity-types"
REGISTER = "/v1/register"

CURRENT_CODE = "2022"
SEEDED_PROFILES = ("sociaal-werker-mbo", "sociaal-werker-hbo")
DEFAULT_PROFILE = "sociaal-werker-hbo"
DEFAULT_REQUIREMENTS = {
    "categories": [
        {"category": "formal_learning", "minimumHours": 60, "capHours": None},
        {"category": "reflection", "minimumHours": 50, "capHours": None},
        {"category": "informal_learning", "minimumHours": 0, "capHours": 50},
    ],
    "totalHours": 160,
}
CATEGORY_OF = {
    "course": "formal_learning", "training": "formal_learning", "e_learning": "formal_learning",
    "webinar": "formal_learning", "congress": "formal_learning",
    "intervision": "reflection", "supervision": "reflection", "peer_consultation": "reflection",
    "case_discussion": "reflection", "coaching": "reflection", "mentoring": "reflection",
    "literature": "informal_learning", "work_based_learning": "informal_learning",
    "teaching": "informal_learning", "research": "informal_learning", "other": "informal_learning",
}
TYPE_FOR = {"formal_learning": "course", "reflection": "intervision", "informal_learning": "literature"}
STATUSES = ("applied", "registered", "suspended", "struck_off", "expired", "deregistered", "rejected")

MIB = 1024 * 1024

# ------------------------------------------------------------------ dates

today = L.today


def date_of(s):
    return datetime.date.fromisoformat(s) if isinstance(s, str) else s


def iso(d):
    return d.isoformat() if isinstance(d, datetime.date) else d


def days(n):
    """today + n days, YYYY-MM-DD."""
    return (today() + datetime.timedelta(days=n)).isoformat()


def shift(s, n):
    """date s + n days, YYYY-MM-DD."""
    return (date_of(s) + datetime.timedelta(days=n)).isoformat()


def add_years(s, years):
    """Calendar years, clamped to the month's last day (as PostgreSQL's + interval does)."""
    return L.add_months(date_of(s), 12 * years).isoformat()


def period_end(start, years=5):
    """The last day of a period that starts on `start` (inclusive end)."""
    return shift(add_years(start, years), -1)


def start_for_end(end, years=5):
    """A periodStart whose period ends exactly on `end` (avoids 29 February ambiguities)."""
    start = add_years(shift(end, 1), -years)
    for delta in (0, 1, -1, 2, -2):
        cand = shift(start, delta)
        if period_end(cand, years) == iso(end):
            return cand
    raise AssertionError(f"no period start ends on {end}")


def window_opens(end, weeks=12):
    return shift(end, -7 * weeks)


# ------------------------------------------------------------------ small things


def tag():
    return uuid.uuid4().hex[:10]


def upper_tag(n=8):
    return uuid.uuid4().hex[:n].upper()


def location_path(resp):
    return L.location_path(resp)


check_timestamp = L.check_timestamp
messages_for = L.messages_for


def field_list(body):
    return [e.get("field") for e in (body.get("errors") or [])]


def text_of(resp):
    return resp.content.decode("utf-8", "replace")


# Fresh client addresses for X-Forwarded-For (one per test that touches a rate-limited route).
_addr_counter = itertools.count(1)
_addr_base = random.SystemRandom().randrange(0, 200)


def fresh_address():
    n = next(_addr_counter)
    return f"100.{64 + (_addr_base + n // 65536) % 64}.{(n // 256) % 256}.{n % 256 or 1}"


# ------------------------------------------------------------------ files


def pdf_bytes(size=None, marker=None):
    """A small (or padded to `size` bytes) PDF: starts with %PDF-."""
    marker = marker or tag()
    head = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% " + marker.encode() + b"\n")
    tail = b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    body = head + tail
    if size is not None and size > len(body):
        pad = size - len(body)
        body = head + b"%" + b"x" * (pad - 2) + b"\n" + tail
    return body


def png_bytes(marker=None):
    """A valid 1x1 PNG (with a tEXt chunk carrying a marker so bodies differ)."""
    marker = (marker or tag()).encode()

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"Comment\x00" + marker)
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def jpeg_bytes(marker=None):
    """SOI + JFIF APP0 + a comment + EOI: starts with FF D8 FF."""
    marker = (marker or tag()).encode()
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    com = marker
    return (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
            + b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com + b"\xff\xd9")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ proxied server fixture


@pytest.fixture(scope="module")
def proxied(server, pg, contract):
    """An extra server on the same database that trusts X-Forwarded-For from 127.0.0.1.
    Yields a ProxiedClient factory: proxied() -> client with a fresh client address."""
    srv = H.ServerProcess(pg, env_overrides={"TRUSTED_PROXIES": "127.0.0.1"}, name="register-proxied")
    c = H.ApiClient(srv.base_url, contract)
    try:
        srv.wait_ready(60)
    except Exception as e:
        c.close()
        srv.stop()
        srv.cleanup_files()
        pytest.fail(str(e))

    def make(address=None):
        return ProxiedClient(c, address or fresh_address())

    yield make
    c.close()
    srv.stop(20)
    problems = srv.problems_after_stop()
    if problems:
        pytest.fail("\n\n".join(problems) + f"\n(server logs kept in {srv.workdir})", pytrace=False)
    srv.cleanup_files()


class ProxiedClient:
    """ApiClient look-alike that sends every request as coming from one client address."""

    def __init__(self, client, address):
        self.client = client
        self.address = address

    def request(self, method, path, **kw):
        headers = dict(kw.pop("headers", None) or {})
        headers.setdefault("X-Forwarded-For", self.address)
        return self.client.request(method, path, headers=headers, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)


# ------------------------------------------------------------------ the helper object


class Register:
    """Builds register fixtures through the API (asserting each step) for one test."""

    def __init__(self, client, kr):
        self.client = client
        self.kr = kr

    @property
    def admin(self):
        return self.kr.admin_token()

    def admin_id(self):
        r = self.client.get("/v1/accounts/me", token=self.admin)
        assert r.status_code == 200, r.content
        return r.json()["id"]

    # -------------------------------------------------------------- professionals

    def professional_body(self, **over):
        t = tag()
        body = {"givenName": "Sanne", "familyName": f"Jansen {t}", "email": f"sanne.{t}@example.test",
                "profile": DEFAULT_PROFILE, "educationLevel": "hbo"}
        body.update(over)
        return body

    def application_body(self, **over):
        t = tag()
        body = {"givenName": "Daan", "familyName": f"de Vries {t}", "email": f"daan.{t}@example.test",
                "profile": DEFAULT_PROFILE, "educationLevel": "mbo", "username": f"daan.{t}",
                "password": H.new_password()}
        body.update(over)
        return body

    def create_professional(self, **over):
        body = self.professional_body(**over)
        r = self.client.post(PROFS, token=self.admin, json=body)
        assert r.status_code == 201, f"create professional: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def account_for(self, pid):
        acct = self.kr.make_account("professional", link=pid)
        return acct, self.kr.token_for(acct)

    def verify_email(self, email):
        """Confirms an address with the link of its queued verification message (the session's
        server has no SMTP_URL, so the message waits in the outbox with its token)."""
        rows = self.kr.sql("select vars->>'token' from mail_outbox where template = 'email_verification'"
                           f" and to_address = '{email}' order by id desc limit 1")
        assert rows, f"no verification message for {email}"
        r = self.client.post(f"/v1/email-verifications/{rows[0][0]}")
        assert r.status_code == 204, f"verify {email}: {r.status_code} {r.content[:500]!r}"

    def new(self, **over):
        """An applied professional (admin-created, address verified) with a professional account.
        Returns dict: id, prof, acct, token, email."""
        prof = self.create_professional(**over)
        self.verify_email(prof["email"])
        acct, token = self.account_for(prof["id"])
        return {"id": prof["id"], "prof": prof, "acct": acct, "token": token, "email": prof["email"],
                "account_id": acct["account"]["id"]}

    def get(self, pid, token=None, on=None, expect=200):
        params = {"on": iso(on)} if on is not None else None
        r = self.client.get(f"{PROFS}/{pid}", token=token or self.admin, params=params)
        assert r.status_code == expect, f"GET professional: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def status_on(self, pid, on):
        return self.get(pid, on=on)["status"]

    def accept_code(self, p, version=CURRENT_CODE, expect=(200, 201)):
        r = self.client.post(f"{PROFS}/{p['id']}/code-of-conduct-acceptances", token=p["token"],
                             json={"version": version})
        expect = expect if isinstance(expect, tuple) else (expect,)
        assert r.status_code in expect, f"accept code: {r.status_code} {r.content[:800]!r}"
        return r

    def upload_diploma(self, pid, data=None, content_type="application/pdf", token=None, expect=200):
        data = pdf_bytes() if data is None else data
        r = self.client.put(f"{PROFS}/{pid}/diploma", token=token or self.admin, data=data,
                            headers={"Content-Type": content_type})
        if expect is not None:
            assert r.status_code == expect, f"PUT diploma: {r.status_code} {r.content[:800]!r}"
        return r

    def approve(self, pid, period_start=None, expect=200):
        body = {} if period_start is None else {"periodStart": iso(period_start)}
        r = self.client.post(f"{PROFS}/{pid}/approval", token=self.admin, json=body)
        if expect is not None:
            assert r.status_code == expect, f"approval: {r.status_code} {r.content[:1500]!r}"
        return r

    def ready(self, **over):
        """An applied professional with the current code accepted and a diploma uploaded."""
        p = self.new(**over)
        self.accept_code(p)
        self.upload_diploma(p["id"])
        return p

    def registered(self, period_start=None, **over):
        """A registered professional (approved with periodStart, default today)."""
        p = self.ready(**over)
        prof = self.approve(p["id"], period_start).json()
        p["prof"] = prof
        p["number"] = prof["registrationNumber"]
        p["start"] = prof["periodStart"]
        p["end"] = prof["periodEnd"]
        return p

    def registered_until(self, end, **over):
        """A registered professional (5-year profile) whose first period ends on `end`."""
        p = self.registered(start_for_end(iso(end)), **over)
        assert p["end"] == iso(end), p["prof"]
        return p

    def history(self, pid, token=None):
        r = self.client.get(f"{PROFS}/{pid}/history", token=token or self.admin)
        assert r.status_code == 200, f"history: {r.status_code} {r.content[:800]!r}"
        return r.json()["items"]

    def deregister(self, pid, on=None, reason=None, token=None, expect=200):
        body = {}
        if on is not None:
            body["on"] = iso(on)
        if reason is not None:
            body["reason"] = reason
        r = self.client.post(f"{PROFS}/{pid}/deregistration", token=token or self.admin, json=body)
        if expect is not None:
            assert r.status_code == expect, f"deregistration: {r.status_code} {r.content[:800]!r}"
        return r

    def reject(self, pid, reason="Diploma niet erkend", expect=200):
        r = self.client.post(f"{PROFS}/{pid}/rejection", token=self.admin, json={"reason": reason})
        if expect is not None:
            assert r.status_code == expect, f"rejection: {r.status_code} {r.content[:800]!r}"
        return r

    # -------------------------------------------------------------- measures

    def measure_body(self, type_, starts_on, ends_on=None, public=True, reason=None):
        body = {"type": type_, "startsOn": iso(starts_on), "reason": reason or f"Tuchtzaak {tag()}",
                "public": public}
        if ends_on is not None:
            body["endsOn"] = iso(ends_on)
        return body

    def impose(self, pid, type_, starts_on, ends_on=None, public=True, reason=None, expect=201):
        r = self.client.post(f"{PROFS}/{pid}/measures", token=self.admin,
                             json=self.measure_body(type_, starts_on, ends_on, public, reason))
        if expect is not None:
            assert r.status_code == expect, f"POST measure: {r.status_code} {r.content[:800]!r}"
        return r

    def end_measure(self, pid, mid, on, expect=200):
        r = self.client.post(f"{PROFS}/{pid}/measures/{mid}/ending", token=self.admin, json={"on": iso(on)})
        if expect is not None:
            assert r.status_code == expect, f"ending: {r.status_code} {r.content[:800]!r}"
        return r

    def revoke_measure(self, pid, mid, reason="Beroep gegrond", expect=200):
        r = self.client.post(f"{PROFS}/{pid}/measures/{mid}/revocation", token=self.admin,
                             json={"reason": reason})
        if expect is not None:
            assert r.status_code == expect, f"revocation: {r.status_code} {r.content[:800]!r}"
        return r

    # -------------------------------------------------------------- activities

    def activity_body(self, type_="course", hours=8, started_on=None, completed_on=None, status=None, **over):
        started_on = started_on or (completed_on or days(-30))
        if status is None:
            status = "completed" if completed_on else "planned"
        body = {"type": type_, "title": f"Activiteit {tag()}", "provider": "Hogeschool Test",
                "startedOn": iso(started_on), "completedOn": iso(completed_on) if completed_on else None,
                "hours": hours, "competenceCodes": ["G01"], "reflection": None, "supervisedBy": None,
                "status": status}
        if CATEGORY_OF.get(type_) == "reflection" and status == "completed":
            body["supervisedBy"] = "M. Supervisor"
        body.update(over)
        return body

    def add_activity(self, p, expect=201, token=None, **kw):
        body = self.activity_body(**kw)
        r = self.client.post(f"{PROFS}/{p['id']}/development-activities", token=token or p["token"], json=body)
        if expect is not None:
            assert r.status_code == expect, f"POST activity: {r.status_code} {r.content[:1200]!r}\nbody {body}"
        return r.json() if r.status_code == 201 else r

    def completed(self, p, category, hours, on, type_=None):
        """A completed activity of `category` with `hours`, completed on `on`."""
        return self.add_activity(p, type_=type_ or TYPE_FOR[category], hours=hours,
                                 started_on=shift(on, -1), completed_on=on)

    def meet_requirements(self, p, on):
        """Completed activities on `on` that meet the default requirements exactly (60/50/50 = 160)."""
        self.completed(p, "formal_learning", 60, on)
        self.completed(p, "reflection", 50, on)
        self.completed(p, "informal_learning", 50, on)

    def progress(self, pid, token=None, on=None, expect=200):
        params = {"on": iso(on)} if on is not None else None
        r = self.client.get(f"{PROFS}/{pid}/progress", token=token or self.admin, params=params)
        assert r.status_code == expect, f"progress: {r.status_code} {r.content[:1200]!r}"
        return r.json()

    def reregister(self, p, token=None):
        return self.client.post(f"{PROFS}/{p['id']}/reregistration", token=token or p["token"])  # no body (the contract has none)

    def upload_evidence(self, pid, aid, token, data=None, content_type="application/pdf", file_name=None,
                        expect=201):
        data = pdf_bytes() if data is None else data
        params = {"fileName": file_name} if file_name is not None else None
        r = self.client.post(f"{PROFS}/{pid}/development-activities/{aid}/evidence", token=token, data=data,
                             headers={"Content-Type": content_type}, params=params)
        if expect is not None:
            assert r.status_code == expect, f"POST evidence: {r.status_code} {r.content[:800]!r}"
        return r

    # -------------------------------------------------------------- reference data

    def create_profile(self, requirements=None, period_years=5, window_weeks=12, code=None):
        code = code or f"test-{tag()}"
        body = {"code": code, "name": f"Testkamer {code}", "periodYears": period_years,
                "windowWeeks": window_weeks, "requirements": requirements or DEFAULT_REQUIREMENTS}
        r = self.client.post(PROFILES, token=self.admin, json=body)
        assert r.status_code == 201, f"POST profile: {r.status_code} {r.content[:800]!r}"
        return r.json()

    def create_competence(self, code=None, kind="generic", life_domain=None, name=None):
        code = code or f"T-{upper_tag(8)}"
        body = {"code": code, "name": name or f"Testcompetentie {code}", "kind": kind, "lifeDomain": life_domain}
        r = self.client.post(COMPETENCES, token=self.admin, json=body)
        assert r.status_code == 201, f"POST competence: {r.status_code} {r.content[:800]!r}"
        return r.json()


def requirements(formal=60, reflection=50, informal_cap=50, total=160, informal_min=0,
                 formal_cap=None, reflection_cap=None):
    return {"categories": [
        {"category": "formal_learning", "minimumHours": formal, "capHours": formal_cap},
        {"category": "reflection", "minimumHours": reflection, "capHours": reflection_cap},
        {"category": "informal_learning", "minimumHours": informal_min, "capHours": informal_cap},
    ], "totalHours": total}


def by_category(progress):
    return {c["category"]: c for c in progress["categories"]}


def unmet_map(progress):
    return {u["requirement"]: u["missingHours"] for u in progress["unmet"]}


def collect(client, path, token=None, limit=2, max_pages=200, **params):
    """Follow nextCursor to the end; returns (items, pages). Every page but the last is full."""
    items, cursor, pages = [], None, 0
    for _ in range(max_pages):
        q = dict(params, limit=str(limit))
        if cursor:
            q["cursor"] = cursor
        r = client.get(path, token=token, params=q)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.content[:800]!r}"
        body = r.json()
        assert len(body["items"]) <= limit, body
        items += body["items"]
        pages += 1
        cursor = body["nextCursor"]
        assert cursor is None or len(body["items"]) == limit, f"a short page before the last: {body}"
        if cursor is None:
            return items, pages
    raise AssertionError("pagination does not end")


def quote(s):
    return urllib.parse.quote(s, safe="")
