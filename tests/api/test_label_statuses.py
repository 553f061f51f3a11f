"""Certificate statuses decided when they change: parallel changes of one certificate decide on
the state read after its lock (one succeeds, the rest are 409s, one event), every certificate's
events form a valid path of the state machine, and status filters run before paging (full pages)."""

import threading
import time

import pytest

import kr_helpers as H
import label_helpers as L
import municipal_helpers as M

CERTS = L.CERTS


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def parallel(server, contract, token, path, n=8):
    """n POSTs of the same change at once; their statuses."""
    statuses, barrier = [], threading.Barrier(n)

    def one(i):
        c = H.ApiClient(server.base_url, contract)
        try:
            barrier.wait(timeout=30)
            r = c.post(path, token=token, json={"reason": f"parallel {i}"})
            statuses.append(r.status_code)
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(statuses)


def walk(events):
    """Asserts that (type, effectiveOn) events, in id order, are a path of the state machine:
    issued first; a suspension only of a valid certificate, a reinstatement only of a suspended
    one, nothing after a withdrawal but its expiry."""
    assert events and events[0][0] == "issued", events
    state = "valid"
    for kind, _ in events[1:]:
        if kind == "suspended":
            assert state == "valid", f"suspended while {state}: {events}"
            state = "suspended"
        elif kind == "reinstated":
            assert state == "suspended", f"reinstated while {state}: {events}"
            state = "valid"
        elif kind == "withdrawn":
            assert state != "withdrawn", f"withdrawn twice: {events}"
            state = "withdrawn"
        else:
            assert kind == "expired", events


@pytest.mark.parametrize("action,kind,before", [("suspension", "suspended", None),
                                                ("reinstatement", "reinstated", "suspension"),
                                                ("withdrawal", "withdrawn", None)])
def test_parallel_changes_of_one_certificate(server, contract, lb, sql, action, kind, before):
    number = lb.certified("2019")["number"]
    if before:
        lb.cert_action(number, before, expect=200)
    statuses = parallel(server, contract, lb.admin, f"{CERTS}/{number}/{action}")
    assert statuses == [200] + [409] * 7, statuses
    events = [(t, e) for _, t, e in M.cert_events(sql, number=number)]
    assert sum(1 for t, _ in events if t == kind) == 1, events
    walk(events)
    expected = {"suspended": "suspended", "reinstated": "valid", "withdrawn": "withdrawn"}[kind]
    assert lb.get_cert(number)["status"] == expected


def test_mixed_parallel_changes_keep_a_valid_path(server, contract, lb, sql):
    """Suspensions, reinstatements and withdrawals racing on one certificate: whatever wins, the
    stored events are a path of the state machine and the status answers agree with them."""
    number = lb.certified("2019")["number"]
    barrier, results = threading.Barrier(9), []

    def one(action):
        c = H.ApiClient(server.base_url, contract)
        try:
            barrier.wait(timeout=30)
            results.append((action, c.post(f"{CERTS}/{number}/{action}", token=lb.admin,
                                            json={"reason": action}).status_code))
        finally:
            c.close()

    actions = ["suspension", "reinstatement", "withdrawal"] * 3
    threads = [threading.Thread(target=one, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(s in (200, 409) for _, s in results), results
    events = [(t, e) for _, t, e in M.cert_events(sql, number=number)]
    walk(events)
    assert sum(1 for _, s in results if s == 200) == len(events) - 1, (results, events)
    assert sum(1 for t, _ in events if t == "withdrawn") <= 1


def test_status_filter_pages_are_full(client, lb, sql):
    """The certificates before the matching one (in page order) do not match: a status filter
    applied after paging gave an empty first page with a cursor; applied in SQL, the page holds
    the match."""
    org = lb.create_org()
    body = lb.create_body()
    M.insert_certificate(sql, org["id"], body["id"], "2018-01-01", "2019-12-31")
    M.insert_certificate(sql, org["id"], body["id"], "2020-01-01", "2021-12-31")
    current = M.insert_certificate(sql, org["id"], body["id"], L.days(-30), L.days(300))
    for token in (lb.admin, None):
        r = client.get(CERTS, token=token, params={"kvkNumber": org["kvkNumber"], "status": "valid", "limit": "1"})
        assert r.status_code == 200, r.content
        items = r.json()["items"]
        assert [c["certificateNumber"] for c in items] == [current["number"]], r.json()
        assert items[0]["status"] == "valid"
    r = client.get(CERTS, token=lb.admin, params={"kvkNumber": org["kvkNumber"], "status": "expired", "limit": "1"})
    first = r.json()
    assert len(first["items"]) == 1 and first["nextCursor"], first
    r = client.get(CERTS, token=lb.admin, params={"kvkNumber": org["kvkNumber"], "status": "expired", "limit": "1",
                                                 "cursor": first["nextCursor"]})
    assert len(r.json()["items"]) == 1, r.json()


def test_public_list_pages_are_full(client, lb, sql):
    """Withdrawn and not-yet-valid certificates leave the public list before paging."""
    org = lb.create_org()
    body = lb.create_body()
    M.insert_certificate(sql, org["id"], body["id"], "2020-01-01", "2021-12-31",
                         events=[("withdrawn", "2020-06-01", "fraude")])
    future = M.insert_certificate(sql, org["id"], body["id"], L.days(100), L.days(500))
    current = M.insert_certificate(sql, org["id"], body["id"], L.days(-30), L.days(99))
    # Page order is issue order: the one not yet valid comes first.
    sql(f"UPDATE certificates SET issued_at = '2021-01-01' WHERE id = '{future['id']}'")
    r = client.get(CERTS, params={"kvkNumber": org["kvkNumber"], "limit": "1"})
    assert r.status_code == 200, r.content
    assert [c["certificateNumber"] for c in r.json()["items"]] == [current["number"]], r.json()


def test_answers_follow_their_organisation_and_expiry(client, lb, sql):
    """The stored answers show the organisation as it is now (after a change of name, city or
    municipalities) and a certificate's changes as recorded (its expiry included)."""
    c = lb.certified("2019")
    org, number = c["org"], c["number"]
    _, muni = lb.municipality(L.random_gm())
    r = client.request("PATCH", f"{L.ORGS}/{org['id']}", token=lb.admin,
                       json={"name": "Welzijn Hernoemd", "city": "Zwolle"})
    assert r.status_code == 200, r.content
    assert client.get(f"{CERTS}/{number}").json()["organisation"]["name"] == "Welzijn Hernoemd"
    assert client.get(f"{CERTS}/{number}", token=lb.admin).json()["organisation"]["city"] == "Zwolle"
    listed = client.get(CERTS, params={"kvkNumber": org["kvkNumber"]}).json()["items"]
    assert [x["organisation"]["name"] for x in listed] == ["Welzijn Hernoemd"]
    checked = client.get("/v1/certification-checks", token=muni, params={"kvkNumber": org["kvkNumber"]}).json()
    assert checked["organisation"]["name"] == "Welzijn Hernoemd" and checked["certified"] is True


def test_check_shows_the_expiry_the_scan_recorded(scratch_db, spawn_server, pg):
    """The expiry scan's `expired` event reaches the stored check answer in its own transaction."""
    db = scratch_db()
    _, c = spawn_server({"EXPIRY_INTERVAL_SECONDS": "1"}, db=db)

    def sql_db(query):
        return pg.psql(query, db=db)

    org = M.insert_org(sql_db)
    body = M.insert_body(sql_db)
    old = M.insert_certificate(sql_db, org["id"], body["id"], "2020-01-01", "2021-12-31")
    token = c.post("/v1/auth/token", json={"grant_type": "password", "username": H.ADMIN_USERNAME,
                                           "password": H.ADMIN_PASSWORD}).json()["access_token"]
    deadline = time.monotonic() + 30
    while True:
        checked = c.get("/v1/certification-checks", token=token,
                        params={"kvkNumber": org["kvkNumber"], "on": "2022-06-01"}).json()
        if checked["certificate"] is not None and len(checked["certificate"]["changes"]) == 2:
            break
        assert time.monotonic() < deadline, f"no expiry in the check answer: {checked}"
        time.sleep(0.2)
    assert checked["certificate"]["certificateNumber"] == old["number"]
    assert [x["type"] for x in checked["certificate"]["changes"]] == ["issued", "expired"], checked
    assert checked["certificate"]["status"] == "expired" and checked["certified"] is False
