"""Mail (issue 10): the outbox sent over real SMTP to a receiver on loopback (smtp_helpers), the
e-mail verification and the password reset walked as a user would, and a sender killed in the
middle of a delivery. Each test runs a server of its own, with SMTP_URL, on a fresh database: the
outbox holds only what the test queued."""

import time
import uuid

import pytest

import kr_helpers as H
from smtp_helpers import Receiver

PROFILE = "sociaal-werker-hbo"


class World:
    def __init__(self, pg, db, srv, client, receiver):
        self.pg, self.db, self.srv, self.c, self.rx = pg, db, srv, client, receiver
        self.kr = H.Kr(client, pg)

    def sql(self, query):
        return self.pg.psql(query, db=self.db)

    @property
    def admin(self):
        return self.kr.admin_token()

    def apply(self, expect=201, **over):
        t = uuid.uuid4().hex[:10]
        body = {"givenName": "Anna", "familyName": f"Bakker {t}", "email": f"anna.{t}@example.test",
                "profile": PROFILE, "educationLevel": "hbo", "username": f"anna.{t}", "password": H.new_password()}
        body.update(over)
        r = self.c.post("/v1/applications", json=body)
        assert r.status_code == expect, r.text
        return body, (r.json() if expect == 201 else None)


def start_world(pg, scratch_db, spawn_server, receiver, **env):
    db = scratch_db()
    overrides = {"SMTP_URL": receiver.url, "MAIL_FROM": "Register Sociaal Werk <noreply@register.example>",
                 "PUBLIC_WEB_URL": "https://register.example/", "MAIL_POLL_MILLISECONDS": "200",
                 "MAIL_RETRY_BASE_SECONDS": "1"}
    overrides.update(env)
    srv, c = spawn_server(overrides, db=db)
    return World(pg, db, srv, c, receiver)


@pytest.fixture
def receiver():
    rx = Receiver().start()
    yield rx
    rx.stop()


@pytest.fixture
def world(pg, scratch_db, spawn_server, receiver):
    return start_world(pg, scratch_db, spawn_server, receiver)


# ------------------------------------------------------------------------- verification

def test_an_application_sends_a_verification_message_in_its_language(world):
    nl, _ = world.apply(givenName='<b>Anna & "Jo"</b>')
    en, _ = world.apply(language="en")
    m_nl = world.rx.wait_for(nl["email"])[0]
    m_en = world.rx.wait_for(en["email"])[0]
    assert m_nl.mail_from == "noreply@register.example" and m_nl.rcpt_tos == [nl["email"]]
    assert str(m_nl.msg["To"]) == nl["email"] and "Register Sociaal Werk" in str(m_nl.msg["From"])
    assert m_nl.subject.startswith("Bevestig uw e-mailadres") and m_en.subject.startswith("Confirm your e-mail")
    assert m_nl.msg.get_content_type() == "multipart/alternative"
    # values as they are in the text, escaped in the HTML; the link carries the token in its fragment
    assert 'Beste <b>Anna & "Jo"</b>,' in m_nl.text
    assert "Beste &lt;b&gt;Anna &amp; &quot;Jo&quot;&lt;/b&gt;," in m_nl.html and "<b>Anna" not in m_nl.html
    assert f"https://register.example/e-mailadres-bevestigen#token={m_nl.token}" in m_nl.text
    assert f'href="https://register.example/e-mailadres-bevestigen#token={m_nl.token}"' in m_nl.html
    assert "Dear Anna," in m_en.text and '<html lang="en">' in m_en.html
    assert m_nl.token != m_en.token
    # the token is stored only as its hash; the sent message's values are erased
    hashes = world.sql("select token_hash from email_verifications")
    assert len(hashes) == 2 and all(m.token not in h[0] for m in (m_nl, m_en) for h in hashes)
    assert world.sql("select count(*) from mail_outbox where state = 'sent' and vars is null")[0][0] == "2"
    assert m_nl.message_id.startswith("<mail-") and m_nl.message_id.endswith("@register.example>")


def test_a_verification_link_works_once(world):
    body, made = world.apply()
    token = world.rx.wait_for(body["email"])[0].token
    pid = made["professionalId"]
    assert world.c.get(f"/v1/professionals/{pid}", token=world.admin).json()["emailVerifiedAt"] is None
    r = world.c.post(f"/v1/email-verifications/{token}")
    assert r.status_code == 204 and r.content == b""
    verified = world.c.get(f"/v1/professionals/{pid}", token=world.admin).json()["emailVerifiedAt"]
    assert verified and verified.endswith("Z")
    again = world.c.post(f"/v1/email-verifications/{token}")
    H.assert_problem(again, 410)
    assert world.c.get(f"/v1/professionals/{pid}", token=world.admin).json()["emailVerifiedAt"] == verified


def test_bad_unknown_and_expired_verification_links(world):
    H.assert_problem(world.c.post("/v1/email-verifications/short"), 400, fields=["token"])
    H.assert_problem(world.c.post("/v1/email-verifications/" + "*" * 43), 400, fields=["token"])
    H.assert_problem(world.c.post("/v1/email-verifications/" + "A" * 43), 404)
    body, _ = world.apply()
    token = world.rx.wait_for(body["email"])[0].token
    world.sql("update email_verifications set expires_at = now() - interval '1 second'")
    H.assert_problem(world.c.post(f"/v1/email-verifications/{token}"), 410)


def test_approval_needs_a_verified_address_and_a_new_link_can_be_asked(world):
    body, made = world.apply()
    pid = made["professionalId"]
    own = world.kr.login(body["username"], body["password"])["access_token"]
    assert world.c.post(f"/v1/professionals/{pid}/code-of-conduct-acceptances", token=own,
                        json={"version": "2022"}).status_code in (200, 201)
    r = world.c.put(f"/v1/professionals/{pid}/diploma", token=own, data=b"%PDF-1.4\n%%EOF\n",
                    headers={"Content-Type": "application/pdf"})
    assert r.status_code == 200, r.text
    H.assert_problem(world.c.post(f"/v1/professionals/{pid}/approval", token=world.admin, json={}), 409, fields=["email"])
    # another professional may not ask for this one's link; the professional may, and the admin
    other, other_made = world.apply()
    other_token = world.kr.login(other["username"], other["password"])["access_token"]
    H.assert_problem(world.c.post(f"/v1/professionals/{pid}/email-verification", token=other_token), 404)
    assert world.c.post(f"/v1/professionals/{pid}/email-verification", token=own).status_code == 202
    messages = world.rx.wait_for(body["email"], count=2)
    assert messages[0].token != messages[1].token
    assert world.c.post(f"/v1/email-verifications/{messages[1].token}").status_code == 204
    H.assert_problem(world.c.post(f"/v1/professionals/{pid}/email-verification", token=world.admin), 409)
    r = world.c.post(f"/v1/professionals/{pid}/approval", token=world.admin, json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "registered" and r.json()["emailVerifiedAt"]


def test_a_record_made_by_the_office_is_sent_a_verification_message(world):
    email = f"office.{uuid.uuid4().hex[:8]}@example.test"
    r = world.c.post("/v1/professionals", token=world.admin,
                     json={"givenName": "Piet", "familyName": "Jansen", "email": email, "profile": PROFILE,
                           "educationLevel": "mbo"})
    assert r.status_code == 201, r.text
    m = world.rx.wait_for(email)[0]
    assert m.subject.startswith("Bevestig uw e-mailadres") and "Beste Piet," in m.text


def test_languages_are_checked_and_shown(world):
    _, made = world.apply(language="en")
    acct = world.c.get(f"/v1/accounts/{made['accountId']}", token=world.admin).json()
    assert acct["language"] == "en"
    t = uuid.uuid4().hex[:8]
    r = world.c.post("/v1/applications", json={"givenName": "A", "familyName": "B", "email": f"l.{t}@example.test",
                                               "profile": PROFILE, "educationLevel": "hbo", "username": f"l.{t}",
                                               "password": H.new_password(), "language": "de"})
    H.assert_problem(r, 400, fields=["language"])
    r = world.c.post("/v1/accounts", token=world.admin,
                     json={"username": f"adm.{uuid.uuid4().hex[:6]}", "password": H.new_password(), "role": "admin",
                           "language": "fr"})
    H.assert_problem(r, 400, fields=["language"])
    r = world.c.post("/v1/accounts", token=world.admin,
                     json={"username": f"adm.{uuid.uuid4().hex[:6]}", "password": H.new_password(), "role": "admin"})
    assert r.status_code == 201 and r.json()["language"] == "nl"


# ------------------------------------------------------------------------- password reset

def reset(world, email, expect=202):
    r = world.c.post("/v1/password-resets", json={"email": email})
    assert r.status_code == expect, r.text
    return r


def test_a_password_reset_walked_through(world):
    body, made = world.apply(language="en")
    world.rx.wait_for(body["email"])  # the verification message
    tokens = world.kr.login(body["username"], body["password"])
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    time.sleep(1.1)  # tokens issued in an earlier second than the reset
    reset(world, body["email"].upper())  # addresses match regardless of case
    m = world.rx.wait_for(body["email"], count=2)[1]
    assert m.subject.startswith("A new password") and body["username"] in m.text
    assert f"https://register.example/wachtwoord-herstellen#token={m.token}" in m.text
    new = H.new_password()
    H.assert_problem(world.c.put(f"/v1/password-resets/{m.token}", json={"password": "short"}), 400, fields=["password"])
    r = world.c.put(f"/v1/password-resets/{m.token}", json={"password": new})
    assert r.status_code == 204, r.text
    # the old password, the old refresh token and the old access token no longer work
    world.kr.login(body["username"], body["password"], expect=400)
    assert world.kr.token_request({"grant_type": "refresh_token", "refresh_token": refresh}).status_code == 400
    assert world.c.get("/v1/accounts/me", token=access).status_code == 401
    fresh = world.kr.login(body["username"], new)["access_token"]
    assert world.c.get("/v1/accounts/me", token=fresh).json()["id"] == made["accountId"]
    H.assert_problem(world.c.put(f"/v1/password-resets/{m.token}", json={"password": H.new_password()}), 410)


def test_an_unknown_address_gets_the_same_answer_and_no_message(world):
    body, _ = world.apply()
    world.rx.wait_for(body["email"])
    unknown = f"nobody.{uuid.uuid4().hex[:8]}@example.test"
    known, other = reset(world, body["email"]), reset(world, unknown)
    assert known.status_code == other.status_code == 202 and known.content == other.content == b""
    drop = {"x-request-id", "date"}
    assert {k.lower(): v for k, v in known.headers.items() if k.lower() not in drop} == \
           {k.lower(): v for k, v in other.headers.items() if k.lower() not in drop}
    world.rx.wait_for(body["email"], count=2)  # the known address's message arrives
    time.sleep(0.5)
    assert world.rx.to(unknown) == []
    # both requests were stored and handled alike; only the known one became a message
    assert world.sql("select count(*) from password_reset_requests")[0][0] == "0"
    assert world.sql(f"select count(*) from mail_outbox where to_address = '{unknown}'")[0][0] == "0"


def test_reset_requests_are_limited_per_address_and_per_account(world):
    body, _ = world.apply()
    world.rx.wait_for(body["email"])
    for _ in range(5):
        reset(world, body["email"])
    world.rx.wait_for(body["email"], count=4)  # verification + 3 resets
    time.sleep(0.6)
    assert len(world.rx.to(body["email"])) == 4
    for _ in range(5):
        reset(world, f"x.{uuid.uuid4().hex[:6]}@example.test")
    r = world.c.post("/v1/password-resets", json={"email": body["email"]})
    H.assert_problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1


def test_bad_reset_bodies_and_links(world):
    for bad, field in (({}, "email"), ({"email": "not-an-address"}, "email"), ({"email": 5}, "email"),
                       ({"email": "a@b.example", "extra": 1}, "extra"), ({"email": "x" * 250 + "@b.nl"}, "email")):
        H.assert_problem(world.c.post("/v1/password-resets", json=bad), 400, fields=[field])
    H.assert_problem(world.c.put("/v1/password-resets/" + "B" * 43, json={"password": H.new_password()}), 404)
    H.assert_problem(world.c.put("/v1/password-resets/nope", json={"password": H.new_password()}), 400, fields=["token"])


def test_expired_and_deactivated_reset_links_are_gone(world):
    body, made = world.apply()
    world.rx.wait_for(body["email"])
    reset(world, body["email"])
    first = world.rx.wait_for(body["email"], count=2)[1].token
    world.sql("update password_resets set expires_at = now() - interval '1 second'")
    H.assert_problem(world.c.put(f"/v1/password-resets/{first}", json={"password": H.new_password()}), 410)
    reset(world, body["email"])
    second = world.rx.wait_for(body["email"], count=3)[2].token
    r = world.c.post(f"/v1/accounts/{made['accountId']}/deactivation", token=world.admin, json={"reason": "test"})
    assert r.status_code == 200, r.text
    H.assert_problem(world.c.put(f"/v1/password-resets/{second}", json={"password": H.new_password()}), 410)
    # a deactivated account is sent no reset message
    reset(world, body["email"])
    time.sleep(0.8)
    assert len(world.rx.to(body["email"])) == 3


# ------------------------------------------------------------------------- delivery

def test_a_refusal_fails_for_good_and_a_temporary_one_is_retried(world):
    gone = f"gone.{uuid.uuid4().hex[:6]}@example.test"
    later = f"later.{uuid.uuid4().hex[:6]}@example.test"
    world.rx.refuse[gone] = "550 5.1.1 No such mailbox"
    world.rx.refuse[later] = "451 4.3.0 Try again later"
    world.apply(email=gone)
    world.apply(email=later)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = dict(world.sql("select to_address, state || ':' || attempts from mail_outbox"
                              f" where to_address in ('{gone}', '{later}')"))
        if rows.get(gone, "").startswith("failed") and rows.get(later, "queued:0") != "queued:0":
            break
        time.sleep(0.1)
    assert rows[gone] == "failed:1", rows
    assert rows[later].startswith("queued:"), rows
    assert world.sql(f"select vars is null, last_error like '%550%' from mail_outbox where to_address = '{gone}'")[0] == ("t", "t")
    del world.rx.refuse[later]
    world.rx.wait_for(later, timeout=20)  # retried after MAIL_RETRY_BASE_SECONDS
    assert world.sql(f"select state from mail_outbox where to_address = '{later}'")[0][0] == "sent"
    outcomes = [o for (o,) in world.sql("select d.outcome from mail_deliveries d join mail_outbox m on m.id = d.message_id"
                                         f" where m.to_address = '{later}' order by d.attempt")]
    assert outcomes[-1] == "sent" and set(outcomes[:-1]) == {"retry"}


def test_a_killed_sender_loses_and_doubles_nothing(pg, scratch_db, receiver, contract):
    """The sender is killed while the SMTP server holds its transaction: the message was not
    accepted, stays queued, and the next sender delivers it exactly once."""
    db = scratch_db()
    env = {"SMTP_URL": receiver.url, "MAIL_POLL_MILLISECONDS": "200"}
    first = H.ServerProcess(pg, env_overrides=env, db=db, name="mail-killed")
    second = None
    try:
        first.wait_ready(60)
        c = H.ApiClient(first.base_url, contract)
        receiver.hold()
        w = World(pg, db, first, c, receiver)
        body, _ = w.apply()
        assert receiver.held.wait(10), "the sender never reached the SMTP server"
        first.proc.kill()
        first.proc.wait(10)
        first._finish(first.proc.returncode)
        c.close()
        receiver.release()
        assert receiver.to(body["email"]) == []
        assert w.sql("select state, attempts from mail_outbox")[0] == ("queued", "0")
        second = H.ServerProcess(pg, env_overrides=env, db=db, name="mail-second")
        second.wait_ready(60)
        got = receiver.wait_for(body["email"])
        time.sleep(0.6)
        assert len(receiver.to(body["email"])) == 1 and got[0].message_id.startswith("<mail-")
        assert w.sql("select state, attempts from mail_outbox")[0] == ("sent", "1")
        assert w.sql("select count(*) from mail_deliveries")[0][0] == "1"
        second.stop(20)
        assert second.problems_after_stop() == []
    finally:
        for s in (first, second):
            if s is not None:
                if s.returncode is None:
                    s.stop(20)
                s.cleanup_files()


def test_without_smtp_messages_stay_queued_and_the_service_is_ready(client, kr, sql):
    """The session's server has no SMTP_URL: mail is off, a message waits in the outbox."""
    t = uuid.uuid4().hex[:8]
    r = client.post("/v1/applications", json={"givenName": "Q", "familyName": f"Queue {t}",
                                              "email": f"queue.{t}@example.test", "profile": PROFILE,
                                              "educationLevel": "hbo", "username": f"queue.{t}",
                                              "password": H.new_password()})
    assert r.status_code == 201, r.text
    time.sleep(0.3)
    assert sql(f"select state, attempts, vars is not null from mail_outbox where to_address = 'queue.{t}@example.test'") \
        == [("queued", "0", "t")]
    assert client.get("/readyz").status_code == 200


# ------------------------------------------------------------------------- notices

import register_helpers as R  # noqa: E402


def registered(world, period_start=None, profile=PROFILE, **over):
    """An applicant walked to registration on world's server; returns (body, professional)."""
    body, made = world.apply(profile=profile, **over)
    pid = made["professionalId"]
    token = world.rx.wait_for(body["email"])[0].token
    assert world.c.post(f"/v1/email-verifications/{token}").status_code == 204
    own = world.kr.login(body["username"], body["password"])["access_token"]
    assert world.c.post(f"/v1/professionals/{pid}/code-of-conduct-acceptances", token=own,
                        json={"version": R.CURRENT_CODE}).status_code in (200, 201)
    assert world.c.put(f"/v1/professionals/{pid}/diploma", token=own, data=R.pdf_bytes(),
                       headers={"Content-Type": "application/pdf"}).status_code == 200
    approval = {} if period_start is None else {"periodStart": period_start}
    r = world.c.post(f"/v1/professionals/{pid}/approval", token=world.admin, json=approval)
    assert r.status_code == 200, r.text
    return body, r.json()


def dutch(date_text):
    y, m, d = date_text.split("-")
    return f"{d}-{m}-{y}"


def test_decisions_send_notices(world):
    body, prof = registered(world)
    approved = world.rx.wait_for(body["email"], count=2)[1]
    assert approved.subject == "Uw inschrijving in het Register Sociaal Werk"
    assert prof["registrationNumber"] in approved.text and dutch(prof["periodEnd"]) in approved.text
    r = world.c.post(f"/v1/professionals/{prof['id']}/measures", token=world.admin,
                     json={"type": "reprimand", "startsOn": R.days(0), "reason": "Klacht gegrond", "public": False})
    assert r.status_code == 201, r.text
    measure = world.rx.wait_for(body["email"], count=3)[2]
    assert "een berisping" in measure.text and prof["registrationNumber"] in measure.text
    # a rejection names its reason, escaped in the HTML
    other, made = world.apply(language="en")
    world.rx.wait_for(other["email"])
    r = world.c.post(f"/v1/professionals/{made['professionalId']}/rejection", token=world.admin,
                     json={"reason": "Diploma <niet> erkend & onvolledig"})
    assert r.status_code == 200, r.text
    rejected = world.rx.wait_for(other["email"], count=2)[1]
    assert rejected.subject == "Your application for the Register Sociaal Werk"
    assert "Diploma <niet> erkend & onvolledig" in rejected.text
    assert "Diploma &lt;niet&gt; erkend &amp; onvolledig" in rejected.html


def test_dates_bring_reregistration_and_lapse_notices_once(pg, scratch_db, spawn_server, receiver):
    world = start_world(pg, scratch_db, spawn_server, receiver, NOTICE_INTERVAL_SECONDS="1")
    r = world.c.post("/v1/register-profiles", token=world.admin,
                     json={"code": "notices-easy", "name": "Zonder eisen", "periodYears": 1, "windowWeeks": 12,
                           "requirements": R.requirements(formal=0, reflection=0, informal_cap=None, total=0)})
    assert r.status_code == 201, r.text
    r = world.c.post("/v1/register-profiles", token=world.admin,
                     json={"code": "notices-hard", "name": "Met eisen", "periodYears": 1, "windowWeeks": 12,
                           "requirements": R.requirements()})
    assert r.status_code == 201, r.text
    far, _ = registered(world, R.days(-365 + 200), profile="notices-hard")       # window not open yet
    open_, p_open = registered(world, R.days(-365 + 70), profile="notices-hard")  # window open
    unmet, p_unmet = registered(world, R.days(-365 + 20), profile="notices-hard")  # 3 weeks left, hours missing
    met, p_met = registered(world, R.days(-365 + 20), profile="notices-easy")      # 3 weeks left, nothing missing
    lapsed, p_lapsed = registered(world, R.days(-365 - 6), profile="notices-hard")  # ended 7 days ago
    # a second replica looks for due notices too: still one message per cause
    spawn_server({"SMTP_URL": receiver.url, "MAIL_POLL_MILLISECONDS": "200", "NOTICE_INTERVAL_SECONDS": "1"},
                 db=world.db)

    def subjects(who, count):
        got = world.rx.wait_for(who["email"], count=count)
        return [m.subject for m in got[2:]]  # after the verification and the approval

    assert subjects(open_, 3) == ["U kunt zich herregistreren in het Register Sociaal Werk"]
    assert sorted(subjects(unmet, 4)) == sorted(["U kunt zich herregistreren in het Register Sociaal Werk",
                                                 "Nog 4 weken om aan de herregistratie-eisen te voldoen"])
    assert subjects(met, 3) == ["U kunt zich herregistreren in het Register Sociaal Werk"]
    assert subjects(lapsed, 3) == ["Uw inschrijving in het Register Sociaal Werk is vervallen"]
    lapse = world.rx.to(lapsed["email"])[2]
    assert dutch(p_lapsed["periodEnd"]) in lapse.text and p_lapsed["registrationNumber"] in lapse.text
    time.sleep(2.5)  # several more scans on both replicas
    counts = {who["email"]: len(world.rx.to(who["email"])) for who in (far, open_, unmet, met, lapsed)}
    assert counts == {far["email"]: 2, open_["email"]: 3, unmet["email"]: 4, met["email"]: 3, lapsed["email"]: 3}
    assert world.sql("select count(*) from register_notices_skipped")[0][0] == "1"


# ------------------------------------------------------------------------- address change

def test_a_new_address_is_verified_before_it_is_used(world):
    body, made = world.apply()
    pid = made["professionalId"]
    world.rx.wait_for(body["email"])
    own = world.kr.login(body["username"], body["password"])["access_token"]
    new = f"nieuw.{uuid.uuid4().hex[:8]}@example.test"
    r = world.c.put(f"/v1/professionals/{pid}/email", token=own, json={"email": new})
    assert r.status_code == 202 and r.content == b"", r.text
    link = world.rx.wait_for(new)[0]
    assert link.subject.startswith("Bevestig uw nieuwe e-mailadres") and "oude adres" in link.text
    prof = world.c.get(f"/v1/professionals/{pid}", token=own).json()
    assert prof["email"] == body["email"] and prof["emailVerifiedAt"] is None  # not used before the link
    assert world.c.post(f"/v1/email-verifications/{link.token}").status_code == 204
    prof = world.c.get(f"/v1/professionals/{pid}", token=own).json()
    assert prof["email"] == new and prof["emailVerifiedAt"]
    told = world.rx.wait_for(body["email"], count=2)[1]  # the old address hears of the change
    assert told.subject.startswith("Uw e-mailadres voor het Register Sociaal Werk is gewijzigd") and new in told.text
    H.assert_problem(world.c.post(f"/v1/email-verifications/{link.token}"), 410)
    # the old address's verification link no longer verifies anything
    first = world.rx.to(body["email"])[0].token
    H.assert_problem(world.c.post(f"/v1/email-verifications/{first}"), 410)


def test_address_changes_refused(world):
    body, made = world.apply()
    other, _ = world.apply()
    pid = made["professionalId"]
    own = world.kr.login(body["username"], body["password"])["access_token"]
    other_token = world.kr.login(other["username"], other["password"])["access_token"]
    path = f"/v1/professionals/{pid}/email"
    H.assert_problem(world.c.put(path, token=own, json={"email": body["email"].upper()}), 409, fields=["email"])
    taken = world.c.put(path, token=own, json={"email": other["email"]})
    H.assert_problem(taken, 409, fields=["email"])
    assert other["email"] not in taken.text  # says nothing of whose it is
    H.assert_problem(world.c.put(path, token=own, json={"email": "geen adres"}), 400, fields=["email"])
    H.assert_problem(world.c.put(path, token=own, json={}), 400, fields=["email"])
    H.assert_problem(world.c.put(path, token=other_token, json={"email": "x@example.test"}), 404)
    # a change whose address another professional took meanwhile is gone when its link is used
    wanted = f"gewild.{uuid.uuid4().hex[:8]}@example.test"
    assert world.c.put(path, token=own, json={"email": wanted}).status_code == 202
    token = world.rx.wait_for(wanted)[0].token
    world.apply(email=wanted)
    H.assert_problem(world.c.post(f"/v1/email-verifications/{token}"), 410)
    assert world.c.get(f"/v1/professionals/{pid}", token=own).json()["email"] == body["email"]
