"""/v1/organisations: create, read, list, merge-patch with If-Match, per-object authorisation."""

import uuid

import pytest

import kr_helpers as H
import label_helpers as L
from kr_helpers import assert_problem

ORGS = L.ORGS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def patch(client, path, body, token, headers=None):
    return client.request("PATCH", path, token=token, json=body, headers=headers)


# ------------------------------------------------------------------ create / read


def test_create_with_defaults_and_read_back(client, lb):
    body = lb.org_body()
    r = client.post(ORGS, token=lb.admin, json=body)
    assert r.status_code == 201, r.content
    org = r.json()
    assert H.UUID_RE.match(org["id"])
    assert L.location_path(r) == f"{ORGS}/{org['id']}"
    assert r.headers.get("ETag"), "POST without ETag"
    for k in ("name", "kvkNumber", "city", "municipalityCodes"):
        assert org[k] == body[k], (k, org)
    assert org["address"] is None and org["postalCode"] is None, org
    assert org["employeesFte"] == 0 and org["volunteers"] == 0 and org["businessCriticalVolunteers"] == 0, org
    L.check_timestamp(org["createdAt"])
    L.check_timestamp(org["updatedAt"])
    g = client.get(f"{ORGS}/{org['id']}", token=lb.admin)
    assert g.status_code == 200
    assert g.json() == org
    assert g.headers.get("ETag") == r.headers.get("ETag")


def test_create_with_every_member(client, lb):
    body = lb.org_body(address="Hoofdstraat 1", postalCode="1234 AB", municipalityCodes=["GM0363", "GM0344"],
                       employeesFte=12.5, volunteers=40, businessCriticalVolunteers=40)
    r = client.post(ORGS, token=lb.admin, json=body)
    assert r.status_code == 201, r.content
    org = r.json()
    for k, v in body.items():
        assert org[k] == v, (k, org)


def test_postal_code_without_space_accepted(client, lb):
    r = client.post(ORGS, token=lb.admin, json=lb.org_body(postalCode="9999ZZ"))
    assert r.status_code == 201, r.content
    assert r.json()["postalCode"] in ("9999ZZ", "9999 ZZ")


def test_duplicate_kvk_is_409(client, lb):
    org = lb.create_org()
    r = client.post(ORGS, token=lb.admin, json=lb.org_body(kvkNumber=org["kvkNumber"]))
    assert_problem(r, 409)


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", "", 12345678, "12 34 56 78", None])
def test_kvk_must_be_8_digits(client, lb, kvk):
    r = client.post(ORGS, token=lb.admin, json=lb.org_body(kvkNumber=kvk))
    assert_problem(r, 400, slug="validation-error", fields={"kvkNumber"}, exact_fields=True)


@pytest.mark.parametrize("codes", [["GM363"], ["gm0363"], ["XX0363"], ["GM03630"], [], "GM0363",
                                   ["GM0363", "GM0363"], [363]])
def test_municipality_codes_malformed(client, lb, codes):
    r = client.post(ORGS, token=lb.admin, json=lb.org_body(municipalityCodes=codes))
    body = assert_problem(r, 400, slug="validation-error")
    names = H.field_names(body)
    assert names and all(n.startswith("municipalityCodes") for n in names), body


@pytest.mark.parametrize("member,value", [
    ("name", 123), ("name", ""), ("name", None), ("city", ["Utrecht"]), ("address", 7),
    ("postalCode", "0123 AB"), ("postalCode", "1234 ab"), ("postalCode", "12345"),
    ("employeesFte", -1), ("employeesFte", 12.55), ("employeesFte", "12"),
    ("volunteers", -1), ("volunteers", 2.5), ("volunteers", "3"), ("volunteers", True),
    ("businessCriticalVolunteers", -1),
])
def test_bad_member_values(client, lb, member, value):
    r = client.post(ORGS, token=lb.admin, json=lb.org_body(**{member: value}))
    assert_problem(r, 400, slug="validation-error", fields={member}, exact_fields=True)


def test_business_critical_volunteers_above_volunteers(client, lb):
    r = client.post(ORGS, token=lb.admin, json=lb.org_body(volunteers=2, businessCriticalVolunteers=3))
    assert_problem(r, 400, slug="validation-error", fields={"businessCriticalVolunteers"})


def test_missing_required_members_named_at_once(client, lb):
    r = client.post(ORGS, token=lb.admin, json={})
    assert_problem(r, 400, slug="validation-error", fields={"name", "kvkNumber", "city", "municipalityCodes"})


@pytest.mark.parametrize("extra", [{"colour": "red"}, {"id": str(uuid.uuid4())},
                                   {"createdAt": "2024-01-01T00:00:00Z"}, {"KvkNumber": "12345678"}])
def test_unknown_or_read_only_members_on_create(client, lb, extra):
    body = lb.org_body()
    body.update(extra)
    r = client.post(ORGS, token=lb.admin, json=body)
    assert_problem(r, 400, slug="validation-error", fields=set(extra), exact_fields=True)


def test_failed_create_creates_nothing(client, lb):
    body = lb.org_body(postalCode="bad")
    assert client.post(ORGS, token=lb.admin, json=body).status_code == 400
    body["postalCode"] = None
    r = client.post(ORGS, token=lb.admin, json=body)
    assert r.status_code == 201, r.content


def test_create_needs_json(client, lb):
    r = client.post(ORGS, token=lb.admin, data=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 415)


def test_get_malformed_and_unknown_id(client, lb):
    assert_problem(client.get(f"{ORGS}/not-a-uuid", token=lb.admin), 400, slug="validation-error",
                   fields={"organisationId"})
    assert_problem(client.get(f"{ORGS}/{uuid.uuid4()}", token=lb.admin), 404)


# ------------------------------------------------------------------ roles and per-object access


def test_roles_on_create_and_list(client, kr, lb):
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    _, muni_tok = lb.municipality()
    party = lb.body_with_certifier()
    for tok in (org_tok, muni_tok, party["token"]):
        assert_problem(client.post(ORGS, token=tok, json=lb.org_body()), 403)
        assert_problem(client.get(ORGS, token=tok), 403)
    assert_problem(client.post(ORGS, json=lb.org_body()), 401)
    assert_problem(client.get(ORGS), 401)


def test_organisation_sees_only_itself(client, lb):
    a, b = lb.create_org(), lb.create_org()
    _, tok_a = lb.org_account(a["id"])
    r = client.get(f"{ORGS}/{a['id']}", token=tok_a)
    assert r.status_code == 200
    assert r.json()["kvkNumber"] == a["kvkNumber"]
    assert_problem(client.get(f"{ORGS}/{b['id']}", token=tok_a), 404)
    assert_problem(patch(client, f"{ORGS}/{b['id']}", {"city": "Elders"}, tok_a), 404)
    assert client.get(f"{ORGS}/{b['id']}", token=lb.admin).json()["city"] == b["city"]


def test_organisation_patches_itself(client, lb):
    org = lb.create_org()
    _, tok = lb.org_account(org["id"])
    r = patch(client, f"{ORGS}/{org['id']}", {"address": "Kerkplein 2"}, tok)
    assert r.status_code == 200, r.content
    assert r.json()["address"] == "Kerkplein 2"


def test_certifier_and_municipality_cannot_read_one(client, lb):
    org = lb.create_org()
    _, muni_tok = lb.municipality()
    party = lb.body_with_certifier()
    for tok in (muni_tok, party["token"]):
        r = client.get(f"{ORGS}/{org['id']}", token=tok)
        assert_problem(r, 403)


# ------------------------------------------------------------------ list


def test_list_filters_kvk_and_q(client, lb):
    t = L.tag()
    a = lb.create_org(name=f"Buurtwerk AlphaQ{t}")
    b = lb.create_org(name=f"buurtwerk alphaq{t} Noord")
    lb.create_org()
    r = client.get(ORGS, token=lb.admin, params={"kvkNumber": a["kvkNumber"]})
    assert r.status_code == 200
    assert [o["id"] for o in r.json()["items"]] == [a["id"]]
    assert r.json()["nextCursor"] is None
    r = client.get(ORGS, token=lb.admin, params={"q": f"ALPHAQ{t}", "limit": "100"})
    assert r.status_code == 200
    assert [o["id"] for o in r.json()["items"]] == [a["id"], b["id"]], "q: contains, case-insensitive, by creation"
    r = client.get(ORGS, token=lb.admin, params={"kvkNumber": "00000000"})
    assert r.status_code == 200
    assert all(o["kvkNumber"] == "00000000" for o in r.json()["items"])


def test_list_pagination(client, lb):
    t = L.tag()
    made = [lb.create_org(name=f"Paged {t} {i}")["id"] for i in range(5)]
    seen, cursor = [], None
    for _ in range(10):
        params = {"q": f"Paged {t}", "limit": "2"}
        if cursor:
            params["cursor"] = cursor
        r = client.get(ORGS, token=lb.admin, params=params)
        assert r.status_code == 200, r.content
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [o["id"] for o in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == made


@pytest.mark.parametrize("params,field", [({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
                                          ({"limit": "x"}, "limit"), ({"cursor": "%%garbage%%"}, "cursor")])
def test_list_bad_query(client, lb, params, field):
    assert_problem(client.get(ORGS, token=lb.admin, params=params), 400, slug="validation-error", fields={field})


# ------------------------------------------------------------------ PATCH


def test_patch_merge_semantics_and_etag(client, lb):
    org = lb.create_org(address="Oud 1", postalCode="1000 AA")
    path = f"{ORGS}/{org['id']}"
    etag0 = client.get(path, token=lb.admin).headers.get("ETag")
    assert etag0
    r = patch(client, path, {"address": None, "volunteers": 5, "municipalityCodes": ["GM0344"]}, lb.admin,
              headers={"If-Match": etag0})
    assert r.status_code == 200, r.content
    after = r.json()
    assert after["address"] is None
    assert after["volunteers"] == 5
    assert after["municipalityCodes"] == ["GM0344"]
    assert after["postalCode"] == "1000 AA" and after["name"] == org["name"], "untouched members changed"
    assert after["id"] == org["id"] and after["createdAt"] == org["createdAt"]
    assert L.check_timestamp(after["updatedAt"]) >= L.check_timestamp(org["updatedAt"])
    etag1 = r.headers.get("ETag")
    assert etag1 and etag1 != etag0
    g = client.get(path, token=lb.admin)
    assert g.json() == after and g.headers.get("ETag") == etag1
    # the old ETag is now stale
    assert_problem(patch(client, path, {"city": "Stale"}, lb.admin, headers={"If-Match": etag0}), 412,
                   slug="precondition-failed")
    assert client.get(path, token=lb.admin).json()["city"] == org["city"], "a 412 must change nothing"
    # the current one works; no If-Match works too
    r = patch(client, path, {"city": "Fresh"}, lb.admin, headers={"If-Match": etag1})
    assert r.status_code == 200, r.content
    r = patch(client, path, {"employeesFte": 3.5}, lb.admin)
    assert r.status_code == 200 and r.json()["employeesFte"] == 3.5 and r.json()["city"] == "Fresh"


def test_patch_garbage_if_match_is_412(client, lb):
    org = lb.create_org()
    r = patch(client, f"{ORGS}/{org['id']}", {"city": "X"}, lb.admin, headers={"If-Match": '"not-the-etag"'})
    assert_problem(r, 412, slug="precondition-failed")


def test_patch_if_match_is_1_to_256_characters(client, lb):
    org = lb.create_org()
    path = f"{ORGS}/{org['id']}"
    etag = client.get(path, token=lb.admin).headers.get("ETag")
    # a list of entity tags that ends with the current one: 256 characters are read in full
    listed = '"' + "x" * (256 - len(etag) - 4) + '", ' + etag
    assert len(listed) == 256
    r = patch(client, path, {"city": "Lang"}, lb.admin, headers={"If-Match": listed})
    assert r.status_code == 200, r.content
    etag = r.headers.get("ETag")
    r = patch(client, path, {"city": "Te lang"}, lb.admin, headers={"If-Match": '"' + listed + '", ' + etag})
    assert_problem(r, 400, fields=["If-Match"], exact_fields=True)
    assert client.get(path, token=lb.admin).json()["city"] == "Lang", "a 400 must change nothing"


def test_patch_with_merge_patch_media_type(client, lb):
    org = lb.create_org()
    r = patch(client, f"{ORGS}/{org['id']}", {"name": "Hernoemd " + L.tag()}, lb.admin,
              headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 200, r.content
    assert r.json()["name"].startswith("Hernoemd ")


def test_patch_wrong_media_type_is_415(client, lb):
    org = lb.create_org()
    r = client.request("PATCH", f"{ORGS}/{org['id']}", token=lb.admin, data=b'{"city":"X"}',
                       headers={"Content-Type": "text/plain"})
    assert_problem(r, 415)


@pytest.mark.parametrize("member", ["id", "createdAt", "updatedAt"])
def test_patch_read_only_members_are_400(client, lb, member):
    org = lb.create_org()
    value = {"id": str(uuid.uuid4()), "createdAt": "2020-01-01T00:00:00Z", "updatedAt": "2020-01-01T00:00:00Z"}[member]
    r = patch(client, f"{ORGS}/{org['id']}", {member: value, "city": "Nope"}, lb.admin)
    assert_problem(r, 400, slug="validation-error", fields={member}, exact_fields=True)
    assert client.get(f"{ORGS}/{org['id']}", token=lb.admin).json()["city"] == org["city"]


@pytest.mark.parametrize("body,field", [
    ({"kvkNumber": "123"}, "kvkNumber"), ({"name": None}, "name"), ({"city": None}, "city"),
    ({"municipalityCodes": []}, "municipalityCodes"), ({"volunteers": "many"}, "volunteers"),
    ({"postalCode": "1234"}, "postalCode"), ({"unknownMember": 1}, "unknownMember"),
    ({"businessCriticalVolunteers": 99}, "businessCriticalVolunteers"),
])
def test_patch_bad_values(client, lb, body, field):
    org = lb.create_org(volunteers=3)
    r = patch(client, f"{ORGS}/{org['id']}", body, lb.admin)
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_patch_cannot_change_the_kvk_number(client, lb):
    """The KvK number is the legal entity's identity: neither the organisation nor the office
    changes it with a PATCH (the office uses kvk-number-changes, with a reason)."""
    a, b = lb.create_org(), lb.create_org()
    for token in (lb.admin,):
        r = patch(client, f"{ORGS}/{b['id']}", {"kvkNumber": a["kvkNumber"]}, token)
        assert_problem(r, 400, slug="validation-error", fields={"kvkNumber"})
    r = patch(client, f"{ORGS}/{b['id']}", {"kvkNumber": b["kvkNumber"], "city": "Deventer"}, lb.admin)
    assert r.status_code == 200 and r.json()["city"] == "Deventer", r.content


def test_patch_not_an_object_is_400(client, lb):
    org = lb.create_org()
    r = client.request("PATCH", f"{ORGS}/{org['id']}", token=lb.admin, data=b"[1]",
                       headers={"Content-Type": "application/json"})
    assert_problem(r, 400, slug="malformed-json")


def test_patch_unknown_organisation_is_404(client, lb):
    assert_problem(patch(client, f"{ORGS}/{uuid.uuid4()}", {"city": "X"}, lb.admin), 404)
