"""/v1/webhook-subscriptions: creation (secret shown once), refused targets (SSRF), signed
Standard Webhooks deliveries in event order with retries, the deliveries log, replay, 410
disabling, filters, DELETE, redirects and connection errors, and per-municipality visibility.

Delivery tests run against a server of this module's own (WEBHOOK_ALLOWED_HOSTS=127.0.0.1,
WEBHOOK_RETRY_BASE_SECONDS=1, WEBHOOK_POLL_MILLISECONDS=200, EXPIRY_INTERVAL_SECONDS=1) on a
database of its own, so that no other replica (with other settings) claims its deliveries.
A receiver in this process (http.server on 127.0.0.1) checks every signature and records every
request; the session server (no allowlist) is used for the refused targets."""

import base64
import datetime
import re
import time
import types
import uuid

import pytest

import kr_helpers as H
import label_helpers as L
import municipal_helpers as M
from kr_helpers import assert_problem

SUBS, CERTS = M.SUBS, M.CERTS
SUB_KEYS = {"id", "targetUrl", "eventTypes", "kvkNumbers", "active", "disabledReason", "createdAt"}
DELIVERY_KEYS = {"id", "eventId", "eventType", "status", "attempts", "lastStatusCode", "lastError",
                 "nextAttemptAt", "deliveredAt", "createdAt"}
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
SECRET_RE = re.compile(r"^whsec_[A-Za-z0-9+/]+={0,2}$")
HOOK_ENV = {"WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WEBHOOK_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_POLL_MILLISECONDS": "200", "EXPIRY_INTERVAL_SECONDS": "1"}


@pytest.fixture(scope="module")
def hooks(pg, contract):
    db = "kr_scratch_" + uuid.uuid4().hex[:10]
    pg.createdb(db)
    receiver = M.Receiver()
    srv = None
    secrets = []
    problems = []
    try:
        srv = M.ExtraServer(pg, contract, HOOK_ENV, db=db, name="webhook-server")
        kr2 = M.DbKr(srv.client, pg, db)
        yield types.SimpleNamespace(srv=srv, client=srv.client, kr=kr2, lb=L.Label(srv.client, kr2),
                                    receiver=receiver, sql=kr2.sql, db=db, secrets=secrets)
        logs = srv.logs()
        leaked = [s for s in secrets if s in logs or s[len("whsec_"):] in logs]
        if leaked:
            problems.append(f"{len(leaked)} webhook secrets appear in the server's logs")
    finally:
        if srv is not None:
            problems.extend(srv.close())
        receiver.close()
        pg.dropdb(db)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def lb(client, kr):
    return L.Label(client, kr)


def tagged(prefix):
    return f"/{prefix}-{L.tag()}"


def subscribe(env, token, path=None, event_types=None, kvks=None, target=None, expect=201):
    body = {"targetUrl": target or env.receiver.url(path), "eventTypes": event_types or list(M.EVENT_TYPES)}
    if kvks is not None:
        body["kvkNumbers"] = kvks
    r = env.client.post(SUBS, token=token, json=body)
    assert r.status_code == expect, f"create subscription: {r.status_code} {r.content[:800]!r}"
    if expect != 201:
        return r
    sub = r.json()
    secret = sub.get("secret")
    assert isinstance(secret, str) and SECRET_RE.match(secret), f"secret {secret!r}"
    H.remember_secret(secret)
    env.secrets.append(secret)
    if path is not None:
        env.receiver.expect_secret(path, secret)
    assert L.location_path(r) == f"{SUBS}/{sub['id']}"
    return sub


def get_sub(client, token, sub_id, expect=200):
    r = client.get(f"{SUBS}/{sub_id}", token=token)
    assert r.status_code == expect, f"GET subscription: {r.status_code} {r.content[:500]!r}"
    return r.json()


def list_all(client, token, path, limit=100):
    out, cursor = [], None
    for _ in range(500):
        params = {"limit": str(limit)}
        if cursor:
            params["cursor"] = cursor
        r = client.get(path, token=token, params=params)
        assert r.status_code == 200, f"GET {path}: {r.status_code} {r.content[:500]!r}"
        out += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if cursor is None:
            return out
    raise AssertionError(f"paging {path} does not end")


def deliveries(client, token, sub_id):
    return list_all(client, token, f"{SUBS}/{sub_id}/deliveries")


def delivered_ids(receiver, path):
    """webhook-ids answered 2xx at path, in the order of their first 2xx."""
    out = []
    for r in receiver.at(path):
        if 200 <= (r.answered or 0) < 300 and r.webhook_id not in out:
            out.append(r.webhook_id)
    return out


def wait_delivered(receiver, path, n, timeout=60):
    return M.wait_until(lambda: len(delivered_ids(receiver, path)) >= n and delivered_ids(receiver, path),
                        timeout=timeout, interval=0.1, what=f"{n} deliveries at {path}")


def events_of(env, number):
    return M.cert_events(env.sql, number=number)


def feed_item(env, token, event_id):
    r = env.client.get(M.EVENTS, token=token, params={"after": str(event_id - 1), "limit": "1"})
    assert r.status_code == 200, r.content
    item = r.json()["items"][0]
    assert item["id"] == event_id
    return item


def check_receipt(r, secret):
    """Every request: a signed POST of JSON."""
    assert r.method == "POST", r
    assert H.media_base(r.headers.get("content-type")) == "application/json", r.headers
    assert r.sig_ok is True or M.signature_ok(secret, r.headers, r.body), f"bad signature: {r.headers}"
    assert H.UUID_RE.match(r.webhook_id or ""), f"webhook-id {r.webhook_id!r}"
    ts = r.headers.get("webhook-timestamp", "")
    assert ts.isdigit(), f"webhook-timestamp {ts!r}"
    assert abs(int(ts) - r.at) < 120, f"webhook-timestamp {ts} is not this attempt's time ({r.at:.0f})"
    assert r.json is not None and set(r.json) == {"type", "timestamp", "data"}, r.body[:500]
    stamp = r.json["timestamp"]
    assert isinstance(stamp, str) and RFC3339_RE.match(stamp), f"timestamp {stamp!r} is not RFC 3339"
    datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00").replace("z", "+00:00"))
    assert set(r.json["data"]) == {"eventId", "certificateNumber", "organisationId", "kvkNumber", "previousKvkNumber",
                                   "effectiveOn"}, \
        r.json


def expected_body(item):
    return {"eventId": item["id"], "certificateNumber": item["certificateNumber"],
            "organisationId": item["organisationId"], "kvkNumber": item["kvkNumber"],
            "previousKvkNumber": item["previousKvkNumber"], "effectiveOn": item["effectiveOn"]}


# ------------------------------------------------------------------ creation and reading


def test_create_secret_shown_once(hooks):
    env = hooks
    acct, tok = env.lb.municipality(L.random_gm())
    kvk = L.random_kvk()
    path = tagged("created")
    sub = subscribe(env, tok, path, ["issued", "withdrawn"], [kvk])
    assert set(sub) == SUB_KEYS | {"secret"}, sub
    assert H.UUID_RE.match(sub["id"])
    assert sub["targetUrl"] == env.receiver.url(path)
    assert sub["eventTypes"] == ["issued", "withdrawn"] and sub["kvkNumbers"] == [kvk]
    assert sub["active"] is True and sub["disabledReason"] is None
    L.check_timestamp(sub["createdAt"])
    assert len(base64.b64decode(sub["secret"][len("whsec_"):], validate=True)) == 32
    shown = get_sub(env.client, tok, sub["id"])
    assert "secret" not in shown, "the secret is shown only when created"
    assert shown == {k: v for k, v in sub.items() if k != "secret"}
    admin_view = get_sub(env.client, env.lb.admin, sub["id"])
    assert admin_view == shown
    other = subscribe(env, tok, tagged("created2"), ["suspended"])
    assert other["kvkNumbers"] == [], "kvkNumbers defaults to [] (all)"
    assert other["secret"] != sub["secret"]
    third = subscribe(env, tok, tagged("created3"), ["expired"], [kvk, L.random_kvk()])
    listed = list_all(env.client, tok, SUBS, limit=1)
    assert sorted(s["id"] for s in listed) == sorted([sub["id"], other["id"], third["id"]])
    assert all("secret" not in s for s in listed)
    everything = list_all(env.client, env.lb.admin, SUBS)
    assert {sub["id"], other["id"], third["id"]} <= {s["id"] for s in everything}
    assert all("secret" not in s for s in everything)


def test_allowlisted_server_still_refuses_other_private_and_plain_http(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    for url in ("https://10.1.2.3/x", "http://93.184.215.14/x", "https://192.168.0.10/x", "http://10.1.2.3/x",
                "https://[::1]/x", "https://169.254.169.254/latest"):
        r = env.client.post(SUBS, token=tok, json={"targetUrl": url, "eventTypes": ["issued"]})
        assert_problem(r, 400, slug="validation-error", fields={"targetUrl"})
    for url in (env.receiver.url("/allowed"), f"https://127.0.0.1:{env.receiver.port}/allowed"):
        r = env.client.post(SUBS, token=tok, json={"targetUrl": url, "eventTypes": ["issued"], "kvkNumbers": [L.random_kvk()]})
        assert r.status_code == 201, f"{url}: {r.status_code} {r.content[:300]!r}"
        env.secrets.append(r.json()["secret"])
        assert env.client.delete(f"{SUBS}/{r.json()['id']}", token=tok).status_code == 204


# ------------------------------------------------------------------ deliveries


def test_signed_deliveries_in_order_with_retries(hooks):
    env = hooks
    acct, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    party = env.lb.body_with_certifier()
    path = tagged("main")
    order = {}
    fails = {1: (2, 500), 3: (1, 503)}  # 2nd delivery: two failures; 4th: one

    def plan(r, attempt):
        idx = order.setdefault(r.webhook_id, len(order))
        n, status = fails.get(idx, (0, 200))
        return status if attempt <= n else (204 if idx == 2 else 200)

    env.receiver.plan(path, plan)
    sub = subscribe(env, tok, path, list(M.EVENT_TYPES), [org["kvkNumber"]])
    c = env.lb.certified("2019", org=org, party=party)
    n = c["number"]
    env.lb.cert_action(n, "suspension", expect=200)
    env.lb.cert_action(n, "reinstatement", expect=200)
    env.lb.cert_action(n, "suspension", expect=200)
    env.lb.cert_action(n, "withdrawal", expect=200)
    events = events_of(env, n)
    assert [t for _, t, _ in events] == ["issued", "suspended", "reinstated", "suspended", "withdrawn"]
    wait_delivered(env.receiver, path, 5, timeout=90)
    time.sleep(1.0)  # nothing more may arrive
    receipts = env.receiver.at(path)
    for r in receipts:
        check_receipt(r, sub["secret"])
    # every event exactly once (after de-duplicating by webhook-id), in event-id order
    ids = delivered_ids(env.receiver, path)
    by_id = {}
    for r in receipts:
        by_id.setdefault(r.webhook_id, []).append(r)
    first_ok = [next(r for r in by_id[i] if 200 <= r.answered < 300) for i in ids]
    assert [r.json["data"]["eventId"] for r in first_ok] == [e[0] for e in events], \
        f"delivered event ids {[r.json['data']['eventId'] for r in first_ok]}, events {events}"
    for i, rs in by_id.items():
        assert sum(1 for r in rs if 200 <= r.answered < 300) == 1, f"delivery {i} answered 2xx twice: {rs}"
        assert len({r.json["data"]["eventId"] for r in rs}) == 1, f"one webhook-id, several events: {rs}"
    assert len(by_id) == 5, f"{len(by_id)} webhook-ids for 5 events: {receipts}"
    for r, (eid, etype, eff) in zip(first_ok, events):
        item = feed_item(env, tok, eid)
        assert r.json["type"] == f"certificate.{etype}"
        assert r.json["data"] == expected_body(item)
        assert r.json["data"]["certificateNumber"] == n and r.json["data"]["effectiveOn"] == eff
    # in order: no attempt for a later event before the earlier one was delivered
    seq = [r.json["data"]["eventId"] for r in receipts]
    assert seq == sorted(seq), f"attempts out of event order: {seq}"
    # retries: same webhook-id, growing delays (base 1 s, doubling)
    retried = by_id[ids[1]]
    assert [r.answered for r in retried] == [500, 500, 200], retried
    gap1, gap2 = retried[1].at - retried[0].at, retried[2].at - retried[1].at
    assert gap1 >= 0.9 and gap2 >= 1.8, f"retry delays {gap1:.2f}s, {gap2:.2f}s (base 1 s, doubling)"
    assert [r.answered for r in by_id[ids[3]]] == [503, 200]
    # the deliveries log
    log = deliveries(env.client, tok, sub["id"])
    assert len(log) == 5, log
    for d in log:
        assert set(d) == DELIVERY_KEYS, d
        L.check_timestamp(d["createdAt"])
    assert [d["eventId"] for d in log] == [e[0] for e in reversed(events)], "newest first"
    by_event = {d["eventId"]: d for d in log}
    expect_attempts = [1, 3, 1, 2, 1]
    expect_code = [200, 200, 204, 200, 200]
    for k, (eid, etype, _) in enumerate(events):
        d = by_event[eid]
        assert d["id"] == ids[k], "the delivery id is the webhook-id"
        assert d["eventType"] == etype and d["status"] == "delivered", d
        assert d["attempts"] == expect_attempts[k], f"delivery of event {k}: attempts {d['attempts']}"
        assert d["lastStatusCode"] == expect_code[k], d
        L.check_timestamp(d["deliveredAt"])
    assert deliveries(env.client, env.lb.admin, sub["id"]) == log, "admin may read the deliveries"
    paged = list_all(env.client, tok, f"{SUBS}/{sub['id']}/deliveries", limit=2)
    assert [d["id"] for d in paged] == [d["id"] for d in log], "paging the deliveries log"


def test_replay(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    _, other_tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path = tagged("replay")
    sub = subscribe(env, tok, path, ["issued"], [org["kvkNumber"]])
    env.lb.certified("2019", org=org)
    (wid,) = wait_delivered(env.receiver, path, 1)
    d = M.wait_until(lambda: [x for x in deliveries(env.client, tok, sub["id"]) if x["status"] == "delivered"],
                     timeout=10, what="delivered status")[0]
    assert d["id"] == wid
    replay = f"{SUBS}/{sub['id']}/deliveries/{wid}/replay"
    assert_problem(env.client.post(replay, token=other_tok), 404)
    r = env.client.post(replay, token=tok)
    assert r.status_code == 202, r.content
    body = r.json()
    assert set(body) == DELIVERY_KEYS and body["id"] == wid and body["status"] == "pending", body
    assert body["eventId"] == d["eventId"]
    M.wait_until(lambda: sum(1 for x in env.receiver.at(path) if x.webhook_id == wid and x.answered == 200) == 2,
                 timeout=30, what="the replayed delivery")
    again = [x for x in env.receiver.at(path) if x.webhook_id == wid]
    assert len(again) == 2 and all(x.sig_ok for x in again)
    assert again[0].json["data"] == again[1].json["data"]
    assert again[1].headers["webhook-timestamp"] >= again[0].headers["webhook-timestamp"]
    M.wait_until(lambda: deliveries(env.client, tok, sub["id"])[0]["status"] == "delivered", timeout=10,
                 what="delivered again")
    assert len(deliveries(env.client, tok, sub["id"])) == 1, "a replay queues the same delivery again"
    assert_problem(env.client.post(f"{SUBS}/{sub['id']}/deliveries/{uuid.uuid4()}/replay", token=tok), 404)
    assert_problem(env.client.post(f"{SUBS}/{sub['id']}/deliveries/not-a-uuid/replay", token=tok), 400,
                   slug="validation-error", fields={"deliveryId"})


def test_replay_of_a_pending_delivery_conflicts(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path = tagged("failing")
    env.receiver.plan(path, lambda r, attempt: 500)
    sub = subscribe(env, tok, path, ["issued"], [org["kvkNumber"]])
    env.lb.certified("2019", org=org)
    M.wait_until(lambda: len(env.receiver.at(path)) >= 2, timeout=30, what="two failed attempts")

    def recorded():
        log = deliveries(env.client, tok, sub["id"])
        return log if log and log[0]["attempts"] >= 2 and log[0]["lastStatusCode"] == 500 else None

    (d,) = M.wait_until(recorded, timeout=15, what="the failed attempts in the deliveries log")
    assert d["status"] in ("pending", "delivering"), d
    assert d["deliveredAt"] is None
    if d["status"] == "pending":
        L.check_timestamp(d["nextAttemptAt"])
    replay = f"{SUBS}/{sub['id']}/deliveries/{d['id']}/replay"
    assert_problem(env.client.post(replay, token=tok), 409)
    # A failed delivery (retries over after three days: made here with SQL) may be replayed.
    def mark_failed():
        env.sql("update webhook_deliveries set status = 'failed', lease_until = null "
                f"where id = {M.q(d['id'])} and status = 'pending'")
        time.sleep(0.6)
        log = deliveries(env.client, tok, sub["id"])
        return log if log[0]["status"] == "failed" else None

    (failed,) = M.wait_until(mark_failed, timeout=20, what="the delivery marked failed")
    seen = len(env.receiver.at(path))
    time.sleep(1.5)
    assert len(env.receiver.at(path)) == seen, "a failed delivery is not attempted again by itself"
    env.receiver.plan(path, lambda r, attempt: 200)
    r = env.client.post(replay, token=tok)
    assert r.status_code == 202, r.content
    assert r.json()["id"] == d["id"] and r.json()["status"] == "pending", r.json()
    M.wait_until(lambda: any(x.answered == 200 and x.webhook_id == d["id"] for x in env.receiver.at(path)),
                 timeout=20, what="the replayed failed delivery")
    M.wait_until(lambda: deliveries(env.client, tok, sub["id"])[0]["status"] == "delivered", timeout=10,
                 what="delivered after replay")
    assert env.client.delete(f"{SUBS}/{sub['id']}", token=tok).status_code == 204


def test_gone_disables_subscription(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path = tagged("gone")
    env.receiver.plan(path, lambda r, attempt: 410)
    sub = subscribe(env, tok, path, list(M.EVENT_TYPES), [org["kvkNumber"]])
    c = env.lb.certified("2019", org=org)
    got = M.wait_until(lambda: (lambda s: s if s["active"] is False else None)(get_sub(env.client, tok, sub["id"])),
                       timeout=20, what="the subscription disabled after 410")
    assert isinstance(got["disabledReason"], str) and got["disabledReason"].strip(), got
    assert len(env.receiver.at(path)) == 1, "a 410 is not retried"
    env.lb.cert_action(c["number"], "suspension", expect=200)
    time.sleep(3)
    assert len(env.receiver.at(path)) == 1, "a disabled subscription gets no deliveries"
    listed = [s for s in list_all(env.client, tok, SUBS) if s["id"] == sub["id"]]
    assert listed and listed[0]["active"] is False


def test_kvk_and_event_type_filters(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    a, b = env.lb.create_org(), env.lb.create_org()
    party = env.lb.body_with_certifier()
    pk, pt, pa = tagged("by-kvk"), tagged("by-type"), tagged("all-kvk")
    sub_k = subscribe(env, tok, pk, list(M.EVENT_TYPES), [a["kvkNumber"]])
    sub_t = subscribe(env, tok, pt, ["suspended", "withdrawn"], [a["kvkNumber"], b["kvkNumber"]])
    sub_a = subscribe(env, tok, pa, ["reinstated"], [])
    ca = env.lb.certified("2019", org=a, party=party)["number"]
    cb = env.lb.certified("2019", org=b, party=party)["number"]
    for n in (ca, cb):
        env.lb.cert_action(n, "suspension", expect=200)
    for n in (ca, cb):
        env.lb.cert_action(n, "reinstatement", expect=200)
    env.lb.cert_action(cb, "withdrawal", expect=200)
    ea, eb = events_of(env, ca), events_of(env, cb)
    want_k = [e[0] for e in ea]
    want_t = sorted(e[0] for e in ea + eb if e[1] in ("suspended", "withdrawn"))
    want_a = sorted(e[0] for e in ea + eb if e[1] == "reinstated")
    assert (len(want_k), len(want_t), len(want_a)) == (3, 3, 2)
    wait_delivered(env.receiver, pk, 3)
    wait_delivered(env.receiver, pt, 3)
    wait_delivered(env.receiver, pa, 2)
    time.sleep(2)

    def got(path, secret):
        rs = env.receiver.at(path)
        for r in rs:
            check_receipt(r, secret)
        return [r.json["data"]["eventId"] for r in rs if 200 <= r.answered < 300]

    assert got(pk, sub_k["secret"]) == want_k
    assert got(pt, sub_t["secret"]) == want_t
    all_kvk = got(pa, sub_a["secret"])
    assert all(r.json["type"] == "certificate.reinstated" for r in env.receiver.at(pa))
    assert [i for i in all_kvk if i in want_a] == want_a, "kvkNumbers [] means every organisation"
    assert len(deliveries(env.client, tok, sub_k["id"])) == 3
    assert len(deliveries(env.client, tok, sub_t["id"])) == 3


def test_expired_event_is_delivered(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    body = env.lb.create_body()
    path = tagged("expired")
    sub = subscribe(env, tok, path, ["expired"], [org["kvkNumber"]])
    cert = M.insert_certificate(env.sql, org["id"], body["id"], "2021-01-01", "2022-12-31")
    wait_delivered(env.receiver, path, 1, timeout=30)
    time.sleep(1.5)
    rs = env.receiver.at(path)
    assert len(rs) == 1, f"only the expired event is wanted, got {rs}"
    check_receipt(rs[0], sub["secret"])
    assert rs[0].json["type"] == "certificate.expired"
    assert rs[0].json["data"]["certificateNumber"] == cert["number"]
    assert rs[0].json["data"]["effectiveOn"] == "2023-01-01"
    assert rs[0].json["data"]["kvkNumber"] == org["kvkNumber"]


def test_delete_stops_deliveries(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path, path2 = tagged("deleted"), tagged("deleted-early")
    env.receiver.plan(path, lambda r, attempt: 500)
    sub = subscribe(env, tok, path, list(M.EVENT_TYPES), [org["kvkNumber"]])
    early = subscribe(env, tok, path2, list(M.EVENT_TYPES), [org["kvkNumber"]])
    r = env.client.delete(f"{SUBS}/{early['id']}", token=tok)
    assert r.status_code == 204 and r.content == b"", r.content
    c = env.lb.certified("2019", org=org)
    M.wait_until(lambda: len(env.receiver.at(path)) >= 1, timeout=20, what="a first (failing) attempt")
    r = env.client.delete(f"{SUBS}/{sub['id']}", token=tok)
    assert r.status_code == 204, r.content
    deleted_at = time.time()
    env.lb.cert_action(c["number"], "suspension", expect=200)
    time.sleep(5)  # retries would come after about 1, 2 and 4 seconds
    late = [x for x in env.receiver.at(path) if x.at > deleted_at + 0.5]
    assert not late, f"deliveries after DELETE: {late}"
    assert env.receiver.at(path2) == [], "a subscription deleted before the event gets nothing"
    assert sub["id"] not in [s["id"] for s in list_all(env.client, tok, SUBS)]
    assert_problem(env.client.get(f"{SUBS}/{sub['id']}", token=tok), 404)


def test_redirects_are_not_followed(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path, target = tagged("redirect"), tagged("redirect-target")
    env.receiver.plan(path, lambda r, attempt: (302, {"Location": env.receiver.url(target)}))
    sub = subscribe(env, tok, path, ["issued"], [org["kvkNumber"]])
    env.lb.certified("2019", org=org)
    M.wait_until(lambda: len(env.receiver.at(path)) >= 2, timeout=20, what="attempts at the redirecting target")
    assert env.receiver.at(target) == [], "a redirect was followed"

    def recorded():
        log = deliveries(env.client, tok, sub["id"])
        return log if log and log[0]["lastStatusCode"] == 302 else None

    (d,) = M.wait_until(recorded, timeout=10, what="302 in the deliveries log")
    assert d["status"] != "delivered" and d["deliveredAt"] is None, d
    assert env.client.delete(f"{SUBS}/{sub['id']}", token=tok).status_code == 204


def test_connection_errors_are_retried(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    port = H.free_port()  # nothing listens there
    sub = subscribe(env, tok, None, ["issued"], [org["kvkNumber"]], target=f"http://127.0.0.1:{port}/down")
    env.lb.certified("2019", org=org)

    def retried():
        log = deliveries(env.client, tok, sub["id"])
        return log if log and log[0]["attempts"] >= 2 else None

    (d,) = M.wait_until(retried, timeout=20, what="a retried connection error")
    assert d["status"] in ("pending", "delivering") and d["lastStatusCode"] is None, d
    assert isinstance(d["lastError"], str) and d["lastError"].strip(), d
    assert env.client.delete(f"{SUBS}/{sub['id']}", token=tok).status_code == 204


def test_slow_target_times_out_and_is_retried(hooks):
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path = tagged("slow")

    def plan(r, attempt):
        if attempt == 1:
            time.sleep(12)  # longer than the 10 s timeout
        return 200

    env.receiver.plan(path, plan)
    sub = subscribe(env, tok, path, ["issued"], [org["kvkNumber"]])
    env.lb.certified("2019", org=org)

    def done():
        log = deliveries(env.client, tok, sub["id"])
        return log if log and log[0]["status"] == "delivered" else None

    (d,) = M.wait_until(done, timeout=45, what="delivery after a timed-out attempt")
    M.wait_until(lambda: len(env.receiver.at(path)) >= 2, timeout=5, what="both attempts recorded")
    rs = sorted(env.receiver.at(path), key=lambda r: r.at)
    assert len(rs) >= 2 and len({r.webhook_id for r in rs}) == 1, rs
    assert 9.5 <= rs[1].at - rs[0].at < 13, f"the retry came {rs[1].at - rs[0].at:.1f}s after the first attempt"
    assert d["attempts"] == 2 and d["lastStatusCode"] == 200, d


# ------------------------------------------------------------------ who sees what


def test_other_municipality_gets_404(hooks):
    env = hooks
    _, tok_a = env.lb.municipality(L.random_gm())
    _, tok_b = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    path = tagged("owner")
    sub = subscribe(env, tok_a, path, ["issued"], [org["kvkNumber"]])
    mine_b = subscribe(env, tok_b, tagged("owner-b"), ["issued"], [L.random_kvk()])
    env.lb.certified("2019", org=org)
    (wid,) = wait_delivered(env.receiver, path, 1)
    base = f"{SUBS}/{sub['id']}"
    assert_problem(env.client.get(base, token=tok_b), 404)
    assert_problem(env.client.get(f"{base}/deliveries", token=tok_b), 404)
    assert_problem(env.client.post(f"{base}/deliveries/{wid}/replay", token=tok_b), 404)
    assert_problem(env.client.delete(base, token=tok_b), 404)
    assert get_sub(env.client, tok_a, sub["id"])["active"] is True, "still there after B's DELETE"
    assert [s["id"] for s in list_all(env.client, tok_b, SUBS)] == [mine_b["id"]]
    assert sub["id"] in [s["id"] for s in list_all(env.client, tok_a, SUBS)]
    admin_ids = {s["id"] for s in list_all(env.client, env.lb.admin, SUBS)}
    assert {sub["id"], mine_b["id"]} <= admin_ids
    assert_problem(env.client.get(f"{SUBS}/{uuid.uuid4()}", token=tok_a), 404)
    assert_problem(env.client.get(f"{SUBS}/not-a-uuid", token=tok_a), 400, slug="validation-error",
                   fields={"subscriptionId"})


def test_subscription_roles(client, lb, kr):
    org = lb.create_org()
    _, org_tok = lb.org_account(org["id"])
    party = lb.body_with_certifier()
    prof = kr.token_for(kr.make_account("professional"))
    payload = {"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued"], "kvkNumbers": [L.random_kvk()]}
    for tok in (org_tok, party["token"], prof, lb.admin):
        assert_problem(client.post(M.SUBS, token=tok, json=payload), 403)
    for tok in (org_tok, party["token"], prof):
        assert_problem(client.get(M.SUBS, token=tok), 403)
        assert_problem(client.get(f"{M.SUBS}/{uuid.uuid4()}", token=tok), 403)
    assert_problem(client.post(M.SUBS, json=payload), 401)
    assert_problem(client.get(M.SUBS), 401)


# ------------------------------------------------------------------ validation (session server, no allowlist)


@pytest.mark.parametrize("url", [
    "https://10.1.2.3/x", "https://localhost/x", "http://127.0.0.1:8080/x", "https://127.0.0.1/x",
    "https://192.168.1.20/hook", "https://172.16.5.4/hook", "https://169.254.169.254/latest/meta-data",
    "https://0.0.0.0/x", "https://224.0.0.1/x", "https://[::1]/x", "https://[fe80::1]/x", "https://[fd00::1]/x",
    "https://[::ffff:127.0.0.1]/x", "https://[::]/x", "https://127.1/x", "https://2130706433/x",
    "http://93.184.215.14/x", "ftp://93.184.215.14/x", "https://user:pw@93.184.215.14/x",
    "https://user@93.184.215.14/x", "not a url", "https://", "//93.184.215.14/x", "", "https:///x",
])
def test_refused_targets(client, lb, url):
    _, tok = lb.municipality(L.random_gm())
    r = client.post(M.SUBS, token=tok, json={"targetUrl": url, "eventTypes": ["issued"]})
    assert_problem(r, 400, slug="validation-error", fields={"targetUrl"})


def test_public_target_accepted(client, lb):
    _, tok = lb.municipality(L.random_gm())
    r = client.post(M.SUBS, token=tok, json={"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued"],
                                             "kvkNumbers": [L.random_kvk()]})
    assert r.status_code == 201, r.content
    H.remember_secret(r.json()["secret"])
    assert client.delete(f"{M.SUBS}/{r.json()['id']}", token=tok).status_code == 204


@pytest.mark.parametrize("payload,field", [
    ({"eventTypes": ["issued"]}, "targetUrl"),
    ({"targetUrl": M.PUBLIC_TARGET}, "eventTypes"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": []}, "eventTypes"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": "issued"}, "eventTypes"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued", "issued"]}, "eventTypes"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued", "created"]}, "eventTypes"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued"], "kvkNumbers": "12345678"}, "kvkNumbers"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued"], "kvkNumbers": ["1234"]}, "kvkNumbers"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued"], "secret": "whsec_x"}, "secret"),
    ({"targetUrl": M.PUBLIC_TARGET, "eventTypes": ["issued"], "active": False}, "active"),
    ({"targetUrl": 42, "eventTypes": ["issued"]}, "targetUrl"),
])
def test_subscription_bad_bodies(client, lb, payload, field):
    _, tok = lb.municipality(L.random_gm())
    r = client.post(M.SUBS, token=tok, json=payload)
    body = assert_problem(r, 400, slug="validation-error")
    names = H.field_names(body)
    assert any(n == field or n.startswith(field + "[") for n in names), \
        f"errors[] should name {field} (or an item of it): {body}"


def test_kvk_number_change_reaches_followers_of_either_number(hooks):
    """A municipality following an organisation by its old KvK number hears of the change, with
    both numbers; one following the new number too. Later events go by the new number."""
    env = hooks
    _, tok = env.lb.municipality(L.random_gm())
    org = env.lb.create_org()
    number = env.lb.certified("2019", org=org)["number"]
    old, new = org["kvkNumber"], L.random_kvk()
    p_old, p_new = tagged("old-kvk"), tagged("new-kvk")
    sub_old = subscribe(env, tok, p_old, ["kvk_number_changed", "suspended"], [old])
    sub_new = subscribe(env, tok, p_new, ["kvk_number_changed", "suspended"], [new])
    r = env.client.post(f"{L.ORGS}/{org['id']}/kvk-number-changes", token=env.lb.admin,
                        json={"kvkNumber": new, "reason": "Fusie"})
    assert r.status_code == 201, r.content
    env.lb.cert_action(number, "suspension", expect=200)
    wait_delivered(env.receiver, p_old, 1)
    wait_delivered(env.receiver, p_new, 2)
    time.sleep(1)
    for path, sub, want in ((p_old, sub_old, ["certificate.kvk_number_changed"]),
                            (p_new, sub_new, ["certificate.kvk_number_changed", "certificate.suspended"])):
        rs = [x for x in env.receiver.at(path) if 200 <= x.answered < 300]
        for x in rs:
            check_receipt(x, sub["secret"])
        assert [x.json["type"] for x in rs] == want, [x.json for x in rs]
        first = rs[0].json["data"]
        assert (first["kvkNumber"], first["previousKvkNumber"], first["certificateNumber"]) == (new, old, number)
