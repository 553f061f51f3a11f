"""Time from deactivation to refusal (bench/accounts): two replicas of the service on one
database; each round signs an account in, checks that replica B answers its token, deactivates
the account on replica A and polls B every millisecond until it refuses the token (401). Reports
the milliseconds from A's answer to B's first refusal, and from the request to it.

Usage: deactivation.py SERVER_BINARY ROUNDS (DATABASE_URL, JWT_SECRET and the bootstrap admin come
from the environment, as bench/lib.sh sets them)."""

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def start(binary):
    port = free_port()
    env = dict(os.environ, PORT=str(port), LOG_LEVEL="warning")
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if call(base, "GET", "/readyz")[0] == 200:
                return proc, base
        except OSError:
            pass
        time.sleep(0.02)
    proc.kill()
    sys.exit("a replica did not get ready")


def token(base, username, password):
    status, body = call(base, "POST", "/v1/auth/token",
                        body={"grant_type": "password", "username": username, "password": password})
    assert status == 200, status
    return body["access_token"]


def main():
    binary, rounds = sys.argv[1], int(sys.argv[2])
    (a, base_a), (b, base_b) = start(binary), start(binary)
    try:
        admin = token(base_a, os.environ["BOOTSTRAP_ADMIN_USERNAME"], os.environ["BOOTSTRAP_ADMIN_PASSWORD"])
        name, password = f"bench-deact-{os.getpid()}", "bench-deactivation-password"
        status, account = call(base_a, "POST", "/v1/accounts", admin,
                               {"username": name, "password": password, "role": "admin"})
        assert status == 201, status
        after_answer, after_request = [], []
        for _ in range(rounds):
            time.sleep(1.05)  # tokens are cut to the second: the new one must be of a later second
            victim = token(base_a, name, password)
            assert call(base_b, "GET", "/v1/accounts/me", victim)[0] == 200
            sent = time.monotonic()
            status, _ = call(base_a, "POST", f"/v1/accounts/{account['id']}/deactivation", admin,
                             {"reason": "bench: time to refusal"})
            answered = time.monotonic()
            assert status == 200, status
            while call(base_b, "GET", "/v1/accounts/me", victim)[0] == 200:
                time.sleep(0.001)
            refused = time.monotonic()
            after_answer.append((refused - answered) * 1000)
            after_request.append((refused - sent) * 1000)
            assert call(base_a, "POST", f"/v1/accounts/{account['id']}/reactivation", admin)[0] == 200
        q = lambda xs, p: sorted(xs)[min(len(xs) - 1, int(p * len(xs)))]
        print(f"deactivation on replica A -> refusal on replica B, {rounds} rounds (ms):")
        for label, xs in (("after A's answer", after_answer), ("after the request", after_request)):
            print(f"  {label:18} p50 {statistics.median(xs):6.1f}  p95 {q(xs, 0.95):6.1f}  max {max(xs):6.1f}")
    finally:
        for p in (a, b):
            p.terminate()
            p.wait(10)


if __name__ == "__main__":
    main()
