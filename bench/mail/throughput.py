"""Mail throughput of one replica (bench/mail): messages a second handed to a local SMTP
receiver (aiosmtpd, counting only) by the service's sender, beside the receiver's own ceiling:
Python's smtplib sending messages of the same size over one connection to the same receiver.

Usage: throughput.py DATABASE_URL SERVER_BINARY MESSAGES"""

import os
import smtplib
import socket
import subprocess
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self):
        self.n = 0
        self.bytes = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            self.bytes += len(envelope.content)
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(counter, target, timeout):
    deadline = time.monotonic() + timeout
    while counter.n < target and time.monotonic() < deadline:
        time.sleep(0.01)
    return counter.n >= target


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    url, binary, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    psql = ["psql", url, "-Atq", "-v", "ON_ERROR_STOP=1", "-c"]
    try:
        # The receiver's ceiling: one client, one connection, messages of the size the service sends.
        subprocess.run(psql + ["SELECT 1"], check=True, capture_output=True)
        body = ("Subject: ceiling\r\nFrom: bench@example.test\r\nTo: r@example.test\r\n\r\n"
                + ("x" * 76 + "\r\n") * 32)
        client = smtplib.SMTP("127.0.0.1", port)
        t0 = time.monotonic()
        for i in range(n):
            client.sendmail("bench@example.test", [f"ceiling{i}@example.test"], body)
        ceiling_s = time.monotonic() - t0
        client.quit()
        counter.n = counter.bytes = 0

        env = dict(os.environ, DATABASE_URL=url, SMTP_URL=f"smtp://127.0.0.1:{port}", MAIL_POLL_MILLISECONDS="1000",
                   PORT=str(free_port()), LOG_LEVEL="warning")
        server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            time.sleep(3)  # migrated and listening
            subprocess.run(psql + ["DELETE FROM mail_deliveries; DELETE FROM mail_outbox"], check=True)
            cpu0 = cpu_seconds(server.pid)
            t0 = time.monotonic()
            subprocess.run(psql + [
                "INSERT INTO mail_outbox (template, to_address, language, vars)"
                " SELECT 'email_verification', 'bench' || g || '@example.test', 'nl',"
                f" json_build_object('givenName', 'Bench', 'token', repeat('A', 43), 'hours', 24)"
                f" FROM generate_series(1, {n}) g; NOTIFY kr_mail"], check=True)
            ok = wait_for(counter, n, 600)
            service_s = time.monotonic() - t0
            cpu = cpu_seconds(server.pid) - cpu0
        finally:
            server.terminate()
            server.wait(30)
        avg = counter.bytes / max(counter.n, 1)
        print(f"messages: {n}, {avg:.0f} bytes each on average (service)")
        print(f"receiver ceiling (smtplib, one connection): {n / ceiling_s:,.0f} messages/s")
        print(f"one replica's sender: {counter.n / service_s:,.0f} messages/s"
              f"{'' if ok else ' (did not finish)'}, {cpu * 1e6 / max(counter.n, 1):,.0f} us of service CPU a message")
        print(f"ratio sender / ceiling: {(counter.n / service_s) / (n / ceiling_s):.2f}")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
