"""/v1/accounts: create, read, list (keyset pagination), me, password change."""

import datetime
import urllib.parse
import uuid

import pytest

import kr_helpers as H
from kr_helpers import assert_problem

ACCOUNTS = "/v1/accounts"
ME = "/v1/accounts/me"
PASSWORD = "/v1/accounts/me/password"
ROLES = ["admin", "professional", "organisation", "certifier", "municipality"]
LINKS = {"professionalId", "organisationId", "certifyingBodyId", "municipalityCode"}


def check_account(acct, role, username=None, link=None):
    assert H.UUID_RE.match(acct["id"]), acct
    assert acct["role"] == role
    if username is not None:
        assert acct["username"] == username
    field = H.LINK_FIELD[role]
    present = LINKS & set(acct)
    assert present == ({field} if field else set()), f"links {present} on a {role} account: {acct}"
    if field:
        assert acct[field] == link
    for secret in ("password", "passwordHash", "password_hash"):
        assert secret not in acct, acct
    created = acct["createdAt"]
    dt = datetime.datetime.fromisoformat(created.replace("Z", "+00:00"))
    assert dt.utcoffset() == datetime.timedelta(0), f"createdAt {created!r} is not UTC"
    assert abs((datetime.datetime.now(datetime.timezone.utc) - dt).total_seconds()) < 600


def location_path(resp):
    loc = resp.headers.get("Location")
    assert loc, "201 without Location"
    return urllib.parse.urlsplit(loc).path


# ------------------------------------------------------------------ create / read


@pytest.mark.parametrize("role", ROLES)
def test_create_each_role(client, kr, admin_token, role):
    link = kr.new_link(role)
    username = H.unique_name(role[:4] + ".")
    body = {"username": username, "password": H.new_password(), "role": role}
    if H.LINK_FIELD[role]:
        body[H.LINK_FIELD[role]] = link
    r = client.post(ACCOUNTS, token=admin_token, json=body)
    assert r.status_code == 201, r.content
    acct = r.json()
    check_account(acct, role, username, link)
    assert location_path(r) == f"/v1/accounts/{acct['id']}"
    g = client.get(location_path(r), token=admin_token)
    assert g.status_code == 200
    assert g.json() == acct
    # the account can sign in and sees itself at /me
    tok = kr.token_for({"role": role, "username": username, "password": body["password"]})
    me = client.get(ME, token=tok)
    assert me.status_code == 200
    assert me.json() == acct


def test_get_me_admin(client, kr, admin_token):
    me = client.get(ME, token=admin_token)
    assert me.status_code == 200
    assert me.json()["username"] == H.ADMIN_USERNAME
    assert me.json()["role"] == "admin"
    assert not LINKS & set(me.json())
    assert H.UUID_RE.match(me.json()["id"])


def test_username_with_all_allowed_characters(client, kr):
    name = "a.B_c-d@" + uuid.uuid4().hex[:8]
    acct = kr.make_account("admin", username=name)
    assert acct["account"]["username"] == name


@pytest.mark.parametrize("pw_len", [12, 128])
def test_password_length_bounds_accepted(kr, pw_len):
    pw = ("p" * pw_len)[:pw_len - 6] + uuid.uuid4().hex[:6]
    acct = kr.make_account("professional", password=pw)
    kr.login(acct["username"], pw)


def test_get_unknown_id_is_404(client, admin_token):
    assert_problem(client.get(f"{ACCOUNTS}/{uuid.uuid4()}", token=admin_token), 404)


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g",
                                 "00000000000000000000000000000000x"])
def test_get_malformed_id_is_400(client, admin_token, bad):
    assert_problem(client.get(f"{ACCOUNTS}/{bad}", token=admin_token), 400, slug="validation-error",
                   fields={"accountId"})


# ------------------------------------------------------------------ create: validation


def test_duplicate_username_is_409_without_leaking(client, kr, admin_token):
    first = kr.make_account("admin")
    for variant in (first["username"], first["username"].upper(), first["username"].capitalize()):
        r = client.post(ACCOUNTS, token=admin_token, json={
            "username": variant, "password": H.new_password(), "role": "admin"})
        body = assert_problem(r, 409)
        for text in (body["detail"], body["title"], r.text):
            assert first["username"].lower() not in text.lower(), f"409 reveals the username: {body}"


def test_duplicate_username_differing_only_in_case(client, kr, admin_token):
    base = "MixedCase." + uuid.uuid4().hex[:8]
    kr.make_account("admin", username=base)
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": base.lower(), "password": H.new_password(), "role": "admin"})
    assert_problem(r, 409)


@pytest.mark.parametrize("role", ["superuser", "Admin", "", "ADMIN", None, 1])
def test_invalid_role(client, admin_token, role):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": H.unique_name(), "password": H.new_password(), "role": role})
    assert_problem(r, 400, slug="validation-error", fields={"role"})


@pytest.mark.parametrize("username", ["ab", "a" * 65, "has space", "ümlaut", "semi;colon", "slash/x", "", 42,
                                      None])
def test_bad_username(client, admin_token, username):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": username, "password": H.new_password(), "role": "admin"})
    assert_problem(r, 400, slug="validation-error", fields={"username"}, exact_fields=True)


@pytest.mark.parametrize("password", ["short", "elevenchars", "x" * 129, 123456789012345, None])
def test_bad_password(client, admin_token, password):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": H.unique_name(), "password": password, "role": "admin"})
    assert_problem(r, 400, slug="validation-error", fields={"password"}, exact_fields=True)


def test_missing_everything_names_every_field(client, admin_token):
    r = client.post(ACCOUNTS, token=admin_token, json={})
    assert_problem(r, 400, slug="validation-error", fields={"username", "password", "role"})


@pytest.mark.parametrize("role,field", [("professional", "professionalId"), ("organisation", "organisationId"),
                                        ("certifier", "certifyingBodyId"), ("municipality", "municipalityCode")])
def test_missing_link(client, admin_token, role, field):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": H.unique_name(), "password": H.new_password(), "role": role})
    assert_problem(r, 400, slug="validation-error", fields={field}, exact_fields=True)


@pytest.mark.parametrize("role,field", [("admin", "organisationId"), ("professional", "certifyingBodyId"),
                                        ("municipality", "professionalId"), ("certifier", "municipalityCode")])
def test_link_for_another_role(client, kr, admin_token, role, field):
    other_role = {v: k for k, v in H.LINK_FIELD.items() if v}[field]
    body = {"username": H.unique_name(), "password": H.new_password(), "role": role,
            field: kr.new_link(other_role)}
    if H.LINK_FIELD[role]:
        body[H.LINK_FIELD[role]] = kr.new_link(role)
    r = client.post(ACCOUNTS, token=admin_token, json=body)
    assert_problem(r, 400, slug="validation-error", fields={field}, exact_fields=True)


@pytest.mark.parametrize("role,field", [("professional", "professionalId"), ("organisation", "organisationId"),
                                        ("certifier", "certifyingBodyId")])
def test_nonexistent_link(client, admin_token, role, field):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": H.unique_name(), "password": H.new_password(), "role": role, field: str(uuid.uuid4())})
    assert_problem(r, 400, slug="validation-error", fields={field}, exact_fields=True)


@pytest.mark.parametrize("role,field,value", [
    ("professional", "professionalId", "not-a-uuid"), ("organisation", "organisationId", 12),
    ("municipality", "municipalityCode", "GM363"), ("municipality", "municipalityCode", "gm0363"),
    ("municipality", "municipalityCode", "XX0363"), ("municipality", "municipalityCode", "GM03630"),
])
def test_malformed_link(client, admin_token, role, field, value):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": H.unique_name(), "password": H.new_password(), "role": role, field: value})
    assert_problem(r, 400, slug="validation-error", fields={field}, exact_fields=True)


def test_every_field_at_once_missing_link(client, kr, admin_token):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": "a b", "password": "short", "role": "professional",
        "organisationId": kr.new_organisation()})
    assert_problem(r, 400, slug="validation-error",
                   fields={"username", "password", "professionalId", "organisationId"}, exact_fields=True)


def test_every_field_at_once_nonexistent_link(client, kr, admin_token):
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": "x", "password": "short", "role": "organisation",
        "organisationId": str(uuid.uuid4()), "certifyingBodyId": kr.new_certifying_body()})
    assert_problem(r, 400, slug="validation-error",
                   fields={"username", "password", "organisationId", "certifyingBodyId"}, exact_fields=True)


@pytest.mark.parametrize("extra", [{"isAdmin": True}, {"id": "00000000-0000-4000-8000-000000000000"},
                                   {"createdAt": "2024-01-01T00:00:00Z"}, {"Username": "dup"}])
def test_unknown_or_read_only_fields(client, admin_token, extra):
    body = {"username": H.unique_name(), "password": H.new_password(), "role": "admin"}
    body.update(extra)
    r = client.post(ACCOUNTS, token=admin_token, json=body)
    assert_problem(r, 400, slug="validation-error", fields=set(extra), exact_fields=True)


def test_failed_create_creates_nothing(client, kr, admin_token):
    name = H.unique_name("ghost")
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": name, "password": H.new_password(), "role": "professional",
        "professionalId": str(uuid.uuid4())})
    assert r.status_code == 400
    r = client.post(ACCOUNTS, token=admin_token, json={
        "username": name, "password": H.new_password(), "role": "admin"})
    assert r.status_code == 201, r.content


# ------------------------------------------------------------------ list


def walk(client, token, limit, **params):
    pages, cursor = [], None
    for _ in range(1000):
        q = dict(params, limit=str(limit))
        if cursor is not None:
            q["cursor"] = cursor
        r = client.get(ACCOUNTS, token=token, params=q)
        assert r.status_code == 200, r.content
        body = r.json()
        assert set(body) >= {"items", "nextCursor"}
        assert len(body["items"]) <= limit
        pages.append(body["items"])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages
        assert isinstance(cursor, str) and cursor
        assert len(body["items"]) == limit, "a non-final page must be full"
    raise AssertionError("pagination does not end")


def test_list_pagination_walk(client, kr, admin_token, sql):
    created = [kr.make_account("professional")["account"]["id"] for _ in range(7)]
    pages = walk(client, admin_token, 3)
    ids = [a["id"] for page in pages for a in page]
    assert len(ids) == len(set(ids)), "duplicates across pages"
    total = int(sql("select count(*) from accounts")[0][0])
    assert len(ids) == total, f"walked {len(ids)} accounts, the table has {total} (gaps)"
    assert [i for i in ids if i in set(created)] == created, "not ordered by creation"
    stamps = [a["createdAt"] for page in pages for a in page]
    parsed = [datetime.datetime.fromisoformat(s.replace("Z", "+00:00")) for s in stamps]
    assert parsed == sorted(parsed), "items not ordered by createdAt"
    assert pages[-1] is not None


def test_list_default_limit_is_20(client, kr, admin_token, sql):
    while int(sql("select count(*) from accounts")[0][0]) <= 20:
        kr.make_account("admin")
    r = client.get(ACCOUNTS, token=admin_token)
    assert r.status_code == 200
    assert len(r.json()["items"]) == 20
    assert r.json()["nextCursor"]


def test_list_limit_bounds_accepted(client, admin_token):
    for limit in ("1", "100"):
        r = client.get(ACCOUNTS, token=admin_token, params={"limit": limit})
        assert r.status_code == 200
        assert len(r.json()["items"]) <= int(limit)


def test_list_last_page_has_null_cursor(client, admin_token):
    r = client.get(ACCOUNTS, token=admin_token, params={"limit": "100"})
    body = r.json()
    if len(body["items"]) < 100:
        assert body["nextCursor"] is None


def test_list_role_filter(client, kr, admin_token):
    made = [kr.make_account("certifier")["account"]["id"] for _ in range(3)]
    pages = walk(client, admin_token, 2, role="certifier")
    items = [a for page in pages for a in page]
    assert all(a["role"] == "certifier" for a in items), items
    ids = [a["id"] for a in items]
    assert len(ids) == len(set(ids))
    assert set(made) <= set(ids)
    other = walk(client, admin_token, 100, role="municipality")
    assert not set(made) & {a["id"] for p in other for a in p}


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5", "", "1e2", "99999999999999999999"])
def test_list_bad_limit(client, admin_token, limit):
    r = client.get(ACCOUNTS, token=admin_token, params={"limit": limit})
    assert_problem(r, 400, slug="validation-error", fields={"limit"})


@pytest.mark.parametrize("cursor", ["garbage", "!!!", "eyJ4IjoxfQ", "A" * 500, "%00"])
def test_list_bad_cursor(client, admin_token, cursor):
    r = client.get(ACCOUNTS, token=admin_token, params={"cursor": cursor})
    assert_problem(r, 400, slug="validation-error", fields={"cursor"})


@pytest.mark.parametrize("role", ["superuser", "ADMIN", ""])
def test_list_bad_role(client, admin_token, role):
    r = client.get(ACCOUNTS, token=admin_token, params={"role": role})
    assert_problem(r, 400, slug="validation-error", fields={"role"})


def test_list_bad_limit_and_cursor_together(client, admin_token):
    r = client.get(ACCOUNTS, token=admin_token, params={"limit": "0", "cursor": "garbage", "role": "x"})
    assert_problem(r, 400, slug="validation-error", fields={"limit", "cursor", "role"})


# ------------------------------------------------------------------ authorisation


@pytest.mark.parametrize("role", ["professional", "organisation", "certifier", "municipality"])
def test_non_admin_is_403(client, kr, role):
    tok = kr.token_for(kr.make_account(role))
    some_id = kr.make_account("admin")["account"]["id"]
    assert_problem(client.get(ACCOUNTS, token=tok), 403)
    assert_problem(client.get(f"{ACCOUNTS}/{some_id}", token=tok), 403)
    assert_problem(client.post(ACCOUNTS, token=tok, json={
        "username": H.unique_name(), "password": H.new_password(), "role": "admin"}), 403)
    me = client.get(ME, token=tok)
    assert me.status_code == 200 and me.json()["role"] == role


def test_no_token_is_401(client, kr):
    some_id = kr.make_account("admin")["account"]["id"]
    for r in (client.get(ACCOUNTS), client.get(f"{ACCOUNTS}/{some_id}"), client.get(ME),
              client.post(ACCOUNTS, json={"username": H.unique_name(), "password": H.new_password(),
                                          "role": "admin"}),
              client.put(PASSWORD, json={"currentPassword": "x" * 12, "newPassword": "y" * 12})):
        assert_problem(r, 401)
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")


# ------------------------------------------------------------------ password change


def test_password_change_wrong_current(client, kr):
    acct = kr.make_account("professional")
    tok = kr.token_for(acct)
    r = client.put(PASSWORD, token=tok, json={"currentPassword": "not-the-current-pw",
                                              "newPassword": H.new_password()})
    assert_problem(r, 400, slug="validation-error", fields={"currentPassword"}, exact_fields=True)
    kr.login(acct["username"], acct["password"])


@pytest.mark.parametrize("new", ["short", "elevenchars", "n" * 129, 12345678901234, None])
def test_password_change_bad_new(client, kr, new):
    acct = kr.make_account("professional")
    tok = kr.token_for(acct)
    r = client.put(PASSWORD, token=tok, json={"currentPassword": acct["password"], "newPassword": new})
    assert_problem(r, 400, slug="validation-error", fields={"newPassword"}, exact_fields=True)
    kr.login(acct["username"], acct["password"])


def test_password_change_missing_and_unknown_fields(client, kr):
    acct = kr.make_account("professional")
    tok = kr.token_for(acct)
    assert_problem(client.put(PASSWORD, token=tok, json={}), 400, slug="validation-error",
                   fields={"currentPassword", "newPassword"})
    assert_problem(client.put(PASSWORD, token=tok, json={
        "currentPassword": acct["password"], "newPassword": H.new_password(), "confirm": "x"}),
        400, slug="validation-error", fields={"confirm"}, exact_fields=True)


def test_password_change_malformed_json(client, kr):
    acct = kr.make_account("professional")
    tok = kr.token_for(acct)
    r = client.put(PASSWORD, token=tok, data=b"[1]", headers={"Content-Type": "application/json"})
    assert_problem(r, 400, slug="malformed-json")


def test_password_change_success(client, kr):
    acct = kr.make_account("professional")
    t1 = kr.login(acct["username"], acct["password"])
    t2 = kr.login(acct["username"], acct["password"])
    new = H.new_password()
    r = client.put(PASSWORD, token=t1["access_token"], json={"currentPassword": acct["password"],
                                                              "newPassword": new})
    assert r.status_code == 204, r.content
    assert r.content == b""
    r = client.post("/v1/auth/token", json={"grant_type": "password", "username": acct["username"],
                                            "password": acct["password"]})
    assert_problem(r, 400, slug=None, error="invalid_grant")
    kr.login(acct["username"], new)
    for old in (t1["refresh_token"], t2["refresh_token"]):
        r = client.post("/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": old})
        assert_problem(r, 400, slug=None, error="invalid_grant")


def test_password_change_for_machine_account(client, kr):
    acct = kr.make_account("municipality")
    tok = kr.token_for(acct)
    new = H.new_password()
    r = client.put(PASSWORD, token=tok, json={"currentPassword": acct["password"], "newPassword": new})
    assert r.status_code == 204, r.content
    kr.client_credentials(acct["username"], new)
    r = client.post("/v1/auth/token", json={"grant_type": "client_credentials", "client_id": acct["username"],
                                            "client_secret": acct["password"]})
    assert_problem(r, 401, slug=None, error="invalid_client")
