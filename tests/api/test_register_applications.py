"""POST /v1/applications (anyone, rate-limited per client address) and POST /v1/professionals
(admin). Applications go through an extra server that trusts X-Forwarded-For from 127.0.0.1, with
a fresh client address per test, so the per-address counter (10 per hour, in PostgreSQL) of one
test never reaches another."""

import pytest

import kr_helpers as H
import register_helpers as R
from kr_helpers import assert_problem, decode_jwt
from register_helpers import proxied  # noqa: F401  (module-scoped fixture)

APPS, PROFS = R.APPS, R.PROFS


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def anon(proxied):  # noqa: F811
    """A client seen by the server as one fresh address."""
    return proxied()


def test_application_creates_record_and_account(client, kr, rg, anon):
    body = rg.application_body(givenName="Fleur", educationLevel="associate_degree", profile="sociaal-werker-mbo")
    r = anon.post(APPS, json=body)
    assert r.status_code == 201, r.content
    got = r.json()
    assert got["status"] == "applied"
    assert H.UUID_RE.match(got["professionalId"]) and H.UUID_RE.match(got["accountId"])
    assert R.location_path(r) == f"{PROFS}/{got['professionalId']}"
    # the account signs in with the password grant and is linked to the professional
    tok = kr.login(body["username"], body["password"])
    _, claims = decode_jwt(tok["access_token"])
    assert claims["role"] == "professional" and claims["professionalId"] == got["professionalId"]
    assert claims["sub"] == got["accountId"]
    me = client.get("/v1/accounts/me", token=tok["access_token"]).json()
    assert me["id"] == got["accountId"] and me["professionalId"] == got["professionalId"]
    assert me["username"] == body["username"]
    # the professional sees the applied record
    prof = rg.get(got["professionalId"], token=tok["access_token"])
    assert prof["status"] == "applied" and prof["statusOn"] == R.today().isoformat()
    assert prof["givenName"] == "Fleur" and prof["familyName"] == body["familyName"]
    assert prof["email"] == body["email"] and prof["profile"] == "sociaal-werker-mbo"
    assert prof["educationLevel"] == "associate_degree"
    assert prof["registrationNumber"] is None and prof["periodStart"] is None and prof["periodEnd"] is None
    assert prof["diploma"] is None and prof["rejectionReason"] is None and prof["deregisteredOn"] is None
    R.check_timestamp(prof["createdAt"])
    # and so does the admin
    assert rg.get(got["professionalId"])["status"] == "applied"
    hist = rg.history(got["professionalId"])
    assert hist and hist[0]["type"] == "applied"


def test_application_usernames_and_emails_are_case_insensitive(client, rg, anon):
    first = rg.application_body()
    assert anon.post(APPS, json=first).status_code == 201
    assert_problem(anon.post(APPS, json=rg.application_body(email=first["email"].swapcase())), 409)
    assert_problem(anon.post(APPS, json=rg.application_body(username=first["username"].swapcase())), 409)


def _dup_bodies(rg, first):
    t = R.tag()
    same_email = rg.application_body(email=first["email"].upper(), username=f"other.{t}")
    same_user = rg.application_body(username=first["username"].upper())
    return same_email, same_user


def test_duplicate_email_or_username_409_reveals_neither(client, rg, anon):
    first = rg.application_body()
    assert anon.post(APPS, json=first).status_code == 201
    same_email, same_user = _dup_bodies(rg, first)
    r1 = anon.post(APPS, json=same_email)
    b1 = assert_problem(r1, 409)
    r2 = anon.post(APPS, json=same_user)
    b2 = assert_problem(r2, 409)
    for resp, body in ((r1, same_email), (r2, same_user)):
        text = R.text_of(resp).lower()
        for secret in (first["email"].lower(), first["username"].lower(), body["email"].lower(),
                       body["username"].lower()):
            assert secret not in text, f"409 reveals {secret!r}: {text}"
    # which of the two collided is not revealed either: both answers say the same
    assert b1["detail"] == b2["detail"], (b1, b2)
    assert sorted(R.field_list(b1)) == sorted(R.field_list(b2)), (b1, b2)
    # nothing was created by the refused applications
    items, _ = R.collect(client, PROFS, token=rg.admin, limit=100, q=same_user["familyName"])
    assert items == []


def test_application_email_of_admin_created_professional_409(client, rg, anon):
    prof = rg.create_professional()
    assert_problem(anon.post(APPS, json=rg.application_body(email=prof["email"])), 409)


def test_application_username_of_existing_account_409(client, rg, anon, make_account):
    acct = make_account("admin")
    assert_problem(anon.post(APPS, json=rg.application_body(username=acct["username"])), 409)


@pytest.mark.parametrize("over,field", [
    ({"givenName": ""}, "givenName"),
    ({"givenName": "x" * 101}, "givenName"),
    ({"familyName": ""}, "familyName"),
    ({"familyName": "y" * 101}, "familyName"),
    ({"email": "not-an-address"}, "email"),
    ({"email": 12}, "email"),
    ({"profile": "no-such-profile"}, "profile"),
    ({"educationLevel": "wo"}, "educationLevel"),
    ({"username": "a b"}, "username"),
    ({"username": "ab"}, "username"),
    ({"password": "short"}, "password"),
    ({"password": "p" * 129}, "password"),
    ({"status": "registered"}, "status"),
    ({"role": "admin"}, "role"),
])
def test_bad_applications(client, rg, anon, over, field):
    body = rg.application_body(**over)
    assert_problem(anon.post(APPS, json=body), 400, slug="validation-error", fields={field})


def test_missing_application_members(client, rg, anon):
    r = anon.post(APPS, json={})
    assert_problem(r, 400, slug="validation-error",
                   fields={"givenName", "familyName", "email", "profile", "educationLevel", "username", "password"})


def test_application_wrong_content_type(client, rg, anon):
    r = anon.post(APPS, data=b"givenName=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 415)


def test_application_rate_limit(client, rg, proxied):  # noqa: F811
    flood = proxied()
    for i in range(10):
        r = flood.post(APPS, json=rg.application_body())
        assert r.status_code == 201, f"application {i + 1}: {r.status_code} {r.content[:500]!r}"
    r = flood.post(APPS, json=rg.application_body())
    assert_problem(r, 429)
    retry = r.headers.get("Retry-After")
    assert retry is not None and retry.isdigit() and 0 < int(retry) <= 3600, retry
    # another client address is not affected
    other = proxied()
    assert other.post(APPS, json=rg.application_body()).status_code == 201


# ------------------------------------------------------------------ POST /v1/professionals (admin)


def test_admin_creates_professional_without_account(client, rg):
    body = rg.professional_body(educationLevel="mbo", profile="sociaal-werker-mbo")
    r = client.post(PROFS, token=rg.admin, json=body)
    assert r.status_code == 201, r.content
    p = r.json()
    assert R.location_path(r) == f"{PROFS}/{p['id']}"
    assert p["status"] == "applied" and p["registrationNumber"] is None and p["diploma"] is None
    for k in ("givenName", "familyName", "email", "profile", "educationLevel"):
        assert p[k] == body[k]
    accounts, _ = R.collect(client, "/v1/accounts", token=rg.admin, limit=100, role="professional")
    assert p["id"] not in [a.get("professionalId") for a in accounts]
    assert_problem(client.post(PROFS, token=rg.admin, json=rg.professional_body(email=body["email"].upper())), 409)


@pytest.mark.parametrize("over,field", [
    ({"email": "nope"}, "email"),
    ({"profile": "nope"}, "profile"),
    ({"educationLevel": "phd"}, "educationLevel"),
    ({"username": "x"}, "username"),
    ({"status": "registered"}, "status"),
])
def test_bad_admin_professional_bodies(client, rg, over, field):
    assert_problem(client.post(PROFS, token=rg.admin, json=rg.professional_body(**over)), 400,
                   slug="validation-error", fields={field})


def test_professional_may_not_create_professionals(client, rg):
    p = rg.new()
    assert_problem(client.post(PROFS, token=p["token"], json=rg.professional_body()), 403)
    assert_problem(client.post(PROFS, json=rg.professional_body()), 401)
