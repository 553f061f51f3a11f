"""Graceful shutdown: SIGTERM stops accepting, lets in-flight requests finish, exits 0."""

import signal
import socket
import threading
import time

import requests

import kr_helpers as H


def test_sigterm_finishes_in_flight_requests_then_exits_zero(spawn_server):
    srv, _ = spawn_server({"SHUTDOWN_GRACE_SECONDS": "20"})
    results = []
    lock = threading.Lock()

    def sign_in():
        # Each sign-in spends tens of milliseconds in argon2id: long enough to be in flight.
        try:
            r = requests.post(srv.base_url + "/v1/auth/token", timeout=30, json={
                "grant_type": "password", "username": H.ADMIN_USERNAME, "password": H.ADMIN_PASSWORD})
            outcome = r.status_code
        except requests.RequestException as e:  # a reset connection is a dropped request
            outcome = repr(e)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=sign_in) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    srv.proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(30)

    assert results == [200] * 8, f"in-flight requests were not all answered: {results}"
    assert srv.proc.wait(20) == 0
    # Once stopped, nothing listens any more.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", srv.port)) != 0


def test_new_connections_are_refused_while_draining(spawn_server):
    srv, client = spawn_server({"SHUTDOWN_GRACE_SECONDS": "20"})
    slow = threading.Thread(target=lambda: requests.post(srv.base_url + "/v1/auth/token", timeout=30, json={
        "grant_type": "password", "username": H.ADMIN_USERNAME, "password": H.ADMIN_PASSWORD}))
    slow.start()
    time.sleep(0.05)
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.02)
    # The listening socket is closed at once, before the in-flight request is done.
    refused = False
    deadline = time.time() + 2
    while time.time() < deadline and not refused:
        with socket.socket() as s:
            refused = s.connect_ex(("127.0.0.1", srv.port)) != 0
        time.sleep(0.01)
    slow.join(30)
    assert refused
    assert srv.proc.wait(20) == 0
