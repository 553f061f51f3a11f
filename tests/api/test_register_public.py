"""The public register: GET /v1/register?q= and GET /v1/register/{registrationNumber}?on=.
Anyone, no token; never contact data; applied, rejected and deregistered professionals are not
listed. Requests go through the proxied server with a fresh client address per test (the
per-address limit is 120 per minute)."""

import json

import pytest

import register_helpers as R
from kr_helpers import assert_problem
from register_helpers import proxied  # noqa: F401  (module-scoped fixture)

REGISTER = R.REGISTER
PUBLIC_KEYS = {"registrationNumber", "givenName", "familyName", "profile", "status", "statusOn", "periods",
               "measures"}


@pytest.fixture
def rg(client, kr):
    return R.Register(client, kr)


@pytest.fixture
def pub(proxied):  # noqa: F811
    return proxied()


def search(pub, q, **params):
    items, cursor = [], None
    for _ in range(100):
        query = dict(params, q=q)
        if cursor:
            query["cursor"] = cursor
        r = pub.get(REGISTER, params=query)
        assert r.status_code == 200, f"search {q!r}: {r.status_code} {r.content[:500]!r}"
        assert "@" not in R.text_of(r) and "email" not in R.text_of(r).lower()
        items += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination does not end")


def numbers(items):
    return {i["registrationNumber"] for i in items}


def test_lookup_shows_public_fields_only(client, rg, pub):
    p = rg.registered(R.days(-30), givenName="Eva", familyName=f"Bakker {R.tag()}")
    r = pub.get(f"{REGISTER}/{p['number']}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) <= PUBLIC_KEYS, f"non-public members: {set(body) - PUBLIC_KEYS}"
    assert body["registrationNumber"] == p["number"] and body["givenName"] == "Eva"
    assert body["familyName"] == p["prof"]["familyName"] and body["profile"] == R.DEFAULT_PROFILE
    assert body["status"] == "registered" and body["statusOn"] == R.today().isoformat()
    assert body["periods"] == [{"startsOn": p["start"], "endsOn": p["end"]}]
    assert body["measures"] == []
    text = R.text_of(r)
    assert p["email"] not in text and "@" not in text and p["id"] not in text
    for key in ("email", "educationLevel", "diploma", "rejectionReason", "id"):
        assert key not in body


def test_lookup_with_a_token_is_still_public(client, rg, pub):
    p = rg.registered(R.days(-30))
    r = pub.get(f"{REGISTER}/{p['number']}", token=p["token"])
    assert r.status_code == 200 and "@" not in R.text_of(r)
    r = pub.get(f"{REGISTER}/{p['number']}", token=rg.admin)
    assert r.status_code == 200 and "@" not in R.text_of(r)


def test_search_accent_and_case_insensitive(client, rg, pub):
    t = R.tag()
    a = rg.registered(R.days(-30), givenName="Jürgen", familyName=f"Müller {t}")
    b = rg.registered(R.days(-30), givenName="Anouk", familyName=f"Muller {t}")
    c = rg.registered(R.days(-30), givenName="Zoë", familyName=f"Mulder {t}")
    assert numbers(search(pub, f"muller {t}")) == {a["number"], b["number"]}
    assert numbers(search(pub, f"MÜLLER {t}")) == {a["number"], b["number"]}
    assert numbers(search(pub, f"müller {t}".upper())) == {a["number"], b["number"]}
    assert numbers(search(pub, t)) == {a["number"], b["number"], c["number"]}
    # the given name is searched too
    assert a["number"] in numbers(search(pub, "JURGEN", limit="100"))
    assert c["number"] in numbers(search(pub, "zoe", limit="100"))
    for item in search(pub, t):
        assert set(item) <= PUBLIC_KEYS and "email" not in item


def test_search_pagination(client, rg, pub):
    t = R.tag()
    made = {rg.registered(R.days(-30), familyName=f"Visser {t} {i}")["number"] for i in range(5)}
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": t, "limit": "2"}
        if cursor:
            params["cursor"] = cursor
        r = pub.get(REGISTER, params=params)
        assert r.status_code == 200, r.content
        assert len(r.json()["items"]) <= 2
        seen += [i["registrationNumber"] for i in r.json()["items"]]
        cursor = r.json()["nextCursor"]
        assert cursor is None or len(r.json()["items"]) == 2, "every page but the last is full"
        pages += 1
        if cursor is None or pages > 10:
            break
    assert len(seen) == len(set(seen)) == 5 and set(seen) == made


def test_search_pages_are_full_although_unlisted_ones_match(client, rg, pub):
    """Applied, rejected and deregistered professionals match the name but are not listed: they
    are left out in SQL, before the page is cut, so each page holds `limit` items but the last."""
    t = R.tag()
    listed = []
    for i in range(3):
        rg.new(familyName=f"Verborgen {t} a{i}")
        listed.append(rg.registered(R.days(-30), familyName=f"Zichtbaar {t} {i}")["number"])
        gone = rg.registered(R.days(-30), familyName=f"Vertrokken {t} {i}")
        rg.deregister(gone["id"], on=R.days(-1))
    r = pub.get(REGISTER, params={"q": t, "limit": "2"})
    assert r.status_code == 200, r.content
    first = r.json()
    assert [i["registrationNumber"] for i in first["items"]] == listed[:2] and first["nextCursor"], first
    r = pub.get(REGISTER, params={"q": t, "limit": "2", "cursor": first["nextCursor"]})
    assert r.status_code == 200, r.content
    assert [i["registrationNumber"] for i in r.json()["items"]] == listed[2:] and r.json()["nextCursor"] is None


@pytest.mark.parametrize("params,field", [
    ({"q": "ab"}, "q"), ({"q": ""}, "q"), ({"q": "a"}, "q"), ({}, "q"),
    ({"q": "abc", "limit": "101"}, "limit"), ({"q": "abc", "limit": "0"}, "limit"),
    ({"q": "abc", "cursor": "nonsense"}, "cursor"),
])
def test_bad_search_parameters(client, pub, params, field):
    assert_problem(pub.get(REGISTER, params=params), 400, slug="validation-error", fields={field})


def test_three_characters_is_enough(client, rg, pub):
    r = pub.get(REGISTER, params={"q": "xqz"})
    assert r.status_code == 200, r.content


def test_applied_rejected_deregistered_not_public(client, rg, pub):
    t = R.tag()
    applied = rg.ready(familyName=f"Smit {t} a")
    rejected = rg.new(familyName=f"Smit {t} r")
    rg.reject(rejected["id"])
    dereg = rg.registered(R.days(-30), familyName=f"Smit {t} d")
    rg.deregister(dereg["id"], token=dereg["token"])
    shown = rg.registered(R.days(-30), familyName=f"Smit {t} s")
    suspended = rg.registered(R.days(-30), familyName=f"Smit {t} u")
    rg.impose(suspended["id"], "suspension", R.days(-1), R.days(10))
    struck = rg.registered(R.days(-30), familyName=f"Smit {t} o")
    rg.impose(struck["id"], "striking_off", R.days(-1))
    expired = rg.registered_until(R.days(-2), familyName=f"Smit {t} e")
    found = search(pub, f"smit {t}")
    assert numbers(found) == {shown["number"], suspended["number"], struck["number"], expired["number"]}
    st = {i["registrationNumber"]: i["status"] for i in found}
    assert st[suspended["number"]] == "suspended" and st[struck["number"]] == "struck_off"
    assert st[expired["number"]] == "expired" and st[shown["number"]] == "registered"
    assert_problem(pub.get(f"{REGISTER}/{dereg['number']}"), 404)
    assert_problem(pub.get(f"{REGISTER}/RSW9999999"), 404)
    assert_problem(pub.get(f"{REGISTER}/not-a-number"), 400, slug="validation-error", fields={"registrationNumber"})
    for p in (applied, rejected):
        assert rg.get(p["id"])["registrationNumber"] is None


def test_public_measures_only(client, rg, pub):
    p = rg.registered(R.days(-100))
    shown = rg.impose(p["id"], "suspension", R.days(-5), R.days(5), public=True).json()
    rg.impose(p["id"], "warning", R.days(-20), public=False, reason="Geheime waarschuwing")
    revoked = rg.impose(p["id"], "reprimand", R.days(-15), public=True).json()
    rg.revoke_measure(p["id"], revoked["id"])
    cond = rg.impose(p["id"], "conditional_suspension", R.days(-30), R.days(-10), public=True).json()
    r = pub.get(f"{REGISTER}/{p['number']}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "suspended"
    got = sorted(body["measures"], key=lambda m: m["startsOn"])
    assert got == [{"type": "conditional_suspension", "startsOn": cond["startsOn"], "endsOn": cond["endsOn"]},
                   {"type": "suspension", "startsOn": shown["startsOn"], "endsOn": shown["endsOn"]}]
    assert "Geheime" not in R.text_of(r) and "reason" not in json.dumps(body)
    # also in the search result
    found = [i for i in search(pub, p["prof"]["familyName"]) if i["registrationNumber"] == p["number"]]
    assert len(found) == 1
    assert sorted(m["type"] for m in found[0]["measures"]) == ["conditional_suspension", "suspension"]


def test_lookup_on_a_date(client, rg, pub):
    p = rg.registered(R.days(-100))
    rg.impose(p["id"], "striking_off", R.days(10))
    r = pub.get(f"{REGISTER}/{p['number']}", params={"on": R.days(9)})
    assert r.status_code == 200 and r.json()["status"] == "registered" and r.json()["statusOn"] == R.days(9)
    r = pub.get(f"{REGISTER}/{p['number']}", params={"on": R.days(10)})
    assert r.status_code == 200 and r.json()["status"] == "struck_off"
    r = pub.get(f"{REGISTER}/{p['number']}")
    assert r.json()["status"] == "registered"


def test_public_register_rate_limit(client, rg, proxied):  # noqa: F811
    p = rg.registered(R.days(-10))
    flood = proxied()
    ok = 0
    limited = None
    for i in range(250):
        r = flood.get(f"{REGISTER}/{p['number']}")
        if r.status_code == 429:
            limited = r
            break
        assert r.status_code == 200, r.content
        ok += 1
    assert limited is not None, "no 429 after 250 lookups from one address"
    assert_problem(limited, 429)
    retry = limited.headers.get("Retry-After")
    assert retry is not None and retry.isdigit() and 0 < int(retry) <= 60, retry
    assert 120 <= ok <= 240, f"429 after {ok} requests (limit is 120 per minute)"
    # the search counts too, and another address is not affected
    assert_problem(flood.get(REGISTER, params={"q": "abcdef"}), 429)
    assert proxied().get(f"{REGISTER}/{p['number']}").status_code == 200


@pytest.mark.parametrize("q", ["%%%", "___", "a%b", "\\\\\\"])
def test_search_wildcards_are_literal(client, rg, pub, q):
    rg.registered(R.days(-30), familyName=f"Wildcard {R.tag()}")
    r = pub.get(REGISTER, params={"q": q, "limit": "100"})
    assert r.status_code == 200, r.content
    for item in r.json()["items"]:
        name = f"{item['givenName']} {item['familyName']}".lower()
        assert q.lower() in name, f"{q!r} matched {name!r}"
