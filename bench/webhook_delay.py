"""Delay from a certificate change to its webhook delivery.

Runs a receiver on 127.0.0.1, subscribes a municipality to it, then suspends and reinstates
certificates one at a time; each delay is from the change's answer (committed) to the delivery's
arrival. Prints "median p90 max" in milliseconds.
Usage: webhook_delay.py BASE_URL ADMIN_TOKEN MUNICIPALITY_TOKEN CERTIFICATE_NUMBER... (one or more)
"""
import http.server
import json
import statistics
import sys
import threading
import time

import requests

base, admin, municipality, numbers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
arrivals = {}
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            arrivals.setdefault(body["data"]["eventId"], time.monotonic())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
r = requests.post(f"{base}/v1/webhook-subscriptions", headers={"Authorization": f"Bearer {municipality}"},
                  json={"targetUrl": f"http://127.0.0.1:{server.server_port}/hook",
                        "eventTypes": ["suspended", "reinstated"]})
r.raise_for_status()
feed_head = requests.get(f"{base}/v1/certificate-events", headers={"Authorization": f"Bearer {admin}"},
                         params={"after": 0, "limit": 1}).json()
delays = []
for i, number in enumerate(numbers):
    for action in ("suspension", "reinstatement"):
        r = requests.post(f"{base}/v1/certificates/{number}/{action}", headers={"Authorization": f"Bearer {admin}"},
                          json={"reason": "benchmark"})
        r.raise_for_status()
        done = time.monotonic()
        events = requests.get(f"{base}/v1/certificate-events", headers={"Authorization": f"Bearer {admin}"},
                              params={"after": 0, "limit": 100}).json()
        # The newest event of this certificate is the one just written.
        latest = None
        after = 0
        while True:
            page = requests.get(f"{base}/v1/certificate-events", headers={"Authorization": f"Bearer {admin}"},
                                params={"after": after, "limit": 100}).json()
            for e in page["items"]:
                if e["certificateNumber"] == number:
                    latest = e["id"]
            if not page["nextCursor"]:
                break
            after = int(page["nextCursor"])
        deadline = time.monotonic() + 30
        while latest not in arrivals and time.monotonic() < deadline:
            time.sleep(0.002)
        delays.append((arrivals[latest] - done) * 1000)
delays.sort()
print(f"{statistics.median(delays):.0f} {delays[int(len(delays) * 0.9) - 1]:.0f} {delays[-1]:.0f} {len(delays)}")
server.shutdown()
