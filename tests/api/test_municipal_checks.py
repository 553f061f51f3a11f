"""/v1/certification-checks (single and bulk) and /v1/certification-check-log: point-in-time
answers (not yet valid, valid, suspended, withdrawn, expired), which certificate is shown when an
organisation has several, unknown KvK numbers, validation, roles, and the log of municipal checks."""


import pytest

import kr_helpers as H
import label_helpers as L
import municipal_helpers as M
from kr_helpers import assert_problem

CHECKS, CHECK_LOG = M.CHECKS, M.CHECK_LOG
CHECK_KEYS = {"kvkNumber", "on", "certified", "organisation", "certificate"}
CERT_KEYS = {"certificateNumber", "status", "validFrom", "validUntil", "frameworkVersion", "certifyingBody", "changes"}


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


@pytest.fixture
def muni(lb):
    """(account dict, token) of a municipality with a code of its own."""
    return lb.municipality(L.random_gm())


def check(client, token, kvk, on=None):
    params = {"kvkNumber": kvk}
    if on is not None:
        params["on"] = on
    r = client.get(CHECKS, token=token, params=params)
    assert r.status_code == 200, f"check {kvk} on {on}: {r.status_code} {r.content[:800]!r}"
    body = r.json()
    assert set(body) == CHECK_KEYS, body
    assert body["kvkNumber"] == kvk
    if on is not None:
        assert body["on"] == on, body
    return body


def bulk(client, token, numbers, on=None, expect=200):
    payload = {"kvkNumbers": numbers}
    if on is not None:
        payload["on"] = on
    r = client.post(CHECKS, token=token, json=payload)
    if expect is not None:
        assert r.status_code == expect, f"bulk check: {r.status_code} {r.content[:800]!r}"
    return r


def changes(cert):
    """[(type, effectiveOn)] without the `expired` entry that a background scan may have added
    (that one, when present, must be last and fall on validUntil + 1)."""
    out = []
    for i, ch in enumerate(cert["changes"]):
        assert set(ch) == {"type", "effectiveOn", "recordedAt"}, ch
        L.check_timestamp(ch["recordedAt"])
        if ch["type"] == "expired":
            assert i == len(cert["changes"]) - 1, cert["changes"]
            assert ch["effectiveOn"] == M.plus_days(cert["validUntil"], 1), ch
            continue
        out.append((ch["type"], ch["effectiveOn"]))
    return out


def shown(body, number, status, certified):
    cert = body["certificate"]
    assert cert is not None, f"no certificate shown on {body['on']}: {body}"
    assert set(cert) == CERT_KEYS, cert
    assert (cert["certificateNumber"], cert["status"]) == (number, status), \
        f"on {body['on']}: expected {number} {status}, got {cert['certificateNumber']} {cert['status']}"
    assert body["certified"] is certified, f"on {body['on']}: certified {body['certified']}, expected {certified}"
    return cert


def past_setup(lb, sql, spans, org=None):
    """An API-made organisation and body, and certificates with these (validFrom, validUntil) inserted
    with SQL (the API only issues from today on)."""
    org = org or lb.create_org(municipalityCodes=["GM0363", L.random_gm()])
    body = lb.create_body()
    certs = [M.insert_certificate(sql, org["id"], body["id"], vf, vu) for vf, vu in spans]
    return org, body, certs


# ------------------------------------------------------------------ single checks


def test_fresh_certificate_day_before_and_day_of_issue(client, lb, muni):
    c = lb.certified("2019")
    _, tok = muni
    org, body = c["org"], c["party"]["body"]
    today = L.today().isoformat()
    before = check(client, tok, org["kvkNumber"], L.days(-1))
    cert = shown(before, c["number"], "not_yet_valid", False)
    on_issue = check(client, tok, org["kvkNumber"], today)
    cert = shown(on_issue, c["number"], "valid", True)
    assert on_issue["organisation"] == {"id": org["id"], "name": org["name"], "kvkNumber": org["kvkNumber"],
                                        "city": org["city"], "municipalityCodes": org["municipalityCodes"]}
    assert cert["validFrom"] == today and cert["validUntil"] == L.valid_until(today, 24)
    assert cert["frameworkVersion"] == "2019"
    assert cert["certifyingBody"] == {"id": body["id"], "name": body["name"]}
    assert changes(cert) == [("issued", today)]
    default = check(client, tok, org["kvkNumber"])
    assert default["on"] == today, "`on` defaults to today"
    assert default["certified"] is True and default["certificate"]["status"] == "valid"
    last = check(client, tok, org["kvkNumber"], cert["validUntil"])
    shown(last, c["number"], "valid", True)
    after = check(client, tok, org["kvkNumber"], M.plus_days(cert["validUntil"], 1))
    shown(after, c["number"], "expired", False)


def test_suspension_and_reinstatement_in_the_past(client, lb, muni, sql):
    org, _, (p,) = past_setup(lb, sql, [("2020-01-01", "2021-12-31")])
    _, tok = muni
    kvk, n = org["kvkNumber"], p["number"]
    lb.cert_action(n, "suspension", effective_on="2021-03-01", reason="Klacht in onderzoek", expect=200)
    shown(check(client, tok, kvk, "2021-02-28"), n, "valid", True)
    shown(check(client, tok, kvk, "2021-03-01"), n, "suspended", False)
    cert = shown(check(client, tok, kvk, "2021-04-15"), n, "suspended", False)
    assert changes(cert) == [("issued", "2020-01-01"), ("suspended", "2021-03-01")]
    assert (cert["validFrom"], cert["validUntil"]) == ("2020-01-01", "2021-12-31")
    lb.cert_action(n, "reinstatement", effective_on="2021-05-01", reason="Hersteld", expect=200)
    shown(check(client, tok, kvk, "2021-04-30"), n, "suspended", False)
    cert = shown(check(client, tok, kvk, "2021-05-01"), n, "valid", True)
    assert changes(cert) == [("issued", "2020-01-01"), ("suspended", "2021-03-01"), ("reinstated", "2021-05-01")]
    shown(check(client, tok, kvk, "2021-12-31"), n, "valid", True)
    shown(check(client, tok, kvk, "2022-01-01"), n, "expired", False)
    shown(check(client, tok, kvk, "2019-12-31"), n, "not_yet_valid", False)


def test_withdrawal_in_the_past(client, lb, muni, sql):
    org, _, (p,) = past_setup(lb, sql, [("2020-01-01", "2021-12-31")])
    _, tok = muni
    kvk, n = org["kvkNumber"], p["number"]
    lb.cert_action(n, "withdrawal", effective_on="2021-06-01", reason="Ingetrokken", expect=200)
    shown(check(client, tok, kvk, "2021-05-31"), n, "valid", True)
    shown(check(client, tok, kvk, "2021-06-01"), n, "withdrawn", False)
    cert = shown(check(client, tok, kvk, "2022-03-01"), n, "withdrawn", False)
    assert changes(cert) == [("issued", "2020-01-01"), ("withdrawn", "2021-06-01")]
    cert = shown(check(client, tok, kvk, L.today().isoformat()), n, "withdrawn", False)
    assert all(ch["type"] != "expired" for ch in cert["changes"]), "a withdrawn certificate never expires"


def test_expired_certificate(client, lb, muni, sql):
    org, body, (p,) = past_setup(lb, sql, [("2021-03-15", "2023-03-14")])
    _, tok = muni
    cert = shown(check(client, tok, org["kvkNumber"], "2023-03-15"), p["number"], "expired", False)
    assert cert["certifyingBody"] == {"id": body["id"], "name": body["name"]}
    assert cert["frameworkVersion"] == "2019"
    shown(check(client, tok, org["kvkNumber"]), p["number"], "expired", False)
    shown(check(client, tok, org["kvkNumber"], "2023-03-14"), p["number"], "valid", True)


def test_which_certificate_is_shown(client, lb, muni, sql):
    """One valid on the date; else one whose validity covers it; else the latest that started on
    or before it; else the earliest that starts later."""
    org, _, (a, b, c) = past_setup(lb, sql, [("2020-01-01", "2021-12-31"), ("2021-06-01", "2023-05-31"),
                                              ("2024-01-01", "2025-12-31")])
    _, tok = muni
    kvk = org["kvkNumber"]
    lb.cert_action(a["number"], "suspension", effective_on="2021-03-01", expect=200)
    shown(check(client, tok, kvk, "2019-06-01"), a["number"], "not_yet_valid", False)
    shown(check(client, tok, kvk, "2020-06-01"), a["number"], "valid", True)
    shown(check(client, tok, kvk, "2021-04-01"), a["number"], "suspended", False)   # covers; b not yet
    shown(check(client, tok, kvk, "2021-07-01"), b["number"], "valid", True)        # valid wins
    shown(check(client, tok, kvk, "2023-08-01"), b["number"], "expired", False)     # latest started
    shown(check(client, tok, kvk, "2024-06-01"), c["number"], "valid", True)
    shown(check(client, tok, kvk, "2026-01-01"), c["number"], "expired", False)


def test_withdrawn_covering_certificate_is_shown_before_a_later_one(client, lb, muni, sql):
    org, _, (x, y) = past_setup(lb, sql, [("2020-01-01", "2021-12-31"), ("2021-01-01", "2022-12-31")])
    _, tok = muni
    lb.cert_action(x["number"], "withdrawal", effective_on="2020-06-01", expect=200)
    shown(check(client, tok, org["kvkNumber"], "2020-09-01"), x["number"], "withdrawn", False)
    shown(check(client, tok, org["kvkNumber"], "2021-03-01"), y["number"], "valid", True)


def test_unknown_kvk_and_organisation_without_certificate(client, lb, muni, sql):
    _, tok = muni
    for _ in range(20):
        kvk = L.random_kvk()
        if not sql(f"select 1 from organisations where kvk_number = '{kvk}'"):
            break
    body = check(client, tok, kvk, "2024-05-01")
    assert body == {"kvkNumber": kvk, "on": "2024-05-01", "certified": False, "organisation": None,
                    "certificate": None}
    body = check(client, tok, kvk)
    assert body["on"] == L.today().isoformat() and body["organisation"] is None and body["certified"] is False
    org = lb.create_org()
    body = check(client, tok, org["kvkNumber"])
    assert body["organisation"]["id"] == org["id"] and body["certificate"] is None
    assert body["certified"] is False


@pytest.mark.parametrize("params,field", [
    ({}, "kvkNumber"),
    ({"kvkNumber": ""}, "kvkNumber"),
    ({"kvkNumber": "1234567"}, "kvkNumber"),
    ({"kvkNumber": "123456789"}, "kvkNumber"),
    ({"kvkNumber": "1234567a"}, "kvkNumber"),
    ({"kvkNumber": " 12345678"}, "kvkNumber"),
    ({"kvkNumber": "12345678", "on": "2024-02-30"}, "on"),
    ({"kvkNumber": "12345678", "on": "20240201"}, "on"),
    ({"kvkNumber": "12345678", "on": "today"}, "on"),
    ({"kvkNumber": "12345678", "on": ""}, "on"),
])
def test_single_check_bad_parameters(client, muni, params, field):
    _, tok = muni
    r = client.get(CHECKS, token=tok, params=params)
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_check_roles(client, lb, kr):
    c = lb.certified("2019")
    kvk = c["org"]["kvkNumber"]
    _, org_tok = lb.org_account(c["org"]["id"])
    prof = kr.token_for(kr.make_account("professional"))
    for tok in (org_tok, c["party"]["token"], prof):
        assert_problem(client.get(CHECKS, token=tok, params={"kvkNumber": kvk}), 403)
        assert_problem(client.post(CHECKS, token=tok, json={"kvkNumbers": [kvk]}), 403)
    assert_problem(client.get(CHECKS, params={"kvkNumber": kvk}), 401)
    assert_problem(client.post(CHECKS, json={"kvkNumbers": [kvk]}), 401)
    assert check(client, lb.admin, kvk)["certified"] is True
    r = bulk(client, lb.admin, [kvk])
    assert r.json()["results"][0]["certified"] is True


# ------------------------------------------------------------------ bulk


def test_bulk_results_in_input_order(client, lb, muni, sql):
    _, tok = muni
    c = lb.certified("2019")
    certified = c["org"]["kvkNumber"]
    plain = lb.create_org()["kvkNumber"]
    unknown = []
    while len(unknown) < 2:
        k = L.random_kvk()
        if k not in (certified, plain) and not sql(f"select 1 from organisations where kvk_number = '{k}'"):
            unknown.append(k)
    numbers = [unknown[0], certified, plain, certified, unknown[1], unknown[0], plain]
    r = bulk(client, tok, numbers)
    out = r.json()
    assert set(out) == {"on", "results"}, out
    assert out["on"] == L.today().isoformat()
    res = out["results"]
    assert [x["kvkNumber"] for x in res] == numbers
    for x in res:
        assert set(x) == CHECK_KEYS and x["on"] == out["on"], x
    assert [x["certified"] for x in res] == [False, True, False, True, False, False, False]
    assert res[1] == res[3], "a duplicate is answered again, the same way"
    assert res[1]["certificate"]["certificateNumber"] == c["number"]
    for i in (0, 4, 5):
        assert res[i]["organisation"] is None and res[i]["certificate"] is None, res[i]
    assert res[2]["organisation"]["kvkNumber"] == plain and res[2]["certificate"] is None
    assert res[2] == res[6]
    # the bulk answer equals the single answers
    for i, k in enumerate(numbers):
        assert res[i] == check(client, tok, k), k


def test_bulk_on_applies_to_all(client, lb, muni, sql):
    _, tok = muni
    s_org, _, (s,) = past_setup(lb, sql, [("2020-01-01", "2021-12-31")])
    w_org, _, (w,) = past_setup(lb, sql, [("2020-01-01", "2021-12-31")])
    v_org, _, (v,) = past_setup(lb, sql, [("2021-01-01", "2022-12-31")])
    lb.cert_action(s["number"], "suspension", effective_on="2021-03-01", expect=200)
    lb.cert_action(w["number"], "withdrawal", effective_on="2021-02-01", expect=200)
    numbers = [s_org["kvkNumber"], w_org["kvkNumber"], v_org["kvkNumber"]]
    out = bulk(client, tok, numbers, on="2021-04-01").json()
    assert out["on"] == "2021-04-01"
    res = out["results"]
    assert [x["on"] for x in res] == ["2021-04-01"] * 3
    assert [x["certificate"]["status"] for x in res] == ["suspended", "withdrawn", "valid"]
    assert [x["certified"] for x in res] == [False, False, True]
    out = bulk(client, tok, numbers, on="2020-06-01").json()
    assert [x["certificate"]["status"] for x in out["results"]] == ["valid", "valid", "not_yet_valid"]
    out = bulk(client, tok, numbers).json()
    assert out["on"] == L.today().isoformat()
    assert [x["certificate"]["status"] for x in out["results"]] == ["expired", "withdrawn", "expired"]


def test_bulk_1000_numbers_ok_1001_refused(client, lb, muni):
    _, tok = muni
    c = lb.certified("2019")
    k = c["org"]["kvkNumber"]
    numbers = [k] + [f"{i:08d}" for i in range(90000000, 90000998)] + [k]
    assert len(numbers) == 1000
    res = bulk(client, tok, numbers).json()["results"]
    assert len(res) == 1000
    assert [x["kvkNumber"] for x in res] == numbers
    assert res[0]["certified"] is True and res[-1]["certified"] is True
    r = bulk(client, tok, numbers + ["90009999"], expect=None)
    assert_problem(r, 400, slug="validation-error", fields={"kvkNumbers"})


def test_bulk_names_every_malformed_number(client, muni):
    _, tok = muni
    numbers = ["12345678", "1234", "abcdefgh", "87654321", 12345678, "123456789", None, "00000000"]
    r = bulk(client, tok, numbers, expect=None)
    body = assert_problem(r, 400, slug="validation-error",
                          fields={"kvkNumbers[1]", "kvkNumbers[2]", "kvkNumbers[4]", "kvkNumbers[5]",
                                  "kvkNumbers[6]"})
    named = set(H.field_names(body))
    for ok in ("kvkNumbers[0]", "kvkNumbers[3]", "kvkNumbers[7]"):
        assert ok not in named, f"{ok} is well-formed but named: {body}"


@pytest.mark.parametrize("payload,field", [
    ({}, "kvkNumbers"),
    ({"kvkNumbers": []}, "kvkNumbers"),
    ({"kvkNumbers": "12345678"}, "kvkNumbers"),
    ({"kvkNumbers": None}, "kvkNumbers"),
    ({"kvkNumbers": ["12345678"], "on": "2024-13-01"}, "on"),
    ({"kvkNumbers": ["12345678"], "on": 20240101}, "on"),
    ({"kvkNumbers": ["12345678"], "kvkNumber": "12345678"}, "kvkNumber"),
    ({"kvkNumbers": ["12345678"], "date": "2024-01-01"}, "date"),
])
def test_bulk_bad_bodies(client, muni, payload, field):
    _, tok = muni
    r = client.post(CHECKS, token=tok, json=payload)
    assert_problem(r, 400, slug="validation-error", fields={field})


def test_bulk_malformed_json(client, muni):
    _, tok = muni
    for raw in (b'{"kvkNumbers": ["12345678"]', b'["12345678"]', b'{"kvkNumbers": [], "kvkNumbers": ["12345678"]}'):
        r = client.post(CHECKS, token=tok, data=raw, headers={"Content-Type": "application/json"})
        assert_problem(r, 400, slug="malformed-json")


# ------------------------------------------------------------------ the check log


log_entries = M.log_entries


def test_check_log_records_single_and_bulk_checks(client, lb, sql):
    gm = L.random_gm()
    acct, tok = lb.municipality(gm)
    account_id = acct["account"]["id"]
    c = lb.certified("2019")
    yes = c["org"]["kvkNumber"]
    no = lb.create_org()["kvkNumber"]
    today, tomorrow = L.today().isoformat(), L.days(1)
    check(client, tok, yes)
    check(client, tok, no, "2021-01-01")
    bulk(client, tok, [no, yes], on=tomorrow)
    check(client, lb.admin, yes)  # an admin's check is not a municipality's
    entries = log_entries(client, lb.admin, municipalityCode=gm, limit="100")
    got = [(e["kvkNumber"], e["on"], e["certified"]) for e in entries]
    expected = [(yes, today, True), (no, "2021-01-01", False), (no, tomorrow, False), (yes, tomorrow, True)]
    assert sorted(got) == sorted(expected), f"log entries {got}, expected {expected}"
    for e in entries:
        assert set(e) == {"id", "accountId", "municipalityCode", "kvkNumber", "on", "certified", "askedAt"}, e
        assert isinstance(e["id"], int)
        assert e["accountId"] == account_id and e["municipalityCode"] == gm, e
        L.check_timestamp(e["askedAt"])
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), f"not newest first: {ids}"
    assert [e["kvkNumber"] for e in entries][:2] in ([yes, no], [no, yes]), "the bulk check is the newest"
    assert (entries[-1]["kvkNumber"], entries[-1]["on"]) == (yes, today), "the first check is the oldest"
    # filters and paging
    only_yes = log_entries(client, lb.admin, municipalityCode=gm, kvkNumber=yes)
    assert sorted((e["on"], e["certified"]) for e in only_yes) == [(today, True), (tomorrow, True)]
    paged = log_entries(client, lb.admin, municipalityCode=gm, limit="1")
    assert [e["id"] for e in paged] == ids
    by_kvk = log_entries(client, lb.admin, kvkNumber=no, limit="100")
    assert {e["municipalityCode"] for e in by_kvk} == {gm} and len(by_kvk) == 2
    assert all(e["accountId"] == account_id for e in by_kvk)


def unknown_kvks(sql, n, avoid=()):
    out = []
    while len(out) < n:
        k = L.random_kvk()
        if k not in avoid and k not in out and not sql(f"select 1 from organisations where kvk_number = '{k}'"):
            out.append(k)
    return out


def test_check_log_of_a_bulk_check_with_repeats_and_unknowns(client, lb, sql):
    """Every number of a bulk check is an entry of its own, repeats included, in input order (ids
    increasing with it, so newest first is the input reversed), with the answer it was given."""
    gm = L.random_gm()
    acct, tok = lb.municipality(gm)
    yes = lb.certified("2019")["org"]["kvkNumber"]
    plain = lb.create_org()["kvkNumber"]
    u1, u2 = unknown_kvks(sql, 2, avoid=(yes, plain))
    numbers = [yes, u1, plain, yes, u2, u1, yes]
    on = L.days(3)
    answers = [x["certified"] for x in bulk(client, tok, numbers, on=on).json()["results"]]
    assert answers == [True, False, False, True, False, False, True]
    entries = log_entries(client, lb.admin, municipalityCode=gm, limit="100")
    assert [e["kvkNumber"] for e in reversed(entries)] == numbers
    assert [e["certified"] for e in reversed(entries)] == answers
    assert all(e["on"] == on and e["accountId"] == acct["account"]["id"] and e["municipalityCode"] == gm
               for e in entries), entries
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids), ids
    # the newest entries of the whole log are these (no other check ran since)
    newest = client.get(CHECK_LOG, token=lb.admin, params={"limit": str(len(numbers))}).json()["items"]
    assert newest == entries
    # a page boundary inside one check, with and without filters
    assert [e["id"] for e in log_entries(client, lb.admin, municipalityCode=gm, limit="2")] == ids
    assert [e["id"] for e in log_entries(client, lb.admin, municipalityCode=gm, limit="1")] == ids
    first = client.get(CHECK_LOG, token=lb.admin, params={"limit": "3"}).json()
    rest = client.get(CHECK_LOG, token=lb.admin, params={"limit": "4", "cursor": first["nextCursor"]}).json()
    assert first["items"] + rest["items"] == entries
    # one number's entries: each of its places in the check
    for kvk in (yes, u1, u2):
        mine = [e for e in entries if e["kvkNumber"] == kvk]
        for limit in ("1", "2", "100"):
            assert log_entries(client, lb.admin, kvkNumber=kvk, limit=limit) == mine, (kvk, limit)
        assert log_entries(client, lb.admin, kvkNumber=kvk, municipalityCode=gm, limit="1") == mine
    elsewhere = next(g for g in iter(L.random_gm, None) if g != gm)
    assert log_entries(client, lb.admin, kvkNumber=yes, municipalityCode=elsewhere) == []


def test_check_log_by_kvk_number_pages_over_checks_without_it_left(client, lb, sql):
    """Paging one number's entries when the check the cursor points into holds none before it."""
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    x, other = unknown_kvks(sql, 2)
    check(client, tok, x)
    bulk(client, tok, [x])
    bulk(client, tok, [other, x, x])
    bulk(client, tok, [other, x])
    entries = log_entries(client, lb.admin, municipalityCode=gm, limit="100")
    assert [e["kvkNumber"] for e in entries] == [x, other, x, x, other, x, x]
    mine = [e for e in entries if e["kvkNumber"] == x]
    for limit in ("1", "2", "3", "5", "6"):
        assert log_entries(client, lb.admin, kvkNumber=x, limit=limit) == mine, limit
        assert log_entries(client, lb.admin, kvkNumber=x, municipalityCode=gm, limit=limit) == mine, limit
    assert log_entries(client, lb.admin, kvkNumber=other, limit="1") == [entries[1], entries[4]]


def test_check_log_of_a_bulk_check_of_1000(client, lb, sql):
    """The largest check: 1000 entries, the last id 999 above the first, and the next check after."""
    gm = L.random_gm()
    _, tok = lb.municipality(gm)
    yes = lb.certified("2019")["org"]["kvkNumber"]
    numbers = [yes if i % 100 == 0 else f"{90000000 + i:08d}" for i in range(1000)]
    answers = [x["certified"] for x in bulk(client, tok, numbers).json()["results"]]
    check(client, tok, yes)
    entries = log_entries(client, lb.admin, municipalityCode=gm, limit="100")
    assert len(entries) == 1001
    assert [e["kvkNumber"] for e in reversed(entries[1:])] == numbers and entries[0]["kvkNumber"] == yes
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 1001
    assert ids[1] - ids[-1] == 999
    assert [e["certified"] for e in reversed(entries[1:])] == answers
    assert all(answers[i] for i in range(0, 1000, 100))
    assert [e["id"] for e in log_entries(client, lb.admin, kvkNumber=yes, municipalityCode=gm)] == \
        [e["id"] for e in entries if e["kvkNumber"] == yes]


def test_check_log_only_for_admin(client, lb, kr):
    acct, muni_tok = lb.municipality(L.random_gm())
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    party = lb.body_with_certifier()
    for tok in (muni_tok, org_tok, party["token"]):
        assert_problem(client.get(CHECK_LOG, token=tok), 403)
    assert_problem(client.get(CHECK_LOG), 401)
    r = client.get(CHECK_LOG, token=lb.admin, params={"limit": "2"})
    assert r.status_code == 200 and set(r.json()) == {"items", "nextCursor"}, r.content
    for params, field in (({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "x"}, "limit"),
                          ({"cursor": "%%%garbage"}, "cursor")):
        assert_problem(client.get(CHECK_LOG, token=lb.admin, params=params), 400, slug="validation-error",
                       fields={field})


# ------------------------------------------------------------------ the spans that answer today (sql/0031)


def current_row(sql, kvk):
    rows = sql(f"select from_on, next_from_on, status from certification_current where kvk = {int(kvk)}")
    return rows[0] if rows else None


def test_current_spans_are_written_with_the_spans_and_only_read_when_they_answer(client, lb, muni, sql):
    start, end = L.days(-100), L.days(300)
    org, _, (p,) = past_setup(lb, sql, [(start, end)])
    _, tok = muni
    kvk, n, today = org["kvkNumber"], p["number"], L.today().isoformat()
    assert current_row(sql, kvk) == (start, M.plus_days(end, 1), "valid")
    # a row that no longer answers today (as after midnight when the next span began, before the
    # task rolled it) is passed by: the spans answer; for the days it covers it still answers
    sql(f"update certification_current set next_from_on = '{today}' where kvk = {int(kvk)}")
    shown(check(client, tok, kvk), n, "valid", True)
    shown(check(client, tok, kvk, L.days(-1)), n, "valid", True)
    shown(check(client, tok, kvk, L.days(-101)), n, "not_yet_valid", False)
    # the label's task from dates (every second in the suite) rolls it forward again, and writes
    # the row of a number that has none
    M.wait_until(lambda: current_row(sql, kvk) == (start, M.plus_days(end, 1), "valid"), timeout=15,
                 what="the row rolled")
    sql(f"delete from certification_current where kvk = {int(kvk)}")
    shown(check(client, tok, kvk), n, "valid", True)
    M.wait_until(lambda: current_row(sql, kvk) is not None, timeout=15, what="the row written again")
    # a suspension from today is in the row the moment it commits
    lb.cert_action(n, "suspension", effective_on=today, reason="Klacht in onderzoek", expect=200)
    assert current_row(sql, kvk) == (today, M.plus_days(end, 1), "suspended")
    shown(check(client, tok, kvk), n, "suspended", False)
    shown(check(client, tok, kvk, L.days(-1)), n, "valid", True)
    bulk = client.post(CHECKS, token=tok, json={"kvkNumbers": [kvk, "00000001"]}).json()
    assert [r["certified"] for r in bulk["results"]] == [False, False]
    assert bulk["results"][0]["certificate"]["status"] == "suspended" and bulk["results"][1]["certificate"] is None
