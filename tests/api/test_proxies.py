"""X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES."""

import time


def logged_address(srv, request_id):
    for _ in range(50):
        for _, rec in srv.log_records():
            if rec and rec.get("requestId") == request_id:
                return rec.get("remoteAddr")
        time.sleep(0.02)
    raise AssertionError(f"no log line for request {request_id}")


def test_forwarded_address_from_a_trusted_proxy(spawn_server):
    srv, client = spawn_server({"TRUSTED_PROXIES": "127.0.0.1, 10.0.0.5"})
    # The right-most address that is not a trusted proxy is the client.
    client.get("/healthz", headers={"X-Request-Id": "via-proxies",
                                    "X-Forwarded-For": "198.51.100.9, 203.0.113.7, 10.0.0.5"})
    assert logged_address(srv, "via-proxies") == "203.0.113.7"
    client.get("/healthz", headers={"X-Request-Id": "garbage-xff", "X-Forwarded-For": "not-an-address"})
    assert logged_address(srv, "garbage-xff") == "127.0.0.1"


def test_forwarded_address_ignored_without_trust(spawn_server):
    srv, client = spawn_server({"TRUSTED_PROXIES": None})
    client.get("/healthz", headers={"X-Request-Id": "spoofed", "X-Forwarded-For": "203.0.113.7"})
    assert logged_address(srv, "spoofed") == "127.0.0.1"
