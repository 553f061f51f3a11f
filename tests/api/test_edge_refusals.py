"""The edge under attack and carelessness: refusals decided on the headers (before any body is
read, with no "100 Continue"), 414 and 431 as problem+json, query values that are not UTF-8, and
slow clients that would hold every connection slot.

Raw sockets are used where a client library would hide what is on the wire (100 Continue, a
body not sent); client addresses other than 127.0.0.1 come from binding to 127.0.0.2-9."""

import json
import re
import resource
import socket
import threading
import time

import pytest
import requests

from kr_helpers import assert_problem

PROTECTED_POST = "/v1/organisations"      # needs a token
GIB = 1024 * 1024 * 1024


def _host_port(srv):
    return "127.0.0.1", srv.port


def _read_answer(sock, timeout=5.0):
    """Reads one HTTP answer (status line, headers, body by Content-Length); returns
    (interim_lines, status, headers, body). Interim 1xx answers are collected, not returned."""
    sock.settimeout(timeout)
    data = b""
    interim = []
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed before an answer: {data[:200]!r}")
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        if 100 <= status < 200:
            interim.append(lines[0])
            continue
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(data) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return interim, status, headers, data[:length]


def _send_post_headers(sock, token=None, content_type="application/json", length=GIB, expect=True):
    """Sends a POST to PROTECTED_POST, headers only."""
    sock.sendall((f"POST {PROTECTED_POST} HTTP/1.1\r\nHost: x\r\n" +
                  (f"Authorization: Bearer {token}\r\n" if token else "") +
                  f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n" +
                  ("Expect: 100-continue\r\n" if expect else "") + "\r\n").encode())


def _problem(status, headers, body, expected):
    assert status == expected, (status, body[:300])
    assert headers.get("content-type", "").startswith("application/problem+json"), headers
    doc = json.loads(body)
    assert doc["status"] == expected
    return doc


# ------------------------------------------------------------------ refused on the headers


@pytest.mark.parametrize("expect", [True, False])
def test_anonymous_upload_is_refused_before_its_body(server, expect):
    """A 1 GiB body announced to a route that needs a token: 401 at once, no 100 Continue,
    nothing of the body read (it is never sent)."""
    sock = socket.create_connection(_host_port(server))
    try:
        started = time.monotonic()
        _send_post_headers(sock, expect=expect)
        interim, status, headers, body = _read_answer(sock)
        assert interim == [], interim
        _problem(status, headers, body, 401)
        assert "bearer" in headers.get("www-authenticate", "").lower()
        assert time.monotonic() - started < 2
        # the connection is closed after the answer: the body is not read
        sock.settimeout(5)
        assert sock.recv(1) == b""
    finally:
        sock.close()


def test_oversized_body_is_refused_before_it_is_sent(server, admin_token):
    sock = socket.create_connection(_host_port(server))
    try:
        _send_post_headers(sock, admin_token)
        interim, status, headers, body = _read_answer(sock)
        assert interim == []
        doc = _problem(status, headers, body, 413)
        assert "1048576" in doc["detail"]
    finally:
        sock.close()


def test_wrong_media_type_is_refused_before_the_body(server, admin_token):
    sock = socket.create_connection(_host_port(server))
    try:
        _send_post_headers(sock, admin_token, content_type="text/plain", length=100000)
        interim, status, headers, body = _read_answer(sock)
        assert interim == []
        doc = _problem(status, headers, body, 415)
        assert [e["field"] for e in doc["errors"]] == ["Content-Type"]
    finally:
        sock.close()


def test_accepted_upload_gets_100_continue(server, admin_token):
    """The other side of the coin: a request the route takes is told to send its body."""
    body = json.dumps({"name": ""}).encode()
    sock = socket.create_connection(_host_port(server))
    try:
        _send_post_headers(sock, admin_token, length=len(body))
        sock.settimeout(5)
        first = sock.recv(64)
        assert first.startswith(b"HTTP/1.1 100"), first
        sock.sendall(body)
        _, status, headers, answer = _read_answer(sock)
        _problem(status, headers, answer, 400)  # the body was read and judged
    finally:
        sock.close()


def test_refusal_without_body_keeps_the_connection(server):
    """A 404 or 401 on a request without a body leaves the connection open for the next one."""
    sock = socket.create_connection(_host_port(server))
    try:
        for path in ("/v1/nothing-here", "/v1/accounts/me", "/healthz"):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            _, status, _, _ = _read_answer(sock)
            assert status == {"/v1/nothing-here": 404, "/v1/accounts/me": 401, "/healthz": 200}[path]
    finally:
        sock.close()


# ------------------------------------------------------------------ 414, 431, bad query bytes


def test_long_uri_is_414_problem(server):
    r = requests.get(server.base_url + "/v1/norm-frameworks?q=" + "a" * 4200, timeout=10)
    assert_problem(r, 414)
    r = requests.get(server.base_url + "/v1/norm-frameworks?q=" + "a" * 4000, timeout=10)
    assert r.status_code != 414


def test_large_headers_are_431_problem(server):
    r = requests.get(server.base_url + "/healthz", headers={"X-Padding": "a" * 9000}, timeout=10)
    assert_problem(r, 431)
    r = requests.get(server.base_url + "/healthz",
                     headers={f"X-Pad-{i}": "a" * 1000 for i in range(9)}, timeout=10)
    assert_problem(r, 431)
    r = requests.get(server.base_url + "/healthz", headers={"X-Padding": "a" * 7000}, timeout=10)
    assert r.status_code == 200
    # beyond the connection's 16 KiB buffer libmicrohttpd answers itself: the status still holds
    r = requests.get(server.base_url + "/healthz", headers={"X-Padding": "a" * 20000}, timeout=10)
    assert r.status_code == 431


def test_query_value_not_utf8_is_400_naming_it(server, admin_token):
    r = requests.get(server.base_url + "/v1/organisations?name=%FF%FE",
                     headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)
    body = assert_problem(r, 400)
    assert [e["field"] for e in body["errors"]] == ["name"]


# ------------------------------------------------------------------ slow clients


def _raise_file_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.fail(f"this test needs {needed} open files; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def _metric(srv, name):
    text = requests.get(srv.base_url + "/metrics", timeout=10).text
    m = re.search(rf"^{name} (\d+)$", text, re.M)
    assert m, name
    return int(m.group(1))


def test_slow_clients_cannot_hold_every_slot(spawn_server):
    """1,100 connections from eight addresses, each sending one header byte every 5 s (more than
    the 1,024 slots): a normal request is still served in under a second, all the time, and the
    slow connections are cut once their header deadline passes."""
    _raise_file_limit(1400)
    srv, _ = spawn_server({"HEADER_TIMEOUT_SECONDS": 6})
    slow = []
    stop = threading.Event()
    try:
        for i in range(1100):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((f"127.0.0.{2 + i % 8}", 0))
            s.settimeout(2)
            try:
                s.connect(_host_port(srv))
                s.sendall(b"G")
            except OSError:
                pass  # refused or reset: the server is shedding, which is allowed
            slow.append(s)

        def trickle():
            while not stop.wait(5):
                for s in slow:
                    try:
                        s.send(b"E")
                    except OSError:
                        pass
        threading.Thread(target=trickle, daemon=True).start()

        times = []
        deadline = time.monotonic() + 9
        while time.monotonic() < deadline:
            started = time.monotonic()
            r = requests.get(srv.base_url + "/v1/norm-frameworks", timeout=5)
            times.append(time.monotonic() - started)
            assert r.status_code == 200
            time.sleep(0.5)
        print(f"\nslow clients: {len(times)} normal requests, slowest {max(times) * 1000:.0f} ms: {[round(t * 1000) for t in times]}")
        assert max(times) < 1.0, times
        assert _metric(srv, "http_connections_cut_total") >= 1000
        assert _metric(srv, "http_connections_open") < 200
    finally:
        stop.set()
        for s in slow:
            s.close()


def test_slow_body_is_cut_at_its_deadline(spawn_server, kr):
    srv, _ = spawn_server({"BODY_TIMEOUT_SECONDS": 2})
    token = kr.admin_token()
    sock = socket.create_connection(("127.0.0.1", srv.port))
    try:
        _send_post_headers(sock, token, length=1000, expect=False)
        sock.sendall(b"{")
        started = time.monotonic()
        sock.settimeout(10)
        closed = False
        try:
            while time.monotonic() - started < 8:
                sock.send(b" ")
                time.sleep(0.5)
        except OSError:
            closed = True
        if not closed:
            closed = sock.recv(1) == b""
        assert closed
        assert 1.5 < time.monotonic() - started < 6
    finally:
        sock.close()
