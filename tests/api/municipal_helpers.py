"""Helpers for the municipal API tests (certification checks, the check log, the certificate
event feed, `expired` events, webhook subscriptions and deliveries, signed attestations).

Plain Python on top of kr_helpers and label_helpers (Debian's python3-cryptography for the
independent ES256 verification). Names and KvK numbers are random per call.
"""

import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

import kr_helpers as H
import label_helpers as L

CHECKS = "/v1/certification-checks"
CHECK_LOG = "/v1/certification-check-log"
EVENTS = "/v1/certificate-events"
SUBS = "/v1/webhook-subscriptions"
KEYS = "/v1/attestation-keys"
CERTS = L.CERTS
EVENT_TYPES = ["issued", "suspended", "reinstated", "withdrawn", "expired"]
# A public address literal (no DNS needed) for subscriptions that must be accepted but never used.
PUBLIC_TARGET = "https://93.184.215.14/kr-webhook"
SCOPE_JSON = '{"wholeOrganisation": true, "parts": [], "employees": 10, "businessCriticalVolunteers": 0}'


def log_entries(client, token, **params):
    """Every entry of GET /v1/certification-check-log with these filters, page after page."""
    out, cursor = [], None
    for _ in range(200):
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        r = client.get(CHECK_LOG, token=token, params=p)
        assert r.status_code == 200, r.content
        out += r.json()["items"]
        cursor = r.json()["nextCursor"]
        if cursor is None:
            return out
    raise AssertionError("check-log pagination does not end")


def date_of(s):
    return datetime.date.fromisoformat(s) if isinstance(s, str) else s


def plus_days(s, n):
    return (date_of(s) + datetime.timedelta(days=n)).isoformat()


def wait_until(pred, timeout=30.0, interval=0.1, what="condition"):
    """Poll pred() until it returns a truthy value (returned) or the timeout passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")
        time.sleep(interval)


def q(s):
    """SQL string literal."""
    return "'" + str(s).replace("'", "''") + "'"


class DbKr(H.Kr):
    """H.Kr bound to another server and database (sql() defaults to that database)."""

    def __init__(self, client, pg, db):
        super().__init__(client, pg)
        self.db = db

    def sql(self, query, db=None):
        return self.pg.psql(query, db=db or self.db)


# ------------------------------------------------------------------ rows made with SQL


def insert_org(sql, kvk=None, name=None, city=None, codes=("GM0363",)):
    """An organisation row (for databases where no API is at hand). Returns dict id, kvkNumber, name."""
    t = L.tag()
    kvk = kvk or L.random_kvk()
    name = name or f"Stichting SQL {t}"
    city = city or f"Stad {t}"
    arr = "{" + ",".join(codes) + "}"
    oid = sql(f"insert into organisations(name, kvk_number, city, municipality_codes) values "
              f"({q(name)}, {q(kvk)}, {q(city)}, {q(arr)}) returning id")[0][0]
    return {"id": oid, "kvkNumber": kvk, "name": name, "city": city, "municipalityCodes": list(codes)}


def insert_body(sql, name=None):
    name = name or f"Certificering SQL {L.tag()} B.V."
    bid = sql(f"insert into certifying_bodies(name) values ({q(name)}) returning id")[0][0]
    return {"id": bid, "name": name}


def insert_certificate(sql, org_id, body_id, valid_from, valid_until, events=(), framework="2019",
                       issued=True):
    """A certificate with its audit and events, in one statement (one transaction), so that no
    background scan sees it half made. events: [(type, effectiveOn, reason)] after `issued`
    (effectiveOn = validFrom). The number uses the service's own sequence (never collides).
    Returns dict number, id, validFrom, validUntil, frameworkVersion."""
    vf, vu = L.d(valid_from), L.d(valid_until)
    rows = []
    if issued:
        rows.append(("issued", vf, None))
    rows.extend(events)
    values = ", ".join(f"({i}, {q(t)}, date {q(L.d(e))}, {('NULL' if r is None else q(r))})"
                       for i, (t, e, r) in enumerate(rows))
    ev_cte = ""
    if rows:
        ev_cte = (", ev AS (INSERT INTO certificate_events (certificate_id, type, effective_on, reason) "
                  f"SELECT c.id, v.t, v.e, v.r FROM c, (VALUES {values}) AS v(o, t, e, r) ORDER BY v.o "
                  "RETURNING id)")
    stmt = (
        "WITH a AS (INSERT INTO audits (organisation_id, certifying_body_id, kind, type, framework_version,"
        " planned_on, scope, status) VALUES "
        f"({q(org_id)}, {q(body_id)}, 'external', 'initial', {q(framework)}, date {q(vf)} - 30,"
        f" {q(SCOPE_JSON)}::jsonb, 'granted') RETURNING id),"
        " c AS (INSERT INTO certificates (certificate_number, organisation_id, audit_id, framework_version,"
        " certifying_body_id, valid_from, valid_until, issued_at) SELECT "
        f"'KSW-' || to_char(date {q(vf)}, 'YYYY') || '-' || lpad(nextval('certificate_number_seq')::text, 6, '0'),"
        f" {q(org_id)}, a.id, {q(framework)}, {q(body_id)}, date {q(vf)}, date {q(vu)},"
        f" (date {q(vf)})::timestamptz + interval '10 hours' FROM a RETURNING id, certificate_number)"
        f"{ev_cte}"
        " SELECT c.id, c.certificate_number FROM c")
    cid, number = sql(stmt)[0]
    # The running server's statuses (a bare query function belongs to a test that starts its
    # servers afterwards: they derive at start-up).
    kr = getattr(sql, "__self__", None)
    if kr is not None:
        kr.derive_statuses()
    return {"id": cid, "number": number, "validFrom": vf, "validUntil": vu, "frameworkVersion": framework}


def cert_events(sql, cert_id=None, number=None):
    """[(id:int, type, effectiveOn)] of one certificate, in id order."""
    if number is not None:
        where = f"e.certificate_id = (SELECT id FROM certificates WHERE certificate_number = {q(number)})"
    else:
        where = f"e.certificate_id = {q(cert_id)}"
    return [(int(i), t, e) for i, t, e in
            sql(f"SELECT e.id, e.type, e.effective_on FROM certificate_events e WHERE {where} ORDER BY e.id")]


def max_event_id(sql):
    return int(sql("SELECT coalesce(max(id), 0) FROM certificate_events")[0][0])


# ------------------------------------------------------------------ extra servers (module scope)


class ExtraServer:
    """A server of our own (module-scoped use): start(), then .client; close() stops it and returns
    the problems (exit code, sanitizer report)."""

    def __init__(self, pg, contract, env, db="kr_test", name="municipal-server"):
        self.srv = H.ServerProcess(pg, env_overrides=env, db=db, name=name)
        self.client = H.ApiClient(self.srv.base_url, contract)
        try:
            self.srv.wait_ready(60)
        except Exception:
            self.close()
            raise

    @property
    def base_url(self):
        return self.srv.base_url

    def logs(self):
        return self.srv.stdout_text() + "\n" + self.srv.stderr_text()

    def close(self):
        self.client.close()
        problems = []
        try:
            self.srv.stop(20)
            problems.extend(self.srv.problems_after_stop())
        except AssertionError as e:
            problems.append(str(e))
        if not problems:
            self.srv.cleanup_files()
        return problems


# ------------------------------------------------------------------ webhook receiver


class Receipt:
    __slots__ = ("path", "method", "headers", "body", "at", "answered", "webhook_id", "json", "sig_ok")

    def __init__(self, path, method, headers, body, at):
        self.path, self.method, self.headers, self.body, self.at = path, method, headers, body, at
        self.answered = None
        self.sig_ok = None
        self.webhook_id = headers.get("webhook-id")
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<{self.method} {self.path} id={self.webhook_id} -> {self.answered} {self.body[:120]!r}>"


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request. plan(path, fn): fn(receipt,
    attempt_no) -> status (or (status, headers)); default 200. expect_secret(path, secret): every
    request on that path is checked against the Standard Webhooks signature first (receipt.sig_ok);
    a bad one is answered 401 without consulting the plan."""

    def __init__(self):
        self.lock = threading.Lock()
        self.receipts = []
        self.plans = {}
        self.secrets = {}
        self.attempts = {}  # webhook-id -> count
        recv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                path = self.path.split("?", 1)[0]
                r = Receipt(path, self.command, headers, body, time.time())
                with recv.lock:
                    key = r.webhook_id or ""
                    recv.attempts[key] = recv.attempts.get(key, 0) + 1
                    attempt = recv.attempts[key]
                    plan = recv.plans.get(path)
                    secret = recv.secrets.get(path)
                if secret is not None:
                    r.sig_ok = signature_ok(secret, headers, body)
                try:
                    if r.sig_ok is False:
                        out = 401
                    else:
                        out = plan(r, attempt) if plan else 200
                except Exception:  # a test bug: answer 500 and remember
                    out = 599
                extra = {}
                if isinstance(out, tuple):
                    out, extra = out
                r.answered = out
                with recv.lock:
                    recv.receipts.append(r)
                self.send_response(out if out != 599 else 500)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="webhook-receiver", daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def plan(self, path, fn):
        with self.lock:
            self.plans[path] = fn

    def expect_secret(self, path, secret):
        with self.lock:
            self.secrets[path] = secret

    def at(self, path):
        with self.lock:
            return [r for r in self.receipts if r.path == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def signature_ok(secret, headers, body):
    """Standard Webhooks: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>, key = b64decode(after whsec_)."""
    assert secret.startswith("whsec_"), secret
    key = base64.b64decode(secret[len("whsec_"):])
    wid, ts, sigs = headers.get("webhook-id"), headers.get("webhook-timestamp"), headers.get("webhook-signature")
    if not (wid and ts and sigs):
        return False
    mac = hmac.new(key, wid.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()
    return any(hmac.compare_digest(expected, s) for s in sigs.split(" ") if s)


# ------------------------------------------------------------------ attestation keys and ES256


def make_ec_keys(kids):
    """EC P-256 private keys in PKCS#8 PEM, one file `<kid>.pem` per kid, made with the openssl CLI in a
    fresh temp dir. Returns the dir (caller removes it)."""
    d = tempfile.mkdtemp(prefix="kr-att-keys-")
    os.chmod(d, 0o755)
    for kid in kids:
        path = os.path.join(d, f"{kid}.pem")
        gen = subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"],
                             capture_output=True, check=True, timeout=30)
        subprocess.run(["openssl", "pkcs8", "-topk8", "-nocrypt", "-out", path], input=gen.stdout,
                       capture_output=True, check=True, timeout=30)
        os.chmod(path, 0o644)
    return d


def remove_dir(d):
    shutil.rmtree(d, ignore_errors=True)


def pem_public_xy(path):
    """(x, y) base64url of the public key of a PEM private key file (python3-cryptography)."""
    from cryptography.hazmat.primitives import serialization
    with open(path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    nums = key.public_key().public_numbers()
    return H.b64url(nums.x.to_bytes(32, "big")), H.b64url(nums.y.to_bytes(32, "big"))


def jwk_public_key(jwk):
    from cryptography.hazmat.primitives.asymmetric import ec
    x = int.from_bytes(H.b64url_decode(jwk["x"]), "big")
    y = int.from_bytes(H.b64url_decode(jwk["y"]), "big")
    return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()


def es256_verify(token, jwk):
    """True when the compact JWS's ES256 signature verifies with the JWK (independent of the server)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    h, p, s = token.split(".")
    sig = H.b64url_decode(s)
    if len(sig) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        jwk_public_key(jwk).verify(der, f"{h}.{p}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def tamper_payload(token, **changes):
    h, p, s = token.split(".")
    claims = json.loads(H.b64url_decode(p))
    claims.update(changes)
    return f"{h}.{H.b64url(json.dumps(claims, separators=(',', ':')))}.{s}"
