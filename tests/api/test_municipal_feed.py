"""/v1/certificate-events: the ordered feed (fields, after/limit paging, nextCursor), a reader that
follows it while six writers commit concurrently (never misses, never re-reads), and the
`expired` events that background work writes (once, also with two replicas; not after a
withdrawal; at start-up)."""

import datetime
import random
import threading
import time

import pytest

import kr_helpers as H
import label_helpers as L
import municipal_helpers as M
from kr_helpers import assert_problem

EVENTS, CERTS = M.EVENTS, M.CERTS
FEED_KEYS = {"id", "type", "certificateNumber", "organisationId", "kvkNumber", "previousKvkNumber", "effectiveOn",
             "recordedAt"}


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


@pytest.fixture
def muni_token(lb):
    return lb.municipality(L.random_gm())[1]


def page(client, token, after=None, limit=None):
    params = {}
    if after is not None:
        params["after"] = str(after)
    if limit is not None:
        params["limit"] = str(limit)
    r = client.get(EVENTS, token=token, params=params)
    assert r.status_code == 200, f"feed after={after} limit={limit}: {r.status_code} {r.content[:800]!r}"
    body = r.json()
    assert set(body) == {"items", "nextCursor"}, body
    ids = [e["id"] for e in body["items"]]
    assert ids == sorted(set(ids)), f"feed page not in strictly increasing id order: {ids}"
    if after is not None and ids:
        assert ids[0] > int(after), f"feed after={after} returned id {ids[0]}"
    if body["nextCursor"] is not None:
        assert ids and body["nextCursor"] == str(ids[-1]), \
            f"nextCursor {body['nextCursor']!r} is not the last item's id ({ids[-1:]})"
    return body


def read_all(client, token, after, limit=100):
    out = []
    for _ in range(10000):
        body = page(client, token, after, limit)
        out += body["items"]
        if body["nextCursor"] is None:
            return out
        after = body["nextCursor"]
    raise AssertionError("feed paging does not end")


# ------------------------------------------------------------------ the feed


def test_feed_items_carry_every_documented_field(client, lb, muni_token, sql):
    start = M.max_event_id(sql)
    c = lb.certified("2019")
    n, org = c["number"], c["org"]
    lb.cert_action(n, "suspension", expect=200)
    lb.cert_action(n, "reinstatement", expect=200)
    lb.cert_action(n, "withdrawal", expect=200)
    items = read_all(client, muni_token, start)
    db_ids = [int(r[0]) for r in sql(f"select id from certificate_events where id > {start} order by id")]
    assert [e["id"] for e in items] == db_ids, "the feed after an id shows every later event, in id order"
    mine = [e for e in items if e["certificateNumber"] == n]
    assert [e["type"] for e in mine] == ["issued", "suspended", "reinstated", "withdrawn"]
    history = client.get(f"{CERTS}/{n}/history", token=lb.admin).json()["items"]
    assert [e["id"] for e in mine] == [h["id"] for h in history], "feed ids are the history's event ids"
    today = L.today().isoformat()
    for e, h in zip(mine, history):
        assert set(e) == FEED_KEYS, e
        assert isinstance(e["id"], int)
        assert e["organisationId"] == org["id"] and e["kvkNumber"] == org["kvkNumber"], e
        assert e["effectiveOn"] == today == h["effectiveOn"]
        assert L.check_timestamp(e["recordedAt"]) == L.check_timestamp(h["recordedAt"]), (e, h)
    # the admin reads the same feed
    assert read_all(client, lb.admin, start) == items


def test_feed_paging_with_after_and_limit(client, lb, muni_token, sql):
    start = M.max_event_id(sql)
    c = lb.certified("2019")
    for _ in range(3):
        lb.cert_action(c["number"], "suspension", expect=200)
        lb.cert_action(c["number"], "reinstatement", expect=200)
    everything = read_all(client, muni_token, start)
    assert len(everything) >= 7, everything
    ids = [e["id"] for e in everything]
    first = page(client, muni_token, start, 3)
    assert [e["id"] for e in first["items"]] == ids[:3]
    assert first["nextCursor"] == str(ids[2])
    walked, after = [], start
    for _ in range(100):
        p = page(client, muni_token, after, 2)
        walked += [e["id"] for e in p["items"]]
        if p["nextCursor"] is None:
            break
        after = p["nextCursor"]
    assert walked == ids, "paging by nextCursor visits every event once"
    last = page(client, muni_token, ids[-1], 5)
    assert last == {"items": [], "nextCursor": None}
    mid = page(client, muni_token, ids[3], 100)
    assert [e["id"] for e in mid["items"]] == ids[4:] and mid["nextCursor"] is None
    exact = page(client, muni_token, ids[-3], 2)
    assert [e["id"] for e in exact["items"]] == ids[-2:]
    assert exact["nextCursor"] is None, "nothing follows right now: nextCursor is null"


def test_feed_defaults(client, lb, muni_token, sql):
    lb.certified("2019")
    total = int(sql("select count(*) from certificate_events")[0][0])
    first_ids = [int(r[0]) for r in sql("select id from certificate_events order by id limit 21")]
    p = page(client, muni_token)
    assert [e["id"] for e in p["items"]] == first_ids[:20], "after defaults to 0, limit to 20"
    assert p["nextCursor"] == (str(first_ids[19]) if total > 20 else None)
    p0 = page(client, muni_token, 0, 100)
    assert [e["id"] for e in p0["items"]][:20] == first_ids[:20]


@pytest.mark.parametrize("params,field", [
    ({"after": "-1"}, "after"), ({"after": "abc"}, "after"), ({"after": "1.5"}, "after"), ({"after": ""}, "after"),
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "ten"}, "limit"), ({"limit": "-3"}, "limit"),
])
def test_feed_bad_parameters(client, muni_token, params, field):
    assert_problem(client.get(EVENTS, token=muni_token, params=params), 400, slug="validation-error",
                   fields={field})


def test_feed_roles(client, lb, kr):
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    party = lb.body_with_certifier()
    prof = kr.token_for(kr.make_account("professional"))
    for tok in (org_tok, party["token"], prof):
        assert_problem(client.get(EVENTS, token=tok), 403)
    assert_problem(client.get(EVENTS), 401)
    assert client.get(EVENTS, token=lb.admin, params={"limit": "1"}).status_code == 200


def test_feed_under_concurrent_writers(server, contract, client, lb, muni_token, sql):
    """Six writers suspend and reinstate their own certificates while a reader follows the feed by
    'after the last id I saw'. The reader must see every event exactly once, in id order."""
    writers, rounds = 6, 20
    certs = [lb.certified("2019")["number"] for _ in range(writers)]
    admin = lb.admin
    start = M.max_event_id(sql)
    done = threading.Event()
    errors = []
    seen = []
    pages = [0]

    def writer(number):
        c = H.ApiClient(server.base_url, contract)
        try:
            for i in range(rounds):
                for action in ("suspension", "reinstatement"):
                    r = c.post(f"{CERTS}/{number}/{action}", token=admin, json={"reason": f"{action} {i}"})
                    if r.status_code != 200:
                        errors.append(f"{action} {number}: {r.status_code} {r.content[:300]!r}")
                        return
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"writer {number}: {e!r}")
        finally:
            c.close()

    def reader():
        c = H.ApiClient(server.base_url, contract)
        rng = random.Random(7)
        last = start
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                finished = done.is_set()
                body = page(c, muni_token, last, rng.randint(1, 10))
                pages[0] += 1
                items = body["items"]
                seen.extend(e["id"] for e in items)
                if items:
                    last = items[-1]["id"]
                elif finished:
                    return  # a read that began after the writers ended found nothing new: drained
            errors.append("reader did not finish within 180 s")
        except Exception as e:  # noqa: BLE001
            errors.append(f"reader: {e!r}")
        finally:
            c.close()

    rt = threading.Thread(target=reader, name="feed-reader")
    wts = [threading.Thread(target=writer, args=(n,), name=f"feed-writer-{i}") for i, n in enumerate(certs)]
    rt.start()
    for t in wts:
        t.start()
    for t in wts:
        t.join(240)
    done.set()
    rt.join(240)
    assert not rt.is_alive() and not any(t.is_alive() for t in wts), "threads did not finish"
    assert not errors, errors[:5]
    db_ids = [int(r[0]) for r in sql(f"select id from certificate_events where id > {start} order by id")]
    mine = int(sql("select count(*) from certificate_events e join certificates c on c.id = e.certificate_id "
                   f"where e.id > {start} and c.certificate_number in ({','.join(M.q(n) for n in certs)})")[0][0])
    assert mine == writers * rounds * 2, f"{mine} events written, expected {writers * rounds * 2}"
    dupes = sorted({i for i in seen if seen.count(i) > 1})
    missed = sorted(set(db_ids) - set(seen))
    extra = sorted(set(seen) - set(db_ids))
    assert not dupes, f"the reader saw {len(dupes)} events twice, e.g. {dupes[:10]}"
    assert not missed, f"the reader missed {len(missed)} of {len(db_ids)} events, e.g. {missed[:10]} " \
                       f"({pages[0]} pages read)"
    assert not extra, f"the reader saw ids that are not in the table: {extra[:10]}"
    assert seen == db_ids, "events not in increasing id order"


# ------------------------------------------------------------------ expired events


def _expired(sql_db):
    return {cid: (int(n), eff) for cid, n, eff in sql_db(
        "select certificate_id, count(*), min(effective_on) from certificate_events "
        "where type = 'expired' group by certificate_id")}


def test_expired_events_once_with_two_servers(scratch_db, spawn_server, pg, contract):
    db = scratch_db()
    env = {"EXPIRY_INTERVAL_SECONDS": "1"}
    s1, c1 = spawn_server(env, db=db)
    s2, c2 = spawn_server(env, db=db)

    def sql_db(query):
        return pg.psql(query, db=db)

    org = M.insert_org(sql_db)
    body = M.insert_body(sql_db)
    today = L.today()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    expect = {}   # cert id -> expected effectiveOn of the expired event
    never = {}    # cert id -> why no expired event
    spans = [("2020-01-01", "2021-12-31"), ("2022-02-28", "2024-02-27"), ("2023-01-01", yesterday)]
    for i in range(24):
        vf, vu = spans[i % len(spans)]
        c = M.insert_certificate(sql_db, org["id"], body["id"], vf, vu)
        expect[c["id"]] = M.plus_days(vu, 1)
    c = M.insert_certificate(sql_db, org["id"], body["id"], "2020-01-01", "2021-12-31",
                             events=[("suspended", "2021-11-01", "onderzoek")])
    expect[c["id"]] = "2022-01-01"  # suspended at the end: still expires
    c = M.insert_certificate(sql_db, org["id"], body["id"], "2020-01-01", "2021-12-31",
                             events=[("withdrawn", "2021-06-01", "ingetrokken")])
    never[c["id"]] = "withdrawn before its validUntil"
    c = M.insert_certificate(sql_db, org["id"], body["id"], "2020-01-01", "2021-12-31",
                             events=[("withdrawn", "2021-12-31", "ingetrokken")])
    never[c["id"]] = "withdrawn on its validUntil"
    c = M.insert_certificate(sql_db, org["id"], body["id"], "2024-12-01", today.isoformat())
    never[c["id"]] = "validUntil is today"
    c = M.insert_certificate(sql_db, org["id"], body["id"], "2025-01-01", L.days(400))
    never[c["id"]] = "runs on"

    M.wait_until(lambda: set(expect) <= set(_expired(sql_db)), timeout=10,
                 what="an expired event for every certificate that ended before today")
    time.sleep(4)  # several more scans by both servers
    got = _expired(sql_db)
    for cid, eff in expect.items():
        assert got[cid] == (1, eff), f"certificate {cid}: expired events (count, effectiveOn) {got[cid]}, " \
                                     f"expected (1, {eff})"
    for cid, why in never.items():
        assert cid not in got, f"certificate {cid} ({why}) got an expired event"
    assert set(got) == set(expect)
    # the feed shows them, on both servers
    kr1 = M.DbKr(c1, pg, db)
    tok = kr1.admin_token()
    for cl in (c1, c2):
        items = read_all(cl, tok, 0)
        exp_items = [e for e in items if e["type"] == "expired"]
        assert len(exp_items) == len(expect)
        numbers = dict(sql_db("select id, certificate_number from certificates"))
        for e in exp_items:
            cid = next(k for k, v in numbers.items() if v == e["certificateNumber"])
            assert e["effectiveOn"] == expect[cid] and e["kvkNumber"] == org["kvkNumber"], e
            assert e["organisationId"] == org["id"]


def test_expiry_scan_runs_at_start_up(scratch_db, spawn_server, run_binary, pg):
    db = scratch_db()
    r = run_binary(["migrate"], db=db, timeout=60)
    assert r.returncode == 0, r.stderr

    def sql_db(query):
        return pg.psql(query, db=db)

    org = M.insert_org(sql_db)
    body = M.insert_body(sql_db)
    c = M.insert_certificate(sql_db, org["id"], body["id"], "2020-07-01", "2022-06-30")
    assert not _expired(sql_db)
    spawn_server({"EXPIRY_INTERVAL_SECONDS": "3600"}, db=db)
    M.wait_until(lambda: c["id"] in _expired(sql_db), timeout=15, what="the start-up expiry scan")
    assert _expired(sql_db) == {c["id"]: (1, "2022-07-01")}
    events = M.cert_events(sql_db, cert_id=c["id"])
    assert [t for _, t, _ in events] == ["issued", "expired"]
