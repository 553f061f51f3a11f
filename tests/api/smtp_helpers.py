"""A real SMTP server on loopback for the mail tests (aiosmtpd, Debian's python3-aiosmtpd), that
keeps what it accepted and can refuse a recipient or hold a transaction."""

import asyncio
import email
import email.policy
import re
import threading
import time

from aiosmtpd.controller import Controller

import kr_helpers as H

TOKEN = re.compile(r"#token=([A-Za-z0-9_-]{43})")


class Received:
    def __init__(self, envelope):
        self.mail_from = envelope.mail_from
        self.rcpt_tos = list(envelope.rcpt_tos)
        self.raw = envelope.original_content or envelope.content
        self.msg = email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self):
        return str(self.msg["Subject"])

    @property
    def message_id(self):
        return str(self.msg["Message-ID"])

    def part(self, kind):
        return self.msg.get_body((kind,)).get_content()

    @property
    def text(self):
        return self.part("plain")

    @property
    def html(self):
        return self.part("html")

    @property
    def token(self):
        m = TOKEN.search(self.text)
        assert m, f"no token link in:\n{self.text}"
        return m.group(1)


class Receiver:
    """refuse[address] = "550 ..." refuses that recipient; hold() makes the next transaction wait
    at RCPT until release() (held.is_set() once one waits)."""

    def __init__(self):
        self.accepted = []
        self.refuse = {}
        self.lock = threading.Lock()
        self.holding = False
        self.held = threading.Event()
        self.port = H.free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.holding = False
        self.controller.stop()

    def hold(self):
        self.held.clear()
        self.holding = True

    def release(self):
        self.holding = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        while self.holding:
            self.held.set()
            await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted.append(Received(envelope))
        return "250 Message accepted"

    def to(self, address):
        with self.lock:
            return [m for m in self.accepted if address in m.rcpt_tos]

    def wait_for(self, address, count=1, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            got = self.to(address)
            if len(got) >= count or time.monotonic() > deadline:
                assert len(got) >= count, f"{len(got)} message(s) to {address} after {timeout}s, expected {count}"
                return got
            time.sleep(0.05)
